/* test_api.c — the public API on hostile input built in memory (what a
 * program embedding the renderer could pass): every call returns an error
 * code with a message naming the problem, and nothing crashes or draws.
 * And what a program relies on of the frames it draws: each frame the same
 * whatever came before it, tiles split by cost, depth only when asked for,
 * the pan, and the depth test's tie rule. */
#include "tessera.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_check.h"

/* A valid one-triangle model over caller-owned arrays. */
typedef struct tri_model {
    ts_vertex v[3];
    uint32_t idx[3];
    ts_mesh mesh;
    ts_material mat;
    ts_model m;
} tri_model;

static void make_tri(tri_model *t) {
    memset(t, 0, sizeof *t);
    const float p[3][3] = {{-1, -1, 0}, {1, -1, 0}, {0, 1, 0}};
    for (int i = 0; i < 3; i++) {
        memcpy(t->v[i].pos, p[i], sizeof p[i]);
        t->v[i].normal[2] = 1.0f;
        t->idx[i] = (uint32_t)i;
    }
    t->mesh = (ts_mesh){0, 3, 0};
    t->mat = (ts_material){{1, 1, 1, 1}, -1};
    t->m = (ts_model){t->v, 3, t->idx, 3, &t->mesh, 1, &t->mat, 1, NULL, 0};
}

/* Draws `m` after a good frame and expects `code` with `words` in the
 * message, and the previous frame's pixels untouched. */
static void expect_refused(ts_renderer *r, const ts_model *m, ts_result code, const char *words) {
    tri_model good;
    make_tri(&good);
    ts_error err = {0};
    CHECK(ts_renderer_draw(r, &good.m, NULL, &err) == TS_OK, "%s", err.message);
    uint8_t before[16 * 16 * 4];
    memcpy(before, ts_renderer_pixels(r), sizeof before);

    ts_result res = ts_renderer_draw(r, m, NULL, &err);
    CHECK(res == code, "got %s (%s), want %s", ts_result_str(res), err.message, ts_result_str(code));
    CHECK(strstr(err.message, words) != NULL, "message \"%s\" lacks \"%s\"", err.message, words);
    CHECK(memcmp(before, ts_renderer_pixels(r), sizeof before) == 0, "a refused draw changed pixels");
}

static void test_bad_models(void) {
    ts_renderer *r = NULL;
    ts_error err = {0};
    CHECK(ts_renderer_create(&(ts_renderer_desc){.width = 16, .height = 16}, &r, &err) == TS_OK,
          "%s", err.message);
    if (!r) return;
    tri_model t;

    make_tri(&t);
    t.v[1].pos[0] = NAN;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "vertex 1");

    make_tri(&t);
    t.v[2].pos[2] = -INFINITY;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "vertex 2");

    make_tri(&t);
    t.idx[2] = 3;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "index");

    make_tri(&t);
    t.idx[0] = UINT32_MAX;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "index");

    make_tri(&t);
    t.mesh.index_count = 6; /* runs past the index buffer */
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "mesh 0");

    make_tri(&t);
    t.mesh.first_index = UINT32_MAX - 2; /* first + count wraps in 32 bits */
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "mesh 0");

    make_tri(&t);
    t.mesh.material = 1;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "material");

    make_tri(&t);
    t.mat.texture = 0; /* no textures */
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "texture");

    make_tri(&t);
    t.m.vertices = NULL;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "vertices");

    /* A texture whose mip chain is not its own: the sampler wraps
     * coordinates by each level's size (a zero one divided by zero). */
    static const uint8_t px[4 * 4 * 4];
    ts_texture tex = {.width = 4, .height = 4, .level_count = 3};
    tex.levels[0] = (ts_texture_level){4, 4, px};
    make_tri(&t);
    t.mat.texture = 0;
    t.m.textures = &tex;
    t.m.texture_count = 1;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "texture 0's level 1 is 0x0");
    tex = (ts_texture){.width = 100000, .height = 4, .level_count = 1};
    tex.levels[0] = (ts_texture_level){100000, 4, px};
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "texture 0 is 100000x4");

    /* An index outside every mesh is still an index of the model: the
     * fast path, which reads only the meshes', must refuse it too. */
    uint32_t idx6[6] = {0, 1, 2, 99, 99, 99};
    make_tri(&t);
    t.m.indices = idx6;
    t.m.index_count = 6;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "index 3 is 99");

    /* Too small to frame: the studio camera's scale is past float's range. */
    make_tri(&t);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) t.v[i].pos[k] *= 1e-39f;
    expect_refused(r, &t.m, TS_ERR_BAD_MODEL, "too small to frame");

    make_tri(&t);
    ts_view_desc view = {.shading = TS_SHADING_COUNT};
    CHECK(ts_renderer_draw(r, &t.m, &view, &err) == TS_ERR_INVALID_ARG, "%s", err.message);
    view = (ts_view_desc){.yaw_deg = NAN};
    CHECK(ts_renderer_draw(r, &t.m, &view, &err) == TS_ERR_INVALID_ARG, "%s", err.message);

    ts_renderer_destroy(r);
}

