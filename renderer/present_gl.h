/* present_gl.h — a presenter for an SDL2 window: the renderer's render
 * thread owns an OpenGL 3.3 core context for the window, uploads each tile
 * as it arrives and draws and swaps each complete frame. A frame that a GPU
 * post-processing backend made on this context is drawn from the backend's
 * texture (ts_present_desc.frame_texture): it never comes back to the host.
 *
 * Threads. The program's main thread initialises SDL, calls
 * ts_gl_presenter_window_attributes, creates the window (SDL_WINDOW_OPENGL)
 * and runs SDL's event loop; it creates and destroys the presenter and the
 * renderer. The context is created, made current, used and deleted on the
 * render thread only (the present callbacks from ts_gl_presenter_callbacks):
 * no other thread ever makes it current or calls GL. A renderer destroyed
 * and created again with the same presenter (new settings) gets a fresh
 * context on its new render thread.
 *
 * Built only when SDL2 and glad are found (TS_WITH_VIEWER). */
#ifndef TS_PRESENT_GL_H
#define TS_PRESENT_GL_H

#include "tessera.h"

#include <SDL.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ts_gl_presenter ts_gl_presenter;

typedef struct ts_gl_presenter_desc {
    SDL_Window *window; /* required: made with SDL_WINDOW_OPENGL */
    bool no_vsync;      /* swap as fast as possible (default: wait for vertical blank) */
    int pbo_count;      /* pixel buffer objects in the upload ring; 0: 16 */
} ts_gl_presenter_desc;

/* Main thread, after SDL_Init and before SDL_CreateWindow: asks for an
 * OpenGL 3.3 core, double-buffered, 8-bit RGB window without depth. */
void ts_gl_presenter_window_attributes(void);

/* Main thread. Nothing is done with GL here. */
ts_result ts_gl_presenter_create(const ts_gl_presenter_desc *desc, ts_gl_presenter **out, ts_error *err);
/* Main thread, after every renderer using it was destroyed. */
void ts_gl_presenter_destroy(ts_gl_presenter *p);

/* The callbacks to put in ts_renderer_desc.present. One renderer at a time
 * may use them. */
ts_present_desc ts_gl_presenter_callbacks(ts_gl_presenter *p);

/* Any thread: the window's drawable size in pixels (SDL_GL_GetDrawableSize
 * on the main thread), which the next frames are drawn to. The frame is
 * scaled to it (nearest texel) when it differs from the frame's size. When
 * the window is resized, call it with the new size, then
 * ts_renderer_resize: the frames still in flight at the old size are
 * scaled to the new window, and the texture follows the frames' size on
 * its own (each tile says which size its frame has). */
void ts_gl_presenter_set_drawable_size(ts_gl_presenter *p, int width, int height);

/* Any thread, before the draw of frame `frame` (the renderer's numbering)
 * starts: read that frame back from the window's back buffer after it is
 * drawn and before it is swapped. */
void ts_gl_presenter_capture(ts_gl_presenter *p, uint32_t frame);
/* After the renderer finished the captured frame (ts_renderer_finish): the
 * pixels read back, 8-bit RGBA, top row first, owned by the presenter; NULL
 * when no frame was captured. */
const uint8_t *ts_gl_presenter_captured(ts_gl_presenter *p, int *width, int *height);

/* Any thread: text drawn over the frames from the next one on, top-left,
 * lines split by '\n' (ASCII; about 2000 characters at most); NULL or ""
 * for none. A screenshot (ts_gl_presenter_capture) shows it too. */
void ts_gl_presenter_set_hud(ts_gl_presenter *p, const char *text);

/* Any thread: the tile view on or off. Each tile is shown tinted by the
 * worker that rendered it (a border in its color) and by its cost (the
 * inside toward that color, more for dearer tiles), and the window is
 * drawn every eighth of a frame's tiles, so the tiles can be seen arriving.
 * Only what is shown changes: the frames the renderer hands on do not. */
void ts_gl_presenter_set_tile_view(ts_gl_presenter *p, bool on);

/* Any thread: whether the render thread met an error (a GL call that
 * failed, a swap that failed); the first one's message goes to err. After
 * an error the presenter does nothing more, and the renderer goes on. */
bool ts_gl_presenter_failed(ts_gl_presenter *p, ts_error *err);

/* After a renderer was created with the callbacks: the GL_RENDERER string
 * ("llvmpipe (LLVM 15.0.6, 256 bits)") and whether the swap interval asked
 * for was set. */
const char *ts_gl_presenter_gl_renderer(ts_gl_presenter *p);
bool ts_gl_presenter_vsync(ts_gl_presenter *p);
/* Any thread: how many frames were drawn from a post-processing backend's
 * texture (frame_texture) rather than from uploaded tiles. */
uint64_t ts_gl_presenter_frames_on_gpu(ts_gl_presenter *p);

#ifdef __cplusplus
}
#endif

#endif
