/* post_gl.c — the post-processing chain as OpenGL 4.3 compute shaders
 * (shaders/post_*.comp, embedded at build time), on an EGL context of its
 * own with no surface: headless, so Mesa's llvmpipe runs it as well as a
 * GPU does. The math is post_cpu.c's, operation for operation in 32-bit
 * float (docs/POST.md, "The gl backend").
 *
 * Resources, all sized for the largest frame so far:
 *   hdr      RGBA32F, the frame's HDR color: tiles are uploaded into it as
 *            they arrive (ts_post_gl_tile), so the transfer overlaps the
 *            raster of the other tiles
 *   bloom    two RGBA32F half-size images: the bright pass writes [0], the
 *            row blur [1], the column blur [0] again
 *   ldr      RGBA32F, the tone-mapped frame FXAA reads
 *   out      a shader storage buffer of packed RGBA8, w*h pixels, read back
 *            with glGetBufferSubData
 * Every call comes from the thread that created the state (post.h); the
 * context is made current on it again if something else took its place. */
#include "post_backends.h"

#include <glad/egl.h>
#include <glad/gl.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "post_shaders.h"

#define MAX_DEVICES 32
#define GROUP 8 /* local_size_x and _y of every post_*.comp */

enum { PASS_BRIGHT, PASS_BLUR, PASS_COMPOSITE, PASS_FXAA, PASS_COUNT };

typedef struct gl_post {
    EGLDisplay dpy;
    EGLContext ctx;
    GLuint prog[PASS_COUNT];
    GLuint hdr, bloom[2], ldr; /* textures */
    GLuint out;                /* the RGBA8 readback buffer */
    int hdr_w, hdr_h;          /* hdr's size: tiles grow it, keeping what is in it */
    int work_w, work_h;        /* bloom's and ldr's (full) size: frames grow it */
    size_t out_bytes;
    ts_error tile_error; /* the first failure in ts_post_gl_tile, reported by the next frame */
} gl_post;

/* ---- errors ------------------------------------------------------------- */

static const char *gl_error_name(GLenum e) {
    switch (e) {
    case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
    case GL_STACK_UNDERFLOW: return "GL_STACK_UNDERFLOW";
    case GL_STACK_OVERFLOW: return "GL_STACK_OVERFLOW";
    default: return "an unknown GL error";
    }
}

static const char *egl_error_name(EGLint e) {
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

/* The first GL error since the last check (the rest are drained), or
 * GL_NO_ERROR. */
static GLenum gl_error(void) {
    GLenum first = glGetError(), more;
    for (int i = 0; i < 16 && (more = glGetError()) != GL_NO_ERROR; i++) (void)more;
    return first;
}

/* TS_OK, or the GL error under the name of the step that made it. */
static ts_result check_gl(const char *step, ts_error *err) {
    GLenum e = gl_error();
    if (e == GL_NO_ERROR) return TS_OK;
    return ts_error_set(err, e == GL_OUT_OF_MEMORY ? TS_ERR_OUT_OF_MEMORY : TS_ERR_SYSTEM, "post gl: %s: %s", step,
                        gl_error_name(e));
}

/* Appends "; " and a formatted note to `buf` (size n), truncating quietly:
 * why each EGL display could not be used. */
TS_PRINTF(3, 4) static void note(char *buf, size_t n, const char *fmt, ...) {
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

/* ---- EGL: a display and an OpenGL 4.3 core context without surfaces ------ */

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

/* Initializes `dpy`, creates an OpenGL 4.3 core context on it, makes it
 * current with no surface and loads GL. On failure notes why under the
 * label `what` and returns false. The display is left initialized either
 * way: EGL displays are shared by everything in the process that opens the
 * same one (the peer, another instance), and eglTerminate would take their
 * contexts with it. */
static bool try_display(gl_post *s, EGLDisplay dpy, const char *what, char *why, size_t n) {
    if (dpy == EGL_NO_DISPLAY) {
        note(why, n, "%s: no display (%s)", what, egl_error_name(eglGetError()));
        return false;
    }
    EGLint major = 0, minor = 0;
    if (!eglInitialize(dpy, &major, &minor)) {
        note(why, n, "%s: eglInitialize failed (%s)", what, egl_error_name(eglGetError()));
        return false;
    }
    const char *problem = NULL;
    EGLConfig config = EGL_NO_CONFIG_KHR;
    if (!gladLoaderLoadEGL(dpy)) problem = "cannot load its EGL functions";
    else if (!GLAD_EGL_KHR_surfaceless_context) problem = "no EGL_KHR_surfaceless_context";
    else if (!(major > 1 || minor >= 5) && !GLAD_EGL_KHR_create_context)
        problem = "neither EGL 1.5 nor EGL_KHR_create_context";
    else if (!eglBindAPI(EGL_OPENGL_API)) problem = "eglBindAPI(EGL_OPENGL_API) failed";
    if (!problem && !GLAD_EGL_KHR_no_config_context) {
        /* Any config that renders OpenGL: nothing is drawn to a surface. */
        const EGLint attrs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, 0, EGL_NONE};
        EGLint count = 0;
        if (!eglChooseConfig(dpy, attrs, &config, 1, &count) || count < 1) problem = "no config renders OpenGL";
    }
    if (!problem) {
        const EGLint attrs[] = {EGL_CONTEXT_MAJOR_VERSION,       4,
                                EGL_CONTEXT_MINOR_VERSION,       3,
                                EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                EGL_NONE};
        s->ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, attrs);
        if (s->ctx == EGL_NO_CONTEXT) problem = "cannot create an OpenGL 4.3 core context";
        else if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, s->ctx))
            problem = "cannot make the context current without a surface";
    }
    if (!problem) {
        int version = gladLoadGL(load_gl);
        if (!version) problem = "cannot load the GL functions";
        else if (GLAD_VERSION_MAJOR(version) * 10 + GLAD_VERSION_MINOR(version) < 43)
            problem = "the context is older than OpenGL 4.3 (compute shaders)";
    }
    if (problem) {
        note(why, n, "%s (EGL %d.%d): %s (%s)", what, (int)major, (int)minor, problem, egl_error_name(eglGetError()));
        if (s->ctx != EGL_NO_CONTEXT) {
            eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
            eglDestroyContext(dpy, s->ctx);
            s->ctx = EGL_NO_CONTEXT;
        }
        return false;
    }
    s->dpy = dpy;
    return true;
}

