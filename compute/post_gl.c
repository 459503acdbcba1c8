/* post_gl.c — the post-processing chain as OpenGL 4.3 compute shaders
 * (shaders/post_*.comp, embedded at build time), on an EGL context of its
 * own with no surface: headless, so Mesa's llvmpipe runs it as well as a
 * GPU does. Or, in a window, on the window's context, current on the
 * render thread already (on_current_gl): the thread then never switches
 * contexts, and the state the window's presenter relies on is its own to
 * set before each use (it binds its texture, program and buffers every
 * time; this file leaves no pixel buffer bound for it and resets the pixel
 * store it changes). The math is post_cpu.c's, operation for operation in
 * 32-bit float (docs/POST.md, "The gl backend").
 *
 * Resources, all sized for the largest frame so far:
 *   hdr      RGBA32F, the frame's HDR color: tiles are uploaded into it as
 *            they arrive (ts_post_gl_tile), so the transfer overlaps the
 *            raster of the other tiles
 *   bloom    two RGBA32F half-size images: the bright pass writes [0], the
 *            row blur [1], the column blur [0] again
 *   ldr      RGBA32F, the tone-mapped frame FXAA reads
 *   out      a shader storage buffer of packed RGBA8, w*h pixels, read back
 *            with glGetBufferSubData; or, in a window whose presenter takes
 *            the frame as a texture, copied on the GPU into `frame`'s
 *            texture (gl_frame.h), and nothing comes back to the host
 *   fence    headless, a sync object after the passes: the frame is
 *            pending until the device has passed it (ts_post_gl_finish
 *            polls it), and only then read back, so the render thread goes
 *            on taking the next frame's tiles while the device works
 *   queries  GL_TIMESTAMP timer queries (ARB_timer_query, core since
 *            3.3), a pair around each upload and around the passes;
 *            their results are read once the read-back has returned, when
 *            the device is done with all of them, so timing never makes the
 *            render thread wait. The uploads' pairs come from two pools,
 *            one per frame of a pair: the next frame's tiles arrive while
 *            this one's figures are still to be read. Timestamps rather
 *            than GL_TIME_ELAPSED:
 *            llvmpipe runs compute and copies when they are issued, outside
 *            the binned scene that its elapsed-time queries measure (which
 *            then read 0), while it stamps a timestamp query as the
 *            command stream reaches it, as a GPU does. The read-back
 *            is timed on the host clock: after the fence it is the host's
 *            copy out of the driver's buffer, no device work, so a GPU
 *            stamps both ends of a pair around it at the same moment
 * Every call comes from the thread that created the state (post.h); the
 * context is made current on it again if something else took its place. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "post_backends.h"

#include <glad/gl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egl_headless.h"
#include "error.h"
#include "gl_error.h"
#include "gl_frame.h"
#include "gl_program.h"
#include "post_shaders.h"

#define GROUP 8 /* local_size_x and _y of every post_*.comp */

enum { PASS_BRIGHT, PASS_BLUR, PASS_COMPOSITE, PASS_FXAA, PASS_COUNT };

/* Timestamp query pairs, grown by doubling: [2 i] before, [2 i + 1] after. */
typedef struct query_pool {
    GLuint *q;
    int used, cap; /* in pairs */
} query_pool;

typedef struct gl_post {
    ts_egl egl;
    bool own_context; /* egl is ours; else the context current at create is used */
    GLuint prog[PASS_COUNT];
    GLuint hdr, bloom[2], ldr; /* textures */
    GLuint out;                /* the RGBA8 readback buffer */
    ts_gl_frame frame;         /* in a window: the result as a texture */
    int hdr_w, hdr_h;          /* hdr's size: tiles grow it, keeping what is in it */
    int work_w, work_h;        /* bloom's and ldr's (full) size: frames grow it */
    size_t out_bytes;
    ts_error tile_error; /* the first failure in ts_post_gl_tile, reported by the next frame */
    query_pool uploads[2]; /* per upload of a frame; [filling]: the frame the tiles go to */
    int filling;
    GLuint chain_q[2];
    /* The pending frame (ts_post_gl_frame headless, until finished): its
     * fence, where its result goes, its size and its uploads' pool. */
    GLsync fence;
    uint8_t *pending_out;
    int pending_w, pending_h, pending_uploads;
    ts_post_timing timing; /* the last finished frame's */
} gl_post;

