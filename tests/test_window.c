/* test_window.c — the GL presenter (renderer/present_gl.c) in a real window:
 * one presenter serves renderers made one after another (the tiled path
 * single- and multisampled, on 2 and 1 threads, then the reference path),
 * each making its own context on its own render thread for the same
 * window, as tessera-viewer does when a key changes a setting. The last
 * frame of each, read back from the window, must be the frame a headless
 * renderer of the same settings draws, within 1/255 per channel.
 *
 * Run on a virtual X server (tests/xvfb_run.sh); without a display or a
 * window it exits 77 (CTest SKIP). */
#define _POSIX_C_SOURCE 200809L

#include "present_gl.h"
#include "tessera.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 192 /* 3 x 2 tiles, the bottom row cut short */
#define H 100
#define FRAMES 4
#define SKIP 77

static int failures;

static void check(bool ok, const char *what, const char *detail) {
    if (ok) return;
    failures++;
    printf("FAILED %s: %s\n", what, detail);
}

/* Draws FRAMES turning frames with `desc` through the presenter, reads the
 * last back and compares it with a headless render of the same view. */
static void run(ts_gl_presenter *p, const ts_model *m, ts_renderer_desc desc, const char *what) {
    ts_error err = {0};
    desc.width = W;
    desc.height = H;
    desc.present = ts_gl_presenter_callbacks(p);
    ts_renderer *r = NULL;
    if (ts_renderer_create(&desc, &r, &err) != TS_OK) {
        check(false, what, err.message);
        return;
    }
    ts_view_desc view = {.pitch_deg = 15.0f};
    for (uint32_t i = 0; i < FRAMES; i++) {
        view.yaw_deg = 11.0f * (float)i;
        if (i + 1 == FRAMES) ts_gl_presenter_capture(p, i);
        if (ts_renderer_draw(r, m, &view, &err) != TS_OK) check(false, what, err.message);
    }
    ts_renderer_finish(r);
    int cw = 0, ch = 0;
    const uint8_t *shot = ts_gl_presenter_captured(p, &cw, &ch);
    uint8_t *copy = shot && cw == W && ch == H ? malloc((size_t)W * H * 4) : NULL;
    if (copy) memcpy(copy, shot, (size_t)W * H * 4);
    ts_renderer_destroy(r); /* joins the render thread, deletes its context */
    if (ts_gl_presenter_failed(p, &err)) check(false, what, err.message);
    if (!copy) {
        check(false, what, "no screenshot of the window's size");
        return;
    }

    ts_renderer_desc plain = desc;
    plain.present = (ts_present_desc){0};
    ts_renderer *h = NULL;
    if (ts_renderer_create(&plain, &h, &err) != TS_OK || ts_renderer_draw(h, m, &view, &err) != TS_OK) {
        check(false, what, err.message);
    } else {
        const uint8_t *want = ts_renderer_pixels(h);
        int worst = 0;
        for (size_t i = 0; i < (size_t)W * H * 4; i++) {
            int d = abs((int)want[i] - (int)copy[i]);
            worst = d > worst ? d : worst;
        }
        char detail[64];
        snprintf(detail, sizeof detail, "window differs from headless by %d/255", worst);
        check(worst <= 1, what, detail);
        if (worst <= 1) printf("ok %s (worst difference %d/255)\n", what, worst);
    }
    ts_renderer_destroy(h);
    free(copy);
}

int main(void) {
    const char *x11 = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if ((!x11 || !*x11) && (!wl || !*wl)) {
        printf("SKIP: no display\n");
        return SKIP;
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        printf("SKIP: SDL_Init: %s\n", SDL_GetError());
        return SKIP;
    }
    ts_gl_presenter_window_attributes();
    SDL_Window *win = SDL_CreateWindow("test_window", 0, 0, W, H, SDL_WINDOW_OPENGL);
    if (!win) {
        printf("SKIP: SDL_CreateWindow: %s\n", SDL_GetError());
        SDL_Quit();
        return SKIP;
    }
    ts_model m;
    ts_error err = {0};
    ts_gl_presenter *p = NULL;
    int status = 0;
    if (ts_model_builtin("showcase", &m, &err) != TS_OK ||
        ts_gl_presenter_create(&(ts_gl_presenter_desc){.window = win, .no_vsync = true, .pbo_count = 3}, &p,
                               &err) != TS_OK) {
        printf("FAILED setup: %s\n", err.message);
        status = 1;
    } else {
        ts_gl_presenter_set_drawable_size(p, W, H);
        run(p, &m, (ts_renderer_desc){.threads = 2}, "tiled, 2 threads");
        run(p, &m, (ts_renderer_desc){.threads = 1, .msaa = 4}, "tiled, 1 thread, msaa 4");
        run(p, &m, (ts_renderer_desc){.reference = true}, "reference");
        status = failures ? 1 : 0;
        ts_model_free(&m);
    }
    ts_gl_presenter_destroy(p);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return status;
}