/* EGL_EXT_platform_device's devices in the driver's order (a GPU driver's
 * before Mesa's under glvnd); LIBGL_ALWAYS_SOFTWARE keeps Mesa's software
 * device only. */
static bool open_device_platform(gl_post *s, char *why, size_t n) {
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
    bool software_only = env_true("LIBGL_ALWAYS_SOFTWARE"), tried = false;
    for (EGLint i = 0; i < count; i++) {
        const char *ext = eglQueryDeviceStringEXT ? eglQueryDeviceStringEXT(devices[i], EGL_EXTENSIONS) : NULL;
        if (software_only && !(ext && has_word(ext, "EGL_MESA_device_software"))) continue;
        tried = true;
        char what[32];
        snprintf(what, sizeof what, "device %d", (int)i);
        if (try_display(s, platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i]), what, why, n)) return true;
        gladLoaderLoadEGL(EGL_NO_DISPLAY); /* the display's load replaced the client extension flags */
    }
    if (!tried) note(why, n, "device platform: no software device among %d", (int)count);
    return false;
}

/* The first display that gives a GL 4.3 core context: a device, Mesa's
 * surfaceless platform, the default display. */
static bool egl_open(gl_post *s, char *why, size_t n) {
    if (!gladLoaderLoadEGL(EGL_NO_DISPLAY)) {
        note(why, n, "cannot load libEGL.so.1");
        return false;
    }
    if (open_device_platform(s, why, n)) return true;
    if (GLAD_EGL_MESA_platform_surfaceless) {
        if (try_display(s, platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY), "surfaceless platform",
                        why, n))
            return true;
        gladLoaderLoadEGL(EGL_NO_DISPLAY);
    } else {
        note(why, n, "surfaceless platform: not supported by this libEGL");
    }
    return try_display(s, eglGetDisplay(EGL_DEFAULT_DISPLAY), "default display", why, n);
}

/* The context current on this thread again, if something took its place. */
static bool make_current(gl_post *s) {
    return eglGetCurrentContext() == s->ctx || eglMakeCurrent(s->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, s->ctx);
}

/* ---- programs ----------------------------------------------------------- */

/* A compiler log as one line (a ts_error's message is one): line breaks
 * become ";", the last one goes. */
static void one_line(char *log) {
    size_t n = strlen(log);
    while (n && (log[n - 1] == '\n' || log[n - 1] == ' ')) log[--n] = '\0';
    for (char *c = log; *c; c++)
        if (*c == '\n') *c = ';';
}

/* Compiles and links one pass: "#version 430", post.h's constants,
 * post_common.glsl, then the pass's source (#line makes the compiler's
 * line numbers those of each file). 0 with the compiler's log in err when
 * it fails. */
