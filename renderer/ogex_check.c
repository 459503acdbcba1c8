/* ogex_check.c — an OpenGEX file's text, read before assimp sees it: it
 * must be OpenDDL that ends where its last structure closes.
 *
 * Why: the OpenDDL parser of the assimp Debian ships (5.2.5) reads past the
 * end of its buffer when the text ends inside a structure, a string or a
 * bracket ("Metric {float {1.0": 9 bytes read beyond the heap block), or
 * after an identifier with no structure ("GeometryNode "), or at bytes
 * OpenDDL does not have (tests/fuzz/regressions/model/ogex-read-past-end);
 * and it loops without end on "// c\ngeometrynode {"
 * (regressions/model/ogex-comment-then-open-structure). Every well-formed
 * file of assimp-testmodels' OpenGEX folder reads without either. So the
 * text is held to what those files are: tokens of OpenDDL (identifiers,
 * names, numbers, strings, punctuation, comments), brackets that close in
 * order, and nothing but blanks and comments after the last structure's
 * closing brace.
 *
 * The scan is a state machine fed the file in pieces (assets.c reads a
 * large file in chunks), so a piece may end anywhere, inside a string or
 * between the two characters of a comment's start. */
#include "renderer_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    TEXT,          /* between tokens, or in a word */
    STRING,        /* in "..." */
    STRING_ESC,    /* after a backslash in one */
    CHAR,          /* in '...' */
    CHAR_ESC,      /* after a backslash in one */
    SLASH,         /* after a '/' in TEXT: a comment's first character */
    LINE_COMMENT,  /* in // ... */
    BLOCK_COMMENT, /* in / * ... * / */
    BLOCK_STAR,    /* after a '*' in one */
};

/* What the last token was: none yet, the '}' that closed a structure at the
 * top level, or anything else. */
enum { LAST_NONE, LAST_TOP_CLOSE, LAST_OTHER };

void ts_ogex_scan_init(ts_ogex_scan *s) {
    memset(s, 0, sizeof *s);
    s->line = 1;
}

/* Records why the text is refused; false. */
__attribute__((format(printf, 2, 3))) static bool fail(ts_ogex_scan *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
    s->failed = true;
    return false;
}

/* Characters of identifiers, names ($a, %b), numbers (-1.5e+3, 0x1F) and
 * booleans. */
static bool word_char(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '$' || c == '%' || c == '+' || c == '-';
}

/* One byte in TEXT. */
static bool text_byte(ts_ogex_scan *s, uint8_t c) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return true;
    if (c == '/') {
        s->state = SLASH;
        return true;
    }
    int last = LAST_OTHER;
    if (c == '"' || c == '\'') {
        s->state = c == '"' ? STRING : CHAR;
        s->open_line = s->line;
    } else if (c == '{' || c == '(' || c == '[') {
        if (s->depth == TS_OGEX_MAX_DEPTH)
            return fail(s, "brackets nested deeper than %d, on line %llu", TS_OGEX_MAX_DEPTH, s->line);
        s->open[s->depth] = c;
        s->open_at[s->depth++] = s->line;
    } else if (c == '}' || c == ')' || c == ']') {
        uint8_t want = c == '}' ? '{' : c == ')' ? '(' : '[';
        if (s->depth == 0) return fail(s, "a '%c' on line %llu closes nothing", c, s->line);
        if (s->open[s->depth - 1] != want)
            return fail(s, "a '%c' on line %llu closes the '%c' of line %llu", c, s->line, s->open[s->depth - 1],
                        s->open_at[s->depth - 1]);
        s->depth--;
        if (c == '}' && s->depth == 0) last = LAST_TOP_CLOSE;
    } else if (!word_char(c) && c != ',' && c != '=') {
        if (c >= 0x21 && c <= 0x7e) return fail(s, "'%c' on line %llu is not OpenDDL", c, s->line);
        return fail(s, "byte 0x%02x on line %llu is not OpenDDL", c, s->line);
    }
    s->last = last;
    return true;
}

bool ts_ogex_scan_feed(ts_ogex_scan *s, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n && !s->failed; i++) {
        uint8_t c = p[i];
        if (c == '\0') return fail(s, "a NUL byte on line %llu", s->line);
        switch (s->state) {
        case TEXT: text_byte(s, c); break;
        case STRING: s->state = c == '\\' ? STRING_ESC : c == '"' ? TEXT : STRING; break;
        case STRING_ESC: s->state = STRING; break;
        case CHAR: s->state = c == '\\' ? CHAR_ESC : c == '\'' ? TEXT : CHAR; break;
        case CHAR_ESC: s->state = CHAR; break;
        case SLASH:
            if (c != '/' && c != '*') return fail(s, "a '/' on line %llu starts no comment", s->line);
            s->state = c == '/' ? LINE_COMMENT : BLOCK_COMMENT;
            s->open_line = s->line;
            break;
        case LINE_COMMENT:
            if (c == '\n') s->state = TEXT;
            break;
        case BLOCK_COMMENT: s->state = c == '*' ? BLOCK_STAR : BLOCK_COMMENT; break;
        case BLOCK_STAR: s->state = c == '/' ? TEXT : c == '*' ? BLOCK_STAR : BLOCK_COMMENT; break;
        }
        if (c == '\n') s->line++;
    }
    return !s->failed;
}

bool ts_ogex_scan_end(ts_ogex_scan *s) {
    if (s->failed) return false;
    switch (s->state) {
    case STRING:
    case STRING_ESC:
    case CHAR:
    case CHAR_ESC: return fail(s, "the file ends inside a string begun on line %llu", s->open_line);
    case SLASH: return fail(s, "the file ends at a '/' on line %llu", s->line);
    case BLOCK_COMMENT:
    case BLOCK_STAR: return fail(s, "the file ends inside a comment begun on line %llu", s->open_line);
    default: break;
    }
    if (s->depth)
        return fail(s, "the '%c' of line %llu is never closed", s->open[s->depth - 1], s->open_at[s->depth - 1]);
    if (s->last == LAST_OTHER) return fail(s, "it does not end with a structure's closing '}'");
    return true;
}
