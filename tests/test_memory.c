/* test_memory.c — the memory budget: ts_renderer_create and
 * ts_renderer_resize refuse a size whose frame buffers exceed the limit
 * (ts_renderer_desc.max_memory, TESSERA_MAX_MEMORY) before allocating
 * anything, with a message naming the bytes needed and the limit; a refused
 * resize leaves the renderer drawing at its old size. Then allocations made
 * to fail half-way (an address-space limit, so that the first new frame
 * target fits and the second does not): the call fails cleanly, the old
 * state stays, and the address space comes back (nothing leaked). That part
 * needs a process without sanitizers (they reserve terabytes of address
 * space) and says so when it is skipped; LeakSanitizer covers the rest. */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test_check.h"
#include "test_sanitizer.h"

#define SANITIZED (TS_TEST_ASAN || TS_TEST_TSAN)

static ts_model cube;

/* Draws the cube and returns a copy of the frame (free it). */
static uint8_t *draw_copy(ts_renderer *r) {
    ts_error err;
    ts_view_desc view = {.yaw_deg = 30, .pitch_deg = 20};
    ts_result res = ts_renderer_draw(r, &cube, &view, &err);
    CHECK(res == TS_OK, "draw: %s", err.message);
    int w, h;
    ts_renderer_size(r, &w, &h);
    size_t n = (size_t)w * (size_t)h * 4;
    uint8_t *copy = malloc(n);
    memcpy(copy, ts_renderer_pixels(r), n);
    return copy;
}

static bool contains(const char *s, const char *part) { return strstr(s, part) != NULL; }

/* The limit and the refusal, on one path and setting. */
static void check_budget(ts_renderer_desc desc, const char *what) {
    desc.width = 320;
    desc.height = 200;
    const uint64_t need = ts_renderer_frame_memory(&desc);
    CHECK(need >= 320u * 200u * 4u, "%s: %llu bytes for 320x200", what, (unsigned long long)need);

    /* One byte short: refused, nothing made, the message names both. */
    ts_error err = {0};
    ts_renderer *r = (ts_renderer *)&err; /* must be set to NULL */
    desc.max_memory = need - 1;
    ts_result res = ts_renderer_create(&desc, &r, &err);
    char need_s[32], limit_s[32];
    snprintf(need_s, sizeof need_s, "%llu bytes", (unsigned long long)need);
    snprintf(limit_s, sizeof limit_s, "%llu bytes", (unsigned long long)(need - 1));
    CHECK(res == TS_ERR_OUT_OF_MEMORY && r == NULL, "%s: create over the limit gave %d", what, (int)res);
    CHECK(contains(err.message, "320x200") && contains(err.message, need_s) && contains(err.message, limit_s) &&
              contains(err.message, "max_memory"),
          "%s: message '%s'", what, err.message);

    /* Exactly enough: made. */
    desc.max_memory = need;
    res = ts_renderer_create(&desc, &r, &err);
    CHECK(res == TS_OK, "%s: create with exactly enough: %s", what, err.message);
    ts_renderer_destroy(r);

    /* A resize needs the old and the new together: exactly that is enough,
     * a byte less is refused. */
    const uint64_t need_big = ts_renderer_frame_memory(&(ts_renderer_desc){
        .width = 640, .height = 400, .reference = desc.reference, .msaa = desc.msaa,
        .keep_depth = desc.keep_depth, .post = desc.post});
    desc.max_memory = need + need_big;
    res = ts_renderer_create(&desc, &r, &err);
    CHECK(res == TS_OK, "%s: create: %s", what, err.message);
    if (res == TS_OK) {
        res = ts_renderer_resize(r, 640, 400, &err);
        CHECK(res == TS_OK, "%s: resize with exactly enough: %s", what, err.message);
        ts_renderer_destroy(r);
    }
    desc.max_memory = need + need_big - 1;
    res = ts_renderer_create(&desc, &r, &err);
    CHECK(res == TS_OK, "%s: create at the limit: %s", what, err.message);
    if (res != TS_OK) return;
    uint8_t *before = draw_copy(r);
    res = ts_renderer_resize(r, 640, 400, &err);
    CHECK(res == TS_ERR_OUT_OF_MEMORY, "%s: resize over the limit gave %d", what, (int)res);
    CHECK(contains(err.message, "640x400") && contains(err.message, "still held") &&
              contains(err.message, "stays"),
          "%s: message '%s'", what, err.message);
    int w = 0, h = 0;
    ts_renderer_size(r, &w, &h);
    CHECK(w == 320 && h == 200, "%s: size after a refused resize %dx%d", what, w, h);
    uint8_t *after = draw_copy(r);
    CHECK(memcmp(before, after, 320u * 200u * 4u) == 0, "%s: the frame changed after a refused resize", what);
    free(after);
    /* Smaller fits beside the old. */
    res = ts_renderer_resize(r, 160, 100, &err);
    CHECK(res == TS_OK, "%s: resize under the limit: %s", what, err.message);
    free(draw_copy(r));
    ts_renderer_destroy(r);
    free(before);
}

