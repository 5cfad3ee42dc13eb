/* suites.h -- named sweeps (`cfbench run --suite NAME`), all defined in
 * suites.c.  A suite is a list of sweeps, each written as `cfbench run`
 * axis options, so a suite means exactly what its command lines mean. */
#ifndef CFB_SUITES_H
#define CFB_SUITES_H

#include <stddef.h>

/* cfb_suite.rounds: as many rounds as the suite's largest --repeat (after
 * command-line overrides), so each round runs one repetition of every
 * configuration. */
#define CFB_SUITE_ROUNDS_PER_REPEAT 0

typedef struct cfb_suite {
  const char *name;
  const char *summary;       /* one line for `cfbench list` */
  const char *const *sweeps; /* NULL-terminated; each is run axis options */
  int rounds;                /* default --rounds: N >= 1, or CFB_SUITE_ROUNDS_PER_REPEAT */
  /* Adaptive rounds by default (0: fixed rounds): --min-rounds, --max-rounds, --budget. */
  int min_rounds, max_rounds;
  double budget_s;
} cfb_suite;

size_t cfb_suite_count(void);
const cfb_suite *cfb_suite_at(size_t i);
const cfb_suite *cfb_suite_find(const char *name); /* NULL if unknown */

#endif
