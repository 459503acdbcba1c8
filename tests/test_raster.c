/* test_raster.c — unit tests of the raster core (the .c files in raster/): fixed-point
 * setup, the top-left fill rule, clipping, watertightness of closed meshes,
 * perspective-correct interpolation and the texture sampler.
 * Self-contained (no framework): `test_raster [name-filter]` runs the tests
 * whose name contains the filter; TEST_RASTER_VERBOSE=1 prints the measured
 * interpolation errors. Exit status 1 if any check failed. */
#include "clip.h"
#include "fixed.h"
#include "rast_ref.h"
#include "setup.h"
#include "texture.h"
#include "vecmath.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */

#define MAX_PRINTED_PER_TEST 12

static long g_pass, g_fail;
static int g_printed; /* failures printed in the current test */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void fail_(const char *file, int line, const char *expr, const char *fmt, ...) {
    g_fail++;
    if (g_printed < MAX_PRINTED_PER_TEST) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "%s:%d: CHECK(%s) failed: ", file, line, expr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    } else if (g_printed == MAX_PRINTED_PER_TEST) {
        fprintf(stderr, "  (further failures of this test not printed)\n");
    }
    g_printed++;
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            g_pass++;                                                                              \
        else                                                                                       \
            fail_(__FILE__, __LINE__, #cond, "false");                                             \
    } while (0)

#define CHECK_INT(a, op, b)                                                                        \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ op b_)                                                                              \
            g_pass++;                                                                              \
        else                                                                                       \
            fail_(__FILE__, __LINE__, #a " " #op " " #b, "%lld vs %lld", a_, b_);                  \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);                             \
        if (fabs(a_ - b_) <= t_)                                                                   \
            g_pass++;                                                                              \
        else                                                                                       \
            fail_(__FILE__, __LINE__, "|" #a " - " #b "| <= " #tol,                                \
                  "%.9g vs %.9g (diff %.3g, tol %.3g)", a_, b_, fabs(a_ - b_), t_);                \
    } while (0)

/* For loops over pixels: names the pixel (only the first few failures of a
 * test are printed). */
