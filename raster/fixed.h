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
 * for edge values.
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
