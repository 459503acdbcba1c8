/* bench_sweep.c — tessera-bench --sweep (bench_sweep.h): every chain on
 * every post-processing backend at every size of a plan, the OpenGL peer
 * beside them, then the crossover and the overlap gain read off the
 * medians. Runs on the main thread; each configuration is a renderer of
 * its own, made, timed and destroyed before the next.
 *
 * Honest figures only: a GPU backend that falls back to cpu is reported as
 * absent and never timed as if it ran; device stages come from the
 * backend's own timers (ts_frame_stats.post_*_ms), and a stage that was
 * not measured is null in the JSON and empty in the CSV, never 0. */
#define _POSIX_C_SOURCE 200809L

#include "bench_sweep.h"

#include "bench_out.h"
#include "cli_args.h"
#include "bench_peer.h"
#include "tessera.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "tessera-bench"

/* ---- what is swept --------------------------------------------------- */

#define MAX_SCENES 2
#define MAX_SIZES 5

typedef struct plan {
    const char *name;
    const char *scenes[MAX_SCENES];
    int nscenes;
    int sizes[MAX_SIZES][2];
    int nsizes;
    /* Timed frames per configuration (after one warm-up): more where
     * frames are cheap, fewer at 2560x1440 and up, so the full plan stays
     * within minutes on a small machine (about 5 on 2 busy cores, where
     * llvmpipe's gl chain at 3840x2160 takes seconds a frame). */
    int frames_small, frames_large;
} plan;

static const plan plans[] = {
    {"quick", {"builtin:showcase"}, 1, {{640, 360}}, 1, 3, 3},
    {"full",
     {"builtin:showcase"},
     1,
     {{640, 360}, {1280, 720}, {1920, 1080}, {2560, 1440}, {3840, 2160}},
     5,
     11,
     7},
};
#define NPLANS ((int)(sizeof plans / sizeof plans[0]))

static const plan *find_plan(const char *name) {
    for (int i = 0; i < NPLANS; i++)
        if (name && !strcmp(plans[i].name, name)) return &plans[i];
    return NULL;
}

bool ts_sweep_plan_known(const char *name) { return find_plan(name) != NULL; }
const char *ts_sweep_plan_list(void) { return "quick, full"; }

/* The chains: which stages run (docs/POST.md). "none" keeps only the
 * exposure and the 8-bit encode, so on a GPU backend it is what the
 * transfers cost; "tonemap" adds the tone map and sRGB; "full" is the
 * whole chain. */
enum { CHAIN_NONE, CHAIN_TONEMAP, CHAIN_FULL, CHAIN_COUNT };
static const char *const chain_names[CHAIN_COUNT] = {"none", "tonemap", "full"};

static ts_post_desc chain_desc(int chain, ts_post_backend backend, ts_post_upload upload) {
    ts_post_desc d = {.backend = backend, .upload = upload};
    if (chain == CHAIN_NONE) d.no_bloom = d.no_tonemap = d.no_fxaa = d.no_srgb = true;
    if (chain == CHAIN_TONEMAP) d.no_bloom = d.no_fxaa = true;
    return d;
}

/* A series: one line on the charts, one backend at one setting. */
typedef struct series {
    const char *name;
    ts_post_backend backend; /* TS_POST_NONE: the raster alone, no chain */
    ts_post_upload upload;
    bool one_thread; /* a single worker thread; else one per core */
} series;

static const series all_series[] = {
    {"raster", TS_POST_NONE, TS_POST_UPLOAD_TILES, false},
    {"cpu-1t", TS_POST_CPU, TS_POST_UPLOAD_TILES, true},
    {"cpu-all", TS_POST_CPU, TS_POST_UPLOAD_TILES, false},
    {"gl", TS_POST_GL, TS_POST_UPLOAD_TILES, false},
    {"gl-frame", TS_POST_GL, TS_POST_UPLOAD_FRAME, false},
    {"cuda", TS_POST_CUDA, TS_POST_UPLOAD_TILES, false},
    {"cuda-frame", TS_POST_CUDA, TS_POST_UPLOAD_FRAME, false},
};
#define NSERIES ((int)(sizeof all_series / sizeof all_series[0]))
#define PEER_SERIES "peer-gl"

/* ---- the machine ------------------------------------------------------ */

