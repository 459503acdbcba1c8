/* present_gl.c — the SDL2 + OpenGL presenter: present callbacks that make an
 * OpenGL 3.3 core context for the window on the render thread, stream each
 * tile into a frame-sized texture through a ring of pixel buffer objects as
 * it arrives, and at the end of a frame draw the texture to the window with
 * one fullscreen triangle and swap. The texture follows the frame's size:
 * the first tile of a frame of another size (the renderer was resized)
 * reallocates it before that tile is uploaded. Everything GL here runs on the render
 * thread; the main thread only reads the atomics and, after a frame is
 * complete, the captured pixels, and hands over the HUD's text (under a
 * mutex) and the tile view switch (an atomic).
 *
 * The tile view tints each tile as it is uploaded: a border in the color of
 * the worker that rendered it, and its inside toward that color by its cost
 * (the dearest tile of the last frame gets the strongest tint). The window
 * is then also drawn and swapped every eighth of a frame's tiles, so the
 * tiles can be seen arriving as they finish.
 *
 * A frame post-processed on the GPU, on this context, arrives as a texture
 * (frame_texture): it is drawn like the frame texture, the pixels never
 * having come back to the host. */
#define _POSIX_C_SOURCE 200809L

#include <glad/gl.h>

#include "present_gl.h"
#include "present_hud.h"
#include "gl_error.h"
#include "gl_program.h"

#include "error.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PBOS 16
#define MAX_PBOS 256
#define NO_CAPTURE UINT64_MAX /* no frame's number: those are 32-bit */
#define HUD_TEXT 2048
#define TILE_VIEW_STEPS 8 /* presents per frame in the tile view */
#define TILE_VIEW_BORDER 2 /* pixels */

struct ts_gl_presenter {
    SDL_Window *window;
    bool no_vsync;
    int pbo_count;

    /* Shared with the main thread. */
    _Atomic uint64_t drawable;     /* width << 32 | height */
    _Atomic uint64_t capture;      /* frame to read back, or NO_CAPTURE */
    atomic_bool failed;            /* error is set (release) before this is */
    ts_error error;                /* the first error; render thread until `failed` */
    atomic_bool tile_view;
    _Atomic uint64_t frames_on_gpu; /* frames drawn from a post backend's texture */
    pthread_mutex_t hud_lock;      /* guards hud_text */
    char hud_text[HUD_TEXT];       /* "": no HUD */

    /* Render thread only, from begin to end. Written before ts_renderer_create
     * returns (begin runs inside it, and its result is handed over under a
     * mutex), so the main thread may read gl_renderer and vsync_on after it. */
    SDL_GLContext ctx;
    int width, height; /* the texture's: the size of the frame whose tiles it receives */
    GLuint texture, vao, program;
    GLint u_scale, u_viewport;
    GLuint pbos[MAX_PBOS];
    size_t pbo_bytes;
    int next_pbo;
    char gl_renderer[128];
    bool vsync_on;
    ts_hud hud;
    char hud_drawn[HUD_TEXT];  /* the render thread's copy of hud_text */
    uint32_t frame_tiles;      /* tiles of the frame being received so far */
    uint32_t last_tiles;       /* how many the last complete frame had */
    uint64_t cost_max, last_cost_max; /* the dearest tile's cost: this frame, the last */

    /* Written on the render thread while the captured frame is drawn; read by
     * the main thread once the renderer says the frame is complete. */
    uint8_t *captured;
    uint8_t *readback; /* bottom row first, as glReadPixels gives it */
    int captured_w, captured_h;
};

/* ---- errors -------------------------------------------------------------- */

/* Render thread: records the first error and publishes it (the release
 * store orders the message before `failed` for ts_gl_presenter_failed). */
__attribute__((format(printf, 3, 4))) static void fail(ts_gl_presenter *p, ts_result code, const char *fmt, ...) {
    if (atomic_load_explicit(&p->failed, memory_order_relaxed)) return;
    p->error.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error.message, sizeof p->error.message, fmt, ap);
    va_end(ap);
    atomic_store_explicit(&p->failed, true, memory_order_release);
}

static bool broken(ts_gl_presenter *p) { return atomic_load_explicit(&p->failed, memory_order_relaxed); }

/* Render thread: after each GL call. `call` is the call's source text; the
 * message names the function. All pending errors are drained so the next
 * check reports its own call. */
