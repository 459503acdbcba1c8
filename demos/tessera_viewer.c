/* tessera_viewer.c — tessera-viewer, the interactive demo: a model (or a
 * built-in scene) in an SDL2 window, orbited with the mouse. The main thread
 * owns the window and SDL's event loop and draws frames; the renderer's
 * render thread owns the OpenGL context (renderer/present_gl.c) and puts
 * each tile on screen as it arrives. The window may be resized (the
 * renderer follows its drawable size), minimized (nothing is drawn until it
 * is restored) and closed while frames are in flight. Without a display it
 * renders headless and writes a PNG instead. */
#define _POSIX_C_SOURCE 200809L

#include "present_gl.h"
#include "tessera.h"

#include "cli_args.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "tessera-viewer"
#define MAX_FRAMES 1000000
#define EXIT_NO_WINDOW 77 /* --require-window without a window (CTest SKIP_RETURN_CODE) */
#define DEFAULT_SPIN 0.5  /* degrees of yaw per frame when running until closed */
#define DRAG_DEG_PER_PIXEL 0.4
#define HUD_KEYS "keys: h HUD  v tile view  p post  r reset\n      1-5 shading  w wireframe  m msaa  i isa  t threads"
#define TITLE_EVERY_S 0.5
#define PAUSED_WAIT_MS 100 /* while minimized: how long one wait for events lasts */
#define STORM_SETTLE 3     /* --resize-storm: frames drawn at --size at the end */
#define STORM_PAUSE_WAITS 3 /* --resize-storm: waits spent minimized before the restore */

static void usage(FILE *f) {
    fprintf(f,
            "usage: " PROG " [MODEL] [options]\n"
            "\n"
            "Shows MODEL in a window, drawn by the tile renderer: each finished tile goes\n"
            "to the screen (OpenGL 3.3) as it arrives. MODEL is a file assimp reads (OBJ,\n"
            "glTF 2.0/GLB, 3DS, PLY, ...) or builtin:NAME, NAME one of:");
    for (const char *const *n = ts_model_builtin_names(); *n; n++) fprintf(f, " %s", *n);
    fprintf(f,
            "\n(default builtin:showcase).\n"
            "\n"
            "options:\n"
            "  --size WxH        window size in pixels (default 1280x720, each side 1..%d)\n"
            "  --yaw DEG         starting turn about Y (default 0)\n"
            "  --pitch DEG       starting turn about X, applied before yaw (default 0)\n"
            TS_CLI_ZOOM_HELP
            "  --shading MODE    studio | unlit | normals | depth | textured (default studio)\n"
            "  --cull            drop back-facing (clockwise) triangles\n"
            "  --wireframe       draw the triangles' edges over the shading (key w)\n"
            "  --spin DEG        yaw added per frame (default %g; 0 with --frames)\n"
            "  --isa NAME        SIMD target: auto | scalar | sse4 | avx2 | avx512 | neon\n"
            "  --threads N       worker threads (default: one per core it may run on)\n"
            "  --msaa N          samples per pixel: 1 (default) or 4\n"
            TS_CLI_POST_HELP
            "  --no-vsync        swap without waiting for the vertical blank (to measure)\n"
            "  --hud, --no-hud   show the HUD (frames per second, where the time goes) in\n"
            "                    the frame, or not (default: shown, but not with --frames)\n"
            "  --tile-view       start in the tile view (key v)\n"
            "  --frames N        draw N frames, then exit (default: until the window closes)\n"
            "  --resize-storm K  with --frames: resize the window every K frames through\n"
            "                    sizes from 1x1 up (odd ones too), minimize and restore it\n"
            "                    once, and come back to --size for the last %d frames\n"
            "  --screenshot FILE.png\n"
            "                    with --frames: write the last frame as presented, read back\n"
            "                    from the window\n"
            "  --require-window  exit with status %d when no window can be opened, instead\n"
            "                    of rendering headless\n"
            "  -h, --help        show this help\n"
            "\n"
            "keys and mouse:\n"
            "  drag              orbit (yaw and pitch)     wheel   zoom\n"
            "  right or middle drag, or shift+drag          pan\n"
            "  1 2 3 4 5         studio, unlit, normals, depth, textured shading\n"
            "  m                 multisampling on/off (4x)  i       next SIMD target\n"
            "  t                 worker threads: 1, 2, ... one per core, 1, ...\n"
            "  p                 post-processing: none, cpu, gl, cuda, none, ... (a backend\n"
            "                    that cannot run here falls back to cpu, with a warning)\n"
            "  w                 wireframe on/off\n"
            "  h                 HUD on/off                 v       tile view on/off: each\n"
            "                    tile tinted by its worker (border) and its cost (inside),\n"
            "                    the window drawn as the tiles arrive\n"
            "  space             stop/start spinning        r       reset the view\n"
            "  Escape            quit (as closing the window)\n"
            "\n"
            "The title shows frames per second and where a frame's time goes (vertex,\n"
            "geometry, raster, queue; present: the render thread's uploads, draw and swap).\n"
            "The window can be resized: frames are drawn at its new size from the next one.\n"
            "Without a display (no DISPLAY or WAYLAND_DISPLAY, or SDL cannot open a window\n"
            "or an OpenGL 3.3 context) it says so, renders the frames headless and writes\n"
            "the last one as PNG (--screenshot, or MODEL's name .png).\n",
            TS_MAX_FRAME_DIM, (double)TS_MIN_ZOOM, (double)TS_MAX_ZOOM, DEFAULT_SPIN, STORM_SETTLE,
            EXIT_NO_WINDOW);
}

