/* worker_pool.c — the worker threads. A pool of N workers is the thread
 * that calls ts_worker_pool_run (worker 0) and N - 1 threads created once
 * (workers 1 .. N - 1): the caller would only wait for the phase anyway, and
 * working instead saves a sleeping thread's wake-up on the way in and,
 * when it finishes last, on the way out. Workers take job indices with one
 * atomic fetch-add each, so handing out work costs no lock.
 *
 * A frame is three or more phases back to back, and a thread put to sleep
 * between them costs the phase its wake-up: 20 to 50 us through the kernel
 * on a virtual machine, against phases of a few hundred microseconds. So a
 * worker that has finished a phase first polls for the next one for up to
 * SPIN_NS, and the caller polls for the phase's end the same way; only
 * then do they sleep on the condition variables. Polling is turned off
 * when the pool has more threads than it has CPUs to run them on: a poller
 * would then take the time of a thread still working.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "worker_pool.h"

#include "cpu_pause.h"
#include "cpus.h"
#include "renderer_internal.h" /* ts_now_ns */

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* How long a waiting side polls before it sleeps: longer than the gaps
 * between a frame's phases (microseconds) and than a wake-up (tens of
 * microseconds), short enough that an idle renderer's workers are asleep
 * within a fraction of a 60 Hz frame. */
#define SPIN_NS 50000u

typedef struct worker {
    ts_worker_pool *pool;
    uint32_t index;
    pthread_t thread;
} worker;

/* Memory orders. The caller writes a phase's description (job, ctx, count,
 * quit), resets `next` and `active`, and then stores the new `generation`
 * with release, all under the lock; a worker that loads that generation
 * with acquire (polling, or under the lock after a wake-up) therefore sees
 * the description, and the resets before its first fetch-add. The
 * description is not written again until every worker has left the phase
 * (`active` back to 0), so reading it without the lock is no race. Each
 * worker's decrement of `active` is a release after its last job, and the
 * caller's load that sees 0 is an acquire: the jobs' writes are visible
 * when ts_worker_pool_run returns.
 *
 * No wake-up is lost: a sleeper checks its condition under the lock before
 * waiting, and the side that makes the condition true takes the lock before
 * it signals, so the signal comes either before the check (which then sees
 * it) or after the wait began. */
struct ts_worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t start; /* a new phase (or shutdown) was published */
    pthread_cond_t done;  /* the running phase finished */
    atomic_uint_least64_t generation; /* bumped for every phase */
    atomic_uint active;               /* created threads still inside the current phase */
    atomic_uint next;                 /* next job index of the current phase */
    /* The phase's description, see above: */
    bool quit;
    ts_job_fn job;
    void *ctx;
    uint32_t count;
    uint64_t spin_ns;  /* SPIN_NS, or 0 when there are more threads than CPUs */
    uint32_t threads;  /* workers, the caller included */
    uint32_t started;  /* threads created: threads - 1 once create succeeded */
    worker *workers;   /* workers 1 .. threads - 1 */
};

/* The two conditions a side waits for: a phase after the one it saw
 * (a worker), and the end of the running phase (the caller). Acquire, as
 * the memory-order argument above needs. */
static bool new_phase(ts_worker_pool *p, uint64_t seen) {
    return atomic_load_explicit(&p->generation, memory_order_acquire) != seen;
}

static bool phase_done(ts_worker_pool *p, uint64_t unused) {
    (void)unused;
    return atomic_load_explicit(&p->active, memory_order_acquire) == 0;
}

/* Polls ready(p, arg) for up to spin_ns; whether it came true. Reads the
 * clock once per 64 pauses. */
static bool poll_for(ts_worker_pool *p, bool (*ready)(ts_worker_pool *, uint64_t), uint64_t arg) {
    if (ready(p, arg)) return true;
    if (p->spin_ns == 0) return false;
    uint64_t until = ts_now_ns() + p->spin_ns;
    for (uint32_t i = 1;; i++) {
        ts_cpu_pause();
        if (ready(p, arg)) return true;
        if (i % 64 == 0 && ts_now_ns() > until) return false;
    }
}

/* Polls, then sleeps on `cond` until ready(p, arg). */
static void wait_for(ts_worker_pool *p, pthread_cond_t *cond, bool (*ready)(ts_worker_pool *, uint64_t),
                     uint64_t arg) {
    if (poll_for(p, ready, arg)) return;
    pthread_mutex_lock(&p->lock);
    while (!ready(p, arg)) pthread_cond_wait(cond, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

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
    for (;;) {
        wait_for(p, &p->start, new_phase, seen);
        /* Relaxed: the acquire in new_phase ordered this phase's stores
         * before us, and the next phase is not published until we leave. */
        seen = atomic_load_explicit(&p->generation, memory_order_relaxed);
        if (p->quit) break;

        run_jobs(p, p->job, p->ctx, p->count, w->index);

        if (atomic_fetch_sub_explicit(&p->active, 1, memory_order_release) == 1) {
            /* The last one out; the caller may be asleep. */
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->lock);
        }
    }
    return NULL;
}

/* Publishes a phase (or the shutdown) and wakes the sleeping workers. */
static void publish(ts_worker_pool *p, ts_job_fn job, void *ctx, uint32_t count, bool quit) {
    pthread_mutex_lock(&p->lock);
    p->job = job;
    p->ctx = ctx;
    p->count = count;
    p->quit = quit;
    atomic_store_explicit(&p->active, p->started, memory_order_relaxed);
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
}

ts_worker_pool *ts_worker_pool_create(uint32_t threads) {
    if (threads == 0) return NULL;
    ts_worker_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->threads = threads;
    p->spin_ns = threads <= ts_cpus_usable() ? SPIN_NS : 0;
    if (threads > 1 && !(p->workers = calloc(threads - 1, sizeof *p->workers))) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->generation, 0);
    atomic_init(&p->active, 0);
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
    publish(p, NULL, NULL, 0, true);
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
    publish(p, job, ctx, count, false);
    run_jobs(p, job, ctx, count, 0);
    wait_for(p, &p->done, phase_done, 0);
}
