/* setup.c — per-triangle setup: snap, orient, cull, edge equations with the
 * top-left rule, pixel bounds and plane equations. Runs on the geometry side;
 * pure function of its arguments. */
#include "setup.h"

#include <math.h>

/* Snapped coordinates must stay below 2^23 subpixels (see fixed.h); the
 * clipper's guard band guarantees it, this bound catches callers that skip
 * the clipper. */
#define MAX_SNAPPED (1 << 23)

static bool snap(float v, int32_t *out) {
    float s = v * (float)TS_SUBPIXEL_ONE; /* exact: a power of two */
    if (!(fabsf(s) < (float)MAX_SNAPPED)) return false; /* also rejects NaN */
    /* Round to nearest even, as SIMD converts; 2^23 - 0.5 rounds up to the
     * bound itself, hence the second test. */
    int32_t r = (int32_t)lrintf(s);
    if (r <= -MAX_SNAPPED || r >= MAX_SNAPPED) return false;
    *out = r;
    return true;
}

static int floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return (int)q;
}

/* Plane through (0, 0, f0), (dx1, dy1, f1), (dx2, dy2, f2). */
static ts_plane make_plane(float f0, float f1, float f2, float dx1, float dy1, float dx2,
                           float dy2, float inv_area) {
    ts_plane p;
    float d1 = f1 - f0, d2 = f2 - f0;
    p.c = f0;
    p.dx = (d1 * dy2 - d2 * dy1) * inv_area;
    p.dy = (d2 * dx1 - d1 * dx2) * inv_area;
    return p;
}

bool ts_setup_triangle(const ts_screen_vert v[3], int width, int height, ts_cull cull, int samples,
                       ts_tri_setup *t) {
    int32_t x[3], y[3];
    for (int i = 0; i < 3; i++) {
        if (!snap(v[i].x, &x[i]) || !snap(v[i].y, &y[i])) return false;
        if (!isfinite(v[i].z) || !(v[i].inv_w > 0.0f) || !isfinite(v[i].inv_w)) return false;
    }

    /* Deltas below 2^24 (fixed.h), so each product below 2^48 and the
     * area below 2^49: int64, never int32.
     * E_01(v2): positive when v0 v1 v2 turn clockwise on screen (y down).
     * The viewport flips y, so this is GL's window-space area with the sign
     * flipped: negative means counter-clockwise in NDC (y up), GL's default
     * front face. */
    int64_t area2 = (int64_t)(x[1] - x[0]) * (y[2] - y[0]) - (int64_t)(y[1] - y[0]) * (x[2] - x[0]);
    if (area2 == 0) return false;
    t->front_facing = area2 < 0;
    if (cull == TS_CULL_BACK && !t->front_facing) return false;

    /* Store in positive orientation so every edge is positive inside. */
    int o1 = 1, o2 = 2;
    if (area2 < 0) {
        o1 = 2;
        o2 = 1;
        area2 = -area2;
    }
    /* int, not uint8_t: byte-wide stack copies read back as wider words
     * stall store forwarding. */
    const int order[3] = {0, o1, o2};
    for (int i = 0; i < 3; i++) {
        t->order[i] = (uint8_t)order[i];
        t->x[i] = x[order[i]];
        t->y[i] = y[order[i]];
    }
    t->samples = samples == TS_MAX_SAMPLES ? TS_MAX_SAMPLES : 1;

    /* Pixels with a sample, at px*256+128 plus at most `reach` each way,
     * within the snapped bounds. */
    int32_t x0 = t->x[0], x1 = t->x[0], y0 = t->y[0], y1 = t->y[0];
    for (int i = 1; i < 3; i++) {
        if (t->x[i] < x0) x0 = t->x[i];
        if (t->x[i] > x1) x1 = t->x[i];
        if (t->y[i] < y0) y0 = t->y[i];
        if (t->y[i] > y1) y1 = t->y[i];
    }
    const int64_t reach = t->samples == 1 ? 0 : TS_SAMPLE_REACH;
    t->minx = -floor_div(-((int64_t)x0 - TS_SUBPIXEL_HALF - reach), TS_SUBPIXEL_ONE);
    t->miny = -floor_div(-((int64_t)y0 - TS_SUBPIXEL_HALF - reach), TS_SUBPIXEL_ONE);
    t->maxx = floor_div((int64_t)x1 - TS_SUBPIXEL_HALF + reach, TS_SUBPIXEL_ONE);
    t->maxy = floor_div((int64_t)y1 - TS_SUBPIXEL_HALF + reach, TS_SUBPIXEL_ONE);
    if (t->minx < 0) t->minx = 0;
    if (t->miny < 0) t->miny = 0;
    if (t->maxx > width - 1) t->maxx = width - 1;
    if (t->maxy > height - 1) t->maxy = height - 1;
    if (t->minx > t->maxx || t->miny > t->maxy) return false;

    /* Plane equations relative to stored vertex 0. Deltas are exact floats
     * (below 2^24 subpixels); the area is rounded once. inv_area is at most
     * 2^16 (an area of one subpixel^2 is 2^-16 px^2), so a plane's slopes
     * stay finite while its values' differences stay below 2^97: depth in
     * [0, 1] always does; 1/w of a vertex with w below about 2^-97 can make
     * the 1/w and barycentric planes infinite, which costs that triangle its
     * varyings (coverage and depth never read them). */
    const float inv_sub = 1.0f / TS_SUBPIXEL_ONE;
    float dx1 = (float)(t->x[1] - t->x[0]) * inv_sub, dy1 = (float)(t->y[1] - t->y[0]) * inv_sub;
    float dx2 = (float)(t->x[2] - t->x[0]) * inv_sub, dy2 = (float)(t->y[2] - t->y[0]) * inv_sub;
    float inv_area = 1.0f / ((float)area2 * (inv_sub * inv_sub));
    const ts_screen_vert *s0 = &v[order[0]], *s1 = &v[order[1]], *s2 = &v[order[2]];
    t->z = make_plane(s0->z, s1->z, s2->z, dx1, dy1, dx2, dy2, inv_area);
    t->inv_w = make_plane(s0->inv_w, s1->inv_w, s2->inv_w, dx1, dy1, dx2, dy2, inv_area);
    t->pb1 = make_plane(0.0f, s1->inv_w, 0.0f, dx1, dy1, dx2, dy2, inv_area);
    t->pb2 = make_plane(0.0f, 0.0f, s2->inv_w, dx1, dy1, dx2, dy2, inv_area);
    return true;
}
