/* test_model_checks.c — the checks ts_model_load runs before assimp
 * (renderer/ply_check.c, renderer/off_check.c, renderer/ogex_check.c) and
 * before stb_image (renderer/png_check.c): well-formed PLY, OFF, OpenGEX
 * and PNG files in their variants pass, and each kind of file assimp 5.2
 * or stb_image loops on or reads past is refused with a reason that says
 * what is wrong. */
#include "renderer_internal.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_check.h"

static char why[256];

static bool ply(const void *bytes, size_t len) {
    why[0] = '\0';
    return ts_ply_check(bytes, len, len, why, sizeof why);
}

static bool off(const char *text, bool off_name) {
    why[0] = '\0';
    return ts_off_check((const uint8_t *)text, strlen(text), strlen(text), off_name, why, sizeof why);
}

/* A refusal whose reason contains `words`. */
static bool refused_for(bool passed, const char *words) { return !passed && strstr(why, words) != NULL; }

#define TRI_HEADER(format)                                                                          \
    "ply\nformat " format " 1.0\ncomment made by hand\nobj_info none\nelement vertex 3\n"           \
    "property float x\nproperty float y\ncomment between properties\nproperty float z\n"          \
    "element face 1\nproperty list uchar int vertex_indices\nend_header\n"

static void ply_ascii(void) {
    static const char tri[] = TRI_HEADER("ascii") "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n";
    CHECK(ply(tri, sizeof tri - 1), "a well-formed triangle: %s", why);
    CHECK(ply(tri, sizeof tri - 2), "without its last newline: %s", why);
    static const char crlf[] = "ply\r\nformat ascii 1.0\r\nelement vertex 3\r\nproperty float x\r\n"
                               "property float y\r\nproperty float z\r\nelement face 1\r\n"
                               "property list uchar int vertex_indices\r\nend_header\r\n"
                               "0 0 0\r\n1 0 0\r\n0 1 0\r\n3 0 1 2\r\n";
    CHECK(ply(crlf, sizeof crlf - 1), "CRLF line ends: %s", why);
    static const char spaced[] = "PLY\nformat ascii 1.0\n\t end_header \n";
    CHECK(ply(spaced, sizeof spaced - 1), "end_header among blanks: %s", why);

    static const char endless[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n0\n0\n0\n";
    CHECK(refused_for(ply(endless, sizeof endless - 1), "no end_header line"), "no end_header: '%s'", why);
    /* assimp skips from a line's second end character to the next \n, so
     * it never sees this end_header, and loops. */
    static const char hidden[] = "ply\nformat ascii 1.0\nfoo\r\rend_header\n";
    CHECK(refused_for(ply(hidden, sizeof hidden - 1), "no end_header line"), "hidden end_header: '%s'", why);
    static const char as_comment[] = "ply\nformat ascii 1.0\ncomment end_header\n";
    CHECK(refused_for(ply(as_comment, sizeof as_comment - 1), "no end_header line"), "in a comment: '%s'", why);
    static const char suffixed[] = "ply\nformat ascii 1.0\nend_headers\n";
    CHECK(refused_for(ply(suffixed, sizeof suffixed - 1), "no end_header line"), "end_headers: '%s'", why);
    /* A property line assimp cannot read is dropped whole, so an end_header
     * after "property" ends nothing: with no other, assimp loops. */
    static const char as_property[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                                      "property end_header\n0\n0\n0\n";
    CHECK(refused_for(ply(as_property, sizeof as_property - 1), "no end_header line"), "property end_header: '%s'",
          why);
    static const char after_property[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                                         "property end_header\nend_header\n0\n0\n0\n";
    CHECK(ply(after_property, sizeof after_property - 1), "property end_header, then end_header: %s", why);

    static const char faces[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                                "element face 1000\nproperty list uchar int vertex_indices\n"
                                "end_header\n0\n0\n0\n3 0 1 2\n";
    CHECK(refused_for(ply(faces, sizeof faces - 1), "declares 1000 'face' elements"), "1000 faces: '%s'", why);
    static const char bare[] = "ply\nformat ascii 1.0\nelement vertex 4294967295\nend_header\n";
    CHECK(refused_for(ply(bare, sizeof bare - 1), "4294967295 'vertex'"), "propertyless: '%s'", why);
    static const char list[] = TRI_HEADER("ascii") "0 0 0\n1 0 0\n0 1 0\n1000 0 1 2\n";
    CHECK(refused_for(ply(list, sizeof list - 1), "a list of 1000 items"), "long list: '%s'", why);
    static const char negative[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n"
                                   "element face 1\nproperty list char int vertex_indices\n"
                                   "end_header\n0\n0\n0\n-1 0 1 2\n";
    CHECK(refused_for(ply(negative, sizeof negative - 1), "a list of 4294967295 items"), "negative: '%s'", why);

    /* A kind assimp reads, declared twice: it would write the second's
     * instances into storage sized by the first's count. Other names may
     * repeat (assimp skips them). */
    static const char twice[] = "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n"
                                "element vertex 3\nproperty float x\nend_header\n0\n0\n0\n0\n";
    CHECK(refused_for(ply(twice, sizeof twice - 1), "declares 'vertex' elements twice"), "vertex twice: '%s'", why);
    static const char faces_twice[] = "ply\nformat ascii 1.0\nelement face 0\nelement vertex 1\n"
                                      "property float x\nelement face 0\nend_header\n0\n";
    CHECK(refused_for(ply(faces_twice, sizeof faces_twice - 1), "declares 'face' elements twice"),
          "face twice: '%s'", why);
    static const char other_twice[] = "ply\nformat ascii 1.0\nelement note 0\nelement note 0\n"
                                      "element vertex 1\nproperty float x\nend_header\n0\n";
    CHECK(ply(other_twice, sizeof other_twice - 1), "an unknown element twice: %s", why);

    /* An element of a name assimp does not know: it takes the count from the
     * name's digits (wrapping at 2^32), not from the number after it. */
    static const char named_count[] = "ply\nformat binary_little_endian 1.0\nelement 99999999999x 1\n"
                                      "element vertex 1\nproperty float x\nend_header\n\0\0\0\0";
    CHECK(refused_for(ply(named_count, sizeof named_count - 1), "1215752191 '99999999999x'"),
          "count in the name: '%s'", why);
    static const char plain_name[] = "ply\nformat ascii 1.0\nelement note 5\nelement vertex 1\n"
                                     "property float x\nend_header\n0\n";
    CHECK(ply(plain_name, sizeof plain_name - 1), "an unknown element with its count after it: %s", why);

    /* The header ends the file with no line end: assimp loops on it after a
     * longer line. With a line end it is fine (and holds nothing). */
    static const char at_eof[] = "ply\nformat ascii 1.0\njunkjunkjunkjunkjunkjunkjunk\nend_header";
    CHECK(refused_for(ply(at_eof, sizeof at_eof - 1), "ends with its end_header line"), "end_header at EOF: '%s'", why);
    static const char ended[] = "ply\nformat ascii 1.0\njunkjunkjunkjunkjunkjunkjunk\nend_header\n";
    CHECK(ply(ended, sizeof ended - 1), "end_header with its line end: %s", why);
}

/* A binary triangle: three float vertices, one face (uchar length, int
 * indices), in the byte order asked for. `list_len` is the face's length. */
static size_t binary_tri(uint8_t *out, bool big_endian, uint8_t list_len) {
    const char *header = big_endian ? TRI_HEADER("binary_big_endian") : TRI_HEADER("binary_little_endian");
    size_t n = strlen(header);
    memcpy(out, header, n);
    static const float v[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 9; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], 4);
        for (int b = 0; b < 4; b++)
            out[n++] = (uint8_t)(bits >> (8 * (big_endian ? 3 - b : b)));
    }
    out[n++] = list_len;
    for (uint32_t idx = 0; idx < 3; idx++)
        for (int b = 0; b < 4; b++)
            out[n++] = (uint8_t)(idx >> (8 * (big_endian ? 3 - b : b)));
    return n;
}

static void ply_binary(void) {
    uint8_t b[1024];
    size_t n = binary_tri(b, false, 3);
    CHECK(ply(b, n), "little-endian triangle: %s", why);
    CHECK(refused_for(ply(b, n - 13), "more than the"), "its face cut off: '%s'", why);
    n = binary_tri(b, true, 3);
    CHECK(ply(b, n), "big-endian triangle: %s", why);
    n = binary_tri(b, false, 200);
    CHECK(refused_for(ply(b, n), "a list of 200 items"), "a list past the end: '%s'", why);

    /* Only the first MiB is held: a header that does not end in it is
     * refused for that, not said to have no end. */
    static const char start[] = "ply\nformat ascii 1.0\n";
    why[0] = '\0';
    bool passed = ts_ply_check((const uint8_t *)start, sizeof start - 1, (uint64_t)1 << 30, why, sizeof why);
    CHECK(refused_for(passed, "no end_header in the first"), "a cut header: '%s'", why);
}

static void not_ply(void) {
    static const char obj[] = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
    CHECK(ply(obj, sizeof obj - 1), "an OBJ file: %s", why);
    static const char format[] = "ply\nformat utf16 1.0\nfoo\n";
    CHECK(ply(format, sizeof format - 1), "a format assimp refuses itself: %s", why);
    CHECK(ply("", 0), "an empty file: %s", why);
}

static void off_files(void) {
    CHECK(off("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", false), "a triangle: %s", why);
    CHECK(off("# made by hand\nCOFF\n3 1 0\n0 0 0 1 0 0 1\n1 0 0 0 1 0 1\n0 1 0 0 0 1 1\n3 0 1 2", false),
          "coloured, with a comment, no last newline: %s", why);
    CHECK(off("nOFF\n3\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", false), "nOFF: %s", why);
    CHECK(off("3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", true), "no keyword in a .off file: %s", why);
    CHECK(off("3 100000 0\n", false), "not OFF by keyword or name: %s", why);

    CHECK(refused_for(off("OFF\n3 100000000 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", false),
                      "declares 3 vertices and 100000000 faces"),
          "100 million faces: '%s'", why);
    CHECK(refused_for(off("OFF\n4000000000 1 0\n0 0 0\n", false), "4000000000 vertices"), "4e9 vertices: '%s'",
          why);
    CHECK(refused_for(off("3 100000000 0\n0 0 0\n", true), "100000000 faces"), "headerless: '%s'", why);
}

/* The OpenDDL scan, fed `text` whole and a byte at a time (a piece may end
 * anywhere): both must agree. */
static bool ogex(const char *text) {
    ts_ogex_scan whole, bytes;
    ts_ogex_scan_init(&whole);
    ts_ogex_scan_feed(&whole, (const uint8_t *)text, strlen(text));
    bool passed = ts_ogex_scan_end(&whole);
    ts_ogex_scan_init(&bytes);
    for (size_t i = 0; text[i]; i++) ts_ogex_scan_feed(&bytes, (const uint8_t *)text + i, 1);
    bool passed_bytes = ts_ogex_scan_end(&bytes);
    CHECK(passed == passed_bytes && strcmp(whole.why, bytes.why) == 0,
          "'%s': whole %d ('%s'), a byte at a time %d ('%s')", text, passed, whole.why, passed_bytes, bytes.why);
    snprintf(why, sizeof why, "%s", whole.why);
    return passed;
}

static void ogex_files(void) {
    static const char example[] =
        "// a comment\nMetric (key = \"distance\") {float {1.0}}\n"
        "/* a block\n   comment */\n"
        "GeometryNode $node1 {\n\tName {string {\"a \\\"quoted\\\" name\"}}\n"
        "\tObjectRef {ref {$geometry1}}\n"
        "\tTransform {float[16] {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -1.5e+3, 0x1F, 'c', 1}}}\n"
        "}\n"
        "GeometryObject $geometry1 {Mesh (primitive = \"triangles\") {VertexArray (attrib = \"position\") "
        "{float[3] {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}} IndexArray {unsigned_int32[3] {{0, 1, 2}}}}}\n"
        "// the end, without a line end";
    CHECK(ogex(example), "a well-formed file: %s", why);
    CHECK(ogex(""), "an empty file: %s", why);
    CHECK(ogex("// only a comment\n\n"), "only a comment: %s", why);

    /* What assimp's OpenDDL parser reads past its buffer on, or loops on. */
    CHECK(refused_for(ogex("Metric {float {1.0"), "the '{' of line 1 is never closed"), "cut short: '%s'", why);
    CHECK(refused_for(ogex("// c\ngeometrynode {"), "the '{' of line 2 is never closed"), "a loop: '%s'", why);
    CHECK(refused_for(ogex("Metric {string {\"abc"), "ends inside a string begun on line 1"), "a string: '%s'", why);
    CHECK(refused_for(ogex("GeometryNode "), "does not end with a structure"), "a bare name: '%s'", why);
    CHECK(refused_for(ogex("Metric {float {1.0}}\nGeometryNode"), "does not end with a structure"),
          "a name after the last structure: '%s'", why);
    CHECK(refused_for(ogex("geometrynodenv\x10`"), "byte 0x10 on line 1 is not OpenDDL"), "a control byte: '%s'",
          why);
    CHECK(refused_for(ogex("Metric {float {1.0}} @"), "'@' on line 1 is not OpenDDL"), "a stray '@': '%s'", why);
    CHECK(refused_for(ogex("Metric {float (1.0}}"), "a '}' on line 1 closes the '(' of line 1"),
          "crossed brackets: '%s'", why);
    CHECK(refused_for(ogex("Metric {}\n}"), "a '}' on line 2 closes nothing"), "one '}' too many: '%s'", why);
    CHECK(refused_for(ogex("Metric {}\n/* open"), "ends inside a comment begun on line 2"), "a comment: '%s'", why);
    CHECK(refused_for(ogex("Metric {} / x"), "a '/' on line 1 starts no comment"), "a lone '/': '%s'", why);

    char deep[2 * TS_OGEX_MAX_DEPTH + 16];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "a ");
    for (int i = 0; i <= TS_OGEX_MAX_DEPTH; i++) deep[n++] = '{';
    deep[n] = '\0';
    CHECK(refused_for(ogex(deep), "nested deeper than"), "too deep: '%s'", why);

    /* A NUL byte: the scan is fed it, not stopped by it. */
    ts_ogex_scan s;
    ts_ogex_scan_init(&s);
    ts_ogex_scan_feed(&s, (const uint8_t *)"Metric {\0}", 10);
    CHECK(!ts_ogex_scan_end(&s) && strstr(s.why, "a NUL byte on line 1"), "a NUL byte: '%s'", s.why);
}

/* A 2x2 RGBA PNG, texel (x, y) = (200x, 200y, 64, 255), and every cut of
 * it: each is refused with a reason, and one cut inside the header says so
 * (stb_image's own word for a 20-byte PNG is "1/2/4/8/16-bit only"). */
static void png_files(void) {
    static const uint8_t png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x72, 0xb6, 0x0d,
        0x24, 0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x60, 0x60, 0x70, 0xf8,
        0x7f, 0x02, 0x88, 0x19, 0x18, 0x4e, 0x00, 0x19, 0x40, 0x0c, 0x00, 0x3b, 0x8c, 0x08, 0x1d, 0xc4,
        0x7f, 0xdf, 0x5e, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    enum { HEADER_END = 8 + 12 + 13, IEND_AT = sizeof png - 12 };
    ts_texture tex;
    why[0] = '\0';
    bool whole = ts_texture_from_memory(png, sizeof png, &tex, why, sizeof why);
    CHECK(whole, "the whole PNG: %s", why);
    if (whole) {
        const uint8_t *t = tex.levels[0].texels + (1 * 2 + 1) * 4;
        CHECK(tex.width == 2 && tex.height == 2 && t[0] == 200 && t[1] == 200 && t[2] == 64 && t[3] == 255,
              "texel (1, 1) of %dx%d: %u %u %u %u", tex.width, tex.height, t[0], t[1], t[2], t[3]);
        ts_texture_free(&tex);
    }
    for (size_t len = 1; len < IEND_AT; len++) {
        why[0] = '\0';
        bool ok = ts_texture_from_memory(png, len, &tex, why, sizeof why);
        if (ok) ts_texture_free(&tex);
        CHECK(!ok && why[0], "the PNG cut at %zu bytes: %s", len, ok ? "loaded" : "no reason");
        if (len > 8 && len < HEADER_END)
            CHECK(strstr(why, "ends inside its header"), "cut at %zu bytes: '%s'", len, why);
    }
}

int main(void) {
    ply_ascii();
    ply_binary();
    not_ply();
    off_files();
    ogex_files();
    png_files();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
