/* cli_args.c — what the demos share: parsing of option values, the clock, medians, model names. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "cli_args.h"

#include "tessera.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* "PROG: error: MESSAGE" and `tail`, one line of stderr. */
static void report(const char *prog, const char *tail, const char *fmt, va_list ap) {
    fprintf(stderr, "%s: error: ", prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "%s\n", tail);
}

int ts_cli_fail(const char *prog, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report(prog, "", fmt, ap);
    va_end(ap);
    return 1;
}

int ts_cli_usage_fail(const char *prog, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report(prog, " (see --help)", fmt, ap);
    va_end(ap);
    return 2;
}

static const char *stdout_prog;

static void close_stdout(void) {
    errno = 0;
    if (fclose(stdout) != 0) {
        fprintf(stderr, "%s: error: cannot write to standard output (%s)\n", stdout_prog,
                strerror(errno ? errno : EIO));
        _exit(1);
    }
}

void ts_cli_check_stdout(const char *prog) {
    stdout_prog = prog;
    atexit(close_stdout);
}

void ts_cli_warn(void *user, const char *message) { fprintf(stderr, "%s: warning: %s\n", (const char *)user, message); }

/* The whole string a finite number. */
static bool parse_number(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return false;
    *out = v;
    return true;
}

bool ts_cli_parse_float(const char *s, float *out) {
    double v;
    if (!parse_number(s, &v) || fabs(v) > (double)FLT_MAX) return false;
    *out = (float)v;
    return true;
}

bool ts_cli_parse_angle(const char *s, float *out) {
    double v;
    if (!parse_number(s, &v)) return false;
    *out = (float)fmod(v, 360.0);
    return true;
}

bool ts_cli_parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool ts_cli_parse_zoom(const char *s, float *out) {
    float z;
    if (!ts_cli_parse_float(s, &z) || !(z >= TS_MIN_ZOOM && z <= TS_MAX_ZOOM)) return false;
    *out = z;
    return true;
}

bool ts_cli_parse_size(const char *s, int *w, int *h) {
    char buf[64];
    const char *x = strchr(s, 'x');
    if (!x || (size_t)(x - s) >= sizeof buf) return false;
    memcpy(buf, s, (size_t)(x - s));
    buf[x - s] = '\0';
    long lw, lh;
    if (!ts_cli_parse_int(buf, 1, TS_MAX_FRAME_DIM, &lw) || !ts_cli_parse_int(x + 1, 1, TS_MAX_FRAME_DIM, &lh))
        return false;
    *w = (int)lw;
    *h = (int)lh;
    return true;
}

int ts_cli_post_option(const char *prog, const char *opt, const char *val, ts_post_desc *post) {
    static const struct {
        const char *name;
        size_t offset;
    } flags[] = {
        {"--no-bloom", offsetof(ts_post_desc, no_bloom)},
        {"--no-tonemap", offsetof(ts_post_desc, no_tonemap)},
        {"--no-fxaa", offsetof(ts_post_desc, no_fxaa)},
        {"--no-srgb", offsetof(ts_post_desc, no_srgb)},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strcmp(opt, flags[i].name)) {
            *(bool *)((char *)post + flags[i].offset) = true;
            return 1;
        }
    static const struct {
        const char *name;
        size_t offset;
        float hi;
    } numbers[] = {
        {"--exposure", offsetof(ts_post_desc, exposure), 65504.0f},
        {"--bloom-threshold", offsetof(ts_post_desc, bloom_threshold), 65504.0f},
        {"--bloom-strength", offsetof(ts_post_desc, bloom_strength), 100.0f},
    };
    bool is_number = false;
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) is_number |= !strcmp(opt, numbers[i].name);
    if (strcmp(opt, "--post") && strcmp(opt, "--bloom-radius") && !is_number) return 0;
    if (!val) return -ts_cli_usage_fail(prog, "%s needs a value", opt);
    if (!strcmp(opt, "--post")) {
        if (!ts_post_backend_parse(val, &post->backend))
            return ts_cli_fail(prog, "--post %s: expected none, cpu, gl or cuda", val), -1;
        return 2;
    }
    if (!strcmp(opt, "--bloom-radius")) {
        long r;
        if (!ts_cli_parse_int(val, 1, TS_POST_MAX_RADIUS, &r))
            return ts_cli_fail(prog, "--bloom-radius %s: expected a whole number from 1 to %d", val,
                               TS_POST_MAX_RADIUS), -1;
        post->bloom_radius = (int)r;
        return 2;
    }
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        if (!strcmp(opt, numbers[i].name)) {
            float v;
            if (!ts_cli_parse_float(val, &v) || !(v > 0.0f) || v > numbers[i].hi)
                return ts_cli_fail(prog, "%s %s: expected a number above 0, at most %g", opt, val,
                                   (double)numbers[i].hi), -1;
            *(float *)((char *)post + numbers[i].offset) = v;
        }
    return 2;
}

