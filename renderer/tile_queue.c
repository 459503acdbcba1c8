/* tile_queue.c — the finished-tile queue: a bounded ring with per-slot
 * sequence numbers on C11 atomics (Vyukov's bounded MPMC queue, specialised
 * to one consumer), and the mutex + condvar slow path a blocked side sleeps on.
 */
#define _POSIX_C_SOURCE 200809L

#include "tile_queue.h"

#include "cpu_pause.h"
#include "cpus.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define CACHE_LINE 64

/* Failed tries (each followed by a pause) before a waiting side goes to
 * sleep: a few microseconds (a pause is ~10 to ~150 cycles depending on the
 * core), about what a sleep and wake-up through the kernel costs, so spinning
 * longer would not pay and spinning less sends a ping-ponging producer and
 * consumer to sleep on every message. Measured on a 2-core EPYC with 4
 * producers through 8 slots: 8 tries ~0.15 M msg/s (futex storm), 64 ~4 M,
 * 256 ~15 M, 1024 no better. With one CPU to run on (ts_cpus_usable: the
 * affinity mask, or a cgroup quota of one CPU), a waiting side tries once
 * and sleeps, as the worker pool stops polling there: on one CPU the other
 * side cannot act while we spin (the same 4 producers and 8 slots on one
 * CPU: 0.15 M msg/s spinning, 0.24 M trying once), and under a quota of
 * one CPU the other side may run, but every spin is taken from the time
 * the quota leaves it. */
#define SPIN_TRIES 256

/* One cache line per slot so that producers writing neighbouring slots, and
 * the consumer reading the slot behind them, do not share a line. */
typedef struct slot {
    alignas(CACHE_LINE) atomic_size_t seq;
    ts_tile_msg msg;
} slot;

_Static_assert(sizeof(ts_tile_msg) == 24, "ts_tile_msg is 24 bytes, copied by value");
_Static_assert(sizeof(slot) == CACHE_LINE, "one slot per cache line");

/* Invariant. Positions count messages forever (size_t, wrapping; every
 * comparison is on the signed difference, which is exact while the capacity
 * C = mask + 1 is below half the range). Producers claim position p with a
 * CAS on enqueue_pos; the consumer owns dequeue_pos. The slot for p is
 * slots[p & mask], and its seq says whose turn it is:
 *
 *     seq == p       free for position p: the producer that claims p writes it
 *     seq == p + 1   holds the message of position p: the consumer reads it
 *     seq == p + C   the consumer is done with p: free for position p + C
 *
 * so seq only grows, each value is stored by the one thread whose turn just
 * ended and read with acquire by the one whose turn it starts, and the slot's
 * msg is only ever touched by that owner: no two threads touch msg without a
 * release/acquire pair on seq between them. C >= 2 keeps "published for p"
 * (p + 1) apart from "free for p + C" (p + C); with C == 1 a producer would
 * overwrite a message the consumer has not read.
 *
 * Derived facts: dequeue_pos <= every unpublished claimed position <
 * enqueue_pos <= dequeue_pos + C. The queue is empty for the consumer when
 * the slot at dequeue_pos is not yet p + 1 (nothing pushed, or its producer is
 * still copying), and full for a producer when the slot at enqueue_pos is
 * still below p (the consumer has not finished position p - C).
 *
 * Sleeping. A side that cannot go on registers in its *_waiters count and
 * re-checks its condition before waiting on its condvar; the other side, after
 * changing a seq, loads that count and signals if it is non-zero. Both the
 * registration and the re-check (sleeper), and the seq store and the count
 * load (waker), are seq_cst, which forbids the outcome where each reads the
 * other's old value (the Dekker argument, spelled out at wake_consumer). The
 * sleeper registers, re-checks and starts waiting while holding the side's
 * mutex, and the waker signals while holding it, so the signal cannot fall
 * between the re-check and the wait. */
struct ts_tile_queue {
    /* Written by every producer's claim: its own line. */
    alignas(CACHE_LINE) atomic_size_t enqueue_pos;

    /* The consumer's alone: not even atomic (one consumer; handing the
     * consumer role to another thread needs a synchronisation of its own). */
    alignas(CACHE_LINE) size_t dequeue_pos;

