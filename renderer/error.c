/* error.c — result codes as text, and filling a ts_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

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

ts_result ts_error_set(ts_error *err, ts_result code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
