/* memory_budget.h — the renderer's memory budget (memory.c), internal to
 * the library and its programs: what the frame-sized buffers may take, and
 * the check every frame-sized allocation makes first. */
#ifndef TS_MEMORY_BUDGET_H
#define TS_MEMORY_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera.h"

typedef struct ts_memory_budget {
    uint64_t limit;     /* bytes the frame-sized buffers may take */
    const char *source; /* where the limit comes from, for messages */
    bool chosen;        /* set by the caller or TESSERA_MAX_MEMORY, not the machine's size */
} ts_memory_budget;

/* The limit: `asked` (ts_renderer_desc.max_memory) when not 0, else
 * TESSERA_MAX_MEMORY, else physical memory or the cgroup's memory limit,
 * whichever is lower. A malformed TESSERA_MAX_MEMORY is an error. */
ts_result ts_memory_limit(uint64_t asked, ts_memory_budget *out, ts_error *err);
/* Bytes of the frame-sized buffers of a frame of width x height. */
uint64_t ts_frame_bytes(bool reference, int width, int height, int samples, bool keep_depth, bool post);
/* TS_OK when `need` new bytes fit in the budget beside `held` ones still
 * allocated (a resize allocates before it frees), else TS_ERR_OUT_OF_MEMORY
 * with a message naming both and the limit. */
ts_result ts_memory_check(const ts_memory_budget *b, uint64_t held, uint64_t need, int width, int height,
                          ts_error *err);
void ts_format_bytes(uint64_t bytes, char *out, size_t size);

#endif
