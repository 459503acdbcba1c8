/* test_present.c — the render thread's contract (ts_present_desc), on the
 * tiled path (1 and 3 workers, 1 and 4 samples, a slow tile callback that
 * lets the workers run ahead) and the reference path: every callback runs on
 * one thread that is not the caller's; begin first, end last; every tile of
 * every frame exactly once, complete, and before that frame's `frame`;
 * frames in order and never interleaved; the tiles put together are the
 * frame; a failing begin makes ts_renderer_create fail with its message and
 * runs nothing else (no leak: ASan; no hang: the CTest timeout).
 * And the CPUs the creating thread may run on (taskset, a cpuset): the
 * render thread is pinned to the last of them, and threads = 0 makes one
 * worker per CPU of them, on both paths' renderers alike, or fewer when
 * the cgroup's CPU quota allows fewer. */
#define _GNU_SOURCE /* sched_getaffinity, pthread_getaffinity_np */

#include "tessera.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup.h"
#include "test_check.h"
#include "test_tiles.h"

/* What the callbacks saw. Written on the render thread only; the test reads
 * it after ts_renderer_destroy has joined that thread (or after a wait for
 * the last frame, which orders the callbacks' writes before it returns). */
typedef struct record {
    pthread_t caller;          /* set before the renderer exists */
    int width, height;
    int tiles_x, tiles_y; /* of the 64x64 grid */
    int cells_x, cells_y; /* 32x32 cells: a tile covers one (a quadrant) or up to four */
    bool slow;                 /* sleep in some tile callbacks */
    ts_result begin_result;    /* what begin returns */
    const char *begin_message; /* and says; NULL: nothing */

    pthread_t thread; /* begin's */
    int begins, ends, frames, tile_calls, on_frames;
    uint32_t next_frame;  /* the frame whose tiles are arriving */
    uint8_t *seen;        /* per cell of next_frame: how many tiles covered it */
    int frame_tiles;      /* the tile calls of next_frame */
    uint8_t *assembled;   /* the tiles of next_frame copied into place */
    uint8_t *last;        /* the last frame as `frame` saw it */
    const uint8_t *base;  /* the frame target the tiles point into */
    char problem[256];    /* the first broken rule */
} record;

