/* tga_check.c — a TGA image's declared size against the bytes it has,
 * before stb_image sees the file.
 *
 * Why: stb_image decodes a TGA whose pixel data ends early by reading zeros
 * past the end, so a 71-byte file declaring 6168x6168 pixels made it
 * allocate and fill 150 MB, seconds of work for nothing
 * (tests/fuzz/regressions/texture/tga-size-past-end). Here the data after
 * the header, ID and colour map must hold what the header declares:
 * width x height pixels uncompressed, and for run-length data at least one
 * packet (a byte and one pixel) per 128 pixels, the most one packet covers.
 *
 * TGA has no signature; stb tries it after every format that has one, so
 * this check looks at files that carry none of theirs. What stb would not
 * take as a TGA (an unknown image type, no size) passes here and is stb's
 * to refuse. */
#include "renderer_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned le16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

/* Whether the file starts as a format stb reads before it tries TGA. */
static bool has_signature(const uint8_t *b, size_t n) {
    static const struct {
        const char *magic;
        size_t len;
    } formats[] = {
        {"\xff\xd8", 2}, {"\x89PNG", 4}, {"BM", 2}, {"GIF8", 4},
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (n >= formats[i].len && memcmp(b, formats[i].magic, formats[i].len) == 0) return true;
    return false;
}

bool ts_tga_check(const uint8_t *b, size_t n, char *why, size_t why_size) {
    enum { HEADER = 18, RUN = 128 };
    if (n < HEADER || has_signature(b, n)) return true;
    unsigned type = b[2];
    bool rle = type >= 9 && type <= 11;
    if (!rle && (type < 1 || type > 3)) return true; /* not a TGA stb decodes */
    unsigned w = le16(b + 12), h = le16(b + 14);
    unsigned bits = b[16] ? b[16] : 8;
    uint64_t pixel_bytes = (bits + 7) / 8;
    /* After the header: the ID field, then the colour map (type 1 and 9). */
    uint64_t map = b[1] ? (uint64_t)le16(b + 5) * ((b[7] + 7u) / 8u) : 0;
    uint64_t before = HEADER + (uint64_t)b[0] + map;
    uint64_t have = n > before ? n - before : 0;
    uint64_t pixels = (uint64_t)w * h;
    uint64_t need = rle ? (pixels + RUN - 1) / RUN * (1 + pixel_bytes) : pixels * pixel_bytes;
    if (need <= have) return true;
    snprintf(why, why_size, "corrupt TGA: %ux%u pixels need %s%llu bytes of data, the file has %llu", w, h,
             rle ? "at least " : "", (unsigned long long)need, (unsigned long long)have);
    return false;
}
