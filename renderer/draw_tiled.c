/* draw_tiled.c — the fast frame: sort-middle binning and SIMD tile raster on
 * the worker pool, finished tiles handed to a pinned consumer thread through
 * the lock-free tile queue.
 *
 * A frame runs three phases on the workers, each a set of independent jobs:
 *   vertex    chunks of the vertex buffer -> clip-space vertices;
 *   geometry  batches of triangles in draw order -> clip, setup,
 *             and bins: per batch, per tile, the batch's triangles touching
 *             the tile. A batch is one job, so bins need no atomics, and
 *             reading the batches in index order restores draw order;
 *   raster    one job per tile, or per quadrant of a tile that took much
 *             of the last frame's time, heaviest first (job_plan.h):
 *             every batch's bin for the tile, in order, through the ISA's
 *             kernel into a tile buffer the worker owns; the pixels go to
 *             the frame target and a message to the queue at once.
 * With the cpu post-processing backend the workers run the chain too
 * (compute/post_fast.h): its per-tile part in the raster job, right after
 * the store, and its frame part as further phases of row bands; a tile is
 * pushed once its 8-bit pixels are final.
 * The consumer thread is the renderer's render thread (present.c): it hands
 * each tile to the present `tile` callback as it arrives and counts them; a
 * frame is complete when it has them all, and goes to the `frame` callback.
 * Two frame targets alternate, so the workers start frame N+1 while the
 * consumer still takes frame N's tiles. Each target carries its own size:
 * ts_tiled_resize replaces both, once neither has a frame in flight.
 */
#define _POSIX_C_SOURCE 200809L
#include "renderer_internal.h"

#include "isa.h"
#include "job_plan.h"
#include "post_fast.h"
#include "tile_queue.h"
#include "worker_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h> /* stream_tri */
#endif

/* Vertices per vertex job: at most VERTEX_CHUNK, and fewer when that
 * gives every worker one (the bunny's 34835 on 16 workers: 9 jobs of 4096
 * would leave 7 idle). Unlike a batch, a vertex job costs nothing later. */
#define VERTEX_CHUNK 4096u
#define QUEUE_CAPACITY 256u

/* Triangles per geometry job: as many as still gives every worker
 * JOBS_PER_WORKER jobs (the last ones even the phase out), between
 * MIN_BATCH and MAX_BATCH. Not smaller: every batch has a bin for every
 * tile, and every raster job walks all the batches' bins for its tile, so
 * the count of batches is a cost per tile (the bunny at 1920x1080 in 137
 * batches of 512 took about 8% longer a frame, on 1 and on 2 threads, than
 * in 17 of 4096). */
#define MIN_BATCH 512u
#define MAX_BATCH 4096u
#define JOBS_PER_WORKER 4u

typedef struct bin_pair {
    uint32_t tile, tri;
} bin_pair;

/* Varyings of the vertices the clipper makes, which a batch's records point
 * to: chunks of EXTRA_CHUNK vertices that never move once allocated (the
 * pointers stay valid while the batch grows), kept from frame to frame. */
#define EXTRA_CHUNK 256u
typedef float extra_var[TS_MAX_VARYINGS];
typedef struct extra_verts {
    extra_var **chunks;
    uint32_t chunk_count; /* allocated */
    uint32_t used;        /* vertices handed out this frame */
} extra_verts;

/* One geometry batch's output. Written by the one worker running the
 * batch, read by every raster job after the phase boundary (the pool's
 * mutex orders the two). */
typedef struct batch {
    extra_verts extra;
    ts_tile_tri *tris;
    uint32_t tri_count, tri_cap;
    uint32_t pair_count; /* (tile, triangle) pairs; in the worker's `pairs` while the job runs */
    /* ts_tiled.offsets_cap entries, at least tile_count + 1: tile t's
     * triangles are sorted[offsets[t] .. offsets[t+1]) */
    uint32_t *offsets;
    uint32_t *sorted;
    uint32_t sorted_cap;
    bool oom;
    bool bad_index; /* a triangle of the batch has an index beyond the vertices */
} batch;

/* A frame target: what the workers write and the consumer assembles. Its
 * size and buffers change only in ts_tiled_resize, while no frame is in
 * flight; the consumer reads them after popping a tile of the target's
 * frame, which the drawing thread's writes happen before (they precede the
 * raster phase, whose pushes the pops acquire). */
typedef struct target {
    int width, height; /* the size of the frames drawn into it */
    int tiles_x;
    uint32_t tile_count;
    uint8_t *pixels;
    float *hdr;      /* post-processing: linear color, float RGBA (hdr_prepare; else NULL) */
    float *depth;    /* NULL unless the renderer keeps depth */
    /* Per tile TS_CLEAN_WORDS masks: the blocks that hold the clear values
     * (see tile_store), for the whole tile and for each quadrant; those of
     * the way the tile was last rastered into this target (`split`) are
     * valid, the others are reset before they are used again. */
    uint64_t *clean;
    uint8_t *split;
    /* This frame's raster jobs, in the order workers take them (planned by
     * the drawing thread before the raster phase, job_plan.h): job_count of
     * them, at most TS_TILE_PARTS per tile. A tile message names its job by index. */
    uint32_t *jobs;
    uint32_t job_count;
    uint64_t *job_cost; /* each job's time, written by its worker */
    /* Where this frame's tiles are stored (written by the drawing thread
     * before the raster phase): the HDR with post-processing, except when
     * the cpu chain is fused into the store, which writes `pixels`. */
    ts_tile_dest dest;
    uint32_t frame;     /* the frame drawn into it last */
    uint32_t received;  /* tiles of `frame` the consumer has seen; consumer only */
    bool complete;      /* guarded by ts_tiled.lock */
    /* When the draw started, its raster phase ended, its last tile reached
     * the consumer, and the frame was complete (post-processed, if it is). */
    uint64_t start_ns, raster_end_ns, arrived_ns, complete_ns;
    uint64_t present_ns; /* in the render thread's callbacks; consumer only until complete */
    uint64_t post_ns;    /* in the post-processing chain, from its start to its finish; likewise */
    ts_post_timing post_timing; /* the backend's own figures; likewise */
    ts_frame_stats stats;
    /* The cpu post-processing chain on the workers: `posted` when this
     * frame's tiles reach the consumer with their final 8-bit pixels
     * (written by the drawing thread before the raster phase). `post`, the
     * chain's buffers for this target's size, and `held`, per tile the
     * message of a tile that waits for the frame's post phases, are made at
     * the first such draw into the target; the drawing thread's and its
     * workers' alone (the next frame uses the other target, and this one
     * only after it is complete). */
    bool posted;
    ts_post_cpu_frame *post;
    ts_tile_msg *held;
} target;

/* Per-worker scratch. */
typedef struct worker_data {
    ts_tile_buf *tile; /* 64-byte aligned */
    /* The running geometry job's (tile, triangle) pairs, in draw order. The
     * worker's own, not the batch's: they never leave the job, and memory
     * a batch kept would be written by whichever worker runs the batch
     * next frame, taking each line from another core. */
    bin_pair *pairs;
    uint32_t pair_cap;
    uint64_t fragments;
    uint64_t triangles;
    uint64_t post_tile_ns; /* in the cpu post chain's per-tile part, this frame */
    bool bad_vertex;       /* a vertex job found a non-finite vertex, this frame */
} worker_data;

