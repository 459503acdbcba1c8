/* procedural.c — the built-in scenes, generated in code so tests and demos
 * need no files of their own: cube, sphere, torus, overlapping transparent
 * quads, a mipmapped checkerboard at a grazing angle, and a showcase of them
 * all beside two real models (from Debian's glmark2-data and
 * assimp-testmodels, which scripts/setup installs). */
#include "error.h"
#include "tessera.h"

#include "vecmath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grows a ts_model piece by piece. Positions pass through `xf` (rotation,
 * translation and uniform scale only, so it maps normals too). Any failed
 * allocation sets `oom`, and a model file that does not load sets `failed`
 * (its reason in `err`); either turns later calls into no-ops. */
typedef struct builder {
    ts_model m;
    uint32_t vcap, icap, mcap, matcap, tcap;
    ts_mat4 xf;
    bool oom;
    ts_result failed;
    ts_error *err;
} builder;

static bool grow(builder *b, void **p, uint32_t *cap, uint32_t need, size_t elem) {
    if (b->oom || b->failed != TS_OK) return false;
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap * 2 : 64;
    while (n < need) n *= 2;
    void *q = realloc(*p, (size_t)n * elem);
    if (!q) {
        b->oom = true;
        return false;
    }
    *p = q;
    *cap = n;
    return true;
}

static uint32_t add_material(builder *b, float r, float g, float bl, float a, int32_t tex) {
    if (!grow(b, (void **)&b->m.materials, &b->matcap, b->m.material_count + 1, sizeof(ts_material)))
        return 0;
    ts_material *mat = &b->m.materials[b->m.material_count];
    mat->base_color[0] = r;
    mat->base_color[1] = g;
    mat->base_color[2] = bl;
    mat->base_color[3] = a;
    mat->texture = tex;
    return b->m.material_count++;
}

/* Takes ownership of nothing: the pixels are copied into the mip chain. */
static int32_t add_texture(builder *b, int w, int h, const uint8_t *rgba) {
    if (!grow(b, (void **)&b->m.textures, &b->tcap, b->m.texture_count + 1, sizeof(ts_texture)))
        return -1;
    if (ts_texture_init_rgba8(&b->m.textures[b->m.texture_count], w, h, rgba) != TS_TEXTURE_OK) {
        b->oom = true;
        return -1;
    }
    return (int32_t)b->m.texture_count++;
}

static void begin_mesh(builder *b, uint32_t material) {
    if (!grow(b, (void **)&b->m.meshes, &b->mcap, b->m.mesh_count + 1, sizeof(ts_mesh))) return;
    b->m.meshes[b->m.mesh_count++] = (ts_mesh){b->m.index_count, 0, material};
}

static uint32_t add_vertex(builder *b, ts_vec3 p, ts_vec3 n, float u, float v) {
    if (!grow(b, (void **)&b->m.vertices, &b->vcap, b->m.vertex_count + 1, sizeof(ts_vertex)))
        return 0;
    ts_vec4 wp = ts_mat4_apply(&b->xf, (ts_vec4){p.x, p.y, p.z, 1.0f});
    ts_vec3 wn = ts_v3_normalize(ts_mat4_apply_dir(&b->xf, n));
    ts_vertex *o = &b->m.vertices[b->m.vertex_count];
    *o = (ts_vertex){{wp.x, wp.y, wp.z}, {wn.x, wn.y, wn.z}, {u, v}};
    return b->m.vertex_count++;
}

/* Adds triangle (i, j, k) to the current mesh, wound counter-clockwise as
 * seen from the side its vertex normals point to (GL's front face). Triangles
 * with no area (at a sphere's poles) are skipped. */
static void add_tri(builder *b, uint32_t i, uint32_t j, uint32_t k) {
    if (b->oom || b->failed != TS_OK) return;
    const ts_vertex *v = b->m.vertices;
    ts_vec3 a = ts_v3(v[i].pos[0], v[i].pos[1], v[i].pos[2]);
    ts_vec3 e1 = ts_v3_sub(ts_v3(v[j].pos[0], v[j].pos[1], v[j].pos[2]), a);
    ts_vec3 e2 = ts_v3_sub(ts_v3(v[k].pos[0], v[k].pos[1], v[k].pos[2]), a);
    ts_vec3 g = ts_v3_cross(e1, e2);
    if (ts_v3_dot(g, g) == 0.0f) return;
    ts_vec3 n = ts_v3(v[i].normal[0] + v[j].normal[0] + v[k].normal[0],
                      v[i].normal[1] + v[j].normal[1] + v[k].normal[1],
                      v[i].normal[2] + v[j].normal[2] + v[k].normal[2]);
    if (ts_v3_dot(g, n) < 0.0f) {
        uint32_t t = j;
        j = k;
        k = t;
    }
    if (!grow(b, (void **)&b->m.indices, &b->icap, b->m.index_count + 3, sizeof(uint32_t))) return;
    b->m.indices[b->m.index_count++] = i;
    b->m.indices[b->m.index_count++] = j;
    b->m.indices[b->m.index_count++] = k;
    b->m.meshes[b->m.mesh_count - 1].index_count += 3;
}

