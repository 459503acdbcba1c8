/* post_fast.h — the cpu chain on SIMD lanes, split so the renderer's
 * workers run it: a per-ISA kernel table (post_kernels.c, one source
 * compiled once per target, as shaders/kernels.c is), the buffers of one
 * frame, and the schedule (post_fast.c): what runs on each tile as it is
 * stored, and which phases of row bands run over the frame after.
 *
 * Same picture: every kernel computes post_cpu.c's operations in the same
 * order in IEEE single precision (no fused multiply-add, division and sqrt
 * correctly rounded), so on every ISA the result is the definition's, bit
 * for bit; tests/test_post_backend.c checks it within 1/255 on each ISA the
 * machine runs. */
#ifndef TS_POST_FAST_H
#define TS_POST_FAST_H

#include "kernels.h"
#include "post.h"

/* A tile row: the last phase's jobs are bands of this many pixel rows (the
 * renderer's tiles), the blur's bands of half as many half rows. */
#define TS_POST_BAND 64
/* Rows of the planar buffers are padded to whole vectors of the widest
 * target, so a kernel stores whole vectors past a row's last pixel. */
#define TS_POST_PAD 16

/* The sRGB encode, round(255 sRGB(clamp(v))), as a table: the same 8-bit
 * value post_cpu.c's powf gives, for every float. Entry B - TS_SRGB_FIRST
 * is for the floats whose bits >> 16 are B: the value at the bucket's
 * start in its low 8 bits, and above them the low 16 bits of the float
 * where the value goes up by one inside the bucket (0x10000: it does not).
 * A bucket is 1/128 of an octave, so the value rises at most once in it
 * (checked when the table is made). Below bucket TS_SRGB_FIRST (2^-15)
 * everything encodes to 0; bucket 0x3f80 holds 1. */
#define TS_SRGB_FIRST 0x3800
#define TS_SRGB_BUCKETS (0x3f80 - TS_SRGB_FIRST + 1)
typedef struct ts_post_srgb_table {
    int32_t entry[TS_SRGB_BUCKETS];
    bool exact; /* no bucket with two steps: the table gives powf's values */
} ts_post_srgb_table;

/* Fills the table from post_cpu.c's definition. */
void ts_post_srgb_table_make(ts_post_srgb_table *t);
/* The definition's encode of one channel (with the sRGB curve). */
uint8_t ts_post_cpu_srgb8(float v);

/* FXAA at row y reads the tone-mapped rows y - 4 .. y + 5 at most (its
 * taps reach 4 pixels, the bilinear one more): a band of rows is tone
 * mapped with this many more above and below. */
#define TS_POST_FXAA_REACH 6

/* Tone-mapped rows for FXAA: row y of channel k at plane[k] + (y - y0)
 * stride; plane 3 is FXAA's luma, sqrt(L), made once per pixel. The tone
 * map writes the alpha bytes of rows [own0, own1) into the frame, FXAA
 * their color bytes. */
typedef struct ts_post_ldr {
    float *plane[4];
    int y0, own0, own1;
} ts_post_ldr;

/* One frame's buffers. The intermediate images are planar (r, g, b planes),
 * rows `stride` (full size) or `half_stride` (half size) floats apart:
 *   bright  the bright pass (per tile), then the blurred image (blur_cols)
 *   tmp     the bright pass blurred along rows
 *   bands   per worker, a band of tone-mapped rows for FXAA (ts_post_ldr):
 *           TS_POST_BAND + 2 TS_POST_FXAA_REACH rows, so the tone-mapped
 *           image never goes through memory whole (only when FXAA is on) */
typedef struct ts_post_cpu_frame {
    int width, height, half_w, half_h;
    size_t stride, half_stride;
    float *bright[3], *tmp[3];
    float *bands;
    int workers;
    const ts_post_srgb_table *srgb;
    /* Of the frame being processed: its parameters (what `encode` reads),
     * its HDR input (float RGBA, rows of `width`) and its 8-bit output
     * (RGBA8, rows of `width`). */
    const ts_post_params *params;
    const float *hdr;
    uint8_t *out;
    void *block; /* the one allocation holding the planes and the table */
} ts_post_cpu_frame;

/* Allocates the buffers for w x h frames under `p`, with `workers` bands. */
ts_result ts_post_cpu_frame_init(ts_post_cpu_frame *f, const ts_post_params *p, int w, int h, int workers,
                                 ts_error *err);
void ts_post_cpu_frame_free(ts_post_cpu_frame *f);

