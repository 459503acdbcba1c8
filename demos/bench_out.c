/* bench_out.c — figures and fields for tessera-bench's rows (bench_out.h). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "bench_out.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double ts_bench_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ts_bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

const char *ts_bench_cell(char *buf, size_t n, double v, int decimals) {
    if (isnan(v)) return "-";
    snprintf(buf, n, "%.*f", decimals, v);
    return buf;
}

void ts_csv_str(FILE *f, const char *s) {
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

void ts_csv_num(FILE *f, double v, int decimals) {
    if (!isnan(v)) fprintf(f, "%.*f", decimals, v);
}

void ts_json_str(FILE *f, const char *s) {
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

void ts_json_num(FILE *f, double v, int decimals) {
    if (isnan(v)) fputs("null", f);
    else fprintf(f, "%.*f", decimals, v);
}
