/* test_hostile.c — hostile geometry from clip space to coverage, on every
 * SIMD target this CPU runs: vertices exactly at and just beyond the guard
 * band, triangles spanning 1e30 in clip space, w near zero (+-1e-30, +-a
 * denormal, +-0), tiny and huge w (2^-120 to 2^120), the near plane crossed
 * at a sweep of angles, in a 64x48 frame and the largest, 16384x16384.
 * Each triangle goes through the renderer's own steps: ts_clip_triangle
 * (near, far, guard band), ts_frame_to_screen, then per fan triangle the
 * scalar setup (the reference's) and each kernel's SIMD setup, which must
 * agree field for field, and each kernel's tile raster, whose coverage and
 * depth must equal the reference rasterizer's bit for bit. The coverage is
 * also checked against an exact oracle: the triangle clipped to near and
 * far in double precision and projected, every pixel center farther than
 * 1/16 px from its outline inside or outside as the oracle says; and a
 * triangle scaled by a power of two in clip space (the same points) covers
 * exactly what the unscaled one does, with the same depth. Nothing may be
 * lost to overflow: a triangle whose clipped polygon covers a pixel is
 * drawn. */
#include "isa.h"
#include "rast_ref.h"
#include "renderer_internal.h"
#include "vecmath.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;
static long fan_tris, oracle_pixels;

#define FAIL(...)                                                                                          \
    do {                                                                                                   \
        if (failures++ < 20) {                                                                             \
            printf("FAIL %s: ", g_case);                                                                   \
            printf(__VA_ARGS__);                                                                           \
            printf("\n");                                                                                  \
        }                                                                                                  \
    } while (0)

static char g_case[160];
static bool g_verbose;
/* False for triangles with a vertex whose 1/w overflows (w zero or
 * denormal): their perspective is undefined, and every path drops the fan
 * triangles that touch such a vertex; only agreement and the absence of
 * overflow are checked then. */
static bool g_judge = true; /* TEST_HOSTILE_VERBOSE=1: every clipped polygon and fan */

static ts_clip_vert cv(double x, double y, double z, double w) {
    ts_clip_vert v;
    memset(&v, 0, sizeof v);
    v.pos[0] = (float)x;
    v.pos[1] = (float)y;
    v.pos[2] = (float)z;
    v.pos[3] = (float)w;
    return v;
}

/* ---- the oracle: near/far clipping and projection in double ------------- */

typedef struct dpoly {
    double x[16], y[16];
    int n;
} dpoly;

/* The visible polygon of a clip-space triangle in screen pixels (x right,
 * y down), clipped to near (z >= -w) and far (z <= w) only: the guard band
 * moves no visible edge. False when it cannot be projected exactly enough
 * to judge (w of a clipped vertex not clearly positive). */
static bool oracle_polygon(const ts_clip_vert in[3], int W, int H, dpoly *out) {
    double p[2][16][4];
    int n = 3, cur = 0;
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++) p[0][i][k] = (double)in[i].pos[k];
    for (int plane = 0; plane < 2; plane++) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            const double *a = p[cur][i], *b = p[cur][(i + 1) % n];
            double da = plane == 0 ? a[3] + a[2] : a[3] - a[2];
            double db = plane == 0 ? b[3] + b[2] : b[3] - b[2];
            if (da >= 0) memcpy(p[cur ^ 1][m++], a, sizeof p[0][0]);
            if ((da >= 0) != (db >= 0)) {
                double t = da / (da - db);
                for (int k = 0; k < 4; k++) p[cur ^ 1][m][k] = a[k] + t * (b[k] - a[k]);
                m++;
            }
        }
        n = m;
        cur ^= 1;
    }
    out->n = n;
    for (int i = 0; i < n; i++) {
        double w = p[cur][i][3];
        if (!(w > 1e-300)) return false;
        out->x[i] = (p[cur][i][0] / w + 1.0) * 0.5 * W;
        out->y[i] = (1.0 - p[cur][i][1] / w) * 0.5 * H;
    }
    return true;
}

