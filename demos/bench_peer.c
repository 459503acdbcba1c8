/* bench_peer.c — runs tessera-gl for tessera-bench (see bench_peer.h): finds
 * it beside the running program, spawns it with LP_NUM_THREADS set and its
 * output going to temporary files, waits, and parses its summary line. */
#define _POSIX_C_SOURCE 200809L

#include "bench_peer.h"

#include "cli_args.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define PEER "tessera-gl"
#define PEER_EXIT_NO_GL 77             /* tessera-gl: no EGL display or GL context */
#define SUMMARY_PREFIX PEER ": model=" /* the line tessera-gl prints on success */
#define MAX_OUTPUT 65536               /* what is read of each of the child's streams */
#define THREADS_ENV "LP_NUM_THREADS"   /* llvmpipe's thread count */

extern char **environ;

/* Writes why into out->message (truncating quietly) and returns `st`. */
__attribute__((format(printf, 3, 4))) static ts_peer_status say(ts_peer_result *out,
                                                                ts_peer_status st,
                                                                const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    return st;
}

/* tessera-gl is looked for in the folder of the running executable, where
 * CMake builds both (CMAKE_RUNTIME_OUTPUT_DIRECTORY), never on PATH: the
 * bench must not time some other build's peer. */
static bool peer_path(char *buf, size_t n, ts_peer_result *out) {
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self);
    if (len <= 0 || (size_t)len >= sizeof self) {
        say(out, TS_PEER_MISSING,
            "cannot tell which folder this program is in (/proc/self/exe: %s)",
            len < 0 ? strerror(errno) : "path too long");
        return false;
    }
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    int w = snprintf(buf, n, "%s/" PEER, slash ? self : ".");
    if (w < 0 || (size_t)w >= n) {
        say(out, TS_PEER_MISSING, "the path of " PEER " is too long");
        return false;
    }
    if (access(buf, X_OK) != 0) {
        int e = errno;
        say(out, TS_PEER_MISSING, "%s: %s%s", buf, strerror(e),
            e == ENOENT ? " (it is built when CMake finds EGL, OpenGL and python3-glad)" : "");
        return false;
    }
    return true;
}

/* The child's environment: ours without LP_NUM_THREADS, then `own`
 * ("LP_NUM_THREADS=N"). The strings are borrowed; free only the array. */
static char **child_env(char *own) {
    size_t count = 0;
    for (char **e = environ; *e; e++) count++;
    char **env = malloc((count + 2) * sizeof *env);
    if (!env) return NULL;
    size_t k = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, THREADS_ENV "=", strlen(THREADS_ENV "=")) != 0) env[k++] = *e;
    env[k++] = own;
    env[k] = NULL;
    return env;
}

/* Reads up to n - 1 bytes of `f` from its start into buf, NUL-terminated. */
static void slurp(FILE *f, char *buf, size_t n) {
    rewind(f);
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
}

/* The line of `text` (modified in place) that says why tessera-gl failed:
 * the last one holding "error:", else the last non-empty one. */
static const char *reason_line(char *text) {
    const char *last = NULL, *last_error = NULL;
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        last = line;
        if (strstr(line, "error:")) last_error = line;
    }
    return last_error ? last_error : last ? last : "(it printed nothing on stderr)";
}

/* Parses "tessera-gl: model=NAME tris=N size=WxH frames=N median_ms=T
 * min_ms=T ... renderer=GL_RENDERER" (see tessera_gl.c) and checks that it
 * answers `run`. Keys are read wherever they stand and the last one counts,
 * so a model name with spaces cannot shift them. */
static ts_peer_status parse_summary(char *line, const ts_peer_run *run, ts_peer_result *out) {
    long tris = -1, frames = -1;
    int width = 0, height = 0;
    double median = (double)NAN, min = (double)NAN;
    const char *renderer = NULL;
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    char *save = NULL;
    for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) continue;
        *eq = '\0';
        const char *key = tok, *val = eq + 1;
        char *end;
        if (!strcmp(key, "tris")) {
            if (!ts_cli_parse_int(val, 0, (long)UINT_MAX, &tris)) tris = -1;
        } else if (!strcmp(key, "frames")) {
            if (!ts_cli_parse_int(val, 1, LONG_MAX, &frames)) frames = -1;
        } else if (!strcmp(key, "size")) {
            if (!ts_cli_parse_size(val, &width, &height)) width = height = 0;
        } else if (!strcmp(key, "median_ms")) {
            median = strtod(val, &end);
            if (*end || end == val) median = (double)NAN;
        } else if (!strcmp(key, "min_ms")) {
            min = strtod(val, &end);
            if (*end || end == val) min = (double)NAN;
        } else if (!strcmp(key, "renderer")) {
            renderer = val;
        }
    }
    if (tris < 0 || frames < 0 || !width || !isfinite(median) || !isfinite(min) || !renderer)
        return say(out, TS_PEER_FAILED,
                   "its summary line lacks tris, size, frames, median_ms, min_ms or renderer");
    if (width != run->width || height != run->height || frames != run->frames)
        return say(out, TS_PEER_FAILED, "it drew %dx%d, %ld frames; asked for %dx%d, %d frames",
                   width, height, frames, run->width, run->height, run->frames);
    if (!(median > 0.0) || !(min > 0.0))
        return say(out, TS_PEER_FAILED, "median_ms=%.3f min_ms=%.3f: frames too short to time",
                   median, min);
    out->tris = (unsigned)tris;
    out->median_ms = median;
    out->min_ms = min;
    /* tessera-gl writes GL_RENDERER with its spaces as '_' to keep the line
     * one word a field; GL_RENDERER strings (Mesa's, the GPU vendors') have
     * no '_' of their own, so turning them back gives the driver's words. */
    snprintf(out->renderer, sizeof out->renderer, "%s", renderer);
    for (char *p = out->renderer; *p; p++)
        if (*p == '_') *p = ' ';
    return TS_PEER_OK;
}

