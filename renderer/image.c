/* image.c — reading and writing whole images as 8-bit RGBA (PNG out through
 * stb_image_write, anything stb_image reads in), with errors that name the
 * file and the system's reason.
 */
#include "error.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The stream stb_image_write encodes into: the first write error is kept
 * (stb's callback has no way to report it) and decides the result. */
typedef struct png_sink {
    FILE *f;
    int error; /* errno of the first failed write, 0 while all is well */
} png_sink;

static void sink_write(void *context, void *data, int size) {
    png_sink *s = context;
    if (s->error || size <= 0) return;
    errno = 0;
    if (fwrite(data, 1, (size_t)size, s->f) != (size_t)size) s->error = errno ? errno : EIO;
}

ts_result ts_png_write(const char *path, int width, int height, const uint8_t *rgba,
                       ts_error *err) {
    if (!path || !rgba)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_png_write: no %s given",
                            path ? "pixels" : "path");
    if (width <= 0 || height <= 0)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "%s: cannot write a %dx%d PNG", path, width,
                            height);
    /* stb_image_write sizes its buffers in int: one filter byte per row plus
     * the pixels must fit. */
    if (width > (INT_MAX - 1) / 4 || (long long)(4 * width + 1) * height > INT_MAX)
        return ts_error_set(err, TS_ERR_TOO_LARGE, "%s: a %dx%d PNG is too large to write", path,
                            width, height);

    /* The file is opened here rather than by stbi_write_png so that a
     * failure reports the system's reason, not just "failed". */
    png_sink sink = {.f = fopen(path, "wb"), .error = 0};
    if (!sink.f)
        return ts_error_set(err, TS_ERR_IO, "%s: cannot write PNG (%s)", path, strerror(errno));
    int encoded = stbi_write_png_to_func(sink_write, &sink, width, height, 4, rgba, width * 4);
    errno = 0;
    if (fclose(sink.f) != 0 && !sink.error) sink.error = errno ? errno : EIO;
    /* A half-written file stays: removing `path` could delete something
     * that was never ours (a device node, a file the caller pointed at). */
    if (!encoded)
        return ts_error_set(err, TS_ERR_IO, "%s: cannot write PNG (out of memory while encoding)",
                            path);
    if (sink.error)
        return ts_error_set(err, TS_ERR_IO, "%s: cannot write PNG (%s)", path,
                            strerror(sink.error));
    return TS_OK;
}

ts_result ts_png_read(const char *path, int *width, int *height, uint8_t **rgba, ts_error *err) {
    if (rgba) *rgba = NULL;
    if (!path || !width || !height || !rgba)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_png_read: missing argument");
    *width = *height = 0;

    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (e == ENOENT) return ts_error_set(err, TS_ERR_FILE_NOT_FOUND, "%s: no such file", path);
        return ts_error_set(err, TS_ERR_FILE_NOT_FOUND, "%s: cannot open (%s)", path, strerror(e));
    }
    int w, h, comp;
    errno = 0;
    stbi_uc *pixels = stbi_load_from_file(f, &w, &h, &comp, 4);
    /* fopen() succeeds on a directory; only the read fails, and stb would
     * call that an unknown image type. */
    int e = errno;
    bool read_failed = ferror(f);
    fclose(f);
    if (!pixels) {
        if (read_failed)
            return ts_error_set(err, TS_ERR_FILE_NOT_FOUND, "%s: cannot read (%s)", path,
                                strerror(e ? e : EIO));
        const char *why = stbi_failure_reason();
        return ts_error_set(err, TS_ERR_TEXTURE, "%s: not an image (%s)", path,
                            why ? why : "unknown reason");
    }
    *width = w;
    *height = h;
    *rgba = pixels; /* stb's allocator is malloc, so free() releases it */
    return TS_OK;
}