struct ts_tiled {
    const ts_renderer *r; /* its present callbacks and on_frame */
    const ts_kernels *k;
    const ts_post_kernels *post_k;
    ts_worker_pool *pool;
    uint32_t threads;
    int samples; /* per pixel */
    bool keep_depth;
    bool hdr; /* post-processing: the targets keep HDR color, unless fused into the store */
    /* The size frames are drawn at now, as the targets' (drawing thread and
     * workers; changed by ts_tiled_resize). */
    int width, height;
    int tiles_x;
    uint32_t tile_count;
    uint32_t offsets_cap; /* entries of every batch's offsets: >= tile_count + 1 */

    ts_clip_vert *xformed;
    ts_screen_vert *screen; /* of vertices whose outcode is 0 */
    uint8_t *outcode;       /* ts_clip_outcode of each vertex */
    size_t xformed_cap;
    uint32_t *mesh_first_tri; /* mesh_count + 1 prefix sums of triangle counts */
    size_t mesh_cap;
    batch *batches;
    uint32_t batch_count, batch_cap;
    uint32_t batch_size;   /* triangles per batch, this frame */
    uint32_t vertex_chunk; /* vertices per vertex job, this frame */
    worker_data *workers;
    /* Per tile, the last frame's raster time, the sum of its jobs' (drawing
     * thread): it plans the next frame's jobs once `costs_known`. */
    uint64_t *tile_cost;
    bool costs_known;

    ts_tile_queue *queue;
    pthread_t consumer;
    bool consumer_started;
    ts_render_start start;
    pthread_mutex_t lock;
    pthread_cond_t frame_done;
    target targets[2];
    uint64_t frame_seq; /* frames drawn so far (64 bits: 0 means none, and it never wraps) */

    /* Of the frame being drawn. */
    const ts_frame_input *in;
    target *cur;
    int post_phase; /* the post phase the workers run */
};

/* ---- the consumer thread (the render thread) --------------------------- */

/* The rectangle of job `job` of a target. */
static ts_tile_rect job_rect(const target *tg, uint32_t job) { return ts_job_rect(tg->width, tg->height, job); }

/* How long the render thread waits for a tile before it looks again
 * whether the GPU has finished the frame it is post-processing: a
 * frame's chain takes a millisecond or so, so this costs it about a tenth
 * of one at most, and the thread wakes a few dozen times. */
#define POST_POLL_NS 50000u

/* The frame in `tg` has its pixels: the callbacks, then `complete` under
 * the lock (what wait_complete waits for). `post_processed`: the pixels
 * exist only now, made by the chain on this thread (or left on the GPU),
 * rather than having come tile by tile. */
static void complete_frame(ts_tiled *t, target *tg, bool post_processed) {
    const ts_renderer *r = t->r;
    ts_present_frame pf = {.frame = tg->frame, .rgba = tg->pixels, .depth = tg->depth, .width = tg->width,
                           .height = tg->height, .stride = (size_t)tg->width * 4, .tiles = tg->job_count};
    tg->present_ns += post_processed ? ts_render_complete_frame(r, &t->start, &pf) : ts_render_frame(r, &pf);
    pthread_mutex_lock(&t->lock);
    tg->complete = true;
    pthread_cond_broadcast(&t->frame_done);
    pthread_mutex_unlock(&t->lock);
}

/* The frame in `tg`, pending on the GPU: whether its post-processing is
 * done (with `wait`, always, once it is); if so the frame completes. */
static bool finish_post(ts_tiled *t, target *tg, bool wait) {
    if (!ts_render_post_finish(t->r, &t->start, wait, &tg->post_timing)) return false;
    tg->complete_ns = ts_now_ns();
    tg->post_ns = tg->complete_ns - tg->arrived_ns;
    complete_frame(t, tg, true);
    return true;
}

/* Runs `begin`, then pops tiles until the queue is closed, then runs `end`.
 * It owns `received`, `present_ns`, `post_ns` and the times a frame
 * arrived and completed.
 *
 * Memory order. A tile's pixels were stored by its worker before the push
 * (the non-temporal stores fenced), and the push is a release store of the
 * slot's sequence number that our pop reads with acquire: when the pop
 * returns, every byte of that tile is visible here, so the `tile` callback
 * reads finished pixels. Nobody writes them again before this thread marks
 * the frame complete under the lock (complete_frame; the drawing thread
 * waits for that before reusing the target), so they stay unchanged
 * through the frame's `frame` call. When a frame has all its tiles, every
 * worker's writes to it have been acquired the same way; publishing
 * `complete` under the lock orders them, and whatever the callbacks and
 * the chain wrote, before whoever waits for the frame.
 *
 * Frames never interleave here: the raster phase of frame N + 1 starts only
 * after every push of frame N has returned (the pool's phase boundary), and
 * the queue hands messages out in the order their pushes claimed slots.
 * They also complete in order: a GPU backend may still be finishing frame
 * N (`posting`) while frame N + 1's tiles arrive and are uploaded, but N
 * completes before N + 1 does, and at most one frame is pending (frame
 * N + 2 needs N's target, so no tile of it can come before N completes). */
static void *consumer_main(void *arg) {
    ts_tiled *t = arg;
    const ts_renderer *r = t->r;
    if (!ts_render_thread_begin(r, &t->start)) return NULL;
    target *posting = NULL; /* its post-processing pending on the GPU */
    for (;;) {
        ts_tile_msg msg;
        ts_tile_pop got;
        if (posting) {
            /* Between tiles, or after waiting a little for one: is the GPU
             * done? Once the queue is closed, there is nothing but to wait. */
            got = ts_tile_queue_pop_timed(t->queue, &msg, POST_POLL_NS);
            if (finish_post(t, posting, got == TS_TILE_POP_CLOSED)) posting = NULL;
        } else {
            got = ts_tile_queue_pop(t->queue, &msg) ? TS_TILE_POP_MESSAGE : TS_TILE_POP_CLOSED;
        }
        if (got == TS_TILE_POP_CLOSED) break;
        if (got == TS_TILE_POP_TIMEOUT) continue;

        /* The target's size is the frame's: read per tile, never cached
         * across frames, since a resize between frames replaces it. */
        target *tg = &t->targets[msg.frame & 1];
        const size_t stride = (size_t)tg->width * 4;
        bool last = ++tg->received == tg->job_count;
        if (last) tg->arrived_ns = ts_now_ns();
        ts_tile_rect rect = job_rect(tg, tg->jobs[msg.tile]);
        if (tg->hdr && !tg->posted) {
            /* Post-processing: the tile goes to the backend now (a GPU one
             * uploads it while the others are rastered); the callbacks see
             * the frame once the chain has made its pixels. */
            ts_render_post_tile(&t->start, tg->hdr + ((size_t)rect.y * (size_t)tg->width + (size_t)rect.x) * 4,
                                (size_t)tg->width * 4, rect.x, rect.y, rect.w, rect.h);
        } else if (r->present.tile) {
            ts_present_tile pt = {.frame = msg.frame, .frame_width = tg->width, .frame_height = tg->height,
                                  .x = rect.x, .y = rect.y, .w = rect.w, .h = rect.h,
                                  .rgba = tg->pixels + (size_t)rect.y * stride + (size_t)rect.x * 4,
                                  .stride = stride, .worker = msg.worker, .cost_ns = msg.cost_ns};
            tg->present_ns += ts_render_tile(r, &pt);
        }
        if (!last) continue;

        if (posting) { /* the frame before this one completes first */
            finish_post(t, posting, true);
            posting = NULL;
        }
        if (tg->hdr && !tg->posted) {
            if (ts_render_post_start(r, &t->start, tg->width, tg->height, tg->hdr, tg->pixels, &tg->post_timing)) {
                posting = tg; /* finished by a later turn of the loop */
                continue;
            }
            tg->complete_ns = ts_now_ns(); /* the frame is complete once it is post-processed */
            tg->post_ns = tg->complete_ns - tg->arrived_ns;
            complete_frame(t, tg, true);
        } else {
            tg->complete_ns = tg->arrived_ns;
            complete_frame(t, tg, false);
        }
    }
    ts_render_thread_end(r, &t->start);
    return NULL;
}

