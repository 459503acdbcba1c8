/* test_import_child.c — ts_model_load runs the import in a child process
 * (renderer/import_child.c). What comes back through the pipe is what the
 * import in this process gives: every array and every texture level, the
 * warnings in their order, the child's own error verdict. And how a child
 * ends badly is told: a crash inside assimp (a file that crashes Debian's
 * assimp 5.2), a child stopped at the deadline (TESSERA_IMPORT_TIMEOUT),
 * a bad TESSERA_IMPORT_TIMEOUT, an import over the memory limit
 * (TESSERA_MAX_MEMORY), a caller that ignores SIGCHLD. And loads in
 * several threads at once each get their own result.
 *
 * Arguments: the assimp-testmodels folder, the glmark2 models folder and
 * tests/data/bad. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "renderer_internal.h"

#include <assimp/version.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "test_check.h"
#include "test_sanitizer.h"

static const char *assimp_models, *glmark2, *bad;

static char *join(const char *dir, const char *name) {
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

/* Every warning of one load, joined with newlines. */
typedef struct warnings {
    char text[4096];
    int count;
} warnings;

static void collect(void *user, const char *message) {
    warnings *w = user;
    size_t used = strlen(w->text);
    snprintf(w->text + used, sizeof w->text - used, "%s\n", message);
    w->count++;
}

static bool same_array(const void *a, const void *b, size_t bytes) {
    return bytes == 0 || (a && b && memcmp(a, b, bytes) == 0);
}

static bool same_texture(const ts_texture *a, const ts_texture *b) {
    if (a->width != b->width || a->height != b->height || a->level_count != b->level_count) return false;
    for (int l = 0; l < a->level_count; l++) {
        const ts_texture_level *x = &a->levels[l], *y = &b->levels[l];
        if (x->width != y->width || x->height != y->height ||
            !same_array(x->texels, y->texels, (size_t)x->width * (size_t)x->height * 4))
            return false;
    }
    return true;
}

static bool same_model(const ts_model *a, const ts_model *b) {
    if (a->vertex_count != b->vertex_count || a->index_count != b->index_count || a->mesh_count != b->mesh_count ||
        a->material_count != b->material_count || a->texture_count != b->texture_count)
        return false;
    if (!same_array(a->vertices, b->vertices, a->vertex_count * sizeof *a->vertices) ||
        !same_array(a->indices, b->indices, a->index_count * sizeof *a->indices) ||
        !same_array(a->meshes, b->meshes, a->mesh_count * sizeof *a->meshes) ||
        !same_array(a->materials, b->materials, a->material_count * sizeof *a->materials))
        return false;
    for (uint32_t t = 0; t < a->texture_count; t++)
        if (!same_texture(&a->textures[t], &b->textures[t])) return false;
    return true;
}

/* Loads `path` both ways: the same result, message, model and warnings. */
static void same_both_ways(const char *path, ts_result expect, uint32_t min_textures, int min_warnings) {
    ts_model here, child;
    ts_error e_here = {0}, e_child = {0};
    warnings w_here = {{0}, 0}, w_child = {{0}, 0};
    ts_import_end end;
    ts_result r_here = ts_model_import(path, &here, &e_here, collect, &w_here);
    ts_result r_child = ts_model_load_child(path, &child, &e_child, collect, &w_child, &end);
    CHECK(r_here == expect, "%s in this process: %s (%s)", path, ts_result_str(r_here), e_here.message);
    CHECK(r_child == r_here, "%s: %s from the child, %s here", path, ts_result_str(r_child), ts_result_str(r_here));
    CHECK(strcmp(e_child.message, e_here.message) == 0, "%s: message '%s' from the child, '%s' here", path,
          e_child.message, e_here.message);
    CHECK(WIFEXITED(end.status) && WEXITSTATUS(end.status) == 0 && !end.timed_out,
          "%s: the child ended with status %#x", path, (unsigned)end.status);
    CHECK(w_here.count >= min_warnings && w_child.count == w_here.count && strcmp(w_child.text, w_here.text) == 0,
          "%s: warnings from the child:\n%s(%d) here:\n%s(%d)", path, w_child.text, w_child.count, w_here.text,
          w_here.count);
    if (r_here == TS_OK && r_child == TS_OK) {
        CHECK(here.texture_count >= min_textures, "%s: %u textures", path, here.texture_count);
        CHECK(same_model(&here, &child), "%s: the child's model differs from this process's", path);
    }
    ts_model_free(&here);
    ts_model_free(&child);
}

