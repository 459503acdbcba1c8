/* tile_v.inl — reading a tile buffer on SIMD lanes, for the kernels that
 * take the tile once it is rastered (included after raster/simd.h by the
 * sources compiled per ISA: shaders/kernels.c, compute/post_kernels.c). */
#ifndef TS_TILE_V_INL
#define TS_TILE_V_INL

#include "simd.h"
#include "tile.h"

/* TS_LANES pixels of `plane` from index i of block k, resolved: the mean
 * of their `samples` samples (1 or TS_MAX_SAMPLES), summed in sample order,
 * then times 1/4. tile_store writes these values, and every kernel that
 * reads the tile after it gets the same. */
TS_INLINE vf32 ts_tile_resolved(const float *plane, int samples, int k, int i) {
    const float *p = &plane[ts_tile_at(samples, k, 0, i)];
    vf32 v = vf_load(p);
    if (samples == TS_MAX_SAMPLES) {
        v = vf_add(vf_add(vf_add(v, vf_load(p + TS_BLOCK_PIXELS)), vf_load(p + 2 * TS_BLOCK_PIXELS)),
                   vf_load(p + 3 * TS_BLOCK_PIXELS));
        v = vf_mul(v, vf_set1(0.25f));
    }
    return v;
}

#endif
