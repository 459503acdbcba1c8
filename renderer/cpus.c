/* cpus.c — the CPUs the calling thread may run on (cpus.h). */
#define _GNU_SOURCE /* sched_getaffinity, the CPU_*_S macros, pthread_setaffinity_np */

#include "cpus.h"

#include "cgroup.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>

/* The calling thread's mask, sized for *ncpus CPUs (*size bytes); NULL
 * when it cannot be had. cpu_set_t holds CPU_SETSIZE (1024) CPUs, and on a
 * kernel built for more sched_getaffinity refuses it (EINVAL), so the set
 * grows until the kernel's fits. Free with CPU_FREE. */
static cpu_set_t *get_mask(int *ncpus, size_t *size) {
    for (int n = CPU_SETSIZE; n <= (1 << 22); n *= 2) {
        cpu_set_t *set = CPU_ALLOC(n);
        if (!set) return NULL;
        *size = CPU_ALLOC_SIZE(n);
        *ncpus = n;
        if (sched_getaffinity(0, *size, set) == 0) return set;
        CPU_FREE(set);
        if (errno != EINVAL) return NULL;
    }
    return NULL;
}

uint32_t ts_cpus_usable(void) {
    int ncpus;
    size_t size;
    cpu_set_t *set = get_mask(&ncpus, &size);
    int n = 1;
    if (set) {
        n = CPU_COUNT_S(size, set);
        CPU_FREE(set);
    }
    uint32_t usable = n > 0 ? (uint32_t)n : 1, quota = ts_cgroup_cpus(TS_CGROUP_ROOT);
    return quota && quota < usable ? quota : usable;
}

bool ts_cpus_pin_to_last(void) {
    int ncpus;
    size_t size;
    cpu_set_t *set = get_mask(&ncpus, &size);
    if (!set) return false;
    int last = ncpus - 1;
    while (last >= 0 && !CPU_ISSET_S((size_t)last, size, set)) last--;
    bool pinned = false;
    if (last >= 0) {
        CPU_ZERO_S(size, set);
        CPU_SET_S((size_t)last, size, set);
        pinned = pthread_setaffinity_np(pthread_self(), size, set) == 0;
    }
    CPU_FREE(set);
    return pinned;
}
