/* test_tile_raster.c — the SIMD tile rasterizer of every kernel table this
 * CPU runs against the reference rasterizer, triangle by triangle, on the
 * hard cases: vertices on pixel centers, on half and quarter pixels and on
 * the 1/256 grid, edges through pixel centers, slivers, triangles larger
 * than the tile and partial tiles at the frame's edge. Coverage and depth
 * must agree bit for bit. And, with 4 samples, the hierarchical depth test
 * of a block that a near triangle covers only in part: a far triangle drawn
 * after it must still reach every sample the near one left uncovered.
 *
 *   test_tile_raster [--isa NAME]
 *
 * With --isa, that target alone, and exit 77 (CTest's skip) when this CPU
 * does not run it: CTest then lists the targets this machine could not
 * test. */
#include "isa.h"
#include "rast_ref.h"
#include "setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_rng.h"

static int checks, failures;


/* A coordinate on one of the grids the fill rule is decided on. */
static float grid_coord(float lo, float hi) {
    float v = rnd(lo, hi);
    switch (rng() % 5) {
    case 0: return (float)(int)v + 0.5f;            /* pixel center */
    case 1: return (float)(int)(v * 2.0f) * 0.5f;   /* half pixel */
    case 2: return (float)(int)(v * 4.0f) * 0.25f;  /* quarter pixel */
    case 3: return (float)(int)(v * 256.0f) / 256.0f; /* subpixel grid */
    default: return v;
    }
}

typedef struct expect_ctx {
    float *depth; /* 64x64, row-major, 1 where not covered */
    ts_tile_rect rect;
} expect_ctx;

static void expect_quad(void *user, const ts_tri_setup *t, const ts_quad *q) {
    (void)t;
    expect_ctx *e = user;
    for (int i = 0; i < 4; i++) {
        if (!(q->mask & (1u << i))) continue;
        int x = q->x + (i & 1) - e->rect.x, y = q->y + (i >> 1) - e->rect.y;
        if (x < 0 || y < 0 || x >= e->rect.w || y >= e->rect.h) continue;
        /* A pixel whose depth is exactly 1 fails LESS against the clear. */
        if (q->z[i] < 1.0f) e->depth[y * TS_TILE + x] = q->z[i];
    }
}

static void check_kernels(const ts_kernels *k, ts_tile_buf *tb, int rounds) {
    ts_uniforms u;
    memset(&u, 0, sizeof u);
    u.depth_near = 1.5f;
    u.depth_far = 3.5f;
    int bad = 0, triangles = 0, partial = 0;
    long covered = 0; /* pixels the reference covers, each one compared */
    for (int round = 0; round < rounds; round++) {
        /* The tile at (64, 64) of a 150x140 frame: partial (22x12) in one
         * case out of four. */
        int fw = 150, fh = 140;
        ts_tile_rect rect = {64, 64, 64, 64};
        if (round % 4 == 0) {
            rect.x = 128;
            rect.y = 128;
            rect.w = fw - 128;
            rect.h = fh - 128;
        }
        float span = (round % 3 == 0) ? 300.0f : 40.0f; /* some larger than the tile */
        float cx = (float)rect.x + 32.0f, cy = (float)rect.y + 32.0f;
        ts_screen_vert v[3];
        for (int i = 0; i < 3; i++) {
            v[i].x = grid_coord(cx - span, cx + span);
            v[i].y = grid_coord(cy - span, cy + span);
            v[i].z = rnd(0.0f, 1.0f);
            v[i].inv_w = rnd(0.1f, 2.0f);
        }
        if (round % 7 == 0) { /* a sliver along a pixel-center row */
            v[1].y = v[0].y;
            v[2].y = v[0].y + 0.25f;
        }
        ts_tile_tri tri;
        memset(&tri, 0, sizeof tri);
        if (!ts_setup_triangle(v, fw, fh, TS_CULL_NONE, 1, &tri.setup)) continue;
        static const float no_varyings[TS_MAX_VARYINGS]; /* only depth is checked */
        for (int j = 0; j < 3; j++) tri.var[j] = no_varyings;
        tri.uniforms = &u;

        k->tile_clear(tb, 1);
        k->raster[TS_PROGRAM_DEPTH](tb, rect, &tri);
        uint8_t rgba[150 * 140 * 4];
        float depth[150 * 140];
        for (int i = 0; i < fw * fh; i++) depth[i] = -1.0f;
        uint64_t clean = 0; /* nothing known clear: every block is written */
        k->tile_store(tb, 1, rect, &(ts_tile_dest){.rgba = rgba, .depth = depth, .width = fw}, &clean);

        float want[TS_TILE * TS_TILE];
        for (int i = 0; i < TS_TILE * TS_TILE; i++) want[i] = 1.0f;
        expect_ctx e = {want, rect};
        ts_rast_ref_triangle(&tri.setup, fw, fh, expect_quad, &e);

        checks++;
        triangles++;
        partial += rect.w < TS_TILE;
        for (int y = 0; y < rect.h; y++)
            for (int x = 0; x < rect.w; x++) {
                float got = depth[(rect.y + y) * fw + rect.x + x], exp = want[y * TS_TILE + x];
                covered += exp < 1.0f;
                if (memcmp(&got, &exp, sizeof got) != 0) {
                    if (bad++ < 5)
                        printf("FAIL %s round %d: pixel (%d,%d): depth %.9g, reference %.9g\n", k->name,
                               round, rect.x + x, rect.y + y, (double)got, (double)exp);
                    failures++;
                    y = rect.h; /* one report per triangle */
                    break;
                }
            }
    }
    printf("%s: %d triangles checked (%d on the partial tile), %ld covered pixels, %d disagreed\n", k->name,
           triangles, partial, covered, bad);
    /* The comparison must have had something to compare, on both tiles. */
    if (triangles < rounds / 2 || partial < rounds / 16 || covered < 100000) {
        printf("FAIL %s: too little checked\n", k->name);
        failures++;
    }
}