static void note(record *rec, const char *fmt, ...) {
    if (rec->problem[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->problem, sizeof rec->problem, fmt, ap);
    va_end(ap);
}

/* Every callback: on begin's thread, which is not the caller's, between
 * begin and end. */
static void check_thread(record *rec, const char *who) {
    if (rec->begins != 1) note(rec, "%s ran with %d begin calls before it", who, rec->begins);
    if (rec->ends != 0) note(rec, "%s ran after end", who);
    if (!pthread_equal(pthread_self(), rec->thread)) note(rec, "%s ran on another thread than begin", who);
}

static ts_result on_begin(void *user, int width, int height, ts_error *err) {
    record *rec = user;
    rec->thread = pthread_self();
    if (rec->begins++ != 0) note(rec, "begin ran twice");
    if (pthread_equal(rec->thread, rec->caller)) note(rec, "begin ran on the creating thread");
    if (width != rec->width || height != rec->height)
        note(rec, "begin got %dx%d for a %dx%d renderer", width, height, rec->width, rec->height);
    if (rec->begin_result != TS_OK && rec->begin_message) {
        err->code = rec->begin_result;
        snprintf(err->message, sizeof err->message, "%s", rec->begin_message);
    }
    return rec->begin_result;
}

static void on_tile(void *user, const ts_present_tile *t) {
    record *rec = user;
    check_thread(rec, "tile");
    rec->tile_calls++;
    if (t->frame != rec->next_frame) {
        note(rec, "a tile of frame %u arrived while frame %u was incomplete", t->frame, rec->next_frame);
        return;
    }
    if (!ts_test_tile_shape(t, rec->width, rec->height) || t->stride != (size_t)rec->width * 4 ||
        t->frame_width != rec->width || t->frame_height != rec->height) {
        note(rec, "frame %u: tile at (%d,%d) %dx%d stride %zu", t->frame, t->x, t->y, t->w, t->h, t->stride);
        return;
    }
    rec->frame_tiles++;
    if (!ts_test_tile_cover(t, rec->seen, rec->cells_x))
        note(rec, "frame %u: the tile at (%d,%d) covers pixels already covered", t->frame, t->x, t->y);
    int index = (t->y / TS_TEST_CELL) * rec->cells_x + t->x / TS_TEST_CELL;
    const uint8_t *base = t->rgba - (size_t)t->y * t->stride - (size_t)t->x * 4;
    if (rec->base && base != rec->base) note(rec, "frame %u: tiles point into different targets", t->frame);
    rec->base = base;
    for (int row = 0; row < t->h; row++)
        memcpy(&rec->assembled[((size_t)(t->y + row) * (size_t)rec->width + (size_t)t->x) * 4],
               t->rgba + (size_t)row * t->stride, (size_t)t->w * 4);
    if (rec->slow && index % 5 == 0) {
        /* Holds the render thread back so that the workers run ahead into
         * the next frame and fill the queue. */
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}

static void on_present_frame(void *user, const ts_present_frame *f) {
    record *rec = user;
    check_thread(rec, "frame");
    int cells = rec->cells_x * rec->cells_y;
    if (f->frame != rec->next_frame) note(rec, "frame %u presented, expected %u", f->frame, rec->next_frame);
    if (f->width != rec->width || f->height != rec->height || f->stride != (size_t)rec->width * 4 ||
        f->tiles != (uint32_t)rec->frame_tiles)
        note(rec, "frame %u: %dx%d, stride %zu, %u tiles for %d tile calls", f->frame, f->width, f->height, f->stride,
             f->tiles, rec->frame_tiles);
    for (int i = 0; i < cells; i++)
        if (rec->seen[i] != 1) {
            note(rec, "frame %u presented with cell %d covered %d times", f->frame, i, rec->seen[i]);
            break;
        }
    if (rec->base && rec->base != f->rgba) note(rec, "frame %u: the tiles were not in the frame's target", f->frame);
    size_t bytes = (size_t)rec->width * (size_t)rec->height * 4;
    /* The tiles as they arrived are the whole frame: each was complete when
     * handed over and nothing changed it since. */
    if (memcmp(rec->assembled, f->rgba, bytes) != 0) note(rec, "frame %u: the tiles differ from the frame", f->frame);
    memcpy(rec->last, f->rgba, bytes);
    memset(rec->seen, 0, (size_t)cells);
    rec->frame_tiles = 0;
    rec->base = NULL;
    rec->frames++;
    rec->next_frame++;
}

static void on_frame(void *user, uint32_t frame, const uint8_t *rgba, const float *depth, int w, int h) {
    (void)rgba, (void)depth, (void)w, (void)h;
    record *rec = user;
    check_thread(rec, "on_frame");
    rec->on_frames++;
    /* After the frame's present call. */
    if (frame + 1 != rec->next_frame) note(rec, "on_frame for frame %u before its present call", frame);
}

/* Offered on every run: none has a GPU backend on a context of its own
 * (cpu, or none), so no frame may skip the tile path. The texture path is
 * the window tests' (tests/window.cmake, post_on_gpu). */
static void on_frame_texture(void *user, const ts_present_frame *f, uint32_t texture) {
    record *rec = user;
    note(rec, "frame %u came as texture %u without a GPU backend", f->frame, texture);
}

static void on_end(void *user) {
    record *rec = user;
    check_thread(rec, "end");
    rec->ends++;
}

static bool record_init(record *rec, int w, int h) {
    memset(rec, 0, sizeof *rec);
    rec->caller = pthread_self();
    rec->width = w;
    rec->height = h;
    rec->tiles_x = (w + TS_TEST_TILE - 1) / TS_TEST_TILE;
    rec->tiles_y = (h + TS_TEST_TILE - 1) / TS_TEST_TILE;
    rec->cells_x = (w + TS_TEST_CELL - 1) / TS_TEST_CELL;
    rec->cells_y = (h + TS_TEST_CELL - 1) / TS_TEST_CELL;
    rec->seen = calloc((size_t)(rec->cells_x * rec->cells_y), 1);
    rec->assembled = calloc((size_t)w * (size_t)h, 4);
    rec->last = calloc((size_t)w * (size_t)h, 4);
    return rec->seen && rec->assembled && rec->last;
}

static void record_free(record *rec) {
    free(rec->seen);
    free(rec->assembled);
    free(rec->last);
}

static ts_renderer_desc desc_for(record *rec, bool reference, int threads, int msaa) {
    return (ts_renderer_desc){.width = rec->width, .height = rec->height, .reference = reference,
                              .threads = threads, .msaa = msaa, .keep_depth = true,
                              .on_frame = on_frame, .on_frame_user = rec,
                              .present = {.user = rec, .begin = on_begin, .tile = on_tile,
                                          .frame = on_present_frame, .end = on_end,
                                          .frame_texture = on_frame_texture}};
}

/* Draws `frames` frames of a turning scene and checks everything the
 * callbacks saw. */
static void run_contract(const ts_model *m, const char *what, bool reference, int threads, int msaa, bool slow,
                         bool post, int w, int h, int frames) {
    record rec;
    CHECK(record_init(&rec, w, h), "out of memory");
    rec.slow = slow;
    ts_renderer_desc d = desc_for(&rec, reference, threads, msaa);
    d.post.backend = post ? TS_POST_CPU : TS_POST_NONE;
    ts_renderer *r = NULL;
    ts_error err = {0};
    CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "%s: %s", what, err.message);
    if (r) {
        for (int i = 0; i < frames; i++) {
            ts_view_desc view = {.yaw_deg = 17.0f * (float)i, .pitch_deg = 5.0f * (float)(i % 4)};
            CHECK(ts_renderer_draw(r, m, &view, &err) == TS_OK, "%s: %s", what, err.message);
        }
        /* Waits for the last frame, which comes after its present calls. */
        const uint8_t *px = ts_renderer_pixels(r);
        CHECK(memcmp(px, rec.last, (size_t)w * (size_t)h * 4) == 0, "%s: the last frame presented is not the frame",
              what);
        ts_frame_stats st;
        ts_renderer_stats(r, &st);
        CHECK(st.present_ms > 0.0, "%s: present_ms %g", what, st.present_ms);
        CHECK(post ? st.post_ms > 0.0 : st.post_ms == 0.0, "%s: post_ms %g", what, st.post_ms);
        /* A share of the raster phase; the reference path has no such phase. */
        CHECK(reference ? st.raster_busy == 0.0 : st.raster_busy > 0.0 && st.raster_busy <= 1.0,
              "%s: raster_busy %g", what, st.raster_busy);
        const char *note = NULL;
        CHECK(ts_renderer_post(r, &note) == d.post.backend && note && !note[0], "%s: post backend %s (%s)", what,
              ts_post_backend_name(ts_renderer_post(r, NULL)), note ? note : "no note");
        ts_renderer_destroy(r);
    }
    CHECK(rec.problem[0] == '\0', "%s: %s", what, rec.problem);
    CHECK(rec.begins == 1 && rec.ends == 1, "%s: %d begins, %d ends", what, rec.begins, rec.ends);
    CHECK(rec.frames == frames && rec.on_frames == frames, "%s: %d frames, %d on_frame calls for %d draws", what,
          rec.frames, rec.on_frames, frames);
    /* A tile of the grid at least, or its quadrants (a split tile). */
    CHECK(rec.tile_calls >= frames * rec.tiles_x * rec.tiles_y, "%s: %d tile calls", what, rec.tile_calls);
    record_free(&rec);
}

static void test_contract(void) {
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin("torus", &m, &err) == TS_OK, "%s", err.message);
    /* 200x130: 4x3 tiles, the last column and row cut short. */
    run_contract(&m, "tiled, 1 thread", false, 1, 1, false, false, 200, 130, 6);
    run_contract(&m, "tiled, 3 threads", false, 3, 1, false, false, 200, 130, 12);
    run_contract(&m, "tiled, 3 threads, msaa 4", false, 3, 4, false, false, 130, 200, 6);
    run_contract(&m, "tiled, 3 threads, slow tile callback", false, 3, 1, true, false, 320, 256, 10);
    run_contract(&m, "tiled, one tile", false, 2, 1, false, false, 40, 30, 5);
    run_contract(&m, "reference", true, 0, 1, false, false, 200, 130, 3);
    run_contract(&m, "reference, msaa 4", true, 0, 4, false, false, 70, 65, 2);
    /* Post-processing: the callbacks see each frame once the chain has
     * made its pixels, every tile of it, then the frame. */
    run_contract(&m, "tiled, 2 threads, post cpu", false, 2, 1, false, true, 200, 130, 5);
    run_contract(&m, "tiled, 3 threads, slow tile callback, post cpu", false, 3, 1, true, true, 130, 200, 4);
    run_contract(&m, "reference, msaa 4, post cpu", true, 0, 4, false, true, 70, 65, 2);
    ts_model_free(&m);
}

