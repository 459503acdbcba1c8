/* post_cuda.cu — the post-processing chain as CUDA kernels on the render
 * thread's own stream: each finished tile is copied to the device as it
 * arrives (pinned staging, async copies), and when the frame is complete the
 * chain runs and its 8-bit result is read back (headless). The frame is
 * then pending: the render thread polls its last event (ts_post_cuda_finish)
 * between the next frame's tiles, never parking in a CUDA wait while tiles
 * are queued for it. In a window
 * (TS_POST_CUDA_GL: built with the OpenGL backend) the result goes instead
 * to a texture of the window's context through CUDA-OpenGL interop: CUDA
 * writes a GL buffer, which fills the texture on the GPU (gl_frame.h), and
 * nothing comes back to the host.
 *
 * The math follows post_cpu.c operation for operation, in 32-bit float, so
 * that rounding is all that separates the two (docs/POST.md). That is why
 * this file is built with --fmad=false (no contraction into fused
 * multiply-adds, like -ffp-contract=off on the C side), never with fast
 * math, and why bilinear taps are computed by hand, not by texture units.
 *
 * Threads: every function here runs on the render thread, the one that
 * called ts_post_cuda_create and owns the stream. No thread is created. */
#include <cuda_runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "post_backends.h"
extern "C" { /* error.h has no C++ guard of its own */
#include "error.h"
}
#ifdef TS_POST_CUDA_GL
#include <cuda_gl_interop.h>

#include "gl_frame.h"
#endif

#define TILE 64      /* the renderer's tile side: one staging slot holds one tile */
#define MIN_SLOTS 8  /* staging slots in the ring at first */
#define MAX_SLOTS 512 /* ... and at most (32 MiB of pinned memory) */
#define BLOCK 16     /* kernels run 16x16 threads per block, one thread per pixel */
#define HALF_MAX 65504.0f /* the largest finite RGBA16F value: HDR stays within it */

/* ---- errors ------------------------------------------------------------- */

/* Fills `err` with "cuda: <the call's name>: <CUDA's words>". `call` is the
 * stringified call; only its name (up to the parenthesis) is kept. */
static ts_result cuda_fail(ts_error *err, const char *call, cudaError_t e) {
    ts_result code = e == cudaErrorMemoryAllocation ? TS_ERR_OUT_OF_MEMORY : TS_ERR_SYSTEM;
    return ts_error_set(err, code, "cuda: %.*s: %s", (int)strcspn(call, "("), call, cudaGetErrorString(e));
}

/* Every CUDA call goes through CU_TRY, in a function that returns ts_result
 * and has a `ts_error *err` in scope. */
#define CU_TRY(call)                                                                                   \
    do {                                                                                               \
        cudaError_t cu_try_e = (call);                                                                 \
        if (cu_try_e != cudaSuccess) return cuda_fail(err, #call, cu_try_e);                           \
    } while (0)

/* A kernel launch reports bad configurations through cudaGetLastError. */
static ts_result launched(const char *kernel, ts_error *err) {
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) return TS_OK;
    return ts_error_set(err, TS_ERR_SYSTEM, "cuda: kernel %s: %s", kernel, cudaGetErrorString(e));
}

/* ---- the chain, per pixel (as post_cpu.c) ------------------------------- */

/* Host and device: the kernels below are one call of these per pixel, so the
 * same code can be run on the CPU against post_cpu.c where no GPU is. */
#define HD __host__ __device__

HD static float sanitize(float v) { return !(v > 0.0f) ? 0.0f : v > HALF_MAX ? HALF_MAX : v; }
HD static float clamp01(float v) { return !(v > 0.0f) ? 0.0f : v > 1.0f ? 1.0f : v; }
HD static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
HD static float luminance(float3 c) { return 0.2126f * c.x + 0.7152f * c.y + 0.0722f * c.z; }

HD static float3 exposed(const ts_post_params &p, float4 px) {
    return make_float3(sanitize(px.x) * p.exposure, sanitize(px.y) * p.exposure, sanitize(px.z) * p.exposure);
}

HD static float3 rgb(float4 v) { return make_float3(v.x, v.y, v.z); }

/* Bilinear sample of `img` (w x h, rows of w) at (u, v) in pixel units,
 * edges clamped: docs/POST.md's filter, by hand. */
HD static float3 bilinear(const float4 *img, int w, int h, float u, float v) {
    float fu = floorf(u), fv = floorf(v);
    float tx = u - fu, ty = v - fv;
    int x0 = clampi((int)fu, 0, w - 1), x1 = clampi((int)fu + 1, 0, w - 1);
    int y0 = clampi((int)fv, 0, h - 1), y1 = clampi((int)fv + 1, 0, h - 1);
    float4 a = img[(size_t)y0 * w + x0], b = img[(size_t)y0 * w + x1];
    float4 c = img[(size_t)y1 * w + x0], d = img[(size_t)y1 * w + x1];
    float3 top = make_float3(a.x + (b.x - a.x) * tx, a.y + (b.y - a.y) * tx, a.z + (b.z - a.z) * tx);
    float3 bottom = make_float3(c.x + (d.x - c.x) * tx, c.y + (d.y - c.y) * tx, c.z + (d.z - c.z) * tx);
    return make_float3(top.x + (bottom.x - top.x) * ty, top.y + (bottom.y - top.y) * ty,
                       top.z + (bottom.z - top.z) * ty);
}

