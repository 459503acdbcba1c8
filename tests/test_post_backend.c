/* test_post_backend.c — one post-processing backend against the cpu chain
 * (compute/post_cpu.c, the definition): every channel of every pixel
 * within 2/255, over synthetic HDR frames that exercise each stage (bright
 * spots for bloom, values far above 1 for the tone map, hard diagonal
 * edges for FXAA, NaN, infinities and negatives for the sanitizer) and
 * over the stages one at a time and all together, at odd sizes (a half
 * size that rounds up) and with frames of two sizes on one instance; and,
 * as the render thread drives a GPU backend, with the next frame's tiles
 * uploaded while the last frame is still pending on the device.
 *
 *   test_post_backend BACKEND    (cpu, gl or cuda)
 *   test_post_backend BACKEND --texture    (gl or cuda)
 *
 * --texture: the frames as a window gets them, left on the GPU in an
 * OpenGL texture (ts_post_frame's `texture`), on an OpenGL 4.3 context
 * this test makes current (EGL, headless: Mesa's llvmpipe runs it too) as
 * the window's presenter would: the gl backend runs its passes on that
 * context and copies the result into the texture; the cuda backend copies
 * its result into the texture through CUDA's OpenGL interop. Each texture
 * is read back and compared as above; every frame must have stayed on the
 * GPU (exit 77 for cuda when the context is not NVIDIA's driver, which
 * alone shares buffers with a CUDA device).
 *
 * For cpu it also runs the fast chain (compute/post_fast.h: the SIMD kernels
 * in the order the renderer's workers run them) on every ISA this CPU runs,
 * which must give the definition's pixels within 1/255, checks the sRGB
 * table the fast chain encodes with against the definition's powf, and
 * pins FXAA's edge thresholds (docs/POST.md) on either side.
 *
 * Exit 77 (CTest's skip) when the backend cannot run here, with the reason:
 * no GPU, no GL driver, not built. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "post_fast.h"
#include "test_check.h"
#include "test_rng.h"

#if TS_TEST_GL
#include <glad/gl.h>

#include "egl_headless.h"
#endif

#define TOLERANCE 2
#define FAST_TOLERANCE 1 /* the fast cpu chain against the definition */

/* A frame with a bit of everything: a dim gradient, bright discs (bloom),
 * a hard-edged rotated square (FXAA), sparse hostile values. */
static float *make_frame(int w, int h, uint32_t seed) {
    float *f = malloc((size_t)w * h * 4 * sizeof *f);
    rng_state = seed;
    float cx = w * 0.35f, cy = h * 0.4f, r = (w < h ? w : h) * 0.12f;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *p = &f[((size_t)y * w + x) * 4];
            p[0] = 0.2f * x / w;
            p[1] = 0.3f * y / h;
            p[2] = 0.1f;
            p[3] = 1.0f;
            /* a square rotated by ~30 degrees, color 0.8 */
            float u = 0.866f * (x - w * 0.6f) + 0.5f * (y - h * 0.55f);
            float v = -0.5f * (x - w * 0.6f) + 0.866f * (y - h * 0.55f);
            if (fabsf(u) < w * 0.15f && fabsf(v) < h * 0.15f) p[0] = p[1] = p[2] = 0.8f;
            float dx = x - cx, dy = y - cy;
            if (dx * dx + dy * dy < r * r) { /* a bright disc: bloom */
                p[0] = 6.0f;
                p[1] = 3.0f;
                p[2] = 1.5f;
            }
            uint32_t k = rng() % 997;
            if (k == 0) p[0] = NAN;
            if (k == 1) p[1] = INFINITY;
            if (k == 2) p[2] = -5.0f;
            if (k == 3) p[0] = p[1] = p[2] = 400.0f; /* a hot pixel */
            if (k == 4) p[3] = 0.5f;
        }
    return f;
}

typedef struct variant {
    const char *name;
    ts_post_desc desc;
} variant;

static const variant variants[] = {
    {"all stages", {0}},
    {"exposure only", {.exposure = 2.5f, .no_bloom = true, .no_tonemap = true, .no_fxaa = true, .no_srgb = true}},
    {"bloom only", {.bloom_threshold = 0.5f, .bloom_strength = 1.0f, .bloom_radius = 5, .no_tonemap = true,
                    .no_fxaa = true, .no_srgb = true}},
    {"bloom, widest", {.bloom_radius = TS_POST_MAX_RADIUS, .no_fxaa = true}},
    {"tone map only", {.exposure = 4.0f, .no_bloom = true, .no_fxaa = true, .no_srgb = true}},
    {"fxaa only", {.no_bloom = true, .no_tonemap = true, .no_srgb = true}},
    {"srgb only", {.no_bloom = true, .no_tonemap = true, .no_fxaa = true}},
};