#define CHECK_PIXEL(cond, px, py, fmt, ...)                                                        \
    do {                                                                                           \
        if (cond)                                                                                  \
            g_pass++;                                                                              \
        else                                                                                       \
            fail_(__FILE__, __LINE__, #cond, "pixel (%d, %d): " fmt, (px), (py), __VA_ARGS__);     \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static uint64_t rng_next(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *s) {
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_range(uint64_t *s, double lo, double hi) { return lo + (hi - lo) * rng_unit(s); }

static ts_screen_vert sv(float x, float y) {
    ts_screen_vert v = {x, y, 0.5f, 1.0f};
    return v;
}

/* Per-pixel coverage counters, split by facing. */
typedef struct cover {
    int w, h;
    int *all, *front, *back;
    int stray; /* covered pixels reported outside the viewport, or empty quads */
} cover;

static void cover_init(cover *c, int w, int h) {
    c->w = w;
    c->h = h;
    c->all = calloc((size_t)w * (size_t)h, sizeof(int));
    c->front = calloc((size_t)w * (size_t)h, sizeof(int));
    c->back = calloc((size_t)w * (size_t)h, sizeof(int));
    c->stray = 0;
    if (!c->all || !c->front || !c->back) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
}

static void cover_clear(cover *c) {
    size_t n = (size_t)c->w * (size_t)c->h;
    memset(c->all, 0, n * sizeof(int));
    memset(c->front, 0, n * sizeof(int));
    memset(c->back, 0, n * sizeof(int));
    c->stray = 0;
}

static void cover_free(cover *c) {
    free(c->all);
    free(c->front);
    free(c->back);
}

static void count_quad(void *user, const ts_tri_setup *t, const ts_quad *q) {
    cover *c = user;
    if (q->mask == 0 || (q->x & 1) || (q->y & 1)) c->stray++;
    for (int i = 0; i < 4; i++) {
        if (!(q->mask & (1u << i))) continue;
        int px = q->x + (i & 1), py = q->y + (i >> 1);
        if (px < 0 || py < 0 || px >= c->w || py >= c->h || px < t->minx || px > t->maxx ||
            py < t->miny || py > t->maxy) {
            c->stray++;
            continue;
        }
        size_t k = (size_t)py * (size_t)c->w + (size_t)px;
        c->all[k]++;
        if (t->front_facing)
            c->front[k]++;
        else
            c->back[k]++;
    }
}

static bool draw_screen_tri(cover *c, const ts_screen_vert v[3], ts_cull cull) {
    ts_tri_setup t;
    if (!ts_setup_triangle(v, c->w, c->h, cull, 1, &t)) return false;
    ts_rast_ref_triangle(&t, c->w, c->h, count_quad, c);
    return true;
}

/* The viewport transform of a real pipeline. */
static ts_screen_vert to_screen(const ts_clip_vert *v, int w, int h) {
    float iw = 1.0f / v->pos[3];
    ts_screen_vert s;
    s.x = (v->pos[0] * iw + 1.0f) * 0.5f * (float)w;
    s.y = (1.0f - v->pos[1] * iw) * 0.5f * (float)h;
    s.z = v->pos[2] * iw * 0.5f + 0.5f;
    s.inv_w = iw;
    return s;
}

/* Clip, fan-triangulate, set up and rasterize; returns the clipper's count. */
static int draw_clip_tri(cover *c, const ts_clip_vert in[3], ts_cull cull) {
    ts_clip_vert poly[TS_CLIP_MAX_VERTS];
    int n = ts_clip_triangle(in, 0, ts_clip_guard_band(c->w, c->h), poly);
    for (int i = 1; i + 1 < n; i++) {
        ts_screen_vert s[3] = {to_screen(&poly[0], c->w, c->h), to_screen(&poly[i], c->w, c->h),
                               to_screen(&poly[i + 1], c->w, c->h)};
        draw_screen_tri(c, s, cull);
    }
    return n;
}

static ts_clip_vert cv(float x, float y, float z, float w) {
    ts_clip_vert v;
    memset(&v, 0, sizeof v);
    v.pos[0] = x;
    v.pos[1] = y;
    v.pos[2] = z;
    v.pos[3] = w;
    return v;
}

/* Independent statement of the D3D11 fill rule, in exact double arithmetic
 * (inputs on a coarse binary grid): a pixel center is covered when it is
 * strictly inside, or on an edge whose inward normal points right (left
 * edge) or, for a horizontal edge, down (top edge, y down). */
static bool oracle_covers(const double vx[3], const double vy[3], double px, double py) {
    double area = (vx[1] - vx[0]) * (vy[2] - vy[0]) - (vy[1] - vy[0]) * (vx[2] - vx[0]);
    if (area == 0.0) return false;
    for (int i = 0; i < 3; i++) {
        int j = (i + 1) % 3, k = (i + 2) % 3;
        double nx = -(vy[j] - vy[i]), ny = vx[j] - vx[i];
        if (nx * (vx[k] - vx[i]) + ny * (vy[k] - vy[i]) < 0.0) {
            nx = -nx;
            ny = -ny;
        }
        double d = nx * (px - vx[i]) + ny * (py - vy[i]);
        if (d < 0.0) return false;
        if (d == 0.0 && !(nx > 0.0 || (nx == 0.0 && ny > 0.0))) return false;
    }
    return true;
}

/* True when the center lies on the boundary of the (closed) triangle: the
 * cases the fill rule has to decide. */
static bool on_boundary(const double vx[3], const double vy[3], double px, double py) {
    double area = (vx[1] - vx[0]) * (vy[2] - vy[0]) - (vy[1] - vy[0]) * (vx[2] - vx[0]);
    if (area == 0.0) return false;
    bool zero = false;
    for (int i = 0; i < 3; i++) {
        int j = (i + 1) % 3;
        double d = ((vx[j] - vx[i]) * (py - vy[i]) - (vy[j] - vy[i]) * (px - vx[i])) * area;
        if (d < 0.0) return false;
        if (d == 0.0) zero = true;
    }
    return zero;
}

/* Stored index of input vertex k. */
static int stored_index(const ts_tri_setup *t, int k) {
    for (int i = 0; i < 3; i++)
        if (t->order[i] == k) return i;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* 1. Fixed-point setup                                                      */

/* Snapping is round-to-nearest-even at 1/256 px (as SIMD float->int converts),
 * so every ISA and the reference agree on the exact vertex positions. */
static void test_setup_snap(void) {
    static const struct {
        float sub; /* position in subpixels beyond pixel 10 */
        int32_t want;
    } cases[] = {
        {0.5f, 2560},  {1.5f, 2562},  {2.5f, 2562},   {3.5f, 2564},   {0.49f, 2560},
        {0.51f, 2561}, {-0.5f, 2560}, {-1.5f, 2558},  {-2.5f, 2558},  {255.5f, 2816},
        {0.0f, 2560},  {1.0f, 2561},  {-0.51f, 2559}, {127.5f, 2688},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float p = 10.0f + cases[i].sub / 256.0f;
        ts_screen_vert v[3] = {sv(p, p), sv(40.0f, 11.0f), sv(12.0f, 40.0f)};
        ts_tri_setup t;
        CHECK(ts_setup_triangle(v, 64, 48, TS_CULL_NONE, 1, &t));
        int s = stored_index(&t, 0);
        CHECK_INT(t.x[s], ==, cases[i].want);
        CHECK_INT(t.y[s], ==, cases[i].want);
    }
    /* Negative coordinates round to even too (-0.5 subpx -> 0, -1.5 -> -2). */
    {
        ts_screen_vert v[3] = {sv(-1.5f / 256.0f, -0.5f / 256.0f), sv(40.0f, 1.0f),
                               sv(1.0f, 40.0f)};
        ts_tri_setup t;
        CHECK(ts_setup_triangle(v, 64, 48, TS_CULL_NONE, 1, &t));
        int s = stored_index(&t, 0);
        CHECK_INT(t.x[s], ==, -2);
        CHECK_INT(t.y[s], ==, 0);
    }
}

/* area2 is exact in subpixels^2; facing follows GL (counter-clockwise in
 * NDC, y up, is front), which after the viewport's y flip is counter-
 * clockwise on the y-down screen too; culling drops back faces; the stored
 * order makes every edge positive inside whatever the input winding. */
static void test_setup_orientation(void) {
    ts_tri_setup t;
    /* (0,0) (10,0) (0,10) on a y-down screen: top-left, top-right,
     * bottom-left, a clockwise turn as displayed: a back face. */
    ts_screen_vert cw[3] = {sv(0, 0), sv(10, 0), sv(0, 10)};
    ts_screen_vert ccw[3] = {sv(0, 0), sv(0, 10), sv(10, 0)};

    CHECK(ts_setup_triangle(cw, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(ts_tri_area2(&t), ==, 2560LL * 2560LL);
    CHECK(!t.front_facing);
    CHECK_INT(t.order[0], ==, 0);
    CHECK_INT(t.order[1], ==, 1);
    CHECK_INT(t.order[2], ==, 2);
    /* edge 0: (0,0)->(10,0), a top edge; edge 1: the hypotenuse (right side,
     * excluded); edge 2: (0,10)->(0,0), a left edge. */
    CHECK_INT(ts_tri_edge(&t, 0).a, ==, 0);
    CHECK_INT(ts_tri_edge(&t, 0).b, ==, 2560);
    CHECK_INT(ts_tri_edge(&t, 0).bias, ==, 0);
    CHECK_INT(ts_tri_edge(&t, 1).a, ==, -2560);
    CHECK_INT(ts_tri_edge(&t, 1).b, ==, -2560);
    CHECK_INT(ts_tri_edge(&t, 1).bias, ==, -1);
    CHECK_INT(ts_tri_edge(&t, 2).a, ==, 2560);
    CHECK_INT(ts_tri_edge(&t, 2).b, ==, 0);
    CHECK_INT(ts_tri_edge(&t, 2).bias, ==, 0);
    CHECK(!ts_setup_triangle(cw, 64, 48, TS_CULL_BACK, 1, &t));

    CHECK(ts_setup_triangle(ccw, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(ts_tri_area2(&t), ==, 2560LL * 2560LL);
    CHECK(t.front_facing);
    CHECK_INT(t.order[0], ==, 0);
    CHECK_INT(t.order[1], ==, 2);
    CHECK_INT(t.order[2], ==, 1);
    CHECK_INT(ts_tri_edge(&t, 1).bias, ==, -1);
    CHECK(ts_setup_triangle(ccw, 64, 48, TS_CULL_BACK, 1, &t));
    CHECK(t.front_facing);

    /* End to end, as GL: a triangle facing the camera and wound counter-
     * clockwise in view space (and so in NDC) is front-facing. */
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), 64.0f / 48.0f, 0.5f, 50.0f);
    const float view[3][3] = {{-1, -1, -5}, {1, -1, -5}, {0, 1, -5}};
    ts_screen_vert sc[3], sr[3];
    for (int i = 0; i < 3; i++) {
        ts_vec4 c4 = ts_mat4_apply(&P, (ts_vec4){view[i][0], view[i][1], view[i][2], 1.0f});
        ts_clip_vert c = cv(c4.x, c4.y, c4.z, c4.w);
        sc[i] = to_screen(&c, 64, 48);
    }
    sr[0] = sc[0], sr[1] = sc[2], sr[2] = sc[1];
    CHECK(ts_setup_triangle(sc, 64, 48, TS_CULL_BACK, 1, &t));
    CHECK(t.front_facing);
    CHECK(ts_setup_triangle(sr, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK(!t.front_facing);
    CHECK(!ts_setup_triangle(sr, 64, 48, TS_CULL_BACK, 1, &t));

    /* A generic triangle: area2 from the snapped integers, by hand:
     * x = 320, 4544, 1408; y = 640, 800, 5216. */
    ts_screen_vert g[3] = {sv(1.25f, 2.5f), sv(17.75f, 3.125f), sv(5.5f, 20.375f)};
    CHECK(ts_setup_triangle(g, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(ts_tri_area2(&t), ==, 4224LL * 4576LL - 160LL * 1088LL);
    CHECK(!t.front_facing);
    /* Every edge is positive at the centroid (the interior). */
    for (int i = 0; i < 3; i++) {
        int64_t cx3 = (int64_t)t.x[0] + t.x[1] + t.x[2], cy3 = (int64_t)t.y[0] + t.y[1] + t.y[2];
        ts_edge ed = ts_tri_edge(&t, i);
        int64_t e = (int64_t)ed.a * (cx3 - 3 * ed.xs) + (int64_t)ed.b * (cy3 - 3 * ed.ys);
        CHECK_INT(e, >, 0);
    }

    /* Depth and barycentric planes reproduce the vertex values. */
    ts_screen_vert zv[3] = {{0, 0, 0.1f, 1.0f}, {10, 0, 0.5f, 0.5f}, {0, 10, 0.9f, 0.25f}};
    CHECK(ts_setup_triangle(zv, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_NEAR(ts_plane_eval(&t.z, 0, 0), 0.1, 1e-7);
    CHECK_NEAR(ts_plane_eval(&t.z, 10, 0), 0.5, 1e-6);
    CHECK_NEAR(ts_plane_eval(&t.z, 0, 10), 0.9, 1e-6);
    CHECK_NEAR(ts_plane_eval(&t.inv_w, 10, 0), 0.5, 1e-6);
    CHECK_NEAR(ts_plane_eval(&t.pb1, 10, 0), 0.5, 1e-6); /* b1 * inv_w at vertex 1 */
    CHECK_NEAR(ts_plane_eval(&t.pb2, 10, 0), 0.0, 1e-6);
    CHECK_NEAR(ts_plane_eval(&t.pb2, 0, 10), 0.25, 1e-6);
}

/* The pixel rectangle is exactly the pixels whose centers lie within the
 * snapped vertex bounds, clamped to the viewport: too small loses pixels,
 * too big costs time and breaks tile binning. */
static void test_setup_bbox(void) {
    const float e = 1.0f / 256.0f;
    ts_tri_setup t;
    ts_screen_vert a[3] = {sv(2.5f, 3.5f), sv(7.5f, 3.5f), sv(2.5f, 9.5f)};
    CHECK(ts_setup_triangle(a, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(t.minx, ==, 2);
    CHECK_INT(t.maxx, ==, 7);
    CHECK_INT(t.miny, ==, 3);
    CHECK_INT(t.maxy, ==, 9);

    ts_screen_vert b[3] = {sv(2.5f + e, 3.5f + e), sv(7.5f + e, 3.5f + e), sv(2.5f + e, 9.5f + e)};
    CHECK(ts_setup_triangle(b, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(t.minx, ==, 3);
    CHECK_INT(t.maxx, ==, 7);
    CHECK_INT(t.miny, ==, 4);
    CHECK_INT(t.maxy, ==, 9);

    ts_screen_vert c[3] = {sv(2.5f - e, 3.5f - e), sv(7.5f - e, 3.5f - e), sv(2.5f - e, 9.5f - e)};
    CHECK(ts_setup_triangle(c, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(t.minx, ==, 2);
    CHECK_INT(t.maxx, ==, 6);
    CHECK_INT(t.miny, ==, 3);
    CHECK_INT(t.maxy, ==, 8);

    ts_screen_vert big[3] = {sv(-10, -10), sv(100, -10), sv(-10, 100)};
    CHECK(ts_setup_triangle(big, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(t.minx, ==, 0);
    CHECK_INT(t.miny, ==, 0);
    CHECK_INT(t.maxx, ==, 63);
    CHECK_INT(t.maxy, ==, 47);

    ts_screen_vert right[3] = {sv(64.5f, 10), sv(80, 10), sv(64.5f, 20)};
    CHECK(!ts_setup_triangle(right, 64, 48, TS_CULL_NONE, 1, &t));
    ts_screen_vert left[3] = {sv(-10, -10), sv(0.5f - e, -10), sv(-10, 0.5f - e)};
    CHECK(!ts_setup_triangle(left, 64, 48, TS_CULL_NONE, 1, &t));
    /* A triangle between two rows of centers covers no center: rejected. */
    ts_screen_vert between[3] = {sv(1, 3.6f), sv(30, 3.6f), sv(10, 4.4f)};
    CHECK(!ts_setup_triangle(between, 64, 48, TS_CULL_NONE, 1, &t));

    /* Random triangles on a quarter-pixel grid: the rectangle matches its
     * definition and contains every covered pixel. */
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int it = 0; it < 400; it++) {
        double vx[3], vy[3];
        ts_screen_vert v[3];
        for (int i = 0; i < 3; i++) {
            vx[i] = floor(rng_range(&s, -8, 40) * 4.0) / 4.0;
            vy[i] = floor(rng_range(&s, -8, 40) * 4.0) / 4.0;
            v[i] = sv((float)vx[i], (float)vy[i]);
        }
        double lox = fmin(vx[0], fmin(vx[1], vx[2])), hix = fmax(vx[0], fmax(vx[1], vx[2]));
        double loy = fmin(vy[0], fmin(vy[1], vy[2])), hiy = fmax(vy[0], fmax(vy[1], vy[2]));
        int minx = (int)fmax(0, ceil(lox - 0.5)), maxx = (int)fmin(31, floor(hix - 0.5));
        int miny = (int)fmax(0, ceil(loy - 0.5)), maxy = (int)fmin(31, floor(hiy - 0.5));
        bool ok = ts_setup_triangle(v, 32, 32, TS_CULL_NONE, 1, &t);
        double area = (vx[1] - vx[0]) * (vy[2] - vy[0]) - (vy[1] - vy[0]) * (vx[2] - vx[0]);
        CHECK_INT(ok, ==, area != 0.0 && minx <= maxx && miny <= maxy);
        if (!ok) continue;
        CHECK_INT(t.minx, ==, minx);
        CHECK_INT(t.maxx, ==, maxx);
        CHECK_INT(t.miny, ==, miny);
        CHECK_INT(t.maxy, ==, maxy);
        for (int py = 0; py < 32; py++)
            for (int px = 0; px < 32; px++)
                if (oracle_covers(vx, vy, px + 0.5, py + 0.5))
                    CHECK_PIXEL(px >= t.minx && px <= t.maxx && py >= t.miny && py <= t.maxy, px,
                                py, "covered but outside [%d..%d]x[%d..%d]", t.minx, t.maxx, t.miny,
                                t.maxy);
    }
}

/* Positions beyond the fixed-point range (2^23 subpixels) and non-finite
 * inputs are rejected up front: the integer edge math has no room for them
 * and must never overflow (UB) on bad input. */
static void test_setup_rejects_bad_input(void) {
    ts_tri_setup t;
    ts_screen_vert ok[3] = {sv(0, 0), sv(32767.0f, 0), sv(0, 10)};
    CHECK(ts_setup_triangle(ok, 64, 48, TS_CULL_NONE, 1, &t));
    CHECK_INT(t.x[stored_index(&t, 1)], ==, 32767 * 256);

    const float bad[] = {32768.0f, -32768.0f, 1e30f, -1e30f, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int k = 0; k < 3; k++) {
            for (int axis = 0; axis < 2; axis++) {
                ts_screen_vert v[3] = {sv(0, 0), sv(30, 0), sv(0, 30)};
                if (axis == 0)
                    v[k].x = bad[i];
                else
                    v[k].y = bad[i];
                CHECK(!ts_setup_triangle(v, 64, 48, TS_CULL_NONE, 1, &t));
            }
        }
    }
    const float bad_inv_w[] = {0.0f, -1.0f, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad_inv_w / sizeof bad_inv_w[0]; i++) {
        ts_screen_vert v[3] = {sv(0, 0), sv(30, 0), sv(0, 30)};
        v[2].inv_w = bad_inv_w[i];
        CHECK(!ts_setup_triangle(v, 64, 48, TS_CULL_NONE, 1, &t));
    }
    const float bad_z[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad_z / sizeof bad_z[0]; i++) {
        ts_screen_vert v[3] = {sv(0, 0), sv(30, 0), sv(0, 30)};
        v[1].z = bad_z[i];
        CHECK(!ts_setup_triangle(v, 64, 48, TS_CULL_NONE, 1, &t));
    }
}

/* ------------------------------------------------------------------------ */
/* 2. Fill rule                                                              */

/* Draws rectangle [x0,x1) x [y0,y1) as two triangles (diagonal, winding and
 * first vertex chosen by the arguments) and checks that exactly the pixels
 * with centers in the half-open rectangle are covered, each once. */
static void check_rect(float x0, float y0, float x1, float y1, int diag, bool reverse, int rot) {
    const int W = 32, H = 32;
    cover c;
    cover_init(&c, W, H);
    ts_screen_vert A = sv(x0, y0), B = sv(x1, y0), C = sv(x1, y1), D = sv(x0, y1);
    ts_screen_vert tris[2][3];
    if (diag == 0) { /* shared edge A-C */
        ts_screen_vert t0[3] = {A, B, C}, t1[3] = {A, C, D};
        memcpy(tris[0], t0, sizeof t0);
        memcpy(tris[1], t1, sizeof t1);
    } else { /* shared edge B-D */
        ts_screen_vert t0[3] = {A, B, D}, t1[3] = {B, C, D};
        memcpy(tris[0], t0, sizeof t0);
        memcpy(tris[1], t1, sizeof t1);
    }
    for (int k = 0; k < 2; k++) {
        ts_screen_vert v[3];
        for (int i = 0; i < 3; i++) {
            int src = (i + rot) % 3;
            if (reverse) src = (3 - src) % 3;
            v[i] = tris[k][src];
        }
        CHECK(draw_screen_tri(&c, v, TS_CULL_NONE));
    }
    CHECK_INT(c.stray, ==, 0);
    for (int py = 0; py < H; py++)
        for (int px = 0; px < W; px++) {
            float cx = (float)px + 0.5f, cy = (float)py + 0.5f;
            int want = (cx >= x0 && cx < x1 && cy >= y0 && cy < y1) ? 1 : 0;
            int got = c.all[py * W + px];
            CHECK_PIXEL(got == want, px, py,
                        "count %d, want %d (rect %g,%g-%g,%g diag %d rev %d rot %d)", got, want,
                        (double)x0, (double)y0, (double)x1, (double)y1, diag, (int)reverse, rot);
        }
    cover_free(&c);
}

/* Top-left rule on a two-triangle square whose edges (outer and shared
 * diagonal) pass exactly through pixel centers: every pixel exactly once,
 * and the covered set is the half-open [x0,x1) x [y0,y1) — no seams, no
 * double blending, and abutting quads tile the screen. */
static void test_fill_rule_square(void) {
    const float e = 1.0f / 256.0f;
    /* x0, y0, x1, y1: centers on all four edges and on both diagonals. */
    const float rects[][4] = {
        {3.5f, 2.5f, 11.5f, 10.5f}, /* 8x8, diagonals through centers */
        {3.5f, 2.5f, 19.5f, 10.5f}, /* 16x8, diagonal slope 1/2 hits every other center */
        {4.0f, 4.0f, 12.0f, 12.0f}, /* no center on the boundary */
        {3.5f + e, 2.5f + e, 11.5f + e, 10.5f + e}, /* nudged one subpixel */
        {3.5f - e, 2.5f - e, 11.5f - e, 10.5f - e},
        {0.5f, 0.5f, 1.5f, 1.5f}, /* one pixel */
        {-4.5f, -3.5f, 40.5f, 36.5f}, /* larger than the viewport */
    };
    for (size_t r = 0; r < sizeof rects / sizeof rects[0]; r++)
        for (int diag = 0; diag < 2; diag++)
            for (int rev = 0; rev < 2; rev++)
                for (int rot = 0; rot < 3; rot++)
                    check_rect(rects[r][0], rects[r][1], rects[r][2], rects[r][3], diag, rev != 0,
                               rot);
}

/* Coverage of random triangles (vertices on a half- or quarter-pixel grid, so
 * centers fall on edges and vertices all the time) matches an independent
 * statement of the D3D11 rule, for both windings. */
static void test_fill_rule_oracle(void) {
    const int W = 32, H = 32;
    cover c;
    cover_init(&c, W, H);
    uint64_t s = 12345;
    int on_edge_hits = 0;
    for (int it = 0; it < 600; it++) {
        /* Vertices at pixel centers, on a half- or quarter-pixel grid, or anywhere. */
        int kind = it % 4;
        double grid = kind == 1 ? 2.0 : kind == 2 ? 4.0 : 256.0;
        double vx[3], vy[3];
        ts_screen_vert v[3];
        for (int i = 0; i < 3; i++) {
            vx[i] = floor(rng_range(&s, -6, 38) * grid) / grid;
            vy[i] = floor(rng_range(&s, -6, 38) * grid) / grid;
            if (kind == 0) {
                vx[i] = floor(vx[i]) + 0.5;
                vy[i] = floor(vy[i]) + 0.5;
            }
            /* Force axis-aligned edges now and then (top/bottom/left/right). */
            if (i > 0 && rng_unit(&s) < 0.25) vy[i] = vy[i - 1];
            if (i > 0 && rng_unit(&s) < 0.25) vx[i] = vx[i - 1];
            v[i] = sv((float)vx[i], (float)vy[i]);
        }
        cover_clear(&c);
        draw_screen_tri(&c, v, TS_CULL_NONE);
        CHECK_INT(c.stray, ==, 0);
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++) {
                bool want = oracle_covers(vx, vy, px + 0.5, py + 0.5);
                int got = c.all[py * W + px];
                CHECK_PIXEL(got == (want ? 1 : 0), px, py,
                            "count %d, oracle %d; tri (%g,%g) (%g,%g) (%g,%g)", got, (int)want,
                            vx[0], vy[0], vx[1], vy[1], vx[2], vy[2]);
                on_edge_hits += on_boundary(vx, vy, px + 0.5, py + 0.5);
            }
    }
    CHECK_INT(on_edge_hits, >, 1000); /* the test exercises ties */
    cover_free(&c);
}

/* 4x multisampling: the coverage of every sample of random triangles (on
 * grids that put samples on edges) matches the same independent rule at
 * the sample's position, every pixel with a covered sample is reported
 * (the bounding box reaches the samples), and each sample's depth is the
 * plane's value there. */
typedef struct sample_cover {
    int w, h, stray;
    unsigned *mask; /* per pixel, as reported */
    float (*zs)[TS_MAX_SAMPLES];
} sample_cover;

static void sample_quad(void *user, const ts_tri_setup *t, const ts_quad *q) {
    sample_cover *c = user;
    for (int i = 0; i < 4; i++) {
        int px = q->x + (i & 1), py = q->y + (i >> 1);
        if (!q->sample_mask[i]) continue;
        if (px >= c->w || py >= c->h || !(q->mask >> i & 1)) {
            c->stray++;
            continue;
        }
        size_t k = (size_t)py * (size_t)c->w + (size_t)px;
        c->mask[k] = q->sample_mask[i];
        for (int s = 0; s < t->samples; s++) c->zs[k][s] = q->zs[i][s];
    }
}

/* The standard 4-sample pattern of Direct3D and OpenGL implementations, in
 * sixteenths of a pixel from the center, written out here rather than read
 * from ts_sample_dx/dy, which it checks: a swapped or mistyped offset there
 * would otherwise be its own oracle. */
static const int standard_4x[4][2] = {{-2, -6}, {6, -2}, {-6, 2}, {2, 6}};
_Static_assert(TS_MAX_SAMPLES == 4, "the standard pattern below is the 4-sample one");

static void test_msaa_sample_coverage(void) {
    enum { W = 24, H = 24 };
    for (int k = 0; k < TS_MAX_SAMPLES; k++) {
        CHECK_INT(ts_sample_dx(TS_MAX_SAMPLES, k), ==, standard_4x[k][0] * 16);
        CHECK_INT(ts_sample_dy(TS_MAX_SAMPLES, k), ==, standard_4x[k][1] * 16);
    }
    static unsigned mask[W * H];
    static float zs[W * H][TS_MAX_SAMPLES];
    sample_cover c = {W, H, 0, mask, zs};
    uint64_t s = 777;
    int partial = 0, on_edge = 0;
    for (int it = 0; it < 400; it++) {
        /* Sixteenth-pixel grids put vertices and edges on sample positions. */
        double grid = it % 2 ? 16.0 : 256.0;
        double vx[3], vy[3];
        ts_screen_vert v[3];
        for (int i = 0; i < 3; i++) {
            vx[i] = floor(rng_range(&s, -4, 28) * grid) / grid;
            vy[i] = floor(rng_range(&s, -4, 28) * grid) / grid;
            if (i > 0 && rng_unit(&s) < 0.25) vy[i] = vy[i - 1];
            v[i] = sv((float)vx[i], (float)vy[i]);
            v[i].z = (float)rng_unit(&s);
        }
        memset(mask, 0, sizeof mask);
        c.stray = 0;
        ts_tri_setup t;
        bool set = ts_setup_triangle(v, W, H, TS_CULL_NONE, TS_MAX_SAMPLES, &t);
        if (set) {
            CHECK_INT(t.samples, ==, TS_MAX_SAMPLES);
            ts_rast_ref_triangle(&t, W, H, sample_quad, &c);
        }
        CHECK_INT(c.stray, ==, 0);
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++) {
                unsigned want = 0;
                for (int k = 0; k < TS_MAX_SAMPLES; k++) {
                    double sx = px + 0.5 + standard_4x[k][0] / 16.0;
                    double sy = py + 0.5 + standard_4x[k][1] / 16.0;
                    if (oracle_covers(vx, vy, sx, sy)) want |= 1u << k;
                    on_edge += on_boundary(vx, vy, sx, sy);
                }
                unsigned got = mask[py * W + px];
                CHECK_PIXEL(got == want, px, py, "samples %x, oracle %x; tri (%g,%g) (%g,%g) (%g,%g)", got,
                            want, vx[0], vy[0], vx[1], vy[1], vx[2], vy[2]);
                partial += want != 0 && want != 0xFu;
                for (int k = 0; set && k < TS_MAX_SAMPLES; k++)
                    if (got >> k & 1) {
                        float ox, oy;
                        ts_setup_sample_offset(&t, px, py, k, &ox, &oy);
                        float z = ts_plane_eval(&t.z, ox, oy);
                        z = z < 0.0f ? 0.0f : (z > 1.0f ? 1.0f : z);
                        CHECK_PIXEL(zs[py * W + px][k] == z, px, py, "sample %d depth %g, plane %g", k,
                                    (double)zs[py * W + px][k], (double)z);
                    }
            }
    }
    CHECK_INT(partial, >, 1000); /* edges cut pixels: coverage between 1 and 3 samples */
    CHECK_INT(on_edge, >, 100);  /* and the fill rule decides samples on edges */
}

/* On a viewport with odd sides the last quad column and row hang over the
 * edge: their outside pixels must never be reported, and every inside pixel
 * of a covering triangle pair is covered once. */
static void test_odd_viewport(void) {
    const int sizes[][2] = {{33, 31}, {1, 1}, {7, 2}, {2, 9}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int W = sizes[i][0], H = sizes[i][1];
        cover c;
        cover_init(&c, W, H);
        ts_screen_vert a[3] = {sv(-5, -5), sv(100, -5), sv(100, 100)};
        ts_screen_vert b[3] = {sv(-5, -5), sv(100, 100), sv(-5, 100)};
        CHECK(draw_screen_tri(&c, a, TS_CULL_NONE));
        CHECK(draw_screen_tri(&c, b, TS_CULL_NONE));
        CHECK_INT(c.stray, ==, 0);
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++)
                CHECK_PIXEL(c.all[py * W + px] == 1, px, py, "count %d (%dx%d)", c.all[py * W + px],
                            W, H);
        cover_free(&c);
    }
}

/* ------------------------------------------------------------------------ */
/* 3. Fans                                                                   */

static void check_fan(int n, double cx, double cy, double r, bool reverse) {
    const int W = 64, H = 48;
    cover c;
    cover_init(&c, W, H);
    ts_screen_vert *rim = malloc((size_t)n * sizeof *rim);
    if (!rim) exit(2);
    for (int k = 0; k < n; k++) {
        double th = 2.0 * TS_PI * k / n;
        rim[k] = sv((float)(cx + r * cos(th)), (float)(cy + r * sin(th)));
    }
    ts_screen_vert center = sv((float)cx, (float)cy);
    for (int k = 0; k < n; k++) {
        ts_screen_vert v[3] = {center, rim[k], rim[(k + 1) % n]};
        if (reverse) {
            ts_screen_vert tmp = v[1];
            v[1] = v[2];
            v[2] = tmp;
        }
        draw_screen_tri(&c, v, TS_CULL_NONE);
    }
    CHECK_INT(c.stray, ==, 0);
    double inner = r * cos(TS_PI / n) - 0.01, outer = r + 0.01;
    int total = 0;
    for (int py = 0; py < H; py++)
        for (int px = 0; px < W; px++) {
            int got = c.all[py * W + px];
            double d = hypot(px + 0.5 - cx, py + 0.5 - cy);
            total += got;
            CHECK_PIXEL(got <= 1, px, py, "count %d (fan n=%d center %g,%g)", got, n, cx, cy);
            if (d < inner)
                CHECK_PIXEL(got == 1, px, py, "inside, count %d (fan n=%d center %g,%g)", got, n,
                            cx, cy);
            if (d > outer) CHECK_PIXEL(got == 0, px, py, "outside, count %d (fan n=%d)", got, n);
        }
    int cpx = (int)floor(cx), cpy = (int)floor(cy);
    CHECK_INT(c.all[cpy * W + cpx], ==, 1);
    /* Area of the inscribed polygon within a perimeter's worth of pixels. */
    double area = 0.5 * n * r * r * sin(2.0 * TS_PI / n);
    CHECK_NEAR(total, area, 2.0 * TS_PI * r);
    free(rim);
    cover_free(&c);
}

/* A fan of thin triangles around a shared center: the center vertex and all
 * the spokes are shared by many triangles, yet every pixel is covered once
 * and the center pixel by exactly one triangle. */
static void test_fan(void) {
    for (int rev = 0; rev < 2; rev++) {
        check_fan(64, 32.5, 24.5, 20.0, rev != 0); /* center on a pixel center */
        check_fan(64, 31.3, 23.8, 20.0, rev != 0); /* off it */
        check_fan(360, 32.5, 24.5, 12.0, rev != 0);
        check_fan(360, 30.77, 22.1, 15.0, rev != 0);
        check_fan(8, 32.0, 24.0, 16.0, rev != 0); /* on a pixel corner */
    }
}

/* ------------------------------------------------------------------------ */
/* 4. Clipping                                                               */

/* Signed distance to clip plane p, as clip.c orders them, in double. */
static double clip_dist_d(const ts_clip_vert *v, int p, ts_clip_band band) {
    double x = (double)v->pos[0], y = (double)v->pos[1], z = (double)v->pos[2],
           w = (double)v->pos[3];
    double gx = (double)band.gx, gy = (double)band.gy;
    switch (p) {
    case 0:
        return w + z;
    case 1:
        return w - z;
    case 2:
        return gx * w - x;
    case 3:
        return gx * w + x;
    case 4:
        return gy * w - y;
    default:
        return gy * w + y;
    }
}

/* Bitwise equality of position and the first nvar varyings (the clipper
 * leaves varyings beyond varying_count of new vertices unspecified). */
static bool vert_equal(const ts_clip_vert *a, const ts_clip_vert *b, int nvar) {
    return memcmp(a->pos, b->pos, sizeof a->pos) == 0 &&
           memcmp(a->var, b->var, (size_t)nvar * sizeof a->var[0]) == 0;
}

/* Triangles inside every plane pass through bit for bit; those crossing the
 * near plane are cut exactly at it (w > 0 after); those wholly outside one
 * plane, behind the camera, or non-finite vanish. */
static void test_clip_basic(void) {
    const int W = 64, H = 48;
    ts_clip_band band = ts_clip_guard_band(W, H);
    CHECK_NEAR(band.gx, 1.0 + 2.0 * TS_GUARD_BAND_PX / W, 1e-4);
    CHECK_NEAR(band.gy, 1.0 + 2.0 * TS_GUARD_BAND_PX / H, 1e-4);
    ts_clip_vert out[TS_CLIP_MAX_VERTS];

    /* Inside: unchanged, varyings included. */
    ts_clip_vert in[3] = {cv(-0.5f, -0.5f, 0.1f, 1.0f), cv(0.7f, -0.3f, 0.2f, 1.5f),
                          cv(0.1f, 0.9f, 0.9f, 2.0f)};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < TS_MAX_VARYINGS; k++)
            in[i].var[k] = 0.125f * (float)(i * 8 + k) + 0.01f;
    CHECK_INT(ts_clip_triangle(in, TS_MAX_VARYINGS, band, out), ==, 3);
    for (int i = 0; i < 3; i++) CHECK(vert_equal(&out[i], &in[i], TS_MAX_VARYINGS));

    /* A real camera: two vertices in front, one behind (w < 0). */
    const float zn = 0.5f;
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), (float)W / (float)H, zn, 50.0f);
    const float view[3][3] = {{-1.0f, -1.0f, -2.0f}, {1.0f, -1.0f, -3.0f}, {0.2f, 1.0f, 1.0f}};
    for (int i = 0; i < 3; i++) {
        ts_vec4 c4 = ts_mat4_apply(&P, (ts_vec4){view[i][0], view[i][1], view[i][2], 1.0f});
        in[i] = cv(c4.x, c4.y, c4.z, c4.w);
        in[i].var[0] = view[i][2]; /* view z: linear, so exactly -zn on the cut */
        in[i].var[1] = c4.x; /* must follow the position bit for bit */
    }
    CHECK(in[2].pos[3] < 0.0f);
    int n = ts_clip_triangle(in, 2, band, out);
    CHECK_INT(n, ==, 4);
    int created = 0;
    for (int i = 0; i < n; i++) {
        const float *p = out[i].pos;
        CHECK(p[3] > 0.0f);
        CHECK(p[2] + p[3] >= -1e-6f * p[3]);
        CHECK(p[3] - p[2] >= 0.0f);
        CHECK(out[i].var[1] == p[0]);
        if (!vert_equal(&out[i], &in[0], 2) && !vert_equal(&out[i], &in[1], 2)) {
            created++;
            CHECK_NEAR(p[2] + p[3], 0.0, 1e-6);
            CHECK_NEAR(out[i].var[0], -zn, 1e-6);
            CHECK_NEAR(p[3], zn, 1e-6);
        }
    }
    CHECK_INT(created, ==, 2);

    /* One vertex in front, two behind the near plane: still a triangle. */
    ts_clip_vert one[3] = {cv(0, 0, 0.5f, 1), cv(0.5f, 0, -3, 1), cv(0, 0.5f, -2, 1)};
    n = ts_clip_triangle(one, 0, band, out);
    CHECK_INT(n, ==, 3);
    CHECK(vert_equal(&out[0], &one[0], 0));
    for (int i = 0; i < n; i++) CHECK(out[i].pos[2] + out[i].pos[3] >= -1e-6f);

    /* Nothing left. */
    ts_clip_vert behind[3] = {cv(0, 0, 1, -1), cv(1, 0, 2, -2), cv(0, 1, 1.5f, -1.5f)};
    CHECK_INT(ts_clip_triangle(behind, 0, band, out), ==, 0);
    ts_clip_vert too_near[3] = {cv(0, 0, -1.5f, 1), cv(0.5f, 0, -2, 1), cv(0, 0.5f, -1.1f, 1)};
    CHECK_INT(ts_clip_triangle(too_near, 0, band, out), ==, 0);
    ts_clip_vert too_far[3] = {cv(0, 0, 1.5f, 1), cv(0.5f, 0, 2, 1), cv(0, 0.5f, 1.1f, 1)};
    CHECK_INT(ts_clip_triangle(too_far, 0, band, out), ==, 0);
    ts_clip_vert beyond_band[3] = {cv(300, 0, 0, 1), cv(400, 1, 0, 1), cv(300, 2, 0, 1)};
    CHECK_INT(ts_clip_triangle(beyond_band, 0, band, out), ==, 0);
    /* Behind the camera, each vertex outside a different plane (near or far):
     * no single plane rejects it, the clipper must still leave nothing. */
    ts_clip_vert mixed[3] = {cv(0, 0, 5, -1), cv(1, 0, -5, -1), cv(0, 1, 0, -2)};
    CHECK_INT(ts_clip_triangle(mixed, 0, band, out), ==, 0);

    /* Non-finite vertices discard the triangle. */
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t b = 0; b < 3; b++)
        for (int k = 0; k < 3; k++)
            for (int comp = 0; comp < 4; comp++) {
                ts_clip_vert t3[3] = {cv(0, 0, 0.5f, 1), cv(0.5f, 0, -3, 1), cv(0, 0.5f, 0.5f, 1)};
                t3[k].pos[comp] = bad[b];
                CHECK_INT(ts_clip_triangle(t3, 0, band, out), ==, 0);
            }
}

/* Clips, checks every vertex lies within the guard band (up to rounding at
 * the input's scale, `slack` in clip units), then rasterizes: every pixel of
 * the viewport must be covered exactly once. */
static void check_covers_viewport(const ts_clip_vert in[3], float slack) {
    const int W = 64, H = 48;
    ts_clip_band band = ts_clip_guard_band(W, H);
    ts_clip_vert out[TS_CLIP_MAX_VERTS];
    int n = ts_clip_triangle(in, 0, band, out);
    CHECK_INT(n, >=, 3);
    for (int i = 0; i < n; i++) {
        const float *p = out[i].pos;
        CHECK(p[3] > 0.0f);
        CHECK(fabsf(p[0]) <= band.gx * p[3] + slack);
        CHECK(fabsf(p[1]) <= band.gy * p[3] + slack);
        ts_screen_vert s = to_screen(&out[i], W, H);
        CHECK(fabsf(s.x - 0.5f * (float)W) <= 0.5f * (float)W + TS_GUARD_BAND_PX + 16.0f);
        CHECK(fabsf(s.y - 0.5f * (float)H) <= 0.5f * (float)H + TS_GUARD_BAND_PX + 16.0f);
    }
    cover c;
    cover_init(&c, W, H);
    CHECK_INT(draw_clip_tri(&c, in, TS_CULL_NONE), ==, n);
    CHECK_INT(c.stray, ==, 0);
    for (int py = 0; py < H; py++)
        for (int px = 0; px < W; px++)
            CHECK_PIXEL(c.all[py * W + px] == 1, px, py, "count %d", c.all[py * W + px]);
    cover_free(&c);
}

/* A triangle far larger than the fixed-point range is cut to the guard band
 * and then rasterizes every pixel of the viewport exactly once: the band
 * keeps setup in range without moving any visible edge. */
static void test_clip_guard_band(void) {
    for (int rev = 0; rev < 2; rev++) {
        int i1 = rev ? 2 : 1, i2 = rev ? 1 : 2;
        /* Screen-parallel, +-1e6 in clip x/y: rounding at that scale is
         * ~0.06, so vertices may sit that far outside the band. */
        ts_clip_vert big[3] = {cv(-1e6f, -1e6f, 0, 1), cv(1e6f, -1e6f, 0, 1), cv(0, 1e6f, 0, 1)};
        ts_clip_vert t[3] = {big[0], big[i1], big[i2]};
        check_covers_viewport(t, 0.25f);
        /* A real camera looking at a huge, slightly tilted plane about 2.5
         * in front of it, one vertex behind the camera: near and guard band
         * clipping together. */
        ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), 64.0f / 48.0f, 0.1f, 100.0f);
        const float view[3][3] = {{-1e4f, -1e4f, -5.0f}, {1e4f, -1e4f, -5.0f}, {0.0f, 3e4f, 5.0f}};
        ts_clip_vert persp[3];
        for (int i = 0; i < 3; i++) {
            ts_vec4 c4 = ts_mat4_apply(&P, (ts_vec4){view[i][0], view[i][1], view[i][2], 1.0f});
            persp[i] = cv(c4.x, c4.y, c4.z, c4.w);
        }
        CHECK(persp[2].pos[3] < 0.0f);
        ts_clip_vert u[3] = {persp[0], persp[i1], persp[i2]};
        check_covers_viewport(u, 0.01f);
    }
}

/* The new vertex of an edge shared by two triangles is bit-identical in both,
 * whichever direction each triangle walks the edge: otherwise a mesh cracks
 * along the near plane or the guard band. */
static void test_clip_shared_edge(void) {
    ts_clip_band band = ts_clip_guard_band(64, 48);
    uint64_t s = 777;
    int shared_found = 0;
    for (int it = 0; it < 2000; it++) {
        int plane = it % 3; /* 0: near, 1: guard x, 2: guard y */
        ts_clip_vert A, B, C, D;
        float wa = (float)rng_range(&s, 0.2, 5), wb = (float)rng_range(&s, -3, 5);
        float wc = (float)rng_range(&s, 0.2, 5), wd = (float)rng_range(&s, 0.2, 5);
        A = cv((float)rng_range(&s, -2, 2) * wa, (float)rng_range(&s, -2, 2) * wa,
               (float)rng_range(&s, -0.9, 0.9) * wa, wa);
        C = cv((float)rng_range(&s, -2, 2) * wc, (float)rng_range(&s, -2, 2) * wc,
               (float)rng_range(&s, -0.9, 0.9) * wc, wc);
        D = cv((float)rng_range(&s, -2, 2) * wd, (float)rng_range(&s, -2, 2) * wd,
               (float)rng_range(&s, -0.9, 0.9) * wd, wd);
        if (plane == 0) { /* B in front of the camera but nearer than near, or behind it */
            if (wb > 0.0f)
                B = cv((float)rng_range(&s, -2, 2) * wb, 0.3f, -wb * (float)rng_range(&s, 1.1, 3),
                       wb);
            else
                B = cv((float)rng_range(&s, -2, 2), 0.3f, (float)rng_range(&s, -5, 0), wb);
        } else {
            float w = fabsf(wb) + 0.2f;
            float far_out = (float)rng_range(&s, 1.2, 50);
            if (plane == 1)
                B = cv(band.gx * w * far_out, 0.5f, 0.0f, w);
            else
                B = cv(0.5f, -band.gy * w * far_out, 0.0f, w);
        }
        A.var[0] = (float)rng_range(&s, -1, 1);
        B.var[0] = (float)rng_range(&s, -1, 1);
        ts_clip_vert t1[3] = {A, B, C};
        ts_clip_vert t2[3] = {B, A, D}; /* shared edge walked the other way */
        ts_clip_vert t3[3] = {D, A, B}; /* the same way, other start */
        ts_clip_vert o1[TS_CLIP_MAX_VERTS], o2[TS_CLIP_MAX_VERTS], o3[TS_CLIP_MAX_VERTS];
        int n1 = ts_clip_triangle(t1, 1, band, o1);
        int n2 = ts_clip_triangle(t2, 1, band, o2);
        int n3 = ts_clip_triangle(t3, 1, band, o3);
        CHECK_INT(n1, >=, 3);
        CHECK_INT(n2, >=, 3);
        CHECK_INT(n3, >=, 3);
        /* The point where AB leaves the clip volume (A is inside), in double. */
        double tt = 1.0;
        for (int p = 0; p < 6; p++) {
            double da = clip_dist_d(&A, p, band), db = clip_dist_d(&B, p, band);
            if (db < 0.0) tt = fmin(tt, da / (da - db));
        }
        double want[4];
        double scale = 1.0;
        for (int k = 0; k < 4; k++) {
            want[k] = (double)A.pos[k] + tt * ((double)B.pos[k] - (double)A.pos[k]);
            scale = fmax(scale, fabs(want[k]));
        }
        /* Find AB's new vertex in each output: the one nearest the exact point. */
        const ts_clip_vert *found[3] = {NULL, NULL, NULL};
        const ts_clip_vert *outs[3] = {o1, o2, o3};
        int ns[3] = {n1, n2, n3};
        for (int o = 0; o < 3; o++) {
            double best = 1e30;
            for (int i = 0; i < ns[o]; i++) {
                double d2 = 0;
                for (int k = 0; k < 4; k++) {
                    double dk = (double)outs[o][i].pos[k] - want[k];
                    d2 += dk * dk;
                }
                if (d2 < best) {
                    best = d2;
                    found[o] = &outs[o][i];
                }
            }
            CHECK_NEAR(sqrt(best), 0.0, 1e-5 * scale);
        }
        if (found[0] && found[1] && found[2]) {
            CHECK(vert_equal(found[0], found[1], 1));
            CHECK(vert_equal(found[0], found[2], 1));
            shared_found++;
        }
    }
    CHECK_INT(shared_found, ==, 2000);
}

/* Regression: a sliver lying within rounding error of two guard-band planes
 * used to gain vertices on every plane (in/out/in/out around its boundary)
 * and write past the 9-vertex buffers. Found by fuzzing. */
static void test_clip_sliver_no_overflow(void) {
    ts_clip_band band = ts_clip_guard_band(64, 48);
    ts_clip_vert in[3] = {cv(0x1.5171ep+9f, 0x1.c17d24p+9f, 0x1.212a9ap+0f, 0x1.5021c6p+1f),
                          cv(-0x1.bec28ep+6f, -0x1.298cdcp+7f, -0x1.6a6672p-3f, -0x1.bd0594p-2f),
                          cv(0x1.e5a51cp+8f, 0x1.4372c8p+9f, 0x1.ff5bb6p-2f, 0x1.e3c15ap+0f)};
    ts_clip_vert out[TS_CLIP_MAX_VERTS];
    int n = ts_clip_triangle(in, 0, band, out);
    CHECK(n == 0 || (n >= 3 && n <= TS_CLIP_MAX_VERTS));
    /* More slivers along the corner line x = gx w, y = gy w. */
    uint64_t s = 4242;
    for (int it = 0; it < 20000; it++) {
        ts_clip_vert t[3];
        for (int v = 0; v < 3; v++) {
            float w = (float)rng_range(&s, -1, 3);
            float z = (float)rng_range(&s, -3, 3);
            float e1 = (float)rng_range(&s, -5e-7, 5e-7), e2 = (float)rng_range(&s, -5e-7, 5e-7);
            t[v] = cv(band.gx * w * (1.0f + e1), band.gy * w * (1.0f + e2), z, w);
        }
        n = ts_clip_triangle(t, 0, band, out);
        CHECK(n == 0 || (n >= 3 && n <= TS_CLIP_MAX_VERTS));
    }
}

/* ------------------------------------------------------------------------ */
/* 5. Degenerate triangles                                                   */

/* Triangles with no area after snapping (collinear, coincident, or collinear
 * only once snapped) are rejected and cover nothing; a one-subpixel-thick
 * neighbour is not, so the rejection is about area, not luck. */
static void test_degenerate(void) {
    const int W = 64, H = 48;
    cover c;
    cover_init(&c, W, H);
    ts_tri_setup t;
    const float q = 1.0f / 1024.0f; /* a quarter subpixel */
    ts_screen_vert cases[][3] = {
        {sv(0, 0), sv(10, 10), sv(20, 20)}, /* collinear */
        {sv(3.5f, 4.5f), sv(40.5f, 4.5f), sv(20.5f, 4.5f)}, /* on a row of centers */
        {sv(7.5f, 1.5f), sv(7.5f, 40.5f), sv(7.5f, 20.0f)}, /* on a column of centers */
        {sv(5.3f, 6.7f), sv(5.3f, 6.7f), sv(5.3f, 6.7f)}, /* one point */
        {sv(5.5f, 6.5f), sv(30.5f, 6.5f), sv(5.5f, 6.5f)}, /* two coincide */
        {sv(0.0f, 0.5f), sv(20.0f, 0.5f), sv(10.0f, 0.5f + q)}, /* collinear once snapped */
        {sv(0.0f, 0.5f), sv(20.0f, 0.5f), sv(10.0f, 0.5f - q)},
        {sv(2.5f, 2.5f), sv(2.5f + q, 30.5f), sv(2.5f - q, 12.5f)},
        {sv(1.0f, 1.0f), sv(1.0f + q, 1.0f + q), sv(30.0f, 30.0f)}, /* two snap together */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int rev = 0; rev < 2; rev++) {
            ts_screen_vert v[3] = {cases[i][0], cases[i][rev ? 2 : 1], cases[i][rev ? 1 : 2]};
            CHECK(!ts_setup_triangle(v, W, H, TS_CULL_NONE, 1, &t));
            cover_clear(&c);
            draw_screen_tri(&c, v, TS_CULL_NONE);
            int total = 0;
            for (int k = 0; k < W * H; k++) total += c.all[k];
            CHECK_INT(total, ==, 0);
        }
    }
    /* One subpixel of height: a real (if thin) triangle whose top edge runs
     * through the centers of row 0, which it owns. */
    ts_screen_vert thin[3] = {sv(0.0f, 0.5f), sv(20.0f, 0.5f), sv(10.0f, 0.5f + 1.0f / 256.0f)};
    CHECK(ts_setup_triangle(thin, W, H, TS_CULL_NONE, 1, &t));
    CHECK_INT(ts_tri_area2(&t), ==, 20 * 256);
    cover_clear(&c);
    draw_screen_tri(&c, thin, TS_CULL_NONE);
    int total = 0;
    for (int k = 0; k < W * H; k++) total += c.all[k];
    CHECK_INT(total, ==, 20);
    cover_free(&c);
}

/* ------------------------------------------------------------------------ */
/* 6. Perspective-correct interpolation                                      */

typedef struct interp_check {
    int w, h;
    double p0, p5, p10, p14; /* projection entries */
    double n[3], d; /* view-space plane n.p = d */
    float az[3], au[3]; /* per input vertex: view z, and u */
    double max_err_z, max_err_u, max_err_depth, max_err_affine;
    int pixels;
} interp_check;

static void interp_quad(void *user, const ts_tri_setup *t, const ts_quad *q) {
    interp_check *ic = user;
    int o0 = t->order[0], o1 = t->order[1], o2 = t->order[2];
    for (int i = 0; i < 4; i++) {
        if (!(q->mask & (1u << i))) continue;
        int px = q->x + (i & 1), py = q->y + (i >> 1);
        float z, b1, b2;
        ts_rast_ref_interp(t, px, py, &z, &b1, &b2);
        CHECK(z == q->z[i] && b1 == q->b1[i] && b2 == q->b2[i]);
        float iz = ic->az[o0] + b1 * (ic->az[o1] - ic->az[o0]) + b2 * (ic->az[o2] - ic->az[o0]);
        float iu = ic->au[o0] + b1 * (ic->au[o1] - ic->au[o0]) + b2 * (ic->au[o2] - ic->au[o0]);
        /* The ray through the pixel center, in view space, meets the plane at. */
        double nx = (px + 0.5) / ic->w * 2.0 - 1.0, ny = 1.0 - (py + 0.5) / ic->h * 2.0;
        double dir[3] = {nx / ic->p0, ny / ic->p5, -1.0};
        double s = ic->d / (ic->n[0] * dir[0] + ic->n[1] * dir[1] + ic->n[2] * dir[2]);
        double pv[3] = {s * dir[0], s * dir[1], s * dir[2]};
        double want_z = pv[2];
        double want_u = 0.1 * pv[0] + 0.05 * pv[1] + 0.5;
        double want_depth = 0.5 * ((ic->p10 * pv[2] + ic->p14) / -pv[2]) + 0.5;
        double ez = fabs((double)iz - want_z) / fabs(want_z), eu = fabs((double)iu - want_u);
        double ed = fabs((double)z - want_depth);
        CHECK_PIXEL(ez <= 1e-4, px, py, "view z %.7g, want %.7g", (double)iz, want_z);
        CHECK_PIXEL(eu <= 1e-4, px, py, "u %.7g, want %.7g", (double)iu, want_u);
        CHECK_PIXEL(ed <= 1e-6, px, py, "depth %.9g, want %.9g", (double)z, want_depth);
        /* Screen-linear barycentrics, for contrast. */
        ts_edge e2 = ts_tri_edge(t, 2), e0 = ts_tri_edge(t, 0);
        double l1 = (double)ts_edge_at(&e2, px, py) / (double)ts_tri_area2(t);
        double l2 = (double)ts_edge_at(&e0, px, py) / (double)ts_tri_area2(t);
        double a0 = (double)ic->az[o0], a1 = (double)ic->az[o1], a2 = (double)ic->az[o2];
        double lz = a0 + l1 * (a1 - a0) + l2 * (a2 - a0);
        double ea = fabs(lz - want_z) / fabs(want_z);
        if (ez > ic->max_err_z) ic->max_err_z = ez;
        if (eu > ic->max_err_u) ic->max_err_u = eu;
        if (ed > ic->max_err_depth) ic->max_err_depth = ed;
        if (ea > ic->max_err_affine) ic->max_err_affine = ea;
        ic->pixels++;
    }
}

/* Attributes of a plane receding from z = -1 to -10 interpolate to the
 * ray-plane intersection through each pixel center (perspective-correct; an
 * affine interpolation is off by far more), and depth is the exact NDC depth. */
static void test_perspective_interp(void) {
    const int W = 64, H = 48;
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), (float)W / (float)H, 0.5f, 20.0f);
    interp_check ic;
    memset(&ic, 0, sizeof ic);
    ic.w = W;
    ic.h = H;
    ic.p0 = (double)P.m[0];
    ic.p5 = (double)P.m[5];
    ic.p10 = (double)P.m[10];
    ic.p14 = (double)P.m[14];
    /* A plane receding from depth ~1.3 at the bottom of the screen to ~7 at
     * the top: 1/depth = 0.45 - 0.25 ndc_y + 0.03 ndc_x along each ray. */
    ic.n[0] = -0.03 * ic.p0;
    ic.n[1] = 0.25 * ic.p5;
    ic.n[2] = 0.45;
    ic.d = -1.0;
    /* Quad corners chosen on the subpixel grid on screen (so snapping moves
     * nothing), placed on the plane by casting their rays. */
    const double corners[4][2] = {{-6.5, 55.25}, {70.75, 50.5}, {61.125, -3.0}, {2.0, -7.5}};
    ts_clip_vert cvs[4];
    float az[4], au[4];
    for (int k = 0; k < 4; k++) {
        double nx = corners[k][0] / W * 2.0 - 1.0, ny = 1.0 - corners[k][1] / H * 2.0;
        double dir[3] = {nx / ic.p0, ny / ic.p5, -1.0};
        double s = ic.d / (ic.n[0] * dir[0] + ic.n[1] * dir[1] + ic.n[2] * dir[2]);
        CHECK(s > 1.0 && s < 15.0); /* in front, within near and far */
        ts_vec4 pv = {(float)(s * dir[0]), (float)(s * dir[1]), (float)(s * dir[2]), 1.0f};
        ts_vec4 c = ts_mat4_apply(&P, pv);
        cvs[k] = cv(c.x, c.y, c.z, c.w);
        az[k] = pv.z;
        au[k] = (float)(0.1 * s * dir[0] + 0.05 * s * dir[1] + 0.5);
    }
    static const int tris[4][3] = {{0, 1, 2}, {0, 2, 3}, {0, 2, 1}, {0, 3, 2}};
    for (int k = 0; k < 4; k++) {
        ts_clip_vert in[3], out[TS_CLIP_MAX_VERTS];
        for (int i = 0; i < 3; i++) {
            in[i] = cvs[tris[k][i]];
            ic.az[i] = az[tris[k][i]];
            ic.au[i] = au[tris[k][i]];
        }
        CHECK_INT(ts_clip_triangle(in, 0, ts_clip_guard_band(W, H), out), ==, 3);
        ts_screen_vert s[3];
        for (int i = 0; i < 3; i++) s[i] = to_screen(&out[i], W, H);
        ts_tri_setup t;
        CHECK(ts_setup_triangle(s, W, H, TS_CULL_NONE, 1, &t));
        for (int i = 0; i < 3; i++) {
            const double *cn = corners[tris[k][t.order[i]]];
            CHECK_INT(t.x[i], ==, (int)lround(cn[0] * 256.0));
            CHECK_INT(t.y[i], ==, (int)lround(cn[1] * 256.0));
        }
        ts_rast_ref_triangle(&t, W, H, interp_quad, &ic);
    }
    CHECK_INT(ic.pixels, >, W * H); /* both windings: the screen, twice, almost */
    CHECK(ic.max_err_affine > 0.05); /* affine interpolation fails by 500x the tolerance */
    if (getenv("TEST_RASTER_VERBOSE"))
        printf("  max rel err z %.3g, abs err u %.3g, depth %.3g, affine %.3g\n", ic.max_err_z,
               ic.max_err_u, ic.max_err_depth, ic.max_err_affine);
}

typedef struct depth_check {
    int outside_raw; /* quad pixels whose unclamped depth left [0, 1] */
    int bad;
} depth_check;

static void depth_quad(void *user, const ts_tri_setup *t, const ts_quad *q) {
    depth_check *dc = user;
    for (int i = 0; i < 4; i++) {
        float ox, oy;
        ts_setup_offset(t, q->x + (i & 1), q->y + (i >> 1), &ox, &oy);
        float raw = ts_plane_eval(&t->z, ox, oy);
        if (raw < 0.0f || raw > 1.0f) dc->outside_raw++;
        if (!(q->z[i] >= 0.0f && q->z[i] <= 1.0f)) dc->bad++;
        /* Otherwise the value is the plane's, untouched. */
        if (raw >= 0.0f && raw <= 1.0f && q->z[i] != raw) dc->bad++;
    }
}

/* Window depth stays in [0, 1] at all four pixels of every quad, even where
 * the depth plane is extrapolated past an edge lying at depth 0 or 1 (the
 * uncovered pixels of a quad, kept for derivatives): depth buffers hold
 * [0, 1] and a depth test against them must not see anything else. */
static void test_depth_clamped(void) {
    const int W = 64, H = 48;
    for (int k = 0; k < 2; k++) {
        float za = k ? 1.0f : 0.0f, zb = k ? 0.0f : 1.0f;
        ts_screen_vert v[3] = {
            {2.2f, 2.7f, za, 1.0f}, {40.6f, 9.3f, zb, 0.5f}, {11.1f, 41.8f, zb, 0.25f}};
        ts_tri_setup t;
        CHECK(ts_setup_triangle(v, W, H, TS_CULL_NONE, 1, &t));
        depth_check dc = {0, 0};
        ts_rast_ref_triangle(&t, W, H, depth_quad, &dc);
        CHECK_INT(dc.bad, ==, 0);
        CHECK_INT(dc.outside_raw, >, 10);
    }
}

/* ------------------------------------------------------------------------ */
/* 7. Watertight meshes                                                      */

typedef struct mesh {
    int nv, nt;
    float (*v)[3];
    int (*t)[3];
} mesh;

static void mesh_alloc(mesh *m, int nv, int nt) {
    m->nv = nv;
    m->nt = nt;
    m->v = malloc((size_t)nv * sizeof *m->v);
    m->t = malloc((size_t)nt * sizeof *m->t);
    if (!m->v || !m->t) exit(2);
}

static void mesh_free(mesh *m) {
    free(m->v);
    free(m->t);
}

/* Flips triangle k if its normal points against `out` (outward direction). */
static void orient(mesh *m, int k, const double out[3]) {
    const float *a = m->v[m->t[k][0]], *b = m->v[m->t[k][1]], *c = m->v[m->t[k][2]];
    double u[3], w[3];
    for (int i = 0; i < 3; i++) {
        u[i] = (double)b[i] - (double)a[i];
        w[i] = (double)c[i] - (double)a[i];
    }
    double nrm[3] = {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2],
                     u[0] * w[1] - u[1] * w[0]};
    if (nrm[0] * out[0] + nrm[1] * out[1] + nrm[2] * out[2] < 0.0) {
        int tmp = m->t[k][1];
        m->t[k][1] = m->t[k][2];
        m->t[k][2] = tmp;
    }
}

/* UV sphere with single pole vertices; faces wound counter-clockwise seen
 * from outside. */
static mesh make_sphere(int rings, int segs, double r) {
    mesh m;
    mesh_alloc(&m, 2 + (rings - 1) * segs, 2 * segs * (rings - 1));
    m.v[0][0] = 0.0f;
    m.v[0][1] = (float)r;
    m.v[0][2] = 0.0f;
    for (int i = 1; i < rings; i++)
        for (int j = 0; j < segs; j++) {
            double ph = TS_PI * i / rings, th = 2.0 * TS_PI * j / segs;
            float *p = m.v[1 + (i - 1) * segs + j];
            p[0] = (float)(r * sin(ph) * cos(th));
            p[1] = (float)(r * cos(ph));
            p[2] = (float)(r * sin(ph) * sin(th));
        }
    int south = m.nv - 1;
    m.v[south][0] = 0.0f;
    m.v[south][1] = (float)-r;
    m.v[south][2] = 0.0f;
    int k = 0;
    for (int j = 0; j < segs; j++) {
        int j1 = (j + 1) % segs;
        m.t[k][0] = 0, m.t[k][1] = 1 + j, m.t[k][2] = 1 + j1, k++;
        int base = 1 + (rings - 2) * segs;
        m.t[k][0] = south, m.t[k][1] = base + j1, m.t[k][2] = base + j, k++;
        for (int i = 1; i < rings - 1; i++) {
            int a = 1 + (i - 1) * segs + j, b = 1 + (i - 1) * segs + j1;
            int c = a + segs, d = b + segs;
            m.t[k][0] = a, m.t[k][1] = c, m.t[k][2] = b, k++;
            m.t[k][0] = b, m.t[k][1] = c, m.t[k][2] = d, k++;
        }
    }
    for (int t = 0; t < m.nt; t++) {
        const float *a = m.v[m.t[t][0]], *b = m.v[m.t[t][1]], *c = m.v[m.t[t][2]];
        double out[3];
        for (int i = 0; i < 3; i++) out[i] = (double)a[i] + (double)b[i] + (double)c[i];
        orient(&m, t, out);
    }
    return m;
}

/* Torus around the y axis. */
static mesh make_torus(int nu, int nv, double R, double r) {
    mesh m;
    mesh_alloc(&m, nu * nv, 2 * nu * nv);
    for (int i = 0; i < nu; i++)
        for (int j = 0; j < nv; j++) {
            double a = 2.0 * TS_PI * i / nu, b = 2.0 * TS_PI * j / nv;
            float *p = m.v[i * nv + j];
            p[0] = (float)((R + r * cos(b)) * cos(a));
            p[1] = (float)(r * sin(b));
            p[2] = (float)((R + r * cos(b)) * sin(a));
        }
    int k = 0;
    for (int i = 0; i < nu; i++)
        for (int j = 0; j < nv; j++) {
            int i1 = (i + 1) % nu, j1 = (j + 1) % nv;
            int a = i * nv + j, b = i1 * nv + j, c = i * nv + j1, d = i1 * nv + j1;
            m.t[k][0] = a, m.t[k][1] = b, m.t[k][2] = c, k++;
            m.t[k][0] = b, m.t[k][1] = d, m.t[k][2] = c, k++;
        }
    for (int t = 0; t < m.nt; t++) {
        double cen[3] = {0, 0, 0};
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 3; c++) cen[c] += (double)m.v[m.t[t][i]][c] / 3.0;
        double rad = hypot(cen[0], cen[2]);
        double out[3] = {cen[0] - R * cen[0] / rad, cen[1], cen[2] - R * cen[2] / rad};
        orient(&m, t, out);
    }
    return m;
}

static ts_mat4 random_rotation(uint64_t *s) {
    ts_mat4 r = ts_mat4_rotate_y((float)rng_range(s, 0, 2 * TS_PI));
    r = ts_mat4_mul(ts_mat4_rotate_x((float)rng_range(s, 0, 2 * TS_PI)), r);
    return ts_mat4_mul(ts_mat4_rotate_y((float)rng_range(s, 0, 2 * TS_PI)), r);
}

/* Transforms every vertex once (so shared vertices are bit-identical) and
 * draws every triangle; returns how many triangles the clipper cut. */
static int draw_mesh(cover *c, const mesh *m, const ts_mat4 *mvp, ts_cull cull,
                     ts_clip_vert *clip) {
    for (int i = 0; i < m->nv; i++) {
        ts_vec4 p = ts_mat4_apply(mvp, (ts_vec4){m->v[i][0], m->v[i][1], m->v[i][2], 1.0f});
        clip[i] = cv(p.x, p.y, p.z, p.w);
    }
    int cut = 0;
    for (int t = 0; t < m->nt; t++) {
        ts_clip_vert in[3] = {clip[m->t[t][0]], clip[m->t[t][1]], clip[m->t[t][2]]};
        ts_clip_vert out[TS_CLIP_MAX_VERTS];
        int n = ts_clip_triangle(in, 0, ts_clip_guard_band(c->w, c->h), out);
        if (n > 0 && (n != 3 || !vert_equal(&out[0], &in[0], 0) ||
                      !vert_equal(&out[1], &in[1], 0) || !vert_equal(&out[2], &in[2], 0)))
            cut++;
        CHECK_INT(draw_clip_tri(c, in, cull), ==, n);
    }
    return cut;
}

/* Clip coordinates of p in double (from the float matrix), as exact as the
 * reference for the near-plane rim can be. */
static void mat_apply_d(const ts_mat4 *m, const float p[3], double out[4]) {
    for (int r = 0; r < 4; r++)
        out[r] = (double)m->m[r] * (double)p[0] + (double)m->m[4 + r] * (double)p[1] +
                 (double)m->m[8 + r] * (double)p[2] + (double)m->m[12 + r];
}

/* A convex closed mesh seen from outside covers each pixel of its silhouette
 * exactly twice (front + back) with culling off, and once (front) with
 * culling on: no cracks along shared edges, no pixel claimed twice, in the
 * ordinary case of vertices at arbitrary (rotated) positions. */
static void test_watertight_sphere(void) {
    const int W = 160, H = 120;
    cover c, cb;
    cover_init(&c, W, H);
    cover_init(&cb, W, H);
    mesh m = make_sphere(16, 32, 1.0);
    ts_clip_vert *clip = malloc((size_t)m.nv * sizeof *clip);
    if (!clip) exit(2);
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), (float)W / (float)H, 0.5f, 50.0f);
    uint64_t s = 99;
    const double r_in = cos(TS_PI / 16) * cos(TS_PI / 32) * 0.995; /* ball inside the mesh */
    for (int it = 0; it < 8; it++) {
        float ox = (float)rng_range(&s, -0.5, 0.5), oy = (float)rng_range(&s, -0.4, 0.4);
        float dist = (float)rng_range(&s, 2.2, 4.0);
        ts_mat4 mv = ts_mat4_mul(ts_mat4_translate(ox, oy, -dist), random_rotation(&s));
        ts_mat4 mvp = ts_mat4_mul(P, mv);
        cover_clear(&c);
        cover_clear(&cb);
        draw_mesh(&c, &m, &mvp, TS_CULL_NONE, clip);
        draw_mesh(&cb, &m, &mvp, TS_CULL_BACK, clip);
        CHECK_INT(c.stray, ==, 0);
        int covered = 0;
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++) {
                int k = py * W + px;
                CHECK_PIXEL(c.all[k] == 0 || c.all[k] == 2, px, py, "count %d (view %d)", c.all[k],
                            it);
                CHECK_PIXEL(c.front[k] == c.back[k], px, py, "front %d back %d (view %d)",
                            c.front[k], c.back[k], it);
                CHECK_PIXEL(cb.all[k] == c.front[k], px, py, "culled %d, front %d (view %d)",
                            cb.all[k], c.front[k], it);
                covered += c.front[k];
                /* Rays through the inscribed ball must hit the surface. */
                double nx = (px + 0.5) / W * 2.0 - 1.0, ny = 1.0 - (py + 0.5) / H * 2.0;
                double d[3] = {nx / (double)P.m[0], ny / (double)P.m[5], -1.0};
                double cc[3] = {(double)ox, (double)oy, -(double)dist};
                double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                double tc = (d[0] * cc[0] + d[1] * cc[1] + d[2] * cc[2]) / dd;
                double q2 = 0;
                for (int i = 0; i < 3; i++) q2 += (tc * d[i] - cc[i]) * (tc * d[i] - cc[i]);
                if (q2 < r_in * r_in)
                    CHECK_PIXEL(c.front[k] == 1, px, py, "inside silhouette, front %d (view %d)",
                                c.front[k], it);
            }
        CHECK_INT(covered, >, 1000);
    }
    free(clip);
    mesh_free(&m);
    cover_free(&c);
    cover_free(&cb);
}

