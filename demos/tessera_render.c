/* tessera_render.c — the headless CLI: renders a model (or a built-in
 * scene) with the studio camera, times the frames, writes the last one as a
 * PNG and prints one machine-readable summary line. With --orbit N it
 * renders a turn of N frames about the model, each written to its own
 * numbered PNG; --frame-range A:B renders part of the turn, so that a long
 * sequence can be split across processes or machines. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "tessera-render"
#define MAX_FRAMES 100000
#define OUT_PATH_MAX 4096

static void usage(FILE *f) {
    fprintf(f,
            "usage: " PROG " MODEL [options]\n"
            "\n"
            "Renders MODEL with the tile renderer and writes the last frame as PNG.\n"
            "MODEL is a file assimp reads (OBJ, glTF 2.0/GLB, 3DS, PLY, ...) or\n"
            "builtin:NAME for a procedural scene, NAME one of:");
    for (const char *const *n = ts_model_builtin_names(); *n; n++) fprintf(f, " %s", *n);
    fprintf(f,
            "\n\n"
            "options:\n"
            "  --size WxH        frame size in pixels (default 1920x1080, each side 1..%d)\n"
            "  --yaw DEG         turn the model about Y; positive turns +X toward -Z (default 0)\n"
            "  --pitch DEG       turn the model about X, applied before yaw (default 0)\n"
            TS_CLI_ZOOM_HELP
            "  --shading MODE    studio | unlit | normals | depth | textured (default studio)\n"
            "  --cull            drop back-facing (clockwise) triangles\n"
            "  --wireframe       draw the triangles' edges over the shading\n"
            "  --frames N        render N timed frames after one warm-up (default 1)\n"
            "  --isa NAME        SIMD target: auto | scalar | sse4 | avx2 | avx512 | neon\n"
            "                    (default auto: $TESSERA_ISA if set, else the widest the\n"
            "                    CPU supports)\n"
            "  --threads N       worker threads (default: one per core it may run on)\n"
            "  --msaa N          samples per pixel: 1 (default) or 4 (4x multisampling)\n"
            "  --reference       draw with the scalar single-threaded reference pipeline\n"
            TS_CLI_POST_HELP
            "  --out FILE.png    where to write the last frame (default: MODEL's name .png)\n"
            "  --orbit N         render a full turn about the model in N frames (frame i at\n"
            "                    yaw + 360*i/N), each once, each written to its own PNG: --out\n"
            "                    is then a pattern with one %%d, %%05d or the like for the\n"
            "                    frame number, and %%%% for a %% (default: MODEL's name\n"
            "                    _%%05d.png)\n"
            "  --frame-range A:B with --orbit: render frames A to B only (both included,\n"
            "                    numbered from 0), to split a turn across processes\n"
            "  -h, --help        show this help\n"
            "\n"
            "Prints: " PROG ": model=NAME tris=N size=WxH frames=N median_ms=T min_ms=T ...\n",
            TS_MAX_FRAME_DIM, (double)TS_MIN_ZOOM, (double)TS_MAX_ZOOM);
}

#define fail(...) ts_cli_fail(PROG, __VA_ARGS__)

/* An orbit's output name: PREFIX, the frame number printed with at least
 * `digits` digits (zero-padded when `zero`), SUFFIX. */
typedef struct out_pattern {
    char prefix[OUT_PATH_MAX], suffix[OUT_PATH_MAX]; /* with each %% as % */
    bool zero;
    int digits;
} out_pattern;

/* Accepts exactly one %d, %Nd or %0Nd (N up to 9), and %% for a % in the
 * name, and no other '%': the frame number is the only thing a name
 * pattern can say, so a typo like %s or a second conversion is an error,
 * not a surprise on disk. */
static bool parse_out_pattern(const char *text, out_pattern *out) {
    *out = (out_pattern){0};
    char *part = out->prefix;
    size_t n = 0;
    bool converted = false;
    for (const char *c = text; *c; c++) {
        if (n + 1 >= OUT_PATH_MAX) return false;
        if (*c != '%' || c[1] == '%') {
            part[n++] = *c;
            c += *c == '%'; /* %% */
            continue;
        }
        c++;
        bool zero = *c == '0';
        if (zero) c++;
        int digits = 0;
        if (*c >= '1' && *c <= '9') digits = *c++ - '0';
        if (*c != 'd' || converted) return false;
        converted = true;
        out->zero = zero;
        out->digits = digits;
        part = out->suffix;
        n = 0;
    }
    return converted;
}

/* False when the name does not fit in `size`. */
static bool format_out(const out_pattern *p, long frame, char *buf, size_t size) {
    int n = snprintf(buf, size, p->zero ? "%s%0*ld%s" : "%s%*ld%s", p->prefix, p->digits, frame, p->suffix);
    return n >= 0 && (size_t)n < size;
}

