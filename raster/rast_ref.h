/* rast_ref.h — the reference rasterizer: scalar, one pixel at a time,
 * written for clarity. It is the oracle the fast kernels are tested against,
 * so its output defines the renderer's coverage, depth and barycentrics. */
#ifndef TS_RAST_REF_H
#define TS_RAST_REF_H

#include "setup.h"

/* A 2x2 pixel quad at (x, y), x and y even. Pixel i of the quad is
 * (x + (i & 1), y + (i >> 1)). Values are computed for all four pixels,
 * covered or not (and even outside the viewport), so a shader can take
 * differences across the quad as its screen-space derivatives. */
typedef struct ts_quad {
    int x, y;
    unsigned mask; /* bit i: pixel i has a covered sample and is inside the viewport */
    unsigned sample_mask[4]; /* per pixel, bit s: sample s is covered */
    float z[4];    /* window depth at the pixel center (clamped to [0, 1]) */
    float zs[4][TS_MAX_SAMPLES]; /* window depth at each sample (zs[i][0] == z[i] with 1 sample) */
    float b1[4], b2[4]; /* perspective-correct barycentrics of stored vertices 1, 2, at the center */
} ts_quad;

typedef void (*ts_quad_fn)(void *user, const ts_tri_setup *tri, const ts_quad *q);

/* Calls fn for every quad of the triangle with at least one covered sample
 * (tri->samples per pixel), rows top to bottom, quads left to right.
 * Attributes are taken at pixel centers, covered or not: with several
 * samples a pixel is shaded once, at its center. */
void ts_rast_ref_triangle(const ts_tri_setup *tri, int width, int height, ts_quad_fn fn,
                          void *user);

/* Depth and perspective-correct barycentrics at pixel (px, py): the exact
 * computation every rasterizer must reproduce. */
void ts_rast_ref_interp(const ts_tri_setup *tri, int px, int py, float *z, float *b1, float *b2);

/* Depth at sample s of pixel (px, py), clamped to [0, 1]. */
float ts_rast_ref_sample_depth(const ts_tri_setup *tri, int px, int py, int s);

#endif