static void add_quad(builder *b, uint32_t q0, uint32_t q1, uint32_t q2, uint32_t q3) {
    add_tri(b, q0, q1, q2);
    add_tri(b, q0, q2, q3);
}

/* ---- shapes (each in its own unit frame, placed by b->xf) --------------- */

/* Cube [-1, 1]^3, flat faces, each face's uv spanning the texture. */
static void shape_cube(builder *b) {
    static const float axes[6][3][3] = {
        /* normal, u axis, v axis */
        {{1, 0, 0}, {0, 0, -1}, {0, -1, 0}},  {{-1, 0, 0}, {0, 0, 1}, {0, -1, 0}},
        {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}},    {{0, -1, 0}, {1, 0, 0}, {0, 0, -1}},
        {{0, 0, 1}, {1, 0, 0}, {0, -1, 0}},   {{0, 0, -1}, {-1, 0, 0}, {0, -1, 0}},
    };
    for (int f = 0; f < 6; f++) {
        ts_vec3 n = ts_v3(axes[f][0][0], axes[f][0][1], axes[f][0][2]);
        ts_vec3 u = ts_v3(axes[f][1][0], axes[f][1][1], axes[f][1][2]);
        ts_vec3 v = ts_v3(axes[f][2][0], axes[f][2][1], axes[f][2][2]);
        uint32_t q[4];
        for (int c = 0; c < 4; c++) {
            float su = (c == 1 || c == 2) ? 1.0f : -1.0f, sv = (c >= 2) ? 1.0f : -1.0f;
            ts_vec3 p = ts_v3_add(n, ts_v3_add(ts_v3_scale(u, su), ts_v3_scale(v, sv)));
            q[c] = add_vertex(b, p, n, 0.5f * su + 0.5f, 0.5f * sv + 0.5f);
        }
        add_quad(b, q[0], q[1], q[2], q[3]);
    }
}

/* Unit sphere, smooth, `slices` around Y and `stacks` from pole to pole. */
static void shape_sphere(builder *b, int slices, int stacks) {
    uint32_t base = b->m.vertex_count;
    for (int i = 0; i <= stacks; i++) {
        float th = (float)TS_PI * (float)i / (float)stacks;
        for (int j = 0; j <= slices; j++) {
            float ph = 2.0f * (float)TS_PI * (float)j / (float)slices;
            ts_vec3 p = ts_v3(sinf(th) * sinf(ph), cosf(th), sinf(th) * cosf(ph));
            add_vertex(b, p, p, (float)j / (float)slices, (float)i / (float)stacks);
        }
    }
    uint32_t row = (uint32_t)slices + 1;
    for (uint32_t i = 0; i < (uint32_t)stacks; i++)
        for (uint32_t j = 0; j < (uint32_t)slices; j++) {
            uint32_t a = base + i * row + j;
            add_quad(b, a, a + row, a + row + 1, a + 1);
        }
}

/* Torus around Y: ring radius R, tube radius r. */
static void shape_torus(builder *b, float R, float r, int ring_segs, int tube_segs) {
    uint32_t base = b->m.vertex_count;
    for (int i = 0; i <= ring_segs; i++) {
        float a = 2.0f * (float)TS_PI * (float)i / (float)ring_segs;
        ts_vec3 dir = ts_v3(cosf(a), 0.0f, -sinf(a));
        for (int j = 0; j <= tube_segs; j++) {
            float t = 2.0f * (float)TS_PI * (float)j / (float)tube_segs;
            ts_vec3 n = ts_v3_add(ts_v3_scale(dir, cosf(t)), ts_v3(0.0f, sinf(t), 0.0f));
            ts_vec3 p = ts_v3_add(ts_v3_scale(dir, R), ts_v3_scale(n, r));
            add_vertex(b, p, n, 4.0f * (float)i / (float)ring_segs, (float)j / (float)tube_segs);
        }
    }
    uint32_t row = (uint32_t)tube_segs + 1;
    for (uint32_t i = 0; i < (uint32_t)ring_segs; i++)
        for (uint32_t j = 0; j < (uint32_t)tube_segs; j++) {
            uint32_t a = base + i * row + j;
            add_quad(b, a, a + row, a + row + 1, a + 1);
        }
}

