/* keep_loaded.c — preloaded into tessera-viewer by the window tests of the
 * AddressSanitizer build: dlclose does nothing, so the OpenGL driver Mesa
 * loads (swrast_dri.so) stays mapped until exit and LeakSanitizer can name
 * the library its leftover blocks came from. After a real dlclose the
 * report pins them on whatever module is mapped nearby, and no suppression
 * can match them honestly. Built without sanitizers. */
int dlclose(void *handle);
int dlclose(void *handle) {
    (void)handle;
    return 0;
}
