/* cli_args.c — parsing of option values shared by the demos. */
#include "cli_args.h"

#include "tessera.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ts_cli_fail(const char *prog, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

void ts_cli_warn(void *user, const char *message) { fprintf(stderr, "%s: warning: %s\n", (const char *)user, message); }

bool ts_cli_parse_float(const char *s, float *out) {
    char *end;
    errno = 0;
    float v = strtof(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return false;
    *out = v;
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