/* Square [-1, 1]^2 in the XY plane facing +Z, uv scaled by `repeat`. */
static void shape_square(builder *b, float repeat) {
    ts_vec3 n = ts_v3(0, 0, 1);
    uint32_t q0 = add_vertex(b, ts_v3(-1, -1, 0), n, 0, repeat);
    uint32_t q1 = add_vertex(b, ts_v3(1, -1, 0), n, repeat, repeat);
    uint32_t q2 = add_vertex(b, ts_v3(1, 1, 0), n, repeat, 0);
    uint32_t q3 = add_vertex(b, ts_v3(-1, 1, 0), n, 0, 0);
    add_quad(b, q0, q1, q2, q3);
}

/* The model file at `path` (through ts_model_load), in a unit frame of its
 * own: centered on x and z, standing on y = 0 and one unit tall, placed by
 * b->xf like the shapes. Its meshes keep their faces and winding as the
 * file has them; its materials come along, and its textures are moved in,
 * not copied. */
static void add_model_file(builder *b, const char *path) {
    if (b->oom || b->failed != TS_OK) return;
    ts_model src;
    ts_result r = ts_model_load(path, &src, b->err, NULL, NULL);
    if (r != TS_OK) {
        b->failed = r;
        return;
    }
    float lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (uint32_t i = 0; i < src.vertex_count; i++)
        for (int k = 0; k < 3; k++) {
            lo[k] = fminf(lo[k], src.vertices[i].pos[k]);
            hi[k] = fmaxf(hi[k], src.vertices[i].pos[k]);
        }
    /* ts_model_load refuses files without triangles, so the box is real;
     * a flat model (no height) keeps its own scale. */
    float height = hi[1] - lo[1], s = height > 0.0f ? 1.0f / height : 1.0f;
    ts_mat4 placed = b->xf;
    b->xf = ts_mat4_mul(placed, ts_mat4_mul(ts_mat4_scale(s), ts_mat4_translate(-0.5f * (lo[0] + hi[0]), -lo[1],
                                                                                -0.5f * (lo[2] + hi[2]))));

    uint32_t vbase = b->m.vertex_count, tbase = b->m.texture_count, mbase = b->m.material_count;
    if (src.texture_count > 0 &&
        grow(b, (void **)&b->m.textures, &b->tcap, tbase + src.texture_count, sizeof(ts_texture))) {
        memcpy(&b->m.textures[tbase], src.textures, src.texture_count * sizeof(ts_texture));
        b->m.texture_count += src.texture_count;
        src.texture_count = 0; /* theirs now: ts_model_free below must not free them */
    }
    for (uint32_t i = 0; i < src.material_count; i++) {
        const ts_material *mat = &src.materials[i];
        int32_t tex = mat->texture >= 0 ? (int32_t)tbase + mat->texture : -1;
        add_material(b, mat->base_color[0], mat->base_color[1], mat->base_color[2], mat->base_color[3], tex);
    }
    for (uint32_t i = 0; i < src.vertex_count; i++) {
        const ts_vertex *v = &src.vertices[i];
        add_vertex(b, ts_v3(v->pos[0], v->pos[1], v->pos[2]), ts_v3(v->normal[0], v->normal[1], v->normal[2]),
                   v->uv[0], v->uv[1]);
    }
    for (uint32_t k = 0; k < src.mesh_count; k++) {
        const ts_mesh *mesh = &src.meshes[k];
        begin_mesh(b, mbase + mesh->material);
        if (!grow(b, (void **)&b->m.indices, &b->icap, b->m.index_count + mesh->index_count, sizeof(uint32_t)))
            break;
        for (uint32_t i = 0; i < mesh->index_count; i++)
            b->m.indices[b->m.index_count++] = vbase + src.indices[mesh->first_index + i];
        b->m.meshes[b->m.mesh_count - 1].index_count = mesh->index_count;
    }
    b->xf = placed;
    ts_model_free(&src);
}

/* ---- textures ---------------------------------------------------------- */

/* 128x128 of 2x2 cells, light and dark: sharp edges that alias badly
 * without mipmaps. */