static void check_env(void) {
    ts_error err = {0};
    ts_renderer *r = NULL;
    setenv("TESSERA_MAX_MEMORY", "1M", 1);
    ts_result res = ts_renderer_create(&(ts_renderer_desc){.width = 1024, .height = 1024}, &r, &err);
    CHECK(res == TS_ERR_OUT_OF_MEMORY && contains(err.message, "TESSERA_MAX_MEMORY") &&
              contains(err.message, "1048576 bytes"),
          "TESSERA_MAX_MEMORY=1M: %d '%s'", (int)res, err.message);
    /* The desc's own limit wins over the environment. */
    res = ts_renderer_create(&(ts_renderer_desc){.width = 1024, .height = 1024, .max_memory = 1ull << 30}, &r,
                             &err);
    CHECK(res == TS_OK, "max_memory over TESSERA_MAX_MEMORY: %s", err.message);
    ts_renderer_destroy(r);
    static const char *const bad[] = {"lots", "-5", "0", "12T", "1MB", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("TESSERA_MAX_MEMORY", bad[i], 1);
        res = ts_renderer_create(&(ts_renderer_desc){.width = 64, .height = 64}, &r, &err);
        CHECK(res == TS_ERR_INVALID_ARG && contains(err.message, "TESSERA_MAX_MEMORY") &&
                  contains(err.message, bad[i]),
              "TESSERA_MAX_MEMORY=%s: %d '%s'", bad[i], (int)res, err.message);
    }
    unsetenv("TESSERA_MAX_MEMORY");
    /* The machine's own limit: 16384x16384 with everything kept needs
     * over 30 GiB on the reference path with 4 samples (no overflow on
     * the way). On a machine with less memory than that the answer is a
     * refusal up front; on a bigger one this does not allocate it. */
    ts_renderer_desc huge = {.width = 16384, .height = 16384, .reference = true, .msaa = 4, .keep_depth = true,
                             .post = {.backend = TS_POST_CPU}};
    uint64_t need = ts_renderer_frame_memory(&huge);
    CHECK(need > (30ull << 30), "16384^2 reference msaa 4: %llu bytes", (unsigned long long)need);
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t physical = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    if (physical && need > physical) {
        r = (ts_renderer *)&err; /* must be set to NULL */
        res = ts_renderer_create(&huge, &r, &err);
        CHECK(res == TS_ERR_OUT_OF_MEMORY && r == NULL && contains(err.message, "16384x16384"),
              "16384^2 on a machine of %llu bytes: %d '%s'", (unsigned long long)physical, (int)res, err.message);
        if (res == TS_OK) ts_renderer_destroy(r);
    } else {
        printf("note: this machine has the %llu bytes of a 16384^2 reference frame with 4 samples; not made\n",
               (unsigned long long)need);
    }
}

/* The address space this process has reserved, in bytes. */
static uint64_t vm_size(void) {
    unsigned long long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1) pages = 0;
        fclose(f);
    }
    return pages * 4096ull;
}

/* Allocation failing half-way through a resize and a create. */
static void check_half_way(bool reference) {
    const char *what = reference ? "reference" : "tiled";
    ts_error err = {0};
    ts_renderer *r = NULL;
    ts_renderer_desc desc = {.width = 256, .height = 256, .threads = 2, .reference = reference,
                             .max_memory = 1ull << 40};
    ts_result res = ts_renderer_create(&desc, &r, &err);
    CHECK(res == TS_OK, "%s: %s", what, err.message);
    if (res != TS_OK) return;
    uint8_t *before = draw_copy(r);
    /* Warm up malloc's arenas, so that the baseline holds them. */
    res = ts_renderer_resize(r, 512, 512, &err);
    CHECK(res == TS_OK, "%s: %s", what, err.message);
    res = ts_renderer_resize(r, 256, 256, &err);
    free(draw_copy(r));

    /* 8192x8192: 256 MiB of 8-bit pixels per target (1 GiB of color on
     * the reference path). Room for about one and a half targets, so the
     * first allocation succeeds and a later one fails. */
    const uint64_t target = 8192ull * 8192ull * 4ull;
    struct rlimit old_lim, lim;
    getrlimit(RLIMIT_AS, &old_lim);
    const uint64_t base = vm_size();
    lim = old_lim;
    lim.rlim_cur = (rlim_t)(base + target + target / 2);
    CHECK(setrlimit(RLIMIT_AS, &lim) == 0, "setrlimit");
    res = ts_renderer_resize(r, 8192, 8192, &err);
    uint64_t after_vm = vm_size();
    /* A new renderer failing half-way through its buffers. */
    ts_renderer *r2 = (ts_renderer *)&err;
    ts_result res2 = ts_renderer_create(&(ts_renderer_desc){.width = 8192, .height = 8192, .reference = reference,
                                                            .threads = 2, .max_memory = 1ull << 40},
                                        &r2, &err);
    uint64_t after_create_vm = vm_size();
    setrlimit(RLIMIT_AS, &old_lim);

    CHECK(res == TS_ERR_OUT_OF_MEMORY, "%s: resize past the address-space limit gave %d", what, (int)res);
    CHECK(after_vm <= base + target / 4, "%s: %llu bytes of address space kept after a failed resize", what,
          (unsigned long long)(after_vm - base));
    CHECK(res2 != TS_OK && r2 == NULL, "%s: create past the address-space limit gave %d", what, (int)res2);
    CHECK(after_create_vm <= base + target / 4, "%s: %llu bytes of address space kept after a failed create",
          what, (unsigned long long)(after_create_vm - base));
    int w = 0, h = 0;
    ts_renderer_size(r, &w, &h);
    CHECK(w == 256 && h == 256, "%s: size after a failed resize %dx%d", what, w, h);
    uint8_t *after = draw_copy(r);
    CHECK(memcmp(before, after, 256u * 256u * 4u) == 0, "%s: the frame changed after a failed resize", what);
    free(after);
    free(before);
    ts_renderer_destroy(r);
}

