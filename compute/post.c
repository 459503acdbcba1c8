/* post.c — the chain's parameters and the backend instance the render
 * thread drives: the cpu chain here, the GPU ones through
 * post_backends.h where they were built. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "post_backends.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

static const char *const backend_names[TS_POST_BACKEND_COUNT] = {"none", "cpu", "gl", "cuda"};

const char *ts_post_backend_name(ts_post_backend b) {
    return (unsigned)b < TS_POST_BACKEND_COUNT ? backend_names[b] : "?";
}

bool ts_post_backend_parse(const char *name, ts_post_backend *out) {
    for (int b = 0; name && out && b < TS_POST_BACKEND_COUNT; b++)
        if (strcmp(name, backend_names[b]) == 0) {
            *out = (ts_post_backend)b;
            return true;
        }
    return false;
}

static bool in_range(float v, float lo, float hi) { return isfinite(v) && v >= lo && v <= hi; }

ts_result ts_post_params_make(const ts_post_desc *d, ts_post_params *out, ts_error *err) {
    memset(out, 0, sizeof *out);
    if ((unsigned)d->backend >= TS_POST_BACKEND_COUNT)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: unknown backend %d", (int)d->backend);
    if ((unsigned)d->upload >= TS_POST_UPLOAD_COUNT)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: unknown upload mode %d (0: per tile, 1: whole frame)",
                            (int)d->upload);
    if (!in_range(d->exposure, 0.0f, 65504.0f))
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: exposure %g must be from 0 (the default, 1) to 65504", (double)d->exposure);
    if (!in_range(d->bloom_threshold, 0.0f, 65504.0f))
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: bloom threshold %g must be from 0 (the default, 1) to 65504",
                            (double)d->bloom_threshold);
    if (!in_range(d->bloom_strength, 0.0f, 100.0f))
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: bloom strength %g must be from 0 (the default, 0.3) to 100",
                            (double)d->bloom_strength);
    if (d->bloom_radius < 0 || d->bloom_radius > TS_POST_MAX_RADIUS)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: bloom radius %d must be from 0 (the default, 8) to %d", d->bloom_radius,
                            TS_POST_MAX_RADIUS);
    out->exposure = d->exposure > 0.0f ? d->exposure : 1.0f;
    out->bloom_threshold = d->bloom_threshold > 0.0f ? d->bloom_threshold : 1.0f;
    out->bloom_strength = d->bloom_strength > 0.0f ? d->bloom_strength : 0.3f;
    out->bloom_radius = d->bloom_radius > 0 ? d->bloom_radius : 8;
    out->bloom = !d->no_bloom;
    out->tonemap = !d->no_tonemap;
    out->fxaa = !d->no_fxaa;
    out->srgb = !d->no_srgb;
    /* exp(-t^2 / (2 sigma^2)), sigma = radius / 2, normalised in double so
     * every backend gets the same float weights. */
    int r = out->bloom_radius;
    double sigma = r / 2.0, w[2 * TS_POST_MAX_RADIUS + 1], sum = 0.0;
    for (int t = -r; t <= r; t++) sum += w[t + r] = exp(-(double)(t * t) / (2.0 * sigma * sigma));
    for (int t = -r; t <= r; t++) out->bloom_weights[t + r] = (float)(w[t + r] / sum);
    return TS_OK;
}

struct ts_post {
    ts_post_backend kind;
    float *scratch; /* cpu */
    size_t scratch_floats;
    void *gpu; /* gl, cuda: the backend's state */
    bool pending; /* a frame the backend has yet to finish (ts_post_frame_start) */
    ts_post_timing cpu_timing; /* cpu: the last frame's chain on the host clock */
};

/* The cpu chain's time: host clock (monotonic), in milliseconds. */
static double host_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

#if !defined(TS_HAVE_POST_GL) || !defined(TS_HAVE_POST_CUDA)
static ts_result not_built(ts_post_backend b, ts_error *err) {
    return ts_error_set(err, TS_ERR_UNSUPPORTED, "the %s backend was not built into this tessera",
                        ts_post_backend_name(b));
}
#endif

ts_result ts_post_create(ts_post_backend backend, int w, int h, bool on_current_gl, ts_post **out,
                         ts_error *err) {
    *out = NULL;
    if (backend == TS_POST_NONE || (unsigned)backend >= TS_POST_BACKEND_COUNT)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: no chain to run for backend %d", (int)backend);
    ts_post *p = calloc(1, sizeof *p);
    if (!p) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "post: out of memory");
    p->kind = backend;
    ts_result r = TS_OK;
    switch (backend) {
    case TS_POST_GL:
#ifdef TS_HAVE_POST_GL
        r = ts_post_gl_create(w, h, on_current_gl, &p->gpu, err);
#else
        r = not_built(backend, err);
#endif
        break;
    case TS_POST_CUDA:
#ifdef TS_HAVE_POST_CUDA
        r = ts_post_cuda_create(w, h, on_current_gl, &p->gpu, err);
#else
        r = not_built(backend, err);
#endif
        break;
    default:
        (void)w, (void)h, (void)on_current_gl; /* used by the GPU backends, when built */
        /* cpu: scratch for the largest frame so far, made by the first
         * frame (the fast path runs the chain on its workers and never
         * needs it) and grown on demand */
        break;
    }
    if (r != TS_OK) {
        free(p);
        return r;
    }
    *out = p;
    return TS_OK;
}