/* A torus is closed but not convex: rays cross its surface in in/out pairs,
 * so at every pixel front hits equal back hits (any crack or double hit
 * breaks the balance); seen along its axis, the hole stays empty. */
static void test_watertight_torus(void) {
    const int W = 160, H = 120;
    cover c;
    cover_init(&c, W, H);
    mesh m = make_torus(48, 24, 1.0, 0.4);
    ts_clip_vert *clip = malloc((size_t)m.nv * sizeof *clip);
    if (!clip) exit(2);
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), (float)W / (float)H, 0.5f, 50.0f);
    uint64_t s = 2024;
    for (int it = 0; it < 9; it++) {
        ts_mat4 rot = it == 0 ? ts_mat4_rotate_x((float)(TS_PI / 2.0)) : random_rotation(&s);
        ts_mat4 mv =
            ts_mat4_mul(ts_mat4_translate(it == 0 ? 0.0f : (float)rng_range(&s, -0.3, 0.3), 0.0f,
                                          it == 0 ? -3.5f : (float)rng_range(&s, -4.0, -3.0)),
                        rot);
        ts_mat4 mvp = ts_mat4_mul(P, mv);
        cover_clear(&c);
        draw_mesh(&c, &m, &mvp, TS_CULL_NONE, clip);
        CHECK_INT(c.stray, ==, 0);
        int covered = 0, doubled = 0;
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++) {
                int k = py * W + px;
                CHECK_PIXEL(c.front[k] == c.back[k], px, py, "front %d back %d (view %d)",
                            c.front[k], c.back[k], it);
                CHECK_PIXEL(c.all[k] % 2 == 0, px, py, "count %d (view %d)", c.all[k], it);
                covered += c.all[k] > 0;
                doubled += c.all[k] == 4;
            }
        CHECK_INT(covered, >, 1000);
        if (it == 0) {
            /* Axis toward the camera: the hole at the center, the ring around it. */
            CHECK_INT(c.all[(H / 2) * W + W / 2], ==, 0);
            CHECK_INT(doubled, ==, 0);
            int ring_px = W / 2 + (int)(1.0 / 3.5 * (double)P.m[0] * W / 2.0);
            CHECK_INT(c.all[(H / 2) * W + ring_px], ==, 2);
        }
    }
    free(clip);
    mesh_free(&m);
    cover_free(&c);
}

