/* fuzz_pipeline.c — libFuzzer target: arbitrary vertex and index data
 * (any float bits: NaN, infinities, 1e38, -0, denormals; indices in and out
 * of range) drawn by the tiled pipeline with every SIMD target this CPU has,
 * and by the reference pipeline. Each draw must either fail with an error
 * or give a frame whose depth equals the reference's bit for bit (coverage
 * and depth are exact by contract) and whose colors are within 1/255 of
 * it. A crash, a sanitizer report, a hang or a difference is a finding.
 *
 * Input layout (short inputs are padded with zeros):
 *   byte 0      bits 0-5: frame width - 1 (1..64 pixels); bits 6-7: pan x
 *   byte 1      bits 0-5: frame height - 1; bits 6-7: pan y (each pan one of
 *               0, 0.37, -1.5, 40: none, a little, the picture half out,
 *               far off the frame)
 *   byte 2      bit 0: cull back faces; bit 1: 4x MSAA; bits 2-4: shading
 *               (0-4 the modes in ts_shading's order, 5-7 the first three
 *               with the wireframe over them); bits 5-7: yaw in steps of 45
 *               degrees
 *   byte 3      zoom: 0 for the default view, else byte / 16
 *   bytes 4-5   vertex count (mod MAX_VERTS + 1)
 *   then        vertex_count * 8 floats (position, normal, uv), raw bits
 *   then        the rest as 16-bit indices, three per triangle
 */
#include "tessera.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VERTS 256
#define MAX_INDICES 768

typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static uint8_t get8(reader *r) {
    if (!r->left) return 0;
    r->left--;
    return *r->p++;
}

static uint16_t get16(reader *r) { return (uint16_t)(get8(r) | get8(r) << 8); }

static float getf(reader *r) {
    uint32_t u = (uint32_t)get16(r) | (uint32_t)get16(r) << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Draws `m` with `desc` into a fresh renderer; false when the draw was
 * refused (a clear error is a fine outcome) or the renderer could not be made. */
static bool draw(const ts_renderer_desc *desc, const ts_model *m, const ts_view_desc *view, uint8_t *rgba,
                 float *depth) {
    ts_error err = {0};
    ts_renderer *r = NULL;
    if (ts_renderer_create(desc, &r, &err) != TS_OK) return false;
    bool ok = ts_renderer_draw(r, m, view, &err) == TS_OK;
    if (ok) {
        size_t n = (size_t)desc->width * (size_t)desc->height;
        memcpy(rgba, ts_renderer_pixels(r), n * 4);
        memcpy(depth, ts_renderer_depth(r), n * sizeof *depth);
    }
    ts_renderer_destroy(r);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer calls it */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader rd = {data, size};
    static const float pans[4] = {0.0f, 0.37f, -1.5f, 40.0f};
    uint8_t wb = get8(&rd), hb = get8(&rd);
    int w = wb % 64 + 1, h = hb % 64 + 1;
    uint8_t flags = get8(&rd), zoom = get8(&rd);
    int mode = flags >> 2 & 7;
    ts_view_desc view = {
        .shading = (ts_shading)(mode % TS_SHADING_COUNT),
        .wireframe = mode >= TS_SHADING_COUNT,
        .yaw_deg = 45.0f * (float)(flags >> 5),
        .cull_back = flags & 1,
        .zoom = zoom ? (float)zoom / 16.0f : 0.0f,
        .pan_x = pans[wb >> 6],
        .pan_y = pans[hb >> 6],
    };
    if (view.zoom != 0.0f && view.zoom < TS_MIN_ZOOM) view.zoom = TS_MIN_ZOOM;

    static ts_vertex verts[MAX_VERTS];
    static uint32_t idx[MAX_INDICES];
    uint32_t nv = get16(&rd) % (MAX_VERTS + 1);
    for (uint32_t i = 0; i < nv; i++) {
        float *f = &verts[i].pos[0];
        for (int k = 0; k < 8; k++) f[k] = getf(&rd);
    }
    uint32_t ni = 0;
    while (rd.left >= 6 && ni + 3 <= MAX_INDICES)
        for (int k = 0; k < 3; k++) idx[ni++] = get16(&rd) % (nv + 2); /* sometimes out of range */
    ts_material mat = {.base_color = {0.8f, 0.7f, 0.6f, (flags & 0x80) ? 0.5f : 1.0f}, .texture = -1};
    ts_mesh mesh = {.first_index = 0, .index_count = ni, .material = 0};
    ts_model m = {.vertices = verts, .vertex_count = nv, .indices = idx, .index_count = ni,
                  .meshes = &mesh, .mesh_count = 1, .materials = &mat, .material_count = 1};

    static uint8_t ref_rgba[64 * 64 * 4], rgba[64 * 64 * 4];
    static float ref_depth[64 * 64], depth[64 * 64];
    ts_renderer_desc ref = {.width = w, .height = h, .reference = true, .msaa = (flags & 2) ? 4 : 1,
                            .keep_depth = true};
    bool ref_ok = draw(&ref, &m, &view, ref_rgba, ref_depth);
    for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
        if (!ts_isa_supported((ts_isa)isa)) continue;
        ts_renderer_desc d = ref;
        d.reference = false;
        d.isa = (ts_isa)isa;
        d.threads = 1;
        bool ok = draw(&d, &m, &view, rgba, depth);
        if (ok != ref_ok) {
            fprintf(stderr, "%s: the draw %s but the reference's %s\n", ts_isa_name((ts_isa)isa),
                    ok ? "succeeded" : "failed", ref_ok ? "succeeded" : "failed");
            abort();
        }
        if (!ok) continue;
        size_t n = (size_t)w * (size_t)h;
        for (size_t p = 0; p < n; p++) {
            if (memcmp(&depth[p], &ref_depth[p], sizeof depth[p]) != 0) {
                fprintf(stderr, "%s: pixel (%zu,%zu) depth %.9g, reference %.9g\n", ts_isa_name((ts_isa)isa),
                        p % (size_t)w, p / (size_t)w, (double)depth[p], (double)ref_depth[p]);
                abort();
            }
            for (int c = 0; c < 4; c++)
                if (abs(rgba[p * 4 + (size_t)c] - ref_rgba[p * 4 + (size_t)c]) > 1) {
                    fprintf(stderr, "%s: pixel (%zu,%zu) channel %d is %d, reference %d\n",
                            ts_isa_name((ts_isa)isa), p % (size_t)w, p / (size_t)w, c, rgba[p * 4 + (size_t)c],
                            ref_rgba[p * 4 + (size_t)c]);
                    abort();
                }
        }
    }
    return 0;
}