static void wait_complete(ts_tiled *t, target *tg) {
    pthread_mutex_lock(&t->lock);
    while (!tg->complete) pthread_cond_wait(&t->frame_done, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

/* ---- lifetime ---------------------------------------------------------- */

/* Allocates a cleared target of w x h (pixels opaque black, depth 1, every
 * block clean), its HDR color not yet (hdr_prepare); false when out of
 * memory, with nothing left allocated. */
static bool target_alloc(target *tg, int w, int h, bool keep_depth) {
    memset(tg, 0, sizeof *tg);
    tg->width = w;
    tg->height = h;
    tg->tiles_x = (int)ts_tiles_x(w);
    tg->tile_count = ts_tile_count(w, h);
    tg->complete = true;
    size_t n = (size_t)w * (size_t)h;
    /* Cache-line aligned: rows of blocks are stored 32 bytes at a time
     * around the caches when they are aligned (tile_store). */
    tg->pixels = aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    tg->depth = keep_depth ? malloc(n * sizeof(float)) : NULL;
    tg->clean = malloc(tg->tile_count * TS_CLEAN_WORDS * sizeof *tg->clean);
    tg->split = calloc(tg->tile_count, sizeof *tg->split);
    tg->jobs = malloc(tg->tile_count * TS_TILE_PARTS * sizeof *tg->jobs);
    tg->job_cost = malloc(tg->tile_count * TS_TILE_PARTS * sizeof *tg->job_cost);
    if (!tg->pixels || (keep_depth && !tg->depth) || !tg->clean || !tg->split || !tg->jobs || !tg->job_cost) {
        free(tg->pixels);
        free(tg->depth);
        free(tg->clean);
        free(tg->split);
        free(tg->jobs);
        free(tg->job_cost);
        memset(tg, 0, sizeof *tg);
        return false;
    }
    /* What a frame looks like before anything is drawn: cleared. */
    for (size_t p = 0; p < n; p++) {
        memcpy(&tg->pixels[p * 4], (const uint8_t[4]){0, 0, 0, 255}, 4);
        if (tg->depth) tg->depth[p] = 1.0f;
    }
    for (uint32_t k = 0; k < tg->tile_count * TS_CLEAN_WORDS; k++) tg->clean[k] = ~(uint64_t)0; /* of the pixels */
    return true;
}

/* Drawing thread, before a draw into `tg` that stores HDR color: the HDR
 * target, made at the first such draw. Not before: a renderer whose chain
 * runs inside the tile store never stores HDR, and at 3840x2160 two
 * targets of it are 265 MB. Not cleared: the clean bits are the pixels'
 * until the first draw into it, which resets them (set_dest), so every
 * block of it is written before it is read. */
static ts_result hdr_prepare(target *tg, ts_error *err) {
    if (tg->hdr) return TS_OK;
    size_t bytes = (size_t)tg->width * (size_t)tg->height * 4 * sizeof(float);
    tg->hdr = aligned_alloc(64, (bytes + 63) / 64 * 64); /* whole lines: tile_store streams them */
    if (!tg->hdr)
        return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for a %dx%d HDR target (%zu bytes)",
                            tg->width, tg->height, bytes);
    return TS_OK;
}

static void target_free(target *tg) {
    if (tg->post) ts_post_cpu_frame_free(tg->post);
    free(tg->post);
    free(tg->held);
    free(tg->pixels);
    free(tg->hdr);
    free(tg->depth);
    free(tg->clean);
    free(tg->split);
    free(tg->jobs);
    free(tg->job_cost);
}

/* The drawing size: what the workers bin and raster against. */
static void set_size(ts_tiled *t, int w, int h) {
    t->width = w;
    t->height = h;
    t->tiles_x = (int)ts_tiles_x(w);
    t->tile_count = ts_tile_count(w, h);
}

ts_result ts_tiled_create(ts_renderer *r, ts_error *err) {
    ts_tiled *t = calloc(1, sizeof *t);
    if (!t) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for the renderer");
    r->tiled = t;
    t->r = r;
    t->k = ts_isa_kernels(r->isa);
    t->post_k = ts_post_kernels_for(r->isa);
    t->threads = (uint32_t)r->threads;
    t->samples = r->samples;
    t->keep_depth = r->keep_depth;
    t->hdr = r->post.backend != TS_POST_NONE;
    set_size(t, r->width, r->height);
    t->offsets_cap = t->tile_count + 1;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->frame_done, NULL);
    ts_render_start_init(&t->start);

    for (int i = 0; i < 2; i++)
        if (!target_alloc(&t->targets[i], r->width, r->height, r->keep_depth))
            return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for two %dx%d frame targets",
                                r->width, r->height);
    t->tile_cost = calloc(t->tile_count, sizeof *t->tile_cost);
    t->workers = calloc(t->threads, sizeof *t->workers);
    if (!t->workers || !t->tile_cost) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for workers");
    for (uint32_t i = 0; i < t->threads; i++) {
        t->workers[i].tile = aligned_alloc(64, sizeof(ts_tile_buf));
        if (!t->workers[i].tile) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for tiles");
        t->workers[i].tile->touched = ~(uint64_t)0; /* the first clear resets it all */
    }
    t->queue = ts_tile_queue_create(QUEUE_CAPACITY);
    if (!t->queue) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for the tile queue");
    t->pool = ts_worker_pool_create(t->threads);
    if (!t->pool) return ts_error_set(err, TS_ERR_SYSTEM, "cannot start %u worker threads", t->threads);
    if (pthread_create(&t->consumer, NULL, consumer_main, t) != 0)
        return ts_error_set(err, TS_ERR_SYSTEM, "cannot start the render thread");
    t->consumer_started = true;
    /* A failed begin ends the thread at once; ts_tiled_destroy joins it. */
    return ts_render_start_wait(&t->start, r, err);
}