/* Winding number of the closed polyline segs (x0,y0,x1,y1 each) around p. */
static int winding(const double (*seg)[4], int n, double px, double py) {
    int wn = 0;
    for (int i = 0; i < n; i++) {
        double ax = seg[i][0], ay = seg[i][1], bx = seg[i][2], by = seg[i][3];
        double left = (bx - ax) * (py - ay) - (px - ax) * (by - ay);
        if (ay <= py) {
            if (by > py && left > 0) wn++;
        } else if (by <= py && left < 0) {
            wn--;
        }
    }
    return wn;
}

static double seg_dist(const double s[4], double px, double py) {
    double dx = s[2] - s[0], dy = s[3] - s[1];
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - s[0]) * dx + (py - s[1]) * dy) / l2 : 0.0;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    return hypot(px - (s[0] + t * dx), py - (s[1] + t * dy));
}

/* A sphere cut open by the near plane: the clipped surface plus the hole's
 * rim is closed, so front - back at each pixel equals the winding number of
 * the rim (computed here in double from the mesh): -1 where one looks through
 * the hole at the inside, 0 elsewhere. Exercises clipped, shared edges. */
static void test_watertight_near_cut(void) {
    const int W = 160, H = 120;
    const float zn = 0.5f;
    cover c;
    cover_init(&c, W, H);
    mesh m = make_sphere(24, 48, 1.0);
    ts_clip_vert *clip = malloc((size_t)m.nv * sizeof *clip);
    double(*seg)[4] = malloc((size_t)m.nt * sizeof *seg);
    if (!clip || !seg) exit(2);
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), (float)W / (float)H, zn, 50.0f);
    ts_clip_band band = ts_clip_guard_band(W, H);
    uint64_t s = 31337;
    for (int it = 0; it < 6; it++) {
        /* Nearest point of the sphere 0.03 to 0.1 in front of the near plane's
         * distance: the near plane cuts a cap that shows as a hole. */
        float dist = 1.0f + zn - (float)rng_range(&s, 0.03, 0.1);
        float ox = (float)rng_range(&s, -0.1, 0.1), oy = (float)rng_range(&s, -0.1, 0.1);
        ts_mat4 mv = ts_mat4_mul(ts_mat4_translate(ox, oy, -dist), random_rotation(&s));
        ts_mat4 mvp = ts_mat4_mul(P, mv);
        cover_clear(&c);
        int cut = draw_mesh(&c, &m, &mvp, TS_CULL_NONE, clip);
        CHECK_INT(cut, >, 10);
        CHECK_INT(c.stray, ==, 0);
        /* The rim: for each triangle crossing the near plane, the segment from
         * where its boundary leaves the inside to where it comes back. */
        int ns = 0;
        for (int t = 0; t < m.nt; t++) {
            double p[3][4], d[3];
            for (int i = 0; i < 3; i++) {
                mat_apply_d(&mvp, m.v[m.t[t][i]], p[i]);
                d[i] = p[i][2] + p[i][3];
                if (d[i] >= 0) /* no guard-band cuts here: keep the rim the only boundary */
                    CHECK(fabs(p[i][0]) < (double)band.gx * p[i][3] &&
                          fabs(p[i][1]) < (double)band.gy * p[i][3]);
            }
            double ex = 0, ey = 0, nx = 0, ny = 0;
            int have_exit = 0, have_entry = 0;
            for (int i = 0; i < 3; i++) {
                int j = (i + 1) % 3;
                if ((d[i] >= 0) == (d[j] >= 0)) continue;
                double tt = d[i] / (d[i] - d[j]), q[4];
                for (int k = 0; k < 4; k++) q[k] = p[i][k] + tt * (p[j][k] - p[i][k]);
                double sx = (q[0] / q[3] + 1.0) * 0.5 * W, sy = (1.0 - q[1] / q[3]) * 0.5 * H;
                if (d[i] >= 0)
                    ex = sx, ey = sy, have_exit = 1;
                else
                    nx = sx, ny = sy, have_entry = 1;
            }
            if (have_exit && have_entry) {
                seg[ns][0] = ex;
                seg[ns][1] = ey;
                seg[ns][2] = nx;
                seg[ns][3] = ny;
                ns++;
            }
        }
        CHECK_INT(ns, >, 10);
        int hole = 0, solid = 0;
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++) {
                int k = py * W + px;
                double cx = px + 0.5, cy = py + 0.5;
                CHECK_PIXEL(c.front[k] <= 1 && c.back[k] <= 1, px, py, "front %d back %d (view %d)",
                            c.front[k], c.back[k], it);
                double dmin = 1e30;
                for (int i = 0; i < ns; i++) dmin = fmin(dmin, seg_dist(seg[i], cx, cy));
                if (dmin < 0.02) continue; /* on the rim: snapping decides */
                /* Front faces have negative area on the y-down screen. */
                int wn = winding((const double(*)[4])seg, ns, cx, cy);
                CHECK_PIXEL(c.front[k] - c.back[k] == -wn, px, py,
                            "front %d back %d, rim winding %d (view %d)", c.front[k], c.back[k], wn,
                            it);
                hole += wn == 1 && c.back[k] == 1;
                solid += wn == 0 && c.front[k] == 1 && c.back[k] == 1;
            }
        CHECK_INT(hole, >, 50);
        CHECK_INT(solid, >, 50);
    }
    free(seg);
    free(clip);
    mesh_free(&m);
    cover_free(&c);
}

