/* import_child.c — ts_model_load: the model import (assets.c) run in a
 * child process, its result streamed back through a pipe.
 *
 * Why a process. assimp is a large C++ parser of some forty formats, and
 * Debian's 5.2 crashes, loops or reads outside its buffers on malformed
 * files of many of them: a minute of fuzzing its Half-Life MDL reader gave
 * a crash, and the PLY, OFF and OpenGEX readers each had their own (the
 * checks in ply_check.c, off_check.c and ogex_check.c name those cases
 * before assimp runs). Checks cannot close the rest, so assimp never runs
 * in the caller's process: the child imports, converts and validates the
 * model, then writes it to the pipe; the caller reads the pipe against a
 * deadline and validates what it reads. A child that crashes, is killed,
 * or takes longer than the deadline is an error naming the file and what
 * happened, and the caller's memory was never within assimp's reach.
 *
 * fork() in a process that may have other threads: the child runs only the
 * import: stdio, malloc, stb_image and assimp. glibc resets its allocator's
 * and stdio's locks in the child, and assimp runs in no process but such a
 * child, so no lock the import needs can have been held by a thread that
 * does not exist in the child. The child restores the default action of
 * the crash signals first (a crash is then a plain death by signal, not the
 * parent's crash handler running in a copy of the parent: a sanitizer's,
 * the fuzzer's, a viewer's) and ends with _exit(), running none of the
 * parent's atexit handlers.
 *
 * The stream, in this machine's byte order (both ends are this binary):
 * any number of warnings { 'W', u32 length, bytes }, then the result
 * { 'R', i32 code, u32 length, message bytes }, then, when the code is
 * TS_OK, the model: u32 counts of vertices, indices, meshes, materials,
 * textures; those arrays as ts_model holds them; each texture's level 0 as
 * i32 width, i32 height and width*height*4 bytes of RGBA (the caller
 * builds the mip chain); and last the end mark 'E'.
 */
#define _GNU_SOURCE /* pipe2, sigabbrev_np, close_range */
#include "error.h"
#include "renderer_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { TAG_WARNING = 'W', TAG_RESULT = 'R', TAG_END = 'E' };

/* The deadline when TESSERA_IMPORT_TIMEOUT does not set one: BASE_S plus
 * PER_MIB_S per MiB of the model file. assimp reads text formats at about
 * 10 MiB/s on one core (a 33 MiB OBJ of a million triangles, post-processing
 * included, in under 4 s), so this is tens of times what a well-formed file
 * needs on a slow machine; the base covers what lies beside the file (an
 * OBJ's materials and textures, a glTF's buffers). A file assimp loops on
 * is reported after BASE_S seconds. */
#define BASE_S 30.0
#define PER_MIB_S 4.0

/* ---- the child's side ---------------------------------------------------- */

typedef struct writer {
    int fd;
    bool failed; /* a write failed: the parent is gone, or the pipe broke */
} writer;

static void put(writer *w, const void *p, size_t n) {
    const char *c = p;
    while (n > 0 && !w->failed) {
        ssize_t k = write(w->fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            w->failed = true;
            return;
        }
        c += k;
        n -= (size_t)k;
    }
}

static void put_u32(writer *w, uint32_t v) { put(w, &v, sizeof v); }

static void put_text(writer *w, const char *s) {
    size_t n = strlen(s);
    put_u32(w, (uint32_t)n);
    put(w, s, n);
}

static void child_warning(void *user, const char *message) {
    writer *w = user;
    put_u32(w, TAG_WARNING);
    put_text(w, message);
}

static void put_model(writer *w, const ts_model *m) {
    uint32_t counts[5] = {m->vertex_count, m->index_count, m->mesh_count, m->material_count, m->texture_count};
    put(w, counts, sizeof counts);
    put(w, m->vertices, (size_t)m->vertex_count * sizeof *m->vertices);
    put(w, m->indices, (size_t)m->index_count * sizeof *m->indices);
    put(w, m->meshes, (size_t)m->mesh_count * sizeof *m->meshes);
    put(w, m->materials, (size_t)m->material_count * sizeof *m->materials);
    for (uint32_t t = 0; t < m->texture_count; t++) {
        const ts_texture *tex = &m->textures[t];
        int32_t size[2] = {tex->width, tex->height};
        put(w, size, sizeof size);
        put(w, tex->levels[0].texels, (size_t)tex->width * (size_t)tex->height * 4);
    }
}

