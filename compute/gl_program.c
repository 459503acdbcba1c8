/* gl_program.c — see gl_program.h. */
#include "gl_program.h"

#include <glad/gl.h>

#include <stdio.h>
#include <string.h>

/* A compiler log as one line (an error message is one): line breaks become
 * "; ", trailing ones go. */
static void one_line(char *log) {
    size_t n = strlen(log);
    while (n && (log[n - 1] == '\n' || log[n - 1] == '\r' || log[n - 1] == ' ')) log[--n] = '\0';
    for (char *c = log; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ';';
}

unsigned int ts_gl_program(const ts_gl_stage *stages, int count, char *why, size_t why_size) {
    char log[1024];
    GLuint prog = glCreateProgram();
    if (!prog) {
        snprintf(why, why_size, "glCreateProgram failed");
        return 0;
    }
    for (int i = 0; i < count; i++) {
        GLuint sh = glCreateShader(stages[i].type);
        glShaderSource(sh, stages[i].count, stages[i].parts, NULL);
        glCompileShader(sh);
        GLint ok = GL_FALSE;
        glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
        if (!ok) {
            log[0] = '\0';
            glGetShaderInfoLog(sh, (GLsizei)sizeof log, NULL, log);
            one_line(log);
            snprintf(why, why_size, "%s does not compile: %s", stages[i].name, log);
            glDeleteShader(sh);
            glDeleteProgram(prog);
            return 0;
        }
        glAttachShader(prog, sh);
        glDeleteShader(sh); /* flagged: freed with the program */
    }
    glLinkProgram(prog);
    GLint ok = GL_FALSE;
    glGetProgramiv(prog, GL_LINK_STATUS, &ok);
    if (!ok) {
        log[0] = '\0';
        glGetProgramInfoLog(prog, (GLsizei)sizeof log, NULL, log);
        one_line(log);
        snprintf(why, why_size, "the program does not link: %s", log);
        glDeleteProgram(prog);
        return 0;
    }
    return prog;
}