/* Meshes that overlap draw their triangles again: 65 meshes over the same
 * 2^20 triangles draw more than TS_MAX_MODEL_TRIANGLES (and, at 4096, more
 * than 32 bits count). Refused on both paths, not drawn in part. */
static void test_overlapping_meshes(void) {
    enum { TRIS = 1 << 20, MESHES = 65 };
    uint32_t *idx = calloc(3 * (size_t)TRIS, sizeof *idx);
    ts_mesh *meshes = calloc(MESHES, sizeof *meshes);
    CHECK(idx && meshes, "out of memory");
    if (!idx || !meshes) goto done;
    tri_model t;
    make_tri(&t);
    for (int k = 0; k < MESHES; k++) meshes[k] = (ts_mesh){0, 3 * TRIS, 0};
    ts_model m = t.m;
    m.indices = idx;
    m.index_count = 3 * TRIS;
    m.meshes = meshes;
    m.mesh_count = MESHES;
    ts_error err = {0};
    CHECK(ts_model_validate(&m, "overlap", &err) == TS_ERR_TOO_LARGE && strstr(err.message, "meshes draw"),
          "65 overlapping meshes: %s", err.message);
    for (int reference = 0; reference <= 1; reference++) {
        ts_renderer *r = NULL;
        CHECK(ts_renderer_create(&(ts_renderer_desc){.width = 16, .height = 16, .reference = reference}, &r, &err) ==
                  TS_OK, "%s", err.message);
        if (!r) continue;
        CHECK(ts_renderer_draw(r, &m, NULL, &err) == TS_ERR_TOO_LARGE, "reference %d: %s", reference, err.message);
        ts_renderer_destroy(r);
    }
done:
    free(idx);
    free(meshes);
}

/* A strip of GRID_TRIS triangles over GRID_VERTS vertices: enough that the
 * fast path checks it in several vertex chunks and geometry batches, so a
 * bad element far into the buffers is found by a later job, not the first. */
enum { GRID_VERTS = 20002, GRID_TRIS = GRID_VERTS - 2 };
typedef struct grid_model {
    ts_vertex v[GRID_VERTS];
    uint32_t idx[3 * GRID_TRIS];
    ts_mesh mesh;
    ts_material mat;
    ts_model m;
} grid_model;

static void make_grid(grid_model *g) {
    memset(g, 0, sizeof *g);
    for (uint32_t i = 0; i < GRID_VERTS; i++) {
        g->v[i].pos[0] = -1.0f + 2.0f * (float)(i / 2) / (GRID_VERTS / 2);
        g->v[i].pos[1] = i % 2 ? 0.5f : -0.5f;
        g->v[i].normal[2] = 1.0f;
    }
    for (uint32_t t = 0; t < GRID_TRIS; t++)
        for (uint32_t k = 0; k < 3; k++) g->idx[3 * t + k] = t + k;
    g->mesh = (ts_mesh){0, 3 * GRID_TRIS, 0};
    g->mat = (ts_material){{1, 1, 1, 1}, -1};
    g->m = (ts_model){g->v, GRID_VERTS, g->idx, 3 * GRID_TRIS, &g->mesh, 1, &g->mat, 1, NULL, 0};
}

/* The fast path checks vertices and indices in its phases, on the workers
 * (renderer/model.c): a bad one anywhere is refused with the message the
 * whole check gives, the frame before stays the last one, and the next
 * draw is a normal frame; the reference path refuses the same models. */
