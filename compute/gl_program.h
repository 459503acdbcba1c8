/* gl_program.h — compiling and linking a GLSL program, for every GL user
 * (the window's presenter and its HUD, the gl post-processing backend,
 * tessera-gl): one place that turns the compiler's log into the one-line
 * reason an error message carries. Call it with a GL context current. */
#ifndef TS_GL_PROGRAM_H
#define TS_GL_PROGRAM_H

#include <stddef.h>

/* One stage: its source is the parts, concatenated (a #version line, some
 * #defines, the body). */
typedef struct ts_gl_stage {
    unsigned int type; /* GL_VERTEX_SHADER, GL_FRAGMENT_SHADER, GL_COMPUTE_SHADER */
    const char *name;  /* for messages: "the vertex shader", "post_blur.comp" */
    int count;
    const char *const *parts;
} ts_gl_stage;

/* The linked program; 0 when a stage does not compile ("NAME does not
 * compile: LOG") or the program does not link ("the program does not link:
 * LOG"), with that reason in `why`, the log on one line. */
unsigned int ts_gl_program(const ts_gl_stage *stages, int count, char *why, size_t why_size);

#endif
