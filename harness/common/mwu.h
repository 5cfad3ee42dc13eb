/* mwu.h -- the Mann-Whitney U test used by `cfbench compare`.
 *
 * Exact null distribution (computed by dynamic programming over the
 * Gaussian binomial coefficients) when both samples are small
 * (<= CFB_MWU_EXACT_MAX) and there are no ties; otherwise the normal
 * approximation with tie correction and continuity correction (the same
 * formulas as scipy.stats.mannwhitneyu, method="asymptotic").  Pure
 * functions, no global state. */
#ifndef CFB_MWU_H
#define CFB_MWU_H

#include <stddef.h>

#define CFB_MWU_EXACT_MAX 20

typedef struct cfb_mwu {
  double u_a;   /* pairs (a_i, b_j) with a_i > b_j, ties counting 1/2 */
  double u_b;   /* na * nb - u_a */
  double p;     /* two-sided p-value, in (0, 1] */
  double z;     /* standardised statistic of the normal approximation (0 if exact) */
  int exact;    /* 1: exact distribution, 0: normal approximation */
  int ties;     /* 1 if any value occurs more than once in the pooled sample */
} cfb_mwu;

/* Test a against b.  Either sample empty: p = 1.  Returns 0, or -1 when
 * out of memory. */
int cfb_mwu_test(const double *a, size_t na, const double *b, size_t nb, cfb_mwu *out);

/* Exact P(U <= u) under the null for sample sizes m, n without ties
 * (m, n <= CFB_MWU_EXACT_MAX); NAN for larger sizes or out of memory. */
double cfb_mwu_exact_cdf(size_t m, size_t n, double u);

/* Exact two-sided p-value of U = u for sizes m, n (no ties). */
double cfb_mwu_exact_p(size_t m, size_t n, double u);

/* The smallest two-sided p-value any data of sizes m, n can give:
 * 2 / C(m+n, m) (capped at 1).  If it exceeds alpha, the test cannot
 * detect anything: compare says "too few samples". */
double cfb_mwu_min_p(size_t m, size_t n);

#endif
