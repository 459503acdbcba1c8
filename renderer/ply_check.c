/* ply_check.c — a PLY file, read before assimp sees it: its header must
 * end, declare each kind of element assimp reads at most once, and the
 * element counts it declares must fit in the bytes after it, and so must
 * every list's length.
 *
 * Why: the assimp Debian ships (5.2.5) loops without end on a PLY header
 * that never reaches an end_header line: its header parser ignores the
 * end-of-file result of IOStreamBuffer::getNextLine and parses the last
 * line again, forever (tests/fuzz/regressions/model/ply-header-unterminated:
 * a 200-byte file spun for minutes). A header that does end can still
 * declare more elements than the file holds, and assimp then runs its
 * per-element loop that many times, past the end of the data: a 300-byte
 * file declaring 100 million faces, or 4 billion vertices with no
 * properties, runs for longer than anyone waits. And assimp sizes a list
 * by the length the data gives before it reads the items: "50000000 0 1 2"
 * as a face costs it 12 seconds and a gigabyte. And a second element of a
 * kind it reads (two "element vertex" lines) makes it write the second's
 * instances into storage sized by the first's count: a heap overflow
 * (tests/fuzz/regressions/model/ply-vertex-element-twice: 6 vertices, then
 * 8, written past a 72-byte array). And an end_header that is the last
 * thing in the file, with no line end after it, can hang it too: its line
 * reader copies that last line over the previous one without cutting off
 * what was longer, so the header loop sees "end_headerjunk..." and asks for
 * the next line forever (regressions/model/ply-end-header-at-eof; such a
 * file has no data to load anyway). And a property line it cannot read
 * ends the element's properties and is dropped whole: "property
 * end_header" does not end the header, and a file whose only end_header
 * is there loops as one without any (regressions/model/
 * ply-end-header-as-property). All of these are refused here; the
 * counts checked are the ones assimp reads (an element of a name it does
 * not know takes its count from the name's digits: count_in_name).
 *
 * The lines are split the way assimp 5.2's IOStreamBuffer::getNextLine
 * splits them, so that an end_header this check finds is one assimp finds
 * too: a line ends at \n, \r, \f or NUL, and a line that starts at such a
 * character runs from after the next \n (what lies between is skipped).
 * The lists are walked in the data this check holds (the first MiB). */
#include "renderer_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const uint8_t *p;
    size_t len;
} span;

static bool line_end(uint8_t c) { return c == '\n' || c == '\r' || c == '\f' || c == '\0'; }

/* The next line at *pos; false when there is none, or when assimp's
 * skip to the next \n would run past the bytes we hold. A last line without
 * an end is returned: assimp keeps its bytes in its buffer too. */
static bool next_line(const uint8_t *b, size_t n, size_t *pos, span *out) {
    size_t at = *pos;
    if (at >= n) return false;
    if (line_end(b[at])) {
        const uint8_t *nl = memchr(b + at, '\n', n - at);
        if (!nl) return false;
        at = (size_t)(nl - b) + 1;
        if (at >= n) return false;
    }
    size_t start = at;
    while (at < n && !line_end(b[at]))
        at++;
    out->p = b + start;
    out->len = at - start;
    *pos = at < n ? at + 1 : n; /* past the character that ended it */
    return true;
}

static void skip_spaces(span *s) {
    while (s->len && (s->p[0] == ' ' || s->p[0] == '\t')) {
        s->p++;
        s->len--;
    }
}

/* Takes the whitespace-delimited token at the start of `s` when it is `word`
 * (assimp's TokenMatch: the word, then a space, a tab or the line's end). */
static bool take(span *s, const char *word) {
    size_t n = strlen(word);
    if (s->len < n || memcmp(s->p, word, n) != 0) return false;
    if (s->len > n && s->p[n] != ' ' && s->p[n] != '\t') return false;
    s->p += n;
    s->len -= n;
    skip_spaces(s);
    return true;
}

/* The size in bytes of a PLY scalar type, 0 for a name assimp does not
 * know (it then drops the property, so it costs nothing in the data). */
