/* tessera_gl.c — tessera-gl, the OpenGL peer of tessera-render: the same
 * studio scene (ts_studio_setup's matrices, the formulas of the shaders/
 * programs written as GLSL 330) drawn through EGL with no window, timed the
 * same way, the last frame written as PNG. It owns the EGL display and the GL
 * context, which live on the main thread only. */
#define _POSIX_C_SOURCE 200809L

#include <glad/gl.h>

#include "tessera.h"

#include "cli_args.h"
#include "egl_headless.h"
#include "gl_error.h"
#include "gl_program.h"
#include "memory_budget.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "tessera-gl"
#define MAX_FRAMES 100000
#define EXIT_NO_GL 77 /* CTest SKIP_RETURN_CODE: no EGL or GL on this machine */

static void usage(FILE *f) {
    fprintf(f,
            "usage: " PROG " MODEL [options]\n"
            "\n"
            "Renders MODEL with OpenGL 3.3 core through EGL, headless (no window, no X),\n"
            "exactly as tessera-render draws it, and writes the last frame as PNG.\n"
            "MODEL is a file assimp reads (OBJ, glTF 2.0/GLB, 3DS, PLY, ...) or\n"
            "builtin:NAME for a procedural scene, NAME one of:");
    for (const char *const *n = ts_model_builtin_names(); *n; n++) fprintf(f, " %s", *n);
    fprintf(f,
            "\n\n"
            "options:\n"
            "  --size WxH        frame size in pixels (default 1920x1080, each side 1..%d)\n"
            "  --yaw DEG         turn the model about Y; positive turns +X toward -Z (default 0)\n"
            "  --pitch DEG       turn the model about X, applied before yaw (default 0)\n"
            TS_CLI_ZOOM_HELP
            "  --shading MODE    studio | unlit | normals | depth | textured (default studio)\n"
            "  --cull            drop back-facing (clockwise) triangles\n"
            "  --frames N        render N timed frames after one warm-up (default 1)\n"
            "  --out FILE.png    where to write the last frame (default: MODEL's name .png)\n"
            "  -h, --help        show this help\n"
            "\n"
            "The display is the first that works of: EGL_EXT_platform_device (only Mesa's\n"
            "software device when LIBGL_ALWAYS_SOFTWARE is set), EGL_MESA_platform_surfaceless,\n"
            "EGL_DEFAULT_DISPLAY. Without any, exits with status %d.\n"
            "\n"
            "Prints: " PROG ": model=NAME tris=N size=WxH frames=N median_ms=T min_ms=T ...\n"
            "        ... renderer=GL_RENDERER (spaces as _)\n",
            TS_MAX_FRAME_DIM, (double)TS_MIN_ZOOM, (double)TS_MAX_ZOOM, EXIT_NO_GL);
}

#define fail(...) ts_cli_fail(PROG, __VA_ARGS__)


/* ---- shaders: the shading programs of shaders/ in GLSL 330 --------------- */

/* World-space position and normal per vertex; the model matrix is a uniform
 * scale and rotations (ts_studio), so it maps normals too, exactly as the
 * renderer's vertex stage does. */
static const char vertex_src[] =
    "#version 330 core\n"
    "layout(location = 0) in vec3 a_pos;\n"
    "layout(location = 1) in vec3 a_normal;\n"
    "layout(location = 2) in vec2 a_uv;\n"
    "uniform mat4 u_model;\n"
    "uniform mat4 u_view_proj;\n"
    "out vec3 v_world;\n"
    "out vec3 v_normal;\n"
    "out vec2 v_uv;\n"
    "void main() {\n"
    "    vec4 w = u_model * vec4(a_pos, 1.0);\n"
    "    v_world = w.xyz;\n"
    "    v_normal = (u_model * vec4(a_normal, 0.0)).xyz;\n"
    "    v_uv = a_uv;\n"
    "    gl_Position = u_view_proj * w;\n"
    "}\n";

/* One source for every mode (MODE_* chooses); each piece mirrors its C
 * counterpart: normalize0 = ts_v3_normalize, albedo = ts_shade_albedo,
 * blinn_phong = ts_shade_blinn_phong_terms (common.c), and main's branches
 * studio.c, unlit.c, normals.c, depth.c and textured.c. Comparisons are
 * written as the C code writes them, so NaN goes the same way. */
