/* tessera.h — the public API of the tessera renderer.
 *
 * Everything hangs off explicit objects (a ts_model, a ts_renderer): there is
 * no global state, so two renderers can live in one process. Creation takes a
 * *_desc struct whose zero value means "default". Every call that can fail on
 * outside input returns a ts_result and fills a ts_error whose message names
 * the file or field and the problem.
 */
#ifndef TESSERA_H
#define TESSERA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "texture.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/* One list of every error: the enum and ts_result_str() come from it. */
#define TS_RESULT_LIST(X)                                                    \
    X(TS_OK, "no error")                                                     \
    X(TS_ERR_INVALID_ARG, "invalid argument")                                \
    X(TS_ERR_OUT_OF_MEMORY, "out of memory")                                 \
    X(TS_ERR_FILE_NOT_FOUND, "file not found")                               \
    X(TS_ERR_IMPORT, "the file could not be imported as a model")           \
    X(TS_ERR_BAD_MODEL, "the model's data is invalid")                       \
    X(TS_ERR_TEXTURE, "a texture could not be loaded")                       \
    X(TS_ERR_TOO_LARGE, "a size is beyond the supported limits")             \
    X(TS_ERR_UNSUPPORTED, "not supported on this machine")                   \
    X(TS_ERR_SYSTEM, "the system refused a resource (thread, memory)")        \
    X(TS_ERR_IO, "a file could not be written")

typedef enum ts_result {
#define TS_X_ENUM(name, text) name,
    TS_RESULT_LIST(TS_X_ENUM)
#undef TS_X_ENUM
    TS_RESULT_COUNT
} ts_result;

/* Static text for a result code; never NULL. */
const char *ts_result_str(ts_result r);

typedef struct ts_error {
    ts_result code;
    char message[512]; /* one line naming the file or field and the problem */
} ts_error;

/* ---- models ------------------------------------------------------------ */

/* The largest frame and model the renderer accepts. The frame limit keeps
 * every screen coordinate inside the fixed-point guard band (raster/fixed.h). */
#define TS_MAX_FRAME_DIM 16384
#define TS_MAX_THREADS 256 /* ts_renderer_desc.threads, and what ts_default_threads gives at most */
#define TS_MAX_MODEL_TRIANGLES (64u * 1024u * 1024u)

typedef struct ts_vertex {
    float pos[3];
    float normal[3];
    float uv[2];
} ts_vertex;

typedef struct ts_material {
    float base_color[4]; /* linear RGBA; alpha < 1 blends source-over */
    int32_t texture;     /* index into ts_model.textures, or -1 */
} ts_material;

/* A run of triangles sharing one material; meshes are drawn in array order
 * and their faces in index order. */
typedef struct ts_mesh {
    uint32_t first_index; /* into ts_model.indices, a multiple of 3 */
    uint32_t index_count; /* a multiple of 3 */
    uint32_t material;    /* index into ts_model.materials */
} ts_mesh;

/* A model owns all its arrays; ts_model_free() releases them. Invariant
 * (checked by ts_model_validate): every index < vertex_count, every position
 * finite, every mesh inside the index buffer, every material index valid. */
typedef struct ts_model {
    ts_vertex *vertices;
    uint32_t vertex_count;
    uint32_t *indices;
    uint32_t index_count;
    ts_mesh *meshes;
    uint32_t mesh_count;
    ts_material *materials;
    uint32_t material_count;
    ts_texture *textures;
    uint32_t texture_count;
} ts_model;

/* Imports a model file with assimp (OBJ, glTF 2.0/GLB, 3DS, PLY, ...),
 * triangulated, smooth normals generated where the file has none, identical
 * vertices joined, node transforms baked in. Base-color textures are loaded
 * with stb_image; a texture that fails to load is reported through `warn`
 * (may be NULL) and the material falls back to its base color.
 *
 * assimp runs in a child process (fork), so a file it crashes or loops on
 * is an error, TS_ERR_IMPORT, and never touches the caller's memory. The
 * child may take 30 s plus 4 s per MiB of the file (TESSERA_IMPORT_TIMEOUT
 * sets other seconds, 0 none) and the renderer's memory limit
 * (TESSERA_MAX_MEMORY, else physical memory). `warn` is called on the
 * calling thread. Several threads may load at once. */