static GLuint build_program(const char *name, const char *src, ts_error *err) {
    char defines[512];
    /* %.9g prints every float exactly enough to read back the same value. */
    snprintf(defines, sizeof defines,
             "#version 430 core\n"
             "#define TS_POST_MAX_RADIUS %d\n"
             "#define TS_FXAA_EDGE_MIN %.9g\n"
             "#define TS_FXAA_EDGE_REL %.9g\n"
             "#define TS_FXAA_REDUCE_MUL %.9g\n"
             "#define TS_FXAA_REDUCE_MIN %.9g\n"
             "#define TS_FXAA_SPAN_MAX %.9g\n"
             "#line 1 1\n",
             TS_POST_MAX_RADIUS, (double)TS_FXAA_EDGE_MIN, (double)TS_FXAA_EDGE_REL, (double)TS_FXAA_REDUCE_MUL,
             (double)TS_FXAA_REDUCE_MIN, (double)TS_FXAA_SPAN_MAX);
    const char *parts[] = {defines, ts_post_src_common, "\n#line 1 2\n", src};
    char log[1024] = "";
    GLuint sh = glCreateShader(GL_COMPUTE_SHADER), prog = 0;
    glShaderSource(sh, 4, parts, NULL);
    glCompileShader(sh);
    GLint ok = 0;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        glGetShaderInfoLog(sh, sizeof log, NULL, log);
        glDeleteShader(sh);
        one_line(log);
        ts_error_set(err, TS_ERR_UNSUPPORTED, "post gl: %s does not compile: %s", name, log);
        return 0;
    }
    prog = glCreateProgram();
    glAttachShader(prog, sh);
    glLinkProgram(prog);
    glDeleteShader(sh); /* freed with the program */
    glGetProgramiv(prog, GL_LINK_STATUS, &ok);
    if (!ok) {
        glGetProgramInfoLog(prog, sizeof log, NULL, log);
        glDeleteProgram(prog);
        one_line(log);
        ts_error_set(err, TS_ERR_UNSUPPORTED, "post gl: %s does not link: %s", name, log);
        return 0;
    }
    return prog;
}

/* ---- resources ---------------------------------------------------------- */

/* A new RGBA32F texture of w x h, one level, read with texelFetch only. */
static GLuint make_texture(int w, int h) {
    GLuint t = 0;
    glGenTextures(1, &t);
    glBindTexture(GL_TEXTURE_2D, t);
    glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA32F, w, h);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glBindTexture(GL_TEXTURE_2D, 0);
    return t;
}

/* hdr at least w x h. What tiles already put there is copied over: a
 * larger frame's tiles grow it one by one. */
static ts_result grow_hdr(gl_post *s, int w, int h, ts_error *err) {
    if (w <= s->hdr_w && h <= s->hdr_h) return TS_OK;
    int nw = w > s->hdr_w ? w : s->hdr_w, nh = h > s->hdr_h ? h : s->hdr_h;
    GLuint t = make_texture(nw, nh);
    if (s->hdr) {
        glCopyImageSubData(s->hdr, GL_TEXTURE_2D, 0, 0, 0, 0, t, GL_TEXTURE_2D, 0, 0, 0, 0, s->hdr_w, s->hdr_h, 1);
        glDeleteTextures(1, &s->hdr);
    }
    s->hdr = t;
    s->hdr_w = nw, s->hdr_h = nh;
    ts_result r = check_gl("allocating the HDR texture", err);
    if (r != TS_OK) s->hdr_w = s->hdr_h = 0; /* try again next time */
    return r;
}

/* bloom, ldr and out at least w x h (contents are per frame). */
static ts_result grow_work(gl_post *s, int w, int h, ts_error *err) {
    if (w > s->work_w || h > s->work_h) {
        int nw = w > s->work_w ? w : s->work_w, nh = h > s->work_h ? h : s->work_h;
        glDeleteTextures(2, s->bloom);
        glDeleteTextures(1, &s->ldr);
        for (int i = 0; i < 2; i++) s->bloom[i] = make_texture(ts_post_half(nw), ts_post_half(nh));
        s->ldr = make_texture(nw, nh);
        s->work_w = nw, s->work_h = nh;
    }
    size_t bytes = (size_t)w * (size_t)h * 4;
    if (bytes > s->out_bytes) {
        if (!s->out) glGenBuffers(1, &s->out);
        glBindBuffer(GL_SHADER_STORAGE_BUFFER, s->out);
        glBufferData(GL_SHADER_STORAGE_BUFFER, (GLsizeiptr)bytes, NULL, GL_DYNAMIC_READ);
        glBindBuffer(GL_SHADER_STORAGE_BUFFER, 0);
        s->out_bytes = bytes;
    }
    ts_result r = check_gl("allocating the frame's textures and readback buffer", err);
    if (r != TS_OK) s->work_w = s->work_h = 0, s->out_bytes = 0;
    return r;
}

