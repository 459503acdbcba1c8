/* post.h — the post-processing chain behind one interface: the parameters
 * every backend reads, and a backend instance the render thread drives.
 *
 * The math is in docs/POST.md and, as code, in post_cpu.c; the gl and cuda
 * backends compute the same thing and agree with it within 2/255 per
 * channel. Input is the frame's linear HDR color, float RGBA, top row
 * first; output the frame's 8-bit RGBA.
 *
 * Threads: a ts_post is created, used and destroyed on one thread (the
 * render thread), which is the one that owns its GL context or CUDA
 * stream. */
#ifndef TS_POST_H
#define TS_POST_H

#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

/* ts_post_desc with the defaults filled in, and what the stages derive
 * from it (the Gaussian's weights), so every backend uses the same
 * numbers. */
typedef struct ts_post_params {
    float exposure;
    float bloom_threshold, bloom_strength;
    int bloom_radius;
    bool bloom, tonemap, fxaa, srgb;
    /* weights[t + radius] for t = -radius..radius, summing to 1 */
    float bloom_weights[2 * TS_POST_MAX_RADIUS + 1];
} ts_post_params;

/* Checks the desc's numbers (finite, in range) and fills `out`. */
ts_result ts_post_params_make(const ts_post_desc *desc, ts_post_params *out, ts_error *err);

/* FXAA's constants (docs/POST.md). */
#define TS_FXAA_EDGE_MIN (1.0f / 16.0f)
#define TS_FXAA_EDGE_REL (1.0f / 8.0f)
#define TS_FXAA_REDUCE_MUL (1.0f / 8.0f)
#define TS_FXAA_REDUCE_MIN (1.0f / 128.0f)
#define TS_FXAA_SPAN_MAX 8.0f

/* The half-size image bloom works on: ceil(w / 2) x ceil(h / 2). */
static inline int ts_post_half(int n) { return (n + 1) / 2; }

/* ---- the CPU chain (post_cpu.c) ----------------------------------------- */

/* Scratch the CPU chain needs for a w x h frame, in floats. */
size_t ts_post_cpu_scratch_floats(int w, int h);
/* The whole chain: `hdr` is w*h*4 floats (RGBA, rows of w), `out` w*h*4
 * bytes; `scratch` holds ts_post_cpu_scratch_floats(w, h) floats. */
void ts_post_cpu_run(const ts_post_params *p, int w, int h, const float *hdr, uint8_t *out,
                     float *scratch);

/* ---- a backend instance (post.c) ---------------------------------------- */

typedef struct ts_post ts_post;

/* Makes the backend `backend` for frames up to w x h, on the calling
 * thread. TS_ERR_UNSUPPORTED (with the reason) when it cannot run here:
 * no GPU, no GL driver, not built, or a device that refuses what the
 * backend needs as it is made (memory, a context, code for it).
 * `on_current_gl`: an OpenGL context is current on this thread, with GL
 * loaded through glad (a window's, made by the presenter's `begin`), and
 * the gl backend runs on it rather than on a headless context of its own
 * (two contexts on one thread would have to take turns being current); it
 * needs OpenGL 4.3 there. */
ts_result ts_post_create(ts_post_backend backend, int w, int h, bool on_current_gl, ts_post **out,
                         ts_error *err);
void ts_post_destroy(ts_post *post);
ts_post_backend ts_post_kind(const ts_post *post);

/* One finished tile of the frame being drawn: a backend that uploads tiles
 * as they arrive does it here (the cpu backend does nothing). `hdr` is the
 * tile's top-left pixel in the frame's HDR target, rows `stride` floats
 * apart. */
void ts_post_tile(ts_post *post, const float *hdr, size_t stride, int x, int y, int w, int h);

/* The frame is complete: runs the chain over `hdr` (w x h, every tile of
 * it already passed to ts_post_tile) and writes `out` (w*h*4 bytes). A
 * different size than the last frame's is fine.
 *
 * With `texture` not NULL the result may stay on the GPU instead: a backend
 * that runs on the caller's OpenGL context (on_current_gl: the window's)
 * and can put it there sets *texture to a GL_RGBA8 texture of that context
 * holding the frame (w x h, texel row y the frame's row y, valid until the
 * next call) and leaves `out` unwritten; its device timings are then not
 * measured (they would make the thread wait for the device). Otherwise, as
 * the cpu backend always does, *texture is 0 and `out` is written. */
ts_result ts_post_frame(ts_post *post, const ts_post_params *p, int w, int h, const float *hdr,
                        uint8_t *out, unsigned *texture, ts_error *err);

/* ts_post_frame in two halves, so that the thread can go on taking the next
 * frame's tiles while a GPU finishes this one. ts_post_frame_start does
 * what ts_post_frame does up to waiting for the device: it returns TS_OK
 * with *pending true when that wait is still to come, and `out` is then
 * written by the ts_post_frame_finish that returns true. Until then `out`
 * must stay allocated and unread; ts_post_tile may already take the next
 * frame's tiles (a GPU queues them behind this frame's chain), but no
 * other frame starts (a start while one is pending finishes it first,
 * waiting). Never pending: the cpu backend, frames left on the GPU as a
 * texture, and frames that failed to start. */
ts_result ts_post_frame_start(ts_post *post, const ts_post_params *p, int w, int h, const float *hdr,
                              uint8_t *out, unsigned *texture, bool *pending, ts_error *err);

/* The pending frame: with `wait` false, false at once while the device is
 * still at it; else (and always with `wait`) true, the frame done: `out`
 * written and the timing read, or its failure in *result and *err. True
 * with TS_OK when nothing is pending. */
bool ts_post_frame_finish(ts_post *post, bool wait, ts_result *result, ts_error *err);

/* ---- timing ------------------------------------------------------------- */

/* Where the last frame's post-processing time went, in milliseconds; zero
 * means "not measured" (a stage the backend does not have, or a frame that
 * failed). A GPU backend measures on the device, never with host clocks:
 *   upload_ms    the frame's host-to-device copies, each timed on the device
 *                and summed (with per-tile uploads most of it is hidden
 *                behind the raster of the other tiles)
 *   kernel_ms    the chain's passes, first to last, on the device
 *   readback_ms  the copy of the 8-bit result back to the host
 * The cpu backend has no copies: kernel_ms is its chain's time on the host
 * clock. */
typedef struct ts_post_timing {
    double upload_ms, kernel_ms, readback_ms;
    ts_post_backend backend; /* the backend that made the frame (TS_POST_NONE: none did) */
    bool on_gpu;             /* the result stayed on the GPU, as a texture: set by the renderer from
                              * ts_post_frame's `texture`; ts_post_last_timing leaves it false */
} ts_post_timing;

/* The last finished frame's figures (all zero before the first, or when it
 * failed). Read after the frame's read-back, so it never waits. */
void ts_post_last_timing(const ts_post *post, ts_post_timing *out);

#endif