typedef void (*ts_warn_fn)(void *user, const char *message);
ts_result ts_model_load(const char *path, ts_model *out, ts_error *err,
                        ts_warn_fn warn, void *warn_user);

/* Built-in procedural scenes: "cube", "sphere", "sphere-fine" (finely
 * tessellated, for benchmarks where shading dominates), "torus", "quads"
 * (overlapping transparent quads), "checker" (a mipmapped checkerboard plane
 * seen at a grazing angle) and "showcase" (all of them together, with two
 * real models loaded from files Debian packages install: glmark2-data's
 * bunny and assimp-testmodels' textured spider, in the folders CMake's
 * TS_GLMARK2_MODELS and TS_ASSIMP_MODELS name; a missing file is an error
 * naming it). */
ts_result ts_model_builtin(const char *name, ts_model *out, ts_error *err);
/* NULL-terminated list of the names above, for --help and tests. */
const char *const *ts_model_builtin_names(void);

/* Opens "builtin:NAME" with ts_model_builtin and anything else as a file
 * with ts_model_load: how the programs name their models. */
#define TS_BUILTIN_PREFIX "builtin:"
ts_result ts_model_open(const char *spec, ts_model *out, ts_error *err, ts_warn_fn warn,
                        void *warn_user);

/* Checks the invariant above; `name` is used in the message. */
ts_result ts_model_validate(const ts_model *m, const char *name, ts_error *err);
uint32_t ts_model_triangle_count(const ts_model *m);
void ts_model_free(ts_model *m);

/* ---- rendering --------------------------------------------------------- */

#define TS_SHADING_LIST(X)                                                   \
    X(TS_SHADING_STUDIO, "studio")                                           \
    X(TS_SHADING_UNLIT, "unlit")                                             \
    X(TS_SHADING_NORMALS, "normals")                                         \
    X(TS_SHADING_DEPTH, "depth")                                             \
    X(TS_SHADING_TEXTURED, "textured")

typedef enum ts_shading {
#define TS_X_ENUM(name, text) name,
    TS_SHADING_LIST(TS_X_ENUM)
#undef TS_X_ENUM
    TS_SHADING_COUNT
} ts_shading;

const char *ts_shading_name(ts_shading s);
/* Returns false when `name` is not a shading mode. */
bool ts_shading_parse(const char *name, ts_shading *out);

/* SIMD targets of the kernels. */
#define TS_ISA_LIST(X)                                                       \
    X(TS_ISA_AUTO, "auto")                                                   \
    X(TS_ISA_SCALAR, "scalar")                                               \
    X(TS_ISA_SSE4, "sse4")                                                   \
    X(TS_ISA_AVX2, "avx2")                                                   \
    X(TS_ISA_AVX512, "avx512")                                               \
    X(TS_ISA_NEON, "neon")

typedef enum ts_isa {
#define TS_X_ENUM(name, text) name,
    TS_ISA_LIST(TS_X_ENUM)
#undef TS_X_ENUM
    TS_ISA_COUNT
} ts_isa;

const char *ts_isa_name(ts_isa isa);
bool ts_isa_parse(const char *name, ts_isa *out);
/* Whether this CPU runs `isa` (TS_ISA_AUTO: always). */
bool ts_isa_supported(ts_isa isa);
/* The widest target this CPU runs. */
ts_isa ts_isa_best(void);

