/* test_resize.c — ts_renderer_resize on both paths (tiled on 1 and 3
 * workers, reference; 1 and 4 samples; depth kept; the cpu post chain on
 * the workers): resized while frames are
 * still in flight, through sizes from 1x1 up (a tile, a pixel past it, cut
 * last rows and columns) and back, every frame equals the frame a fresh
 * renderer of that size draws (pixels and depth, bit for bit); every tile
 * handed to the render thread carries its frame's size and lies inside it;
 * each frame has the tiles of its own size; a bad size is refused with a
 * clear error and the renderer goes on at its old size; the same size
 * changes nothing. Run under ASan (leaks) and TSan too. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_check.h"
#include "test_tiles.h"

#define MAX_FRAMES 64

/* Frame sizes the renderer goes through: a single pixel, less than a
 * block, exactly a tile, a pixel past a tile each way, a single row, cut
 * last tiles both ways, larger than where it started, and back. */
static const int sizes[][2] = {{1, 1},   {7, 5},   {64, 64}, {65, 63}, {129, 1},
                               {200, 130}, {333, 97}, {1, 70}, {130, 200}, {200, 130}};
#define SIZE_COUNT (int)(sizeof sizes / sizeof sizes[0])

/* What the render thread saw. The sizes are written by the test before the
 * draw of each frame (which orders them before that frame's callbacks);
 * the rest only on the render thread, read after the renderer is gone. */
typedef struct record {
    int size_of[MAX_FRAMES][2]; /* the size frame i was drawn at */
    bool slow;
    uint32_t next_frame;
    int tiles_seen;   /* of next_frame */
    long pixels_seen; /* of next_frame: its tiles' areas summed */
    int frames;
    char problem[256];
} record;

