/* test_worker_pool.c — the worker pool (renderer/worker_pool.c): every job
 * index of a phase runs exactly once, on a worker index below the pool's
 * size, the caller among them (worker 0, and no other thread is); the jobs' plain writes are visible when
 * ts_worker_pool_run returns; phases follow each other back to back (the
 * workers catch them polling) and after pauses longer than the poll (they
 * catch them after sleeping), with jobs short and long enough that the
 * caller goes to sleep waiting for the phase's end; and a pool is destroyed
 * while its workers poll and while they sleep; two jobs of a phase meet,
 * one on a created thread. Pools of 1, 2 and 3 workers, and of 16, more
 * than this machine's cores, where the workers do not poll.
 *
 *   test_worker_pool [phases]
 *
 * Under ThreadSanitizer the jobs' unsynchronised-looking writes and the
 * caller's reads are the check of the memory orders. A watchdog
 * (TEST_WORKER_POOL_TIMEOUT seconds, default 120) ends a run that hangs, a
 * lost wake-up for instance, with status 2. */
#define _POSIX_C_SOURCE 200809L

#include "worker_pool.h"

#include "test_check.h"
#include "test_sanitizer.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if TS_TEST_TSAN
#define DEFAULT_PHASES 4000
#else
#define DEFAULT_PHASES 40000
#endif
#define MAX_JOBS 300
#define MAX_WORKERS 16

/* Longer than the pool's poll (worker_pool.c's SPIN_NS, 50 us): a pause of
 * this between phases puts the workers to sleep, a job of this makes the
 * caller sleep for the phase's end. */
#define SLEEPY_NS 200000L

typedef struct phase {
    uint32_t runs[MAX_JOBS];     /* per job index: times it ran (plain writes) */
    uint32_t worker[MAX_JOBS];   /* the worker that ran it */
    uint32_t stamp[MAX_JOBS];    /* the phase's number, written by the job */
    bool on_caller[MAX_JOBS];    /* it ran on the thread that called ts_worker_pool_run */
    pthread_t caller;
    uint32_t number;
    uint32_t workers;
    long sleep_job;              /* a job index that sleeps SLEEPY_NS, or -1 */
    atomic_uint concurrent, peak; /* jobs running at once: more than one shows the workers work */
} phase;

