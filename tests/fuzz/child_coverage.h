/* child_coverage.h — the coverage of a fuzz target's child processes,
 * handed back to libFuzzer (child_coverage.c). */
#ifndef TS_FUZZ_CHILD_COVERAGE_H
#define TS_FUZZ_CHILD_COVERAGE_H

/* Before the first fork; exits with a message when it cannot. */
void fuzz_child_coverage_init(void);
/* After a child has been reaped: adds what it ran to this process's
 * counters, where libFuzzer reads them once the input is done. */
void fuzz_child_coverage_take(void);

#endif
