/* cpus.c — the CPUs the calling thread may run on (cpus.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */

#include "cpus.h"

#include <sched.h>

uint32_t ts_cpus_usable(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? (uint32_t)n : 1;
}

int ts_cpus_last_usable(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
        if (CPU_ISSET(cpu, &set)) return cpu;
    return -1;
}