void ts_tiled_destroy(ts_tiled *t) {
    if (!t) return;
    ts_worker_pool_destroy(t->pool); /* no producer is left after this */
    if (t->consumer_started) {
        ts_tile_queue_close(t->queue);
        pthread_join(t->consumer, NULL);
    }
    ts_tile_queue_destroy(t->queue);
    for (uint32_t i = 0; t->workers && i < t->threads; i++) {
        free(t->workers[i].tile);
        free(t->workers[i].pairs);
    }
    free(t->workers);
    for (uint32_t b = 0; b < t->batch_cap; b++) {
        batch *bt = &t->batches[b];
        free(bt->tris);
        free(bt->offsets);
        free(bt->sorted);
        for (uint32_t c = 0; c < bt->extra.chunk_count; c++) free(bt->extra.chunks[c]);
        free(bt->extra.chunks);
    }
    free(t->batches);
    free(t->xformed);
    free(t->screen);
    free(t->outcode);
    free(t->mesh_first_tri);
    free(t->tile_cost);
    for (int i = 0; i < 2; i++) target_free(&t->targets[i]);
    ts_render_start_destroy(&t->start);
    pthread_cond_destroy(&t->frame_done);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* ---- phases ------------------------------------------------------------- */

/* Checks that a chunk of vertices is finite (the model's invariant, see
 * renderer/model.c), transforms it and, once per vertex rather than once
 * per triangle using it, finds the clip planes it lies outside of and, for
 * one inside them all, its screen position. */
static void vertex_job(void *ctx, uint32_t job, uint32_t worker) {
    ts_tiled *t = ctx;
    uint32_t first = job * t->vertex_chunk, n = t->in->model->vertex_count - first;
    if (n > t->vertex_chunk) n = t->vertex_chunk;
    if (!ts_vertices_finite(&t->in->model->vertices[first], n)) {
        t->workers[worker].bad_vertex = true; /* the frame stops after this phase */
        return;
    }
    ts_frame_transform(t->in, first, n, t->xformed);
    for (uint32_t i = first; i < first + n; i++) {
        unsigned code = ts_clip_outcode(&t->xformed[i], t->in->band);
        t->outcode[i] = (uint8_t)code;
        if (code == 0) ts_frame_to_screen(&t->xformed[i], t->width, t->height, &t->screen[i]);
    }
}

/* Grows *arr to hold `need` elements of `size`, keeping what it holds;
 * `align` is 0 for malloc's alignment, or the power of two the array must
 * start at (a multiple of `size`'s factors that aligned_alloc accepts).
 * False on failure. */
static bool reserve_aligned(void **arr, uint32_t *cap, uint32_t need, size_t size, size_t align) {
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    void *p;
    if (align == 0) {
        if (!(p = realloc(*arr, (size_t)n * size))) return false;
    } else {
        if (!(p = aligned_alloc(align, (size_t)n * size))) return false;
        if (*cap) memcpy(p, *arr, (size_t)*cap * size);
        free(*arr);
    }
    *arr = p;
    *cap = n;
    return true;
}

static bool reserve(void **arr, uint32_t *cap, uint32_t need, size_t size) {
    return reserve_aligned(arr, cap, need, size, 0);
}

/* Room for `need` records in the batch, aligned as ts_tile_tri asks. */
static bool reserve_tris(batch *b, uint32_t need) {
    return reserve_aligned((void **)&b->tris, &b->tri_cap, need, sizeof *b->tris, TS_TILE_TRI_ALIGN);
}

/* Appends record `tri` of the batch, set up as `s`, to the bins of the
 * tiles its pixel rectangle touches. */
static bool bin_triangle(const ts_tiled *t, const ts_tri_setup *s, worker_data *w, uint32_t tri,
                         uint32_t *pair_count) {
    int tx0 = s->minx / TS_TILE, tx1 = s->maxx / TS_TILE;
    int ty0 = s->miny / TS_TILE, ty1 = s->maxy / TS_TILE;
    uint32_t n = *pair_count;
    if (!reserve((void **)&w->pairs, &w->pair_cap, n + (uint32_t)((tx1 - tx0 + 1) * (ty1 - ty0 + 1)),
                 sizeof *w->pairs))
        return false;
    for (int ty = ty0; ty <= ty1; ty++)
        for (int tx = tx0; tx <= tx1; tx++) w->pairs[n++] = (bin_pair){(uint32_t)(ty * t->tiles_x + tx), tri};
    *pair_count = n;
    return true;
}

/* Counting sort of the batch's pairs by tile; stable, so each tile's list
 * stays in draw order. */
static bool sort_bins(ts_tiled *t, batch *b, const bin_pair *pairs) {
    if (!reserve((void **)&b->sorted, &b->sorted_cap, b->pair_count, sizeof *b->sorted)) return false;
    uint32_t *off = b->offsets;
    memset(off, 0, (t->tile_count + 1) * sizeof *off);
    for (uint32_t i = 0; i < b->pair_count; i++) off[pairs[i].tile + 1]++;
    for (uint32_t i = 0; i < t->tile_count; i++) off[i + 1] += off[i];
    /* Fill using off[tile] as a cursor, then shift back one slot. */
    for (uint32_t i = 0; i < b->pair_count; i++) b->sorted[off[pairs[i].tile]++] = pairs[i].tri;
    memmove(off + 1, off, t->tile_count * sizeof *off);
    off[0] = 0;
    return true;
}

/* A place for one clipped vertex's varyings, valid until the batch runs
 * again; NULL when out of memory. */
static const float *extra_put(extra_verts *x, const float var[TS_MAX_VARYINGS]) {
    uint32_t chunk = x->used / EXTRA_CHUNK;
    if (chunk == x->chunk_count) {
        extra_var **p = realloc(x->chunks, (chunk + 1) * sizeof *p);
        if (!p) return NULL;
        x->chunks = p;
        if (!(p[chunk] = malloc(EXTRA_CHUNK * sizeof(extra_var)))) return NULL;
        x->chunk_count++;
    }
    float *at = x->chunks[chunk][x->used++ % EXTRA_CHUNK];
    memcpy(at, var, sizeof(extra_var));
    return at;
}

/* Clips a triangle that crosses a clip plane and sets up the pieces of its
 * fan into tris[0..], their vertices' varyings kept in b->extra; returns
 * how many it wrote (at most TS_CLIP_MAX_VERTS - 2), or -1 when out of
 * memory. */
static int clip_and_setup(const ts_tiled *t, batch *b, const ts_clip_vert *const v[3], ts_tile_tri *tris) {
    const ts_frame_input *in = t->in;
    ts_clip_vert tri[3] = {*v[0], *v[1], *v[2]};
    ts_clip_vert poly[TS_CLIP_MAX_VERTS];
    ts_screen_vert sv[TS_CLIP_MAX_VERTS];
    int nv = ts_frame_clip_to_screen(in, tri, t->width, t->height, poly, sv);
    const float *var[TS_CLIP_MAX_VERTS];
    for (int i = 0; i < nv; i++)
        if (!(var[i] = extra_put(&b->extra, poly[i].var))) return -1;
    int made = 0;
    /* Fan from vertex 0, as the reference does. */
    for (int i = 1; i + 1 < nv; i++) {
        ts_screen_vert tv[3] = {sv[0], sv[i], sv[i + 1]};
        const float *tc[3] = {var[0], var[i], var[i + 1]};
        ts_tile_tri *tt = &tris[made];
        if (!ts_setup_triangle(tv, t->width, t->height, in->cull, t->samples, &tt->setup)) continue;
        for (int k = 0; k < 3; k++) tt->var[k] = tc[tt->setup.order[k]];
        made++;
    }
    return made;
}

/* Copies a finished record to its place in the batch around the caches
 * (x86's non-temporal stores; a plain copy elsewhere). The records of the
 * last frame were read by the raster jobs of every core, so their lines
 * sit in other cores' caches: an ordinary store must first take each line
 * from there, which on a machine whose cores share no cache is a transfer
 * of hundreds of nanoseconds per line, and two workers' geometry took
 * almost as long as one's. A streaming store of the whole line (a record
 * is two, line-aligned) invalidates those copies without reading them.
 * The raster then reads the records from memory, ahead of use (its
 * prefetches), as it read them from another core's cache before. Not
 * ordered with later stores: geometry_job fences before it returns. */
static inline void stream_tri(ts_tile_tri *dst, const ts_tile_tri *src) {
#if defined(__SSE2__)
    __m128i *d = (__m128i *)(void *)dst;
    const __m128i *from = (const __m128i *)(const void *)src;
    for (size_t i = 0; i < sizeof *src / sizeof *from; i++) _mm_stream_si128(d + i, _mm_load_si128(from + i));
#else
    memcpy(dst, src, sizeof *src);
#endif
}

static inline void stream_fence(void) {
#if defined(__SSE2__)
    _mm_sfence();
#endif
}

static inline void prefetch_tri(const ts_tile_tri *tri) {
    const char *p = (const char *)tri;
    for (size_t at = 0; at < sizeof *tri; at += 64) __builtin_prefetch(p + at);
}

/* Triangles inside every clip plane, in draw order, waiting for the SIMD
 * setup: their screen vertices (made in the vertex phase by the same
 * function the clipper's output goes through, so clipping would return
 * them as they are), vertex indices and mesh. */
typedef struct setup_queue {
    ts_setup_group g;
    const uint32_t *idx[TS_SETUP_GROUP];
    uint32_t mesh[TS_SETUP_GROUP];
    int count;
} setup_queue;

/* Sets up the queued triangles with the ISA's kernel, TS_LANES at a time,
 * into records on the stack, completes those it accepts and streams them,
 * in draw order, to the batch's records (stream_tri), and bins them. False
 * when out of memory. */
static bool flush_setups(const ts_tiled *t, batch *b, worker_data *w, setup_queue *q, uint32_t *tri_count,
                         uint32_t *pair_count) {
    if (q->count == 0) return true;
    if (!reserve_tris(b, *tri_count + (uint32_t)q->count)) return false;
    const ts_frame_input *in = t->in;
    _Alignas(TS_TILE_TRI_ALIGN) ts_tile_tri made[TS_SETUP_GROUP];
    uint32_t accepted = t->k->setup(&q->g, q->count, t->width, t->height, in->cull, t->samples, made);
    q->count = 0;
    for (ts_tile_tri *out = made; accepted; accepted &= accepted - 1, out++) {
        int i = __builtin_ctz(accepted);
        for (int k = 0; k < 3; k++) out->var[k] = t->xformed[q->idx[i][out->setup.order[k]]].var;
        out->uniforms = &in->uniforms[q->mesh[i]];
        stream_tri(&b->tris[*tri_count], out);
        if (!bin_triangle(t, &out->setup, w, (*tri_count)++, pair_count)) return false;
    }
    return true;
}

/* Triangles ahead whose vertices geometry_job prefetches. */
#define GEOMETRY_AHEAD 16

static void geometry_job(void *ctx, uint32_t job, uint32_t worker) {
    ts_tiled *t = ctx;
    const ts_frame_input *in = t->in;
    const ts_model *m = in->model;
    batch *b = &t->batches[job];
    worker_data *w = &t->workers[worker];
    /* The counts stay in locals and reach *b once, at the end: neighbouring
     * batches share cache lines, and other workers write theirs. */
    uint32_t tri_count = 0, pair_count = 0;
    bool oom = false, bad_index = false;
    setup_queue q;
    q.count = 0;
    b->extra.used = 0; /* the clipped vertices of this batch's last run are no longer pointed to */

    uint32_t first = job * t->batch_size, total = t->mesh_first_tri[m->mesh_count];
    uint32_t last = total - first > t->batch_size ? first + t->batch_size : total;
    uint32_t mi = 0; /* the mesh holding triangle g */
    for (uint32_t g = first; g < last && !oom; g++) {
        while (t->mesh_first_tri[mi + 1] <= g) mi++;
        const ts_mesh *mesh = &m->meshes[mi];
        const uint32_t *idx = &m->indices[mesh->first_index + 3 * (g - t->mesh_first_tri[mi])];
        /* The model's invariant, checked where the indices are read anyway
         * (renderer/model.c); the mesh table was checked before the draw. */
        if ((idx[0] >= m->vertex_count) | (idx[1] >= m->vertex_count) | (idx[2] >= m->vertex_count)) {
            bad_index = true;
            break;
        }
        if (g + GEOMETRY_AHEAD < t->mesh_first_tri[mi + 1]) {
            /* The vertex phase's outputs for a triangle further on: most
             * come from another core's cache or from memory. Out-of-range
             * indices are not followed (they are refused when reached). */
            const uint32_t *ahead = idx + 3 * GEOMETRY_AHEAD;
            for (int k = 0; k < 3; k++) {
                uint32_t v = ahead[k] < m->vertex_count ? ahead[k] : 0;
                __builtin_prefetch(&t->screen[v]);
                __builtin_prefetch(&t->outcode[v]);
            }
        }
        unsigned c0 = t->outcode[idx[0]], c1 = t->outcode[idx[1]], c2 = t->outcode[idx[2]];
        if (c0 & c1 & c2) continue; /* all beyond one plane: ts_clip_triangle would drop it */
        if ((c0 | c1 | c2) == 0) {
            /* Inside every plane, nearly every triangle: queued for the
             * SIMD setup, a group at a time. */
            ts_setup_group_put(&q.g, q.count, &t->screen[idx[0]], &t->screen[idx[1]], &t->screen[idx[2]]);
            q.idx[q.count] = idx;
            q.mesh[q.count] = mi;
            if (++q.count == TS_SETUP_GROUP) oom = !flush_setups(t, b, w, &q, &tri_count, &pair_count);
            continue;
        }
        /* Crossing a plane: the triangles queued before it are drawn before
         * it, so they go to the records and bins first. */
        if (!flush_setups(t, b, w, &q, &tri_count, &pair_count) ||
            /* Room for a whole clipped fan. */
            !reserve_tris(b, tri_count + TS_CLIP_MAX_VERTS - 2)) {
            oom = true;
            break;
        }
        const ts_clip_vert *v[3] = {&t->xformed[idx[0]], &t->xformed[idx[1]], &t->xformed[idx[2]]};
        ts_tile_tri *out = &b->tris[tri_count];
        int made = clip_and_setup(t, b, v, out);
        if (made < 0) {
            oom = true;
            break;
        }
        for (int i = 0; i < made && !oom; i++) {
            out[i].uniforms = &in->uniforms[mi];
            oom = !bin_triangle(t, &out[i].setup, w, tri_count++, &pair_count);
        }
    }
    if (!oom) oom = !flush_setups(t, b, w, &q, &tri_count, &pair_count);
    stream_fence(); /* the streamed records are in memory before the phase ends */
    b->tri_count = tri_count;
    b->pair_count = pair_count;
    b->bad_index = bad_index;
    b->oom = oom || !sort_bins(t, b, w->pairs);
    w->triangles += tri_count;
}

/* How far ahead raster_job loads, in triangles of a tile's list: the
 * records, then (once a record is in) the varyings it points to. A small
 * triangle is drawn in about 100 ns, a line from memory or another core
 * takes 100 to 300; the bunny at 1920x1080 was 2% faster a frame with
 * these than with 4 and 1. */
#define PREFETCH_AHEAD 8
#define VAR_AHEAD 3

static void raster_job(void *ctx, uint32_t index, uint32_t worker) {
    ts_tiled *t = ctx;
    uint64_t t0 = ts_now_ns();
    worker_data *w = &t->workers[worker];
    ts_tile_buf *tb = w->tile;
    target *tg = t->cur;
    const uint32_t job = tg->jobs[index], tile = ts_job_tile(job);
    ts_tile_rect rect = job_rect(tg, job);

    const ts_kernels *k = t->k;
    ts_raster_tri_fn raster = (t->samples > 1 ? k->raster_msaa : k->raster)[t->in->program];
    k->tile_clear(tb, t->samples);
    uint64_t fragments = 0;
    /* Each batch's list for this tile is a few dozen entries that another
     * core may have written: start loading all of them now rather than
     * one at a time when the loop reaches them. */
    for (uint32_t bi = 0; bi < t->batch_count; bi++) {
        const batch *b = &t->batches[bi];
        uint32_t j = b->offsets[tile], end = b->offsets[tile + 1];
        if (j < end) __builtin_prefetch(&b->sorted[j]);
        if (j + 16 < end) __builtin_prefetch(&b->sorted[j + 16]);
    }
    for (uint32_t bi = 0; bi < t->batch_count; bi++) {
        const batch *b = &t->batches[bi];
        uint32_t j = b->offsets[tile], end = b->offsets[tile + 1];
        for (uint32_t p = j; p < end && p < j + PREFETCH_AHEAD; p++) prefetch_tri(&b->tris[b->sorted[p]]);
        for (; j < end; j++) {
            /* The records come from memory (stream_tri) and the
             * varyings from whichever core transformed them. */
            if (j + PREFETCH_AHEAD < end) prefetch_tri(&b->tris[b->sorted[j + PREFETCH_AHEAD]]);
            if (j + VAR_AHEAD < end) {
                const ts_tile_tri *next = &b->tris[b->sorted[j + VAR_AHEAD]];
                for (int v = 0; v < 3; v++) __builtin_prefetch(next->var[v]);
            }
            fragments += raster(tb, rect, &b->tris[b->sorted[j]]);
        }
    }
    uint64_t s0 = ts_now_ns();
    k->tile_store(tb, t->samples, rect, &tg->dest,
                  &tg->clean[tile * TS_CLEAN_WORDS + ts_job_part(job)]);
    w->fragments += fragments;
    /* The post chain's part that needs nothing but this tile, at once;
     * fused, the store was the whole chain, and its time is the chain's. */
    bool final = true;
    if (tg->posted) {
        uint64_t p0 = ts_now_ns();
        final = ts_post_cpu_tile(t->post_k, &t->r->post_params, tg->post, tb, t->samples, rect.x, rect.y, rect.w,
                                 rect.h);
        w->post_tile_ns += ts_now_ns() - (tg->dest.encode ? s0 : p0);
    }

    /* The tile's pixels are written; the push publishes them (release in
     * the queue) to the consumer. Lazy: the consumer is woken per batch of
     * tiles, and by ts_tiled_draw once the raster phase is over. A tile
     * whose pixels the post phases still make is pushed by them. */
    ts_tile_msg msg = {.frame = tg->frame, .tile = index, .worker = worker, .cost_ns = ts_now_ns() - t0};
    tg->job_cost[index] = msg.cost_ns;
    if (final)
        ts_tile_queue_push_lazy(t->queue, &msg);
    else
        tg->held[index] = msg;
}

_Static_assert(TS_POST_BAND == TS_TILE, "a post band is a row of tiles");

/* One band of a post phase over the frame (compute/post_fast.h). The last
 * phase makes the band's final pixels, so its tiles go to the queue here:
 * the consumer gets them while other bands are still being processed. */
static void post_job(void *ctx, uint32_t band, uint32_t worker) {
    ts_tiled *t = ctx;
    target *tg = t->cur;
    ts_post_cpu_phase(t->post_k, &t->r->post_params, tg->post, t->post_phase, band, worker);
    if (t->post_phase + 1 < ts_post_cpu_phase_count(&t->r->post_params)) return;
    for (uint32_t i = 0; i < tg->job_count; i++)
        if (ts_job_tile(tg->jobs[i]) / (uint32_t)tg->tiles_x == band)
            ts_tile_queue_push_lazy(t->queue, &tg->held[i]);
}

/* Drawing thread, before a draw into `tg` with the cpu post backend (the
 * target is not in flight): the chain's buffers for its size, made once. */
static ts_result post_prepare(target *tg, const ts_post_params *p, uint32_t workers, ts_error *err) {
    if (!tg->post) {
        ts_post_cpu_frame *f = malloc(sizeof *f);
        ts_tile_msg *held = malloc(tg->tile_count * TS_TILE_PARTS * sizeof *held); /* per job */
        ts_result res = f && held ? ts_post_cpu_frame_init(f, p, tg->width, tg->height, (int)workers, err)
                                  : ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory for post-processing %dx%d frames",
                                                 tg->width, tg->height);
        if (res != TS_OK) {
            free(f);
            free(held);
            return res;
        }
        tg->post = f;
        tg->held = held;
    }
    tg->post->params = p;
    tg->post->hdr = tg->hdr;
    tg->post->out = tg->pixels;
    return TS_OK;
}

