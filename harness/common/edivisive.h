/* edivisive.h -- change points in a series by E-divisive means
 * (Matteson & James, "A Nonparametric Approach for Multiple Change Point
 * Analysis of Multivariate Data", JASA 2014), the method MongoDB's CI and
 * Hunter use on performance histories.  Pure computation: no I/O, no
 * global state; the permutation test draws from a PRNG seeded by the
 * caller, so the same series and seed give the same answer.
 *
 * Bisection: the best split of every current segment is scored by the
 * energy statistic Q (alpha = 1: absolute differences); the best split over
 * all segments is kept when a permutation test (observations shuffled
 * within each segment, the maximum Q recomputed) gives
 * p = (#{Q_perm >= Q} + 1) / (permutations + 1) <= alpha; then the search
 * repeats on the refined segments.  Under no change p is uniform on
 * {1, 2, ..., R+1} / (R+1), so the false-positive rate per series is at
 * most alpha (exactly floor(alpha (R+1)) / (R+1) for continuous data).
 * With n points split m / n-m no permutation test can go below about
 * 1 / C(n, m): short series need a looser alpha. */
#ifndef CFB_COMMON_EDIVISIVE_H
#define CFB_COMMON_EDIVISIVE_H

#include <stddef.h>
#include <stdint.h>

/* Defaults (cfb_ed_defaults): 999 permutations and alpha 0.005 give a
 * false-positive rate of 0.5% per series (5 / 1000).  999 rather than 199:
 * with 199 the test must see no exceedance at all, and loses power on
 * steps whose true p is a little under alpha (docs/history.md). */
#define CFB_ED_ALPHA 0.005
#define CFB_ED_PERMUTATIONS 999
#define CFB_ED_MIN_SIZE 3

typedef struct cfb_ed_opts {
  double alpha;        /* significance level of the permutation test, (0, 1) */
  size_t permutations; /* R >= 1 */
  size_t min_size;     /* fewest points on each side of a change, >= 2 */
  size_t max_changes;  /* stop after this many (0 = no limit) */
  uint64_t seed;       /* PRNG seed of the permutations */
} cfb_ed_opts;

/* One change point: x[index] is the first point after the change. */
typedef struct cfb_ed_change {
  size_t index;
  double q;        /* the energy statistic of the split */
  double p;        /* permutation p-value when it was accepted */
  double median_before, median_after; /* of the adjacent segments in the final split */
} cfb_ed_change;

/* alpha CFB_ED_ALPHA, CFB_ED_PERMUTATIONS, CFB_ED_MIN_SIZE, no limit, seed 1. */
void cfb_ed_defaults(cfb_ed_opts *o);

/* Find the change points of x[0..n) (finite values).  Writes up to `cap`
 * changes to out in ascending index order and their count to *nout.
 * Returns 0, or -1 (bad options, non-finite data: errno EINVAL; out of
 * memory: ENOMEM). */
int cfb_edivisive(const double *x, size_t n, const cfb_ed_opts *o, cfb_ed_change *out,
                  size_t cap, size_t *nout);

/* The best split of y[0..n) with at least min_size points each side:
 * returns Q (or -1 if n < 2 min_size) and the split index in *tau.
 * Exposed for the tests; O(n^2). */
double cfb_ed_best_split(const double *y, size_t n, size_t min_size, size_t *tau);

#endif
