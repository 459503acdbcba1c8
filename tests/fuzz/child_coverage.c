/* child_coverage.c — a child process's coverage, handed back to libFuzzer.
 *
 * libFuzzer learns what an input ran from the executable's coverage
 * counters (-fsanitize=fuzzer's inline 8-bit counters, the linker's section
 * __sancov_cntrs): it clears them before each input and reads them after.
 * A forked child (ts_model_load's import child) counts in its own
 * copy-on-write copy, which libFuzzer never sees. So the child hands its
 * counts back: as it starts (a fork handler) it notes its counters; as it
 * ends (its _exit, wrapped at link time: -Wl,--wrap=_exit) it writes what
 * it counted since into memory shared with the parent; and the parent adds
 * that to its own counters once the child is reaped, before the input
 * ends. Reaped first, so the shared memory is never written and read at
 * once. A child that crashes, or is killed at its deadline, hands nothing
 * back: its input counts what ran in the parent.
 *
 * This file is compiled without coverage (tests/fuzz/CMakeLists.txt): the
 * instrumentation would count in the loops that copy the counters, and it
 * names the section's bounds itself, so a file of its that declared them
 * too would have them renamed and register no counters at all. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include "child_coverage.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

extern uint8_t __start___sancov_cntrs[], __stop___sancov_cntrs[];

static size_t counters;           /* how many */
static uint8_t *counters_at_fork; /* the child's own, as it started */
static uint8_t *handed_back;      /* shared: the child's counts, then a byte that is 1 once they are written */
static bool in_child;

static void note_fork(void) {
    memcpy(counters_at_fork, __start___sancov_cntrs, counters);
    in_child = true;
}

void fuzz_child_coverage_init(void) {
    counters = (size_t)(__stop___sancov_cntrs - __start___sancov_cntrs);
    counters_at_fork = malloc(counters);
    handed_back = mmap(NULL, counters + 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counters == 0 || !counters_at_fork || handed_back == MAP_FAILED || pthread_atfork(NULL, NULL, note_fork)) {
        fprintf(stderr, "fuzz target: cannot hand a child's coverage back (%zu counters)\n", counters);
        exit(1);
    }
}

void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) {
    if (in_child) {
        for (size_t i = 0; i < counters; i++) handed_back[i] = (uint8_t)(__start___sancov_cntrs[i] - counters_at_fork[i]);
        handed_back[counters] = 1;
    }
    __real__exit(status);
}

/* Saturating: the counts are read as buckets of hits (1, 2, 3, 4-7, ...),
 * and a sum past 255 is many hits, not a few. */
void fuzz_child_coverage_take(void) {
    if (!handed_back[counters]) return;
    for (size_t i = 0; i < counters; i++) {
        unsigned sum = (unsigned)__start___sancov_cntrs[i] + handed_back[i];
        __start___sancov_cntrs[i] = (uint8_t)(sum > 255 ? 255 : sum);
    }
    handed_back[counters] = 0;
}