static void loads_the_same(void) {
    same_both_ways(join(assimp_models, "OBJ/spider.obj"), TS_OK, 1, 0);
    same_both_ways(join(assimp_models, "glTF2/BoxTextured-glTF-Embedded/BoxTextured.gltf"), TS_OK, 1, 0);
    same_both_ways(join(glmark2, "bunny.obj"), TS_OK, 0, 0);
    same_both_ways(join(bad, "missing_texture.obj"), TS_OK, 0, 1); /* a warning, and the base color */
    same_both_ways(join(bad, "nan_position.obj"), TS_ERR_BAD_MODEL, 0, 0);
    same_both_ways(join(bad, "header_unterminated.ply"), TS_ERR_IMPORT, 0, 0); /* the checks run in the child */
    same_both_ways(join(bad, "no-such-file.obj"), TS_ERR_FILE_NOT_FOUND, 0, 0);
}

/* md5mesh_cut_short.md5mesh: 41 bytes of an MD5 mesh that end inside its
 * mesh block; assimp 5.2's reader crashes on it (with glibc's allocator
 * and with AddressSanitizer's alike). In this process that would end the
 * test. */
static void crash(void) {
    const char *path = join(bad, "md5mesh_cut_short.md5mesh");
    ts_model m;
    ts_error err = {0};
    ts_import_end end;
    ts_result r = ts_model_load_child(path, &m, &err, NULL, NULL, &end);
    CHECK(r == TS_ERR_IMPORT, "%s: %s (%s)", path, ts_result_str(r), err.message);
    CHECK(strstr(err.message, "md5mesh_cut_short.md5mesh") != NULL, "the message names the file: %s", err.message);
    if (aiGetVersionMajor() == 5 && aiGetVersionMinor() == 2) {
        CHECK(WIFSIGNALED(end.status) && WTERMSIG(end.status) == SIGSEGV, "the child ended with status %#x",
              (unsigned)end.status);
        CHECK(strstr(err.message, "assimp crashed reading it (SIGSEGV)") != NULL, "message: %s",
              err.message);
    } else {
        printf("assimp %u.%u: the crash itself is assimp 5.2's; only an error is required\n", aiGetVersionMajor(),
               aiGetVersionMinor());
    }
    CHECK(m.vertices == NULL && m.vertex_count == 0, "a failed load leaves the model empty");
}

/* The deadline: the bunny takes assimp about 100 ms; 5 ms stops it. */
static void deadline(void) {
    const char *path = join(glmark2, "bunny.obj");
    ts_model m;
    ts_error err = {0};
    ts_import_end end;
    setenv("TESSERA_IMPORT_TIMEOUT", "0.005", 1);
    ts_result r = ts_model_load_child(path, &m, &err, NULL, NULL, &end);
    CHECK(r == TS_ERR_IMPORT && end.timed_out, "%s: %s (%s)", path, ts_result_str(r), err.message);
    CHECK(strstr(err.message, "did not finish reading it in 0.005 s") != NULL, "message: %s", err.message);
    CHECK(WIFSIGNALED(end.status) && WTERMSIG(end.status) == SIGKILL, "the child was killed: status %#x",
          (unsigned)end.status);

    static const char *const refused[] = {"abc", "-1", "5s", "nan", "1e9", "0x10", "inf"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        setenv("TESSERA_IMPORT_TIMEOUT", refused[i], 1);
        memset(&err, 0, sizeof err);
        r = ts_model_load(path, &m, &err, NULL, NULL);
        CHECK(r == TS_ERR_INVALID_ARG && strstr(err.message, "TESSERA_IMPORT_TIMEOUT=") != NULL,
              "TESSERA_IMPORT_TIMEOUT=%s: %s (%s)", refused[i], ts_result_str(r), err.message);
    }
    setenv("TESSERA_IMPORT_TIMEOUT", "0", 1); /* no limit */
    r = ts_model_load(path, &m, &err, NULL, NULL);
    CHECK(r == TS_OK && m.index_count > 0, "no limit: %s (%s)", ts_result_str(r), err.message);
    ts_model_free(&m);
    unsetenv("TESSERA_IMPORT_TIMEOUT");
}

/* The import's memory: what the child may take on top of what it has is
 * the renderer's limit. 8 MiB is far less than assimp needs for the bunny:
 * an allocation fails, and assimp reports it or crashes on it (which one
 * depends on where the limit strikes); either way the message names the
 * limit. */
static void memory_limit(void) {
    const char *path = join(glmark2, "bunny.obj");
    ts_model m;
    ts_error err = {0};
    setenv("TESSERA_MAX_MEMORY", "8M", 1);
    ts_result r = ts_model_load(path, &m, &err, NULL, NULL);
    CHECK((r == TS_ERR_OUT_OF_MEMORY || r == TS_ERR_IMPORT) &&
              strstr(err.message, "the import's memory limit is 8388608 bytes (8.0 MiB), from TESSERA_MAX_MEMORY"),
          "%s: %s (%s)", path, ts_result_str(r), err.message);
    setenv("TESSERA_MAX_MEMORY", "8 pounds", 1);
    r = ts_model_load(path, &m, &err, NULL, NULL);
    CHECK(r == TS_ERR_INVALID_ARG && strstr(err.message, "TESSERA_MAX_MEMORY=8 pounds") != NULL, "%s (%s)",
          ts_result_str(r), err.message);
    unsetenv("TESSERA_MAX_MEMORY");
}

