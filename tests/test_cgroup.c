/* test_cgroup.c — the limits a control group sets, read as a container
 * sees them (renderer/cgroup.c), from folders laid out as the kernel lays
 * out the cgroup file system:
 *   - cgroup v2's cpu.max ("QUOTA PERIOD" or "max PERIOD") gives the CPUs
 *     it allows, rounded up, and malformed lines give none;
 *   - cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us do the same
 *     (-1: none), and a v2 file, when there is one, is the one read;
 *   - v2's memory.max and v1's memory.limit_in_bytes give the limit and
 *     name the file; "max", and v1's number for none (near 2^63), are none;
 *   - an empty folder (no cgroup file system) gives no limits. */
#define _DEFAULT_SOURCE /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "test_check.h"

static char root[64];

/* Writes `text` to root/name (creating root's sub-folder `cpu` or
 * `memory` when name is in one), or removes the file when text is NULL. */
static void put(const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, name);
    if (!text) {
        unlink(path);
        return;
    }
    const char *slash = strchr(name, '/');
    if (slash) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s/%.*s", root, (int)(slash - name), name);
        mkdir(sub, 0700);
    }
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void test_cpu_v2(void) {
    static const struct {
        const char *line;
        uint32_t cpus;
    } cases[] = {
        {"max 100000\n", 0},      {"200000 100000\n", 2},   {"150000 100000", 2}, {"50000 100000\n", 1},
        {"1 100000\n", 1},        {"6400000 100000\n", 64}, {"0 100000\n", 0},    {"100000 0\n", 0},
        {"-100000 100000\n", 0},  {"100000 -100000\n", 0},  {"", 0},              {"200000\n", 0},
        {"200000 100000 7\n", 0}, {"abc 100000\n", 0},      {"99999999999999999999999 1\n", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put("cpu.max", cases[i].line);
        uint32_t got = ts_cgroup_cpus(root);
        CHECK(got == cases[i].cpus, "cpu.max '%s': %u CPUs, expected %u", cases[i].line, got, cases[i].cpus);
    }
    put("cpu.max", NULL);
}

static void test_cpu_v1(void) {
    static const struct {
        const char *quota, *period;
        uint32_t cpus;
    } cases[] = {
        {"-1\n", "100000\n", 0},    {"200000\n", "100000\n", 2}, {"150000\n", "100000\n", 2},
        {"50000\n", "100000\n", 1}, {"200000\n", NULL, 0},      {"200000\n", "0\n", 0},
        {"x\n", "100000\n", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put("cpu/cpu.cfs_quota_us", cases[i].quota);
        put("cpu/cpu.cfs_period_us", cases[i].period);
        uint32_t got = ts_cgroup_cpus(root);
        CHECK(got == cases[i].cpus, "cfs_quota_us '%s', cfs_period_us '%s': %u CPUs, expected %u",
              cases[i].quota, cases[i].period ? cases[i].period : "(none)", got, cases[i].cpus);
    }
    /* Both versions' files: v2's is the one read, even empty. */
    put("cpu/cpu.cfs_quota_us", "400000\n");
    put("cpu/cpu.cfs_period_us", "100000\n");
    put("cpu.max", "");
    CHECK(ts_cgroup_cpus(root) == 0, "an empty cpu.max with v1's files beside it: %u CPUs, expected 0",
          ts_cgroup_cpus(root));
    put("cpu.max", "max 100000\n");
    CHECK(ts_cgroup_cpus(root) == 0, "v2's cpu.max 'max' with v1's files beside it: %u CPUs, expected 0",
          ts_cgroup_cpus(root));
    put("cpu.max", NULL);
    CHECK(ts_cgroup_cpus(root) == 4, "v1's files alone again: %u CPUs, expected 4", ts_cgroup_cpus(root));
    put("cpu/cpu.cfs_quota_us", NULL);
    put("cpu/cpu.cfs_period_us", NULL);
}

static void test_memory(void) {
    static const struct {
        const char *file, *line;
        bool limited;
        uint64_t bytes;
        const char *source;
    } cases[] = {
        {"memory.max", "max\n", false, 0, NULL},
        {"memory.max", "1073741824\n", true, 1073741824u, "the cgroup's memory.max"},
        {"memory.max", "1073741824", true, 1073741824u, "the cgroup's memory.max"},
        {"memory.max", "12abc\n", false, 0, NULL},
        {"memory.max", "\n", false, 0, NULL},
        {"memory/memory.limit_in_bytes", "536870912\n", true, 536870912u, "the cgroup's memory.limit_in_bytes"},
        /* v1's "no limit": the largest page multiple below 2^63. */
        {"memory/memory.limit_in_bytes", "9223372036854771712\n", false, 0, NULL},
        {"memory/memory.limit_in_bytes", "\n", false, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put(cases[i].file, cases[i].line);
        uint64_t bytes = 0;
        const char *source = NULL;
        bool limited = ts_cgroup_memory(root, &bytes, &source);
        CHECK(limited == cases[i].limited && (!limited || (bytes == cases[i].bytes && source &&
                                                           !strcmp(source, cases[i].source))),
              "%s '%s': limited %d, %llu bytes, from '%s'; expected %d, %llu, '%s'", cases[i].file, cases[i].line,
              limited, (unsigned long long)bytes, source ? source : "", cases[i].limited,
              (unsigned long long)cases[i].bytes, cases[i].source ? cases[i].source : "");
        put(cases[i].file, NULL);
    }
    /* v2's "max" with a v1 file beside it: v2 is the one read. */
    put("memory/memory.limit_in_bytes", "536870912\n");
    put("memory.max", "max\n");
    uint64_t bytes;
    const char *source;
    CHECK(!ts_cgroup_memory(root, &bytes, &source), "v2's memory.max 'max' with v1's file beside it: a limit");
    put("memory.max", NULL);
    put("memory/memory.limit_in_bytes", NULL);
}

static void test_empty(void) {
    uint64_t bytes;
    const char *source;
    CHECK(ts_cgroup_cpus(root) == 0, "an empty folder: %u CPUs", ts_cgroup_cpus(root));
    CHECK(!ts_cgroup_memory(root, &bytes, &source), "an empty folder: a memory limit");
    CHECK(ts_cgroup_cpus("/nonexistent/cgroup") == 0, "a missing folder: a CPU quota");
}

int main(void) {
    snprintf(root, sizeof root, "%s", "/tmp/tessera-cgroup-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_empty();
    test_cpu_v2();
    test_cpu_v1();
    test_memory();
    char sub[128];
    snprintf(sub, sizeof sub, "%s/cpu", root);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/memory", root);
    rmdir(sub);
    CHECK(rmdir(root) == 0, "%s: not empty at the end", root);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
