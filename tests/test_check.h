/* test_check.h — the CHECK of the API-level tests: counts every check, and
 * prints each failure with its file, line, condition and a message, then
 * goes on. The program ends with
 *     printf("%d passed, %d failed\n", checks - failures, failures);
 *     return failures ? 1 : 0; */
#ifndef TS_TEST_CHECK_H
#define TS_TEST_CHECK_H

#include <stdio.h>

static int failures, checks;

#define CHECK(cond, ...)                                             \
    do {                                                             \
        checks++;                                                    \
        if (!(cond)) {                                               \
            failures++;                                              \
            printf("%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
            printf(__VA_ARGS__);                                     \
            printf("\n");                                            \
        }                                                            \
    } while (0)

#endif
