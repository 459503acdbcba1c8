/* texture.h — RGBA8 textures with a full mip chain, and the sampler:
 * bilinear within a level, trilinear between levels, level of detail from
 * screen-space derivatives of the texture coordinates, wrap mode repeat.
 *
 * Texel values are used as they are stored (byte / 255), without sRGB
 * decoding: the renderer's output is written without encoding either.
 */
#ifndef TS_TEXTURE_H
#define TS_TEXTURE_H

#include <stdbool.h>
#include <stdint.h>

#define TS_TEXTURE_MAX_DIM 8192
#define TS_TEXTURE_MAX_LEVELS 14 /* log2(8192) + 1 */

typedef struct ts_texture_level {
    int width, height;
    const uint8_t *texels; /* RGBA8, row-major, top row first */
} ts_texture_level;

/* A side of `size` texels at mip level `level`: halved per level, rounding
 * down, never below 1. */
static inline int ts_texture_level_size(int size, int level) {
    int s = size >> level;
    return s > 1 ? s : 1;
}

/* Invariant: level 0 is the image; level i has the sides
 * ts_texture_level_size gives, down to 1x1; all levels live in one
 * allocation, `storage`. */
typedef struct ts_texture {
    int width, height;
    int level_count;
    ts_texture_level levels[TS_TEXTURE_MAX_LEVELS];
    uint8_t *storage;
} ts_texture;

typedef enum ts_texture_status {
    TS_TEXTURE_OK = 0,
    TS_TEXTURE_BAD_SIZE, /* 0, negative, or above TS_TEXTURE_MAX_DIM */
    TS_TEXTURE_NO_MEMORY,
} ts_texture_status;

/* Copies `rgba` (width*height*4 bytes) and builds the mip chain with a box
 * filter. On failure `tex` is left zeroed. */
ts_texture_status ts_texture_init_rgba8(ts_texture *tex, int width, int height,
                                        const uint8_t *rgba);
void ts_texture_free(ts_texture *tex);

/* Level of detail for derivatives of (u, v) in texture coordinates per
 * pixel: log2 of the longer of the two footprint axes, in texels. */
float ts_texture_lod(const ts_texture *tex, float dudx, float dvdx, float dudy,
                     float dvdy);

/* Bilinear sample of one level at (u, v), repeat wrap; out is RGBA in [0,1]. */
void ts_texture_sample_level(const ts_texture *tex, int level, float u, float v,
                             float out[4]);

/* Trilinear sample: blends the two levels around `lod` (clamped to the
 * chain); lod <= 0 is a bilinear sample of level 0 (magnification). */
void ts_texture_sample(const ts_texture *tex, float u, float v, float lod,
                       float out[4]);

#endif