HD static float aces(float x) {
    return clamp01((x * (2.51f * x + 0.03f)) / (x * (2.43f * x + 0.59f) + 0.14f));
}

HD static float fxaa_luma(float3 c) { return sqrtf(luminance(c)); }

HD static float srgb(float v) {
    return v <= 0.0031308f ? 12.92f * v : 1.055f * powf(v, 1.0f / 2.4f) - 0.055f;
}

/* round(255 v) of v clamped to [0, 1]; through int as the C side's
 * conversion does. */
HD static unsigned char quantize(float v) { return (unsigned char)(int)(clamp01(v) * 255.0f + 0.5f); }

HD static uchar4 encode(const ts_post_params &p, float3 c, float alpha) {
    if (p.srgb) c = make_float3(srgb(clamp01(c.x)), srgb(clamp01(c.y)), srgb(clamp01(c.z)));
    return make_uchar4(quantize(c.x), quantize(c.y), quantize(c.z), quantize(alpha));
}

/* ---- kernels ------------------------------------------------------------- */

/* The frame's HDR image on the device has rows `pitch` float4s apart (the
 * width it was allocated for, which may exceed the frame's); every other
 * image is packed, rows of its own width. `p` travels by value: the
 * Gaussian's weights arrive with it, as ts_post_params_make computed them.
 *
 * Each kernel is one call of its *_px function per thread; those are inline
 * only because the host side of this file never calls them (gcc would say
 * "defined but not used" of a plain static one). */

/* Bright pass: half pixel (i, j) from its 2x2 block of exposed pixels. */
HD static inline void bright_px(const ts_post_params &p, const float4 *hdr, int pitch, int w, int h, float4 *dst,
                                int w2, int i, int j) {
    float3 sum = make_float3(0.0f, 0.0f, 0.0f);
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int x = clampi(2 * i + dx, 0, w - 1), y = clampi(2 * j + dy, 0, h - 1);
            float3 c = exposed(p, hdr[(size_t)y * pitch + x]);
            sum.x += c.x, sum.y += c.y, sum.z += c.z;
        }
    sum.x *= 0.25f, sum.y *= 0.25f, sum.z *= 0.25f;
    float l = luminance(sum);
    float keep = l > p.bloom_threshold ? (l - p.bloom_threshold) / l : 0.0f;
    dst[(size_t)j * w2 + i] = make_float4(sum.x * keep, sum.y * keep, sum.z * keep, 0.0f);
}

__global__ static void bright_kernel(ts_post_params p, const float4 *hdr, int pitch, int w, int h, float4 *dst,
                                     int w2, int h2) {
    int i = blockIdx.x * blockDim.x + threadIdx.x, j = blockIdx.y * blockDim.y + threadIdx.y;
    if (i < w2 && j < h2) bright_px(p, hdr, pitch, w, h, dst, w2, i, j);
}

/* One direction of the separable Gaussian: (dx, dy) is (1, 0) or (0, 1). */
HD static inline void blur_px(const ts_post_params &p, const float4 *src, float4 *dst, int w2, int h2, int dx,
                              int dy, int i, int j) {
    int r = p.bloom_radius;
    float3 sum = make_float3(0.0f, 0.0f, 0.0f);
    for (int t = -r; t <= r; t++) {
        int x = clampi(i + t * dx, 0, w2 - 1), y = clampi(j + t * dy, 0, h2 - 1);
        float4 s = src[(size_t)y * w2 + x];
        float wt = p.bloom_weights[t + r];
        sum.x += wt * s.x, sum.y += wt * s.y, sum.z += wt * s.z;
    }
    dst[(size_t)j * w2 + i] = make_float4(sum.x, sum.y, sum.z, 0.0f);
}

__global__ static void blur_kernel(ts_post_params p, const float4 *src, float4 *dst, int w2, int h2, int dx,
                                   int dy) {
    int i = blockIdx.x * blockDim.x + threadIdx.x, j = blockIdx.y * blockDim.y + threadIdx.y;
    if (i < w2 && j < h2) blur_px(p, src, dst, w2, h2, dx, dy, i, j);
}

/* Exposure, bloom's composite and the tone map; into `ldr` when FXAA
 * follows, else encoded straight into `out`. */
HD static inline void composite_px(const ts_post_params &p, const float4 *hdr, int pitch, int w,
                                   const float4 *bloom, int w2, int h2, float4 *ldr, uchar4 *out, int x, int y) {
    float4 px = hdr[(size_t)y * pitch + x];
    float3 c = exposed(p, px);
    if (p.bloom) {
        float3 b = bilinear(bloom, w2, h2, (float)x * 0.5f - 0.25f, (float)y * 0.5f - 0.25f);
        c.x += p.bloom_strength * b.x, c.y += p.bloom_strength * b.y, c.z += p.bloom_strength * b.z;
    }
    if (p.tonemap)
        c = make_float3(aces(c.x), aces(c.y), aces(c.z));
    else
        c = make_float3(clamp01(c.x), clamp01(c.y), clamp01(c.z));
    size_t at = (size_t)y * w + x;
    if (p.fxaa)
        ldr[at] = make_float4(c.x, c.y, c.z, 0.0f);
    else
        out[at] = encode(p, c, px.w);
}