static void test_bad_models_far_in(void) {
    static grid_model g;
    const bool reference[] = {false, true};
    for (int p = 0; p < 2; p++) {
        ts_renderer *r = NULL;
        ts_error err = {0};
        ts_renderer_desc desc = {.width = 16, .height = 16, .threads = 2, .reference = reference[p]};
        CHECK(ts_renderer_create(&desc, &r, &err) == TS_OK, "%s", err.message);
        if (!r) continue;

        make_grid(&g);
        g.v[GRID_VERTS - 3].normal[1] = NAN; /* in no triangle's view: still refused */
        expect_refused(r, &g.m, TS_ERR_BAD_MODEL, "vertex 19999 has a non-finite normal");
        make_grid(&g);
        g.v[15000].uv[0] = INFINITY;
        expect_refused(r, &g.m, TS_ERR_BAD_MODEL, "vertex 15000 has a non-finite texture coordinate");
        make_grid(&g);
        g.idx[3 * 17000 + 1] = GRID_VERTS;
        expect_refused(r, &g.m, TS_ERR_BAD_MODEL, "index 51001 of mesh 0 is 20002");

        /* After the refusals, the grid draws as it does on a fresh renderer. */
        make_grid(&g);
        uint8_t after[16 * 16 * 4], fresh[16 * 16 * 4];
        CHECK(ts_renderer_draw(r, &g.m, NULL, &err) == TS_OK, "%s", err.message);
        memcpy(after, ts_renderer_pixels(r), sizeof after);
        ts_renderer_destroy(r);
        r = NULL;
        CHECK(ts_renderer_create(&desc, &r, &err) == TS_OK, "%s", err.message);
        if (!r) continue;
        CHECK(ts_renderer_draw(r, &g.m, NULL, &err) == TS_OK, "%s", err.message);
        memcpy(fresh, ts_renderer_pixels(r), sizeof fresh);
        CHECK(memcmp(after, fresh, sizeof after) == 0, "%s: a draw after refused ones differs from a fresh one",
              reference[p] ? "reference" : "tiled");
        ts_renderer_destroy(r);
    }
}

static void test_bad_sizes(void) {
    ts_renderer *r = (ts_renderer *)&r; /* must be reset to NULL on failure */
    ts_error err = {0};
    CHECK(ts_renderer_create(&(ts_renderer_desc){.width = -1, .height = 10}, &r, &err) ==
              TS_ERR_INVALID_ARG, "%s", err.message);
    CHECK(r == NULL, "handle not cleared");
    CHECK(ts_renderer_create(&(ts_renderer_desc){.width = TS_MAX_FRAME_DIM + 1, .height = 10}, &r,
                             &err) == TS_ERR_TOO_LARGE, "%s", err.message);
    CHECK(strstr(err.message, "16385x10") != NULL, "message: %s", err.message);
    for (int msaa = -1; msaa <= 8; msaa++) {
        if (msaa == 0 || msaa == 1 || msaa == 4) continue;
        CHECK(ts_renderer_create(&(ts_renderer_desc){.width = 8, .height = 8, .msaa = msaa}, &r, &err) ==
                  TS_ERR_INVALID_ARG && strstr(err.message, "msaa") != NULL,
              "msaa %d: %s", msaa, err.message);
    }
    CHECK(ts_renderer_create(&(ts_renderer_desc){.width = 10, .height = 1 << 30}, &r, &err) ==
              TS_ERR_TOO_LARGE, "%s", err.message);

    /* Zero means default. */
    CHECK(ts_renderer_create(NULL, &r, &err) == TS_OK, "%s", err.message);
    int w = 0, h = 0;
    if (r) ts_renderer_size(r, &w, &h);
    CHECK(w == 1920 && h == 1080, "default size %dx%d", w, h);
    ts_renderer_destroy(r);
    ts_renderer_destroy(NULL); /* allowed, like free(NULL) */

    ts_model m;
    CHECK(ts_model_builtin("nope", &m, &err) == TS_ERR_INVALID_ARG, "%s", err.message);
    CHECK(ts_model_load("/nonexistent/x.obj", &m, &err, NULL, NULL) == TS_ERR_FILE_NOT_FOUND, "%s",
          err.message);
    CHECK(m.vertices == NULL && m.vertex_count == 0, "failed load left data behind");
    ts_model_free(&m); /* safe on what a failed load leaves */
}