/* Called once per frame as soon as the frame is complete, with its pixels
 * (8-bit RGBA, top row first, as ts_renderer_pixels) and depth (NULL unless
 * ts_renderer_desc.keep_depth), which stay valid and unchanged during the
 * call. `frame` counts the renderer's draws from 0. It runs on the render
 * thread (see ts_present_desc), right after the present `frame` callback:
 * with the fast path a slow callback holds back the draw two frames later,
 * never the current one; with the reference path ts_renderer_draw returns
 * after it. */
typedef void (*ts_frame_fn)(void *user, uint32_t frame, const uint8_t *rgba, const float *depth,
                            int width, int height);

/* ---- the render thread ------------------------------------------------- */

/* One finished tile, as the render thread receives it. */
typedef struct ts_present_tile {
    uint32_t frame;      /* the frame's number (counts draws from 0) */
    /* The size of the frame the tile belongs to: the renderer's size when
     * that frame was drawn (ts_renderer_resize changes it between frames).
     * Every tile of a frame, and its ts_present_frame, carry the same size;
     * a presenter that keeps a frame-sized texture reallocates it when the
     * first tile of another size arrives, so no tile is ever uploaded into a
     * texture of another size. */
    int frame_width, frame_height;
    int x, y, w, h;      /* the tile's rectangle in the frame, in pixels, top row 0;
                            inside the frame: x + w <= frame_width, y + h <= frame_height.
                            A tile of the frame's 64x64 grid, or on the fast path one of
                            its 32x32 quadrants (a tile heavy enough to be split among the
                            workers); either cut at the frame's edges. A frame's tiles
                            cover it once. */
    const uint8_t *rgba; /* the tile's top-left pixel in the frame target (8-bit RGBA) */
    size_t stride;       /* bytes from one row of the target to the next: frame_width * 4 */
    uint32_t worker;     /* the worker that rendered it (reference path: 0) */
    uint64_t cost_ns;    /* how long the worker spent on it (reference path: 0) */
} ts_present_tile;

/* One complete frame, as the render thread receives it. */
typedef struct ts_present_frame {
    uint32_t frame;
    /* The whole frame, top row first, width * height * 4 bytes; NULL in a
     * frame_texture call (the pixels stayed on the GPU). */
    const uint8_t *rgba;
    const float *depth;  /* NULL unless ts_renderer_desc.keep_depth */
    int width, height;   /* the frame's size, as its tiles' frame_width and frame_height */
    size_t stride;       /* width * 4 */
    uint32_t tiles;      /* how many tile callbacks the frame had */
} ts_present_frame;

/* Code that runs on the renderer's render thread: the one thread that
 * receives the finished tiles and the only one that may own a graphics
 * context (an OpenGL context made current there, a CUDA stream). Every
 * member may be NULL (zero: nothing runs but on_frame).
 *
 * All four callbacks, and on_frame, run on that one thread, which is never
 * the thread that created the renderer, pinned to the last core that
 * thread may run on (its affinity mask). Order:
 *   begin                  once, inside ts_renderer_create, before any tile;
 *   tile ... tile, frame   per frame, in frame order: every tile of the
 *                          frame exactly once (in the order they finish),
 *                          then `frame` once the last has arrived; frame
 *                          N + 1's tiles come after frame N's `frame`;
 *   end                    once, inside ts_renderer_destroy, after the last
 *                          frame, only if begin succeeded.
 * `begin` gets the size the renderer was created with; after
 * ts_renderer_resize the frames drawn from then on have the new size, which
 * each tile (frame_width, frame_height) and frame (width, height) carry:
 * the first tile of a new size is the presenter's notice. Frames of
 * different sizes never interleave (frame N's `frame` comes before frame
 * N + 1's first tile).
 * A tile's pixels are complete when `tile` runs and stay unchanged until
 * its frame's `frame` call returns (the frame target is not reused before);
 * the whole frame is likewise stable during `frame`. Both paths keep this
 * contract: the tiled path calls them from the tile queue's consumer as
 * tiles arrive; the reference path hands each drawn frame to a render
 * thread of its own, which calls `tile` for every tile of it (rows of
 * tiles, top first) and then `frame`, and ts_renderer_draw returns when it
 * is done. A slow callback slows the frames down, but nothing is dropped.
 * The callbacks must not call back into their renderer where it would wait
 * for its render thread: ts_renderer_draw and ts_renderer_resize refuse
 * there (TS_ERR_INVALID_ARG), ts_renderer_finish returns at once,
 * ts_renderer_stats gives zeros, ts_renderer_pixels and ts_renderer_depth
 * give NULL (the callbacks are handed the frame) and ts_renderer_destroy
 * does nothing. Nor may they wait for the thread that draws (a hand-off
 * to a GUI thread that itself draws, resizes or destroys): that thread may
 * be waiting for the render thread, to reuse a frame target.
 *
 * frame_texture (optional, with gl_context): a post-processed frame that
 * never left the GPU. When a GPU post-processing backend runs on the
 * context `begin` made (gl, or cuda through OpenGL interop) and nothing
 * else wants the frame's pixels in host memory (no on_frame), the render
 * thread calls frame_texture instead of the frame's `tile` calls and its
 * `frame`: `texture` names a GL_RGBA8 texture of that context, frame->width
 * x frame->height, texel row y the frame's row y, valid during the call;
 * frame->rgba is NULL and frame->tiles 0. Frames it cannot keep on the GPU
 * (cpu, a backend that fell back, a CUDA device without interop) come
 * through `tile` and `frame` as always; the order above holds either way,
 * a frame_texture call taking a frame's place. */