static bool gl_ok(ts_gl_presenter *p, const char *call) {
    GLenum e = ts_gl_take_error();
    if (e == GL_NO_ERROR) return true;
    fail(p, TS_ERR_SYSTEM, "OpenGL: %.*s failed: %s", (int)strcspn(call, "("), call, ts_gl_error_name(e));
    return false;
}

/* Runs one GL call and checks it; on an error the enclosing function
 * returns `ret` (`GL_RET(, call)` in a void function). */
#define GL_RET(ret, call)                                                                          \
    do {                                                                                           \
        call;                                                                                      \
        if (!gl_ok(p, #call)) return ret;                                                          \
    } while (0)

/* ---- shaders --------------------------------------------------------------- */

/* One triangle covering the viewport, made from gl_VertexID (no vertex
 * buffer). The fragment shader fetches the texel under the pixel: the
 * texture holds the frame top row first, and gl_FragCoord counts rows from
 * the bottom, so rows are flipped here; with the drawable the frame's size,
 * texel (x, y) lands on window pixel (x, y) exactly. */
static const char *const vertex_src =
    "#version 330 core\n"
    "void main() {\n"
    "    vec2 p = vec2(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0);\n"
    "    gl_Position = vec4(p, 0.0, 1.0);\n"
    "}\n";
static const char *const fragment_src =
    "#version 330 core\n"
    "uniform sampler2D frame;\n"
    "uniform vec2 scale;    /* texture size / viewport size */\n"
    "uniform vec2 viewport; /* in pixels */\n"
    "out vec4 color;\n"
    "void main() {\n"
    "    vec2 at = vec2(gl_FragCoord.x, viewport.y - gl_FragCoord.y) * scale;\n"
    "    ivec2 size = textureSize(frame, 0);\n"
    "    color = texelFetch(frame, clamp(ivec2(at), ivec2(0), size - 1), 0);\n"
    "}\n";

static bool build_program(ts_gl_presenter *p) {
    const ts_gl_stage stages[] = {{GL_VERTEX_SHADER, "the vertex shader", 1, &vertex_src},
                                  {GL_FRAGMENT_SHADER, "the fragment shader", 1, &fragment_src}};
    char why[400];
    p->program = ts_gl_program(stages, 2, why, sizeof why);
    if (!p->program) {
        fail(p, TS_ERR_UNSUPPORTED, "OpenGL: %s", why);
        return false;
    }
    GL_RET(false, glUseProgram(p->program));
    GLint u_frame = glGetUniformLocation(p->program, "frame");
    p->u_scale = glGetUniformLocation(p->program, "scale");
    p->u_viewport = glGetUniformLocation(p->program, "viewport");
    if (!gl_ok(p, "glGetUniformLocation()")) return false;
    GL_RET(false, glUniform1i(u_frame, 0));
    return true;
}

/* ---- the callbacks (render thread) ------------------------------------------ */

/* SDL_GL_GetProcAddress gives an object pointer, glad wants a function
 * pointer: the same bits on every platform SDL runs GL on (POSIX requires
 * it for dlsym), copied without a cast ISO C forbids. */
static GLADapiproc load_gl(const char *name) {
    void *sym = SDL_GL_GetProcAddress(name);
    GLADapiproc fn;
    _Static_assert(sizeof fn == sizeof sym, "function and object pointers differ in size");
    memcpy(&fn, &sym, sizeof fn);
    return fn;
}

static void release_gl(ts_gl_presenter *p) {
    if (!p->ctx) return;
    /* Deleting names of 0 or names never made is allowed and does nothing. */
    glDeleteBuffers(p->pbo_count, p->pbos);
    glDeleteTextures(1, &p->texture);
    glDeleteVertexArrays(1, &p->vao);
    if (p->program) glDeleteProgram(p->program);
    ts_hud_release(&p->hud);
    SDL_GL_MakeCurrent(p->window, NULL);
    SDL_GL_DeleteContext(p->ctx);
    p->ctx = NULL;
    memset(p->pbos, 0, sizeof p->pbos);
    p->texture = p->vao = p->program = 0;
}

/* Creates the context (current on this thread from now on), loads GL, and
 * makes the frame texture, the pixel buffer ring and the program. */
static ts_result on_begin(void *user, int width, int height, ts_error *err) {
    ts_gl_presenter *p = user;
    p->width = width;
    p->height = height;
    p->next_pbo = 0;
    p->ctx = SDL_GL_CreateContext(p->window);
    if (!p->ctx)
        return ts_error_set(err, TS_ERR_UNSUPPORTED, "cannot create an OpenGL 3.3 core context: %s",
                               SDL_GetError());
    int version = gladLoadGL(load_gl);
    if (!version || GLAD_VERSION_MAJOR(version) * 10 + GLAD_VERSION_MINOR(version) < 33) {
        release_gl(p);
        return ts_error_set(err, TS_ERR_UNSUPPORTED, "OpenGL 3.3 is not available (got %d.%d)",
                               GLAD_VERSION_MAJOR(version), GLAD_VERSION_MINOR(version));
    }
    const char *name = (const char *)glGetString(GL_RENDERER);
    snprintf(p->gl_renderer, sizeof p->gl_renderer, "%s", name ? name : "unknown");
    /* Adaptive sync (-1) is not asked for: a frame that misses the blank
     * waits for the next, which keeps the pacing even. */
    p->vsync_on = !p->no_vsync && SDL_GL_SetSwapInterval(1) == 0;
    if (p->no_vsync) SDL_GL_SetSwapInterval(0);

    bool ok = build_program(p);
    if (ok) {
        char why[400];
        ok = ts_hud_create(&p->hud, why, sizeof why);
        if (!ok) fail(p, TS_ERR_UNSUPPORTED, "OpenGL: %s", why);
    }
    if (ok) {
        glGenVertexArrays(1, &p->vao);
        ok = gl_ok(p, "glGenVertexArrays()");
    }
    if (ok) {
        glBindVertexArray(p->vao);
        ok = gl_ok(p, "glBindVertexArray()");
    }
    if (ok) {
        glGenTextures(1, &p->texture);
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, p->texture);
        ok = gl_ok(p, "glBindTexture(frame)");
    }
    if (ok) {
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        ok = gl_ok(p, "glTexParameteri(frame)");
    }
    if (ok) {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
        ok = gl_ok(p, "glTexImage2D(frame)");
    }
    if (ok) {
        /* Rows of a tile are packed in its buffer (w * 4 bytes, a multiple
         * of 4), and the window is read back packed too. */
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glPixelStorei(GL_PACK_ALIGNMENT, 4);
        /* The texture's bytes must reach the window as they are. */
        glDisable(GL_DITHER);
        glDisable(GL_BLEND);
        glDisable(GL_DEPTH_TEST);
        ok = gl_ok(p, "glDisable()");
    }
    if (ok) {
        /* Room for the largest tile, 64 x 64; a larger one grows its buffer. */
        p->pbo_bytes = 64 * 64 * 4;
        glGenBuffers(p->pbo_count, p->pbos);
        ok = gl_ok(p, "glGenBuffers(ring)");
        for (int i = 0; ok && i < p->pbo_count; i++) {
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, p->pbos[i]);
            glBufferData(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)p->pbo_bytes, NULL, GL_STREAM_DRAW);
            ok = gl_ok(p, "glBufferData(ring)");
        }
    }
    if (!ok) {
        /* The error went to p->error: hand it to ts_renderer_create. */
        *err = p->error;
        release_gl(p);
        return err->code;
    }
    return TS_OK;
}