    /* Read by every push and pop, written only by sleepers and close. */
    alignas(CACHE_LINE) size_t mask;
    size_t wake_batch;        /* see ts_tile_queue_wake_batch */
    int tries;                /* a waiting side's tries before it sleeps: SPIN_TRIES, or 1 on one CPU */
    atomic_uint pop_waiters;  /* consumer asleep (or about to be) in pop: 0 or 1 */
    atomic_uint push_waiters; /* producers asleep (or about to be) in push */
    atomic_bool closed;

    /* Where the consumer sleeps (empty queue) and where producers sleep
     * (full queue): separate rooms, so one side waking the other does not
     * contend with the other side's own sleepers. */
    alignas(CACHE_LINE) pthread_mutex_t pop_lock;
    pthread_cond_t not_empty;
    alignas(CACHE_LINE) pthread_mutex_t push_lock;
    pthread_cond_t not_full;

    slot slots[];
};

/* The signed distance a - b of two wrapping positions or sequences. The
 * conversion of a size_t above PTRDIFF_MAX is implementation-defined in C11;
 * gcc and clang define it as wrapping, which is what this needs. */
static inline ptrdiff_t distance(size_t a, size_t b) { return (ptrdiff_t)(a - b); }

ts_tile_queue *ts_tile_queue_create(uint32_t capacity) {
    if (capacity == 0 || capacity > TS_TILE_QUEUE_MAX_CAPACITY) return NULL;
    size_t cap = 2;
    while (cap < capacity) cap <<= 1;

    /* sizeof *q and sizeof(slot) are multiples of CACHE_LINE, as
     * aligned_alloc wants; at most 2^24 slots, so no overflow. */
    ts_tile_queue *q = aligned_alloc(CACHE_LINE, sizeof *q + cap * sizeof(slot));
    if (!q) return NULL;
    atomic_init(&q->enqueue_pos, 0);
    q->dequeue_pos = 0;
    q->mask = cap - 1;
    /* 64: the bunny at 1920x1080 (510 tiles) was 2.5% faster a frame on
     * one thread and 4.5% on two than with 16, each wake-up being a system
     * call for a worker and, on two cores, a worker's core taken for the
     * consumer's trip through the scheduler. */
    q->wake_batch = cap / 2 < 64 ? cap / 2 : 64;
    q->tries = ts_cpus_usable() > 1 ? SPIN_TRIES : 1;
    atomic_init(&q->pop_waiters, 0);
    atomic_init(&q->push_waiters, 0);
    atomic_init(&q->closed, false);
    for (size_t i = 0; i < cap; i++) atomic_init(&q->slots[i].seq, i);

    if (pthread_mutex_init(&q->pop_lock, NULL) != 0) goto fail_pop_lock;
    /* not_empty times its waits on the monotonic clock (pop_timed): a wall
     * clock set back would stretch a timeout arbitrarily. */
    pthread_condattr_t monotonic;
    if (pthread_condattr_init(&monotonic) != 0) goto fail_not_empty;
    int made = pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC) == 0 &&
               pthread_cond_init(&q->not_empty, &monotonic) == 0;
    pthread_condattr_destroy(&monotonic);
    if (!made) goto fail_not_empty;
    if (pthread_mutex_init(&q->push_lock, NULL) != 0) goto fail_push_lock;
    if (pthread_cond_init(&q->not_full, NULL) != 0) goto fail_not_full;
    return q;

fail_not_full:
    pthread_mutex_destroy(&q->push_lock);
fail_push_lock:
    pthread_cond_destroy(&q->not_empty);
fail_not_empty:
    pthread_mutex_destroy(&q->pop_lock);
fail_pop_lock:
    free(q);
    return NULL;
}

void ts_tile_queue_destroy(ts_tile_queue *q) {
    if (!q) return;
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->push_lock);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->pop_lock);
    free(q);
}

uint32_t ts_tile_queue_capacity(const ts_tile_queue *q) { return (uint32_t)(q->mask + 1); }

uint32_t ts_tile_queue_wake_batch(const ts_tile_queue *q) { return (uint32_t)q->wake_batch; }

/* ---- waking ------------------------------------------------------------ */

