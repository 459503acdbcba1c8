/* test_tile_queue.c — the finished-tile queue (renderer/tile_queue.c):
 * single-thread semantics (capacity rounding, full and empty, FIFO,
 * wraparound), the wake-ups (lazy ones included), close and the timed pop,
 * then a multi-producer stress
 * through a tiny ring so that back-pressure and wraparound happen all the
 * time, checking that every message arrives exactly once, untorn, in each
 * producer's order; last, the same with every thread on one CPU, where a
 * waiting side sleeps after one try instead of spinning.
 *
 *   test_tile_queue [producers] [items_per_producer] [capacity]
 *
 * Self-contained (no framework). Exit status 1 if any check failed; a
 * watchdog (TEST_TILE_QUEUE_TIMEOUT seconds, default 120) ends a run that
 * hangs, a lost wake-up for instance, with status 2. */
#define _GNU_SOURCE /* sched_setaffinity */

#include "tile_queue.h"

#include "test_sanitizer.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Defaults: two million messages through the main stress run in a plain
 * build (about three million in all, ~1.5 s on 2 cores); under
 * ThreadSanitizer, which makes every atomic and condvar call many times
 * slower, a fifth of that: ~2 s on 2 idle cores, 5-9 s on 2 cores shared
 * with a parallel build (the budget is 10 s). */
#if TS_TEST_TSAN
#define DEFAULT_ITEMS 100000
#define DEFAULT_HANDOFFS 2000
#else
#define DEFAULT_ITEMS 500000
#define DEFAULT_HANDOFFS 10000
#endif
#define DEFAULT_PRODUCERS 4
#define DEFAULT_CAPACITY 8
#define MAX_PRODUCERS 64

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */

#define MAX_PRINTED 12

static long g_pass, g_fail;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void fail_(const char *file, int line, const char *expr, const char *fmt, ...) {
    if (g_fail < MAX_PRINTED) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "%s:%d: CHECK(%s) failed: ", file, line, expr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    g_fail++;
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            g_pass++;                                                                              \
        else                                                                                       \
            fail_(__FILE__, __LINE__, #cond, "false");                                             \
    } while (0)

#define CHECK_INT(a, op, b)                                                                        \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ op b_)                                                                              \
            g_pass++;                                                                              \
        else                                                                                       \
            fail_(__FILE__, __LINE__, #a " " #op " " #b, "%lld vs %lld", a_, b_);                  \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0) {
    }
}

static void on_alarm(int sig) {
    (void)sig;
    static const char text[] = "test_tile_queue: watchdog: no result in time, a hang (lost wake-up?)\n";
    ssize_t n = write(2, text, sizeof text - 1);
    (void)n;
    _exit(2);
}

static void start_watchdog(void) {
    unsigned seconds = 120;
    const char *env = getenv("TEST_TILE_QUEUE_TIMEOUT");
    if (env && atoi(env) > 0) seconds = (unsigned)atoi(env);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(seconds);
}

/* Message number `seq` of producer `worker`: tile and frame carry the
 * sequence, cost_ns a hash of both, so a torn or mixed-up copy shows. */
static uint64_t mix(uint32_t worker, uint64_t seq) {
    uint64_t x = seq * 0x9E3779B97F4A7C15ull ^ ((uint64_t)worker << 56 | worker);
    x ^= x >> 31;
    return x * 0xBF58476D1CE4E5B9ull;
}

static ts_tile_msg make_msg(uint32_t worker, uint64_t seq) {
    ts_tile_msg m = {(uint32_t)(seq >> 32), (uint32_t)seq, worker, 0, mix(worker, seq)};
    return m;
}

static uint64_t msg_seq(const ts_tile_msg *m) { return (uint64_t)m->frame << 32 | m->tile; }

static bool msg_is(const ts_tile_msg *m, uint32_t worker, uint64_t seq) {
    return m->worker == worker && msg_seq(m) == seq && m->flags == 0 &&
           m->cost_ns == mix(worker, seq);
}

/* ------------------------------------------------------------------------ */
/* Single thread                                                             */