static const char fragment_src[] =
    "in vec3 v_world;\n"
    "in vec3 v_normal;\n"
    "in vec2 v_uv;\n"
    "uniform vec3 u_eye;\n"
    "uniform vec3 u_light_dir;\n"
    "uniform vec3 u_view_dir;\n"
    "uniform float u_depth_near;\n"
    "uniform float u_depth_far;\n"
    "uniform vec4 u_base_color;\n"
    "uniform bool u_has_texture;\n"
    "uniform sampler2D u_texture;\n"
    "layout(location = 0) out vec4 o_color;\n"
    "\n"
    "vec3 normalize0(vec3 v) {\n"
    "    float len2 = dot(v, v);\n"
    "    if (!(len2 > 0.0)) return vec3(0.0);\n"
    "    return v * (1.0 / sqrt(len2));\n"
    "}\n"
    "\n"
    "vec4 albedo() {\n"
    "    vec4 c = u_base_color;\n"
    "    if (u_has_texture) c *= texture(u_texture, v_uv);\n" /* trilinear, implicit LOD */
    "    return c;\n"
    "}\n"
    "\n"
    "void blinn_phong(out float diffuse, out float specular) {\n"
    "    vec3 n = normalize0(v_normal);\n"
    "    vec3 v = normalize0(u_eye - v_world);\n"
    "    vec3 h = normalize0(u_light_dir + v);\n"
    "    float nl = dot(n, u_light_dir), nh = dot(n, h);\n"
    "    diffuse = nl > 0.0 ? nl : 0.0;\n"
    "    float s = nh > 0.0 ? nh : 0.0;\n"
    "    float s2 = s * s, s4 = s2 * s2, s8 = s4 * s4, s16 = s8 * s8;\n"
    "    specular = s16 * s16;\n"
    "}\n"
    "\n"
    "void main() {\n"
    "#if defined(MODE_STUDIO)\n"
    "    float diffuse, specular;\n"
    "    blinn_phong(diffuse, specular);\n"
    "    float v = 0.1 + 0.8 * 0.8 * diffuse + 0.3 * specular;\n"
    "    o_color = vec4(v, v, v, 1.0);\n"
    "#elif defined(MODE_UNLIT)\n"
    "    o_color = albedo();\n"
    "#elif defined(MODE_NORMALS)\n"
    "    vec3 n = normalize0(v_normal);\n"
    "    o_color = vec4(0.5 * n + 0.5, 1.0);\n"
    "#elif defined(MODE_DEPTH)\n"
    "    float d = dot(v_world - u_eye, u_view_dir);\n"
    "    float v = (u_depth_far - d) / (u_depth_far - u_depth_near);\n"
    "    v = v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);\n"
    "    o_color = vec4(v, v, v, 1.0);\n"
    "#elif defined(MODE_TEXTURED)\n"
    "    vec4 a = albedo();\n"
    "    float diffuse, specular;\n"
    "    blinn_phong(diffuse, specular);\n"
    "    float k = 0.1 + 0.8 * diffuse;\n"
    "    o_color = vec4(a.rgb * k + 0.3 * specular, a.a);\n"
    "#else\n"
    "#error no shading mode\n"
    "#endif\n"
    "}\n";

static const char *const mode_defines[] = {
    [TS_SHADING_STUDIO] = "#define MODE_STUDIO\n",   [TS_SHADING_UNLIT] = "#define MODE_UNLIT\n",
    [TS_SHADING_NORMALS] = "#define MODE_NORMALS\n", [TS_SHADING_DEPTH] = "#define MODE_DEPTH\n",
    [TS_SHADING_TEXTURED] = "#define MODE_TEXTURED\n",
};
_Static_assert(sizeof mode_defines / sizeof mode_defines[0] == TS_SHADING_COUNT,
               "one define per shading mode");

static GLuint build_program(ts_shading shading, char *msg, size_t n) {
    const char *vs_parts[] = {vertex_src};
    const char *fs_parts[] = {"#version 330 core\n", mode_defines[shading], fragment_src};
    const ts_gl_stage stages[] = {{GL_VERTEX_SHADER, "the vertex shader", 1, vs_parts},
                                  {GL_FRAGMENT_SHADER, "the fragment shader", 3, fs_parts}};
    return ts_gl_program(stages, 2, msg, n);
}

/* ---- the scene on the GPU ----------------------------------------------- */

typedef struct gl_scene {
    GLuint vao, vbo, ibo;
    GLuint *textures; /* one per ts_model texture */
    uint32_t texture_count;
    GLuint fbo, color_rb, depth_rb;
    GLuint program;
    GLint u_base_color, u_has_texture;
} gl_scene;

/* Drains GL's error flags; true (with the first one named in msg) when
 * there was one. */