/* Drawing thread, before a draw into `tg`: where its tiles are stored,
 * `encode` the fused cpu chain's or NULL. The clean bits say which blocks
 * hold the clear values in the buffer the store writes, from the start the
 * pixels; when that becomes the HDR target (its first draw, a renderer's
 * post backend and chain being fixed), none of it is known clear until
 * stored once. */
static void set_dest(target *tg, ts_encode_fn encode) {
    float *hdr = encode ? NULL : tg->hdr;
    if (hdr != tg->dest.hdr) memset(tg->clean, 0, tg->tile_count * TS_CLEAN_WORDS * sizeof *tg->clean);
    tg->dest = (ts_tile_dest){.rgba = tg->pixels, .hdr = hdr, .depth = tg->depth, .width = tg->width,
                              .encode = encode, .encode_ctx = tg->post};
}

uint64_t ts_tiled_tile_bytes(bool post) {
    uint64_t per_target = TS_CLEAN_WORDS * sizeof(uint64_t) + sizeof(uint8_t) +
                          TS_TILE_PARTS * (sizeof(uint32_t) + sizeof(uint64_t) + (post ? sizeof(ts_tile_msg) : 0));
    return 2 * per_target + sizeof(uint64_t);
}

/* ---- the frame ---------------------------------------------------------- */

