/* console.h -- what a person sees at the terminal during `cfbench run`
 * (modelled on hyperfine and Google Benchmark): a context header, progress
 * (a bar on stderr when it is a TTY, else one line per configuration and
 * round), and a table of the results.  Formatting only. */
#ifndef CFB_CONSOLE_H
#define CFB_CONSOLE_H

#include <stdio.h>

#include "env.h"
#include "sweep.h"
#include "verdicts.h"

typedef struct cfb_progress {
  FILE *f;
  int tty;
  size_t n;           /* configurations */
  int rounds;
  size_t steps, done; /* (configuration, round) steps planned / finished; the
                         caller lowers `steps` when a configuration stops early */
  double t0;
} cfb_progress;

void cfb_console_header(FILE *f, const cfb_env *e, const char *layer, const char *reason,
                       const char *note, uint64_t seed, const char *suite, size_t nconfigs,
                       size_t nreps, int rounds, const char *out);

void cfb_progress_init(cfb_progress *p, FILE *f, size_t nconfigs, int rounds, size_t steps);
/* In round `round` (0-based), configuration number `i` (from 1, its place
 * in the round's order) is about to run warm-up `rep` (0-based) of `n`, or
 * its measured repetition `rep` of `n`. */
void cfb_progress_rep(cfb_progress *p, int round, size_t i, const cfb_sweep_config *c, int warm, int rep,
                     int n);
/* Configuration `i` finished its part of round `round`; res is its summary
 * so far; `final`: it runs no more (the line then says why it is partial). */
void cfb_progress_step_done(cfb_progress *p, int round, size_t i, const cfb_config_result *res, int final);
void cfb_progress_finish(cfb_progress *p);

/* The final table, one line per configuration, in expansion order. */
void cfb_console_table(FILE *f, const cfb_config_result *res, size_t n);

/* Who wins, one line per thread/process pair: ratio thread/process, its
 * interval, rounds, verdict; then how many pairs each verdict got. */
void cfb_console_verdicts(FILE *f, const cfb_verdict *v, size_t n);

#endif
