/* post_kernels.c — the post-processing chain's kernels on SIMD lanes: one
 * source, compiled once per ISA with that ISA's flags and
 * -DTS_SIMD_<NAME> -DTS_POST_KERNELS_SYMBOL=ts_post_kernels_<name>
 * (cmake/Kernels.cmake). Runs on worker threads.
 *
 * Each kernel does post_cpu.c's operations in post_cpu.c's order, a vector
 * of TS_LANES pixels of one row at a time (lane i is pixel x + i), so the
 * result is the definition's, bit for bit. Coordinates past an edge are
 * clamped as the definition clamps them; lanes past a row's end compute on
 * clamped pixels and are stored only into the planes' padding, never into
 * the frame. */
#include "post_fast.h"

#include <string.h>

#include "simd.h"

#ifndef TS_POST_KERNELS_SYMBOL
#error "compile with -DTS_POST_KERNELS_SYMBOL=ts_post_kernels_<isa>"
#endif
_Static_assert(TS_POST_PAD % TS_LANES == 0, "rows are padded to whole vectors");

#define HALF_MAX 65504.0f /* as post_cpu.c: HDR stays within the largest half float */

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* x, x + 1, ..., x + TS_LANES - 1 */
TS_INLINE vi32 lanes_from(int x) {
    static const int32_t iota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return vi_add(vi_set1(x), vi_load(iota));
}

TS_INLINE vi32 clamp_vi(vi32 v, int lo, int hi) { return vi_min(vi_max(v, vi_set1(lo)), vi_set1(hi)); }

/* NaN and negatives to 0, at most 65504: max(v, 0) gives 0 for NaN, as
 * post_cpu.c's !(v > 0) does. */
TS_INLINE vf32 sanitize(vf32 v) { return vf_min(vf_max(v, vf_set1(0.0f)), vf_set1(HALF_MAX)); }

TS_INLINE vf32 luminance(vf32 r, vf32 g, vf32 b) {
    return vf_add(vf_add(vf_mul(vf_set1(0.2126f), r), vf_mul(vf_set1(0.7152f), g)), vf_mul(vf_set1(0.0722f), b));
}

/* round(255 clamp(v)), as post_cpu.c's quantize */
TS_INLINE vi32 quantize(vf32 v) {
    return vi_from_vf(vf_add(vf_mul(vf_clamp01(v), vf_set1(255.0f)), vf_set1(0.5f)));
}

/* A channel's 8-bit value: the sRGB curve through the table (post_fast.h),
 * or linear. */
TS_INLINE vi32 encode(const ts_post_params *p, const ts_post_srgb_table *t, vf32 v) {
    if (!p->srgb) return quantize(v);
    vi32 bits = vf_bits(vf_clamp01(v));
    vi32 bucket = vi_max(vi_sub(vi_srl(bits, 16), vi_set1(TS_SRGB_FIRST)), vi_set1(0));
    vi32 e = vi_gather(t->entry, bucket);
    vi32 base = vi_and(e, vi_set1(255));
    vmask up = vi_ge(vi_and(bits, vi_set1(0xFFFF)), vi_srl(e, 8));
    return vi_select(up, vi_add(base, vi_set1(1)), base);
}

/* Packs and stores the pixels x .. x + TS_LANES - 1 of a frame row, only
 * those left of `width`. */
TS_INLINE void store_rgba8(uint8_t *row, int x, int width, vi32 r, vi32 g, vi32 b, vi32 a) {
    vi32 word = vi_or(vi_or(r, vi_sll(g, 8)), vi_or(vi_sll(b, 16), vi_sll(a, 24)));
    if (x + TS_LANES <= width) {
        vi_store((int32_t *)(void *)(row + (size_t)x * 4), word);
        return;
    }
    int32_t tmp[TS_LANES];
    vi_store(tmp, word);
    memcpy(row + (size_t)x * 4, tmp, (size_t)(width - x) * 4);
}

/* ---- bloom ------------------------------------------------------------- */

