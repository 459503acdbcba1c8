/* test_window.c — the GL presenter (renderer/present_gl.c) in a real window:
 * one presenter serves renderers made one after another (the tiled path
 * single- and multisampled, on 2 and 1 threads, then the reference path),
 * each making its own context on its own render thread for the same
 * window, as tessera-viewer does when a key changes a setting. The last
 * frame of each, read back from the window, must be the frame a headless
 * renderer of the same settings draws, within 1/255 per channel.
 * Then what the presenter draws over the frames: the HUD (a dark box with
 * text in the top-left corner, the rest of the window untouched) and the
 * tile view (each tile's border in one color, its worker's: tiles of one
 * worker alike, of two workers unlike), while the frames the renderer
 * hands on stay the same.
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
#define HUD_BOTTOM 40 /* one line of the HUD, its box and margins, ends above this row */

/* What the presenter draws besides the frame. */
typedef enum extra { PLAIN, HUD, TILE_VIEW } extra;

static int failures;

static void check(bool ok, const char *what, const char *detail) {
    if (ok) return;
    failures++;
    printf("FAILED %s: %s\n", what, detail);
}

/* The tiles of the captured frame as the renderer handed them on: the
 * presenter's own callbacks, with each tile's rectangle and worker noted
 * on the way (the render thread alone writes it; it is read after
 * ts_renderer_destroy has joined that thread). */
#define MAX_TILES 64
typedef struct tile_log {
    ts_present_desc presenter;
    uint32_t frame;
    int count;
    ts_present_tile tiles[MAX_TILES];
} tile_log;

static ts_result log_begin(void *user, int width, int height, ts_error *err) {
    tile_log *l = user;
    return l->presenter.begin(l->presenter.user, width, height, err);
}
static void log_tile(void *user, const ts_present_tile *t) {
    tile_log *l = user;
    if (t->frame == l->frame && l->count < MAX_TILES) l->tiles[l->count++] = *t;
    l->presenter.tile(l->presenter.user, t);
}
static void log_frame(void *user, const ts_present_frame *f) {
    tile_log *l = user;
    l->presenter.frame(l->presenter.user, f);
}
static void log_end(void *user) {
    tile_log *l = user;
    l->presenter.end(l->presenter.user);
}
static void log_frame_texture(void *user, const ts_present_frame *f, uint32_t texture) {
    tile_log *l = user;
    l->presenter.frame_texture(l->presenter.user, f, texture);
}

/* The color of a tile's border in the window's pixels, when its four
 * corners agree; false when they do not. */
static bool border_color(const uint8_t *px, const ts_present_tile *t, uint8_t color[3]) {
    const int corners[4][2] = {{t->x, t->y}, {t->x + t->w - 1, t->y}, {t->x, t->y + t->h - 1},
                               {t->x + t->w - 1, t->y + t->h - 1}};
    memcpy(color, px + ((size_t)t->y * W + (size_t)t->x) * 4, 3);
    bool same = true;
    for (int k = 1; k < 4; k++)
        same &= memcmp(color, px + ((size_t)corners[k][1] * W + (size_t)corners[k][0]) * 4, 3) == 0;
    return same;
}

/* The tile view: each tile's border is one color, the same for every tile
 * of one worker and another for each worker. Writes what it found to
 * detail; false on a mismatch. */
static bool worker_borders(const uint8_t *px, const tile_log *l, int worst, char *detail, size_t size) {
    int uniform = 0, area = 0, mismatches = 0;
    uint8_t color[MAX_TILES][3];
    bool workers_seen[2] = {false, false};
    for (int i = 0; i < l->count; i++) {
        const ts_present_tile *t = &l->tiles[i];
        uniform += border_color(px, t, color[i]);
        area += t->w * t->h;
        if (t->worker < 2) workers_seen[t->worker] = true;
        for (int j = 0; j < i; j++)
            mismatches += (l->tiles[j].worker == t->worker) != (memcmp(color[j], color[i], 3) == 0);
    }
    snprintf(detail, size,
             "%d tiles covering %d of %d pixels, %d with one border color, %d pairs whose colors "
             "disagree with their workers (workers 0 and 1 seen: %d %d); worst %d/255",
             l->count, area, W * H, uniform, mismatches, workers_seen[0], workers_seen[1], worst);
    return l->count > 0 && area == W * H && uniform == l->count && mismatches == 0 && worst > 64;
}

