/* renderer_internal.h — the renderer object and what its two frame paths
 * share (internal to the library):
 *   draw_ref.c    the reference pipeline: scalar, one thread, the oracle;
 *   draw_tiled.c  the fast path: binning, SIMD tile raster, worker threads,
 *                 the tile queue and its consumer thread. */
#ifndef TS_RENDERER_INTERNAL_H
#define TS_RENDERER_INTERNAL_H

#include "error.h"
#include "tessera.h"

#include <pthread.h>

#include "clip.h"
#include "post.h"
#include "setup.h"
#include "shade.h"
#include "memory_budget.h"

typedef struct ts_ref_state ts_ref_state;
typedef struct ts_tiled ts_tiled;

struct ts_renderer {
    int width, height;
    ts_isa isa;       /* resolved: never TS_ISA_AUTO */
    int threads;      /* resolved worker count */
    int samples;      /* per pixel: 1 or TS_MAX_SAMPLES */
    bool keep_depth;  /* hand out each frame's depth */
    ts_frame_fn on_frame;
    void *on_frame_user;
    ts_present_desc present; /* the render thread's callbacks */
    uint32_t frames_drawn; /* reference path: numbers frames for on_frame */
    ts_ref_state *ref; /* set when desc.reference */
    ts_tiled *tiled;   /* set otherwise */
    ts_uniforms *uniforms; /* one per mesh of the model being drawn */
    uint32_t uniforms_cap;
    ts_frame_stats stats;  /* of the last complete frame */
    /* Post-processing: what was asked for, its checked parameters, and
     * which backend the render thread runs (a GPU one that cannot run here
     * falls back to cpu, `post_note` says why). */
    ts_post_desc post;
    ts_post_params post_params;
    ts_post_backend post_active;
    char post_note[1024];
    ts_memory_budget memory; /* checked before every frame-sized allocation */
};

/* What one frame draws: the model, resolved once per draw. */
typedef struct ts_frame_input {
    const ts_model *model;
    ts_studio studio;
    ts_program program;
    ts_cull cull;
    ts_clip_band band;
    ts_uniforms *uniforms; /* one per mesh, owned by the caller */
} ts_frame_input;

/* Resolves `view` for a frame of the renderer's size; `uniforms` must hold
 * model->mesh_count entries. */
void ts_frame_input_init(ts_frame_input *in, const ts_model *m, const ts_view_desc *view, int width,
                         int height, ts_uniforms *uniforms);

/* Vertex stage for vertices [first, first + count): clip position and
 * varyings (TS_VAR_*). */
void ts_frame_transform(const ts_frame_input *in, uint32_t first, uint32_t count, ts_clip_vert *out);

/* The viewport transform of one clip-space vertex inside the clip volume. */
void ts_frame_to_screen(const ts_clip_vert *v, int width, int height, ts_screen_vert *out);

/* Clips one triangle and maps the resulting polygon to the screen:
 * returns its vertex count (fan it from vertex 0), 0 when nothing is left. */
int ts_frame_clip_to_screen(const ts_frame_input *in, const ts_clip_vert tri[3], int width, int height,
                            ts_clip_vert poly[TS_CLIP_MAX_VERTS], ts_screen_vert screen[TS_CLIP_MAX_VERTS]);

/* Decodes an image file held in memory (any format stb_image reads) into a
 * texture with its mip chain; false with the reason in `why`. Model import
 * uses it for embedded images; it is also the texture fuzzer's way in. */
bool ts_texture_from_memory(const uint8_t *bytes, size_t len, ts_texture *tex, char *why, size_t why_size);

/* True unless `bytes` is a PNG whose compressed pixel data is broken: it
 * does not inflate, ends early, or inflates to more than the header's size
 * (renderer/png_check.c says why stb_image is not trusted with that). */
bool ts_png_check(const uint8_t *bytes, size_t len, char *why, size_t why_size);
/* True unless `bytes`, taken as a TGA (no other format's signature), has
 * less pixel data than its header declares (renderer/tga_check.c). */
bool ts_tga_check(const uint8_t *bytes, size_t len, char *why, size_t why_size);

/* True unless `head` (the first head_len bytes of a file of file_size
 * bytes) starts a PLY file whose header never ends, or that declares more
 * elements, or gives a list more items, than the file can hold: assimp
 * loops on those for minutes (renderer/ply_check.c says why). Any other
 * file passes. */
bool ts_ply_check(const uint8_t *head, size_t head_len, uint64_t file_size, char *why, size_t why_size);

/* True unless `head` starts an OFF file (by its keyword, or by its name
 * when `off_name`) whose vertex and face counts are more than the rest of
 * the file can hold (renderer/off_check.c says why). */