static void bright(const ts_post_params *p, const ts_post_cpu_frame *f, int x0, int y0, int x1, int y1) {
    const int w = f->width, h = f->height;
    const vf32 exposure = vf_set1(p->exposure), threshold = vf_set1(p->bloom_threshold);
    for (int j = y0; j < y1; j++) {
        const float *row[2] = {f->hdr + (size_t)clampi(2 * j, 0, h - 1) * (size_t)w * 4,
                               f->hdr + (size_t)clampi(2 * j + 1, 0, h - 1) * (size_t)w * 4};
        for (int i = x0; i < x1; i += TS_LANES) {
            vi32 is = lanes_from(i);
            vi32 at[2] = {vi_sll(clamp_vi(vi_add(is, is), 0, w - 1), 2),
                          vi_sll(clamp_vi(vi_add(vi_add(is, is), vi_set1(1)), 0, w - 1), 2)};
            vf32 sum[3];
            for (int k = 0; k < 3; k++) {
                /* The definition's order: (0,0), (1,0), (0,1), (1,1). */
                vf32 s = vf_set1(0.0f);
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++)
                        s = vf_add(s, vf_mul(sanitize(vf_gather(row[dy] + k, at[dx])), exposure));
                sum[k] = vf_mul(s, vf_set1(0.25f));
            }
            vf32 l = luminance(sum[0], sum[1], sum[2]);
            /* (l - threshold) / l only where l > threshold: elsewhere 0 */
            vf32 keep = vf_select(vf_gt(l, threshold), vf_div(vf_sub(l, threshold), l), vf_set1(0.0f));
            size_t at_out = (size_t)j * f->half_stride + (size_t)i;
            for (int k = 0; k < 3; k++) vf_store(f->bright[k] + at_out, vf_mul(sum[k], keep));
        }
    }
}

static void blur_rows(const ts_post_params *p, const ts_post_cpu_frame *f, int j0, int j1) {
    const int r = p->bloom_radius, w2 = f->half_w;
    for (int k = 0; k < 3; k++)
        for (int j = j0; j < j1; j++) {
            const float *src = f->bright[k] + (size_t)j * f->half_stride;
            float *dst = f->tmp[k] + (size_t)j * f->half_stride;
            for (int i = 0; i < w2; i += TS_LANES) {
                vf32 sum = vf_set1(0.0f);
                if (i - r >= 0 && i + TS_LANES - 1 + r <= w2 - 1) {
                    for (int t = -r; t <= r; t++)
                        sum = vf_add(sum, vf_mul(vf_set1(p->bloom_weights[t + r]), vf_load(src + i + t)));
                } else { /* near an edge: the taps clamped */
                    vi32 is = lanes_from(i);
                    for (int t = -r; t <= r; t++)
                        sum = vf_add(sum, vf_mul(vf_set1(p->bloom_weights[t + r]),
                                                 vf_gather(src, clamp_vi(vi_add(is, vi_set1(t)), 0, w2 - 1))));
                }
                vf_store(dst + i, sum);
            }
        }
}

static void blur_cols(const ts_post_params *p, const ts_post_cpu_frame *f, int j0, int j1) {
    const int r = p->bloom_radius, w2 = f->half_w, h2 = f->half_h;
    for (int k = 0; k < 3; k++)
        for (int j = j0; j < j1; j++) {
            float *dst = f->bright[k] + (size_t)j * f->half_stride;
            for (int i = 0; i < w2; i += TS_LANES) {
                vf32 sum = vf_set1(0.0f);
                for (int t = -r; t <= r; t++) {
                    const float *src = f->tmp[k] + (size_t)clampi(j + t, 0, h2 - 1) * f->half_stride;
                    sum = vf_add(sum, vf_mul(vf_set1(p->bloom_weights[t + r]), vf_load(src + i)));
                }
                vf_store(dst + i, sum);
            }
        }
}

/* The bilinear sample of a planar image at (u, v) in pixel-center units,
 * edges clamped (post_cpu.c's bilinear): each lane its own four taps. */
TS_INLINE void bilinear(float *const plane[3], size_t stride, int w, int h, vf32 u, vf32 v, vf32 out[3]) {
    vf32 fu = vf_floor(u), fv = vf_floor(v);
    vf32 tx = vf_sub(u, fu), ty = vf_sub(v, fv);
    vi32 iu = vi_from_vf(fu), iv = vi_from_vf(fv);
    vi32 x0 = clamp_vi(iu, 0, w - 1), x1 = clamp_vi(vi_add(iu, vi_set1(1)), 0, w - 1);
    vi32 y0 = vi_mul(clamp_vi(iv, 0, h - 1), vi_set1((int32_t)stride));
    vi32 y1 = vi_mul(clamp_vi(vi_add(iv, vi_set1(1)), 0, h - 1), vi_set1((int32_t)stride));
    vi32 i00 = vi_add(y0, x0), i10 = vi_add(y0, x1), i01 = vi_add(y1, x0), i11 = vi_add(y1, x1);
    for (int k = 0; k < 3; k++) {
        vf32 a = vf_gather(plane[k], i00), b = vf_gather(plane[k], i10);
        vf32 c = vf_gather(plane[k], i01), d = vf_gather(plane[k], i11);
        vf32 top = vf_add(a, vf_mul(vf_sub(b, a), tx));
        vf32 bottom = vf_add(c, vf_mul(vf_sub(d, c), tx));
        out[k] = vf_add(top, vf_mul(vf_sub(bottom, top), ty));
    }
}

