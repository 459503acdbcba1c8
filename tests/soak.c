/* soak.c — a long run with everything changing: thousands of frames (a few
 * hundred in CI) while the scene, the shading mode, the frame size (a live
 * resize, or a new renderer), the worker count, the SIMD target, 1 or 4
 * samples, kept depth and the post-processing backend (none, cpu, gl)
 * change every few frames. It checks that
 *   - every call succeeds and every frame drawn reaches on_frame, in
 *     order, at the size the renderer had when it was drawn;
 *   - memory stays flat: the resident set, measured in the same
 *     configuration after the warm-up (which has visited every setting at
 *     the largest size) and at the end, grows by less than --rss-slack-mb;
 *   - the last frame, drawn by a renderer that went through all of it and
 *     was resized live to the golden's size, matches its golden image
 *     (tests/golden/showcase-studio.png) within 1/255.
 * Leaks are LeakSanitizer's to find (the debug preset), races
 * ThreadSanitizer's (tsan). scripts/soak runs the long version. Where the
 * gl backend cannot run (no OpenGL driver), the run goes on without it
 * and ends with exit 77, CTest's skip, unless --no-gl left it out. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* splitmix64: the sequence of changes, reproducible from --seed. */
static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *const scenes[] = {"cube", "sphere", "torus", "quads", "checker", "showcase"};
#define SCENE_COUNT (int)(sizeof scenes / sizeof scenes[0])
#define SHOWCASE 5

/* Sizes a frame goes through: the golden's, a pixel, less than a block,
 * tiles cut both ways, a tall one, and the largest (720p, the warm-up's). */
static const int sizes[][2] = {{320, 240}, {1, 1}, {7, 5}, {257, 129}, {97, 301}, {640, 360}, {1280, 720}};
#define SIZE_COUNT (int)(sizeof sizes / sizeof sizes[0])
#define LARGEST (SIZE_COUNT - 1)

typedef struct config {
    int threads, msaa;
    ts_isa isa;
    ts_post_backend post;
    bool keep_depth;
    int size;
} config;

/* What on_frame is to see: the size of each frame drawn, by the order of
 * the draws, in a ring. The draw that writes a slot and the render thread
 * that reads it are ordered by the renderer's hand-over of the frame, and
 * fewer than FRAMES_IN_FLIGHT frames are ever pending. */
#define FRAMES_IN_FLIGHT 64
typedef struct frames_seen {
    uint32_t drawn, count; /* frames drawn (the caller's), frames seen (the render thread's) */
    int size[FRAMES_IN_FLIGHT][2];
    uint32_t first_bad; /* count + 1 of the first frame with a wrong size, 0 if none */
    int bad[2], bad_want[2];
} frames_seen;

static void on_frame(void *user, uint32_t frame, const uint8_t *rgba, const float *depth, int w, int h) {
    frames_seen *s = user;
    (void)frame, (void)depth;
    const int *want = s->size[s->count % FRAMES_IN_FLIGHT];
    if (!s->first_bad && (!rgba || w != want[0] || h != want[1])) {
        s->first_bad = s->count + 1;
        s->bad[0] = w;
        s->bad[1] = h;
        s->bad_want[0] = want[0];
        s->bad_want[1] = want[1];
    }
    s->count++;
}

static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "soak: FAIL ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return 1;
}

/* Resident set in bytes, after giving freed heap memory back to the system
 * (so that it counts what is live, not what malloc keeps for later). */
