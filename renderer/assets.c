/* assets.c — ts_model_import: imports a model file with assimp into a
 * ts_model and its base-color textures with stb_image (ts_model_load runs
 * it in a child process: import_child.c). The file is outside
 * input: every count is checked before it is used, and the result passes
 * ts_model_validate before the caller sees it.
 */
#include "error.h"
#include "renderer_internal.h"

#include <assimp/cimport.h>
#include <assimp/importerdesc.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <stb/stb_image.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h> /* strncasecmp */

/* The import runs in two steps with, together, exactly these flags:
 * READ_FLAGS while reading, then POST_FLAGS once check_finite() has seen the
 * file's own numbers (see there for why). SortByPType puts point and line
 * primitives into meshes of their own, which convert() skips. No up-axis
 * conversion: models keep the axes their file gives them. */
#define READ_FLAGS aiProcess_ValidateDataStructure
#define POST_FLAGS                                                                       \
    (aiProcess_Triangulate | aiProcess_GenSmoothNormals | aiProcess_JoinIdenticalVertices | \
     aiProcess_PreTransformVertices | aiProcess_SortByPType)

/* AI_MATKEY_GLTF_ALPHAMODE, spelled out: its header is meant for C++. */
#define GLTF_ALPHA_MODE "$mat.gltf.alphaMode", 0, 0

typedef struct loader {
    const char *path; /* the model file, named in every message */
    const struct aiScene *scene;
    ts_model *model;
    ts_error *err;
    ts_warn_fn warn;
    void *warn_user;
    /* Textures already tried, so that materials naming the same image share
     * one copy and a broken image is reported once: keys[i] is a resolved
     * file path or "*N" for embedded texture N; slot[i] is its index in
     * model->textures, or -1 when it failed to load. */
    char **keys;
    int32_t *slot;
    uint32_t key_count;
} loader;

/* Messages are one line; assimp's error text sometimes spans several, and
 * may quote bytes of a broken file, so every control character goes. */
static void one_line(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = ' ';
}

static void warning(const loader *ld, const char *fmt, ...) TS_PRINTF(2, 3);

static void warning(const loader *ld, const char *fmt, ...) {
    if (!ld->warn) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    one_line(msg);
    ld->warn(ld->warn_user, msg);
}

static float clamp01(float x, float if_nan) {
    if (isnan(x)) return if_nan;
    return x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x;
}

/* ---- the model file ---------------------------------------------------- */

/* Whether `path` ends in "." and the `len` characters at `ext`, in any
 * case: how assimp matches a name to an importer's extensions (which it
 * tries first). */
static bool ends_with_ext(const char *path, const char *ext, size_t len) {
    size_t n = strlen(path);
    return n > len && path[n - len - 1] == '.' && strncasecmp(path + n - len, ext, len) == 0;
}

static bool has_extension(const char *path, const char *ext) { return ends_with_ext(path, ext, strlen(ext)); }

/* The most of a model file read before assimp: enough for any real PLY
 * header (a few kilobytes), small enough to read on every load. */
#define HEAD_MAX ((size_t)1 << 20)

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether assimp 5.2 may read `path`, a file of `size` bytes that starts
 * with head[0 .. n), with its OpenGEX reader (ogex_check.c says why that
 * matters). Importer::ReadFile first asks the importers whose extensions
 * end the name: one alone takes the file unseen; with none, or several
 * that all decline, it asks every importer in turn whether the file's bytes
 * are its, and OpenGEX says yes to any file whose first 200 bytes (NULs
 * dropped, in any case) hold "Metric", "GeometryNode", "VertexArray" or
 * "IndexArray". Not counted as OpenGEX here, so that a glTF or an XML
 * file naming such a word is not held to OpenDDL: text that starts with
 * '{' or '<' (the reader gives up at that byte) and a well-formed GLB
 * header (glTF2 takes the file). */
static bool may_be_ogex(const char *path, const uint8_t *head, size_t n, uint64_t size) {
    unsigned claimants = 0;
    for (size_t i = 0, count = aiGetImportFormatCount(); i < count; i++) {
        const struct aiImporterDesc *d = aiGetImportFormatDescription(i);
        for (const char *e = d && d->mFileExtensions ? d->mFileExtensions : ""; *e;) {
            size_t len = strcspn(e, " ");
            if (len && ends_with_ext(path, e, len)) {
                if (len == 4 && strncasecmp(e, "ogex", 4) == 0) return true;
                claimants++;
                break;
            }
            e += len;
            e += strspn(e, " ");
        }
    }
    if (claimants == 1) return false;

    if (n >= 12 && memcmp(head, "glTF", 4) == 0 && le32(head + 4) == 2 && le32(head + 8) == size) return false;
    size_t at = n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0 ? 3 : 0; /* a UTF-8 byte order mark */
    while (at < n && (head[at] == ' ' || head[at] == '\t' || head[at] == '\r' || head[at] == '\n'))
        at++;
    if (at < n && (head[at] == '{' || head[at] == '<')) return false;

    char text[201];
    size_t len = 0;
    for (size_t i = 0; i < n && i < 200; i++)
        if (head[i]) text[len++] = (char)(head[i] >= 'A' && head[i] <= 'Z' ? head[i] | 0x20 : head[i]);
    text[len] = '\0';
    return strstr(text, "metric") || strstr(text, "geometrynode") || strstr(text, "vertexarray") ||
           strstr(text, "indexarray");
}

