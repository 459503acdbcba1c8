/* cgroup.h — the limits a control group puts on this process (internal to
 * the library): its CPU quota (docker --cpus) and its memory limit
 * (docker --memory). They are read where a container sees its own group,
 * the root of the cgroup file system: cgroup v2's one hierarchy
 * (cpu.max, memory.max) or, on hosts still on v1, the cpu and memory
 * controllers' folders under it. A process outside any container reads
 * the root group, which has no limits, and is told none. */
#ifndef TS_CGROUP_H
#define TS_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

/* Where the cgroup file system is mounted. The functions take the root
 * as an argument so that the tests can hand them a folder of their own. */
#define TS_CGROUP_ROOT "/sys/fs/cgroup"

/* The CPUs the group's quota allows, rounded up (a quota of 1.5 CPUs
 * allows 2 busy threads their share); 0 for no quota or none that can be
 * read. */
uint32_t ts_cgroup_cpus(const char *root);

/* The group's memory limit in bytes, and where it comes from (a static
 * string for messages: "the cgroup's memory.max"); false for no limit
 * (v2's "max", v1's number for none) or none that can be read. */
bool ts_cgroup_memory(const char *root, uint64_t *bytes, const char **source);

#endif
