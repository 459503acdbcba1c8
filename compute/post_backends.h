/* post_backends.h — what a GPU backend of the post-processing chain
 * implements; post.c dispatches to it. Each is compiled only where its
 * toolchain exists (TS_HAVE_POST_GL, TS_HAVE_POST_CUDA); all calls come
 * from the one thread that created the state.
 *
 *   create  makes the backend's context (gl with on_current_gl: uses the
 *           OpenGL context current on the thread; cuda ignores it), its
 *           buffers for frames up to w x h, and its programs; fails with
 *           TS_ERR_UNSUPPORTED and the reason when the machine cannot run
 *           it (no GPU, no driver)
 *   tile    a finished tile of the frame being drawn: uploaded at once,
 *           so the transfer overlaps the raster of the other tiles
 *   frame   every tile is in: starts the chain, whose 8-bit result goes
 *           to `out` (read back); or, when `texture` is not NULL and the
 *           backend runs on the caller's OpenGL context and can leave the
 *           result there, into a texture (*texture; `out` untouched), as
 *           ts_post_frame says. *pending true: the read-back is still to
 *           come, and `finish` completes it
 *   finish  the pending frame: *done false while the device is busy and
 *           `wait` is false; else the read-back into `out`, the timings
 *           read, *done true. Called only while a frame is pending
 *   timing  the last finished frame's device timings (post.h, ts_post_timing),
 *           read after its read-back, so never waiting for the device
 *   describe what it runs on, one line: the GL renderer and version, or
 *           the CUDA device and driver
 *   destroy frees everything create made */
#ifndef TS_POST_BACKENDS_H
#define TS_POST_BACKENDS_H

#include "post.h"

#define TS_POST_BACKEND_DECLARE(name)                                                                  \
    ts_result ts_post_##name##_create(int w, int h, bool on_current_gl, void **state, ts_error *err); \
    void ts_post_##name##_tile(void *state, const float *hdr, size_t stride, int x, int y, int w,     \
                               int h);                                                                \
    ts_result ts_post_##name##_frame(void *state, const ts_post_params *p, int w, int h,              \
                                     const float *hdr, uint8_t *out, unsigned *texture, bool *pending, \
                                     ts_error *err);                                                  \
    ts_result ts_post_##name##_finish(void *state, bool wait, bool *done, ts_error *err);             \
    void ts_post_##name##_timing(const void *state, ts_post_timing *out);                             \
    void ts_post_##name##_describe(const void *state, char *out, size_t n);                           \
    void ts_post_##name##_destroy(void *state);

#ifdef __cplusplus
extern "C" {
#endif
TS_POST_BACKEND_DECLARE(gl)
TS_POST_BACKEND_DECLARE(cuda)
#ifdef __cplusplus
}
#endif

#endif
