/* tessera_bench.c — the benchmark: renders scenes at sizes with SIMD
 * targets and thread counts, and prints per configuration the median frame
 * time, its split by stage, and throughput; --csv and --json write the same
 * rows for plotting. --peer gl times the OpenGL peer (tessera-gl, through
 * bench_peer.c) at the same scenes, sizes and thread counts and prints
 * tessera's time as a ratio of it. --sweep runs the CPU-versus-GPU sweep
 * of the post-processing backends instead (bench_sweep.c); --rounds makes
 * the configurations take turns, so that a drifting machine slows them
 * alike. Numbers, not pass/fail: speed claims come from here. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include "bench_out.h"
#include "bench_peer.h"
#include "bench_sweep.h"
#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "tessera-bench"
#define MAX_LIST 16
#define MAX_FRAMES 10000
#define MAX_ROUNDS 100
#define MAX_CONFIGS 32 /* per scene and size that take turns (--rounds) */
#define EXIT_NO_GL 77 /* as tessera-gl's: --peer gl found no EGL or OpenGL */

static void usage(FILE *f) {
    fprintf(f,
            "usage: " PROG " [options]\n"
            "\n"
            "Renders every combination of the listed scenes, sizes, SIMD targets and\n"
            "thread counts, and prints one row each: median and minimum frame time,\n"
            "the median split by stage, triangles and shaded pixels per second.\n"
            "busy is the share of the raster phase the workers spent in its jobs\n"
            "(below 1 when some waited for others' last tiles).\n"
            "A value a row does not have is '-' in the table, empty in the CSV and\n"
            "null in the JSON: post without --post, write without --write, setup,\n"
            "busy, queue and shaded pixels of the reference pipeline (setup is inside\n"
            "its raster time), and the ISA, pipeline, stage split and shaded\n"
            "pixels of the gl rows.\n"
            "\n"
            "options (lists are comma-separated):\n"
            "  --scene LIST      models or builtin:NAME (default builtin:sphere-fine,\n"
            "                    /usr/share/glmark2/models/bunny.obj)\n"
            "  --size LIST       WxH sizes (default 1920x1080)\n"
            "  --isa LIST        scalar, sse4, avx2, avx512, neon, auto or all (default auto)\n"
            "  --threads LIST    worker thread counts, 0 for one per core (default 0)\n"
            "  --reference       also time the reference pipeline\n"
            "  --shading MODE    studio | unlit | normals | depth | textured (default studio)\n"
            TS_CLI_ZOOM_HELP
            "  --msaa N          samples per pixel, 1 or 4 (default 1)\n"
            TS_CLI_POST_HELP
            "  --frames N        timed frames per configuration, after one warm-up (default 10;\n"
            "                    frames x rounds at most %d)\n"
            "  --rounds N        the configurations of a scene and size take turns, N rounds\n"
            "                    of one warm-up and --frames timed frames each, and each row's\n"
            "                    figures are over all N x frames frames: on a machine whose\n"
            "                    speed drifts (a shared host) every configuration meets the\n"
            "                    same slow and fast spells, so their ratios hold (default 1:\n"
            "                    one configuration after the other; at most %d of them; N\n"
            "                    from 1 to %d)\n"
            "  --write FILE.png  write every frame as PNG over FILE.png on the render thread,\n"
            "                    as tessera-render writes its picture; the write column is\n"
            "                    the time that takes, a stage of the frame like the others\n"
            "                    (each frame is timed until its callbacks are done)\n",
            (double)TS_MIN_ZOOM, (double)TS_MAX_ZOOM, MAX_FRAMES, MAX_CONFIGS, MAX_ROUNDS);
    fprintf(f,
            "  --csv FILE        write the rows as CSV\n"
            "  --json FILE       write the rows as JSON\n"
            "  --peer gl         also time the OpenGL peer, tessera-gl (looked for in this\n"
            "                    program's folder), once per scene, size and thread count:\n"
            "                    same model, size, camera, shading and frame count; a gl\n"
            "                    row each (isa 'gl', GL_RENDERER at the end; no stage split)\n"
            "                    and a 'vs gl' column: tessera's median / gl's at the same\n"
            "                    scene, size and threads (below 1: tessera is faster).\n"
            "                    LP_NUM_THREADS (llvmpipe's thread count, which caps it at\n"
            "                    its own maximum) is set to each thread count, replacing any\n"
            "                    value in the environment, so both sides get the same threads.\n"
            "                    Not with --msaa 4: the peer draws single-sampled.\n"
            "  --sweep [PLAN]    the CPU-versus-GPU sweep instead of the rows above (only\n"
            "                    --csv and --json go with it). PLAN: quick (one size, a\n"
            "                    few seconds) or full (the default: 640x360 to 3840x2160,\n"
            "                    a few minutes). builtin:showcase at each size, each chain\n"
            "                    (none: exposure and encode only; tonemap; full) on each\n"
            "                    backend (cpu on 1 thread and on all, gl and cuda per tile\n"
            "                    and whole frame; one that cannot run here is reported\n"
            "                    absent), the raster alone and the OpenGL peer: median\n"
            "                    frame time and its split (raster, host post time, the\n"
            "                    backend's device-timed upload, kernels and read-back),\n"
            "                    the chain's pixels/s; then the crossover (the smallest\n"
            "                    size where a GPU backend beats cpu on all threads) and\n"
            "                    the overlap gain. The CSV and JSON carry the machine's\n"
            "                    description; scripts/plot-bench charts the JSON.\n"
            "  -h, --help        show this help\n"
            "\n"
            "exit status: 0 on success; 1 on an error, or when a --peer gl run failed\n"
            "(a warning names the reason; the other rows are still printed and\n"
            "written); 2 on a usage error; %d when --peer gl found no EGL or OpenGL\n"
            "(tessera-gl's own status for it).\n",
            EXIT_NO_GL);
}

