/* rast_tile.inl — the SIMD tile rasterizer, one source for every ISA. A
 * kernel source includes simd.h (with its TS_SIMD_* target) and then this
 * file, and calls ts_rast_tile_triangle with its own shading function, which
 * gets inlined. Runs on a worker thread, on a tile it alone owns.
 *
 * Per triangle and 8x8 block of the tile:
 *   coarse   the three edge functions over the block's pixel centers give,
 *            per edge, a threshold the block's integer offsets must reach;
 *            a block no pixel can reach is skipped, one every pixel reaches
 *            skips the per-pixel edge tests;
 *   hi-Z     a block whose stored depth is everywhere at or below the
 *            triangle's lowest depth over it is skipped;
 *   fine     TS_LANES pixels (whole 2x2 quads) at a time: coverage, depth
 *            test, perspective-correct varyings, shading, blending.
 * Multisampled (`samples` = 4), coverage and depth are per sample, the
 * pixel is shaded once at its center when any of its samples passes, and
 * its color is blended into each passing sample.
 *
 * Coverage and depth follow raster/rast_ref.c operation for operation, so
 * the result is bit-identical to the reference rasterizer:
 *   E(px, py) + bias >= 0, with E(px, py) = E(bx, by) + 256 (a dx + b dy)
 *   for a pixel (dx, dy) inside the block at (bx, by), is equivalent to
 *   a dx + b dy >= T, T = ceil(-(E(bx, by) + bias) / 256)
 * (a sample adds a sx + b sy to E, so to the threshold's numerator) where |a|, |b| < 2^24 and 0 <= dx, dy < 8 keep a dx + b dy below 2^28: the
 * per-pixel test is exact in 32-bit lanes; only T needs 64 bits, once per
 * block and edge.
 */
#ifndef TS_RAST_TILE_INL
#define TS_RAST_TILE_INL

#include "simd.h"
#include "tile.h"

#include <math.h>

/* What a shading function receives per TS_LANES pixels: the varyings
 * interpolated perspective-correctly, uv differences across each quad
 * (pixel 1 - pixel 0, pixel 2 - pixel 0) for texture level of detail, and
 * the perspective-correct barycentrics of stored vertices 1 and 2 (for the
 * wireframe overlay; unused, they cost nothing once inlined). */
typedef struct ts_frag_v {
    vf32 var[TS_MAX_VARYINGS];
    vf32 duv_dx[2], duv_dy[2];
    vf32 bary[2];
} ts_frag_v;

typedef void (*ts_shade_v_fn)(const void *uniforms, const ts_frag_v *f, vf32 rgba[4]);

/* Lane offsets inside a block: pixel index i (0..63) of the block sits at
 * (dx[i], dy[i]) (tile.h's layout), as integers and as floats. Run g of
 * TS_LANES pixels (lanes g*TS_LANES ..) is run 0 moved by (gx[g], gy[g]):
 * each run is whole quads, laid out alike. */
typedef struct ts_block_lanes {
    int32_t dx[TS_BLOCK_PIXELS], dy[TS_BLOCK_PIXELS];
    float fdx[TS_BLOCK_PIXELS], fdy[TS_BLOCK_PIXELS];
    int32_t gx[TS_BLOCK_PIXELS / 4], gy[TS_BLOCK_PIXELS / 4];
} ts_block_lanes;

#define TS_RUNS (TS_BLOCK_PIXELS / TS_LANES) /* runs of lanes per block */