static void test_capacity(void) {
    CHECK(ts_tile_queue_create(0) == NULL);
    CHECK(ts_tile_queue_create(TS_TILE_QUEUE_MAX_CAPACITY + 1) == NULL);
    CHECK(ts_tile_queue_create(UINT32_MAX) == NULL);
    static const uint32_t asked[] = {1, 2, 3, 4, 5, 7, 8, 9, 1000, 1024, 1025, 65535};
    static const uint32_t got[] = {2, 2, 4, 4, 8, 8, 8, 16, 1024, 1024, 2048, 65536};
    for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
        ts_tile_queue *q = ts_tile_queue_create(asked[i]);
        CHECK(q != NULL);
        if (!q) continue;
        CHECK_INT(ts_tile_queue_capacity(q), ==, got[i]);
        ts_tile_queue_destroy(q);
    }
    ts_tile_queue_destroy(NULL);
}

/* try_push fails exactly when `capacity` messages are in, try_pop exactly
 * when none are, and what comes out is what went in, in order. */
static void test_full_empty_fifo(void) {
    static const uint32_t caps[] = {2, 4, 8, 64};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        uint32_t cap = caps[c];
        ts_tile_queue *q = ts_tile_queue_create(cap);
        CHECK(q != NULL);
        if (!q) continue;
        ts_tile_msg m;
        CHECK(!ts_tile_queue_try_pop(q, &m));
        uint64_t in = 0, out = 0;
        for (uint32_t i = 0; i < cap; i++) {
            ts_tile_msg w = make_msg(7, in++);
            CHECK(ts_tile_queue_try_push(q, &w));
        }
        ts_tile_msg extra = make_msg(7, in);
        CHECK(!ts_tile_queue_try_push(q, &extra));
        CHECK(!ts_tile_queue_try_push(q, &extra)); /* a failed push changed nothing */
        CHECK(ts_tile_queue_try_pop(q, &m));
        CHECK(msg_is(&m, 7, out++));
        CHECK(ts_tile_queue_try_push(q, &extra)); /* exactly one slot free again */
        in++;
        CHECK(!ts_tile_queue_try_push(q, &extra));
        /* The blocking pop does not block while there is something to pop. */
        CHECK(ts_tile_queue_pop(q, &m));
        CHECK(msg_is(&m, 7, out++));
        long bad = 0;
        while (ts_tile_queue_try_pop(q, &m))
            if (!msg_is(&m, 7, out++)) bad++;
        CHECK_INT(bad, ==, 0);
        CHECK_INT(out, ==, in);
        CHECK(!ts_tile_queue_try_pop(q, &m));
        /* Nor the blocking push while there is room. */
        ts_tile_msg w = make_msg(7, in++);
        ts_tile_queue_push(q, &w);
        CHECK(ts_tile_queue_try_pop(q, &m));
        CHECK(msg_is(&m, 7, out++));
        ts_tile_queue_destroy(q);
    }
}

/* Many laps around small rings with a varying fill level, so head and tail
 * take every relative position. */
static void test_wraparound(void) {
    static const uint32_t caps[] = {2, 4, 8};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        uint32_t cap = caps[c];
        ts_tile_queue *q = ts_tile_queue_create(cap);
        CHECK(q != NULL);
        if (!q) continue;
        uint64_t in = 0, out = 0, rng = 0x2545F4914F6CDD1Dull;
        long bad = 0, wrong_full = 0, wrong_empty = 0;
        ts_tile_msg m;
        for (int round = 0; round < 50000; round++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            uint32_t pushes = (uint32_t)(rng % (cap + 1));
            uint32_t pops = (uint32_t)((rng >> 20) % (cap + 1));
            for (uint32_t i = 0; i < pushes; i++) {
                ts_tile_msg w = make_msg(3, in);
                bool full = in - out == cap;
                if (ts_tile_queue_try_push(q, &w) == full) wrong_full++;
                if (!full) in++;
            }
            for (uint32_t i = 0; i < pops; i++) {
                bool empty = in == out;
                bool got = ts_tile_queue_try_pop(q, &m);
                if (got == empty) wrong_empty++;
                if (got && !msg_is(&m, 3, out++)) bad++;
            }
        }
        CHECK_INT(wrong_full, ==, 0);
        CHECK_INT(wrong_empty, ==, 0);
        CHECK_INT(bad, ==, 0);
        CHECK(in / cap > 10000); /* tens of thousands of laps */
        ts_tile_queue_destroy(q);
    }
}

