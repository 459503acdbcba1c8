/* present.c — what the render thread of both frame paths shares: starting
 * it (its name, its core, the `begin` handshake with ts_renderer_create),
 * handing tiles and frames to the present callbacks and on_frame, and
 * `end`. Each function's comment says which thread calls it. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "cpus.h"
#include "renderer_internal.h"
#include "tile.h"

#include <stdio.h>
#include <string.h>

enum { START_PENDING, START_OK, START_FAILED };

void ts_render_start_init(ts_render_start *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->state = START_PENDING;
}

void ts_render_start_destroy(ts_render_start *s) {
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
}

/* Render thread, in `begin`: the post-processing backend asked for, or,
 * when it cannot run here, the cpu one with a note saying why. */
static ts_result make_post(const ts_renderer *r, ts_render_start *s, ts_error *err) {
    ts_post_backend want = r->post.backend;
    if (want == TS_POST_NONE) return TS_OK;
    s->upload_whole_frame = r->post.upload == TS_POST_UPLOAD_FRAME;
    ts_error why = {0};
    ts_result res = ts_post_create(want, r->width, r->height, r->present.gl_context, &s->post, &why);
    if (res != TS_ERR_UNSUPPORTED || want == TS_POST_CPU) {
        if (res != TS_OK) *err = why;
        return res;
    }
    snprintf(s->post_note, sizeof s->post_note, "post-processing on %s is not available (%s); using cpu",
             ts_post_backend_name(want), why.message);
    return ts_post_create(TS_POST_CPU, r->width, r->height, false, &s->post, err);
}

/* The renderer whose render thread this is (NULL on any other thread). */
static _Thread_local const ts_renderer *render_thread_of;

bool ts_on_render_thread(const ts_renderer *r) { return r && render_thread_of == r; }

/* Render thread, first thing: names and pins itself (before `begin`, so a
 * context is created on the core it will stay on), runs `begin`, makes the
 * post backend (after `begin`: a GPU backend may use the context `begin`
 * made current), and hands the result to the thread waiting in
 * ts_render_start_wait. The result is published under the mutex, which
 * also orders everything `begin` wrote before ts_renderer_create returns. */
bool ts_render_thread_begin(const ts_renderer *r, ts_render_start *s) {
    render_thread_of = r;
    pthread_setname_np(pthread_self(), "ts-render");
    /* The last core it may run on (of the mask it inherits from the thread
     * creating the renderer: taskset, a container's cpuset): the workers
     * fill the others first, and the thread that owns the graphics context
     * stays put. Best effort: a cgroup may still forbid it. */
    ts_cpus_pin_to_last();
    ts_error err = {0};
    ts_result res = TS_OK;
    if (r->present.begin) {
        res = r->present.begin(r->present.user, r->width, r->height, &err);
        if (res != TS_OK && err.message[0] == '\0')
            ts_error_set(&err, res, "the present begin callback failed (%s)", ts_result_str(res));
    }
    if (res == TS_OK) {
        res = make_post(r, s, &err);
        if (res != TS_OK && r->present.end) r->present.end(r->present.user);
    }
    pthread_mutex_lock(&s->lock);
    s->state = res == TS_OK ? START_OK : START_FAILED;
    s->code = res;
    s->err = err;
    s->err.code = res;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return res == TS_OK;
}

/* The creating thread: waits until the render thread has run `begin`. */
ts_result ts_render_start_wait(ts_render_start *s, ts_renderer *r, ts_error *err) {
    pthread_mutex_lock(&s->lock);
    while (s->state == START_PENDING) pthread_cond_wait(&s->cond, &s->lock);
    ts_result res = s->code;
    if (res != TS_OK && err) *err = s->err;
    r->post_active = s->post ? ts_post_kind(s->post) : TS_POST_NONE;
    snprintf(r->post_note, sizeof r->post_note, "%s", s->post_note);
    pthread_mutex_unlock(&s->lock);
    return res;
}

/* Render thread, last thing (only after a successful begin). */
void ts_render_thread_end(const ts_renderer *r, ts_render_start *s) {
    ts_post_destroy(s->post); /* before `end`: it may use the context `end` destroys */
    s->post = NULL;
    if (r->present.end) r->present.end(r->present.user);
}

/* Render thread: one tile to the `tile` callback; returns the nanoseconds
 * it took (0 without a callback, and no clock is read then). */
uint64_t ts_render_tile(const ts_renderer *r, const ts_present_tile *tile) {
    if (!r->present.tile) return 0;
    uint64_t t0 = ts_now_ns();
    r->present.tile(r->present.user, tile);
    return ts_now_ns() - t0;
}

/* Render thread: a complete frame to `frame`, then to on_frame; returns the
 * nanoseconds they took. */
uint64_t ts_render_frame(const ts_renderer *r, const ts_present_frame *f) {
    if (!r->present.frame && !r->on_frame) return 0;
    uint64_t t0 = ts_now_ns();
    if (r->present.frame) r->present.frame(r->present.user, f);
    if (r->on_frame) r->on_frame(r->on_frame_user, f->frame, f->rgba, f->depth, f->width, f->height);
    return ts_now_ns() - t0;
}