static void test_names(void) {
    for (int s = 0; s < TS_SHADING_COUNT; s++) {
        ts_shading back;
        CHECK(ts_shading_parse(ts_shading_name((ts_shading)s), &back) && back == (ts_shading)s,
              "shading %d does not round-trip", s);
    }
    ts_shading dummy;
    CHECK(!ts_shading_parse("glossy", &dummy), "unknown mode accepted");
    /* NULL is no name, and no place to put one. */
    ts_isa isa;
    ts_post_backend backend;
    CHECK(!ts_shading_parse(NULL, &dummy) && !ts_shading_parse("studio", NULL), "shading parse of NULL");
    CHECK(!ts_isa_parse(NULL, &isa) && !ts_isa_parse("scalar", NULL), "isa parse of NULL");
    CHECK(!ts_post_backend_parse(NULL, &backend) && !ts_post_backend_parse("cpu", NULL), "backend parse of NULL");
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin(NULL, &m, &err) == TS_ERR_INVALID_ARG && strstr(err.message, "no scene name"), "%s",
          err.message);
    CHECK(ts_model_builtin("cube", NULL, &err) == TS_ERR_INVALID_ARG, "%s", err.message);
    CHECK(ts_model_open(NULL, &m, &err, NULL, NULL) == TS_ERR_INVALID_ARG, "%s", err.message);
    /* An empty path is said to be one (the message had nothing to name). */
    CHECK(ts_model_open("", &m, &err, NULL, NULL) == TS_ERR_INVALID_ARG && strstr(err.message, "an empty path"),
          "%s", err.message);
    int pw, ph;
    uint8_t *px = NULL;
    CHECK(ts_png_read("", &pw, &ph, &px, &err) == TS_ERR_INVALID_ARG && strstr(err.message, "an empty path"), "%s",
          err.message);
    CHECK(ts_png_write("", 1, 1, (const uint8_t[4]){0}, &err) == TS_ERR_INVALID_ARG &&
              strstr(err.message, "an empty path"),
          "%s", err.message);
    /* The accessors on no renderer: nothing, not a crash. */
    int w = -1, h = -1;
    ts_renderer_size(NULL, &w, &h);
    CHECK(w == 0 && h == 0, "size of no renderer %dx%d", w, h);
    CHECK(ts_renderer_pixels(NULL) == NULL && ts_renderer_depth(NULL) == NULL, "pixels of no renderer");
    CHECK(ts_renderer_post(NULL, NULL) == TS_POST_NONE, "post of no renderer");
    ts_renderer_finish(NULL);
    ts_frame_stats st = {.triangles = 7};
    ts_renderer_stats(NULL, &st);
    CHECK(st.triangles == 0, "stats of no renderer");
    for (int c = 0; c < TS_RESULT_COUNT; c++)
        CHECK(ts_result_str((ts_result)c)[0] != '\0', "empty text for result %d", c);
    CHECK(strcmp(ts_result_str((ts_result)999), "unknown error") == 0, "out-of-range result");
}

/* The frame callback runs once per draw, in order, with exactly the frame
 * ts_renderer_pixels and ts_renderer_depth then return, on both paths. */
typedef struct frames_seen {
    int calls;
    uint32_t next;
    bool out_of_order;
    int width, height;
    uint8_t rgba[64 * 48 * 4];
    float depth[64 * 48];
} frames_seen;

static void on_frame(void *user, uint32_t frame, const uint8_t *rgba, const float *depth, int w, int h) {
    /* The consumer thread: record only; the drawing thread checks after
     * waiting for the last frame, which orders these writes before it. */
    frames_seen *f = user;
    if (frame != f->next) f->out_of_order = true;
    f->next = frame + 1;
    f->calls++;
    f->width = w;
    f->height = h;
    if (w == 64 && h == 48) {
        memcpy(f->rgba, rgba, sizeof f->rgba);
        memcpy(f->depth, depth, sizeof f->depth);
    }
}

static void test_frame_callback(void) {
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin("torus", &m, &err) == TS_OK, "%s", err.message);
    for (int reference = 0; reference <= 1; reference++) {
        static frames_seen seen;
        memset(&seen, 0, sizeof seen);
        ts_renderer_desc d = {.width = 64, .height = 48, .threads = 2, .reference = reference, .keep_depth = true,
                              .on_frame = on_frame, .on_frame_user = &seen};
        ts_renderer *r = NULL;
        CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "%s", err.message);
        if (!r) continue;
        for (int i = 0; i < 5; i++) {
            ts_view_desc view = {.yaw_deg = 20.0f * (float)i};
            CHECK(ts_renderer_draw(r, &m, &view, &err) == TS_OK, "%s", err.message);
        }
        const uint8_t *px = ts_renderer_pixels(r); /* waits for the last frame */
        const float *z = ts_renderer_depth(r);
        CHECK(!seen.out_of_order, "frames numbered out of order");
        CHECK(seen.calls == 5, "%s: %d calls for 5 frames", reference ? "reference" : "tiled", seen.calls);
        CHECK(seen.width == 64 && seen.height == 48, "size %dx%d", seen.width, seen.height);
        CHECK(memcmp(seen.rgba, px, sizeof seen.rgba) == 0, "callback pixels differ from the frame's");
        CHECK(memcmp(seen.depth, z, sizeof seen.depth) == 0, "callback depth differs from the frame's");
        ts_renderer_destroy(r);
    }
    ts_model_free(&m);
}