/* 1 inside, 0 outside, -1 within `tol` px of the outline (not judged). */
static int oracle_inside(const dpoly *p, double px, double py, double tol) {
    if (p->n < 3) return 0;
    double area = 0;
    for (int i = 0; i < p->n; i++) {
        int j = (i + 1) % p->n;
        area += p->x[i] * p->y[j] - p->x[j] * p->y[i];
    }
    if (area == 0) return 0;
    double sign = area > 0 ? 1 : -1;
    bool near_edge = false;
    for (int i = 0; i < p->n; i++) {
        int j = (i + 1) % p->n;
        double ex = p->x[j] - p->x[i], ey = p->y[j] - p->y[i];
        double len = sqrt(ex * ex + ey * ey);
        if (len == 0) continue;
        double d = sign * (ex * (py - p->y[i]) - ey * (px - p->x[i])) / len;
        if (d < -tol) return 0;
        if (d <= tol) near_edge = true;
    }
    return near_edge ? -1 : 1;
}

/* ---- the renderer's steps ---------------------------------------------- */

typedef struct tile_depth {
    float z[TS_TILE * TS_TILE]; /* row-major in the tile, 1 where uncovered */
    int count[TS_TILE * TS_TILE];
} tile_depth;

typedef struct ref_ctx {
    tile_depth *d;
    ts_tile_rect rect;
} ref_ctx;

static void ref_quad(void *user, const ts_tri_setup *t, const ts_quad *q) {
    (void)t;
    ref_ctx *c = user;
    for (int i = 0; i < 4; i++) {
        if (!(q->mask & (1u << i))) continue;
        int x = q->x + (i & 1) - c->rect.x, y = q->y + (i >> 1) - c->rect.y;
        if (x < 0 || y < 0 || x >= c->rect.w || y >= c->rect.h) continue;
        c->d->count[y * TS_TILE + x]++;
        if (q->z[i] < c->d->z[y * TS_TILE + x]) c->d->z[y * TS_TILE + x] = q->z[i];
    }
}

/* The fan triangles of one clip-space triangle, as the renderer makes them. */
typedef struct fan {
    ts_tri_setup setup[TS_CLIP_MAX_VERTS];
    int count;
} fan;

static const float no_varyings[TS_MAX_VARYINGS];

/* Clips, maps to the screen and sets up; checks the clipper's output lies
 * in the band and every kernel's setup against the scalar one. */
