/* paired.c -- the interval of a paired ratio and the who-wins verdict of
 * paired.h: log ratios, the Wilcoxon signed-rank / Hodges-Lehmann
 * interval (exact null distribution), the sign-test interval of the
 * median, the percentile bootstrap, and the verdict rule. */
#include "paired.h"

#include <math.h>
#include <stdlib.h>

#include "stats.h"

const char *cfb_paired_verdict_name(cfb_paired_verdict v) {
  switch (v) {
  case CFB_PAIRED_A: return "a";
  case CFB_PAIRED_B: return "b";
  case CFB_PAIRED_EQUIVALENT: return "equivalent";
  default: return "undecided";
  }
}

/* The upper normal quantile: z with P(Z > z) = p, p in (0, 0.5], by
 * bisection on erfc (60 halvings of [0, 40] is exact to a double). */
static double upper_z(double p) {
  double lo = 0, hi = 40;
  for (int i = 0; i < 60; i++) {
    double mid = (lo + hi) / 2;
    if (0.5 * erfc(mid / sqrt(2.0)) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/* P(T+ = t), t <= top, for the signed-rank statistic T+ of n untied pairs
 * (calloc'd; NULL when out of memory), by dynamic programming: adding
 * rank i, P_i(t) = (P_{i-1}(t) + P_{i-1}(t - i)) / 2, downwards in t so
 * P_{i-1}(t - i) is still the old value. */
static double *signed_rank_pmf(size_t n, size_t top) {
  double *p = calloc(top + 1, sizeof *p);
  if (!p) return NULL;
  p[0] = 1;
  for (size_t i = 1; i <= n; i++)
    for (size_t t = top; ; t--) {
      p[t] = (p[t] + (t >= i ? p[t - i] : 0)) / 2;
      if (t == 0) break;
    }
  return p;
}

static double signed_rank_sd(size_t n) {
  return sqrt((double)n * (double)(n + 1) * (double)(2 * n + 1) / 24);
}

/* Largest k with P(T+ <= k - 1) <= tail for the signed-rank statistic T+
 * of n untied pairs (0: no interval reaches the level).  Exact over
 * t <= n(n+1)/4 (the lower half is all a lower tail needs) for n <=
 * CFB_PAIRED_EXACT_MAX; normal with continuity correction above.  -1 when
 * out of memory. */
static long signed_rank_k(size_t n, double tail) {
  double m = (double)n * (double)(n + 1) / 2;
  if (n > CFB_PAIRED_EXACT_MAX) {
    double k = floor(m / 2 + 0.5 - upper_z(tail) * signed_rank_sd(n));
    return k < 0 ? 0 : (long)k;
  }
  size_t top = (size_t)(m / 2);
  double *p = signed_rank_pmf(n, top);
  if (!p) return -1;
  long k = 0;
  double cdf = 0;
  for (size_t t = 0; t <= top; t++) { /* cdf = P(T+ <= t) */
    cdf += p[t];
    if (cdf > tail) break;
    k = (long)t + 1;
  }
  free(p);
  return k;
}

/* Two-sided p of the smaller signed-rank sum t (2 P(T+ <= t), at most 1). */
static double signed_rank_p(size_t n, double t) {
  double m = (double)n * (double)(n + 1) / 2;
  if (n > CFB_PAIRED_EXACT_MAX) {
    double z = (t + 0.5 - m / 2) / signed_rank_sd(n);
    double p = erfc(-z / sqrt(2.0)); /* 2 Phi(z) */
    return p < 1 ? p : 1;
  }
  size_t top = (size_t)floor(t);
  double *pmf = signed_rank_pmf(n, top);
  if (!pmf) return NAN;
  double cdf = 0;
  for (size_t k = 0; k <= top; k++) cdf += pmf[k];
  free(pmf);
  return 2 * cdf < 1 ? 2 * cdf : 1;
}

/* Largest k with P(B <= k - 1) <= tail, B ~ Binomial(n, 1/2). */
static long sign_k(size_t n, double tail) {
  long k = 0;
  double cdf = 0, ln2n = (double)n * log(2.0);
  for (size_t j = 0; j <= n / 2; j++) {
    cdf += exp(lgamma((double)n + 1) - lgamma((double)j + 1) - lgamma((double)(n - j) + 1) - ln2n);
    if (cdf > tail) break;
    k = (long)j + 1;
  }
  return k;
}

/* Hodges-Lehmann estimate and signed-rank interval: the median and the
 * k-th smallest / largest of the n(n+1)/2 Walsh averages (d_i + d_j)/2,
 * i <= j (Hollander & Wolfe, ch. 3). */
static int wilcoxon_ci(const double *d, size_t n, double level, double *est, double *lo,
                       double *hi) {
  size_t m = n * (n + 1) / 2, w = 0;
  double *walsh = malloc(m * sizeof *walsh);
  if (!walsh) return CFB_PAIRED_ENOMEM;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i; j < n; j++) walsh[w++] = (d[i] + d[j]) / 2;
  cfb_stats_sort(walsh, m);
  *est = cfb_stats_quantile_sorted(walsh, m, 0.5);
  long k = signed_rank_k(n, (1 - level) / 2);
  if (k < 0) {
    free(walsh);
    return CFB_PAIRED_ENOMEM;
  }
  int ok = k >= 1;
  if (!ok) k = 1;
  *lo = walsh[k - 1];
  *hi = walsh[m - (size_t)k];
  free(walsh);
  return ok;
}

/* Sign-test interval: order statistics d_(k), d_(n+1-k) of the sorted
 * log ratios; covers the median for any continuous distribution. */
static int sign_ci(const double *d, size_t n, double level, double *est, double *lo, double *hi) {
  double *s = malloc(n * sizeof *s);
  if (!s) return CFB_PAIRED_ENOMEM;
  for (size_t i = 0; i < n; i++) s[i] = d[i];
  cfb_stats_sort(s, n);
  *est = cfb_stats_quantile_sorted(s, n, 0.5);
  long k = sign_k(n, (1 - level) / 2);
  int ok = k >= 1;
  if (!ok) k = 1;
  *lo = s[k - 1];
  *hi = s[n - (size_t)k];
  free(s);
  return ok;
}

int cfb_paired_log_ci(const double *d, size_t n, double level, const cfb_paired_opts *opts,
                      double *est, double *lo, double *hi) {
  *est = *lo = *hi = NAN;
  if (n == 0 || !(level > 0 && level < 1)) return CFB_PAIRED_EINVAL;
  cfb_paired_method m = opts ? opts->method : CFB_PAIRED_WILCOXON;
  switch (m) {
  case CFB_PAIRED_WILCOXON: return wilcoxon_ci(d, n, level, est, lo, hi);
  case CFB_PAIRED_SIGN: return sign_ci(d, n, level, est, lo, hi);
  case CFB_PAIRED_BOOTSTRAP: {
    size_t b = opts->resamples ? opts->resamples : CFB_STATS_BOOTSTRAP_RESAMPLES;
    *est = cfb_stats_median(d, n);
    if (cfb_stats_bootstrap_median_ci(d, n, level, b, opts->seed, lo, hi) != 0)
      return CFB_PAIRED_ENOMEM;
    /* a percentile interval needs enough resamples in each tail */
    return (1 - level) / 2 * (double)b >= 5 && n >= 2;
  }
  }
  return CFB_PAIRED_EINVAL;
}

cfb_paired_verdict cfb_paired_decide(double lo, double hi, double margin) {
  if (!(lo <= hi) || isnan(lo)) return CFB_PAIRED_UNDECIDED;
  /* Equivalence first: a CI inside +-margin says "either will do", which is
   * what someone choosing a backend needs, even when it also excludes 1. */
  if (lo > 1 / (1 + margin) && hi < 1 + margin) return CFB_PAIRED_EQUIVALENT;
  if (lo > 1) return CFB_PAIRED_A;
  if (hi < 1) return CFB_PAIRED_B;
  return CFB_PAIRED_UNDECIDED;
}

/* Log ratios of the usable pairs into d (n slots); returns how many. */
static size_t log_ratios(const double *a, const double *b, size_t n, double *d) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(a[i]) && isfinite(b[i]) && a[i] > 0 && b[i] > 0) d[k++] = log(a[i] / b[i]);
  return k;
}