/* One field of /proc/self/statm in bytes (0: the address space; 1: what
 * is resident), or 0 when it cannot be read. */
static uint64_t statm_bytes(int field) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long v[2] = {0, 0};
    bool ok = fscanf(f, "%llu %llu", &v[0], &v[1]) == 2;
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return ok && page > 0 ? (uint64_t)v[field] * (uint64_t)page : 0;
}

/* Caps the child's address space at what it has now plus `limit` bytes
 * (the renderer's memory limit, memory.c): a file whose counts make assimp
 * allocate without end then fails its allocations (assimp reports
 * std::bad_alloc, or does not survive it) instead of taking the machine's
 * memory until the kernel kills something. Counted on top of what the
 * child has, so a large caller (or a sanitizer's shadow reservations) does
 * not eat into it. */
static void limit_memory(uint64_t limit) {
    uint64_t have = statm_bytes(0), want = have + limit;
    struct rlimit rl;
    if (have == 0 || want < have || getrlimit(RLIMIT_AS, &rl) != 0) return; /* unknown, or past 64 bits */
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= want) return;
    rl.rlim_cur = (rlim_t)want;
    setrlimit(RLIMIT_AS, &rl);
}

static _Noreturn void child_main(int fd, const char *path, const ts_memory_budget *memory) {
    static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++) signal(crash_signals[i], SIG_DFL);
    /* The parent may have ignored SIGPIPE; a child whose parent stopped
     * reading has nothing left to do. */
    signal(SIGPIPE, SIG_DFL);
    /* Keep only stdio and the pipe: the pipe of a load running at the same
     * time in another of the parent's threads must end when that load's
     * own child ends, not when this one does. (A kernel without
     * close_range leaves them open: the other load then learns of its
     * child's crash when this child ends.) */
    if (fd > 3) close_range(3, (unsigned)fd - 1, 0);
    close_range((unsigned)fd + 1, ~0u, 0);

    limit_memory(memory->limit);

    writer w = {fd, false};
    ts_model m;
    ts_error err = {0};
    ts_result r = ts_model_import(path, &m, &err, child_warning, &w);
    /* std::bad_alloc is assimp's only word for a failed allocation. Either
     * way, the limit is named: it may be TESSERA_MAX_MEMORY's. */
    bool bad_alloc = r == TS_ERR_IMPORT && strstr(err.message, "std::bad_alloc");
    if (bad_alloc || r == TS_ERR_OUT_OF_MEMORY) {
        char limit[64], what[sizeof err.message];
        ts_format_bytes(memory->limit, limit, sizeof limit);
        snprintf(what, sizeof what, "%s", err.message);
        if (bad_alloc) snprintf(what, sizeof what, "%s: assimp ran out of memory reading it", path);
        r = ts_error_set(&err, TS_ERR_OUT_OF_MEMORY, "%s (the import's memory limit is %s, from %s)", what, limit,
                         memory->source);
    }
    put_u32(&w, TAG_RESULT);
    put_u32(&w, (uint32_t)r);
    put_text(&w, err.message);
    if (r == TS_OK) put_model(&w, &m);
    put_u32(&w, TAG_END);
    /* No ts_model_free: the process ends here, and _exit runs none of the
     * parent's atexit handlers (nor a leak checker's). */
    _exit(w.failed ? 2 : 0);
}

/* ---- the caller's side --------------------------------------------------- */

typedef struct reader {
    int fd;
    double deadline; /* on the monotonic clock, seconds; 0: none */
    bool timed_out;
    bool ended;    /* end of the stream or a read error: the child is gone */
    bool finished; /* the end mark was read: the child has nothing more to say */
} reader;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Reads exactly n bytes, waiting no later than the deadline; false when
 * the stream ended first or the deadline passed. */
