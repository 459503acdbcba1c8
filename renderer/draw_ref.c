/* draw_ref.c — the reference frame: every triangle in draw order through
 * the clipper, setup and the reference rasterizer (raster/rast_ref.c), then
 * per pixel the depth test, the scalar shading program and blending, on the
 * calling thread. Kept as the oracle the fast path is tested against.
 *
 * The render thread: when the renderer has present callbacks or on_frame,
 * each finished frame is handed to a thread of its own, which runs them as
 * the tiled path's consumer does (every tile, then the frame), so a
 * presenter sees one contract whichever path draws; ts_ref_draw waits for
 * it, so the frame buffer is never written while they read it. */
#define _POSIX_C_SOURCE 200809L
#include "renderer_internal.h"

#include "rast_ref.h"
#include "tile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The frame-sized buffers, as one set so that a resize can make a new set
 * before it lets the old one go. */
typedef struct ref_buffers {
    float *color;          /* linear RGBA per sample: ((y * width + x) * samples + s) * 4 */
    float *depth;          /* window depth per sample, cleared to 1 */
    float *resolved_depth; /* multisampled: per pixel, the nearest sample */
    uint8_t *pixels;       /* resolved 8-bit output, filled lazily */
    float *hdr;            /* post-processing: each pixel's resolved linear color, RGBA */
} ref_buffers;

struct ts_ref_state {
    int samples; /* per pixel */
    ref_buffers buf;
    bool pixels_valid;
    ts_clip_vert *xformed; /* per-vertex scratch, grown as models need */
    size_t xformed_cap;

    /* The render thread, when there is one. The drawing thread posts a
     * frame (posted = true) and waits until the render thread clears
     * `posted`; both under `lock`, which orders the frame's pixels before
     * the callbacks and what they did before the draw returns. */
    const ts_renderer *r;
    pthread_t thread;
    bool thread_started;
    ts_render_start start;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool posted, quit;
    uint32_t frame;      /* the posted frame's number */
    int width, height;   /* and its size (ts_ref_resize changes it between frames) */
    uint64_t present_ns; /* spent in the callbacks on the posted frame */
    uint64_t post_ns;    /* and in the post-processing chain */
    ts_post_timing post_timing; /* the backend's own figures for it */
};

/* The render thread: `begin`, then each posted frame's tiles (rows of
 * TS_TILE-square tiles, top row first) and the frame, then `end`. */
static void *render_main(void *arg) {
    ts_ref_state *s = arg;
    const ts_renderer *r = s->r;
    if (!ts_render_thread_begin(r, &s->start)) return NULL;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->posted && !s->quit) pthread_cond_wait(&s->cond, &s->lock);
        if (!s->posted) break;
        uint32_t frame = s->frame;
        const int width = s->width, height = s->height;
        const size_t stride = (size_t)width * 4;
        pthread_mutex_unlock(&s->lock);

        /* The drawing thread resolved the frame before posting it and waits
         * until `posted` is cleared: nobody writes it meanwhile. With
         * post-processing the chain writes the frame's pixels from its HDR
         * color first. */
        uint64_t spent = 0;
        if (s->buf.hdr) {
            for (int y = 0; y < height; y += TS_TILE)
                for (int x = 0; x < width; x += TS_TILE)
                    ts_render_post_tile(&s->start, s->buf.hdr + ((size_t)y * (size_t)width + (size_t)x) * 4,
                                        (size_t)width * 4, x, y, width - x < TS_TILE ? width - x : TS_TILE,
                                        height - y < TS_TILE ? height - y : TS_TILE);
            s->post_ns = ts_render_post_frame(r, &s->start, width, height, s->buf.hdr, s->buf.pixels,
                                              &s->post_timing);
        }
        const float *depth = r->keep_depth ? (s->samples > 1 ? s->buf.resolved_depth : s->buf.depth) : NULL;
        ts_present_frame pf = {.frame = frame, .rgba = s->buf.pixels, .depth = depth, .width = width,
                               .height = height, .stride = stride,
                               .tiles = (uint32_t)(((width + TS_TILE - 1) / TS_TILE) * ((height + TS_TILE - 1) / TS_TILE))};
        spent += ts_render_complete_frame(r, &s->start, &pf);

        pthread_mutex_lock(&s->lock);
        s->present_ns = spent;
        s->posted = false;
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    ts_render_thread_end(r, &s->start);
    return NULL;
}

static void buffers_free(ref_buffers *b) {
    free(b->color);
    free(b->depth);
    free(b->pixels);
    free(b->resolved_depth);
    free(b->hdr);
}

