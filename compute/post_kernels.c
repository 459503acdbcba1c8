/* post_kernels.c — the post-processing chain's kernels on SIMD lanes: one
 * source, compiled once per ISA with that ISA's flags and
 * -DTS_SIMD_<NAME> -DTS_POST_KERNELS_SYMBOL=ts_post_kernels_<name>
 * (cmake/Kernels.cmake). Runs on worker threads.
 *
 * Each kernel does post_cpu.c's operations in post_cpu.c's order, a vector
 * of TS_LANES pixels of one row at a time (lane i is pixel x + i; the
 * bright pass takes TS_LANES quads of the tile buffer instead), so the
 * result is the definition's, bit for bit. Coordinates past an edge are
 * clamped as the definition clamps them; lanes past a row's end compute on
 * clamped pixels and are stored only into the planes' padding, never into
 * the frame. */
#include "post_fast.h"

#include <math.h>
#include <string.h>

#include "simd.h"
#include "tile_v.inl"

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
    /* Lane by lane: the hardware gathers of some CPUs cost more than the
     * scalar loads, and the table is small enough to stay in L1. */
    int32_t at[TS_LANES], got[TS_LANES];
    vi_store(at, bucket);
    for (int i = 0; i < TS_LANES; i++) got[i] = t->entry[at[i]];
    vi32 e = vi_load(got);
    vi32 base = vi_and(e, vi_set1(255));
    vmask up = vi_ge(vi_and(bits, vi_set1(0xFFFF)), vi_srl(e, 8));
    return vi_select(up, vi_add(base, vi_set1(1)), base);
}

/* Stores the RGBA8 words of pixels x .. x + TS_LANES - 1 of a frame row,
 * only those left of `width`. */
TS_INLINE void store_word(uint8_t *row, int x, int width, vi32 word) {
    if (x + TS_LANES <= width) {
        vi_store((int32_t *)(void *)(row + (size_t)x * 4), word);
        return;
    }
    int32_t tmp[TS_LANES];
    vi_store(tmp, word);
    memcpy(row + (size_t)x * 4, tmp, (size_t)(width - x) * 4);
}

/* ---- bloom ------------------------------------------------------------- */

/* The bright pass of quads: c[corner][channel] holds, lane by lane, the
 * corners of TS_LANES 2x2 quads, in the definition's order (0,0), (1,0),
 * (0,1), (1,1); the half pixels they average into out[channel]. */
TS_INLINE void bright_quads(const ts_post_params *p, vf32 c[4][3], float *out[3]) {
    const vf32 exposure = vf_set1(p->exposure), threshold = vf_set1(p->bloom_threshold);
    vf32 sum[3];
    for (int k = 0; k < 3; k++) {
        vf32 s = vf_set1(0.0f);
        for (int corner = 0; corner < 4; corner++) s = vf_add(s, vf_mul(sanitize(c[corner][k]), exposure));
        sum[k] = vf_mul(s, vf_set1(0.25f));
    }
    vf32 l = luminance(sum[0], sum[1], sum[2]);
    /* (l - threshold) / l only where l > threshold: elsewhere 0 */
    vf32 keep = vf_select(vf_gt(l, threshold), vf_div(vf_sub(l, threshold), l), vf_set1(0.0f));
    for (int k = 0; k < 3; k++) vf_store(out[k], vf_mul(sum[k], keep));
}

/* The tile's half pixels, from its buffer (tile.h) rather than the HDR
 * frame, which the store sent to memory: per 8x8 block the 16 quads, in
 * the block's order (a quad's four pixels are consecutive, in the
 * definition's order: two rounds of even/odd lanes split them). A block
 * the frame's edge cuts is first copied with the pixels past the edge
 * replaced by the edge's, as the definition clamps them (a 64-pixel tile
 * at even coordinates is exactly the half pixels it averages, so nothing
 * outside the tile is needed). */