typedef struct ts_present_desc {
    void *user; /* passed to every callback */
    /* May fail: return an error code and fill `err` (the message names the
     * problem); ts_renderer_create then fails with that code and message,
     * the render thread exits and `end` is not called. */
    ts_result (*begin)(void *user, int width, int height, ts_error *err);
    void (*tile)(void *user, const ts_present_tile *tile);
    void (*frame)(void *user, const ts_present_frame *frame);
    void (*end)(void *user);
    /* `begin` leaves an OpenGL context current on the render thread, with
     * GL loaded through glad (ts_gl_presenter's does): the gl
     * post-processing backend then runs on that context (it needs OpenGL
     * 4.3 there) instead of making a headless one of its own. */
    bool gl_context;
    void (*frame_texture)(void *user, const ts_present_frame *frame, uint32_t texture);
} ts_present_desc;

/* ---- post-processing --------------------------------------------------- */

/* Where the post-processing chain runs (docs/POST.md has its math). */
typedef enum ts_post_backend {
    TS_POST_NONE = 0, /* frames as the raster writes them: linear, clamped, no encoding */
    TS_POST_CPU,      /* on the CPU, on the render thread */
    TS_POST_GL,       /* OpenGL 4.3 compute shaders on the render thread's context */
    TS_POST_CUDA,     /* CUDA kernels on the render thread's stream */
    TS_POST_BACKEND_COUNT
} ts_post_backend;

const char *ts_post_backend_name(ts_post_backend b); /* "none", "cpu", "gl", "cuda" */
bool ts_post_backend_parse(const char *name, ts_post_backend *out);

/* How a GPU backend gets the frame's HDR color. Per tile (the default),
 * each tile is copied as it arrives, so the transfer overlaps the raster of
 * the others; whole frame, the frame is copied in one go after the raster,
 * as a renderer that hands over finished frames would: the benchmark's
 * --sweep compares the two. The cpu backend reads the frame in place. */
typedef enum ts_post_upload {
    TS_POST_UPLOAD_TILES = 0,
    TS_POST_UPLOAD_FRAME,
    TS_POST_UPLOAD_COUNT
} ts_post_upload;

/* The chain, in order: exposure -> bloom (bright pass at half size,
 * separable Gaussian, added back) -> filmic tone map (ACES fit) -> FXAA ->
 * sRGB encode to 8 bits. With a backend other than none the raster keeps
 * linear HDR color (float RGBA) and the chain turns it into the frame's
 * 8-bit pixels. Zero is valid: every stage on, with the defaults below. */