/* ---- errors ------------------------------------------------------------- */

/* TS_OK, or the GL error under the name of the step that made it. */
static ts_result check_gl(const char *step, ts_error *err) {
    GLenum e = ts_gl_take_error();
    if (e == GL_NO_ERROR) return TS_OK;
    return ts_error_set(err, e == GL_OUT_OF_MEMORY ? TS_ERR_OUT_OF_MEMORY : TS_ERR_SYSTEM, "post gl: %s: %s", step,
                        ts_gl_error_name(e));
}

/* The context current on this thread again, if something took its place. */
static bool make_current(gl_post *s) {
    return !s->own_context || eglGetCurrentContext() == s->egl.ctx ||
           eglMakeCurrent(s->egl.dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, s->egl.ctx);
}

/* ---- programs ----------------------------------------------------------- */

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
    const ts_gl_stage stage = {GL_COMPUTE_SHADER, name, 4, parts};
    char why[600];
    GLuint prog = ts_gl_program(&stage, 1, why, sizeof why);
    if (!prog) ts_error_set(err, TS_ERR_UNSUPPORTED, "post gl: %s", why);
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
    if (make_current(s)) {
        for (int i = 0; i < PASS_COUNT; i++) glDeleteProgram(s->prog[i]);
        glDeleteTextures(1, &s->hdr);
        glDeleteTextures(2, s->bloom);
        glDeleteTextures(1, &s->ldr);
        glDeleteBuffers(1, &s->out);
        ts_gl_frame_release(&s->frame);
        for (int i = 0; i < 2; i++)
            if (s->uploads[i].cap) glDeleteQueries(2 * s->uploads[i].cap, s->uploads[i].q);
        glDeleteQueries(2, s->chain_q);
        if (s->fence) glDeleteSync(s->fence);
    }
    if (s->own_context) ts_egl_close(&s->egl);
    free(s->uploads[0].q);
    free(s->uploads[1].q);
    free(s);
}

ts_result ts_post_gl_create(int w, int h, bool on_current_gl, void **state, ts_error *err) {
    *state = NULL;
    gl_post *s = calloc(1, sizeof *s);
    if (!s) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "post gl: out of memory");
    if (on_current_gl) {
        /* The presenter says its begin made a context current and loaded
         * glad for it; a presenter that did not is an error, not a call
         * through a NULL pointer. */
        if (!glGetString || !glGetString(GL_VERSION)) {
            free(s);
            return ts_error_set(err, TS_ERR_UNSUPPORTED,
                                "post gl: present.gl_context is set, but no OpenGL context is current on the render "
                                "thread (the present begin callback makes one current and loads glad for it)");
        }
        /* glad was loaded for the current context: its 4.3 flag says
         * whether the context gives what the passes need. */
        if (!GLAD_GL_VERSION_4_3) {
            const char *version = (const char *)glGetString(GL_VERSION);
            free(s);
            return ts_error_set(err, TS_ERR_UNSUPPORTED, "post gl: the window's OpenGL context is %s, not 4.3",
                                version ? version : "of unknown version");
        }
    } else {
        char why[1024] = "";
        s->own_context = true;
        if (!ts_egl_open(&s->egl, 4, 3, why, sizeof why)) {
            ts_egl_close(&s->egl);
            free(s);
            return ts_error_set(err, TS_ERR_UNSUPPORTED, "post gl: no OpenGL 4.3 context: %s", why);
        }
    }
    ts_gl_take_error(); /* whatever loading left behind is not ours */
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
    if (r == TS_OK) {
        glGenQueries(2, s->chain_q);
    }
    if (r == TS_OK) r = check_gl("creating the programs and timer queries", err);
    if (r != TS_OK) {
        ts_post_gl_destroy(s);
        /* The caller falls back to cpu: any failure here means "cannot run". */
        if (r != TS_ERR_UNSUPPORTED && err) err->code = TS_ERR_UNSUPPORTED;
        return TS_ERR_UNSUPPORTED;
    }
    *state = s;
    return TS_OK;
}

/* The next pair of timestamp queries of `pool`, grown by doubling; NULL
 * (the upload goes untimed) when it cannot grow. */
