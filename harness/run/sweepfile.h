/* sweepfile.h -- sweep files (`cfbench run --file F.json`, and the suites
 * in share/cfbench/suites): JSON whose keys are `cfbench run`'s option
 * names without the dashes, so a file means what its command line means.
 *
 *   {"summary": "one line for cfbench list",          (optional)
 *    "rounds": 3 | "per-repeat",                      (optional; default 1)
 *    "comment": "...",                                 (ignored, anywhere)
 *    "backend": ["thread", "process"], "repeat": 5,   (defaults of every sweep)
 *    "sweeps": [{"workload": "sleep", "param": {"delay": ["1ms", "10ms"]},
 *                "workers": "1..64", "items": 128}, ...]}
 *
 * Without "sweeps" the top level is the one sweep.  A value is a string
 * (as on the command line), a number, or a list (joined with commas);
 * "param" is an object of parameter: value(s); a flag takes true.  Which
 * keys a sweep may hold is the caller's option table (cli.c's), so a new
 * run option is a new key with no edit here.  Every error names the file,
 * the line and column, and the key. */
#ifndef CFB_SWEEPFILE_H
#define CFB_SWEEPFILE_H

#include <stddef.h>

#include "options.h"
#include "suites.h"

/* One option of a sweep: the table entry, its value as a command-line
 * string (NULL for a flag), and where the key is in the file. */
typedef struct cfb_file_opt {
  const cfb_option *opt;
  char *value;
  int line, col;
} cfb_file_opt;

typedef struct cfb_file_sweep {
  cfb_file_opt *opts; /* its own keys, then the top level's defaults it lacks */
  size_t n;
  int line, col;      /* where the sweep's object starts */
} cfb_file_sweep;

typedef struct cfb_sweep_file {
  char *path;
  char *summary;      /* "" when not given */
  int rounds;         /* >= 1, CFB_SUITE_ROUNDS_PER_REPEAT, or -1: not given */
  int rounds_line;
  cfb_file_sweep *sweeps;
  size_t nsweeps;
} cfb_sweep_file;

/* Load and check `path`: its JSON, its structure, every key against
 * `table` (only entries whose group is in `groups`), every value's type.
 * The values themselves are the option functions' to check (cli.c).  0,
 * or 2 with one line "PATH:LINE:COL: ..." in err. */
int cfb_sweep_file_load(const char *path, const cfb_option *table, int groups, cfb_sweep_file *f,
                        char *err, size_t errlen);
void cfb_sweep_file_free(cfb_sweep_file *f);

/* A sweep as `cfbench run` options ("--workload sleep --param delay=1ms
 * ..."), for cfbench list (caller frees), or NULL. */
char *cfb_file_sweep_args(const cfb_file_sweep *s);

#endif
