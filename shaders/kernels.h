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

typedef struct ts_kernels {
    const char *name; /* "scalar", "sse4", "avx2", "avx512" */
    int lanes;
    /* Rasterize and shade one triangle into a tile, per program. The
     * triangle's uniforms point to a ts_uniforms. */
    ts_raster_tri_fn raster[TS_PROGRAM_COUNT];
    /* Opaque black, depth 1. */
    void (*tile_clear)(ts_tile_buf *tb);
    /* Writes the tile's pixels inside `rect` into a frame of `frame_width`
     * pixels per row: color as 8-bit RGBA, round(clamp(v, 0, 1) * 255), and
     * depth as it is. */
    void (*tile_store)(const ts_tile_buf *tb, ts_tile_rect rect, uint8_t *rgba, float *depth,
                       int frame_width);
} ts_kernels;

extern const ts_kernels ts_kernels_scalar;
#if defined(__x86_64__) || defined(__i386__)
extern const ts_kernels ts_kernels_sse4;
extern const ts_kernels ts_kernels_avx2;
extern const ts_kernels ts_kernels_avx512;
#endif

#endif
