/* programs_v.inl — the shading programs on SIMD lanes, one source for every
 * ISA (included by shaders/kernels.c after raster/simd.h). Each follows its
 * scalar twin in the shaders folder, operation for operation: the scalar programs
 * are the readable definition and the oracle the tests compare against;
 * these are the same formulas, TS_LANES fragments at a time, with the
 * ISA's multiply-add and reciprocal square root (vf_fma, vf_rsqrt) where it
 * has them: colors within 1/255 of the oracle's, not bit for bit. */
#ifndef TS_PROGRAMS_V_INL
#define TS_PROGRAMS_V_INL

#include "rast_tile.inl"
#include "shade.h"

typedef struct v3v {
    vf32 x, y, z;
} v3v;

TS_INLINE v3v v3v_make(vf32 x, vf32 y, vf32 z) {
    v3v r = {x, y, z};
    return r;
}
TS_INLINE v3v v3v_splat(ts_vec3 a) { return v3v_make(vf_set1(a.x), vf_set1(a.y), vf_set1(a.z)); }
TS_INLINE v3v v3v_add(v3v a, v3v b) { return v3v_make(vf_add(a.x, b.x), vf_add(a.y, b.y), vf_add(a.z, b.z)); }
TS_INLINE v3v v3v_sub(v3v a, v3v b) { return v3v_make(vf_sub(a.x, b.x), vf_sub(a.y, b.y), vf_sub(a.z, b.z)); }
TS_INLINE vf32 v3v_dot(v3v a, v3v b) { return vf_fma(a.x, b.x, vf_fma(a.y, b.y, vf_mul(a.z, b.z))); }
TS_INLINE v3v v3v_scale_or_zero(v3v v, vmask ok, vf32 inv) {
    vf32 zero = vf_set1(0.0f);
    return v3v_make(vf_select(ok, vf_mul(v.x, inv), zero), vf_select(ok, vf_mul(v.y, inv), zero),
                    vf_select(ok, vf_mul(v.z, inv), zero));
}

/* As ts_v3_normalize (zero where the length is zero or NaN), for a vector
 * whose length is known to be of everyday size (between 2^-50 and 2^50,
 * or 0): the inverse length is vf_rsqrt's, exact on the scalar target and
 * within a few ulps on the others. */
TS_INLINE v3v v3v_normalize_sane(v3v v) {
    vf32 len2 = v3v_dot(v, v);
    return v3v_scale_or_zero(v, vf_gt(len2, vf_set1(0.0f)), vf_rsqrt(len2));
}

/* As ts_v3_normalize for any vector, e.g. a normal from a file. A group
 * with a length far from 1 (tiny, denormal, infinite: broken models have
 * them), where vf_fma and vf_rsqrt would underflow or overflow unlike the
 * reference, takes the reference's exact path. */
TS_INLINE v3v v3v_normalize(v3v v) {
    vf32 len2 = v3v_dot(v, v);
    vmask odd = vm_and(vf_ge(len2, vf_set1(0.0f)),
                       vm_or(vf_lt(len2, vf_set1(0x1p-100f)), vf_gt(len2, vf_set1(0x1p100f))));
    if (!vm_any(odd)) return v3v_scale_or_zero(v, vf_gt(len2, vf_set1(0.0f)), vf_rsqrt(len2));
    len2 = vf_add(vf_add(vf_mul(v.x, v.x), vf_mul(v.y, v.y)), vf_mul(v.z, v.z));
    return v3v_scale_or_zero(v, vf_gt(len2, vf_set1(0.0f)), vf_div(vf_set1(1.0f), vf_sqrt(len2)));
}

TS_INLINE v3v frag_v3(const ts_frag_v *f, int at) { return v3v_make(f->var[at], f->var[at + 1], f->var[at + 2]); }

