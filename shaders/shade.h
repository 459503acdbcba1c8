/* shade.h — the fragment programs' interface. A program is a plain C
 * function from one fragment's interpolated inputs and the draw's uniforms
 * to a linear RGBA color; it never sees the frame buffer. */
#ifndef TS_SHADE_H
#define TS_SHADE_H

#include "clip.h"
#include "texture.h"
#include "vecmath.h"

/* The programs, in the order of ts_shading in the public API. */
typedef enum ts_program {
    TS_PROGRAM_STUDIO,
    TS_PROGRAM_UNLIT,
    TS_PROGRAM_NORMALS,
    TS_PROGRAM_DEPTH,
    TS_PROGRAM_TEXTURED,
    TS_PROGRAM_COUNT
} ts_program;

/* Where each vertex output sits among the varyings a triangle carries
 * through clipping and interpolation (ts_clip_vert.var). */
enum {
    TS_VAR_WORLD = 0,  /* world position, 3 floats */
    TS_VAR_NORMAL = 3, /* world normal, 3 floats */
    TS_VAR_UV = 6,     /* texture coordinates, 2 floats */
    TS_VAR_COUNT = 8
};
_Static_assert(TS_VAR_COUNT <= TS_MAX_VARYINGS, "varyings fit the clipper");

/* Per-draw inputs, the same for every fragment of a mesh. */
typedef struct ts_uniforms {
    ts_vec3 eye;           /* camera position, world space */
    ts_vec3 light_dir;     /* unit vector toward the light, world space */
    ts_vec3 view_dir;      /* unit vector the camera looks along */
    float depth_near;      /* view distance shown white by the depth program */
    float depth_far;       /* view distance shown black */
    float base_color[4];   /* material color, linear RGBA */
    const ts_texture *texture; /* base-color texture, or NULL */
    bool wireframe;            /* edges over the shading (ts_shade_wireframe) */
} ts_uniforms;

/* Per-fragment inputs, perspective-correct. duv_dx/duv_dy are the
 * differences of uv across the fragment's 2x2 quad (right minus left along
 * the top row, bottom minus top along the left column). */
typedef struct ts_fragment {
    ts_vec3 world;
    ts_vec3 normal; /* interpolated, not normalized */
    float uv[2];
    float duv_dx[2], duv_dy[2];
    /* Perspective-correct barycentrics of the triangle's stored vertices 1
     * and 2, and their differences across the quad, as for uv. */
    float bary[2];
    float dbary_dx[2], dbary_dy[2];
} ts_fragment;

typedef void (*ts_shade_fn)(const ts_uniforms *u, const ts_fragment *f, float rgba[4]);

/* The programs; each file in shaders/ defines one and says its formula. */
void ts_shade_studio(const ts_uniforms *u, const ts_fragment *f, float rgba[4]);
void ts_shade_unlit(const ts_uniforms *u, const ts_fragment *f, float rgba[4]);
void ts_shade_normals(const ts_uniforms *u, const ts_fragment *f, float rgba[4]);
void ts_shade_depth(const ts_uniforms *u, const ts_fragment *f, float rgba[4]);
void ts_shade_textured(const ts_uniforms *u, const ts_fragment *f, float rgba[4]);

/* The wireframe overlay (shaders/wireframe.c), applied to a program's
 * color when ts_uniforms.wireframe is set. */
void ts_shade_wireframe(const ts_fragment *f, float rgba[4]);

/* The wireframe's line color, linear RGB: an orange that stands out from
 * the studio's grays. */
#define TS_WIRE_R 1.0f
#define TS_WIRE_G 0.55f
#define TS_WIRE_B 0.1f

/* Shared pieces. */

/* Base color times the texture sampled trilinearly (when there is one). */
void ts_shade_albedo(const ts_uniforms *u, const ts_fragment *f, float rgba[4]);

/* max(N.L, 0) and max(N.H, 0)^32 for the one-sided Blinn-Phong both lit
 * programs use: N normalized per pixel (zero when it has no length, never
 * flipped for back faces), V toward the eye, H = normalize(L + V). */
void ts_shade_blinn_phong_terms(const ts_uniforms *u, const ts_fragment *f, float *diffuse,
                                float *specular);

#endif