/* Calls back into the renderer from on_frame, on its render thread: those
 * that would wait for that thread are refused or return at once, on both
 * paths, rather than deadlock. */
typedef struct reentry {
    ts_renderer *r;
    const ts_model *m;
    int calls;
    ts_result draw, resize;
    char message[512];
    uint32_t stats_triangles;
    bool pixels, depth; /* what ts_renderer_pixels and _depth gave was not NULL */
} reentry;

static void reenter(void *user, uint32_t frame, const uint8_t *rgba, const float *depth, int w, int h) {
    (void)frame, (void)rgba, (void)depth, (void)w, (void)h;
    reentry *e = user;
    ts_error err = {0};
    e->calls++;
    e->draw = ts_renderer_draw(e->r, e->m, NULL, &err);
    snprintf(e->message, sizeof e->message, "%s", err.message);
    e->resize = ts_renderer_resize(e->r, 8, 8, &err);
    ts_renderer_finish(e->r);
    ts_frame_stats st = {.triangles = 7};
    ts_renderer_stats(e->r, &st);
    e->stats_triangles = st.triangles;
    e->pixels = ts_renderer_pixels(e->r) != NULL;
    e->depth = ts_renderer_depth(e->r) != NULL;
    ts_renderer_destroy(e->r); /* does nothing here */
}

static void test_on_render_thread(void) {
    tri_model t;
    make_tri(&t);
    for (int reference = 0; reference <= 1; reference++) {
        static reentry e;
        memset(&e, 0, sizeof e);
        e.m = &t.m;
        ts_renderer_desc d = {.width = 16, .height = 16, .reference = reference, .keep_depth = true,
                              .on_frame = reenter, .on_frame_user = &e};
        ts_error err = {0};
        CHECK(ts_renderer_create(&d, &e.r, &err) == TS_OK, "%s", err.message);
        if (!e.r) continue;
        CHECK(ts_renderer_draw(e.r, &t.m, NULL, &err) == TS_OK, "%s", err.message);
        ts_renderer_finish(e.r); /* orders the callback's writes before the reads below */
        CHECK(e.calls == 1, "reference %d: %d frames", reference, e.calls);
        CHECK(e.draw == TS_ERR_INVALID_ARG && strstr(e.message, "render thread"), "reference %d: draw gave %d '%s'",
              reference, (int)e.draw, e.message);
        CHECK(e.resize == TS_ERR_INVALID_ARG, "reference %d: resize gave %d", reference, (int)e.resize);
        CHECK(e.stats_triangles == 0, "reference %d: stats on the render thread", reference);
        CHECK(!e.pixels && !e.depth, "reference %d: pixels %d, depth %d on the render thread", reference, e.pixels,
              e.depth);
        CHECK(ts_renderer_pixels(e.r) && ts_renderer_depth(e.r), "reference %d: no pixels or depth off it",
              reference);
        int w = 0, h = 0;
        ts_renderer_size(e.r, &w, &h);
        CHECK(w == 16 && h == 16, "reference %d: resized to %dx%d from the render thread", reference, w, h);
        ts_renderer_destroy(e.r);
    }
}

/* A presenter that says it makes an OpenGL context current
 * (present.gl_context) but has no begin: the gl backend cannot start on
 * it, and the renderer falls back to cpu, saying why, instead of calling
 * GL through NULL pointers. */
static void test_gl_context_promised(void) {
    ts_renderer_desc d = {.width = 16, .height = 16, .present.gl_context = true, .post.backend = TS_POST_GL};
    ts_renderer *r = NULL;
    ts_error err = {0};
    CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "%s", err.message);
    if (!r) return;
    const char *note = "";
    CHECK(ts_renderer_post(r, &note) == TS_POST_CPU && note[0], "backend %s, note '%s'",
          ts_post_backend_name(ts_renderer_post(r, NULL)), note);
    printf("gl_context without a context: %s\n", note);
    CHECK(!strstr(note, "post gl") || strstr(note, "no OpenGL context is current"), "note '%s'", note);
    ts_renderer_destroy(r);
}

/* The renderer settings the frame-sequence tests go through: with and
 * without multisampling, and with post-processing on cpu, its chain fused
 * into the tile store (no bloom, no FXAA) or with the phases that hold
 * tiles. */
static const struct {
    int msaa;
    ts_post_desc post;
} runs[] = {
    {1, {0}},
    {4, {0}},
    {1, {.backend = TS_POST_CPU, .exposure = 3.0f, .no_bloom = true, .no_fxaa = true}},
    {4, {.backend = TS_POST_CPU, .exposure = 3.0f, .no_bloom = true, .no_fxaa = true}},
    {1, {.backend = TS_POST_CPU, .exposure = 3.0f}},
};
#define RUN_COUNT (sizeof runs / sizeof runs[0])