__global__ static void composite_kernel(ts_post_params p, const float4 *hdr, int pitch, int w, int h,
                                        const float4 *bloom, int w2, int h2, float4 *ldr, uchar4 *out) {
    int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < w && y < h) composite_px(p, hdr, pitch, w, bloom, w2, h2, ldr, out, x, y);
}

/* FXAA on the tone-mapped image, then the encode. */
HD static inline void fxaa_px(const ts_post_params &p, const float4 *ldr, const float4 *hdr, int pitch, int w,
                              int h, uchar4 *out, int x, int y) {
    int ym = clampi(y - 1, 0, h - 1), yp = clampi(y + 1, 0, h - 1);
    int xm = clampi(x - 1, 0, w - 1), xp = clampi(x + 1, 0, w - 1);
    float3 m = rgb(ldr[(size_t)y * w + x]);
    float l_nw = fxaa_luma(rgb(ldr[(size_t)ym * w + xm]));
    float l_ne = fxaa_luma(rgb(ldr[(size_t)ym * w + xp]));
    float l_sw = fxaa_luma(rgb(ldr[(size_t)yp * w + xm]));
    float l_se = fxaa_luma(rgb(ldr[(size_t)yp * w + xp]));
    float l_m = fxaa_luma(m);
    float l_min = fminf(l_m, fminf(fminf(l_nw, l_ne), fminf(l_sw, l_se)));
    float l_max = fmaxf(l_m, fmaxf(fmaxf(l_nw, l_ne), fmaxf(l_sw, l_se)));
    float3 c = m;
    if (!(l_max - l_min < fmaxf(TS_FXAA_EDGE_MIN, l_max * TS_FXAA_EDGE_REL))) { /* an edge */
        float dir_x = -((l_nw + l_ne) - (l_sw + l_se));
        float dir_y = (l_nw + l_sw) - (l_ne + l_se);
        float reduce = fmaxf((l_nw + l_ne + l_sw + l_se) * (0.25f * TS_FXAA_REDUCE_MUL), TS_FXAA_REDUCE_MIN);
        float rcp_min = 1.0f / (fminf(fabsf(dir_x), fabsf(dir_y)) + reduce);
        dir_x = fminf(TS_FXAA_SPAN_MAX, fmaxf(-TS_FXAA_SPAN_MAX, dir_x * rcp_min));
        dir_y = fminf(TS_FXAA_SPAN_MAX, fmaxf(-TS_FXAA_SPAN_MAX, dir_y * rcp_min));
        float fx = (float)x, fy = (float)y;
        float3 a1 = bilinear(ldr, w, h, fx + dir_x * (1.0f / 3.0f - 0.5f), fy + dir_y * (1.0f / 3.0f - 0.5f));
        float3 a2 = bilinear(ldr, w, h, fx + dir_x * (2.0f / 3.0f - 0.5f), fy + dir_y * (2.0f / 3.0f - 0.5f));
        float3 b1 = bilinear(ldr, w, h, fx + dir_x * -0.5f, fy + dir_y * -0.5f);
        float3 b2 = bilinear(ldr, w, h, fx + dir_x * 0.5f, fy + dir_y * 0.5f);
        float3 rgb_a = make_float3(0.5f * (a1.x + a2.x), 0.5f * (a1.y + a2.y), 0.5f * (a1.z + a2.z));
        float3 rgb_b = make_float3(rgb_a.x * 0.5f + 0.25f * (b1.x + b2.x), rgb_a.y * 0.5f + 0.25f * (b1.y + b2.y),
                                   rgb_a.z * 0.5f + 0.25f * (b1.z + b2.z));
        float l_b = fxaa_luma(rgb_b);
        c = l_b < l_min || l_b > l_max ? rgb_a : rgb_b;
    }
    out[(size_t)y * w + x] = encode(p, c, hdr[(size_t)y * pitch + x].w);
}

__global__ static void fxaa_kernel(ts_post_params p, const float4 *ldr, const float4 *hdr, int pitch, int w, int h,
                                   uchar4 *out) {
    int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < w && y < h) fxaa_px(p, ldr, hdr, pitch, w, h, out, x, y);
}

/* ---- the backend's state ------------------------------------------------- */

/* Timing event pairs, grown by doubling: [2 i] before copy i, [2 i + 1]
 * after. */
typedef struct event_pool {
    cudaEvent_t *ev;
    int used, cap; /* in pairs */
} event_pool;

/* Invariants: every pointer is NULL or owned here and freed once, in
 * ts_post_cuda_destroy or where it is replaced by a larger one; a staging
 * slot is written by the host only after its event says the copy reading it
 * is done; the per-frame images and out_host are written by one frame at a
 * time (a frame starts only once the last one is finished, its read-back
 * complete), while tiles of the next frame may already be copied into the
 * HDR image behind the pending frame's chain on the stream (which orders
 * them after the kernels that read it). */
