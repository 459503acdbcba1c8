/* test_setup.c — the SIMD triangle setup (the `setup` entry of every kernel
 * table this CPU runs) against ts_setup_triangle, triangle by triangle and
 * field by field: the same triangles accepted, and every field of their
 * setups bit-identical. Cases: random triangles of every size from
 * sub-pixel to the guard band, both windings, off screen; degenerate ones
 * (coincident vertices, collinear); horizontal and vertical edges through
 * pixel centers (the top-left rule); coordinates at and just beyond the
 * snapping bound of 2^23 subpixels, and halfway between two subpixels
 * (ties to even); NaN and infinite positions and depths, and 1/w that is
 * zero, negative, NaN or infinite. Each with culling off and back, 1 and 4
 * samples, several viewports, and groups of every length from 1 to
 * TS_SETUP_GROUP (so partial vectors too). */
#include "isa.h"
#include "setup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_rng.h"

static int checks, failures;
static long triangles, accepted_total;


/* A coordinate near v on one of the grids the fill rule and snapping are
 * decided on, or anywhere. */
static float on_grid(float v) {
    switch (rng() % 6) {
    case 0: return floorf(v) + 0.5f;                              /* pixel center */
    case 1: return floorf(v * 2.0f) * 0.5f;                       /* half pixel */
    case 2: return floorf(v * 256.0f) / 256.0f;                   /* subpixel grid */
    case 3: return (floorf(v * 256.0f) + 0.5f) / 256.0f;          /* halfway: ties to even */
    case 4: return nextafterf(floorf(v * 256.0f) / 256.0f + 1.0f / 512.0f, (rng() & 1) ? INFINITY : -INFINITY);
    default: return v;
    }
}

/* Just inside, on and just beyond the snapping bound, in pixels: 2^23
 * subpixels is 32768 px; 32767.998046875 is 2^23 - 0.5 subpixels, which
 * rounds to the bound itself. */
static float near_bound(void) {
    static const float at[] = {32767.99609375f, 32767.998046875f, 32768.0f, 32767.0f, 32766.5f,
                               32767.9970703125f, 32768.00390625f, 32767.5f};
    float v = at[rng() % (sizeof at / sizeof at[0])];
    if (rng() % 3 == 0) v = nextafterf(v, (rng() & 1) ? INFINITY : 0.0f);
    return (rng() & 1) ? -v : v;
}

static float bad_value(void) {
    static const float bad[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, -1.0f, 1e-45f, 3.4e38f};
    return bad[rng() % (sizeof bad / sizeof bad[0])];
}

