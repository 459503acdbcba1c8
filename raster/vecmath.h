/* vecmath.h — the small vector and 4x4 matrix helpers the pipeline needs.
 * Matrices are column-major (m[col*4 + row]), as OpenGL stores them, and act
 * on column vectors: p' = M p.
 */
#ifndef TS_VECMATH_H
#define TS_VECMATH_H

#include <math.h>

typedef struct ts_vec3 {
    float x, y, z;
} ts_vec3;

typedef struct ts_vec4 {
    float x, y, z, w;
} ts_vec4;

typedef struct ts_mat4 {
    float m[16];
} ts_mat4;

#define TS_PI 3.14159265358979323846

static inline ts_vec3 ts_v3(float x, float y, float z) {
    ts_vec3 v = {x, y, z};
    return v;
}
static inline ts_vec3 ts_v3_add(ts_vec3 a, ts_vec3 b) { return ts_v3(a.x + b.x, a.y + b.y, a.z + b.z); }
static inline ts_vec3 ts_v3_sub(ts_vec3 a, ts_vec3 b) { return ts_v3(a.x - b.x, a.y - b.y, a.z - b.z); }
static inline ts_vec3 ts_v3_scale(ts_vec3 a, float s) { return ts_v3(a.x * s, a.y * s, a.z * s); }
static inline float ts_v3_dot(ts_vec3 a, ts_vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline ts_vec3 ts_v3_cross(ts_vec3 a, ts_vec3 b) {
    return ts_v3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
/* Unit vector along v, or the zero vector when v has no length. */
static inline ts_vec3 ts_v3_normalize(ts_vec3 v) {
    float len2 = ts_v3_dot(v, v);
    if (!(len2 > 0.0f)) return ts_v3(0.0f, 0.0f, 0.0f);
    return ts_v3_scale(v, 1.0f / sqrtf(len2));
}

static inline ts_mat4 ts_mat4_identity(void) {
    ts_mat4 r = {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}};
    return r;
}

static inline ts_mat4 ts_mat4_mul(ts_mat4 a, ts_mat4 b) {
    ts_mat4 r;
    for (int c = 0; c < 4; c++)
        for (int row = 0; row < 4; row++) {
            float s = 0.0f;
            for (int k = 0; k < 4; k++) s += a.m[k * 4 + row] * b.m[c * 4 + k];
            r.m[c * 4 + row] = s;
        }
    return r;
}

static inline ts_vec4 ts_mat4_apply(const ts_mat4 *a, ts_vec4 v) {
    const float *m = a->m;
    ts_vec4 r = {
        m[0] * v.x + m[4] * v.y + m[8] * v.z + m[12] * v.w,
        m[1] * v.x + m[5] * v.y + m[9] * v.z + m[13] * v.w,
        m[2] * v.x + m[6] * v.y + m[10] * v.z + m[14] * v.w,
        m[3] * v.x + m[7] * v.y + m[11] * v.z + m[15] * v.w,
    };
    return r;
}

/* The upper 3x3 applied to a direction (w = 0). */
static inline ts_vec3 ts_mat4_apply_dir(const ts_mat4 *a, ts_vec3 v) {
    ts_vec4 r = ts_mat4_apply(a, (ts_vec4){v.x, v.y, v.z, 0.0f});
    return ts_v3(r.x, r.y, r.z);
}

static inline ts_mat4 ts_mat4_translate(float x, float y, float z) {
    ts_mat4 r = ts_mat4_identity();
    r.m[12] = x;
    r.m[13] = y;
    r.m[14] = z;
    return r;
}

static inline ts_mat4 ts_mat4_scale(float s) {
    ts_mat4 r = ts_mat4_identity();
    r.m[0] = r.m[5] = r.m[10] = s;
    return r;
}

/* Trigonometry for the matrices, in double and rounded once to float. The
 * float functions are not correctly rounded: glibc's tanf can differ by an
 * ulp from what the compiler computes when it folds a constant argument, so
 * an optimized and a debug build would set up slightly different cameras.
 * The double results are within an ulp of double, so their float rounding
 * is the same either way. */
static inline float ts_cos(float rad) { return (float)cos((double)rad); }
static inline float ts_sin(float rad) { return (float)sin((double)rad); }

/* Right-handed rotation about +X by `rad` (y turns toward +z). */
static inline ts_mat4 ts_mat4_rotate_x(float rad) {
    ts_mat4 r = ts_mat4_identity();
    float c = ts_cos(rad), s = ts_sin(rad);
    r.m[5] = c;
    r.m[6] = s;
    r.m[9] = -s;
    r.m[10] = c;
    return r;
}

/* Right-handed rotation about +Y by `rad` (+x turns toward -z). */
static inline ts_mat4 ts_mat4_rotate_y(float rad) {
    ts_mat4 r = ts_mat4_identity();
    float c = ts_cos(rad), s = ts_sin(rad);
    r.m[0] = c;
    r.m[2] = -s;
    r.m[8] = s;
    r.m[10] = c;
    return r;
}

/* gluPerspective: clip z in [-w, w], NDC depth -1 at near, +1 at far. */
static inline ts_mat4 ts_mat4_perspective(float fovy_rad, float aspect, float znear, float zfar) {
    ts_mat4 r = {{0}};
    float f = (float)(1.0 / tan((double)fovy_rad * 0.5));
    r.m[0] = f / aspect;
    r.m[5] = f;
    r.m[10] = (zfar + znear) / (znear - zfar);
    r.m[11] = -1.0f;
    r.m[14] = 2.0f * zfar * znear / (znear - zfar);
    return r;
}

/* gluLookAt. */
static inline ts_mat4 ts_mat4_look_at(ts_vec3 eye, ts_vec3 center, ts_vec3 up) {
    ts_vec3 f = ts_v3_normalize(ts_v3_sub(center, eye));
    ts_vec3 s = ts_v3_normalize(ts_v3_cross(f, up));
    ts_vec3 u = ts_v3_cross(s, f);
    ts_mat4 r = ts_mat4_identity();
    r.m[0] = s.x;
    r.m[4] = s.y;
    r.m[8] = s.z;
    r.m[1] = u.x;
    r.m[5] = u.y;
    r.m[9] = u.z;
    r.m[2] = -f.x;
    r.m[6] = -f.y;
    r.m[10] = -f.z;
    r.m[12] = -ts_v3_dot(s, eye);
    r.m[13] = -ts_v3_dot(u, eye);
    r.m[14] = ts_v3_dot(f, eye);
    return r;
}

#endif