typedef struct cuda_post {
    cudaStream_t stream; /* all device work, in order */
    /* The frame's HDR image, hdr_w x hdr_h float4 (rows hdr_w apart): at
     * least as large as every frame so far; tiles land here at their (x, y). */
    float4 *hdr;
    int hdr_w, hdr_h;
    size_t tile_pixels; /* pixels uploaded since the last frame */
    /* Per-frame images, packed at the frame's size: capacities in pixels. */
    float4 *bloom, *tmp; /* half size */
    size_t half_cap;
    float4 *ldr; /* tone-mapped, FXAA's input */
    uchar4 *out;
    uint8_t *out_host; /* pinned: the readback's destination */
    size_t full_cap;
    /* The staging ring: slot s holds one tile (TILE x TILE float4, pinned)
     * and done[s] is recorded after the copy that reads it. `slots` of
     * them are made; more when every one is busy (upload_piece). */
    float4 *slot[MAX_SLOTS];
    cudaEvent_t done[MAX_SLOTS];
    int slots;
    int next; /* the slot the next tile uses: always the oldest */
    /* Device timing (cudaEvent pairs on the stream, never waited for while
     * tiles arrive: read once the frame's read-back has completed). One
     * pair per copy, from the pool of the frame the copy belongs to: two
     * pools, since the next frame's tiles arrive while this one is pending;
     * one pair around the kernels, one around the read-back. */
    event_pool copy_ev[2];
    int filling; /* the pool of the frame the tiles go to now */
    cudaEvent_t chain_ev[2], readback_ev[2];
    /* The pending frame (read back, until ts_post_cuda_finish says done):
     * where its result goes, its size and its copies' pool. */
    bool pending;
    uint8_t *pending_out;
    size_t pending_bytes;
    int pending_copies;
    ts_post_timing timing; /* the last finished frame's */
    /* ts_post_cuda_tile cannot return an error: the first one is kept here
     * and reported by the next ts_post_cuda_frame. */
    ts_result failed;
    ts_error error;
#ifdef TS_POST_CUDA_GL
    /* In a window (create's on_current_gl): frames go to gl's texture
     * through gl's buffer, registered with CUDA as gl_res and written while
     * mapped. `interop` is false when not in a window, or once the device
     * could not register the window's buffer (its GL is not the GPU's:
     * Mesa's, another vendor's): frames are then read back. */
    bool interop;
    ts_gl_frame gl;
    cudaGraphicsResource_t gl_res;
#endif
} cuda_post;

static int max_int(int a, int b) { return a > b ? a : b; }

/* Makes the device HDR image at least need_w x need_h, keeping what the
 * tiles already put there (they may be part of the frame being drawn). */
static ts_result grow_hdr(cuda_post *c, int need_w, int need_h, ts_error *err) {
    if (need_w <= c->hdr_w && need_h <= c->hdr_h) return TS_OK;
    int w = max_int(need_w, c->hdr_w), h = max_int(need_h, c->hdr_h);
    float4 *more = NULL;
    CU_TRY(cudaMalloc((void **)&more, (size_t)w * (size_t)h * sizeof *more));
    if (c->hdr) {
        cudaError_t e = cudaMemcpy2DAsync(more, (size_t)w * sizeof *more, c->hdr, (size_t)c->hdr_w * sizeof *more,
                                          (size_t)c->hdr_w * sizeof *more, (size_t)c->hdr_h,
                                          cudaMemcpyDeviceToDevice, c->stream);
        if (e == cudaSuccess) e = cudaStreamSynchronize(c->stream); /* before the old image goes */
        if (e != cudaSuccess) {
            cudaFree(more);
            return cuda_fail(err, "cudaMemcpy2DAsync", e);
        }
        CU_TRY(cudaFree(c->hdr));
    }
    c->hdr = more;
    c->hdr_w = w;
    c->hdr_h = h;
    return TS_OK;
}

/* Makes a per-frame device image hold at least `need` elements of `size`
 * bytes; its old content is not kept. On failure it is left empty. */
static ts_result reserve_device(void **buf, size_t need, size_t size, ts_error *err) {
    if (*buf) {
        void *old = *buf;
        *buf = NULL;
        CU_TRY(cudaFree(old));
    }
    CU_TRY(cudaMalloc(buf, need * size));
    return TS_OK;
}

/* The per-frame images for a w x h frame, grown when it is the largest yet. */
static ts_result reserve_frame(cuda_post *c, int w, int h, ts_error *err) {
    size_t half = (size_t)ts_post_half(w) * (size_t)ts_post_half(h), full = (size_t)w * (size_t)h;
    ts_result r;
    if (half > c->half_cap) {
        c->half_cap = 0;
        if ((r = reserve_device((void **)&c->bloom, half, sizeof(float4), err)) != TS_OK) return r;
        if ((r = reserve_device((void **)&c->tmp, half, sizeof(float4), err)) != TS_OK) return r;
        c->half_cap = half;
    }
    if (full > c->full_cap) {
        c->full_cap = 0;
        if ((r = reserve_device((void **)&c->ldr, full, sizeof(float4), err)) != TS_OK) return r;
        if ((r = reserve_device((void **)&c->out, full, sizeof(uchar4), err)) != TS_OK) return r;
        if (c->out_host) {
            uint8_t *old = c->out_host;
            c->out_host = NULL;
            CU_TRY(cudaFreeHost(old));
        }
        CU_TRY(cudaHostAlloc((void **)&c->out_host, full * 4, cudaHostAllocDefault));
        c->full_cap = full;
    }
    return TS_OK;
}