/* From inside a sphere, with a near plane so close that the cut triangles
 * also hit the guard band, the inside surface covers every pixel exactly
 * once: near-plane and guard-band clipping of a whole mesh leaves no gap. */
static void test_watertight_inside(void) {
    const int W = 160, H = 120;
    cover c;
    cover_init(&c, W, H);
    mesh m = make_sphere(20, 40, 2.0);
    ts_clip_vert *clip = malloc((size_t)m.nv * sizeof *clip);
    if (!clip) exit(2);
    ts_mat4 P = ts_mat4_perspective((float)(TS_PI / 3.0), (float)W / (float)H, 0.005f, 50.0f);
    ts_clip_band band = ts_clip_guard_band(W, H);
    uint64_t s = 5;
    for (int it = 0; it < 4; it++) {
        ts_mat4 mv = ts_mat4_mul(ts_mat4_translate((float)rng_range(&s, -0.3, 0.3),
                                                   (float)rng_range(&s, -0.3, 0.3),
                                                   (float)rng_range(&s, -0.3, 0.3)),
                                 random_rotation(&s));
        ts_mat4 mvp = ts_mat4_mul(P, mv);
        cover_clear(&c);
        int cut = draw_mesh(&c, &m, &mvp, TS_CULL_NONE, clip);
        CHECK_INT(cut, >, 10);
        int guard = 0; /* triangles the guard band cut */
        for (int t = 0; t < m.nt; t++) {
            ts_clip_vert in[3] = {clip[m.t[t][0]], clip[m.t[t][1]], clip[m.t[t][2]]};
            ts_clip_vert out[TS_CLIP_MAX_VERTS];
            int n = ts_clip_triangle(in, 0, band, out);
            for (int i = 0; i < n; i++) {
                const float *p = out[i].pos;
                if (fabsf(p[0]) >= band.gx * p[3] * 0.9999f ||
                    fabsf(p[1]) >= band.gy * p[3] * 0.9999f) {
                    guard++;
                    break;
                }
            }
        }
        CHECK_INT(guard, >, 0);
        CHECK_INT(c.stray, ==, 0);
        for (int py = 0; py < H; py++)
            for (int px = 0; px < W; px++) {
                int k = py * W + px;
                CHECK_PIXEL(c.back[k] == 1 && c.front[k] == 0, px, py, "front %d back %d (view %d)",
                            c.front[k], c.back[k], it);
            }
    }
    free(clip);
    mesh_free(&m);
    cover_free(&c);
}