/* The size of the parts `total` items are split into for a phase's jobs:
 * at most `max`, a multiple of `align`, and as even as that allows, their
 * count a multiple of `threads` once there are that many. A phase's time is
 * that of its busiest worker, and with parts of `max` and a short last one
 * (the bunny's 69666 triangles in 17 batches of 4096 and one of 34), one
 * worker of two gets a whole part more than the other. Fewer parts than
 * workers stay as they are: smaller ones would not balance them, and every
 * batch costs every raster job (MIN_BATCH). */
static uint32_t even_parts(uint32_t total, uint32_t max, uint32_t threads, uint32_t align) {
    uint64_t parts = ((uint64_t)total + max - 1) / max;
    if (parts == 0) return max; /* nothing to split */
    if (parts > threads) parts = (parts + threads - 1) / threads * threads;
    uint64_t size = ((uint64_t)total + parts - 1) / parts;
    size = (size + align - 1) / align * align;
    return size ? (uint32_t)size : align;
}

/* Sizes the per-frame arrays for `m`. */
static ts_result prepare(ts_tiled *t, const ts_model *m, ts_error *err) {
    if (m->vertex_count > t->xformed_cap) {
        free(t->xformed);
        free(t->screen);
        free(t->outcode);
        t->xformed = malloc((size_t)m->vertex_count * sizeof *t->xformed);
        t->screen = malloc((size_t)m->vertex_count * sizeof *t->screen);
        t->outcode = malloc(m->vertex_count);
        t->xformed_cap = 0;
        if (!t->xformed || !t->screen || !t->outcode) goto oom;
        t->xformed_cap = m->vertex_count;
    }
    if (m->mesh_count + 1 > t->mesh_cap) {
        uint32_t *p = realloc(t->mesh_first_tri, ((size_t)m->mesh_count + 1) * sizeof *p);
        if (!p) goto oom;
        t->mesh_first_tri = p;
        t->mesh_cap = (size_t)m->mesh_count + 1;
    }
    t->mesh_first_tri[0] = 0;
    for (uint32_t i = 0; i < m->mesh_count; i++)
        t->mesh_first_tri[i + 1] = t->mesh_first_tri[i] + m->meshes[i].index_count / 3;
    uint32_t total = t->mesh_first_tri[m->mesh_count];
    uint32_t per_job = (uint32_t)(((uint64_t)total + t->threads * JOBS_PER_WORKER - 1) / (t->threads * JOBS_PER_WORKER));
    t->batch_size = even_parts(total, per_job < MIN_BATCH ? MIN_BATCH : per_job > MAX_BATCH ? MAX_BATCH : per_job,
                               t->threads, 1);
    uint32_t per_worker = (m->vertex_count + t->threads - 1) / t->threads;
    uint32_t chunk = per_worker < 64 ? 64 : per_worker < VERTEX_CHUNK ? per_worker : VERTEX_CHUNK;
    t->vertex_chunk = even_parts(m->vertex_count, chunk, t->threads, 64);
    uint32_t batches = (uint32_t)(((uint64_t)total + t->batch_size - 1) / t->batch_size);
    if (batches > t->batch_cap) {
        batch *p = realloc(t->batches, (size_t)batches * sizeof *p);
        if (!p) goto oom;
        t->batches = p;
        for (uint32_t b = t->batch_cap; b < batches; b++) {
            memset(&p[b], 0, sizeof p[b]);
            p[b].offsets = malloc((size_t)t->offsets_cap * sizeof *p[b].offsets);
            if (!p[b].offsets) {
                t->batch_cap = b;
                goto oom;
            }
        }
        t->batch_cap = batches;
    }
    t->batch_count = batches;
    return TS_OK;
oom:
    return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory preparing a frame of %u vertices",
                        m->vertex_count);
}

