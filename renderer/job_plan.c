/* job_plan.c — the raster phase's jobs (job_plan.h). */
#include "job_plan.h"

#include <string.h>

ts_tile_rect ts_tile_rect_of(int width, int height, uint32_t tile) {
    uint32_t tiles_x = ts_tiles_x(width);
    ts_tile_rect rect = {(int)(tile % tiles_x) * TS_TILE, (int)(tile / tiles_x) * TS_TILE, 0, 0};
    rect.w = width - rect.x < TS_TILE ? width - rect.x : TS_TILE;
    rect.h = height - rect.y < TS_TILE ? height - rect.y : TS_TILE;
    return rect;
}

ts_tile_rect ts_job_rect(int width, int height, uint32_t job) {
    ts_tile_rect rect = ts_tile_rect_of(width, height, ts_job_tile(job));
    uint32_t part = ts_job_part(job);
    if (part) {
        int dx = (int)((part - 1) & 1) * (TS_TILE / 2), dy = (int)((part - 1) >> 1) * (TS_TILE / 2);
        rect.x += dx;
        rect.y += dy;
        rect.w = rect.w - dx < TS_TILE / 2 ? rect.w - dx : TS_TILE / 2;
        rect.h = rect.h - dy < TS_TILE / 2 ? rect.h - dy : TS_TILE / 2;
    }
    return rect;
}

/* Whether quadrant q of a tile `rect` lies (partly) inside the frame. */
static bool has_quadrant(ts_tile_rect rect, uint32_t q) {
    return (int)(q & 1) * (TS_TILE / 2) < rect.w && (int)(q >> 1) * (TS_TILE / 2) < rect.h;
}

/* The jobs of a tile `rect`: 1 whole, or its quadrants. */
static uint32_t job_count(ts_tile_rect rect, bool split) {
    if (!split) return 1;
    uint32_t n = 0;
    for (uint32_t q = 0; q < TS_TILE_PARTS; q++) n += has_quadrant(rect, q);
    return n;
}

/* Order classes: half octaves of a job's expected time, 1 + 2 log2(ns)
 * (the bit below the leading one picks the half; 0 for no time), so jobs
 * of one class differ by less than 1.5x. A tile's jobs share one class: its
 * time over their count. Without a plan every job is in class 0. */
#define COST_CLASSES 129u

static uint32_t job_class(const ts_job_plan_desc *d, bool planned, uint32_t tile, uint32_t jobs) {
    uint64_t ns = planned ? d->tile_cost[tile] / jobs : 0;
    if (ns == 0) return 0;
    uint32_t e = 63u - (uint32_t)__builtin_clzll(ns);
    uint32_t half = e ? (uint32_t)(ns >> (e - 1)) & 1u : 0u;
    return 1u + 2u * e + half;
}

uint32_t ts_job_plan(const ts_job_plan_desc *d, uint8_t *split, uint64_t *clean, uint32_t *jobs) {
    const uint32_t tile_count = ts_tile_count(d->width, d->height);
    const bool planned = d->tile_cost && d->threads > 1;
    uint64_t total = 0;
    for (uint32_t tile = 0; planned && tile < tile_count; tile++) total += d->tile_cost[tile];
    const uint64_t limit = planned ? total / ((uint64_t)TS_SPLIT_SHARE * d->threads) : UINT64_MAX;

    /* First pass: how each tile is rastered, and how many jobs each class
     * gets. */
    uint32_t at[COST_CLASSES] = {0};
    for (uint32_t tile = 0; tile < tile_count; tile++) {
        ts_tile_rect rect = ts_tile_rect_of(d->width, d->height, tile);
        bool s = planned && d->tile_cost[tile] > limit && (rect.w > TS_TILE / 2 || rect.h > TS_TILE / 2);
        if (s != (bool)split[tile]) {
            uint64_t *c = &clean[tile * TS_CLEAN_WORDS];
            if (s)
                memset(c + 1, 0, TS_TILE_PARTS * sizeof *c);
            else
                c[0] = 0;
            split[tile] = s;
        }
        uint32_t n = job_count(rect, s);
        at[job_class(d, planned, tile, n)] += n;
    }
    /* Where each class starts: the heaviest first. */
    uint32_t total_jobs = 0;
    for (uint32_t c = COST_CLASSES; c-- > 0;) {
        uint32_t n = at[c];
        at[c] = total_jobs;
        total_jobs += n;
    }
    /* Second pass: each tile's jobs at its class's next places, so jobs of
     * one class stay in tile order. */
    for (uint32_t tile = 0; tile < tile_count; tile++) {
        ts_tile_rect rect = ts_tile_rect_of(d->width, d->height, tile);
        uint32_t *next = &at[job_class(d, planned, tile, job_count(rect, split[tile]))];
        uint32_t first = tile << TS_JOB_PART_BITS;
        if (!split[tile])
            jobs[(*next)++] = first;
        else
            for (uint32_t q = 0; q < TS_TILE_PARTS; q++)
                if (has_quadrant(rect, q)) jobs[(*next)++] = first | (q + 1);
    }
    return total_jobs;
}
