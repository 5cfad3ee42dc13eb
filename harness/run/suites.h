/* suites.h -- named sweeps (`cfbench run --suite NAME`), all defined in
 * suites.c.  A suite is a list of sweeps, each written as `cfbench run`
 * axis options, so a suite means exactly what its command lines mean. */
#ifndef CF_HARNESS_SUITES_H
#define CF_HARNESS_SUITES_H

#include <stddef.h>

/* cf_suite.rounds: as many rounds as the suite's largest --repeat (after
 * command-line overrides), so each round runs one repetition of every
 * configuration. */
#define CF_SUITE_ROUNDS_PER_REPEAT 0

typedef struct cf_suite {
  const char *name;
  const char *summary;       /* one line for `cfbench list` */
  const char *const *sweeps; /* NULL-terminated; each is run axis options */
  int rounds;                /* default --rounds: N >= 1, or CF_SUITE_ROUNDS_PER_REPEAT */
} cf_suite;

size_t cf_suite_count(void);
const cf_suite *cf_suite_at(size_t i);
const cf_suite *cf_suite_find(const char *name); /* NULL if unknown */

#endif