#define fail(...) ts_cli_fail(PROG, __VA_ARGS__)

/* A post-processing backend that cannot run here was replaced by cpu. */
static void warn_post_fallback(const ts_renderer *r) {
    const char *note;
    ts_renderer_post(r, &note);
    if (note[0]) ts_cli_warn((void *)PROG, note);
}


static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct options {
    const char *model;
    int width, height;
    ts_view_desc view;
    ts_renderer_desc desc; /* isa, threads, msaa */
    double spin;
    bool spin_given;
    bool no_vsync;
    long frames; /* 0: until closed */
    long resize_storm; /* resize the window every this many frames; 0: never */
    const char *screenshot;
    bool require_window;
    int hud; /* 1 shown, 0 hidden, -1 not said: shown unless --frames */
    bool tile_view;
} options;

/* Returns -1 when the arguments are good, else the exit status. */
static int parse(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->model = "builtin:showcase";
    o->width = 1280;
    o->height = 720;
    o->hud = -1;
    bool model_given = false;
    for (int i = 1, took; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--cull")) {
            o->view.cull_back = true;
        } else if (!strcmp(a, "--wireframe")) {
            o->view.wireframe = true;
        } else if (!strcmp(a, "--no-vsync")) {
            o->no_vsync = true;
        } else if (!strcmp(a, "--require-window")) {
            o->require_window = true;
        } else if (!strcmp(a, "--hud") || !strcmp(a, "--no-hud")) {
            o->hud = !strcmp(a, "--hud");
        } else if (!strcmp(a, "--tile-view")) {
            o->tile_view = true;
        } else if (!strcmp(a, "--frames") || !strcmp(a, "--screenshot") || !strcmp(a, "--spin") ||
                   !strcmp(a, "--resize-storm")) {
            if (!val) return ts_cli_usage_fail(PROG, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--spin")) {
                float s;
                if (!ts_cli_parse_float(val, &s)) return fail("--spin %s: not a number", val);
                o->spin = (double)s;
                o->spin_given = true;
            } else if (!strcmp(a, "--frames")) {
                if (!ts_cli_parse_int(val, 1, MAX_FRAMES, &o->frames))
                    return fail("--frames %s: expected a whole number from 1 to %d", val, MAX_FRAMES);
            } else if (!strcmp(a, "--resize-storm")) {
                if (!ts_cli_parse_int(val, 1, MAX_FRAMES, &o->resize_storm))
                    return fail("--resize-storm %s: expected a whole number of frames from 1 to %d", val,
                                MAX_FRAMES);
            } else {
                o->screenshot = val;
            }
        } else if ((took = ts_cli_view_option(PROG, a, val, &o->width, &o->height, &o->view)) != 0 ||
                   (took = ts_cli_renderer_option(PROG, a, val, &o->desc)) != 0 ||
                   (took = ts_cli_post_option(PROG, a, val, &o->desc.post)) != 0) {
            if (took < 0) return -took;
            i += took - 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return ts_cli_usage_fail(PROG, "unknown option %s", a);
        } else if (!model_given) {
            o->model = a;
            model_given = true;
        } else {
            return fail("more than one model given (%s and %s)", o->model, a);
        }
    }
    if (o->screenshot && !o->frames) return fail("--screenshot needs --frames N (the frame to write)");
    if (o->screenshot && ts_cli_same_file(o->screenshot, o->model))
        return fail("--screenshot %s: that is the model's own file", o->screenshot);
    if (o->screenshot && !ts_cli_out_check(PROG, o->screenshot)) return 1;
    if (o->resize_storm && o->frames <= STORM_SETTLE)
        return fail("--resize-storm needs --frames N with N above %d (the last frames come back to --size)",
                    STORM_SETTLE);
    if (!o->spin_given) o->spin = o->frames ? 0.0 : DEFAULT_SPIN;
    if (o->hud < 0) o->hud = !o->frames; /* a screenshot of --frames is the plain frame */
    if (o->view.zoom == 0.0f) o->view.zoom = 1.0f;
    return -1;
}