static int32_t texture_checker(builder *b) {
    enum { N = 128 };
    uint8_t *px = malloc(N * N * 4);
    if (!px) {
        b->oom = true;
        return -1;
    }
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            uint8_t v = ((x / (N / 2)) ^ (y / (N / 2))) ? 40 : 230;
            uint8_t *p = &px[(y * N + x) * 4];
            p[0] = p[1] = p[2] = v;
            p[3] = 255;
        }
    int32_t t = add_texture(b, N, N, px);
    free(px);
    return t;
}

/* 256x256 orientation texture: red grows with u, green with v, blue grid
 * lines every 32 texels and a white marker in the (u, v) = (0, 0) corner,
 * so a mirrored or rotated mapping is visible at once. */
static int32_t texture_grid(builder *b) {
    enum { N = 256 };
    uint8_t *px = malloc(N * N * 4);
    if (!px) {
        b->oom = true;
        return -1;
    }
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            uint8_t *p = &px[(y * N + x) * 4];
            bool line = (x % 32) < 2 || (y % 32) < 2;
            bool marker = x < 48 && y < 48;
            p[0] = marker ? 255 : (uint8_t)(40 + x * 200 / N);
            p[1] = marker ? 255 : (uint8_t)(40 + y * 200 / N);
            p[2] = marker ? 255 : (line ? 255 : 60);
            p[3] = 255;
        }
    int32_t t = add_texture(b, N, N, px);
    free(px);
    return t;
}

/* ---- scenes ------------------------------------------------------------ */

static ts_mat4 place(float x, float y, float z, float scale, float rx_deg, float ry_deg) {
    float d = (float)(TS_PI / 180.0);
    return ts_mat4_mul(ts_mat4_translate(x, y, z),
                       ts_mat4_mul(ts_mat4_rotate_y(ry_deg * d),
                                   ts_mat4_mul(ts_mat4_rotate_x(rx_deg * d), ts_mat4_scale(scale))));
}

static void scene_cube(builder *b) {
    begin_mesh(b, add_material(b, 1.0f, 0.85f, 0.7f, 1.0f, texture_grid(b)));
    b->xf = place(0, 0, 0, 1, 25, 35);
    shape_cube(b);
}

static void scene_sphere(builder *b) {
    begin_mesh(b, add_material(b, 0.9f, 0.9f, 1.0f, 1.0f, texture_grid(b)));
    b->xf = place(0, 0, 0, 1, 20, 0);
    shape_sphere(b, 64, 32);
}

/* A finely tessellated sphere (16k triangles, some 40 pixels each at
 * 1920x1080) filling much of the frame: the benchmark's scene where shading
 * dominates. */
static void scene_sphere_fine(builder *b) {
    begin_mesh(b, add_material(b, 0.9f, 0.9f, 1.0f, 1.0f, -1));
    b->xf = place(0, 0, 0, 1, 20, 0);
    shape_sphere(b, 128, 64);
}

static void scene_torus(builder *b) {
    begin_mesh(b, add_material(b, 0.95f, 0.6f, 0.25f, 1.0f, -1));
    b->xf = place(0, 0, 0, 1, 60, 0);
    shape_torus(b, 1.0f, 0.4f, 96, 48);
}

/* Back to front, so source-over blending is order-correct. */
static void scene_quads(builder *b) {
    static const float q[3][7] = {
        /* x, y, z, r, g, b, a */
        {-0.4f, 0.3f, -0.3f, 1.0f, 0.2f, 0.2f, 0.6f},
        {0.35f, 0.25f, 0.0f, 0.2f, 1.0f, 0.3f, 0.5f},
        {0.0f, -0.35f, 0.3f, 0.25f, 0.4f, 1.0f, 0.4f},
    };
    for (int i = 0; i < 3; i++) {
        begin_mesh(b, add_material(b, q[i][3], q[i][4], q[i][5], q[i][6], -1));
        b->xf = place(q[i][0], q[i][1], q[i][2], 0.6f, 0, 0);
        shape_square(b, 1);
    }
}

/* A floor tilted 22 degrees toward the camera: seen at a grazing angle,
 * its far half needs the small mip levels. */
static void scene_checker(builder *b) {
    begin_mesh(b, add_material(b, 1, 1, 1, 1, texture_checker(b)));
    b->xf = place(0, 0, 0, 4, -90 + 22, 0);
    shape_square(b, 12);
}