static int max_difference(const uint8_t *want, const uint8_t *got, size_t n, size_t *at) {
    int max = 0;
    for (size_t i = 0; i < n; i++) {
        int d = abs((int)want[i] - (int)got[i]);
        if (d > max) max = d, *at = i;
    }
    return max;
}

/* The fast chain on every ISA this CPU runs against `want`. */
static void compare_fast(const ts_post_params *p, const char *name, int w, int h, const float *hdr,
                         const uint8_t *want) {
    uint8_t *got = malloc((size_t)w * h * 4);
    for (int i = TS_ISA_SCALAR; i < TS_ISA_COUNT; i++) {
        if (!ts_isa_supported((ts_isa)i)) continue;
        const ts_post_kernels *k = ts_post_kernels_for((ts_isa)i);
        ts_post_cpu_frame f;
        ts_error err = {0};
        CHECK(ts_post_cpu_frame_init(&f, p, w, h, 1, &err) == TS_OK, "%s", err.message);
        f.hdr = hdr;
        f.out = got;
        memset(got, 0xAB, (size_t)w * h * 4);
        CHECK(ts_post_cpu_fast_run(k, p, &f), "out of memory for a tile buffer");
        size_t at = 0;
        int max = max_difference(want, got, (size_t)w * h * 4, &at);
        printf("fast  %-6s %-14s %4dx%-4d max difference %d/255", k->name, name, w, h, max);
        if (max) printf(" (pixel %zu,%zu channel %zu: cpu %d, fast %d)", at / 4 % (size_t)w, at / 4 / (size_t)w, at % 4,
                        want[at], got[at]);
        printf("\n");
        CHECK(max <= FAST_TOLERANCE, "fast %s %s %dx%d differs from the definition by %d/255", k->name, name, w, h,
              max);
        ts_post_cpu_frame_free(&f);
    }
    free(got);
}

/* The table lookup the kernels do, in scalar C, against the definition:
 * every 257th float of [0, 1], the floats around every step, and hostile
 * ones (the kernels clamp before the lookup, as here). */
static uint8_t table_encode(const ts_post_srgb_table *t, float v) {
    v = !(v > 0.0f) ? 0.0f : v > 1.0f ? 1.0f : v;
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    int bucket = (int)(bits >> 16) - TS_SRGB_FIRST;
    uint32_t e = (uint32_t)t->entry[bucket < 0 ? 0 : bucket];
    return (uint8_t)((e & 255) + ((bits & 0xFFFF) >= (e >> 8) ? 1 : 0));
}

static void check_encode(const ts_post_srgb_table *t, uint32_t bits, long *wrong) {
    float v;
    memcpy(&v, &bits, sizeof v);
    if (table_encode(t, v) != ts_post_cpu_srgb8(v) && (*wrong)++ < 5)
        printf("sRGB table: %a encodes to %d, the definition %d\n", (double)v, table_encode(t, v), ts_post_cpu_srgb8(v));
}

static void check_srgb_table(void) {
    ts_post_srgb_table t;
    ts_post_srgb_table_make(&t);
    CHECK(t.exact, "a bucket of the sRGB table holds two steps");
    long wrong = 0;
    uint32_t probes[TS_SRGB_BUCKETS];
    int n = 0;
    for (int b = 0; b < TS_SRGB_BUCKETS; b++) {
        uint32_t step = (uint32_t)t.entry[b] >> 8;
        if (step <= 0xFFFF) probes[n++] = (uint32_t)(TS_SRGB_FIRST + b) << 16 | step;
    }
    for (uint32_t bits = 0; bits <= 0x3f800000u; bits += 257) check_encode(&t, bits, &wrong);
    for (int i = 0; i < n; i++)
        for (uint32_t d = 0; d < 7; d++) check_encode(&t, probes[i] - 3 + d, &wrong);
    const float hostile[] = {-1.0f, -0.0f, 2.0f, INFINITY, -INFINITY, NAN, 1e-30f, 1.0f};
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++)
        if (table_encode(&t, hostile[i]) != ts_post_cpu_srgb8(hostile[i])) wrong++;
    CHECK(wrong == 0, "the sRGB table differs from the definition at %ld floats", wrong);
}

