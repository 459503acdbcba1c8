/* textured.c — Blinn-Phong over the material's base color times its
 * trilinearly filtered texture:
 *   rgb = albedo * (0.1 + 0.8 * max(N.L, 0)) + 0.3 * max(N.H, 0)^32
 *   a   = albedo alpha (blended source-over) */
#include "shade.h"

void ts_shade_textured(const ts_uniforms *u, const ts_fragment *f, float rgba[4]) {
    float albedo[4], diffuse, specular;
    ts_shade_albedo(u, f, albedo);
    ts_shade_blinn_phong_terms(u, f, &diffuse, &specular);
    float k = 0.1f + 0.8f * diffuse;
    for (int c = 0; c < 3; c++) rgba[c] = albedo[c] * k + 0.3f * specular;
    rgba[3] = albedo[3];
}
