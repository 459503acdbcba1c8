/* cpus.h — the CPUs the calling thread may run on (internal to the
 * library): its affinity mask, which taskset, a container's cpuset or a
 * batch scheduler may make smaller than the machine, and a cgroup's CPU
 * quota (docker --cpus), which leaves the mask whole. The default worker
 * count, the workers' polling and the tile queue's spinning follow both;
 * the render thread's core follows the mask. */
#ifndef TS_CPUS_H
#define TS_CPUS_H

#include <stdbool.h>
#include <stdint.h>

/* How many CPUs: the mask's, or fewer when the cgroup's quota allows
 * fewer; 1 when that cannot be told. */
uint32_t ts_cpus_usable(void);
/* Pins the calling thread to the highest-numbered of them; false when
 * that could not be done (the thread then keeps its mask). */
bool ts_cpus_pin_to_last(void);

#endif
