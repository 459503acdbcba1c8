/* png_check.c — a PNG's compressed pixel data, inflated with zlib before
 * stb_image sees the file.
 *
 * Why: the stb_image Debian ships (2.27) reads zero bits past the end of a
 * truncated zlib stream instead of failing, so a hundred-byte PNG whose
 * Huffman table gives the all-zero code to a literal inflates without end:
 * stb doubles its buffer until a 2 GiB allocation fails, seconds later
 * (tests/fuzz/regressions/texture/png-zlib-unterminated). Here the IDAT
 * stream must end inside the file and inflate to no more than the pixels
 * its header declares; the output is counted, not kept.
 *
 * And every chunk up to IEND must lie inside the file: stb grows its IDAT
 * buffer to an IDAT chunk's declared length before it reads the chunk, so
 * a 200-byte PNG whose second IDAT claims 1.7 GB made it ask for 2 GiB
 * (tests/fuzz/regressions/texture/png-idat-length-past-end). That holds for
 * a chunk cut off inside its own 12 bytes of framing too: stb reads the
 * length and type (8 bytes) before it looks for the rest
 * (regressions/texture/png-chunk-header-cut-off: 10 bytes left, a length of
 * 2.5 GB). */
#include "renderer_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The most bytes the IDAT stream of a w x h image may inflate to: a filter
 * byte and the packed samples per row. Adam7 interlacing splits the image
 * into seven passes of whole rows, at most one more filter byte and one
 * more partial byte per pass row than the plain layout, so twice the plain
 * size plus a margin holds every valid stream. Zero for an unknown colour
 * type or bit depth (stb refuses those itself). */
static uint64_t inflated_limit(uint32_t w, uint32_t h, uint8_t depth, uint8_t color_type) {
    unsigned channels;
    switch (color_type) {
    case 0: channels = 1; break; /* grey */
    case 2: channels = 3; break; /* RGB */
    case 3: channels = 1; break; /* palette index */
    case 4: channels = 2; break; /* grey + alpha */
    case 6: channels = 4; break; /* RGBA */
    default: return 0;
    }
    if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) return 0;
    uint64_t row = 1 + ((uint64_t)w * channels * depth + 7) / 8;
    return 2 * row * h + 1024;
}

bool ts_png_check(const uint8_t *bytes, size_t len, char *why, size_t why_size) {
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 8 || memcmp(bytes, signature, 8) != 0) return true; /* not a PNG */

    /* Chunks: length (4, big-endian), type (4), data, CRC (4). IHDR first. */
    size_t at = 8;
    /* stb_image names a PNG cut inside its header by whatever field it
     * read as zero ("1/2/4/8/16-bit only" for a file of 20 bytes). */
    if (len - at < 12 + 13) {
        snprintf(why, why_size, "corrupt PNG: the file ends inside its header (%zu bytes)", len);
        return false;
    }
    if (memcmp(bytes + at + 4, "IHDR", 4) != 0 || be32(bytes + at) != 13)
        return true; /* stb reports a missing or malformed header itself */
    const uint8_t *ihdr = bytes + at + 8;
    uint64_t limit = inflated_limit(be32(ihdr), be32(ihdr + 4), ihdr[8], ihdr[9]);
    if (limit == 0) return true;

    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        snprintf(why, why_size, "cannot inflate its pixel data (zlib: %s)", zs.msg ? zs.msg : "no memory");
        return false;
    }
    uint8_t sink[16384];
    int z = Z_OK;
    uint64_t inflated = 0;
    bool ok = true;
    /* Every chunk whose length and type are in the file is checked, as stb
     * reads those 8 bytes of any chunk it reaches. */
    while (ok && len - at >= 8) {
        size_t data_len = be32(bytes + at);
        const uint8_t *type = bytes + at + 4;
        const uint8_t *data = bytes + at + 8;
        if ((uint64_t)data_len + 12 > len - at) {
            snprintf(why, why_size, "corrupt PNG: chunk %.4s runs past the end of the file", (const char *)type);
            ok = false;
            break;
        }
        at += 12 + data_len;
        if (memcmp(type, "IEND", 4) == 0) break;
        /* Chunks after the end of the stream are walked for their lengths
         * only (stb still appends an IDAT there to its buffer). */
        if (memcmp(type, "IDAT", 4) != 0 || z == Z_STREAM_END) continue;
        zs.next_in = (Bytef *)(uintptr_t)data; /* zlib's API is not const-correct */
        zs.avail_in = (uInt)data_len;
        for (;;) {
            zs.next_out = sink;
            zs.avail_out = sizeof sink;
            z = inflate(&zs, Z_NO_FLUSH);
            inflated += sizeof sink - zs.avail_out;
            if (z == Z_BUF_ERROR) { /* no progress: it needs the next chunk */
                z = Z_OK;
                break;
            }
            if (z != Z_OK && z != Z_STREAM_END) {
                snprintf(why, why_size, "corrupt PNG: its pixel data does not inflate (zlib: %s)",
                         zs.msg ? zs.msg : "stream error");
                ok = false;
                break;
            }
            if (inflated > limit) {
                snprintf(why, why_size, "corrupt PNG: its pixel data inflates beyond the %ux%u its header declares",
                         be32(ihdr), be32(ihdr + 4));
                ok = false;
                break;
            }
            /* A full sink may hide more output; otherwise the chunk is spent. */
            if (z == Z_STREAM_END || (zs.avail_in == 0 && zs.avail_out != 0)) break;
        }
    }
    if (ok && z != Z_STREAM_END) {
        snprintf(why, why_size, "corrupt PNG: its pixel data ends early");
        ok = false;
    }
    inflateEnd(&zs);
    return ok;
}
