/* post_math.h — the post-processing chain, one pixel at a time: the
 * definition (docs/POST.md) as code, written once for the two backends
 * that run it per pixel. post_cpu.c loops over these functions on the CPU;
 * post_cuda.cu's kernels are one call of them per GPU thread (nvcc compiles
 * them for host and device alike). The SIMD kernels (post_kernels.c) and
 * the GLSL shaders do the same operations in the same order and are tested
 * against post_cpu.c.
 *
 * Everything is single precision with nothing fused (-ffp-contract=off in
 * C, --fmad=false for the device), so float rounding is all that can
 * separate the CPU's result from the GPU's.
 *
 * Images are RGBA float, pixel `at` at floats 4 at .. 4 at + 3: the HDR
 * frame with rows `pitch` pixels apart (the device's may be wider than the
 * frame), the bloom and tone-mapped images packed at their own width. Only
 * the HDR frame's alpha is read; the other images' fourth float is written
 * as 0 and never read. */
#ifndef TS_POST_MATH_H
#define TS_POST_MATH_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "post.h"

#ifdef __CUDACC__
#define TS_POST_FN static inline __host__ __device__
#else
#define TS_POST_FN static inline
#endif

#define TS_POST_HALF_MAX 65504.0f /* the largest finite RGBA16F value: HDR stays within it */

typedef struct ts_post_rgb {
    float r, g, b;
} ts_post_rgb;

TS_POST_FN ts_post_rgb ts_post_rgb3(float r, float g, float b) {
    ts_post_rgb c;
    c.r = r, c.g = g, c.b = b;
    return c;
}

/* Pixel `at` of an RGBA image: its color, and (HDR frame only) its alpha.
 * On the device one 16-byte load (every image there is float4-aligned). */
TS_POST_FN ts_post_rgb ts_post_load(const float *img, size_t at) {
#ifdef __CUDA_ARCH__
    float4 v = reinterpret_cast<const float4 *>(img)[at];
    return ts_post_rgb3(v.x, v.y, v.z);
#else
    return ts_post_rgb3(img[4 * at], img[4 * at + 1], img[4 * at + 2]);
#endif
}

TS_POST_FN float ts_post_alpha(const float *img, size_t at) { return img[4 * at + 3]; }

TS_POST_FN void ts_post_store(float *img, size_t at, ts_post_rgb c) {
#ifdef __CUDA_ARCH__
    reinterpret_cast<float4 *>(img)[at] = make_float4(c.r, c.g, c.b, 0.0f);
#else
    img[4 * at] = c.r, img[4 * at + 1] = c.g, img[4 * at + 2] = c.b, img[4 * at + 3] = 0.0f;
#endif
}

/* ---- per value ----------------------------------------------------------- */

/* NaN and negatives: 0; at most 65504. */
TS_POST_FN float ts_post_sanitize(float v) { return !(v > 0.0f) ? 0.0f : v > TS_POST_HALF_MAX ? TS_POST_HALF_MAX : v; }
TS_POST_FN float ts_post_clamp01(float v) { return !(v > 0.0f) ? 0.0f : v > 1.0f ? 1.0f : v; }
TS_POST_FN int ts_post_clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Rec. 709 luminance. */
TS_POST_FN float ts_post_luminance(ts_post_rgb c) { return 0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b; }

/* Narkowicz's fit of the ACES filmic curve. */
TS_POST_FN float ts_post_aces(float x) {
    return ts_post_clamp01((x * (2.51f * x + 0.03f)) / (x * (2.43f * x + 0.59f) + 0.14f));
}

TS_POST_FN float ts_post_srgb(float v) {
    return v <= 0.0031308f ? 12.92f * v : 1.055f * powf(v, 1.0f / 2.4f) - 0.055f;
}

/* round(255 v) of v clamped to [0, 1]. */
TS_POST_FN uint32_t ts_post_quantize(float v) { return (uint32_t)(int)(ts_post_clamp01(v) * 255.0f + 0.5f); }

/* The 8-bit RGBA of a final color and the raster's alpha, packed as the
 * frame stores it (R in the lowest byte: little-endian RGBA). */
TS_POST_FN uint32_t ts_post_encode(const ts_post_params *p, ts_post_rgb c, float alpha) {
    if (p->srgb)
        c = ts_post_rgb3(ts_post_srgb(ts_post_clamp01(c.r)), ts_post_srgb(ts_post_clamp01(c.g)),
                         ts_post_srgb(ts_post_clamp01(c.b)));
    return ts_post_quantize(c.r) | ts_post_quantize(c.g) << 8 | ts_post_quantize(c.b) << 16 |
           ts_post_quantize(alpha) << 24;
}

