/* test_post_timing.c — what a frame's stats say of its post-processing
 * (ts_frame_stats.post_upload_ms, post_kernel_ms, post_readback_ms; 0: not
 * measured), and the whole-frame upload setting (ts_post_desc.upload),
 * through the renderer on both frame paths:
 *   none       every figure 0
 *   cpu        the chain's host time as post_kernel_ms; no copies, so no
 *              upload or read-back
 *   gl, cuda   upload, kernels and read-back all measured, per tile and as a
 *              whole frame, and the whole-frame upload gives the very pixels
 *              the per-tile one does
 * and a bad upload mode or a backend that runs nowhere refused with a
 * message naming it.
 *
 *   test_post_timing BACKEND    (cpu, gl or cuda; cpu also checks none)
 *
 * Exit 77 (CTest's skip) when the backend cannot run here, with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"
#include "test_check.h"

#define W 200 /* 4 x 3 tiles, the last column and row cut short */
#define H 130
#define FRAMES 3

/* Renders FRAMES frames; returns the last one's stats, and its pixels in
 * `px` (W*H*4 bytes) when not NULL. False when the backend asked for is
 * not the one that ran (`why` says why). */
static bool render(const ts_model *m, ts_post_desc post, bool reference, ts_frame_stats *st, uint8_t *px,
                   char *why, size_t n) {
    ts_renderer_desc d = {.width = W, .height = H, .threads = 2, .reference = reference, .post = post};
    ts_renderer *r = NULL;
    ts_error err = {0};
    CHECK(ts_renderer_create(&d, &r, &err) == TS_OK, "create: %s", err.message);
    if (!r) return false;
    const char *note = "";
    if (ts_renderer_post(r, &note) != post.backend) {
        snprintf(why, n, "%s", note);
        ts_renderer_destroy(r);
        return false;
    }
    for (int i = 0; i < FRAMES; i++) {
        ts_view_desc view = {.yaw_deg = 30.0f * (float)i};
        CHECK(ts_renderer_draw(r, m, &view, &err) == TS_OK, "draw: %s", err.message);
    }
    ts_renderer_stats(r, st);
    if (px) memcpy(px, ts_renderer_pixels(r), (size_t)W * H * 4);
    ts_renderer_destroy(r);
    return true;
}

static void check_none_and_cpu(const ts_model *m) {
    char why[1024];
    for (int ref = 0; ref < 2; ref++) {
        const char *path = ref ? "reference" : "tiled";
        ts_frame_stats st = {0};
        bool drawn = render(m, (ts_post_desc){0}, ref, &st, NULL, why, sizeof why);
        CHECK(drawn, "none: %s", why);
        if (drawn)
            CHECK(st.post_ms == 0.0 && st.post_upload_ms == 0.0 && st.post_kernel_ms == 0.0 &&
                      st.post_readback_ms == 0.0,
                  "%s, none: post %g, upload %g, kernel %g, readback %g: expected all 0", path, st.post_ms,
                  st.post_upload_ms, st.post_kernel_ms, st.post_readback_ms);
        CHECK(st.post_backend == TS_POST_NONE, "%s, none: post_backend %s", path,
              ts_post_backend_name(st.post_backend));
        CHECK(render(m, (ts_post_desc){.backend = TS_POST_CPU}, ref, &st, NULL, why, sizeof why), "cpu: %s", why);
        CHECK(st.post_backend == TS_POST_CPU, "%s, cpu: post_backend %s", path, ts_post_backend_name(st.post_backend));
        CHECK(st.post_kernel_ms > 0.0 && st.post_kernel_ms <= st.post_ms,
              "%s, cpu: kernel %g ms, post %g ms: the chain's host time, within the post time", path,
              st.post_kernel_ms, st.post_ms);
        CHECK(st.post_upload_ms == 0.0 && st.post_readback_ms == 0.0,
              "%s, cpu: upload %g, readback %g: the cpu chain copies nothing", path, st.post_upload_ms,
              st.post_readback_ms);
    }
    char desc[256];
    ts_error err = {0};
    CHECK(ts_post_backend_describe(TS_POST_CPU, desc, sizeof desc, &err) == TS_OK && !strcmp(desc, "cpu"),
          "describe cpu: '%s' (%s)", desc, err.message);
    CHECK(ts_post_backend_describe(TS_POST_NONE, desc, sizeof desc, &err) == TS_ERR_INVALID_ARG &&
              strstr(err.message, "none"),
          "describe none should be refused, naming it: '%s'", err.message);
}

