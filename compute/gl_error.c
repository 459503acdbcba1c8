/* gl_error.c — see gl_error.h. */
#include "gl_error.h"

#include <glad/gl.h>

unsigned int ts_gl_take_error(void) {
    GLenum first = glGetError();
    /* A driver keeps a flag per kind of error: a few calls drain them all
     * (bounded, should a lost context keep reporting). */
    for (int i = 0; first != GL_NO_ERROR && i < 16 && glGetError() != GL_NO_ERROR; i++) {
    }
    return first;
}

const char *ts_gl_error_name(unsigned int e) {
    switch (e) {
    case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
    case GL_STACK_UNDERFLOW: return "GL_STACK_UNDERFLOW";
    case GL_STACK_OVERFLOW: return "GL_STACK_OVERFLOW";
    default: return "an unknown GL error";
    }
}
