/* stats.c -- the statistics of stats.h.  Everything is deterministic:
 * sorting is total (NaNs last) and the bootstrap uses its own seeded
 * generator. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t cfb_rng_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t cfb_rng_below(uint64_t *state, uint64_t n) {
  /* Rejection sampling: drop the top partial bucket. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do r = cfb_rng_next(state);
  while (r >= limit);
  return r % n;
}

uint64_t cfb_hash_str(const char *s, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ull;
  }
  return h;
}

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  if (isnan(a)) return isnan(b) ? 0 : 1;
  if (isnan(b)) return -1;
  return (a > b) - (a < b);
}

void cfb_stats_sort(double *x, size_t n) {
  if (n > 1) qsort(x, n, sizeof *x, cmp_double);
}

double cfb_stats_quantile_sorted(const double *s, size_t n, double q) {
  if (n == 0 || isnan(q)) return NAN;
  if (q <= 0) return s[0];
  if (q >= 1) return s[n - 1];
  double h = (double)(n - 1) * q;
  size_t lo = (size_t)floor(h);
  double frac = h - (double)lo;
  if (lo + 1 >= n) return s[n - 1];
  return s[lo] + frac * (s[lo + 1] - s[lo]);
}

static double *sorted_copy(const double *x, size_t n) {
  double *c = malloc(n * sizeof *c);
  if (!c) return NULL;
  memcpy(c, x, n * sizeof *c);
  cfb_stats_sort(c, n);
  return c;
}

double cfb_stats_quantile(const double *x, size_t n, double q) {
  if (n == 0) return NAN;
  double *c = sorted_copy(x, n);
  if (!c) return NAN;
  double v = cfb_stats_quantile_sorted(c, n, q);
  free(c);
  return v;
}

double cfb_stats_median(const double *x, size_t n) { return cfb_stats_quantile(x, n, 0.5); }

double cfb_stats_mad(const double *x, size_t n) {
  if (n == 0) return NAN;
  double *c = sorted_copy(x, n);
  if (!c) return NAN;
  double med = cfb_stats_quantile_sorted(c, n, 0.5);
  for (size_t i = 0; i < n; i++) c[i] = fabs(c[i] - med);
  cfb_stats_sort(c, n);
  double mad = cfb_stats_quantile_sorted(c, n, 0.5);
  free(c);
  return mad;
}

double cfb_stats_mean(const double *x, size_t n) {
  if (n == 0) return NAN;
  double s = 0;
  for (size_t i = 0; i < n; i++) s += x[i];
  return s / (double)n;
}

double cfb_stats_stddev(const double *x, size_t n) {
  if (n == 0) return NAN;
  if (n == 1) return 0;
  double m = cfb_stats_mean(x, n), ss = 0;
  for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  return sqrt(ss / (double)(n - 1));
}

int cfb_stats_bootstrap_median_ci(const double *x, size_t n, double level, size_t resamples,
                                 uint64_t seed, double *lo, double *hi) {
  *lo = *hi = NAN;
  if (n == 0 || !(level > 0 && level < 1) || resamples == 0) return -1;
  if (n == 1) {
    *lo = *hi = x[0];
    return 0;
  }
  double *meds = malloc(resamples * sizeof *meds);
  double *rs = malloc(n * sizeof *rs);
  if (!meds || !rs) {
    free(meds);
    free(rs);
    return -1;
  }
  uint64_t st = seed;
  for (size_t b = 0; b < resamples; b++) {
    for (size_t i = 0; i < n; i++) rs[i] = x[cfb_rng_below(&st, n)];
    cfb_stats_sort(rs, n);
    meds[b] = cfb_stats_quantile_sorted(rs, n, 0.5);
  }
  cfb_stats_sort(meds, resamples);
  *lo = cfb_stats_quantile_sorted(meds, resamples, (1 - level) / 2);
  *hi = cfb_stats_quantile_sorted(meds, resamples, (1 + level) / 2);
  free(meds);
  free(rs);
  return 0;
}

int cfb_stats_summarize(const double *x, size_t n, uint64_t seed, cfb_summary *s) {
  s->n = n;
  s->median = s->mad = s->mean = s->stddev = s->ci_lo = s->ci_hi = s->min = s->max = NAN;
  if (n == 0) return 0;
  double *c = sorted_copy(x, n);
  if (!c) return -1;
  s->min = c[0];
  s->max = c[n - 1];
  s->median = cfb_stats_quantile_sorted(c, n, 0.5);
  free(c);
  s->mad = cfb_stats_mad(x, n);
  s->mean = cfb_stats_mean(x, n);
  s->stddev = cfb_stats_stddev(x, n);
  if (isnan(s->mad)) return -1;
  return cfb_stats_bootstrap_median_ci(x, n, 0.95, CFB_STATS_BOOTSTRAP_RESAMPLES, seed, &s->ci_lo,
                                      &s->ci_hi);
}

