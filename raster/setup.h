/* setup.h — triangle setup: snapping to fixed point, edge functions with the
 * top-left rule, the covered pixel rectangle, and the plane equations that
 * interpolate depth and perspective-correct barycentrics.
 *
 * Conventions (Direct3D 11 / GL): screen x right, y down, pixel (px, py)
 * covers [px, px+1) x [py, py+1) and is sampled at its center (px+0.5,
 * py+0.5). A pixel center exactly on an edge belongs to the triangle only if
 * the edge is a top edge (horizontal, interior below) or a left edge.
 */
#ifndef TS_SETUP_H
#define TS_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "fixed.h"

/* Multisampling. A pixel has 1 sample, at its center, or TS_MAX_SAMPLES,
 * at Direct3D's standard 4x positions: (-2,-6), (6,-2), (-6,2) and (2,6)
 * sixteenths of a pixel from the center, four distinct rows and columns so
 * near-horizontal and near-vertical edges both get four coverage levels.
 * Offsets are whole subpixels (x16), so coverage stays exact. */
#define TS_MAX_SAMPLES 4
#define TS_SAMPLE_REACH 96 /* largest |offset| of any sample, subpixels */

static inline int32_t ts_sample_dx(int samples, int s) {
    static const int32_t dx[TS_MAX_SAMPLES] = {-32, 96, -96, 32};
    return samples == 1 ? 0 : dx[s];
}
static inline int32_t ts_sample_dy(int samples, int s) {
    static const int32_t dy[TS_MAX_SAMPLES] = {-96, -32, 32, 96};
    return samples == 1 ? 0 : dy[s];
}

/* A vertex after the viewport transform. */
typedef struct ts_screen_vert {
    float x, y;  /* pixels */
    float z;     /* window depth in [0, 1] */
    float inv_w; /* 1 / clip w, > 0 */
} ts_screen_vert;

typedef enum ts_cull {
    TS_CULL_NONE = 0,
    TS_CULL_BACK, /* drop triangles clockwise in NDC (y up), as glCullFace(GL_BACK) */
} ts_cull;

/* f(x, y) = c + dx * (x - x0) + dy * (y - y0), with (x0, y0) the snapped
 * position of the triangle's first vertex. */
typedef struct ts_plane {
    float c, dx, dy;
} ts_plane;

/* Evaluates a plane at an offset (ox, oy) in pixels from the first vertex.
 * The order is fixed, c + dx*ox then + dy*oy, with no fused multiply-add:
 * every ISA must evaluate it the same way for depth to be bit-exact. */
static inline float ts_plane_eval(const ts_plane *p, float ox, float oy) {
    float a = p->dx * ox;
    float b = p->dy * oy;
    return (p->c + a) + b;
}

typedef struct ts_edge {
    /* E(X, Y) = a * (X - Xs) + b * (Y - Ys) in subpixels, with (Xs, Ys) the
     * edge's start; positive inside. a = -(Ye - Ys), b = Xe - Xs. */
    int32_t a, b;
    int32_t xs, ys;
    /* 0 for a top or left edge, -1 otherwise: covered iff E + bias >= 0. */
    int32_t bias;
} ts_edge;

/* Everything the rasterizer needs about one triangle. The vertices are
 * stored in the order that makes the area positive (ts_tri_area2;
 * clockwise on screen with y down, which is clockwise in NDC too: the
 * viewport's y flip reverses the sign of the area, not the turn seen on
 * screen); `order` maps back to the input. What the positions give in a
 * few integer operations (the edges, the area) is not stored: the fast
 * path writes one of these per triangle and reads it once per tile the
 * triangle touches, and at a frame's worth of triangles its size is memory
 * traffic (see ts_tile_tri). */
typedef struct ts_tri_setup {
    int32_t x[3], y[3];         /* snapped positions, subpixels, positive orientation */
    int32_t minx, miny, maxx, maxy; /* pixels with a sample inside the snapped bounds, in the viewport */
    ts_plane z;                 /* window depth */
    ts_plane inv_w;             /* 1/w, for perspective correction */
    ts_plane pb1, pb2;          /* barycentric of stored vertex 1 and 2, each divided by its w */
    uint8_t order[3];           /* order[i]: which input vertex is stored as i */
    bool front_facing;          /* counter-clockwise in NDC (y up) */
    uint8_t samples;            /* per pixel: 1 or TS_MAX_SAMPLES */
} ts_tri_setup;

/* Edge i of a set-up triangle, from stored vertex i to vertex (i+1)%3. */
static inline ts_edge ts_tri_edge(const ts_tri_setup *t, int i) {
    int j = i == 2 ? 0 : i + 1;
    ts_edge e = {.a = -(t->y[j] - t->y[i]), .b = t->x[j] - t->x[i], .xs = t->x[i], .ys = t->y[i]};
    /* Top edge: horizontal with the interior below (a == 0, b > 0).
     * Left edge: interior to its right, i.e. it runs upward (a > 0). */
    bool top_left = (e.a == 0 && e.b > 0) || e.a > 0;
    e.bias = top_left ? 0 : -1;
    return e;
}

