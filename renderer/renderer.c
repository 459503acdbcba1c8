/* renderer.c — the renderer object and the reference frame pipeline:
 * vertex transform, clipping, setup, reference rasterization, depth test,
 * shading and blending, one triangle at a time in draw order on the calling
 * thread. It is kept as the oracle for the fast paths. */
#include "error.h"
#include "tessera.h"

#include "clip.h"
#include "rast_ref.h"
#include "setup.h"
#include "shade.h"
#include "vecmath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ts_renderer {
    int width, height;
    float *color;    /* linear RGBA, width*height*4, top row first */
    float *depth;    /* window depth, cleared to 1 */
    uint8_t *pixels; /* 8-bit output, filled lazily by ts_renderer_pixels */
    bool pixels_valid;
    ts_clip_vert *xformed; /* per-vertex scratch, grown as models need */
    size_t xformed_cap;
};

/* ---- names ------------------------------------------------------------- */

static const char *const shading_names[] = {
#define TS_X_NAME(name, text) text,
    TS_SHADING_LIST(TS_X_NAME)
#undef TS_X_NAME
};
_Static_assert(sizeof shading_names / sizeof shading_names[0] == TS_SHADING_COUNT,
               "one name per shading mode");

static const ts_shade_fn shading_programs[] = {
    [TS_SHADING_STUDIO] = ts_shade_studio,     [TS_SHADING_UNLIT] = ts_shade_unlit,
    [TS_SHADING_NORMALS] = ts_shade_normals,   [TS_SHADING_DEPTH] = ts_shade_depth,
    [TS_SHADING_TEXTURED] = ts_shade_textured,
};
_Static_assert(sizeof shading_programs / sizeof shading_programs[0] == TS_SHADING_COUNT,
               "one program per shading mode");

const char *ts_shading_name(ts_shading s) {
    return (unsigned)s < TS_SHADING_COUNT ? shading_names[s] : "unknown";
}

bool ts_shading_parse(const char *name, ts_shading *out) {
    for (int i = 0; i < TS_SHADING_COUNT; i++)
        if (strcmp(name, shading_names[i]) == 0) {
            *out = (ts_shading)i;
            return true;
        }
    return false;
}

/* ---- lifetime ---------------------------------------------------------- */

ts_result ts_renderer_create(const ts_renderer_desc *desc, ts_renderer **out, ts_error *err) {
    static const ts_renderer_desc zero;
    if (!desc) desc = &zero;
    if (!out) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_renderer_create: out is NULL");
    *out = NULL;
    int w = desc->width ? desc->width : 1920, h = desc->height ? desc->height : 1080;
    if (w < 0 || h < 0)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "frame size %dx%d is negative", w, h);
    if (w > TS_MAX_FRAME_DIM || h > TS_MAX_FRAME_DIM)
        return ts_error_set(err, TS_ERR_TOO_LARGE,
                            "frame size %dx%d exceeds the largest supported side, %d", w, h,
                            TS_MAX_FRAME_DIM);

    ts_renderer *r = calloc(1, sizeof *r);
    if (!r) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for the renderer");
    size_t n = (size_t)w * (size_t)h;
    r->width = w;
    r->height = h;
    r->color = malloc(n * 4 * sizeof *r->color);
    r->depth = malloc(n * sizeof *r->depth);
    r->pixels = malloc(n * 4);
    if (!r->color || !r->depth || !r->pixels) {
        ts_renderer_destroy(r);
        return ts_error_set(err, TS_ERR_OUT_OF_MEMORY,
                            "out of memory for a %dx%d frame (%zu MiB)", w, h,
                            n * 24 / (1024 * 1024));
    }
    *out = r;
    return TS_OK;
}

void ts_renderer_destroy(ts_renderer *r) {
    if (!r) return;
    free(r->color);
    free(r->depth);
    free(r->pixels);
    free(r->xformed);
    free(r);
}

void ts_renderer_size(const ts_renderer *r, int *width, int *height) {
    *width = r->width;
    *height = r->height;
}

/* ---- the frame --------------------------------------------------------- */

/* Varying layout in ts_clip_vert.var. */
enum { VAR_WORLD = 0, VAR_NORMAL = 3, VAR_UV = 6, VAR_COUNT = 8 };
_Static_assert(VAR_COUNT <= TS_MAX_VARYINGS, "varyings fit the clipper");

typedef struct draw_state {
    ts_renderer *r;
    const ts_clip_vert *tri; /* the (clipped) triangle being rasterized */
    ts_uniforms uniforms;
    ts_shade_fn shade;
} draw_state;

