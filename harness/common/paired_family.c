/* paired_family.c -- family-wise control over the configurations of one
 * comparison (paired.h): Holm's step-down divisors, the gate over a
 * family of tests (configurations x metrics) and the verdict of a
 * configuration judged on several metrics, so that `cfbench ab`
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

int cfb_gate_family(const cfb_seq_plan *p, const cfb_gate_test *t, size_t m, const cfb_gate_opts *o,
                    cfb_gate *out, size_t *div) {
  /* calloc: GCC cannot see that m == 0 reads nothing (-Wmaybe-uninitialized) */
  double *pv = calloc(m ? m : 1, sizeof *pv), *alpha = calloc(m ? m : 1, sizeof *alpha);
  size_t *d = div ? div : malloc((m ? m : 1) * sizeof *d);
  int rc = pv && alpha && d ? 0 : CFB_PAIRED_ENOMEM;
  for (size_t i = 0; !rc && i < m; i++) {
    pv[i] = cfb_paired_p(t[i].nw, t[i].base, t[i].n);
    alpha[i] = cfb_seq_alpha(p, t[i].n);
  }
  if (!rc) rc = cfb_holm_divisors(pv, alpha, m, d);
  for (size_t i = 0; !rc && i < m; i++) {
    cfb_gate_opts go = o ? *o : (cfb_gate_opts){0};
    go.family = (double)d[i];
    rc = cfb_gate_paired(p, t[i].base, t[i].nw, t[i].n, &go, &out[i]);
  }
  free(pv);
  free(alpha);
  if (d != div) free(d);
  return rc;
}

cfb_gate_verdict cfb_gate_either(const cfb_gate *g, size_t k, unsigned *which) {
  /* by precedence: the first verdict some test gives decides */
  static const cfb_gate_verdict order[] = {CFB_GATE_SLOWER, CFB_GATE_FASTER, CFB_GATE_FEW};
  *which = 0;
  for (size_t v = 0; v < sizeof order / sizeof *order; v++) {
    for (size_t i = 0; i < k; i++)
      if (g[i].verdict == order[v]) *which |= 1u << i;
    if (*which) {
      if (order[v] == CFB_GATE_FEW) *which = 0;
      return order[v];
    }
  }
  return CFB_GATE_UNCHANGED;
}