static const ts_block_lanes *ts_block_lanes_get(void) {
    /* Built at compile time from the layout in tile.h. */
#define L4(i) ((((i) >> 4) & 1) * 4 + (((i) >> 2) & 1) * 2 + ((i) & 1)) /* ts_block_px_x */
#define R4(i) (((i) >> 5) * 4 + (((i) >> 3) & 1) * 2 + (((i) >> 1) & 1))  /* ts_block_px_y */
#define ROW16(b, F) F(b + 0), F(b + 1), F(b + 2), F(b + 3), F(b + 4), F(b + 5), F(b + 6), F(b + 7), \
    F(b + 8), F(b + 9), F(b + 10), F(b + 11), F(b + 12), F(b + 13), F(b + 14), F(b + 15)
#define ALL64(F) ROW16(0, F), ROW16(16, F), ROW16(32, F), ROW16(48, F)
#define GX(g) (L4((g) * TS_LANES) - L4(0))
#define GY(g) (R4((g) * TS_LANES) - R4(0))
    static const ts_block_lanes lanes = {
        {ALL64(L4)}, {ALL64(R4)}, {ALL64(L4)}, {ALL64(R4)},
        {GX(0), GX(1), GX(2), GX(3), GX(4), GX(5), GX(6), GX(7), GX(8), GX(9), GX(10), GX(11), GX(12),
         GX(13), GX(14), GX(15)},
        {GY(0), GY(1), GY(2), GY(3), GY(4), GY(5), GY(6), GY(7), GY(8), GY(9), GY(10), GY(11), GY(12),
         GY(13), GY(14), GY(15)},
    };
#undef L4
#undef R4
#undef ROW16
#undef ALL64
#undef GX
#undef GY
    return &lanes;
}

static int64_t ts_ceil_div256(int64_t v) {
    /* ceil(v / 256) for any sign: floor division of v + 255. */
    int64_t q = (v + 255) / 256;
    if ((v + 255) % 256 != 0 && (v + 255) < 0) q--;
    return q;
}

/* a dx + b dy over the block's 8x8 offsets lies in [lo, hi]. */
static void ts_edge_block_range(const ts_edge *e, int64_t *lo, int64_t *hi) {
    int64_t ax = (int64_t)e->a * (TS_BLOCK - 1), by = (int64_t)e->b * (TS_BLOCK - 1);
    *lo = (ax < 0 ? ax : 0) + (by < 0 ? by : 0);
    *hi = (ax > 0 ? ax : 0) + (by > 0 ? by : 0);
}

TS_INLINE vf32 ts_plane_eval_v(const ts_plane *p, vf32 ox, vf32 oy) {
    vf32 a = vf_mul(vf_set1(p->dx), ox);
    vf32 b = vf_mul(vf_set1(p->dy), oy);
    return vf_add(vf_add(vf_set1(p->c), a), b);
}

/* Hierarchical depth: a bound below the depth the plane gives at any
 * sample of any block of the triangle, per block with one evaluation. The
 * plane is lowest over a block at the same corner for every block (the one
 * its gradient points away from); `corner_x/y` is that corner's offset
 * from the block's first pixel center, samples up to `reach` beyond it.
 * Evaluated there, and lowered by a bound on the rounding: ts_plane_eval
 * rounds four times, each by at most 2^-24 of the summed magnitudes
 * |c| + |dx ox| + |dy oy|, so the corner's value and any sample's are each
 * within 2^-22 of exact, and forming the corner's offset adds 2^-24 more;
 * 2^-20 of the largest such sum over the triangle's pixel rectangle covers
 * it all. */
typedef struct ts_zmin_corner {
    float corner_x, corner_y;
    float slack;
} ts_zmin_corner;

static ts_zmin_corner ts_zmin_setup(const ts_plane *z, float reach, float ox_lo, float oy_lo, float ox_hi,
                                    float oy_hi) {
    ts_zmin_corner c;
    c.corner_x = z->dx > 0.0f ? -reach : (float)(TS_BLOCK - 1) + reach;
    c.corner_y = z->dy > 0.0f ? -reach : (float)(TS_BLOCK - 1) + reach;
    /* (Not fmaxf: without -fno-math-errno it is a library call.) */
    float ax = (fabsf(ox_lo) > fabsf(ox_hi) ? fabsf(ox_lo) : fabsf(ox_hi)) + (float)TS_BLOCK + reach;
    float ay = (fabsf(oy_lo) > fabsf(oy_hi) ? fabsf(oy_lo) : fabsf(oy_hi)) + (float)TS_BLOCK + reach;
    float mag = fabsf(z->c) + fabsf(z->dx) * ax + fabsf(z->dy) * ay;
    c.slack = mag * (1.0f / 1048576.0f);
    return c;
}

/* Offset from stored vertex 0, in pixels, of the sample at subpixel offset
 * `sample_d` from the center of pixel `p`: exactly what
 * ts_setup_sample_offset gives. The integer below stays under 2^24 in
 * magnitude (pixels below 2^14, snapped vertices below 2^23), so its
 * conversion and the division by 256 are exact, and so is adding a pixel
 * offset inside the block to it: the kernels form a block's offsets as
 * this base plus the lane's dx, with the same bits. */