static bool get(reader *rd, void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        if (rd->timed_out || rd->ended) return false;
        int wait_ms = -1;
        if (rd->deadline > 0) {
            double left = rd->deadline - now_s();
            if (left <= 0) {
                rd->timed_out = true;
                return false;
            }
            wait_ms = left > 60.0 ? 60000 : (int)(left * 1000.0) + 1;
        }
        struct pollfd pfd = {rd->fd, POLLIN, 0};
        int ready = poll(&pfd, 1, wait_ms);
        if (ready < 0 && errno != EINTR) {
            rd->ended = true;
            return false;
        }
        if (ready <= 0) continue; /* interrupted, or a slice of the wait passed */
        ssize_t k = read(rd->fd, c, n);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k <= 0) {
            rd->ended = true;
            return false;
        }
        c += k;
        n -= (size_t)k;
    }
    return true;
}

static bool get_u32(reader *rd, uint32_t *v) { return get(rd, v, sizeof *v); }

/* A text of the stream into buf (cut to its size, always terminated);
 * false when the stream broke inside it. */
static bool get_text(reader *rd, char *buf, size_t size) {
    uint32_t n;
    if (!get_u32(rd, &n)) return false;
    for (uint32_t done = 0; done < n;) {
        char chunk[256];
        uint32_t k = n - done < sizeof chunk ? n - done : (uint32_t)sizeof chunk;
        if (!get(rd, chunk, k)) return false;
        if (done < size - 1) {
            size_t keep = size - 1 - done < k ? size - 1 - done : k;
            memcpy(buf + done, chunk, keep);
        }
        done += k;
    }
    buf[(size_t)n < size - 1 ? (size_t)n : size - 1] = '\0';
    return true;
}

/* The stream's last word. */
static ts_result get_end(reader *rd, const char *path, ts_error *err) {
    uint32_t end;
    if (!get_u32(rd, &end)) return TS_ERR_IMPORT;
    rd->finished = end == TAG_END;
    return rd->finished ? TS_OK : ts_error_set(err, TS_ERR_IMPORT, "%s: the import process sent no end mark", path);
}

static ts_result no_memory(const char *path, ts_error *err) {
    return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "%s: out of memory for the imported model", path);
}

/* count elements of elem bytes from the stream into a new array at *out
 * (NULL when count is 0). */
static ts_result get_array(reader *rd, void **out, uint32_t count, size_t elem, const char *path, ts_error *err) {
    *out = NULL;
    if (count == 0) return TS_OK;
    if (!(*out = malloc((size_t)count * elem))) return no_memory(path, err);
    return get(rd, *out, (size_t)count * elem) ? TS_OK : TS_ERR_IMPORT;
}

/* The model part of the stream into *m (zeroed by the caller); on failure
 * *m holds what was read, for ts_model_free. TS_ERR_IMPORT without a
 * message: the stream broke (the caller says why). */
static ts_result get_model(reader *rd, ts_model *m, const char *path, ts_error *err) {
    uint32_t counts[5];
    if (!get(rd, counts, sizeof counts)) return TS_ERR_IMPORT;
    /* The one count bounded before anything is allocated for it: the rest
     * ts_model_validate checks once the arrays are here. */
    if (counts[1] / 3 > TS_MAX_MODEL_TRIANGLES)
        return ts_error_set(err, TS_ERR_TOO_LARGE, "%s: %u triangles, more than the limit of %u", path,
                            counts[1] / 3, TS_MAX_MODEL_TRIANGLES);
    m->vertex_count = counts[0];
    m->index_count = counts[1];
    m->mesh_count = counts[2];
    m->material_count = counts[3];
    ts_result r;
    if ((r = get_array(rd, (void **)&m->vertices, counts[0], sizeof *m->vertices, path, err)) != TS_OK ||
        (r = get_array(rd, (void **)&m->indices, counts[1], sizeof *m->indices, path, err)) != TS_OK ||
        (r = get_array(rd, (void **)&m->meshes, counts[2], sizeof *m->meshes, path, err)) != TS_OK ||
        (r = get_array(rd, (void **)&m->materials, counts[3], sizeof *m->materials, path, err)) != TS_OK)
        return r;
    if (counts[4] > 0 && !(m->textures = calloc(counts[4], sizeof *m->textures))) return no_memory(path, err);
    for (uint32_t t = 0; t < counts[4]; t++) {
        int32_t size[2];
        if (!get(rd, size, sizeof size)) return TS_ERR_IMPORT;
        if (size[0] < 1 || size[1] < 1 || size[0] > TS_TEXTURE_MAX_DIM || size[1] > TS_TEXTURE_MAX_DIM)
            return ts_error_set(err, TS_ERR_IMPORT, "%s: the import process sent texture %u of %dx%d texels", path,
                                t, (int)size[0], (int)size[1]);
        uint8_t *rgba;
        if ((r = get_array(rd, (void **)&rgba, (uint32_t)size[0] * (uint32_t)size[1], 4, path, err)) == TS_OK &&
            ts_texture_init_rgba8(&m->textures[t], size[0], size[1], rgba) != TS_TEXTURE_OK)
            r = no_memory(path, err); /* the size was checked: what failed is the mip chain's memory */
        free(rgba);
        if (r != TS_OK) return r;
        m->texture_count = t + 1;
    }
    return get_end(rd, path, err);
}