/* Called by a producer right after its seq_cst store published position p.
 *
 * The handshake with a consumer going to sleep in pop (Dekker's pattern):
 *
 *     producer (here)                    consumer (pop, under pop_lock)
 *     S: store slot.seq = p + 1          R: pop_waiters += 1
 *     L: load pop_waiters                C: load slot.seq, == p + 1 ?
 *
 * All four are seq_cst, so they sit in one total order S that agrees with
 * each thread's program order. Suppose L reads 0 (no signal) and C misses S
 * (the consumer sleeps): L reading the count from before R puts L before R
 * in S; C reading a seq older than S's puts C before S (every store to a
 * slot's seq is seq_cst, so a seq_cst load after one in S sees it or a later
 * one). Then R < C < S < L < R, a cycle. So one of the two sees the other:
 * either the consumer finds the message and does not sleep, or we see the
 * waiter and signal. With release/acquire instead (or relaxed count loads)
 * both could read the old value — on x86 the store can sit in the store
 * buffer while the load goes ahead — and the consumer would sleep on a
 * message that is there. The signal is sent under pop_lock: the consumer
 * holds it from R until the wait releases it, so the signal cannot land
 * between its check and its wait. A stale non-zero count costs one needless
 * signal, nothing more. */
static void signal_consumer(ts_tile_queue *q) {
    pthread_mutex_lock(&q->pop_lock);
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->pop_lock);
}

static void wake_consumer(ts_tile_queue *q) {
    /* seq_cst: L of the handshake above. */
    if (atomic_load_explicit(&q->pop_waiters, memory_order_seq_cst) != 0) signal_consumer(q);
}

/* A lazy push of position p skips the signal above unless a batch waits:
 * position p - wake_batch + 1 is still published and unread, or the next
 * position p + 1 is already published (we were late, and what was pushed
 * after us waits behind our slot). The skipped signals are safe because a
 * consumer asleep at position d is woken
 *   - by the push that completes the run d .. d + wake_batch - 1: the last
 *     of those positions to be published (last in S) sees, with its
 *     seq_cst loads after its seq_cst store, every other one published;
 *     if it is the run's end, its oldest position (d) is unread; if not,
 *     its next position is published. Either way it signals;
 *   - by ts_tile_queue_wake when the pushes stop before that: its load
 *     comes after every publish of the run in S (they happen before it), so
 *     it is the L of the handshake for each of them.
 * A full queue is a complete run, so back-pressure cannot leave both sides
 * asleep. */
static void wake_consumer_lazy(ts_tile_queue *q, size_t pos) {
    /* seq_cst: L of the handshake. */
    if (atomic_load_explicit(&q->pop_waiters, memory_order_seq_cst) == 0) return;
    /* seq_cst: ordered after our publish and every earlier one in S, as the
     * argument above needs. */
    size_t oldest = pos - (q->wake_batch - 1);
    bool batch = atomic_load_explicit(&q->slots[oldest & q->mask].seq, memory_order_seq_cst) == oldest + 1 ||
                 atomic_load_explicit(&q->slots[(pos + 1) & q->mask].seq, memory_order_seq_cst) == pos + 2;
    if (batch) signal_consumer(q);
}

/* Called by the consumer right after its seq_cst store freed a slot. The
 * mirror image of wake_consumer: S is that store, L this load; a producer
 * about to sleep in push does R (push_waiters += 1) and C (is the slot at
 * enqueue_pos still not free?), all seq_cst, under push_lock. Broadcast, not
 * signal: every sleeper re-checks and those that lose the race for the slot
 * go back to sleep, so no reasoning about which sleeper a signal reaches is
 * needed; this path only runs while producers are blocked anyway. */
static void wake_producers(ts_tile_queue *q) {
    /* seq_cst: L of the handshake. */
    if (atomic_load_explicit(&q->push_waiters, memory_order_seq_cst) != 0) {
        pthread_mutex_lock(&q->push_lock);
        pthread_cond_broadcast(&q->not_full);
        pthread_mutex_unlock(&q->push_lock);
    }
}

/* ---- producers --------------------------------------------------------- */

/* Claims a position and publishes msg there; false when the queue is full.
 * Wakes a sleeping consumer always, or when `lazy` as wake_consumer_lazy
 * says. */