int cfb_paired_analyze(const double *a, const double *b, size_t n, double level,
                       const cfb_paired_opts *opts, cfb_paired *out) {
  *out = (cfb_paired){.ratio = NAN, .ci_lo = NAN, .ci_hi = NAN, .level = level,
                      .half_width = NAN, .verdict = CFB_PAIRED_UNDECIDED};
  if (!(level > 0 && level < 1)) return CFB_PAIRED_EINVAL;
  if (opts && (opts->margin < 0 || (unsigned)opts->method > CFB_PAIRED_BOOTSTRAP))
    return CFB_PAIRED_EINVAL;
  double margin = opts && opts->margin > 0 ? opts->margin : CFB_PAIRED_MARGIN;
  double *d = malloc((n ? n : 1) * sizeof *d);
  if (!d) return CFB_PAIRED_ENOMEM;
  out->n = log_ratios(a, b, n, d);
  if (out->n < 2) {
    free(d);
    return 0;
  }
  double est, lo, hi;
  int rc = cfb_paired_log_ci(d, out->n, level, opts, &est, &lo, &hi);
  free(d);
  if (rc < 0) return rc;
  out->achievable = rc;
  out->ratio = exp(est);
  out->ci_lo = exp(lo);
  out->ci_hi = exp(hi);
  out->half_width = expm1((hi - lo) / 2);
  if (out->achievable) out->verdict = cfb_paired_decide(out->ci_lo, out->ci_hi, margin);
  return 0;
}

/* The smaller signed-rank sum counted as the interval counts it: the
 * number of Walsh averages below 0 (or above; a zero counts half), which
 * for untied data is T- (T+).  So p <= 1 - level exactly when the
 * interval at `level` excludes 1 (Hollander & Wolfe's inversion). */
double cfb_paired_p(const double *a, const double *b, size_t n) {
  double *d = malloc((n ? n : 1) * sizeof *d);
  if (!d) return NAN;
  size_t k = log_ratios(a, b, n, d);
  double below = 0, above = 0;
  for (size_t i = 0; i < k; i++)
    for (size_t j = i; j < k; j++) {
      double w = d[i] + d[j];
      if (w < 0) below += 1;
      else if (w > 0) above += 1;
      else below += 0.5, above += 0.5;
    }
  free(d);
  if (k < 2) return NAN;
  return signed_rank_p(k, below < above ? below : above);
}
