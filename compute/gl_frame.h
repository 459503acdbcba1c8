/* gl_frame.h — a post-processed frame left on the GPU for the window: an
 * RGBA8 texture filled from a buffer object, so a GPU backend hands its
 * result to the window's presenter without a trip through host memory
 * (docs/POST.md, "In a window"). The gl backend fills it from its output
 * buffer; the cuda backend from a buffer of its own that CUDA writes
 * through OpenGL interop. Every call runs on the render thread with the
 * window's context current, and leaves no pixel buffer bound. */
#ifndef TS_GL_FRAME_H
#define TS_GL_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zero is empty. `texture` is GL_RGBA8, w x h, texel row y the frame's row
 * y (top first, as the presenter's own texture); `buffer` (made only by
 * ts_gl_frame_buffer) holds buffer_bytes. */
typedef struct ts_gl_frame {
    unsigned texture, buffer;
    int w, h;
    size_t buffer_bytes;
} ts_gl_frame;

/* Makes f->buffer hold at least `bytes`; *remade says whether it is a new
 * buffer object (one registered with CUDA must be registered again). False
 * with the GL error in `why`. */
bool ts_gl_frame_buffer(ts_gl_frame *f, size_t bytes, bool *remade, char *why, size_t why_size);

/* Copies w x h packed RGBA8 pixels, top row first, from buffer object
 * `buffer` (f->buffer or another) into f->texture, made or resized to w x h
 * first. GL orders the copy after the work that wrote the buffer and before
 * the draws that read the texture. False with the GL error in `why`. */
bool ts_gl_frame_fill(ts_gl_frame *f, unsigned buffer, int w, int h, char *why, size_t why_size);

/* Deletes what it holds and zeroes it. */
void ts_gl_frame_release(ts_gl_frame *f);

#ifdef __cplusplus
}
#endif

#endif