typedef struct gpu_backend {
    ts_post_backend kind;
    bool present;
    char device[512]; /* its description, or why it is absent */
} gpu_backend;

typedef struct machine {
    char cpu[256];
    int cores;   /* online */
    int threads; /* the renderer's workers at threads = 0 */
    char isa[32];
    gpu_backend gl, cuda;
    bool peer;              /* tessera-gl can run */
    char peer_renderer[256]; /* its GL_RENDERER, once it ran */
    char peer_why[512];      /* why not, when it cannot */
} machine;

/* The CPU's model name from /proc/cpuinfo ("model name" on x86, "Hardware"
 * or "CPU part" elsewhere); "unknown" when it does not say. */
static void cpu_model(char *out, size_t n) {
    snprintf(out, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) && strncmp(line, "Hardware", 8)) continue;
        const char *v = strchr(line, ':');
        if (!v) continue;
        for (v++; *v == ' ' || *v == '\t'; v++) {}
        snprintf(out, n, "%.*s", (int)strcspn(v, "\n"), v);
        break;
    }
    fclose(f);
}

static void probe_gpu(gpu_backend *g, ts_post_backend kind) {
    ts_error err = {0};
    g->kind = kind;
    g->present = ts_post_backend_describe(kind, g->device, sizeof g->device, &err) == TS_OK;
    if (!g->present) snprintf(g->device, sizeof g->device, "%s", err.message);
}

static void describe_machine(machine *m) {
    memset(m, 0, sizeof *m);
    cpu_model(m->cpu, sizeof m->cpu);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    m->cores = n > 0 ? (int)n : 1;
    ts_renderer_desc desc = {.width = 64, .height = 64};
    ts_renderer *r = NULL;
    if (ts_renderer_create(&desc, &r, NULL) == TS_OK) {
        m->threads = ts_renderer_threads(r);
        snprintf(m->isa, sizeof m->isa, "%s", ts_isa_name(ts_renderer_isa(r)));
        ts_renderer_destroy(r);
    } else {
        m->threads = m->cores;
        snprintf(m->isa, sizeof m->isa, "%s", ts_isa_name(ts_isa_best()));
    }
    probe_gpu(&m->gl, TS_POST_GL);
    probe_gpu(&m->cuda, TS_POST_CUDA);
    m->peer = true; /* until a run says otherwise */
}

static const gpu_backend *gpu_of(const machine *m, ts_post_backend b) {
    return b == TS_POST_GL ? &m->gl : b == TS_POST_CUDA ? &m->cuda : NULL;
}

/* ---- one configuration ------------------------------------------------- */

typedef struct sweep_row {
    const char *scene;
    int width, height;
    const char *chain;  /* "-" for the raster alone and the peer */
    const char *series; /* all_series[].name or PEER_SERIES */
    const char *backend, *upload;
    int threads, frames;
    /* Medians over the timed frames, in ms. raster: vertex + geometry +
     * raster phases; queue: the last tile's hand-over; post: the render
     * thread's time in the chain after the last tile (host clock); upload,
     * kernel, readback: the backend's own timers (ts_frame_stats). */
    double median_ms, min_ms, raster_ms, queue_ms, post_ms, upload_ms, kernel_ms, readback_ms;
    double post_pixels_per_s; /* the frame's pixels / post_ms */
} sweep_row;

/* A stage's median, TS_NO_VALUE when it was never measured (every frame 0). */
static double measured(double *v, int n) {
    double m = ts_cli_median(v, n);
    return m > 0.0 ? m : TS_NO_VALUE;
}

enum { ST_TOTAL, ST_RASTER, ST_QUEUE, ST_POST, ST_UPLOAD, ST_KERNEL, ST_READBACK, ST_COUNT };

/* Times one series and chain at one size into *out. Returns 1 when timed,
 * 0 when the backend fell back (absent: `why` says why), -1 on an error
 * (`why` too). */
