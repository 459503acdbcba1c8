/* test_limits.c — the renderer at its size limits, in a release build
 * (label `limits`; heavy, so not under the sanitizers):
 *   scene-10m   a procedural 10-million-triangle surface (a finely
 *               tessellated rippled sphere, most triangles well below a
 *               pixel) drawn by the fast path on every core against
 *               the reference pipeline: depth bit for bit, color within
 *               1/255;
 *   frame-16k   a 16384x16384 frame (the largest side), drawn and written
 *               as a PNG, which is decoded and must hold exactly the
 *               frame; the frame is checked against the one drawn at 1/16
 *               of the size: the same scene, so its average over each
 *               16x16 block is close to it; or,
 *               when the machine cannot hold the frame, the renderer's
 *               clear refusal (exit 77, reported as skipped).
 * `test_limits NAME [--out DIR]`. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "test_check.h"

#define PI 3.14159265358979323846

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A sphere of `rings` x `segs` quads (two triangles each) with ripples, so
 * neighbouring triangles face different ways and shading varies at the
 * pixel scale. Returns false when out of memory. */
static bool make_sphere(uint32_t rings, uint32_t segs, ts_model *m) {
    memset(m, 0, sizeof *m);
    uint64_t nv = (uint64_t)(rings + 1) * (segs + 1), ni = (uint64_t)rings * segs * 6;
    m->vertices = malloc(nv * sizeof *m->vertices);
    m->indices = malloc(ni * sizeof *m->indices);
    m->meshes = calloc(1, sizeof *m->meshes);
    m->materials = calloc(1, sizeof *m->materials);
    if (!m->vertices || !m->indices || !m->meshes || !m->materials) return false;
    for (uint32_t r = 0; r <= rings; r++) {
        double th = PI * r / rings;
        for (uint32_t s = 0; s <= segs; s++) {
            double ph = 2.0 * PI * s / segs;
            double n[3] = {sin(th) * cos(ph), cos(th), sin(th) * sin(ph)};
            double rad = 1.0 + 0.03 * sin(40.0 * th) * sin(40.0 * ph);
            ts_vertex *v = &m->vertices[(uint64_t)r * (segs + 1) + s];
            for (int k = 0; k < 3; k++) {
                v->pos[k] = (float)(n[k] * rad);
                v->normal[k] = (float)n[k];
            }
            v->uv[0] = (float)s / (float)segs;
            v->uv[1] = (float)r / (float)rings;
        }
    }
    uint64_t k = 0;
    for (uint32_t r = 0; r < rings; r++)
        for (uint32_t s = 0; s < segs; s++) {
            uint32_t a = r * (segs + 1) + s, b = a + segs + 1;
            uint32_t q[6] = {a, b, a + 1, a + 1, b, b + 1};
            for (int i = 0; i < 6; i++) m->indices[k++] = q[i];
        }
    m->vertex_count = (uint32_t)nv;
    m->index_count = (uint32_t)ni;
    m->mesh_count = 1;
    m->meshes[0] = (ts_mesh){0, (uint32_t)ni, 0};
    m->material_count = 1;
    m->materials[0] = (ts_material){{0.8f, 0.6f, 0.4f, 1.0f}, -1};
    return true;
}

typedef struct frame {
    uint8_t *rgba;
    float *depth;
    double ms;
} frame;

static bool render(const ts_model *m, const ts_renderer_desc *desc, const ts_view_desc *view, frame *out) {
    ts_error err = {0};
    ts_renderer *r = NULL;
    if (ts_renderer_create(desc, &r, &err) != TS_OK) {
        printf("create: %s\n", err.message);
        return false;
    }
    double t0 = now_s();
    ts_result res = ts_renderer_draw(r, m, view, &err);
    ts_renderer_finish(r);
    out->ms = (now_s() - t0) * 1e3;
    if (res != TS_OK) {
        printf("draw: %s\n", err.message);
        ts_renderer_destroy(r);
        return false;
    }
    size_t n = (size_t)desc->width * (size_t)desc->height;
    out->rgba = malloc(n * 4);
    out->depth = desc->keep_depth ? malloc(n * sizeof(float)) : NULL;
    if (out->rgba) memcpy(out->rgba, ts_renderer_pixels(r), n * 4);
    if (out->depth) memcpy(out->depth, ts_renderer_depth(r), n * sizeof(float));
    ts_renderer_destroy(r);
    return out->rgba != NULL;
}