/* The OpenDDL check of a file assimp may read as OpenGEX, over all of it:
 * head[0 .. got) already read from `f`, the rest (of a file larger than
 * HEAD_MAX) read into `head` a piece at a time. */
static ts_result check_ogex(const char *path, FILE *f, uint8_t *head, size_t got, bool named, ts_error *err) {
    ts_ogex_scan *scan = malloc(sizeof *scan);
    if (!scan) return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    ts_ogex_scan_init(scan);
    bool ok = ts_ogex_scan_feed(scan, head, got);
    if (ok && got == HEAD_MAX && fseek(f, (long)got, SEEK_SET) == 0) {
        size_t more;
        while (ok && (more = fread(head, 1, HEAD_MAX, f)) > 0)
            ok = ts_ogex_scan_feed(scan, head, more);
    }
    ts_result r = TS_OK;
    if (!ts_ogex_scan_end(scan)) {
        r = ts_error_set(err, TS_ERR_IMPORT, "%s: corrupt OpenGEX%s: %s", path,
                         named ? "" : " (assimp reads this file as OpenGEX: its first bytes name OpenGEX structures)",
                         scan->why);
        if (err) one_line(err->message);
    }
    free(scan);
    return r;
}

/* Opens the file before assimp does and reads its first bytes, for two
 * reasons. assimp's own message for a missing file is vague ("Unable to
 * open file"), so the system's reason is reported here, and anything but a
 * regular file is refused (opening a named pipe waits for a writer; a
 * device never ends). And assimp 5.2 loops for minutes, or reads past its
 * buffers, on some broken PLY, OFF and OpenGEX files, so those are checked
 * first (ply_check.c, off_check.c, ogex_check.c). */
static ts_result check_file(const char *path, ts_error *err) {
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return ts_error_set(err, TS_ERR_FILE_NOT_FOUND, "%s: not a file (a %s)", path,
                            S_ISDIR(st.st_mode)                            ? "directory"
                            : S_ISFIFO(st.st_mode)                         ? "named pipe"
                            : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "device"
                                                                           : "special file");
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (e == ENOENT) return ts_error_set(err, TS_ERR_FILE_NOT_FOUND, "%s: no such file", path);
        return ts_error_set(err, TS_ERR_FILE_NOT_FOUND, "%s: cannot open (%s)", path, strerror(e));
    }
    uint8_t *head = malloc(HEAD_MAX);
    if (!head) {
        fclose(f);
        return ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    }
    errno = 0;
    size_t got = fread(head, 1, HEAD_MAX, f);
    int e = errno;
    bool failed = got < HEAD_MAX && ferror(f);
    /* The size: what was read, or, for a longer file, where its end is. */
    uint64_t size = got;
    if (!failed && got == HEAD_MAX && fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        if (end > 0) size = (uint64_t)end;
    }
    ts_result r = TS_OK;
    char why[256];
    if (failed) {
        r = ts_error_set(err, TS_ERR_FILE_NOT_FOUND, "%s: cannot read (%s)", path, strerror(e ? e : EIO));
    } else if (!ts_ply_check(head, got, size, why, sizeof why) ||
               !ts_off_check(head, got, size, has_extension(path, "off"), why, sizeof why)) {
        r = ts_error_set(err, TS_ERR_IMPORT, "%s: %s", path, why);
        if (err) one_line(err->message); /* the message may quote the file's bytes */
    } else if (may_be_ogex(path, head, got, size)) {
        r = check_ogex(path, f, head, got, has_extension(path, "ogex"), err);
    }
    fclose(f);
    free(head);
    return r;
}

static ts_result import_error(const char *path, const char *stage, ts_error *err) {
    const char *why = aiGetErrorString();
    ts_result r = ts_error_set(err, TS_ERR_IMPORT, "%s: not a model assimp can read (%s%s)", path,
                               stage, why && why[0] ? why : "no reason given");
    if (err) one_line(err->message);
    return r;
}

