/* paired_family.c -- family-wise control over the configurations of one
 * comparison (paired.h): Holm's step-down divisors, so that `cfbench ab`
 * over 60 configurations of an A/A comparison flags any at all with
 * probability about alpha, not 60 times that. */
#include <math.h>
#include <stdlib.h>

#include "paired.h"

/* qsort context cannot be passed portably: sort (p, index) records. */
typedef struct ranked {
  double p;
  size_t i;
} ranked;

static int by_p(const void *x, const void *y) {
  double a = ((const ranked *)x)->p, b = ((const ranked *)y)->p;
  if (isnan(a) || isnan(b)) return isnan(a) - isnan(b); /* NAN last */
  return (a > b) - (a < b);
}

int cfb_holm_divisors(const double *p, const double *alpha, size_t m, size_t *div) {
  ranked *r = malloc((m ? m : 1) * sizeof *r);
  if (!r) return CFB_PAIRED_ENOMEM;
  for (size_t i = 0; i < m; i++) r[i] = (ranked){p[i], i};
  qsort(r, m, sizeof *r, by_p);
  size_t d = m;
  int stopped = 0;
  for (size_t j = 0; j < m; j++) {
    /* Step-down: once one is not significant, the rest keep its divisor. */
    if (!stopped) d = m - j;
    div[r[j].i] = d;
    if (!stopped && !(r[j].p <= alpha[r[j].i] / (double)d)) stopped = 1;
  }
  free(r);
  return 0;
}