static void test_close_single_thread(void) {
    ts_tile_queue *q = ts_tile_queue_create(4);
    CHECK(q != NULL);
    if (!q) return;
    for (uint64_t i = 0; i < 3; i++) {
        ts_tile_msg w = make_msg(1, i);
        ts_tile_queue_push(q, &w);
    }
    ts_tile_queue_close(q);
    ts_tile_msg m;
    for (uint64_t i = 0; i < 3; i++) {
        CHECK(ts_tile_queue_pop(q, &m));
        CHECK(msg_is(&m, 1, i));
    }
    CHECK(!ts_tile_queue_pop(q, &m));
    CHECK(!ts_tile_queue_pop(q, &m)); /* and it stays so */
    CHECK(!ts_tile_queue_try_pop(q, &m));
    ts_tile_queue_close(q); /* a second close is harmless */
    CHECK(!ts_tile_queue_pop(q, &m));
    ts_tile_queue_destroy(q);

    /* Close on an empty queue: pop returns false at once. */
    q = ts_tile_queue_create(2);
    CHECK(q != NULL);
    if (!q) return;
    ts_tile_queue_close(q);
    CHECK(!ts_tile_queue_pop(q, &m));
    ts_tile_queue_destroy(q);
}

/* pop_timed: a timeout on an empty queue (not before it is due), a
 * message when one is there, and closed once drained. */
static void test_pop_timed_single_thread(void) {
    ts_tile_queue *q = ts_tile_queue_create(4);
    CHECK(q != NULL);
    if (!q) return;
    ts_tile_msg m;
    double t0 = now_s();
    CHECK_INT(ts_tile_queue_pop_timed(q, &m, 20 * 1000000ull), ==, TS_TILE_POP_TIMEOUT);
    CHECK(now_s() - t0 >= 0.019);
    CHECK_INT(ts_tile_queue_pop_timed(q, &m, 0), ==, TS_TILE_POP_TIMEOUT);
    ts_tile_msg w = make_msg(3, 7);
    CHECK(ts_tile_queue_try_push(q, &w));
    CHECK_INT(ts_tile_queue_pop_timed(q, &m, 0), ==, TS_TILE_POP_MESSAGE);
    CHECK(msg_is(&m, 3, 7));
    w = make_msg(3, 8);
    CHECK(ts_tile_queue_try_push(q, &w));
    ts_tile_queue_close(q);
    /* A timeout past any clock's range waits no longer than a message. */
    CHECK_INT(ts_tile_queue_pop_timed(q, &m, UINT64_MAX), ==, TS_TILE_POP_MESSAGE);
    CHECK(msg_is(&m, 3, 8));
    CHECK_INT(ts_tile_queue_pop_timed(q, &m, UINT64_MAX), ==, TS_TILE_POP_CLOSED);
    CHECK_INT(ts_tile_queue_pop_timed(q, &m, 0), ==, TS_TILE_POP_CLOSED);
    ts_tile_queue_destroy(q);
}

/* ------------------------------------------------------------------------ */
/* Wake-ups: a side asleep in the slow path is woken by the other side        */

typedef struct waiter {
    ts_tile_queue *q;
    ts_tile_msg msg;
    bool result;
    atomic_bool done;
    long count; /* pop_until_closed: messages popped */
    long bad;   /* pop_until_closed: out of order or torn */
} waiter;

static void *pop_once(void *arg) {
    waiter *w = arg;
    w->result = ts_tile_queue_pop(w->q, &w->msg);
    atomic_store(&w->done, true);
    return NULL;
}

static void *pop_timed_once(void *arg) {
    waiter *w = arg;
    w->result = ts_tile_queue_pop_timed(w->q, &w->msg, 60 * 1000000000ull) == TS_TILE_POP_MESSAGE;
    atomic_store(&w->done, true);
    return NULL;
}

static void *push_once(void *arg) {
    waiter *w = arg;
    ts_tile_queue_push(w->q, &w->msg);
    atomic_store(&w->done, true);
    return NULL;
}

static void *pop_until_closed(void *arg) {
    waiter *w = arg;
    ts_tile_msg m;
    while (ts_tile_queue_pop(w->q, &m))
        if (!msg_is(&m, 0, (uint64_t)w->count++)) w->bad++;
    w->result = false;
    atomic_store(&w->done, true);
    return NULL;
}

/* Long enough that the waiting thread is past its spinning and asleep. */
#define SETTLE_MS 50