/* ts_shade_blinn_phong_terms on lanes. */
TS_INLINE void blinn_phong_v(const ts_uniforms *u, const ts_frag_v *f, vf32 *diffuse, vf32 *specular) {
    v3v n = v3v_normalize(frag_v3(f, TS_VAR_NORMAL));
    /* A visible point lies between the near and far planes (0.1 to 100
     * from the eye; the model is scaled to the unit sphere), and L + V of
     * two unit vectors is at most 2 long: of everyday size. */
    v3v v = v3v_normalize_sane(v3v_sub(v3v_splat(u->eye), frag_v3(f, TS_VAR_WORLD)));
    v3v l = v3v_splat(u->light_dir);
    v3v h = v3v_normalize_sane(v3v_add(l, v));
    vf32 zero = vf_set1(0.0f);
    *diffuse = vf_max(v3v_dot(n, l), zero);
    vf32 s = vf_max(v3v_dot(n, h), zero);
    vf32 s2 = vf_mul(s, s), s4 = vf_mul(s2, s2), s8 = vf_mul(s4, s4), s16 = vf_mul(s8, s8);
    *specular = vf_mul(s16, s16);
}

/* ts_shade_albedo on lanes. The texture fetch runs the scalar sampler per
 * lane: exact, and simple; a gathering sampler is the next step for speed. */
TS_INLINE void albedo_v(const ts_uniforms *u, const ts_frag_v *f, vf32 rgba[4]) {
    for (int c = 0; c < 4; c++) rgba[c] = vf_set1(u->base_color[c]);
    if (!u->texture) return;
    float uu[TS_LANES], vv[TS_LANES], dux[TS_LANES], dvx[TS_LANES], duy[TS_LANES], dvy[TS_LANES];
    float t[4][TS_LANES];
    vf_store(uu, f->var[TS_VAR_UV]);
    vf_store(vv, f->var[TS_VAR_UV + 1]);
    vf_store(dux, f->duv_dx[0]);
    vf_store(dvx, f->duv_dx[1]);
    vf_store(duy, f->duv_dy[0]);
    vf_store(dvy, f->duv_dy[1]);
    for (int i = 0; i < TS_LANES; i++) {
        float s[4];
        float lod = ts_texture_lod(u->texture, dux[i], dvx[i], duy[i], dvy[i]);
        ts_texture_sample(u->texture, uu[i], vv[i], lod, s);
        for (int c = 0; c < 4; c++) t[c][i] = s[c];
    }
    for (int c = 0; c < 4; c++) rgba[c] = vf_mul(rgba[c], vf_load(t[c]));
}

TS_INLINE void studio_v(const void *uniforms, const ts_frag_v *f, vf32 rgba[4]) {
    vf32 diffuse, specular;
    blinn_phong_v(uniforms, f, &diffuse, &specular);
    const float k = 0.8f * 0.8f; /* as C folds 0.8f * 0.8f in studio.c */
    vf32 v = vf_fma(vf_set1(0.3f), specular, vf_fma(vf_set1(k), diffuse, vf_set1(0.1f)));
    rgba[0] = rgba[1] = rgba[2] = v;
    rgba[3] = vf_set1(1.0f);
}

TS_INLINE void textured_v(const void *uniforms, const ts_frag_v *f, vf32 rgba[4]) {
    vf32 albedo[4], diffuse, specular;
    albedo_v(uniforms, f, albedo);
    blinn_phong_v(uniforms, f, &diffuse, &specular);
    vf32 k = vf_fma(vf_set1(0.8f), diffuse, vf_set1(0.1f));
    vf32 spec = vf_mul(vf_set1(0.3f), specular);
    for (int c = 0; c < 3; c++) rgba[c] = vf_fma(albedo[c], k, spec);
    rgba[3] = albedo[3];
}

TS_INLINE void unlit_v(const void *uniforms, const ts_frag_v *f, vf32 rgba[4]) {
    albedo_v(uniforms, f, rgba);
}