/* The fast path's HDR targets are made at the first draw that stores HDR
 * color: that draw is refused, cleanly, when they do not fit, and the next
 * one, with room, draws; a chain run inside the tile store (no bloom, no
 * FXAA) never makes them. */
static void check_hdr_at_draw(void) {
    const int size = 4096; /* 256 MiB of HDR color per target */
    const uint64_t hdr = (uint64_t)size * size * 4 * sizeof(float);
    const ts_post_desc chains[2] = {{.backend = TS_POST_CPU},
                                    {.backend = TS_POST_CPU, .no_bloom = true, .no_fxaa = true}};
    for (int fused = 0; fused <= 1; fused++) {
        const char *what = fused ? "post cpu, chain in the store" : "post cpu, whole chain";
        ts_error err = {0};
        ts_renderer *r = NULL;
        ts_renderer_desc desc = {.width = size, .height = size, .threads = 2, .post = chains[fused],
                                 .max_memory = 1ull << 40};
        const uint64_t vm_before = vm_size();
        ts_result res = ts_renderer_create(&desc, &r, &err);
        CHECK(res == TS_OK, "%s: %s", what, err.message);
        if (res != TS_OK) continue;
        struct rlimit old_lim, lim;
        getrlimit(RLIMIT_AS, &old_lim);
        lim = old_lim;
        lim.rlim_cur = (rlim_t)(vm_size() + hdr / 2);
        CHECK(setrlimit(RLIMIT_AS, &lim) == 0, "setrlimit");
        ts_view_desc view = {.yaw_deg = 30, .pitch_deg = 20};
        res = ts_renderer_draw(r, &cube, &view, &err);
        setrlimit(RLIMIT_AS, &old_lim);
        if (fused) {
            CHECK(res == TS_OK, "%s: a draw without room for HDR targets: %s", what, err.message);
            /* Two targets of 8-bit pixels are 128 MiB; with HDR, 640. */
            CHECK(vm_size() - vm_before < hdr, "%s: %llu bytes of address space for a %dx%d renderer", what,
                  (unsigned long long)(vm_size() - vm_before), size, size);
        } else {
            CHECK(res == TS_ERR_OUT_OF_MEMORY && contains(err.message, "HDR target") &&
                      contains(err.message, "4096x4096"),
                  "%s: a draw without room for its HDR target gave %d '%s'", what, (int)res, err.message);
            res = ts_renderer_draw(r, &cube, &view, &err);
            CHECK(res == TS_OK, "%s: the draw after, with room: %s", what, err.message);
        }
        ts_renderer_destroy(r);
    }
}

int main(void) {
    ts_error err;
    unsetenv("TESSERA_MAX_MEMORY");
    if (ts_model_builtin("cube", &cube, &err) != TS_OK) {
        printf("cube: %s\n", err.message);
        return 1;
    }
    check_budget((ts_renderer_desc){0}, "tiled");
    check_budget((ts_renderer_desc){.threads = 3, .msaa = 4, .keep_depth = true}, "tiled msaa 4 depth");
    check_budget((ts_renderer_desc){.post = {.backend = TS_POST_CPU}}, "tiled post cpu");
    check_budget((ts_renderer_desc){.reference = true}, "reference");
    check_budget((ts_renderer_desc){.reference = true, .msaa = 4, .keep_depth = true,
                                    .post = {.backend = TS_POST_CPU}},
                 "reference msaa 4 depth post");
    check_env();
    if (SANITIZED) {
        printf("half-way allocation failures: skipped under a sanitizer (it reserves the address space "
               "the test limits); the release build runs them\n");
    } else {
        check_half_way(false);
        check_half_way(true);
        check_hdr_at_draw();
    }
    ts_model_free(&cube);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
