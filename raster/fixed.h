/* fixed.h — the fixed-point screen space that coverage is decided in.
 *
 * Vertex positions are snapped to 1/256 of a pixel (8 subpixel bits, as
 * Direct3D 11 and GL implementations do) by round-to-nearest-even, and edge
 * functions are evaluated exactly in integers, so coverage never depends on
 * float rounding: two triangles sharing an edge compute the same edge and a
 * pixel center on it goes to exactly one of them (top-left rule).
 *
 * Ranges: the clipper keeps every vertex inside the guard band, so a snapped
 * coordinate lies in [-TS_GUARD_BAND_PX, TS_MAX_VIEWPORT + TS_GUARD_BAND_PX]
 * pixels, |coord| < 2^15 px = 2^23 subpixels. An edge's deltas then fit in
 * 2^24 and an edge function value (a sum of two products of a delta and a
 * coordinate difference) in 2^49: int32 for coordinates and deltas, int64
 * for edge values. So the products that need 64 bits are exactly those of
 * two such quantities: an edge evaluated at a point (ts_edge_at, the tile
 * raster's per-block threshold), twice the area (setup.c; the SIMD setup
 * forms it in doubles, exact below 2^53). Within an 8x8 block the raster
 * needs only a dx + b dy with dx, dy < 8 px: below 2^28, 32-bit lanes.
 *
 * Why the band is what keeps this true: without it a vertex could land
 * anywhere float reaches (1e38 px), and no integer width would hold the
 * products. The band is wide (8192 px) so that clipping, which moves no
 * visible edge, is rare; it is narrow enough that the largest viewport plus
 * twice the band (32768 px) is still 2^23 subpixels with a bit to spare
 * (the assert below). A caller that skips the clipper is caught by
 * setup.c's snap, which refuses 2^23 subpixels and beyond. The clipper's
 * own arithmetic is argued in clip.c; the edges are tested in
 * tests/test_hostile.c (and test_setup.c, test_raster.c).
 */
#ifndef TS_FIXED_H
#define TS_FIXED_H

#include <stdint.h>

#define TS_SUBPIXEL_BITS 8
#define TS_SUBPIXEL_ONE (1 << TS_SUBPIXEL_BITS)
#define TS_SUBPIXEL_HALF (TS_SUBPIXEL_ONE / 2)

/* Largest viewport side, and how far outside it vertices may lie before the
 * clipper cuts triangles against the guard band. */
#define TS_MAX_VIEWPORT 16384
#define TS_GUARD_BAND_PX 8192

_Static_assert(((int64_t)(TS_MAX_VIEWPORT + TS_GUARD_BAND_PX) << TS_SUBPIXEL_BITS) < (1 << 23),
               "snapped coordinates must stay below 2^23 subpixels");

#endif
