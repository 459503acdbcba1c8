/* studio.c — the default look, defined so any OpenGL program can reproduce
 * it (README, "The studio look"):
 *   color = 0.1 + 0.8 * albedo * max(N.L, 0) + 0.3 * max(N.H, 0)^32
 * with albedo 0.8 grey, opaque; the material is ignored. */
#include "shade.h"

void ts_shade_studio(const ts_uniforms *u, const ts_fragment *f, float rgba[4]) {
    float diffuse, specular;
    ts_shade_blinn_phong_terms(u, f, &diffuse, &specular);
    float v = 0.1f + 0.8f * 0.8f * diffuse + 0.3f * specular;
    rgba[0] = rgba[1] = rgba[2] = v;
    rgba[3] = 1.0f;
}
