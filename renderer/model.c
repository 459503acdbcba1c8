/* model.c — the ts_model invariant (ts_model_validate), triangle counting
 * and freeing. Every model reaching the renderer, loaded or built, is
 * checked, so the raster core may trust its indices: the reference path
 * runs ts_model_validate at every draw; the fast path runs only the
 * structural part (ts_model_check_structure) up front and checks vertices
 * and indices in its phases, where it reads them anyway (draw_tiled.c),
 * asking ts_model_validate to name the problem when one fails.
 */
#include "renderer_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool finite3(const float v[3]) {
    return isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]);
}

/* The mesh holding index position `i`, or -1 when no mesh covers it; used
 * only to word an error message, so the linear search does not matter. */
static int64_t mesh_of_index(const ts_model *m, uint32_t i) {
    for (uint32_t k = 0; k < m->mesh_count; k++) {
        const ts_mesh *mesh = &m->meshes[k];
        if (i >= mesh->first_index && (uint64_t)i < (uint64_t)mesh->first_index + mesh->index_count)
            return k;
    }
    return -1;
}

/* Arrays with a count but no storage would be dereferenced by the renderer;
 * catch them before anything else looks inside. */
static ts_result check_arrays(const ts_model *m, const char *name, ts_error *err) {
    struct {
        const void *ptr;
        uint32_t count;
        const char *what;
    } arrays[] = {
        {m->vertices, m->vertex_count, "vertices"},
        {m->indices, m->index_count, "indices"},
        {m->meshes, m->mesh_count, "meshes"},
        {m->materials, m->material_count, "materials"},
        {m->textures, m->texture_count, "textures"},
    };
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        if (arrays[i].count > 0 && !arrays[i].ptr)
            return ts_error_set(err, TS_ERR_BAD_MODEL, "%s: %u %s but no array holding them", name,
                                arrays[i].count, arrays[i].what);
    }
    return TS_OK;
}

static ts_result check_meshes(const ts_model *m, const char *name, ts_error *err) {
    uint64_t drawn = 0; /* triangles the meshes draw: more than the model has where they overlap */
    for (uint32_t k = 0; k < m->mesh_count; k++) {
        const ts_mesh *mesh = &m->meshes[k];
        if (mesh->first_index % 3 != 0)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: mesh %u starts at index %u, not a multiple of 3", name, k,
                                mesh->first_index);
        if (mesh->index_count % 3 != 0)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: mesh %u has %u indices, not a multiple of 3", name, k,
                                mesh->index_count);
        /* 64-bit sum: first_index + index_count may wrap in 32 bits. */
        uint64_t end = (uint64_t)mesh->first_index + mesh->index_count;
        if (end > m->index_count)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: mesh %u covers indices [%u, %llu), beyond the %u indices",
                                name, k, mesh->first_index, (unsigned long long)end,
                                m->index_count);
        if (mesh->material >= m->material_count)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: mesh %u uses material %u, beyond the %u materials", name, k,
                                mesh->material, m->material_count);
        drawn += mesh->index_count / 3;
    }
    if (drawn > TS_MAX_MODEL_TRIANGLES)
        return ts_error_set(err, TS_ERR_TOO_LARGE, "%s: its meshes draw %llu triangles, more than the limit of %u",
                            name, (unsigned long long)drawn, TS_MAX_MODEL_TRIANGLES);
    return TS_OK;
}

bool ts_model_meshes_cover_indices(const ts_model *m) {
    uint64_t next = 0;
    for (uint32_t k = 0; k < m->mesh_count; k++) {
        if (m->meshes[k].first_index != next) return false;
        next += m->meshes[k].index_count;
    }
    return next == m->index_count;
}

static ts_result check_materials(const ts_model *m, const char *name, ts_error *err) {
    for (uint32_t k = 0; k < m->material_count; k++) {
        const ts_material *mat = &m->materials[k];
        const float *c = mat->base_color;
        /* A NaN color would not crash anything, but it would spread into
         * every blended pixel behind it; refuse it like a NaN position. */
        if (!finite3(c) || !isfinite(c[3]))
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: material %u has a non-finite base color (%g, %g, %g, %g)",
                                name, k, (double)c[0], (double)c[1], (double)c[2], (double)c[3]);
        if (mat->texture < -1)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: material %u has texture %d; only -1 means none", name, k,
                                (int)mat->texture);
        if (mat->texture >= 0 && (uint32_t)mat->texture >= m->texture_count)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: material %u uses texture %d, beyond the %u textures", name, k,
                                (int)mat->texture, m->texture_count);
    }
    /* The sampler reads level 0 unconditionally, and any level below
     * level_count by its own size (it wraps coordinates modulo it): each
     * must be the texture's chain, texture.h's invariant. */
    for (uint32_t t = 0; t < m->texture_count; t++) {
        const ts_texture *tex = &m->textures[t];
        if (tex->level_count < 1 || tex->level_count > TS_TEXTURE_MAX_LEVELS || tex->width < 1 ||
            tex->height < 1 || !tex->levels[0].texels)
            return ts_error_set(err, TS_ERR_BAD_MODEL, "%s: texture %u is empty", name, t);
        if (tex->width > TS_TEXTURE_MAX_DIM || tex->height > TS_TEXTURE_MAX_DIM)
            return ts_error_set(err, TS_ERR_BAD_MODEL, "%s: texture %u is %dx%d, above the %d a side textures may be",
                                name, t, tex->width, tex->height, TS_TEXTURE_MAX_DIM);
        for (int i = 0; i < tex->level_count; i++) {
            const ts_texture_level *L = &tex->levels[i];
            int w = ts_texture_level_size(tex->width, i), h = ts_texture_level_size(tex->height, i);
            if (L->width != w || L->height != h || !L->texels)
                return ts_error_set(err, TS_ERR_BAD_MODEL,
                                    "%s: texture %u's level %d is %dx%d%s, not the %dx%d of its %dx%d chain", name,
                                    t, i, L->width, L->height, L->texels ? "" : " without texels", w, h,
                                    tex->width, tex->height);
        }
    }
    return TS_OK;
}