static double rss_mb(void) {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

typedef struct soak {
    ts_model models[SCENE_COUNT];
    ts_isa isas[TS_ISA_COUNT];
    int isa_count;
    ts_renderer *r;
    int w, h; /* r's frame size */
    config cfg;
    frames_seen seen;
    bool gl_noted;
    bool no_gl; /* --no-gl: post-processing on none and cpu only */
    bool verbose;
    unsigned recreates, resizes, scene_changes;
    unsigned post_frames[TS_POST_BACKEND_COUNT];
} soak;

static int make_renderer(soak *s, const config *c) {
    ts_renderer_destroy(s->r);
    s->r = NULL;
    ts_renderer_desc desc = {.width = sizes[c->size][0], .height = sizes[c->size][1], .threads = c->threads,
                             .isa = c->isa, .msaa = c->msaa, .keep_depth = c->keep_depth,
                             .on_frame = on_frame, .on_frame_user = &s->seen,
                             .post = {.backend = c->post}};
    ts_error err = {0};
    if (ts_renderer_create(&desc, &s->r, &err) != TS_OK)
        return fail("create %dx%d threads=%d isa=%s msaa=%d post=%s: %s", desc.width, desc.height, c->threads,
                    ts_isa_name(c->isa), c->msaa, ts_post_backend_name(c->post), err.message);
    const char *note = "";
    ts_post_backend got = ts_renderer_post(s->r, &note);
    if (got != c->post && !s->gl_noted) {
        /* No GL driver here: the renderer said so and runs cpu instead. */
        printf("soak: %s; going on without the gl backend\n", note);
        s->gl_noted = true;
    }
    s->cfg = *c;
    s->cfg.post = got;
    s->w = desc.width;
    s->h = desc.height;
    s->recreates++;
    return 0;
}

static int resize(soak *s, int w, int h) {
    ts_error err = {0};
    if (ts_renderer_resize(s->r, w, h, &err) != TS_OK) return fail("resize to %dx%d: %s", w, h, err.message);
    s->w = w;
    s->h = h;
    s->resizes++;
    return 0;
}

static int draw(soak *s, int scene, const ts_view_desc *view) {
    ts_error err = {0};
    int *size = s->seen.size[s->seen.drawn % FRAMES_IN_FLIGHT];
    size[0] = s->w;
    size[1] = s->h;
    if (ts_renderer_draw(s->r, &s->models[scene], view, &err) != TS_OK)
        return fail("draw %s: %s", scenes[scene], err.message);
    s->seen.drawn++;
    s->post_frames[s->cfg.post]++;
    return 0;
}

static config random_config(soak *s, uint64_t *rng) {
    config c;
    c.threads = 1 + (int)(next(rng) % 4);
    c.isa = s->isas[next(rng) % (uint64_t)s->isa_count];
    c.msaa = next(rng) % 2 ? 4 : 1;
    c.post = (ts_post_backend)(next(rng) % (s->no_gl ? 2 : 3)); /* none, cpu, gl */
    c.keep_depth = next(rng) % 2;
    c.size = (int)(next(rng) % SIZE_COUNT);
    return c;
}

/* The configuration memory is measured in, and the last frame drawn with
 * (the golden's: one sample, no post-processing). */
static const config measure_cfg = {.threads = 2, .isa = TS_ISA_AUTO, .msaa = 1, .post = TS_POST_NONE,
                                   .keep_depth = false, .size = 5};

static int measure(soak *s, double *out) {
    if (make_renderer(s, &measure_cfg)) return 1;
    ts_view_desc v = {.pitch_deg = 25, .yaw_deg = -20};
    for (int i = 0; i < 3; i++)
        if (draw(s, SHOWCASE, &v)) return 1;
    ts_renderer_finish(s->r);
    *out = rss_mb();
    return 0;
}

/* `frames` frames with something changing every 1 to 4 of them: a new
 * renderer, a live resize, the shading mode and culling, the scene. */
static int run(soak *s, uint64_t *rng, long frames) {
    int st = 0;
    int scene = 0;
    ts_view_desc view = {0};
    long until_change = 1;
    for (long f = 0; f < frames && !st; f++) {
        if (--until_change == 0) {
            until_change = 1 + (long)(next(rng) % 4);
            switch (next(rng) % 6) {
            case 0: /* a new renderer */
                if (next(rng) % 2) {
                    config c = random_config(s, rng);
                    st = make_renderer(s, &c);
                    break;
                }
                /* fall through */
            case 1:
            case 2: { /* a live resize */
                int k = (int)(next(rng) % SIZE_COUNT);
                st = resize(s, sizes[k][0], sizes[k][1]);
                break;
            }
            case 3:
                view.shading = (ts_shading)(next(rng) % TS_SHADING_COUNT);
                view.cull_back = next(rng) % 2;
                break;
            default:
                scene = (int)(next(rng) % SCENE_COUNT);
                s->scene_changes++;
                break;
            }
        }
        view.yaw_deg = (float)(f % 360);
        view.pitch_deg = (float)(f % 50) - 25.0f;
        if (!st) st = draw(s, scene, &view);
        if (!st && s->verbose && f % 100 == 0) {
            printf("soak: frame %ld rss %.1f MiB\n", f, rss_mb());
            fflush(stdout);
        }
    }
    return st;
}

static int usage(void) {
    fprintf(stderr,
            "usage: soak [--frames N] [--warmup N] [--seed S] [--rss-slack-mb M] [--golden PNG] [--out DIR]\n"
            "            [--no-gl] [--no-rss] [--verbose]\n"
            "  --frames N        frames after the warm-up (default 300)\n"
            "  --warmup N        random frames before the first measurement (default: N)\n"
            "  --seed S          the sequence of changes (default 1)\n"
            "  --rss-slack-mb M  how much the resident set may grow (default 8)\n"
            "  --golden PNG      the last frame's golden (showcase, studio, 320x240, pitch 25, yaw -20)\n"
            "  --out DIR         where the last frame goes when it does not match (default .)\n"
            "  --no-gl           post-processing on none and cpu only\n"
            "  --no-rss          report the resident set, do not check it (under sanitizers,\n"
            "                    whose allocators keep freed memory)\n"
            "  --verbose         the resident set every 100 frames\n");
    return 2;
}

int main(int argc, char **argv) {
    long frames = 300, warmup = -1;
    uint64_t seed = 1;
    double slack = 8.0;
    bool check_rss = true;
    const char *golden = NULL, *outdir = ".";
    soak s;
    memset(&s, 0, sizeof s);
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(k, "--verbose") || !strcmp(k, "--no-gl") || !strcmp(k, "--no-rss")) {
            if (!strcmp(k, "--verbose")) s.verbose = true;
            else if (!strcmp(k, "--no-gl")) s.no_gl = true;
            else check_rss = false;
            continue;
        }
        if (!v) return usage();
        char empty[1] = "", *end = empty;
        if (!strcmp(k, "--frames")) frames = strtol(v, &end, 10);
        else if (!strcmp(k, "--warmup")) warmup = strtol(v, &end, 10);
        else if (!strcmp(k, "--seed")) seed = strtoull(v, &end, 10);
        else if (!strcmp(k, "--rss-slack-mb")) slack = strtod(v, &end);
        else if (!strcmp(k, "--golden")) golden = v;
        else if (!strcmp(k, "--out")) outdir = v;
        else return usage();
        if (*end || end == v || frames < 1 || !(slack >= 0)) return usage();
        i++;
    }
    if (warmup < 0) warmup = frames;
