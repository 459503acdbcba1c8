/* clip.h — homogeneous clipping of one triangle against the near and far
 * planes and the x/y guard band. */
#ifndef TS_CLIP_H
#define TS_CLIP_H

#include <stdbool.h>

/* Attributes carried through clipping: world position, normal, uv. */
#define TS_MAX_VARYINGS 8

/* The planes: near, far, +x, -x, +y, -y (the guard band). A triangle cut
 * by all six has at most 3 + 6 vertices. */
#define TS_CLIP_PLANES 6
#define TS_CLIP_MAX_VERTS 9

typedef struct ts_clip_vert {
    float pos[4]; /* clip space x, y, z, w (GL convention: -w <= z <= w) */
    float var[TS_MAX_VARYINGS];
} ts_clip_vert;

/* The guard band in clip space: |x| <= gx*w and |y| <= gy*w. Use
 * ts_clip_guard_band() to get factors that keep screen coordinates within
 * TS_GUARD_BAND_PX pixels of a width x height viewport. */
typedef struct ts_clip_band {
    float gx, gy;
} ts_clip_band;

ts_clip_band ts_clip_guard_band(int width, int height);

/* Which planes vertex v lies outside of: bit p for plane p (near, far, +x,
 * -x, +y, -y), or TS_CLIP_NONFINITE, which has every plane bit set too,
 * when a coordinate is not finite. A triangle whose three codes are 0 needs no
 * clipping; one whose codes share a bit is dropped by ts_clip_triangle. */
#define TS_CLIP_NONFINITE 0x7fu
unsigned ts_clip_outcode(const ts_clip_vert *v, ts_clip_band band);

/* Clips triangle `in` and writes the resulting convex polygon to `out`
 * (fan-triangulate it from out[0]). Returns the vertex count: 0 when nothing
 * is left, 3 with out = in when the triangle needs no clipping. Vertices that
 * were inside every plane are copied bit for bit, and a new vertex on an edge
 * is always interpolated from the edge's inside end toward its outside end,
 * so an edge shared by two triangles is cut at the same point in both:
 * meshes stay watertight across the near plane and the guard band.
 * A vertex with a non-finite coordinate discards the triangle. */
int ts_clip_triangle(const ts_clip_vert in[3], int varying_count, ts_clip_band band,
                     ts_clip_vert out[TS_CLIP_MAX_VERTS]);

#endif
