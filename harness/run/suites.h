/* suites.h -- the named sweeps of `cfbench run --suite NAME`: sweep files
 * (sweepfile.h) NAME.json in the suites folder: $CFBENCH_SUITES_DIR, else
 * share/cfbench/suites beside the installed program, else the source
 * tree's suites/ (cfbench run from its build tree).  `--suite PATH` (a
 * name with a '/' or ending in .json) is that file. */
#ifndef CFB_SUITES_H
#define CFB_SUITES_H

#include <stddef.h>

/* A sweep file's "rounds": "per-repeat": as many rounds as the suite's
 * largest repeat (after command-line overrides), so each round runs one
 * repetition of every configuration. */
#define CFB_SUITE_ROUNDS_PER_REPEAT 0

/* The suites folder (into out, len bytes); returns out. */
const char *cfb_suites_dir(char *out, size_t len);

/* The suites' names (the *.json files of the folder, without .json),
 * sorted; free with cfb_suite_names_free.  0, or -1 (no folder: n = 0). */
int cfb_suite_names(char ***names, size_t *n);
void cfb_suite_names_free(char **names, size_t n);

/* The file of `arg` (a suite name, or a path) into out.  0, or 2 with one
 * line in err naming the known suites. */
int cfb_suite_path(const char *arg, char *out, size_t len, char *err, size_t errlen);

#endif