/* The next pair of timing events of `pool`, grown by doubling; NULL (the
 * copy goes untimed) when it cannot grow. */
static const cudaEvent_t *next_events(event_pool *pool) {
    if (pool->used == pool->cap) {
        int cap = pool->cap ? 2 * pool->cap : 256;
        cudaEvent_t *more = (cudaEvent_t *)realloc(pool->ev, (size_t)cap * 2 * sizeof *more);
        if (!more) return NULL;
        pool->ev = more;
        for (int i = 2 * pool->cap; i < 2 * cap; i++)
            if (cudaEventCreate(&more[i]) != cudaSuccess) {
                /* Keep the pairs made so far; this copy goes untimed. */
                (void)cudaGetLastError();
                for (int k = i & ~1; k < i; k++) cudaEventDestroy(more[k]);
                pool->cap = i / 2;
                return NULL;
            }
        pool->cap = cap;
    }
    return &pool->ev[2 * pool->used++];
}

/* cudaEventQuery: cudaErrorNotReady is an answer, not a failure, and is
 * not left behind as the thread's last error (which launched() reads). */
static cudaError_t query(cudaEvent_t ev) {
    cudaError_t e = cudaEventQuery(ev);
    if (e == cudaErrorNotReady && cudaPeekAtLastError() == cudaErrorNotReady) (void)cudaGetLastError();
    return e;
}

/* A new staging slot in the ring at index `at`, before the slot there
 * (the oldest): it becomes the newest, and the ones after it move up one.
 * False, with nothing changed, when the ring is at MAX_SLOTS or CUDA has
 * no pinned memory or event to give. */
static bool add_slot(cuda_post *c, int at) {
    if (c->slots == MAX_SLOTS) return false;
    float4 *slot = NULL;
    cudaEvent_t done = NULL;
    if (cudaHostAlloc((void **)&slot, (size_t)TILE * TILE * sizeof(float4), cudaHostAllocDefault) != cudaSuccess ||
        cudaEventCreateWithFlags(&done, cudaEventDisableTiming) != cudaSuccess) {
        (void)cudaGetLastError();
        if (slot) cudaFreeHost(slot);
        return false;
    }
    memmove(&c->slot[at + 1], &c->slot[at], (size_t)(c->slots - at) * sizeof c->slot[0]);
    memmove(&c->done[at + 1], &c->done[at], (size_t)(c->slots - at) * sizeof c->done[0]);
    c->slot[at] = slot;
    c->done[at] = done;
    c->slots++;
    return true;
}

/* Milliseconds between two completed events; 0 when CUDA cannot say. */
static double elapsed_ms(cudaEvent_t a, cudaEvent_t b) {
    float ms = 0.0f;
    if (cudaEventElapsedTime(&ms, a, b) != cudaSuccess) {
        (void)cudaGetLastError();
        return 0.0;
    }
    return (double)ms;
}

/* Copies one piece of a tile, at most TILE x TILE, through the next staging
 * slot to the device HDR image at (x, y). `src` is its top-left pixel, rows
 * `stride` floats apart.
 *
 * The ring is used in order, so the next slot is the oldest one in flight;
 * copies on one stream complete in order, so when the oldest is still busy
 * every slot is. That happens when the copies queue behind the last
 * frame's chain on the stream (a 64x64 tile alone is 64 KiB, microseconds
 * over PCIe): the ring then grows by a slot rather than make the render
 * thread wait, and it waits for the oldest copy (cudaEventSynchronize, the
 * earliest any slot can come free) only once the ring is at MAX_SLOTS. */
static ts_result upload_piece(cuda_post *c, const float *src, size_t stride, int x, int y, int w, int h,
                              ts_error *err) {
    int s = c->next;
    cudaError_t e = query(c->done[s]); /* cudaSuccess too when never recorded */
    if (e == cudaErrorNotReady && !add_slot(c, s))
        CU_TRY(cudaEventSynchronize(c->done[s]));
    else if (e != cudaSuccess && e != cudaErrorNotReady)
        return cuda_fail(err, "cudaEventQuery", e);
    c->next = (s + 1) % c->slots;
    float4 *slot = c->slot[s];
    for (int row = 0; row < h; row++)
        memcpy(&slot[(size_t)row * w], src + (size_t)row * stride, (size_t)w * sizeof *slot);
    const cudaEvent_t *ev = next_events(&c->copy_ev[c->filling]);
    if (ev) CU_TRY(cudaEventRecord(ev[0], c->stream));
    CU_TRY(cudaMemcpy2DAsync(c->hdr + (size_t)y * c->hdr_w + x, (size_t)c->hdr_w * sizeof *slot, slot,
                             (size_t)w * sizeof *slot, (size_t)w * sizeof *slot, (size_t)h, cudaMemcpyHostToDevice,
                             c->stream));
    if (ev) CU_TRY(cudaEventRecord(ev[1], c->stream));
    CU_TRY(cudaEventRecord(c->done[s], c->stream));
    return TS_OK;
}