/* Draws FRAMES turning frames with `desc` through the presenter, reads the
 * last back and compares it with a headless render of the same view. */
static void run(ts_gl_presenter *p, const ts_model *m, ts_renderer_desc desc, extra x, const char *what) {
    ts_error err = {0};
    desc.width = W;
    desc.height = H;
    tile_log log = {.presenter = ts_gl_presenter_callbacks(p), .frame = FRAMES - 1};
    desc.present = log.presenter;
    if (x == TILE_VIEW)
        desc.present = (ts_present_desc){.user = &log, .begin = log_begin, .tile = log_tile, .frame = log_frame,
                                         .end = log_end, .gl_context = log.presenter.gl_context,
                                         .frame_texture = log_frame_texture};
    ts_renderer *r = NULL;
    if (ts_renderer_create(&desc, &r, &err) != TS_OK) {
        check(false, what, err.message);
        return;
    }
    ts_gl_presenter_set_hud(p, x == HUD ? "HUD" : NULL);
    ts_gl_presenter_set_tile_view(p, x == TILE_VIEW);
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
    uint8_t *handed = malloc((size_t)W * H * 4); /* what the renderer hands on */
    if (handed) memcpy(handed, ts_renderer_pixels(r), (size_t)W * H * 4);
    ts_renderer_destroy(r); /* joins the render thread, deletes its context */
    if (ts_gl_presenter_failed(p, &err)) check(false, what, err.message);
    if (!copy || !handed) {
        check(false, what, "no screenshot of the window's size");
        free(copy);
        free(handed);
        return;
    }

    ts_renderer_desc plain = desc;
    plain.present = (ts_present_desc){0};
    ts_renderer *h = NULL;
    if (ts_renderer_create(&plain, &h, &err) != TS_OK || ts_renderer_draw(h, m, &view, &err) != TS_OK) {
        check(false, what, err.message);
    } else {
        const uint8_t *want = ts_renderer_pixels(h);
        check(memcmp(handed, want, (size_t)W * H * 4) == 0, what, "the frames handed on are not headless'");
        /* The window against headless: everywhere (plain), below the HUD. */
        size_t from = x == HUD ? (size_t)HUD_BOTTOM * W * 4 : 0;
        int worst = 0, hud_changed = 0;
        for (size_t i = from; i < (size_t)W * H * 4; i++) {
            int d = abs((int)want[i] - (int)copy[i]);
            worst = d > worst ? d : worst;
        }
        for (size_t i = 0; i < from; i += 4) hud_changed += memcmp(want + i, copy + i, 3) != 0;
        char detail[128];
        if (x != TILE_VIEW) {
            snprintf(detail, sizeof detail, "window differs from headless by %d/255", worst);
            check(worst <= 1, what, detail);
        }
        if (x == HUD) {
            /* The box is opaque and dark: inside its margin, at (8, 8). */
            const uint8_t *box = copy + ((size_t)8 * W + 8) * 4;
            snprintf(detail, sizeof detail, "no HUD: %d pixels above row %d changed, (8, 8) is %d %d %d",
                     hud_changed, HUD_BOTTOM, box[0], box[1], box[2]);
            check(hud_changed > 200 && box[0] < 30 && box[1] < 30 && box[2] < 40, what, detail);
        }
        if (x == TILE_VIEW) {
            char tiles[256];
            check(worker_borders(copy, &log, worst, tiles, sizeof tiles), what, tiles);
            printf("tile view: %s\n", tiles);
        }
        if (!failures) printf("ok %s (worst difference %d/255)\n", what, worst);
    }
    ts_renderer_destroy(h);
    free(copy);
    free(handed);
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
        run(p, &m, (ts_renderer_desc){.threads = 2}, PLAIN, "tiled, 2 threads");
        run(p, &m, (ts_renderer_desc){.threads = 1, .msaa = 4}, PLAIN, "tiled, 1 thread, msaa 4");
        run(p, &m, (ts_renderer_desc){.reference = true}, PLAIN, "reference");
        run(p, &m, (ts_renderer_desc){.threads = 2}, HUD, "HUD over the frame");
        run(p, &m, (ts_renderer_desc){.threads = 2}, TILE_VIEW, "tile view");
        status = failures ? 1 : 0;
        ts_model_free(&m);
    }
    ts_gl_presenter_destroy(p);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return status;
}