/* FXAA's edge test (docs/POST.md): a 3x3 neighbourhood is an edge when its
 * luma range reaches max(TS_FXAA_EDGE_MIN, TS_FXAA_EDGE_REL x its largest
 * luma). A diagonal step between two grays, with FXAA alone, must leave the
 * frame as it is below that and change it above, for a dark pair (where
 * EDGE_MIN, 1/16, decides) and a light one (where EDGE_REL, 1/8, does).
 * Every backend is compared with this definition, so its constants are
 * pinned here, against the numbers the document gives. */
static void check_fxaa_thresholds(void) {
    enum { W = 16, H = 16 };
    static const struct {
        float luma0, luma1; /* FXAA's luma is the square root of the luminance */
        bool edge;
    } cases[] = {
        {0.30f, 0.35f, false}, /* range 0.05 < 1/16 (and 0.35/8) */
        {0.30f, 0.38f, true},  /* 0.08 > 1/16 */
        {0.80f, 0.89f, false}, /* 0.09 < 0.89/8 (above 1/16) */
        {0.80f, 0.93f, true},  /* 0.13 > 0.93/8 */
    };
    const ts_post_desc off = {.no_bloom = true, .no_tonemap = true, .no_fxaa = true, .no_srgb = true};
    ts_post_desc on = off;
    on.no_fxaa = false;
    ts_post_params p_off, p_on;
    ts_error err = {0};
    CHECK(ts_post_params_make(&off, &p_off, &err) == TS_OK && ts_post_params_make(&on, &p_on, &err) == TS_OK, "%s",
          err.message);
    float hdr[W * H * 4], *scratch = malloc(ts_post_cpu_scratch_floats(W, H) * sizeof *scratch);
    uint8_t plain[W * H * 4], fxaa[W * H * 4];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                float l = x > y ? cases[i].luma1 : cases[i].luma0, *px = &hdr[(y * W + x) * 4];
                px[0] = px[1] = px[2] = l * l;
                px[3] = 1.0f;
            }
        ts_post_cpu_run(&p_off, W, H, hdr, plain, scratch);
        ts_post_cpu_run(&p_on, W, H, hdr, fxaa, scratch);
        bool changed = memcmp(plain, fxaa, sizeof plain) != 0;
        CHECK(changed == cases[i].edge, "FXAA on a step of luma %.2f to %.2f: the frame %s, expected %s",
              (double)cases[i].luma0, (double)cases[i].luma1, changed ? "changed" : "stayed",
              cases[i].edge ? "an edge" : "no edge");
    }
    free(scratch);
}

/* The tiles, as the renderer hands them over: 64x64, edges partial. */
static void upload_tiles(ts_post *post, const float *hdr, int w, int h) {
    for (int ty = 0; ty < h; ty += 64)
        for (int tx = 0; tx < w; tx += 64)
            ts_post_tile(post, &hdr[((size_t)ty * w + tx) * 4], (size_t)w * 4, tx, ty, w - tx < 64 ? w - tx : 64,
                         h - ty < 64 ? h - ty : 64);
}

/* With --texture: the frames that stayed on the GPU, of all frames. */
static int texture_frames, gpu_frames;

#if TS_TEST_GL
/* The w x h texture's texels, row y of the texture as row y of `out`
 * (left as it was, with a check failed, when GL says otherwise). */
static void read_texture(unsigned texture, int w, int h, uint8_t *out) {
    GLint tw = 0, th = 0;
    glBindTexture(GL_TEXTURE_2D, texture);
    glGetTexLevelParameteriv(GL_TEXTURE_2D, 0, GL_TEXTURE_WIDTH, &tw);
    glGetTexLevelParameteriv(GL_TEXTURE_2D, 0, GL_TEXTURE_HEIGHT, &th);
    CHECK(tw == w && th == h, "the frame's texture is %dx%d, not %dx%d", tw, th, w, h);
    if (tw != w || th != h) return;
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, out);
    glBindTexture(GL_TEXTURE_2D, 0);
    GLenum e = glGetError();
    CHECK(e == GL_NO_ERROR, "reading the frame's texture: GL error 0x%x", e);
}
#endif

/* The frame, as ts_post_frame gives it: written to `got`, or with `texture`
 * (--texture) left in a texture, which is read back into `got`. */
