/* console.h -- what a person sees at the terminal during `cfbench run`
 * (modelled on hyperfine and Google Benchmark): a context header, progress
 * (a bar on stderr when it is a TTY, else one line per configuration and
 * round), and a table of the results.  Formatting only. */
#ifndef CF_HARNESS_CONSOLE_H
#define CF_HARNESS_CONSOLE_H

#include <stdio.h>

#include "env.h"
#include "sweep.h"

typedef struct cf_progress {
  FILE *f;
  int tty;
  size_t n;           /* configurations */
  int rounds;
  size_t steps, done; /* (configuration, round) steps planned / finished; the
                         caller lowers `steps` when a configuration stops early */
  double t0;
} cf_progress;

void cf_console_header(FILE *f, const cf_env *e, const char *layer, const char *reason,
                       const char *note, uint64_t seed, const char *suite, size_t nconfigs,
                       size_t nreps, int rounds, const char *out);

void cf_progress_init(cf_progress *p, FILE *f, size_t nconfigs, int rounds, size_t steps);
/* In round `round` (0-based), configuration number `i` (from 1, its place
 * in the round's order) is about to run warm-up `rep` (0-based) of `n`, or
 * its measured repetition `rep` of `n`. */
void cf_progress_rep(cf_progress *p, int round, size_t i, const cf_sweep_config *c, int warm, int rep,
                     int n);
/* Configuration `i` finished its part of round `round`; res is its summary
 * so far; `final`: it runs no more (the line then says why it is partial). */
void cf_progress_step_done(cf_progress *p, int round, size_t i, const cf_config_result *res, int final);
void cf_progress_finish(cf_progress *p);

/* The final table, one line per configuration, in expansion order. */
void cf_console_table(FILE *f, const cf_config_result *res, size_t n);

#endif
