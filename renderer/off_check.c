/* off_check.c — an OFF file's vertex and face counts, read before assimp
 * sees the file: the lines they declare must fit in the bytes after them.
 *
 * Why: the assimp Debian ships (5.2.5) allocates a vertex and a face for
 * every one the header declares and then runs its face loop that many
 * times, on past the end of the file: a 40-byte OFF file declaring 100
 * million faces takes seconds and over a gigabyte, a billion takes minutes
 * (tests/fuzz/regressions/model/off-face-count-absurd). The count is trusted
 * nowhere else, so it is checked here against the file's size. */
#include "renderer_internal.h"

#include <stdint.h>
#include <stdio.h>

static bool blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0'; }

/* The start of the next token, past blanks and '#' comment lines, as
 * assimp's OFF reader skips them. */
static size_t next_token(const uint8_t *b, size_t n, size_t at) {
    for (;;) {
        while (at < n && blank(b[at]))
            at++;
        if (at >= n || b[at] != '#') return at;
        while (at < n && b[at] != '\n' && b[at] != '\r')
            at++;
    }
}

/* Digits at `*at` as a count, capped at 2^40 (assimp wraps at 2^32; the
 * check refuses a count that large either way). */
static uint64_t count_at(const uint8_t *b, size_t n, size_t *at) {
    uint64_t v = 0;
    for (; *at < n && b[*at] >= '0' && b[*at] <= '9'; (*at)++)
        if (v < ((uint64_t)1 << 40)) v = v * 10 + (uint64_t)(b[*at] - '0');
    return v;
}

bool ts_off_check(const uint8_t *head, size_t head_len, uint64_t file_size, bool off_name, char *why,
                  size_t why_size) {
    size_t at = next_token(head, head_len, 0);
    /* The keyword: optional ST, C, N, 4 and n flags, then OFF. assimp also
     * reads a file with no keyword as OFF when its name says so. */
    size_t k = at;
    bool dimension = false;
    if (k + 1 < head_len && head[k] == 'S' && head[k + 1] == 'T') k += 2;
    if (k < head_len && head[k] == 'C') k++;
    if (k < head_len && head[k] == 'N') k++;
    if (k < head_len && head[k] == '4') k++;
    if (k < head_len && head[k] == 'n') {
        dimension = true;
        k++;
    }
    if (k + 3 <= head_len && head[k] == 'O' && head[k + 1] == 'F' && head[k + 2] == 'F') {
        at = next_token(head, head_len, k + 3);
        if (dimension) { /* nOFF: the number of coordinates comes first */
            (void)count_at(head, head_len, &at);
            at = next_token(head, head_len, at);
        }
    } else if (!off_name) {
        return true; /* not an OFF file */
    }
    uint64_t vertices = count_at(head, head_len, &at);
    at = next_token(head, head_len, at);
    uint64_t faces = count_at(head, head_len, &at);
    if (at >= head_len && head_len < file_size) {
        snprintf(why, why_size, "corrupt OFF: no vertex and face counts in its first %zu bytes", head_len);
        return false;
    }

    /* Every vertex and every face is a line of at least one character and
     * its end (the last line may lack the end). */
    uint64_t data = file_size > at ? file_size - at : 0;
    if (2 * (vertices + faces) > data + 1) {
        snprintf(why, why_size,
                 "corrupt OFF: its header declares %llu vertices and %llu faces, more than the %llu "
                 "bytes after it can hold",
                 (unsigned long long)vertices, (unsigned long long)faces, (unsigned long long)data);
        return false;
    }
    return true;
}
