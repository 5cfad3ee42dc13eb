/* paired_rounds.c -- from measurements tagged with their round to the
 * pairs the paired analysis takes: one value per side per round (the
 * median when a round measured a side more than once), rounds where one
 * side has nothing left out.  Shared by the runner (verdicts.csv), the
 * report (older run directories, best of each backend) and `ab`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "paired.h"
#include "stats.h"

/* The median of side's values in round r into *out; 0 when it has none. */
static int round_value(const int *round, const double *x, size_t n, int r, double *buf, double *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (round[i] == r && isfinite(x[i]) && x[i] > 0) buf[k++] = x[i];
  if (!k) return 0;
  *out = cfb_stats_median(buf, k);
  return 1;
}

int cfb_paired_by_round(const int *round_a, const double *a, size_t na, const int *round_b,
                        const double *b, size_t nb, double **pa, double **pb, size_t *npairs) {
  *pa = *pb = NULL;
  *npairs = 0;
  int maxr = -1;
  for (size_t i = 0; i < na; i++)
    if (round_a[i] > maxr) maxr = round_a[i];
  size_t cap = (size_t)(maxr + 1), bufn = na > nb ? na : nb;
  double *xa = malloc((cap ? cap : 1) * sizeof *xa), *xb = malloc((cap ? cap : 1) * sizeof *xb);
  double *buf = malloc((bufn ? bufn : 1) * sizeof *buf);
  if (!xa || !xb || !buf) {
    free(xa);
    free(xb);
    free(buf);
    return CFB_PAIRED_ENOMEM;
  }
  size_t n = 0;
  for (int r = 0; r <= maxr; r++)
    if (round_value(round_a, a, na, r, buf, &xa[n]) && round_value(round_b, b, nb, r, buf, &xb[n])) n++;
  free(buf);
  *pa = xa;
  *pb = xb;
  *npairs = n;
  return 0;
}

const char *cfb_who_wins_name(cfb_paired_verdict v) {
  switch (v) {
  case CFB_PAIRED_A: return "thread";
  case CFB_PAIRED_B: return "process";
  case CFB_PAIRED_EQUIVALENT: return "equivalent";
  default: return "undecided";
  }
}

int cfb_who_wins_parse(const char *s, cfb_paired_verdict *v) {
  for (int i = CFB_PAIRED_UNDECIDED; i <= CFB_PAIRED_EQUIVALENT; i++)
    if (s && !strcmp(s, cfb_who_wins_name((cfb_paired_verdict)i))) {
      *v = (cfb_paired_verdict)i;
      return 0;
    }
  return -1;
}
