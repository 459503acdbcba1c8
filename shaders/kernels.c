/* kernels.c — one source, compiled once per ISA with that ISA's flags and
 * -DTS_SIMD_<NAME> -DTS_KERNELS_SYMBOL=ts_kernels_<name>: the triangle
 * setup, the tile raster loop instantiated with every shading program, plus
 * tile clear and store. Runs on worker threads. */
#include "kernels.h"

#include <stddef.h>
#include <string.h>

#include "programs_v.inl"
#include "setup_v.inl"
#include "tile_v.inl"

#ifndef TS_KERNELS_SYMBOL
#error "compile with -DTS_KERNELS_SYMBOL=ts_kernels_<isa>"
#endif

/* Each program twice: one sample per pixel, and TS_MAX_SAMPLES. `opaque`:
 * the program's alpha is the constant 1 (the lit and debug programs); the
 * texture's and material's alpha can be anything. */
#define RASTER_FN(prog, opaque)                                                                    \
    static uint32_t raster_##prog(ts_tile_buf *tb, ts_tile_rect rect, const ts_tile_tri *tri) {      \
        return ts_rast_tile_triangle(tb, rect, tri, 1, TS_VAR_UV, opaque, prog##_w);                 \
    }                                                                                                \
    static uint32_t raster_##prog##_msaa(ts_tile_buf *tb, ts_tile_rect rect, const ts_tile_tri *tri) { \
        return ts_rast_tile_triangle(tb, rect, tri, TS_MAX_SAMPLES, TS_VAR_UV, opaque, prog##_w);    \
    }
RASTER_FN(studio, true)
RASTER_FN(unlit, false)
RASTER_FN(normals, true)
RASTER_FN(depth, true)
RASTER_FN(textured, false)
#undef RASTER_FN

/* Resets the blocks written since the last clear to opaque black, depth 1. */
static void tile_clear(ts_tile_buf *tb, int samples) {
    vf32 zero = vf_set1(0.0f), one = vf_set1(1.0f);
    for (uint64_t left = tb->touched; left; left &= left - 1) {
        int k = __builtin_ctzll(left);
        int end = ts_tile_at(samples, k + 1, 0, 0);
        for (int i = ts_tile_at(samples, k, 0, 0); i < end; i += TS_LANES) {
            vf_store(&tb->r[i], zero);
            vf_store(&tb->g[i], zero);
            vf_store(&tb->b[i], zero);
            vf_store(&tb->a[i], one);
            vf_store(&tb->depth[i], one);
        }
        tb->block_zmax[k] = 1.0f;
    }
    tb->touched = 0;
}

/* Stores 32 bytes at a 32-byte aligned `dst` around the caches (x86's
 * non-temporal stores): the frame target is written once per frame and
 * not read back by the workers, so loading each line before writing it, as
 * an ordinary store does, would double the memory traffic of the store.
 * Such stores are not ordered with later ones: tile_store ends with
 * store_fence before the tile is published. */
TS_INLINE void stream32(void *dst, const uint64_t src[4]) {
#if defined(TS_SIMD_AVX2) || defined(TS_SIMD_AVX512)
    _mm256_stream_si256((__m256i *)dst, _mm256_loadu_si256((const __m256i *)(const void *)src));
#elif defined(TS_SIMD_SSE4)
    _mm_stream_si128((__m128i *)dst, _mm_loadu_si128((const __m128i *)(const void *)src));
    _mm_stream_si128((__m128i *)dst + 1, _mm_loadu_si128((const __m128i *)(const void *)(src + 2)));
#else
    memcpy(dst, src, 32);
#endif
}

TS_INLINE void store_fence(void) {
#if defined(TS_SIMD_SSE4) || defined(TS_SIMD_AVX2) || defined(TS_SIMD_AVX512)
    _mm_sfence();
#endif
}

/* Copies the 8 values of block row y (stored as in tile.h) to a contiguous
 * row. Pixels x and x + 1 (x even) of a row are neighbours, so the row is
 * four 64-bit pairs, at value offsets 0, 4, 16 and 20 (quad x, square x)
 * from the row's first: 32 (y >> 2) + 8 ((y >> 1) & 1) + 2 (y & 1). */
TS_INLINE void block_row_copy(void *dst, const void *block, int y, int w) {
    const uint32_t *row0 = (const uint32_t *)block + (y >> 2) * 32 + ((y >> 1) & 1) * 8 + (y & 1) * 2;
    if (w == TS_BLOCK) {
        uint64_t row[4];
        memcpy(&row[0], row0, 8);
        memcpy(&row[1], row0 + 4, 8);
        memcpy(&row[2], row0 + 16, 8);
        memcpy(&row[3], row0 + 20, 8);
        if (((uintptr_t)dst & 31) == 0)
            stream32(dst, row);
        else
            memcpy(dst, row, sizeof row);
        return;
    }
    for (int x = 0; x < w; x++) memcpy((uint32_t *)dst + x, row0 + (x >> 2) * 16 + ((x >> 1) & 1) * 4 + (x & 1), 4);
}

#define CLEAR_RGBA 0xFF000000u /* opaque black as little-endian RGBA8 */

/* The 8-bit value of a linear channel: round(clamp(v) * 255) as the
 * reference (NaN clamps to 0). */
TS_INLINE vi32 quantize(vf32 v) {
    return vi_from_vf(vf_add(vf_mul(vf_clamp01(v), vf_set1(255.0f)), vf_set1(0.5f)));
}

/* A block's resolved color into the HDR frame, float RGBA per pixel: each
 * row of the block gathered into a row of RGBA, then streamed around the
 * caches when whole and aligned, like the 8-bit rows: at 16 bytes a pixel
 * the frame is far larger than the caches, and an ordinary store would
 * first load each line from memory. */