/* Created and destroyed without a draw: begin and end, nothing between. */
static void test_no_frames(void) {
    for (int reference = 0; reference <= 1; reference++) {
        record rec;
        CHECK(record_init(&rec, 100, 100), "out of memory");
        ts_renderer_desc d = desc_for(&rec, reference, 2, 1);
        ts_renderer *r = NULL;
        ts_error err = {0};
        CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "%s", err.message);
        ts_renderer_destroy(r);
        CHECK(rec.problem[0] == '\0', "%s", rec.problem);
        CHECK(rec.begins == 1 && rec.ends == 1 && rec.tile_calls == 0 && rec.frames == 0,
              "reference %d: %d begins, %d ends, %d tiles, %d frames", reference, rec.begins, rec.ends,
              rec.tile_calls, rec.frames);
        record_free(&rec);
    }
}

/* A begin that fails: ts_renderer_create fails with its code and message
 * (or a message of its own when begin gave none), returns no renderer and
 * runs no other callback; the thread is joined and everything freed. */
static void test_begin_fails(void) {
    for (int reference = 0; reference <= 1; reference++)
        for (int with_message = 0; with_message <= 1; with_message++) {
            record rec;
            CHECK(record_init(&rec, 96, 64), "out of memory");
            rec.begin_result = TS_ERR_UNSUPPORTED;
            rec.begin_message = with_message ? "no display: DISPLAY is not set" : NULL;
            ts_renderer_desc d = desc_for(&rec, reference, 2, 1);
            ts_renderer *r = (ts_renderer *)&rec; /* must be overwritten */
            ts_error err = {0};
            ts_result res = ts_renderer_create(&d, &r, &err);
            CHECK(res == TS_ERR_UNSUPPORTED && err.code == TS_ERR_UNSUPPORTED, "reference %d: result %d, code %d",
                  reference, (int)res, (int)err.code);
            CHECK(r == NULL, "reference %d: a renderer came back from a failed create", reference);
            if (with_message)
                CHECK(strcmp(err.message, "no display: DISPLAY is not set") == 0, "message: %s", err.message);
            else
                CHECK(strstr(err.message, "begin") != NULL, "message without begin's: %s", err.message);
            CHECK(rec.begins == 1 && rec.ends == 0 && rec.tile_calls == 0 && rec.frames == 0 && rec.on_frames == 0,
                  "reference %d: %d begins, %d ends, %d tiles, %d frames after a failed begin", reference,
                  rec.begins, rec.ends, rec.tile_calls, rec.frames);
            record_free(&rec);
        }
}