/* ---- per pixel ----------------------------------------------------------- */

/* The exposed color of HDR pixel `at`. */
TS_POST_FN ts_post_rgb ts_post_exposed(const ts_post_params *p, const float *hdr, size_t at) {
    ts_post_rgb c = ts_post_load(hdr, at);
    return ts_post_rgb3(ts_post_sanitize(c.r) * p->exposure, ts_post_sanitize(c.g) * p->exposure,
                        ts_post_sanitize(c.b) * p->exposure);
}

/* Bilinear sample of `img` (w x h, packed) at (u, v) in pixel units, pixel
 * (i, j) at u = i, v = j, edges clamped: by hand on every backend, never by
 * texture hardware. */
TS_POST_FN ts_post_rgb ts_post_bilinear(const float *img, int w, int h, float u, float v) {
    float fu = floorf(u), fv = floorf(v);
    float tx = u - fu, ty = v - fv;
    int x0 = ts_post_clampi((int)fu, 0, w - 1), x1 = ts_post_clampi((int)fu + 1, 0, w - 1);
    int y0 = ts_post_clampi((int)fv, 0, h - 1), y1 = ts_post_clampi((int)fv + 1, 0, h - 1);
    ts_post_rgb a = ts_post_load(img, (size_t)y0 * w + x0), b = ts_post_load(img, (size_t)y0 * w + x1);
    ts_post_rgb c = ts_post_load(img, (size_t)y1 * w + x0), d = ts_post_load(img, (size_t)y1 * w + x1);
    ts_post_rgb top = ts_post_rgb3(a.r + (b.r - a.r) * tx, a.g + (b.g - a.g) * tx, a.b + (b.b - a.b) * tx);
    ts_post_rgb bottom = ts_post_rgb3(c.r + (d.r - c.r) * tx, c.g + (d.g - c.g) * tx, c.b + (d.b - c.b) * tx);
    return ts_post_rgb3(top.r + (bottom.r - top.r) * ty, top.g + (bottom.g - top.g) * ty,
                        top.b + (bottom.b - top.b) * ty);
}

/* Bloom's bright pass: half pixel (i, j), from its 2x2 block of exposed
 * pixels of the w x h HDR frame. */
TS_POST_FN ts_post_rgb ts_post_bright_px(const ts_post_params *p, const float *hdr, int pitch, int w, int h, int i,
                                         int j) {
    ts_post_rgb sum = ts_post_rgb3(0.0f, 0.0f, 0.0f);
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int x = ts_post_clampi(2 * i + dx, 0, w - 1), y = ts_post_clampi(2 * j + dy, 0, h - 1);
            ts_post_rgb c = ts_post_exposed(p, hdr, (size_t)y * pitch + x);
            sum.r += c.r, sum.g += c.g, sum.b += c.b;
        }
    sum.r *= 0.25f, sum.g *= 0.25f, sum.b *= 0.25f;
    float l = ts_post_luminance(sum);
    float keep = l > p->bloom_threshold ? (l - p->bloom_threshold) / l : 0.0f;
    return ts_post_rgb3(sum.r * keep, sum.g * keep, sum.b * keep);
}

/* One direction of bloom's separable Gaussian at half pixel (i, j) of `src`
 * (w2 x h2): (dx, dy) is (1, 0) for rows, (0, 1) for columns. */
TS_POST_FN ts_post_rgb ts_post_blur_px(const ts_post_params *p, const float *src, int w2, int h2, int dx, int dy,
                                       int i, int j) {
    int r = p->bloom_radius;
    ts_post_rgb sum = ts_post_rgb3(0.0f, 0.0f, 0.0f);
    for (int t = -r; t <= r; t++) {
        int x = ts_post_clampi(i + t * dx, 0, w2 - 1), y = ts_post_clampi(j + t * dy, 0, h2 - 1);
        ts_post_rgb s = ts_post_load(src, (size_t)y * w2 + x);
        float wt = p->bloom_weights[t + r];
        sum.r += wt * s.r, sum.g += wt * s.g, sum.b += wt * s.b;
    }
    return sum;
}

/* Exposure, bloom's composite (from the blurred `bloom`, w2 x h2) and the
 * tone map of pixel (x, y): the color FXAA starts from, or the encode's. */