/* Frame n's yaw: reproducible from the options alone (headless and windowed
 * runs of --frames N draw the same views). */
static float yaw_at(double base, double spin, uint64_t n) { return (float)fmod(base + spin * (double)n, 360.0); }

/* ---- headless ----------------------------------------------------------- */

typedef struct png_job {
    const char *path;
    uint32_t last;
    ts_result res;
    ts_error err;
} png_job;

static void write_last_frame(void *user, uint32_t frame, const uint8_t *rgba, const float *depth, int w, int h) {
    (void)depth;
    png_job *job = user;
    if (frame == job->last) job->res = ts_png_write(job->path, w, h, rgba, &job->err);
}

/* Where a run without a window writes its last frame: --screenshot, else
 * the model's name .png (made in out, `size` bytes). */
static const char *headless_out(const options *o, char *out, size_t size) {
    return o->screenshot ? o->screenshot : ts_cli_default_out(o->model, false, out, size);
}

/* Whether a display is named at all; without one there is no window. */
static bool display_named(void) {
    const char *x11 = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    return (x11 && *x11) || (wl && *wl);
}

/* No window: the frames are drawn as they would have been and the last is
 * written where the screenshot would have gone. */
static int run_headless(const options *o, const ts_model *m, const char *why) {
    char default_out[512];
    const char *out = headless_out(o, default_out, sizeof default_out);
    /* Checked before the model was opened where no display is named; a
     * display that gave no window is known only now. */
    int e = ts_file_out_check(out);
    if (e) return fail("no window (%s), and %s cannot be written (%s)", why, out, strerror(e));
    long frames = o->frames ? o->frames : 1;
    png_job job = {.path = out, .last = (uint32_t)(frames - 1), .res = TS_ERR_INVALID_ARG,
                   .err.message = "the last frame never completed"};
    ts_renderer_desc desc = o->desc;
    desc.width = o->width;
    desc.height = o->height;
    desc.on_frame = write_last_frame;
    desc.on_frame_user = &job;
    ts_renderer *r = NULL;
    ts_error err = {0};
    if (ts_renderer_create(&desc, &r, &err) != TS_OK) return fail("%s", err.message);
    fprintf(stderr, PROG ": no window (%s): rendering %ld frame%s headless to %s\n", why, frames,
            frames == 1 ? "" : "s", out);
    warn_post_fallback(r);
    ts_view_desc view = o->view;
    ts_result res = TS_OK;
    for (long i = 0; i < frames && res == TS_OK; i++) {
        view.yaw_deg = yaw_at((double)o->view.yaw_deg, o->spin, (uint64_t)i);
        res = ts_renderer_draw(r, m, &view, &err);
    }
    ts_renderer_finish(r);
    ts_renderer_destroy(r);
    if (res != TS_OK) return fail("%s", err.message);
    if (job.res != TS_OK) return fail("%s", job.err.message);
    return 0;
}

