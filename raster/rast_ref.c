/* rast_ref.c — reference triangle traversal over 2x2 quads. Runs on the
 * raster side; pure function of its arguments. */
#include "rast_ref.h"

/* Extrapolation to a point just inside an edge (or, multisampled, to a
 * center outside the triangle) can leave the vertices' depth range; depth
 * stays in [0, 1]. */
static float clamp_depth(float z) { return z < 0.0f ? 0.0f : (z > 1.0f ? 1.0f : z); }

float ts_rast_ref_sample_depth(const ts_tri_setup *t, int px, int py, int s) {
    float ox, oy;
    ts_setup_sample_offset(t, px, py, s, &ox, &oy);
    return clamp_depth(ts_plane_eval(&t->z, ox, oy));
}

void ts_rast_ref_interp(const ts_tri_setup *t, int px, int py, float *z, float *b1, float *b2) {
    float ox, oy;
    ts_setup_offset(t, px, py, &ox, &oy);
    *z = clamp_depth(ts_plane_eval(&t->z, ox, oy));
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
                q.sample_mask[i] = px < width && py < height ? ts_setup_sample_mask(t, px, py) : 0;
                if (q.sample_mask[i]) q.mask |= 1u << i;
            }
            if (!q.mask) continue;
            for (int i = 0; i < 4; i++) {
                int px = qx + (i & 1), py = qy + (i >> 1);
                ts_rast_ref_interp(t, px, py, &q.z[i], &q.b1[i], &q.b2[i]);
                for (int s = 0; s < t->samples; s++) q.zs[i][s] = ts_rast_ref_sample_depth(t, px, py, s);
            }
            fn(user, t, &q);
        }
    }
}