static bool push_once(ts_tile_queue *q, const ts_tile_msg *msg, bool lazy) {
    /* relaxed: a debug check of the contract only, racy by nature. */
    assert(!atomic_load_explicit(&q->closed, memory_order_relaxed) && "push after close");

    /* relaxed: the position is only a guess at which slot to try. Nothing is
     * published through enqueue_pos: the slot's seq (acquire, below) says
     * whether the guess is still current, and the CAS makes the claim ours
     * alone. A stale guess costs one more round of the loop. */
    size_t pos = atomic_load_explicit(&q->enqueue_pos, memory_order_relaxed);
    slot *s;
    for (;;) {
        s = &q->slots[pos & q->mask];
        /* acquire: pairs with the consumer's store of pos (= pos - C + C) in
         * try_pop, a seq_cst store and so a release: having seen it, the
         * consumer's copy of the previous lap's message out of this slot
         * happens before our write into it below. */
        size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        ptrdiff_t dif = distance(seq, pos);
        if (dif == 0) {
            /* relaxed on success and on failure: the CAS only decides which
             * producer owns position pos (atomicity, not ordering: the slot's
             * data is ordered by seq, the acquire above and the store below).
             * On failure pos is reloaded with the current value and checked
             * against its slot again. Weak: we loop anyway. */
            if (atomic_compare_exchange_weak_explicit(&q->enqueue_pos, &pos, pos + 1,
                                                      memory_order_relaxed,
                                                      memory_order_relaxed))
                break;
        } else if (dif < 0) {
            /* The slot still holds position pos - C (unread, or being read):
             * the queue is full. */
            return false;
        } else {
            /* Another producer claimed pos since we loaded it. relaxed, as
             * the first load. */
            pos = atomic_load_explicit(&q->enqueue_pos, memory_order_relaxed);
        }
    }

    s->msg = *msg;
    /* seq_cst: a release, so the consumer's acquire load that sees pos + 1
     * also sees the message written above; and seq_cst because it is S in
     * the handshake with a sleeping consumer (wake_consumer). */
    atomic_store_explicit(&s->seq, pos + 1, memory_order_seq_cst);
    if (lazy)
        wake_consumer_lazy(q, pos);
    else
        wake_consumer(q);
    return true;
}

bool ts_tile_queue_try_push(ts_tile_queue *q, const ts_tile_msg *msg) { return push_once(q, msg, false); }

/* A producer's re-check under push_lock after registering in push_waiters:
 * C of the handshake in wake_producers. */
static bool looks_full(ts_tile_queue *q) {
    /* relaxed: any value of enqueue_pos is safe here. A stale pos names a
     * slot that was already claimed, whose seq is pos, pos + 1 or later, so
     * we see "not full" and retry instead of sleeping. We sleep only when the slot
     * at pos is below pos, i.e. the consumer's store that frees it comes
     * after this load in S, and then that store's wake_producers load sees
     * our registration. */
    size_t pos = atomic_load_explicit(&q->enqueue_pos, memory_order_relaxed);
    /* seq_cst: C of the handshake. */
    size_t seq = atomic_load_explicit(&q->slots[pos & q->mask].seq, memory_order_seq_cst);
    return distance(seq, pos) < 0;
}

static void push_waiting(ts_tile_queue *q, const ts_tile_msg *msg, bool lazy) {
    for (;;) {
        for (int i = 0; i < q->tries; i++) {
            if (push_once(q, msg, lazy)) return;
            ts_cpu_pause();
        }
        pthread_mutex_lock(&q->push_lock);
        /* seq_cst: R of the handshake in wake_producers; it must come before
         * the re-check in looks_full in the single total order. */
        atomic_fetch_add_explicit(&q->push_waiters, 1, memory_order_seq_cst);
        while (looks_full(q)) pthread_cond_wait(&q->not_full, &q->push_lock);
        /* relaxed: leaving needs no ordering. A consumer that still sees us
         * sends one needless broadcast; one that already sees 0 sends none,
         * which is fine because we are awake and about to retry. */
        atomic_fetch_sub_explicit(&q->push_waiters, 1, memory_order_relaxed);
        pthread_mutex_unlock(&q->push_lock);
    }
}

void ts_tile_queue_push(ts_tile_queue *q, const ts_tile_msg *msg) { push_waiting(q, msg, false); }

void ts_tile_queue_push_lazy(ts_tile_queue *q, const ts_tile_msg *msg) { push_waiting(q, msg, true); }

void ts_tile_queue_wake(ts_tile_queue *q) { wake_consumer(q); }

/* ---- the consumer ------------------------------------------------------ */