static const GLuint *next_queries(query_pool *pool) {
    if (pool->used == pool->cap) {
        int cap = pool->cap ? 2 * pool->cap : 256;
        GLuint *more = realloc(pool->q, (size_t)cap * 2 * sizeof *more);
        if (!more) return NULL;
        glGenQueries(2 * (cap - pool->cap), more + 2 * pool->cap);
        pool->q = more;
        pool->cap = cap;
    }
    return &pool->q[2 * pool->used++];
}

/* The host's monotonic clock, in nanoseconds. */
static uint64_t host_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds from one finished timestamp query to another; 0 when the
 * clock did not move forward. */
static double span_ms(const GLuint q[2]) {
    GLuint64 t0 = 0, t1 = 0;
    glGetQueryObjectui64v(q[0], GL_QUERY_RESULT, &t0);
    glGetQueryObjectui64v(q[1], GL_QUERY_RESULT, &t1);
    return t1 > t0 ? (double)(t1 - t0) * 1e-6 : 0.0;
}

void ts_post_gl_tile(void *state, const float *hdr, size_t stride, int x, int y, int w, int h) {
    gl_post *s = state;
    if (s->tile_error.code != TS_OK || w <= 0 || h <= 0) return; /* the frame reports the first failure */
    if (!make_current(s)) {
        ts_error_set(&s->tile_error, TS_ERR_SYSTEM, "post gl: a tile at %d,%d: cannot make the context current (%s)", x,
                     y, ts_egl_error_name(eglGetError()));
        return;
    }
    if (grow_hdr(s, x + w, y + h, &s->tile_error) != TS_OK) return;
    const GLuint *q = next_queries(&s->uploads[s->filling]);
    /* Rows `stride` floats apart: GL_UNPACK_ROW_LENGTH counts pixels. */
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0); /* from client memory (a window's presenter uses buffers) */
    glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / 4));
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, s->hdr);
    if (q) glQueryCounter(q[0], GL_TIMESTAMP);
    glTexSubImage2D(GL_TEXTURE_2D, 0, x, y, w, h, GL_RGBA, GL_FLOAT, hdr);
    if (q) glQueryCounter(q[1], GL_TIMESTAMP);
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

/* The passes over a w x h frame whose HDR color is in s->hdr, into s->out. */
static ts_result run_chain(gl_post *s, const ts_post_params *p, int w, int h, ts_error *err) {
    ts_result r;
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
    return check_gl("FXAA and encode", err);
}

ts_result ts_post_gl_frame(void *state, const ts_post_params *p, int w, int h, const float *hdr, uint8_t *out,
                           unsigned *texture, bool *pending, ts_error *err) {
    gl_post *s = state;
    (void)hdr; /* every tile of it is in s->hdr already */
    if (texture) *texture = 0;
    *pending = false;
    memset(&s->timing, 0, sizeof s->timing);
    /* This frame's uploads are in uploads[set]; the next frame's tiles,
     * which may come before this frame is finished, go to the other pool. */
    int set = s->filling;
    s->filling ^= 1;
    s->uploads[s->filling].used = 0;
    if (s->tile_error.code != TS_OK) {
        ts_result r = s->tile_error.code;
        if (err) *err = s->tile_error;
        memset(&s->tile_error, 0, sizeof s->tile_error);
        return r;
    }
    if (w <= 0 || h <= 0) return TS_OK;
    if (!make_current(s))
        return ts_error_set(err, TS_ERR_SYSTEM, "post gl: cannot make the context current (%s)",
                            ts_egl_error_name(eglGetError()));
    ts_result r = grow_hdr(s, w, h, err); /* only if tiles did not cover the frame */
    if (r == TS_OK) r = grow_work(s, w, h, err);
    if (r != TS_OK) return r;

    if (texture && !s->own_context) {
        /* The window's context: the result goes to the presenter as a
         * texture, copied on the GPU, and the render thread does not wait
         * for the device at all. So no timer query is read either (its
         * result would be a wait): the frame's device figures stay 0, "not
         * measured"; headless frames have them. */
        r = run_chain(s, p, w, h, err);
        glUseProgram(0);
        glActiveTexture(GL_TEXTURE0); /* the unit a window's presenter draws from */
        if (r != TS_OK) return r;
        /* The passes wrote `out` as a storage buffer; the copy reads it as a
         * pixel buffer. */
        glMemoryBarrier(GL_PIXEL_BUFFER_BARRIER_BIT);
        char why[200];
        if (!ts_gl_frame_fill(&s->frame, s->out, w, h, why, sizeof why))
            return ts_error_set(err, TS_ERR_SYSTEM, "post gl: %s", why);
        *texture = s->frame.texture;
        return TS_OK;
    }

    glQueryCounter(s->chain_q[0], GL_TIMESTAMP);
    r = run_chain(s, p, w, h, err);
    glQueryCounter(s->chain_q[1], GL_TIMESTAMP);
    glUseProgram(0);
    glActiveTexture(GL_TEXTURE0); /* the unit a window's presenter draws from */
    if (r != TS_OK) return r;
    /* The read-back (glGetBufferSubData) sees the passes' storage writes. */
    glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
    /* A finish that could not make the context current ended the last
     * frame without deleting its fence: it goes now, with the context. */
    if (s->fence) glDeleteSync(s->fence);
    s->fence = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
    glFlush(); /* the passes and the fence on their way: polling needs no flush */
    if ((r = check_gl("running the passes", err)) != TS_OK || !s->fence) {
        if (s->fence) glDeleteSync(s->fence);
        s->fence = NULL;
        return r != TS_OK ? r : ts_error_set(err, TS_ERR_SYSTEM, "post gl: glFenceSync made no fence");
    }
    s->pending_out = out;
    s->pending_w = w;
    s->pending_h = h;
    s->pending_uploads = set;
    *pending = true;
    return TS_OK;
}

