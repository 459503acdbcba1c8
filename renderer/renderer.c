/* renderer.c — the renderer object: creation from its desc (defaults,
 * ISA and thread resolution), argument checks, and dispatch of each frame to
 * the reference or the tiled path. */
#define _POSIX_C_SOURCE 200809L
#include "cpus.h"
#include "renderer_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const shading_names[] = {
#define TS_X_NAME(name, text) text,
    TS_SHADING_LIST(TS_X_NAME)
#undef TS_X_NAME
};
_Static_assert(sizeof shading_names / sizeof shading_names[0] == TS_SHADING_COUNT,
               "one name per shading mode");

const char *ts_shading_name(ts_shading s) {
    return (unsigned)s < TS_SHADING_COUNT ? shading_names[s] : "unknown";
}

bool ts_shading_parse(const char *name, ts_shading *out) {
    for (int i = 0; name && out && i < TS_SHADING_COUNT; i++)
        if (strcmp(name, shading_names[i]) == 0) {
            *out = (ts_shading)i;
            return true;
        }
    return false;
}

/* The ISA a desc asks for, after TESSERA_ISA and CPUID. */
static ts_result resolve_isa(ts_isa want, ts_isa *out, ts_error *err) {
    if ((unsigned)want >= TS_ISA_COUNT)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "ISA %d does not exist", (int)want);
    if (want == TS_ISA_AUTO) {
        const char *env = getenv("TESSERA_ISA");
        if (env && *env && !ts_isa_parse(env, &want))
            return ts_error_set(err, TS_ERR_INVALID_ARG,
                                "TESSERA_ISA=%s: expected auto, scalar, sse4, avx2, avx512 or neon", env);
    }
    if (want == TS_ISA_AUTO) want = ts_isa_best();
    if (!ts_isa_supported(want))
        return ts_error_set(err, TS_ERR_UNSUPPORTED, "this CPU does not support the %s target (best: %s)",
                            ts_isa_name(want), ts_isa_name(ts_isa_best()));
    *out = want;
    return TS_OK;
}

/* The frame size checks ts_renderer_create and ts_renderer_resize share
 * (create has already replaced a zero side by its default). */
static ts_result check_size(int w, int h, ts_error *err) {
    if (w < 0 || h < 0)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "frame size %dx%d is negative", w, h);
    if (w == 0 || h == 0)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "frame size %dx%d is empty: each side must be 1 to %d", w,
                            h, TS_MAX_FRAME_DIM);
    if (w > TS_MAX_FRAME_DIM || h > TS_MAX_FRAME_DIM)
        return ts_error_set(err, TS_ERR_TOO_LARGE,
                            "frame size %dx%d exceeds the largest supported side, %d", w, h,
                            TS_MAX_FRAME_DIM);
    return TS_OK;
}

static uint64_t frame_bytes(const ts_renderer *r, int w, int h) {
    return ts_frame_bytes(r->ref != NULL, w, h, r->samples, r->keep_depth, r->post.backend != TS_POST_NONE);
}

uint64_t ts_renderer_frame_memory(const ts_renderer_desc *desc) {
    static const ts_renderer_desc zero;
    if (!desc) desc = &zero;
    int w = desc->width ? desc->width : 1920, h = desc->height ? desc->height : 1080;
    if (check_size(w, h, NULL) != TS_OK) return 0;
    return ts_frame_bytes(desc->reference, w, h, desc->msaa == TS_MAX_SAMPLES ? TS_MAX_SAMPLES : 1,
                          desc->keep_depth, desc->post.backend != TS_POST_NONE);
}