static bool gl_failed(const char *during, char *msg, size_t n) {
    GLenum first = ts_gl_take_error();
    if (first == GL_NO_ERROR) return false;
    snprintf(msg, n, "%s during %s", ts_gl_error_name(first), during);
    return true;
}

/* Uploads the texture's own mip chain (raster/texture.c's box filter) rather
 * than letting glGenerateMipmap filter: the levels are then the renderer's
 * bytes exactly, as RGBA8 values (no sRGB decode, like the renderer). */
static void upload_texture(GLuint name, const ts_texture *t) {
    glBindTexture(GL_TEXTURE_2D, name);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    /* Row 0 in memory (the top of the image) is at v = 0, which is where
     * glTexImage2D puts the first row: rows go up as they are. */
    for (int l = 0; l < t->level_count; l++)
        glTexImage2D(GL_TEXTURE_2D, l, GL_RGBA8, t->levels[l].width, t->levels[l].height, 0,
                     GL_RGBA, GL_UNSIGNED_BYTE, t->levels[l].texels);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_BASE_LEVEL, 0);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, t->level_count - 1);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_REPEAT);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_REPEAT);
}

static bool scene_create(gl_scene *s, const ts_model *m, const ts_view_desc *view, int width,
                         int height, char *msg, size_t n) {
    GLint max_rb = 0, max_vp[2] = {0, 0};
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &max_rb);
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, max_vp);
    if (width > max_rb || height > max_rb || width > max_vp[0] || height > max_vp[1]) {
        snprintf(msg, n, "--size %dx%d: beyond this GL's limits (renderbuffer %d, viewport %dx%d)",
                 width, height, (int)max_rb, (int)max_vp[0], (int)max_vp[1]);
        return false;
    }

    /* Frame buffer: 8-bit RGBA (the renderer's output format; GL rounds
     * like ts_renderer_pixels) and 32-bit float depth like the renderer's. */
    glGenRenderbuffers(1, &s->color_rb);
    glBindRenderbuffer(GL_RENDERBUFFER, s->color_rb);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glGenRenderbuffers(1, &s->depth_rb);
    glBindRenderbuffer(GL_RENDERBUFFER, s->depth_rb);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT32F, width, height);
    glGenFramebuffers(1, &s->fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, s->fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, s->color_rb);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, s->depth_rb);
    if (gl_failed("frame buffer creation", msg, n)) return false;
    GLenum fb = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (fb != GL_FRAMEBUFFER_COMPLETE) {
        snprintf(msg, n, "the RGBA8 + DEPTH_COMPONENT32F frame buffer is incomplete (0x%x)",
                 (unsigned)fb);
        return false;
    }

    /* Geometry: one vertex buffer (ts_vertex as it is), one index buffer. */
    glGenVertexArrays(1, &s->vao);
    glBindVertexArray(s->vao);
    glGenBuffers(1, &s->vbo);
    glBindBuffer(GL_ARRAY_BUFFER, s->vbo);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)((size_t)m->vertex_count * sizeof(ts_vertex)),
                 m->vertices, GL_STATIC_DRAW);
    glGenBuffers(1, &s->ibo);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, s->ibo);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr)((size_t)m->index_count * sizeof(uint32_t)),
                 m->indices, GL_STATIC_DRAW);
    const GLsizei stride = (GLsizei)sizeof(ts_vertex);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, stride, (const void *)offsetof(ts_vertex, pos));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, stride,
                          (const void *)offsetof(ts_vertex, normal));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, stride, (const void *)offsetof(ts_vertex, uv));
    if (gl_failed("the vertex and index upload", msg, n)) return false;

    if (m->texture_count) {
        s->textures = calloc(m->texture_count, sizeof *s->textures);
        if (!s->textures) {
            snprintf(msg, n, "out of memory for %u texture names", m->texture_count);
            return false;
        }
        s->texture_count = m->texture_count;
        glGenTextures((GLsizei)m->texture_count, s->textures);
        for (uint32_t i = 0; i < m->texture_count; i++) upload_texture(s->textures[i], &m->textures[i]);
        if (gl_failed("the texture upload", msg, n)) return false;
    }

    s->program = build_program(view->shading, msg, n);
    if (!s->program) return false;
    glUseProgram(s->program);
    ts_studio st;
    ts_studio_setup(m, view, width, height, &st);
    glUniformMatrix4fv(glGetUniformLocation(s->program, "u_model"), 1, GL_FALSE, st.model);
    glUniformMatrix4fv(glGetUniformLocation(s->program, "u_view_proj"), 1, GL_FALSE,
                       st.view_proj);
    glUniform3fv(glGetUniformLocation(s->program, "u_eye"), 1, st.eye);
    glUniform3fv(glGetUniformLocation(s->program, "u_light_dir"), 1, st.light_dir);
    glUniform3fv(glGetUniformLocation(s->program, "u_view_dir"), 1, st.view_dir);
    glUniform1f(glGetUniformLocation(s->program, "u_depth_near"), st.depth_near);
    glUniform1f(glGetUniformLocation(s->program, "u_depth_far"), st.depth_far);
    glUniform1i(glGetUniformLocation(s->program, "u_texture"), 0);
    s->u_base_color = glGetUniformLocation(s->program, "u_base_color");
    s->u_has_texture = glGetUniformLocation(s->program, "u_has_texture");

    /* Fixed state: the README's rules. */
    glViewport(0, 0, width, height);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LESS); /* on an exact tie the triangle drawn first wins */
    glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
    glClearDepth(1.0);
    if (view->cull_back) {
        glEnable(GL_CULL_FACE);
        glCullFace(GL_BACK);
        glFrontFace(GL_CCW);
    } else {
        glDisable(GL_CULL_FACE);
    }
    /* Source-over in draw order for the modes whose alpha can be below 1,
     * as the README defines it: color = src a + dst (1 - a), alpha =
     * a + dst_a (1 - a) (Porter-Duff). The other modes write alpha 1, where
     * blending would change nothing. */
    if (view->shading == TS_SHADING_UNLIT || view->shading == TS_SHADING_TEXTURED) {
        glEnable(GL_BLEND);
        glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    } else {
        glDisable(GL_BLEND);
    }
    glDisable(GL_DITHER); /* GL may dither by default; the renderer rounds */
    glActiveTexture(GL_TEXTURE0);
    return !gl_failed("the scene setup", msg, n);
}

