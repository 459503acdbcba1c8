/* test_tiles.h — what a tile the render thread receives may be: a tile of
 * the frame's 64x64 grid, or, for a tile the renderer split (a heavy one),
 * one of its 32x32 quadrants; either cut at the frame's right and bottom
 * edges. The tiles of a frame cover it once, so the tests count the 32x32
 * cells each covers. */
#ifndef TS_TEST_TILES_H
#define TS_TEST_TILES_H

#include <stdbool.h>

#include "tessera.h"

#define TS_TEST_TILE 64
#define TS_TEST_CELL (TS_TEST_TILE / 2)

static inline int ts_test_min(int a, int b) { return a < b ? a : b; }

/* Whether `t` is a grid tile or a quadrant of one of a fw x fh frame. */
static inline bool ts_test_tile_shape(const ts_present_tile *t, int fw, int fh) {
    if (t->x < 0 || t->y < 0 || t->x >= fw || t->y >= fh) return false;
    if (t->x % TS_TEST_TILE == 0 && t->y % TS_TEST_TILE == 0 && t->w == ts_test_min(TS_TEST_TILE, fw - t->x) &&
        t->h == ts_test_min(TS_TEST_TILE, fh - t->y))
        return true;
    return t->x % TS_TEST_CELL == 0 && t->y % TS_TEST_CELL == 0 && t->w == ts_test_min(TS_TEST_CELL, fw - t->x) &&
           t->h == ts_test_min(TS_TEST_CELL, fh - t->y);
}

/* Adds one to every 32x32 cell `t` covers in `seen` (cells_x a row); false
 * when one was already covered. */
static inline bool ts_test_tile_cover(const ts_present_tile *t, unsigned char *seen, int cells_x) {
    bool once = true;
    for (int cy = t->y / TS_TEST_CELL; cy <= (t->y + t->h - 1) / TS_TEST_CELL; cy++)
        for (int cx = t->x / TS_TEST_CELL; cx <= (t->x + t->w - 1) / TS_TEST_CELL; cx++)
            if (seen[cy * cells_x + cx]++) once = false;
    return once;
}

#endif