static void make_fan(const ts_clip_vert in[3], int W, int H, fan *f) {
    ts_clip_band band = ts_clip_guard_band(W, H);
    ts_clip_vert poly[TS_CLIP_MAX_VERTS];
    ts_screen_vert s[TS_CLIP_MAX_VERTS];
    int n = ts_clip_triangle(in, 0, band, poly);
    f->count = 0;
    checks++;
    if (n != 0 && (n < 3 || n > TS_CLIP_MAX_VERTS)) FAIL("clipper made %d vertices", n);
    for (int i = 0; i < n; i++) {
        const float *p = poly[i].pos;
        /* Inside the band up to the rounding of the cut. */
        float slack = 1e-5f * (fabsf(p[3]) + fabsf(p[0]) + fabsf(p[1]));
        if (!g_judge && !(fabsf(p[3]) >= FLT_MIN)) continue;
        if (!(p[3] > 0.0f) || fabsf(p[0]) > band.gx * p[3] + slack || fabsf(p[1]) > band.gy * p[3] + slack)
            FAIL("clipped vertex %d (%g, %g, %g, %g) outside the band", i, (double)p[0], (double)p[1],
                 (double)p[2], (double)p[3]);
        ts_frame_to_screen(&poly[i], W, H, &s[i]);
        /* The guard band keeps screen positions far inside the snapping
         * range (2^23 subpixels = 32768 px). */
        if (isfinite(s[i].inv_w) &&
            (fabsf(s[i].x) > (float)(W + TS_GUARD_BAND_PX + 1) || fabsf(s[i].y) > (float)(H + TS_GUARD_BAND_PX + 1)))
            FAIL("screen vertex (%g, %g) beyond the guard band", (double)s[i].x, (double)s[i].y);
    }
    if (g_verbose)
        for (int i = 0; i < n; i++)
            printf("  %s: clipped %d (%a, %a, %a, %a) screen (%a, %a) z %a inv_w %a\n", g_case, i,
                   (double)poly[i].pos[0], (double)poly[i].pos[1], (double)poly[i].pos[2], (double)poly[i].pos[3],
                   (double)s[i].x, (double)s[i].y, (double)s[i].z, (double)s[i].inv_w);
    for (int i = 1; i + 1 < n; i++) {
        ts_screen_vert tri[3] = {s[0], s[i], s[i + 1]};
        ts_tri_setup want;
        bool ok = ts_setup_triangle(tri, W, H, TS_CULL_NONE, 1, &want);
        if (g_verbose) printf("  %s: fan %d %s\n", g_case, i, ok ? "set up" : "rejected");
        for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
            if (!ts_isa_supported((ts_isa)isa)) continue;
            const ts_kernels *k = ts_isa_kernels((ts_isa)isa);
            ts_setup_group g;
            memset(&g, 0, sizeof g);
            ts_setup_group_put(&g, 0, &tri[0], &tri[1], &tri[2]);
            ts_tile_tri out[2];
            memset(out, 0, sizeof out);
            uint32_t acc = k->setup(&g, 1, W, H, TS_CULL_NONE, 1, out);
            checks++;
            if ((acc & 1) != ok) FAIL("%s setup %s a fan triangle the scalar setup %s", k->name,
                                      acc ? "accepts" : "rejects", ok ? "accepts" : "rejects");
            else if (ok && (memcmp(out[0].setup.x, want.x, sizeof want.x) || memcmp(out[0].setup.y, want.y, sizeof want.y)))
                FAIL("%s setup's positions (so its edges) differ from the scalar setup's", k->name);
            else if (ok && (memcmp(&out[0].setup.z, &want.z, sizeof want.z) ||
                            out[0].setup.minx != want.minx || out[0].setup.maxx != want.maxx ||
                            out[0].setup.miny != want.miny || out[0].setup.maxy != want.maxy))
                FAIL("%s setup differs from the scalar setup", k->name);
        }
        if (ok) {
            /* Positions and area within the documented ranges. */
            for (int v = 0; v < 3; v++)
                if (want.x[v] <= -(1 << 23) || want.x[v] >= (1 << 23) || want.y[v] <= -(1 << 23) ||
                    want.y[v] >= (1 << 23))
                    FAIL("snapped vertex beyond 2^23 subpixels");
            f->setup[f->count++] = want;
            fan_tris++;
        }
    }
}

/* The reference rasterizer over one tile: every fan triangle, depth LESS. */
static void reference_tile(const fan *f, int W, int H, ts_tile_rect rect, tile_depth *d) {
    for (int i = 0; i < TS_TILE * TS_TILE; i++) {
        d->z[i] = 1.0f;
        d->count[i] = 0;
    }
    ref_ctx c = {d, rect};
    for (int i = 0; i < f->count; i++) {
        /* Only the tile's part of the pixel rectangle (the reference walks
         * all of it, which at 16384x16384 is slow, not different). Quads
         * start at even pixels and tiles do too, so nothing moves. */
        ts_tri_setup t = f->setup[i];
        if (t.minx < rect.x) t.minx = rect.x;
        if (t.miny < rect.y) t.miny = rect.y;
        if (t.maxx > rect.x + rect.w - 1) t.maxx = rect.x + rect.w - 1;
        if (t.maxy > rect.y + rect.h - 1) t.maxy = rect.y + rect.h - 1;
        if (t.minx > t.maxx || t.miny > t.maxy) continue;
        ts_rast_ref_triangle(&t, W, H, ref_quad, &c);
    }
}

