/* depth.c — distance along the view direction as grey, white at
 * depth_near and black at depth_far (linear in view space, which is easier to
 * read than window depth, which crowds near 1):
 *   v = clamp((depth_far - d) / (depth_far - depth_near), 0, 1), opaque. */
#include "shade.h"

void ts_shade_depth(const ts_uniforms *u, const ts_fragment *f, float rgba[4]) {
    float d = ts_v3_dot(ts_v3_sub(f->world, u->eye), u->view_dir);
    float v = (u->depth_far - d) / (u->depth_far - u->depth_near);
    v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    rgba[0] = rgba[1] = rgba[2] = v;
    rgba[3] = 1.0f;
}