static int scene_10m(void) {
    ts_model m;
    double t0 = now_s();
    /* 2237 x 2236 quads: 10,003,864 triangles. */
    if (!make_sphere(2236, 2237, &m)) {
        printf("out of memory for the 10-million-triangle scene\n");
        ts_model_free(&m);
        return 1;
    }
    uint32_t tris = ts_model_triangle_count(&m);
    printf("scene: %u triangles, %u vertices, built in %.0f ms\n", tris, m.vertex_count, (now_s() - t0) * 1e3);
    CHECK(tris >= 10000000u, "%u triangles", tris);
    const int W = 800, H = 600;
    ts_view_desc view = {.yaw_deg = 30, .pitch_deg = 20, .zoom = 1.5f};
    frame ref = {0};
    ts_renderer_desc rd = {.width = W, .height = H, .reference = true, .keep_depth = true};
    if (!render(&m, &rd, &view, &ref)) return 1;
    printf("reference: %.0f ms\n", ref.ms);
    {
        frame fast = {0};
        ts_renderer_desc fd = {.width = W, .height = H, .keep_depth = true};
        if (!render(&m, &fd, &view, &fast)) return 1;
        size_t n = (size_t)W * H, depth_bad = 0, color_bad = 0, covered = 0;
        int worst = 0;
        for (size_t i = 0; i < n; i++) {
            if (memcmp(&fast.depth[i], &ref.depth[i], sizeof(float)) != 0) depth_bad++;
            if (ref.depth[i] < 1.0f) covered++;
            for (int c = 0; c < 4; c++) {
                int d = abs((int)fast.rgba[i * 4 + (size_t)c] - (int)ref.rgba[i * 4 + (size_t)c]);
                if (d > 1) color_bad++;
                if (d > worst) worst = d;
            }
        }
        printf("fast path: %.0f ms, %zu pixels covered, depth differs in %zu, color beyond 1/255 in %zu "
               "(worst %d)\n",
               fast.ms, covered, depth_bad, color_bad, worst);
        CHECK(covered > n / 4, "only %zu pixels covered", covered);
        CHECK(depth_bad == 0, "depth differs from the reference in %zu pixels", depth_bad);
        CHECK(color_bad == 0, "color differs from the reference by more than 1/255 in %zu channels", color_bad);
        free(fast.rgba);
        free(fast.depth);
    }
    free(ref.rgba);
    free(ref.depth);
    ts_model_free(&m);
    return 0;
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c) {
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
}

/* Decodes an 8-bit RGBA PNG file of w x h (all five row filters, CRCs
 * checked) with zlib, a row at a time, and counts the rows that differ
 * from `want`. -1 when the file is not such a PNG. A decoder of our own:
 * stb_image holds the whole inflated image and takes minutes at this
 * size. */
static long png_rows_differing(const char *path, int w, int h, const uint8_t *want) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint8_t sig[8], head[8];
    long bad = -1, differing = 0;
    const size_t row = (size_t)w * 4;
    uint8_t *prev = calloc(row + 1, 1), *cur = calloc(row + 1, 1), *chunk = malloc(1u << 20);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!prev || !cur || !chunk || inflateInit(&z) != Z_OK) goto done;
    if (fread(sig, 1, 8, f) != 8 || memcmp(sig, "\x89PNG\r\n\x1a\n", 8) != 0) goto done;
    int y = 0, zr = Z_OK;
    size_t have = 0; /* bytes of the current row (filter byte first) */
    while (fread(head, 1, 8, f) == 8) {
        uint32_t len = be32(head);
        if (len > (1u << 20)) goto done;
        if (fread(chunk, 1, len, f) != len) goto done;
        uint8_t crc_b[4];
        if (fread(crc_b, 1, 4, f) != 4) goto done;
        uLong crc = crc32(crc32(0L, head + 4, 4), chunk, len);
        if (crc != be32(crc_b)) goto done;
        if (!memcmp(head + 4, "IHDR", 4)) {
            if (len != 13 || (int)be32(chunk) != w || (int)be32(chunk + 4) != h || chunk[8] != 8 || chunk[9] != 6)
                goto done;
        } else if (!memcmp(head + 4, "IDAT", 4)) {
            z.next_in = chunk;
            z.avail_in = len;
            while (z.avail_in && zr == Z_OK) {
                z.next_out = cur + have;
                z.avail_out = (uInt)(row + 1 - have);
                zr = inflate(&z, Z_NO_FLUSH);
                if (zr != Z_OK && zr != Z_STREAM_END) goto done;
                have = row + 1 - z.avail_out;
                if (have < row + 1) continue;
                if (y >= h || cur[0] > 4) goto done;
                for (size_t i = 0; i < row; i++) {
                    int a = i >= 4 ? cur[1 + i - 4] : 0, b = prev[1 + i], c = i >= 4 ? prev[1 + i - 4] : 0;
                    int pred = cur[0] == 1 ? a : cur[0] == 2 ? b : cur[0] == 3 ? (a + b) / 2 : cur[0] == 4 ? paeth(a, b, c) : 0;
                    cur[1 + i] = (uint8_t)(cur[1 + i] + pred);
                }
                if (memcmp(cur + 1, want + (size_t)y * row, row) != 0) differing++;
                uint8_t *t = prev;
                prev = cur;
                cur = t;
                have = 0;
                y++;
            }
        } else if (!memcmp(head + 4, "IEND", 4)) {
            if (y == h && zr == Z_STREAM_END) bad = differing;
            break;
        }
    }
done:
    inflateEnd(&z);
    free(prev);
    free(cur);
    free(chunk);
    fclose(f);
    return bad;
}