static void scene_destroy(gl_scene *s) {
    if (s->program) glDeleteProgram(s->program);
    if (s->texture_count) glDeleteTextures((GLsizei)s->texture_count, s->textures);
    free(s->textures);
    if (s->ibo) glDeleteBuffers(1, &s->ibo);
    if (s->vbo) glDeleteBuffers(1, &s->vbo);
    if (s->vao) glDeleteVertexArrays(1, &s->vao);
    if (s->fbo) glDeleteFramebuffers(1, &s->fbo);
    if (s->color_rb) glDeleteRenderbuffers(1, &s->color_rb);
    if (s->depth_rb) glDeleteRenderbuffers(1, &s->depth_rb);
    memset(s, 0, sizeof *s);
}

/* One frame's GL work: clear, then every mesh in order with its material. */
static void scene_draw(const gl_scene *s, const ts_model *m) {
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    for (uint32_t i = 0; i < m->mesh_count; i++) {
        const ts_mesh *mesh = &m->meshes[i];
        const ts_material *mat = &m->materials[mesh->material];
        glUniform4fv(s->u_base_color, 1, mat->base_color);
        glUniform1i(s->u_has_texture, mat->texture >= 0);
        if (mat->texture >= 0) glBindTexture(GL_TEXTURE_2D, s->textures[mat->texture]);
        glDrawElements(GL_TRIANGLES, (GLsizei)mesh->index_count, GL_UNSIGNED_INT,
                       (const void *)((size_t)mesh->first_index * sizeof(uint32_t)));
    }
}

/* Reads the frame back top row first (GL's rows go bottom up). */
static bool read_frame(int width, int height, uint8_t *out, char *msg, size_t n) {
    size_t row = (size_t)width * 4;
    uint8_t *tmp = malloc(row * (size_t)height);
    if (!tmp) {
        snprintf(msg, n, "out of memory reading back a %dx%d frame", width, height);
        return false;
    }
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, tmp);
    for (int y = 0; y < height; y++)
        memcpy(out + (size_t)y * row, tmp + (size_t)(height - 1 - y) * row, row);
    free(tmp);
    return !gl_failed("the read-back", msg, n);
}