static void test_push_wakes_sleeping_consumer(void) {
    ts_tile_queue *q = ts_tile_queue_create(4);
    CHECK(q != NULL);
    if (!q) return;
    waiter w = {.q = q};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, pop_once, &w), ==, 0);
    sleep_ms(SETTLE_MS);
    CHECK(!atomic_load(&w.done)); /* pop waits on an empty queue */
    ts_tile_msg m = make_msg(2, 42);
    CHECK(ts_tile_queue_try_push(q, &m));
    pthread_join(t, NULL);
    CHECK(w.result);
    CHECK(msg_is(&w.msg, 2, 42));
    ts_tile_queue_destroy(q);
}

/* A consumer asleep in pop_timed is woken by the push, not by its
 * timeout (a minute, past the watchdog). */
static void test_push_wakes_timed_consumer(void) {
    ts_tile_queue *q = ts_tile_queue_create(4);
    CHECK(q != NULL);
    if (!q) return;
    waiter w = {.q = q};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, pop_timed_once, &w), ==, 0);
    sleep_ms(SETTLE_MS);
    CHECK(!atomic_load(&w.done));
    ts_tile_msg m = make_msg(2, 43);
    ts_tile_queue_push(q, &m);
    pthread_join(t, NULL);
    CHECK(w.result);
    CHECK(msg_is(&w.msg, 2, 43));
    ts_tile_queue_destroy(q);
}

static void test_pop_wakes_sleeping_producer(void) {
    ts_tile_queue *q = ts_tile_queue_create(4);
    CHECK(q != NULL);
    if (!q) return;
    for (uint64_t i = 0; i < 4; i++) {
        ts_tile_msg m = make_msg(5, i);
        CHECK(ts_tile_queue_try_push(q, &m));
    }
    waiter w = {.q = q, .msg = make_msg(5, 4)};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, push_once, &w), ==, 0);
    sleep_ms(SETTLE_MS);
    CHECK(!atomic_load(&w.done)); /* back-pressure: push waits on a full queue */
    ts_tile_msg m;
    CHECK(ts_tile_queue_try_pop(q, &m));
    CHECK(msg_is(&m, 5, 0));
    pthread_join(t, NULL);
    for (uint64_t i = 1; i <= 4; i++) {
        CHECK(ts_tile_queue_try_pop(q, &m));
        CHECK(msg_is(&m, 5, i));
    }
    CHECK(!ts_tile_queue_try_pop(q, &m));
    ts_tile_queue_destroy(q);
}

static void test_close_wakes_sleeping_consumer(void) {
    ts_tile_queue *q = ts_tile_queue_create(4);
    CHECK(q != NULL);
    if (!q) return;
    waiter w = {.q = q, .result = true};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, pop_once, &w), ==, 0);
    sleep_ms(SETTLE_MS);
    CHECK(!atomic_load(&w.done));
    ts_tile_queue_close(q);
    pthread_join(t, NULL);
    CHECK(!w.result);
    ts_tile_queue_destroy(q);
}

/* The shutdown the renderer does: a consumer popping until false, a producer
 * pushing through a tiny ring, close after the last push; the consumer gets
 * every message and then false. */
static void test_close_drains(void) {
    for (int rep = 0; rep < 20; rep++) {
        ts_tile_queue *q = ts_tile_queue_create(2);
        CHECK(q != NULL);
        if (!q) return;
        waiter w = {.q = q, .result = true};
        pthread_t t;
        CHECK_INT(pthread_create(&t, NULL, pop_until_closed, &w), ==, 0);
        long n = 1000 + rep;
        for (long i = 0; i < n; i++) {
            ts_tile_msg m = make_msg(0, (uint64_t)i);
            ts_tile_queue_push(q, &m);
        }
        if (rep % 2) sleep_ms(1); /* sometimes close with the consumer asleep */
        ts_tile_queue_close(q);
        pthread_join(t, NULL);
        CHECK_INT(w.count, ==, n);
        CHECK_INT(w.bad, ==, 0);
        ts_tile_queue_destroy(q);
    }
}

/* Lazy pushes wake a sleeping consumer once a batch waits, and
 * ts_tile_queue_wake hands over what is left of a run. */
typedef struct counter {
    ts_tile_queue *q;
    long want;
    atomic_long taken;
    long bad;
} counter;