/* A kernel's tile raster over the same tile, against the reference. */
static void kernel_tile(const ts_kernels *k, ts_tile_buf *tb, const fan *f, ts_tile_rect rect,
                        const tile_depth *want) {
    static ts_uniforms u = {.depth_near = 1.5f, .depth_far = 3.5f};
    k->tile_clear(tb, 1);
    for (int i = 0; i < f->count; i++) {
        ts_tile_tri tri;
        memset(&tri, 0, sizeof tri);
        tri.setup = f->setup[i];
        for (int j = 0; j < 3; j++) tri.var[j] = no_varyings;
        tri.uniforms = &u;
        k->raster[TS_PROGRAM_DEPTH](tb, rect, &tri);
    }
    checks++;
    for (int blk = 0; blk < TS_TILE_BLOCKS; blk++)
        for (int i = 0; i < TS_BLOCK_PIXELS; i++) {
            int x = ts_tile_block_x(blk) + ts_block_px_x(i), y = ts_tile_block_y(blk) + ts_block_px_y(i);
            if (x >= rect.w || y >= rect.h) continue;
            float got = tb->depth[ts_tile_at(1, blk, 0, i)], exp = want->z[y * TS_TILE + x];
            if (memcmp(&got, &exp, sizeof got) != 0) {
                FAIL("%s: pixel (%d, %d) depth %.9g, reference %.9g", k->name, rect.x + x, rect.y + y, (double)got,
                     (double)exp);
                return;
            }
        }
}

static ts_tile_rect tile_rect(int W, int H, int tx, int ty) {
    ts_tile_rect r = {tx * TS_TILE, ty * TS_TILE, 0, 0};
    r.w = W - r.x < TS_TILE ? W - r.x : TS_TILE;
    r.h = H - r.y < TS_TILE ? H - r.y : TS_TILE;
    return r;
}

static ts_tile_buf *g_tb;

/* The tiles checked: all of a small frame; of the largest, its corners,
 * its center and the tiles under the polygon's vertices. */
static int tiles_to_check(int W, int H, const dpoly *p, int tiles[][2]) {
    int tx = (W + TS_TILE - 1) / TS_TILE, ty = (H + TS_TILE - 1) / TS_TILE, n = 0;
    if (tx * ty <= 16) {
        for (int y = 0; y < ty; y++)
            for (int x = 0; x < tx; x++) tiles[n][0] = x, tiles[n++][1] = y;
        return n;
    }
    const int fixed[][2] = {{0, 0}, {tx - 1, 0}, {0, ty - 1}, {tx - 1, ty - 1}, {tx / 2, ty / 2}};
    for (int i = 0; i < 5; i++) tiles[n][0] = fixed[i][0], tiles[n++][1] = fixed[i][1];
    for (int i = 0; p && i < p->n && n < 21; i++) {
        double x = p->x[i] / TS_TILE, y = p->y[i] / TS_TILE;
        if (x >= 0 && x < tx && y >= 0 && y < ty) tiles[n][0] = (int)x, tiles[n++][1] = (int)y;
    }
    return n;
}

/* One clip-space triangle in a W x H frame: kernels against the reference,
 * the reference against the oracle. `same_as` (optional): a triangle with
 * the same screen image, whose coverage and depth must be identical. */
static void check_triangle(const char *name, const ts_clip_vert in[3], int W, int H, const ts_clip_vert *same_as) {
    snprintf(g_case, sizeof g_case, "%s (%dx%d)", name, W, H);
    fan f, f2;
    make_fan(in, W, H, &f);
    if (same_as) make_fan(same_as, W, H, &f2);
    dpoly poly;
    bool judged = g_judge && oracle_polygon(in, W, H, &poly);
    int tiles[32][2];
    int nt = tiles_to_check(W, H, judged ? &poly : NULL, tiles);
    static tile_depth want, other;
    for (int t = 0; t < nt; t++) {
        ts_tile_rect rect = tile_rect(W, H, tiles[t][0], tiles[t][1]);
        reference_tile(&f, W, H, rect, &want);
        for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++)
            if (ts_isa_supported((ts_isa)isa)) kernel_tile(ts_isa_kernels((ts_isa)isa), g_tb, &f, rect, &want);
        if (same_as) {
            reference_tile(&f2, W, H, rect, &other);
            checks++;
            if (memcmp(want.z, other.z, sizeof want.z) != 0)
                FAIL("tile (%d, %d) differs from the same triangle at another scale", rect.x, rect.y);
        }
        for (int y = 0; y < rect.h; y++)
            for (int x = 0; x < rect.w; x++) {
                int c = want.count[y * TS_TILE + x];
                if (c > 1) FAIL("pixel (%d, %d) covered %d times by one triangle's fan", rect.x + x, rect.y + y, c);
                if (!judged) continue;
                int o = oracle_inside(&poly, rect.x + x + 0.5, rect.y + y + 0.5, 1.0 / 16.0);
                if (o < 0) continue;
                oracle_pixels++;
                checks++;
                if (o != c) {
                    FAIL("pixel (%d, %d): covered %d, the exact polygon says %d", rect.x + x, rect.y + y, c, o);
                    return;
                }
            }
    }
}