/* ------------------------------------------------------------------------ */
/* 8. Texture                                                                */

/* The mip chain halves each side (rounding down, min 1) to 1x1, box-filters
 * with round-half-up, and rejects sizes outside [1, 8192] leaving the
 * texture zeroed. */
static void test_texture_mips(void) {
    ts_texture tex;
    /* 5x3, one channel varying, others constant. */
    uint8_t img[5 * 3 * 4];
    const uint8_t red[3][5] = {
        {10, 20, 30, 40, 250}, {11, 22, 33, 44, 250}, {250, 250, 250, 250, 250}};
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++) {
            uint8_t *p = &img[(y * 5 + x) * 4];
            p[0] = red[y][x];
            p[1] = 7;
            p[2] = (uint8_t)(x == 0 && y == 0 ? 1 : 0);
            p[3] = 255;
        }
    CHECK_INT(ts_texture_init_rgba8(&tex, 5, 3, img), ==, TS_TEXTURE_OK);
    CHECK_INT(tex.level_count, ==, 3);
    CHECK_INT(tex.levels[0].width, ==, 5);
    CHECK_INT(tex.levels[0].height, ==, 3);
    CHECK_INT(tex.levels[1].width, ==, 2);
    CHECK_INT(tex.levels[1].height, ==, 1);
    CHECK_INT(tex.levels[2].width, ==, 1);
    CHECK_INT(tex.levels[2].height, ==, 1);
    CHECK(memcmp(tex.levels[0].texels, img, sizeof img) == 0);
    CHECK(tex.levels[0].texels != img);
    /* Level 1: boxes of rows 0-1, columns 0-1 and 2-3 (the odd row and
     * column are dropped): (10+20+11+22+2)/4 = 16.25 -> 16; (30+40+33+44+2)/4
     * = 37.25 -> 37. Channel 2: (1+0+0+0+2)/4 -> 0. */
    const uint8_t *l1 = tex.levels[1].texels;
    CHECK_INT(l1[0], ==, 16);
    CHECK_INT(l1[4], ==, 37);
    CHECK_INT(l1[1], ==, 7);
    CHECK_INT(l1[2], ==, 0);
    CHECK_INT(l1[3], ==, 255);
    /* Level 2: (16+37+1)/2 = 27 (26.5 rounds up). */
    CHECK_INT(tex.levels[2].texels[0], ==, 27);
    CHECK_INT(tex.levels[2].texels[3], ==, 255);
    /* Levels live in one allocation, back to back. */
    CHECK(tex.levels[1].texels == tex.levels[0].texels + 5 * 3 * 4);
    CHECK(tex.levels[2].texels == tex.levels[1].texels + 2 * 1 * 4);
    ts_texture_free(&tex);
    CHECK(tex.storage == NULL);

    static const struct {
        int w, h, levels, last_w, last_h;
    } sizes[] = {{1, 1, 1, 1, 1},     {8, 8, 4, 1, 1}, {1, 4, 3, 1, 1},
                 {8192, 1, 14, 1, 1}, {6, 1, 3, 1, 1}, {7, 2, 3, 1, 1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t bytes = (size_t)sizes[i].w * (size_t)sizes[i].h * 4;
        uint8_t *px = calloc(bytes, 1);
        if (!px) exit(2);
        CHECK_INT(ts_texture_init_rgba8(&tex, sizes[i].w, sizes[i].h, px), ==, TS_TEXTURE_OK);
        CHECK_INT(tex.level_count, ==, sizes[i].levels);
        for (int l = 1; l < tex.level_count; l++) {
            int ww = tex.levels[l - 1].width / 2, hh = tex.levels[l - 1].height / 2;
            CHECK_INT(tex.levels[l].width, ==, ww > 0 ? ww : 1);
            CHECK_INT(tex.levels[l].height, ==, hh > 0 ? hh : 1);
        }
        CHECK_INT(tex.levels[tex.level_count - 1].width, ==, 1);
        CHECK_INT(tex.levels[tex.level_count - 1].height, ==, 1);
        ts_texture_free(&tex);
        free(px);
    }
    /* A 1x2 column averages its two texels: (100 + 201 + 1) / 2 = 151. */
    uint8_t col[8] = {100, 0, 0, 0, 201, 0, 0, 0};
    CHECK_INT(ts_texture_init_rgba8(&tex, 1, 2, col), ==, TS_TEXTURE_OK);
    CHECK_INT(tex.levels[1].texels[0], ==, 151);
    ts_texture_free(&tex);

    const int bad[][2] = {
        {0, 4}, {4, 0}, {-1, 4}, {4, -1}, {8193, 1}, {1, 8193}, {-2147483647 - 1, 1}};
    uint8_t dummy[16] = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&tex, 0xab, sizeof tex);
        CHECK_INT(ts_texture_init_rgba8(&tex, bad[i][0], bad[i][1], dummy), ==,
                  TS_TEXTURE_BAD_SIZE);
        CHECK(tex.storage == NULL);
        CHECK_INT(tex.level_count, ==, 0);
        CHECK_INT(tex.width, ==, 0);
    }
    ts_texture_free(NULL);
}

