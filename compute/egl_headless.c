/* egl_headless.c — an OpenGL core context through EGL with no surface
 * (egl_headless.h). */
#include "egl_headless.h"

#include <glad/gl.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEVICES 32

const char *ts_egl_error_name(EGLint e) {
    switch (e) {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    default: return "EGL error";
    }
}

/* Appends "; " and a formatted note to `buf` (size n), truncating quietly:
 * why each display could not be used. */
__attribute__((format(printf, 3, 4))) static void note(char *buf, size_t n, const char *fmt, ...) {
    size_t len = strlen(buf);
    if (len + 3 >= n) return;
    if (len) {
        strcpy(buf + len, "; ");
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

/* Whether the space-separated list `list` holds the word `name`. */
static bool has_word(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; p && (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return true;
    return false;
}

static bool env_true(const char *name) {
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
}

static EGLDisplay platform_display(EGLenum platform, void *native) {
    if (GLAD_EGL_EXT_platform_base && eglGetPlatformDisplayEXT) return eglGetPlatformDisplayEXT(platform, native, NULL);
    if (GLAD_EGL_VERSION_1_5 && eglGetPlatformDisplay) return eglGetPlatformDisplay(platform, native, NULL);
    return EGL_NO_DISPLAY;
}

static GLADapiproc load_gl(const char *name) { return (GLADapiproc)eglGetProcAddress(name); }

/* Initializes `dpy`, creates a GL major.minor core context on it, makes it
 * current with no surface and loads GL. On failure notes why (under the
 * label `what`) and returns false, leaving the display initialized
 * (ts_egl_close says why). */
static bool try_display(ts_egl *e, EGLDisplay dpy, int major, int minor, const char *what, char *why, size_t n) {
    if (dpy == EGL_NO_DISPLAY) {
        note(why, n, "%s: no display (%s)", what, ts_egl_error_name(eglGetError()));
        return false;
    }
    EGLint egl_major = 0, egl_minor = 0;
    if (!eglInitialize(dpy, &egl_major, &egl_minor)) {
        note(why, n, "%s: eglInitialize failed (%s)", what, ts_egl_error_name(eglGetError()));
        return false;
    }
    /* The display's own extensions are known only once it is initialized. */
    const char *problem = NULL;
    char text[96];
    EGLConfig config = EGL_NO_CONFIG_KHR;
    if (!gladLoaderLoadEGL(dpy)) problem = "cannot load its EGL functions";
    else if (!GLAD_EGL_KHR_surfaceless_context) problem = "no EGL_KHR_surfaceless_context";
    else if (!(egl_major > 1 || egl_minor >= 5) && !GLAD_EGL_KHR_create_context)
        problem = "neither EGL 1.5 nor EGL_KHR_create_context";
    else if (!eglBindAPI(EGL_OPENGL_API)) problem = "eglBindAPI(EGL_OPENGL_API) failed";
    if (!problem && !GLAD_EGL_KHR_no_config_context) {
        /* Any config that renders OpenGL: nothing is drawn to a surface, so
         * the config's surface types and formats do not matter. */
        const EGLint attrs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, 0, EGL_NONE};
        EGLint count = 0;
        if (!eglChooseConfig(dpy, attrs, &config, 1, &count) || count < 1) problem = "no config renders OpenGL";
    }
    if (!problem) {
        const EGLint attrs[] = {EGL_CONTEXT_MAJOR_VERSION,       major,
                                EGL_CONTEXT_MINOR_VERSION,       minor,
                                EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                EGL_NONE};
        e->ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, attrs);
        if (e->ctx == EGL_NO_CONTEXT) {
            snprintf(text, sizeof text, "cannot create an OpenGL %d.%d core context", major, minor);
            problem = text;
        } else if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, e->ctx)) {
            problem = "cannot make the context current without a surface";
        }
    }
    if (!problem) {
        int version = gladLoadGL(load_gl);
        if (!version) {
            problem = "cannot load the GL functions";
        } else if (GLAD_VERSION_MAJOR(version) * 10 + GLAD_VERSION_MINOR(version) < major * 10 + minor) {
            snprintf(text, sizeof text, "the context is older than OpenGL %d.%d", major, minor);
            problem = text;
        }
    }
    if (problem) {
        note(why, n, "%s (EGL %d.%d): %s (%s)", what, (int)egl_major, (int)egl_minor, problem,
             ts_egl_error_name(eglGetError()));
        if (e->ctx != EGL_NO_CONTEXT) {
            eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
            eglDestroyContext(dpy, e->ctx);
            e->ctx = EGL_NO_CONTEXT;
        }
        return false;
    }
    e->dpy = dpy;
    return true;
}