static unsigned type_size(span *s) {
    static const struct {
        const char *name;
        unsigned size;
    } types[] = {
        {"char", 1},  {"int8", 1},   {"uchar", 1},  {"uint8", 1},    {"short", 2},   {"int16", 2},
        {"ushort", 2}, {"uint16", 2}, {"int", 4},    {"int32", 4},    {"uint", 4},    {"uint32", 4},
        {"float", 4}, {"float32", 4}, {"double", 8}, {"float64", 8}, {"double64", 8},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (take(s, types[i].name)) return types[i].size;
    return 0;
}

/* Counts are capped at 2^40 (assimp wraps them at 2^32; a count that
 * large is refused below either way), and one instance takes at most 8
 * bytes per property, with fewer than 2^20 properties in the header we
 * read: a product stays below 2^63, and sums saturate. */
#define COUNT_CAP ((uint64_t)1 << 40)

static uint64_t count_of(span s) {
    uint64_t v = 0;
    for (size_t i = 0; i < s.len && s.p[i] >= '0' && s.p[i] <= '9' && v < COUNT_CAP; i++)
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    return v < COUNT_CAP ? v : COUNT_CAP;
}

/* The count assimp gives an element of a name it does not know: it reads
 * the number from the name itself (its parser does not step over a name it
 * did not recognise), with strtoul10's 32-bit wrap-around, so "element
 * 99999999999x 1" has 99999999999 mod 2^32 instances, not 1
 * (tests/fuzz/regressions/model/ply-count-in-unknown-name: a 96 GB
 * allocation). */
static uint64_t count_in_name(span name) {
    uint32_t v = 0;
    for (size_t i = 0; i < name.len && name.p[i] >= '0' && name.p[i] <= '9'; i++)
        v = v * 10u + (uint32_t)(name.p[i] - '0');
    return v;
}

static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* The elements the header declares, summed as they come: the fewest bytes
 * all their instances take in the data, and the element that takes the
 * most, to name in a message. */
typedef struct {
    uint64_t need;
    span big_name;
    uint64_t big_count, big_bytes;
} tally;

/* Adds an element of `count` instances of at least `each` bytes. */
static void tally_add(tally *t, span name, uint64_t count, uint64_t each) {
    /* An instance without properties takes no bytes in a binary file, but
     * assimp still loops over every one; more of them than the file has
     * bytes is not a model. In ASCII each instance is a line at least. */
    uint64_t bytes = count * (each ? each : 1);
    t->need = add_sat(t->need, bytes);
    if (bytes >= t->big_bytes) {
        t->big_name = name;
        t->big_count = count;
        t->big_bytes = bytes;
    }
}

/* ---- the data: list lengths ------------------------------------------ */

/* What the walk over the data needs of the header, kept for the elements
 * assimp reads (vertex, face, tristrips, edge, material: it takes any
 * other element's count as 0) and the properties it keeps. A header
 * larger than this is not walked; its counts are still checked. */
#define WALK_ELEMENTS 16
#define WALK_PROPERTIES 128

typedef struct {
    uint8_t list_size; /* bytes of a list's length; 0 for a scalar */
    uint8_t size;      /* bytes of the scalar or of each list item */
    bool is_signed;    /* of the list's length */
} prop;

typedef struct {
    uint64_t count;
    unsigned n_props;
    prop props[WALK_PROPERTIES];
} layout;

typedef struct {
    bool ascii, big_endian, too_big;
    unsigned n;
    layout el[WALK_ELEMENTS];
} header;

static bool list_too_long(uint64_t len, uint64_t room, char *why, size_t why_size) {
    if (len <= room) return false;
    snprintf(why, why_size, "corrupt PLY: a list of %llu items, more than the %llu bytes after it can hold",
             (unsigned long long)len, (unsigned long long)room);
    return true;
}

/* A list's length as assimp reads it from text: strtoul10, or strtol10
 * for a signed type (a negative length becomes a huge unsigned one). */
static uint64_t ascii_length(span *s, bool is_signed) {
    bool minus = false;
    if (is_signed && s->len && (s->p[0] == '-' || s->p[0] == '+')) {
        minus = s->p[0] == '-';
        s->p++;
        s->len--;
    }
    uint64_t v = 0;
    while (s->len && s->p[0] >= '0' && s->p[0] <= '9') {
        if (v < COUNT_CAP) v = v * 10 + (uint64_t)(s->p[0] - '0');
        s->p++;
        s->len--;
    }
    return minus && v ? UINT32_MAX : v;
}

static void skip_token(span *s) {
    while (s->len && s->p[0] != ' ' && s->p[0] != '\t') {
        s->p++;
        s->len--;
    }
}

/* ASCII: an instance is a line; a list's items are on its line, so a list
 * longer than its line is impossible. assimp sizes the list by its length
 * before it reads the items, so that length must be checked first. */
static bool ascii_lists_ok(const header *h, const uint8_t *b, size_t n, size_t pos, char *why,
                           size_t why_size) {
    span line;
    for (unsigned e = 0; e < h->n; e++) {
        const layout *el = &h->el[e];
        for (uint64_t i = 0; i < el->count; i++) {
            if (!next_line(b, n, &pos, &line)) return true; /* the data we hold ends */
            for (unsigned k = 0; k < el->n_props; k++) {
                skip_spaces(&line);
                if (!line.len) break;
                if (!el->props[k].list_size) {
                    skip_token(&line);
                    continue;
                }
                uint64_t len = ascii_length(&line, el->props[k].is_signed);
                if (list_too_long(len, line.len, why, why_size)) return false;
                for (uint64_t j = 0; j < len && line.len; j++) {
                    skip_spaces(&line);
                    skip_token(&line);
                }
            }
        }
    }
    return true;
}

static uint64_t read_uint(const uint8_t *p, unsigned size, bool big_endian, bool is_signed) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
    if (is_signed && size < 8 && (v >> (8 * size - 1)) & 1) return UINT32_MAX; /* negative */
    return v;
}