/* Bilinear sampling hits texel values exactly at texel centers, blends
 * halfway between them, and repeats across the edges (u = 0 blends the first
 * and last column): the properties UV seams and tiling rely on. */
static void test_texture_bilinear(void) {
    ts_texture tex;
    uint8_t img[4 * 4 * 4];
    for (int i = 0; i < 16; i++) {
        img[i * 4 + 0] = (uint8_t)(i * 16 + 3);
        img[i * 4 + 1] = (uint8_t)(255 - i * 9);
        img[i * 4 + 2] = (uint8_t)((i * 37) & 255);
        img[i * 4 + 3] = (uint8_t)(i & 1 ? 255 : 0);
    }
    CHECK_INT(ts_texture_init_rgba8(&tex, 4, 4, img), ==, TS_TEXTURE_OK);
    float out[4], o2[4];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) {
            float u = ((float)x + 0.5f) / 4.0f, v = ((float)y + 0.5f) / 4.0f;
            for (int shift = -2; shift <= 3; shift++) {
                ts_texture_sample_level(&tex, 0, u + (float)shift, v - (float)shift, out);
                for (int ch = 0; ch < 4; ch++)
                    CHECK(out[ch] == (float)img[(y * 4 + x) * 4 + ch] * (1.0f / 255.0f));
            }
            ts_texture_sample(&tex, u, v, 0.0f, o2);
            ts_texture_sample_level(&tex, 0, u, v, out);
            CHECK(memcmp(out, o2, sizeof out) == 0);
        }
    /* Halfway between texels (1,2) and (2,2). */
    ts_texture_sample_level(&tex, 0, 0.5f, 0.625f, out);
    for (int ch = 0; ch < 4; ch++)
        CHECK_NEAR(out[ch], ((double)img[(2 * 4 + 1) * 4 + ch] + img[(2 * 4 + 2) * 4 + ch]) / 510.0,
                   1e-6);
    /* Repeat: u = 0 is halfway between column 3 and column 0. */
    ts_texture_sample_level(&tex, 0, 0.0f, 0.125f, out);
    for (int ch = 0; ch < 4; ch++)
        CHECK_NEAR(out[ch], ((double)img[3 * 4 + ch] + img[0 * 4 + ch]) / 510.0, 1e-6);
    /* ... and v = 1 between row 3 and row 0. */
    ts_texture_sample_level(&tex, 0, 0.375f, 1.0f, out);
    for (int ch = 0; ch < 4; ch++)
        CHECK_NEAR(out[ch], ((double)img[(3 * 4 + 1) * 4 + ch] + img[(0 * 4 + 1) * 4 + ch]) / 510.0,
                   1e-6);
    /* Non-finite and huge coordinates stay in bounds and give a color
     * (a NaN fails the range check). */
    static const float odd_uv[][2] = {{NAN, INFINITY}, {-INFINITY, NAN}, {1e30f, -1e30f}, {-1e-30f, 1e-30f}};
    for (size_t k = 0; k < sizeof odd_uv / sizeof odd_uv[0]; k++) {
        ts_texture_sample_level(&tex, 0, odd_uv[k][0], odd_uv[k][1], out);
        for (int ch = 0; ch < 4; ch++) CHECK(out[ch] >= 0.0f && out[ch] <= 1.0f);
    }
    ts_texture_free(&tex);

    /* Non-power-of-two: texel centers within rounding. */
    uint8_t np[5 * 3 * 4];
    for (int i = 0; i < 15 * 4; i++) np[i] = (uint8_t)(i * 17 + 5);
    CHECK_INT(ts_texture_init_rgba8(&tex, 5, 3, np), ==, TS_TEXTURE_OK);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++) {
            ts_texture_sample_level(&tex, 0, ((float)x + 0.5f) / 5.0f, ((float)y + 0.5f) / 3.0f,
                                    out);
            for (int ch = 0; ch < 4; ch++)
                CHECK_NEAR(out[ch], np[(y * 5 + x) * 4 + ch] / 255.0, 1e-5);
        }
    ts_texture_free(&tex);
}