/* ---- the window ------------------------------------------------------------ */

typedef struct viewer {
    const options *o;
    const ts_model *model;
    SDL_Window *window;
    ts_gl_presenter *presenter;
    ts_renderer *r;
    ts_renderer_desc desc; /* width, height: the size frames are drawn at now */
    uint32_t renderer_frames; /* draws by the current renderer: its frame numbers */
    bool empty;               /* the drawable has no pixels (some systems, minimized) */
    bool resize_warned;
    int resizes, pauses; /* renderer resizes; times drawing stopped for a minimized window */
    bool hud, tile_view;
} viewer;

static ts_result make_renderer(viewer *v, ts_error *err) {
    v->desc.present = ts_gl_presenter_callbacks(v->presenter);
    v->renderer_frames = 0;
    ts_result res = ts_renderer_create(&v->desc, &v->r, err);
    if (res == TS_OK) warn_post_fallback(v->r);
    return res;
}

/* Main thread, after the window's size changed: frames from the next one
 * on are drawn at its drawable size. The presenter learns the new drawable
 * first, so that the frames still in flight are scaled to the new window;
 * ts_renderer_resize waits for them, then reallocates. A drawable without
 * pixels is not drawn to at all. */
static void follow_window_size(viewer *v) {
    int dw = 0, dh = 0;
    SDL_GL_GetDrawableSize(v->window, &dw, &dh);
    v->empty = dw < 1 || dh < 1;
    if (v->empty) return;
    if (dw > TS_MAX_FRAME_DIM) dw = TS_MAX_FRAME_DIM;
    if (dh > TS_MAX_FRAME_DIM) dh = TS_MAX_FRAME_DIM;
    if (dw == v->desc.width && dh == v->desc.height) return;
    ts_gl_presenter_set_drawable_size(v->presenter, dw, dh);
    ts_error err = {0};
    if (ts_renderer_resize(v->r, dw, dh, &err) != TS_OK) {
        /* The renderer keeps its size; the presenter scales its frames to
         * the window. */
        if (!v->resize_warned) fprintf(stderr, PROG ": warning: %s\n", err.message);
        v->resize_warned = true;
        return;
    }
    v->desc.width = dw;
    v->desc.height = dh;
    v->resizes++;
}

/* --resize-storm: the sizes the window goes through, in turn: a single
 * pixel, less than a block, exactly a tile, a pixel past a tile each way,
 * single rows and columns, sizes that cut the last tile row and column. */
static const int storm_sizes[][2] = {{1, 1},   {7, 5},    {64, 64},  {65, 63},   {129, 1},  {1, 97},
                                     {333, 211}, {130, 190}, {257, 129}, {100, 30}, {63, 200}, {192, 128}};
#define STORM_SIZES (int)(sizeof storm_sizes / sizeof storm_sizes[0])

/* Posts a window event as the window manager would (SDL_MinimizeWindow and
 * SDL_RestoreWindow do nothing where no window manager runs, as on Xvfb). */
static void post_window_event(SDL_Window *w, Uint8 event) {
    SDL_Event e = {0};
    e.type = SDL_WINDOWEVENT;
    e.window.windowID = SDL_GetWindowID(w);
    e.window.event = event;
    SDL_PushEvent(&e);
}

/* The next SIMD target this CPU runs after `cur`, wrapping around. */
static ts_isa next_isa(ts_isa cur) {
    for (int k = 1; k < TS_ISA_COUNT; k++) {
        ts_isa cand = (ts_isa)(((int)cur - 1 + k) % (TS_ISA_COUNT - 1) + 1); /* skips TS_ISA_AUTO */
        if (ts_isa_supported(cand)) return cand;
    }
    return cur;
}

/* The title and the HUD: frames per second and where a frame's time goes
 * (fps < 0: not measured yet). */