/* Triangle number `n` of a run for a width x height viewport. */
static void make_triangle(int n, int width, int height, ts_screen_vert v[3]) {
    float cx = rnd(-0.2f, 1.2f) * (float)width, cy = rnd(-0.2f, 1.2f) * (float)height;
    float span;
    switch (n % 4) {
    case 0: span = rnd(0.0f, 1.5f); break;       /* sub-pixel to a few pixels */
    case 1: span = rnd(1.0f, 40.0f); break;      /* small */
    case 2: span = rnd(40.0f, 400.0f); break;    /* larger than a tile */
    default: span = rnd(400.0f, 9000.0f); break; /* out to the guard band */
    }
    for (int i = 0; i < 3; i++) {
        v[i].x = on_grid(cx + rnd(-span, span));
        v[i].y = on_grid(cy + rnd(-span, span));
        v[i].z = rnd(0.0f, 1.0f);
        v[i].inv_w = (rng() & 1) ? rnd(0.01f, 10.0f) : rnd(0.5f, 1.0f);
    }
    int a = (int)(rng() % 3), b = (a + 1 + (int)(rng() % 2)) % 3, c = 3 - a - b;
    switch ((n / 4) % 13) {
    case 0: /* a right triangle: a horizontal and a vertical edge on pixel centers */
        v[a].x = floorf(v[a].x) + 0.5f;
        v[a].y = floorf(v[a].y) + 0.5f;
        v[b].y = v[a].y;
        v[b].x = floorf(v[b].x) + 0.5f;
        v[c].x = v[a].x;
        v[c].y = floorf(v[c].y) + 0.5f;
        break;
    case 1: /* coincident vertices */
        v[b].x = v[a].x;
        v[b].y = v[a].y;
        break;
    case 2: /* collinear: c at the midpoint of a and b on the subpixel grid */
        v[a].x = floorf(v[a].x * 128.0f) / 128.0f;
        v[a].y = floorf(v[a].y * 128.0f) / 128.0f;
        v[b].x = floorf(v[b].x * 128.0f) / 128.0f;
        v[b].y = floorf(v[b].y * 128.0f) / 128.0f;
        v[c].x = (v[a].x + v[b].x) * 0.5f;
        v[c].y = (v[a].y + v[b].y) * 0.5f;
        break;
    case 3: /* all three at one point */
        v[b] = v[a];
        v[c] = v[a];
        break;
    case 4: /* a sliver: c one subpixel off the line through a and b */
        v[c].x = v[a].x + (v[b].x - v[a].x) * 0.5f + 1.0f / 256.0f;
        v[c].y = v[a].y + (v[b].y - v[a].y) * 0.5f;
        break;
    case 5: /* near the snapping bound */
        v[a].x = near_bound();
        if (rng() & 1) v[b].y = near_bound();
        if (rng() & 1) v[c].x = near_bound();
        break;
    case 6: /* as large as the snapped range allows: areas near 2^48 */
        v[a].x = near_bound();
        v[a].y = near_bound();
        v[b].x = -v[a].x;
        v[b].y = rnd(-32767.0f, 32767.0f);
        v[c].x = rnd(-32767.0f, 32767.0f);
        v[c].y = -v[a].y;
        break;
    case 7: /* a bad position */
        if (rng() & 1)
            v[a].x = bad_value();
        else
            v[a].y = bad_value();
        break;
    case 8: /* a bad depth */
        v[a].z = bad_value();
        break;
    case 9: /* a bad 1/w */
        v[a].inv_w = bad_value();
        break;
    case 10: /* horizontal or vertical edges through pixel centers, any orientation */
        if (rng() & 1) {
            v[b].y = v[a].y = floorf(v[a].y) + 0.5f;
        } else {
            v[b].x = v[a].x = floorf(v[a].x) + 0.5f;
        }
        break;
    case 11: /* tiny depth and 1/w differences: planes near zero, negative zero */
        v[b].z = v[a].z;
        v[c].z = v[a].z;
        v[b].inv_w = v[a].inv_w;
        break;
    default: /* as made */
        break;
    }
}