static int measure(const ts_model *model, const char *scene, int w, int h, const series *s, int chain,
                   int frames, sweep_row *out, char *why, size_t n) {
    ts_renderer_desc desc = {.width = w, .height = h, .threads = s->one_thread ? 1 : 0};
    if (s->backend != TS_POST_NONE) desc.post = chain_desc(chain, s->backend, s->upload);
    ts_renderer *r = NULL;
    ts_error err = {0};
    if (ts_renderer_create(&desc, &r, &err) != TS_OK) {
        snprintf(why, n, "%s", err.message);
        return -1;
    }
    const char *note = "";
    if (ts_renderer_post(r, &note) != s->backend) {
        snprintf(why, n, "%s", note[0] ? note : "the backend asked for is not the one that runs");
        ts_renderer_destroy(r);
        return 0;
    }
    double *v = malloc((size_t)frames * ST_COUNT * sizeof *v);
    if (!v) {
        snprintf(why, n, "out of memory");
        ts_renderer_destroy(r);
        return -1;
    }
    const ts_view_desc view = {0};
    int res = 1;
    for (int f = -1; f < frames; f++) { /* frame -1 warms up */
        double t0 = ts_cli_now_ms();
        if (ts_renderer_draw(r, model, &view, &err) != TS_OK) {
            snprintf(why, n, "%s", err.message);
            res = -1;
            break;
        }
        ts_frame_stats st;
        ts_renderer_stats(r, &st); /* waits for the frame */
        double t1 = ts_cli_now_ms();
        if (f < 0) continue;
        if (s->backend != TS_POST_NONE && st.post_backend != s->backend) {
            /* It failed mid-run and gave way to cpu: its figures are not
             * its own. */
            snprintf(why, n, "the %s backend failed during the run and gave way to %s",
                     ts_post_backend_name(s->backend), ts_post_backend_name(st.post_backend));
            res = 0;
            break;
        }
        v[ST_TOTAL * frames + f] = t1 - t0;
        v[ST_RASTER * frames + f] = st.vertex_ms + st.geometry_ms + st.raster_ms;
        v[ST_QUEUE * frames + f] = st.queue_ms;
        v[ST_POST * frames + f] = st.post_ms;
        v[ST_UPLOAD * frames + f] = st.post_upload_ms;
        v[ST_KERNEL * frames + f] = st.post_kernel_ms;
        v[ST_READBACK * frames + f] = st.post_readback_ms;
    }
    if (res == 1) {
        bool post = s->backend != TS_POST_NONE;
        double *total = &v[ST_TOTAL * frames];
        double med = ts_cli_median(total, frames), min = total[0]; /* sorted by ts_cli_median() */
        *out = (sweep_row){
            .scene = scene,
            .width = w,
            .height = h,
            .chain = post ? chain_names[chain] : "-",
            .series = s->name,
            .backend = ts_post_backend_name(s->backend),
            .upload = !post || s->backend == TS_POST_CPU ? "-" : s->upload == TS_POST_UPLOAD_FRAME ? "frame" : "tile",
            .threads = ts_renderer_threads(r),
            .frames = frames,
            .median_ms = med,
            .min_ms = min,
            .raster_ms = ts_cli_median(&v[ST_RASTER * frames], frames),
            .queue_ms = ts_cli_median(&v[ST_QUEUE * frames], frames),
            .post_ms = post ? ts_cli_median(&v[ST_POST * frames], frames) : TS_NO_VALUE,
            .upload_ms = measured(&v[ST_UPLOAD * frames], frames),
            .kernel_ms = measured(&v[ST_KERNEL * frames], frames),
            .readback_ms = measured(&v[ST_READBACK * frames], frames),
        };
        out->post_pixels_per_s =
            post && out->post_ms > 0.0 ? (double)w * (double)h / (out->post_ms * 1e-3) : TS_NO_VALUE;
    }
    free(v);
    ts_renderer_destroy(r);
    return res;
}