/* "A:B" with 0 <= A <= B < n. */
static bool parse_frame_range(const char *s, long n, long *first, long *last) {
    const char *colon = strchr(s, ':');
    if (!colon || colon == s) return false;
    char head[32];
    size_t len = (size_t)(colon - s);
    if (len >= sizeof head) return false;
    memcpy(head, s, len);
    head[len] = '\0';
    return ts_cli_parse_int(head, 0, n - 1, first) && ts_cli_parse_int(colon + 1, *first, n - 1, last);
}


/* The frame callback writes the PNGs where the frame is assembled (the
 * renderer's render thread), outside the timed work: the last frame, or with
 * --orbit every frame, draw d being orbit frame `first` + d. */
typedef struct png_job {
    const char *path;
    uint32_t last;          /* index of the frame to write */
    const out_pattern *orbit; /* NULL: write only `last`, to `path` */
    long first;
    ts_result res;
    ts_error err;
} png_job;

static void write_frame(void *user, uint32_t frame, const uint8_t *rgba, const float *depth,
                        int width, int height) {
    (void)depth;
    png_job *job = user;
    if (job->orbit) {
        char path[OUT_PATH_MAX];
        if (job->res != TS_OK) return; /* keep the first failure */
        /* main checked that the largest frame number's name fits */
        format_out(job->orbit, job->first + (long)frame, path, sizeof path);
        job->res = ts_png_write(path, width, height, rgba, &job->err);
    } else if (frame == job->last) {
        job->res = ts_png_write(job->path, width, height, rgba, &job->err);
    }
}