static void note(record *rec, const char *fmt, ...) {
    if (rec->problem[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->problem, sizeof rec->problem, fmt, ap);
    va_end(ap);
}


static void on_tile(void *user, const ts_present_tile *t) {
    record *rec = user;
    if (t->frame != rec->next_frame || t->frame >= MAX_FRAMES) {
        note(rec, "a tile of frame %u while frame %u was incomplete", t->frame, rec->next_frame);
        return;
    }
    int fw = rec->size_of[t->frame][0], fh = rec->size_of[t->frame][1];
    if (t->frame_width != fw || t->frame_height != fh)
        note(rec, "frame %u drawn at %dx%d: a tile says %dx%d", t->frame, fw, fh, t->frame_width, t->frame_height);
    /* A grid tile or a quadrant of one, as large as the frame lets it be
     * (so tiles of the old size are caught). */
    if (!ts_test_tile_shape(t, fw, fh) || t->stride != (size_t)fw * 4)
        note(rec, "frame %u (%dx%d): tile at (%d,%d) %dx%d stride %zu", t->frame, fw, fh, t->x, t->y, t->w, t->h,
             t->stride);
    rec->tiles_seen++;
    rec->pixels_seen += (long)t->w * t->h;
    if (rec->slow && rec->tiles_seen == 1) {
        /* Holds the render thread back: the drawing thread runs ahead, so
         * the resize finds frames in flight. */
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
}

static void on_present_frame(void *user, const ts_present_frame *f) {
    record *rec = user;
    if (f->frame != rec->next_frame || f->frame >= MAX_FRAMES) {
        note(rec, "frame %u presented, expected %u", f->frame, rec->next_frame);
        return;
    }
    int fw = rec->size_of[f->frame][0], fh = rec->size_of[f->frame][1];
    if (f->width != fw || f->height != fh || f->stride != (size_t)fw * 4)
        note(rec, "frame %u drawn at %dx%d presented as %dx%d (stride %zu)", f->frame, fw, fh, f->width, f->height,
             f->stride);
    if (f->tiles != (uint32_t)rec->tiles_seen || rec->pixels_seen != (long)fw * fh)
        note(rec, "frame %u (%dx%d): %d tile calls of %ld pixels, %u tiles", f->frame, fw, fh, rec->tiles_seen,
             rec->pixels_seen, f->tiles);
    rec->tiles_seen = 0;
    rec->pixels_seen = 0;
    rec->next_frame++;
    rec->frames++;
}

static ts_view_desc view_at(int i) {
    return (ts_view_desc){.yaw_deg = 23.0f * (float)i, .pitch_deg = 20.0f, .shading = TS_SHADING_STUDIO};
}

/* The frame a fresh renderer of `base`'s settings draws at w x h: pixels
 * and depth must be the resized renderer's, bit for bit. */
static void check_fresh(const char *what, ts_renderer_desc base, const ts_model *m, ts_view_desc view,
                        ts_renderer *r) {
    int w, h;
    ts_renderer_size(r, &w, &h);
    base.width = w;
    base.height = h;
    base.present = (ts_present_desc){0};
    ts_renderer *fresh = NULL;
    ts_error err = {0};
    if (ts_renderer_create(&base, &fresh, &err) != TS_OK || ts_renderer_draw(fresh, m, &view, &err) != TS_OK) {
        CHECK(false, "%s at %dx%d: %s", what, w, h, err.message);
        ts_renderer_destroy(fresh);
        return;
    }
    size_t n = (size_t)w * (size_t)h;
    CHECK(memcmp(ts_renderer_pixels(r), ts_renderer_pixels(fresh), n * 4) == 0,
          "%s at %dx%d: the pixels differ from a fresh renderer's", what, w, h);
    const float *d = ts_renderer_depth(r), *fd = ts_renderer_depth(fresh);
    CHECK(d && fd && memcmp(d, fd, n * sizeof *d) == 0, "%s at %dx%d: the depth differs from a fresh renderer's",
          what, w, h);
    ts_renderer_destroy(fresh);
}

static void run(const ts_model *m, const char *what, ts_renderer_desc desc, bool slow) {
    record *rec = calloc(1, sizeof *rec);
    if (!rec) {
        CHECK(false, "out of memory");
        return;
    }
    rec->slow = slow;
    desc.width = 200;
    desc.height = 130;
    desc.keep_depth = true;
    ts_renderer_desc with_present = desc;
    with_present.present = (ts_present_desc){.user = rec, .tile = on_tile, .frame = on_present_frame};
    ts_renderer *r = NULL;
    ts_error err = {0};
    if (ts_renderer_create(&with_present, &r, &err) != TS_OK) {
        CHECK(false, "%s: %s", what, err.message);
        free(rec);
        return;
    }
    int frame = 0;
    for (int s = -1; s < SIZE_COUNT; s++) {
        if (s >= 0) {
            /* Right after a draw: with the tiled path that frame (and with a
             * slow callback the one before) is still being handed over. */
            CHECK(ts_renderer_resize(r, sizes[s][0], sizes[s][1], &err) == TS_OK, "%s: resize to %dx%d: %s", what,
                  sizes[s][0], sizes[s][1], err.message);
        }
        int w, h;
        ts_renderer_size(r, &w, &h);
        CHECK(s < 0 || (w == sizes[s][0] && h == sizes[s][1]), "%s: size %dx%d after a resize to %dx%d", what, w,
              h, sizes[s][0], sizes[s][1]);
        /* Three frames at each size: the second reuses the first's target
         * and is checked (which waits for it); the third is still in
         * flight when the next resize comes. */
        for (int k = 0; k < 3; k++) {
            rec->size_of[frame][0] = w;
            rec->size_of[frame][1] = h;
            ts_view_desc view = view_at(frame++);
            CHECK(ts_renderer_draw(r, m, &view, &err) == TS_OK, "%s: %s", what, err.message);
            if (k == 1) check_fresh(what, desc, m, view, r);
        }
    }
    ts_renderer_destroy(r);
    CHECK(rec->problem[0] == '\0', "%s: %s", what, rec->problem);
    CHECK(rec->frames == frame, "%s: %d frames presented of %d drawn", what, rec->frames, frame);
    free(rec);
}

static void test_resize_matches_fresh(void) {
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin("showcase", &m, &err) == TS_OK, "%s", err.message);
    run(&m, "tiled, 1 thread", (ts_renderer_desc){.threads = 1}, false);
    run(&m, "tiled, 3 threads", (ts_renderer_desc){.threads = 3}, false);
    run(&m, "tiled, 3 threads, slow tile callback", (ts_renderer_desc){.threads = 3}, true);
    run(&m, "tiled, 2 threads, msaa 4", (ts_renderer_desc){.threads = 2, .msaa = 4}, false);
    /* The cpu post chain on the workers: its buffers belong to the targets
     * and are made again at the new size. */
    run(&m, "tiled, 3 threads, post cpu", (ts_renderer_desc){.threads = 3, .post = {.backend = TS_POST_CPU}}, false);
    run(&m, "tiled, 2 threads, slow tile callback, post cpu",
        (ts_renderer_desc){.threads = 2, .post = {.backend = TS_POST_CPU}}, true);
    run(&m, "reference", (ts_renderer_desc){.reference = true}, false);
    run(&m, "reference, msaa 4", (ts_renderer_desc){.reference = true, .msaa = 4}, false);
    ts_model_free(&m);
}

/* Refused sizes: a clear error, and the renderer draws on at its old size
 * exactly as before. */
static void test_bad_sizes(void) {
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin("torus", &m, &err) == TS_OK, "%s", err.message);
    static const struct {
        int w, h;
        ts_result code;
        const char *says;
    } bad[] = {
        {0, 10, TS_ERR_INVALID_ARG, "0x10 is empty"},
        {10, 0, TS_ERR_INVALID_ARG, "10x0 is empty"},
        {-5, 10, TS_ERR_INVALID_ARG, "-5x10 is negative"},
        {10, -1, TS_ERR_INVALID_ARG, "10x-1 is negative"},
        {TS_MAX_FRAME_DIM + 1, 10, TS_ERR_TOO_LARGE, "16385x10 exceeds"},
        {10, 1 << 30, TS_ERR_TOO_LARGE, "exceeds the largest supported side"},
    };
    for (int reference = 0; reference <= 1; reference++) {
        ts_renderer_desc desc = {.width = 150, .height = 90, .reference = reference, .threads = 2,
                                 .keep_depth = true};
        ts_renderer *r = NULL;
        if (ts_renderer_create(&desc, &r, &err) != TS_OK) {
            CHECK(false, "%s", err.message);
            continue;
        }
        ts_view_desc view = view_at(3);
        CHECK(ts_renderer_draw(r, &m, &view, &err) == TS_OK, "%s", err.message);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            ts_error e = {0};
            ts_result res = ts_renderer_resize(r, bad[i].w, bad[i].h, &e);
            CHECK(res == bad[i].code && e.code == bad[i].code, "resize to %dx%d: result %s", bad[i].w, bad[i].h,
                  ts_result_str(res));
            CHECK(strstr(e.message, bad[i].says) != NULL, "resize to %dx%d: message \"%s\" lacks \"%s\"", bad[i].w,
                  bad[i].h, e.message, bad[i].says);
            int w, h;
            ts_renderer_size(r, &w, &h);
            CHECK(w == 150 && h == 90, "a refused resize changed the size to %dx%d", w, h);
        }
        /* The last frame is still there, and the next is drawn as before. */
        check_fresh(reference ? "reference after refused resizes" : "tiled after refused resizes", desc, &m, view,
                    r);
        view = view_at(4);
        CHECK(ts_renderer_draw(r, &m, &view, &err) == TS_OK, "%s", err.message);
        check_fresh(reference ? "reference, drawn after refused resizes" : "tiled, drawn after refused resizes",
                    desc, &m, view, r);

        /* The same size: nothing changes, not even the last frame. */
        size_t n = 150 * 90 * 4;
        uint8_t *before = malloc(n);
        if (before) {
            memcpy(before, ts_renderer_pixels(r), n);
            CHECK(ts_renderer_resize(r, 150, 90, &err) == TS_OK, "same size: %s", err.message);
            CHECK(memcmp(before, ts_renderer_pixels(r), n) == 0, "a resize to the same size changed the frame");
            free(before);
        }
        /* A new size: until the next draw, the frame reads as cleared. */
        CHECK(ts_renderer_resize(r, 33, 17, &err) == TS_OK, "%s", err.message);
        const uint8_t *px = ts_renderer_pixels(r);
        const float *depth = ts_renderer_depth(r);
        bool cleared = px && depth;
        for (int p = 0; cleared && p < 33 * 17; p++)
            cleared = px[p * 4] == 0 && px[p * 4 + 1] == 0 && px[p * 4 + 2] == 0 && px[p * 4 + 3] == 255 &&
                      depth[p] == 1.0f;
        CHECK(cleared, "reference %d: the frame after a resize is not a cleared one", reference);
        ts_renderer_destroy(r);
    }
    ts_error e = {0};
    CHECK(ts_renderer_resize(NULL, 10, 10, &e) == TS_ERR_INVALID_ARG, "a NULL renderer was resized");
    ts_model_free(&m);
}

int main(void) {
    test_resize_matches_fresh();
    test_bad_sizes();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