static bool finite3(const struct aiVector3D *v) {
    return isfinite(v->x) && isfinite(v->y) && isfinite(v->z);
}

static ts_result nonfinite(const char *path, unsigned mesh, unsigned vertex, const char *what,
                           const struct aiVector3D *v, ts_error *err) {
    return ts_error_set(err, TS_ERR_BAD_MODEL,
                        "%s: vertex %u of mesh %u has a non-finite %s (%g, %g, %g)", path, vertex,
                        mesh, what, (double)v->x, (double)v->y, (double)v->z);
}

/* Runs on the file's numbers, before post-processing: JoinIdenticalVertices
 * treats two vertices as equal unless they are farther apart than an
 * epsilon, a test NaN never fails, so it would silently merge a NaN vertex
 * into a neighbour instead of leaving it for ts_model_validate to report.
 * (ts_model_validate still runs at the end, for what the steps produce.) */
static ts_result check_finite(const struct aiScene *s, const char *path, ts_error *err) {
    for (unsigned mi = 0; s->mMeshes && mi < s->mNumMeshes; mi++) {
        const struct aiMesh *m = s->mMeshes[mi];
        if (!m) continue;
        const struct aiVector3D *uv = m->mTextureCoords[0];
        for (unsigned i = 0; i < m->mNumVertices; i++) {
            if (m->mVertices && !finite3(&m->mVertices[i]))
                return nonfinite(path, mi, i, "position", &m->mVertices[i], err);
            if (m->mNormals && !finite3(&m->mNormals[i]))
                return nonfinite(path, mi, i, "normal", &m->mNormals[i], err);
            /* z of a 2D channel is 0, so one test covers both kinds. */
            if (uv && !finite3(&uv[i]))
                return nonfinite(path, mi, i, "texture coordinate", &uv[i], err);
        }
    }
    return TS_OK;
}

/* A face with no vertices (the PLY importer makes one of a face list of
 * length 0) breaks assimp's post-processing two ways, so such a file is
 * refused before post-processing sees it. Debian's assimp is built with its
 * assertions on, and its triangulation asserts (aborting the process) on a
 * mesh marked as holding polygons none of whose faces has more than three
 * vertices: what empty faces alone give (the importer marks a 0-index face
 * a polygon). And beside a real polygon, an empty face passes that
 * assertion and a later step counts faces by size at index "size - 1",
 * writing far outside its table (tests/fuzz/regressions/model/
 * ply-empty-face-beside-polygon: a bus error). The polygon test stays for
 * files that mark a mesh so without an empty face. */
static ts_result check_faces(const struct aiScene *s, const char *path, ts_error *err) {
    for (unsigned mi = 0; s->mMeshes && mi < s->mNumMeshes; mi++) {
        const struct aiMesh *m = s->mMeshes[mi];
        if (!m || !m->mFaces) continue;
        bool polygon = false;
        for (unsigned f = 0; f < m->mNumFaces; f++) {
            if (m->mFaces[f].mNumIndices == 0)
                return ts_error_set(err, TS_ERR_BAD_MODEL, "%s: face %u of mesh %u has no vertices: a corrupt file",
                                    path, f, mi);
            if (m->mFaces[f].mNumIndices > 3) polygon = true;
        }
        if ((m->mPrimitiveTypes & aiPrimitiveType_POLYGON) && !polygon)
            return ts_error_set(err, TS_ERR_BAD_MODEL,
                                "%s: mesh %u is marked as holding polygons but none of its %u faces has more "
                                "than 3 vertices: a corrupt file",
                                path, mi, m->mNumFaces);
    }
    return TS_OK;
}

/* Whether a node of the scene graph places a mesh with faces; -1 when out
 * of memory. PreTransformVertices keeps only the meshes that nodes place,
 * and fails when none is left; assimp 5.2 then frees the scene and frees
 * it again in aiApplyPostProcessing (a segmentation fault on
 * assimp-testmodels' AC/nosurfaces.ac: seven points in a mesh no node
 * places). The walk keeps its own stack: a file's node tree may be deep. */
