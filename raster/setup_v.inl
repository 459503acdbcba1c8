/* setup_v.inl — triangle setup on SIMD lanes, TS_LANES triangles at a time:
 * ts_setup_triangle (raster/setup.c) step for step, one source for every
 * ISA. shaders/kernels.c includes it after raster/simd.h and puts
 * ts_setup_group_v in its kernel table. Runs on the geometry side (worker
 * threads); a pure function of its arguments.
 *
 * Every field comes out bit-identical to the scalar setup's, and the same
 * triangles are accepted:
 *   snap     v * 256 is exact; |s| < 2^23 is two ordered compares (both
 *            false for NaN); refused lanes convert 0 instead, so no lane
 *            converts NaN or an out-of-range value; rounding to nearest
 *            even as lrintf; then the bound again on the integer, since
 *            2^23 - 0.5 rounds to 2^23.
 *   area     snapped coordinates lie in (-2^23, 2^23), so the deltas are
 *            below 2^24, each product below 2^48 and their difference below
 *            2^49: exact in doubles, where the scalar setup uses int64. The
 *            float of the area is then one rounding of the exact value, as
 *            (float)area2 is, and its sign and zero test are read off that
 *            float (a nonzero integer never rounds to zero).
 *   bounds   the ceiling and floor divisions by 256 of values that fit in
 *            32 bits (|x| < 2^23 plus half a pixel and the sample reach):
 *            arithmetic shifts, which round toward minus infinity.
 *   planes   the same float operations in the same order as make_plane; no
 *            operation of simd.h is fused, and the build sets
 *            -ffp-contract=off so the compiler fuses none either.
 * The records are written one accepted lane at a time from lane arrays.
 */
#ifndef TS_SETUP_V_INL
#define TS_SETUP_V_INL

#include <math.h>

#include "simd.h"
#include "tile.h"

#define TS_SNAP_BOUND (1 << 23) /* MAX_SNAPPED in setup.c */

_Static_assert(TS_SETUP_GROUP % TS_LANES == 0, "a setup group is whole vectors");

/* snap() of setup.c on lanes: the coordinate in subpixels, and *ok cleared
 * where snap() would refuse it. */
TS_INLINE vi32 ts_snap_v(vf32 v, vmask *ok) {
    vf32 s = vf_mul(v, vf_set1((float)TS_SUBPIXEL_ONE));
    vmask in = vm_and(vf_lt(s, vf_set1((float)TS_SNAP_BOUND)), vf_gt(s, vf_set1(-(float)TS_SNAP_BOUND)));
    vi32 r = vi_from_vf_rne(vf_select(in, s, vf_set1(0.0f)));
    in = vm_and(in, vm_and(vi_lt(r, vi_set1(TS_SNAP_BOUND)), vi_lt(vi_set1(-TS_SNAP_BOUND), r)));
    *ok = vm_and(*ok, in);
    return r;
}

/* lo < a < hi; false for NaN. */
TS_INLINE vmask ts_between_v(vf32 a, float lo, float hi) {
    return vm_and(vf_gt(a, vf_set1(lo)), vf_lt(a, vf_set1(hi)));
}

typedef struct ts_plane_v {
    vf32 c, dx, dy;
} ts_plane_v;

/* make_plane() of setup.c on lanes, operation for operation. */
TS_INLINE ts_plane_v ts_make_plane_v(vf32 f0, vf32 f1, vf32 f2, vf32 dx1, vf32 dy1, vf32 dx2, vf32 dy2,
                                     vf32 inv_area) {
    ts_plane_v p;
    vf32 d1 = vf_sub(f1, f0), d2 = vf_sub(f2, f0);
    p.c = f0;
    p.dx = vf_mul(vf_sub(vf_mul(d1, dy2), vf_mul(d2, dy1)), inv_area);
    p.dy = vf_mul(vf_sub(vf_mul(d2, dx1), vf_mul(d1, dx2)), inv_area);
    return p;
}

/* One vector of setups as lane arrays, for the write-out. */
typedef struct ts_setup_lanes {
    int32_t x[3][TS_LANES], y[3][TS_LANES]; /* in stored order */
    int32_t minx[TS_LANES], miny[TS_LANES], maxx[TS_LANES], maxy[TS_LANES];
    float plane[4][3][TS_LANES]; /* z, inv_w, pb1, pb2; each c, dx, dy */
    uint32_t keep;               /* lane bits: set up */
    uint32_t swap;               /* lane bits: front-facing, stored as vertices 0, 2, 1 */
} ts_setup_lanes;

