/* common.c — pieces shared by the shading programs: albedo lookup and the
 * Blinn-Phong terms (Blinn, "Models of light reflection for computer
 * synthesized pictures", SIGGRAPH 1977). */
#include "shade.h"

void ts_shade_albedo(const ts_uniforms *u, const ts_fragment *f, float rgba[4]) {
    for (int c = 0; c < 4; c++) rgba[c] = u->base_color[c];
    if (!u->texture) return;
    float t[4];
    float lod = ts_texture_lod(u->texture, f->duv_dx[0], f->duv_dx[1], f->duv_dy[0], f->duv_dy[1]);
    ts_texture_sample(u->texture, f->uv[0], f->uv[1], lod, t);
    for (int c = 0; c < 4; c++) rgba[c] *= t[c];
}

void ts_shade_blinn_phong_terms(const ts_uniforms *u, const ts_fragment *f, float *diffuse,
                                float *specular) {
    ts_vec3 n = ts_v3_normalize(f->normal);
    ts_vec3 v = ts_v3_normalize(ts_v3_sub(u->eye, f->world));
    ts_vec3 h = ts_v3_normalize(ts_v3_add(u->light_dir, v));
    float nl = ts_v3_dot(n, u->light_dir), nh = ts_v3_dot(n, h);
    *diffuse = nl > 0.0f ? nl : 0.0f;
    float s = nh > 0.0f ? nh : 0.0f;
    float s2 = s * s, s4 = s2 * s2, s8 = s4 * s4, s16 = s8 * s8;
    *specular = s16 * s16; /* s^32 by squaring: exact order, no powf */
}
