/* tessera_bench.c — the benchmark: renders scenes at sizes with SIMD
 * targets and thread counts, and prints per configuration the median frame
 * time, its split by stage, and throughput; --csv and --json write the same
 * rows for plotting. Numbers, not pass/fail: speed claims come from here. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "tessera-bench"
#define MAX_LIST 16
#define MAX_FRAMES 10000
#define MAX_THREADS 256

static void usage(FILE *f) {
    fprintf(f,
            "usage: " PROG " [options]\n"
            "\n"
            "Renders every combination of the listed scenes, sizes, SIMD targets and\n"
            "thread counts, and prints one row each: median and minimum frame time,\n"
            "the median split by stage, triangles and shaded pixels per second.\n"
            "\n"
            "options (lists are comma-separated):\n"
            "  --scene LIST      models or builtin:NAME (default builtin:sphere-fine,\n"
            "                    /usr/share/glmark2/models/bunny.obj)\n"
            "  --size LIST       WxH sizes (default 1920x1080)\n"
            "  --isa LIST        scalar, sse4, avx2, avx512, neon, auto or all (default auto)\n"
            "  --threads LIST    worker thread counts, 0 for one per core (default 0)\n"
            "  --reference       also time the reference pipeline\n"
            "  --shading MODE    studio | unlit | normals | depth | textured (default studio)\n"
            "  --msaa N          samples per pixel, 1 or 4 (default 1)\n"
            "  --frames N        timed frames per configuration, after one warm-up (default 10)\n"
            "  --csv FILE        write the rows as CSV\n"
            "  --json FILE       write the rows as JSON\n"
            "  -h, --help        show this help\n");
}

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": error: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* Splits a comma list in place; returns the count, -1 when over MAX_LIST. */
static int split(char *s, char *out[MAX_LIST]) {
    int n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (n == MAX_LIST) return -1;
        out[n++] = tok;
    }
    return n;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* A value a row does not have: a stage that does not exist (yet), or one
 * that has no meaning for the row. "-" in the table, empty in the CSV, null
 * in the JSON; never a made-up 0, which would read as "took no time". */
#define NO_VALUE ((double)NAN)

typedef struct row {
    const char *scene;
    int width, height;
    const char *isa, *pipeline;
    int threads, msaa, frames;
    unsigned tris;
    double median_ms, min_ms;
    /* Median time per stage. post (post-processing) and write (present or
     * write-out) have no stage in the frame yet: NO_VALUE until they do. */
    double vertex_ms, geometry_ms, raster_ms, queue_ms, post_ms, write_ms;
    double tris_per_s, pixels_per_s;
} row;

static void print_row(const row *r) {
    printf("%-22s %5dx%-5d %-7s %-9s %3d %4d  %9.3f %9.3f  %8.3f %8.3f %8.3f %8.3f  %8.2f %8.2f\n",
           r->scene, r->width, r->height, r->isa, r->pipeline, r->threads, r->msaa, r->median_ms, r->min_ms,
           r->vertex_ms, r->geometry_ms, r->raster_ms, r->queue_ms, r->tris_per_s * 1e-6,
           r->pixels_per_s * 1e-6);
    fflush(stdout);
}

/* ---- CSV and JSON: the same columns, in the same order ------------------- */

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break; nothing for NULL. */
static void csv_str(FILE *f, const char *s) {
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double v, int decimals) {
    if (!isnan(v)) fprintf(f, "%.*f", decimals, v);
}

/* A JSON string with its quotes, or null for NULL. */
static void json_str(FILE *f, const char *s) {
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v, int decimals) {
    if (isnan(v)) fputs("null", f);
    else fprintf(f, "%.*f", decimals, v);
}

static void write_csv(FILE *f, const row *rows, int n) {
    fprintf(f, "scene,width,height,isa,pipeline,threads,msaa,frames,tris,median_ms,min_ms,vertex_ms,"
               "geometry_ms,raster_ms,queue_ms,post_ms,write_ms,tris_per_s,pixels_per_s\n");
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        csv_str(f, r->scene);
        fprintf(f, ",%d,%d,", r->width, r->height);
        csv_str(f, r->isa);
        fputc(',', f);
        csv_str(f, r->pipeline);
        fprintf(f, ",%d,%d,%d,%u", r->threads, r->msaa, r->frames, r->tris);
        const double ms[] = {r->median_ms,   r->min_ms,   r->vertex_ms, r->geometry_ms,
                             r->raster_ms,   r->queue_ms, r->post_ms,   r->write_ms};
        for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
            fputc(',', f);
            csv_num(f, ms[k], 4);
        }
        fputc(',', f);
        csv_num(f, r->tris_per_s, 0);
        fputc(',', f);
        csv_num(f, r->pixels_per_s, 0);
        fputc('\n', f);
    }
}