/* The frame texture on unit 0, where the program samples it and the
 * uploads go. */
static void bind_frame_texture(ts_gl_presenter *p) {
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, p->texture);
}

/* Gives the texture a new size: the first tile of a frame of another size
 * than the last (the renderer was resized between them) comes here before
 * it is uploaded. The frames of the old size are all drawn by now (frame N's
 * `frame` call precedes frame N + 1's tiles), and GL runs the uploads still
 * pending from the pixel buffers against the old storage before it
 * replaces it, so no tile ever lands in a texture of another size. The
 * ring's buffers hold one tile, at most 64 x 64 whatever the frame's size:
 * they stay. */
static bool resize_texture(ts_gl_presenter *p, int width, int height) {
    GL_RET(false, glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0)); /* NULL below means no data, not an offset */
    GL_RET(false, bind_frame_texture(p));
    GL_RET(false, glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL));
    p->width = width;
    p->height = height;
    return true;
}

/* Draws `texture` (a frame of fw x fh, row 0 at the top) to the whole
 * window, of *dw x *dh pixels (the drawable size; the frame's while none
 * was set), and the HUD over it when it has text. */
static bool draw_window(ts_gl_presenter *p, GLuint texture, int fw, int fh, int *dw_out, int *dh_out) {
    uint64_t d = atomic_load_explicit(&p->drawable, memory_order_relaxed);
    int dw = (int)(d >> 32), dh = (int)(d & 0xffffffffu);
    if (dw <= 0 || dh <= 0) dw = fw, dh = fh;
    *dw_out = dw;
    *dh_out = dh;
    GL_RET(false, glUseProgram(p->program)); /* the HUD (and the gl post backend) bind their own */
    GL_RET(false, glBindVertexArray(p->vao));
    GL_RET(false, glActiveTexture(GL_TEXTURE0));
    GL_RET(false, glBindTexture(GL_TEXTURE_2D, texture));
    GL_RET(false, glViewport(0, 0, dw, dh));
    GL_RET(false, glUniform2f(p->u_scale, (float)fw / (float)dw, (float)fh / (float)dh));
    GL_RET(false, glUniform2f(p->u_viewport, (float)dw, (float)dh));
    GL_RET(false, glDrawArrays(GL_TRIANGLES, 0, 3));
    char why[200];
    if (p->hud_drawn[0] && !ts_hud_draw(&p->hud, p->hud_drawn, dw, dh, why, sizeof why)) {
        fail(p, TS_ERR_SYSTEM, "%s", why);
        return false;
    }
    return true;
}

