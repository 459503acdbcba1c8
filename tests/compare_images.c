/* compare_images.c — a tolerant image comparison for pictures made by a
 * different rasterizer (tessera-gl against the renderer's goldens): counts
 * the pixels where any channel differs by more than a threshold and passes
 * when they are a small enough fraction. Prints the fraction, the worst
 * difference and the mean absolute difference; a failure writes expected,
 * actual, diff and side-by-side PNGs and prints their paths. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include "image_diff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct args {
    const char *name, *expected, *actual, *outdir;
    int threshold;       /* per channel, in 1/255 steps */
    double max_fraction; /* of pixels beyond the threshold */
} args;

static int usage(void) {
    fprintf(stderr,
            "usage: compare_images --name N --expected FILE.png --actual FILE.png --outdir DIR\n"
            "                      [--threshold T (default 2, in 1/255)]\n"
            "                      [--max-fraction F (default 0.005)]\n"
            "A pixel is bad when any channel (alpha too) differs by more than T/255; the\n"
            "images match when at most F of the pixels are bad. Exit 0 match, 1 mismatch,\n"
            "2 usage or unreadable input.\n");
    return 2;
}

static bool parse_args(int argc, char **argv, args *a) {
    memset(a, 0, sizeof *a);
    a->threshold = 2;
    a->max_fraction = 0.005;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return false;
        i++;
        char *end;
        errno = 0;
        if (!strcmp(k, "--name")) a->name = v;
        else if (!strcmp(k, "--expected")) a->expected = v;
        else if (!strcmp(k, "--actual")) a->actual = v;
        else if (!strcmp(k, "--outdir")) a->outdir = v;
        else if (!strcmp(k, "--threshold")) {
            long t = strtol(v, &end, 10);
            if (errno || *end || end == v || t < 0 || t > 255) return false;
            a->threshold = (int)t;
        } else if (!strcmp(k, "--max-fraction")) {
            double f = strtod(v, &end);
            if (errno || *end || end == v || !(f >= 0.0 && f <= 1.0)) return false;
            a->max_fraction = f;
        } else {
            return false;
        }
    }
    return a->name && a->expected && a->actual && a->outdir;
}

int main(int argc, char **argv) {
    args a;
    if (!parse_args(argc, argv, &a)) return usage();

    ts_error err = {0};
    int ew, eh, aw, ah;
    uint8_t *exp = NULL, *act = NULL;
    if (ts_png_read(a.expected, &ew, &eh, &exp, &err) != TS_OK) {
        fprintf(stderr, "FAIL %s: expected image: %s\n", a.name, err.message);
        return 2;
    }
    if (ts_png_read(a.actual, &aw, &ah, &act, &err) != TS_OK) {
        fprintf(stderr, "FAIL %s: actual image: %s\n", a.name, err.message);
        free(exp);
        return 2;
    }
    int status = 0;
    if (ew != aw || eh != ah) {
        printf("FAIL %s: expected is %dx%d, actual %dx%d\n", a.name, ew, eh, aw, ah);
        status = 1;
    } else {
        size_t n = (size_t)ew * (size_t)eh, bad = 0;
        int worst = 0;
        double sum = 0.0; /* of |difference| over the color channels, in 1/255 */
        for (size_t i = 0; i < n; i++) {
            int pixel_worst = 0;
            for (size_t c = 0; c < 4; c++) {
                int d = abs((int)exp[i * 4 + c] - (int)act[i * 4 + c]);
                if (d > pixel_worst) pixel_worst = d;
                if (c < 3) sum += d;
            }
            if (pixel_worst > worst) worst = pixel_worst;
            if (pixel_worst > a.threshold) bad++;
        }
        double fraction = n ? (double)bad / (double)n : 0.0;
        double mean = n ? sum / (double)(n * 3) : 0.0;
        bool ok = fraction <= a.max_fraction;
        printf("%s %s: %zu of %zu pixels (%.3f%%, limit %.3f%%) differ by more than %d/255; "
               "worst %d/255; mean |diff| %.4f/255\n",
               ok ? "ok" : "FAIL", a.name, bad, n, 100.0 * fraction, 100.0 * a.max_fraction,
               a.threshold, worst, mean);
        if (!ok) {
            ts_test_write_diff(a.outdir, a.name, exp, act, ew, eh, a.threshold);
            status = 1;
        }
    }
    free(exp);
    free(act);
    return status;
}