/* Whether two renderers' last frames (w x h, depth kept) are the same, bit
 * for bit; `what` names the frame in a failure. */
static void check_same_frame(ts_renderer *a, ts_renderer *b, int w, int h, const char *what) {
    size_t n = (size_t)w * (size_t)h;
    CHECK(memcmp(ts_renderer_pixels(a), ts_renderer_pixels(b), n * 4) == 0, "%s: pixels differ", what);
    CHECK(memcmp(ts_renderer_depth(a), ts_renderer_depth(b), n * sizeof(float)) == 0, "%s: depth differs", what);
}

/* A frame is the same whatever came before it: a renderer drawing a
 * sequence of different frames (the two frame targets keep what earlier
 * frames left where nothing is drawn now) gives each frame exactly as a new
 * renderer drawing it alone does, in every one of `runs`. */
static void test_frames_independent(void) {
    static const char *const names[] = {"torus", "cube", "torus", "quads", "cube", "torus"};
    enum { N = sizeof names / sizeof names[0], W = 150, H = 100 };
    ts_model m[N];
    ts_error err = {0};
    for (int i = 0; i < N; i++) CHECK(ts_model_builtin(names[i], &m[i], &err) == TS_OK, "%s", err.message);
    for (size_t run = 0; run < RUN_COUNT; run++) {
        int msaa = runs[run].msaa;
        ts_renderer_desc d = {.width = W, .height = H, .threads = 2, .msaa = msaa, .keep_depth = true,
                              .post = runs[run].post};
        ts_renderer *seq = NULL, *alone = NULL;
        CHECK(ts_renderer_create(&d, &seq, &err) == TS_OK, "%s", err.message);
        for (int i = 0; seq && i < N; i++) {
            ts_view_desc view = {.yaw_deg = 50.0f * (float)i, .pitch_deg = 10.0f * (float)(i % 3)};
            CHECK(ts_renderer_draw(seq, &m[i], &view, &err) == TS_OK, "%s", err.message);
            CHECK(ts_renderer_create(&d, &alone, &err) == TS_OK, "%s", err.message);
            if (!alone) break;
            CHECK(ts_renderer_draw(alone, &m[i], &view, &err) == TS_OK, "%s", err.message);
            char what[96];
            snprintf(what, sizeof what, "run %zu frame %d (%s), against the frame drawn alone", run, i, names[i]);
            check_same_frame(seq, alone, W, H, what);
            ts_renderer_destroy(alone);
            alone = NULL;
        }
        ts_renderer_destroy(seq);
    }
    for (int i = 0; i < N; i++) ts_model_free(&m[i]);
}

/* A tile that took a large share of the last frame's raster is rastered as
 * its quadrants on the next (draw_tiled.c, plan_jobs): a small model in the
 * middle of one tile makes that tile nearly all of it. Frames of a renderer
 * on 2 workers, which splits it, equal those of one on 1 worker, which
 * never splits, through a sequence that splits, joins (a model over the
 * whole frame) and splits again, in every one of `runs`. */
static uint32_t split_frame_tiles; /* the last frame's tile count */
static void count_tiles(void *user, const ts_present_frame *f) {
    (void)user;
    split_frame_tiles = f->tiles;
}

static void test_split_tiles(void) {
    enum { W = 192, H = 192, TILES = 9, N = 7 };
    ts_model small, big;
    ts_error err = {0};
    CHECK(ts_model_builtin("torus", &small, &err) == TS_OK, "%s", err.message);
    CHECK(ts_model_builtin("cube", &big, &err) == TS_OK, "%s", err.message);
    for (size_t run = 0; run < RUN_COUNT; run++) {
        ts_renderer_desc d = {.width = W, .height = H, .msaa = runs[run].msaa, .keep_depth = true,
                              .post = runs[run].post};
        ts_renderer_desc two = d, one = d;
        two.threads = 2;
        two.present.frame = count_tiles;
        one.threads = 1;
        ts_renderer *r2 = NULL, *r1 = NULL;
        CHECK(ts_renderer_create(&two, &r2, &err) == TS_OK, "%s", err.message);
        CHECK(ts_renderer_create(&one, &r1, &err) == TS_OK, "%s", err.message);
        int split_frames = 0;
        for (int i = 0; r1 && r2 && i < N; i++) {
            bool whole = i == 3 || i == 4; /* the cube over the frame: no tile stands out */
            ts_view_desc view = {.yaw_deg = 25.0f * (float)i, .pitch_deg = 20.0f, .zoom = whole ? 1.0f : 0.2f};
            const ts_model *m = whole ? &big : &small;
            CHECK(ts_renderer_draw(r2, m, &view, &err) == TS_OK, "%s", err.message);
            CHECK(ts_renderer_draw(r1, m, &view, &err) == TS_OK, "%s", err.message);
            char what[96];
            snprintf(what, sizeof what, "run %zu frame %d, against one worker's", run, i);
            check_same_frame(r2, r1, W, H, what);
            ts_renderer_finish(r2); /* its frame callback has run */
            split_frames += split_frame_tiles > TILES;
        }
        /* The small model's frames after the first of each spell: 1, 2, 6. */
        CHECK(split_frames >= 3, "run %zu: a tile was split in %d frames", run, split_frames);
        ts_renderer_destroy(r2);
        ts_renderer_destroy(r1);
    }
    ts_model_free(&small);
    ts_model_free(&big);
}

