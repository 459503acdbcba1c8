/* bench_out.h — the fields tessera-bench writes into its CSV and JSON
 * files: strings quoted as each format wants, and numbers, where a missing
 * value (NaN) is an empty CSV field and a JSON null, never a made-up 0. */
#ifndef TS_BENCH_OUT_H
#define TS_BENCH_OUT_H

#include <stdio.h>

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
