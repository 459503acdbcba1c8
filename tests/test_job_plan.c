/* test_job_plan.c — the raster phase's job plan (renderer/job_plan.c):
 * every pixel of the frame in exactly one job; no plan without the last
 * frame's costs or with one thread; a tile with a large share of the
 * frame's time split into the quadrants the frame has; jobs heaviest first
 * (none later is 1.5 times as heavy as one before it), equal ones in tile
 * order; the clean masks of a tile reset exactly when the way it is
 * rastered changes. */
#include "job_plan.h"

#include "test_check.h"
#include "test_rng.h"

#include <stdlib.h>
#include <string.h>

/* Room for a 3840x2160 frame's plan. */
#define MAX_TILES (60u * 34u)

static uint8_t split[MAX_TILES];
static uint64_t clean[MAX_TILES * TS_CLEAN_WORDS];
static uint32_t jobs[MAX_TILES * TS_TILE_PARTS];
static uint64_t cost[MAX_TILES];

/* A fresh target's state (nothing split, every mask set), then the plan. */
static uint32_t plan(int w, int h, uint32_t threads, const uint64_t *tile_cost) {
    memset(split, 0, sizeof split);
    memset(clean, 0xff, sizeof clean);
    ts_job_plan_desc d = {.width = w, .height = h, .threads = threads, .tile_cost = tile_cost};
    return ts_job_plan(&d, split, clean, jobs);
}

/* Every pixel in exactly one job, each job inside the frame and a part of
 * its tile that matches split[]. */
static void check_cover(int w, int h, uint32_t n, const char *what) {
    uint8_t *hits = calloc((size_t)w * (size_t)h, 1);
    bool parts_ok = true, inside = true;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t tile = ts_job_tile(jobs[j]);
        if (tile >= ts_tile_count(w, h) || (ts_job_part(jobs[j]) != 0) != (split[tile] != 0)) {
            parts_ok = false;
            continue;
        }
        ts_tile_rect r = ts_job_rect(w, h, jobs[j]);
        if (r.x < 0 || r.y < 0 || r.w <= 0 || r.h <= 0 || r.x + r.w > w || r.y + r.h > h) {
            inside = false;
            continue;
        }
        for (int y = r.y; y < r.y + r.h; y++)
            for (int x = r.x; x < r.x + r.w; x++) hits[(size_t)y * (size_t)w + (size_t)x]++;
    }
    size_t wrong = 0;
    for (size_t p = 0; p < (size_t)w * (size_t)h; p++) wrong += hits[p] != 1;
    CHECK(parts_ok, "%s: a job's part does not match how its tile is split", what);
    CHECK(inside, "%s: a job's rectangle leaves the frame", what);
    CHECK(wrong == 0, "%s: %zu pixels not in exactly one job", what, wrong);
    free(hits);
}

/* The time the plan expects job j to take: its tile's over the tile's jobs. */
static uint64_t expected(int w, int h, uint32_t job) {
    uint32_t tile = ts_job_tile(job);
    if (!split[tile]) return cost[tile];
    ts_tile_rect r = ts_tile_rect_of(w, h, tile);
    uint32_t parts = (r.w > TS_TILE / 2 ? 2u : 1u) * (r.h > TS_TILE / 2 ? 2u : 1u);
    return cost[tile] / parts;
}

static bool in_tile_order(uint32_t n) {
    for (uint32_t j = 0; j < n; j++)
        if (jobs[j] != j << TS_JOB_PART_BITS) return false;
    return true;
}

static void test_without_plan(void) {
    /* The first frame: nothing measured yet. */
    uint32_t n = plan(1920, 1080, 8, NULL);
    CHECK(n == 510, "no costs: %u jobs, want one per tile (510)", n);
    CHECK(in_tile_order(n), "no costs: jobs are not the tiles in order");
    check_cover(1920, 1080, n, "no costs");
    /* One thread: nothing to balance, however uneven the tiles. */
    for (uint32_t i = 0; i < 510; i++) cost[i] = 1000 + rng() % 100000;
    cost[100] = 100000000;
    n = plan(1920, 1080, 1, cost);
    CHECK(n == 510 && in_tile_order(n), "one thread: %u jobs, want the 510 tiles in order", n);
    /* Nothing took time: tiles in order, none split. */
    memset(cost, 0, sizeof cost);
    n = plan(1920, 1080, 4, cost);
    CHECK(n == 510 && in_tile_order(n), "all costs 0: %u jobs, want the 510 tiles in order", n);
}

static void test_heavy_tile(void) {
    /* 26% of the frame in tile 37 (the showcase's bunny): more than the
     * 1 / (2 x 2 workers) that splits it. */
    for (uint32_t i = 0; i < 510; i++) cost[i] = 10000;
    cost[37] = 1800000;
    uint32_t n = plan(1920, 1080, 2, cost);
    CHECK(n == 513, "heavy tile: %u jobs, want 509 tiles and 4 quadrants", n);
    CHECK(split[37] == 1, "heavy tile: not split");
    for (uint32_t q = 0; q < 4; q++)
        CHECK(jobs[q] == (37u << TS_JOB_PART_BITS | (q + 1)), "heavy tile: job %u is %#x, want quadrant %u of tile 37",
              q, jobs[q], q);
    bool rest = true;
    for (uint32_t j = 4, tile = 0; j < n; j++, tile++) {
        if (tile == 37) tile++;
        rest = rest && jobs[j] == tile << TS_JOB_PART_BITS;
    }
    CHECK(rest, "heavy tile: the other tiles do not follow in tile order");
    check_cover(1920, 1080, n, "heavy tile");

    /* Under the share, it stays whole but goes first. */
    cost[37] = 100000;
    n = plan(1920, 1080, 2, cost);
    CHECK(n == 510 && split[37] == 0 && jobs[0] == 37u << TS_JOB_PART_BITS,
          "heavier tile under the share: %u jobs, split %u, first job %#x; want 510, whole, tile 37 first", n,
          split[37], jobs[0]);
}

