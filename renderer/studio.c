/* studio.c — the studio camera: how a model is placed in front of the
 * camera, and where camera and light are. Defined in the README so that any
 * OpenGL program can reproduce a frame exactly. */
#include "tessera.h"

#include "vecmath.h"

#include <math.h>
#include <string.h>

/* Center the bounding box on the origin, scale the farthest vertex to
 * distance 1, rotate by pitch about X, then by yaw about Y. Sums in double
 * so large coordinates do not lose the center. */
static ts_mat4 model_matrix(const ts_model *m, const ts_view_desc *view) {
    double lo[3] = {HUGE_VAL, HUGE_VAL, HUGE_VAL}, hi[3] = {-HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    for (uint32_t i = 0; i < m->vertex_count; i++)
        for (int k = 0; k < 3; k++) {
            double p = (double)m->vertices[i].pos[k];
            if (p < lo[k]) lo[k] = p;
            if (p > hi[k]) hi[k] = p;
        }
    double c[3], r2 = 0.0;
    for (int k = 0; k < 3; k++) c[k] = m->vertex_count ? 0.5 * (lo[k] + hi[k]) : 0.0;
    for (uint32_t i = 0; i < m->vertex_count; i++) {
        double d2 = 0.0;
        for (int k = 0; k < 3; k++) {
            double d = (double)m->vertices[i].pos[k] - c[k];
            d2 += d * d;
        }
        if (d2 > r2) r2 = d2;
    }
    double radius = r2 > 0.0 ? sqrt(r2) : 1.0;
    float deg = (float)(TS_PI / 180.0);
    ts_mat4 t = ts_mat4_translate((float)-c[0], (float)-c[1], (float)-c[2]);
    ts_mat4 s = ts_mat4_scale((float)(1.0 / radius));
    ts_mat4 rx = ts_mat4_rotate_x(view->pitch_deg * deg);
    ts_mat4 ry = ts_mat4_rotate_y(view->yaw_deg * deg);
    return ts_mat4_mul(ry, ts_mat4_mul(rx, ts_mat4_mul(s, t)));
}

void ts_studio_setup(const ts_model *m, const ts_view_desc *view, int width, int height,
                     ts_studio *out) {
    static const ts_view_desc zero;
    if (!m || !out) return;
    if (!view) view = &zero;
    float aspect = width > 0 && height > 0 ? (float)width / (float)height : 1.0f;
    const ts_vec3 eye = ts_v3(0.0f, 0.0f, 2.5f);
    ts_mat4 model = model_matrix(m, view);
    ts_mat4 look = ts_mat4_look_at(eye, ts_v3(0, 0, 0), ts_v3(0, 1, 0));
    ts_mat4 proj = ts_mat4_perspective((float)(60.0 * TS_PI / 180.0), aspect, 0.1f, 100.0f);
    /* Zoom narrows the field of view: the projection's scale, multiplied
     * (exactly 1 by default, so the default view is unchanged bit for bit). */
    float zoom = view->zoom > 0.0f ? view->zoom : 1.0f;
    proj.m[0] *= zoom;
    proj.m[5] *= zoom;
    /* Pan shifts clip x and y by pan * w: the third column's x and y, as
     * clip w is -z_view (exactly 0 by default: unchanged bit for bit). */
    proj.m[8] -= view->pan_x;
    proj.m[9] -= view->pan_y;
    ts_mat4 vp = ts_mat4_mul(proj, look);
    ts_vec3 light = ts_v3_normalize(ts_v3(1.0f, 1.0f, 1.0f));
    memcpy(out->model, model.m, sizeof out->model);
    memcpy(out->view_proj, vp.m, sizeof out->view_proj);
    out->eye[0] = eye.x;
    out->eye[1] = eye.y;
    out->eye[2] = eye.z;
    out->view_dir[0] = 0.0f;
    out->view_dir[1] = 0.0f;
    out->view_dir[2] = -1.0f;
    out->light_dir[0] = light.x;
    out->light_dir[1] = light.y;
    out->light_dir[2] = light.z;
    /* The model fills the unit sphere, 2.5 -+ 1 from the eye. */
    out->depth_near = 1.5f;
    out->depth_far = 3.5f;
}
