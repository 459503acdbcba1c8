/* frame.c — the parts of a frame both pipelines share: resolving the view,
 * the vertex stage, clipping to the screen, and the program table. Pure
 * functions, called from any thread. */
#define _POSIX_C_SOURCE 200809L
#include "renderer_internal.h"

#include "vecmath.h"

#include <string.h>
#include <time.h>

uint64_t ts_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const ts_shade_fn programs[] = {
    [TS_PROGRAM_STUDIO] = ts_shade_studio,     [TS_PROGRAM_UNLIT] = ts_shade_unlit,
    [TS_PROGRAM_NORMALS] = ts_shade_normals,   [TS_PROGRAM_DEPTH] = ts_shade_depth,
    [TS_PROGRAM_TEXTURED] = ts_shade_textured,
};
_Static_assert(sizeof programs / sizeof programs[0] == TS_PROGRAM_COUNT, "one program each");
/* The public shading modes are the programs, in the same order. */
_Static_assert((int)TS_SHADING_STUDIO == (int)TS_PROGRAM_STUDIO &&
                   (int)TS_SHADING_UNLIT == (int)TS_PROGRAM_UNLIT &&
                   (int)TS_SHADING_NORMALS == (int)TS_PROGRAM_NORMALS &&
                   (int)TS_SHADING_DEPTH == (int)TS_PROGRAM_DEPTH &&
                   (int)TS_SHADING_TEXTURED == (int)TS_PROGRAM_TEXTURED &&
                   (int)TS_SHADING_COUNT == (int)TS_PROGRAM_COUNT,
               "ts_shading and ts_program agree");

ts_shade_fn ts_frame_program(ts_program p) { return programs[p]; }

void ts_frame_input_init(ts_frame_input *in, const ts_model *m, const ts_view_desc *view, int width,
                         int height, ts_uniforms *uniforms) {
    in->model = m;
    ts_studio_setup(m, view, width, height, &in->studio);
    in->program = (ts_program)view->shading;
    in->cull = view->cull_back ? TS_CULL_BACK : TS_CULL_NONE;
    in->band = ts_clip_guard_band(width, height);
    in->uniforms = uniforms;
    const ts_studio *st = &in->studio;
    for (uint32_t i = 0; i < m->mesh_count; i++) {
        const ts_material *mat = &m->materials[m->meshes[i].material];
        ts_uniforms *u = &uniforms[i];
        u->eye = ts_v3(st->eye[0], st->eye[1], st->eye[2]);
        u->light_dir = ts_v3(st->light_dir[0], st->light_dir[1], st->light_dir[2]);
        u->view_dir = ts_v3(st->view_dir[0], st->view_dir[1], st->view_dir[2]);
        u->depth_near = st->depth_near;
        u->depth_far = st->depth_far;
        memcpy(u->base_color, mat->base_color, sizeof u->base_color);
        u->texture = mat->texture >= 0 ? &m->textures[mat->texture] : NULL;
        u->wireframe = view->wireframe;
    }
}

void ts_frame_transform(const ts_frame_input *in, uint32_t first, uint32_t count, ts_clip_vert *out) {
    ts_mat4 model, vp;
    memcpy(model.m, in->studio.model, sizeof model.m);
    memcpy(vp.m, in->studio.view_proj, sizeof vp.m);
    for (uint32_t i = first; i < first + count; i++) {
        const ts_vertex *v = &in->model->vertices[i];
        ts_vec4 w = ts_mat4_apply(&model, (ts_vec4){v->pos[0], v->pos[1], v->pos[2], 1.0f});
        ts_vec4 c = ts_mat4_apply(&vp, w);
        /* Uniform scale and rotation: the model matrix itself maps normals. */
        ts_vec3 n = ts_mat4_apply_dir(&model, ts_v3(v->normal[0], v->normal[1], v->normal[2]));
        ts_clip_vert *o = &out[i];
        o->pos[0] = c.x;
        o->pos[1] = c.y;
        o->pos[2] = c.z;
        o->pos[3] = c.w;
        o->var[TS_VAR_WORLD + 0] = w.x;
        o->var[TS_VAR_WORLD + 1] = w.y;
        o->var[TS_VAR_WORLD + 2] = w.z;
        o->var[TS_VAR_NORMAL + 0] = n.x;
        o->var[TS_VAR_NORMAL + 1] = n.y;
        o->var[TS_VAR_NORMAL + 2] = n.z;
        o->var[TS_VAR_UV + 0] = v->uv[0];
        o->var[TS_VAR_UV + 1] = v->uv[1];
    }
}

void ts_frame_to_screen(const ts_clip_vert *v, int width, int height, ts_screen_vert *out) {
    float iw = 1.0f / v->pos[3];
    float z = v->pos[2] * iw * 0.5f + 0.5f;
    out->x = (v->pos[0] * iw + 1.0f) * 0.5f * (float)width;
    out->y = (1.0f - v->pos[1] * iw) * 0.5f * (float)height;
    out->z = z < 0.0f ? 0.0f : (z > 1.0f ? 1.0f : z);
    out->inv_w = iw;
}

int ts_frame_clip_to_screen(const ts_frame_input *in, const ts_clip_vert tri[3], int width, int height,
                            ts_clip_vert poly[TS_CLIP_MAX_VERTS], ts_screen_vert screen[TS_CLIP_MAX_VERTS]) {
    int n = ts_clip_triangle(tri, TS_VAR_COUNT, in->band, poly);
    for (int i = 0; i < n; i++) ts_frame_to_screen(&poly[i], width, height, &screen[i]);
    return n;
}