int ts_cli_view_option(const char *prog, const char *opt, const char *val, int *width, int *height,
                       ts_view_desc *view) {
    bool yaw = !strcmp(opt, "--yaw");
    if (strcmp(opt, "--size") && !yaw && strcmp(opt, "--pitch") && strcmp(opt, "--zoom") && strcmp(opt, "--shading"))
        return 0;
    if (!val) return -ts_cli_usage_fail(prog, "%s needs a value", opt);
    bool ok;
    if (!strcmp(opt, "--size")) {
        if (!(ok = ts_cli_parse_size(val, width, height)))
            ts_cli_fail(prog, "--size %s: expected WxH, each side a whole number from 1 to %d", val, TS_MAX_FRAME_DIM);
    } else if (!strcmp(opt, "--zoom")) {
        if (!(ok = ts_cli_parse_zoom(val, &view->zoom)))
            ts_cli_fail(prog, TS_CLI_ZOOM_ERROR, val, (double)TS_MIN_ZOOM, (double)TS_MAX_ZOOM);
    } else if (!strcmp(opt, "--shading")) {
        if (!(ok = ts_shading_parse(val, &view->shading)))
            ts_cli_fail(prog, "--shading %s: expected studio, unlit, normals, depth or textured", val);
    } else if (!(ok = ts_cli_parse_angle(val, yaw ? &view->yaw_deg : &view->pitch_deg))) {
        ts_cli_fail(prog, "%s %s: expected an angle in degrees (a finite number)", opt, val);
    }
    return ok ? 2 : -1;
}

int ts_cli_renderer_option(const char *prog, const char *opt, const char *val, ts_renderer_desc *desc) {
    if (strcmp(opt, "--isa") && strcmp(opt, "--threads") && strcmp(opt, "--msaa")) return 0;
    if (!val) return -ts_cli_usage_fail(prog, "%s needs a value", opt);
    if (!strcmp(opt, "--isa")) {
        if (!ts_isa_parse(val, &desc->isa))
            return ts_cli_fail(prog, "--isa %s: expected auto, scalar, sse4, avx2, avx512 or neon", val), -1;
    } else if (!strcmp(opt, "--threads")) {
        long n;
        if (!ts_cli_parse_int(val, 1, TS_MAX_THREADS, &n))
            return ts_cli_fail(prog, "--threads %s: expected a whole number from 1 to %d", val, TS_MAX_THREADS),
                   -1;
        desc->threads = (int)n;
    } else {
        if (strcmp(val, "1") && strcmp(val, "4")) return ts_cli_fail(prog, "--msaa %s: expected 1 or 4", val), -1;
        desc->msaa = atoi(val);
    }
    return 2;
}

void ts_cli_post_warn_unused(const char *prog, const ts_post_desc *post) {
    bool set = post->exposure != 0.0f || post->bloom_threshold != 0.0f || post->bloom_strength != 0.0f ||
               post->bloom_radius != 0 || post->no_bloom || post->no_tonemap || post->no_fxaa || post->no_srgb;
    if (post->backend == TS_POST_NONE && set)
        fprintf(stderr, "%s: warning: the post-processing options do nothing without --post cpu, gl or cuda\n",
                prog);
}

bool ts_cli_out_open(const char *prog, ts_file_out *o, const char *path) {
    int e = ts_file_out_open(o, path);
    if (e) ts_cli_fail(prog, "%s: cannot write it (%s)", path, strerror(e));
    return e == 0;
}

bool ts_cli_out_check(const char *prog, const char *path) {
    int e = ts_file_out_check(path);
    if (e) ts_cli_fail(prog, "%s: cannot write it (%s)", path, strerror(e));
    return e == 0;
}

int ts_cli_out_end(const char *prog, ts_file_out *o, const char *path, bool keep) {
    if (!o->f || !keep) { /* not asked for, or given up on */
        ts_file_out_discard(o);
        return 0;
    }
    int e = ts_file_out_close(o);
    return e ? ts_cli_fail(prog, "%s: cannot write it (%s)", path, strerror(e)) : 0;
}

double ts_cli_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ts_cli_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

const char *ts_cli_model_name(const char *model) {
    if (strncmp(model, TS_BUILTIN_PREFIX, strlen(TS_BUILTIN_PREFIX)) == 0) return model + strlen(TS_BUILTIN_PREFIX);
    const char *slash = strrchr(model, '/');
    return slash ? slash + 1 : model;
}

const char *ts_cli_default_out(const char *model, bool numbered, char *buf, size_t size) {
    const char *name = ts_cli_model_name(model), *dot = strrchr(name, '.');
    size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name), n = 0;
    const char *suffix = numbered ? "_%05d.png" : ".png";
    for (size_t i = 0; i < stem && n + 2 + strlen(suffix) < size; i++) {
        if (numbered && name[i] == '%') buf[n++] = '%';
        buf[n++] = name[i];
    }
    snprintf(buf + n, size - n, "%s", suffix);
    return buf;
}

bool ts_cli_same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
