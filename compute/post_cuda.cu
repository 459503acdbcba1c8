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
 * The math is post_math.h's, the same per-pixel code post_cpu.c (the
 * definition) runs on the CPU, so that rounding is all that separates the
 * two (docs/POST.md). That is why
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
#include "post_math.h"
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

/* ---- errors ------------------------------------------------------------- */

/* Fills `err` with "cuda: <the call's name>: <CUDA's words>". `call` is the
 * stringified call; only its name (up to the parenthesis) is kept. */
static ts_result cuda_fail(ts_error *err, const char *call, cudaError_t e) {
    /* A failed call also leaves its error as the thread's last one; taken
     * here, so that a later kernel launch's check (launched) does not report
     * it again as its own. */
    (void)cudaGetLastError();
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

/* ---- kernels ------------------------------------------------------------- */

/* Each kernel is one call of a post_math.h function per thread: the code
 * post_cpu.c, the definition, runs on the CPU. The frame's HDR image on the
 * device has rows `pitch` pixels apart (the width it was allocated for,
 * which may exceed the frame's); every other image is packed, rows of its
 * own width. `p` travels by value: the Gaussian's weights arrive with it,
 * as ts_post_params_make computed them. */

/* Bright pass into `dst`, w2 x h2 half pixels of the w x h frame. */
__global__ static void bright_kernel(ts_post_params p, const float4 *hdr, int pitch, int w, int h, float4 *dst,
                                     int w2, int h2) {
    int i = blockIdx.x * blockDim.x + threadIdx.x, j = blockIdx.y * blockDim.y + threadIdx.y;
    if (i < w2 && j < h2)
        ts_post_store((float *)dst, (size_t)j * w2 + i, ts_post_bright_px(&p, (const float *)hdr, pitch, w, h, i, j));
}

/* One direction of the separable Gaussian: (dx, dy) is (1, 0) or (0, 1). */
__global__ static void blur_kernel(ts_post_params p, const float4 *src, float4 *dst, int w2, int h2, int dx,
                                   int dy) {
    int i = blockIdx.x * blockDim.x + threadIdx.x, j = blockIdx.y * blockDim.y + threadIdx.y;
    if (i < w2 && j < h2)
        ts_post_store((float *)dst, (size_t)j * w2 + i, ts_post_blur_px(&p, (const float *)src, w2, h2, dx, dy, i, j));
}

/* Exposure, bloom's composite and the tone map; into `ldr` when FXAA
 * follows, else encoded straight into `out`. */
__global__ static void composite_kernel(ts_post_params p, const float4 *hdr, int pitch, int w, int h,
                                        const float4 *bloom, int w2, int h2, float4 *ldr, uint32_t *out) {
    int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= w || y >= h) return;
    ts_post_rgb c = ts_post_composite_px(&p, (const float *)hdr, pitch, (const float *)bloom, w2, h2, x, y);
    size_t at = (size_t)y * w + x;
    if (p.fxaa)
        ts_post_store((float *)ldr, at, c);
    else
        out[at] = ts_post_encode(&p, c, ts_post_alpha((const float *)hdr, (size_t)y * pitch + x));
}

/* FXAA on the tone-mapped image, then the encode. */
__global__ static void fxaa_kernel(ts_post_params p, const float4 *ldr, const float4 *hdr, int pitch, int w, int h,
                                   uint32_t *out) {
    int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < w && y < h)
        out[(size_t)y * w + x] = ts_post_encode(&p, ts_post_fxaa_px((const float *)ldr, w, h, x, y),
                                                ts_post_alpha((const float *)hdr, (size_t)y * pitch + x));
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
    uint32_t *out; /* the 8-bit result, RGBA packed as ts_post_encode makes it */
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
    float4 *old = c->hdr;
    if (old) {
        const char *call = "cudaMemcpy2DAsync";
        cudaError_t e = cudaMemcpy2DAsync(more, (size_t)w * sizeof *more, old, (size_t)c->hdr_w * sizeof *more,
                                          (size_t)c->hdr_w * sizeof *more, (size_t)c->hdr_h,
                                          cudaMemcpyDeviceToDevice, c->stream);
        if (e == cudaSuccess) {
            call = "cudaStreamSynchronize";
            e = cudaStreamSynchronize(c->stream); /* before the old image goes */
        }
        if (e != cudaSuccess) {
            cudaFree(more);
            return cuda_fail(err, call, e);
        }
    }
    /* The new image is the one from here, whatever the free of the old says. */
    c->hdr = more;
    c->hdr_w = w;
    c->hdr_h = h;
    if (old) CU_TRY(cudaFree(old));
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