/* Level of detail is log2 of the longer footprint axis in texels: one
 * texel per pixel is level 0, four is level 2, anisotropy takes the longer
 * axis, and zero or NaN derivatives give the base level (not -inf). */
static void test_texture_lod(void) {
    ts_texture tex;
    uint8_t *img = calloc(64 * 16 * 4, 1);
    if (!img) exit(2);
    CHECK_INT(ts_texture_init_rgba8(&tex, 64, 16, img), ==, TS_TEXTURE_OK);
    CHECK_NEAR(ts_texture_lod(&tex, 1.0f / 64, 0, 0, 1.0f / 16), 0.0, 1e-6);
    CHECK_NEAR(ts_texture_lod(&tex, 4.0f / 64, 0, 0, 4.0f / 16), 2.0, 1e-6);
    CHECK_NEAR(ts_texture_lod(&tex, 0, 4.0f / 16, 4.0f / 64, 0), 2.0,
               1e-6); /* rotated 90 degrees */
    CHECK_NEAR(ts_texture_lod(&tex, 1.0f / 64, 0, 0, 8.0f / 16), 3.0, 1e-6); /* anisotropic */
    CHECK_NEAR(ts_texture_lod(&tex, 3.0f / 64, 4.0f / 16, 0, 0), log2(5.0), 1e-6);
    CHECK_NEAR(ts_texture_lod(&tex, 0.5f / 64, 0, 0, 0.5f / 16), -1.0, 1e-6); /* magnified */
    CHECK_NEAR(ts_texture_lod(&tex, -2.0f / 64, 0, 0, -2.0f / 16), 1.0, 1e-6);
    CHECK(ts_texture_lod(&tex, 0, 0, 0, 0) == 0.0f);
    CHECK(ts_texture_lod(&tex, NAN, 0, 0, 0) == 0.0f);
    CHECK(ts_texture_lod(&tex, NAN, 0, NAN, 0) == 0.0f);
    CHECK(ts_texture_lod(&tex, 0, NAN, 0, NAN) == 0.0f);
    ts_texture_free(&tex);
    free(img);
}

/* Trilinear sampling blends the two levels around the lod linearly, clamps
 * to the base and the last level, and is exact at integer lods. */
static void test_texture_trilinear(void) {
    ts_texture tex;
    /* 4x4 checkerboard of 0 / 255: level 1 is uniform 128 ((0+255+0+255+2)/4),
     * level 2 is 128 too. */
    uint8_t img[4 * 4 * 4];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            for (int ch = 0; ch < 4; ch++) img[(y * 4 + x) * 4 + ch] = ((x + y) & 1) ? 255 : 0;
    CHECK_INT(ts_texture_init_rgba8(&tex, 4, 4, img), ==, TS_TEXTURE_OK);
    CHECK_INT(tex.levels[1].texels[0], ==, 128);
    const float u = 1.5f / 4.0f, v = 0.5f / 4.0f; /* texel (1, 0) = 255 */
    const double l0 = 1.0, l1 = 128.0 / 255.0;
    float out[4];
    const float lods[] = {-3.0f, 0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 1.5f, 2.0f, 7.0f, NAN};
    for (size_t i = 0; i < sizeof lods / sizeof lods[0]; i++) {
        double f = isnan(lods[i]) ? 0.0 : fmin(fmax((double)lods[i], 0.0), 1.0);
        double want = l0 + f * (l1 - l0);
        ts_texture_sample(&tex, u, v, lods[i], out);
        for (int ch = 0; ch < 4; ch++) CHECK_NEAR(out[ch], want, 1e-6);
    }
    /* Between levels 1 and 2 of a texture whose levels differ. */
    uint8_t g[4 * 4 * 4];
    for (int i = 0; i < 16; i++)
        for (int ch = 0; ch < 4; ch++) g[i * 4 + ch] = (uint8_t)(i < 8 ? 40 : 200);
    ts_texture tg;
    CHECK_INT(ts_texture_init_rgba8(&tg, 4, 4, g), ==, TS_TEXTURE_OK);
    /* level 1 rows: 40, 200; level 2: (40+40+200+200+2)/4 = 120. At v = 0.25
     * (center of level 1's first row) level 1 gives 40 exactly. */
    ts_texture_sample(&tg, 0.25f, 0.25f, 1.25f, out);
    CHECK_NEAR(out[0], (0.75 * 40 + 0.25 * 120) / 255.0, 1e-6);
    ts_texture_sample(&tg, 0.25f, 0.25f, 1.0f, out);
    CHECK(out[0] == 40.0f * (1.0f / 255.0f));
    ts_texture_free(&tg);
    ts_texture_free(&tex);
}

/* ------------------------------------------------------------------------ */

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

static const test_case tests[] = {
    {"setup_snap", test_setup_snap},
    {"setup_orientation", test_setup_orientation},
    {"setup_bbox", test_setup_bbox},
    {"setup_rejects_bad_input", test_setup_rejects_bad_input},
    {"fill_rule_square", test_fill_rule_square},
    {"fill_rule_oracle", test_fill_rule_oracle},
    {"msaa_sample_coverage", test_msaa_sample_coverage},
    {"odd_viewport", test_odd_viewport},
    {"fan", test_fan},
    {"clip_basic", test_clip_basic},
    {"clip_guard_band", test_clip_guard_band},
    {"clip_shared_edge", test_clip_shared_edge},
    {"clip_sliver_no_overflow", test_clip_sliver_no_overflow},
    {"degenerate", test_degenerate},
    {"perspective_interp", test_perspective_interp},
    {"depth_clamped", test_depth_clamped},
    {"watertight_sphere", test_watertight_sphere},
    {"watertight_torus", test_watertight_torus},
    {"watertight_near_cut", test_watertight_near_cut},
    {"watertight_inside", test_watertight_inside},
    {"texture_mips", test_texture_mips},
    {"texture_bilinear", test_texture_bilinear},
    {"texture_lod", test_texture_lod},
    {"texture_trilinear", test_texture_trilinear},
};

int main(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    int ran = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (filter && !strstr(tests[i].name, filter)) continue;
        long before = g_fail;
        g_printed = 0;
        tests[i].fn();
        ran++;
        printf("%-26s %s\n", tests[i].name, g_fail == before ? "ok" : "FAILED");
    }
    if (ran == 0) {
        fprintf(stderr, "no test matches '%s'\n", filter ? filter : "");
        return 1;
    }
    printf("%ld passed, %ld failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
