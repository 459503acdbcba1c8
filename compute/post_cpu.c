/* post_cpu.c — the post-processing chain on the CPU: the definition the
 * gl and cuda backends are tested against (docs/POST.md says the same in
 * words). Plain C, one pixel at a time, in the order below; the other
 * backends follow the same operations so that float rounding is all that
 * separates them.
 *
 *   c    = sanitize(hdr.rgb) * exposure          (NaN and negatives: 0; at most 65504)
 *   half = mean of each 2x2 block of c           (bloom: ceil(w/2) x ceil(h/2), edges clamped)
 *   b    = half * max(L - threshold, 0) / L      (L = Rec. 709 luminance of half)
 *   b    = Gaussian(b), rows then columns        (2r+1 taps, sigma r/2, edges clamped)
 *   c   += strength * bilinear(b, x/2 - 1/4, y/2 - 1/4)
 *   c    = ACES fit (Narkowicz), or clamp to [0, 1] when the tone map is off
 *   c    = FXAA (Lottes' FXAA 3 "PC" variant, luma sqrt(L))
 *   out  = round(255 * sRGB(c)), alpha round(255 * clamp(a))
 */
#include "post_fast.h"

#include <math.h>
#include <string.h>

#define HALF_MAX 65504.0f /* the largest finite RGBA16F value: HDR stays within it */

static float sanitize(float v) { return !(v > 0.0f) ? 0.0f : v > HALF_MAX ? HALF_MAX : v; }
static float clamp01(float v) { return !(v > 0.0f) ? 0.0f : v > 1.0f ? 1.0f : v; }
static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
static float luminance(const float c[3]) { return 0.2126f * c[0] + 0.7152f * c[1] + 0.0722f * c[2]; }

size_t ts_post_cpu_scratch_floats(int w, int h) {
    size_t half = (size_t)ts_post_half(w) * (size_t)ts_post_half(h) * 3;
    return 2 * half + (size_t)w * (size_t)h * 3;
}

static void exposed(const ts_post_params *p, const float *hdr, int w, int x, int y, float c[3]) {
    const float *px = &hdr[((size_t)y * (size_t)w + (size_t)x) * 4];
    for (int k = 0; k < 3; k++) c[k] = sanitize(px[k]) * p->exposure;
}

/* Bilinear sample of a 3-channel image at (u, v) in pixel-center units
 * (pixel (i, j) is at u = i, v = j), edges clamped: the one filter every
 * backend computes by hand, not with texture hardware. */
static void bilinear(const float *img, int w, int h, float u, float v, float out[3]) {
    float fu = floorf(u), fv = floorf(v);
    float tx = u - fu, ty = v - fv;
    int x0 = clampi((int)fu, 0, w - 1), x1 = clampi((int)fu + 1, 0, w - 1);
    int y0 = clampi((int)fv, 0, h - 1), y1 = clampi((int)fv + 1, 0, h - 1);
    const float *a = &img[((size_t)y0 * w + x0) * 3], *b = &img[((size_t)y0 * w + x1) * 3];
    const float *c = &img[((size_t)y1 * w + x0) * 3], *d = &img[((size_t)y1 * w + x1) * 3];
    for (int k = 0; k < 3; k++) {
        float top = a[k] + (b[k] - a[k]) * tx;
        float bottom = c[k] + (d[k] - c[k]) * tx;
        out[k] = top + (bottom - top) * ty;
    }
}

/* Bright pass at half size into `bright`. */
static void bloom_bright(const ts_post_params *p, int w, int h, const float *hdr, float *bright) {
    int w2 = ts_post_half(w), h2 = ts_post_half(h);
    for (int j = 0; j < h2; j++)
        for (int i = 0; i < w2; i++) {
            float sum[3] = {0, 0, 0};
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    float c[3];
                    exposed(p, hdr, w, clampi(2 * i + dx, 0, w - 1), clampi(2 * j + dy, 0, h - 1), c);
                    for (int k = 0; k < 3; k++) sum[k] += c[k];
                }
            for (int k = 0; k < 3; k++) sum[k] *= 0.25f;
            float l = luminance(sum);
            float keep = l > p->bloom_threshold ? (l - p->bloom_threshold) / l : 0.0f;
            float *o = &bright[((size_t)j * w2 + i) * 3];
            for (int k = 0; k < 3; k++) o[k] = sum[k] * keep;
        }
}