static void *pop_counted(void *arg) {
    counter *c = arg;
    ts_tile_msg m;
    for (long i = 0; i < c->want; i++) {
        if (!ts_tile_queue_pop(c->q, &m) || !msg_is(&m, 1, (uint64_t)i)) c->bad++;
        atomic_store(&c->taken, i + 1);
    }
    return NULL;
}

static void wait_taken(counter *c, long want) {
    while (atomic_load(&c->taken) < want) sched_yield();
}

static void test_lazy_wakes_per_batch(void) {
    ts_tile_queue *q = ts_tile_queue_create(64);
    CHECK(q != NULL);
    if (!q) return;
    long batch = (long)ts_tile_queue_wake_batch(q);
    CHECK_INT(batch, ==, 32); /* half of 64 slots, under the cap of 64 */
    counter c = {.q = q, .want = batch + 3};
    atomic_init(&c.taken, 0);
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, pop_counted, &c), ==, 0);
    sleep_ms(SETTLE_MS);
    long i = 0;
    for (; i < batch - 1; i++) {
        ts_tile_msg m = make_msg(1, (uint64_t)i);
        ts_tile_queue_push_lazy(q, &m);
    }
    sleep_ms(SETTLE_MS);
    CHECK_INT(atomic_load(&c.taken), ==, 0); /* less than a batch: still asleep */
    ts_tile_msg m = make_msg(1, (uint64_t)i++);
    ts_tile_queue_push_lazy(q, &m);
    wait_taken(&c, batch); /* the batch woke it (or the watchdog fires) */
    sleep_ms(SETTLE_MS);
    for (; i < c.want; i++) {
        m = make_msg(1, (uint64_t)i);
        ts_tile_queue_push_lazy(q, &m);
    }
    sleep_ms(SETTLE_MS);
    CHECK_INT(atomic_load(&c.taken), ==, batch);
    ts_tile_queue_wake(q); /* the end of the run */
    pthread_join(t, NULL);
    CHECK_INT(atomic_load(&c.taken), ==, c.want);
    CHECK_INT(c.bad, ==, 0);
    ts_tile_queue_destroy(q);
}

/* Hand-offs one at a time, with a random pause of up to a few spin budgets
 * before each, so the waiting side is often right at the edge of going to
 * sleep when the other side acts: the window a lost wake-up needs. In the
 * stress runs a lost wake-up only delays (the next message or the close
 * wakes the sleeper); here nothing else would come, so it hangs and the
 * watchdog says so. */
typedef struct handoff {
    ts_tile_queue *q;
    uint64_t n;
    atomic_ullong acked; /* messages taken (consumer side) or pushed (producer side) */
    long bad;
} handoff;

static void random_pause(uint64_t *rng) {
    *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
    unsigned spins = (unsigned)(*rng % 4096);
    for (volatile unsigned i = 0; i < spins; i++) {
    }
}

static void wait_acked(handoff *h, uint64_t want) {
    while (atomic_load(&h->acked) < want) sched_yield();
}

static void *handoff_consumer(void *arg) {
    handoff *h = arg;
    ts_tile_msg m;
    for (uint64_t i = 0; i < h->n; i++) {
        if (!ts_tile_queue_pop(h->q, &m) || !msg_is(&m, 0, i)) h->bad++;
        atomic_store(&h->acked, i + 1);
    }
    return NULL;
}

static void *handoff_producer(void *arg) {
    handoff *h = arg;
    for (uint64_t i = 0; i < h->n; i++) {
        ts_tile_msg m = make_msg(0, i + 2); /* after the two that fill the ring */
        ts_tile_queue_push(h->q, &m);
        atomic_store(&h->acked, i + 1);
    }
    return NULL;
}

/* The consumer waits in pop on an empty queue; we push one message, wait
 * until it is taken, pause, push the next. */
static void test_handoff_to_sleeping_consumer(uint64_t n) {
    handoff h = {.q = ts_tile_queue_create(2), .n = n};
    CHECK(h.q != NULL);
    if (!h.q) return;
    atomic_init(&h.acked, 0);
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, handoff_consumer, &h), ==, 0);
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    long full = 0;
    for (uint64_t i = 0; i < n; i++) {
        random_pause(&rng);
        ts_tile_msg m = make_msg(0, i);
        if (!ts_tile_queue_try_push(h.q, &m)) full++; /* the last one was taken: room */
        wait_acked(&h, i + 1);
    }
    pthread_join(t, NULL);
    CHECK_INT(full, ==, 0);
    CHECK_INT(h.bad, ==, 0);
    ts_tile_queue_destroy(h.q);
}

