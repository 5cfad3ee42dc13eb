/* mwu.c -- the Mann-Whitney U test of mwu.h: ranks with ties averaged,
 * exact null distribution for small tie-free samples, normal approximation
 * with tie and continuity correction otherwise. */
#include "mwu.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  double v;
  int group; /* 0 = a, 1 = b */
} ranked;

static int cmp_ranked(const void *pa, const void *pb) {
  double a = ((const ranked *)pa)->v, b = ((const ranked *)pb)->v;
  return (a > b) - (a < b);
}

/* Number of arrangements giving each U = 0..m*n for sizes m, n: the
 * coefficients of the Gaussian binomial [m+n choose m]_q, built as
 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).  After each step the
 * polynomial is [n+i choose i]_q, whose coefficients are non-negative
 * integers below C(40,20) ~ 1.4e11, exact in doubles.  Caller frees. */
static double *exact_counts(size_t m, size_t n) {
  size_t len = m * n + m + 1; /* room for the degree before each division */
  double *c = calloc(len, sizeof *c);
  if (!c) return NULL;
  c[0] = 1;
  for (size_t i = 1; i <= m; i++) {
    size_t up = n + i, top = (i - 1) * n + up; /* degree after the product */
    for (size_t x = top; x >= up; x--) {       /* multiply by (1 - q^up) */
      c[x] -= c[x - up];
      if (x == up) break;
    }
    for (size_t x = i; x <= top; x++) c[x] += c[x - i]; /* divide by (1 - q^i) */
  }
  return c;
}

double cfb_mwu_exact_cdf(size_t m, size_t n, double u) {
  if (m > CFB_MWU_EXACT_MAX || n > CFB_MWU_EXACT_MAX || isnan(u)) return NAN;
  if (m == 0 || n == 0) return 1;
  if (u < 0) return 0;
  double *c = exact_counts(m, n);
  if (!c) return NAN;
  double total = 0, below = 0;
  for (size_t x = 0; x <= m * n; x++) {
    total += c[x];
    if ((double)x <= u + 1e-9) below += c[x];
  }
  free(c);
  return below / total;
}

double cfb_mwu_exact_p(size_t m, size_t n, double u) {
  /* By symmetry of the null distribution, P(U >= u) = P(U <= mn - u). */
  double lo = cfb_mwu_exact_cdf(m, n, u);
  double hi = cfb_mwu_exact_cdf(m, n, (double)(m * n) - u);
  if (isnan(lo) || isnan(hi)) return NAN;
  double p = 2 * (lo < hi ? lo : hi);
  return p > 1 ? 1 : p;
}

double cfb_mwu_min_p(size_t m, size_t n) {
  if (m == 0 || n == 0) return 1;
  double comb = 1; /* C(m+n, m), computed incrementally */
  for (size_t i = 1; i <= m; i++) comb = comb * (double)(n + i) / (double)i;
  double p = 2 / comb;
  return p > 1 ? 1 : p;
}

int cfb_mwu_test(const double *a, size_t na, const double *b, size_t nb, cfb_mwu *out) {
  *out = (cfb_mwu){.u_a = NAN, .u_b = NAN, .p = 1, .z = 0, .exact = 0, .ties = 0};
  if (na == 0 || nb == 0) return 0;
  size_t n = na + nb;
  ranked *r = malloc(n * sizeof *r);
  if (!r) return -1;
  for (size_t i = 0; i < na; i++) r[i] = (ranked){a[i], 0};
  for (size_t i = 0; i < nb; i++) r[na + i] = (ranked){b[i], 1};
  qsort(r, n, sizeof *r, cmp_ranked);
  double rank_sum_a = 0, tie_term = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && r[j].v == r[i].v) j++;
    double t = (double)(j - i), avg = ((double)i + 1 + (double)j) / 2.0; /* ranks i+1..j */
    for (size_t k = i; k < j; k++)
      if (r[k].group == 0) rank_sum_a += avg;
    if (j - i > 1) out->ties = 1;
    tie_term += t * t * t - t;
    i = j;
  }
  free(r);
  double dna = (double)na, dnb = (double)nb, dn = (double)n;
  out->u_a = rank_sum_a - dna * (dna + 1) / 2;
  out->u_b = dna * dnb - out->u_a;
  if (!out->ties && na <= CFB_MWU_EXACT_MAX && nb <= CFB_MWU_EXACT_MAX) {
    double p = cfb_mwu_exact_p(na, nb, out->u_a);
    if (isnan(p)) return -1;
    out->p = p;
    out->exact = 1;
    return 0;
  }
  double mu = dna * dnb / 2;
  double var = dna * dnb / 12.0 * ((dn + 1) - tie_term / (dn * (dn - 1)));
  if (var <= 0) return 0; /* every value tied: no evidence either way */
  double z = (fabs(out->u_a - mu) - 0.5) / sqrt(var);
  if (z < 0) z = 0;
  out->z = out->u_a >= mu ? z : -z;
  out->p = erfc(z / sqrt(2.0));
  if (out->p > 1) out->p = 1;
  return 0;
}