static void update_status(viewer *v, const ts_view_desc *view, double fps) {
    ts_frame_stats st = {0};
    if (fps >= 0.0) ts_renderer_stats(v->r, &st); /* waits for the last frame: twice a second */
    const char *post_note;
    ts_post_backend post = ts_renderer_post(v->r, &post_note);
    char title[512];
    snprintf(title, sizeof title,
             PROG ": %s | %.1f fps | frame %.2f ms: vertex %.2f, geometry %.2f, raster %.2f, queue %.2f"
                  " | present %.2f ms | post %s %.2f ms | %s, %d threads, msaa %d, %s",
             ts_cli_model_name(v->o->model), fps < 0.0 ? 0.0 : fps, st.total_ms, st.vertex_ms, st.geometry_ms,
             st.raster_ms, st.queue_ms, st.present_ms, ts_post_backend_name(post), st.post_ms,
             ts_isa_name(ts_renderer_isa(v->r)), ts_renderer_threads(v->r), ts_renderer_msaa(v->r),
             ts_shading_name(view->shading));
    SDL_SetWindowTitle(v->window, title);
    if (!v->hud) {
        ts_gl_presenter_set_hud(v->presenter, NULL);
        return;
    }
    char hud[1024];
    snprintf(hud, sizeof hud,
             "%s  %dx%d  %.1f fps%s\n"
             "frame %.2f ms   vertex %.2f  geometry %.2f  raster %.2f  queue %.2f\n"
             "render thread: present %.2f ms  post %.2f ms (%s%s)\n"
             "%s  %d threads  msaa %d  %s shading%s%s\n"
             "%s",
             ts_cli_model_name(v->o->model), v->desc.width, v->desc.height, fps < 0.0 ? 0.0 : fps,
             fps < 0.0 ? " (measuring)" : "", st.total_ms, st.vertex_ms, st.geometry_ms, st.raster_ms,
             st.queue_ms, st.present_ms, st.post_ms, ts_post_backend_name(post),
             post_note[0] ? ", fallen back" : "", ts_isa_name(ts_renderer_isa(v->r)), ts_renderer_threads(v->r),
             ts_renderer_msaa(v->r), ts_shading_name(view->shading), view->wireframe ? "  wireframe" : "",
             v->tile_view ? "  tile view" : "", HUD_KEYS);
    ts_gl_presenter_set_hud(v->presenter, hud);
}

/* The next post-processing backend the p key asks for: none, cpu, gl (on
 * the window's own context), cuda, none, ... */
static ts_post_backend next_post(ts_post_backend cur) {
    return (ts_post_backend)(((int)cur + 1) % TS_POST_BACKEND_COUNT);
}