/* ---- the cases ---------------------------------------------------------- */

static const int frames[][2] = {{64, 48}, {TS_MAX_VIEWPORT, TS_MAX_VIEWPORT}};

/* Vertices exactly on the guard band, and the next float beyond it. */
static void guard_band_cases(int W, int H) {
    ts_clip_band b = ts_clip_guard_band(W, H);
    static const double ws[] = {1.0, 3.7, 1e-30, 1e30, 0x1p-120, 0x1p100};
    for (size_t wi = 0; wi < sizeof ws / sizeof ws[0]; wi++)
        for (int beyond = 0; beyond < 2; beyond++) {
            double w = ws[wi];
            /* The band's edge rounded to float, as a vertex stores it. */
            float fx = (float)((double)b.gx * w), fy = (float)((double)b.gy * w);
            if (beyond) {
                fx = nextafterf(fx, INFINITY);
                fy = nextafterf(fy, INFINITY);
            }
            double gx = (double)fx, gy = (double)fy;
            ts_clip_vert t[3] = {cv(gx, 0.25 * w, 0, w), cv(-0.5 * w, gy, 0.5 * w, w), cv(-gx, -gy, -0.5 * w, w)};
            char name[96];
            snprintf(name, sizeof name, "vertices %s the guard band, w %g", beyond ? "just beyond" : "on", w);
            check_triangle(name, t, W, H, NULL);
            /* Only the corners: a triangle whose edges run along the band. */
            ts_clip_vert c[3] = {cv(gx, gy, 0, w), cv(-gx, gy, 0, w), cv(-gx, -gy, 0, w)};
            snprintf(name, sizeof name, "edges along the guard band%s, w %g", beyond ? " (beyond)" : "", w);
            check_triangle(name, c, W, H, NULL);
        }
}

/* Spans far beyond anything fixed point holds: the clipper brings them in. */
static void huge_span_cases(int W, int H) {
    static const double spans[] = {1e6, 1e20, 1e30, 3e38};
    for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
        double s = spans[i];
        ts_clip_vert a[3] = {cv(-s, -s, 0, 1), cv(s, -s, 0.2, 1), cv(0, s, -0.2, 1)};
        char name[96];
        snprintf(name, sizeof name, "a triangle spanning %g in clip space", s);
        check_triangle(name, a, W, H, NULL);
        /* One vertex far away, two on screen: long thin wedges. */
        ts_clip_vert b[3] = {cv(0.1, -0.2, 0, 1), cv(0.3, 0.4, 0, 1), cv(s, s * 0.37, 0, 1)};
        snprintf(name, sizeof name, "a wedge to %g", s);
        check_triangle(name, b, W, H, NULL);
        /* Far away and behind the camera at once. */
        ts_clip_vert c[3] = {cv(-0.4, -0.1, 0.3, 1), cv(0.5, -0.3, 0.1, 1), cv(-s * 0.3, s, -s, -s)};
        snprintf(name, sizeof name, "a vertex %g behind the camera", s);
        check_triangle(name, c, W, H, NULL);
    }
}