#define fail(...) ts_cli_fail(PROG, __VA_ARGS__)

/* Splits a comma list in place; returns the count, -1 when over MAX_LIST. */
static int split(char *s, char *out[MAX_LIST]) {
    int n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (n == MAX_LIST) return -1;
        out[n++] = tok;
    }
    return n;
}

typedef struct row {
    const char *backend; /* "tessera" or "gl" (the peer) */
    const char *scene;
    int width, height;
    const char *isa, *pipeline;
    int threads, msaa, frames;
    unsigned tris;
    double median_ms, min_ms;
    /* Median time per stage. post: the post-processing chain, TS_NO_VALUE
     * without one; write: the render thread's callbacks (--write's PNG),
     * TS_NO_VALUE without --write. */
    double vertex_ms, geometry_ms, raster_ms, queue_ms, post_ms, write_ms;
    /* The median share of the raster phase its workers spent in jobs
     * (ts_frame_stats.raster_busy); TS_NO_VALUE where there is no such
     * phase (the reference pipeline, gl rows). */
    double raster_busy;
    const char *post; /* the post-processing backend that ran ("none"); NULL in gl rows */
    double tris_per_s, pixels_per_s;
    /* tessera's median / the gl row's at the same scene, size and thread
     * count; TS_NO_VALUE without one (and in the gl rows). */
    double vs_gl;
    double zoom; /* the view's magnification (1: the whole model) */
    char renderer[256]; /* GL_RENDERER in the gl rows; empty in tessera's */
} row;

static void print_header(bool peer) {
    printf("%-22s %11s %-7s %-9s %3s %4s  %9s %9s  %8s %8s %8s %5s %8s %8s %8s  %8s %8s", "scene", "size",
           "isa", "pipeline", "thr", "msaa", "median_ms", "min_ms", "vertex", "geometry", "raster", "busy",
           "queue", "post", "write", "Mtris/s", "Mpix/s");
    if (peer) printf("  %6s  %s", "vs gl", "renderer");
    putchar('\n');
}

static void print_row(const row *r, bool peer) {
    char c[12][32];
    /* A gl row says so in the isa column: its ISA is the driver's business. */
    printf("%-22s %5dx%-5d %-7s %-9s %3d %4d  %9s %9s  %8s %8s %8s %5s %8s %8s %8s  %8s %8s", r->scene,
           r->width, r->height, r->isa ? r->isa : r->backend, r->pipeline ? r->pipeline : "-",
           r->threads, r->msaa, ts_bench_cell(c[0], 32, r->median_ms, 3),
           ts_bench_cell(c[1], 32, r->min_ms, 3), ts_bench_cell(c[2], 32, r->vertex_ms, 3),
           ts_bench_cell(c[3], 32, r->geometry_ms, 3), ts_bench_cell(c[4], 32, r->raster_ms, 3),
           ts_bench_cell(c[11], 32, r->raster_busy, 2), ts_bench_cell(c[5], 32, r->queue_ms, 3),
           ts_bench_cell(c[9], 32, r->post_ms, 3), ts_bench_cell(c[10], 32, r->write_ms, 3),
           ts_bench_cell(c[6], 32, r->tris_per_s * 1e-6, 2), ts_bench_cell(c[7], 32, r->pixels_per_s * 1e-6, 2));
    if (peer)
        printf("  %6s%s%s", ts_bench_cell(c[8], 32, r->vs_gl, 2), r->renderer[0] ? "  " : "", r->renderer);
    putchar('\n');
    fflush(stdout);
}

