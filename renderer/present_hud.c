/* present_hud.c — see present_hud.h. */
#include <glad/gl.h>

#include "present_hud.h"
#include "gl_error.h"
#include "gl_program.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* stb_easy_font is a header of static functions, some of which go unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

#define MAX_QUADS 4096 /* about 900 characters of stb_easy_font's glyphs */
#define QUAD_BYTES 64  /* four vertices of x, y, z and a color: 16 bytes each */
#define WIDE 960       /* viewports this wide or wider get the font twice as large */
#define MARGIN 6.0f    /* pixels between the window's corner, the box and the text */

static const char *const vertex_src =
    "#version 330 core\n"
    "layout(location = 0) in vec2 pos; /* font units, y down */\n"
    "uniform vec2 viewport, origin;    /* pixels, y down */\n"
    "uniform float scale;\n"
    "void main() {\n"
    "    vec2 p = (origin + pos * scale) / viewport;\n"
    "    gl_Position = vec4(p.x * 2.0 - 1.0, 1.0 - p.y * 2.0, 0.0, 1.0);\n"
    "}\n";
static const char *const fragment_src =
    "#version 330 core\n"
    "uniform vec4 color;\n"
    "out vec4 frag;\n"
    "void main() { frag = color; }\n";

bool ts_hud_create(ts_hud *h, char *why, size_t why_size) {
    memset(h, 0, sizeof *h);
    const ts_gl_stage stages[] = {{GL_VERTEX_SHADER, "the HUD's vertex shader", 1, &vertex_src},
                                  {GL_FRAGMENT_SHADER, "the HUD's fragment shader", 1, &fragment_src}};
    h->program = ts_gl_program(stages, 2, why, why_size);
    if (!h->program) return false;
    h->u_viewport = glGetUniformLocation(h->program, "viewport");
    h->u_origin = glGetUniformLocation(h->program, "origin");
    h->u_scale = glGetUniformLocation(h->program, "scale");
    h->u_color = glGetUniformLocation(h->program, "color");
    h->quads = malloc((size_t)MAX_QUADS * QUAD_BYTES);
    uint16_t *index = malloc((size_t)MAX_QUADS * 6 * sizeof *index);
    if (!h->quads || !index) {
        free(index);
        snprintf(why, why_size, "out of memory for the HUD's %d quads", MAX_QUADS);
        return false;
    }
    /* Quads as two triangles each, the same for every text. */
    for (uint16_t q = 0; q < MAX_QUADS; q++) {
        static const uint16_t corner[6] = {0, 1, 2, 0, 2, 3};
        for (int k = 0; k < 6; k++) index[q * 6 + k] = (uint16_t)(q * 4 + corner[k]);
    }
    glGenVertexArrays(1, &h->vao);
    glBindVertexArray(h->vao);
    glGenBuffers(1, &h->vbo);
    glBindBuffer(GL_ARRAY_BUFFER, h->vbo);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)MAX_QUADS * QUAD_BYTES, NULL, GL_STREAM_DRAW);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, QUAD_BYTES / 4, (const void *)0);
    glEnableVertexAttribArray(0);
    glGenBuffers(1, &h->ebo);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, h->ebo); /* recorded in the vertex array */
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr)(MAX_QUADS * 6 * sizeof *index), index, GL_STATIC_DRAW);
    free(index);
    GLenum e = ts_gl_take_error();
    if (e != GL_NO_ERROR) {
        snprintf(why, why_size, "OpenGL: making the HUD's buffers failed: %s", ts_gl_error_name(e));
        return false;
    }
    return true;
}

/* The box: one quad in stb_easy_font's layout (only x and y are read). */
static void put_box(void *dst, float w, float h) {
    const float corners[4][2] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
    uint8_t *v = dst;
    memset(v, 0, QUAD_BYTES);
    for (int i = 0; i < 4; i++) memcpy(v + i * (QUAD_BYTES / 4), corners[i], sizeof corners[i]);
}

bool ts_hud_draw(ts_hud *h, const char *text, int vw, int vh, char *why, size_t why_size) {
    char line_buf[4096];
    snprintf(line_buf, sizeof line_buf, "%s", text); /* stb_easy_font takes a char * */
    int quads = stb_easy_font_print(0.0f, 0.0f, line_buf, NULL, (char *)h->quads + QUAD_BYTES,
                                    (MAX_QUADS - 1) * QUAD_BYTES);
    /* Font units to pixels: its glyphs are 5 to 7 units tall. */
    float scale = vw >= WIDE ? 2.0f : 1.0f;
    float pad = MARGIN / scale; /* in font units */
    put_box(h->quads, (float)stb_easy_font_width(line_buf) + 2.0f * pad,
            (float)stb_easy_font_height(line_buf) + 2.0f * pad);

    glUseProgram(h->program);
    glBindVertexArray(h->vao);
    glBindBuffer(GL_ARRAY_BUFFER, h->vbo);
    glBufferSubData(GL_ARRAY_BUFFER, 0, (GLsizeiptr)(quads + 1) * QUAD_BYTES, h->quads);
    glUniform2f(h->u_viewport, (float)vw, (float)vh);
    glUniform1f(h->u_scale, scale);
    glUniform2f(h->u_origin, MARGIN, MARGIN);
    glUniform4f(h->u_color, 0.05f, 0.05f, 0.08f, 1.0f);
    glDrawElements(GL_TRIANGLES, 6, GL_UNSIGNED_SHORT, (const void *)0);
    glUniform2f(h->u_origin, MARGIN + MARGIN, MARGIN + MARGIN);
    glUniform4f(h->u_color, 1.0f, 1.0f, 0.85f, 1.0f);
    /* The text's quads start after the box's: the indices of quad 1 on. */
    glDrawElements(GL_TRIANGLES, quads * 6, GL_UNSIGNED_SHORT, (const void *)(6 * sizeof(uint16_t)));
    GLenum e = ts_gl_take_error();
    if (e != GL_NO_ERROR) {
        snprintf(why, why_size, "OpenGL: drawing the HUD failed: %s", ts_gl_error_name(e));
        return false;
    }
    return true;
}

void ts_hud_release(ts_hud *h) {
    /* Deleting name 0 does nothing. */
    glDeleteBuffers(1, &h->ebo);
    glDeleteBuffers(1, &h->vbo);
    glDeleteVertexArrays(1, &h->vao);
    if (h->program) glDeleteProgram(h->program);
    free(h->quads);
    memset(h, 0, sizeof *h);
}