static int places_faces(const struct aiScene *s) {
    size_t cap = 64, n = 0;
    const struct aiNode **stack = malloc(cap * sizeof *stack);
    if (!stack) return -1;
    if (s->mRootNode) stack[n++] = s->mRootNode;
    int found = 0;
    while (n && !found) {
        const struct aiNode *node = stack[--n];
        for (unsigned i = 0; i < node->mNumMeshes && node->mMeshes && !found; i++) {
            unsigned mi = node->mMeshes[i];
            found = mi < s->mNumMeshes && s->mMeshes && s->mMeshes[mi] && s->mMeshes[mi]->mNumFaces > 0;
        }
        for (unsigned i = 0; i < node->mNumChildren && node->mChildren; i++) {
            if (!node->mChildren[i]) continue;
            if (n == cap) {
                const struct aiNode **grown = realloc(stack, 2 * cap * sizeof *stack);
                if (!grown) {
                    free(stack);
                    return -1;
                }
                stack = grown;
                cap *= 2;
            }
            stack[n++] = node->mChildren[i];
        }
    }
    free(stack);
    return found;
}

/* ---- textures ---------------------------------------------------------- */

static bool make_texture(ts_texture *tex, int w, int h, const uint8_t *rgba, char *why,
                         size_t why_size) {
    switch (ts_texture_init_rgba8(tex, w, h, rgba)) {
    case TS_TEXTURE_OK: return true;
    case TS_TEXTURE_BAD_SIZE:
        snprintf(why, why_size, "its size %dx%d is not supported", w, h);
        return false;
    case TS_TEXTURE_NO_MEMORY: snprintf(why, why_size, "out of memory"); return false;
    }
    snprintf(why, why_size, "unknown texture error");
    return false;
}

/* Checked from the header before decoding, so a file claiming a huge size
 * costs nothing, and again after decoding in case the header scan failed. */
static bool size_ok(int w, int h, char *why, size_t why_size) {
    if (w >= 1 && h >= 1 && w <= TS_TEXTURE_MAX_DIM && h <= TS_TEXTURE_MAX_DIM) return true;
    snprintf(why, why_size, "%dx%d is beyond the limit of %dx%d", w, h, TS_TEXTURE_MAX_DIM,
             TS_TEXTURE_MAX_DIM);
    return false;
}

static const char *stb_reason(void) {
    const char *r = stbi_failure_reason();
    return r ? r : "unknown reason";
}

/* Takes ownership of `pixels` (stb's, may be NULL after a failed decode). */
static bool finish_texture(stbi_uc *pixels, int w, int h, ts_texture *tex, char *why,
                           size_t why_size) {
    if (!pixels) {
        snprintf(why, why_size, "cannot decode: %s", stb_reason());
        return false;
    }
    bool ok = size_ok(w, h, why, why_size) && make_texture(tex, w, h, pixels, why, why_size);
    stbi_image_free(pixels);
    return ok;
}

/* stb_image reads more formats than textures come in, and not all of them
 * safely: a truncated 16-bit PNM made Debian's stb_image read beyond its
 * buffer (tests/fuzz/regressions/texture/pnm-16bit-truncated). The formats
 * models use, PNG, JPEG, BMP, TGA and GIF, are decoded; the others stb
 * knows by their first bytes (PNM, PSD, PIC, Radiance HDR) are refused
 * before stb sees them. TGA has no signature, so anything else goes to stb,
 * which tries TGA last. */
static bool format_supported(const uint8_t *head, size_t n, char *why, size_t why_size) {
    static const struct {
        const char *magic;
        size_t len;
        const char *name;
    } refused[] = {
        {"P1", 2, "PNM"}, {"P2", 2, "PNM"}, {"P3", 2, "PNM"}, {"P4", 2, "PNM"}, {"P5", 2, "PNM"},
        {"P6", 2, "PNM"}, {"P7", 2, "PAM"}, {"8BPS", 4, "PSD"}, {"\x53\x80\xf6\x34", 4, "Softimage PIC"},
        {"#?", 2, "Radiance HDR"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (n >= refused[i].len && memcmp(head, refused[i].magic, refused[i].len) == 0) {
            snprintf(why, why_size, "%s images are not supported as textures (use PNG, JPEG, BMP, TGA or GIF)",
                     refused[i].name);
            return false;
        }
    return true;
}

/* The largest image file read as a texture: an uncompressed 32-bit image of
 * the largest size, twice over for headers and padding. */
#define MAX_TEXTURE_FILE ((size_t)TS_TEXTURE_MAX_DIM * TS_TEXTURE_MAX_DIM * 4 * 2)

/* The whole file is read, so that files and embedded images take one path:
 * ts_texture_from_memory. Read in growing steps rather than sized with
 * fseek, which says nothing useful for a directory or a pipe. */
static bool texture_from_file(const char *file, ts_texture *tex, char *why, size_t why_size) {
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(why, why_size, "%s", strerror(errno));
        return false;
    }
    uint8_t *bytes = NULL;
    size_t len = 0, cap = 0;
    bool ok = true;
    for (;;) {
        if (len == cap) {
            size_t grown = cap ? cap * 2 : 65536;
            uint8_t *more = cap < MAX_TEXTURE_FILE ? realloc(bytes, grown) : NULL;
            if (!more) {
                snprintf(why, why_size, cap < MAX_TEXTURE_FILE ? "out of memory" : "the file is larger than %zu MiB",
                         MAX_TEXTURE_FILE >> 20);
                ok = false;
                break;
            }
            bytes = more;
            cap = grown;
        }
        errno = 0;
        size_t got = fread(bytes + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) { /* a directory opens, then fails to read */
                snprintf(why, why_size, "%s", strerror(errno ? errno : EIO));
                ok = false;
            }
            break;
        }
    }
    fclose(f);
    ok = ok && ts_texture_from_memory(bytes, len, tex, why, why_size);
    free(bytes);
    return ok;
}