/* 1 when x is an infinity or a NaN: all exponent bits set. Integer bits
 * rather than isfinite() so ts_vertices_finite has no branch in its loop
 * and compiles to vector code: the fast path runs it over every vertex of
 * every frame. */
static inline uint32_t nonfinite(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7f800000u) == 0x7f800000u;
}

bool ts_vertices_finite(const ts_vertex *v, uint32_t count) {
    uint32_t bad = 0;
    for (uint32_t i = 0; i < count; i++)
        bad |= nonfinite(v[i].pos[0]) | nonfinite(v[i].pos[1]) | nonfinite(v[i].pos[2]) |
               nonfinite(v[i].normal[0]) | nonfinite(v[i].normal[1]) | nonfinite(v[i].normal[2]) |
               nonfinite(v[i].uv[0]) | nonfinite(v[i].uv[1]);
    return !bad;
}

static ts_result check_vertices(const ts_model *m, const char *name, ts_error *err) {
    if (ts_vertices_finite(m->vertices, m->vertex_count)) return TS_OK;
    /* Something is wrong: find the first offender to name it. */
    for (uint32_t i = 0; i < m->vertex_count; i++) {
        const ts_vertex *v = &m->vertices[i];
        if (!finite3(v->pos))
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: vertex %u has a non-finite position (%g, %g, %g)", name, i,
                                (double)v->pos[0], (double)v->pos[1], (double)v->pos[2]);
        if (!finite3(v->normal))
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: vertex %u has a non-finite normal (%g, %g, %g)", name, i,
                                (double)v->normal[0], (double)v->normal[1], (double)v->normal[2]);
        if (!isfinite(v->uv[0]) || !isfinite(v->uv[1]))
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: vertex %u has a non-finite texture coordinate (%g, %g)", name,
                                i, (double)v->uv[0], (double)v->uv[1]);
    }
    return TS_OK;
}

static ts_result check_indices(const ts_model *m, const char *name, ts_error *err) {
    for (uint32_t i = 0; i < m->index_count; i++) {
        if (m->indices[i] < m->vertex_count) continue;
        int64_t k = mesh_of_index(m, i);
        if (k >= 0)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: index %u of mesh %lld is %u, beyond the %u vertices", name,
                                i - m->meshes[k].first_index, (long long)k, m->indices[i],
                                m->vertex_count);
        return ts_error_set(err, TS_ERR_BAD_MODEL, "%s: index %u is %u, beyond the %u vertices",
                            name, i, m->indices[i], m->vertex_count);
    }
    return TS_OK;
}

ts_result ts_model_check_structure(const ts_model *m, const char *name, ts_error *err) {
    if (!name) name = "model";
    if (!m) return ts_error_set(err, TS_ERR_INVALID_ARG, "%s: no model given", name);

    ts_result r = check_arrays(m, name, err);
    if (r != TS_OK) return r;
    if (m->index_count % 3 != 0)
        return ts_error_set(err, TS_ERR_BAD_MODEL, "%s: %u indices, not a multiple of 3", name,
                            m->index_count);
    if (m->index_count / 3 > TS_MAX_MODEL_TRIANGLES)
        return ts_error_set(err, TS_ERR_TOO_LARGE,
                            "%s: %u triangles, more than the limit of %u", name,
                            m->index_count / 3, TS_MAX_MODEL_TRIANGLES);
    if ((r = check_meshes(m, name, err)) != TS_OK) return r;
    return check_materials(m, name, err);
}

ts_result ts_model_validate(const ts_model *m, const char *name, ts_error *err) {
    /* The structure first, so a broken mesh table is reported as such
     * rather than as a symptom found while scanning the buffers. */
    ts_result r = ts_model_check_structure(m, name, err);
    if (r != TS_OK) return r;
    if (!name) name = "model";
    if ((r = check_vertices(m, name, err)) != TS_OK) return r;
    return check_indices(m, name, err);
}

uint32_t ts_model_triangle_count(const ts_model *m) {
    return m ? m->index_count / 3 : 0;
}

void ts_model_free(ts_model *m) {
    if (!m) return;
    for (uint32_t t = 0; m->textures && t < m->texture_count; t++)
        ts_texture_free(&m->textures[t]);
    free(m->textures);
    free(m->materials);
    free(m->meshes);
    free(m->indices);
    free(m->vertices);
    memset(m, 0, sizeof *m);
}