TS_INLINE void ts_plane_v_store(float dst[3][TS_LANES], ts_plane_v p) {
    vf_store(dst[0], p.c);
    vf_store(dst[1], p.dx);
    vf_store(dst[2], p.dy);
}

/* Sets up triangles first .. first + TS_LANES - 1 of g, those below
 * `count`, into *o. */
TS_INLINE void ts_setup_lanes_v(const ts_setup_group *g, int first, int count, int width, int height,
                                ts_cull cull, int samples, ts_setup_lanes *o) {
    const vf32 zero = vf_set1(0.0f);
    const vi32 izero = vi_set1(0);
    int n = count - first;
    vmask ok = vm_from_bits(n >= TS_LANES ? (1u << TS_LANES) - 1 : (1u << n) - 1);

    vi32 x[3], y[3];
    vf32 z[3], w[3];
    for (int k = 0; k < 3; k++) {
        x[k] = ts_snap_v(vf_load(&g->x[k][first]), &ok);
        y[k] = ts_snap_v(vf_load(&g->y[k][first]), &ok);
        z[k] = vf_load(&g->z[k][first]);
        w[k] = vf_load(&g->inv_w[k][first]);
        ok = vm_and(ok, vm_and(ts_between_v(z[k], -INFINITY, INFINITY), ts_between_v(w[k], 0.0f, INFINITY)));
    }

    /* E_01(v2) as in setup.c: negative is counter-clockwise in NDC, front
     * facing, and stored with vertices 1 and 2 swapped. */
    vf64 area = vd_sub(vd_mul(vd_from_vi(vi_sub(x[1], x[0])), vd_from_vi(vi_sub(y[2], y[0]))),
                       vd_mul(vd_from_vi(vi_sub(y[1], y[0])), vd_from_vi(vi_sub(x[2], x[0]))));
    vf32 area_f = vf_from_vd(area);
    vmask swap = vf_lt(area_f, zero);
    ok = vm_and(ok, vm_or(swap, vf_gt(area_f, zero)));
    if (cull == TS_CULL_BACK) ok = vm_and(ok, swap);
    /* (float)|area2|: rounding is symmetric, so the magnitude of the
     * rounded value. Lanes already refused divide by 1, not by 0. */
    vf32 area_abs = vf_select(ok, vf_select(swap, vf_sub(zero, area_f), area_f), vf_set1(1.0f));

    vi32 sx[3] = {x[0], vi_select(swap, x[2], x[1]), vi_select(swap, x[1], x[2])};
    vi32 sy[3] = {y[0], vi_select(swap, y[2], y[1]), vi_select(swap, y[1], y[2])};
    vf32 sz[3] = {z[0], vf_select(swap, z[2], z[1]), vf_select(swap, z[1], z[2])};
    vf32 sw[3] = {w[0], vf_select(swap, w[2], w[1]), vf_select(swap, w[1], w[2])};

    for (int i = 0; i < 3; i++) {
        vi_store(o->x[i], sx[i]);
        vi_store(o->y[i], sy[i]);
    }

    /* minx = ceil((x0 - 128 - reach) / 256) = -floor((128 + reach - x0) / 256)
     * and maxx = floor((x1 - 128 + reach) / 256), the same for y. */
    const int32_t reach = samples == TS_MAX_SAMPLES ? TS_SAMPLE_REACH : 0;
    vi32 x0 = vi_min(vi_min(sx[0], sx[1]), sx[2]), x1 = vi_max(vi_max(sx[0], sx[1]), sx[2]);
    vi32 y0 = vi_min(vi_min(sy[0], sy[1]), sy[2]), y1 = vi_max(vi_max(sy[0], sy[1]), sy[2]);
    vi32 lo_bias = vi_set1(TS_SUBPIXEL_HALF + reach), hi_bias = vi_set1(reach - TS_SUBPIXEL_HALF);
    vi32 minx = vi_sub(izero, vi_sra(vi_sub(lo_bias, x0), TS_SUBPIXEL_BITS));
    vi32 miny = vi_sub(izero, vi_sra(vi_sub(lo_bias, y0), TS_SUBPIXEL_BITS));
    vi32 maxx = vi_sra(vi_add(x1, hi_bias), TS_SUBPIXEL_BITS);
    vi32 maxy = vi_sra(vi_add(y1, hi_bias), TS_SUBPIXEL_BITS);
    minx = vi_max(minx, izero);
    miny = vi_max(miny, izero);
    maxx = vi_min(maxx, vi_set1(width - 1));
    maxy = vi_min(maxy, vi_set1(height - 1));
    ok = vm_and(ok, vm_and(vi_ge(maxx, minx), vi_ge(maxy, miny)));
    vi_store(o->minx, minx);
    vi_store(o->miny, miny);
    vi_store(o->maxx, maxx);
    vi_store(o->maxy, maxy);

    /* Planes relative to stored vertex 0, as in setup.c. */
    const float inv_sub = 1.0f / TS_SUBPIXEL_ONE;
    vf32 dx1 = vf_mul(vf_from_vi(vi_sub(sx[1], sx[0])), vf_set1(inv_sub));
    vf32 dy1 = vf_mul(vf_from_vi(vi_sub(sy[1], sy[0])), vf_set1(inv_sub));
    vf32 dx2 = vf_mul(vf_from_vi(vi_sub(sx[2], sx[0])), vf_set1(inv_sub));
    vf32 dy2 = vf_mul(vf_from_vi(vi_sub(sy[2], sy[0])), vf_set1(inv_sub));
    vf32 inv_area = vf_div(vf_set1(1.0f), vf_mul(area_abs, vf_set1(inv_sub * inv_sub)));
    ts_plane_v_store(o->plane[0], ts_make_plane_v(sz[0], sz[1], sz[2], dx1, dy1, dx2, dy2, inv_area));
    ts_plane_v_store(o->plane[1], ts_make_plane_v(sw[0], sw[1], sw[2], dx1, dy1, dx2, dy2, inv_area));
    ts_plane_v_store(o->plane[2], ts_make_plane_v(zero, sw[1], zero, dx1, dy1, dx2, dy2, inv_area));
    ts_plane_v_store(o->plane[3], ts_make_plane_v(zero, zero, sw[2], dx1, dy1, dx2, dy2, inv_area));

    o->keep = vm_bits(ok);
    o->swap = vm_bits(swap);
}

