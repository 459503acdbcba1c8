/* cli_args.h — option values as the programs in demos/ parse them: whole
 * strings only, finite numbers, sizes WxH with each side 1..TS_MAX_FRAME_DIM.
 * Each returns false (leaving *out alone) when the text is not one. */
#ifndef TS_CLI_ARGS_H
#define TS_CLI_ARGS_H

#include <stdbool.h>

#include "file_out.h"
#include "tessera.h"

/* Prints "PROG: error: MESSAGE" on one line of stderr and returns 1, the
 * programs' exit status for errors. */
__attribute__((format(printf, 2, 3))) int ts_cli_fail(const char *prog, const char *fmt, ...);
/* The same for a command line that cannot be read (an unknown option, an
 * option without its value): "PROG: error: MESSAGE (see --help)", and
 * returns 2, the exit status for those. */
__attribute__((format(printf, 2, 3))) int ts_cli_usage_fail(const char *prog, const char *fmt, ...);
/* Output that never reached stdout (a full disk) is an error: at exit,
 * stdout is closed, and when that fails "PROG: error: ..." is printed and
 * the process ends with status 1. Called at the start of main. */
void ts_cli_check_stdout(const char *prog);
/* A ts_warn_fn: prints "PROG: warning: MESSAGE", PROG being `user`. */
void ts_cli_warn(void *user, const char *message);

bool ts_cli_parse_float(const char *s, float *out);
/* An angle in degrees, any finite number, reduced to (-360, 360) exactly
 * (in double: 1e20 degrees is 280, which a float of it is not). */
bool ts_cli_parse_angle(const char *s, float *out);
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
/* The output a program writes when not told: the model's name without its
 * extension, and ".png" ("bunny.obj" -> "bunny.png"); with `numbered`,
 * "_%05d.png", a pattern for frame numbers (a % in the name doubled, so
 * that it stays a character of the name). In buf, which it returns. */
const char *ts_cli_default_out(const char *model, bool numbered, char *buf, size_t size);
/* Whether the two paths name one existing file: an output that would
 * overwrite the model it is drawn from. */
bool ts_cli_same_file(const char *a, const char *b);

/* An output file of a run's results (--csv, --json): opened before the
 * run, so that a path that cannot be written is an error before the work
 * rather than after it, and written whole or not at all (file_out.h).
 * ts_cli_out_open prints the error and returns false; ts_cli_out_end
 * puts the file in place when `keep`, else leaves what was there, and
 * returns 0, or 1 after printing why the file could not be written. */
bool ts_cli_out_open(const char *prog, ts_file_out *o, const char *path);
/* An output written after the run (a PNG): whether it could be written
 * now, checked before the work; prints the error and returns false. */
bool ts_cli_out_check(const char *prog, const char *path);
int ts_cli_out_end(const char *prog, ts_file_out *o, const char *path, bool keep);

/* The --zoom line of each program's --help (printf format: two %g for the
 * range). */
#define TS_CLI_ZOOM_HELP \
    "  --zoom Z          magnify about the frame's center, %g to %g (default 1: the\n" \
    "                    whole model in view)\n"
#define TS_CLI_ZOOM_ERROR "--zoom %s: expected a number from %g to %g"

/* The options of the view that tessera-render, tessera-viewer and
 * tessera-gl take alike: --size WxH, --yaw, --pitch, --zoom, --shading.
 * Returns as ts_cli_post_option does: 2 (the option and its value), 0 when
 * `opt` is not one, or the exit status negated after printing the error. */
int ts_cli_view_option(const char *prog, const char *opt, const char *val, int *width, int *height,
                       ts_view_desc *view);
/* The renderer's options that tessera-render and tessera-viewer take
 * alike, into `desc`: --isa, --threads (1 to TS_MAX_THREADS), --msaa (1 or 4).
 * Returns as ts_cli_view_option does. */
int ts_cli_renderer_option(const char *prog, const char *opt, const char *val, ts_renderer_desc *desc);

/* The post-processing options every program takes (TS_CLI_POST_HELP):
 * when `opt` is one of them, sets it in `post` and returns how many
 * arguments it took (1, or 2 with `val`); 0 when `opt` is not one; after
 * printing the error, the exit status negated: -1 for a bad value, -2 for
 * a missing one. */
int ts_cli_post_option(const char *prog, const char *opt, const char *val, ts_post_desc *post);
/* A warning when the chain's options were given without a backend to run
 * them (--post none, the default): they change nothing then. */
void ts_cli_post_warn_unused(const char *prog, const ts_post_desc *post);

#define TS_CLI_POST_HELP \
    "  --post BACKEND    post-processing: none (default) | cpu | gl | cuda; a GPU\n" \
    "                    backend that cannot run here falls back to cpu, with a warning\n" \
    "  --exposure X      scale the linear color before the chain (default 1)\n" \
    "  --bloom-threshold L   luminance where bloom starts (default 1)\n" \
    "  --bloom-strength S    how much bloom is added (default 0.3)\n" \
    "  --bloom-radius R      bloom blur radius in half-size pixels, 1..32 (default 8)\n" \
    "  --no-bloom, --no-tonemap, --no-fxaa, --no-srgb   switch a stage off\n"

#endif