static void bright(const ts_post_params *p, const ts_post_cpu_frame *f, const ts_tile_buf *tb, int samples, int x,
                   int y, int w, int h) {
    const float *planes[3] = {tb->r, tb->g, tb->b};
    for (int k = 0; k < TS_TILE_BLOCKS; k++) {
        int bx = ts_tile_block_x(k), by = ts_tile_block_y(k);
        if (bx >= w || by >= h) continue;
        int bw = w - bx < TS_BLOCK ? w - bx : TS_BLOCK, bh = h - by < TS_BLOCK ? h - by : TS_BLOCK;
        _Alignas(64) float px[3][TS_BLOCK_PIXELS];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < TS_BLOCK_PIXELS; i += TS_LANES)
                vf_store(&px[c][i], ts_tile_resolved(planes[c], samples, k, i));
        if (bw < TS_BLOCK || bh < TS_BLOCK) {
            _Alignas(64) float cut[3][TS_BLOCK_PIXELS];
            for (int i = 0; i < TS_BLOCK_PIXELS; i++) {
                int cx = ts_block_px_x(i) < bw ? ts_block_px_x(i) : bw - 1;
                int cy = ts_block_px_y(i) < bh ? ts_block_px_y(i) : bh - 1;
                for (int c = 0; c < 3; c++) cut[c][i] = px[c][ts_block_index(cx, cy)];
            }
            memcpy(px, cut, sizeof px);
        }
        _Alignas(64) float half[3][TS_BLOCK_PIXELS / 4]; /* quad q's half pixel at q */
        for (int q = 0; q < TS_BLOCK_PIXELS / 4; q += TS_LANES) {
            vf32 corner[4][3];
            for (int c = 0; c < 3; c++) {
                const float *at = &px[c][4 * q];
                vf32 e01, o01, e23, o23;
                vf_even_odd(vf_load(at), vf_load(at + TS_LANES), &e01, &o01);
                vf_even_odd(vf_load(at + 2 * TS_LANES), vf_load(at + 3 * TS_LANES), &e23, &o23);
                vf_even_odd(e01, e23, &corner[0][c], &corner[2][c]);
                vf_even_odd(o01, o23, &corner[1][c], &corner[3][c]);
            }
            bright_quads(p, corner, (float *[3]){&half[0][q], &half[1][q], &half[2][q]});
        }
        /* Quad q is half pixel (2 sx + qx, 2 sy + qy) of the block, its
         * bits from the top square y, square x, quad y, quad x. */
        int hx = (x + bx) / 2, hy = (y + by) / 2;
        for (int q = 0; q < TS_BLOCK_PIXELS / 4; q++) {
            int i = ((q >> 2) & 1) * 2 + (q & 1), j = (q >> 3) * 2 + ((q >> 1) & 1);
            if (2 * i >= bw || 2 * j >= bh) continue;
            size_t at = (size_t)(hy + j) * f->half_stride + (size_t)(hx + i);
            for (int c = 0; c < 3; c++) f->bright[c][at] = half[c][q];
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

/* ---- composite, tone map, encode ------------------------------------------ */

TS_INLINE vf32 aces(vf32 x) {
    vf32 num = vf_mul(x, vf_add(vf_mul(vf_set1(2.51f), x), vf_set1(0.03f)));
    vf32 den = vf_add(vf_mul(x, vf_add(vf_mul(vf_set1(2.43f), x), vf_set1(0.59f))), vf_set1(0.14f));
    return vf_clamp01(vf_div(num, den));
}

/* The bloom added to full pixels x .. x + 2 TS_LANES - 1 (x even) of row
 * y: the blurred image sampled at (x/2 - 1/4, y/2 - 1/4). Pixel 2m samples
 * between half pixels m - 1 and m at 3/4, pixel 2m + 1 between m and m + 1
 * at 1/4 (both exact in float), so each tap is a plain load at half size,
 * and the two results are interleaved. Same operations as the definition's
 * bilinear, per pixel. */
TS_INLINE void bloom_pair(const ts_post_cpu_frame *f, int y, int x, vf32 lo[3], vf32 hi[3]) {
    const int w2 = f->half_w, h2 = f->half_h, m = x / 2;
    float v = (float)y * 0.5f - 0.25f, fv = floorf(v), ty = v - fv;
    size_t rows[2] = {(size_t)clampi((int)fv, 0, h2 - 1) * f->half_stride,
                      (size_t)clampi((int)fv + 1, 0, h2 - 1) * f->half_stride};
    bool inside = m - 1 >= 0 && m + TS_LANES <= w2 - 1;
    vi32 ms = lanes_from(m);
    vi32 at[3] = {clamp_vi(vi_sub(ms, vi_set1(1)), 0, w2 - 1), clamp_vi(ms, 0, w2 - 1),
                  clamp_vi(vi_add(ms, vi_set1(1)), 0, w2 - 1)};
    for (int k = 0; k < 3; k++) {
        vf32 even[2], odd[2];
        for (int r = 0; r < 2; r++) {
            const float *src = f->bright[k] + rows[r];
            vf32 left, mid, right;
            if (inside) {
                left = vf_load(src + m - 1), mid = vf_load(src + m), right = vf_load(src + m + 1);
            } else {
                left = vf_gather(src, at[0]), mid = vf_gather(src, at[1]), right = vf_gather(src, at[2]);
            }
            even[r] = vf_add(left, vf_mul(vf_sub(mid, left), vf_set1(0.75f)));
            odd[r] = vf_add(mid, vf_mul(vf_sub(right, mid), vf_set1(0.25f)));
        }
        vf32 e = vf_add(even[0], vf_mul(vf_sub(even[1], even[0]), vf_set1(ty)));
        vf32 o = vf_add(odd[0], vf_mul(vf_sub(odd[1], odd[0]), vf_set1(ty)));
        vf_zip(e, o, &lo[k], &hi[k]);
    }
}

/* TS_LANES pixels of an RGBA row from x, clamped at the right edge. */
TS_INLINE void load_rgba(const float *row, int x, int w, vf32 out[4]) {
    if (x + TS_LANES <= w) {
        vf_load_rgba(row + (size_t)x * 4, out);
        return;
    }
    vi32 at = vi_sll(vi_min(lanes_from(x), vi_set1(w - 1)), 2);
    for (int k = 0; k < 4; k++) out[k] = vf_gather(row + k, at);
}

/* The chain's per-pixel stages on the linear color px: exposure, the bloom
 * `b` (NULL: none), the tone map (or the clamp). */
TS_INLINE void shade_vec(const ts_post_params *p, const vf32 px[4], const vf32 *b, vf32 c[3]) {
    for (int k = 0; k < 3; k++) c[k] = vf_mul(sanitize(px[k]), vf_set1(p->exposure));
    if (b)
        for (int k = 0; k < 3; k++) c[k] = vf_add(c[k], vf_mul(vf_set1(p->bloom_strength), b[k]));
    for (int k = 0; k < 3; k++) c[k] = p->tonemap ? aces(c[k]) : vf_clamp01(c[k]);
}

/* The shaded color c, encoded, and the 8-bit alpha a, packed as RGBA8
 * words. */
TS_INLINE vi32 pack_vec(const ts_post_params *p, const ts_post_srgb_table *t, const vf32 c[3], vi32 a) {
    return vi_or(vi_or(encode(p, t, c[0]), vi_sll(encode(p, t, c[1]), 8)),
                 vi_or(vi_sll(encode(p, t, c[2]), 16), vi_sll(a, 24)));
}

/* Pixels x .. x + TS_LANES - 1 of row y: the per-pixel stages, then to
 * `ldr` or (NULL) encoded into `out`. */
TS_INLINE void tonemap_vec(const ts_post_params *p, const ts_post_cpu_frame *f, const ts_post_ldr *ldr, int y, int x,
                           const vf32 *b) {
    const int w = f->width;
    const float *row = f->hdr + (size_t)y * (size_t)w * 4;
    vf32 px[4], c[3];
    load_rgba(row, x, w, px);
    shade_vec(p, px, b, c);
    if (ldr) {
        size_t o = (size_t)(y - ldr->y0) * f->stride + (size_t)x;
        for (int k = 0; k < 3; k++) vf_store(ldr->plane[k] + o, c[k]);
        vf_store(ldr->plane[3] + o, vf_sqrt(luminance(c[0], c[1], c[2]))); /* FXAA's luma, sqrt(L) */
        /* The alpha byte now, so that FXAA reads a quarter of the bytes
         * instead of the HDR row again; it writes the color bytes. Rows
         * outside the band are another band's to write. */
        if (y >= ldr->own0 && y < ldr->own1)
            store_word(f->out + (size_t)y * (size_t)w * 4, x, w, vi_sll(quantize(px[3]), 24));
    } else {
        store_word(f->out + (size_t)y * (size_t)w * 4, x, w, pack_vec(p, f->srgb, c, quantize(px[3])));
    }
}

/* x0 is a multiple of 2 TS_LANES (the finish phase passes the frame's left edge). */
static void tonemap(const ts_post_params *p, const ts_post_cpu_frame *f, const ts_post_ldr *ldr, int x0, int y0,
                    int x1, int y1) {
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x += 2 * TS_LANES) {
            vf32 lo[3], hi[3];
            if (p->bloom) bloom_pair(f, y, x, lo, hi);
            tonemap_vec(p, f, ldr, y, x, p->bloom ? lo : NULL);
            if (x + TS_LANES < x1) tonemap_vec(p, f, ldr, y, x + TS_LANES, p->bloom ? hi : NULL);
        }
}

/* ---- FXAA -------------------------------------------------------------- */

/* The luma (the band's plane 3) at offset `o` (a row) plus `at` (clamped
 * columns); a plain load from column x when the vector lies inside the row. */
TS_INLINE vf32 luma_at(float *const plane[4], size_t o, bool inside, int x, vi32 at) {
    if (inside) return vf_load(plane[3] + o + x);
    return vf_gather(plane[3], vi_add(vi_set1((int32_t)o), at));
}

TS_INLINE vf32 vf_abs(vf32 v) { return vf_max(v, vf_sub(vf_set1(0.0f), v)); }

/* post_cpu.c's bilinear on the planar `ldr`, one pixel. */
static void bilinear1(const ts_post_cpu_frame *f, const ts_post_ldr *ldr, float u, float v, float out[3]) {
    float fu = floorf(u), fv = floorf(v);
    float tx = u - fu, ty = v - fv;
    int x0 = clampi((int)fu, 0, f->width - 1), x1 = clampi((int)fu + 1, 0, f->width - 1);
    size_t y0 = (size_t)(clampi((int)fv, 0, f->height - 1) - ldr->y0) * f->stride;
    size_t y1 = (size_t)(clampi((int)fv + 1, 0, f->height - 1) - ldr->y0) * f->stride;
    for (int k = 0; k < 3; k++) {
        const float *pl = ldr->plane[k];
        float top = pl[y0 + x0] + (pl[y0 + x1] - pl[y0 + x0]) * tx;
        float bottom = pl[y1 + x0] + (pl[y1 + x1] - pl[y1 + x0]) * tx;
        out[k] = top + (bottom - top) * ty;
    }
}

/* FXAA's blend at pixel (x, y) of an edge, direction (dx, dy): lane i of
 * rgb is replaced, as post_cpu.c's fxaa does it. */
static void fxaa_blend(const ts_post_cpu_frame *f, const ts_post_ldr *ldr, float x, float y, float dx, float dy,
                       float l_min, float l_max, float rgb[3][TS_LANES], int i) {
    float a1[3], a2[3], b1[3], b2[3];
    bilinear1(f, ldr, x + dx * (1.0f / 3.0f - 0.5f), y + dy * (1.0f / 3.0f - 0.5f), a1);
    bilinear1(f, ldr, x + dx * (2.0f / 3.0f - 0.5f), y + dy * (2.0f / 3.0f - 0.5f), a2);
    bilinear1(f, ldr, x + dx * -0.5f, y + dy * -0.5f, b1);
    bilinear1(f, ldr, x + dx * 0.5f, y + dy * 0.5f, b2);
    float rgb_a[3], rgb_b[3];
    for (int k = 0; k < 3; k++) {
        rgb_a[k] = 0.5f * (a1[k] + a2[k]);
        rgb_b[k] = rgb_a[k] * 0.5f + 0.25f * (b1[k] + b2[k]);
    }
    float l_b = sqrtf(0.2126f * rgb_b[0] + 0.7152f * rgb_b[1] + 0.0722f * rgb_b[2]);
    bool take_a = l_b < l_min || l_b > l_max;
    for (int k = 0; k < 3; k++) rgb[k][i] = take_a ? rgb_a[k] : rgb_b[k];
}

static void fxaa(const ts_post_params *p, const ts_post_cpu_frame *f, const ts_post_ldr *band, int y0, int y1) {
    const int w = f->width, h = f->height;
    float *const *ldr = band->plane;
    for (int y = y0; y < y1; y++) {
        size_t om = (size_t)(y - band->y0) * f->stride, on = (size_t)(clampi(y - 1, 0, h - 1) - band->y0) * f->stride;
        size_t os = (size_t)(clampi(y + 1, 0, h - 1) - band->y0) * f->stride;
        uint8_t *out_row = f->out + (size_t)y * (size_t)w * 4;
        for (int x = 0; x < w; x += TS_LANES) {
            vi32 xs = lanes_from(x);
            vi32 xc = vi_min(xs, vi_set1(w - 1));
            vi32 xw = clamp_vi(vi_sub(xs, vi_set1(1)), 0, w - 1), xe = vi_min(vi_add(xs, vi_set1(1)), vi_set1(w - 1));
            bool inside = x >= 1 && x + TS_LANES + 1 <= w;
            vf32 m[3];
            for (int k = 0; k < 3; k++) m[k] = inside ? vf_load(ldr[k] + om + x) : vf_gather(ldr[k] + om, xc);
            vf32 l_nw = luma_at(ldr, on, inside, x - 1, xw), l_ne = luma_at(ldr, on, inside, x + 1, xe);
            vf32 l_sw = luma_at(ldr, os, inside, x - 1, xw), l_se = luma_at(ldr, os, inside, x + 1, xe);
            vf32 l_m = luma_at(ldr, om, inside, x, xc);
            /* No NaN reaches here (the tone map clamps), so min and max
             * are fminf and fmaxf. */
            vf32 l_min = vf_min(l_m, vf_min(vf_min(l_nw, l_ne), vf_min(l_sw, l_se)));
            vf32 l_max = vf_max(l_m, vf_max(vf_max(l_nw, l_ne), vf_max(l_sw, l_se)));
            vmask edge = vf_ge(vf_sub(l_max, l_min),
                               vf_max(vf_set1(TS_FXAA_EDGE_MIN), vf_mul(l_max, vf_set1(TS_FXAA_EDGE_REL))));
            vf32 c[3] = {m[0], m[1], m[2]};
            uint32_t edges = vm_bits(edge);
            if (edges) {
                /* The direction on lanes; the taps, which go anywhere within
                 * 8.5 pixels, lane by lane, and only where there is an edge
                 * (loads, not gathers: few lanes are edges). */
                vf32 dir_x = vf_sub(vf_set1(0.0f), vf_sub(vf_add(l_nw, l_ne), vf_add(l_sw, l_se)));
                vf32 dir_y = vf_sub(vf_add(l_nw, l_sw), vf_add(l_ne, l_se));
                vf32 reduce = vf_max(vf_mul(vf_add(vf_add(vf_add(l_nw, l_ne), l_sw), l_se),
                                            vf_set1(0.25f * TS_FXAA_REDUCE_MUL)),
                                     vf_set1(TS_FXAA_REDUCE_MIN));
                vf32 rcp_min = vf_div(vf_set1(1.0f), vf_add(vf_min(vf_abs(dir_x), vf_abs(dir_y)), reduce));
                dir_x = vf_min(vf_set1(TS_FXAA_SPAN_MAX), vf_max(vf_set1(-TS_FXAA_SPAN_MAX), vf_mul(dir_x, rcp_min)));
                dir_y = vf_min(vf_set1(TS_FXAA_SPAN_MAX), vf_max(vf_set1(-TS_FXAA_SPAN_MAX), vf_mul(dir_y, rcp_min)));
                float dx[TS_LANES], dy[TS_LANES], lo[TS_LANES], hi[TS_LANES], rgb[3][TS_LANES];
                vf_store(dx, dir_x), vf_store(dy, dir_y), vf_store(lo, l_min), vf_store(hi, l_max);
                for (int k = 0; k < 3; k++) vf_store(rgb[k], c[k]);
                for (; edges; edges &= edges - 1) {
                    int i = __builtin_ctz(edges);
                    fxaa_blend(f, band, (float)(x + i), (float)y, dx[i], dy[i], lo[i], hi[i], rgb, i);
                }
                for (int k = 0; k < 3; k++) c[k] = vf_load(rgb[k]);
            }
            int32_t alpha[TS_LANES] = {0}; /* the tone map stored it */
            memcpy(alpha, out_row + (size_t)x * 4, (size_t)(x + TS_LANES <= w ? TS_LANES : w - x) * 4);
            store_word(out_row, x, w, pack_vec(p, f->srgb, c, vi_srl(vi_load(alpha), 24)));
        }
    }
}

/* ---- the fused chain ------------------------------------------------------ */

static void encode_pixels(const void *ctx, const float *const rgba[4], int32_t *out, int count) {
    const ts_post_cpu_frame *f = ctx;
    const ts_post_params *p = f->params;
    for (int i = 0; i < count; i += TS_LANES) {
        vf32 px[4], c[3];
        for (int k = 0; k < 4; k++) px[k] = vf_load(rgba[k] + i);
        shade_vec(p, px, NULL, c);
        vi_store(out + i, pack_vec(p, f->srgb, c, quantize(px[3])));
    }
}

const ts_post_kernels TS_POST_KERNELS_SYMBOL = {
    .name = TS_SIMD_NAME,
    .bright = bright,
    .blur_rows = blur_rows,
    .blur_cols = blur_cols,
    .tonemap = tonemap,
    .fxaa = fxaa,
    .encode = encode_pixels,
};
