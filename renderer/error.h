/* error.h — filling a ts_error (internal to the library). */
#ifndef TS_ERROR_H
#define TS_ERROR_H

#include "tessera.h"

#if defined(__GNUC__)
#define TS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TS_PRINTF(a, b)
#endif

/* Sets err (which may be NULL) to `code` and a printf-formatted message;
 * returns `code` so callers can write `return ts_error_set(...)`. */
ts_result ts_error_set(ts_error *err, ts_result code, const char *fmt, ...) TS_PRINTF(3, 4);

#endif