bool ts_tile_queue_try_pop(ts_tile_queue *q, ts_tile_msg *out) {
    size_t pos = q->dequeue_pos;
    slot *s = &q->slots[pos & q->mask];
    /* acquire: pairs with the producer's seq_cst (so release) store of
     * pos + 1 in push_once: the message it wrote before that store is visible
     * to the copy below. */
    size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
    /* The slot is pos (free, or claimed and being written) or pos + 1
     * (published); nothing else while the consumer is at pos. */
    if (seq != pos + 1) return false;
    *out = s->msg;
    q->dequeue_pos = pos + 1;
    /* seq_cst: a release, so the producer that sees pos + C (acquire in
     * push_once) writes the slot only after our copy above; and seq_cst
     * because it is S in the handshake with sleeping producers
     * (wake_producers). */
    atomic_store_explicit(&s->seq, pos + q->mask + 1, memory_order_seq_cst);
    wake_producers(q);
    return true;
}

/* The consumer's re-check under pop_lock after registering in pop_waiters:
 * C of the handshake in wake_consumer. */
static bool ready_to_pop(ts_tile_queue *q) {
    size_t pos = q->dequeue_pos;
    /* seq_cst: C of the handshake. */
    return atomic_load_explicit(&q->slots[pos & q->mask].seq, memory_order_seq_cst) == pos + 1;
}

/* pop and pop_timed: waits for a message until `deadline` (CLOCK_MONOTONIC;
 * NULL: for ever). */
static ts_tile_pop pop_until(ts_tile_queue *q, ts_tile_msg *out, const struct timespec *deadline) {
    for (;;) {
        for (int i = 0; i < q->tries; i++) {
            if (ts_tile_queue_try_pop(q, out)) return TS_TILE_POP_MESSAGE;
            ts_cpu_pause();
        }
        /* acquire: pairs with the release store in close. Every push
         * happens before close (the contract), so once we see closed, every
         * message ever pushed is visible to this try_pop: its false means
         * drained for good. Closed is checked before the try_pop, not after,
         * for exactly that reason. */
        if (atomic_load_explicit(&q->closed, memory_order_acquire))
            return ts_tile_queue_try_pop(q, out) ? TS_TILE_POP_MESSAGE : TS_TILE_POP_CLOSED;

        bool timed_out = false;
        pthread_mutex_lock(&q->pop_lock);
        /* seq_cst: R of the handshake in wake_consumer; it must come before
         * the re-check in ready_to_pop in the single total order. */
        atomic_fetch_add_explicit(&q->pop_waiters, 1, memory_order_seq_cst);
        /* relaxed for closed: close stores it while holding pop_lock, which
         * we hold too, so the mutex orders the two. */
        while (!timed_out && !ready_to_pop(q) && !atomic_load_explicit(&q->closed, memory_order_relaxed)) {
            if (deadline)
                timed_out = pthread_cond_timedwait(&q->not_empty, &q->pop_lock, deadline) == ETIMEDOUT;
            else
                pthread_cond_wait(&q->not_empty, &q->pop_lock);
        }
        /* relaxed: as in push. */
        atomic_fetch_sub_explicit(&q->pop_waiters, 1, memory_order_relaxed);
        pthread_mutex_unlock(&q->pop_lock);
        /* A message that came with the timeout is still taken: the caller
         * then sees it now rather than after its next wait. */
        if (timed_out) return ts_tile_queue_try_pop(q, out) ? TS_TILE_POP_MESSAGE : TS_TILE_POP_TIMEOUT;
    }
}

bool ts_tile_queue_pop(ts_tile_queue *q, ts_tile_msg *out) { return pop_until(q, out, NULL) == TS_TILE_POP_MESSAGE; }

ts_tile_pop ts_tile_queue_pop_timed(ts_tile_queue *q, ts_tile_msg *out, uint64_t timeout_ns) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    /* A timeout beyond a year is as good as for ever, and keeps the sum
     * below from overflowing time_t. */
    const uint64_t year_ns = 365ull * 24 * 3600 * 1000000000ull;
    if (timeout_ns > year_ns) timeout_ns = year_ns;
    uint64_t ns = (uint64_t)deadline.tv_nsec + timeout_ns % 1000000000ull;
    deadline.tv_sec += (time_t)(timeout_ns / 1000000000ull + ns / 1000000000ull);
    deadline.tv_nsec = (long)(ns % 1000000000ull);
    return pop_until(q, out, &deadline);
}

void ts_tile_queue_close(ts_tile_queue *q) {
    pthread_mutex_lock(&q->pop_lock);
    /* release: pairs with the acquire in pop, carrying every push that
     * happened before this call to the consumer. Stored under pop_lock so a
     * consumer between its re-check and its wait cannot miss it (no count
     * check needed: close is rare, it always signals). */
    atomic_store_explicit(&q->closed, true, memory_order_release);
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->pop_lock);
}