/* Twice the triangle's area in subpixels^2, E_01(v2) as ts_setup_triangle
 * forms it: > 0 in the stored order, exact in 64 bits (|coordinates| <
 * 2^23). */
static inline int64_t ts_tri_area2(const ts_tri_setup *t) {
    return (int64_t)(t->x[1] - t->x[0]) * (t->y[2] - t->y[0]) - (int64_t)(t->y[1] - t->y[0]) * (t->x[2] - t->x[0]);
}

/* Sets up triangle v[0..2] for a viewport of width x height pixels with
 * `samples` (1 or TS_MAX_SAMPLES) samples per pixel. Returns false when it
 * can cover no sample: zero area after snapping, culled, outside the
 * viewport, or a non-finite input. */
bool ts_setup_triangle(const ts_screen_vert v[3], int width, int height, ts_cull cull, int samples,
                       ts_tri_setup *out);

/* Input of the SIMD setup (raster/setup_v.inl, the `setup` entry of every
 * kernel table): the screen vertices of up to TS_SETUP_GROUP triangles,
 * structure of arrays so the kernel loads a coordinate of TS_LANES
 * triangles at once: x[k][i] is the x of vertex k of triangle i. The
 * kernel sets the group up TS_LANES triangles at a time (TS_SETUP_GROUP is
 * a multiple of every target's lane count) and gives, for each triangle,
 * what ts_setup_triangle gives, bit for bit. */
#define TS_SETUP_GROUP 16
typedef struct ts_setup_group {
    float x[3][TS_SETUP_GROUP], y[3][TS_SETUP_GROUP];
    float z[3][TS_SETUP_GROUP], inv_w[3][TS_SETUP_GROUP];
} ts_setup_group;

static inline void ts_setup_group_put(ts_setup_group *g, int i, const ts_screen_vert *v0,
                                      const ts_screen_vert *v1, const ts_screen_vert *v2) {
    const ts_screen_vert *v[3] = {v0, v1, v2};
    for (int k = 0; k < 3; k++) {
        g->x[k][i] = v[k]->x;
        g->y[k][i] = v[k]->y;
        g->z[k][i] = v[k]->z;
        g->inv_w[k][i] = v[k]->inv_w;
    }
}

/* Edge value at the center of pixel (px, py). */
static inline int64_t ts_edge_at(const ts_edge *e, int px, int py) {
    int64_t X = (int64_t)px * TS_SUBPIXEL_ONE + TS_SUBPIXEL_HALF;
    int64_t Y = (int64_t)py * TS_SUBPIXEL_ONE + TS_SUBPIXEL_HALF;
    return (int64_t)e->a * (X - e->xs) + (int64_t)e->b * (Y - e->ys);
}

/* Bit s set when sample s of pixel (px, py) is covered (t->samples of them;
 * with one, whether the center is): E + bias >= 0 for every edge. */
static inline unsigned ts_setup_sample_mask(const ts_tri_setup *t, int px, int py) {
    unsigned mask = 0;
    for (int s = 0; s < t->samples; s++) {
        int32_t sx = ts_sample_dx(t->samples, s), sy = ts_sample_dy(t->samples, s);
        bool in = true;
        for (int i = 0; i < 3; i++) {
            ts_edge e = ts_tri_edge(t, i);
            int64_t v = ts_edge_at(&e, px, py) + (int64_t)e.a * sx + (int64_t)e.b * sy;
            if (v + e.bias < 0) in = false;
        }
        mask |= (unsigned)in << s;
    }
    return mask;
}

/* Offset of pixel (px, py)'s center from the first stored vertex, in pixels:
 * exact, since both are multiples of 1/256 within 2^23 subpixels. */
static inline void ts_setup_offset(const ts_tri_setup *t, int px, int py, float *ox, float *oy) {
    const float inv = 1.0f / TS_SUBPIXEL_ONE;
    *ox = (float)(px * TS_SUBPIXEL_ONE + TS_SUBPIXEL_HALF - t->x[0]) * inv;
    *oy = (float)(py * TS_SUBPIXEL_ONE + TS_SUBPIXEL_HALF - t->y[0]) * inv;
}

/* The same for sample s of the pixel: exact as well (the offset is whole
 * subpixels). */
static inline void ts_setup_sample_offset(const ts_tri_setup *t, int px, int py, int s, float *ox,
                                          float *oy) {
    const float inv = 1.0f / TS_SUBPIXEL_ONE;
    *ox = (float)(px * TS_SUBPIXEL_ONE + TS_SUBPIXEL_HALF + ts_sample_dx(t->samples, s) - t->x[0]) * inv;
    *oy = (float)(py * TS_SUBPIXEL_ONE + TS_SUBPIXEL_HALF + ts_sample_dy(t->samples, s) - t->y[0]) * inv;
}

#endif
