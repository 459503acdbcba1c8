/* present.c — what the render thread of both frame paths shares: starting
 * it (its name, its core, the `begin` handshake with ts_renderer_create),
 * handing tiles and frames to the present callbacks and on_frame, and
 * `end`. Each function's comment says which thread calls it. */
#define _GNU_SOURCE /* pthread_setaffinity_np, pthread_setname_np */
#include "renderer_internal.h"

#include <sched.h>
#include <string.h>
#include <unistd.h>

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

/* The render thread gets the last core: the workers fill the others first,
 * and the thread that owns the graphics context stays put. Best effort: a
 * cgroup may forbid it. */
static void pin_self_to_last_core(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)(n - 1), &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* Render thread, first thing: names and pins itself (before `begin`, so a
 * context is created on the core it will stay on), runs `begin` and hands
 * its result to the thread waiting in ts_render_start_wait. The result is
 * published under the mutex, which also orders everything `begin` wrote
 * before ts_renderer_create returns. */
bool ts_render_thread_begin(const ts_renderer *r, ts_render_start *s) {
    pthread_setname_np(pthread_self(), "ts-render");
    pin_self_to_last_core();
    ts_error err = {0};
    ts_result res = TS_OK;
    if (r->present.begin) {
        res = r->present.begin(r->present.user, r->width, r->height, &err);
        if (res != TS_OK && err.message[0] == '\0')
            ts_error_set(&err, res, "the present begin callback failed (%s)", ts_result_str(res));
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
ts_result ts_render_start_wait(ts_render_start *s, ts_error *err) {
    pthread_mutex_lock(&s->lock);
    while (s->state == START_PENDING) pthread_cond_wait(&s->cond, &s->lock);
    ts_result res = s->code;
    if (res != TS_OK && err) *err = s->err;
    pthread_mutex_unlock(&s->lock);
    return res;
}

/* Render thread, last thing (only after a successful begin). */
void ts_render_thread_end(const ts_renderer *r) {
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

bool ts_render_thread_needed(const ts_renderer *r) {
    const ts_present_desc *p = &r->present;
    return r->on_frame || p->begin || p->tile || p->frame || p->end;
}