/* Only some callbacks: the zero members are skipped, the rest keep the
 * contract (a tile callback alone still runs off the caller's thread). */
static int tile_only_calls, tile_only_on_caller;
static void tile_only(void *user, const ts_present_tile *t) {
    (void)t;
    pthread_t *caller = user;
    if (pthread_equal(pthread_self(), *caller)) tile_only_on_caller++;
    tile_only_calls++;
}

static void test_partial_desc(void) {
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin("cube", &m, &err) == TS_OK, "%s", err.message);
    for (int reference = 0; reference <= 1; reference++) {
        pthread_t caller = pthread_self();
        tile_only_calls = tile_only_on_caller = 0;
        ts_renderer_desc d = {.width = 130, .height = 70, .reference = reference, .threads = 2,
                              .present = {.user = &caller, .tile = tile_only}};
        ts_renderer *r = NULL;
        CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "%s", err.message);
        if (!r) continue;
        CHECK(ts_renderer_draw(r, &m, NULL, &err) == TS_OK, "%s", err.message);
        CHECK(ts_renderer_draw(r, &m, NULL, &err) == TS_OK, "%s", err.message);
        ts_renderer_destroy(r);
        /* Two frames of 3x2 tiles; the fast path may split a heavy one. */
        CHECK(reference ? tile_only_calls == 2 * 3 * 2 : tile_only_calls >= 2 * 3 * 2, "reference %d: %d tile calls",
              reference, tile_only_calls);
        CHECK(tile_only_on_caller == 0, "reference %d: %d of %d tiles on the caller's thread", reference,
              tile_only_on_caller, tile_only_calls);
    }
    ts_model_free(&m);
}