/* The peer at one size, all cores: a row with its frame time only. */
static ts_peer_status measure_peer(const char *scene_arg, const char *scene, int w, int h, int frames,
                                   int threads, sweep_row *out, char *renderer, size_t rn, char *why,
                                   size_t n) {
    ts_peer_run run = {.model = scene_arg, .width = w, .height = h, .frames = frames, .threads = threads};
    ts_peer_result res;
    ts_peer_status st = ts_peer_gl_run(&run, &res);
    if (st != TS_PEER_OK) {
        snprintf(why, n, "%s", res.message);
        return st;
    }
    snprintf(renderer, rn, "%s", res.renderer);
    *out = (sweep_row){
        .scene = scene,
        .width = w,
        .height = h,
        .chain = "-",
        .series = PEER_SERIES,
        .backend = "tessera-gl",
        .upload = "-",
        .threads = threads,
        .frames = frames,
        .median_ms = res.median_ms,
        .min_ms = res.min_ms,
        .raster_ms = TS_NO_VALUE,
        .queue_ms = TS_NO_VALUE,
        .post_ms = TS_NO_VALUE,
        .upload_ms = TS_NO_VALUE,
        .kernel_ms = TS_NO_VALUE,
        .readback_ms = TS_NO_VALUE,
        .post_pixels_per_s = TS_NO_VALUE,
    };
    return TS_PEER_OK;
}

/* ---- the table ------------------------------------------------------- */

static void print_header(void) {
    printf("%-18s %11s %-7s %-10s %3s  %9s %9s  %8s %8s %8s %8s %8s %8s  %9s\n", "scene", "size", "chain",
           "series", "thr", "median_ms", "min_ms", "raster", "queue", "post", "upload", "kernel", "readback",
           "post_Mpx/s");
}

static void print_row(const sweep_row *r) {
    char c[9][32];
    printf("%-18s %5dx%-5d %-7s %-10s %3d  %9s %9s  %8s %8s %8s %8s %8s %8s  %9s\n", r->scene, r->width,
           r->height, r->chain, r->series, r->threads, ts_bench_cell(c[0], 32, r->median_ms, 3),
           ts_bench_cell(c[1], 32, r->min_ms, 3), ts_bench_cell(c[2], 32, r->raster_ms, 3),
           ts_bench_cell(c[3], 32, r->queue_ms, 3), ts_bench_cell(c[4], 32, r->post_ms, 3),
           ts_bench_cell(c[5], 32, r->upload_ms, 3), ts_bench_cell(c[6], 32, r->kernel_ms, 3),
           ts_bench_cell(c[7], 32, r->readback_ms, 3), ts_bench_cell(c[8], 32, r->post_pixels_per_s * 1e-6, 1));
    fflush(stdout);
}

/* ---- the findings ----------------------------------------------------- */

static const sweep_row *find_row(const sweep_row *rows, int n, const char *scene, int w, int h, const char *chain,
                                 const char *series_name) {
    for (int i = 0; i < n; i++)
        if (rows[i].width == w && rows[i].height == h && !strcmp(rows[i].scene, scene) &&
            !strcmp(rows[i].chain, chain) && !strcmp(rows[i].series, series_name))
            return &rows[i];
    return NULL;
}

/* Per GPU backend (uploading per tile), chain and scene: the smallest size
 * where its frame time, transfers included, is below cpu-all's. */
typedef struct crossover {
    const char *scene, *backend, *chain;
    int width, height; /* 0: none */
    char statement[512];
} crossover;

/* Per GPU backend, chain, scene and size: whole-frame upload against per
 * tile. */
typedef struct overlap {
    const char *scene, *backend, *chain;
    int width, height;
    double tile_ms, frame_ms, gain_ms, gain_pct;
} overlap;

static void size_str(char *out, size_t n, int w, int h) { snprintf(out, n, "%dx%d", w, h); }