void ts_post_destroy(ts_post *p) {
    if (!p) return;
#ifdef TS_HAVE_POST_GL
    if (p->kind == TS_POST_GL) ts_post_gl_destroy(p->gpu);
#endif
#ifdef TS_HAVE_POST_CUDA
    if (p->kind == TS_POST_CUDA) ts_post_cuda_destroy(p->gpu);
#endif
    free(p->scratch);
    free(p);
}

ts_post_backend ts_post_kind(const ts_post *p) { return p->kind; }

void ts_post_tile(ts_post *p, const float *hdr, size_t stride, int x, int y, int w, int h) {
#ifdef TS_HAVE_POST_GL
    if (p->kind == TS_POST_GL) ts_post_gl_tile(p->gpu, hdr, stride, x, y, w, h);
#endif
#ifdef TS_HAVE_POST_CUDA
    if (p->kind == TS_POST_CUDA) ts_post_cuda_tile(p->gpu, hdr, stride, x, y, w, h);
#endif
    (void)p, (void)hdr, (void)stride, (void)x, (void)y, (void)w, (void)h;
}

ts_result ts_post_frame_start(ts_post *p, const ts_post_params *params, int w, int h, const float *hdr,
                              uint8_t *out, unsigned *texture, bool *pending, ts_error *err) {
    *pending = false;
    /* One frame at a time: the last one finishes first. Its outcome was
     * the caller's to ask for; this frame reports its own. */
    ts_result last;
    if (p->pending) ts_post_frame_finish(p, true, &last, NULL);
    ts_result r = TS_OK;
#ifdef TS_HAVE_POST_GL
    if (p->kind == TS_POST_GL) r = ts_post_gl_frame(p->gpu, params, w, h, hdr, out, texture, pending, err);
#endif
#ifdef TS_HAVE_POST_CUDA
    if (p->kind == TS_POST_CUDA) r = ts_post_cuda_frame(p->gpu, params, w, h, hdr, out, texture, pending, err);
#endif
    if (p->kind != TS_POST_CPU) {
        if (r != TS_OK) *pending = false;
        p->pending = *pending;
        return r;
    }
    if (texture) *texture = 0;
    memset(&p->cpu_timing, 0, sizeof p->cpu_timing);
    size_t need = ts_post_cpu_scratch_floats(w, h);
    if (need > p->scratch_floats) {
        float *more = realloc(p->scratch, need * sizeof *more);
        if (!more) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "post: out of memory for a %dx%d frame", w, h);
        p->scratch = more;
        p->scratch_floats = need;
    }
    double t0 = host_ms();
    ts_post_cpu_run(params, w, h, hdr, out, p->scratch);
    p->cpu_timing.kernel_ms = host_ms() - t0;
    return TS_OK;
}

bool ts_post_frame_finish(ts_post *p, bool wait, ts_result *result, ts_error *err) {
    *result = TS_OK;
    if (!p->pending) return true;
    bool done = true;
#ifdef TS_HAVE_POST_GL
    if (p->kind == TS_POST_GL) *result = ts_post_gl_finish(p->gpu, wait, &done, err);
#endif
#ifdef TS_HAVE_POST_CUDA
    if (p->kind == TS_POST_CUDA) *result = ts_post_cuda_finish(p->gpu, wait, &done, err);
#endif
    (void)wait, (void)err;
    if (*result != TS_OK) done = true; /* a failed frame is over too */
    p->pending = !done;
    return done;
}

ts_result ts_post_frame(ts_post *p, const ts_post_params *params, int w, int h, const float *hdr, uint8_t *out,
                        unsigned *texture, ts_error *err) {
    bool pending;
    ts_result r = ts_post_frame_start(p, params, w, h, hdr, out, texture, &pending, err);
    if (r == TS_OK && pending) ts_post_frame_finish(p, true, &r, err);
    return r;
}

void ts_post_last_timing(const ts_post *p, ts_post_timing *out) {
    memset(out, 0, sizeof *out);
#ifdef TS_HAVE_POST_GL
    if (p->kind == TS_POST_GL) ts_post_gl_timing(p->gpu, out);
#endif
#ifdef TS_HAVE_POST_CUDA
    if (p->kind == TS_POST_CUDA) ts_post_cuda_timing(p->gpu, out);
#endif
    if (p->kind == TS_POST_CPU) *out = p->cpu_timing;
    out->backend = p->kind;
}

ts_result ts_post_backend_describe(ts_post_backend b, char *out, size_t n, ts_error *err) {
    if (out && n) out[0] = '\0';
    if (!out || n == 0) return ts_error_set(err, TS_ERR_INVALID_ARG, "post: no room for the description");
    if (b == TS_POST_NONE)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: backend none runs nowhere: nothing to describe");
    if ((unsigned)b >= TS_POST_BACKEND_COUNT)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "post: no backend %d", (int)b);
    if (b == TS_POST_CPU) {
        snprintf(out, n, "cpu");
        return TS_OK;
    }
    /* A GPU backend says what it runs on once it runs: a small instance is
     * made and asked. */
    ts_post *p = NULL;
    ts_result r = ts_post_create(b, 64, 64, false, &p, err);
    if (r != TS_OK) return r;
#ifdef TS_HAVE_POST_GL
    if (b == TS_POST_GL) ts_post_gl_describe(p->gpu, out, n);
#endif
#ifdef TS_HAVE_POST_CUDA
    if (b == TS_POST_CUDA) ts_post_cuda_describe(p->gpu, out, n);
#endif
    ts_post_destroy(p);
    return TS_OK;
}
