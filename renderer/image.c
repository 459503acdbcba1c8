/* image.c — reading and writing whole images as 8-bit RGBA (PNG out with
 * zlib, a row at a time; anything stb_image reads in), with errors that
 * name the file and the system's reason.
 */
#include "error.h"
#include "file_out.h"

#include <stb/stb_image.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* PNG out is written here with zlib, a row at a time, rather than with
 * stb_image_write, which builds the whole filtered image and its
 * compressed copy in memory (two more frames' worth) and deflates with a
 * slow compressor: a 16384x16384 frame took over four minutes. */

#define IDAT_CHUNK (1u << 16)

typedef struct png_out {
    FILE *f;   /* the file_out's */
    int error; /* errno of the first failed write, 0 while all is well */
} png_out;

static void put(png_out *o, const void *data, size_t n) {
    if (o->error || n == 0) return;
    errno = 0;
    if (fwrite(data, 1, n, o->f) != n) o->error = errno ? errno : EIO;
}

static void put_u32(png_out *o, uint32_t v) {
    const uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(o, b, 4);
}

/* One chunk: length, type, data, CRC of type and data. */
static void put_chunk(png_out *o, const char type[4], const uint8_t *data, size_t n) {
    put_u32(o, (uint32_t)n);
    put(o, type, 4);
    put(o, data, n);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (n) crc = crc32(crc, data, (uInt)n);
    put_u32(o, (uint32_t)crc);
}

ts_result ts_png_write(const char *path, int width, int height, const uint8_t *rgba,
                       ts_error *err) {
    if (!path || !rgba)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_png_write: no %s given",
                            path ? "pixels" : "path");
    if (!path[0]) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_png_write: an empty path");
    if (width <= 0 || height <= 0)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "%s: cannot write a %dx%d PNG", path, width,
                            height);
    /* PNG's own limit on a side; a row (filter byte and pixels) in zlib's
     * uInt. */
    if (width > INT_MAX / 4 - 1 || height > INT_MAX)
        return ts_error_set(err, TS_ERR_TOO_LARGE, "%s: a %dx%d PNG is too large to write", path,
                            width, height);
    const size_t row = (size_t)width * 4;
    uint8_t *line = malloc(row + 1), *out = malloc(IDAT_CHUNK);
    z_stream z;
    memset(&z, 0, sizeof z);
    /* Large frames at zlib's fastest level: seconds, not minutes, for a
     * gigabyte; small ones (goldens, screenshots) compressed as usual. */
    int level = (uint64_t)width * (uint64_t)height > (1u << 22) ? Z_BEST_SPEED : Z_DEFAULT_COMPRESSION;
    if (!line || !out || deflateInit(&z, level) != Z_OK) {
        free(line);
        free(out);
        return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "%s: cannot write PNG (out of memory while encoding)",
                            path);
    }
    /* Whole or not at all: a write that fails (a full disk) leaves the file
     * that was there, not half a PNG. */
    ts_file_out file;
    int e = ts_file_out_open(&file, path);
    png_out o = {.f = file.f, .error = 0};
    if (e) {
        deflateEnd(&z);
        free(line);
        free(out);
        return ts_error_set(err, TS_ERR_IO, "%s: cannot write PNG (%s)", path, strerror(e));
    }
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put(&o, signature, sizeof signature);
    uint8_t ihdr[13] = {0};
    for (int i = 0; i < 4; i++) {
        ihdr[i] = (uint8_t)((uint32_t)width >> (24 - 8 * i));
        ihdr[4 + i] = (uint8_t)((uint32_t)height >> (24 - 8 * i));
    }
    ihdr[8] = 8; /* bits per channel */
    ihdr[9] = 6; /* RGBA */
    put_chunk(&o, "IHDR", ihdr, sizeof ihdr);

    /* Rows with the Up filter (each byte less the one above it): the
     * smooth gradients and flat backgrounds of a render become runs of
     * zeros. The first row's "above" is zero, so it is stored as is. */
    int zr = Z_OK;
    for (int y = 0; y <= height && zr != Z_STREAM_END && !o.error; y++) {
        int flush = y == height ? Z_FINISH : Z_NO_FLUSH;
        if (y < height) {
            const uint8_t *cur = rgba + (size_t)y * row, *up = y ? cur - row : NULL;
            line[0] = 2;
            for (size_t i = 0; i < row; i++) line[1 + i] = (uint8_t)(cur[i] - (up ? up[i] : 0));
            z.next_in = line;
            z.avail_in = (uInt)(row + 1);
        } else {
            z.next_in = NULL;
            z.avail_in = 0;
        }
        do {
            z.next_out = out;
            z.avail_out = IDAT_CHUNK;
            zr = deflate(&z, flush);
            size_t made = IDAT_CHUNK - z.avail_out;
            if (made) put_chunk(&o, "IDAT", out, made);
        } while ((z.avail_out == 0 || (flush == Z_FINISH && zr == Z_OK)) && !o.error);
    }
    deflateEnd(&z);
    put_chunk(&o, "IEND", NULL, 0);
    free(line);
    free(out);
    if (o.error || zr != Z_STREAM_END) {
        ts_file_out_discard(&file);
        if (o.error) return ts_error_set(err, TS_ERR_IO, "%s: cannot write PNG (%s)", path, strerror(o.error));
        return ts_error_set(err, TS_ERR_IO, "%s: cannot write PNG (zlib error %d)", path, zr);
    }
    e = ts_file_out_close(&file);
    if (e) return ts_error_set(err, TS_ERR_IO, "%s: cannot write PNG (%s)", path, strerror(e));
    return TS_OK;
}

ts_result ts_png_read(const char *path, int *width, int *height, uint8_t **rgba, ts_error *err) {
    if (rgba) *rgba = NULL;
    if (!path || !width || !height || !rgba)
        return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_png_read: missing argument");
    *width = *height = 0;
    if (!path[0]) return ts_error_set(err, TS_ERR_INVALID_ARG, "ts_png_read: an empty path");

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
