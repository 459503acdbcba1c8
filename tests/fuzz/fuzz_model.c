/* fuzz_model.c — libFuzzer target: the model import path, bytes -> a file
 * -> ts_model_load (its child process: the checks before assimp, assimp,
 * finiteness checks, triangulation, materials and embedded textures,
 * ts_model_validate; then the stream back and its checks in this process)
 * -> a small frame drawn by the tiled pipeline.
 *
 * Input layout: byte 0 picks the file's extension (assimp chooses its
 * importer by it; see EXTENSIONS: every reader assimp has), the rest is
 * the file. A load must either fail with a message or give a model that
 * passes ts_model_validate and draws. A finding: a crash, a hang or a
 * sanitizer report in this process; a model that breaks its own
 * invariant; and an import child that ended with an exit status, which is
 * how a sanitizer report ends it (tessera's code in it is instrumented; of
 * assimp's errors, the allocator's reports such as a double free end it so
 * too, while the interceptors' are suppressed: model.asan.supp). A child
 * that assimp crashed (a signal: the child restores the default crash
 * handlers) or that passed its deadline is the error users get, and no
 * finding: assimp is Debian's build, and the process around it is what is
 * tested.
 *
 * Coverage: libFuzzer counts what runs in this process, and the import
 * runs in the child, so the child hands its coverage back
 * (child_coverage.c). */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include "child_coverage.h"
#include "renderer_internal.h" /* ts_model_load_child */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* An allocation above 2 GiB (assimp's, on a count read from the file; or
 * this process's, on one sent by the child) fails as malloc fails on a
 * machine without the memory, instead of being a report: both sides must
 * cope with that. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1:max_allocation_size_mb=2048"; }

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_child_coverage_init();
    /* Under libFuzzer's 20-second limit per input, so that a file assimp
     * loops on is the child stopped at its deadline, not a hang here. */
    setenv("TESSERA_IMPORT_TIMEOUT", "5", 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer calls it */

/* The first eight as they always were (the inputs in regressions/ and
 * corpus/ name them by index), then one name for each of assimp's other
 * readers: any of them is a user's file away. */
static const char *const EXTENSIONS[] = {
    "obj", "ply", "stl", "off", "gltf", "glb", "3ds", "dae",                                           /* 0 .. 7 */
    "x", "amf", "md3", "md2", "mdl", "ase", "hmp", "smd", "mdc", "md5mesh", "lwo", "dxf", "nff", "raw", /* 8 .. */
    "sib", "ac", "bvh", "irrmesh", "irr", "q3o", "b3d", "ter", "csm", "3d", "lws", "mesh.xml", "ogex", "ms3d",
    "cob", "blend", "bsp", "ndo", "ifc", "xgl", "fbx", "assbin", "3mf", "x3d", "pmx", "iqm"};
#define N_EXT (sizeof EXTENSIONS / sizeof EXTENSIONS[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char path[128];
    snprintf(path, sizeof path, "/tmp/tessera-fuzz-model-%ld.%s", (long)getpid(), EXTENSIONS[data[0] % N_EXT]);
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    size_t wrote = fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    if (wrote != size - 1) return 0;

    ts_model m;
    ts_error err = {0};
    ts_import_end end;
    ts_result loaded = ts_model_load_child(path, &m, &err, NULL, NULL, &end);
    fuzz_child_coverage_take();
    if (end.status != -1 && WIFEXITED(end.status) && WEXITSTATUS(end.status) != 0) {
        fprintf(stderr, "the import child ended with exit status %d: its report is above\n", WEXITSTATUS(end.status));
        abort();
    }
    if (loaded == TS_OK) {
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