/* Without keep_depth no depth is handed out (NULL from ts_renderer_depth
 * and to the frame callback) and the pixels are the same. */
static void depth_seen(void *user, uint32_t frame, const uint8_t *rgba, const float *depth, int w, int h) {
    (void)frame, (void)rgba, (void)w, (void)h;
    if (depth) *(bool *)user = true;
}

static void test_depth_optional(void) {
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin("torus", &m, &err) == TS_OK, "%s", err.message);
    for (int reference = 0; reference <= 1; reference++) {
        static bool got_depth;
        got_depth = false;
        ts_renderer_desc with = {.width = 96, .height = 64, .reference = reference, .keep_depth = true};
        ts_renderer_desc without = {.width = 96, .height = 64, .reference = reference,
                                    .on_frame = depth_seen, .on_frame_user = &got_depth};
        ts_renderer *a = NULL, *b = NULL;
        CHECK(ts_renderer_create(&with, &a, &err) == TS_OK, "%s", err.message);
        CHECK(ts_renderer_create(&without, &b, &err) == TS_OK, "%s", err.message);
        if (a && b) {
            CHECK(ts_renderer_draw(a, &m, NULL, &err) == TS_OK, "%s", err.message);
            CHECK(ts_renderer_draw(b, &m, NULL, &err) == TS_OK, "%s", err.message);
            CHECK(ts_renderer_depth(a) != NULL, "keep_depth: no depth");
            CHECK(ts_renderer_depth(b) == NULL, "depth handed out without keep_depth");
            CHECK(!got_depth, "the frame callback got depth without keep_depth");
            CHECK(memcmp(ts_renderer_pixels(a), ts_renderer_pixels(b), 96 * 64 * 4) == 0,
                  "%s: pixels depend on keep_depth", reference ? "reference" : "tiled");
        }
        ts_renderer_destroy(a);
        ts_renderer_destroy(b);
    }
    ts_model_free(&m);
}

/* Pan moves the picture and nothing else: with pan (0.5, 0.5) pixel
 * (x, y) shows what the centered view has at (x - W/4, y + H/4), up to
 * coverage at edges (the moved vertices round differently); out-of-range
 * and NaN pans are refused. */
