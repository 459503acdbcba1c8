/* cgroup.c — the limits of this process's control group (cgroup.h). */
#define _POSIX_C_SOURCE 200809L
#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first line of root/name, without its newline ("" for an empty
 * file); false when the file cannot be opened, which is how a cgroup
 * version's files tell they are not there. Every file read here holds one
 * short line. */
static bool read_line(const char *root, const char *name, char *line, size_t size) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", root, name) >= (int)sizeof path) return false;
    FILE *f = fopen(path, "r");
    if (!f) return false;
    if (!fgets(line, (int)size, f)) line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    return true;
}

/* A whole number above 0 that is all of `s` up to `end` (NULL: all of s;
 * else *end gets where it stopped, which must be a space). */
static bool parse_count(const char *s, unsigned long long *out, const char **end) {
    if (*s < '0' || *s > '9') return false; /* "max", "-1", "" */
    char *stop;
    errno = 0;
    *out = strtoull(s, &stop, 10);
    if (errno || *out == 0) return false;
    if (end) {
        *end = stop;
        return *stop == ' ';
    }
    return *stop == '\0';
}

static uint32_t cpus_for(unsigned long long quota, unsigned long long period) {
    unsigned long long n = quota / period + (quota % period != 0);
    return n < UINT32_MAX ? (uint32_t)n : UINT32_MAX;
}

uint32_t ts_cgroup_cpus(const char *root) {
    char line[64], period_line[64];
    unsigned long long quota, period;
    /* v2: "QUOTA PERIOD" in microseconds, or "max PERIOD" for none. */
    if (read_line(root, "cpu.max", line, sizeof line)) {
        const char *p;
        return parse_count(line, &quota, &p) && parse_count(p + 1, &period, NULL) ? cpus_for(quota, period) : 0;
    }
    /* v1: the two numbers in two files; a quota of -1 is none. */
    if (read_line(root, "cpu/cpu.cfs_quota_us", line, sizeof line) &&
        read_line(root, "cpu/cpu.cfs_period_us", period_line, sizeof period_line) &&
        parse_count(line, &quota, NULL) && parse_count(period_line, &period, NULL))
        return cpus_for(quota, period);
    return 0;
}

bool ts_cgroup_memory(const char *root, uint64_t *bytes, const char **source) {
    /* v2: a number of bytes, or "max" for none. v1 writes its "none" as the
     * largest page multiple below 2^63; anything from 2^62 up, far above
     * any machine's memory, is taken as that. */
    static const struct {
        const char *file, *source;
    } files[] = {{"memory.max", "the cgroup's memory.max"},
                 {"memory/memory.limit_in_bytes", "the cgroup's memory.limit_in_bytes"}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char line[64];
        unsigned long long n;
        if (!read_line(root, files[i].file, line, sizeof line)) continue;
        if (!parse_count(line, &n, NULL) || n >= (1ull << 62)) return false; /* "max", or v1's none */
        *bytes = n;
        *source = files[i].source;
        return true;
    }
    return false;
}
