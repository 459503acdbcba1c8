/* post_fast.c — the fast cpu chain's schedule and buffers: which ISA's
 * kernels, what runs on a tile as it is stored, and the phases of row bands
 * that run over the frame after (post_fast.h). Called from worker threads
 * (tile, phase jobs) and the drawing thread (init, free). */
#include "post_fast.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

const ts_post_kernels *ts_post_kernels_for(ts_isa isa) {
    switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case TS_ISA_SSE4: return &ts_post_kernels_sse4;
    case TS_ISA_AVX2: return &ts_post_kernels_avx2;
    case TS_ISA_AVX512: return &ts_post_kernels_avx512;
#elif defined(__aarch64__)
    case TS_ISA_NEON: return &ts_post_kernels_neon;
#endif
    default: return &ts_post_kernels_scalar;
    }
}

static size_t padded(int n) { return ((size_t)n + TS_POST_PAD - 1) / TS_POST_PAD * TS_POST_PAD; }

ts_result ts_post_cpu_frame_init(ts_post_cpu_frame *f, const ts_post_params *p, int w, int h, int workers,
                                 ts_error *err) {
    memset(f, 0, sizeof *f);
    f->width = w;
    f->height = h;
    f->half_w = ts_post_half(w);
    f->half_h = ts_post_half(h);
    f->stride = padded(w);
    f->half_stride = padded(f->half_w);
    size_t half = p->bloom ? f->half_stride * (size_t)f->half_h : 0;
    f->workers = workers;
    size_t band = p->fxaa ? 4 * f->stride * (TS_POST_BAND + 2 * TS_POST_FXAA_REACH) : 0;
    size_t floats = 6 * half + band * (size_t)workers;
    /* Zeroed: the padding lanes are read (and never shown) before anything
     * is stored there. */
    f->block = calloc(1, sizeof(ts_post_srgb_table) + floats * sizeof(float));
    if (!f->block)
        return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "post: out of memory for the cpu chain's %dx%d buffers", w, h);
    ts_post_srgb_table *table = f->block;
    ts_post_srgb_table_make(table);
    f->srgb = table;
    float *at = (float *)(void *)(table + 1);
    for (int k = 0; k < 3; k++) {
        f->bright[k] = at, at += half;
        f->tmp[k] = at, at += half;
    }
    f->bands = at;
    return TS_OK;
}

void ts_post_cpu_frame_free(ts_post_cpu_frame *f) {
    free(f->block);
    memset(f, 0, sizeof *f);
}

bool ts_post_cpu_fused(const ts_post_params *p) { return !p->bloom && !p->fxaa; }

bool ts_post_cpu_tile(const ts_post_kernels *k, const ts_post_params *p, const ts_post_cpu_frame *f,
                      const ts_tile_buf *tb, int samples, int x, int y, int w, int h) {
    if (p->bloom) {
        k->bright(p, f, tb, samples, x, y, w, h);
        return false;
    }
    /* Fused, the store made the final pixels; with FXAA the tone map goes
     * with it, band by band. */
    return !p->fxaa;
}

enum { PHASE_BLUR_ROWS, PHASE_BLUR_COLS, PHASE_FINISH };

/* The phases in order: with bloom the blur, then the finish. */
static int phase_kind(const ts_post_params *p, int phase) { return p->bloom ? phase : PHASE_FINISH; }

int ts_post_cpu_phase_count(const ts_post_params *p) { return (p->bloom ? 2 : 0) + (p->bloom || p->fxaa ? 1 : 0); }

uint32_t ts_post_cpu_bands(const ts_post_cpu_frame *f) {
    return (uint32_t)((f->height + TS_POST_BAND - 1) / TS_POST_BAND);
}