static void test_pan(void) {
    enum { W = 128, H = 64, DX = W / 4, DY = H / 4 };
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_builtin("cube", &m, &err) == TS_OK, "%s", err.message);
    ts_renderer *a = NULL, *b = NULL;
    ts_renderer_desc d = {.width = W, .height = H};
    CHECK(ts_renderer_create(&d, &a, &err) == TS_OK, "%s", err.message);
    CHECK(ts_renderer_create(&d, &b, &err) == TS_OK, "%s", err.message);
    if (a && b) {
        ts_view_desc centered = {.yaw_deg = 30.0f, .pitch_deg = 20.0f, .zoom = 0.4f};
        ts_view_desc panned = centered;
        panned.pan_x = 0.5f;
        panned.pan_y = 0.5f;
        CHECK(ts_renderer_draw(a, &m, &centered, &err) == TS_OK, "%s", err.message);
        CHECK(ts_renderer_draw(b, &m, &panned, &err) == TS_OK, "%s", err.message);
        const uint8_t *pa = ts_renderer_pixels(a), *pb = ts_renderer_pixels(b);
        int compared = 0, moved = 0, still = 0; /* moved: wrong after the pan; still: wrong without */
        for (int y = 0; y + DY < H; y++)
            for (int x = DX; x < W; x++) {
                const uint8_t *src = pa + ((size_t)(y + DY) * W + (size_t)(x - DX)) * 4;
                const uint8_t *dst = pb + ((size_t)y * W + (size_t)x) * 4;
                const uint8_t *same = pa + ((size_t)y * W + (size_t)x) * 4;
                compared++;
                for (int c = 0; c < 4; c++) {
                    if (abs(src[c] - dst[c]) > 2) {
                        moved++;
                        break;
                    }
                }
                for (int c = 0; c < 4; c++) {
                    if (abs(src[c] - same[c]) > 2) {
                        still++; /* would count as moved had the picture not moved */
                        break;
                    }
                }
            }
        CHECK(moved * 100 <= compared, "pan: %d of %d pixels are not the centered view's, moved", moved, compared);
        CHECK(still > 200 && moved * 10 < still, "pan: %d pixels differ from the moved view, %d from the unmoved "
              "one: the picture did not move as it should", moved, still);
        const float bad[][2] = {{NAN, 0.0f}, {0.0f, INFINITY}, {TS_MAX_PAN * 1.5f, 0.0f}, {0.0f, -TS_MAX_PAN * 1.5f}};
        for (int i = 0; i < 4; i++) {
            ts_view_desc v = centered;
            v.pan_x = bad[i][0];
            v.pan_y = bad[i][1];
            ts_result res = ts_renderer_draw(a, &m, &v, &err);
            CHECK(res == TS_ERR_INVALID_ARG && strstr(err.message, "pan"), "pan (%g, %g): got %s (%s)",
                  (double)v.pan_x, (double)v.pan_y, ts_result_str(res), err.message);
        }
    }
    ts_renderer_destroy(a);
    ts_renderer_destroy(b);
    ts_model_free(&m);
}

/* The depth test is LESS: of two surfaces at the same depth the one drawn
 * first stays. A square of 2 x 40 x 40 triangles drawn twice over the same
 * vertices, red then green (several batches each on the fast path, so the
 * tie is also between batches that different workers bin), must come out
 * red on both paths, with and without multisampling. */
static void test_depth_tie(void) {
    enum { N = 40, W = 150, H = 100 };
    static ts_vertex v[(N + 1) * (N + 1)];
    static uint32_t idx[2 * N * N * 6];
    for (int y = 0; y <= N; y++)
        for (int x = 0; x <= N; x++)
            v[y * (N + 1) + x] = (ts_vertex){.pos = {2.0f * x / N - 1.0f, 2.0f * y / N - 1.0f, 0.0f},
                                             .normal = {0.0f, 0.0f, 1.0f}};
    size_t n = 0;
    for (int layer = 0; layer < 2; layer++)
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++) {
                uint32_t a = (uint32_t)(y * (N + 1) + x), b = a + 1, c = a + N + 1, d = c + 1;
                const uint32_t quad[6] = {a, b, d, a, d, c};
                memcpy(&idx[n], quad, sizeof quad);
                n += 6;
            }
    ts_mesh meshes[2] = {{0, (uint32_t)n / 2, 0}, {(uint32_t)n / 2, (uint32_t)n / 2, 1}};
    ts_material mats[2] = {{{1, 0, 0, 1}, -1}, {{0, 1, 0, 1}, -1}};
    ts_model m = {v, (N + 1) * (N + 1), idx, (uint32_t)n, meshes, 2, mats, 2, NULL, 0};
    for (int run = 0; run < 4; run++) {
        int reference = run & 1, msaa = run & 2 ? 4 : 1;
        ts_renderer_desc d = {.width = W, .height = H, .threads = 2, .reference = reference, .msaa = msaa};
        ts_renderer *r = NULL;
        ts_error err = {0};
        CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "%s", err.message);
        if (!r) continue;
        ts_view_desc view = {.shading = TS_SHADING_UNLIT};
        CHECK(ts_renderer_draw(r, &m, &view, &err) == TS_OK, "%s", err.message);
        const uint8_t *px = ts_renderer_pixels(r);
        int red = 0, green = 0;
        for (int i = 0; px && i < W * H; i++) {
            red += px[4 * i] > 128 && px[4 * i + 1] < 64;
            green += px[4 * i + 1] > px[4 * i];
        }
        CHECK(green == 0 && red > W * H / 10, "reference %d, %d samples: %d red pixels, %d where green won the tie",
              reference, msaa, red, green);
        ts_renderer_destroy(r);
    }
}

int main(void) {
    test_bad_models();
    test_bad_models_far_in();
    test_overlapping_meshes();
    test_bad_sizes();
    test_names();
    test_on_render_thread();
    test_gl_context_promised();
    test_frame_callback();
    test_frames_independent();
    test_split_tiles();
    test_depth_optional();
    test_pan();
    test_depth_tie();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