/* A producer waits in push on a full queue; we pop one message, wait until
 * its push went in, pause, pop the next. */
static void test_handoff_to_sleeping_producer(uint64_t n) {
    handoff h = {.q = ts_tile_queue_create(2), .n = n};
    CHECK(h.q != NULL);
    if (!h.q) return;
    atomic_init(&h.acked, 0);
    for (uint64_t i = 0; i < 2; i++) {
        ts_tile_msg m = make_msg(0, i);
        CHECK(ts_tile_queue_try_push(h.q, &m));
    }
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, handoff_producer, &h), ==, 0);
    uint64_t rng = 0xD1B54A32D192ED03ull;
    long bad = 0;
    ts_tile_msg m;
    for (uint64_t i = 0; i < n; i++) {
        random_pause(&rng);
        if (!ts_tile_queue_try_pop(h.q, &m) || !msg_is(&m, 0, i)) bad++;
        wait_acked(&h, i + 1);
    }
    pthread_join(t, NULL);
    for (uint64_t i = n; i < n + 2; i++)
        if (!ts_tile_queue_try_pop(h.q, &m) || !msg_is(&m, 0, i)) bad++;
    CHECK_INT(bad, ==, 0);
    ts_tile_queue_destroy(h.q);
}

/* ------------------------------------------------------------------------ */
/* Stress                                                                    */

typedef enum push_mode { PUSH_BLOCKING, PUSH_TRY_YIELD, PUSH_MIXED, PUSH_LAZY } push_mode;
typedef enum pop_mode { POP_BLOCKING, POP_TRY_YIELD, POP_TIMED } pop_mode;

typedef struct stress {
    ts_tile_queue *q;
    uint32_t producers;
    uint64_t items; /* per producer */
    push_mode push;
    pop_mode pop;
    bool bursty; /* both sides pause now and then, so both sides sleep */
    atomic_long push_fails; /* failed try_push calls */
    long pop_timeouts;      /* POP_TIMED: pops that timed out */
    /* the consumer's findings */
    uint64_t next[MAX_PRODUCERS];
    uint64_t total, bad_worker, out_of_order, torn, after_end;
} stress;

typedef struct producer_arg {
    stress *s;
    uint32_t id;
} producer_arg;

static void *producer_main(void *arg) {
    producer_arg *a = arg;
    stress *s = a->s;
    bool use_try = s->push == PUSH_TRY_YIELD || (s->push == PUSH_MIXED && a->id % 2 == 1);
    long fails = 0;
    for (uint64_t i = 0; i < s->items; i++) {
        ts_tile_msg m = make_msg(a->id, i);
        if (use_try) {
            while (!ts_tile_queue_try_push(s->q, &m)) {
                fails++;
                sched_yield();
            }
        } else if (s->push == PUSH_LAZY) {
            ts_tile_queue_push_lazy(s->q, &m);
        } else {
            ts_tile_queue_push(s->q, &m);
        }
        if (s->bursty && (i + 1) % 4096 == 0) sleep_ms(1);
    }
    atomic_fetch_add(&s->push_fails, fails);
    return NULL;
}

static void consume(stress *s, const ts_tile_msg *m) {
    s->total++;
    if (m->worker >= s->producers) {
        if (s->bad_worker++ < 5) fprintf(stderr, "  message from unknown worker %u\n", m->worker);
        return;
    }
    uint64_t seq = msg_seq(m);
    if (seq != s->next[m->worker]) {
        if (s->out_of_order++ < 5)
            fprintf(stderr, "  worker %u: got #%llu, expected #%llu\n", m->worker,
                    (unsigned long long)seq, (unsigned long long)s->next[m->worker]);
    } else if (m->flags != 0 || m->cost_ns != mix(m->worker, seq)) {
        if (s->torn++ < 5) fprintf(stderr, "  worker %u #%llu: torn message\n", m->worker,
                                   (unsigned long long)seq);
    }
    if (seq >= s->items) s->after_end++;
    /* Resynchronise on what arrived, so one loss is reported once. */
    s->next[m->worker] = seq + 1;
}

