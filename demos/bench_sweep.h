/* bench_sweep.h — tessera-bench --sweep: the CPU-versus-GPU frame-time
 * sweep. For a fixed plan (scenes, sizes, frame counts) it times every
 * post-processing chain on every backend this machine has, splits each
 * median frame into raster, uploads, kernels, read-back and host post
 * time, times the OpenGL peer per size, and states where a GPU backend
 * starts to beat the CPU (the crossover) and what uploading tiles during
 * the raster buys over one copy after it (the overlap gain). */
#ifndef TS_BENCH_SWEEP_H
#define TS_BENCH_SWEEP_H

#include <stdbool.h>

/* Whether `name` is a plan ("quick", "full"). */
bool ts_sweep_plan_known(const char *name);
/* The plans, for --help and error messages: "quick, full". */
const char *ts_sweep_plan_list(void);

/* Runs plan `name`: the table and the findings on stdout, progress on
 * stderr, and the rows, the machine's description and the findings into
 * `csv` and `json` when not NULL. Returns the exit status: 0, or 1 when a
 * file could not be written or a peer run failed (an absent backend or
 * peer is reported, not a failure). */
int ts_sweep_run(const char *name, const char *csv, const char *json);

#endif