/* The kernels of one SIMD target. Rectangles are [x0, x1) x [y0, y1). */
typedef struct ts_post_kernels {
    const char *name;
    /* Exposure and the bright pass into `bright` for the half pixels of
     * the tile at (x, y), w x h pixels, read from its buffer `tb` with
     * `samples` per pixel, as the raster left it. */
    void (*bright)(const ts_post_params *p, const ts_post_cpu_frame *f, const ts_tile_buf *tb, int samples, int x,
                   int y, int w, int h);
    /* The Gaussian over half rows [j0, j1): rows (bright -> tmp), columns
     * (tmp -> bright). */
    void (*blur_rows)(const ts_post_params *p, const ts_post_cpu_frame *f, int j0, int j1);
    void (*blur_cols)(const ts_post_params *p, const ts_post_cpu_frame *f, int j0, int j1);
    /* Exposure, the bloom composite (when on), the tone map (or clamp) over
     * a rectangle; into `ldr` (and its own rows' alpha bytes into `out`),
     * or, when `ldr` is NULL, encoded into `out`. x0 is a multiple of 32. */
    void (*tonemap)(const ts_post_params *p, const ts_post_cpu_frame *f, const ts_post_ldr *ldr, int x0, int y0,
                    int x1, int y1);
    /* FXAA over rows [y0, y1) of `ldr`, encoded into `out`'s color bytes. */
    void (*fxaa)(const ts_post_params *p, const ts_post_cpu_frame *f, const ts_post_ldr *ldr, int y0, int y1);
    /* With neither bloom nor FXAA, the whole chain (exposure, tone map or
     * clamp, encode) of pixels given as planes: the tile store's encode
     * (shaders/kernels.h), `ctx` the ts_post_cpu_frame, which reads its
     * `params` and its sRGB table. */
    ts_encode_fn encode;
} ts_post_kernels;

extern const ts_post_kernels ts_post_kernels_scalar;
#if defined(__x86_64__) || defined(__i386__)
extern const ts_post_kernels ts_post_kernels_sse4;
extern const ts_post_kernels ts_post_kernels_avx2;
extern const ts_post_kernels ts_post_kernels_avx512;
#elif defined(__aarch64__)
extern const ts_post_kernels ts_post_kernels_neon;
#endif

/* The table for `isa` (supported, not TS_ISA_AUTO). */
const ts_post_kernels *ts_post_kernels_for(ts_isa isa);

/* ---- the schedule --------------------------------------------------------
 * fused   with neither bloom nor FXAA every stage is per pixel: the whole
 *         chain runs in the tile store, `encode` in place of its 8-bit
 *         quantize, on the tile's colors still in the worker's tile buffer;
 *         the frame's HDR is not written at all, and the tile is final.
 * tile    otherwise on the worker that stored the tile (x, y, w, h), at
 *         once: the bright pass with bloom, from the tile buffer `tb`. True
 *         when the tile's 8-bit pixels are then final (no phase follows):
 *         always, when fused.
 * phases  then, once every tile is stored, each phase over the frame as
 *         ts_post_cpu_bands jobs (any order, any worker: `worker` picks its
 *         band buffer), one phase after the other: blur rows and blur
 *         columns (with bloom), then the finish: exposure, composite, tone
 *         map and, with FXAA, FXAA on the band's tone-mapped rows, then the
 *         encode. Job b of the last phase writes the final pixels of rows
 *         [64 b, 64 b + 64), a row of tiles. */
bool ts_post_cpu_fused(const ts_post_params *p);
bool ts_post_cpu_tile(const ts_post_kernels *k, const ts_post_params *p, const ts_post_cpu_frame *f,
                      const ts_tile_buf *tb, int samples, int x, int y, int w, int h);
int ts_post_cpu_phase_count(const ts_post_params *p);
uint32_t ts_post_cpu_bands(const ts_post_cpu_frame *f);
void ts_post_cpu_phase(const ts_post_kernels *k, const ts_post_params *p, const ts_post_cpu_frame *f, int phase,
                       uint32_t band, uint32_t worker);

/* The whole schedule on the calling thread (tests: the same kernels and
 * order the renderer's workers run, each tile's buffer made from the HDR
 * frame; fused, `encode` on the HDR frame's rows). f->hdr and f->out must
 * be set. False when out of memory for a tile buffer. */
bool ts_post_cpu_fast_run(const ts_post_kernels *k, const ts_post_params *p, const ts_post_cpu_frame *f);

#endif