static void write_json(FILE *f, const row *rows, int n) {
    fprintf(f, "[\n");
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        fputs("  {\"scene\": ", f);
        json_str(f, r->scene);
        fprintf(f, ", \"width\": %d, \"height\": %d, \"isa\": ", r->width, r->height);
        json_str(f, r->isa);
        fputs(", \"pipeline\": ", f);
        json_str(f, r->pipeline);
        fprintf(f, ", \"threads\": %d, \"msaa\": %d, \"frames\": %d, \"tris\": %u", r->threads,
                r->msaa, r->frames, r->tris);
        const struct {
            const char *key;
            double v;
            int decimals;
        } nums[] = {
            {"median_ms", r->median_ms, 4}, {"min_ms", r->min_ms, 4},
            {"vertex_ms", r->vertex_ms, 4}, {"geometry_ms", r->geometry_ms, 4},
            {"raster_ms", r->raster_ms, 4}, {"queue_ms", r->queue_ms, 4},
            {"post_ms", r->post_ms, 4},     {"write_ms", r->write_ms, 4},
            {"tris_per_s", r->tris_per_s, 0}, {"pixels_per_s", r->pixels_per_s, 0},
        };
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            fprintf(f, ", \"%s\": ", nums[k].key);
            json_num(f, nums[k].v, nums[k].decimals);
        }
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "]\n");
}

/* Times one configuration into *out; returns false (with a message) when
 * the renderer cannot be made. */
static bool run_config(const ts_model *model, const char *scene, int w, int h, ts_renderer_desc desc,
                       const ts_view_desc *view, int frames, row *out) {
    ts_error err = {0};
    ts_renderer *r = NULL;
    desc.width = w;
    desc.height = h;
    if (ts_renderer_create(&desc, &r, &err) != TS_OK) {
        fprintf(stderr, PROG ": skipping %s: %s\n", scene, err.message);
        return false;
    }
    double *t = malloc((size_t)frames * sizeof *t);
    double *stage[4];
    for (int s = 0; s < 4; s++) stage[s] = malloc((size_t)frames * sizeof *stage[s]);
    ts_frame_stats st = {0};
    bool ok = t && stage[0] && stage[1] && stage[2] && stage[3];
    for (int f = -1; ok && f < frames; f++) {
        double t0 = now_ms();
        if (ts_renderer_draw(r, model, view, &err) != TS_OK) {
            fprintf(stderr, PROG ": %s: %s\n", scene, err.message);
            ok = false;
            break;
        }
        ts_renderer_stats(r, &st); /* waits for the frame */
        double t1 = now_ms();
        if (f < 0) continue;
        t[f] = t1 - t0;
        stage[0][f] = st.vertex_ms;
        stage[1][f] = st.geometry_ms;
        stage[2][f] = st.raster_ms;
        stage[3][f] = st.queue_ms;
    }
    if (ok) {
        /* median() sorts in place, so the minimum is t[0] only after it:
         * the two are computed here, not in the initializer list below,
         * whose expressions C leaves unsequenced. */
        double median_ms = median(t, frames);
        double min_ms = t[0];
        *out = (row){
            .scene = scene,
            .width = w,
            .height = h,
            .isa = desc.reference ? "scalar" : ts_isa_name(ts_renderer_isa(r)),
            .pipeline = desc.reference ? "reference" : "tiled",
            .threads = ts_renderer_threads(r),
            .msaa = ts_renderer_msaa(r),
            .frames = frames,
            .tris = ts_model_triangle_count(model),
            .vertex_ms = median(stage[0], frames),
            .geometry_ms = median(stage[1], frames),
            .raster_ms = median(stage[2], frames),
            .queue_ms = median(stage[3], frames),
            .post_ms = NO_VALUE,
            .write_ms = NO_VALUE,
            .median_ms = median_ms,
            .min_ms = min_ms,
        };
        out->tris_per_s = (double)out->tris / (out->median_ms * 1e-3);
        out->pixels_per_s = (double)st.fragments / (out->median_ms * 1e-3);
    }
    for (int s = 0; s < 4; s++) free(stage[s]);
    free(t);
    ts_renderer_destroy(r);
    return ok;
}

