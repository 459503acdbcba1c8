/* file_out.c — writing a file whole or not at all (file_out.h). */
#define _DEFAULT_SOURCE /* realpath */

#include "file_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void release(ts_file_out *o) {
    free(o->dest);
    free(o->temp);
    *o = (ts_file_out){0};
}

/* A name beside `dest` that nothing has: dest.tmp-PID-N. Opened with
 * O_EXCL, so two writers (threads or processes) never share one. With the
 * permissions of `old`, the file it replaces, or a new file's. */
static int open_temp(ts_file_out *o, const struct stat *old) {
    static atomic_uint counter;
    size_t n = strlen(o->dest) + 48;
    o->temp = malloc(n);
    if (!o->temp) return ENOMEM;
    for (int tries = 0; tries < 100; tries++) {
        snprintf(o->temp, n, "%s.tmp-%ld-%u", o->dest, (long)getpid(),
                 atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed));
        int fd = open(o->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); /* less the umask */
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) return errno;
        o->f = old && fchmod(fd, old->st_mode & 07777) != 0 ? NULL : fdopen(fd, "wb");
        if (o->f) return 0;
        int e = errno;
        close(fd);
        unlink(o->temp);
        return e;
    }
    return EEXIST;
}

/* Writes `path` in place, as fopen does. */
static int open_in_place(ts_file_out *o, const char *path) {
    o->f = fopen(path, "wb");
    return o->f ? 0 : errno;
}

int ts_file_out_open(ts_file_out *o, const char *path) {
    *o = (ts_file_out){0};
    if (!path[0]) return ENOENT; /* as open(2) says; "" is no name to put a temporary beside */
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT) return errno;
    /* A device or a pipe: there is no "whole or not at all". */
    if (exists && !S_ISREG(st.st_mode)) return open_in_place(o, path);
    if (exists) {
        /* Replaced by a rename, a read-only file would be written anyway:
         * refuse it as opening it would. */
        if (access(path, W_OK) != 0) return errno;
        o->dest = realpath(path, NULL); /* through a symlink, to its target */
    } else {
        o->dest = strdup(path);
    }
    int e = o->dest ? open_temp(o, exists ? &st : NULL) : errno ? errno : ENOMEM;
    if (e) release(o);
    /* A writable file in a directory that takes no new names, or a name
     * too long to take the temporary's suffix: written in place, as it
     * always could be. */
    if ((e == EACCES && exists) || e == ENAMETOOLONG) return open_in_place(o, path);
    return e;
}

int ts_file_out_check(const char *path) {
    if (!path[0]) return ENOENT;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return EISDIR;
        if (!S_ISREG(st.st_mode)) return 0; /* a device or a pipe: opened in place, when written */
        return access(path, W_OK) == 0 ? 0 : errno;
    }
    if (errno != ENOENT) return errno;
    /* A new file: its directory must exist and take new names. */
    char *dir = strdup(path);
    if (!dir) return ENOMEM;
    char *slash = strrchr(dir, '/');
    if (!slash) strcpy(dir, ".");
    else if (slash == dir) slash[1] = '\0'; /* "/name": the root */
    else *slash = '\0';
    int e = stat(dir, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : access(dir, W_OK | X_OK) != 0 ? errno : 0;
    free(dir);
    return e;
}

int ts_file_out_close(ts_file_out *o) {
    if (!o->f) {
        release(o);
        return EBADF;
    }
    int e = 0;
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) e = errno ? errno : EIO;
    if (fclose(o->f) != 0 && !e) e = errno ? errno : EIO;
    o->f = NULL;
    if (o->temp) {
        if (!e && rename(o->temp, o->dest) != 0) e = errno;
        if (e) unlink(o->temp);
    }
    release(o);
    return e;
}

void ts_file_out_discard(ts_file_out *o) {
    if (o->f) fclose(o->f);
    if (o->temp) unlink(o->temp);
    release(o);
}
