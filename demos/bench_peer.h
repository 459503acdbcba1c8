/* bench_peer.h — tessera-bench's OpenGL peer: runs tessera-gl, the program
 * built beside tessera-bench, as a child process for one configuration and
 * reads back the summary line it prints. A child process because llvmpipe
 * reads LP_NUM_THREADS once, when its screen is created: each thread count
 * needs a fresh process with its own environment. */
#ifndef TS_BENCH_PEER_H
#define TS_BENCH_PEER_H

#include "tessera.h"

typedef enum ts_peer_status {
    TS_PEER_OK,
    TS_PEER_MISSING, /* no runnable tessera-gl beside this program */
    TS_PEER_NO_GL,   /* tessera-gl found no EGL display or OpenGL 3.3 (its exit status 77) */
    TS_PEER_FAILED,  /* it failed otherwise, was killed, or printed no summary line */
} ts_peer_status;

/* One peer run: what tessera-gl is asked to draw and time. */
typedef struct ts_peer_run {
    const char *model; /* a file or builtin:NAME, as tessera-gl takes it */
    int width, height;
    ts_shading shading;
    float zoom;  /* 0: the default view */
    int frames;  /* timed frames, after one warm-up */
    int threads; /* LP_NUM_THREADS for the child; replaces any value already set */
} ts_peer_run;

typedef struct ts_peer_result {
    unsigned tris;
    double median_ms, min_ms;
    char renderer[256]; /* GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)" */
    char message[512];  /* why, when the status is not TS_PEER_OK */
} ts_peer_result;

/* Runs tessera-gl for `run` and waits for it; fills `out` (all of it on
 * TS_PEER_OK, its message otherwise). Called on the main thread only. */
ts_peer_status ts_peer_gl_run(const ts_peer_run *run, ts_peer_result *out);

#endif