int main(int argc, char **argv) {
    char default_scenes[] = "builtin:sphere-fine,/usr/share/glmark2/models/bunny.obj";
    char default_sizes[] = "1920x1080", default_isas[] = "auto", default_threads[] = "0";
    char *scene_arg = default_scenes, *size_arg = default_sizes, *isa_arg = default_isas,
         *thread_arg = default_threads;
    const char *csv = NULL, *json = NULL;
    int frames = 10, msaa = 1;
    bool reference = false;
    ts_view_desc view = {0};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--reference")) {
            reference = true;
            continue;
        }
        if (!val) {
            fprintf(stderr, PROG ": error: unknown option or missing value: %s (see --help)\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--scene")) scene_arg = val;
        else if (!strcmp(a, "--size")) size_arg = val;
        else if (!strcmp(a, "--isa")) isa_arg = val;
        else if (!strcmp(a, "--threads")) thread_arg = val;
        else if (!strcmp(a, "--csv")) csv = val;
        else if (!strcmp(a, "--json")) json = val;
        else if (!strcmp(a, "--frames")) {
            long n;
            if (!ts_cli_parse_int(val, 1, MAX_FRAMES, &n))
                return fail("--frames %s: expected a whole number from 1 to %d", val, MAX_FRAMES);
            frames = (int)n;
        } else if (!strcmp(a, "--shading")) {
            if (!ts_shading_parse(val, &view.shading)) return fail("--shading %s: unknown mode", val);
        } else if (!strcmp(a, "--msaa")) {
            if (strcmp(val, "1") && strcmp(val, "4")) return fail("--msaa %s: expected 1 or 4", val);
            msaa = atoi(val);
        } else {
            fprintf(stderr, PROG ": error: unknown option %s (see --help)\n", a);
            return 2;
        }
    }

    char *scenes[MAX_LIST], *sizes[MAX_LIST], *isas[MAX_LIST], *threads[MAX_LIST];
    int ns = split(scene_arg, scenes), nz = split(size_arg, sizes), ni = split(isa_arg, isas),
        nt = split(thread_arg, threads);
    if (ns < 1 || nz < 1 || ni < 1 || nt < 1) return fail("lists take 1 to %d items", MAX_LIST);

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
        if (!ts_cli_parse_int(threads[i], 0, MAX_THREADS, &n))
            return fail("--threads %s: expected a whole number from 0 (one per core) to %d",
                        threads[i], MAX_THREADS);
        thread_list[i] = (int)n;
    }

    int total = ns * nz * (nisa * nt + (reference ? 1 : 0));
    row *rows = calloc((size_t)total, sizeof *rows);
    if (!rows) return fail("out of memory");
    int nrows = 0, done = 0;
    bool progress = isatty(STDERR_FILENO);

    printf("%-22s %11s %-7s %-9s %3s %4s  %9s %9s  %8s %8s %8s %8s  %8s %8s\n", "scene", "size", "isa",
           "pipeline", "thr", "msaa", "median_ms", "min_ms", "vertex", "geometry", "raster", "queue",
           "Mtris/s", "Mpix/s");
    for (int s = 0; s < ns; s++) {
        ts_model model;
        ts_error err = {0};
        if (ts_model_open(scenes[s], &model, &err, NULL, NULL) != TS_OK) {
            free(rows);
            return fail("%s", err.message);
        }
        const char *slash = strrchr(scenes[s], '/');
        const char *name = slash ? slash + 1 : scenes[s];
        for (int z = 0; z < nz; z++) {
            for (int c = 0; c < nisa * nt + (reference ? 1 : 0); c++) {
                ts_renderer_desc desc = {.msaa = msaa};
                if (c == nisa * nt) {
                    desc.reference = true;
                } else {
                    desc.isa = isa_list[c / nt];
                    desc.threads = thread_list[c % nt];
                }
                if (progress)
                    fprintf(stderr, "\r" PROG ": %d/%d configurations", done, total);
                if (run_config(&model, name, wh[z][0], wh[z][1], desc, &view, frames, &rows[nrows])) {
                    if (progress) fprintf(stderr, "\r%40s\r", "");
                    print_row(&rows[nrows++]);
                }
                done++;
            }
        }
        ts_model_free(&model);
    }
    if (progress) fprintf(stderr, "\r%40s\r", "");

    int status = 0;
    if (csv) {
        FILE *f = fopen(csv, "w");
        if (!f) status = fail("%s: %s", csv, strerror(errno));
        else {
            write_csv(f, rows, nrows);
            fclose(f);
        }
    }
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) status = fail("%s: %s", json, strerror(errno));
        else {
            write_json(f, rows, nrows);
            fclose(f);
        }
    }
    free(rows);
    return status;
}