/* ---- the backend -------------------------------------------------------- */

void ts_post_gl_destroy(void *state) {
    gl_post *s = state;
    if (!s) return;
    if (s->ctx != EGL_NO_CONTEXT && make_current(s)) {
        for (int i = 0; i < PASS_COUNT; i++) glDeleteProgram(s->prog[i]);
        glDeleteTextures(1, &s->hdr);
        glDeleteTextures(2, s->bloom);
        glDeleteTextures(1, &s->ldr);
        glDeleteBuffers(1, &s->out);
    }
    if (s->ctx != EGL_NO_CONTEXT) {
        eglMakeCurrent(s->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        eglDestroyContext(s->dpy, s->ctx);
    }
    /* Neither eglTerminate nor unloading libEGL: the display may be shared
     * (try_display), and both would make Mesa unmap its driver with memory
     * its globals still hold, which LeakSanitizer then cannot attribute.
     * The process's exit frees them. */
    eglReleaseThread();
    free(s);
}

ts_result ts_post_gl_create(int w, int h, void **state, ts_error *err) {
    *state = NULL;
    gl_post *s = calloc(1, sizeof *s);
    if (!s) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "post gl: out of memory");
    s->dpy = EGL_NO_DISPLAY;
    s->ctx = EGL_NO_CONTEXT;
    char why[1024] = "";
    if (!egl_open(s, why, sizeof why)) {
        /* eglReleaseThread is in libEGL, which may not have loaded */
        free(s);
        return ts_error_set(err, TS_ERR_UNSUPPORTED, "post gl: no OpenGL 4.3 context: %s", why);
    }
    gl_error(); /* whatever loading left behind is not ours */
    static const struct {
        const char *name, *src;
    } passes[PASS_COUNT] = {
        [PASS_BRIGHT] = {"post_bright.comp", ts_post_src_bright},
        [PASS_BLUR] = {"post_blur.comp", ts_post_src_blur},
        [PASS_COMPOSITE] = {"post_composite.comp", ts_post_src_composite},
        [PASS_FXAA] = {"post_fxaa.comp", ts_post_src_fxaa},
    };
    ts_result r = TS_OK;
    for (int i = 0; i < PASS_COUNT && r == TS_OK; i++)
        if (!(s->prog[i] = build_program(passes[i].name, passes[i].src, err))) r = TS_ERR_UNSUPPORTED;
    if (r == TS_OK) r = grow_hdr(s, w > 0 ? w : 1, h > 0 ? h : 1, err);
    if (r == TS_OK) r = grow_work(s, w > 0 ? w : 1, h > 0 ? h : 1, err);
    if (r == TS_OK) r = check_gl("creating the programs", err);
    if (r != TS_OK) {
        ts_post_gl_destroy(s);
        /* The caller falls back to cpu: any failure here means "cannot run". */
        if (r != TS_ERR_UNSUPPORTED && err) err->code = TS_ERR_UNSUPPORTED;
        return TS_ERR_UNSUPPORTED;
    }
    *state = s;
    return TS_OK;
}

void ts_post_gl_tile(void *state, const float *hdr, size_t stride, int x, int y, int w, int h) {
    gl_post *s = state;
    if (s->tile_error.code != TS_OK || w <= 0 || h <= 0) return; /* the frame reports the first failure */
    if (!make_current(s)) {
        ts_error_set(&s->tile_error, TS_ERR_SYSTEM, "post gl: a tile at %d,%d: cannot make the context current (%s)", x,
                     y, egl_error_name(eglGetError()));
        return;
    }
    if (grow_hdr(s, x + w, y + h, &s->tile_error) != TS_OK) return;
    /* Rows `stride` floats apart: GL_UNPACK_ROW_LENGTH counts pixels. */
    glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / 4));
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, s->hdr);
    glTexSubImage2D(GL_TEXTURE_2D, 0, x, y, w, h, GL_RGBA, GL_FLOAT, hdr);
    glBindTexture(GL_TEXTURE_2D, 0);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    char step[64];
    snprintf(step, sizeof step, "uploading the tile at %d,%d", x, y);
    check_gl(step, &s->tile_error);
}

/* glBindTextureUnit is 4.5: a 4.3 context binds the old way. */
static void bind_texture(GLuint unit, GLuint texture) {
    glActiveTexture(GL_TEXTURE0 + unit);
    glBindTexture(GL_TEXTURE_2D, texture);
}

