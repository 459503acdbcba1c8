/* clip.c — Sutherland–Hodgman clipping in homogeneous clip space, against
 * near, far and the four guard-band planes. Called by whichever thread runs
 * geometry; pure function of its arguments. */
#include "clip.h"

#include "fixed.h"

#include <float.h>
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

/* Signed distance of v to plane p (>= 0 inside), in float: what decides
 * inside and outside, here and in the outcodes the fast path reads, so the
 * two agree bit for bit. */
static float plane_dist(const ts_clip_vert *v, int p, ts_clip_band band) {
    const float *c = v->pos;
    switch (p) {
    case 0: return c[3] + c[2];             /* near: z >= -w */
    case 1: return c[3] - c[2];             /* far:  z <= w  */
    case 2: return band.gx * c[3] - c[0];   /* x <= gx w */
    case 3: return band.gx * c[3] + c[0];   /* x >= -gx w */
    case 4: return band.gy * c[3] - c[1];   /* y <= gy w */
    default: return band.gy * c[3] + c[1]; /* y >= -gy w */
    }
}

/* The same distance in double, for where an edge crosses the plane: a
 * product of two floats is exact there, where in float two terms of 1e20
 * that nearly cancel leave nothing of the distance. */
static double plane_dist_d(const ts_clip_vert *v, int p, ts_clip_band band) {
    const double x = (double)v->pos[0], y = (double)v->pos[1], z = (double)v->pos[2], w = (double)v->pos[3];
    switch (p) {
    case 0: return w + z;
    case 1: return w - z;
    case 2: return (double)band.gx * w - x;
    case 3: return (double)band.gx * w + x;
    case 4: return (double)band.gy * w - y;
    default: return (double)band.gy * w + y;
    }
}

/* The point where edge a -> b (a inside plane p, b outside) crosses it.
 * Positions are interpolated in double (a coordinate going from -1e20 to
 * 1e20 keeps its middle, which float rounds to nothing, and b - a cannot
 * overflow). Then the coordinate the plane constrains is put exactly on it
 * (x = gx w for the +x band, z = -w for near, ...): rounding never leaves
 * a new vertex outside the plane that made it, and a band corner made by
 * two cuts is the corner itself, however far away the triangle's vertices
 * were. Coordinates a cut leaves free are exact to double's 2^-53 of the
 * largest one of the edge: a vertex at 1e20 moves the others by 1e4. */
static void cut_edge(const ts_clip_vert *a, const ts_clip_vert *b, int p, ts_clip_band band, int nvar,
                     ts_clip_vert *out) {
    double da = plane_dist_d(a, p, band), db = plane_dist_d(b, p, band);
    double t = da - db != 0.0 ? da / (da - db) : 0.0;
    /* The float test put a in and b out; in double either may sit on the
     * plane. */
    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    /* From the nearer end: a crossing 1e-30 from b is b + 1e-30 (a - b),
     * where a + t (b - a) would round t to 1 and lose it. Which end is a
     * function of the edge alone (a is its inside end), so both triangles
     * sharing it still make the same vertex. */
    const double s = da - db != 0.0 ? db / (db - da) : 1.0;
    for (int i = 0; i < 4; i++) {
        double pa = (double)a->pos[i], pb = (double)b->pos[i];
        out->pos[i] = (float)(t <= 0.5 ? pa + t * (pb - pa) : pb + s * (pa - pb));
    }
    float *c = out->pos;
    switch (p) {
    case 0: c[2] = -c[3]; break;
    case 1: c[2] = c[3]; break;
    case 2: c[0] = band.gx * c[3]; break;
    case 3: c[0] = -(band.gx * c[3]); break;
    case 4: c[1] = band.gy * c[3]; break;
    default: c[1] = -(band.gy * c[3]); break;
    }
    /* Varyings the same way, so one that equals a coordinate stays equal. */
    for (int i = 0; i < nvar; i++) {
        double va = (double)a->var[i], vb = (double)b->var[i];
        out->var[i] = (float)(t <= 0.5 ? va + t * (vb - va) : vb + s * (va - vb));
    }
}

unsigned ts_clip_outcode(const ts_clip_vert *v, ts_clip_band band) {
    for (int i = 0; i < 4; i++)
        if (!isfinite(v->pos[i])) return TS_CLIP_NONFINITE;
    unsigned mask = 0;
    for (int p = 0; p < TS_CLIP_PLANES; p++)
        if (plane_dist(v, p, band) < 0.0f) mask |= 1u << p;
    return mask;
}

int ts_clip_triangle(const ts_clip_vert in[3], int varying_count, ts_clip_band band,
                     ts_clip_vert out[TS_CLIP_MAX_VERTS]) {
    unsigned outside_any = 0, outside_all = (1u << TS_CLIP_PLANES) - 1;
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
    for (int p = 0; p < TS_CLIP_PLANES && n > 0; p++) {
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
                    cut_edge(a, b, p, band, varying_count, &dst[m++]);
                else
                    cut_edge(b, a, p, band, varying_count, &dst[m++]);
            }
        }
        n = m;
        cur ^= 1;
    }
    if (n < 3) return 0;
    /* Near and far keep w >= 0, but a cut through the eye point (a vertex
     * of w 0 or a denormal, say) leaves vertices whose 1/w is infinite:
     * their perspective is undefined and the setup would refuse the fan
     * triangles touching them while drawing the rest, a polygon of the
     * wrong shape. The whole polygon goes, as the setup drops a triangle
     * that needed no cut with such a vertex. */
    for (int i = 0; i < n; i++)
        if (!(buf[cur][i].pos[3] >= FLT_MIN)) return 0;
    memcpy(out, buf[cur], (size_t)n * sizeof *out);
    return n;
}