bool ts_off_check(const uint8_t *head, size_t head_len, uint64_t file_size, bool off_name, char *why,
                  size_t why_size);

/* The text of a file assimp may read as OpenGEX: OpenDDL tokens, brackets
 * closed in order, and nothing after the last structure's '}' but blanks
 * and comments (renderer/ogex_check.c says why). Fed in pieces of any
 * size: init, feed (false once the text is refused), then end, which
 * says whether the whole passed; `why` holds the reason of a refusal. */
#define TS_OGEX_MAX_DEPTH 256
typedef struct ts_ogex_scan {
    int state, last;
    bool failed;
    unsigned long long line, open_line; /* 1-based; open_line: where a string or comment began */
    unsigned depth;
    uint8_t open[TS_OGEX_MAX_DEPTH]; /* the open brackets, innermost last */
    unsigned long long open_at[TS_OGEX_MAX_DEPTH];
    char why[160];
} ts_ogex_scan;
void ts_ogex_scan_init(ts_ogex_scan *s);
bool ts_ogex_scan_feed(ts_ogex_scan *s, const uint8_t *p, size_t n);
bool ts_ogex_scan_end(ts_ogex_scan *s);

/* ts_model_load in this process: assimp, the checks before and after it,
 * the conversion, ts_model_validate (assets.c). Only the child process of
 * ts_model_load_child runs it, and tests that look at its parts. */
ts_result ts_model_import(const char *path, ts_model *out, ts_error *err, ts_warn_fn warn, void *warn_user);

/* ts_model_load (import_child.c), telling also how its child process
 * ended: `status` as waitpid gives it (-1 when it could not be had), and
 * whether it was stopped at the deadline. */
typedef struct ts_import_end {
    int status;
    bool timed_out;
} ts_import_end;
ts_result ts_model_load_child(const char *path, ts_model *out, ts_error *err, ts_warn_fn warn, void *warn_user,
                              ts_import_end *end);

/* ts_model_validate in two parts (model.c): the structure, every check
 * but the per-vertex and per-index ones (a handful of loads per mesh and
 * material), and whether `count` vertices are all finite. The fast path
 * runs the first at every draw and the second, and the index bound, in its
 * phases. */
ts_result ts_model_check_structure(const ts_model *m, const char *name, ts_error *err);
bool ts_vertices_finite(const ts_vertex *v, uint32_t count);
/* Whether the meshes, one after the other, cover the index array exactly
 * (as every loader and built-in scene makes them): then the fast path,
 * reading the meshes' indices, checks every index. Otherwise it runs the
 * whole ts_model_validate. */
bool ts_model_meshes_cover_indices(const ts_model *m);

/* The scalar program for a shading mode (the reference's). */
ts_shade_fn ts_frame_program(ts_program p);

/* The reference path. */
ts_result ts_ref_create(ts_renderer *r, ts_error *err);
void ts_ref_destroy(ts_ref_state *s);
ts_result ts_ref_draw(ts_renderer *r, const ts_frame_input *in, ts_error *err);
/* Waits for the render thread, then replaces the buffers with ones of the
 * new size; on failure the old ones stay. r->width and height are the old
 * size during the call. */
ts_result ts_ref_resize(ts_renderer *r, int width, int height, ts_error *err);
const uint8_t *ts_ref_pixels(ts_renderer *r);
const float *ts_ref_depth(ts_renderer *r);

/* The tiled path. */
ts_result ts_tiled_create(ts_renderer *r, ts_error *err);
void ts_tiled_destroy(ts_tiled *t);
ts_result ts_tiled_draw(ts_renderer *r, const ts_frame_input *in, ts_error *err);
/* Waits until the consumer has every tile of the last frame. */
void ts_tiled_finish(ts_renderer *r);
/* Waits until both frame targets are handed over, then replaces them (and
 * the per-tile binning arrays) with ones of the new size; on failure the
 * old ones stay. */
ts_result ts_tiled_resize(ts_renderer *r, int width, int height, ts_error *err);
/* What the fast path keeps per tile of the frame, both targets together:
 * their clean masks, raster jobs and split flags, the last frame's costs,
 * and with post-processing on cpu the messages of held tiles. */
uint64_t ts_tiled_tile_bytes(bool post);
const uint8_t *ts_tiled_pixels(ts_renderer *r);
const float *ts_tiled_depth(ts_renderer *r);

/* A frame whose post-processing a GPU is finishing (ts_render_post_start). */
typedef struct ts_render_pending {
    int w, h;
    const float *hdr;
    uint8_t *rgba;
} ts_render_pending;

/* The render thread (present.c), shared by both paths. The start-up
 * handshake: the render thread runs `begin` and reports its result to the
 * thread creating the renderer. */