ts_result ts_renderer_create(const ts_renderer_desc *desc, ts_renderer **out, ts_error *err) {
    static const ts_renderer_desc zero;
    if (!desc) desc = &zero;
    if (!out) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_renderer_create: out is NULL");
    *out = NULL;
    int w = desc->width ? desc->width : 1920, h = desc->height ? desc->height : 1080;
    ts_result res = check_size(w, h, err);
    if (res != TS_OK) return res;
    if (desc->threads < 0 || desc->threads > TS_MAX_THREADS)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "%d threads: expected 0 (one per core) to %d",
                            desc->threads, TS_MAX_THREADS);
    if (desc->msaa != 0 && desc->msaa != 1 && desc->msaa != TS_MAX_SAMPLES)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "msaa %d: expected 1 (off) or %d", desc->msaa,
                            TS_MAX_SAMPLES);
    ts_isa isa = TS_ISA_SCALAR;
    res = resolve_isa(desc->isa, &isa, err);
    if (res != TS_OK) return res;
    ts_post_params post_params;
    res = ts_post_params_make(&desc->post, &post_params, err);
    if (res != TS_OK) return res;
    /* The frame-sized buffers are most of what a renderer allocates: a
     * size the machine cannot hold is refused here, before anything is. */
    ts_memory_budget memory;
    res = ts_memory_limit(desc->max_memory, &memory, err);
    if (res != TS_OK) return res;
    res = ts_memory_check(&memory, 0, ts_renderer_frame_memory(desc), w, h, err);
    if (res != TS_OK) return res;

    ts_renderer *r = calloc(1, sizeof *r);
    if (!r) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for the renderer");
    r->width = w;
    r->height = h;
    r->isa = isa;
    r->samples = desc->msaa == TS_MAX_SAMPLES ? TS_MAX_SAMPLES : 1;
    r->keep_depth = desc->keep_depth;
    r->on_frame = desc->on_frame;
    r->on_frame_user = desc->on_frame_user;
    r->present = desc->present;
    r->post = desc->post;
    r->post_params = post_params;
    r->memory = memory;
    r->threads = desc->threads ? desc->threads : ts_default_threads();
    if (desc->reference) {
        r->threads = 1;
        res = ts_ref_create(r, err);
    } else {
        res = ts_tiled_create(r, err);
    }
    if (res != TS_OK) {
        ts_renderer_destroy(r);
        return res;
    }
    *out = r;
    return TS_OK;
}

/* The message for a call that must wait for the render thread, made on
 * it. */
static ts_result refuse_on_render_thread(const char *fn, ts_error *err) {
    return ts_error_set(err, TS_ERR_INVALID_ARG,
                        "%s: called on the renderer's own render thread (from on_frame or a present callback), "
                        "where it would wait for itself",
                        fn);
}

void ts_renderer_destroy(ts_renderer *r) {
    if (!r || ts_on_render_thread(r)) return;
    ts_ref_destroy(r->ref);
    ts_tiled_destroy(r->tiled);
    free(r->uniforms);
    free(r);
}

ts_post_backend ts_renderer_post(const ts_renderer *r, const char **fallback_reason) {
    if (fallback_reason) *fallback_reason = r ? r->post_note : "";
    return r ? r->post_active : TS_POST_NONE;
}

void ts_renderer_size(const ts_renderer *r, int *width, int *height) {
    if (width) *width = r ? r->width : 0;
    if (height) *height = r ? r->height : 0;
}

ts_result ts_renderer_resize(ts_renderer *r, int width, int height, ts_error *err) {
    if (!r) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_renderer_resize: NULL renderer");
    if (ts_on_render_thread(r)) return refuse_on_render_thread("ts_renderer_resize", err);
    ts_result res = check_size(width, height, err);
    if (res != TS_OK) return res;
    if (width == r->width && height == r->height) return TS_OK;
    /* The new buffers are allocated while the old ones are still held (all
     * or nothing): both must fit. */
    res = ts_memory_check(&r->memory, frame_bytes(r, r->width, r->height), frame_bytes(r, width, height), width,
                          height, err);
    if (res != TS_OK) return res;
    /* Each path first waits until every frame drawn so far has been handed
     * over, then swaps its buffers for new ones, or keeps the old ones when
     * one allocation fails. */
    res = r->ref ? ts_ref_resize(r, width, height, err) : ts_tiled_resize(r, width, height, err);
    if (res != TS_OK) return res;
    r->width = width;
    r->height = height;
    return TS_OK;
}

int ts_default_threads(void) {
    uint32_t n = ts_cpus_usable();
    return n < TS_MAX_THREADS ? (int)n : TS_MAX_THREADS;
}

ts_isa ts_renderer_isa(const ts_renderer *r) { return r->isa; }
int ts_renderer_threads(const ts_renderer *r) { return r->threads; }
int ts_renderer_msaa(const ts_renderer *r) { return r->samples; }