typedef struct ts_post_desc {
    ts_post_backend backend;
    float exposure;        /* linear scale of the HDR color; 0: 1 */
    float bloom_threshold; /* luminance where bloom starts; 0: 1 */
    float bloom_strength;  /* how much of the blurred bright pass is added; 0: 0.3 */
    int bloom_radius;      /* Gaussian radius in half-size pixels, 1..TS_POST_MAX_RADIUS; 0: 8 */
    bool no_bloom, no_tonemap, no_fxaa, no_srgb; /* switch a stage off */
    ts_post_upload upload; /* how a GPU backend gets the frame; 0: per tile */
} ts_post_desc;

/* What a GPU backend runs on, one line (the GL renderer and version; the
 * CUDA device, its driver and runtime), written into out (n bytes, cut to
 * fit and always terminated: 256 hold every line seen); "cpu" for the cpu
 * backend. Makes a small instance of the backend to ask it, so
 * TS_ERR_UNSUPPORTED with the reason when it cannot run here. */
ts_result ts_post_backend_describe(ts_post_backend b, char *out, size_t n, ts_error *err);

#define TS_POST_MAX_RADIUS 32

typedef struct ts_renderer_desc {
    int width;  /* 0: 1920 */
    int height; /* 0: 1080 */
    /* 0 (auto): the TESSERA_ISA environment variable if set (scalar, sse4,
     * avx2, avx512, neon), else the widest target the CPU supports. Asking for a
     * target the CPU lacks is an error. */
    ts_isa isa;
    int threads;    /* workers, the thread calling ts_renderer_draw among them; 0: ts_default_threads() */
    bool reference; /* draw with the scalar single-threaded reference pipeline */
    /* Samples per pixel: 0 or 1 (off) or 4. With 4, coverage and depth are
     * kept per sample (Direct3D's standard 4x positions), each pixel is
     * shaded once at its center, and the samples are averaged when the tile
     * is stored; ts_renderer_depth gives each pixel's nearest sample. */
    int msaa;
    /* Also hand out each frame's depth buffer (ts_renderer_depth, the frame
     * callback). Off, depth lives in the tiles only and the fast path never
     * writes a frame-sized depth buffer: half the memory traffic of storing
     * a frame. */
    bool keep_depth;
    ts_frame_fn on_frame; /* NULL: none */
    void *on_frame_user;
    ts_present_desc present; /* zero: none */
    /* Post-processing (zero: none). A backend that cannot run here (no GPU,
     * no GL driver, not built) falls back to cpu: ts_renderer_post says
     * which runs and why. */
    ts_post_desc post;
    /* The most bytes the frame-sized buffers may take (frame targets, kept
     * depth, HDR color and the post-processing chain's scratch; on the
     * reference path its per-sample buffers): ts_renderer_create and
     * ts_renderer_resize refuse a size that needs more with
     * TS_ERR_OUT_OF_MEMORY, naming the bytes and the limit, before they
     * allocate anything. 0: the TESSERA_MAX_MEMORY environment variable
     * (bytes, or with a K, M or G suffix) if set, else the machine's
     * physical memory (or the cgroup's memory limit when lower). */
    uint64_t max_memory;
} ts_renderer_desc;

typedef struct ts_renderer ts_renderer;

/* The bytes of frame-sized buffers a renderer made from `desc` allocates
 * (what max_memory is compared with); 0 for a size ts_renderer_create
 * refuses. */
uint64_t ts_renderer_frame_memory(const ts_renderer_desc *desc);

ts_result ts_renderer_create(const ts_renderer_desc *desc, ts_renderer **out,
                             ts_error *err);
void ts_renderer_destroy(ts_renderer *r);
/* The size the next frame is drawn at. */
void ts_renderer_size(const ts_renderer *r, int *width, int *height);

