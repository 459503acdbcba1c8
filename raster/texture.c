/* texture.c — mip chain construction and the bilinear/trilinear sampler.
 * Pure functions; no I/O (images are decoded by the caller). */
#include "texture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ts_texture_status ts_texture_init_rgba8(ts_texture *tex, int width, int height,
                                        const uint8_t *rgba) {
    memset(tex, 0, sizeof *tex);
    if (width <= 0 || height <= 0 || width > TS_TEXTURE_MAX_DIM || height > TS_TEXTURE_MAX_DIM)
        return TS_TEXTURE_BAD_SIZE;

    size_t total = 0;
    int n = 0;
    for (;;) {
        int w = ts_texture_level_size(width, n), h = ts_texture_level_size(height, n);
        total += (size_t)w * (size_t)h * 4;
        n++;
        if (w == 1 && h == 1) break;
    }
    uint8_t *mem = malloc(total);
    if (!mem) return TS_TEXTURE_NO_MEMORY;

    tex->width = width;
    tex->height = height;
    tex->level_count = n;
    tex->storage = mem;
    memcpy(mem, rgba, (size_t)width * (size_t)height * 4);
    tex->levels[0] = (ts_texture_level){width, height, mem};
    uint8_t *next = mem + (size_t)width * (size_t)height * 4;
    for (int l = 1; l < n; l++) {
        const ts_texture_level *src = &tex->levels[l - 1];
        int lw = ts_texture_level_size(width, l), lh = ts_texture_level_size(height, l);
        /* Box filter over the 2x2 (or 2x1, 1x2) source texels; an odd last
         * row or column of the source is dropped, as GL implementations
         * commonly do. */
        int sx = src->width > 1 ? 2 : 1, sy = src->height > 1 ? 2 : 1;
        for (int y = 0; y < lh; y++)
            for (int x = 0; x < lw; x++)
                for (int c = 0; c < 4; c++) {
                    unsigned sum = 0;
                    for (int j = 0; j < sy; j++)
                        for (int i = 0; i < sx; i++)
                            sum += src->texels[((size_t)(y * sy + j) * (size_t)src->width +
                                                (size_t)(x * sx + i)) * 4 + (size_t)c];
                    unsigned cnt = (unsigned)(sx * sy);
                    next[((size_t)y * (size_t)lw + (size_t)x) * 4 + (size_t)c] =
                        (uint8_t)((sum + cnt / 2) / cnt);
                }
        tex->levels[l] = (ts_texture_level){lw, lh, next};
        next += (size_t)lw * (size_t)lh * 4;
    }
    return TS_TEXTURE_OK;
}

void ts_texture_free(ts_texture *tex) {
    if (!tex) return;
    free(tex->storage);
    memset(tex, 0, sizeof *tex);
}

float ts_texture_lod(const ts_texture *tex, float dudx, float dvdx, float dudy, float dvdy) {
    float ax = dudx * (float)tex->width, ay = dvdx * (float)tex->height;
    float bx = dudy * (float)tex->width, by = dvdy * (float)tex->height;
    float rho2 = fmaxf(ax * ax + ay * ay, bx * bx + by * by);
    if (!(rho2 > 0.0f)) return 0.0f; /* also maps NaN to the base level */
    return 0.5f * log2f(rho2);
}

/* Wraps integer texel coordinate i into [0, n). */
static int wrap(int i, int n) {
    int r = i % n;
    return r < 0 ? r + n : r;
}

void ts_texture_sample_level(const ts_texture *tex, int level, float u, float v, float out[4]) {
    const ts_texture_level *L = &tex->levels[level];
    /* Keep coordinates finite and small enough for the int conversion
     * below: the fractional position in the repeated texture is all that
     * matters. */
    if (!isfinite(u)) u = 0.0f;
    if (!isfinite(v)) v = 0.0f;
    u -= floorf(u);
    v -= floorf(v);
    float fx = u * (float)L->width - 0.5f, fy = v * (float)L->height - 0.5f;
    float x0f = floorf(fx), y0f = floorf(fy);
    float ax = fx - x0f, ay = fy - y0f;
    int x0 = wrap((int)x0f, L->width), y0 = wrap((int)y0f, L->height);
    int x1 = wrap(x0 + 1, L->width), y1 = wrap(y0 + 1, L->height);
    const uint8_t *t00 = L->texels + ((size_t)y0 * (size_t)L->width + (size_t)x0) * 4;
    const uint8_t *t10 = L->texels + ((size_t)y0 * (size_t)L->width + (size_t)x1) * 4;
    const uint8_t *t01 = L->texels + ((size_t)y1 * (size_t)L->width + (size_t)x0) * 4;
    const uint8_t *t11 = L->texels + ((size_t)y1 * (size_t)L->width + (size_t)x1) * 4;
    for (int c = 0; c < 4; c++) {
        float top = (float)t00[c] + ax * ((float)t10[c] - (float)t00[c]);
        float bot = (float)t01[c] + ax * ((float)t11[c] - (float)t01[c]);
        out[c] = (top + ay * (bot - top)) * (1.0f / 255.0f);
    }
}

void ts_texture_sample(const ts_texture *tex, float u, float v, float lod, float out[4]) {
    float max_lod = (float)(tex->level_count - 1);
    if (!(lod > 0.0f)) {
        ts_texture_sample_level(tex, 0, u, v, out);
        return;
    }
    if (lod >= max_lod) {
        ts_texture_sample_level(tex, tex->level_count - 1, u, v, out);
        return;
    }
    int l0 = (int)lod;
    float f = lod - (float)l0;
    float a[4], b[4];
    ts_texture_sample_level(tex, l0, u, v, a);
    ts_texture_sample_level(tex, l0 + 1, u, v, b);
    for (int c = 0; c < 4; c++) out[c] = a[c] + f * (b[c] - a[c]);
}