static void block_store_hdr(float *hdr, size_t at, int frame_width, const float planes[4][TS_BLOCK_PIXELS], int w,
                            int h) {
    for (int y = 0; y < h; y++, at += (size_t)frame_width) {
        _Alignas(32) float row[TS_BLOCK * 4];
        for (int x = 0; x < TS_BLOCK; x++)
            for (int c = 0; c < 4; c++) row[x * 4 + c] = planes[c][ts_block_index(x, y)];
        float *dst = &hdr[at * 4];
        if (w == TS_BLOCK && ((uintptr_t)dst & 31) == 0)
            for (int q = 0; q < 4; q++) stream32(dst + 8 * q, (const uint64_t *)(const void *)(row + 8 * q));
        else
            memcpy(dst, row, (size_t)w * 4 * sizeof *dst);
    }
}

static void tile_store(const ts_tile_buf *tb, int samples, ts_tile_rect rect, const ts_tile_dest *dst,
                       uint64_t *clean) {
    static const uint32_t clear_rgba[TS_BLOCK] = {CLEAR_RGBA, CLEAR_RGBA, CLEAR_RGBA, CLEAR_RGBA,
                                                  CLEAR_RGBA, CLEAR_RGBA, CLEAR_RGBA, CLEAR_RGBA};
    static const float clear_depth[TS_BLOCK] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    static const float clear_hdr[TS_BLOCK * 4] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
                                                  0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    uint32_t *out = (uint32_t *)(void *)dst->rgba; /* RGBA8 as little-endian words */
    float *hdr = dst->hdr, *depth = dst->depth;
    /* The resolved color goes through memory as planes when it is kept as
     * floats or encoded by `encode`; else it is quantized on lanes. */
    bool planar = hdr || dst->encode;
    for (int k = 0; k < TS_TILE_BLOCKS; k++) {
        int bx = ts_tile_block_x(k), by = ts_tile_block_y(k);
        if (bx >= rect.w || by >= rect.h) continue;
        int w = rect.w - bx < TS_BLOCK ? rect.w - bx : TS_BLOCK;
        int h = rect.h - by < TS_BLOCK ? rect.h - by : TS_BLOCK;
        size_t at = (size_t)(rect.y + by) * (size_t)dst->width + (size_t)(rect.x + bx);
        uint64_t bit = (uint64_t)1 << k;
        if (!(tb->touched & bit)) {
            if (*clean & bit) continue; /* still clear from an earlier frame */
            for (int y = 0; y < h; y++, at += (size_t)dst->width) {
                if (hdr)
                    memcpy(&hdr[at * 4], clear_hdr, (size_t)w * 4 * sizeof *hdr);
                else
                    memcpy(&out[at], clear_rgba, (size_t)w * sizeof *out);
                if (depth) memcpy(&depth[at], clear_depth, (size_t)w * sizeof *depth);
            }
            *clean |= bit;
            continue;
        }
        *clean &= ~bit;
        /* Resolve: each pixel's samples averaged in the reference's order,
         * its depth the nearest sample; then packed r | g << 8 | b << 16 |
         * a << 24, or kept as floats. */
        const float *planes[4] = {tb->r, tb->g, tb->b, tb->a};
        _Alignas(64) int32_t packed[TS_BLOCK_PIXELS];
        _Alignas(64) float resolved[4][TS_BLOCK_PIXELS];
        float zres[TS_BLOCK_PIXELS];
        const float *zsrc = &tb->depth[ts_tile_at(samples, k, 0, 0)];
        for (int g = 0; g < TS_BLOCK_PIXELS; g += TS_LANES) {
            vi32 word = vi_set1(0);
            for (int c = 0; c < 4; c++) {
                vf32 v = ts_tile_resolved(planes[c], samples, k, g);
                if (planar)
                    vf_store(&resolved[c][g], v);
                else
                    word = vi_or(word, vi_sll(quantize(v), 8 * c));
            }
            if (!planar) vi_store(&packed[g], word);
            if (samples > 1 && depth) {
                vf32 z = vf_load(&zsrc[g]);
                for (int s = 1; s < samples; s++) z = vf_min(vf_load(&zsrc[s * TS_BLOCK_PIXELS + g]), z);
                vf_store(&zres[g], z);
            }
        }
        const float *zout = samples > 1 ? zres : zsrc;
        if (hdr)
            block_store_hdr(hdr, at, dst->width, (const float(*)[TS_BLOCK_PIXELS])resolved, w, h);
        else if (dst->encode)
            dst->encode(dst->encode_ctx, (const float *const[4]){resolved[0], resolved[1], resolved[2], resolved[3]},
                        packed, TS_BLOCK_PIXELS);
        for (int y = 0; y < h; y++, at += (size_t)dst->width) {
            if (!hdr) block_row_copy(&out[at], packed, y, w);
            if (depth) block_row_copy(&depth[at], zout, y, w);
        }
    }
    store_fence(); /* the streamed rows are in memory before the tile is published */
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
    .raster_msaa =
        {
            [TS_PROGRAM_STUDIO] = raster_studio_msaa,
            [TS_PROGRAM_UNLIT] = raster_unlit_msaa,
            [TS_PROGRAM_NORMALS] = raster_normals_msaa,
            [TS_PROGRAM_DEPTH] = raster_depth_msaa,
            [TS_PROGRAM_TEXTURED] = raster_textured_msaa,
        },
    .setup = ts_setup_group_v,
    .tile_clear = tile_clear,
    .tile_store = tile_store,
};