/* Binary: records packed one after another; a list's items must fit in
 * the rest of the file. */
static bool binary_lists_ok(const header *h, const uint8_t *b, size_t n, uint64_t file_size, size_t pos,
                            char *why, size_t why_size) {
    for (unsigned e = 0; e < h->n; e++) {
        const layout *el = &h->el[e];
        if (!el->n_props) continue; /* its instances take no bytes */
        for (uint64_t i = 0; i < el->count; i++) {
            for (unsigned k = 0; k < el->n_props; k++) {
                const prop *p = &el->props[k];
                unsigned head_size = p->list_size ? p->list_size : p->size;
                if (n - pos < head_size) return true; /* the data we hold ends */
                if (!p->list_size) {
                    pos += p->size;
                    continue;
                }
                uint64_t len = read_uint(b + pos, p->list_size, h->big_endian, p->is_signed);
                pos += p->list_size;
                if (list_too_long(len, (file_size - pos) / p->size, why, why_size)) return false;
                if (len * p->size > n - pos) return true;
                pos += (size_t)(len * p->size);
            }
        }
    }
    return true;
}

/* ---- the header --------------------------------------------------------- */

/* The element kinds assimp reads instances of (Element::ParseSemantic):
 * the index of `name`'s, or -1 for any other name. */
static const char *const known_elements[] = {"vertex", "face", "tristrips", "edge", "material"};

static int known_element(span name) {
    for (int i = 0; i < (int)(sizeof known_elements / sizeof known_elements[0]); i++)
        if (name.len == strlen(known_elements[i]) && memcmp(name.p, known_elements[i], name.len) == 0) return i;
    return -1;
}