/* Uploads a w x h rectangle of the frame (normally one tile) to (x, y),
 * growing the device HDR image when it reaches past it. */
static ts_result upload(cuda_post *c, const float *hdr, size_t stride, int x, int y, int w, int h, ts_error *err) {
    if (w <= 0 || h <= 0) return TS_OK;
    if (x < 0 || y < 0 || x > TS_MAX_FRAME_DIM - w || y > TS_MAX_FRAME_DIM - h || stride < (size_t)w * 4)
        return ts_error_set(err, TS_ERR_INVALID_ARG,
                            "cuda: a %dx%d tile at (%d, %d), rows %zu floats apart, is outside any frame", w, h, x, y,
                            stride);
    /* A tile past the image: grow it to the frame's width (the HDR target's
     * rows, `stride`, are at least that) and to whole tiles in height, so a
     * larger frame grows it once or twice, not at every tile. */
    if (x + w > c->hdr_w || y + h > c->hdr_h) {
        size_t row = stride / 4 < TS_MAX_FRAME_DIM ? stride / 4 : TS_MAX_FRAME_DIM;
        int need_h = (y + h + TILE - 1) / TILE * TILE;
        ts_result r = grow_hdr(c, max_int(x + w, (int)row), need_h < TS_MAX_FRAME_DIM ? need_h : TS_MAX_FRAME_DIM, err);
        if (r != TS_OK) return r;
    }
    for (int ty = 0; ty < h; ty += TILE)
        for (int tx = 0; tx < w; tx += TILE) {
            ts_result r = upload_piece(c, hdr + (size_t)ty * stride + (size_t)tx * 4, stride, x + tx, y + ty,
                                       w - tx < TILE ? w - tx : TILE, h - ty < TILE ? h - ty : TILE, err);
            if (r != TS_OK) return r;
        }
    c->tile_pixels += (size_t)w * (size_t)h;
    return TS_OK;
}

/* Everything create makes, after the state itself. */
static ts_result setup(cuda_post *c, int w, int h, ts_error *err) {
    CU_TRY(cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking));
    for (int s = 0; s < MIN_SLOTS; s++, c->slots++) {
        CU_TRY(cudaHostAlloc((void **)&c->slot[s], (size_t)TILE * TILE * sizeof(float4), cudaHostAllocDefault));
        CU_TRY(cudaEventCreateWithFlags(&c->done[s], cudaEventDisableTiming));
    }
    for (int i = 0; i < 2; i++) {
        CU_TRY(cudaEventCreate(&c->chain_ev[i]));
        CU_TRY(cudaEventCreate(&c->readback_ev[i]));
    }
    ts_result r = grow_hdr(c, w, h, err);
    return r != TS_OK ? r : reserve_frame(c, w, h, err);
}

/* ---- the interface (post_backends.h) ------------------------------------- */

extern "C" void ts_post_cuda_destroy(void *state) {
    cuda_post *c = (cuda_post *)state;
    if (!c) return;
    /* The copies still reading the staging slots finish first. Errors are
     * ignored here: there is no one to tell, and the frees go on. */
    if (c->stream) cudaStreamSynchronize(c->stream);
    for (int s = 0; s < MAX_SLOTS; s++) { /* all of them: a failed setup may have made one it did not count */
        if (c->done[s]) cudaEventDestroy(c->done[s]);
        if (c->slot[s]) cudaFreeHost(c->slot[s]);
    }
    for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 2 * c->copy_ev[p].cap; i++) cudaEventDestroy(c->copy_ev[p].ev[i]);
        free(c->copy_ev[p].ev);
    }
    for (int i = 0; i < 2; i++) {
        if (c->chain_ev[i]) cudaEventDestroy(c->chain_ev[i]);
        if (c->readback_ev[i]) cudaEventDestroy(c->readback_ev[i]);
    }
    cudaFree(c->hdr); /* cudaFree(NULL) does nothing */
    cudaFree(c->bloom);
    cudaFree(c->tmp);
    cudaFree(c->ldr);
    cudaFree(c->out);
    if (c->out_host) cudaFreeHost(c->out_host);
    if (c->stream) cudaStreamDestroy(c->stream);
#ifdef TS_POST_CUDA_GL
    /* On the render thread, the window's context still current (the
     * renderer destroys its backend before the presenter's `end`). */
    if (c->gl_res) cudaGraphicsUnregisterResource(c->gl_res);
    ts_gl_frame_release(&c->gl);
#endif
    free(c);
}

extern "C" ts_result ts_post_cuda_create(int w, int h, bool on_current_gl, void **state, ts_error *err) {
    *state = NULL;
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n); /* no driver, no device: an error here, never a crash */
    if (e != cudaSuccess || n == 0) {
        (void)cudaGetLastError(); /* clear it: nothing else in the process should see it */
        return ts_error_set(err, TS_ERR_UNSUPPORTED, "no CUDA device: %s",
                            cudaGetErrorString(e != cudaSuccess ? e : cudaErrorNoDevice));
    }
    if (w < 1 || h < 1 || w > TS_MAX_FRAME_DIM || h > TS_MAX_FRAME_DIM)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "cuda: a %dx%d frame is outside 1..%d", w, h, TS_MAX_FRAME_DIM);
    cuda_post *c = (cuda_post *)calloc(1, sizeof *c);
    if (!c) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "cuda: out of memory");
    ts_result r = setup(c, w, h, err);
    if (r != TS_OK) {
        ts_post_cuda_destroy(c); /* frees what setup made */
        return r;
    }