/* Changes the frame size for the frames drawn from now on (a window that
 * was resized). Each side must be 1 to TS_MAX_FRAME_DIM (no zero default
 * here): a bad size is refused with TS_ERR_INVALID_ARG or TS_ERR_TOO_LARGE
 * and changes nothing. The same size is a no-op. Call it from the thread
 * that draws, between draws; frames may still be in flight: it first waits,
 * as ts_renderer_finish does, until every frame already drawn has been
 * handed to the present `frame` callback and on_frame, then reallocates
 * what depends on the size (both frame targets, their per-tile state, the
 * binning arrays; the reference path's buffers). All or nothing: when
 * memory runs out it returns TS_ERR_OUT_OF_MEMORY and the renderer keeps
 * its old size and stays usable. The last frame's pixels and depth
 * (ts_renderer_pixels, ts_renderer_depth) are gone after a resize: the
 * buffers read as a cleared frame of the new size until the next draw. */
ts_result ts_renderer_resize(ts_renderer *r, int width, int height, ts_error *err);

/* How one frame looks: the studio setup of the README (model normalised to
 * the unit sphere, rotated by pitch then yaw, camera at (0,0,2.5)). */
typedef struct ts_view_desc {
    ts_shading shading; /* 0: studio */
    float yaw_deg;
    float pitch_deg;
    bool cull_back; /* drop clockwise (back-facing) triangles */
    /* Magnification about the frame's center: 0 (or 1) shows the whole
     * model, 2 twice as large; from TS_MIN_ZOOM to TS_MAX_ZOOM. */
    float zoom;
    /* Moves the picture across the frame (a lens shift: the perspective
     * and the shading stay those of the centered view): pan_x 1 moves it
     * right by half the frame's width, pan_y 1 up by half its height; each
     * from -TS_MAX_PAN to TS_MAX_PAN (0: centered). */
    float pan_x, pan_y;
    /* Draws each triangle's edges, about a pixel wide, over its shading
     * (edges the clipper made, where a triangle crosses the near plane or
     * the guard band, show too). */
    bool wireframe;
} ts_view_desc;

#define TS_MIN_ZOOM 0.01f
#define TS_MAX_ZOOM 100.0f
#define TS_MAX_PAN 100.0f

/* The studio camera and light for a model, a view and a frame size: what
 * the renderer uses, exposed so other programs (an OpenGL comparison, say)
 * can draw exactly the same picture. Matrices are column-major, as GL
 * takes them. */
typedef struct ts_studio {
    float model[16];     /* center, scale to the unit sphere, pitch, then yaw */
    float view_proj[16]; /* camera at eye looking at the origin, 60 deg fov, near 0.1, far 100 */
    float eye[3];        /* (0, 0, 2.5) */
    float view_dir[3];   /* (0, 0, -1) */
    float light_dir[3];  /* normalize(1, 1, 1), toward the light */
    float depth_near, depth_far; /* view distances the depth mode maps to white and black */
} ts_studio;

/* Nothing when m or out is NULL; a size below 1x1 is taken as square. */
void ts_studio_setup(const ts_model *m, const ts_view_desc *view, int width, int height,
                     ts_studio *out);

/* Clears the frame and draws every mesh of `m`. A model that fails
 * ts_model_validate is refused with TS_ERR_BAD_MODEL before anything is
 * drawn. */
ts_result ts_renderer_draw(ts_renderer *r, const ts_model *m,
                           const ts_view_desc *view, ts_error *err);

/* Waits until the last drawn frame is complete: every tile has reached
 * the consumer thread (with the fast path, ts_renderer_draw returns once the
 * workers are done, so the next frame overlaps the last one's hand-over). */
void ts_renderer_finish(ts_renderer *r);

