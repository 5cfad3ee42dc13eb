/* paired_seq.c -- the sequential plan of paired.h: which confidence level
 * each look (after every round) uses so that stopping at the first
 * decided look keeps the overall false-alarm rate at alpha, and the
 * runner's "does this configuration need another round?".
 *
 * The boundary is Wang & Tsiatis' |Z_n| >= c (n/N)^(shape - 1/2).  Its
 * constant c is solved numerically: the crossing probability of a normal
 * random walk observed after each round from min_rounds to N is computed
 * by the recursive integration of Armitage, McPherson & Rowe (1969) --
 * the density of the running sum, cut to the continuation region at each
 * look and convolved with one round's increment -- and c is bisected until
 * it equals alpha.  The signed-rank statistic is asymptotically such a walk
 * (its increments are close to independent); the simulations of
 * tests/harness/test_paired.c check the level of the real procedure. */
#include <math.h>
#include <stdlib.h>

#include "paired.h"

/* Boundary on the running-sum scale at look n: c n^shape N^(1/2-shape). */
static double sum_bound(double c, double shape, size_t n, size_t big_n) {
  return c * pow((double)n, shape) * pow((double)big_n, 0.5 - shape);
}

static double normal_pdf(double x) { return exp(-x * x / 2) / sqrt(2 * M_PI); }

/* Zero the density outside (-b, b); cells cut by the boundary keep the
 * fraction of their width inside (second-order accurate edges). */
static void cut(double *f, size_t g, double x0, double h, double b) {
  for (size_t j = 0; j < g; j++) {
    double x = x0 + (double)j * h, inside = (b - fabs(x)) / h + 0.5;
    if (inside <= 0) f[j] = 0;
    else if (inside < 1) f[j] *= inside;
  }
}

/* P(no crossing) for boundary constant c and drift theta per round. */
static double continue_prob(const cfb_seq_plan *p, double c, double theta, double *f,
                            double *g2, size_t g, double x0, double h, double *kern, long reach) {
  size_t n0 = p->min_rounds, big_n = p->max_rounds;
  double sd0 = sqrt((double)n0);
  for (size_t j = 0; j < g; j++)
    f[j] = normal_pdf((x0 + (double)j * h - theta * (double)n0) / sd0) / sd0;
  cut(f, g, x0, h, sum_bound(c, p->shape, n0, big_n));
  for (size_t n = n0 + 1; n <= big_n; n++) {
    for (size_t j = 0; j < g; j++) {
      double s = 0;
      long lo = (long)j - reach, hi = (long)j + reach;
      if (lo < 0) lo = 0;
      if (hi >= (long)g) hi = (long)g - 1;
      for (long i = lo; i <= hi; i++)
        s += f[i] * kern[(long)j - i + reach];
      g2[j] = s * h;
    }
    for (size_t j = 0; j < g; j++) f[j] = g2[j];
    cut(f, g, x0, h, sum_bound(c, p->shape, n, big_n));
  }
  double s = 0;
  for (size_t j = 0; j < g; j++) s += f[j];
  return s * h;
}

/* The crossing probability with boundary constant c (grid sized for it). */
static double crossing(const cfb_seq_plan *p, double c, double theta) {
  double b = sum_bound(c, p->shape, p->max_rounds, p->max_rounds);
  /* With drift the walk can leave (-b, b) only across its edges, so the
   * grid spans the continuation region; finer than the increment's sd. */
  double h = b / 200 > 0.1 ? b / 200 : 0.1;
  size_t g = (size_t)(2 * b / h) + 3;
  long reach = (long)ceil(8 / h); /* the increment's density beyond 8 sd is nil */
  double *f = malloc(g * sizeof *f), *g2 = malloc(g * sizeof *g2);
  double *kern = malloc((size_t)(2 * reach + 1) * sizeof *kern);
  if (!f || !g2 || !kern) {
    free(f);
    free(g2);
    free(kern);
    return NAN;
  }
  for (long k = -reach; k <= reach; k++) kern[k + reach] = normal_pdf((double)k * h - theta);
  double x0 = -h * (double)(g / 2);
  double cont = continue_prob(p, c, theta, f, g2, g, x0, h, kern, reach);
  free(f);
  free(g2);
  free(kern);
  return 1 - cont;
}

double cfb_seq_crossing(const cfb_seq_plan *p, double theta) { return crossing(p, p->c, theta); }

int cfb_seq_plan_init(cfb_seq_plan *p, size_t min_rounds, size_t max_rounds, double alpha,
                      double shape) {
  *p = (cfb_seq_plan){min_rounds, max_rounds, alpha, shape, NAN};
  if (min_rounds < 2 || max_rounds < min_rounds || max_rounds > 2000 || !(alpha > 0) ||
      !(alpha < 0.5) || !(shape >= 0 && shape <= 0.5))
    return CFB_PAIRED_EINVAL;
  double lo = 0.5, hi = 10; /* crossing(c) falls as c grows */
  if (min_rounds == max_rounds) {
    /* One look: the two-sided normal quantile, by the same bisection. */
    for (int i = 0; i < 60; i++) {
      double mid = (lo + hi) / 2;
      if (erfc(mid / sqrt(2.0)) > alpha) lo = mid;
      else hi = mid;
    }
  } else {
    for (int i = 0; i < 30; i++) { /* 9.5 / 2^30: far below what matters */
      double mid = (lo + hi) / 2, x = crossing(p, mid, 0);
      if (isnan(x)) return CFB_PAIRED_ENOMEM;
      if (x > alpha) lo = mid;
      else hi = mid;
    }
  }
  p->c = (lo + hi) / 2;
  return 0;
}

double cfb_seq_alpha(const cfb_seq_plan *p, size_t n) {
  if (n < p->min_rounds) n = p->min_rounds;
  if (n > p->max_rounds) n = p->max_rounds;
  double z = p->c * pow((double)n / (double)p->max_rounds, p->shape - 0.5);
  return erfc(z / sqrt(2.0));
}

/* Above CFB_PAIRED_EXACT_MAX the normal approximation has an interval at
 * any level a plan uses. */
static int look_reachable(const cfb_seq_plan *p, size_t k) {
  return k > CFB_PAIRED_EXACT_MAX || ldexp(2.0, -(int)k) <= cfb_seq_alpha(p, k);
}

size_t cfb_seq_pairs_needed(const cfb_seq_plan *p, size_t n) {
  if (look_reachable(p, n)) return 0;
  size_t k = n + 1;
  while (!look_reachable(p, k)) k++;
  return k;
}

int cfb_paired_look(const cfb_seq_plan *p, const double *a, const double *b, size_t n,
                    const cfb_paired_opts *opts, cfb_paired *out) {
  return cfb_paired_analyze(a, b, n, 1 - cfb_seq_alpha(p, n), opts, out);
}

int cfb_paired_needs_more(const cfb_seq_plan *p, const cfb_paired *r, double target_ci) {
  if (r->n < p->min_rounds) return 1;
  if (r->n >= p->max_rounds) return 0;
  if (r->verdict == CFB_PAIRED_UNDECIDED) return 1;
  return target_ci > 0 && !(r->half_width <= target_ci);
}
