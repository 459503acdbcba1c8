/* cpus.h — the CPUs the calling thread may run on (internal to the
 * library): its affinity mask, which taskset, a container's cpuset or a
 * batch scheduler may make smaller than the machine. The default worker
 * count, the workers' spinning and the render thread's core follow it. */
#ifndef TS_CPUS_H
#define TS_CPUS_H

#include <stdint.h>

/* How many CPUs; 1 when that cannot be told. */
uint32_t ts_cpus_usable(void);
/* The highest-numbered of them; -1 when that cannot be told. */
int ts_cpus_last_usable(void);

#endif