/* How long a waiting finish gives the device: a frame's passes take
 * milliseconds, so this is a device that stopped, not a slow one. */
#define FINISH_TIMEOUT_NS 10000000000ull

ts_result ts_post_gl_finish(void *state, bool wait, bool *done, ts_error *err) {
    gl_post *s = state;
    *done = true;
    if (!make_current(s))
        return ts_error_set(err, TS_ERR_SYSTEM, "post gl: cannot make the context current (%s)",
                            ts_egl_error_name(eglGetError()));
    GLenum st = glClientWaitSync(s->fence, 0, wait ? FINISH_TIMEOUT_NS : 0);
    if (st == GL_TIMEOUT_EXPIRED && !wait) {
        *done = false;
        return TS_OK;
    }
    glDeleteSync(s->fence);
    s->fence = NULL;
    if (st == GL_TIMEOUT_EXPIRED)
        return ts_error_set(err, TS_ERR_SYSTEM, "post gl: the device did not finish the frame in %llu s",
                            FINISH_TIMEOUT_NS / 1000000000ull);
    if (st == GL_WAIT_FAILED) {
        ts_result r = check_gl("waiting for the frame", err);
        return r != TS_OK ? r : ts_error_set(err, TS_ERR_SYSTEM, "post gl: waiting for the frame failed");
    }

    int w = s->pending_w, h = s->pending_h;
    uint64_t read0 = host_ns();
    glBindBuffer(GL_SHADER_STORAGE_BUFFER, s->out);
    glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, (GLsizeiptr)((size_t)w * (size_t)h * 4), s->pending_out);
    glBindBuffer(GL_SHADER_STORAGE_BUFFER, 0);
    uint64_t read1 = host_ns();
    ts_result r = check_gl("reading the frame back", err);
    if (r != TS_OK) return r;

    /* The read-back has returned, so the device has finished every command
     * before it: these results are ready and reading them does not wait on
     * more work. */
    const query_pool *up = &s->uploads[s->pending_uploads];
    for (int i = 0; i < up->used; i++) s->timing.upload_ms += span_ms(&up->q[2 * i]);
    s->timing.kernel_ms = span_ms(s->chain_q);
    s->timing.readback_ms = (double)(read1 - read0) * 1e-6;
    if (check_gl("reading the timer queries", err) != TS_OK) memset(&s->timing, 0, sizeof s->timing);
    return TS_OK;
}

void ts_post_gl_timing(const void *state, ts_post_timing *out) { *out = ((const gl_post *)state)->timing; }

void ts_post_gl_describe(const void *state, char *out, size_t n) {
    gl_post *s = (gl_post *)state;
    if (!make_current(s)) {
        snprintf(out, n, "OpenGL (context lost)");
        return;
    }
    const char *renderer = (const char *)glGetString(GL_RENDERER), *version = (const char *)glGetString(GL_VERSION);
    snprintf(out, n, "%s, OpenGL %s", renderer ? renderer : "?", version ? version : "?");
}
