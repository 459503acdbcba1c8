/* cli_args.h — option values as the programs in demos/ parse them: whole
 * strings only, finite numbers, sizes WxH with each side 1..TS_MAX_FRAME_DIM.
 * Each returns false (leaving *out alone) when the text is not one. */
#ifndef TS_CLI_ARGS_H
#define TS_CLI_ARGS_H

#include <stdbool.h>

#include "tessera.h"

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

/* Monotonic clock, in milliseconds. */
double ts_cli_now_ms(void);
/* The median of v[0..n), n >= 1; sorts v in place (so v[0] is then the
 * minimum). */
double ts_cli_median(double *v, int n);
/* A model argument as the programs print it: "dir/bunny.obj" -> "bunny.obj",
 * "builtin:torus" -> "torus". */
const char *ts_cli_model_name(const char *model);

/* The --zoom line of each program's --help (printf format: two %g for the
 * range). */
#define TS_CLI_ZOOM_HELP \
    "  --zoom Z          magnify about the frame's center, %g to %g (default 1: the\n" \
    "                    whole model in view)\n"
#define TS_CLI_ZOOM_ERROR "--zoom %s: expected a number from %g to %g"

/* The post-processing options every program takes (TS_CLI_POST_HELP):
 * when `opt` is one of them, sets it in `post` and returns how many
 * arguments it took (1, or 2 with `val`); 0 when `opt` is not one; -1 after
 * printing the error (a bad or missing value). */
int ts_cli_post_option(const char *prog, const char *opt, const char *val, ts_post_desc *post);

#define TS_CLI_POST_HELP \
    "  --post BACKEND    post-processing: none (default) | cpu | gl | cuda; a GPU\n" \
    "                    backend that cannot run here falls back to cpu, with a warning\n" \
    "  --exposure X      scale the linear color before the chain (default 1)\n" \
    "  --bloom-threshold L   luminance where bloom starts (default 1)\n" \
    "  --bloom-strength S    how much bloom is added (default 0.3)\n" \
    "  --bloom-radius R      bloom blur radius in half-size pixels, 1..32 (default 8)\n" \
    "  --no-bloom, --no-tonemap, --no-fxaa, --no-srgb   switch a stage off\n"

#endif
