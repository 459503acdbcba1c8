/* bench_out.h — what tessera-bench's two kinds of rows (bench and sweep)
 * share: the figures' cells in the table, the CSV and the JSON (the clock
 * and the median are cli_args.h's): strings quoted as each format wants, and
 * numbers, where a missing value is "-", an empty CSV field and a JSON
 * null, never a made-up 0. */
#ifndef TS_BENCH_OUT_H
#define TS_BENCH_OUT_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>

/* A value a row does not have: a stage that does not exist (yet), or one
 * that has no meaning for the row; never a made-up 0, which would read as
 * "took no time". */
#define TS_NO_VALUE ((double)NAN)

/* A number for the table with `decimals` places, or "-" for TS_NO_VALUE;
 * written into buf (n bytes) when it is a number. */
const char *ts_bench_cell(char *buf, size_t n, double v, int decimals);

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break; nothing for NULL. */
void ts_csv_str(FILE *f, const char *s);
/* A number with `decimals` places; nothing for NaN. */
void ts_csv_num(FILE *f, double v, int decimals);
/* A JSON string with its quotes, or null for NULL. */
void ts_json_str(FILE *f, const char *s);
/* A number with `decimals` places, or null for NaN. */
void ts_json_num(FILE *f, double v, int decimals);

#endif