int main(int argc, char **argv) {
    ts_cli_check_stdout(PROG);
    const char *model_arg = NULL, *out = NULL;
    int width = 1920, height = 1080;
    long frames = 1, orbit = 0;
    const char *range = NULL, *frames_arg = NULL;
    ts_view_desc view = {0};
    ts_renderer_desc desc = {0};

    for (int i = 1, took; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--cull")) {
            view.cull_back = true;
        } else if (!strcmp(a, "--wireframe")) {
            view.wireframe = true;
        } else if (!strcmp(a, "--reference")) {
            desc.reference = true;
        } else if (!strcmp(a, "--frames") || !strcmp(a, "--out") || !strcmp(a, "--orbit") ||
                   !strcmp(a, "--frame-range")) {
            if (!val) return ts_cli_usage_fail(PROG, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--frames")) {
                if (!ts_cli_parse_int(val, 1, MAX_FRAMES, &frames))
                    return fail("--frames %s: expected a whole number from 1 to %d", val, MAX_FRAMES);
                frames_arg = val;
            } else if (!strcmp(a, "--orbit")) {
                if (!ts_cli_parse_int(val, 1, MAX_FRAMES, &orbit))
                    return fail("--orbit %s: expected a whole number of frames from 1 to %d", val, MAX_FRAMES);
            } else if (!strcmp(a, "--frame-range")) {
                range = val;
            } else {
                out = val;
            }
        } else if ((took = ts_cli_view_option(PROG, a, val, &width, &height, &view)) != 0 ||
                   (took = ts_cli_renderer_option(PROG, a, val, &desc)) != 0 ||
                   (took = ts_cli_post_option(PROG, a, val, &desc.post)) != 0) {
            if (took < 0) return -took;
            i += took - 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return ts_cli_usage_fail(PROG, "unknown option %s", a);
        } else if (!model_arg) {
            model_arg = a;
        } else {
            return fail("more than one model given (%s and %s)", model_arg, a);
        }
    }
    if (!model_arg) {
        usage(stderr);
        return 2;
    }
    ts_cli_post_warn_unused(PROG, &desc.post);

    const char *name = ts_cli_model_name(model_arg);
    char default_out[512];
    if (!out) out = ts_cli_default_out(model_arg, orbit > 0, default_out, sizeof default_out);
    if (!orbit && ts_cli_same_file(out, model_arg)) return fail("--out %s: that is the model's own file", out);

    /* An orbit renders frames first..last of its turn, each once. */
    out_pattern pattern;
    long first = 0;
    if (range && !orbit) return fail("--frame-range %s needs --orbit N (the turn it is part of)", range);
    if (orbit) {
        long last = orbit - 1;
        if (frames_arg)
            return fail("--frames %s with --orbit: an orbit renders each of its frames once; "
                        "use --frame-range A:B for part of it", frames_arg);
        if (range && !parse_frame_range(range, orbit, &first, &last))
            return fail("--frame-range %s: expected A:B, whole numbers with 0 <= A <= B <= %ld "
                        "(--orbit %ld numbers its frames from 0)", range, orbit - 1, orbit);
        if (!parse_out_pattern(out, &pattern))
            return fail("--out %s: with --orbit, the name needs one %%d (or %%05d and the like) for "
                        "the frame number and no other %% (%%%% for a %% in the name)", out);
        /* The last name is the longest (the largest number): when it fits,
         * every name does. It and the first are checked now (a pattern may
         * put the number in the directory); the others stop the run at the
         * first write that fails. */
        char file[OUT_PATH_MAX];
        if (!format_out(&pattern, last, file, sizeof file))
            return fail("--out %s: the file name is too long", out);
        if (!ts_cli_out_check(PROG, file)) return 1;
        (void)format_out(&pattern, first, file, sizeof file);
        if (!ts_cli_out_check(PROG, file)) return 1;
        /* No frame's name may be the model's file: the model is stat'ed
         * once and each name against it (one stat a frame, a fraction of a
         * second for the largest orbit). */
        struct stat model_st;
        if (stat(model_arg, &model_st) == 0)
            for (long f = first; f <= last; f++) {
                struct stat st;
                (void)format_out(&pattern, f, file, sizeof file);
                if (stat(file, &st) == 0 && st.st_dev == model_st.st_dev && st.st_ino == model_st.st_ino)
                    return fail("--out %s: frame %ld's name, %s, is the model's own file", out, f, file);
            }
        frames = last - first + 1;
    } else if (!ts_cli_out_check(PROG, out)) {
        return 1;
    }

    ts_error err = {0};
    ts_model model;
    ts_result res = ts_model_open(model_arg, &model, &err, ts_cli_warn, (void *)PROG);
    if (res != TS_OK) return fail("%s", err.message);

    ts_renderer *r = NULL;
    /* Draws are numbered from 0: the warm-up, then the timed frames. */
    png_job job = {.path = out, .last = (uint32_t)frames, .res = TS_ERR_INVALID_ARG,
                   .err.message = "the last frame never completed"};
    if (orbit) job = (png_job){.orbit = &pattern, .first = first, .res = TS_OK};
    desc.width = width;
    desc.height = height;
    desc.on_frame = write_frame;
    desc.on_frame_user = &job;
    res = ts_renderer_create(&desc, &r, &err);
    if (res != TS_OK) {
        ts_model_free(&model);
        return fail("%s", err.message);
    }
    const char *post_note;
    ts_post_backend post = ts_renderer_post(r, &post_note);
    if (post_note[0]) ts_cli_warn((void *)PROG, post_note);

    double *times = malloc((size_t)frames * sizeof *times);
    if (!times) {
        ts_renderer_destroy(r);
        ts_model_free(&model);
        return fail("out of memory for %ld frame times", frames);
    }
    bool progress = isatty(STDERR_FILENO);
    double start = ts_cli_now_ms();
    /* f = -1: the warm-up (not with --orbit, whose every frame is written) */
    /* An orbit's write that failed ends the run: its frame's stats wait
     * for on_frame, so job.res is read here after the render thread wrote
     * it (ts_renderer_finish's contract). */
    for (long f = orbit ? 0 : -1; f < frames && res == TS_OK && (!orbit || job.res == TS_OK); f++) {
        ts_view_desc v = view;
        if (orbit) v.yaw_deg = view.yaw_deg + 360.0f * (float)(first + f) / (float)orbit;
        res = ts_renderer_draw(r, &model, &v, &err);
        ts_frame_stats st;
        ts_renderer_stats(r, &st); /* waits for the frame; its time excludes the PNG */
        if (f >= 0) times[f] = st.total_ms;
        double t1 = ts_cli_now_ms();
        if (progress && t1 - start > 2000.0)
            fprintf(stderr, "\r" PROG ": frame %ld/%ld", f + 1, frames);
    }
    if (progress && ts_cli_now_ms() - start > 2000.0) fputc('\n', stderr);

    int status = 0;
    if (res != TS_OK) {
        status = fail("%s", err.message);
    } else if (job.res != TS_OK) {
        status = fail("%s", job.err.message);
    } else {
        double median = ts_cli_median(times, (int)frames); /* sorts: times[0] is the minimum */
        printf(PROG ": model=%s tris=%u size=%dx%d frames=%ld median_ms=%.3f min_ms=%.3f "
                    "shading=%s isa=%s threads=%d msaa=%d pipeline=%s post=%s out=%s\n",
               name, ts_model_triangle_count(&model), width, height, frames, median, times[0],
               ts_shading_name(view.shading), desc.reference ? "scalar" : ts_isa_name(ts_renderer_isa(r)),
               ts_renderer_threads(r), ts_renderer_msaa(r), desc.reference ? "reference" : "tiled",
               ts_post_backend_name(post), out);
    }
    free(times);
    ts_renderer_destroy(r);
    ts_model_free(&model);
    return status;
}