static int run_window(viewer *v) {
    const options *o = v->o;
    ts_view_desc view = o->view;
    double base_yaw = (double)o->view.yaw_deg, spin = o->spin;
    bool spinning = true, running = true, rebuild = false, status_now = false;
    bool minimized = false, resized = false;
    uint64_t n = 0, spin_frames = 0; /* frames drawn; frames spun */
    uint64_t storm_last = 0;         /* the frame count at the storm's last step */
    int storm_step = 0, paused_waits = 0;
    int cores = ts_default_threads();
    ts_error err = {0};

    v->hud = o->hud;
    v->tile_view = o->tile_view;
    ts_gl_presenter_set_tile_view(v->presenter, v->tile_view);
    update_status(v, &view, -1.0);

    double start = now_s(), title_at = start;
    uint64_t title_frames = 0;
    while (running) {
        if (o->resize_storm && !minimized && n != storm_last) {
            /* Every resize_storm frames the window takes the next size (SDL
             * queues its SIZE_CHANGED at once, handled below, before the
             * next draw); halfway, it is minimized and restored; for the
             * last STORM_SETTLE frames it is back at --size. */
            uint64_t settle_at = (uint64_t)(o->frames - STORM_SETTLE);
            if (n == settle_at) {
                SDL_SetWindowSize(v->window, o->width, o->height);
                storm_last = n;
            } else if (n < settle_at && n % (uint64_t)o->resize_storm == 0) {
                const int *size = storm_sizes[storm_step++ % STORM_SIZES];
                SDL_SetWindowSize(v->window, size[0], size[1]);
                if (storm_step == STORM_SIZES / 2) {
                    SDL_MinimizeWindow(v->window);
                    post_window_event(v->window, SDL_WINDOWEVENT_MINIMIZED);
                }
                storm_last = n;
            }
        }
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            switch (e.type) {
            case SDL_QUIT: running = false; break;
            case SDL_WINDOWEVENT:
                switch (e.window.event) {
                case SDL_WINDOWEVENT_CLOSE: running = false; break;
                case SDL_WINDOWEVENT_SIZE_CHANGED: resized = true; break;
                case SDL_WINDOWEVENT_MINIMIZED:
                case SDL_WINDOWEVENT_HIDDEN:
                    if (!minimized) v->pauses++;
                    minimized = true;
                    break;
                case SDL_WINDOWEVENT_RESTORED:
                case SDL_WINDOWEVENT_MAXIMIZED:
                case SDL_WINDOWEVENT_SHOWN:
                    minimized = false;
                    resized = true; /* the size may have changed meanwhile */
                    break;
                default: break;
                }
                break;
            case SDL_MOUSEMOTION:
                if ((e.motion.state & (SDL_BUTTON_RMASK | SDL_BUTTON_MMASK)) ||
                    ((e.motion.state & SDL_BUTTON_LMASK) && (SDL_GetModState() & KMOD_SHIFT))) {
                    /* Pan: the picture follows the pointer (a pan of 1 is
                     * half the window; motion is in window coordinates). */
                    int ww, wh;
                    SDL_GetWindowSize(v->window, &ww, &wh);
                    float px = view.pan_x + 2.0f * (float)e.motion.xrel / (float)(ww > 0 ? ww : 1);
                    float py = view.pan_y - 2.0f * (float)e.motion.yrel / (float)(wh > 0 ? wh : 1);
                    view.pan_x = fmaxf(-TS_MAX_PAN, fminf(TS_MAX_PAN, px));
                    view.pan_y = fmaxf(-TS_MAX_PAN, fminf(TS_MAX_PAN, py));
                } else if (e.motion.state & SDL_BUTTON_LMASK) {
                    base_yaw += DRAG_DEG_PER_PIXEL * e.motion.xrel;
                    float pitch = view.pitch_deg + (float)(DRAG_DEG_PER_PIXEL * e.motion.yrel);
                    view.pitch_deg = pitch > 90.0f ? 90.0f : pitch < -90.0f ? -90.0f : pitch;
                }
                break;
            case SDL_MOUSEWHEEL: {
                float steps = (float)e.wheel.y * (e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -1.0f : 1.0f);
                float z = view.zoom * powf(1.1f, steps);
                view.zoom = z < TS_MIN_ZOOM ? TS_MIN_ZOOM : z > TS_MAX_ZOOM ? TS_MAX_ZOOM : z;
                break;
            }
            case SDL_KEYDOWN: {
                if (e.key.repeat) break;
                SDL_Keycode k = e.key.keysym.sym;
                if (k == SDLK_ESCAPE) running = false;
                else if (k >= SDLK_1 && k < SDLK_1 + TS_SHADING_COUNT) view.shading = (ts_shading)(k - SDLK_1);
                else if (k == SDLK_m) {
                    v->desc.msaa = ts_renderer_msaa(v->r) > 1 ? 1 : 4;
                    rebuild = true;
                } else if (k == SDLK_i) {
                    v->desc.isa = next_isa(ts_renderer_isa(v->r));
                    rebuild = true;
                } else if (k == SDLK_t) {
                    v->desc.threads = (int)(ts_renderer_threads(v->r) % cores) + 1;
                    rebuild = true;
                } else if (k == SDLK_p) {
                    v->desc.post.backend = next_post(v->desc.post.backend);
                    rebuild = true;
                } else if (k == SDLK_w) {
                    view.wireframe = !view.wireframe;
                    status_now = true;
                } else if (k == SDLK_h) {
                    v->hud = !v->hud;
                    status_now = true;
                } else if (k == SDLK_v) {
                    v->tile_view = !v->tile_view;
                    ts_gl_presenter_set_tile_view(v->presenter, v->tile_view);
                    status_now = true;
                } else if (k == SDLK_SPACE) {
                    spinning = !spinning;
                } else if (k == SDLK_r) {
                    base_yaw = (double)o->view.yaw_deg;
                    spin_frames = 0;
                    view = o->view;
                }
                break;
            }
            default: break;
            }
        }
        if (!running) break;
        if (minimized) {
            /* Nothing is drawn while minimized; the frames in flight finish
             * on their own. Wait for the window to come back (or close). */
            if (o->resize_storm && ++paused_waits == STORM_PAUSE_WAITS) {
                SDL_RestoreWindow(v->window);
                post_window_event(v->window, SDL_WINDOWEVENT_RESTORED);
            }
            SDL_WaitEventTimeout(NULL, PAUSED_WAIT_MS);
            continue;
        }
        if (resized) {
            follow_window_size(v);
            resized = false;
        }
        if (v->empty) {
            SDL_WaitEventTimeout(NULL, PAUSED_WAIT_MS);
            continue;
        }
        if (rebuild) {
            /* New settings: a new renderer (its render thread joins, taking
             * its GL context with it; the next one makes its own). */
            ts_renderer_destroy(v->r);
            v->r = NULL;
            if (make_renderer(v, &err) != TS_OK) return fail("%s", err.message);
            rebuild = false;
            status_now = true;
        }
        if (status_now) {
            /* Settings changed: the HUD says so before the next figures. */
            update_status(v, &view, -1.0);
            status_now = false;
        }
        if (o->frames && n + 1 == (uint64_t)o->frames) {
            if (o->resize_storm && (v->desc.width != o->width || v->desc.height != o->height))
                return fail("--resize-storm: the window did not come back to %dx%d (it is %dx%d)", o->width,
                            o->height, v->desc.width, v->desc.height);
            if (o->screenshot) ts_gl_presenter_capture(v->presenter, v->renderer_frames);
        }
        view.yaw_deg = yaw_at(base_yaw, spin, spin_frames);
        if (ts_renderer_draw(v->r, v->model, &view, &err) != TS_OK) return fail("%s", err.message);
        v->renderer_frames++;
        n++;
        if (spinning) spin_frames++;
        title_frames++;
        if (ts_gl_presenter_failed(v->presenter, &err)) return fail("%s", err.message);
        if (o->frames && n == (uint64_t)o->frames) break;
        double t = now_s();
        if (t - title_at >= TITLE_EVERY_S) {
            update_status(v, &view, (double)title_frames / (t - title_at));
            title_at = t;
            title_frames = 0;
        }
    }
    ts_renderer_finish(v->r);
    double seconds = now_s() - start;
    if (ts_gl_presenter_failed(v->presenter, &err)) return fail("%s", err.message);

    if (o->screenshot) {
        int w, h;
        const uint8_t *px = ts_gl_presenter_captured(v->presenter, &w, &h);
        if (!px) return fail("--screenshot %s: the last frame was not read back", o->screenshot);
        if (ts_png_write(o->screenshot, w, h, px, &err) != TS_OK) return fail("%s", err.message);
    }
    char gl_name[128];
    snprintf(gl_name, sizeof gl_name, "%s", ts_gl_presenter_gl_renderer(v->presenter));
    for (char *c = gl_name; *c; c++)
        if (*c == ' ') *c = '_';
    printf(PROG ": model=%s size=%dx%d frames=%llu resizes=%d pauses=%d fps=%.1f isa=%s threads=%d msaa=%d post=%s"
                " post_on_gpu=%llu vsync=%s gl=%s%s%s\n",
           ts_cli_model_name(o->model), v->desc.width, v->desc.height, (unsigned long long)n, v->resizes, v->pauses,
           seconds > 0 ? (double)n / seconds : 0.0, ts_isa_name(ts_renderer_isa(v->r)), ts_renderer_threads(v->r),
           ts_renderer_msaa(v->r), ts_post_backend_name(ts_renderer_post(v->r, NULL)),
           (unsigned long long)ts_gl_presenter_frames_on_gpu(v->presenter),
           ts_gl_presenter_vsync(v->presenter) ? "on" : "off", gl_name,
           o->screenshot ? " screenshot=" : "", o->screenshot ? o->screenshot : "");
    return 0;
}