/* Interpolates varying k at quad pixel i with perspective-correct
 * barycentrics; tri->order maps stored vertices back to `v`. */
static float varying(const ts_tri_setup *tri, const ts_clip_vert *v, const ts_quad *q, int i,
                     int k) {
    float a0 = v[tri->order[0]].var[k], a1 = v[tri->order[1]].var[k], a2 = v[tri->order[2]].var[k];
    return a0 + q->b1[i] * (a1 - a0) + q->b2[i] * (a2 - a0);
}

static void shade_quad(void *user, const ts_tri_setup *tri, const ts_quad *q) {
    draw_state *s = user;
    ts_renderer *r = s->r;
    float uv[4][2];
    for (int i = 0; i < 4; i++) {
        uv[i][0] = varying(tri, s->tri, q, i, VAR_UV);
        uv[i][1] = varying(tri, s->tri, q, i, VAR_UV + 1);
    }
    for (int i = 0; i < 4; i++) {
        if (!(q->mask & (1u << i))) continue;
        size_t p = (size_t)(q->y + (i >> 1)) * (size_t)r->width + (size_t)(q->x + (i & 1));
        /* Depth test LESS: on an exact tie the earlier triangle stays. */
        if (!(q->z[i] < r->depth[p])) continue;

        ts_fragment f;
        f.world = ts_v3(varying(tri, s->tri, q, i, VAR_WORLD), varying(tri, s->tri, q, i, VAR_WORLD + 1),
                        varying(tri, s->tri, q, i, VAR_WORLD + 2));
        f.normal = ts_v3(varying(tri, s->tri, q, i, VAR_NORMAL),
                         varying(tri, s->tri, q, i, VAR_NORMAL + 1),
                         varying(tri, s->tri, q, i, VAR_NORMAL + 2));
        f.uv[0] = uv[i][0];
        f.uv[1] = uv[i][1];
        for (int c = 0; c < 2; c++) {
            f.duv_dx[c] = uv[1][c] - uv[0][c];
            f.duv_dy[c] = uv[2][c] - uv[0][c];
        }
        float src[4];
        s->shade(&s->uniforms, &f, src);

        /* Source-over: out = src * a + dst * (1 - a), alpha alike. */
        float *dst = &r->color[p * 4];
        float a = src[3];
        if (a >= 1.0f) {
            memcpy(dst, src, sizeof src);
        } else {
            for (int c = 0; c < 4; c++) dst[c] = src[c] * a + dst[c] * (1.0f - a);
        }
        r->depth[p] = q->z[i];
    }
}

static void draw_triangle(draw_state *s, const ts_clip_vert in[3], ts_clip_band band, ts_cull cull) {
    ts_renderer *r = s->r;
    ts_clip_vert poly[TS_CLIP_MAX_VERTS];
    int n = ts_clip_triangle(in, VAR_COUNT, band, poly);
    ts_screen_vert sv[TS_CLIP_MAX_VERTS];
    for (int i = 0; i < n; i++) {
        float iw = 1.0f / poly[i].pos[3];
        float z = poly[i].pos[2] * iw * 0.5f + 0.5f;
        sv[i].x = (poly[i].pos[0] * iw + 1.0f) * 0.5f * (float)r->width;
        sv[i].y = (1.0f - poly[i].pos[1] * iw) * 0.5f * (float)r->height;
        sv[i].z = z < 0.0f ? 0.0f : (z > 1.0f ? 1.0f : z);
        sv[i].inv_w = iw;
    }
    /* Fan from vertex 0: the pieces keep the input's winding. */
    for (int i = 1; i + 1 < n; i++) {
        ts_screen_vert tv[3] = {sv[0], sv[i], sv[i + 1]};
        ts_clip_vert tc[3] = {poly[0], poly[i], poly[i + 1]};
        ts_tri_setup setup;
        if (!ts_setup_triangle(tv, r->width, r->height, cull, &setup)) continue;
        s->tri = tc;
        ts_rast_ref_triangle(&setup, r->width, r->height, shade_quad, s);
    }
}

