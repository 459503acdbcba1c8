/* present_hud.h — text drawn over the presented frame (the viewer's HUD):
 * lines of ASCII, turned into quads by stb_easy_font, drawn with a small
 * GL program of their own on an opaque dark box in the window's top-left
 * corner. Part of the presenter: render thread, its GL context current. */
#ifndef TS_PRESENT_HUD_H
#define TS_PRESENT_HUD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ts_hud {
    unsigned int program, vao, vbo, ebo;
    int u_viewport, u_origin, u_scale, u_color;
    void *quads; /* stb_easy_font's vertices: the box's quad, then the text's */
} ts_hud;

/* Makes the program and buffers. False with the reason in `why`. */
bool ts_hud_create(ts_hud *h, char *why, size_t why_size);
/* Draws `text` ('\n' between lines; what does not fit is cut) into a
 * viewport of vw x vh pixels. Changes the bound program and vertex array:
 * the caller binds its own again before its next draw. False with the GL
 * error in `why`. */
bool ts_hud_draw(ts_hud *h, const char *text, int vw, int vh, char *why, size_t why_size);
/* Deletes what create made (each part that exists). */
void ts_hud_release(ts_hud *h);

#endif