/* GL_RENDERER with spaces as '_', so the summary line stays one word a field. */
static void renderer_name(char *buf, size_t n) {
    const GLubyte *r = glGetString(GL_RENDERER);
    snprintf(buf, n, "%s", r ? (const char *)r : "unknown");
    for (char *p = buf; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n') *p = '_';
}

int main(int argc, char **argv) {
    ts_cli_check_stdout(PROG);
    const char *model_arg = NULL, *out = NULL;
    int width = 1920, height = 1080;
    long frames = 1;
    ts_view_desc view = {0};
    int took;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--cull")) {
            view.cull_back = true;
        } else if (!strcmp(a, "--frames") || !strcmp(a, "--out")) {
            if (!val) return ts_cli_usage_fail(PROG, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--frames")) {
                if (!ts_cli_parse_int(val, 1, MAX_FRAMES, &frames))
                    return fail("--frames %s: expected a whole number from 1 to %d", val,
                                MAX_FRAMES);
            } else {
                out = val;
            }
        } else if ((took = ts_cli_view_option(PROG, a, val, &width, &height, &view)) != 0) {
            if (took < 0) return -took;
            i += took - 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return ts_cli_usage_fail(PROG, "unknown option %s", a);
        } else if (!model_arg) {
            model_arg = a;
        } else {
            return fail("more than one model given (%s and %s)", model_arg, a);
        }
    }
    if (!model_arg) {
        usage(stderr);
        return 2;
    }

    const char *name = ts_cli_model_name(model_arg);
    char default_out[512];
    if (!out) out = ts_cli_default_out(model_arg, false, default_out, sizeof default_out);
    if (ts_cli_same_file(out, model_arg)) return fail("--out %s: that is the model's own file", out);
    if (!ts_cli_out_check(PROG, out)) return 1;

    /* The frame's memory under the renderer's limit (TESSERA_MAX_MEMORY,
     * else the machine's), refused up front as tessera-render refuses its
     * own: the color and depth renderbuffers and the read-back copy, 4
     * bytes a pixel each (host memory, on llvmpipe). */
    ts_error err = {0};
    ts_memory_budget budget;
    if (ts_memory_limit(0, &budget, &err) != TS_OK ||
        ts_memory_check(&budget, 0, (uint64_t)width * (uint64_t)height * 12, width, height, &err) != TS_OK)
        return fail("%s", err.message);

    ts_model model;
    if (ts_model_open(model_arg, &model, &err, ts_cli_warn, (void *)PROG) != TS_OK) return fail("%s", err.message);
    /* GL does not check indices; refuse what the renderer would refuse. */
    if (ts_model_validate(&model, name, &err) != TS_OK) {
        ts_model_free(&model);
        return fail("%s", err.message);
    }

    size_t npix = (size_t)width * (size_t)height;
    double *times = malloc((size_t)frames * sizeof *times);
    uint8_t *pixels = malloc(npix * 4);
    if (!times || !pixels) {
        free(times);
        free(pixels);
        ts_model_free(&model);
        return fail("out of memory for a %dx%d frame", width, height);
    }

    int status = 0;
    char msg[1024] = "";
    ts_egl egl;
    gl_scene scene = {0};
    if (!ts_egl_open(&egl, 3, 3, msg, sizeof msg)) {
        fprintf(stderr, PROG ": error: no OpenGL: %s\n", msg);
        status = EXIT_NO_GL;
    } else if (!scene_create(&scene, &model, &view, width, height, msg, sizeof msg)) {
        status = fail("%s", msg);
    } else {
        bool progress = isatty(STDERR_FILENO);
        double start = ts_cli_now_ms();
        for (long f = -1; f < frames; f++) { /* f = -1: warm-up */
            double t0 = ts_cli_now_ms();
            scene_draw(&scene, &model);
            glFinish();
            double t1 = ts_cli_now_ms();
            if (f >= 0) times[f] = t1 - t0;
            if (progress && t1 - start > 2000.0)
                fprintf(stderr, "\r" PROG ": frame %ld/%ld", f + 1, frames);
        }
        if (progress && ts_cli_now_ms() - start > 2000.0) fputc('\n', stderr);

        char renderer[256];
        renderer_name(renderer, sizeof renderer);
        if (gl_failed("drawing", msg, sizeof msg) ||
            !read_frame(width, height, pixels, msg, sizeof msg)) {
            status = fail("%s", msg);
        } else if (ts_png_write(out, width, height, pixels, &err) != TS_OK) {
            status = fail("%s", err.message);
        } else {
            double median = ts_cli_median(times, (int)frames); /* sorts: times[0] is the minimum */
            /* tessera-bench --peer gl reads this line (demos/bench_peer.c):
             * keep its keys and one word a value. */
            printf(PROG ": model=%s tris=%u size=%dx%d frames=%ld median_ms=%.3f min_ms=%.3f "
                        "shading=%s out=%s renderer=%s\n",
                   name, ts_model_triangle_count(&model), width, height, frames, median,
                   times[0], ts_shading_name(view.shading), out, renderer);
        }
    }
    if (egl.ctx != EGL_NO_CONTEXT) scene_destroy(&scene);
    ts_egl_close(&egl);
    free(pixels);
    free(times);
    ts_model_free(&model);
    return status;
}