ts_result ts_renderer_draw(ts_renderer *r, const ts_model *m, const ts_view_desc *view,
                           ts_error *err) {
    static const ts_view_desc zero_view;
    if (!r || !m) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_renderer_draw: NULL renderer or model");
    if (!view) view = &zero_view;
    if ((unsigned)view->shading >= TS_SHADING_COUNT)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "shading mode %d does not exist", (int)view->shading);
    if (!isfinite(view->yaw_deg) || !isfinite(view->pitch_deg))
        return ts_error_set(err, TS_ERR_INVALID_ARG, "yaw and pitch must be finite");
    /* The model is outside input too: a hand-built one with a stray index
     * would make the vertex loop read out of bounds. One linear pass, small
     * next to rasterizing. */
    ts_result valid = ts_model_validate(m, "model", err);
    if (valid != TS_OK) return valid;

    if (m->vertex_count > r->xformed_cap) {
        ts_clip_vert *p = realloc(r->xformed, (size_t)m->vertex_count * sizeof *p);
        if (!p)
            return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory transforming %u vertices",
                                m->vertex_count);
        r->xformed = p;
        r->xformed_cap = m->vertex_count;
    }

    /* Clear: black, opaque; depth at the far plane. */
    size_t n = (size_t)r->width * (size_t)r->height;
    for (size_t i = 0; i < n; i++) {
        r->color[i * 4 + 0] = r->color[i * 4 + 1] = r->color[i * 4 + 2] = 0.0f;
        r->color[i * 4 + 3] = 1.0f;
        r->depth[i] = 1.0f;
    }
    r->pixels_valid = false;

    /* Camera and vertex stage: every vertex once (the whole buffer is the
     * post-transform cache). */
    ts_studio studio;
    ts_studio_setup(m, view, r->width, r->height, &studio);
    ts_mat4 model, vp;
    memcpy(model.m, studio.model, sizeof model.m);
    memcpy(vp.m, studio.view_proj, sizeof vp.m);
    for (uint32_t i = 0; i < m->vertex_count; i++) {
        const ts_vertex *v = &m->vertices[i];
        ts_vec4 w = ts_mat4_apply(&model, (ts_vec4){v->pos[0], v->pos[1], v->pos[2], 1.0f});
        ts_vec4 c = ts_mat4_apply(&vp, w);
        /* Uniform scale and rotation: the model matrix itself maps normals. */
        ts_vec3 nrm = ts_mat4_apply_dir(&model, ts_v3(v->normal[0], v->normal[1], v->normal[2]));
        ts_clip_vert *o = &r->xformed[i];
        o->pos[0] = c.x;
        o->pos[1] = c.y;
        o->pos[2] = c.z;
        o->pos[3] = c.w;
        o->var[VAR_WORLD + 0] = w.x;
        o->var[VAR_WORLD + 1] = w.y;
        o->var[VAR_WORLD + 2] = w.z;
        o->var[VAR_NORMAL + 0] = nrm.x;
        o->var[VAR_NORMAL + 1] = nrm.y;
        o->var[VAR_NORMAL + 2] = nrm.z;
        o->var[VAR_UV + 0] = v->uv[0];
        o->var[VAR_UV + 1] = v->uv[1];
    }

    draw_state s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.shade = shading_programs[view->shading];
    s.uniforms.eye = ts_v3(studio.eye[0], studio.eye[1], studio.eye[2]);
    s.uniforms.light_dir = ts_v3(studio.light_dir[0], studio.light_dir[1], studio.light_dir[2]);
    s.uniforms.view_dir = ts_v3(studio.view_dir[0], studio.view_dir[1], studio.view_dir[2]);
    s.uniforms.depth_near = studio.depth_near;
    s.uniforms.depth_far = studio.depth_far;
    ts_clip_band band = ts_clip_guard_band(r->width, r->height);
    ts_cull cull = view->cull_back ? TS_CULL_BACK : TS_CULL_NONE;

    for (uint32_t mi = 0; mi < m->mesh_count; mi++) {
        const ts_mesh *mesh = &m->meshes[mi];
        const ts_material *mat = &m->materials[mesh->material];
        memcpy(s.uniforms.base_color, mat->base_color, sizeof mat->base_color);
        s.uniforms.texture = mat->texture >= 0 ? &m->textures[mat->texture] : NULL;
        for (uint32_t k = 0; k < mesh->index_count; k += 3) {
            const uint32_t *idx = &m->indices[mesh->first_index + k];
            ts_clip_vert tri[3] = {r->xformed[idx[0]], r->xformed[idx[1]], r->xformed[idx[2]]};
            draw_triangle(&s, tri, band, cull);
        }
    }
    return TS_OK;
}

const uint8_t *ts_renderer_pixels(ts_renderer *r) {
    if (!r->pixels_valid) {
        size_t n = (size_t)r->width * (size_t)r->height * 4;
        for (size_t i = 0; i < n; i++) {
            float v = r->color[i];
            v = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; /* NaN -> 0 */
            r->pixels[i] = (uint8_t)(v * 255.0f + 0.5f);
        }
        r->pixels_valid = true;
    }
    return r->pixels;
}