static void dispatch(int w, int h) {
    glDispatchCompute((GLuint)((w + GROUP - 1) / GROUP), (GLuint)((h + GROUP - 1) / GROUP), 1);
}

ts_result ts_post_gl_frame(void *state, const ts_post_params *p, int w, int h, const float *hdr, uint8_t *out,
                           ts_error *err) {
    gl_post *s = state;
    (void)hdr; /* every tile of it is in s->hdr already */
    if (s->tile_error.code != TS_OK) {
        ts_result r = s->tile_error.code;
        if (err) *err = s->tile_error;
        memset(&s->tile_error, 0, sizeof s->tile_error);
        return r;
    }
    if (w <= 0 || h <= 0) return TS_OK;
    if (!make_current(s))
        return ts_error_set(err, TS_ERR_SYSTEM, "post gl: cannot make the context current (%s)",
                            egl_error_name(eglGetError()));
    ts_result r = grow_hdr(s, w, h, err); /* only if tiles did not cover the frame */
    if (r == TS_OK) r = grow_work(s, w, h, err);
    if (r != TS_OK) return r;
    int w2 = ts_post_half(w), h2 = ts_post_half(h);

    if (p->bloom) {
        glUseProgram(s->prog[PASS_BRIGHT]);
        glUniform2i(0, w, h);
        glUniform1f(1, p->exposure);
        glUniform1f(2, p->bloom_threshold);
        bind_texture(0, s->hdr);
        glBindImageTexture(0, s->bloom[0], 0, GL_FALSE, 0, GL_WRITE_ONLY, GL_RGBA32F);
        dispatch(w2, h2);
        if ((r = check_gl("bright pass", err)) != TS_OK) return r;

        glUseProgram(s->prog[PASS_BLUR]);
        glUniform2i(0, w2, h2);
        glUniform1i(2, p->bloom_radius);
        glUniform1fv(3, 2 * p->bloom_radius + 1, p->bloom_weights);
        for (int pass = 0; pass < 2; pass++) { /* rows bloom[0] -> [1], columns [1] -> [0] */
            glMemoryBarrier(GL_TEXTURE_FETCH_BARRIER_BIT | GL_SHADER_IMAGE_ACCESS_BARRIER_BIT);
            glUniform2i(1, pass == 0, pass == 1);
            bind_texture(0, s->bloom[pass]);
            glBindImageTexture(0, s->bloom[1 - pass], 0, GL_FALSE, 0, GL_WRITE_ONLY, GL_RGBA32F);
            dispatch(w2, h2);
        }
        if ((r = check_gl("bloom blur", err)) != TS_OK) return r;
        glMemoryBarrier(GL_TEXTURE_FETCH_BARRIER_BIT | GL_SHADER_IMAGE_ACCESS_BARRIER_BIT);
    }

    glUseProgram(s->prog[PASS_COMPOSITE]);
    glUniform2i(0, w, h);
    glUniform1f(1, p->exposure);
    glUniform1i(2, p->bloom);
    glUniform1f(3, p->bloom_strength);
    glUniform1i(4, p->tonemap);
    bind_texture(0, s->hdr);
    bind_texture(1, s->bloom[0]);
    glBindImageTexture(0, s->ldr, 0, GL_FALSE, 0, GL_WRITE_ONLY, GL_RGBA32F);
    dispatch(w, h);
    if ((r = check_gl("composite and tone map", err)) != TS_OK) return r;
    glMemoryBarrier(GL_TEXTURE_FETCH_BARRIER_BIT | GL_SHADER_IMAGE_ACCESS_BARRIER_BIT);

    /* FXAA's sample offsets as post_cpu.c's float arithmetic gives them. */
    const float tap1 = 1.0f / 3.0f - 0.5f, tap2 = 2.0f / 3.0f - 0.5f;
    glUseProgram(s->prog[PASS_FXAA]);
    glUniform2i(0, w, h);
    glUniform1i(1, p->fxaa);
    glUniform1i(2, p->srgb);
    glUniform2f(3, tap1, tap2);
    bind_texture(0, s->hdr);
    bind_texture(1, s->ldr);
    glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, s->out);
    dispatch(w, h);
    if ((r = check_gl("FXAA and encode", err)) != TS_OK) return r;

    glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
    glBindBuffer(GL_SHADER_STORAGE_BUFFER, s->out);
    glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, (GLsizeiptr)((size_t)w * (size_t)h * 4), out);
    glBindBuffer(GL_SHADER_STORAGE_BUFFER, 0);
    glUseProgram(0);
    return check_gl("reading the frame back", err);
}
