/* worker_pool.h — a fixed set of worker threads, created once, that run
 * the jobs of one phase at a time (internal to the library). */
#ifndef TS_WORKER_POOL_H
#define TS_WORKER_POOL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ts_worker_pool ts_worker_pool;

/* job(ctx, job_index, worker_index): worker_index < thread count, so
 * callers can keep per-worker scratch without locks. */
typedef void (*ts_job_fn)(void *ctx, uint32_t job, uint32_t worker);

/* A pool of `threads` workers (>= 1): worker 0 is whichever thread calls
 * ts_worker_pool_run, and threads - 1 threads, named "ts-worker-N" for
 * N = 1 .. threads - 1, are started now. NULL when a thread cannot be
 * created. */
ts_worker_pool *ts_worker_pool_create(uint32_t threads);
void ts_worker_pool_destroy(ts_worker_pool *p);
uint32_t ts_worker_pool_threads(const ts_worker_pool *p);

/* Runs job(ctx, i, w) for every i < count on the workers, the calling
 * thread among them as worker 0, each index once, and returns when all
 * have finished. Jobs are handed out in index order. Called from one
 * thread at a time. */
void ts_worker_pool_run(ts_worker_pool *p, ts_job_fn job, void *ctx, uint32_t count);

#endif