/* A draw that stops before its raster phase, which pushed no tile of the
 * frame: hands the target back as it is, so the next draw does not wait
 * for it, and takes back the frame's number, so the last frame drawn (what
 * ts_tiled_pixels and ts_tiled_finish read) is still the one before; the
 * next draw numbers its frame as this one was and uses this target again,
 * which the consumer has not seen a tile of. Returns `res`. */
static ts_result abandon(ts_tiled *t, target *tg, ts_result res) {
    pthread_mutex_lock(&t->lock);
    tg->complete = true;
    pthread_mutex_unlock(&t->lock);
    t->frame_seq--;
    t->in = NULL;
    return res;
}

/* A phase found a vertex or index breaking the model's invariant: the
 * whole check names it. (It finds nothing only if the caller changed the
 * model during the draw.) */
static ts_result bad_model(const ts_model *m, ts_error *err) {
    ts_result res = ts_model_validate(m, "model", err);
    return res != TS_OK ? res
                        : ts_error_set(err, TS_ERR_BAD_MODEL, "model: its vertices or indices changed during the draw");
}

/* b - a in milliseconds; 0 when b is not after a (the consumer can finish
 * a frame before the drawing thread reads the clock after the raster phase). */
static double ms(uint64_t a, uint64_t b) { return b > a ? (double)(b - a) * 1e-6 : 0.0; }