static ts_result run_frame(ts_post *post, const ts_post_params *p, int w, int h, const float *hdr, uint8_t *got,
                           bool texture, ts_error *err) {
    unsigned tex = 0;
    ts_result r = ts_post_frame(post, p, w, h, hdr, got, texture ? &tex : NULL, err);
    if (!texture || r != TS_OK) return r;
    texture_frames++;
    if (!tex) return r; /* read back into `got` */
    gpu_frames++;
#if TS_TEST_GL
    read_texture(tex, w, h, got); /* over compare_size's 0xAB fill */
#endif
    return r;
}

/* Runs every variant on one frame size; returns the largest difference. */
static int compare_size(ts_post *post, int w, int h, const char *backend, bool texture) {
    float *hdr = make_frame(w, h, 777u + (uint32_t)w);
    uint8_t *want = malloc((size_t)w * h * 4), *got = malloc((size_t)w * h * 4);
    float *scratch = malloc(ts_post_cpu_scratch_floats(w, h) * sizeof *scratch);
    int worst = 0;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        ts_post_params p;
        ts_error err = {0};
        CHECK(ts_post_params_make(&variants[v].desc, &p, &err) == TS_OK, "%s: %s", variants[v].name, err.message);
        ts_post_cpu_run(&p, w, h, hdr, want, scratch);
        if (ts_post_kind(post) == TS_POST_CPU) compare_fast(&p, variants[v].name, w, h, hdr, want);
        upload_tiles(post, hdr, w, h);
        memset(got, 0xAB, (size_t)w * h * 4);
        ts_result r = run_frame(post, &p, w, h, hdr, got, texture, &err);
        CHECK(r == TS_OK, "%s %s %dx%d: %s", backend, variants[v].name, w, h, err.message);
        size_t at = 0;
        int max = max_difference(want, got, (size_t)w * h * 4, &at);
        printf("%-5s %-14s %4dx%-4d max difference %d/255", backend, variants[v].name, w, h, max);
        if (max)
            printf(" (pixel %d,%d channel %d: cpu %d, %s %d)", (int)(at / 4 % (size_t)w), (int)(at / 4 / (size_t)w),
                   (int)(at % 4), want[at], backend, got[at]);
        printf("\n");
        CHECK(max <= TOLERANCE, "%s %s %dx%d differs from cpu by %d/255", backend, variants[v].name, w, h, max);
        if (max > worst) worst = max;
    }
    free(hdr), free(want), free(got), free(scratch);
    return worst;
}

/* Two frames the way the render thread overlaps them: frame A started
 * (pending on a GPU: its read-back still to come), frame B's tiles
 * uploaded into the same HDR image behind A's chain, A finished by polling,
 * then B. Each must come out as the cpu chain makes it: B's uploads must
 * not reach A's passes, nor A's result be read before the device is done. */
static void check_overlap(ts_post *post, int w, int h, const char *backend) {
    size_t n = (size_t)w * h * 4;
    float *hdr[2] = {make_frame(w, h, 11u), make_frame(w, h, 12u)};
    /* B differs from A everywhere, so an upload that overtook A's chain
     * shows in A's pixels. */
    for (size_t i = 0; i < n; i += 4) hdr[1][i] = hdr[1][i + 1] = hdr[1][i + 2] = 4.0f - hdr[1][i];
    uint8_t *want[2] = {malloc(n), malloc(n)}, *got[2] = {malloc(n), malloc(n)};
    float *scratch = malloc(ts_post_cpu_scratch_floats(w, h) * sizeof *scratch);
    ts_post_params p;
    ts_error err = {0};
    CHECK(ts_post_params_make(&variants[0].desc, &p, &err) == TS_OK, "%s", err.message);
    for (int f = 0; f < 2; f++) {
        ts_post_cpu_run(&p, w, h, hdr[f], want[f], scratch);
        memset(got[f], 0xAB, n);
    }

    bool pending = false;
    upload_tiles(post, hdr[0], w, h);
    ts_result r = ts_post_frame_start(post, &p, w, h, hdr[0], got[0], NULL, &pending, &err);
    CHECK(r == TS_OK, "%s: starting frame A: %s", backend, err.message);
    /* Headless, a GPU backend leaves the read-back for later; cpu never does. */
    bool gpu = ts_post_kind(post) != TS_POST_CPU;
    CHECK(pending == gpu, "%s: frame A is %spending", backend, pending ? "" : "not ");
    upload_tiles(post, hdr[1], w, h);
    long polls = 0;
    ts_result done_r = TS_OK;
    while (!ts_post_frame_finish(post, false, &done_r, &err)) polls++;
    CHECK(done_r == TS_OK, "%s: finishing frame A: %s", backend, err.message);
    CHECK(ts_post_frame_finish(post, false, &done_r, &err) && done_r == TS_OK, "%s: nothing pending now", backend);
    r = ts_post_frame_start(post, &p, w, h, hdr[1], got[1], NULL, &pending, &err);
    CHECK(r == TS_OK, "%s: starting frame B: %s", backend, err.message);
    ts_post_frame_finish(post, true, &done_r, &err);
    CHECK(done_r == TS_OK, "%s: finishing frame B: %s", backend, err.message);
    for (int f = 0; f < 2; f++) {
        size_t at = 0;
        int max = max_difference(want[f], got[f], n, &at);
        printf("%-5s overlapped frame %c %dx%d max difference %d/255 (%ld polls)\n", backend, "AB"[f], w, h, max,
               f == 0 ? polls : 0L);
        CHECK(max <= TOLERANCE, "%s: overlapped frame %c differs from cpu by %d/255 at byte %zu", backend, "AB"[f], max,
              at);
    }
    for (int f = 0; f < 2; f++) free(hdr[f]), free(want[f]), free(got[f]);
    free(scratch);
}

