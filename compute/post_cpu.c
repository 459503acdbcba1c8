/* post_cpu.c — the post-processing chain on the CPU: the definition the
 * gl and cuda backends are tested against (docs/POST.md says the same in
 * words). The per-pixel code is post_math.h's, which the cuda kernels
 * run too; here it runs over the whole frame on one thread, stage after
 * stage, in the order below. The other backends follow the same operations
 * so that float rounding is all that separates them.
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

#include <string.h>

#include "post_math.h"

size_t ts_post_cpu_scratch_floats(int w, int h) {
    size_t half = (size_t)ts_post_half(w) * (size_t)ts_post_half(h) * 4;
    return 2 * half + (size_t)w * (size_t)h * 4;
}

/* Pixel `at` of the 8-bit frame. */
static void put(uint8_t *out, size_t at, uint32_t rgba) { memcpy(&out[at * 4], &rgba, sizeof rgba); }

/* Each stage over the whole image before the next, one call of its
 * post_math.h function per pixel; the images are RGBA, as on the device. */
void ts_post_cpu_run(const ts_post_params *p, int w, int h, const float *hdr, uint8_t *out, float *scratch) {
    int w2 = ts_post_half(w), h2 = ts_post_half(h);
    float *bloom = scratch, *tmp = scratch + (size_t)w2 * h2 * 4;
    float *ldr = tmp + (size_t)w2 * h2 * 4;
    if (p->bloom) {
        for (int j = 0; j < h2; j++)
            for (int i = 0; i < w2; i++)
                ts_post_store(bloom, (size_t)j * w2 + i, ts_post_bright_px(p, hdr, w, w, h, i, j));
        for (int j = 0; j < h2; j++)
            for (int i = 0; i < w2; i++)
                ts_post_store(tmp, (size_t)j * w2 + i, ts_post_blur_px(p, bloom, w2, h2, 1, 0, i, j));
        for (int j = 0; j < h2; j++)
            for (int i = 0; i < w2; i++)
                ts_post_store(bloom, (size_t)j * w2 + i, ts_post_blur_px(p, tmp, w2, h2, 0, 1, i, j));
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t at = (size_t)y * w + x;
            ts_post_rgb c = ts_post_composite_px(p, hdr, w, bloom, w2, h2, x, y);
            if (p->fxaa)
                ts_post_store(ldr, at, c);
            else
                put(out, at, ts_post_encode(p, c, ts_post_alpha(hdr, at)));
        }
    if (!p->fxaa) return;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t at = (size_t)y * w + x;
            put(out, at, ts_post_encode(p, ts_post_fxaa_px(ldr, w, h, x, y), ts_post_alpha(hdr, at)));
        }
}

uint8_t ts_post_cpu_srgb8(float v) { return (uint8_t)ts_post_quantize(ts_post_srgb(ts_post_clamp01(v))); }

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
