/* test_isa.c — every SIMD target against the reference pipeline: for each
 * scene and shading mode, the tiled renderer on each target this CPU runs
 * (and on 1 and 3 worker threads) must give a depth buffer identical bit for
 * bit to the reference's (so coverage and depth agree exactly) and colors
 * within 1/255. With --post, both run the cpu post-processing chain: the
 * reference its definition on the whole frame (compute/post_cpu.c), the
 * tiled renderer its SIMD kernels, fused into the tile store with "tonemap"
 * (exposure, tone map, sRGB encode) and on the workers after the raster with
 * "all" (bloom and FXAA too).
 *
 *   test_isa [--size WxH] [--msaa N] [--post tonemap|all] MODEL...
 *   (MODEL: a file or builtin:NAME)
 */
#include "tessera.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

typedef struct frame {
    uint8_t *rgba;
    float *depth;
} frame;

static bool render(const ts_renderer_desc *desc, const ts_model *m, const ts_view_desc *view,
                   frame *out) {
    ts_error err = {0};
    ts_renderer *r = NULL;
    if (ts_renderer_create(desc, &r, &err) != TS_OK || ts_renderer_draw(r, m, view, &err) != TS_OK) {
        printf("FAIL: %s\n", err.message);
        ts_renderer_destroy(r);
        return false;
    }
    size_t n = (size_t)desc->width * (size_t)desc->height;
    out->rgba = malloc(n * 4);
    out->depth = malloc(n * sizeof(float));
    if (out->rgba && out->depth) {
        memcpy(out->rgba, ts_renderer_pixels(r), n * 4);
        memcpy(out->depth, ts_renderer_depth(r), n * sizeof(float));
    }
    ts_renderer_destroy(r);
    return out->rgba && out->depth;
}

static void frame_free(frame *f) {
    free(f->rgba);
    free(f->depth);
}

/* Compares `got` with the reference; prints one line per configuration. */
static void compare(const char *what, const frame *ref, const frame *got, size_t n, int w) {
    size_t depth_diff = 0, color_diff = 0, first = n;
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        if (memcmp(&ref->depth[i], &got->depth[i], sizeof(float)) != 0) {
            depth_diff++;
            if (first == n) first = i;
        }
        for (int c = 0; c < 4; c++) {
            int d = abs((int)ref->rgba[i * 4 + (size_t)c] - (int)got->rgba[i * 4 + (size_t)c]);
            if (d > worst) worst = d;
            if (d > 1) color_diff++;
        }
    }
    checks++;
    if (depth_diff || color_diff) {
        failures++;
        printf("FAIL %s: %zu depth values differ", what, depth_diff);
        if (first < n)
            printf(" (first at %zu,%zu: %.9g vs %.9g)", first % (size_t)w, first / (size_t)w,
                   (double)ref->depth[first], (double)got->depth[first]);
        printf(", %zu color channels off by more than 1/255 (worst %d)\n", color_diff, worst);
    } else {
        printf("ok %s (worst color difference %d/255)\n", what, worst);
    }
}

int main(int argc, char **argv) {
    int w = 250, h = 170; /* not multiples of the tile size: partial tiles too */
    int first_model = 1, msaa = 1;
    ts_post_desc post = {0};
    while (first_model + 1 < argc && argv[first_model][0] == '-') {
        const char *k = argv[first_model], *v = argv[first_model + 1];
        if (!strcmp(k, "--size") && sscanf(v, "%dx%d", &w, &h) == 2) first_model += 2;
        else if (!strcmp(k, "--msaa") && (msaa = atoi(v)) > 0) first_model += 2;
        else if (!strcmp(k, "--post") && (!strcmp(v, "tonemap") || !strcmp(v, "all"))) {
            /* Exposure 3: highlights far above 1, for bloom and the tone map. */
            post = (ts_post_desc){.backend = TS_POST_CPU, .exposure = 3.0f, .bloom_threshold = 1.5f,
                                  .no_bloom = !strcmp(v, "tonemap"), .no_fxaa = !strcmp(v, "tonemap")};
            first_model += 2;
        } else break;
    }
    if (first_model >= argc || argv[first_model][0] == '-') {
        fprintf(stderr, "usage: test_isa [--size WxH] [--msaa N] [--post tonemap|all] MODEL...\n");
        return 2;
    }
    for (int mi = first_model; mi < argc; mi++) {
        ts_model m;
        ts_error err = {0};
        if (ts_model_open(argv[mi], &m, &err, NULL, NULL) != TS_OK) {
            printf("FAIL: %s\n", err.message);
            failures++;
            continue;
        }
        /* Every shading mode, then studio and unlit with the wireframe over
         * them (one opaque program, one that blends). */
        for (int s = 0; s < TS_SHADING_COUNT + 2; s++) {
            bool wire = s >= TS_SHADING_COUNT;
            ts_shading shading = wire ? (s == TS_SHADING_COUNT ? TS_SHADING_STUDIO : TS_SHADING_UNLIT) : (ts_shading)s;
            ts_view_desc view = {.shading = shading, .yaw_deg = 30.0f, .pitch_deg = 20.0f, .wireframe = wire};
            frame ref = {0};
            ts_renderer_desc rd = {
                .width = w, .height = h, .reference = true, .msaa = msaa, .keep_depth = true, .post = post};
            if (!render(&rd, &m, &view, &ref)) {
                failures++;
                frame_free(&ref);
                continue;
            }
            for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
                if (!ts_isa_supported((ts_isa)isa)) {
                    printf("skip %s on %s: not supported by this CPU\n", argv[mi], ts_isa_name((ts_isa)isa));
                    continue;
                }
                for (int threads = 1; threads <= 3; threads += 2) {
                    frame got = {0};
                    ts_renderer_desc d = {.width = w, .height = h, .isa = (ts_isa)isa, .threads = threads,
                                          .msaa = msaa, .keep_depth = true, .post = post};
                    char what[512];
                    snprintf(what, sizeof what, "%s %s%s %s threads=%d msaa=%d", argv[mi], ts_shading_name(shading),
                             wire ? "+wireframe" : "", ts_isa_name((ts_isa)isa), threads, msaa);
                    if (render(&d, &m, &view, &got))
                        compare(what, &ref, &got, (size_t)w * (size_t)h, w);
                    else
                        failures++;
                    frame_free(&got);
                }
            }
            frame_free(&ref);
        }
        ts_model_free(&m);
    }
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