static void sleep_ns(long ns) {
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

static void job(void *ctx, uint32_t i, uint32_t worker) {
    phase *p = ctx;
    unsigned now = atomic_fetch_add_explicit(&p->concurrent, 1, memory_order_relaxed) + 1;
    unsigned peak = atomic_load_explicit(&p->peak, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(&p->peak, &peak, now, memory_order_relaxed,
                                                                memory_order_relaxed)) {
    }
    p->runs[i]++;
    p->worker[i] = worker;
    p->stamp[i] = p->number;
    p->on_caller[i] = pthread_equal(pthread_self(), p->caller);
    if ((long)i == p->sleep_job) sleep_ns(SLEEPY_NS);
    atomic_fetch_sub_explicit(&p->concurrent, 1, memory_order_relaxed);
}

/* One pool of `workers` through `phases` phases of 0 to MAX_JOBS jobs,
 * never more of them running at once than workers. */
static void run_pool(uint32_t workers, int phases, unsigned seed) {
    ts_worker_pool *pool = ts_worker_pool_create(workers);
    CHECK(pool != NULL, "a pool of %u workers", workers);
    if (!pool) return;
    CHECK(ts_worker_pool_threads(pool) == workers, "%u workers", ts_worker_pool_threads(pool));
    static phase p;
    memset(&p, 0, sizeof p);
    p.workers = workers;
    p.caller = pthread_self();
    unsigned peak = 0;
    int bad = 0;
    for (int n = 1; n <= phases && bad < 5; n++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t count = (seed >> 16) % (MAX_JOBS + 1);
        memset(p.runs, 0, sizeof p.runs);
        p.number = (uint32_t)n;
        /* Every 500th phase, a job that outlasts the caller's poll; every
         * 300th, a pause first that outlasts the workers'. */
        p.sleep_job = n % 500 == 0 && count > 0 ? (long)(count - 1) : -1;
        if (n % 300 == 0) sleep_ns(SLEEPY_NS);
        ts_worker_pool_run(pool, job, &p, count);
        for (uint32_t i = 0; i < count && bad < 5; i++) {
            if (p.runs[i] != 1 || p.stamp[i] != (uint32_t)n || p.worker[i] >= workers ||
                p.on_caller[i] != (p.worker[i] == 0)) {
                CHECK(false,
                      "%u workers, phase %d of %u jobs: job %u ran %u times, stamped %u, on worker %u, %s the "
                      "caller's thread",
                      workers, n, count, i, p.runs[i], p.stamp[i], p.worker[i], p.on_caller[i] ? "on" : "off");
                bad++;
            }
        }
        for (uint32_t i = count; i < MAX_JOBS && bad < 5; i++) {
            if (p.runs[i] != 0) {
                CHECK(false, "%u workers, phase %d of %u jobs: job %u beyond the count ran", workers, n, count, i);
                bad++;
            }
        }
        unsigned pk = atomic_load_explicit(&p.peak, memory_order_relaxed);
        if (pk > peak) peak = pk;
    }
    CHECK(bad == 0, "%u workers: %d bad phases", workers, bad);
    CHECK(peak <= workers, "%u workers: %u jobs ran at once", workers, peak);
    /* Destroyed right after a phase: the workers are polling. */
    ts_worker_pool_destroy(pool);
}

/* Two jobs that each wait, up to a second, for the other to start: they
 * meet unless one thread runs both, so a pool whose created threads take
 * jobs shows it whatever else the machine runs (a run's own jobs are too
 * short to overlap on a loaded machine). The wait sleeps, so it works on
 * one free core too. */
static atomic_uint met_running; /* meet_jobs running now */
static atomic_bool met;

static void meet_job(void *ctx, uint32_t i, uint32_t worker) {
    (void)ctx, (void)i, (void)worker;
    atomic_fetch_add_explicit(&met_running, 1, memory_order_relaxed);
    for (int waited = 0; waited < 100000; waited++) { /* 10 us at a time */
        if (atomic_load_explicit(&met_running, memory_order_relaxed) >= 2) {
            atomic_store_explicit(&met, true, memory_order_relaxed);
            break;
        }
        sleep_ns(10000);
    }
    atomic_fetch_sub_explicit(&met_running, 1, memory_order_relaxed);
}

static void meet(uint32_t workers) {
    ts_worker_pool *pool = ts_worker_pool_create(workers);
    CHECK(pool != NULL, "a pool of %u workers", workers);
    if (!pool) return;
    atomic_store(&met_running, 0);
    atomic_store(&met, false);
    ts_worker_pool_run(pool, meet_job, NULL, 2);
    CHECK(atomic_load(&met), "%u workers: two jobs never ran at once (the caller ran both)", workers);
    ts_worker_pool_destroy(pool);
}

/* A pool destroyed long after its last phase (its workers asleep), and
 * one destroyed without ever running a phase. */
static void destroy_idle(void) {
    ts_worker_pool *pool = ts_worker_pool_create(3);
    CHECK(pool != NULL, "a pool of 3");
    if (!pool) return;
    static phase p;
    memset(&p, 0, sizeof p);
    p.sleep_job = -1;
    p.number = 1;
    ts_worker_pool_run(pool, job, &p, 64);
    sleep_ns(2 * SLEEPY_NS);
    ts_worker_pool_destroy(pool);
    ts_worker_pool_destroy(ts_worker_pool_create(4));
    CHECK(ts_worker_pool_create(0) == NULL, "a pool of no workers is refused");
    ts_worker_pool_destroy(NULL);
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "test_worker_pool: timed out (a lost wake-up?)\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) _exit(2);
    _exit(2);
}

int main(int argc, char **argv) {
    int phases = argc > 1 ? atoi(argv[1]) : DEFAULT_PHASES;
    if (phases < 1) {
        fprintf(stderr, "usage: test_worker_pool [phases >= 1]\n");
        return 2;
    }
    const char *limit = getenv("TEST_WORKER_POOL_TIMEOUT");
    signal(SIGALRM, on_alarm);
    alarm(limit ? (unsigned)atoi(limit) : 120u);

    const uint32_t sizes[] = {1, 2, 3, MAX_WORKERS};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        run_pool(sizes[s], sizes[s] == MAX_WORKERS ? phases / 10 : phases, 12345u + (unsigned)s);
        if (sizes[s] > 1) meet(sizes[s]);
    }
    destroy_idle();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