/* Spawns tessera-gl with `argv` and `env`, its stdout and stderr into the
 * two files, and waits for it, at most `seconds` (then it is killed and
 * that is the failure); *wstatus is waitpid's. */
static bool spawn_wait(const char *path, char **argv, char **env, FILE *out_f, FILE *err_f, double seconds,
                       int *wstatus, ts_peer_result *out) {
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        say(out, TS_PEER_FAILED, "cannot set up the child process");
        return false;
    }
    int rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (!rc) rc = posix_spawn_file_actions_adddup2(&fa, fileno(out_f), STDOUT_FILENO);
    if (!rc) rc = posix_spawn_file_actions_adddup2(&fa, fileno(err_f), STDERR_FILENO);
    pid_t pid = 0;
    if (!rc) rc = posix_spawn(&pid, path, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        say(out, TS_PEER_FAILED, "cannot start %s: %s", path, strerror(rc));
        return false;
    }
    /* Polled every 10 ms: the figures are the peer's own, timed inside it,
     * so the poll does not touch them. */
    const double deadline = ts_cli_now_ms() + seconds * 1e3;
    for (;;) {
        pid_t got = waitpid(pid, wstatus, WNOHANG);
        if (got == pid) return true;
        if (got < 0 && errno != EINTR) {
            say(out, TS_PEER_FAILED, "cannot wait for %s: %s", path, strerror(errno));
            return false;
        }
        if (ts_cli_now_ms() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR) {
            }
            say(out, TS_PEER_FAILED, PEER " did not finish in %.0f s and was stopped", seconds);
            return false;
        }
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
}

/* How long the peer may take: minutes, not the seconds llvmpipe needs for
 * the largest sweep size (about 0.6 s a frame at 3840x2160 on 2 cores),
 * so that only a peer that hangs is stopped. */
static double peer_seconds(const ts_peer_run *run) {
    double megapixels = (double)run->width * run->height / 1e6;
    return 120.0 + (run->frames + 1) * 2.0 * (1.0 + megapixels);
}

ts_peer_status ts_peer_gl_run(const ts_peer_run *run, ts_peer_result *out) {
    memset(out, 0, sizeof *out);
    char path[PATH_MAX + 16];
    if (!peer_path(path, sizeof path, out)) return TS_PEER_MISSING;

    /* A model whose name starts with '-' would read as an option. */
    char model[PATH_MAX + 3];
    snprintf(model, sizeof model, "%s%s", run->model[0] == '-' ? "./" : "", run->model);
    char size[32], frames[16], threads[32];
    snprintf(size, sizeof size, "%dx%d", run->width, run->height);
    snprintf(frames, sizeof frames, "%d", run->frames);
    snprintf(threads, sizeof threads, THREADS_ENV "=%d", run->threads);
    char shading[16], zoom[32];
    snprintf(shading, sizeof shading, "%s", ts_shading_name(run->shading));
    snprintf(zoom, sizeof zoom, "%.9g", run->zoom > 0.0f ? (double)run->zoom : 1.0);
    /* The picture is not needed, only the times: --out /dev/null. */
    char arg_size[] = "--size", arg_shading[] = "--shading", arg_frames[] = "--frames",
         arg_zoom[] = "--zoom", arg_out[] = "--out", dev_null[] = "/dev/null";
    char *argv[] = {path,    model,    arg_frames, frames,  arg_size, size,     arg_shading,
                    shading, arg_zoom, zoom,       arg_out, dev_null, NULL};

    char **env = child_env(threads);
    FILE *out_f = tmpfile(), *err_f = tmpfile();
    char *text = malloc(MAX_OUTPUT);
    ts_peer_status status = TS_PEER_FAILED;
    int wstatus = 0;
    if (!env || !out_f || !err_f || !text) {
        say(out, TS_PEER_FAILED, "cannot set up the child process: %s",
            !out_f || !err_f ? "no temporary file" : "out of memory");
    } else if (spawn_wait(path, argv, env, out_f, err_f, peer_seconds(run), &wstatus, out)) {
        if (WIFSIGNALED(wstatus)) {
            say(out, TS_PEER_FAILED, PEER " was killed by signal %d (%s)", WTERMSIG(wstatus),
                strsignal(WTERMSIG(wstatus)));
        } else if (WEXITSTATUS(wstatus) != 0) {
            slurp(err_f, text, MAX_OUTPUT);
            const char *why = reason_line(text);
            if (WEXITSTATUS(wstatus) == PEER_EXIT_NO_GL)
                status = say(out, TS_PEER_NO_GL, "%s", why);
            else
                say(out, TS_PEER_FAILED, "exit status %d: %s", WEXITSTATUS(wstatus), why);
        } else {
            slurp(out_f, text, MAX_OUTPUT);
            char *line = NULL;
            for (char *p = text; (p = strstr(p, SUMMARY_PREFIX)) != NULL; p++)
                if (p == text || p[-1] == '\n') line = p;
            if (!line) say(out, TS_PEER_FAILED, PEER " printed no summary line");
            else status = parse_summary(line, run, out);
        }
    }
    free(text);
    if (err_f) fclose(err_f);
    if (out_f) fclose(out_f);
    free(env);
    return status;
}
