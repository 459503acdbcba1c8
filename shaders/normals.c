/* normals.c — the world-space normal, normalized per pixel, mapped from
 * [-1, 1] to [0, 1]: rgb = 0.5 * N + 0.5, opaque. */
#include "shade.h"

void ts_shade_normals(const ts_uniforms *u, const ts_fragment *f, float rgba[4]) {
    (void)u;
    ts_vec3 n = ts_v3_normalize(f->normal);
    rgba[0] = 0.5f * n.x + 0.5f;
    rgba[1] = 0.5f * n.y + 0.5f;
    rgba[2] = 0.5f * n.z + 0.5f;
    rgba[3] = 1.0f;
}