/* Devices from EGL_EXT_device_enumeration, in the order the driver lists
 * them (with glvnd: vendor by vendor, so a GPU driver's devices come before
 * Mesa's). `software_only` (LIBGL_ALWAYS_SOFTWARE) keeps only Mesa's
 * software device, so a machine with a GPU can still be made to use
 * llvmpipe. */
static bool open_device_platform(ts_egl *e, int major, int minor, bool software_only, char *why, size_t n) {
    if (!GLAD_EGL_EXT_platform_device || !eglQueryDevicesEXT || !(GLAD_EGL_EXT_platform_base || GLAD_EGL_VERSION_1_5)) {
        note(why, n, "device platform: not supported by this libEGL");
        return false;
    }
    EGLDeviceEXT devices[MAX_DEVICES];
    EGLint count = 0;
    if (!eglQueryDevicesEXT(MAX_DEVICES, devices, &count) || count < 1) {
        note(why, n, "device platform: no devices");
        return false;
    }
    bool tried = false;
    for (EGLint i = 0; i < count; i++) {
        const char *ext = eglQueryDeviceStringEXT ? eglQueryDeviceStringEXT(devices[i], EGL_EXTENSIONS) : NULL;
        if (software_only && !(ext && has_word(ext, "EGL_MESA_device_software"))) continue;
        tried = true;
        char what[32];
        snprintf(what, sizeof what, "device %d", (int)i);
        if (try_display(e, platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i]), major, minor, what, why, n))
            return true;
        gladLoaderLoadEGL(EGL_NO_DISPLAY); /* the display's load overwrote the client extension flags */
    }
    if (!tried) note(why, n, "device platform: no software device among %d", (int)count);
    return false;
}

bool ts_egl_open(ts_egl *e, int major, int minor, char *why, size_t n) {
    *e = (ts_egl){.dpy = EGL_NO_DISPLAY, .ctx = EGL_NO_CONTEXT};
    if (!gladLoaderLoadEGL(EGL_NO_DISPLAY)) {
        note(why, n, "cannot load libEGL.so.1");
        return false;
    }
    e->loaded = true;
    /* Surfaceless is Mesa's platform, software under LIBGL_ALWAYS_SOFTWARE;
     * the default display is whatever glvnd's first vendor gives (on a GPU
     * machine without Mesa, the GPU's driver), so it is not tried when
     * software is asked for. */
    bool software_only = env_true("LIBGL_ALWAYS_SOFTWARE");
    if (open_device_platform(e, major, minor, software_only, why, n)) return true;
    if (GLAD_EGL_MESA_platform_surfaceless) {
        if (try_display(e, platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY), major, minor,
                        "surfaceless platform", why, n))
            return true;
        gladLoaderLoadEGL(EGL_NO_DISPLAY);
    } else {
        note(why, n, "surfaceless platform: not supported by this libEGL");
    }
    if (software_only) {
        note(why, n, "default display: not tried (LIBGL_ALWAYS_SOFTWARE asks for Mesa's software renderer)");
        return false;
    }
    return try_display(e, eglGetDisplay(EGL_DEFAULT_DISPLAY), major, minor, "default display", why, n);
}

void ts_egl_close(ts_egl *e) {
    if (e->dpy != EGL_NO_DISPLAY) {
        eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (e->ctx != EGL_NO_CONTEXT) eglDestroyContext(e->dpy, e->ctx);
    }
    if (e->loaded) eglReleaseThread();
    *e = (ts_egl){.dpy = EGL_NO_DISPLAY, .ctx = EGL_NO_CONTEXT};
}