bool ts_texture_from_memory(const uint8_t *bytes, size_t len, ts_texture *tex, char *why, size_t why_size) {
    if (len == 0 || len > INT_MAX) {
        snprintf(why, why_size, "the image is %zu bytes", len);
        return false;
    }
    if (!format_supported(bytes, len, why, why_size)) return false;
    int w, h, comp;
    if (stbi_info_from_memory(bytes, (int)len, &w, &h, &comp) && !size_ok(w, h, why, why_size)) return false;
    if (!ts_png_check(bytes, len, why, why_size) || !ts_tga_check(bytes, len, why, why_size)) return false;
    stbi_uc *pixels = stbi_load_from_memory(bytes, (int)len, &w, &h, &comp, 4);
    return finish_texture(pixels, w, h, tex, why, why_size);
}

static bool texture_from_embedded(const struct aiTexture *src, ts_texture *tex, char *why,
                                  size_t why_size) {
    if (!src->pcData) {
        snprintf(why, why_size, "the embedded texture has no data");
        return false;
    }
    if (src->mHeight == 0) {
        /* Compressed: pcData holds mWidth bytes of an image file. */
        return ts_texture_from_memory((const uint8_t *)src->pcData, src->mWidth, tex, why, why_size);
    }
    /* Uncompressed: mWidth * mHeight aiTexels, stored B, G, R, A. */
    int w, h;
    if (src->mWidth > TS_TEXTURE_MAX_DIM || src->mHeight > TS_TEXTURE_MAX_DIM || src->mWidth == 0) {
        snprintf(why, why_size, "%ux%u is beyond the limit of %dx%d", src->mWidth, src->mHeight,
                 TS_TEXTURE_MAX_DIM, TS_TEXTURE_MAX_DIM);
        return false;
    }
    w = (int)src->mWidth;
    h = (int)src->mHeight;
    size_t n = (size_t)w * (size_t)h;
    uint8_t *rgba = malloc(n * 4);
    if (!rgba) {
        snprintf(why, why_size, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        rgba[4 * i + 0] = src->pcData[i].r;
        rgba[4 * i + 1] = src->pcData[i].g;
        rgba[4 * i + 2] = src->pcData[i].b;
        rgba[4 * i + 3] = src->pcData[i].a;
    }
    bool ok = make_texture(tex, w, h, rgba, why, why_size);
    free(rgba);
    return ok;
}

static const char *short_name(const char *name) {
    const char *slash = strrchr(name, '/');
    if (!slash) slash = strrchr(name, '\\');
    return slash ? slash + 1 : name;
}

/* What embedded_index() returns besides an index into scene->mTextures. */
enum { ON_DISK = -1, NO_SUCH_EMBEDDED = -2 };

/* The C API has no aiScene::GetEmbeddedTexture; this follows it: "*N" is
 * embedded texture N, otherwise an embedded texture whose file name matches
 * (glTF binaries keep the name of the image they embed). */
static long embedded_index(const struct aiScene *s, const char *name) {
    if (name[0] == '*') {
        char *end;
        errno = 0;
        unsigned long i = strtoul(name + 1, &end, 10);
        if (errno || end == name + 1 || *end != '\0' || i >= s->mNumTextures)
            return NO_SUCH_EMBEDDED;
        return (long)i;
    }
    const char *base = short_name(name);
    for (unsigned i = 0; i < s->mNumTextures; i++) {
        const struct aiTexture *t = s->mTextures[i];
        if (t && strcmp(short_name(t->mFilename.data), base) == 0) return (long)i;
    }
    return ON_DISK;
}

/* `name` relative to the model's folder; an absolute name stays as it is.
 * Backslashes become slashes: OBJ files written on Windows use them. */
static char *resolve_path(const char *model_path, const char *name) {
    const char *slash = strrchr(model_path, '/');
    size_t dir_len = (name[0] == '/' || !slash) ? 0 : (size_t)(slash - model_path) + 1;
    size_t name_len = strlen(name);
    char *p = malloc(dir_len + name_len + 1);
    if (!p) return NULL;
    memcpy(p, model_path, dir_len);
    memcpy(p + dir_len, name, name_len + 1);
    for (char *c = p + dir_len; *c; c++)
        if (*c == '\\') *c = '/';
    return p;
}

/* The cache key of a texture: its resolved file path, or "*N" for embedded
 * texture N. Allocated; NULL when out of memory. */
static char *texture_key(const char *model_path, const char *name, long embedded) {
    if (embedded == ON_DISK) return resolve_path(model_path, name);
    char *key = malloc(24);
    if (key) snprintf(key, 24, "*%ld", embedded);
    return key;
}

static void texture_warning(const loader *ld, const char *name, const char *why) {
    warning(ld, "%s: texture '%s' could not be loaded (%s); using the base color", ld->path, name,
            why);
}

/* Sets *out to the texture index for `name`, or -1 when it cannot be
 * loaded (warned about, not an error). Only running out of memory for the
 * loader's own bookkeeping is an error. */
static ts_result find_texture(loader *ld, const char *name, int32_t *out) {
    *out = -1;
    long embedded = embedded_index(ld->scene, name);
    if (embedded == NO_SUCH_EMBEDDED) {
        texture_warning(ld, name, "no such embedded texture");
        return TS_OK;
    }
    char *key = texture_key(ld->path, name, embedded);
    if (!key) return ts_error_set(ld->err, TS_ERR_OUT_OF_MEMORY, "%s: out of memory", ld->path);
    for (uint32_t i = 0; i < ld->key_count; i++) {
        if (strcmp(ld->keys[i], key) == 0) {
            free(key);
            *out = ld->slot[i];
            return TS_OK;
        }
    }

    /* keys and slot have one entry per material, and each material tries
     * at most one texture, so there is always room. */
    uint32_t entry = ld->key_count++;
    ld->keys[entry] = key;
    ld->slot[entry] = -1;

    ts_model *m = ld->model;
    ts_texture *tex = &m->textures[m->texture_count];
    char why[256];
    bool ok = embedded >= 0
                  ? texture_from_embedded(ld->scene->mTextures[embedded], tex, why, sizeof why)
                  : texture_from_file(key, tex, why, sizeof why);
    if (!ok) {
        texture_warning(ld, name, why);
        return TS_OK;
    }
    ld->slot[entry] = (int32_t)m->texture_count++;
    *out = ld->slot[entry];
    return TS_OK;
}

/* ---- materials --------------------------------------------------------- */

static ts_result convert_material(loader *ld, const struct aiMaterial *src, bool used,
                                  ts_material *dst) {
    struct aiColor4D c = {1.0f, 1.0f, 1.0f, 1.0f};
    if (aiGetMaterialColor(src, AI_MATKEY_BASE_COLOR, &c) != AI_SUCCESS &&
        aiGetMaterialColor(src, AI_MATKEY_COLOR_DIFFUSE, &c) != AI_SUCCESS) {
        c.r = c.g = c.b = c.a = 1.0f;
    }
    /* A non-finite color would spread into every pixel blended with it;
     * the default stands in for it. Colors above 1 are legal (HDR). */
    dst->base_color[0] = isfinite(c.r) ? (float)c.r : 1.0f;
    dst->base_color[1] = isfinite(c.g) ? (float)c.g : 1.0f;
    dst->base_color[2] = isfinite(c.b) ? (float)c.b : 1.0f;
    dst->base_color[3] = clamp01((float)c.a, 1.0f);
    struct aiString alpha_mode;
    ai_real opacity;
    if (aiGetMaterialString(src, GLTF_ALPHA_MODE, &alpha_mode) == AI_SUCCESS) {
        /* glTF: assimp copies the base color's alpha into the opacity key,
         * so multiplying would square it. Alpha means coverage only in
         * BLEND mode: OPAQUE ignores it, and MASK (a cut-out) is drawn
         * opaque, as this renderer has no alpha test. */
        if (strcmp(alpha_mode.data, "BLEND") != 0) dst->base_color[3] = 1.0f;
    } else if (aiGetMaterialFloatArray(src, AI_MATKEY_OPACITY, &opacity, NULL) == AI_SUCCESS) {
        /* OBJ's d, 3DS's transparency: separate from a 3-channel color. */
        dst->base_color[3] *= clamp01((float)opacity, 1.0f);
    }

    dst->texture = -1;
    if (!used) return TS_OK; /* no warnings about images nothing shows */
    struct aiString name;
    name.length = 0;
    name.data[0] = '\0';
    if (aiGetMaterialTexture(src, aiTextureType_BASE_COLOR, 0, &name, NULL, NULL, NULL, NULL, NULL,
                             NULL) != AI_SUCCESS &&
        aiGetMaterialTexture(src, aiTextureType_DIFFUSE, 0, &name, NULL, NULL, NULL, NULL, NULL,
                             NULL) != AI_SUCCESS)
        return TS_OK;
    if (name.data[0] == '\0') return TS_OK;
    return find_texture(ld, name.data, &dst->texture);
}

static ts_result convert_materials(loader *ld, const bool *used) {
    const struct aiScene *s = ld->scene;
    ts_model *m = ld->model;
    uint32_t n = s->mNumMaterials;
    if (n == 0) return TS_OK; /* the validator names the mesh that needs one */
    m->materials = calloc(n, sizeof *m->materials);
    m->textures = calloc(n, sizeof *m->textures);
    ld->keys = calloc(n, sizeof *ld->keys);
    ld->slot = calloc(n, sizeof *ld->slot);
    if (!m->materials || !m->textures || !ld->keys || !ld->slot)
        return ts_error_set(ld->err, TS_ERR_OUT_OF_MEMORY, "%s: out of memory for %u materials",
                            ld->path, n);
    for (uint32_t k = 0; k < n; k++) {
        /* Count up as we go, so that ts_model_free sees what exists. */
        m->material_count = k + 1;
        const struct aiMaterial *src = s->mMaterials[k];
        if (!src) {
            m->materials[k].base_color[0] = m->materials[k].base_color[1] = 1.0f;
            m->materials[k].base_color[2] = m->materials[k].base_color[3] = 1.0f;
            m->materials[k].texture = -1;
            continue;
        }
        ts_result r = convert_material(ld, src, used[k], &m->materials[k]);
        if (r != TS_OK) return r;
    }
    return TS_OK;
}

/* ---- geometry ---------------------------------------------------------- */

static uint64_t triangles_of(const struct aiMesh *mesh) {
    uint64_t n = 0;
    if (!mesh || !mesh->mFaces) return 0;
    for (unsigned f = 0; f < mesh->mNumFaces; f++)
        if (mesh->mFaces[f].mNumIndices == 3 && mesh->mFaces[f].mIndices) n++;
    return n;
}

/* Appends `src` (aiMesh number `mi`) at vertex `vbase` and index `*ipos`. */
static ts_result convert_mesh(loader *ld, const struct aiMesh *src, unsigned mi, uint32_t vbase,
                              uint32_t *ipos, ts_mesh *dst) {
    ts_model *m = ld->model;
    if (src->mNumVertices > 0 && !src->mVertices)
        return ts_error_set(ld->err, TS_ERR_BAD_MODEL, "%s: mesh %u has no vertex positions",
                            ld->path, mi);
    const struct aiVector3D *uv = src->mTextureCoords[0];
    for (unsigned i = 0; i < src->mNumVertices; i++) {
        ts_vertex *v = &m->vertices[vbase + i];
        v->pos[0] = (float)src->mVertices[i].x;
        v->pos[1] = (float)src->mVertices[i].y;
        v->pos[2] = (float)src->mVertices[i].z;
        if (src->mNormals) {
            v->normal[0] = (float)src->mNormals[i].x;
            v->normal[1] = (float)src->mNormals[i].y;
            v->normal[2] = (float)src->mNormals[i].z;
        }
        if (uv) {
            /* assimp hands every format over with v = 0 at the bottom of
             * the image (OpenGL's convention; it flips glTF's v on import).
             * The sampler puts v = 0 at the top row, so flip back. */
            v->uv[0] = (float)uv[i].x;
            v->uv[1] = 1.0f - (float)uv[i].y;
        }
    }
    dst->first_index = *ipos;
    dst->material = src->mMaterialIndex;
    for (unsigned f = 0; f < src->mNumFaces; f++) {
        const struct aiFace *face = &src->mFaces[f];
        if (face->mNumIndices != 3 || !face->mIndices) continue;
        for (unsigned k = 0; k < 3; k++) {
            /* Checked against the mesh, not the whole buffer: vbase + index
             * could otherwise wrap or land in another mesh's vertices. */
            unsigned idx = face->mIndices[k];
            if (idx >= src->mNumVertices)
                return ts_error_set(ld->err, TS_ERR_BAD_MODEL,
                                    "%s: face %u of mesh %u uses vertex %u, beyond the mesh's "
                                    "%u vertices",
                                    ld->path, f, mi, idx, src->mNumVertices);
            m->indices[(*ipos)++] = vbase + idx;
        }
    }
    dst->index_count = *ipos - dst->first_index;
    return TS_OK;
}

static ts_result convert(loader *ld) {
    const struct aiScene *s = ld->scene;
    ts_model *m = ld->model;

    /* Sizes first, in 64 bits, so that nothing below can overflow. */
    uint64_t vertex_total = 0, triangle_total = 0;
    uint32_t mesh_total = 0;
    for (unsigned i = 0; s->mMeshes && i < s->mNumMeshes; i++) {
        uint64_t t = triangles_of(s->mMeshes[i]);
        if (t == 0) continue;
        vertex_total += s->mMeshes[i]->mNumVertices;
        triangle_total += t;
        mesh_total++;
        if (vertex_total > UINT32_MAX)
            return ts_error_set(ld->err, TS_ERR_TOO_LARGE,
                                "%s: more than %u vertices, beyond 32-bit indices", ld->path,
                                UINT32_MAX);
    }
    if (triangle_total == 0)
        return ts_error_set(ld->err, TS_ERR_BAD_MODEL, "%s: contains no triangles", ld->path);
    if (triangle_total > TS_MAX_MODEL_TRIANGLES)
        return ts_error_set(ld->err, TS_ERR_TOO_LARGE,
                            "%s: %llu triangles, more than the limit of %u", ld->path,
                            (unsigned long long)triangle_total, TS_MAX_MODEL_TRIANGLES);
    /* triangle_total <= 64 Mi, so 3 * triangle_total fits in 32 bits. */
    uint32_t index_total = (uint32_t)(3 * triangle_total);

    m->vertices = vertex_total ? calloc((size_t)vertex_total, sizeof *m->vertices) : NULL;
    m->indices = calloc(index_total, sizeof *m->indices);
    m->meshes = calloc(mesh_total, sizeof *m->meshes);
    bool *used = s->mNumMaterials ? calloc(s->mNumMaterials, sizeof *used) : NULL;
    if ((vertex_total && !m->vertices) || !m->indices || !m->meshes ||
        (s->mNumMaterials && !used)) {
        free(used);
        return ts_error_set(ld->err, TS_ERR_OUT_OF_MEMORY,
                            "%s: out of memory for %llu vertices and %llu triangles", ld->path,
                            (unsigned long long)vertex_total, (unsigned long long)triangle_total);
    }
    m->vertex_count = (uint32_t)vertex_total;
    m->index_count = index_total;
    m->mesh_count = mesh_total;

    uint32_t vbase = 0, ipos = 0, mk = 0;
    ts_result r = TS_OK;
    for (unsigned i = 0; i < s->mNumMeshes && r == TS_OK; i++) {
        const struct aiMesh *src = s->mMeshes[i];
        if (triangles_of(src) == 0) continue;
        r = convert_mesh(ld, src, i, vbase, &ipos, &m->meshes[mk++]);
        vbase += src->mNumVertices;
        if (src->mMaterialIndex < s->mNumMaterials) used[src->mMaterialIndex] = true;
    }
    if (r == TS_OK) r = convert_materials(ld, used);
    free(used);
    return r;
}

ts_result ts_model_import(const char *path, ts_model *out, ts_error *err, ts_warn_fn warn, void *warn_user) {
    memset(out, 0, sizeof *out);

    ts_result r = check_file(path, err);
    if (r != TS_OK) return r;

    const struct aiScene *scene = aiImportFile(path, READ_FLAGS);
    if (!scene) return import_error(path, "", err);
    r = check_finite(scene, path, err);
    if (r == TS_OK) r = check_faces(scene, path, err);
    if (r == TS_OK) {
        int placed = places_faces(scene);
        if (placed < 0) r = ts_error_set(err, TS_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
        if (placed == 0)
            r = ts_error_set(err, TS_ERR_BAD_MODEL, "%s: contains no triangles (no node of its scene places a mesh "
                                                    "with faces)", path);
    }
    if (r != TS_OK) {
        aiReleaseImport(scene);
        return r;
    }
    /* On failure assimp has released the scene itself. */
    scene = aiApplyPostProcessing(scene, POST_FLAGS);
    if (!scene) return import_error(path, "post-processing failed: ", err);

    loader ld = {
        .path = path,
        .scene = scene,
        .model = out,
        .err = err,
        .warn = warn,
        .warn_user = warn_user,
    };
    r = convert(&ld);
    aiReleaseImport(scene);
    for (uint32_t i = 0; i < ld.key_count; i++)
        free(ld.keys[i]);
    free(ld.keys);
    free(ld.slot);

    if (r == TS_OK) r = ts_model_validate(out, path, err);
    if (r != TS_OK) ts_model_free(out);
    return r;
}