/* Where the last frame's time went, in milliseconds, and what it drew. */
typedef struct ts_frame_stats {
    double vertex_ms;   /* vertex transform */
    double geometry_ms; /* clipping, setup and binning */
    double raster_ms;   /* tile raster, shading, blending, tile store */
    /* The share of the raster phase its workers spent in its jobs: their
     * jobs' time summed, over workers x raster_ms. Below 1 by the time
     * workers had no job left while others still ran theirs (and by the
     * hand-offs at the phase's ends); 0 on the reference path. */
    double raster_busy;
    double queue_ms;    /* from the last tile pushed until the consumer had them all */
    double total_ms;    /* from the start of the draw until the frame was complete */
    double present_ms;  /* in the present callbacks (tile and frame) and on_frame, on the render thread */
    double post_ms;     /* in the post-processing chain (0 without): on the render thread from the last
                         * tile to the frame's pixels (a GPU's frame pending on the device meanwhile), or
                         * for cpu on the fast path on the workers: its phases after the raster, plus its
                         * per-tile part's share of raster_ms (summed over the workers, over their number) */
    /* The post-processing backend's own figures for the frame (0: not
     * measured, or no such stage). GPU backends time them on the device:
     * the host-to-device copies (summed; per tile, mostly hidden behind the
     * raster), the chain's passes, and the read-back of the 8-bit result.
     * The cpu backend has no copies; post_kernel_ms is its chain's time
     * (post_ms's: on the fast path, the part after the raster). */
    double post_upload_ms, post_kernel_ms, post_readback_ms;
    /* The backend that post-processed the frame: the one asked for, cpu
     * once a GPU backend has failed mid-run and given way to it, or
     * TS_POST_NONE (no chain, or none could run). */
    ts_post_backend post_backend;
    /* The post-processed frame went to the presenter as a texture
     * (ts_present_desc.frame_texture), never back to the host: then there
     * is no read-back, and the device figures above are 0. */
    bool post_on_gpu;
    uint64_t triangles; /* triangles set up (after clipping and culling) */
    uint64_t fragments; /* pixels shaded and written (the fast path's; 0 on the reference path) */
} ts_frame_stats;

/* Statistics of the last complete frame (waits for it, as finish does). */
void ts_renderer_stats(ts_renderer *r, ts_frame_stats *out);
/* The worker count of ts_renderer_desc.threads = 0: one per CPU the
 * calling thread may run on (its affinity mask, which taskset or a
 * container's cpuset may make smaller than the machine), fewer when a
 * cgroup's CPU quota (docker --cpus) allows fewer, at most TS_MAX_THREADS. */
int ts_default_threads(void);

/* The resolved SIMD target, worker count and samples per pixel. */
ts_isa ts_renderer_isa(const ts_renderer *r);
int ts_renderer_threads(const ts_renderer *r);
int ts_renderer_msaa(const ts_renderer *r);
/* The post-processing backend that runs, and when it is not the one asked
 * for, why (else ""): "--post cuda: no CUDA device (...); using cpu". */
ts_post_backend ts_renderer_post(const ts_renderer *r, const char **fallback_reason);

/* The last frame as 8-bit RGBA, top row first, width*height*4 bytes, owned
 * by the renderer and valid until the next draw. Each channel is
 * round(clamp(v, 0, 1) * 255) of the linear color, no sRGB encoding; with
 * post-processing, the chain's result. A post-processed frame that went to
 * the presenter as a texture (ts_present_desc.frame_texture) never came back
 * to the host: its pixels here are not the frame's. */
const uint8_t *ts_renderer_pixels(ts_renderer *r);
/* The last frame's depth buffer, width*height floats in [0, 1] (1 where
 * nothing was drawn), top row first; valid until the next draw. NULL when
 * the renderer was created without keep_depth. */
const float *ts_renderer_depth(ts_renderer *r);

/* ---- images ------------------------------------------------------------ */

ts_result ts_png_write(const char *path, int width, int height,
                       const uint8_t *rgba, ts_error *err);
/* Loads a PNG (or anything stb_image reads) as 8-bit RGBA; free with free(). */
ts_result ts_png_read(const char *path, int *width, int *height,
                      uint8_t **rgba, ts_error *err);

#ifdef __cplusplus
}
#endif

#endif