static void test_heaviest_first(void) {
    static const int sizes[][2] = {{1920, 1080}, {3840, 2160}, {251, 171}, {64, 64}, {1, 1}};
    static const uint32_t threads[] = {2, 3, 8, 16, 64};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        uint32_t tiles = ts_tile_count(w, h);
        for (size_t ti = 0; ti < sizeof threads / sizeof threads[0]; ti++) {
            /* Costs over six decades, a few tiles empty and a few equal,
             * and a few heavy enough to split. */
            for (uint32_t i = 0; i < tiles; i++) {
                uint32_t r = rng() % 16;
                uint64_t octave = (uint64_t)1 << (rng() % 20);
                cost[i] = r == 0 ? 0 : r == 1 ? 5000 : octave + rng() % octave;
                if (rng() % 64 == 0) cost[i] = (uint64_t)tiles << 22;
            }
            uint32_t n = plan(w, h, threads[ti], cost);
            char what[64];
            snprintf(what, sizeof what, "%dx%d, %u threads", w, h, threads[ti]);
            check_cover(w, h, n, what);

            uint64_t total = 0;
            for (uint32_t i = 0; i < tiles; i++) total += cost[i];
            uint64_t limit = total / (TS_SPLIT_SHARE * threads[ti]);
            bool split_right = true;
            for (uint32_t i = 0; i < tiles; i++) {
                ts_tile_rect r = ts_tile_rect_of(w, h, i);
                bool can = r.w > TS_TILE / 2 || r.h > TS_TILE / 2;
                split_right = split_right && (split[i] != 0) == (cost[i] > limit && can);
            }
            CHECK(split_right, "%s: tiles split are not those over 1/(%u x threads) of the frame", what,
                  TS_SPLIT_SHARE);

            /* Heaviest first: no job after another expects 1.5 times its
             * time (the classes are half octaves); equal ones in tile
             * order. */
            uint32_t bad_order = 0, bad_ties = 0;
            for (uint32_t i = 0; i < n; i++)
                for (uint32_t j = i + 1; j < n; j++) {
                    uint64_t a = expected(w, h, jobs[i]), b = expected(w, h, jobs[j]);
                    bad_order += 2 * b >= 3 * a && b > 0;
                    bad_ties += a == b && jobs[i] > jobs[j];
                }
            CHECK(bad_order == 0, "%s: %u pairs of jobs with the later 1.5 times as heavy", what, bad_order);
            CHECK(bad_ties == 0, "%s: %u pairs of equal jobs out of tile order", what, bad_ties);
        }
    }
}

static void test_edge_quadrants(void) {
    /* 96x80: a whole tile, one 32 wide, one 16 high, one 32x16. With 16
     * workers every tile is over the share; a tile no larger than a
     * quadrant stays whole, and quadrants outside the frame do not exist. */
    for (uint32_t i = 0; i < 4; i++) cost[i] = 1000;
    uint32_t n = plan(96, 80, 16, cost);
    CHECK(split[0] && split[1] && split[2] && !split[3], "edges: split %u %u %u %u, want 1 1 1 0", split[0], split[1],
          split[2], split[3]);
    CHECK(n == 9, "edges: %u jobs, want 4 + 2 + 2 + 1", n);
    check_cover(96, 80, n, "edges");
}

static bool masks(uint32_t tile, uint64_t whole, uint64_t quadrants) {
    const uint64_t *c = &clean[tile * TS_CLEAN_WORDS];
    return c[0] == whole && c[1] == quadrants && c[2] == quadrants && c[3] == quadrants && c[4] == quadrants;
}

static void test_clean_masks(void) {
    const uint64_t all = ~(uint64_t)0;
    /* Two tiles; the first is split: its quadrants' masks are stale. */
    cost[0] = 100;
    cost[1] = 1;
    plan(128, 64, 2, cost);
    CHECK(split[0] && !split[1], "clean: split %u %u, want 1 0", split[0], split[1]);
    CHECK(masks(0, all, 0), "clean: a newly split tile keeps quadrant masks from older frames");
    CHECK(masks(1, all, all), "clean: a tile rastered as before lost its masks");

    /* The next frame the other way round, on the same target state. */
    memset(clean, 0xff, sizeof clean);
    cost[0] = 1;
    cost[1] = 100;
    ts_job_plan_desc d = {.width = 128, .height = 64, .threads = 2, .tile_cost = cost};
    uint32_t n = ts_job_plan(&d, split, clean, jobs);
    CHECK(!split[0] && split[1], "clean, again: split %u %u, want 0 1", split[0], split[1]);
    CHECK(masks(0, 0, all), "clean, again: a tile whole again keeps its whole mask from older frames");
    CHECK(masks(1, all, 0), "clean, again: a newly split tile keeps quadrant masks from older frames");
    CHECK(n == 5, "clean, again: %u jobs, want 1 + 4", n);

    /* The same plan once more changes nothing. */
    memset(clean, 0xff, sizeof clean);
    ts_job_plan(&d, split, clean, jobs);
    CHECK(masks(0, all, all) && masks(1, all, all), "clean, unchanged: masks were reset");
}

int main(void) {
    test_without_plan();
    test_heavy_tile();
    test_heaviest_first();
    test_edge_quadrants();
    test_clean_masks();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