/* Opens the window and runs it; returns -1 (with the reason in `why`) when
 * no window could be had, so the caller can fall back, else the exit
 * status. */
static int try_window(const options *o, const ts_model *m, char *why, size_t why_size) {
    const char *x11 = getenv("DISPLAY");
    if (!display_named()) {
        snprintf(why, why_size, "no display: neither DISPLAY nor WAYLAND_DISPLAY is set");
        return -1;
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(why, why_size, "SDL_Init: %s", SDL_GetError());
        return -1;
    }
    /* When no display answers, SDL falls back to drivers that draw nowhere
     * anyone sees: that is no window, unless SDL_VIDEODRIVER asked for it. */
    const char *driver = SDL_GetCurrentVideoDriver(), *asked = getenv("SDL_VIDEODRIVER");
    if (driver && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy")) && !(asked && strstr(asked, driver))) {
        snprintf(why, why_size, "no display: SDL could open none (DISPLAY=%s), only its %s video driver",
                 x11 ? x11 : "", driver);
        SDL_Quit();
        return -1;
    }
    ts_gl_presenter_window_attributes();
    viewer v = {.o = o, .model = m};
    v.window = SDL_CreateWindow(PROG, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width, o->height,
                                SDL_WINDOW_OPENGL | SDL_WINDOW_ALLOW_HIGHDPI | SDL_WINDOW_RESIZABLE);
    if (!v.window) {
        snprintf(why, why_size, "SDL_CreateWindow: %s", SDL_GetError());
        SDL_Quit();
        return -1;
    }
    /* Frames as large as the window's pixels, so each lands 1:1. */
    int dw = o->width, dh = o->height;
    SDL_GL_GetDrawableSize(v.window, &dw, &dh);
    if (dw < 1 || dh < 1 || dw > TS_MAX_FRAME_DIM || dh > TS_MAX_FRAME_DIM) dw = o->width, dh = o->height;
    ts_error err = {0};
    int status = -1;
    ts_gl_presenter_desc pd = {.window = v.window, .no_vsync = o->no_vsync};
    if (ts_gl_presenter_create(&pd, &v.presenter, &err) != TS_OK) {
        status = fail("%s", err.message);
    } else {
        ts_gl_presenter_set_drawable_size(v.presenter, dw, dh);
        v.desc = o->desc;
        v.desc.width = dw;
        v.desc.height = dh;
        if (make_renderer(&v, &err) != TS_OK) {
            /* The context could not be made (begin failed): no window after all. */
            snprintf(why, why_size, "%s", err.message);
        } else {
            printf(PROG ": window %dx%d (SDL video driver %s), OpenGL renderer %s, vsync %s\n", dw, dh,
                   SDL_GetCurrentVideoDriver(), ts_gl_presenter_gl_renderer(v.presenter),
                   ts_gl_presenter_vsync(v.presenter) ? "on" : o->no_vsync ? "off" : "unavailable");
            fflush(stdout);
            status = run_window(&v);
        }
    }
    ts_renderer_destroy(v.r); /* joins the render thread: the context is gone after this */
    ts_gl_presenter_destroy(v.presenter);
    SDL_DestroyWindow(v.window);
    SDL_Quit();
    return status;
}

int main(int argc, char **argv) {
    ts_cli_check_stdout(PROG);
    options o;
    int status = parse(argc, argv, &o);
    if (status >= 0) return status;

    /* A run that will be headless checks its output before the work. */
    char default_out[512];
    if (!o.require_window && !display_named() &&
        !ts_cli_out_check(PROG, headless_out(&o, default_out, sizeof default_out)))
        return 1;

    ts_model model;
    ts_error err = {0};
    if (ts_model_open(o.model, &model, &err, ts_cli_warn, (void *)PROG) != TS_OK) return fail("%s", err.message);

    char why[600] = "";
    status = try_window(&o, &model, why, sizeof why);
    if (status < 0) {
        if (o.require_window) {
            fprintf(stderr, PROG ": no window (%s)\n", why);
            status = EXIT_NO_WINDOW;
        } else {
            status = run_headless(&o, &model, why);
        }
    }
    ts_model_free(&model);
    return status;
}
