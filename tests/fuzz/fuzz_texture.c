/* fuzz_texture.c — libFuzzer target: the texture path, bytes -> stb_image
 * -> the renderer's texture (size checks, mip chain) -> the sampler.
 *
 * Input layout: byte 0 is how many samples to take (mod 64); then that many
 * (u, v, lod) triples of raw float bits (any: NaN, infinities, 1e38,
 * denormals); the rest is the image file, in any format stb_image reads.
 * A decoded texture must give, at every sample, four finite channels in
 * [0, 1]; a refused one a reason. A crash, a sanitizer report, a hang or a
 * value outside [0, 1] is a finding. */
#include "renderer_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAMPLES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer calls it */

static float take_float(const uint8_t **p, size_t *left) {
    uint8_t b[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4 && *left; i++, (*left)--) b[i] = *(*p)++;
    float f;
    memcpy(&f, b, sizeof f);
    return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int samples = data[0] % MAX_SAMPLES;
    const uint8_t *p = data + 1;
    size_t left = size - 1;
    float uvl[MAX_SAMPLES][3];
    for (int i = 0; i < samples; i++)
        for (int k = 0; k < 3; k++) uvl[i][k] = take_float(&p, &left);

    ts_texture tex;
    char why[256] = "";
    if (!ts_texture_from_memory(p, left, &tex, why, sizeof why)) {
        if (!why[0]) {
            fprintf(stderr, "a refused image without a reason\n");
            abort();
        }
        return 0;
    }
    for (int i = 0; i < samples; i++) {
        float out[4];
        ts_texture_sample(&tex, uvl[i][0], uvl[i][1], uvl[i][2], out);
        /* The derivative-based level of detail, from the same numbers. */
        float lod = ts_texture_lod(&tex, uvl[i][0], uvl[i][1], uvl[i][2], uvl[i][0]);
        float out2[4];
        ts_texture_sample(&tex, uvl[i][1], uvl[i][0], lod, out2);
        for (int c = 0; c < 4; c++)
            if (!(out[c] >= 0.0f && out[c] <= 1.0f) || !(out2[c] >= 0.0f && out2[c] <= 1.0f)) {
                fprintf(stderr, "sample %d (u %g, v %g, lod %g): channel %d is %g / %g\n", i, (double)uvl[i][0],
                        (double)uvl[i][1], (double)uvl[i][2], c, (double)out[c], (double)out2[c]);
                abort();
            }
    }
    ts_texture_free(&tex);
    return 0;
}