#ifdef __GLIBC__
    /* One malloc arena. glibc gives threads arenas of their own (up to 8
     * per core), and every new renderer's threads take one; memory freed
     * there stays in pieces malloc_trim cannot return, so the resident set
     * climbs by tens of MiB over a run with no leak at all. With one arena
     * what is resident is what is live, and a leak of a few MiB shows. */
    mallopt(M_ARENA_MAX, 1);
#endif
    ts_error err = {0};
    for (int i = 0; i < SCENE_COUNT; i++)
        if (ts_model_builtin(scenes[i], &s.models[i], &err) != TS_OK) return fail("%s: %s", scenes[i], err.message);
    for (int i = TS_ISA_SCALAR; i < TS_ISA_COUNT; i++)
        if (ts_isa_supported((ts_isa)i)) s.isas[s.isa_count++] = (ts_isa)i;
    uint64_t rng = seed;
    int status = 0;

    /* Warm-up: every post backend with 1 and 4 samples and depth kept, at
     * the largest size, on every scene; then a resize down and up. Without
     * a random warm-up (--warmup 0: a short run under the sanitizers, the
     * resident set not checked) at the golden's size, on two scenes. */
    const int sweep_size = warmup ? LARGEST : 0, sweep_scenes = warmup ? SCENE_COUNT : 2;
    for (int p = 0; p < (s.no_gl ? 2 : 3) && !status; p++)
        for (int m = 0; m < 2 && !status; m++) {
            config c = {.threads = 2, .isa = TS_ISA_AUTO, .msaa = m ? 4 : 1, .post = (ts_post_backend)p,
                        .keep_depth = true, .size = sweep_size};
            status = make_renderer(&s, &c);
            for (int sc = 0; sc < sweep_scenes && !status; sc++)
                status = draw(&s, sc, &(ts_view_desc){.yaw_deg = (float)(sc * 10)});
            if (!status) status = resize(&s, 7, 5);
            if (!status) status = resize(&s, sizes[sweep_size][0], sizes[sweep_size][1]);
            if (!status) status = draw(&s, SHOWCASE, NULL);
        }
    /* Then as many random frames as the run: whatever the libraries
     * under the renderer keep for later (malloc's arenas, the GL driver's
     * caches) is there before the first measurement. */
    if (!status) status = run(&s, &rng, warmup);
    double rss_start = 0, rss_end = 0;
    if (!status) status = measure(&s, &rss_start);

    /* The run: something changes every 1 to 4 frames. */
    if (!status) status = run(&s, &rng, frames);
    if (!status) status = measure(&s, &rss_end);

    /* The last frame: from a renderer of the golden's settings that goes
     * through a few frames and live resizes first. */
    if (!status) {
        config c = random_config(&s, &rng);
        c.msaa = 1;
        c.post = TS_POST_NONE;
        c.size = LARGEST;
        status = make_renderer(&s, &c);
        for (int i = 0; i < 3 && !status; i++) {
            int k = (int)(next(&rng) % SIZE_COUNT);
            status = resize(&s, sizes[k][0], sizes[k][1]);
            if (!status) status = draw(&s, i, &(ts_view_desc){.yaw_deg = 33.0f * (float)i});
        }
        if (!status) status = resize(&s, 320, 240);
        if (!status) status = draw(&s, SHOWCASE, &(ts_view_desc){.pitch_deg = 25, .yaw_deg = -20});
    }
    if (!status && golden) {
        const uint8_t *act = ts_renderer_pixels(s.r);
        uint8_t *exp = NULL;
        int gw, gh;
        if (ts_png_read(golden, &gw, &gh, &exp, &err) != TS_OK) {
            status = fail("%s", err.message);
        } else if (gw != 320 || gh != 240) {
            status = fail("%s is %dx%d, expected 320x240", golden, gw, gh);
        } else {
            size_t bad = 0;
            int worst = 0;
            for (size_t i = 0; i < (size_t)gw * (size_t)gh * 4; i++) {
                int d = abs((int)act[i] - (int)exp[i]);
                if (d > 1) bad++;
                if (d > worst) worst = d;
            }
            if (bad) {
                char path[4096];
                snprintf(path, sizeof path, "%s/soak-last.png", outdir);
                ts_png_write(path, 320, 240, act, &err);
                status = fail("the last frame (threads=%d isa=%s) differs from %s in %zu channels by up to %d/255 "
                              "(written to %s)",
                              s.cfg.threads, ts_isa_name(s.cfg.isa), golden, bad, worst, path);
            }
        }
        free(exp);
    }
    if (!status) {
        ts_renderer_finish(s.r);
        if (s.seen.first_bad)
            status = fail("on_frame saw frame %u at %dx%d, drawn at %dx%d", s.seen.first_bad - 1, s.seen.bad[0],
                          s.seen.bad[1], s.seen.bad_want[0], s.seen.bad_want[1]);
        else if (s.seen.count != s.seen.drawn)
            status = fail("on_frame saw %u frames of the %u drawn", s.seen.count, s.seen.drawn);
    }
    ts_renderer_destroy(s.r);
    s.r = NULL;
    for (int i = 0; i < SCENE_COUNT; i++) ts_model_free(&s.models[i]);
    if (status) return status;

    printf("soak: frames=%u renderers=%u resizes=%u scene_changes=%u post_none=%u post_cpu=%u post_gl=%u isas=%d "
           "rss_start_mb=%.1f rss_end_mb=%.1f growth_mb=%.1f slack_mb=%.1f\n",
           s.seen.count, s.recreates, s.resizes, s.scene_changes, s.post_frames[TS_POST_NONE],
           s.post_frames[TS_POST_CPU], s.post_frames[TS_POST_GL], s.isa_count, rss_start, rss_end,
           rss_end - rss_start, slack);
    if (!check_rss) printf("soak: the resident set is not checked (--no-rss)\n");
    else if (rss_end - rss_start > slack)
        return fail("the resident set grew by %.1f MiB over the run (slack %.1f MiB)", rss_end - rss_start, slack);
    /* All else passed, but not all of it was run. */
    if (s.gl_noted) {
        printf("SKIP: the gl backend could not run here (above); --no-gl soaks without it\n");
        return 77;
    }
    return 0;
}