/* A cleared frame of w x h (as a draw's clear leaves it, resolved); false
 * when out of memory, with nothing left allocated. */
static bool buffers_alloc(ref_buffers *b, int w, int h, int samples, bool hdr) {
    size_t n = (size_t)w * (size_t)h, ns = n * (size_t)samples;
    b->hdr = hdr ? malloc(n * 4 * sizeof *b->hdr) : NULL;
    b->color = malloc(ns * 4 * sizeof *b->color);
    b->depth = malloc(ns * sizeof *b->depth);
    b->pixels = malloc(n * 4);
    b->resolved_depth = samples > 1 ? malloc(n * sizeof *b->resolved_depth) : NULL;
    if (!b->color || !b->depth || !b->pixels || (samples > 1 && !b->resolved_depth) || (hdr && !b->hdr)) {
        buffers_free(b);
        return false;
    }
    for (size_t i = 0; i < ns; i++) {
        b->color[i * 4 + 0] = b->color[i * 4 + 1] = b->color[i * 4 + 2] = 0.0f;
        b->color[i * 4 + 3] = 1.0f;
        b->depth[i] = 1.0f;
    }
    for (size_t p = 0; p < n; p++) {
        memcpy(&b->pixels[p * 4], (const uint8_t[4]){0, 0, 0, 255}, 4);
        if (b->resolved_depth) b->resolved_depth[p] = 1.0f;
    }
    return true;
}

static ts_result buffers_oom(ts_error *err, int w, int h, int samples, const char *what) {
    size_t n = (size_t)w * (size_t)h, ns = n * (size_t)samples;
    return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for a %dx%d frame (%zu MiB)%s", w, h,
                        (ns * 20 + n * 8) / (1024 * 1024), what);
}

ts_result ts_ref_create(ts_renderer *r, ts_error *err) {
    ts_ref_state *s = calloc(1, sizeof *s);
    ref_buffers b = {0};
    bool hdr = r->post.backend != TS_POST_NONE;
    if (!s || !buffers_alloc(&b, r->width, r->height, r->samples, hdr)) {
        free(s);
        return buffers_oom(err, r->width, r->height, r->samples, "");
    }
    s->samples = r->samples;
    s->buf = b;
    s->pixels_valid = true;
    r->ref = s;
    s->r = r;
    ts_render_start_init(&s->start);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    if (!ts_render_thread_needed(r)) return TS_OK;
    if (pthread_create(&s->thread, NULL, render_main, s) != 0)
        return ts_error_set(err, TS_ERR_SYSTEM, "cannot start the render thread");
    s->thread_started = true;
    /* A failed begin ends the thread at once; ts_ref_destroy joins it. */
    return ts_render_start_wait(&s->start, r, err);
}

void ts_ref_destroy(ts_ref_state *s) {
    if (!s) return;
    if (s->r) {
        if (s->thread_started) {
            pthread_mutex_lock(&s->lock);
            s->quit = true;
            pthread_cond_broadcast(&s->cond);
            pthread_mutex_unlock(&s->lock);
            pthread_join(s->thread, NULL);
        }
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
        ts_render_start_destroy(&s->start);
    }
    buffers_free(&s->buf);
    free(s->xformed);
    free(s);
}

typedef struct draw_state {
    ts_renderer *r;
    ts_ref_state *s;
    const ts_clip_vert *tri; /* the (clipped) triangle being rasterized */
    const ts_uniforms *uniforms;
    ts_shade_fn shade;
} draw_state;

/* Interpolates varying k at quad pixel i with perspective-correct
 * barycentrics; tri->order maps stored vertices back to `v`. */
static float varying(const ts_tri_setup *tri, const ts_clip_vert *v, const ts_quad *q, int i, int k) {
    float a0 = v[tri->order[0]].var[k], a1 = v[tri->order[1]].var[k], a2 = v[tri->order[2]].var[k];
    return a0 + q->b1[i] * (a1 - a0) + q->b2[i] * (a2 - a0);
}

static ts_vec3 varying3(const ts_tri_setup *tri, const ts_clip_vert *v, const ts_quad *q, int i, int k) {
    return ts_v3(varying(tri, v, q, i, k), varying(tri, v, q, i, k + 1), varying(tri, v, q, i, k + 2));
}