ts_result ts_tiled_draw(ts_renderer *r, const ts_frame_input *in_caller, ts_error *err) {
    ts_tiled *t = r->tiled;
    const ts_model *m = in_caller->model;
    ts_result res = prepare(t, m, err);
    if (res != TS_OK) return res;

    /* The target two frames back must be fully handed over before it is
     * drawn into again. */
    target *tg = &t->targets[t->frame_seq & 1];
    wait_complete(t, tg);
    /* The cpu chain runs here, on the workers, rather than on the render
     * thread (a GPU backend there gets the HDR tiles as before). */
    tg->posted = t->hdr && r->post_active == TS_POST_CPU;
    bool fused = tg->posted && ts_post_cpu_fused(&r->post_params);
    if (t->hdr && !fused && (res = hdr_prepare(tg, err)) != TS_OK) return res;
    if (tg->posted && (res = post_prepare(tg, &r->post_params, t->threads, err)) != TS_OK) return res;
    set_dest(tg, fused ? t->post_k->encode : NULL);
    tg->frame = (uint32_t)t->frame_seq++; /* the frame's number wraps after 2^32 draws; the parity holds */
    tg->received = 0; /* the consumer is done with this target: it finished the frame */
    tg->present_ns = 0;
    tg->post_ns = 0;
    memset(&tg->post_timing, 0, sizeof tg->post_timing);
    tg->complete = false;
    tg->start_ns = ts_now_ns();

    t->in = in_caller;
    t->cur = tg;
    for (uint32_t i = 0; i < t->threads; i++) {
        worker_data *w = &t->workers[i];
        w->fragments = w->triangles = w->post_tile_ns = 0;
        w->bad_vertex = false;
    }

    uint64_t t0 = ts_now_ns();
    ts_worker_pool_run(t->pool, vertex_job, t, (m->vertex_count + t->vertex_chunk - 1) / t->vertex_chunk);
    uint64_t t1 = ts_now_ns();
    for (uint32_t i = 0; i < t->threads; i++)
        if (t->workers[i].bad_vertex) return abandon(t, tg, bad_model(m, err));
    ts_worker_pool_run(t->pool, geometry_job, t, t->batch_count);
    uint64_t t2 = ts_now_ns();
    for (uint32_t b = 0; b < t->batch_count; b++) {
        if (t->batches[b].bad_index) return abandon(t, tg, bad_model(m, err));
        if (t->batches[b].oom)
            return abandon(t, tg,
                           ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "out of memory binning %u triangles",
                                        t->mesh_first_tri[m->mesh_count]));
    }
    ts_job_plan_desc plan = {.width = tg->width,
                             .height = tg->height,
                             .threads = t->threads,
                             .tile_cost = t->costs_known ? t->tile_cost : NULL};
    tg->job_count = ts_job_plan(&plan, tg->split, tg->clean, tg->jobs);
    ts_worker_pool_run(t->pool, raster_job, t, tg->job_count);
    uint64_t t3 = ts_now_ns();
    /* The frame's raster time per tile plans the next frame's jobs. */
    memset(t->tile_cost, 0, tg->tile_count * sizeof *t->tile_cost);
    uint64_t busy_ns = 0;
    for (uint32_t j = 0; j < tg->job_count; j++) {
        t->tile_cost[ts_job_tile(tg->jobs[j])] += tg->job_cost[j];
        busy_ns += tg->job_cost[j];
    }
    t->costs_known = true;
    if (tg->posted) {
        /* The post chain's frame part, phase after phase (each reads what
         * the one before wrote everywhere; the pool's hand-off orders them). */
        for (t->post_phase = 0; t->post_phase < ts_post_cpu_phase_count(&r->post_params); t->post_phase++)
            ts_worker_pool_run(t->pool, post_job, t, ts_post_cpu_bands(tg->post));
        /* The chain's time: its phases after the raster, and its share of
         * the raster's: the per-tile part's time summed over the workers,
         * divided by their number (they ran it side by side). With neither
         * bloom nor FXAA that share is all of it. */
        uint64_t tile_ns = 0;
        for (uint32_t i = 0; i < t->threads; i++) tile_ns += t->workers[i].post_tile_ns;
        tg->post_ns = ts_now_ns() - t3 + tile_ns / t->threads;
        tg->post_timing = (ts_post_timing){.kernel_ms = (double)tg->post_ns * 1e-6, .backend = TS_POST_CPU};
    }
    /* Every tile's push returned before the pool did: end the run of lazy
     * pushes, so the frame's last tiles do not wait for the next frame's. */
    ts_tile_queue_wake(t->queue);
    tg->raster_end_ns = ts_now_ns();

    ts_frame_stats *st = &tg->stats;
    memset(st, 0, sizeof *st);
    st->vertex_ms = ms(t0, t1);
    st->geometry_ms = ms(t1, t2);
    st->raster_ms = ms(t2, t3);
    double busy = t3 > t2 ? (double)busy_ns / ((double)(t3 - t2) * t->threads) : 0.0;
    st->raster_busy = busy < 1.0 ? busy : 1.0; /* each job's clock is read apart from the phase's */
    for (uint32_t i = 0; i < t->threads; i++) {
        st->triangles += t->workers[i].triangles;
        st->fragments += t->workers[i].fragments;
    }
    t->in = NULL;
    return TS_OK;
}

void ts_tiled_finish(ts_renderer *r) {
    ts_tiled *t = r->tiled;
    if (t->frame_seq == 0) return;
    target *tg = &t->targets[(t->frame_seq - 1) & 1];
    wait_complete(t, tg);
    tg->stats.post_ms = (double)tg->post_ns * 1e-6;
    ts_post_timing_to_stats(&tg->post_timing, &tg->stats);
    tg->stats.queue_ms = ms(tg->raster_end_ns, tg->arrived_ns);
    tg->stats.total_ms = ms(tg->start_ns, tg->complete_ns);
    tg->stats.present_ms = (double)tg->present_ns * 1e-6;
    r->stats = tg->stats;
}

/* Drawing thread, between draws. Nothing is in flight once both targets
 * are complete: the consumer marks a target complete under the lock after
 * its last callback for it, and it reads a target again only after popping
 * a tile of a later frame, which no draw has made yet. The new targets and
 * the new size reach the workers through the pool's hand-off at the next
 * draw, and the consumer through that draw's pushes (release) and its pops
 * (acquire). */
ts_result ts_tiled_resize(ts_renderer *r, int width, int height, ts_error *err) {
    ts_tiled *t = r->tiled;
    ts_tiled_finish(r); /* the last frame's stats, as finish keeps them */
    /* Both targets: after a frame that ran out of memory, the last one is
     * complete while the one before may not be yet. */
    wait_complete(t, &t->targets[0]);
    wait_complete(t, &t->targets[1]);

    /* Everything new is allocated before anything old is let go. */
    target fresh[2];
    if (!target_alloc(&fresh[0], width, height, t->keep_depth)) goto oom;
    if (!target_alloc(&fresh[1], width, height, t->keep_depth)) {
        target_free(&fresh[0]);
        goto oom;
    }
    uint32_t tiles = ts_tile_count(width, height);
    uint64_t *tile_cost = calloc(tiles, sizeof *tile_cost);
    if (!tile_cost) {
        target_free(&fresh[0]);
        target_free(&fresh[1]);
        goto oom;
    }
    if (tiles + 1 > t->offsets_cap) {
        /* A batch whose offsets grew before a later one failed keeps the
         * larger array: still at least offsets_cap entries. */
        for (uint32_t b = 0; b < t->batch_cap; b++) {
            uint32_t *p = realloc(t->batches[b].offsets, ((size_t)tiles + 1) * sizeof *p);
            if (!p) {
                target_free(&fresh[0]);
                target_free(&fresh[1]);
                free(tile_cost);
                goto oom;
            }
            t->batches[b].offsets = p;
        }
        t->offsets_cap = tiles + 1;
    }
    for (int i = 0; i < 2; i++) {
        target *tg = &t->targets[i];
        target_free(tg);
        /* The frame numbers go on: the next draw picks targets[frame_seq & 1]. */
        fresh[i].frame = tg->frame;
        fresh[i].stats = tg->stats;
        fresh[i].start_ns = tg->start_ns;
        fresh[i].raster_end_ns = tg->raster_end_ns;
        fresh[i].arrived_ns = tg->arrived_ns;
        fresh[i].complete_ns = tg->complete_ns;
        fresh[i].present_ns = tg->present_ns;
        fresh[i].post_ns = tg->post_ns;
        fresh[i].post_timing = tg->post_timing;
        *tg = fresh[i];
    }
    free(t->tile_cost);
    t->tile_cost = tile_cost; /* new tiles: nothing measured yet */
    t->costs_known = false;
    set_size(t, width, height);
    return TS_OK;
oom:
    return ts_error_set(err, TS_ERR_OUT_OF_MEMORY,
                        "out of memory resizing to %dx%d: the renderer stays at %dx%d", width, height, t->width,
                        t->height);
}

const uint8_t *ts_tiled_pixels(ts_renderer *r) {
    ts_tiled_finish(r);
    ts_tiled *t = r->tiled;
    return t->targets[(t->frame_seq - 1) & 1].pixels;
}

const float *ts_tiled_depth(ts_renderer *r) {
    ts_tiled_finish(r);
    ts_tiled *t = r->tiled;
    return t->targets[(t->frame_seq - 1) & 1].depth;
}