/* ---- CSV and JSON: the same columns, in the same order ------------------- */

static void write_csv(FILE *f, const row *rows, int n) {
    fprintf(f, "scene,width,height,isa,pipeline,threads,msaa,frames,tris,median_ms,min_ms,vertex_ms,"
               "geometry_ms,raster_ms,raster_busy,queue_ms,post_ms,write_ms,tris_per_s,pixels_per_s,backend,"
               "renderer,vs_gl,zoom,post\n");
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        ts_csv_str(f, r->scene);
        fprintf(f, ",%d,%d,", r->width, r->height);
        ts_csv_str(f, r->isa);
        fputc(',', f);
        ts_csv_str(f, r->pipeline);
        fprintf(f, ",%d,%d,%d,%u", r->threads, r->msaa, r->frames, r->tris);
        const double nums[] = {r->median_ms,   r->min_ms,   r->vertex_ms, r->geometry_ms, r->raster_ms,
                               r->raster_busy, r->queue_ms, r->post_ms,   r->write_ms};
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            fputc(',', f);
            ts_csv_num(f, nums[k], 4);
        }
        fputc(',', f);
        ts_csv_num(f, r->tris_per_s, 0);
        fputc(',', f);
        ts_csv_num(f, r->pixels_per_s, 0);
        fputc(',', f);
        ts_csv_str(f, r->backend);
        fputc(',', f);
        ts_csv_str(f, r->renderer[0] ? r->renderer : NULL);
        fputc(',', f);
        ts_csv_num(f, r->vs_gl, 4);
        fputc(',', f);
        ts_csv_num(f, r->zoom, 4);
        fputc(',', f);
        ts_csv_str(f, r->post);
        fputc('\n', f);
    }
}

static void write_json(FILE *f, const row *rows, int n) {
    fprintf(f, "[\n");
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        fputs("  {\"scene\": ", f);
        ts_json_str(f, r->scene);
        fprintf(f, ", \"width\": %d, \"height\": %d, \"isa\": ", r->width, r->height);
        ts_json_str(f, r->isa);
        fputs(", \"pipeline\": ", f);
        ts_json_str(f, r->pipeline);
        fprintf(f, ", \"threads\": %d, \"msaa\": %d, \"frames\": %d, \"tris\": %u", r->threads,
                r->msaa, r->frames, r->tris);
        const struct {
            const char *key;
            double v;
            int decimals;
        } nums[] = {
            {"median_ms", r->median_ms, 4}, {"min_ms", r->min_ms, 4},
            {"vertex_ms", r->vertex_ms, 4}, {"geometry_ms", r->geometry_ms, 4},
            {"raster_ms", r->raster_ms, 4}, {"raster_busy", r->raster_busy, 4},
            {"queue_ms", r->queue_ms, 4},
            {"post_ms", r->post_ms, 4},     {"write_ms", r->write_ms, 4},
            {"tris_per_s", r->tris_per_s, 0}, {"pixels_per_s", r->pixels_per_s, 0},
        };
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            fprintf(f, ", \"%s\": ", nums[k].key);
            ts_json_num(f, nums[k].v, nums[k].decimals);
        }
        fputs(", \"backend\": ", f);
        ts_json_str(f, r->backend);
        fputs(", \"renderer\": ", f);
        ts_json_str(f, r->renderer[0] ? r->renderer : NULL);
        fputs(", \"vs_gl\": ", f);
        ts_json_num(f, r->vs_gl, 4);
        fputs(", \"zoom\": ", f);
        ts_json_num(f, r->zoom, 4);
        fputs(", \"post\": ", f);
        ts_json_str(f, r->post);
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "]\n");
}

/* --write: every frame is written as PNG where the frame is assembled (the
 * renderer's render thread), as tessera-render writes its picture. The
 * first failure is kept and stops the bench. */
