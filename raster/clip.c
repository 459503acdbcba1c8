/* clip.c — Sutherland–Hodgman clipping in homogeneous clip space, against
 * near, far and the four guard-band planes. Called by whichever thread runs
 * geometry; pure function of its arguments. */
#include "clip.h"

#include "fixed.h"

#include <math.h>
#include <string.h>

ts_clip_band ts_clip_guard_band(int width, int height) {
    /* Screen x = (ndc + 1) * width / 2, so ndc = 1 + 2 * GB / width puts the
     * band GB pixels beyond the right edge (and symmetric on the left). */
    ts_clip_band b;
    b.gx = 1.0f + 2.0f * (float)TS_GUARD_BAND_PX / (float)(width > 0 ? width : 1);
    b.gy = 1.0f + 2.0f * (float)TS_GUARD_BAND_PX / (float)(height > 0 ? height : 1);
    return b;
}

/* Signed distance of v to plane p (>= 0 inside). */
static float plane_dist(const ts_clip_vert *v, int p, ts_clip_band band) {
    const float *c = v->pos;
    switch (p) {
    case 0: return c[3] + c[2];             /* near: z >= -w */
    case 1: return c[3] - c[2];             /* far:  z <= w  */
    case 2: return band.gx * c[3] - c[0];   /* x <= gx w */
    case 3: return band.gx * c[3] + c[0];   /* x >= -gx w */
    case 4: return band.gy * c[3] - c[1];   /* y <= gy w */
    default: return band.gy * c[3] + c[1];  /* y >= -gy w */
    }
}

static void lerp_vert(const ts_clip_vert *a, const ts_clip_vert *b, float t, int nvar,
                      ts_clip_vert *out) {
    for (int i = 0; i < 4; i++) out->pos[i] = a->pos[i] + t * (b->pos[i] - a->pos[i]);
    for (int i = 0; i < nvar; i++) out->var[i] = a->var[i] + t * (b->var[i] - a->var[i]);
}

unsigned ts_clip_outcode(const ts_clip_vert *v, ts_clip_band band) {
    for (int i = 0; i < 4; i++)
        if (!isfinite(v->pos[i])) return TS_CLIP_NONFINITE;
    unsigned mask = 0;
    for (int p = 0; p < 6; p++)
        if (plane_dist(v, p, band) < 0.0f) mask |= 1u << p;
    return mask;
}

int ts_clip_triangle(const ts_clip_vert in[3], int varying_count, ts_clip_band band,
                     ts_clip_vert out[TS_CLIP_MAX_VERTS]) {
    unsigned outside_any = 0, outside_all = 0x3f;
    for (int v = 0; v < 3; v++) {
        unsigned mask = ts_clip_outcode(&in[v], band);
        if (mask == TS_CLIP_NONFINITE) return 0;
        outside_any |= mask;
        outside_all &= mask;
    }
    if (outside_all) return 0; /* all three beyond one plane */
    if (!outside_any) {
        memcpy(out, in, 3 * sizeof *in);
        return 3;
    }

    ts_clip_vert buf[2][TS_CLIP_MAX_VERTS];
    memcpy(buf[0], in, 3 * sizeof *in);
    int n = 3, cur = 0;
    for (int p = 0; p < 6 && n > 0; p++) {
        if (!(outside_any & (1u << p))) continue;
        const ts_clip_vert *src = buf[cur];
        ts_clip_vert *dst = buf[cur ^ 1];
        int m = 0;
        for (int i = 0; i < n; i++) {
            const ts_clip_vert *a = &src[i], *b = &src[(i + 1) % n];
            float da = plane_dist(a, p, band), db = plane_dist(b, p, band);
            /* A convex polygon gains at most one vertex per plane, so 9 is
             * enough; but a sliver lying within rounding error of a plane
             * can test in/out/in/out around its boundary and gain more.
             * Such a polygon has no area worth drawing: drop it rather than
             * write past the buffers. */
            if (m + (da >= 0.0f) + ((da >= 0.0f) != (db >= 0.0f)) > TS_CLIP_MAX_VERTS) return 0;
            if (da >= 0.0f) dst[m++] = *a;
            if ((da >= 0.0f) != (db >= 0.0f)) {
                /* Interpolate from the inside end so both triangles sharing
                 * this edge create the identical vertex. */
                if (da >= 0.0f)
                    lerp_vert(a, b, da / (da - db), varying_count, &dst[m++]);
                else
                    lerp_vert(b, a, db / (db - da), varying_count, &dst[m++]);
            }
        }
        n = m;
        cur ^= 1;
    }
    if (n < 3) return 0;
    memcpy(out, buf[cur], (size_t)n * sizeof *out);
    return n;
}