/* ---- composite, tone map, encode ------------------------------------------ */

TS_INLINE vf32 aces(vf32 x) {
    vf32 num = vf_mul(x, vf_add(vf_mul(vf_set1(2.51f), x), vf_set1(0.03f)));
    vf32 den = vf_add(vf_mul(x, vf_add(vf_mul(vf_set1(2.43f), x), vf_set1(0.59f))), vf_set1(0.14f));
    return vf_clamp01(vf_div(num, den));
}

static void tonemap(const ts_post_params *p, const ts_post_cpu_frame *f, int x0, int y0, int x1, int y1) {
    const int w = f->width;
    const vf32 exposure = vf_set1(p->exposure), strength = vf_set1(p->bloom_strength);
    for (int y = y0; y < y1; y++) {
        const float *row = f->hdr + (size_t)y * (size_t)w * 4;
        for (int x = x0; x < x1; x += TS_LANES) {
            vi32 xs = lanes_from(x);
            vi32 at = vi_sll(vi_min(xs, vi_set1(w - 1)), 2);
            vf32 c[3];
            for (int k = 0; k < 3; k++) c[k] = vf_mul(sanitize(vf_gather(row + k, at)), exposure);
            if (p->bloom) {
                vf32 b[3];
                vf32 u = vf_sub(vf_mul(vf_from_vi(xs), vf_set1(0.5f)), vf_set1(0.25f));
                bilinear(f->bright, f->half_stride, f->half_w, f->half_h, u, vf_set1((float)y * 0.5f - 0.25f), b);
                for (int k = 0; k < 3; k++) c[k] = vf_add(c[k], vf_mul(strength, b[k]));
            }
            for (int k = 0; k < 3; k++) c[k] = p->tonemap ? aces(c[k]) : vf_clamp01(c[k]);
            if (p->fxaa) {
                size_t o = (size_t)y * f->stride + (size_t)x;
                for (int k = 0; k < 3; k++) vf_store(f->ldr[k] + o, c[k]);
            } else {
                store_rgba8(f->out + (size_t)y * (size_t)w * 4, x, w, encode(p, f->srgb, c[0]),
                            encode(p, f->srgb, c[1]), encode(p, f->srgb, c[2]), quantize(vf_gather(row + 3, at)));
            }
        }
    }
}

/* ---- FXAA -------------------------------------------------------------- */

TS_INLINE vf32 fxaa_luma(vf32 r, vf32 g, vf32 b) { return vf_sqrt(luminance(r, g, b)); }

/* The luma of the pixels at offset `o` (a row) plus `at` (clamped
 * columns); a plain load from column x when the vector lies inside the row. */
TS_INLINE vf32 luma_at(float *const plane[3], size_t o, bool inside, int x, vi32 at) {
    if (inside)
        return fxaa_luma(vf_load(plane[0] + o + x), vf_load(plane[1] + o + x), vf_load(plane[2] + o + x));
    vi32 i = vi_add(vi_set1((int32_t)o), at);
    return fxaa_luma(vf_gather(plane[0], i), vf_gather(plane[1], i), vf_gather(plane[2], i));
}

TS_INLINE vf32 vf_abs(vf32 v) { return vf_max(v, vf_sub(vf_set1(0.0f), v)); }

