/* test_file_out.c — ts_png_write writes its file whole or not at all
 * (renderer/file_out.c):
 *   - a write that fails part-way (the file size limit, RLIMIT_FSIZE, which
 *     fails writes as a full disk does) leaves the file that was there and
 *     no temporary file beside it;
 *   - a write that succeeds replaces the file, keeps its permissions, and
 *     writes through a symlink (the link stays a link);
 *   - a message longer than ts_error's buffer keeps the reason at its end;
 *   - a device is written in place (/dev/null; /dev/full reports its
 *     error), and so is a writable file in a directory that takes no new
 *     names; a missing directory or a read-only file is refused with the
 *     system's reason;
 *   - ts_file_out_check, the programs' check of an output before their
 *     run, says what the write then does (writable, or the write's
 *     reason) and creates, truncates and opens nothing (a named pipe, an
 *     empty name, a name too long for the temporary's suffix). */
#define _DEFAULT_SOURCE /* mkdtemp */

#include "tessera.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_out.h"
#include "test_check.h"

#define W 256
#define H 256

static char dir[64];

typedef struct file_path {
    char s[512];
} file_path;

static file_path at(const char *name) {
    file_path p;
    snprintf(p.s, sizeof p.s, "%s/%s", dir, name);
    return p;
}

static void put_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "%s: %s", path, strerror(errno));
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static bool has_text(const char *path, const char *text) {
    char buf[64] = {0};
    FILE *f = fopen(path, "r");
    if (!f) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return n == strlen(text) && !memcmp(buf, text, n);
}

/* Files in the directory other than the ones the test made. */
static int strays(void) {
    int n = 0;
    DIR *d = opendir(dir);
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".tmp-")) {
            printf("stray file: %s\n", e->d_name);
            n++;
        }
    closedir(d);
    return n;
}

static bool png_equals(const char *path, const uint8_t *rgba) {
    int w = 0, h = 0;
    uint8_t *got = NULL;
    ts_error err = {0};
    if (ts_png_read(path, &w, &h, &got, &err) != TS_OK) {
        printf("%s\n", err.message);
        return false;
    }
    bool same = w == W && h == H && !memcmp(got, rgba, (size_t)W * H * 4);
    free(got);
    return same;
}

/* ts_file_out_check on `path`, then a write of it: the check changed
 * nothing (a new file is not there, an old one still holds "old") and said
 * what the write did. */
