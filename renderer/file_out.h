/* file_out.h — writing a file whole or not at all (internal to the
 * library; the PNG writer and the programs' CSV and JSON use it).
 *
 * A regular file, or a new one, is written under a temporary name beside
 * it and renamed over it once every write has succeeded, so a failed write
 * (a full disk, a lost mount) leaves neither a truncated file nor the loss
 * of the one that was there. (A process killed while it writes leaves the
 * temporary file, NAME.tmp-PID-N.) Anything else (/dev/null, a FIFO, a
 * terminal), a file in a directory that cannot take a new name, and a
 * name too long to take the temporary's suffix, is written in place, as
 * fopen would. */
#ifndef TS_FILE_OUT_H
#define TS_FILE_OUT_H

#include <stdio.h>

typedef struct ts_file_out {
    FILE *f;    /* write here */
    char *dest; /* the file replaced: `path`, or a symlink's target */
    char *temp; /* the name written under; NULL when written in place */
} ts_file_out;

/* 0, or the errno of why `path` cannot be written: its directory is
 * missing or not writable, the file exists and is not writable, ... */
int ts_file_out_open(ts_file_out *o, const char *path);
/* 0 when `path` could be opened now, or the errno ts_file_out_open would
 * give; creates, truncates and opens nothing (a FIFO's reader would see
 * its end). For an output written after a long run, checked before it. */
int ts_file_out_check(const char *path);
/* Ends the writing: 0 once the file is in place, or the errno of the
 * first failure (a write, the close, the rename), the file then as it was
 * before. Either way o is closed. */
int ts_file_out_close(ts_file_out *o);
/* Gives up: the file stays as it was. Harmless on a zeroed o. */
void ts_file_out_discard(ts_file_out *o);

#endif