typedef struct ts_render_start {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int state;
    ts_result code;
    ts_error err;
    /* The post-processing backend the render thread made in `begin` (NULL
     * without post-processing); the render thread's alone after the
     * handshake. Its kind and the fallback note are handed to the
     * renderer by ts_render_start_wait. */
    ts_post *post;
    char post_note[1024];
    /* ts_post_desc.upload asks for the whole frame in one copy: tiles are
     * not handed to the backend, ts_render_post_frame uploads the frame. */
    bool upload_whole_frame;
    /* The last post-processed frame's texture when it stayed on the GPU
     * for the presenter's frame_texture (ts_render_post_frame), else 0. */
    unsigned frame_texture;
    /* The frame ts_render_post_start left pending, until finished: what the
     * cpu chain needs should the GPU fail it. */
    ts_render_pending pending;
} ts_render_start;
void ts_render_start_init(ts_render_start *s);
void ts_render_start_destroy(ts_render_start *s);
/* Creating thread: waits for `begin`; its error, if any, goes to err, and
 * which post backend runs to r->post_active and r->post_note. */
ts_result ts_render_start_wait(ts_render_start *s, ts_renderer *r, ts_error *err);
/* Render thread: name, pin, `begin`, the post backend, report; false when
 * one failed (the thread should then return at once, without calling
 * ts_render_thread_end). */
bool ts_render_thread_begin(const ts_renderer *r, ts_render_start *s);
/* Whether the calling thread is r's render thread: inside on_frame or a
 * present callback, where a call that waits for the render thread would
 * wait for itself. */
bool ts_on_render_thread(const ts_renderer *r);
void ts_render_thread_end(const ts_renderer *r, ts_render_start *s);
/* Render thread: the callbacks; each returns the nanoseconds spent in them. */
uint64_t ts_render_tile(const ts_renderer *r, const ts_present_tile *tile);
uint64_t ts_render_frame(const ts_renderer *r, const ts_present_frame *f);
/* Render thread: every tile of a complete frame to `tile` (rows of tiles,
 * top first), then the frame to `frame` and on_frame; the way frames reach
 * the callbacks when their pixels exist only once the frame is complete
 * (the reference path; post-processing). Returns the nanoseconds spent. */
uint64_t ts_render_whole_frame(const ts_renderer *r, const ts_present_frame *f);
/* Render thread, post-processing: a finished tile of HDR color (rows
 * `stride` floats apart) for the backend, which may upload it at once;
 * then, when the frame is complete, the chain over the whole HDR frame
 * into `rgba`, or, for a presenter with frame_texture and no on_frame, into
 * a texture when the backend can leave it on the GPU (s->frame_texture).
 * ts_render_post_frame returns the nanoseconds the chain took (host clock)
 * and fills *timing with the backend's own figures (post.h; zero where not
 * measured).
 *
 * It is ts_render_post_start and ts_render_post_finish in one. Start
 * returns true when the frame is pending on the GPU (post.h,
 * ts_post_frame_start): `rgba` and *timing are then written by the finish
 * that returns true, which with `wait` false returns false at once while
 * the device is busy. Between the two the render thread may hand the next
 * frame's tiles to ts_render_post_tile, and `hdr` and `rgba` stay as they
 * are (the cpu chain takes over from a GPU that fails). */
void ts_render_post_tile(ts_render_start *s, const float *hdr, size_t stride, int x, int y, int w, int h);
uint64_t ts_render_post_frame(const ts_renderer *r, ts_render_start *s, int w, int h, const float *hdr,
                              uint8_t *rgba, ts_post_timing *timing);
bool ts_render_post_start(const ts_renderer *r, ts_render_start *s, int w, int h, const float *hdr, uint8_t *rgba,
                          ts_post_timing *timing);
bool ts_render_post_finish(const ts_renderer *r, ts_render_start *s, bool wait, ts_post_timing *timing);
/* Render thread: a frame whose pixels exist only once it is complete to
 * the callbacks: as a texture to frame_texture when the last
 * ts_render_post_frame left it on the GPU, else as ts_render_whole_frame.
 * Returns the nanoseconds spent. */
uint64_t ts_render_complete_frame(const ts_renderer *r, ts_render_start *s, const ts_present_frame *f);
/* Copies a frame's post timing into its stats. */
void ts_post_timing_to_stats(const ts_post_timing *t, ts_frame_stats *st);
/* Whether the reference path needs a render thread: something to run on it. */
bool ts_render_thread_needed(const ts_renderer *r);


/* Monotonic clock in nanoseconds. */
uint64_t ts_now_ns(void);

#endif
