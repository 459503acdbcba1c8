/* rast_ref.c — reference triangle traversal over 2x2 quads. Runs on the
 * raster side; pure function of its arguments. */
#include "rast_ref.h"

void ts_rast_ref_interp(const ts_tri_setup *t, int px, int py, float *z, float *b1, float *b2) {
    float ox, oy;
    ts_setup_offset(t, px, py, &ox, &oy);
    float zz = ts_plane_eval(&t->z, ox, oy);
    /* Extrapolation to a center just inside an edge can overshoot the
     * vertices' range by a rounding error; depth stays in [0, 1]. */
    *z = zz < 0.0f ? 0.0f : (zz > 1.0f ? 1.0f : zz);
    float w = 1.0f / ts_plane_eval(&t->inv_w, ox, oy);
    *b1 = ts_plane_eval(&t->pb1, ox, oy) * w;
    *b2 = ts_plane_eval(&t->pb2, ox, oy) * w;
}

void ts_rast_ref_triangle(const ts_tri_setup *t, int width, int height, ts_quad_fn fn,
                          void *user) {
    int qx0 = t->minx & ~1, qy0 = t->miny & ~1;
    for (int qy = qy0; qy <= t->maxy; qy += 2) {
        for (int qx = qx0; qx <= t->maxx; qx += 2) {
            ts_quad q;
            q.x = qx;
            q.y = qy;
            q.mask = 0;
            for (int i = 0; i < 4; i++) {
                int px = qx + (i & 1), py = qy + (i >> 1);
                if (px < width && py < height && ts_setup_covers(t, px, py)) q.mask |= 1u << i;
            }
            if (!q.mask) continue;
            for (int i = 0; i < 4; i++)
                ts_rast_ref_interp(t, qx + (i & 1), qy + (i >> 1), &q.z[i], &q.b1[i], &q.b2[i]);
            fn(user, t, &q);
        }
    }
}
