/* worker_pool.c — the worker threads. A pool of N workers is the thread
 * that calls ts_worker_pool_run (worker 0) and N - 1 threads created once
 * (workers 1 .. N - 1): the caller would only wait for the phase anyway, and
 * working instead saves a sleeping thread's wake-up on the way in and,
 * when it finishes last, on the way out, three times a frame. A phase is
 * published under the mutex (job function, count, a new generation
 * number); workers take job indices with one atomic fetch-add each, so
 * handing out work costs no lock, and the last thread to finish a phase
 * wakes the caller when it is not that thread itself.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "worker_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct worker {
    ts_worker_pool *pool;
    uint32_t index;
    pthread_t thread;
} worker;

struct ts_worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t start;  /* a new phase (or shutdown) was published */
    pthread_cond_t done;   /* the running phase finished */
    /* Guarded by lock: */
    uint64_t generation;   /* bumped for every phase */
    uint32_t active;       /* created threads still inside the current phase */
    bool quit;
    ts_job_fn job;
    void *ctx;
    uint32_t count;
    /* Next job index of the current phase. Reset under the lock before the
     * generation is bumped; the created threads read it only after seeing
     * the new generation under the same lock, and the caller, which reset
     * it, after that in its own order; so relaxed increments suffice: the
     * mutex orders the reset before every fetch-add of the phase. */
    atomic_uint next;
    uint32_t threads;      /* workers, the caller included */
    uint32_t started;      /* threads created: threads - 1 once create succeeded */
    worker *workers;       /* workers 1 .. threads - 1 */
};

/* Takes the current phase's jobs until none is left. */
static void run_jobs(ts_worker_pool *p, ts_job_fn job, void *ctx, uint32_t count, uint32_t index) {
    for (;;) {
        uint32_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (i >= count) break;
        job(ctx, i, index);
    }
}

static void *worker_main(void *arg) {
    worker *w = arg;
    ts_worker_pool *p = w->pool;
    char name[16];
    snprintf(name, sizeof name, "ts-worker-%u", w->index);
    pthread_setname_np(pthread_self(), name);

    uint64_t seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->quit && p->generation == seen) pthread_cond_wait(&p->start, &p->lock);
        if (p->quit) break;
        seen = p->generation;
        ts_job_fn job = p->job;
        void *ctx = p->ctx;
        uint32_t count = p->count;
        pthread_mutex_unlock(&p->lock);

        run_jobs(p, job, ctx, count, w->index);

        /* The job's writes are published to the caller by this mutex. */
        pthread_mutex_lock(&p->lock);
        if (--p->active == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

ts_worker_pool *ts_worker_pool_create(uint32_t threads) {
    if (threads == 0) return NULL;
    ts_worker_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->threads = threads;
    if (threads > 1 && !(p->workers = calloc(threads - 1, sizeof *p->workers))) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->next, 0);
    for (uint32_t i = 0; i + 1 < threads; i++) {
        p->workers[i] = (worker){p, i + 1, 0};
        if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) {
            ts_worker_pool_destroy(p); /* joins the ones that started */
            return NULL;
        }
        p->started = i + 1;
    }
    return p;
}

void ts_worker_pool_destroy(ts_worker_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->quit = true;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    for (uint32_t i = 0; i < p->started; i++) pthread_join(p->workers[i].thread, NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->start);
    pthread_mutex_destroy(&p->lock);
    free(p->workers);
    free(p);
}

uint32_t ts_worker_pool_threads(const ts_worker_pool *p) { return p->threads; }

void ts_worker_pool_run(ts_worker_pool *p, ts_job_fn job, void *ctx, uint32_t count) {
    if (count == 0) return;
    if (p->threads == 1) {
        for (uint32_t i = 0; i < count; i++) job(ctx, i, 0);
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->job = job;
    p->ctx = ctx;
    p->count = count;
    p->active = p->threads - 1;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    p->generation++;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);

    run_jobs(p, job, ctx, count, 0);

    /* The other workers' writes are published to us by the mutex, which
     * each takes after its last job. */
    pthread_mutex_lock(&p->lock);
    while (p->active > 0) pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