TS_INLINE void normals_v(const void *uniforms, const ts_frag_v *f, vf32 rgba[4]) {
    (void)uniforms;
    v3v n = v3v_normalize(frag_v3(f, TS_VAR_NORMAL));
    vf32 half = vf_set1(0.5f);
    rgba[0] = vf_fma(half, n.x, half);
    rgba[1] = vf_fma(half, n.y, half);
    rgba[2] = vf_fma(half, n.z, half);
    rgba[3] = vf_set1(1.0f);
}

/* ts_shade_wireframe on lanes (shaders/wireframe.c has the why), operation
 * for operation. */
TS_INLINE vf32 abs_v(vf32 x) { return vf_max(x, vf_sub(vf_set1(0.0f), x)); }

TS_INLINE vf32 edge_px_v(vf32 b, vf32 dx, vf32 dy) {
    vf32 w = vf_add(abs_v(dx), abs_v(dy));
    return vf_select(vf_gt(w, vf_set1(0.0f)), vf_div(b, w), vf_set1(1e30f));
}

TS_INLINE void wireframe_v(const ts_frag_v *f, vf32 rgba[4]) {
    vf32 b1 = f->bary[0], b2 = f->bary[1];
    vf32 q1 = vf_quad_lane(b1, 0), q2 = vf_quad_lane(b2, 0);
    vf32 dx1 = vf_sub(vf_quad_lane(b1, 1), q1), dy1 = vf_sub(vf_quad_lane(b1, 2), q1);
    vf32 dx2 = vf_sub(vf_quad_lane(b2, 1), q2), dy2 = vf_sub(vf_quad_lane(b2, 2), q2);
    vf32 zero = vf_set1(0.0f), one = vf_set1(1.0f);
    vf32 b0 = vf_sub(vf_sub(one, b1), b2);
    vf32 dx0 = vf_sub(zero, vf_add(dx1, dx2)), dy0 = vf_sub(zero, vf_add(dy1, dy2));
    vf32 e = vf_min(edge_px_v(b0, dx0, dy0), edge_px_v(b1, dx1, dy1));
    e = vf_min(e, edge_px_v(b2, dx2, dy2));
    vf32 line = vf_min(vf_max(vf_sub(one, vf_add(e, e)), zero), one);
    const float wire[3] = {TS_WIRE_R, TS_WIRE_G, TS_WIRE_B};
    for (int c = 0; c < 3; c++) rgba[c] = vf_add(rgba[c], vf_mul(vf_sub(vf_set1(wire[c]), rgba[c]), line));
    rgba[3] = vf_add(rgba[3], vf_mul(vf_sub(one, rgba[3]), line));
}

TS_INLINE void depth_v(const void *uniforms, const ts_frag_v *f, vf32 rgba[4]) {
    const ts_uniforms *u = uniforms;
    vf32 d = v3v_dot(v3v_sub(frag_v3(f, TS_VAR_WORLD), v3v_splat(u->eye)), v3v_splat(u->view_dir));
    vf32 v = vf_div(vf_sub(vf_set1(u->depth_far), d), vf_set1(u->depth_far - u->depth_near));
    v = vf_select(vf_lt(v, vf_set1(0.0f)), vf_set1(0.0f), vf_select(vf_gt(v, vf_set1(1.0f)), vf_set1(1.0f), v));
    rgba[0] = rgba[1] = rgba[2] = v;
    rgba[3] = vf_set1(1.0f);
}

/* Each program as the kernels call it: its color, then the wireframe over
 * it when the draw asks for one (a branch the whole triangle takes alike). */
#define TS_WITH_WIREFRAME(prog)                                                                    \
    TS_INLINE void prog##_w(const void *uniforms, const ts_frag_v *f, vf32 rgba[4]) {               \
        prog##_v(uniforms, f, rgba);                                                               \
        if (((const ts_uniforms *)uniforms)->wireframe) wireframe_v(f, rgba);                      \
    }
TS_WITH_WIREFRAME(studio)
TS_WITH_WIREFRAME(unlit)
TS_WITH_WIREFRAME(normals)
TS_WITH_WIREFRAME(depth)
TS_WITH_WIREFRAME(textured)
#undef TS_WITH_WIREFRAME

#endif
