/* bench_out.c — figures and fields for tessera-bench's rows (bench_out.h). */
#include "bench_out.h"

#include <stdlib.h>
#include <string.h>

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