static void check_agrees(const char *path, bool existed, const uint8_t *rgba) {
    int e = ts_file_out_check(path);
    CHECK(existed ? has_text(path, "old") : access(path, F_OK) != 0, "%s: the check changed it", path);
    CHECK(strays() == 0, "%s: the check left a temporary file", path);
    ts_error err = {0};
    ts_result r = ts_png_write(path, W, H, rgba, &err);
    CHECK((e == 0) == (r == TS_OK) && (e == 0 || strstr(err.message, strerror(e))),
          "%s: the check said '%s', the write '%s'", path, e ? strerror(e) : "writable",
          r == TS_OK ? "written" : err.message);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/tessera-file-out-XXXXXX");
    if (!mkdtemp(dir)) {
        printf("mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    /* Noise: it does not compress, so the PNG is about 256 KiB. */
    uint8_t *rgba = malloc((size_t)W * H * 4);
    if (!rgba) return 1;
    uint32_t x = 12345;
    for (size_t i = 0; i < (size_t)W * H * 4; i++) {
        x = x * 1664525u + 1013904223u;
        rgba[i] = (uint8_t)(x >> 24);
    }
    ts_error err = {0};

    /* A write the file size limit stops part-way: the old file stays. */
    const file_path img_p = at("img.png"), target_p = at("target.png"), link_p = at("link.png"),
               nodir_p = at("no-such-dir/x.png"), ro_p = at("ro.png");
    const char *img = img_p.s, *target = target_p.s, *link = link_p.s, *ro = ro_p.s;
    put_text(img, "old");
    struct rlimit was;
    getrlimit(RLIMIT_FSIZE, &was);
    signal(SIGXFSZ, SIG_IGN); /* the write fails with EFBIG instead */
    struct rlimit small = {64 * 1024, was.rlim_max};
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0, "setrlimit: %s", strerror(errno));
    ts_result r = ts_png_write(img, W, H, rgba, &err);
    setrlimit(RLIMIT_FSIZE, &was);
    CHECK(r == TS_ERR_IO && strstr(err.message, "img.png") && strstr(err.message, strerror(EFBIG)),
          "a write past the size limit: %d '%s'", (int)r, err.message);
    CHECK(has_text(img, "old"), "the old file was lost to a failed write");
    CHECK(strays() == 0, "a failed write left its temporary file");

    /* A write that succeeds replaces it, with its permissions. */
    chmod(img, 0640);
    r = ts_png_write(img, W, H, rgba, &err);
    CHECK(r == TS_OK, "%s", err.message);
    CHECK(png_equals(img, rgba), "the PNG written is not the image");
    struct stat st;
    CHECK(stat(img, &st) == 0 && (st.st_mode & 07777) == 0640, "mode %o after a rewrite, was 640",
          (unsigned)(st.st_mode & 07777));
    CHECK(strays() == 0, "a write left its temporary file");

    /* Through a symlink: the target is written, the link stays. */
    put_text(target, "old");
    CHECK(symlink("target.png", link) == 0, "symlink: %s", strerror(errno));
    r = ts_png_write(link, W, H, rgba, &err);
    CHECK(r == TS_OK, "%s", err.message);
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the symlink was replaced by a file");
    CHECK(png_equals(target, rgba), "the symlink's target was not written");

    /* Devices are written in place. */
    CHECK(ts_png_write("/dev/null", W, H, rgba, &err) == TS_OK, "/dev/null: %s", err.message);
    if (access("/dev/full", W_OK) == 0) {
        r = ts_png_write("/dev/full", W, H, rgba, &err);
        CHECK(r == TS_ERR_IO && strstr(err.message, strerror(ENOSPC)), "/dev/full: %d '%s'", (int)r, err.message);
    }

    /* Refused with the system's reason. */
    r = ts_png_write(nodir_p.s, W, H, rgba, &err);
    CHECK(r == TS_ERR_IO && strstr(err.message, strerror(ENOENT)), "missing directory: %d '%s'", (int)r,
          err.message);
    /* A path longer than the message: cut in its middle, the reason kept. */
    char long_path[1200];
    snprintf(long_path, sizeof long_path, "%s/%0200d/%0200d/%0200d/x.png", dir, 1, 2, 3);
    r = ts_png_write(long_path, W, H, rgba, &err);
    CHECK(r == TS_ERR_IO && strstr(err.message, "...") && strstr(err.message, strerror(ENOENT)) &&
              !strncmp(err.message, dir, strlen(dir)),
          "a long missing path: %d '%s'", (int)r, err.message);
    put_text(ro, "old");
    chmod(ro, 0444);
    if (access(ro, W_OK) != 0) { /* root may write anyway */
        r = ts_png_write(ro, W, H, rgba, &err);
        CHECK(r == TS_ERR_IO && strstr(err.message, strerror(EACCES)), "read-only file: %d '%s'", (int)r,
              err.message);
        CHECK(has_text(ro, "old"), "a read-only file was replaced");
    }
    CHECK(strays() == 0, "temporary files left");

    /* A directory that takes no new names (root's writes ignore that). */
    const file_path sub_p = at("sealed"), inner_p = at("sealed/in.png");
    CHECK(mkdir(sub_p.s, 0755) == 0, "mkdir: %s", strerror(errno));
    put_text(inner_p.s, "old");
    chmod(sub_p.s, 0555);
    if (geteuid() != 0) {
        r = ts_png_write(inner_p.s, W, H, rgba, &err);
        CHECK(r == TS_OK && png_equals(inner_p.s, rgba), "a file in a sealed directory: %s", err.message);
        check_agrees(at("sealed/new.png").s, false, rgba);
        put_text(inner_p.s, "old");
        check_agrees(inner_p.s, true, rgba);
    }
    chmod(sub_p.s, 0755);
    unlink(inner_p.s);
    rmdir(sub_p.s);

    /* The check against the write. */
    put_text(img, "old");
    check_agrees(img, true, rgba);
    check_agrees(at("new.png").s, false, rgba);
    check_agrees(nodir_p.s, false, rgba);
    check_agrees(long_path, false, rgba);
    r = ts_png_write(dir, W, H, rgba, &err);
    CHECK(ts_file_out_check(dir) == EISDIR && r == TS_ERR_IO && strstr(err.message, strerror(EISDIR)),
          "a directory: the check said '%s', the write '%s'", strerror(ts_file_out_check(dir)), err.message);
    CHECK(ts_file_out_check("/dev/null") == 0, "/dev/null: %s", strerror(ts_file_out_check("/dev/null")));
    put_text(ro, "old");
    chmod(ro, 0444);
    if (access(ro, W_OK) != 0) check_agrees(ro, true, rgba);
    unlink(at("new.png").s);
    /* No name: refused by both (no temporary made in "."). */
    r = ts_png_write("", W, H, rgba, &err);
    CHECK(ts_file_out_check("") == ENOENT && r != TS_OK, "an empty name: the check said '%s', the write '%s'",
          strerror(ts_file_out_check("")), err.message);
    /* A name too long for the temporary's suffix (NAME_MAX 255): written
     * in place. */
    char long_name[251];
    memset(long_name, 'n', sizeof long_name - 5);
    memcpy(long_name + sizeof long_name - 5, ".png", 5);
    const file_path long_p = at(long_name);
    put_text(long_p.s, "old");
    check_agrees(long_p.s, true, rgba);
    unlink(long_p.s);
    /* A named pipe: the check opens nothing (opening it to write would
     * wait here for a reader without end). */
    const file_path fifo_p = at("fifo");
    CHECK(mkfifo(fifo_p.s, 0600) == 0, "mkfifo: %s", strerror(errno));
    CHECK(ts_file_out_check(fifo_p.s) == 0, "a named pipe: %s", strerror(ts_file_out_check(fifo_p.s)));
    unlink(fifo_p.s);

    unlink(ro);
    unlink(link);
    unlink(target);
    unlink(img);
    rmdir(dir);
    free(rgba);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