void ts_post_cpu_phase(const ts_post_kernels *k, const ts_post_params *p, const ts_post_cpu_frame *f, int phase,
                       uint32_t band, uint32_t worker) {
    int y0 = (int)band * TS_POST_BAND, y1 = y0 + TS_POST_BAND < f->height ? y0 + TS_POST_BAND : f->height;
    int j0 = y0 / 2, j1 = ts_post_half(y1); /* the same band at half size */
    switch (phase_kind(p, phase)) {
    case PHASE_BLUR_ROWS: k->blur_rows(p, f, j0, j1); break;
    case PHASE_BLUR_COLS: k->blur_cols(p, f, j0, j1); break;
    default:
        if (!p->fxaa) {
            k->tonemap(p, f, NULL, 0, y0, f->width, y1);
            break;
        }
        /* The band's rows tone mapped with those FXAA reaches around them,
         * into this worker's band buffer, then FXAA: the tone-mapped image
         * stays in the caches. */
        {
            int from = y0 - TS_POST_FXAA_REACH > 0 ? y0 - TS_POST_FXAA_REACH : 0;
            int to = y1 + TS_POST_FXAA_REACH < f->height ? y1 + TS_POST_FXAA_REACH : f->height;
            size_t plane = f->stride * (TS_POST_BAND + 2 * TS_POST_FXAA_REACH);
            float *mine = f->bands + 4 * plane * worker;
            ts_post_ldr ldr = {{mine, mine + plane, mine + 2 * plane, mine + 3 * plane}, from, y0, y1};
            k->tonemap(p, f, &ldr, 0, from, f->width, to);
            k->fxaa(p, f, &ldr, y0, y1);
        }
        break;
    }
}

/* The fused chain over the frame: each row's HDR split into planes, a
 * vector's worth at a time, and encoded as the tile store would. */
static void fused_run(const ts_post_kernels *k, const ts_post_params *p, const ts_post_cpu_frame *f) {
    enum { RUN = 64 };
    ts_post_cpu_frame with = *f;
    with.params = p;
    _Alignas(64) float planes[4][RUN];
    _Alignas(64) int32_t words[RUN];
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x += RUN) {
            int n = f->width - x < RUN ? f->width - x : RUN;
            const float *px = f->hdr + ((size_t)y * (size_t)f->width + (size_t)x) * 4;
            for (int i = 0; i < RUN; i++)
                for (int c = 0; c < 4; c++) planes[c][i] = px[(i < n ? i : n - 1) * 4 + c];
            k->encode(&with, (const float *const[4]){planes[0], planes[1], planes[2], planes[3]}, words, RUN);
            memcpy(f->out + ((size_t)y * (size_t)f->width + (size_t)x) * 4, words, (size_t)n * 4);
        }
}

bool ts_post_cpu_fast_run(const ts_post_kernels *k, const ts_post_params *p, const ts_post_cpu_frame *f) {
    if (ts_post_cpu_fused(p)) {
        fused_run(k, p, f);
        return true;
    }
    ts_tile_buf *tb = aligned_alloc(64, sizeof *tb);
    if (!tb) return false;
    for (int y = 0; y < f->height; y += TS_TILE)
        for (int x = 0; x < f->width; x += TS_TILE) {
            int w = f->width - x < TS_TILE ? f->width - x : TS_TILE;
            int h = f->height - y < TS_TILE ? f->height - y : TS_TILE;
            /* The tile as the raster leaves it: one sample a pixel, the
             * pixels past the frame's edge the clear color. */
            for (int i = 0; i < TS_TILE_PIXELS; i++) {
                int block = i / TS_BLOCK_PIXELS;
                int px = ts_tile_block_x(block) + ts_block_px_x(i % TS_BLOCK_PIXELS);
                int py = ts_tile_block_y(block) + ts_block_px_y(i % TS_BLOCK_PIXELS);
                size_t at = ((size_t)(y + py) * (size_t)f->width + (size_t)(x + px)) * 4;
                const float *c = px < w && py < h ? &f->hdr[at] : (const float[4]){0, 0, 0, 1};
                tb->r[i] = c[0], tb->g[i] = c[1], tb->b[i] = c[2], tb->a[i] = c[3];
            }
            ts_post_cpu_tile(k, p, f, tb, 1, x, y, w, h);
        }
    free(tb);
    for (int phase = 0; phase < ts_post_cpu_phase_count(p); phase++)
        for (uint32_t b = 0; b < ts_post_cpu_bands(f); b++) ts_post_cpu_phase(k, p, f, phase, b, 0);
    return true;
}