static crossover find_crossover(const plan *p, const char *scene, const gpu_backend *g, int chain,
                                const sweep_row *rows, int nrows) {
    const char *name = ts_post_backend_name(g->kind);
    crossover c = {.scene = scene, .backend = name, .chain = chain_names[chain]};
    if (!g->present) {
        snprintf(c.statement, sizeof c.statement, "%s, %s chain: not measured (absent: %.400s)", name,
                 chain_names[chain], g->device);
        return c;
    }
    int compared = 0, first = -1;
    char not_at[256] = "";
    for (int z = 0; z < p->nsizes; z++) {
        int w = p->sizes[z][0], h = p->sizes[z][1];
        const sweep_row *gpu = find_row(rows, nrows, scene, w, h, chain_names[chain], name);
        const sweep_row *cpu = find_row(rows, nrows, scene, w, h, chain_names[chain], "cpu-all");
        if (!gpu || !cpu) continue;
        compared++;
        bool beats = gpu->median_ms < cpu->median_ms;
        if (beats && first < 0) {
            first = z;
            c.width = w, c.height = h;
        } else if (!beats && first >= 0) {
            size_t len = strlen(not_at);
            snprintf(not_at + len, sizeof not_at - len, "%s%dx%d", len ? ", " : "", w, h);
        }
    }
    if (!compared) {
        snprintf(c.statement, sizeof c.statement, "%s, %s chain: not measured (no %s or cpu-all rows)", name,
                 chain_names[chain], name);
    } else if (first < 0) {
        snprintf(c.statement, sizeof c.statement,
                 "%s, %s chain: never on this machine (slower than cpu-all at every size measured)", name,
                 chain_names[chain]);
    } else {
        int w = p->sizes[first][0], h = p->sizes[first][1];
        const sweep_row *gpu = find_row(rows, nrows, scene, w, h, chain_names[chain], name);
        const sweep_row *cpu = find_row(rows, nrows, scene, w, h, chain_names[chain], "cpu-all");
        char sz[32];
        size_str(sz, sizeof sz, w, h);
        snprintf(c.statement, sizeof c.statement, "%s, %s chain: beats cpu-all from %s (%.2f ms against %.2f ms)%s%s",
                 name, chain_names[chain], sz, gpu->median_ms, cpu->median_ms, not_at[0] ? "; not at " : "", not_at);
    }
    return c;
}

/* ---- output files ----------------------------------------------------- */

static const char *const row_columns =
    "scene,width,height,chain,series,backend,upload,threads,frames,median_ms,min_ms,raster_ms,queue_ms,"
    "post_ms,upload_ms,kernel_ms,readback_ms,post_pixels_per_s,cpu_model,cores,isa,gpu,gl_renderer";

/* What the CSV and JSON say of a GPU: its description, or "absent: why". */
static void gpu_words(char *out, size_t n, const gpu_backend *g) {
    snprintf(out, n, "%s%s", g->present ? "" : "absent: ", g->device);
}

static void write_csv(FILE *f, const machine *m, const sweep_row *rows, int n) {
    char gpu[600], gl[600];
    gpu_words(gpu, sizeof gpu, &m->cuda);
    gpu_words(gl, sizeof gl, &m->gl);
    fprintf(f, "%s\n", row_columns);
    for (int i = 0; i < n; i++) {
        const sweep_row *r = &rows[i];
        ts_csv_str(f, r->scene);
        fprintf(f, ",%d,%d,", r->width, r->height);
        ts_csv_str(f, r->chain);
        fputc(',', f);
        ts_csv_str(f, r->series);
        fputc(',', f);
        ts_csv_str(f, r->backend);
        fputc(',', f);
        ts_csv_str(f, r->upload);
        fprintf(f, ",%d,%d", r->threads, r->frames);
        const double ms[] = {r->median_ms, r->min_ms,    r->raster_ms, r->queue_ms,
                             r->post_ms,   r->upload_ms, r->kernel_ms, r->readback_ms};
        for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
            fputc(',', f);
            ts_csv_num(f, ms[k], 4);
        }
        fputc(',', f);
        ts_csv_num(f, r->post_pixels_per_s, 0);
        fputc(',', f);
        ts_csv_str(f, m->cpu);
        fprintf(f, ",%d,", m->cores);
        ts_csv_str(f, m->isa);
        fputc(',', f);
        ts_csv_str(f, gpu);
        fputc(',', f);
        ts_csv_str(f, gl);
        fputc('\n', f);
    }
}

static void json_gpu(FILE *f, const char *key, const gpu_backend *g) {
    fprintf(f, "    \"%s\": {\"present\": %s, ", key, g->present ? "true" : "false");
    fputs(g->present ? "\"device\": " : "\"why\": ", f);
    ts_json_str(f, g->device);
    fputs("}", f);
}

