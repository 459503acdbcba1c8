/* egl_headless.h — an OpenGL core context through EGL with no surface and
 * no window system: what the post-processing chain's gl backend
 * (post_gl.c) and tessera-gl, the OpenGL peer, run on. Mesa's llvmpipe
 * gives one without a GPU.
 *
 * Threads: the context is current on the thread that opened it; the GL
 * functions (glad, loaded by ts_egl_open) are the process's. */
#ifndef TS_EGL_HEADLESS_H
#define TS_EGL_HEADLESS_H

#include <glad/egl.h>

#include <stdbool.h>
#include <stddef.h>

typedef struct ts_egl {
    bool loaded; /* libEGL opened by glad */
    EGLDisplay dpy;
    EGLContext ctx;
} ts_egl;

/* Loads libEGL and opens the first display that gives an OpenGL
 * `major`.`minor` core context: an EGL device (EGL_EXT_platform_device; only
 * Mesa's software device when LIBGL_ALWAYS_SOFTWARE is set), Mesa's
 * surfaceless platform, EGL_DEFAULT_DISPLAY (not when LIBGL_ALWAYS_SOFTWARE
 * is set: it may be a GPU's driver). The context is made current
 * with no surface and GL is loaded with glad. False, with each display's
 * reason in `why` (size n, "; " between them), when none does; `e` then
 * holds no context. */
bool ts_egl_open(ts_egl *e, int major, int minor, char *why, size_t n);

/* Releases the context and this thread's EGL state. The display stays
 * initialized and libEGL loaded until the process exits: EGL displays are
 * shared by everything in the process that opens the same one (eglTerminate
 * would take their contexts too), and eglTerminate makes Mesa dlclose its
 * driver and unloading libEGL unmaps glvnd, either of which turns memory
 * their globals still hold into leak reports that LeakSanitizer can neither
 * attribute nor suppress (the module is gone). */
void ts_egl_close(ts_egl *e);

/* "EGL_BAD_MATCH" for EGL_BAD_MATCH. */
const char *ts_egl_error_name(EGLint e);

#endif