/* A triangle at depth z (constant) for the 64x64 tile at the origin. */
static bool flat_tri(ts_tile_tri *t, const float xy[6], float z, const ts_uniforms *u) {
    static const float no_varyings[TS_MAX_VARYINGS];
    ts_screen_vert v[3];
    for (int i = 0; i < 3; i++) v[i] = (ts_screen_vert){xy[2 * i], xy[2 * i + 1], z, 1.0f};
    memset(t, 0, sizeof *t);
    if (!ts_setup_triangle(v, TS_TILE, TS_TILE, TS_CULL_NONE, 4, &t->setup)) return false;
    for (int j = 0; j < 3; j++) t->var[j] = no_varyings;
    t->uniforms = u;
    return true;
}

/* Block 0 of a 4-sample tile: a near triangle (z 0.2) whose bottom edge
 * runs along y = 7.75 covers every sample of the block but sample 3 of row
 * 7 (the only one below it: offsets -6, -2, +2, +6 sixteenths of a pixel
 * in y). A far triangle (z 0.5) over the whole block must land on exactly
 * those 8 samples: a block's farthest depth taken over any fewer sample
 * planes than the 4 would be the near depth, and reject it. */
static void check_msaa_hiz(const ts_kernels *k, ts_tile_buf *tb) {
    ts_uniforms u;
    memset(&u, 0, sizeof u);
    u.depth_near = 1.5f;
    u.depth_far = 3.5f;
    static const float near_xy[6] = {-200.0f, 7.75f, 300.0f, 7.75f, 50.0f, -300.0f};
    static const float far_xy[6] = {-100.0f, -100.0f, 300.0f, -100.0f, -100.0f, 300.0f};
    ts_tile_tri near_tri, far_tri;
    checks++;
    if (!flat_tri(&near_tri, near_xy, 0.2f, &u) || !flat_tri(&far_tri, far_xy, 0.5f, &u)) {
        printf("FAIL %s: the hi-Z case's triangles were refused by setup\n", k->name);
        failures++;
        return;
    }
    ts_tile_rect rect = {0, 0, TS_TILE, TS_TILE};
    /* A buffer clears only the blocks it wrote, in its own sample count's
     * layout: a change of count starts from "all written", as a new one. */
    tb->touched = ~(uint64_t)0;
    k->tile_clear(tb, 4);
    k->raster_msaa[TS_PROGRAM_DEPTH](tb, rect, &near_tri);
    k->raster_msaa[TS_PROGRAM_DEPTH](tb, rect, &far_tri);
    int bad = 0;
    for (int y = 0; y < TS_BLOCK; y++)
        for (int x = 0; x < TS_BLOCK; x++)
            for (int s = 0; s < 4; s++) {
                float want = y == 7 && s == 3 ? 0.5f : 0.2f;
                float got = tb->depth[ts_tile_at(4, 0, s, ts_block_index(x, y))];
                if (got != want && bad++ < 4)
                    printf("FAIL %s: 4 samples, pixel (%d,%d) sample %d: depth %g, expected %g\n", k->name, x, y, s,
                           (double)got, (double)want);
            }
    printf("%s: hierarchical depth with 4 samples, a block covered in part: %d samples wrong\n", k->name, bad);
    failures += bad != 0;
    tb->touched = ~(uint64_t)0; /* back to one sample next */
}

int main(int argc, char **argv) {
    ts_isa only = TS_ISA_AUTO;
    if (argc == 3 && !strcmp(argv[1], "--isa") && ts_isa_parse(argv[2], &only) && only != TS_ISA_AUTO) {
        if (!ts_isa_supported(only)) {
            printf("SKIP: %s is not supported by this CPU\n", ts_isa_name(only));
            return 77;
        }
    } else if (argc != 1) {
        fprintf(stderr, "usage: test_tile_raster [--isa scalar|sse4|avx2|avx512|neon]\n");
        return 2;
    }
    ts_tile_buf *tb = aligned_alloc(64, sizeof *tb);
    if (!tb) return 1;
    tb->touched = ~(uint64_t)0; /* a new buffer: the first clear resets it all */
    for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
        if (only != TS_ISA_AUTO && isa != (int)only) continue;
        if (!ts_isa_supported((ts_isa)isa)) {
            printf("%s: not supported by this CPU, skipped\n", ts_isa_name((ts_isa)isa));
            continue;
        }
        rng_state = 12345u;
        check_kernels(ts_isa_kernels((ts_isa)isa), tb, 4000);
        check_msaa_hiz(ts_isa_kernels((ts_isa)isa), tb);
    }
    free(tb);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