static void *consumer_main(void *arg) {
    stress *s = arg;
    ts_tile_msg m;
    if (s->push == PUSH_LAZY) {
        /* Lazy pushes end with a wake, not a close: stop at the expected
         * count, so a lost wake-up hangs (the watchdog reports it). */
        uint64_t want = s->items * s->producers;
        while (s->total < want && ts_tile_queue_pop(s->q, &m)) {
            consume(s, &m);
            if (s->bursty && s->total % 8192 == 0) sleep_ms(1);
        }
    } else if (s->pop == POP_TIMED) {
        /* Timeouts short enough to race the pushes, and a loop that, like
         * the render thread's, goes on until closed. */
        for (;;) {
            ts_tile_pop got = ts_tile_queue_pop_timed(s->q, &m, 20000);
            if (got == TS_TILE_POP_CLOSED) break;
            if (got == TS_TILE_POP_TIMEOUT) {
                s->pop_timeouts++;
                continue;
            }
            consume(s, &m);
            if (s->bursty && s->total % 8192 == 0) sleep_ms(1);
        }
    } else if (s->pop == POP_BLOCKING) {
        while (ts_tile_queue_pop(s->q, &m)) {
            consume(s, &m);
            if (s->bursty && s->total % 8192 == 0) sleep_ms(1);
        }
    } else {
        /* try_pop never sees close: stop at the expected count (a loss shows
         * as a hang, which the watchdog reports), then drain after close. */
        uint64_t want = s->items * s->producers;
        while (s->total < want) {
            if (ts_tile_queue_try_pop(s->q, &m))
                consume(s, &m);
            else
                sched_yield();
        }
        while (ts_tile_queue_pop(s->q, &m)) consume(s, &m);
    }
    return NULL;
}

static const char *push_mode_name(push_mode m) {
    return m == PUSH_BLOCKING ? "push" : m == PUSH_TRY_YIELD ? "try_push+yield" : m == PUSH_LAZY ? "push_lazy" : "mixed";
}

static void run_stress(const char *name, uint32_t producers, uint64_t items, uint32_t capacity,
                       push_mode push, pop_mode pop, bool bursty) {
    stress *s = calloc(1, sizeof *s);
    CHECK(s != NULL);
    if (!s) return;
    s->q = ts_tile_queue_create(capacity);
    CHECK(s->q != NULL);
    if (!s->q) {
        free(s);
        return;
    }
    s->producers = producers;
    s->items = items;
    s->push = push;
    s->pop = pop;
    s->bursty = bursty;
    atomic_init(&s->push_fails, 0);

    double t0 = now_s();
    pthread_t consumer, prod[MAX_PRODUCERS];
    producer_arg args[MAX_PRODUCERS];
    CHECK_INT(pthread_create(&consumer, NULL, consumer_main, s), ==, 0);
    for (uint32_t p = 0; p < producers; p++) {
        args[p] = (producer_arg){s, p};
        CHECK_INT(pthread_create(&prod[p], NULL, producer_main, &args[p]), ==, 0);
    }
    for (uint32_t p = 0; p < producers; p++) pthread_join(prod[p], NULL);
    /* Every push has returned and happens before what follows (join). */
    if (push == PUSH_LAZY) {
        ts_tile_queue_wake(s->q); /* the end of the lazy run */
        pthread_join(consumer, NULL);
        ts_tile_queue_close(s->q);
    } else {
        ts_tile_queue_close(s->q);
        pthread_join(consumer, NULL);
    }
    double dt = now_s() - t0;

    uint64_t want = items * producers;
    CHECK_INT(s->total, ==, want);
    CHECK_INT(s->bad_worker, ==, 0);
    CHECK_INT(s->out_of_order, ==, 0);
    CHECK_INT(s->torn, ==, 0);
    CHECK_INT(s->after_end, ==, 0);
    long missing = 0;
    for (uint32_t p = 0; p < producers; p++)
        if (s->next[p] != items) missing++;
    CHECK_INT(missing, ==, 0);
    ts_tile_msg m;
    CHECK(!ts_tile_queue_try_pop(s->q, &m));

    printf("  %-22s %u x %llu through %u slots (%s, %s%s): %.3f s, %.2f M msg/s",
           name, producers, (unsigned long long)items, ts_tile_queue_capacity(s->q),
           push_mode_name(push), pop == POP_BLOCKING ? "pop" : pop == POP_TIMED ? "pop_timed" : "try_pop+yield",
           bursty ? ", bursty" : "", dt, dt > 0 ? (double)want / dt * 1e-6 : 0.0);
    long fails = atomic_load(&s->push_fails);
    if (fails) printf(", %ld full try_push", fails);
    if (s->pop_timeouts) printf(", %ld pop timeouts", s->pop_timeouts);
    printf("\n");
    ts_tile_queue_destroy(s->q);
    free(s);
}