static void shade_quad(void *user, const ts_tri_setup *tri, const ts_quad *q) {
    draw_state *ds = user;
    ts_ref_state *s = ds->s;
    float uv[4][2];
    for (int i = 0; i < 4; i++) {
        uv[i][0] = varying(tri, ds->tri, q, i, TS_VAR_UV);
        uv[i][1] = varying(tri, ds->tri, q, i, TS_VAR_UV + 1);
    }
    const float *bary[2] = {q->b1, q->b2};
    const int ns = s->samples;
    for (int i = 0; i < 4; i++) {
        if (!(q->mask & (1u << i))) continue;
        size_t p = (size_t)(q->y + (i >> 1)) * (size_t)ds->r->width + (size_t)(q->x + (i & 1));
        /* Depth test LESS per covered sample: on an exact tie the earlier
         * triangle stays. The pixel is shaded once if any sample passes. */
        unsigned pass = 0;
        for (int k = 0; k < ns; k++)
            if ((q->sample_mask[i] >> k & 1) && q->zs[i][k] < s->buf.depth[p * (size_t)ns + (size_t)k])
                pass |= 1u << k;
        if (!pass) continue;

        ts_fragment f;
        f.world = varying3(tri, ds->tri, q, i, TS_VAR_WORLD);
        f.normal = varying3(tri, ds->tri, q, i, TS_VAR_NORMAL);
        f.uv[0] = uv[i][0];
        f.uv[1] = uv[i][1];
        for (int c = 0; c < 2; c++) {
            f.duv_dx[c] = uv[1][c] - uv[0][c];
            f.duv_dy[c] = uv[2][c] - uv[0][c];
            f.bary[c] = bary[c][i];
            f.dbary_dx[c] = bary[c][1] - bary[c][0];
            f.dbary_dy[c] = bary[c][2] - bary[c][0];
        }
        float src[4];
        ds->shade(ds->uniforms, &f, src);
        if (ds->uniforms->wireframe) ts_shade_wireframe(&f, src);

        /* Source-over (Porter-Duff): color = src * a + dst * (1 - a),
         * alpha = a + dst_alpha * (1 - a), so an opaque frame stays opaque. */
        float a = src[3];
        for (int k = 0; k < ns; k++) {
            if (!(pass >> k & 1)) continue;
            size_t at = p * (size_t)ns + (size_t)k;
            float *dst = &s->buf.color[at * 4];
            if (a >= 1.0f) {
                memcpy(dst, src, sizeof src);
            } else {
                for (int c = 0; c < 3; c++) dst[c] = src[c] * a + dst[c] * (1.0f - a);
                dst[3] = a + dst[3] * (1.0f - a);
            }
            s->buf.depth[at] = q->zs[i][k];
        }
    }
}

/* Post-processing's input: each pixel's samples averaged in the order
 * resolve_channel uses, unclamped. */
static void resolve_hdr(ts_ref_state *s, size_t pixels) {
    for (size_t p = 0; p < pixels; p++)
        for (int c = 0; c < 4; c++) {
            const float *v = &s->buf.color[p * (size_t)s->samples * 4 + (size_t)c];
            s->buf.hdr[p * 4 + (size_t)c] = s->samples == TS_MAX_SAMPLES ? (((v[0] + v[4]) + v[8]) + v[12]) * 0.25f : v[0];
        }
}

