/* tile.h — a tile's pixels while workers raster it, and the record a binned
 * triangle carries to the raster phase.
 *
 * A tile is TS_TILE x TS_TILE pixels in 8x8 blocks. Inside a block pixels are
 * stored as four 4x4 squares (row-major), each as four 2x2 quads
 * (row-major), each as its four pixels (row-major): index i is, bit by bit
 * from the top, square y, square x, quad y, quad x, pixel y, pixel x. So any
 * run of TS_LANES consecutive pixels (a multiple of 4) is whole quads, and
 * as compact as it can be: a quad (4 lanes), two quads side by side (8), a
 * 4x4 square (16), so a small triangle wastes few lanes. A SIMD load gets
 * the lanes derivatives need. Color is linear float RGBA in planes, depth
 * is float.
 */
#ifndef TS_TILE_H
#define TS_TILE_H

#include <stdint.h>

#include "clip.h"
#include "setup.h"

#define TS_TILE 64
#define TS_BLOCK 8
#define TS_TILE_BLOCKS ((TS_TILE / TS_BLOCK) * (TS_TILE / TS_BLOCK)) /* 64 */
#define TS_TILE_PIXELS (TS_TILE * TS_TILE)
#define TS_BLOCK_PIXELS (TS_BLOCK * TS_BLOCK)

/* With several samples per pixel (multisampling), each block holds its
 * samples one after the other: sample s of pixel i of block k is at
 * ts_tile_at(samples, k, s, i) in every plane. With one sample this is the
 * plain layout above. */
typedef struct ts_tile_buf {
    _Alignas(64) float r[TS_MAX_SAMPLES * TS_TILE_PIXELS];
    _Alignas(64) float g[TS_MAX_SAMPLES * TS_TILE_PIXELS];
    _Alignas(64) float b[TS_MAX_SAMPLES * TS_TILE_PIXELS];
    _Alignas(64) float a[TS_MAX_SAMPLES * TS_TILE_PIXELS];
    _Alignas(64) float depth[TS_MAX_SAMPLES * TS_TILE_PIXELS];
    /* Upper bound of `depth` over each block's samples (hierarchical early
     * depth): a triangle whose depth over the block is never below it
     * cannot pass the LESS test there. */
    float block_zmax[TS_TILE_BLOCKS];
    /* Bit k: block k was written since the last clear. Clearing resets only
     * these blocks and storing writes the clear values for the others, so
     * the empty part of a frame costs almost nothing. A new buffer sets
     * every bit before its first clear. */
    uint64_t touched;
} ts_tile_buf;

static inline int ts_tile_at(int samples, int block, int sample, int i) {
    return (block * samples + sample) * TS_BLOCK_PIXELS + i;
}

/* Where a tile lies in the frame: origin and the extent inside the frame
 * (tiles on the right and bottom edges are partial). */
typedef struct ts_tile_rect {
    int x, y;
    int w, h;
} ts_tile_rect;

/* One set-up triangle as the raster phase needs it: the setup, and where
 * the varyings of its three vertices are, in the setup's stored order
 * (pointers, not copies). The records are written once per triangle and
 * read once per tile it touches, often by another core, and at a frame's
 * worth of triangles (megabytes) their size is memory traffic that does not
 * scale with threads: two cache lines, in arrays aligned to a line (they
 * were 200 bytes, over three lines, while the setup stored its edges and
 * area, which the kernel now forms from the positions). */
#define TS_TILE_TRI_ALIGN 64
typedef struct ts_tile_tri {
    ts_tri_setup setup;
    const float *var[3];  /* TS_MAX_VARYINGS floats each */
    const void *uniforms; /* the draw's program inputs */
} ts_tile_tri;
_Static_assert(sizeof(ts_tile_tri) == 2 * TS_TILE_TRI_ALIGN, "a triangle record is two cache lines");

/* Offset inside a block of the pixel stored at index i (0..63). */
static inline int ts_block_px_x(int i) { return ((i >> 4) & 1) * 4 + ((i >> 2) & 1) * 2 + (i & 1); }
static inline int ts_block_px_y(int i) { return (i >> 5) * 4 + ((i >> 3) & 1) * 2 + ((i >> 1) & 1); }
/* The index inside a block of the pixel at offset (x, y) (0..7 each). */
static inline int ts_block_index(int x, int y) {
    return (y >> 2) * 32 + (x >> 2) * 16 + ((y >> 1) & 1) * 8 + ((x >> 1) & 1) * 4 + (y & 1) * 2 + (x & 1);
}

/* Offset inside the tile of block k (0..63), blocks row-major. */
static inline int ts_tile_block_x(int k) { return (k % (TS_TILE / TS_BLOCK)) * TS_BLOCK; }
static inline int ts_tile_block_y(int k) { return (k / (TS_TILE / TS_BLOCK)) * TS_BLOCK; }

#endif