static bool same_f(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

static bool same_plane(const ts_plane *a, const ts_plane *b) {
    return same_f(a->c, b->c) && same_f(a->dx, b->dx) && same_f(a->dy, b->dy);
}

/* The first field in which the two setups differ, or NULL. */
static const char *first_difference(const ts_tri_setup *want, const ts_tri_setup *got) {
    for (int i = 0; i < 3; i++) {
        if (want->x[i] != got->x[i] || want->y[i] != got->y[i]) return "x/y";
        if (want->order[i] != got->order[i]) return "order";
    }
    if (want->front_facing != got->front_facing) return "front_facing";
    if (want->samples != got->samples) return "samples";
    if (want->minx != got->minx || want->miny != got->miny) return "minx/miny";
    if (want->maxx != got->maxx || want->maxy != got->maxy) return "maxx/maxy";
    if (!same_plane(&want->z, &got->z)) return "z plane";
    if (!same_plane(&want->inv_w, &got->inv_w)) return "inv_w plane";
    if (!same_plane(&want->pb1, &got->pb1)) return "pb1 plane";
    if (!same_plane(&want->pb2, &got->pb2)) return "pb2 plane";
    return NULL;
}

static void report(const char *isa, const char *what, const ts_screen_vert v[3], int width, int height,
                   ts_cull cull, int samples) {
    if (failures++ >= 10) return;
    printf("FAIL %s (%dx%d, cull %s, %d sample%s): %s\n", isa, width, height,
           cull == TS_CULL_BACK ? "back" : "none", samples, samples > 1 ? "s" : "", what);
    for (int i = 0; i < 3; i++)
        printf("  v%d = (%a, %a) z %a inv_w %a\n", i, (double)v[i].x, (double)v[i].y, (double)v[i].z,
               (double)v[i].inv_w);
}

/* `count` triangles through the kernel in groups of random length. */
static void check_config(const ts_kernels *k, int width, int height, ts_cull cull, int samples, int count) {
    /* One record more than a group: the kernel must not write past the
     * accepted ones. */
    static ts_tile_tri out[TS_SETUP_GROUP + 1];
    static ts_tile_tri blank;
    memset(&blank, 0xA5, sizeof blank);
    int made = 0;
    while (made < count) {
        int n = 1 + (int)(rng() % TS_SETUP_GROUP);
        if (rng() % 4 == 0) n = TS_SETUP_GROUP; /* whole groups often */
        ts_screen_vert v[TS_SETUP_GROUP][3];
        ts_setup_group g;
        memset(&g, 0, sizeof g);
        for (int i = 0; i < n; i++) {
            make_triangle(made + i, width, height, v[i]);
            ts_setup_group_put(&g, i, &v[i][0], &v[i][1], &v[i][2]);
        }
        made += n;
        for (int i = 0; i <= TS_SETUP_GROUP; i++) memcpy(&out[i], &blank, sizeof blank);
        uint32_t accepted = k->setup(&g, n, width, height, cull, samples, out);
        checks++;
        if (accepted >> n) report(k->name, "a bit set beyond the group", v[0], width, height, cull, samples);
        int next = 0;
        for (int i = 0; i < n; i++) {
            ts_tri_setup want;
            bool ok = ts_setup_triangle(v[i], width, height, cull, samples, &want);
            triangles++;
            accepted_total += ok;
            if (ok != ((accepted >> i) & 1)) {
                report(k->name, ok ? "rejected, the reference accepts it" : "accepted, the reference rejects it",
                       v[i], width, height, cull, samples);
                if (((accepted >> i) & 1)) next++;
                continue;
            }
            if (!ok) continue;
            const char *diff = first_difference(&want, &out[next++].setup);
            if (diff) report(k->name, diff, v[i], width, height, cull, samples);
        }
        if (memcmp(&out[next], &blank, sizeof blank) != 0)
            report(k->name, "wrote a record beyond the accepted ones", v[0], width, height, cull, samples);
    }
}

int main(void) {
    static const int sizes[][2] = {{150, 140}, {1920, 1080}, {TS_MAX_VIEWPORT, TS_MAX_VIEWPORT}, {1, 1}};
    for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
        if (!ts_isa_supported((ts_isa)isa)) {
            printf("%s: not supported by this CPU, skipped\n", ts_isa_name((ts_isa)isa));
            continue;
        }
        const ts_kernels *k = ts_isa_kernels((ts_isa)isa);
        int before = failures, groups = checks;
        long tris = triangles, acc = accepted_total;
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int cull = TS_CULL_NONE; cull <= TS_CULL_BACK; cull++)
                for (int samples = 1; samples <= TS_MAX_SAMPLES; samples += TS_MAX_SAMPLES - 1) {
                    rng_state = 12345u + (uint32_t)(s * 4 + (size_t)cull * 2 + (samples > 1));
                    check_config(k, sizes[s][0], sizes[s][1], (ts_cull)cull, samples, 20000);
                }
        printf("%s (%d lanes): %d groups, %ld triangles (%ld accepted), %d disagreements\n", k->name,
               k->lanes, checks - groups, triangles - tris, accepted_total - acc, failures - before);
    }
    printf("%d groups checked, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