uint64_t ts_render_whole_frame(const ts_renderer *r, const ts_present_frame *f) {
    uint64_t spent = 0;
    for (int y = 0; y < f->height; y += TS_TILE)
        for (int x = 0; x < f->width; x += TS_TILE) {
            ts_present_tile pt = {.frame = f->frame, .frame_width = f->width, .frame_height = f->height,
                                  .x = x, .y = y,
                                  .w = f->width - x < TS_TILE ? f->width - x : TS_TILE,
                                  .h = f->height - y < TS_TILE ? f->height - y : TS_TILE,
                                  .rgba = f->rgba + (size_t)y * f->stride + (size_t)x * 4, .stride = f->stride};
            spent += ts_render_tile(r, &pt);
        }
    return spent + ts_render_frame(r, f);
}

void ts_render_post_tile(ts_render_start *s, const float *hdr, size_t stride, int x, int y, int w, int h) {
    if (s->post && !s->upload_whole_frame) ts_post_tile(s->post, hdr, stride, x, y, w, h);
}

void ts_post_timing_to_stats(const ts_post_timing *t, ts_frame_stats *st) {
    st->post_upload_ms = t->upload_ms;
    st->post_kernel_ms = t->kernel_ms;
    st->post_readback_ms = t->readback_ms;
    st->post_backend = t->backend;
    st->post_on_gpu = t->on_gpu;
}

uint64_t ts_render_complete_frame(const ts_renderer *r, ts_render_start *s, const ts_present_frame *f) {
    if (!s->frame_texture) return ts_render_whole_frame(r, f);
    ts_present_frame on_gpu = *f;
    on_gpu.rgba = NULL;
    on_gpu.tiles = 0;
    uint64_t t0 = ts_now_ns();
    r->present.frame_texture(r->present.user, &on_gpu, s->frame_texture);
    return ts_now_ns() - t0;
}

/* A GPU backend that fails in the middle of a run (a lost device, a driver
 * error) gives way to the cpu chain for this frame and the rest: frames
 * keep coming, post-processed. Should even the cpu chain lack memory, the
 * frame shows its HDR color clamped rather than stale pixels. */
static void post_fallback(const ts_renderer *r, ts_render_start *s, int w, int h, const float *hdr, uint8_t *rgba,
                          ts_post_timing *timing) {
    ts_error err = {0};
    memset(timing, 0, sizeof *timing);
    s->frame_texture = 0;
    if (s->post && ts_post_kind(s->post) != TS_POST_CPU) {
        ts_post_destroy(s->post);
        s->post = NULL;
    }
    if (!s->post) ts_post_create(TS_POST_CPU, w, h, false, &s->post, &err);
    if (s->post && ts_post_frame(s->post, &r->post_params, w, h, hdr, rgba, NULL, &err) == TS_OK) {
        ts_post_last_timing(s->post, timing); /* the cpu chain's, saying so */
    } else {
        for (size_t i = 0; i < (size_t)w * (size_t)h * 4; i++) {
            float v = hdr[i];
            rgba[i] = (uint8_t)((v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f) * 255.0f + 0.5f);
        }
    }
}

bool ts_render_post_start(const ts_renderer *r, ts_render_start *s, int w, int h, const float *hdr, uint8_t *rgba,
                          ts_post_timing *timing) {
    ts_error err = {0};
    memset(timing, 0, sizeof *timing);
    s->frame_texture = 0;
    /* The presenter can draw a texture, and nobody else wants the pixels on
     * the host: the frame may stay on the GPU. */
    unsigned *texture = r->present.frame_texture && !r->on_frame ? &s->frame_texture : NULL;
    /* Whole-frame upload: the frame goes to the backend as one rectangle
     * now, after the raster, instead of tile by tile during it. */
    if (s->post && s->upload_whole_frame) ts_post_tile(s->post, hdr, (size_t)w * 4, 0, 0, w, h);
    bool pending = false;
    if (s->post &&
        ts_post_frame_start(s->post, &r->post_params, w, h, hdr, rgba, texture, &pending, &err) == TS_OK) {
        if (pending) {
            s->pending = (ts_render_pending){w, h, hdr, rgba};
            return true;
        }
        ts_post_last_timing(s->post, timing);
        timing->on_gpu = s->frame_texture != 0;
        return false;
    }
    post_fallback(r, s, w, h, hdr, rgba, timing);
    return false;
}

bool ts_render_post_finish(const ts_renderer *r, ts_render_start *s, bool wait, ts_post_timing *timing) {
    ts_result res;
    ts_error err = {0};
    if (!ts_post_frame_finish(s->post, wait, &res, &err)) return false;
    if (res == TS_OK)
        ts_post_last_timing(s->post, timing);
    else
        post_fallback(r, s, s->pending.w, s->pending.h, s->pending.hdr, s->pending.rgba, timing);
    return true;
}

uint64_t ts_render_post_frame(const ts_renderer *r, ts_render_start *s, int w, int h, const float *hdr,
                              uint8_t *rgba, ts_post_timing *timing) {
    uint64_t t0 = ts_now_ns();
    if (ts_render_post_start(r, s, w, h, hdr, rgba, timing)) ts_render_post_finish(r, s, true, timing);
    return ts_now_ns() - t0;
}

bool ts_render_thread_needed(const ts_renderer *r) {
    const ts_present_desc *p = &r->present;
    return r->on_frame || p->begin || p->tile || p->frame || p->end || r->post.backend != TS_POST_NONE;
}