typedef struct png_sink {
    const char *path;
    ts_result res;
    ts_error err;
} png_sink;

static void write_frame(void *user, uint32_t frame, const uint8_t *rgba, const float *depth, int width,
                        int height) {
    (void)frame;
    (void)depth;
    png_sink *sink = user;
    if (sink->res == TS_OK) sink->res = ts_png_write(sink->path, width, height, rgba, &sink->err);
}

/* One configuration being timed: its renderer and the frames it has
 * drawn so far. Per frame: t its time, stage[0..5] the stage times as the
 * row's columns, stage[6] the raster phase's busy share. */
enum { STAGES = 7 };
typedef struct timing {
    ts_renderer *r; /* NULL when it could not be made or a frame failed */
    ts_renderer_desc desc;
    ts_post_backend post;
    int frames; /* timed so far */
    double *t, *stage[STAGES];
    uint64_t fragments; /* the last frame's shaded pixels */
} timing;

static void timing_close(timing *tm) {
    ts_renderer_destroy(tm->r);
    for (int s = 0; s < STAGES; s++) free(tm->stage[s]);
    free(tm->t);
    *tm = (timing){0};
}

/* Makes the renderer of one configuration, with room for `capacity`
 * timed frames; when it cannot be made, says so and leaves tm->r NULL. */
static void timing_open(timing *tm, const char *scene, int w, int h, ts_renderer_desc desc, int capacity) {
    ts_error err = {0};
    *tm = (timing){.desc = desc};
    tm->desc.width = w;
    tm->desc.height = h;
    bool ok = (tm->t = malloc((size_t)capacity * sizeof *tm->t)) != NULL;
    for (int s = 0; s < STAGES; s++) ok = (tm->stage[s] = malloc((size_t)capacity * sizeof *tm->stage[s])) && ok;
    if (!ok) {
        fprintf(stderr, PROG ": skipping %s: out of memory\n", scene);
    } else if (ts_renderer_create(&tm->desc, &tm->r, &err) != TS_OK) {
        fprintf(stderr, PROG ": skipping %s: %s\n", scene, err.message);
        tm->r = NULL;
    } else {
        const char *post_note;
        tm->post = ts_renderer_post(tm->r, &post_note);
        if (post_note[0]) ts_cli_warn((void *)PROG, post_note);
        return;
    }
    timing_close(tm);
}

/* Draws one untimed frame, which brings this configuration's data back
 * into the caches, and then `frames` timed ones. False (with a message,
 * the renderer destroyed) when a frame cannot be drawn or --write fails. */
static bool timing_run(timing *tm, const ts_model *model, const char *scene, const ts_view_desc *view,
                       int frames) {
    ts_error err = {0};
    ts_frame_stats st = {0};
    for (int f = -1; f < frames; f++) {
        double t0 = ts_cli_now_ms();
        if (ts_renderer_draw(tm->r, model, view, &err) != TS_OK) {
            fprintf(stderr, PROG ": %s: %s\n", scene, err.message);
            timing_close(tm);
            return false;
        }
        ts_renderer_stats(tm->r, &st); /* waits for the frame */
        double t1 = ts_cli_now_ms();
        if (f < 0) continue;
        int i = tm->frames++;
        tm->t[i] = t1 - t0;
        tm->stage[0][i] = st.vertex_ms;
        tm->stage[1][i] = st.geometry_ms;
        tm->stage[2][i] = st.raster_ms;
        tm->stage[3][i] = st.queue_ms;
        tm->stage[4][i] = st.post_ms;
        tm->stage[5][i] = st.present_ms;
        tm->stage[6][i] = st.raster_busy;
    }
    tm->fragments = st.fragments;
    const png_sink *sink = tm->desc.on_frame_user;
    if (tm->desc.on_frame && sink->res != TS_OK) {
        fprintf(stderr, PROG ": error: --write: %s\n", sink->err.message);
        timing_close(tm);
        return false;
    }
    return true;
}