static void fxaa(const ts_post_params *p, const ts_post_cpu_frame *f, int y0, int y1) {
    const int w = f->width, h = f->height;
    float *const *ldr = f->ldr;
    for (int y = y0; y < y1; y++) {
        size_t om = (size_t)y * f->stride, on = (size_t)clampi(y - 1, 0, h - 1) * f->stride;
        size_t os = (size_t)clampi(y + 1, 0, h - 1) * f->stride;
        const float *hdr_row = f->hdr + (size_t)y * (size_t)w * 4;
        for (int x = 0; x < w; x += TS_LANES) {
            vi32 xs = lanes_from(x);
            vi32 xc = vi_min(xs, vi_set1(w - 1));
            vi32 xw = clamp_vi(vi_sub(xs, vi_set1(1)), 0, w - 1), xe = vi_min(vi_add(xs, vi_set1(1)), vi_set1(w - 1));
            bool inside = x >= 1 && x + TS_LANES + 1 <= w;
            vf32 m[3];
            for (int k = 0; k < 3; k++) m[k] = inside ? vf_load(ldr[k] + om + x) : vf_gather(ldr[k] + om, xc);
            vf32 l_nw = luma_at(ldr, on, inside, x - 1, xw), l_ne = luma_at(ldr, on, inside, x + 1, xe);
            vf32 l_sw = luma_at(ldr, os, inside, x - 1, xw), l_se = luma_at(ldr, os, inside, x + 1, xe);
            vf32 l_m = fxaa_luma(m[0], m[1], m[2]);
            /* No NaN reaches here (the tone map clamps), so min and max
             * are fminf and fmaxf. */
            vf32 l_min = vf_min(l_m, vf_min(vf_min(l_nw, l_ne), vf_min(l_sw, l_se)));
            vf32 l_max = vf_max(l_m, vf_max(vf_max(l_nw, l_ne), vf_max(l_sw, l_se)));
            vmask edge = vf_ge(vf_sub(l_max, l_min),
                               vf_max(vf_set1(TS_FXAA_EDGE_MIN), vf_mul(l_max, vf_set1(TS_FXAA_EDGE_REL))));
            vf32 c[3] = {m[0], m[1], m[2]};
            if (vm_any(edge)) {
                vf32 dir_x = vf_sub(vf_set1(0.0f), vf_sub(vf_add(l_nw, l_ne), vf_add(l_sw, l_se)));
                vf32 dir_y = vf_sub(vf_add(l_nw, l_sw), vf_add(l_ne, l_se));
                vf32 reduce = vf_max(vf_mul(vf_add(vf_add(vf_add(l_nw, l_ne), l_sw), l_se),
                                            vf_set1(0.25f * TS_FXAA_REDUCE_MUL)),
                                     vf_set1(TS_FXAA_REDUCE_MIN));
                vf32 rcp_min = vf_div(vf_set1(1.0f), vf_add(vf_min(vf_abs(dir_x), vf_abs(dir_y)), reduce));
                dir_x = vf_min(vf_set1(TS_FXAA_SPAN_MAX), vf_max(vf_set1(-TS_FXAA_SPAN_MAX), vf_mul(dir_x, rcp_min)));
                dir_y = vf_min(vf_set1(TS_FXAA_SPAN_MAX), vf_max(vf_set1(-TS_FXAA_SPAN_MAX), vf_mul(dir_y, rcp_min)));
                vf32 px = vf_from_vi(xs), py = vf_set1((float)y);
                vf32 a1[3], a2[3], b1[3], b2[3];
                const float s1 = 1.0f / 3.0f - 0.5f, s2 = 2.0f / 3.0f - 0.5f;
                bilinear(ldr, f->stride, w, h, vf_add(px, vf_mul(dir_x, vf_set1(s1))),
                         vf_add(py, vf_mul(dir_y, vf_set1(s1))), a1);
                bilinear(ldr, f->stride, w, h, vf_add(px, vf_mul(dir_x, vf_set1(s2))),
                         vf_add(py, vf_mul(dir_y, vf_set1(s2))), a2);
                bilinear(ldr, f->stride, w, h, vf_add(px, vf_mul(dir_x, vf_set1(-0.5f))),
                         vf_add(py, vf_mul(dir_y, vf_set1(-0.5f))), b1);
                bilinear(ldr, f->stride, w, h, vf_add(px, vf_mul(dir_x, vf_set1(0.5f))),
                         vf_add(py, vf_mul(dir_y, vf_set1(0.5f))), b2);
                vf32 rgb_a[3], rgb_b[3];
                for (int k = 0; k < 3; k++) {
                    rgb_a[k] = vf_mul(vf_set1(0.5f), vf_add(a1[k], a2[k]));
                    rgb_b[k] = vf_add(vf_mul(rgb_a[k], vf_set1(0.5f)), vf_mul(vf_set1(0.25f), vf_add(b1[k], b2[k])));
                }
                vf32 l_b = fxaa_luma(rgb_b[0], rgb_b[1], rgb_b[2]);
                vmask take_a = vm_or(vf_lt(l_b, l_min), vf_gt(l_b, l_max));
                for (int k = 0; k < 3; k++) c[k] = vf_select(edge, vf_select(take_a, rgb_a[k], rgb_b[k]), m[k]);
            }
            store_rgba8(f->out + (size_t)y * (size_t)w * 4, x, w, encode(p, f->srgb, c[0]), encode(p, f->srgb, c[1]),
                        encode(p, f->srgb, c[2]), quantize(vf_gather(hdr_row + 3, vi_sll(xc, 2))));
        }
    }
}

const ts_post_kernels TS_POST_KERNELS_SYMBOL = {
    .name = TS_SIMD_NAME,
    .bright = bright,
    .blur_rows = blur_rows,
    .blur_cols = blur_cols,
    .tonemap = tonemap,
    .fxaa = fxaa,
};