/* How long the child may take for the file at `path`, in seconds (0: no
 * limit): TESSERA_IMPORT_TIMEOUT, else by the file's size. */
static ts_result import_deadline(const char *path, double *seconds, ts_error *err) {
    const char *env = getenv("TESSERA_IMPORT_TIMEOUT");
    if (env && env[0]) {
        char *end;
        errno = 0;
        double s = strtod(env, &end);
        /* Decimal only: strtod would also take hex ("0x10") and "inf". */
        if (errno || *end || strpbrk(env, "xXiInN") || !(s >= 0) || s > 1e6)
            return ts_error_set(err, TS_ERR_INVALID_ARG,
                                "TESSERA_IMPORT_TIMEOUT=%s: expected seconds, 0 (no limit) to 1000000", env);
        *seconds = s;
        return TS_OK;
    }
    struct stat st;
    double mib = stat(path, &st) == 0 && st.st_size > 0 ? (double)st.st_size / (1024.0 * 1024.0) : 0.0;
    *seconds = BASE_S + PER_MIB_S * mib;
    return TS_OK;
}

/* Waits for the child; its wait status, or -1 when it cannot be had (the
 * caller may have SIGCHLD ignored, which reaps children by itself). *peak:
 * the most memory it had resident, in bytes (0 when unknown), counting
 * what it shared with the caller when it started. */
static int reap(pid_t pid, uint64_t *peak) {
    int status;
    struct rusage use;
    *peak = 0;
    for (;;) {
        if (wait4(pid, &status, 0, &use) == pid) {
            *peak = use.ru_maxrss > 0 ? (uint64_t)use.ru_maxrss * 1024u : 0; /* Linux counts KiB */
            return status;
        }
        if (errno != EINTR) return -1;
    }
}

/* Reads the stream: warnings to `warn` as they come, then the child's
 * result and, with TS_OK, the model. TS_ERR_IMPORT without a message: the
 * stream broke (rd->ended or rd->timed_out tells). */
static ts_result read_stream(reader *rd, const char *path, ts_model *out, ts_error *err, ts_warn_fn warn,
                             void *warn_user) {
    for (;;) {
        uint32_t tag;
        if (!get_u32(rd, &tag)) return TS_ERR_IMPORT;
        if (tag != TAG_WARNING) {
            if (tag != TAG_RESULT)
                return ts_error_set(err, TS_ERR_IMPORT, "%s: the import process sent no result", path);
            break;
        }
        char message[512];
        if (!get_text(rd, message, sizeof message)) return TS_ERR_IMPORT;
        if (warn) warn(warn_user, message);
    }
    uint32_t code;
    char message[sizeof err->message];
    if (!get_u32(rd, &code) || !get_text(rd, message, sizeof message)) return TS_ERR_IMPORT;
    if (code >= TS_RESULT_COUNT)
        return ts_error_set(err, TS_ERR_IMPORT, "%s: the import process sent result %u", path, code);
    if (code == TS_OK) return get_model(rd, out, path, err);
    ts_result r = get_end(rd, path, err);
    return r != TS_OK ? r : ts_error_set(err, (ts_result)code, "%s", message);
}

/* The message for a stream that ended before its end mark: why the child
 * did not finish, from its wait status. A crash names the memory limit
 * when the child came near it (`grown`: what it took beyond what it
 * started with, resident) or when the limit was chosen (TESSERA_MAX_MEMORY)
 * rather than the machine's: assimp does not survive every failed
 * allocation, and a failed allocation need not have touched much. */