/* The row of a timed configuration (medians over all its frames). */
static row timing_row(timing *tm, const ts_model *model, const char *scene, const ts_view_desc *view) {
    const ts_renderer_desc *desc = &tm->desc;
    int n = tm->frames;
    /* ts_cli_median() sorts in place, so the minimum is t[0] only after it:
     * the two are computed here, not in the initializer list below,
     * whose expressions C leaves unsequenced. */
    double median_ms = ts_cli_median(tm->t, n);
    double min_ms = tm->t[0];
    row out = {
        .backend = "tessera",
        .scene = scene,
        .width = desc->width,
        .height = desc->height,
        .isa = desc->reference ? "scalar" : ts_isa_name(ts_renderer_isa(tm->r)),
        .pipeline = desc->reference ? "reference" : "tiled",
        .threads = ts_renderer_threads(tm->r),
        .msaa = ts_renderer_msaa(tm->r),
        .frames = n,
        .tris = ts_model_triangle_count(model),
        .vertex_ms = ts_cli_median(tm->stage[0], n),
        .geometry_ms = ts_cli_median(tm->stage[1], n),
        .raster_ms = ts_cli_median(tm->stage[2], n),
        .raster_busy = ts_cli_median(tm->stage[6], n),
        .queue_ms = ts_cli_median(tm->stage[3], n),
        .post_ms = tm->post != TS_POST_NONE ? ts_cli_median(tm->stage[4], n) : TS_NO_VALUE,
        .post = ts_post_backend_name(tm->post),
        .write_ms = desc->on_frame ? ts_cli_median(tm->stage[5], n) : TS_NO_VALUE,
        .vs_gl = TS_NO_VALUE,
        .zoom = view->zoom > 0.0f ? (double)view->zoom : 1.0,
        .median_ms = median_ms,
        .min_ms = min_ms,
    };
    out.tris_per_s = (double)out.tris / (out.median_ms * 1e-3);
    out.pixels_per_s = (double)tm->fragments / (out.median_ms * 1e-3);
    if (desc->reference) {
        /* The reference pipeline sets triangles up inside its raster
         * loop, hands the frame over without a queue and counts no
         * shaded pixels: its stats hold 0 for figures it does not have. */
        out.geometry_ms = out.raster_busy = out.queue_ms = out.pixels_per_s = TS_NO_VALUE;
    }
    return out;
}

/* What the renderer makes of a thread count (0: one per core), so that
 * the peer runs with the count tessera's rows show. */
static int resolved_threads(int threads) { return threads ? threads : ts_default_threads(); }

/* Times the OpenGL peer for one scene, size and thread count into *out (a
 * gl row: no ISA, pipeline or stage split, which belong to tessera, and no
 * shaded-pixel count, which GL does not report); on failure `why` says why. */
static ts_peer_status run_peer(const char *model_arg, const char *scene, int w, int h,
                               const ts_view_desc *view, int frames, int threads, row *out,
                               char *why, size_t n) {
    ts_peer_run run = {.model = model_arg,
                       .width = w,
                       .height = h,
                       .shading = view->shading,
                       .zoom = view->zoom,
                       .frames = frames,
                       .threads = threads};
    ts_peer_result res;
    ts_peer_status st = ts_peer_gl_run(&run, &res);
    if (st != TS_PEER_OK) {
        snprintf(why, n, "%s", res.message);
        return st;
    }
    *out = (row){
        .backend = "gl",
        .scene = scene,
        .width = w,
        .height = h,
        .threads = threads,
        .msaa = 1,
        .frames = frames,
        .tris = res.tris,
        .median_ms = res.median_ms,
        .min_ms = res.min_ms,
        .vertex_ms = TS_NO_VALUE,
        .geometry_ms = TS_NO_VALUE,
        .raster_ms = TS_NO_VALUE,
        .raster_busy = TS_NO_VALUE,
        .queue_ms = TS_NO_VALUE,
        .post_ms = TS_NO_VALUE,
        .write_ms = TS_NO_VALUE,
        .tris_per_s = (double)res.tris / (res.median_ms * 1e-3),
        .pixels_per_s = TS_NO_VALUE,
        .vs_gl = TS_NO_VALUE,
        .zoom = view->zoom > 0.0f ? (double)view->zoom : 1.0,
    };
    snprintf(out->renderer, sizeof out->renderer, "%s", res.renderer);
    return TS_PEER_OK;
}

