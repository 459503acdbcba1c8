/* kernels.c — one source, compiled once per ISA with that ISA's flags and
 * -DTS_SIMD_<NAME> -DTS_KERNELS_SYMBOL=ts_kernels_<name>: the tile raster
 * loop instantiated with every shading program, plus tile clear and store.
 * Runs on worker threads. */
#include "kernels.h"

#include <stddef.h>

#include "programs_v.inl"

#ifndef TS_KERNELS_SYMBOL
#error "compile with -DTS_KERNELS_SYMBOL=ts_kernels_<isa>"
#endif

#define RASTER_FN(prog)                                                                       \
    static uint32_t raster_##prog(ts_tile_buf *tb, ts_tile_rect rect, const ts_tile_tri *tri) { \
        return ts_rast_tile_triangle(tb, rect, tri, TS_VAR_UV, prog##_v);                       \
    }
RASTER_FN(studio)
RASTER_FN(unlit)
RASTER_FN(normals)
RASTER_FN(depth)
RASTER_FN(textured)
#undef RASTER_FN

static void tile_clear(ts_tile_buf *tb) {
    vf32 zero = vf_set1(0.0f), one = vf_set1(1.0f);
    for (int i = 0; i < TS_TILE_PIXELS; i += TS_LANES) {
        vf_store(&tb->r[i], zero);
        vf_store(&tb->g[i], zero);
        vf_store(&tb->b[i], zero);
        vf_store(&tb->a[i], one);
        vf_store(&tb->depth[i], one);
    }
    for (int k = 0; k < TS_TILE_BLOCKS; k++) tb->block_zmax[k] = 1.0f;
}

/* block_row_index[y][x]: where pixel (x, y) of a block is stored. */
static const uint8_t block_row_index[TS_BLOCK][TS_BLOCK] = {
#define I(x, y) (uint8_t)(((y) / 2) * 16 + ((x) / 2) * 4 + ((y) % 2) * 2 + (x) % 2)
#define ROW(y) {I(0, y), I(1, y), I(2, y), I(3, y), I(4, y), I(5, y), I(6, y), I(7, y)}
    ROW(0), ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7),
#undef ROW
#undef I
};

static void tile_store(const ts_tile_buf *tb, ts_tile_rect rect, uint8_t *frame, float *depth,
                       int frame_width) {
    uint32_t *out = (uint32_t *)(void *)frame; /* RGBA8 as little-endian words */
    for (int k = 0; k < TS_TILE_BLOCKS; k++) {
        int bx = ts_tile_block_x(k), by = ts_tile_block_y(k);
        if (bx >= rect.w || by >= rect.h) continue;
        const int base = k * TS_BLOCK_PIXELS;
        int32_t packed[TS_BLOCK_PIXELS];
        for (int g = 0; g < TS_BLOCK_PIXELS; g += TS_LANES) {
            /* round(clamp(v) * 255) as the reference (NaN clamps to 0),
             * packed r | g << 8 | b << 16 | a << 24. */
            vi32 word = vi_set1(0);
            const float *planes[4] = {tb->r, tb->g, tb->b, tb->a};
            for (int c = 0; c < 4; c++) {
                vf32 v = vf_clamp01(vf_load(&planes[c][base + g]));
                vi32 q = vi_from_vf(vf_add(vf_mul(v, vf_set1(255.0f)), vf_set1(0.5f)));
                word = vi_or(word, vi_sll(q, 8 * c));
            }
            vi_store(&packed[g], word);
        }
        /* Row by row, so each block row is one contiguous run in the frame. */
        int w = rect.w - bx < TS_BLOCK ? rect.w - bx : TS_BLOCK;
        int h = rect.h - by < TS_BLOCK ? rect.h - by : TS_BLOCK;
        for (int y = 0; y < h; y++) {
            size_t at = (size_t)(rect.y + by + y) * (size_t)frame_width + (size_t)(rect.x + bx);
            const uint8_t *row = block_row_index[y];
            for (int x = 0; x < w; x++) {
                out[at + (size_t)x] = (uint32_t)packed[row[x]];
                depth[at + (size_t)x] = tb->depth[base + row[x]];
            }
        }
    }
}

const ts_kernels TS_KERNELS_SYMBOL = {
    .name = TS_SIMD_NAME,
    .lanes = TS_LANES,
    .raster =
        {
            [TS_PROGRAM_STUDIO] = raster_studio,
            [TS_PROGRAM_UNLIT] = raster_unlit,
            [TS_PROGRAM_NORMALS] = raster_normals,
            [TS_PROGRAM_DEPTH] = raster_depth,
            [TS_PROGRAM_TEXTURED] = raster_textured,
        },
    .tile_clear = tile_clear,
    .tile_store = tile_store,
};
