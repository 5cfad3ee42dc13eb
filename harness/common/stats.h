/* stats.h -- descriptive statistics for benchmark samples: median, MAD,
 * quantiles, mean, stddev, a seeded percentile-bootstrap CI of the median,
 * and the Mann-Whitney U test.  Pure functions on arrays of doubles, no
 * global state; the bootstrap takes its own seed so results are
 * reproducible.  Used by the sweep (summary.csv) and by compare. */
#ifndef CFB_STATS_H
#define CFB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* A small, fast, seedable PRNG (splitmix64).  State is the caller's. */
uint64_t cfb_rng_next(uint64_t *state);
/* Uniform integer in [0, n), n > 0 (unbiased). */
uint64_t cfb_rng_below(uint64_t *state, uint64_t n);
/* 64-bit FNV-1a hash of a string, to derive per-configuration seeds. */
uint64_t cfb_hash_str(const char *s, uint64_t seed);

/* Sort ascending in place (NaNs last). */
void cfb_stats_sort(double *x, size_t n);

/* Quantile q in [0,1] of an ascending-sorted array, linear interpolation
 * between closest ranks (R type 7, numpy's default).  NAN if n == 0. */
double cfb_stats_quantile_sorted(const double *sorted, size_t n, double q);

/* The same on unsorted data (works on a private copy; NAN if n == 0 or out
 * of memory). */
double cfb_stats_quantile(const double *x, size_t n, double q);
double cfb_stats_median(const double *x, size_t n);

/* Median absolute deviation from the median, unscaled (no 1.4826 factor).
 * NAN if n == 0. */
double cfb_stats_mad(const double *x, size_t n);

double cfb_stats_mean(const double *x, size_t n);   /* NAN if n == 0 */
/* Sample standard deviation (n - 1 denominator); 0 if n == 1, NAN if 0. */
double cfb_stats_stddev(const double *x, size_t n);

/* Percentile-bootstrap confidence interval of the median: `resamples`
 * resamples with replacement drawn with cfb_rng seeded by `seed`; the
 * interval is the (1-level)/2 and (1+level)/2 quantiles of the resampled
 * medians.  n == 1 gives [x0, x0].  Returns 0, or -1 (n == 0, bad level,
 * out of memory) with *lo = *hi = NAN. */
int cfb_stats_bootstrap_median_ci(const double *x, size_t n, double level, size_t resamples,
                                 uint64_t seed, double *lo, double *hi);

#define CFB_STATS_BOOTSTRAP_RESAMPLES 2000

/* Everything summary.csv reports about one sample. */
typedef struct cfb_summary {
  size_t n;
  double median, mad, mean, stddev, ci_lo, ci_hi, min, max;
} cfb_summary;

/* Fill `s` for x[0..n) (95% bootstrap CI with `seed`).  With n == 0 every
 * value is NAN and n is 0.  Returns 0 or -1 (out of memory). */
int cfb_stats_summarize(const double *x, size_t n, uint64_t seed, cfb_summary *s);

/* The Mann-Whitney U test lives in mwu.h (exact and normal approximation). */

#endif
