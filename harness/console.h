/* console.h -- what a person sees at the terminal during `cfbench run`
 * (modelled on hyperfine and Google Benchmark): a context header, progress
 * (a bar on stderr when it is a TTY, else one line per configuration), and
 * a table of the results.  Formatting only. */
#ifndef CF_HARNESS_CONSOLE_H
#define CF_HARNESS_CONSOLE_H

#include <stdio.h>

#include "env.h"
#include "sweep.h"

typedef struct cf_progress {
  FILE *f;
  int tty;
  size_t n, done;
  double t0;
} cf_progress;

void cf_console_header(FILE *f, const cf_env *e, const char *layer, const char *reason,
                       const char *note, uint64_t seed, const char *suite, size_t nconfigs,
                       size_t nreps, const char *out);

void cf_progress_init(cf_progress *p, FILE *f, size_t n);
/* Configuration number `i` (from 1) is about to run repetition `rep` of
 * `total` (warm-ups included). */
void cf_progress_rep(cf_progress *p, size_t i, const cf_sweep_config *c, int rep, int total);
void cf_progress_config_done(cf_progress *p, size_t i, const cf_config_result *res);
void cf_progress_finish(cf_progress *p);

/* The final table, one line per configuration, in expansion order. */
void cf_console_table(FILE *f, const cf_config_result *res, size_t n);

#endif