/* A caller that ignores SIGCHLD: the kernel reaps the child at once, so
 * its status cannot be had; the stream alone decides. */
static void sigchld_ignored(void) {
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGCHLD, &ignore, &old);
    ts_model m;
    ts_error err = {0};
    ts_import_end end;
    ts_result r = ts_model_load_child(join(glmark2, "bunny.obj"), &m, &err, NULL, NULL, &end);
    CHECK(r == TS_OK && m.index_count > 0 && end.status == -1, "%s (%s), status %d", ts_result_str(r),
          err.message, end.status);
    ts_model_free(&m);
    r = ts_model_load_child(join(bad, "nan_position.obj"), &m, &err, NULL, NULL, &end);
    CHECK(r == TS_ERR_BAD_MODEL, "the child's verdict: %s (%s)", ts_result_str(r), err.message);
    sigaction(SIGCHLD, &old, NULL);
}

/* Loads in four threads at once, twice over: each its own child, pipe and
 * verdict (a crash in one is not another's).
 *
 * Not at once under AddressSanitizer: its runtime here (GCC 12's, clang
 * 14's) does not lock its allocator around fork(), so a child forked while
 * another thread is inside malloc can wait forever for that lock (one run
 * in several did, stopped at the deadline). glibc's malloc, in the release
 * and TSan builds, holds every arena's lock across the fork, and TSan's
 * runtime intercepts fork. Under ASan the four loads take turns, each on
 * its own thread. */
typedef struct concurrent {
    const char *path;
    ts_result expect;
    ts_result got;
    uint32_t triangles;
    char message[512];
} concurrent;

static void *load_one(void *arg) {
    concurrent *c = arg;
    ts_model m;
    ts_error err = {0};
    c->got = ts_model_load(c->path, &m, &err, NULL, NULL);
    c->triangles = c->got == TS_OK ? ts_model_triangle_count(&m) : 0;
    snprintf(c->message, sizeof c->message, "%s", err.message);
    if (c->got == TS_OK) ts_model_free(&m);
    return NULL;
}

static void threads(void) {
    concurrent c[4] = {
        {join(glmark2, "bunny.obj"), TS_OK, 0, 0, ""},
        {join(bad, "md5mesh_cut_short.md5mesh"), TS_ERR_IMPORT, 0, 0, ""},
        {join(assimp_models, "OBJ/spider.obj"), TS_OK, 0, 0, ""},
        {join(bad, "nan_position.obj"), TS_ERR_BAD_MODEL, 0, 0, ""},
    };
    for (int round = 0; round < 2; round++) {
        pthread_t t[4];
        bool started[4];
        for (int i = 0; i < 4; i++) {
            started[i] = pthread_create(&t[i], NULL, load_one, &c[i]) == 0;
            if (TS_TEST_ASAN && started[i]) pthread_join(t[i], NULL); /* see above */
        }
        for (int i = 0; i < 4; i++) {
            if (!TS_TEST_ASAN && started[i]) pthread_join(t[i], NULL);
            CHECK(started[i] && c[i].got == c[i].expect, "%s: %s (%s)", c[i].path, ts_result_str(c[i].got),
                  c[i].message);
        }
        CHECK(c[0].triangles == 69666, "the bunny: %u triangles", c[0].triangles);
        CHECK(strstr(c[1].message, "md5mesh_cut_short.md5mesh") != NULL, "%s", c[1].message);
        CHECK(strstr(c[3].message, "non-finite position") != NULL, "%s", c[3].message);
    }
}

static void bad_arguments(void) {
    ts_model m;
    ts_error err = {0};
    CHECK(ts_model_load(NULL, &m, &err, NULL, NULL) == TS_ERR_INVALID_ARG, "no path: %s", err.message);
    CHECK(ts_model_load("x.obj", NULL, &err, NULL, NULL) == TS_ERR_INVALID_ARG, "no model: %s", err.message);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s ASSIMP_MODELS GLMARK2_MODELS BAD_DATA\n", argv[0]);
        return 2;
    }
    assimp_models = argv[1];
    glmark2 = argv[2];
    bad = argv[3];
    unsetenv("TESSERA_IMPORT_TIMEOUT");
    unsetenv("TESSERA_MAX_MEMORY");
    loads_the_same();
    crash();
    deadline();
    memory_limit();
    sigchld_ignored();
    threads();
    bad_arguments();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