ts_result ts_renderer_draw(ts_renderer *r, const ts_model *m, const ts_view_desc *view, ts_error *err) {
    static const ts_view_desc zero_view;
    if (!r || !m) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_renderer_draw: NULL renderer or model");
    if (ts_on_render_thread(r)) return refuse_on_render_thread("ts_renderer_draw", err);
    if (!view) view = &zero_view;
    if ((unsigned)view->shading >= TS_SHADING_COUNT)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "shading mode %d does not exist", (int)view->shading);
    if (!isfinite(view->yaw_deg) || !isfinite(view->pitch_deg))
        return ts_error_set(err, TS_ERR_INVALID_ARG, "yaw and pitch must be finite");
    if (view->zoom != 0.0f && !(view->zoom >= TS_MIN_ZOOM && view->zoom <= TS_MAX_ZOOM))
        return ts_error_set(err, TS_ERR_INVALID_ARG, "zoom %g: expected 0 (the default, 1) or %g to %g",
                            (double)view->zoom, (double)TS_MIN_ZOOM, (double)TS_MAX_ZOOM);
    if (!(fabsf(view->pan_x) <= TS_MAX_PAN && fabsf(view->pan_y) <= TS_MAX_PAN))
        return ts_error_set(err, TS_ERR_INVALID_ARG, "pan (%g, %g): expected each from %g to %g",
                            (double)view->pan_x, (double)view->pan_y, (double)-TS_MAX_PAN, (double)TS_MAX_PAN);
    /* The model is outside input too: a hand-built one with a stray index
     * would make the vertex loop read out of bounds. The reference checks
     * it all here; the fast path checks the vertices and indices on its
     * workers as it reads them, rather than in a pass over them all on this
     * thread while the workers wait (unless an index lies outside every
     * mesh, where they never read it). */
    ts_result res = r->ref ? ts_model_validate(m, "model", err) : ts_model_check_structure(m, "model", err);
    if (res == TS_OK && !r->ref && !ts_model_meshes_cover_indices(m)) res = ts_model_validate(m, "model", err);
    if (res != TS_OK) return res;

    if (m->mesh_count > r->uniforms_cap) {
        /* The previous frame may still be handed over, but its raster phase
         * (the only reader of uniforms) has ended: safe to move them. */
        ts_uniforms *u = realloc(r->uniforms, (size_t)m->mesh_count * sizeof *u);
        if (!u) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for %u meshes", m->mesh_count);
        r->uniforms = u;
        r->uniforms_cap = m->mesh_count;
    }
    ts_frame_input in;
    ts_frame_input_init(&in, m, view, r->width, r->height, r->uniforms);
    /* The studio camera scales the model to a unit sphere: a model whose
     * size is near float's smallest (1e-38) needs a scale past its
     * largest, and every vertex would come out NaN. (So does a non-finite
     * vertex, which the whole check names.) */
    bool framed = true;
    for (int i = 0; i < 16; i++) framed = framed && isfinite(in.studio.model[i]);
    if (!framed) {
        res = ts_model_validate(m, "model", err);
        if (res != TS_OK) return res;
        return ts_error_set(err, TS_ERR_BAD_MODEL,
                            "model: too small to frame (its vertices are all within about 1e-38 of its center)");
    }
    return r->ref ? ts_ref_draw(r, &in, err) : ts_tiled_draw(r, &in, err);
}

void ts_renderer_finish(ts_renderer *r) {
    if (r && r->tiled && !ts_on_render_thread(r)) ts_tiled_finish(r);
}

void ts_renderer_stats(ts_renderer *r, ts_frame_stats *out) {
    if (!out) return;
    if (!r || ts_on_render_thread(r)) {
        *out = (ts_frame_stats){0};
        return;
    }
    ts_renderer_finish(r);
    *out = r->stats;
}

/* Both wait for the last frame, which the render thread completes only
 * after its callbacks return: there, they give NULL (the callbacks are
 * handed the frame's pixels and depth). */
const uint8_t *ts_renderer_pixels(ts_renderer *r) {
    if (!r || ts_on_render_thread(r)) return NULL;
    return r->ref ? ts_ref_pixels(r) : ts_tiled_pixels(r);
}

const float *ts_renderer_depth(ts_renderer *r) {
    if (!r || !r->keep_depth || ts_on_render_thread(r)) return NULL;
    return r->ref ? ts_ref_depth(r) : ts_tiled_depth(r);
}
