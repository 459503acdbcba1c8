/* gl_error.h — OpenGL's error codes by name, for the messages of every GL
 * user: the window's presenter, the gl post-processing backend and
 * tessera-gl. */
#ifndef TS_GL_ERROR_H
#define TS_GL_ERROR_H

/* "GL_OUT_OF_MEMORY" for GL_OUT_OF_MEMORY; `e` is a GLenum. */
const char *ts_gl_error_name(unsigned int e);

/* The first GL error since the last call (GL_NO_ERROR: none), with the
 * ones queued behind it drained, so the next check reports its own call. A
 * context must be current. */
unsigned int ts_gl_take_error(void);

#endif