TS_POST_FN ts_post_rgb ts_post_composite_px(const ts_post_params *p, const float *hdr, int pitch, const float *bloom,
                                            int w2, int h2, int x, int y) {
    ts_post_rgb c = ts_post_exposed(p, hdr, (size_t)y * pitch + x);
    if (p->bloom) {
        ts_post_rgb b = ts_post_bilinear(bloom, w2, h2, (float)x * 0.5f - 0.25f, (float)y * 0.5f - 0.25f);
        c.r += p->bloom_strength * b.r, c.g += p->bloom_strength * b.g, c.b += p->bloom_strength * b.b;
    }
    if (p->tonemap) return ts_post_rgb3(ts_post_aces(c.r), ts_post_aces(c.g), ts_post_aces(c.b));
    return ts_post_rgb3(ts_post_clamp01(c.r), ts_post_clamp01(c.g), ts_post_clamp01(c.b));
}

TS_POST_FN float ts_post_fxaa_luma(ts_post_rgb c) { return sqrtf(ts_post_luminance(c)); }

/* FXAA at pixel (x, y) of the tone-mapped image `ldr` (w x h). */
TS_POST_FN ts_post_rgb ts_post_fxaa_px(const float *ldr, int w, int h, int x, int y) {
    int ym = ts_post_clampi(y - 1, 0, h - 1), yp = ts_post_clampi(y + 1, 0, h - 1);
    int xm = ts_post_clampi(x - 1, 0, w - 1), xp = ts_post_clampi(x + 1, 0, w - 1);
    ts_post_rgb m = ts_post_load(ldr, (size_t)y * w + x);
    float l_nw = ts_post_fxaa_luma(ts_post_load(ldr, (size_t)ym * w + xm));
    float l_ne = ts_post_fxaa_luma(ts_post_load(ldr, (size_t)ym * w + xp));
    float l_sw = ts_post_fxaa_luma(ts_post_load(ldr, (size_t)yp * w + xm));
    float l_se = ts_post_fxaa_luma(ts_post_load(ldr, (size_t)yp * w + xp));
    float l_m = ts_post_fxaa_luma(m);
    float l_min = fminf(l_m, fminf(fminf(l_nw, l_ne), fminf(l_sw, l_se)));
    float l_max = fmaxf(l_m, fmaxf(fmaxf(l_nw, l_ne), fmaxf(l_sw, l_se)));
    if (l_max - l_min < fmaxf(TS_FXAA_EDGE_MIN, l_max * TS_FXAA_EDGE_REL)) return m; /* no edge here */
    float dir_x = -((l_nw + l_ne) - (l_sw + l_se));
    float dir_y = (l_nw + l_sw) - (l_ne + l_se);
    float reduce = fmaxf((l_nw + l_ne + l_sw + l_se) * (0.25f * TS_FXAA_REDUCE_MUL), TS_FXAA_REDUCE_MIN);
    float rcp_min = 1.0f / (fminf(fabsf(dir_x), fabsf(dir_y)) + reduce);
    dir_x = fminf(TS_FXAA_SPAN_MAX, fmaxf(-TS_FXAA_SPAN_MAX, dir_x * rcp_min));
    dir_y = fminf(TS_FXAA_SPAN_MAX, fmaxf(-TS_FXAA_SPAN_MAX, dir_y * rcp_min));
    float fx = (float)x, fy = (float)y;
    ts_post_rgb a1 = ts_post_bilinear(ldr, w, h, fx + dir_x * (1.0f / 3.0f - 0.5f), fy + dir_y * (1.0f / 3.0f - 0.5f));
    ts_post_rgb a2 = ts_post_bilinear(ldr, w, h, fx + dir_x * (2.0f / 3.0f - 0.5f), fy + dir_y * (2.0f / 3.0f - 0.5f));
    ts_post_rgb b1 = ts_post_bilinear(ldr, w, h, fx + dir_x * -0.5f, fy + dir_y * -0.5f);
    ts_post_rgb b2 = ts_post_bilinear(ldr, w, h, fx + dir_x * 0.5f, fy + dir_y * 0.5f);
    ts_post_rgb rgb_a = ts_post_rgb3(0.5f * (a1.r + a2.r), 0.5f * (a1.g + a2.g), 0.5f * (a1.b + a2.b));
    ts_post_rgb rgb_b = ts_post_rgb3(rgb_a.r * 0.5f + 0.25f * (b1.r + b2.r), rgb_a.g * 0.5f + 0.25f * (b1.g + b2.g),
                                     rgb_a.b * 0.5f + 0.25f * (b1.b + b2.b));
    float l_b = ts_post_fxaa_luma(rgb_b);
    return l_b < l_min || l_b > l_max ? rgb_a : rgb_b;
}

#endif