/* The tile view's colors, one per worker (modulo): far apart in hue. */
static const uint8_t worker_colors[][3] = {{230, 60, 60},  {60, 200, 80},  {70, 120, 240}, {240, 200, 40},
                                           {200, 70, 220}, {40, 210, 220}, {250, 140, 40}, {150, 150, 150}};
#define WORKER_COLORS (sizeof worker_colors / sizeof worker_colors[0])

/* Tints a tile's pixels (its copy in the upload buffer, rows packed): its
 * worker's color on the border, and inside from 15% to 70% by its cost
 * relative to the dearest tile of the last frame. */
static void tint_tile(const ts_gl_presenter *p, uint8_t *px, const ts_present_tile *t) {
    const uint8_t *c = worker_colors[t->worker % WORKER_COLORS];
    double rel = p->last_cost_max ? (double)t->cost_ns / (double)p->last_cost_max : 0.0;
    int inside = (int)(256.0 * (0.15 + 0.55 * (rel > 1.0 ? 1.0 : rel)));
    for (int y = 0; y < t->h; y++)
        for (int x = 0; x < t->w; x++) {
            uint8_t *q = px + ((size_t)y * (size_t)t->w + (size_t)x) * 4;
            bool border = x < TILE_VIEW_BORDER || y < TILE_VIEW_BORDER || x >= t->w - TILE_VIEW_BORDER ||
                          y >= t->h - TILE_VIEW_BORDER;
            int a = border ? 256 : inside;
            for (int k = 0; k < 3; k++) q[k] = (uint8_t)((q[k] * (256 - a) + c[k] * a) >> 8);
        }
}

/* Streams one tile: the next buffer of the ring is mapped with its old
 * contents invalidated (the driver hands out fresh storage instead of
 * waiting for a transfer still reading it), the tile's rows are copied in,
 * and the texture update is sourced from the buffer, so the driver copies
 * it to the texture asynchronously, overlapping the next tiles' raster. */