/* One direction of the separable Gaussian: (dx, dy) is (1, 0) or (0, 1). */
static void bloom_blur(const ts_post_params *p, int w2, int h2, const float *src, float *dst, int dx, int dy) {
    int r = p->bloom_radius;
    for (int j = 0; j < h2; j++)
        for (int i = 0; i < w2; i++) {
            float sum[3] = {0, 0, 0};
            for (int t = -r; t <= r; t++) {
                int x = clampi(i + t * dx, 0, w2 - 1), y = clampi(j + t * dy, 0, h2 - 1);
                const float *s = &src[((size_t)y * w2 + x) * 3];
                float wt = p->bloom_weights[t + r];
                for (int k = 0; k < 3; k++) sum[k] += wt * s[k];
            }
            memcpy(&dst[((size_t)j * w2 + i) * 3], sum, sizeof sum);
        }
}

static float aces(float x) {
    return clamp01((x * (2.51f * x + 0.03f)) / (x * (2.43f * x + 0.59f) + 0.14f));
}

static float fxaa_luma(const float c[3]) { return sqrtf(luminance(c)); }

/* FXAA at pixel (x, y) of the tone-mapped image `ldr`. */
static void fxaa(const float *ldr, int w, int h, int x, int y, float out[3]) {
    const float *m = &ldr[((size_t)y * w + x) * 3];
    float l_nw = fxaa_luma(&ldr[((size_t)clampi(y - 1, 0, h - 1) * w + clampi(x - 1, 0, w - 1)) * 3]);
    float l_ne = fxaa_luma(&ldr[((size_t)clampi(y - 1, 0, h - 1) * w + clampi(x + 1, 0, w - 1)) * 3]);
    float l_sw = fxaa_luma(&ldr[((size_t)clampi(y + 1, 0, h - 1) * w + clampi(x - 1, 0, w - 1)) * 3]);
    float l_se = fxaa_luma(&ldr[((size_t)clampi(y + 1, 0, h - 1) * w + clampi(x + 1, 0, w - 1)) * 3]);
    float l_m = fxaa_luma(m);
    float l_min = fminf(l_m, fminf(fminf(l_nw, l_ne), fminf(l_sw, l_se)));
    float l_max = fmaxf(l_m, fmaxf(fmaxf(l_nw, l_ne), fmaxf(l_sw, l_se)));
    if (l_max - l_min < fmaxf(TS_FXAA_EDGE_MIN, l_max * TS_FXAA_EDGE_REL)) { /* no edge here */
        memcpy(out, m, 3 * sizeof *out);
        return;
    }
    float dir_x = -((l_nw + l_ne) - (l_sw + l_se));
    float dir_y = (l_nw + l_sw) - (l_ne + l_se);
    float reduce = fmaxf((l_nw + l_ne + l_sw + l_se) * (0.25f * TS_FXAA_REDUCE_MUL), TS_FXAA_REDUCE_MIN);
    float rcp_min = 1.0f / (fminf(fabsf(dir_x), fabsf(dir_y)) + reduce);
    dir_x = fminf(TS_FXAA_SPAN_MAX, fmaxf(-TS_FXAA_SPAN_MAX, dir_x * rcp_min));
    dir_y = fminf(TS_FXAA_SPAN_MAX, fmaxf(-TS_FXAA_SPAN_MAX, dir_y * rcp_min));
    float a1[3], a2[3], b1[3], b2[3];
    bilinear(ldr, w, h, (float)x + dir_x * (1.0f / 3.0f - 0.5f), (float)y + dir_y * (1.0f / 3.0f - 0.5f), a1);
    bilinear(ldr, w, h, (float)x + dir_x * (2.0f / 3.0f - 0.5f), (float)y + dir_y * (2.0f / 3.0f - 0.5f), a2);
    bilinear(ldr, w, h, (float)x + dir_x * -0.5f, (float)y + dir_y * -0.5f, b1);
    bilinear(ldr, w, h, (float)x + dir_x * 0.5f, (float)y + dir_y * 0.5f, b2);
    float rgb_a[3], rgb_b[3];
    for (int k = 0; k < 3; k++) {
        rgb_a[k] = 0.5f * (a1[k] + a2[k]);
        rgb_b[k] = rgb_a[k] * 0.5f + 0.25f * (b1[k] + b2[k]);
    }
    float l_b = fxaa_luma(rgb_b);
    memcpy(out, l_b < l_min || l_b > l_max ? rgb_a : rgb_b, 3 * sizeof *out);
}