/* w near zero: in front of and behind the camera, and denormal. */
static void w_zero_cases(int W, int H) {
    static const float ws[] = {1e-30f, -1e-30f, 1e-45f, -1e-45f, 1e-40f, -1e-40f, 0.0f, -0.0f, 1e-38f};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
        double w = (double)ws[i];
        g_judge = fabs(w) >= (double)FLT_MIN;
        char name[96];
        /* One vertex at w, its x, y, z scaled with it (a point the
         * projection sends anywhere), two ordinary ones. */
        ts_clip_vert a[3] = {cv(0.25 * w, -0.5 * w, 0.1 * w, w), cv(-0.6, -0.5, 0.2, 1), cv(0.4, 0.7, 0.3, 1.2)};
        snprintf(name, sizeof name, "a vertex at w %g", w);
        check_triangle(name, a, W, H, NULL);
        /* At w with x, y, z not scaled: beyond every plane but one. */
        ts_clip_vert b[3] = {cv(0.5, 0.5, 0.5, w), cv(-0.6, -0.5, 0.2, 1), cv(0.4, -0.7, 0.3, 1.2)};
        snprintf(name, sizeof name, "a vertex (0.5, 0.5, 0.5, %g)", w);
        check_triangle(name, b, W, H, NULL);
        /* Every vertex at w. */
        ts_clip_vert c[3] = {cv(-0.5 * w, -0.5 * w, 0, w), cv(0.5 * w, -0.5 * w, 0, w), cv(0, 0.5 * w, 0, w)};
        snprintf(name, sizeof name, "every vertex at w %g", w);
        check_triangle(name, c, W, H, NULL);
    }
    g_judge = true;
}

/* The same points at any scale of w: powers of two keep x/w exact, so the
 * image must be identical, depth included. */
static void w_scale_cases(int W, int H) {
    static const double scales[] = {0x1p-120, 0x1p-60, 0x1p-20, 0x1p20, 0x1p60, 0x1p120};
    const ts_clip_vert base[3] = {cv(-0.7, -0.55, 0.1, 1.0), cv(0.8, -0.25, -0.3, 1.5), cv(0.05, 0.9, 0.6, 0.75)};
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        ts_clip_vert t[3];
        for (int v = 0; v < 3; v++)
            for (int k = 0; k < 4; k++) t[v].pos[k] = (float)((double)base[v].pos[k] * scales[i]);
        for (int v = 0; v < 3; v++) memset(t[v].var, 0, sizeof t[v].var);
        char name[96];
        snprintf(name, sizeof name, "the same triangle at w scaled by %g", scales[i]);
        check_triangle(name, t, W, H, base);
    }
}

/* A large triangle through the camera's position seen through a real
 * perspective projection, turned about two axes in steps: the near plane
 * cuts it at every angle, and the guard band too. */
static void near_sweep_cases(int W, int H) {
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), (float)W / (float)H, 0.1f, 100.0f);
    const float tri[3][3] = {{-3.0f, -2.0f, 0.0f}, {3.5f, -1.5f, 0.0f}, {0.2f, 3.0f, 0.0f}};
    for (int a = 0; a < 360; a += 15)
        for (int b = 0; b < 180; b += 20) {
            ts_mat4 M = ts_mat4_mul(ts_mat4_translate(0.05f, -0.1f, -0.05f),
                                    ts_mat4_mul(ts_mat4_rotate_y((float)a * (float)TS_PI / 180.0f),
                                                ts_mat4_rotate_x((float)b * (float)TS_PI / 180.0f)));
            ts_mat4 PM = ts_mat4_mul(P, M);
            ts_clip_vert t[3];
            for (int v = 0; v < 3; v++) {
                ts_vec4 c = ts_mat4_apply(&PM, (ts_vec4){tri[v][0], tri[v][1], tri[v][2], 1.0f});
                t[v] = cv((double)c.x, (double)c.y, (double)c.z, (double)c.w);
            }
            char name[96];
            snprintf(name, sizeof name, "near plane sweep, %d deg about y, %d about x", a, b);
            check_triangle(name, t, W, H, NULL);
        }
}

int main(void) {
    g_verbose = getenv("TEST_HOSTILE_VERBOSE") != NULL;
    g_tb = aligned_alloc(64, sizeof *g_tb);
    if (!g_tb) return 1;
    g_tb->touched = ~(uint64_t)0;
    for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++)
        if (!ts_isa_supported((ts_isa)isa)) printf("%s: not supported by this CPU, skipped\n", ts_isa_name((ts_isa)isa));
    for (size_t f = 0; f < sizeof frames / sizeof frames[0]; f++) {
        int W = frames[f][0], H = frames[f][1];
        guard_band_cases(W, H);
        huge_span_cases(W, H);
        w_zero_cases(W, H);
        w_scale_cases(W, H);
        near_sweep_cases(W, H);
    }
    free(g_tb);
    printf("%ld fan triangles, %ld pixels judged by the oracle\n", fan_tris, oracle_pixels);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
