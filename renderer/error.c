/* error.c — result codes as text, and filling a ts_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ts_result_str(ts_result r) {
    static const char *const text[] = {
#define TS_X_TEXT(name, t) t,
        TS_RESULT_LIST(TS_X_TEXT)
#undef TS_X_TEXT
    };
    _Static_assert(sizeof text / sizeof text[0] == TS_RESULT_COUNT, "one text per result");
    if ((unsigned)r >= TS_RESULT_COUNT) return "unknown error";
    return text[r];
}

/* A message longer than ts_error's buffer keeps its start and its end,
 * joined by "...": a long path is then cut in its middle, and the reason,
 * which comes last, survives. */
#define KEEP_HEAD 160

ts_result ts_error_set(ts_error *err, ts_result code, const char *fmt, ...) {
    if (!err) return code;
    char full[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(full, sizeof full, fmt, ap);
    va_end(ap);
    err->code = code;
    const size_t cap = sizeof err->message;
    size_t len = n < 0 ? 0 : (size_t)n < sizeof full ? (size_t)n : sizeof full - 1;
    if (len < cap) {
        memcpy(err->message, full, len + 1);
    } else {
        size_t tail = cap - 1 - KEEP_HEAD - 3;
        memcpy(err->message, full, KEEP_HEAD);
        memcpy(err->message + KEEP_HEAD, "...", 3);
        memcpy(err->message + KEEP_HEAD + 3, full + len - tail, tail);
        err->message[cap - 1] = '\0';
    }
    return code;
}