int main(int argc, char **argv) {
    ts_cli_check_stdout(PROG);
    char default_scenes[] = "builtin:sphere-fine,/usr/share/glmark2/models/bunny.obj";
    char default_sizes[] = "1920x1080", default_isas[] = "auto", default_threads[] = "0";
    char *scene_arg = default_scenes, *size_arg = default_sizes, *isa_arg = default_isas,
         *thread_arg = default_threads;
    const char *csv = NULL, *json = NULL;
    png_sink sink = {0}; /* --write */
    int frames = 10, msaa = 1, rounds = 1;
    bool reference = false, peer = false;
    ts_view_desc view = {0};
    ts_post_desc post = {0};
    const char *sweep = NULL; /* --sweep's plan */
    int other_options = 0;    /* options that do not go with --sweep */

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--reference")) {
            reference = true;
            other_options++;
            continue;
        } else if (!strcmp(a, "--sweep")) {
            /* The plan is optional: a next argument that is not an option. */
            sweep = "full";
            if (val && val[0] != '-') {
                sweep = val;
                i++;
            }
            if (!ts_sweep_plan_known(sweep))
                return fail("--sweep %s: expected a plan, one of %s", sweep, ts_sweep_plan_list());
            continue;
        }
        int took = ts_cli_post_option(PROG, a, val, &post);
        if (took < 0) return -took;
        if (took > 0) {
            i += took - 1;
            other_options++;
            continue;
        }
        static const char *const with_value[] = {"--scene", "--size", "--isa", "--threads", "--csv", "--write",
                                                 "--json", "--peer", "--frames", "--rounds", "--shading", "--zoom",
                                                 "--msaa"};
        bool known = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++) known |= !strcmp(a, with_value[k]);
        if (!known && a[0] != '-') return ts_cli_usage_fail(PROG, "%s: not an option (scenes go after --scene)", a);
        if (!known) return ts_cli_usage_fail(PROG, "unknown option %s", a);
        if (!val) return ts_cli_usage_fail(PROG, "%s needs a value", a);
        i++;
        if (strcmp(a, "--csv") && strcmp(a, "--json")) other_options++;
        if (!strcmp(a, "--scene")) scene_arg = val;
        else if (!strcmp(a, "--size")) size_arg = val;
        else if (!strcmp(a, "--isa")) isa_arg = val;
        else if (!strcmp(a, "--threads")) thread_arg = val;
        else if (!strcmp(a, "--csv")) csv = val;
        else if (!strcmp(a, "--write")) sink.path = val;
        else if (!strcmp(a, "--json")) json = val;
        else if (!strcmp(a, "--peer")) {
            if (strcmp(val, "gl"))
                return fail("--peer %s: expected gl (the OpenGL peer, tessera-gl)", val);
            peer = true;
        }
        else if (!strcmp(a, "--frames")) {
            long n;
            if (!ts_cli_parse_int(val, 1, MAX_FRAMES, &n))
                return fail("--frames %s: expected a whole number from 1 to %d", val, MAX_FRAMES);
            frames = (int)n;
        } else if (!strcmp(a, "--rounds")) {
            long n;
            if (!ts_cli_parse_int(val, 1, MAX_ROUNDS, &n))
                return fail("--rounds %s: expected a whole number from 1 to %d", val, MAX_ROUNDS);
            rounds = (int)n;
        } else if (!strcmp(a, "--shading")) {
            if (!ts_shading_parse(val, &view.shading))
                return fail("--shading %s: expected studio, unlit, normals, depth or textured", val);
        } else if (!strcmp(a, "--zoom")) {
            if (!ts_cli_parse_zoom(val, &view.zoom))
                return fail(TS_CLI_ZOOM_ERROR, val, (double)TS_MIN_ZOOM, (double)TS_MAX_ZOOM);
        } else if (!strcmp(a, "--msaa")) {
            if (strcmp(val, "1") && strcmp(val, "4")) return fail("--msaa %s: expected 1 or 4", val);
            msaa = atoi(val);
        }
    }

    ts_cli_post_warn_unused(PROG, &post);
    if (sweep) {
        if (other_options)
            return fail("--sweep %s: its scenes, sizes, chains and backends are fixed; only --csv and --json "
                        "go with it", sweep);
        return ts_sweep_run(sweep, csv, json);
    }

    char *scenes[MAX_LIST], *sizes[MAX_LIST], *isas[MAX_LIST], *threads[MAX_LIST];
    int ns = split(scene_arg, scenes), nz = split(size_arg, sizes), ni = split(isa_arg, isas),
        nt = split(thread_arg, threads);
    if (ns < 1 || nz < 1 || ni < 1 || nt < 1) return fail("lists take 1 to %d items", MAX_LIST);
    /* The outputs: none of them a scene's file, and --write's PNG (written
     * during the run) writable before it. */
    const char *const outs[][2] = {{"--csv", csv}, {"--json", json}, {"--write", sink.path}};
    for (int i = 0; i < ns; i++)
        for (size_t k = 0; k < sizeof outs / sizeof outs[0]; k++)
            if (outs[k][1] && ts_cli_same_file(outs[k][1], scenes[i]))
                return fail("%s %s: that is the file of scene %s", outs[k][0], outs[k][1], scenes[i]);
    if (sink.path && !ts_cli_out_check(PROG, sink.path)) return 1;

    int wh[MAX_LIST][2];
    for (int i = 0; i < nz; i++)
        if (!ts_cli_parse_size(sizes[i], &wh[i][0], &wh[i][1]))
            return fail("--size %s: expected WxH, each side a whole number from 1 to %d", sizes[i],
                        TS_MAX_FRAME_DIM);
    ts_isa isa_list[TS_ISA_COUNT * MAX_LIST];
    int nisa = 0;
    for (int i = 0; i < ni; i++) {
        if (!strcmp(isas[i], "all")) {
            for (int k = TS_ISA_SCALAR; k < TS_ISA_COUNT; k++)
                if (ts_isa_supported((ts_isa)k)) isa_list[nisa++] = (ts_isa)k;
        } else if (!ts_isa_parse(isas[i], &isa_list[nisa++])) {
            return fail("--isa %s: expected scalar, sse4, avx2, avx512, neon, auto or all", isas[i]);
        }
    }
    int thread_list[MAX_LIST];
    for (int i = 0; i < nt; i++) {
        long n;
        if (!ts_cli_parse_int(threads[i], 0, TS_MAX_THREADS, &n))
            return fail("--threads %s: expected a whole number from 0 (one per core) to %d",
                        threads[i], TS_MAX_THREADS);
        thread_list[i] = (int)n;
    }

    int nconf = nisa * nt + (reference ? 1 : 0);
    if (rounds > 1 && nconf > MAX_CONFIGS)
        return fail("--rounds %d: at most %d configurations take turns (ISAs x thread counts, and the "
                    "reference), not %d", rounds, MAX_CONFIGS, nconf);
    if ((long)frames * rounds > MAX_FRAMES)
        return fail("--frames %d --rounds %d: at most %d frames per configuration in all", frames, rounds,
                    MAX_FRAMES);
    if (peer && msaa != 1)
        return fail("--peer gl: the OpenGL peer draws single-sampled; it cannot be compared at "
                    "--msaa %d", msaa);
    /* The peer runs once per distinct thread count, as the renderer resolves
     * them: 0 and the number of cores are the same configuration. */
    int peer_threads[MAX_LIST], npeer = 0;
    for (int i = 0; peer && i < nt; i++) {
        int t = resolved_threads(thread_list[i]);
        bool seen = false;
        for (int k = 0; k < npeer; k++) seen = seen || peer_threads[k] == t;
        if (!seen) peer_threads[npeer++] = t;
    }

    int per_size = nconf + npeer;
    int total = ns * nz * per_size;
    row *rows = calloc((size_t)total, sizeof *rows);
    if (!rows) return fail("out of memory");
    ts_file_out csv_out = {0}, json_out = {0};
    if ((csv && !ts_cli_out_open(PROG, &csv_out, csv)) || (json && !ts_cli_out_open(PROG, &json_out, json))) {
        ts_file_out_discard(&csv_out);
        free(rows);
        return 1;
    }
    int nrows = 0, done = 0;
    int peer_failed = 0, peer_status = 0; /* gl rows missing; the first failure's exit status */
    bool peer_on = peer; /* off once the peer cannot run at all */
    bool progress = isatty(STDERR_FILENO);

    print_header(peer);
    int status = 0;
    for (int s = 0; s < ns; s++) {
        ts_model model;
        ts_error err = {0};
        if (ts_model_open(scenes[s], &model, &err, NULL, NULL) != TS_OK) {
            /* The rows measured so far are still written. */
            status = fail("%s", err.message);
            break;
        }
        const char *slash = strrchr(scenes[s], '/');
        const char *name = slash ? slash + 1 : scenes[s];
        for (int z = 0; z < nz; z++) {
            /* The peer first, so that tessera's rows can print their ratio
             * to it as they come. */
            int group = nrows;
            for (int p = 0; p < npeer; p++, done++) {
                if (!peer_on) {
                    peer_failed++;
                    continue;
                }
                if (progress)
                    fprintf(stderr, "\r" PROG ": %d/%d configurations", done, total);
                char why[512];
                ts_peer_status st = run_peer(scenes[s], name, wh[z][0], wh[z][1], &view, frames,
                                             peer_threads[p], &rows[nrows], why, sizeof why);
                if (progress) fprintf(stderr, "\r%40s\r", "");
                if (st == TS_PEER_OK) {
                    print_row(&rows[nrows++], peer);
                    continue;
                }
                peer_failed++;
                if (!peer_status) peer_status = st == TS_PEER_NO_GL ? EXIT_NO_GL : 1;
                if (st == TS_PEER_MISSING || st == TS_PEER_NO_GL) {
                    /* It will not work for the next configuration either. */
                    fprintf(stderr,
                            PROG ": warning: --peer gl: %s%s; continuing without the peer\n",
                            st == TS_PEER_MISSING ? "no peer: " : "", why);
                    peer_on = false;
                } else {
                    fprintf(stderr, PROG ": warning: --peer gl: %s %dx%d threads=%d: %s\n", name,
                            wh[z][0], wh[z][1], peer_threads[p], why);
                }
            }
            /* Without --rounds one configuration is made, timed and
             * destroyed after the other; with it all of the size's are
             * made first and take turns. */
            int per_turn = rounds > 1 ? nconf : 1;
            for (int c0 = 0; c0 < nconf; c0 += per_turn) {
                timing tm[MAX_CONFIGS];
                for (int c = c0; c < c0 + per_turn; c++) {
                    ts_renderer_desc desc = {.msaa = msaa, .post = post};
                    if (sink.path) {
                        desc.on_frame = write_frame;
                        desc.on_frame_user = &sink;
                    }
                    if (c == nisa * nt) {
                        desc.reference = true;
                    } else {
                        desc.isa = isa_list[c / nt];
                        desc.threads = thread_list[c % nt];
                    }
                    timing_open(&tm[c - c0], name, wh[z][0], wh[z][1], desc, frames * rounds);
                }
                for (int round = 0; round < rounds; round++) {
                    for (int c = 0; c < per_turn; c++) {
                        if (!tm[c].r) continue;
                        if (progress) {
                            fprintf(stderr, "\r" PROG ": %d/%d configurations", done + c, total);
                            if (rounds > 1) fprintf(stderr, ", round %d/%d", round + 1, rounds);
                        }
                        if (!timing_run(&tm[c], &model, name, &view, frames) && sink.res != TS_OK) {
                            /* It would fail the same way for every configuration. */
                            for (int k = 0; k < per_turn; k++) timing_close(&tm[k]);
                            ts_model_free(&model);
                            ts_file_out_discard(&csv_out);
                            ts_file_out_discard(&json_out);
                            free(rows);
                            return 1;
                        }
                        if (progress) fprintf(stderr, "\r%60s\r", "");
                    }
                }
                for (int c = 0; c < per_turn; c++, done++) {
                    if (!tm[c].r) continue;
                    row *r = &rows[nrows++];
                    *r = timing_row(&tm[c], &model, name, &view);
                    for (int g = group; g < nrows; g++)
                        if (!strcmp(rows[g].backend, "gl") && rows[g].threads == r->threads)
                            r->vs_gl = r->median_ms / rows[g].median_ms;
                    print_row(r, peer);
                    timing_close(&tm[c]);
                }
            }
        }
        ts_model_free(&model);
    }
    if (progress) fprintf(stderr, "\r%40s\r", "");

    /* Every configuration skipped (an ISA this CPU lacks, say) is a run
     * that measured nothing: an error, and no files. */
    if (!nrows && !status) status = fail("nothing was measured: no configuration could run here (see above)");
    if (csv_out.f && nrows) write_csv(csv_out.f, rows, nrows);
    if (json_out.f && nrows) write_json(json_out.f, rows, nrows);
    status |= ts_cli_out_end(PROG, &csv_out, csv, nrows > 0) | ts_cli_out_end(PROG, &json_out, json, nrows > 0);
    free(rows);
    if (peer_failed) {
        fprintf(stderr,
                PROG ": error: --peer gl: %d of %d gl rows are missing (see the warnings above)\n",
                peer_failed, ns * nz * npeer);
        if (!status) status = peer_status;
    }
    return status;
}