static void on_tile(void *user, const ts_present_tile *t) {
    ts_gl_presenter *p = user;
    if (broken(p)) return;
    if ((t->frame_width != p->width || t->frame_height != p->height) &&
        !resize_texture(p, t->frame_width, t->frame_height))
        return;
    size_t row = (size_t)t->w * 4, bytes = row * (size_t)t->h;
    GLuint pbo = p->pbos[p->next_pbo];
    p->next_pbo = (p->next_pbo + 1) % p->pbo_count;
    GL_RET(, bind_frame_texture(p));
    GL_RET(, glBindBuffer(GL_PIXEL_UNPACK_BUFFER, pbo));
    if (bytes > p->pbo_bytes) {
        for (int i = 0; i < p->pbo_count; i++) {
            GL_RET(, glBindBuffer(GL_PIXEL_UNPACK_BUFFER, p->pbos[i]));
            GL_RET(, glBufferData(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)bytes, NULL, GL_STREAM_DRAW));
        }
        p->pbo_bytes = bytes;
        GL_RET(, glBindBuffer(GL_PIXEL_UNPACK_BUFFER, pbo));
    }
    uint8_t *dst = glMapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0, (GLsizeiptr)bytes,
                                    GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_BUFFER_BIT);
    if (!gl_ok(p, "glMapBufferRange(tile)")) return;
    if (!dst) {
        fail(p, TS_ERR_SYSTEM, "OpenGL: glMapBufferRange(tile) returned NULL");
        return;
    }
    /* The tile's pixels are complete and stable (the render thread's
     * contract: published by the tile queue's release push / acquire pop). */
    for (int y = 0; y < t->h; y++) memcpy(dst + (size_t)y * row, t->rgba + (size_t)y * t->stride, row);
    bool tile_view = atomic_load_explicit(&p->tile_view, memory_order_relaxed);
    if (tile_view) tint_tile(p, dst, t);
    GLboolean intact = glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
    if (!gl_ok(p, "glUnmapBuffer(tile)")) return;
    if (!intact) {
        /* The buffer's storage was lost (a mode switch): this tile is gone. */
        fail(p, TS_ERR_SYSTEM, "OpenGL: glUnmapBuffer(tile) reports the buffer's contents lost");
        return;
    }
    /* Texture row y is frame row y (top first); the draw flips. */
    GL_RET(, glTexSubImage2D(GL_TEXTURE_2D, 0, t->x, t->y, t->w, t->h, GL_RGBA, GL_UNSIGNED_BYTE, (const void *)0));
    p->frame_tiles++;
    if (t->cost_ns > p->cost_max) p->cost_max = t->cost_ns;
    uint32_t step = p->last_tiles / TILE_VIEW_STEPS;
    if (tile_view && step > 0 && p->frame_tiles % step == 0 && p->frame_tiles < p->last_tiles) {
        /* Part of the frame on screen: the new tiles over the last frame's. */
        int dw, dh;
        GL_RET(, glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0));
        if (!draw_window(p, p->texture, t->frame_width, t->frame_height, &dw, &dh)) return;
        SDL_GL_SwapWindow(p->window);
        gl_ok(p, "SDL_GL_SwapWindow()");
    }
}

/* Draws the complete frame f, in `texture`, to the window with the HUD,
 * reads the window back if this frame's screenshot was asked for, and
 * swaps. */
static void present(ts_gl_presenter *p, const ts_present_frame *f, GLuint texture) {
    GL_RET(, glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0));
    pthread_mutex_lock(&p->hud_lock);
    memcpy(p->hud_drawn, p->hud_text, sizeof p->hud_drawn);
    pthread_mutex_unlock(&p->hud_lock);
    int dw, dh;
    if (!draw_window(p, texture, f->width, f->height, &dw, &dh)) return;

    if (atomic_load_explicit(&p->capture, memory_order_acquire) == (uint64_t)f->frame) {
        size_t row = (size_t)dw * 4, bytes = row * (size_t)dh;
        if (dw != p->captured_w || dh != p->captured_h || !p->captured) {
            free(p->captured);
            free(p->readback);
            p->captured = malloc(bytes);
            p->readback = malloc(bytes);
            p->captured_w = p->captured_h = 0;
            if (!p->captured || !p->readback) {
                fail(p, TS_ERR_OUT_OF_MEMORY, "out of memory for a %dx%d screenshot", dw, dh);
                return;
            }
        }
        /* The back buffer, which the draw above just filled; GL's rows go
         * bottom up, the PNG's top down. */
        GL_RET(, glReadBuffer(GL_BACK));
        GL_RET(, glReadPixels(0, 0, dw, dh, GL_RGBA, GL_UNSIGNED_BYTE, p->readback));
        for (int y = 0; y < dh; y++)
            memcpy(p->captured + (size_t)y * row, p->readback + (size_t)(dh - 1 - y) * row, row);
        p->captured_w = dw;
        p->captured_h = dh;
    }
    SDL_GL_SwapWindow(p->window);
    gl_ok(p, "SDL_GL_SwapWindow()");
}

/* The frame texture, every tile of the frame in it, to the window. */
static void on_frame(void *user, const ts_present_frame *f) {
    ts_gl_presenter *p = user;
    if (broken(p)) return;
    if (f->width != p->width || f->height != p->height) {
        /* Its tiles came at the texture's size (on_tile), so this cannot
         * happen; were it to, the frame is not drawn from a texture of
         * another size. */
        fail(p, TS_ERR_SYSTEM, "frame %u is %dx%d but its tiles filled a %dx%d texture", f->frame, f->width,
             f->height, p->width, p->height);
        return;
    }
    p->last_tiles = p->frame_tiles;
    p->last_cost_max = p->cost_max;
    p->frame_tiles = 0;
    p->cost_max = 0;
    present(p, f, p->texture);
}