static int frame_16k(const char *outdir) {
    const int N = TS_MAX_FRAME_DIM, S = 16, n = N / S;
    ts_model m;
    ts_error err = {0};
    if (ts_model_builtin("showcase", &m, &err) != TS_OK) {
        printf("%s\n", err.message);
        return 1;
    }
    ts_view_desc view = {.yaw_deg = -20, .pitch_deg = 25};
    ts_renderer_desc big = {.width = N, .height = N};
    ts_renderer *r = NULL;
    ts_result res = ts_renderer_create(&big, &r, &err);
    if (res == TS_ERR_OUT_OF_MEMORY) {
        /* The answer on a machine without the memory: clear, up front. */
        printf("SKIP: %s\n", err.message);
        ts_model_free(&m);
        return 77;
    }
    CHECK(res == TS_OK, "create %dx%d: %s", N, N, err.message);
    if (res != TS_OK) return 1;
    double t0 = now_s();
    res = ts_renderer_draw(r, &m, &view, &err);
    ts_renderer_finish(r);
    double draw_ms = (now_s() - t0) * 1e3;
    CHECK(res == TS_OK, "draw: %s", err.message);
    char path[4096];
    snprintf(path, sizeof path, "%s/limits-16k.png", outdir);
    t0 = now_s();
    res = ts_png_write(path, N, N, ts_renderer_pixels(r), &err);
    double png_ms = (now_s() - t0) * 1e3;
    CHECK(res == TS_OK, "%s", err.message);
    const uint8_t *png = ts_renderer_pixels(r);
    printf("16384x16384: drawn in %.0f ms, %s written in %.0f ms\n", draw_ms, path, png_ms);

    /* The file holds exactly the frame. */
    t0 = now_s();
    long rows = png_rows_differing(path, N, N, png);
    printf("read back in %.0f ms: %ld rows differ\n", (now_s() - t0) * 1e3, rows);
    CHECK(rows == 0, "%s: %ld rows differ from the frame (-1: not a readable PNG)", path, rows);

    /* The frame, averaged over 16x16 blocks, against the frame at 1/16. */
    frame small = {0};
    ts_renderer_desc sd = {.width = n, .height = n};
    bool rendered = render(&m, &sd, &view, &small);
    CHECK(rendered, "the %dx%d frame to compare with", n, n);
    if (rendered) {
        size_t bad = 0, lit = 0;
        double worst = 0, total = 0;
        for (int by = 0; by < n; by++)
            for (int bx = 0; bx < n; bx++) {
                for (int c = 0; c < 3; c++) {
                    double sum = 0;
                    for (int y = 0; y < S; y++)
                        for (int x = 0; x < S; x++)
                            sum += png[(((size_t)by * S + (size_t)y) * (size_t)N + (size_t)bx * S + (size_t)x) * 4 + (size_t)c];
                    double d = fabs(sum / (S * S) - small.rgba[((size_t)by * (size_t)n + (size_t)bx) * 4 + (size_t)c]);
                    if (d > worst) worst = d;
                    total += d;
                    /* Edges: a block half covered is half the color, and
                     * a 16th of a pixel of texture detail; 48/255 leaves
                     * room for both. */
                    if (d > 48) bad++;
                    if (small.rgba[((size_t)by * (size_t)n + (size_t)bx) * 4 + (size_t)c] > 0) lit++;
                }
            }
        double mean = total / ((double)n * n * 3);
        printf("against the %dx%d frame: %zu of %d channels beyond 48/255 (worst %.1f, mean %.2f), %zu lit\n", n,
               n, bad, n * n * 3, worst, mean, lit);
        CHECK(lit > (size_t)n * (size_t)n / 4, "only %zu channels lit", lit);
        /* Where the small frame's pixel is a single surface, the big
         * frame's block is too: nearly all blocks agree. The edges of the
         * showcase's objects make about 0.07% of the channels differ, by
         * 0.14/255 on average; one row of 64-pixel tiles gone wrong is
         * 0.4% of the blocks, and adds about that much times its error. */
        CHECK(bad < (size_t)n * (size_t)n * 3 / 400, "%zu channels differ beyond 48/255", bad);
        CHECK(mean < 0.5, "the blocks differ from the small frame by %.2f/255 on average", mean);
    }
    free(small.rgba);
    ts_renderer_destroy(r);
    ts_model_free(&m);
    return 0;
}

int main(int argc, char **argv) {
    const char *outdir = ".";
    if (argc >= 4 && !strcmp(argv[2], "--out")) outdir = argv[3];
    if (argc < 2 || (argc != 2 && argc != 4)) {
        fprintf(stderr, "usage: test_limits scene-10m|frame-16k [--out DIR]\n");
        return 2;
    }
    int rc;
    if (!strcmp(argv[1], "scene-10m")) rc = scene_10m();
    else if (!strcmp(argv[1], "frame-16k")) rc = frame_16k(outdir);
    else {
        fprintf(stderr, "test_limits: no test named %s\n", argv[1]);
        return 2;
    }
    if (rc) return rc;
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
