/* gl_frame.c — the window's post-processed frame as a texture filled on
 * the GPU (gl_frame.h). */
#include "gl_frame.h"

#include <glad/gl.h>

#include <stdio.h>

#include "gl_error.h"

/* The first GL error since the last check, under `step`; the rest drained. */
static bool ok(const char *step, char *why, size_t why_size) {
    GLenum e = ts_gl_take_error();
    if (e == GL_NO_ERROR) return true;
    snprintf(why, why_size, "%s: %s", step, ts_gl_error_name(e));
    return false;
}

bool ts_gl_frame_buffer(ts_gl_frame *f, size_t bytes, bool *remade, char *why, size_t why_size) {
    *remade = false;
    if (f->buffer && bytes <= f->buffer_bytes) return true;
    /* A new name rather than new storage for the old one: storage that
     * moves under a CUDA registration is undefined, a new name is plainly
     * a new registration. */
    if (f->buffer) glDeleteBuffers(1, &f->buffer);
    f->buffer = 0;
    f->buffer_bytes = 0;
    glGenBuffers(1, &f->buffer);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, f->buffer);
    glBufferData(GL_PIXEL_UNPACK_BUFFER, (GLsizeiptr)bytes, NULL, GL_STREAM_COPY);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    if (!ok("making the frame's pixel buffer", why, why_size)) return false;
    f->buffer_bytes = bytes;
    *remade = true;
    return true;
}

bool ts_gl_frame_fill(ts_gl_frame *f, unsigned buffer, int w, int h, char *why, size_t why_size) {
    if (!f->texture) {
        glGenTextures(1, &f->texture);
        glBindTexture(GL_TEXTURE_2D, f->texture);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        f->w = f->h = 0;
    } else {
        glBindTexture(GL_TEXTURE_2D, f->texture);
    }
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, buffer);
    if (w != f->w || h != f->h) {
        /* Mutable storage: a frame of another size redefines it. NULL is an
         * offset into the bound buffer here, and the data there is this
         * frame's anyway. */
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
        f->w = w;
        f->h = h;
    } else {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
    }
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glBindTexture(GL_TEXTURE_2D, 0);
    if (ok("filling the frame's texture", why, why_size)) return true;
    f->w = f->h = 0; /* redefine it next time */
    return false;
}

void ts_gl_frame_release(ts_gl_frame *f) {
    if (f->texture) glDeleteTextures(1, &f->texture);
    if (f->buffer) glDeleteBuffers(1, &f->buffer);
    *f = (ts_gl_frame){0};
}