/* A GPU backend: the three figures measured in both upload modes, the
 * same pixels from both. Returns false when it cannot run here. */
static bool check_gpu(const ts_model *m, ts_post_backend b, char *why, size_t n) {
    ts_error err = {0};
    char desc[512];
    if (ts_post_backend_describe(b, desc, sizeof desc, &err) != TS_OK) {
        snprintf(why, n, "%s", err.message);
        return false;
    }
    CHECK(desc[0] != '\0', "%s: an empty description", ts_post_backend_name(b));
    printf("%s: %s\n", ts_post_backend_name(b), desc);
    uint8_t *px[2] = {malloc((size_t)W * H * 4), malloc((size_t)W * H * 4)};
    CHECK(px[0] && px[1], "out of memory");
    for (int ref = 0; ref < 2 && px[0] && px[1]; ref++) {
        for (int mode = 0; mode < 2; mode++) {
            const char *what = mode ? "whole frame" : "per tile";
            ts_post_desc post = {.backend = b, .upload = mode ? TS_POST_UPLOAD_FRAME : TS_POST_UPLOAD_TILES};
            ts_frame_stats st;
            if (!render(m, post, ref, &st, px[mode], why, n)) {
                free(px[0]);
                free(px[1]);
                return false;
            }
            printf("%s, %s, %s: post %.3f ms; upload %.3f, kernels %.3f, read-back %.3f ms on the device\n",
                   ts_post_backend_name(b), ref ? "reference" : "tiled", what, st.post_ms, st.post_upload_ms,
                   st.post_kernel_ms, st.post_readback_ms);
            CHECK(st.post_backend == b, "%s, %s: the frame was made by %s", ts_post_backend_name(b), what,
                  ts_post_backend_name(st.post_backend));
            CHECK(st.post_upload_ms > 0.0 && st.post_kernel_ms > 0.0 && st.post_readback_ms > 0.0,
                  "%s, %s: upload %g, kernel %g, readback %g ms: expected all measured", ts_post_backend_name(b), what,
                  st.post_upload_ms, st.post_kernel_ms, st.post_readback_ms);
        }
        CHECK(memcmp(px[0], px[1], (size_t)W * H * 4) == 0,
              "%s, %s: the whole-frame upload's pixels differ from the per-tile upload's", ts_post_backend_name(b),
              ref ? "reference" : "tiled");
    }
    free(px[0]);
    free(px[1]);
    return true;
}

static void check_bad_upload(const ts_model *m) {
    (void)m;
    ts_renderer_desc d = {.width = W, .height = H, .post = {.backend = TS_POST_CPU, .upload = (ts_post_upload)7}};
    ts_renderer *r = NULL;
    ts_error err = {0};
    CHECK(ts_renderer_create(&d, &r, &err) == TS_ERR_INVALID_ARG && strstr(err.message, "upload mode 7"),
          "upload mode 7: got '%s'", err.message);
    if (r) ts_renderer_destroy(r);
}

int main(int argc, char **argv) {
    ts_post_backend b;
    if (argc != 2 || !ts_post_backend_parse(argv[1], &b) || b == TS_POST_NONE) {
        fprintf(stderr, "usage: test_post_timing cpu|gl|cuda\n");
        return 2;
    }
    ts_model m;
    ts_error err = {0};
    if (ts_model_builtin("torus", &m, &err) != TS_OK) {
        printf("torus: %s\n", err.message);
        return 1;
    }
    if (b == TS_POST_CPU) {
        check_none_and_cpu(&m);
        check_bad_upload(&m);
    } else {
        char why[1024] = "";
        if (!check_gpu(&m, b, why, sizeof why)) {
            ts_model_free(&m);
            if (failures) return 1; /* a failure is never reported as a skip */
            printf("SKIP: the %s backend cannot run here: %s\n", argv[1], why);
            return 77;
        }
    }
    ts_model_free(&m);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