int main(int argc, char **argv) {
    ts_post_backend backend;
    bool texture = argc == 3 && !strcmp(argv[2], "--texture");
    if (argc < 2 || argc > 2 + texture || !ts_post_backend_parse(argv[1], &backend) || backend == TS_POST_NONE ||
        (texture && backend == TS_POST_CPU)) {
        fprintf(stderr, "usage: test_post_backend cpu|gl|cuda, or gl|cuda --texture\n");
        return 2;
    }
#if TS_TEST_GL
    ts_egl egl = {0};
    if (texture) {
        char why[1024];
        if (!ts_egl_open(&egl, 4, 3, why, sizeof why)) {
            printf("SKIP: no OpenGL 4.3 context for the texture: %s\n", why);
            return 77;
        }
        /* CUDA shares buffers only with its own device's OpenGL driver.
         * Decided from the context, not from what the backend does: an
         * interop that fails where it should work is a failure. */
        const char *vendor = (const char *)glGetString(GL_VENDOR);
        if (backend == TS_POST_CUDA && (!vendor || !strstr(vendor, "NVIDIA"))) {
            printf("SKIP: the OpenGL context is %s's, not the CUDA device's driver: no interop to test\n",
                   vendor ? vendor : "an unknown vendor");
            ts_egl_close(&egl);
            return 77;
        }
    }
#else
    if (texture) {
        printf("SKIP: built without OpenGL: no texture to leave a frame in\n");
        return 77;
    }
#endif
    ts_post *post = NULL;
    ts_error err = {0};
    ts_result r = ts_post_create(backend, 321, 203, texture, &post, &err);
    int status = 0;
    if (r == TS_ERR_UNSUPPORTED) {
        printf("SKIP: the %s backend cannot run here: %s\n", argv[1], err.message);
        status = 77;
    } else {
        CHECK(r == TS_OK, "ts_post_create(%s): %s", argv[1], err.message);
    }
    if (r == TS_OK) {
        if (backend == TS_POST_CPU) {
            check_srgb_table();
            check_fxaa_thresholds();
        }
        /* Odd sizes, then a smaller and a larger frame on the same instance. */
        compare_size(post, 321, 203, argv[1], texture);
        compare_size(post, 67, 9, argv[1], texture);
        compare_size(post, 1, 1, argv[1], texture);
        compare_size(post, 480, 270, argv[1], texture);
        if (!texture) check_overlap(post, 480, 270, argv[1]);
        ts_post_destroy(post);
        if (texture) {
            printf("%s: %d of %d frames stayed on the GPU as a texture\n", argv[1], gpu_frames, texture_frames);
            CHECK(gpu_frames == texture_frames, "%d of %d frames were read back instead of left in a texture",
                  texture_frames - gpu_frames, texture_frames);
        }
        status = failures ? 1 : 0;
    } else if (status != 77) {
        status = 1;
    }
#if TS_TEST_GL
    if (texture) ts_egl_close(&egl);
#endif
    printf("%d passed, %d failed\n", checks - failures, failures);
    return status;
}