static void write_json(FILE *f, const plan *p, const machine *m, double elapsed_s, const sweep_row *rows, int n,
                       const crossover *cross, int ncross, const overlap *ov, int nov) {
    fprintf(f, "{\n  \"sweep\": \"%s\",\n  \"elapsed_s\": %.1f,\n  \"machine\": {\n    \"cpu_model\": ", p->name,
            elapsed_s);
    ts_json_str(f, m->cpu);
    fprintf(f, ",\n    \"cores\": %d,\n    \"threads\": %d,\n    \"isa\": ", m->cores, m->threads);
    ts_json_str(f, m->isa);
    fputs(",\n", f);
    json_gpu(f, "gl", &m->gl);
    fputs(",\n", f);
    json_gpu(f, "cuda", &m->cuda);
    char gl[600], gpu[600];
    gpu_words(gl, sizeof gl, &m->gl);
    gpu_words(gpu, sizeof gpu, &m->cuda);
    fputs(",\n    \"gpu\": ", f);
    ts_json_str(f, gpu);
    fputs(",\n    \"gl_renderer\": ", f);
    ts_json_str(f, gl);
    fputs(",\n    \"peer_renderer\": ", f);
    ts_json_str(f, m->peer_renderer[0] ? m->peer_renderer : NULL);
    fputs(",\n    \"peer_why\": ", f);
    ts_json_str(f, m->peer_why[0] ? m->peer_why : NULL);
    fputs("\n  },\n  \"rows\": [\n", f);
    for (int i = 0; i < n; i++) {
        const sweep_row *r = &rows[i];
        fputs("    {\"scene\": ", f);
        ts_json_str(f, r->scene);
        fprintf(f, ", \"width\": %d, \"height\": %d, \"chain\": ", r->width, r->height);
        ts_json_str(f, r->chain);
        fputs(", \"series\": ", f);
        ts_json_str(f, r->series);
        fputs(", \"backend\": ", f);
        ts_json_str(f, r->backend);
        fputs(", \"upload\": ", f);
        ts_json_str(f, r->upload);
        fprintf(f, ", \"threads\": %d, \"frames\": %d", r->threads, r->frames);
        const struct {
            const char *key;
            double v;
            int decimals;
        } nums[] = {
            {"median_ms", r->median_ms, 4},  {"min_ms", r->min_ms, 4},
            {"raster_ms", r->raster_ms, 4},  {"queue_ms", r->queue_ms, 4},
            {"post_ms", r->post_ms, 4},      {"upload_ms", r->upload_ms, 4},
            {"kernel_ms", r->kernel_ms, 4},  {"readback_ms", r->readback_ms, 4},
            {"post_pixels_per_s", r->post_pixels_per_s, 0},
        };
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            fprintf(f, ", \"%s\": ", nums[k].key);
            ts_json_num(f, nums[k].v, nums[k].decimals);
        }
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fputs("  ],\n  \"crossover\": [\n", f);
    for (int i = 0; i < ncross; i++) {
        const crossover *c = &cross[i];
        fputs("    {\"scene\": ", f);
        ts_json_str(f, c->scene);
        fputs(", \"backend\": ", f);
        ts_json_str(f, c->backend);
        fputs(", \"chain\": ", f);
        ts_json_str(f, c->chain);
        if (c->width) fprintf(f, ", \"width\": %d, \"height\": %d", c->width, c->height);
        else fputs(", \"width\": null, \"height\": null", f);
        fputs(", \"statement\": ", f);
        ts_json_str(f, c->statement);
        fprintf(f, "}%s\n", i + 1 < ncross ? "," : "");
    }
    fputs("  ],\n  \"overlap\": [\n", f);
    for (int i = 0; i < nov; i++) {
        const overlap *o = &ov[i];
        fputs("    {\"scene\": ", f);
        ts_json_str(f, o->scene);
        fputs(", \"backend\": ", f);
        ts_json_str(f, o->backend);
        fputs(", \"chain\": ", f);
        ts_json_str(f, o->chain);
        fprintf(f, ", \"width\": %d, \"height\": %d, \"tile_ms\": %.4f, \"frame_ms\": %.4f, \"gain_ms\": %.4f, "
                   "\"gain_pct\": %.2f}%s\n",
                o->width, o->height, o->tile_ms, o->frame_ms, o->gain_ms, o->gain_pct, i + 1 < nov ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

/* ---- the run ---------------------------------------------------------- */

static bool series_runs(const machine *m, const series *s) {
    const gpu_backend *g = gpu_of(m, s->backend);
    return !g || g->present;
}

/* Configurations left to time at one size (for the progress line). */
static int configs_per_size(const machine *m) {
    int n = m->peer ? 1 : 0;
    for (int i = 0; i < NSERIES; i++)
        if (series_runs(m, &all_series[i])) n += all_series[i].backend == TS_POST_NONE ? 1 : CHAIN_COUNT;
    return n;
}

static void progress(bool tty, const plan *p, int done, int total, double t0, const char *what) {
    double s = (ts_cli_now_ms() - t0) * 1e-3;
    if (tty)
        fprintf(stderr, "\r" PROG ": sweep %s: %d/%d configurations, %dm%02ds, %-40s", p->name, done, total,
                (int)s / 60, (int)s % 60, what);
    else
        fprintf(stderr, PROG ": sweep %s: %d/%d configurations, %dm%02ds: %s\n", p->name, done, total,
                (int)s / 60, (int)s % 60, what);
}

int ts_sweep_run(const char *name, const char *csv, const char *json) {
    const plan *p = find_plan(name);
    if (!p) {
        fprintf(stderr, PROG ": error: --sweep %s: expected one of %s\n", name ? name : "", ts_sweep_plan_list());
        return 2;
    }
    double t0 = ts_cli_now_ms();
    bool tty = isatty(STDERR_FILENO);
    machine m;
    describe_machine(&m);
    printf("sweep %s on %s (%d cores, %s, %d worker threads)\n", p->name, m.cpu, m.cores, m.isa, m.threads);
    printf("  gl:   %s%s\n", m.gl.present ? "" : "absent: ", m.gl.device);
    printf("  cuda: %s%s\n", m.cuda.present ? "" : "absent: ", m.cuda.device);

    int cap = p->nscenes * p->nsizes * (1 + NSERIES * CHAIN_COUNT);
    sweep_row *rows = calloc((size_t)cap, sizeof *rows);
    if (!rows) return ts_cli_fail(PROG, "out of memory");
    ts_file_out csv_out = {0}, json_out = {0};
    if ((csv && !ts_cli_out_open(PROG, &csv_out, csv)) || (json && !ts_cli_out_open(PROG, &json_out, json))) {
        ts_file_out_discard(&csv_out);
        free(rows);
        return 1;
    }
    int nrows = 0, status = 0, done = 0;
    int total = p->nscenes * p->nsizes * configs_per_size(&m);
    print_header();
    for (int sc = 0; sc < p->nscenes; sc++) {
        ts_model model;
        ts_error err = {0};
        if (ts_model_open(p->scenes[sc], &model, &err, NULL, NULL) != TS_OK) {
            ts_file_out_discard(&csv_out);
            ts_file_out_discard(&json_out);
            free(rows);
            return ts_cli_fail(PROG, "%s", err.message);
        }
        const char *scene = p->scenes[sc];
        for (int z = 0; z < p->nsizes; z++) {
            int w = p->sizes[z][0], h = p->sizes[z][1];
            int frames = (long)w * h >= 2560L * 1440 ? p->frames_large : p->frames_small;
            char what[96], why[1024];
            if (m.peer) {
                snprintf(what, sizeof what, "%dx%d %s", w, h, PEER_SERIES);
                progress(tty, p, done, total, t0, what);
                ts_peer_status st = measure_peer(scene, scene, w, h, frames, m.threads, &rows[nrows],
                                                 m.peer_renderer, sizeof m.peer_renderer, why, sizeof why);
                if (tty) fprintf(stderr, "\r%100s\r", "");
                done++;
                if (st == TS_PEER_OK) {
                    print_row(&rows[nrows++]);
                } else if (st == TS_PEER_MISSING || st == TS_PEER_NO_GL) {
                    /* Absent, not failed: the rest of the sweep goes without it. */
                    snprintf(m.peer_why, sizeof m.peer_why, "%.500s", why);
                    fprintf(stderr, PROG ": warning: the OpenGL peer is absent: %s\n", why);
                    m.peer = false;
                    total -= p->nscenes * p->nsizes - (sc * p->nsizes + z + 1);
                } else {
                    fprintf(stderr, PROG ": warning: the OpenGL peer at %dx%d: %s\n", w, h, why);
                    status = 1;
                }
            }
            for (int si = 0; si < NSERIES; si++) {
                const series *s = &all_series[si];
                int chains = s->backend == TS_POST_NONE ? 1 : CHAIN_COUNT;
                for (int c = 0; c < chains; c++) {
                    if (!series_runs(&m, s)) continue;
                    snprintf(what, sizeof what, "%dx%d %s %s", w, h, s->name, chains > 1 ? chain_names[c] : "");
                    progress(tty, p, done, total, t0, what);
                    int res = measure(&model, scene, w, h, s, c, frames, &rows[nrows], why, sizeof why);
                    if (tty) fprintf(stderr, "\r%100s\r", "");
                    done++;
                    if (res == 1) {
                        print_row(&rows[nrows++]);
                    } else if (res == 0) {
                        /* It fell back: absent from here on, never timed as cpu. */
                        gpu_backend *g = s->backend == TS_POST_GL ? &m.gl : &m.cuda;
                        g->present = false;
                        snprintf(g->device, sizeof g->device, "%.500s", why);
                        fprintf(stderr, PROG ": warning: %s is absent: %s\n", ts_post_backend_name(s->backend), why);
                    } else {
                        fprintf(stderr, PROG ": warning: %s %dx%d %s: %s\n", s->name, w, h, chain_names[c], why);
                        status = 1;
                    }
                }
            }
        }
        ts_model_free(&model);
    }
    double elapsed_s = (ts_cli_now_ms() - t0) * 1e-3;

    /* The findings, per scene. */
    const gpu_backend *gpus[2] = {&m.gl, &m.cuda};
    crossover cross[2 * CHAIN_COUNT * MAX_SCENES];
    overlap ov[2 * CHAIN_COUNT * MAX_SIZES * MAX_SCENES];
    int ncross = 0, nov = 0;
    for (int sc = 0; sc < p->nscenes; sc++) {
        const char *scene = p->scenes[sc];
        printf("\ncrossover (%s): the smallest size where a GPU backend's frame, transfers included, beats cpu-all\n",
               scene);
        for (int g = 0; g < 2; g++)
            for (int c = 0; c < CHAIN_COUNT; c++) {
                cross[ncross] = find_crossover(p, scene, gpus[g], c, rows, nrows);
                printf("  %s\n", cross[ncross++].statement);
            }
        printf("\noverlap gain (%s): whole-frame upload after the raster minus per-tile upload during it\n", scene);
        int shown = 0;
        for (int g = 0; g < 2; g++) {
            const char *b = ts_post_backend_name(gpus[g]->kind);
            char frame_series[32];
            snprintf(frame_series, sizeof frame_series, "%s-frame", b);
            for (int c = 0; c < CHAIN_COUNT; c++)
                for (int z = 0; z < p->nsizes; z++) {
                    int w = p->sizes[z][0], h = p->sizes[z][1];
                    const sweep_row *t = find_row(rows, nrows, scene, w, h, chain_names[c], b);
                    const sweep_row *f = find_row(rows, nrows, scene, w, h, chain_names[c], frame_series);
                    if (!t || !f) continue;
                    overlap *o = &ov[nov++];
                    *o = (overlap){.scene = scene, .backend = b, .chain = chain_names[c], .width = w, .height = h,
                                   .tile_ms = t->median_ms, .frame_ms = f->median_ms};
                    o->gain_ms = f->median_ms - t->median_ms;
                    o->gain_pct = f->median_ms > 0.0 ? 100.0 * o->gain_ms / f->median_ms : 0.0;
                    printf("  %-4s %-7s %5dx%-5d  per tile %9.3f ms  whole frame %9.3f ms  gain %+8.3f ms (%+.1f%%)\n",
                           b, chain_names[c], w, h, o->tile_ms, o->frame_ms, o->gain_ms, o->gain_pct);
                    shown++;
                }
        }
        if (!shown) printf("  not measured: no GPU backend ran\n");
    }
    printf("\nsweep %s: %d rows in %.1f s\n", p->name, nrows, elapsed_s);

    /* Written with the rows that were measured, even when some failed:
     * the warnings above say which. */
    if (csv_out.f) write_csv(csv_out.f, &m, rows, nrows);
    if (json_out.f) write_json(json_out.f, p, &m, elapsed_s, rows, nrows, cross, ncross, ov, nov);
    status |= ts_cli_out_end(PROG, &csv_out, csv, true) | ts_cli_out_end(PROG, &json_out, json, true);
    free(rows);
    return status;
}