#ifdef TS_POST_CUDA_GL
    c->interop = on_current_gl;
#else
    (void)on_current_gl; /* no OpenGL in this build: a window gets frames read back */
#endif
    *state = c;
    return TS_OK;
}

extern "C" void ts_post_cuda_tile(void *state, const float *hdr, size_t stride, int x, int y, int w, int h) {
    cuda_post *c = (cuda_post *)state;
    if (c->failed != TS_OK) return; /* the frame reports the first error */
    c->failed = upload(c, hdr, stride, x, y, w, h, &c->error);
}

static dim3 grid(int w, int h) { return dim3((unsigned)(w + BLOCK - 1) / BLOCK, (unsigned)(h + BLOCK - 1) / BLOCK); }

static ts_result frame(cuda_post *c, const ts_post_params *p, int w, int h, const float *hdr, uint8_t *out,
                       unsigned *texture, ts_error *err);

extern "C" ts_result ts_post_cuda_frame(void *state, const ts_post_params *p, int w, int h, const float *hdr,
                                        uint8_t *out, unsigned *texture, bool *pending, ts_error *err) {
    cuda_post *c = (cuda_post *)state;
    memset(&c->timing, 0, sizeof c->timing);
    if (texture) *texture = 0;
    *pending = false;
    /* This frame's copies are timed in copy_ev[set]; the next frame's
     * tiles, which may come while this one is pending, use the other. */
    int set = c->filling;
    c->filling ^= 1;
    c->copy_ev[c->filling].used = 0;
    if (c->failed != TS_OK) { /* a tile's upload failed: say so, start clean */
        ts_result r = c->failed;
        if (err) *err = c->error;
        c->failed = TS_OK;
        c->tile_pixels = 0;
        return r;
    }
    ts_result r = frame(c, p, w, h, hdr, out, texture, err);
    if (r == TS_OK && c->pending) {
        c->pending_copies = set;
        *pending = true;
    }
    return r;
}

extern "C" ts_result ts_post_cuda_finish(void *state, bool wait, bool *done, ts_error *err) {
    cuda_post *c = (cuda_post *)state;
    *done = true;
    /* The read-back's end is the frame's last event: the stream has passed
     * every copy and kernel of the frame once it has passed that. */
    cudaError_t e = wait ? cudaEventSynchronize(c->readback_ev[1]) : query(c->readback_ev[1]);
    if (e == cudaErrorNotReady) {
        *done = false;
        return TS_OK;
    }
    c->pending = false;
    if (e != cudaSuccess) return cuda_fail(err, wait ? "cudaEventSynchronize" : "cudaEventQuery", e);
    memcpy(c->pending_out, c->out_host, c->pending_bytes);
    /* Every event of the frame has completed: reading them waits for nothing. */
    const event_pool *copies = &c->copy_ev[c->pending_copies];
    for (int i = 0; i < copies->used; i++) c->timing.upload_ms += elapsed_ms(copies->ev[2 * i], copies->ev[2 * i + 1]);
    c->timing.kernel_ms = elapsed_ms(c->chain_ev[0], c->chain_ev[1]);
    c->timing.readback_ms = elapsed_ms(c->readback_ev[0], c->readback_ev[1]);
    return TS_OK;
}

extern "C" void ts_post_cuda_timing(const void *state, ts_post_timing *out) {
    *out = ((const cuda_post *)state)->timing;
}

extern "C" void ts_post_cuda_describe(const void *state, char *out, size_t n) {
    (void)state;
    int dev = 0, driver = 0, runtime = 0;
    cudaDeviceProp prop;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
        (void)cudaGetLastError();
        snprintf(out, n, "CUDA device (no properties)");
        return;
    }
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    snprintf(out, n, "%s (compute %d.%d, %.1f GiB), CUDA driver %d.%d, runtime %d.%d", prop.name, prop.major,
             prop.minor, (double)prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0), driver / 1000,
             driver % 1000 / 10, runtime / 1000, runtime % 1000 / 10);
}

#ifdef TS_POST_CUDA_GL
/* The frame's 8-bit result (c->out) into the window's texture: the GL
 * buffer, mapped for CUDA, gets a device-to-device copy on the stream; the
 * unmap orders that copy before any GL work issued after it, the texture
 * fill from the buffer among it. Nothing here waits for the device. When
 * the first registration fails (this device cannot share the window's
 * context), interop is off for good and *texture stays 0: the caller reads
 * the frame back instead. */