static ts_result child_failed(const char *path, const reader *rd, double seconds, int status, uint64_t grown,
                              const ts_memory_budget *memory, ts_error *err) {
    if (rd->timed_out)
        return ts_error_set(err, TS_ERR_IMPORT,
                            "%s: assimp did not finish reading it in %g s and was stopped (a file it loops on?); "
                            "TESSERA_IMPORT_TIMEOUT=SECONDS sets the limit",
                            path, seconds);
    char near[256] = "";
    if (grown >= memory->limit / 2 || memory->chosen) {
        char held[64], limit[64];
        ts_format_bytes(grown, held, sizeof held);
        ts_format_bytes(memory->limit, limit, sizeof limit);
        snprintf(near, sizeof near, "; the import's memory limit is %s, from %s, and it had taken %s", limit,
                 memory->source, held);
    }
    if (status != -1 && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGKILL)
            return ts_error_set(err, TS_ERR_IMPORT,
                                "%s: the import process was killed (out of memory, or by another process)%s", path,
                                near);
        const char *name = sigabbrev_np(sig); /* "SEGV" */
        char signame[32];
        if (name) snprintf(signame, sizeof signame, "SIG%s", name);
        else snprintf(signame, sizeof signame, "signal %d", sig);
        if (near[0]) /* the limit first: the likelier cause with a valid file */
            return ts_error_set(err, TS_ERR_IMPORT, "%s: assimp crashed reading it (%s)%s: a larger limit may read "
                                "it; else a malformed file, or a bug in assimp", path, signame, near);
        return ts_error_set(err, TS_ERR_IMPORT, "%s: assimp crashed reading it (%s): a malformed file, or a bug in "
                            "assimp", path, signame);
    }
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return ts_error_set(err, TS_ERR_IMPORT, "%s: the import process ended with exit status %d%s", path,
                            WEXITSTATUS(status), near);
    return ts_error_set(err, TS_ERR_IMPORT, "%s: the import process ended before it sent the model%s", path, near);
}

ts_result ts_model_load_child(const char *path, ts_model *out, ts_error *err, ts_warn_fn warn, void *warn_user,
                              ts_import_end *end) {
    ts_import_end ignored;
    if (!end) end = &ignored;
    *end = (ts_import_end){0};
    if (!out) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_model_load: no output model given");
    memset(out, 0, sizeof *out);
    if (!path) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_model_load: no path given");
    if (!path[0]) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_model_load: an empty path");

    double seconds = 0;
    ts_memory_budget memory;
    ts_result r = import_deadline(path, &seconds, err);
    if (r == TS_OK) r = ts_memory_limit(0, &memory, err);
    if (r != TS_OK) return r;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return ts_error_set(err, TS_ERR_SYSTEM, "%s: cannot make a pipe for the import process (%s)", path,
                            strerror(errno));
    uint64_t resident = statm_bytes(1); /* the child starts with it */
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return ts_error_set(err, TS_ERR_SYSTEM, "%s: cannot start the import process (%s)", path, strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(fds[1], path, &memory);
    }
    close(fds[1]);

    reader rd = {fds[0], seconds > 0 ? now_s() + seconds : 0, false, false, false};
    r = read_stream(&rd, path, out, err, warn, warn_user);
    close(fds[0]);
    /* A child stopped at the deadline, or one whose stream this side gave
     * up on (a count it refused), is not waited for. */
    if (!rd.finished) kill(pid, SIGKILL);
    uint64_t peak;
    end->status = reap(pid, &peak);
    end->timed_out = rd.timed_out;
    /* A stream read to its end is the child's verdict, whatever its exit
     * (it exits at once after it). One that broke off is told by how the
     * child ended. */
    if (rd.ended || rd.timed_out)
        r = child_failed(path, &rd, seconds, end->status, peak > resident ? peak - resident : 0, &memory, err);
    if (r == TS_OK) r = ts_model_validate(out, path, err);
    if (r != TS_OK) ts_model_free(out);
    return r;
}

ts_result ts_model_load(const char *path, ts_model *out, ts_error *err, ts_warn_fn warn, void *warn_user) {
    return ts_model_load_child(path, out, err, warn, warn_user, NULL);
}
