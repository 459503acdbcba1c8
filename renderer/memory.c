/* memory.c — the renderer's memory budget: how many bytes the frame-sized
 * buffers of a size take on either path, and the most the renderer may
 * allocate. ts_renderer_create and ts_renderer_resize refuse a size over
 * the budget before they allocate anything, so a frame too large for the
 * machine is a clear error up front, never an allocation failing half-way
 * or the kernel's OOM killer later. */
#define _POSIX_C_SOURCE 200809L
#include "renderer_internal.h"

#include "cgroup.h"
#include "tile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Bytes of what depends on the frame size. The tiled path keeps two frame
 * targets (8-bit pixels; float depth when kept; float RGBA HDR color with
 * post-processing), its per-tile state (ts_tiled_tile_bytes) and each batch
 * keeps an offset per tile
 * (counted for one batch: the model decides how many there are); the
 * reference path one frame of float RGBA color and float depth per sample,
 * the 8-bit pixels, the resolved depth with multisampling and the HDR
 * color. With post-processing the chain's scratch comes on top. The sums
 * stay far inside 64 bits: 16384^2 pixels times at most 96 bytes. */
uint64_t ts_frame_bytes(bool reference, int width, int height, int samples, bool keep_depth, bool post) {
    const uint64_t n = (uint64_t)width * (uint64_t)height;
    const uint64_t tiles = (uint64_t)((width + TS_TILE - 1) / TS_TILE) * (uint64_t)((height + TS_TILE - 1) / TS_TILE);
    uint64_t bytes;
    if (reference) {
        bytes = n * (uint64_t)samples * (4 * sizeof(float) + sizeof(float)) + n * 4;
        if (samples > 1) bytes += n * sizeof(float);
        if (post) bytes += n * 4 * sizeof(float);
    } else {
        uint64_t target = n * 4;
        if (keep_depth) target += n * sizeof(float);
        if (post) target += n * 4 * sizeof(float);
        bytes = 2 * target + tiles * ts_tiled_tile_bytes(post) + (tiles + 1) * sizeof(uint32_t);
    }
    if (post) bytes += (uint64_t)ts_post_cpu_scratch_floats(width, height) * sizeof(float);
    return bytes;
}

/* "12345 bytes", or with the size in MiB or GiB beside it. */
void ts_format_bytes(uint64_t bytes, char *out, size_t size) {
    if (bytes >= (1ull << 30))
        snprintf(out, size, "%llu bytes (%.1f GiB)", (unsigned long long)bytes, (double)bytes / (double)(1ull << 30));
    else if (bytes >= (1ull << 20))
        snprintf(out, size, "%llu bytes (%.1f MiB)", (unsigned long long)bytes, (double)bytes / (double)(1ull << 20));
    else
        snprintf(out, size, "%llu bytes", (unsigned long long)bytes);
}

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static bool parse_bytes(const char *s, uint64_t *out) {
    if (!s || *s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    else if (*end == 'M' || *end == 'm') shift = 20;
    else if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (*end != '\0' || v == 0 || v > (~0ull >> shift)) return false;
    *out = (uint64_t)v << shift;
    return true;
}

ts_result ts_memory_limit(uint64_t asked, ts_memory_budget *out, ts_error *err) {
    if (asked) {
        out->limit = asked;
        out->source = "ts_renderer_desc.max_memory";
        out->chosen = true;
        return TS_OK;
    }
    const char *env = getenv("TESSERA_MAX_MEMORY");
    if (env && *env) {
        if (!parse_bytes(env, &out->limit))
            return ts_error_set(err, TS_ERR_INVALID_ARG,
                                "TESSERA_MAX_MEMORY=%s: expected a number of bytes above 0, optionally "
                                "followed by K, M or G",
                                env);
        out->source = "TESSERA_MAX_MEMORY";
        out->chosen = true;
        return TS_OK;
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    out->limit = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : ~(uint64_t)0;
    out->source = "the machine's physical memory";
    out->chosen = false;
    uint64_t cg;
    const char *source;
    if (ts_cgroup_memory(TS_CGROUP_ROOT, &cg, &source) && cg < out->limit) {
        out->limit = cg;
        out->source = source;
    }
    return TS_OK;
}

ts_result ts_memory_check(const ts_memory_budget *b, uint64_t held, uint64_t need, int width, int height,
                          ts_error *err) {
    if (need <= b->limit && held <= b->limit - need) return TS_OK;
    char need_s[64], limit_s[64], held_s[64];
    ts_format_bytes(need, need_s, sizeof need_s);
    ts_format_bytes(b->limit, limit_s, sizeof limit_s);
    if (held == 0)
        return ts_error_set(err, TS_ERR_OUT_OF_MEMORY,
                            "a %dx%d frame needs %s of frame buffers, more than the limit of %s (%s)", width,
                            height, need_s, limit_s, b->source);
    ts_format_bytes(held, held_s, sizeof held_s);
    return ts_error_set(err, TS_ERR_OUT_OF_MEMORY,
                        "resizing to %dx%d needs %s of new frame buffers while the old %s are still held, "
                        "more than the limit of %s (%s): the renderer stays as it is",
                        width, height, need_s, held_s, limit_s, b->source);
}
