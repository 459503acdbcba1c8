/* image_diff.c — see image_diff.h. */
#include "image_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"

/* Writes OUTDIR/NAME.SUFFIX.png and prints its path. */
static void write_named(const char *outdir, const char *name, const char *suffix, int w, int h,
                        const uint8_t *rgba) {
    char path[1024];
    ts_error err;
    snprintf(path, sizeof path, "%s/%s.%s.png", outdir, name, suffix);
    if (ts_png_write(path, w, h, rgba, &err) == TS_OK)
        printf("  %-9s %s\n", suffix, path);
    else
        fprintf(stderr, "  cannot write %s: %s\n", path, err.message);
}

void ts_test_write_diff(const char *outdir, const char *name, const uint8_t *exp, const uint8_t *act, int w, int h,
                        int threshold) {
    size_t n = (size_t)w * (size_t)h;
    uint8_t *diff = malloc(n * 4), *sbs = malloc(n * 12);
    if (!diff || !sbs) {
        free(diff);
        free(sbs);
        fprintf(stderr, "  out of memory for the difference images\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int worst = 0;
        for (size_t c = 0; c < 4; c++) {
            int d = abs((int)exp[i * 4 + c] - (int)act[i * 4 + c]);
            if (d > worst) worst = d;
        }
        int g = worst * 8 > 255 ? 255 : worst * 8;
        bool bad = worst > threshold;
        diff[i * 4 + 0] = (uint8_t)(bad ? 255 : g);
        diff[i * 4 + 1] = (uint8_t)(bad ? 0 : g);
        diff[i * 4 + 2] = (uint8_t)(bad ? 0 : g);
        diff[i * 4 + 3] = 255;
    }
    const uint8_t *parts[3] = {exp, act, diff};
    for (int y = 0; y < h; y++)
        for (int p = 0; p < 3; p++)
            memcpy(&sbs[((size_t)y * (size_t)w * 3 + (size_t)p * (size_t)w) * 4],
                   &parts[p][(size_t)y * (size_t)w * 4], (size_t)w * 4);
    write_named(outdir, name, "expected", w, h, exp);
    write_named(outdir, name, "actual", w, h, act);
    write_named(outdir, name, "diff", w, h, diff);
    write_named(outdir, name, "sbs", w * 3, h, sbs);
    free(diff);
    free(sbs);
}
