/* cli_args.h — option values as the programs in demos/ parse them: whole
 * strings only, finite numbers, sizes WxH with each side 1..TS_MAX_FRAME_DIM.
 * Each returns false (leaving *out alone) when the text is not one. */
#ifndef TS_CLI_ARGS_H
#define TS_CLI_ARGS_H

#include <stdbool.h>

/* Prints "PROG: error: MESSAGE" on one line of stderr and returns 1, the
 * programs' exit status for errors. */
__attribute__((format(printf, 2, 3))) int ts_cli_fail(const char *prog, const char *fmt, ...);
/* A ts_warn_fn: prints "PROG: warning: MESSAGE", PROG being `user`. */
void ts_cli_warn(void *user, const char *message);

bool ts_cli_parse_float(const char *s, float *out);
bool ts_cli_parse_int(const char *s, long lo, long hi, long *out);
bool ts_cli_parse_size(const char *s, int *w, int *h);
/* A view's zoom: a number from TS_MIN_ZOOM to TS_MAX_ZOOM. */
bool ts_cli_parse_zoom(const char *s, float *out);

/* The --zoom line of each program's --help (printf format: two %g for the
 * range). */
#define TS_CLI_ZOOM_HELP \
    "  --zoom Z          magnify about the frame's center, %g to %g (default 1: the\n" \
    "                    whole model in view)\n"
#define TS_CLI_ZOOM_ERROR "--zoom %s: expected a number from %g to %g"

#endif
