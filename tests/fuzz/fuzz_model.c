/* fuzz_model.c — libFuzzer target: the model import path, bytes -> a file
 * -> assimp -> the renderer's own mesh (ts_model_load: finiteness checks,
 * triangulation, materials and embedded textures, ts_model_validate) -> a
 * small frame drawn by the tiled pipeline.
 *
 * Input layout: byte 0 picks the file's extension (assimp chooses its
 * importer by it; see EXTENSIONS), the rest is the file. A load must either
 * fail with a message or give a model that passes ts_model_validate and
 * draws. A crash, a sanitizer report in tessera's code, a hang or a model
 * that breaks its own invariant is a finding. (assimp itself is Debian's
 * build, not instrumented: its own memory errors show only as crashes.)
 *
 * TS_FUZZ_LAST=FILE in the environment writes each input to FILE before it
 * runs: when assimp corrupts the heap, the process may die where libFuzzer
 * cannot save the input (tests/fuzz/README.md, "Heap corruption"). */
#define _POSIX_C_SOURCE 200809L

#include "tessera.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer calls it */

static const char *const EXTENSIONS[] = {"obj", "ply", "stl", "off", "gltf", "glb", "3ds", "dae"};
#define N_EXT (sizeof EXTENSIONS / sizeof EXTENSIONS[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *last = getenv("TS_FUZZ_LAST");
    if (last) {
        FILE *l = fopen(last, "wb");
        if (l) {
            fwrite(data, 1, size, l);
            fclose(l);
        }
    }
    char path[128];
    snprintf(path, sizeof path, "/tmp/tessera-fuzz-model-%ld.%s", (long)getpid(), EXTENSIONS[data[0] % N_EXT]);
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    size_t wrote = fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    if (wrote != size - 1) return 0;

    ts_model m;
    ts_error err = {0};
    if (ts_model_load(path, &m, &err, NULL, NULL) == TS_OK) {
        if (ts_model_validate(&m, path, &err) != TS_OK) {
            fprintf(stderr, "a loaded model breaks its invariant: %s\n", err.message);
            abort();
        }
        ts_renderer_desc d = {.width = 32, .height = 24, .threads = 1};
        ts_renderer *r = NULL;
        if (ts_renderer_create(&d, &r, &err) == TS_OK) {
            ts_view_desc view = {.shading = TS_SHADING_TEXTURED};
            if (ts_renderer_draw(r, &m, &view, &err) != TS_OK && !err.message[0]) {
                fprintf(stderr, "a draw failed without a message\n");
                abort();
            }
            ts_renderer_destroy(r);
        }
        ts_model_free(&m);
    } else if (!err.message[0]) {
        fprintf(stderr, "a load failed without a message\n");
        abort();
    }
    unlink(path);
    return 0;
}
