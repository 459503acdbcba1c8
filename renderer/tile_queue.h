/* tile_queue.h — the bounded multi-producer single-consumer queue that carries
 * finished tiles from the raster workers to the render thread.
 *
 * Messages are small and copied by value. A full queue applies back-pressure
 * (ts_tile_queue_push blocks), it never drops a tile. Pushing and popping
 * take no lock while the queue is neither full nor empty; a side that has to
 * wait spins briefly and then sleeps on a condition variable, so a blocked
 * worker or render thread does not burn a core; producers can wake a
 * sleeping consumer per batch of messages instead of per message
 * (ts_tile_queue_push_lazy).
 *
 * Threads: any number of producers may push at once; exactly one consumer
 * at a time may pop (try_pop, pop, pop_timed). Shutdown: once every push
 * has returned (the workers were joined, or counted down through a
 * release/acquire counter), some thread calls ts_tile_queue_close(); the
 * consumer's pop then returns the messages still queued and after them
 * false.
 */
#ifndef TS_TILE_QUEUE_H
#define TS_TILE_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One finished tile (24 bytes, copied by value). */
typedef struct ts_tile_msg {
    uint32_t frame;   /* frame sequence number */
    uint32_t tile;    /* the tile (or part of one) within the frame: its raster job's index */
    uint32_t worker;  /* index of the worker that rendered it */
    uint32_t flags;   /* reserved, 0 */
    uint64_t cost_ns; /* how long the worker spent on the tile */
} ts_tile_msg;

/* The largest capacity ts_tile_queue_create accepts (each slot takes one
 * 64-byte cache line, so this is 1 GiB of slots). */
#define TS_TILE_QUEUE_MAX_CAPACITY (1u << 24)

typedef struct ts_tile_queue ts_tile_queue;

/* A queue holding up to `capacity` messages, rounded up to a power of two
 * and to at least 2. Returns NULL when capacity is 0 or above
 * TS_TILE_QUEUE_MAX_CAPACITY, or when memory or the pthread objects cannot
 * be had. Any thread; hand the queue to other threads through something that
 * synchronises (pthread_create, a mutex, a release store). */
ts_tile_queue *ts_tile_queue_create(uint32_t capacity);

/* Frees the queue (NULL is ignored). No thread may be using it or blocked in
 * it: join producers and consumer first. Messages still queued are dropped. */
void ts_tile_queue_destroy(ts_tile_queue *q);

/* The rounded capacity. Any thread. */
uint32_t ts_tile_queue_capacity(const ts_tile_queue *q);

/* Producers (any number of threads at once). Copies *msg into the queue.
 * try_push returns false, and changes nothing, when the queue is full;
 * push waits while it is full (spins a little, then sleeps until the
 * consumer frees a slot). Pushing after, or concurrently with,
 * ts_tile_queue_close() is a programming error (caught by an assert in debug
 * builds when the push sees the close). */
bool ts_tile_queue_try_push(ts_tile_queue *q, const ts_tile_msg *msg);
void ts_tile_queue_push(ts_tile_queue *q, const ts_tile_msg *msg);

/* As ts_tile_queue_push, but a consumer asleep in pop is woken only once a
 * batch of messages waits for it (ts_tile_queue_wake_batch), not for every
 * one: a wake-up is a system call and, for the woken thread, a trip through
 * the scheduler, which per tile costs more than the hand-off itself. A run
 * of lazy pushes must end with ts_tile_queue_wake, called after every push of
 * the run has returned (and happens before the call), or the last messages
 * may wait for the next push. */
void ts_tile_queue_push_lazy(ts_tile_queue *q, const ts_tile_msg *msg);

/* Wakes the consumer if it is asleep in pop: the end of a run of lazy
 * pushes. Any thread. */
void ts_tile_queue_wake(ts_tile_queue *q);

/* How many waiting messages make a lazy push wake the consumer: at most 64,
 * and at most half the capacity. */
uint32_t ts_tile_queue_wake_batch(const ts_tile_queue *q);

/* The consumer (one thread at a time). Messages come out in the order their
 * pushes claimed a slot, so each producer's messages stay in its own order.
 * try_pop returns false when no message is ready (it never waits, and does
 * not look at close). pop waits while the queue is empty and returns false
 * only after ts_tile_queue_close() once every message pushed before the
 * close has been popped; after that it keeps returning false. */
bool ts_tile_queue_try_pop(ts_tile_queue *q, ts_tile_msg *out);
bool ts_tile_queue_pop(ts_tile_queue *q, ts_tile_msg *out);

/* As pop, but waits at most about `timeout_ns` (on the monotonic clock)
 * for a message: for a consumer that has something else to look after
 * while the queue is empty, such as a frame the GPU is finishing. */
typedef enum ts_tile_pop {
    TS_TILE_POP_MESSAGE, /* *out holds the next message */
    TS_TILE_POP_TIMEOUT, /* none came in time; the queue is still open */
    TS_TILE_POP_CLOSED,  /* closed and drained, as pop's false */
} ts_tile_pop;
ts_tile_pop ts_tile_queue_pop_timed(ts_tile_queue *q, ts_tile_msg *out, uint64_t timeout_ns);

/* Shutdown: wakes a consumer sleeping in pop, after which pop drains what is
 * left and then returns false. Call it once every push has returned and
 * happens-before this call (e.g. after joining the producers); any thread,
 * the consumer included; calling it again does nothing more. */
void ts_tile_queue_close(ts_tile_queue *q);

#ifdef __cplusplus
}
#endif

#endif