static void scene_showcase(builder *b) {
    int32_t grid = texture_grid(b), checker = texture_checker(b);
    begin_mesh(b, add_material(b, 0.8f, 0.8f, 0.8f, 1.0f, checker));
    b->xf = place(0, -0.6f, 0, 1.7f, -90, 0);
    shape_square(b, 6);
    begin_mesh(b, add_material(b, 0.95f, 0.6f, 0.25f, 1.0f, -1));
    b->xf = place(0, -0.05f, -0.2f, 0.5f, 70, 0);
    shape_torus(b, 1.0f, 0.35f, 96, 48);
    begin_mesh(b, add_material(b, 0.9f, 0.9f, 1.0f, 1.0f, grid));
    b->xf = place(-1.0f, -0.15f, 0.3f, 0.42f, 0, 30);
    shape_sphere(b, 64, 32);
    begin_mesh(b, add_material(b, 1.0f, 0.85f, 0.7f, 1.0f, grid));
    b->xf = place(1.0f, -0.25f, 0.2f, 0.34f, 0, 35);
    shape_cube(b);
    /* Real models on the floor, behind: a scanned surface of small
     * triangles, and a textured one of thin parts. */
    b->xf = place(-0.45f, -0.6f, 1.05f, 0.6f, 0, 30);
    add_model_file(b, TS_GLMARK2_MODELS "/bunny.obj");
    b->xf = place(1.1f, -0.6f, 1.0f, 0.45f, 0, 150);
    add_model_file(b, TS_ASSIMP_MODELS "/OBJ/spider.obj");
    /* Transparent last, over everything it covers. */
    begin_mesh(b, add_material(b, 0.2f, 0.5f, 1.0f, 0.45f, -1));
    b->xf = place(0.25f, 0.0f, 0.75f, 0.32f, 0, -20);
    shape_square(b, 1);
}

#define TS_SCENE_NAME_cube "cube"
#define TS_SCENE_NAME_sphere "sphere"
#define TS_SCENE_NAME_sphere_fine "sphere-fine"
#define TS_SCENE_NAME_torus "torus"
#define TS_SCENE_NAME_quads "quads"
#define TS_SCENE_NAME_checker "checker"
#define TS_SCENE_NAME_showcase "showcase"
#define SCENE_LIST(X) X(cube) X(sphere) X(sphere_fine) X(torus) X(quads) X(checker) X(showcase)

/* Names spell '_' as '-'. */
static const char *const scene_names[] = {
#define NAME(n) TS_SCENE_NAME_##n,
    SCENE_LIST(NAME)
#undef NAME
    NULL,
};

static void (*const scene_builders[])(builder *b) = {
#define BUILD(n) scene_##n,
    SCENE_LIST(BUILD)
#undef BUILD
};

#define SCENE_COUNT (sizeof scene_builders / sizeof scene_builders[0])
_Static_assert(sizeof scene_names / sizeof scene_names[0] == SCENE_COUNT + 1, "one name per scene");

const char *const *ts_model_builtin_names(void) { return scene_names; }

ts_result ts_model_builtin(const char *name, ts_model *out, ts_error *err) {
    if (!out) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_model_builtin: no output model given");
    memset(out, 0, sizeof *out);
    if (!name) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_model_builtin: no scene name given");
    for (size_t i = 0; i < SCENE_COUNT; i++) {
        if (strcmp(name, scene_names[i]) != 0) continue;
        builder b;
        memset(&b, 0, sizeof b);
        b.xf = ts_mat4_identity();
        ts_error file_err = {0};
        b.err = &file_err;
        scene_builders[i](&b);
        if (b.oom || b.failed != TS_OK) ts_model_free(&b.m);
        /* Where the models come from helps only when one is missing (not
         * for, say, a bad TESSERA_IMPORT_TIMEOUT). */
        if (b.failed == TS_ERR_FILE_NOT_FOUND)
            return ts_error_set(err, b.failed,
                                "built-in scene '%s': %s (its real models come from Debian's glmark2-data and "
                                "assimp-testmodels: scripts/setup installs them)",
                                name, file_err.message);
        if (b.failed != TS_OK) return ts_error_set(err, b.failed, "built-in scene '%s': %s", name, file_err.message);
        if (b.oom) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory building scene '%s'", name);
        *out = b.m;
        return TS_OK;
    }
    return ts_error_set(err, TS_ERR_INVALID_ARG, "no built-in scene named '%s'", name);
}

ts_result ts_model_open(const char *spec, ts_model *out, ts_error *err, ts_warn_fn warn,
                        void *warn_user) {
    size_t n = strlen(TS_BUILTIN_PREFIX);
    if (spec && strncmp(spec, TS_BUILTIN_PREFIX, n) == 0) return ts_model_builtin(spec + n, out, err);
    return ts_model_load(spec, out, err, warn, warn_user);
}