static float ts_offset_base(int p, int32_t sample_d, int32_t v0) {
    return (float)(p * TS_SUBPIXEL_ONE + TS_SUBPIXEL_HALF + sample_d - v0) * (1.0f / TS_SUBPIXEL_ONE);
}

/* Rasterizes `tri` into the tile with `samples` (1 or TS_MAX_SAMPLES, a
 * constant after inlining) per pixel; varyings uv_var and uv_var + 1 are
 * the texture coordinates whose quad differences the shader receives.
 * `opaque` (a constant too) says the program's alpha is always 1, so its
 * colors replace what is there without the blend. */
TS_INLINE uint32_t ts_rast_tile_triangle(ts_tile_buf *tb, ts_tile_rect rect, const ts_tile_tri *tri,
                                         int samples, int uv_var, bool opaque, ts_shade_v_fn shade) {
    const ts_tri_setup *t = &tri->setup;
    const ts_block_lanes *lanes = ts_block_lanes_get();

    /* The triangle's pixels in this tile, in block units. */
    int x0 = t->minx > rect.x ? t->minx : rect.x, y0 = t->miny > rect.y ? t->miny : rect.y;
    int x1 = t->maxx < rect.x + rect.w - 1 ? t->maxx : rect.x + rect.w - 1;
    int y1 = t->maxy < rect.y + rect.h - 1 ? t->maxy : rect.y + rect.h - 1;
    if (x0 > x1 || y0 > y1) return 0;
    uint32_t written = 0;
    int bx0 = (x0 - rect.x) / TS_BLOCK, bx1 = (x1 - rect.x) / TS_BLOCK;
    int by0 = (y0 - rect.y) / TS_BLOCK, by1 = (y1 - rect.y) / TS_BLOCK;

    /* Edge values a dx + b dy of run 0's lanes, and what each run g adds to
     * them (a gx + b gy): run g passes edge e where
     * ev[e] >= T - run_add[e][g], so the per-pixel test is one compare.
     * The block's threshold T (see the top of this file) for a sample at
     * subpixel offset (sx, sy) is
     *     ceil(-(E(px0, py0) + a sx + b sy + bias) / 256)
     *   = tk[s][e] - (a px0 + b py0),
     * tk = ceil(-(a (128 + sx - xs) + b (128 + sy - ys) + bias) / 256),
     * because E(px0, py0) is 256 (a px0 + b py0) plus the part without
     * px0, py0, and an integer leaves a ceiling unchanged. */
    int64_t lo[3], hi[3], tk[TS_MAX_SAMPLES][3];
    vi32 ev[3];
    int32_t run_add[3][TS_RUNS];
    ts_edge edge[3];
    for (int e = 0; e < 3; e++) {
        edge[e] = ts_tri_edge(t, e);
        const ts_edge *ed = &edge[e];
        ts_edge_block_range(ed, &lo[e], &hi[e]);
        for (int s = 0; s < samples; s++) {
            int64_t rest = (int64_t)ed->a * (TS_SUBPIXEL_HALF + ts_sample_dx(samples, s) - ed->xs) +
                           (int64_t)ed->b * (TS_SUBPIXEL_HALF + ts_sample_dy(samples, s) - ed->ys);
            tk[s][e] = ts_ceil_div256(-(rest + ed->bias));
        }
        ev[e] = vi_add(vi_mul(vi_set1(ed->a), vi_load(lanes->dx)), vi_mul(vi_set1(ed->b), vi_load(lanes->dy)));
        for (int g = 0; g < TS_RUNS; g++) run_add[e][g] = ed->a * lanes->gx[g] + ed->b * lanes->gy[g];
    }

    float reach = samples == 1 ? 0.0f : (float)TS_SAMPLE_REACH * (1.0f / TS_SUBPIXEL_ONE);
    ts_zmin_corner zc = ts_zmin_setup(&t->z, reach, ts_offset_base(rect.x + bx0 * TS_BLOCK, 0, t->x[0]),
                                      ts_offset_base(rect.y + by0 * TS_BLOCK, 0, t->y[0]),
                                      ts_offset_base(rect.x + bx1 * TS_BLOCK, 0, t->x[0]),
                                      ts_offset_base(rect.y + by1 * TS_BLOCK, 0, t->y[0]));

    /* Varying differences, as the reference forms them. */
    float d1[TS_MAX_VARYINGS], d2[TS_MAX_VARYINGS];
    for (int k = 0; k < TS_MAX_VARYINGS; k++) {
        d1[k] = tri->var[1][k] - tri->var[0][k];
        d2[k] = tri->var[2][k] - tri->var[0][k];
    }

    for (int by = by0; by <= by1; by++) {
        for (int bx = bx0; bx <= bx1; bx++) {
            int blk = by * (TS_TILE / TS_BLOCK) + bx;
            int px0 = rect.x + bx * TS_BLOCK, py0 = rect.y + by * TS_BLOCK;

            /* Coarse: per-sample, per-edge thresholds for this block. The
             * block is skipped when no sample can be reached, and needs no
             * per-pixel edge test when every sample of every pixel is. */
            int32_t thr[TS_MAX_SAMPLES][3];
            int64_t pb[3]; /* a px0 + b py0 per edge */
            for (int e = 0; e < 3; e++) pb[e] = (int64_t)edge[e].a * px0 + (int64_t)edge[e].b * py0;
            bool all_in = true, none = true;
            for (int s = 0; s < samples; s++) {
                bool sample_none = false;
                for (int e = 0; e < 3; e++) {
                    int64_t T = tk[s][e] - pb[e];
                    if (hi[e] < T) sample_none = true;
                    if (lo[e] < T) all_in = false;
                    /* Outside the reachable range, any value beyond it
                     * decides the same way; clamp so it fits 32 bits (and
                     * T - run_add, below 2^29, too). */
                    if (T < lo[e]) T = lo[e];
                    if (T > hi[e] + 1) T = hi[e] + 1;
                    thr[s][e] = (int32_t)T;
                }
                if (!sample_none) none = false;
            }
            if (none) continue;

            /* Offsets of the block's first pixel center and samples from
             * vertex 0 (the lanes add their dx, dy exactly). */
            float ox0 = ts_offset_base(px0, 0, t->x[0]), oy0 = ts_offset_base(py0, 0, t->y[0]);

            /* Hi-Z: nothing here can pass LESS. */
            if (ts_plane_eval(&t->z, ox0 + zc.corner_x, oy0 + zc.corner_y) - zc.slack >= tb->block_zmax[blk])
                continue;

            float sox[TS_MAX_SAMPLES], soy[TS_MAX_SAMPLES];
            for (int s = 0; s < samples; s++) {
                sox[s] = ts_offset_base(px0, ts_sample_dx(samples, s), t->x[0]);
                soy[s] = ts_offset_base(py0, ts_sample_dy(samples, s), t->y[0]);
            }
            /* Only blocks on a partial tile's right or bottom edge hold
             * pixels beyond the frame, which are never covered. */
            int xlim = rect.x + rect.w - px0, ylim = rect.y + rect.h - py0;
            bool clipped = xlim < TS_BLOCK || ylim < TS_BLOCK;

            bool wrote = false;
            for (int g = 0; g < TS_RUNS; g++) {
                int at0 = g * TS_LANES;
                vmask inside = vm_from_bits(~0u); /* every lane */
                if (clipped)
                    inside = vm_and(vi_lt(vi_load(&lanes->dx[at0]), vi_set1(xlim)),
                                    vi_lt(vi_load(&lanes->dy[at0]), vi_set1(ylim)));

                /* Per sample: coverage, then depth LESS against the
                 * sample's stored depth. */
                vmask pass[TS_MAX_SAMPLES];
                vf32 zs[TS_MAX_SAMPLES], zold[TS_MAX_SAMPLES];
                vmask any = vm_from_bits(0);
                for (int s = 0; s < samples; s++) {
                    vmask m = inside;
                    if (!all_in)
                        for (int e = 0; e < 3; e++) m = vm_and(m, vi_ge(ev[e], vi_set1(thr[s][e] - run_add[e][g])));
                    pass[s] = m;
                    any = vm_or(any, m);
                }
                if (!vm_any(any)) continue;
                vf32 fdx = vf_load(&lanes->fdx[at0]), fdy = vf_load(&lanes->fdy[at0]);
                any = vm_from_bits(0);
                for (int s = 0; s < samples; s++) {
                    vf32 z = ts_plane_eval_v(&t->z, vf_add(vf_set1(sox[s]), fdx), vf_add(vf_set1(soy[s]), fdy));
                    /* As the reference's clamp: a NaN stays NaN (and fails LESS). */
                    zs[s] = vf_select(vf_lt(z, vf_set1(0.0f)), vf_set1(0.0f),
                                      vf_select(vf_gt(z, vf_set1(1.0f)), vf_set1(1.0f), z));
                    zold[s] = vf_load(&tb->depth[ts_tile_at(samples, blk, s, at0)]);
                    pass[s] = vm_and(pass[s], vf_lt(zs[s], zold[s]));
                    any = vm_or(any, pass[s]);
                }
                if (!vm_any(any)) continue;

                /* Attributes at the pixel center. */
                vf32 ox = vf_add(vf_set1(ox0), fdx), oy = vf_add(vf_set1(oy0), fdy);
                vf32 w = vf_div(vf_set1(1.0f), ts_plane_eval_v(&t->inv_w, ox, oy));
                vf32 b1 = vf_mul(ts_plane_eval_v(&t->pb1, ox, oy), w);
                vf32 b2 = vf_mul(ts_plane_eval_v(&t->pb2, ox, oy), w);
                /* Exactly the reference's varyings (no vf_fma here): a
                 * program may normalize a vector that is nearly zero, which
                 * turns a difference in its last bits into any direction. */
                ts_frag_v f;
                for (int k = 0; k < TS_MAX_VARYINGS; k++)
                    f.var[k] = vf_add(vf_add(vf_set1(tri->var[0][k]), vf_mul(b1, vf_set1(d1[k]))),
                                      vf_mul(b2, vf_set1(d2[k])));
                for (int c = 0; c < 2; c++) {
                    vf32 uv = f.var[uv_var + c];
                    vf32 q0 = vf_quad_lane(uv, 0);
                    f.duv_dx[c] = vf_sub(vf_quad_lane(uv, 1), q0);
                    f.duv_dy[c] = vf_sub(vf_quad_lane(uv, 2), q0);
                }
                f.bary[0] = b1;
                f.bary[1] = b2;
                vf32 src[4];
                shade(tri->uniforms, &f, src);

                /* Source-over into each passing sample, as the reference:
                 * opaque sources replace; color = src a + dst (1 - a),
                 * alpha = a + dst_alpha (1 - a). */
                vmask src_opaque = vf_ge(src[3], vf_set1(1.0f));
                vf32 inv_a = vf_sub(vf_set1(1.0f), src[3]);
                for (int s = 0; s < samples; s++) {
                    int at = ts_tile_at(samples, blk, s, at0);
                    float *dst[4] = {&tb->r[at], &tb->g[at], &tb->b[at], &tb->a[at]};
                    for (int c = 0; c < 4; c++) {
                        vf32 d = vf_load(dst[c]), out = src[c];
                        if (!opaque) {
                            vf32 s_term = c < 3 ? vf_mul(src[c], src[3]) : src[3];
                            out = vf_select(src_opaque, src[c], vf_add(s_term, vf_mul(d, inv_a)));
                        }
                        vf_store(dst[c], vf_select(pass[s], out, d));
                    }
                    vf_store(&tb->depth[at], vf_select(pass[s], zs[s], zold[s]));
                }
                written += (uint32_t)__builtin_popcount(vm_bits(any));
                wrote = true;
            }
            if (wrote) {
                tb->touched |= (uint64_t)1 << blk;
                const float *zb = &tb->depth[ts_tile_at(samples, blk, 0, 0)];
                vf32 zmax = vf_load(zb);
                for (int g = TS_LANES; g < samples * TS_BLOCK_PIXELS; g += TS_LANES) zmax = vf_max(zmax, vf_load(&zb[g]));
                tb->block_zmax[blk] = vf_reduce_max(zmax); /* stored depths are never NaN */
            }
        }
    }
    return written;
}

#endif