ts_result ts_ref_draw(ts_renderer *r, const ts_frame_input *in, ts_error *err) {
    ts_ref_state *s = r->ref;
    const ts_model *m = in->model;
    if (m->vertex_count > s->xformed_cap) {
        ts_clip_vert *p = realloc(s->xformed, (size_t)m->vertex_count * sizeof *p);
        if (!p)
            return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory transforming %u vertices",
                                m->vertex_count);
        s->xformed = p;
        s->xformed_cap = m->vertex_count;
    }

    uint64_t t0 = ts_now_ns();
    /* Clear: black, opaque; depth at the far plane. */
    size_t n = (size_t)r->width * (size_t)r->height * (size_t)s->samples;
    for (size_t i = 0; i < n; i++) {
        s->buf.color[i * 4 + 0] = s->buf.color[i * 4 + 1] = s->buf.color[i * 4 + 2] = 0.0f;
        s->buf.color[i * 4 + 3] = 1.0f;
        s->buf.depth[i] = 1.0f;
    }
    s->pixels_valid = false;

    /* Every vertex once: the whole transformed buffer is the post-transform cache. */
    ts_frame_transform(in, 0, m->vertex_count, s->xformed);
    uint64_t t1 = ts_now_ns();

    draw_state ds = {.r = r, .s = s, .shade = ts_frame_program(in->program)};
    uint64_t triangles = 0;
    for (uint32_t mi = 0; mi < m->mesh_count; mi++) {
        const ts_mesh *mesh = &m->meshes[mi];
        ds.uniforms = &in->uniforms[mi];
        for (uint32_t k = 0; k < mesh->index_count; k += 3) {
            const uint32_t *idx = &m->indices[mesh->first_index + k];
            ts_clip_vert tri[3] = {s->xformed[idx[0]], s->xformed[idx[1]], s->xformed[idx[2]]};
            ts_clip_vert poly[TS_CLIP_MAX_VERTS];
            ts_screen_vert sv[TS_CLIP_MAX_VERTS];
            int nv = ts_frame_clip_to_screen(in, tri, r->width, r->height, poly, sv);
            /* Fan from vertex 0: the pieces keep the input's winding. */
            for (int i = 1; i + 1 < nv; i++) {
                ts_screen_vert tv[3] = {sv[0], sv[i], sv[i + 1]};
                ts_clip_vert tc[3] = {poly[0], poly[i], poly[i + 1]};
                ts_tri_setup setup;
                if (!ts_setup_triangle(tv, r->width, r->height, in->cull, s->samples, &setup)) continue;
                triangles++;
                ds.tri = tc;
                ts_rast_ref_triangle(&setup, r->width, r->height, shade_quad, &ds);
            }
        }
    }
    uint64_t t2 = ts_now_ns();
    r->stats = (ts_frame_stats){
        .vertex_ms = (double)(t1 - t0) * 1e-6,
        .raster_ms = (double)(t2 - t1) * 1e-6, /* setup and raster are interleaved here */
        .total_ms = (double)(t2 - t0) * 1e-6,
        .triangles = triangles,
    };
    uint32_t frame = r->frames_drawn++;
    if (s->thread_started) {
        ts_ref_pixels(r); /* resolves pixels and depth before the render thread reads them */
        if (s->buf.hdr) resolve_hdr(s, (size_t)r->width * (size_t)r->height);
        pthread_mutex_lock(&s->lock);
        s->frame = frame;
        s->width = r->width;
        s->height = r->height;
        s->posted = true;
        pthread_cond_broadcast(&s->cond);
        while (s->posted) pthread_cond_wait(&s->cond, &s->lock);
        r->stats.present_ms = (double)s->present_ns * 1e-6;
        r->stats.post_ms = (double)s->post_ns * 1e-6;
        ts_post_timing_to_stats(&s->post_timing, &r->stats);
        pthread_mutex_unlock(&s->lock);
    }
    return TS_OK;
}

ts_result ts_ref_resize(ts_renderer *r, int width, int height, ts_error *err) {
    ts_ref_state *s = r->ref;
    /* ts_ref_draw returns only after the render thread is done with its
     * frame, and the caller draws and resizes on one thread: nothing is in
     * flight here. */
    ref_buffers b = {0};
    if (!buffers_alloc(&b, width, height, s->samples, s->buf.hdr != NULL)) {
        char what[64];
        snprintf(what, sizeof what, ": the renderer stays at %dx%d", r->width, r->height);
        return buffers_oom(err, width, height, s->samples, what);
    }
    buffers_free(&s->buf);
    s->buf = b;
    s->pixels_valid = true;
    return TS_OK;
}

/* One channel of a pixel: its samples averaged in a fixed order (the
 * tiled path resolves the same way), then round(clamp(v, 0, 1) * 255). */
static uint8_t resolve_channel(const float *color, size_t pixel, int samples, int c) {
    const float *v = &color[pixel * (size_t)samples * 4 + (size_t)c];
    float x = v[0];
    if (samples == TS_MAX_SAMPLES) x = (((v[0] + v[4]) + v[8]) + v[12]) * 0.25f;
    x = x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; /* NaN -> 0 */
    return (uint8_t)(x * 255.0f + 0.5f);
}

const uint8_t *ts_ref_pixels(ts_renderer *r) {
    ts_ref_state *s = r->ref;
    if (!s->pixels_valid) {
        size_t n = (size_t)r->width * (size_t)r->height;
        for (size_t p = 0; p < n; p++)
            for (int c = 0; c < 4; c++) s->buf.pixels[p * 4 + (size_t)c] = resolve_channel(s->buf.color, p, s->samples, c);
        if (s->samples > 1)
            for (size_t p = 0; p < n; p++) {
                const float *z = &s->buf.depth[p * (size_t)s->samples];
                float m = z[0];
                for (int k = 1; k < s->samples; k++) m = z[k] < m ? z[k] : m;
                s->buf.resolved_depth[p] = m;
            }
        s->pixels_valid = true;
    }
    return s->buf.pixels;
}

const float *ts_ref_depth(ts_renderer *r) {
    ts_ref_pixels(r); /* resolves */
    return r->ref->samples > 1 ? r->ref->buf.resolved_depth : r->ref->buf.depth;
}