/* ------------------------------------------------------------------------ */

static bool parse_arg(const char *text, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out) {
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end || text[0] == '-' || v < lo || v > hi) return false;
    *out = v;
    return true;
}

int main(int argc, char **argv) {
    unsigned long long producers = DEFAULT_PRODUCERS, items = DEFAULT_ITEMS,
                       capacity = DEFAULT_CAPACITY;
    if (argc > 4 || (argc > 1 && !parse_arg(argv[1], 1, MAX_PRODUCERS, &producers)) ||
        (argc > 2 && !parse_arg(argv[2], 1, 1ull << 40, &items)) ||
        (argc > 3 && !parse_arg(argv[3], 1, TS_TILE_QUEUE_MAX_CAPACITY, &capacity))) {
        fprintf(stderr,
                "usage: test_tile_queue [producers (1-%d, default %d)] [items_per_producer "
                "(default %d)] [capacity (default %d)]\n",
                MAX_PRODUCERS, DEFAULT_PRODUCERS, DEFAULT_ITEMS, DEFAULT_CAPACITY);
        return 2;
    }
    start_watchdog();
    double t0 = now_s();

    test_capacity();
    test_full_empty_fifo();
    test_wraparound();
    test_close_single_thread();
    test_pop_timed_single_thread();
    test_push_wakes_sleeping_consumer();
    test_push_wakes_timed_consumer();
    test_pop_wakes_sleeping_producer();
    test_close_wakes_sleeping_consumer();
    test_close_drains();
    test_lazy_wakes_per_batch();
    printf("single-thread, wake-up and close tests: %.3f s\n", now_s() - t0);
    double t1 = now_s();
    test_handoff_to_sleeping_consumer(DEFAULT_HANDOFFS);
    test_handoff_to_sleeping_producer(DEFAULT_HANDOFFS);
    printf("hand-offs (2 x %d): %.3f s\n", DEFAULT_HANDOFFS, now_s() - t1);

    uint32_t p = (uint32_t)producers, cap = (uint32_t)capacity;
    uint64_t n = items;
    printf("stress:\n");
    run_stress("blocking", p, n, cap, PUSH_BLOCKING, POP_BLOCKING, false);
    run_stress("mixed", p, n / 4 + 1, cap, PUSH_MIXED, POP_BLOCKING, false);
    run_stress("try_pop consumer", p, n / 4 + 1, cap, PUSH_BLOCKING, POP_TRY_YIELD, false);
    run_stress("bursty", p, n / 8 + 1, cap, PUSH_BLOCKING, POP_BLOCKING, true);
    run_stress("timed pop bursty", p, n / 8 + 1, cap, PUSH_BLOCKING, POP_TIMED, true);
    run_stress("lazy", p, n / 4 + 1, cap, PUSH_LAZY, POP_BLOCKING, false);
    run_stress("lazy bursty", p, n / 8 + 1, cap, PUSH_LAZY, POP_BLOCKING, true);
    run_stress("one producer", 1, n / 4 + 1, 2, PUSH_BLOCKING, POP_BLOCKING, false);

    /* On one CPU (the threads made from here on inherit the mask), every
     * hand-off is a sleep and a wake-up: fewer messages. */
    cpu_set_t all, one;
    if (sched_getaffinity(0, sizeof all, &all) == 0) {
        int first = 0;
        while (first < CPU_SETSIZE && !CPU_ISSET(first, &all)) first++;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (sched_setaffinity(0, sizeof one, &one) == 0) {
            run_stress("one CPU", p, n / 16 + 1, cap, PUSH_BLOCKING, POP_BLOCKING, false);
            run_stress("one CPU lazy", p, n / 16 + 1, cap, PUSH_LAZY, POP_BLOCKING, false);
            sched_setaffinity(0, sizeof all, &all);
        } else {
            printf("one CPU: sched_setaffinity refused; not run\n");
        }
    }

    printf("total %.3f s\n", now_s() - t0);
    printf("%ld passed, %ld failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