bool ts_ply_check(const uint8_t *head, size_t head_len, uint64_t file_size, char *why, size_t why_size) {
    size_t pos = 0;
    span line;
    /* assimp's PLY importer takes a file whose first line starts with
     * "ply" in any case; anything else is not ours to judge. */
    if (!next_line(head, head_len, &pos, &line) || line.len < 3) return true;
    for (int i = 0; i < 3; i++)
        if ((line.p[i] | 0x20) != "ply"[i]) return true;
    /* Without "format ascii" or "format binary_..." assimp stops at once. */
    if (!next_line(head, head_len, &pos, &line)) return true;
    skip_spaces(&line);
    if (!take(&line, "format")) return true;
    header h; /* about 6 KiB */
    memset(&h, 0, sizeof h);
    h.ascii = take(&line, "ascii");
    if (!h.ascii && (line.len < 7 || memcmp(line.p, "binary_", 7) != 0)) return true;
    h.big_endian = !h.ascii && line.len >= 17 && memcmp(line.p, "binary_big_endian", 17) == 0;
    bool ascii = h.ascii;

    /* As assimp reads a header: an element's properties are the property
     * and comment lines right after it; any other line ends them. */
    tally t = {0, {NULL, 0}, 0, 0};
    span name = {NULL, 0};
    uint64_t count = 0, each = 0;
    bool have_element = false, open = false;
    unsigned kinds_seen = 0; /* bit k: known_elements[k] was declared */
    layout *el = NULL;
    for (;;) {
        if (!next_line(head, head_len, &pos, &line)) {
            if (head_len < file_size)
                snprintf(why, why_size, "corrupt PLY: no end_header in the first %zu bytes of its header",
                         head_len);
            else
                snprintf(why, why_size, "corrupt PLY: its header has no end_header line");
            return false;
        }
        skip_spaces(&line);
        if (open && take(&line, "comment")) continue;
        if (open && take(&line, "property")) {
            /* ASCII: a number and a space or line end per property, a
             * list's length for a list (which may be empty). Binary: the
             * scalar, or the list's length. A type assimp does not know,
             * or no name, ends the element's properties there. */
            prop p = {0, 0, false};
            if (take(&line, "list")) {
                p.is_signed = line.len && (line.p[0] == 'c' || line.p[0] == 's' || line.p[0] == 'i');
                p.list_size = (uint8_t)type_size(&line);
                p.size = p.list_size ? (uint8_t)type_size(&line) : 0;
            } else {
                p.size = (uint8_t)type_size(&line);
            }
            if (p.size && line.len) {
                each += ascii ? 2 : (p.list_size ? p.list_size : p.size);
                if (el && el->n_props < WALK_PROPERTIES) el->props[el->n_props++] = p;
                else if (el) h.too_big = true;
                continue;
            }
            /* assimp drops the whole line: what follows "property" is
             * never an end_header or an element ("property end_header"
             * leaves its header unterminated, and it loops). */
            open = false;
            continue;
        }
        open = false;
        /* The line runs to the end of the file: nothing ended it. */
        bool last = head_len == file_size && line.p + line.len == head + head_len;
        if (take(&line, "end_header")) {
            if (last) {
                snprintf(why, why_size, "corrupt PLY: the file ends with its end_header line, without a line end");
                return false;
            }
            break;
        }
        if (take(&line, "element")) {
            if (have_element) tally_add(&t, name, count, each);
            name = line;
            skip_token(&line);
            name.len -= line.len;
            skip_spaces(&line);
            int kind = known_element(name);
            count = kind >= 0 ? count_of(line) : count_in_name(name);
            each = 0;
            have_element = true;
            open = true;
            el = NULL;
            if (kind >= 0 && (kinds_seen >> kind & 1u)) {
                snprintf(why, why_size, "corrupt PLY: its header declares '%s' elements twice",
                         known_elements[kind]);
                return false;
            }
            if (kind >= 0) {
                kinds_seen |= 1u << kind;
                if (h.n < WALK_ELEMENTS) {
                    el = &h.el[h.n++];
                    el->count = count;
                } else {
                    h.too_big = true;
                }
            }
        }
    }
    if (have_element) tally_add(&t, name, count, each);

    uint64_t data = file_size > pos ? file_size - pos : 0;
    uint64_t room = ascii ? data + 1 : data; /* the last ASCII line may lack its \n */
    if (t.need > room) {
        snprintf(why, why_size,
                 "corrupt PLY: its header declares %llu%s '%.*s' elements, more than the %llu bytes "
                 "after it can hold",
                 (unsigned long long)t.big_count, t.big_count == COUNT_CAP ? " or more" : "",
                 (int)(t.big_name.len > 40 ? 40 : t.big_name.len), (const char *)t.big_name.p,
                 (unsigned long long)data);
        return false;
    }
    if (h.too_big) return true;
    return ascii ? ascii_lists_ok(&h, head, head_len, pos, why, why_size)
                 : binary_lists_ok(&h, head, head_len, file_size, pos, why, why_size);
}
