/* wireframe.c — triangle edges over the shading. A pixel's distance to
 * edge i, in pixels, is its barycentric b_i over how fast b_i changes per
 * pixel (|d b_i/dx| + |d b_i/dy|, from the quad's differences); the line
 * covers the pixel by 1 - 2 (the smallest distance), clamped to [0, 1], so
 * it runs half a pixel wide along the inside of every edge, a pixel across
 * a shared edge, whatever the triangle's size or slant. The color moves toward TS_WIRE by that much,
 * and so does alpha toward 1 (lines on a transparent surface stay visible).
 *
 * programs_v.inl's wireframe_v is the same on lanes, operation for
 * operation (|x| as max(x, 0 - x), min as a < b ? a : b), so the two agree
 * bit for bit given the same barycentrics. */
#include "shade.h"

/* A distance for a barycentric that does not change across the quad (a
 * degenerate quad): far from any edge. */
#define FAR 1e30f

static float absf(float x) {
    float n = 0.0f - x;
    return x > n ? x : n;
}

static float edge_px(float b, float dx, float dy) {
    float w = absf(dx) + absf(dy);
    return w > 0.0f ? b / w : FAR;
}

void ts_shade_wireframe(const ts_fragment *f, float rgba[4]) {
    float b1 = f->bary[0], b2 = f->bary[1];
    float b0 = (1.0f - b1) - b2;
    float dx0 = 0.0f - (f->dbary_dx[0] + f->dbary_dx[1]), dy0 = 0.0f - (f->dbary_dy[0] + f->dbary_dy[1]);
    float e0 = edge_px(b0, dx0, dy0);
    float e1 = edge_px(b1, f->dbary_dx[0], f->dbary_dy[0]);
    float e2 = edge_px(b2, f->dbary_dx[1], f->dbary_dy[1]);
    float e = e0 < e1 ? e0 : e1;
    e = e < e2 ? e : e2;
    float line = 1.0f - (e + e);
    line = line > 0.0f ? line : 0.0f; /* NaN (a broken quad) becomes 0: no line */
    line = line < 1.0f ? line : 1.0f;
    const float wire[3] = {TS_WIRE_R, TS_WIRE_G, TS_WIRE_B};
    for (int c = 0; c < 3; c++) rgba[c] = rgba[c] + (wire[c] - rgba[c]) * line;
    rgba[3] = rgba[3] + (1.0f - rgba[3]) * line;
}