/* Writes lane i of *o as ts_setup_triangle writes its record. */
static inline void ts_setup_write(const ts_setup_lanes *o, int i, int samples, ts_tri_setup *t) {
    bool swap = (o->swap >> i) & 1;
    for (int k = 0; k < 3; k++) {
        t->x[k] = o->x[k][i];
        t->y[k] = o->y[k][i];
    }
    t->order[0] = 0;
    t->order[1] = swap ? 2 : 1;
    t->order[2] = swap ? 1 : 2;
    t->front_facing = swap;
    t->samples = samples == TS_MAX_SAMPLES ? TS_MAX_SAMPLES : 1;
    t->minx = o->minx[i];
    t->miny = o->miny[i];
    t->maxx = o->maxx[i];
    t->maxy = o->maxy[i];
    ts_plane *planes[4] = {&t->z, &t->inv_w, &t->pb1, &t->pb2};
    for (int p = 0; p < 4; p++) {
        planes[p]->c = o->plane[p][0][i];
        planes[p]->dx = o->plane[p][1][i];
        planes[p]->dy = o->plane[p][2][i];
    }
}

/* The `setup` entry of the kernel table (see kernels.h): sets up the first
 * `count` (at most TS_SETUP_GROUP) triangles of g, writes the setups of
 * those accepted, in group order, to out[0].setup, out[1].setup, ... and
 * returns bit i set when triangle i was accepted. */
static uint32_t ts_setup_group_v(const ts_setup_group *g, int count, int width, int height, ts_cull cull,
                                 int samples, ts_tile_tri *out) {
    uint32_t accepted = 0;
    for (int first = 0; first < count; first += TS_LANES) {
        ts_setup_lanes o;
        ts_setup_lanes_v(g, first, count, width, height, cull, samples, &o);
        for (uint32_t left = o.keep; left; left &= left - 1)
            ts_setup_write(&o, __builtin_ctz(left), samples, &(out++)->setup);
        accepted |= o.keep << first;
    }
    return accepted;
}

#endif