/* The render thread's CPU mask, noted in its begin. */
static ts_result note_mask(void *user, int width, int height, ts_error *err) {
    (void)width, (void)height, (void)err;
    cpu_set_t *mask = user;
    if (pthread_getaffinity_np(pthread_self(), sizeof *mask, mask) != 0) CPU_ZERO(mask);
    return TS_OK;
}

/* For this thread's whole mask, its first CPU alone, and (with three CPUs
 * or more) its first two, which leave out the machine's last CPU: the
 * renderer made under each pins its render thread to the mask's last CPU
 * and has one worker per CPU of it. */
static void test_cpu_mask(void) {
    cpu_set_t all;
    CHECK(sched_getaffinity(0, sizeof all, &all) == 0, "sched_getaffinity failed");
    int cpus[3], n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < 3; c++)
        if (CPU_ISSET(c, &all)) cpus[n++] = c;
    cpu_set_t masks[3];
    int count = 0;
    masks[count++] = all;
    CPU_ZERO(&masks[count]);
    CPU_SET(cpus[0], &masks[count++]);
    if (n == 3) {
        CPU_ZERO(&masks[count]);
        CPU_SET(cpus[0], &masks[count]);
        CPU_SET(cpus[1], &masks[count++]);
    }
    /* A container's CPU quota bounds the count too. */
    uint32_t quota = ts_cgroup_cpus(TS_CGROUP_ROOT); /* unit.cgroup tests how it is read */
    for (int k = 0; k < count; k++) {
        if (sched_setaffinity(0, sizeof masks[k], &masks[k]) != 0) {
            printf("mask %d: sched_setaffinity refused it; not checked\n", k);
            continue;
        }
        int last = -1;
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &masks[k])) last = c;
        for (int reference = 0; reference <= 1; reference++) {
            cpu_set_t seen;
            CPU_ZERO(&seen);
            ts_renderer_desc d = {.width = 64, .height = 64, .reference = reference,
                                  .present = {.user = &seen, .begin = note_mask}};
            ts_renderer *r = NULL;
            ts_error err = {0};
            CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "%s", err.message);
            if (!r) continue;
            CHECK(CPU_COUNT(&seen) == 1 && CPU_ISSET(last, &seen),
                  "mask %d (%d CPUs, the last %d), reference %d: the render thread may run on %d CPUs", k,
                  CPU_COUNT(&masks[k]), last, reference, CPU_COUNT(&seen));
            int usable = CPU_COUNT(&masks[k]);
            if (quota && (int)quota < usable) usable = (int)quota;
            if (usable > TS_MAX_THREADS) usable = TS_MAX_THREADS;
            CHECK(ts_renderer_threads(r) == (reference ? 1 : usable) && ts_default_threads() == usable,
                  "mask %d, reference %d: %d workers, ts_default_threads %d, for %d CPUs", k, reference,
                  ts_renderer_threads(r), ts_default_threads(), CPU_COUNT(&masks[k]));
            ts_renderer_destroy(r);
        }
    }
    sched_setaffinity(0, sizeof all, &all);
}

int main(void) {
    test_cpu_mask();
    test_contract();
    test_no_frames();
    test_begin_fails();
    test_partial_desc();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