static float srgb(float v) { return v <= 0.0031308f ? 12.92f * v : 1.055f * powf(v, 1.0f / 2.4f) - 0.055f; }

static uint8_t quantize(float v) { return (uint8_t)(clamp01(v) * 255.0f + 0.5f); }

static void encode(const ts_post_params *p, const float c[3], float alpha, uint8_t *out) {
    for (int k = 0; k < 3; k++) out[k] = quantize(p->srgb ? srgb(clamp01(c[k])) : c[k]);
    out[3] = quantize(alpha);
}

void ts_post_cpu_run(const ts_post_params *p, int w, int h, const float *hdr, uint8_t *out, float *scratch) {
    int w2 = ts_post_half(w), h2 = ts_post_half(h);
    float *bloom = scratch, *tmp = scratch + (size_t)w2 * h2 * 3;
    float *ldr = tmp + (size_t)w2 * h2 * 3;
    if (p->bloom) {
        bloom_bright(p, w, h, hdr, bloom);
        bloom_blur(p, w2, h2, bloom, tmp, 1, 0);
        bloom_blur(p, w2, h2, tmp, bloom, 0, 1);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float c[3];
            exposed(p, hdr, w, x, y, c);
            if (p->bloom) {
                float b[3];
                bilinear(bloom, w2, h2, (float)x * 0.5f - 0.25f, (float)y * 0.5f - 0.25f, b);
                for (int k = 0; k < 3; k++) c[k] += p->bloom_strength * b[k];
            }
            for (int k = 0; k < 3; k++) c[k] = p->tonemap ? aces(c[k]) : clamp01(c[k]);
            size_t at = (size_t)y * w + x;
            if (p->fxaa)
                memcpy(&ldr[at * 3], c, sizeof c);
            else
                encode(p, c, hdr[at * 4 + 3], &out[at * 4]);
        }
    if (!p->fxaa) return;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float c[3];
            fxaa(ldr, w, h, x, y, c);
            size_t at = (size_t)y * w + x;
            encode(p, c, hdr[at * 4 + 3], &out[at * 4]);
        }
}

uint8_t ts_post_cpu_srgb8(float v) { return quantize(srgb(clamp01(v))); }

static float from_bits(uint32_t b) {
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* For each value k the smallest float of [0, 1] that encodes to k or more
 * (by bisection over the bit patterns, which order the positive floats),
 * then each bucket's value at its start and where, if anywhere, it steps
 * to the next. */
void ts_post_srgb_table_make(ts_post_srgb_table *t) {
    uint32_t first[257];
    const uint32_t one = 0x3f800000u;
    for (int k = 1; k <= 255; k++) {
        uint32_t lo = 0, hi = one; /* encodes(hi) >= k > encodes(below lo) */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (ts_post_cpu_srgb8(from_bits(mid)) >= k)
                hi = mid;
            else
                lo = mid + 1;
        }
        first[k] = lo;
    }
    first[256] = UINT32_MAX; /* nothing encodes past 255 */
    t->exact = ts_post_cpu_srgb8(from_bits((uint32_t)TS_SRGB_FIRST << 16)) == 0;
    for (int i = 0; i < TS_SRGB_BUCKETS; i++) {
        uint32_t bucket = (uint32_t)(TS_SRGB_FIRST + i);
        int k = ts_post_cpu_srgb8(from_bits(bucket << 16));
        uint32_t next = first[k + 1];
        uint32_t step = (next >> 16) == bucket ? (next & 0xFFFFu) : 0x10000u;
        if (k + 2 <= 256 && (first[k + 2] >> 16) == bucket) t->exact = false;
        t->entry[i] = (int32_t)((uint32_t)k | step << 8);
    }
}