/* A frame post-processed on the GPU: the backend's texture, on this
 * context, drawn as it is. The frame texture and its tile counts are left
 * as they are: no tile of this frame came (the next frame's tiles find the
 * texture at its size or resize it, as ever). */
static void on_frame_texture(void *user, const ts_present_frame *f, uint32_t texture) {
    ts_gl_presenter *p = user;
    if (broken(p)) return;
    present(p, f, texture);
    atomic_fetch_add_explicit(&p->frames_on_gpu, 1, memory_order_relaxed);
}

static void on_end(void *user) { release_gl(user); }

/* ---- the main thread's side ------------------------------------------------- */

void ts_gl_presenter_window_attributes(void) {
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_RED_SIZE, 8);
    SDL_GL_SetAttribute(SDL_GL_GREEN_SIZE, 8);
    SDL_GL_SetAttribute(SDL_GL_BLUE_SIZE, 8);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
}

ts_result ts_gl_presenter_create(const ts_gl_presenter_desc *desc, ts_gl_presenter **out, ts_error *err) {
    if (!out) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_gl_presenter_create: out is NULL");
    *out = NULL;
    if (!desc || !desc->window) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_gl_presenter_create: no window");
    if (desc->pbo_count < 0 || desc->pbo_count > MAX_PBOS)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "pbo_count %d: expected 0 (default) to %d", desc->pbo_count,
                               MAX_PBOS);
    ts_gl_presenter *p = calloc(1, sizeof *p);
    if (!p) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for the presenter");
    p->window = desc->window;
    p->no_vsync = desc->no_vsync;
    p->pbo_count = desc->pbo_count ? desc->pbo_count : DEFAULT_PBOS;
    atomic_init(&p->drawable, 0);
    atomic_init(&p->capture, NO_CAPTURE);
    atomic_init(&p->failed, false);
    atomic_init(&p->tile_view, false);
    atomic_init(&p->frames_on_gpu, 0);
    if (pthread_mutex_init(&p->hud_lock, NULL) != 0) {
        free(p);
        return ts_error_set(err, TS_ERR_SYSTEM, "cannot make the presenter's HUD lock");
    }
    *out = p;
    return TS_OK;
}

void ts_gl_presenter_destroy(ts_gl_presenter *p) {
    if (!p) return;
    free(p->captured);
    free(p->readback);
    pthread_mutex_destroy(&p->hud_lock);
    free(p);
}

ts_present_desc ts_gl_presenter_callbacks(ts_gl_presenter *p) {
    /* gl_context: the gl post backend shares this context; so every use
     * below binds what it draws with first. */
    return (ts_present_desc){.user = p, .begin = on_begin, .tile = on_tile, .frame = on_frame, .end = on_end,
                             .gl_context = true, .frame_texture = on_frame_texture};
}

void ts_gl_presenter_set_drawable_size(ts_gl_presenter *p, int width, int height) {
    uint64_t d = (uint64_t)(uint32_t)width << 32 | (uint32_t)height;
    atomic_store_explicit(&p->drawable, d, memory_order_relaxed);
}

void ts_gl_presenter_capture(ts_gl_presenter *p, uint32_t frame) {
    atomic_store_explicit(&p->capture, frame, memory_order_release);
}

const uint8_t *ts_gl_presenter_captured(ts_gl_presenter *p, int *width, int *height) {
    if (!p->captured_w) return NULL;
    *width = p->captured_w;
    *height = p->captured_h;
    return p->captured;
}

void ts_gl_presenter_set_hud(ts_gl_presenter *p, const char *text) {
    pthread_mutex_lock(&p->hud_lock);
    snprintf(p->hud_text, sizeof p->hud_text, "%s", text ? text : "");
    pthread_mutex_unlock(&p->hud_lock);
}

void ts_gl_presenter_set_tile_view(ts_gl_presenter *p, bool on) {
    atomic_store_explicit(&p->tile_view, on, memory_order_relaxed);
}

bool ts_gl_presenter_failed(ts_gl_presenter *p, ts_error *err) {
    if (!atomic_load_explicit(&p->failed, memory_order_acquire)) return false;
    if (err) *err = p->error;
    return true;
}

const char *ts_gl_presenter_gl_renderer(ts_gl_presenter *p) { return p->gl_renderer; }
uint64_t ts_gl_presenter_frames_on_gpu(ts_gl_presenter *p) {
    return atomic_load_explicit(&p->frames_on_gpu, memory_order_relaxed);
}
bool ts_gl_presenter_vsync(ts_gl_presenter *p) { return p->vsync_on; }
