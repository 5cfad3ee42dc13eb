/* export.h -- `cfbench export --format F DIR [--out FILE]`: a results
 * directory in another tool's format, from its files alone.
 *   gbench  Google Benchmark JSON (its tools/compare.py, github-action-
 *           benchmark's "googlecpp", Bencher read it): one benchmark per
 *           configuration, named workload/params/backend/workers:N/
 *           chunksize:N/pin:P, an "iteration" run per measured repetition
 *           (time per item) and the mean/median/stddev/cv aggregates.
 *   md      a Markdown table of summary.csv.
 * Both write to FILE, or to standard output without --out. */
#ifndef CFB_EXPORT_H
#define CFB_EXPORT_H

#include <stdio.h>

/* The formats, declared once: their names (for --format and messages). */
typedef enum cfb_export_format { CFB_EXPORT_GBENCH, CFB_EXPORT_MD, CFB_EXPORT_NFORMATS } cfb_export_format;

/* Write DIR in format `fmt` to `path` (atomically) or, when path is NULL,
 * to stdout.  0, or 2 (bad input: no results there) / 1 (cannot write),
 * with one line in err. */
int cfb_export(const char *dir, cfb_export_format fmt, const char *path, char *err, size_t errlen);

/* cfbench export (argv[0] = "export"): the exit code. */
int cfb_cmd_export(int argc, char **argv);

#endif
