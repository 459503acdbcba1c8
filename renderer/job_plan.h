/* job_plan.h — the raster phase's jobs: which tiles of a frame are rastered
 * whole and which as their quadrants, and the order the workers take them
 * in. Both are planned from the last frame's raster time per tile.
 *
 * Split: a single tile crowded with small triangles (the showcase's bunny
 * at 1920x1080: 26% of the raster in one of 510 tiles) otherwise holds
 * every other worker waiting at the phase's end, and the phase could not go
 * faster than that tile with any number of threads. A tile is split when
 * its cost exceeds the frame's total divided by TS_SPLIT_SHARE times the
 * worker count.
 *
 * Order: heaviest first. Workers take jobs in order, each the next one
 * when it is free, so a heavy job taken last runs alone while the others
 * wait; taken first, the light ones fill in around it (Graham's LPT rule).
 * Jobs are ordered by classes of half an octave, not sorted: a counting
 * pass over the tiles, no comparison sort on the drawing thread between
 * two phases, and jobs of one class keep tile order.
 *
 * A pixel's result does not depend on the rectangle it was rastered in or
 * on when, so neither does the frame.
 */
#ifndef TS_JOB_PLAN_H
#define TS_JOB_PLAN_H

#include "tile.h"

#include <stdbool.h>
#include <stdint.h>

/* A job is tile << TS_JOB_PART_BITS | part: part 0 the whole tile, 1 + q
 * its quadrant q (row-major, TS_TILE / 2 square, cut at the frame's edge;
 * quadrants wholly outside the frame do not exist). */
#define TS_JOB_PART_BITS 3u
#define TS_TILE_PARTS 4u
#define TS_SPLIT_SHARE 2u
/* Clean masks per tile (see ts_job_plan): the whole tile's, then each
 * quadrant's (block k of a quadrant is block k of a tile at the quadrant's
 * origin). */
#define TS_CLEAN_WORDS (1u + TS_TILE_PARTS)

static inline uint32_t ts_job_tile(uint32_t job) { return job >> TS_JOB_PART_BITS; }
static inline uint32_t ts_job_part(uint32_t job) { return job & ((1u << TS_JOB_PART_BITS) - 1); }

/* Tiles of a frame: row-major, TS_TILE square. */
static inline uint32_t ts_tiles_x(int width) { return (uint32_t)((width + TS_TILE - 1) / TS_TILE); }
static inline uint32_t ts_tile_count(int width, int height) {
    return ts_tiles_x(width) * (uint32_t)((height + TS_TILE - 1) / TS_TILE);
}

/* The rectangle of tile `tile` of a width x height frame, cut at its right
 * and bottom edges. */
ts_tile_rect ts_tile_rect_of(int width, int height, uint32_t tile);
/* The rectangle of job `job`. */
ts_tile_rect ts_job_rect(int width, int height, uint32_t job);

typedef struct ts_job_plan_desc {
    int width, height;
    uint32_t threads;
    /* Per tile, the last frame's raster time (its jobs' summed), or NULL
     * when none is known: then, and with one thread, tiles are whole and
     * in tile order. */
    const uint64_t *tile_cost;
} ts_job_plan_desc;

/* Plans a frame's raster jobs into `jobs` (room for ts_tile_count x
 * TS_TILE_PARTS) and returns their count; every pixel of the frame is in
 * exactly one job.
 *
 * `split` (per tile) and `clean` (per tile TS_CLEAN_WORDS masks of the
 * blocks that hold the clear values, see tile_store) are a frame target's:
 * split[tile] says how the tile was last rastered into it and is set to
 * how it will be. When that changes, the masks of the new way were written
 * by older frames, so they are reset to none clean. */
uint32_t ts_job_plan(const ts_job_plan_desc *d, uint8_t *split, uint64_t *clean, uint32_t *jobs);

#endif
