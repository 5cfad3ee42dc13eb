/* runs_check.h -- what a runs.csv must hold before compare pools its rows
 * (issue 11, item 10): a row counted twice would fake a significant
 * change, so a repeated (configuration, repeat, round) is refused, as is a
 * row whose numbers do not parse.  Input validation only; the decision is
 * the gate's (common/paired.h). */
#ifndef CFB_RUNS_CHECK_H
#define CFB_RUNS_CHECK_H

#include <stddef.h>

#include "csvread.h"

/* Check every row of t (loaded from `file`, named in messages):
 *   - workers and chunksize are integers >= 1, repeat and round (when the
 *     columns exist) integers >= 0;
 *   - an ok row has a number >= 0 in items_per_s;
 *   - no two rows share the configuration columns, repeat and round.
 * 0, or -1 with one line in err naming the file and the line. */
int cfb_runs_check(const cfb_csv_table *t, const char *file, char *err, size_t errlen);

/* 1 if some row's params has the parameter `key`, else 0. */
int cfb_runs_has_param(const cfb_csv_table *t, const char *key);

#endif