static ts_result to_texture(cuda_post *c, int w, int h, unsigned *texture, ts_error *err) {
    size_t bytes = (size_t)w * (size_t)h * 4;
    char why[200];
    bool remade = false;
    if (!ts_gl_frame_buffer(&c->gl, bytes, &remade, why, sizeof why))
        return ts_error_set(err, TS_ERR_SYSTEM, "cuda: %s", why);
    if (remade) {
        if (c->gl_res) {
            cudaGraphicsResource_t old = c->gl_res;
            c->gl_res = NULL;
            CU_TRY(cudaGraphicsUnregisterResource(old));
        }
        cudaError_t e = cudaGraphicsGLRegisterBuffer(&c->gl_res, c->gl.buffer, cudaGraphicsRegisterFlagsWriteDiscard);
        if (e != cudaSuccess) {
            (void)cudaGetLastError();
            c->gl_res = NULL;
            c->interop = false;
            ts_gl_frame_release(&c->gl);
            return TS_OK;
        }
    }
    void *dst = NULL;
    size_t size = 0;
    CU_TRY(cudaGraphicsMapResources(1, &c->gl_res, c->stream));
    CU_TRY(cudaGraphicsResourceGetMappedPointer(&dst, &size, c->gl_res));
    if (size < bytes) {
        cudaGraphicsUnmapResources(1, &c->gl_res, c->stream);
        return ts_error_set(err, TS_ERR_SYSTEM, "cuda: the window's buffer maps %zu bytes, not %zu", size, bytes);
    }
    CU_TRY(cudaMemcpyAsync(dst, c->out, bytes, cudaMemcpyDeviceToDevice, c->stream));
    CU_TRY(cudaGraphicsUnmapResources(1, &c->gl_res, c->stream));
    if (!ts_gl_frame_fill(&c->gl, c->gl.buffer, w, h, why, sizeof why))
        return ts_error_set(err, TS_ERR_SYSTEM, "cuda: %s", why);
    *texture = c->gl.texture;
    return TS_OK;
}
#endif

/* The frame after its tiles: the rest of the upload, the chain and the
 * read-back, queued on the stream; the frame is then pending, and
 * ts_post_cuda_finish takes the result and the device's timings of it all.
 * In a window with interop, the chain's result goes to a texture instead,
 * and neither the read-back nor the timings (which would wait for the
 * device) happen. */
static ts_result frame(cuda_post *c, const ts_post_params *p, int w, int h, const float *hdr, uint8_t *out,
                       unsigned *texture, ts_error *err) {
    if (w < 1 || h < 1 || w > TS_MAX_FRAME_DIM || h > TS_MAX_FRAME_DIM)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "cuda: a %dx%d frame is outside 1..%d", w, h, TS_MAX_FRAME_DIM);
    /* Fewer pixels came as tiles than the frame has (a caller that does not
     * hand tiles over): the whole frame goes up now. */
    ts_result r = TS_OK;
    if (c->tile_pixels < (size_t)w * (size_t)h) r = upload(c, hdr, (size_t)w * 4, 0, 0, w, h, err);
    c->tile_pixels = 0;
    if (r != TS_OK || (r = reserve_frame(c, w, h, err)) != TS_OK) return r;

    int w2 = ts_post_half(w), h2 = ts_post_half(h);
    dim3 block(BLOCK, BLOCK);
    CU_TRY(cudaEventRecord(c->chain_ev[0], c->stream));
    if (p->bloom) {
        bright_kernel<<<grid(w2, h2), block, 0, c->stream>>>(*p, c->hdr, c->hdr_w, w, h, c->bloom, w2, h2);
        if ((r = launched("bright", err)) != TS_OK) return r;
        blur_kernel<<<grid(w2, h2), block, 0, c->stream>>>(*p, c->bloom, c->tmp, w2, h2, 1, 0);
        if ((r = launched("blur rows", err)) != TS_OK) return r;
        blur_kernel<<<grid(w2, h2), block, 0, c->stream>>>(*p, c->tmp, c->bloom, w2, h2, 0, 1);
        if ((r = launched("blur columns", err)) != TS_OK) return r;
    }
    composite_kernel<<<grid(w, h), block, 0, c->stream>>>(*p, c->hdr, c->hdr_w, w, h, c->bloom, w2, h2, c->ldr,
                                                          c->out);
    if ((r = launched("composite", err)) != TS_OK) return r;
    if (p->fxaa) {
        fxaa_kernel<<<grid(w, h), block, 0, c->stream>>>(*p, c->ldr, c->hdr, c->hdr_w, w, h, c->out);
        if ((r = launched("fxaa", err)) != TS_OK) return r;
    }
    CU_TRY(cudaEventRecord(c->chain_ev[1], c->stream));
#ifdef TS_POST_CUDA_GL
    if (texture && c->interop) {
        if ((r = to_texture(c, w, h, texture, err)) != TS_OK || *texture) return r;
    }
#else
    (void)texture;
#endif
    /* Headless: the result comes back through pinned memory, then out, in
     * ts_post_cuda_finish. */
    size_t bytes = (size_t)w * (size_t)h * 4;
    CU_TRY(cudaEventRecord(c->readback_ev[0], c->stream));
    CU_TRY(cudaMemcpyAsync(c->out_host, c->out, bytes, cudaMemcpyDeviceToHost, c->stream));
    CU_TRY(cudaEventRecord(c->readback_ev[1], c->stream));
    c->pending = true;
    c->pending_out = out;
    c->pending_bytes = bytes;
    return TS_OK;
}
