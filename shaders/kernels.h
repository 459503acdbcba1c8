/* kernels.h — the per-ISA kernel tables. shaders/kernels.c is compiled
 * once per target (see CMakeLists.txt); each compile defines one table, and
 * the renderer picks one at start-up. */
#ifndef TS_KERNELS_H
#define TS_KERNELS_H

#include <stdint.h>

#include "shade.h"
#include "tile.h"

/* Returns the number of pixels it shaded and wrote. */
typedef uint32_t (*ts_raster_tri_fn)(ts_tile_buf *tb, ts_tile_rect rect, const ts_tile_tri *tri);

/* A per-pixel encode of linear color to 8 bits, in place of
 * round(clamp(v, 0, 1) * 255): `count` pixels (a multiple of the widest
 * target's 16 lanes) given as planes r, g, b, a, to packed RGBA words,
 * r | g << 8 | b << 16 | a << 24. Each pixel's word depends on that
 * pixel's color alone, so it can run on any pixels in any order: the
 * post-processing chain's per-pixel stages (compute/post_fast.h), fused
 * into the tile store. Opaque black must encode to opaque black (the
 * clear value). */
typedef void (*ts_encode_fn)(const void *ctx, const float *const rgba[4], int32_t *out, int count);

/* Where a tile is stored: a frame of `width` pixels a row. Color goes to
 * `hdr` when it is not NULL, as the samples' mean itself (float RGBA,
 * unclamped: the HDR input of post-processing), else to `rgba` as 8-bit
 * RGBA: round(clamp(mean, 0, 1) * 255), or encode's words when `encode`
 * is not NULL. Depth, the nearest sample, goes to `depth` unless it is
 * NULL. */
typedef struct ts_tile_dest {
    uint8_t *rgba;
    float *hdr;
    float *depth;
    ts_encode_fn encode;
    const void *encode_ctx;
    int width;
} ts_tile_dest;

typedef struct ts_kernels {
    const char *name; /* "scalar", "sse4", "avx2", "avx512", "neon" */
    int lanes;
    /* Rasterize and shade one triangle into a tile, per program, with one
     * sample per pixel (raster) or TS_MAX_SAMPLES (raster_msaa; the
     * triangle must be set up for as many). The triangle's uniforms point
     * to a ts_uniforms. */
    ts_raster_tri_fn raster[TS_PROGRAM_COUNT];
    ts_raster_tri_fn raster_msaa[TS_PROGRAM_COUNT];
    /* Triangle setup, TS_LANES triangles at a time (raster/setup_v.inl):
     * sets up the first `count` (at most TS_SETUP_GROUP) triangles of `g`
     * as ts_setup_triangle would, bit for bit, writes the setups of those
     * it accepts, in group order, to out[0].setup, out[1].setup, ... and
     * returns a bit per triangle, set when accepted. Runs on the geometry
     * side. */
    uint32_t (*setup)(const ts_setup_group *g, int count, int width, int height, ts_cull cull, int samples,
                      ts_tile_tri *out);
    /* Opaque black, depth 1, for `samples` (1 or TS_MAX_SAMPLES) per pixel. */
    void (*tile_clear)(ts_tile_buf *tb, int samples);
    /* Writes the tile's pixels inside `rect` into the frame `dst`,
     * resolving `samples` per pixel. *clean (in and out) has bit k set when
     * block k of the tile already holds the clear values in the buffer the
     * store writes (dst's rgba or its hdr): such a block the tile left
     * untouched is not written again. */
    void (*tile_store)(const ts_tile_buf *tb, int samples, ts_tile_rect rect, const ts_tile_dest *dst,
                       uint64_t *clean);
} ts_kernels;

extern const ts_kernels ts_kernels_scalar;
#if defined(__x86_64__) || defined(__i386__)
extern const ts_kernels ts_kernels_sse4;
extern const ts_kernels ts_kernels_avx2;
extern const ts_kernels ts_kernels_avx512;
#elif defined(__aarch64__)
extern const ts_kernels ts_kernels_neon;
#endif

#endif