/* The per-frame images for a w x h frame, grown when it is the largest yet.
 * The frame before may still be running on the stream (in a window nothing
 * waits for it), so the stream is drained before its images are freed:
 * only when a frame is the largest yet. */
static ts_result reserve_frame(cuda_post *c, int w, int h, ts_error *err) {
    size_t half = (size_t)ts_post_half(w) * (size_t)ts_post_half(h), full = (size_t)w * (size_t)h;
    ts_result r;
    if (half > c->half_cap || full > c->full_cap) CU_TRY(cudaStreamSynchronize(c->stream));
    if (half > c->half_cap) {
        c->half_cap = 0;
        if ((r = reserve_device((void **)&c->bloom, half, sizeof(float4), err)) != TS_OK) return r;
        if ((r = reserve_device((void **)&c->tmp, half, sizeof(float4), err)) != TS_OK) return r;
        c->half_cap = half;
    }
    if (full > c->full_cap) {
        c->full_cap = 0;
        if ((r = reserve_device((void **)&c->ldr, full, sizeof(float4), err)) != TS_OK) return r;
        if ((r = reserve_device((void **)&c->out, full, sizeof(uint32_t), err)) != TS_OK) return r;
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
        if (slot) cudaFreeHost(slot);
        (void)cudaGetLastError(); /* neither failure is a kernel's, for launched() to report */
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
    /* The slot's event first, straight after its copy: until it is
     * recorded, done[s] still says the slot's previous copy, long complete,
     * and the slot would look free while this copy has yet to read it. So
     * when the record fails the copy is waited for here. */
    e = cudaEventRecord(c->done[s], c->stream);
    if (e != cudaSuccess) {
        cudaStreamSynchronize(c->stream);
        return cuda_fail(err, "cudaEventRecord", e);
    }
    if (ev) CU_TRY(cudaEventRecord(ev[1], c->stream));
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
     * rows, `stride`, are at least that) and in height to whole tiles, at
     * least twice the height it had: tiles arrive row by row, and a frame
     * taller than the last must not grow it (a copy of the image and a
     * wait for the stream) at every row of tiles. */
    if (x + w > c->hdr_w || y + h > c->hdr_h) {
        size_t row = stride / 4 < TS_MAX_FRAME_DIM ? stride / 4 : TS_MAX_FRAME_DIM;
        int need_h = (y + h + TILE - 1) / TILE * TILE;
        if (y + h > c->hdr_h) need_h = max_int(need_h, 2 * c->hdr_h);
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

/* Asks for each kernel's code for this device: machine code the build
 * made for it, or PTX its driver can compile. A device older than the
 * build's architectures, or a driver older than its PTX, is then a backend
 * that cannot run, found here rather than at the first frame's launch; and
 * the module is loaded now (CUDA loads it lazily), not during a frame. */
static ts_result load_kernels(ts_error *err) {
    static const struct {
        const void *fn;
        const char *name;
    } kernels[] = {{(const void *)bright_kernel, "bright"},
                   {(const void *)blur_kernel, "blur"},
                   {(const void *)composite_kernel, "composite"},
                   {(const void *)fxaa_kernel, "fxaa"}};
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        cudaFuncAttributes attr;
        cudaError_t e = cudaFuncGetAttributes(&attr, kernels[i].fn);
        if (e != cudaSuccess) {
            (void)cudaGetLastError();
            return ts_error_set(err, TS_ERR_UNSUPPORTED, "cuda: the %s kernel cannot run on this device: %s",
                                kernels[i].name, cudaGetErrorString(e));
        }
    }
    return TS_OK;
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
    /* The device's context is made by the first call that needs one: here,
     * so that a device this process cannot use (a compute mode that keeps
     * it for another process, memory the driver cannot map, as under
     * AddressSanitizer's shadow gap) is a backend that cannot run, which
     * falls back to cpu, not a renderer that fails. */
    e = cudaFree(0);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        return ts_error_set(err, TS_ERR_UNSUPPORTED, "the CUDA device cannot be used: cudaFree(0): %s",
                            cudaGetErrorString(e));
    }
    if (w < 1 || h < 1 || w > TS_MAX_FRAME_DIM || h > TS_MAX_FRAME_DIM)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "cuda: a %dx%d frame is outside 1..%d", w, h, TS_MAX_FRAME_DIM);
    cuda_post *c = (cuda_post *)calloc(1, sizeof *c);
    if (!c) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "cuda: out of memory");
    ts_result r = load_kernels(err);
    if (r == TS_OK) r = setup(c, w, h, err);
    if (r != TS_OK) {
        ts_post_cuda_destroy(c); /* frees what setup made */
        /* The caller falls back to cpu: a device that gives a context but
         * not what the backend needs (its memory taken by other processes,
         * pinned memory refused, no code for it) is one it cannot run on. */
        if (err) err->code = TS_ERR_UNSUPPORTED;
        return TS_ERR_UNSUPPORTED;
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
    /* This frame's copies are timed in copy_ev[set], those frame() makes
     * too (the whole frame, when it came without tiles); the next frame's
     * tiles, which may come while this one is pending, use the other. */
    int set = c->filling;
    ts_result r = c->failed;
    if (r != TS_OK) { /* a tile's upload failed: say so, start clean */
        if (err) *err = c->error;
        c->failed = TS_OK;
        c->tile_pixels = 0;
    } else {
        r = frame(c, p, w, h, hdr, out, texture, err);
    }
    c->filling ^= 1;
    c->copy_ev[c->filling].used = 0;
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
    (void)cudaGetLastError(); /* a version that could not be had is 0.0, not a kernel's error later */
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
    /* A larger frame gets a new buffer (ts_gl_frame_buffer deletes the old
     * one): its registration goes first, while the buffer still exists. */
    if (c->gl_res && bytes > c->gl.buffer_bytes) {
        cudaGraphicsResource_t old = c->gl_res;
        c->gl_res = NULL;
        CU_TRY(cudaGraphicsUnregisterResource(old));
    }
    if (!ts_gl_frame_buffer(&c->gl, bytes, &remade, why, sizeof why))
        return ts_error_set(err, TS_ERR_SYSTEM, "cuda: %s", why);
    if (remade) {
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
    /* Mapped: every way out unmaps, or the next frame's map fails. */
    ts_result r = TS_OK;
    cudaError_t e = cudaGraphicsResourceGetMappedPointer(&dst, &size, c->gl_res);
    if (e != cudaSuccess)
        r = cuda_fail(err, "cudaGraphicsResourceGetMappedPointer", e);
    else if (size < bytes)
        r = ts_error_set(err, TS_ERR_SYSTEM, "cuda: the window's buffer maps %zu bytes, not %zu", size, bytes);
    else if ((e = cudaMemcpyAsync(dst, c->out, bytes, cudaMemcpyDeviceToDevice, c->stream)) != cudaSuccess)
        r = cuda_fail(err, "cudaMemcpyAsync", e);
    e = cudaGraphicsUnmapResources(1, &c->gl_res, c->stream);
    if (r != TS_OK) {
        if (e != cudaSuccess) (void)cudaGetLastError(); /* the first error is the one reported */
        return r;
    }
    if (e != cudaSuccess) return cuda_fail(err, "cudaGraphicsUnmapResources", e);
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
