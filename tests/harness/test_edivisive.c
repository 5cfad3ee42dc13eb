/* test_edivisive.c -- E-divisive means (harness/common/edivisive.h): the
 * split statistic against a hand-worked value and a brute-force sum, exact
 * recovery of clean steps, bad options, and the statistical sweep the
 * history gate relies on: 5% steps in 2% Gaussian noise are found within
 * +-1 point in >= 90% of 40-point series, and series without a step give
 * <= 1% false positives.  The sweep is seeded (same figures every run);
 * its size is $CFB_ED_TRIALS series of each kind (default 1000; the ASan
 * build runs 300, see tests/harness/history_tests.cmake). */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "edivisive.h"
#include "stats.h"
#include "task.h"

/* Q by the definition, O(n^2) per split. */
static double brute_q(const double *y, size_t n, size_t t) {
  double b = 0, wl = 0, wr = 0, m = (double)t, k = (double)(n - t);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) {
      double d = fabs(y[i] - y[j]);
      if (j < t) wl += d;
      else if (i >= t) wr += d;
      else b += d;
    }
  return m * k / (m + k) * (2 * b / (m * k) - wl / (m * (m - 1) / 2) - wr / (k * (k - 1) / 2));
}

static void test_split_statistic(void) {
  double y[] = {0, 0, 10, 10};
  size_t tau = 0;
  /* m = k = 2, B = 4 x 10, W = 0: Q = (4/4) x 2 x 40 / 4 = 20. */
  CHECK(fabs(cfb_ed_best_split(y, 4, 2, &tau) - 20) < 1e-12);
  CHECK_EQ(tau, 2);
  CHECK(cfb_ed_best_split(y, 3, 2, &tau) < 0); /* too short */
  uint64_t rng = 7;
  double r[23];
  for (size_t i = 0; i < 23; i++) r[i] = (double)cfb_rng_below(&rng, 1000) / 7.0;
  double best = -1;
  size_t bt = 0;
  for (size_t t = 3; t + 3 <= 23; t++) {
    double q = brute_q(r, 23, t);
    if (q > best) best = q, bt = t;
  }
  CHECK(fabs(cfb_ed_best_split(r, 23, 3, &tau) - best) < 1e-9 * best);
  CHECK_EQ(tau, bt);
}

static void test_clean_steps(void) {
  double x[30];
  for (size_t i = 0; i < 30; i++) x[i] = i < 10 ? 100 : i < 20 ? 80 : 120;
  x[3] += 0.5, x[14] -= 0.5, x[25] += 0.25; /* not all ties */
  cfb_ed_opts o;
  cfb_ed_defaults(&o);
  cfb_ed_change ch[8];
  size_t n = 0;
  CHECK_EQ(cfb_edivisive(x, 30, &o, ch, 8, &n), 0);
  CHECK_EQ(n, 2);
  CHECK_EQ(ch[0].index, 10);
  CHECK_EQ(ch[1].index, 20);
  CHECK(ch[0].median_before == 100 && ch[0].median_after == 80);
  CHECK(ch[1].median_before == 80 && ch[1].median_after == 120);
  CHECK(ch[0].p <= o.alpha && ch[0].q > 0);
  /* max_changes and cap bound the answer */
  o.max_changes = 1;
  CHECK_EQ(cfb_edivisive(x, 30, &o, ch, 8, &n), 0);
  CHECK_EQ(n, 1);
  /* a flat series has no change, and a short one is left alone */
  double flat[12] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
  CHECK_EQ(cfb_edivisive(flat, 12, &o, ch, 8, &n), 0);
  CHECK_EQ(n, 0);
  CHECK_EQ(cfb_edivisive(x, 5, &o, ch, 8, &n), 0);
  CHECK_EQ(n, 0);
}

static void test_bad_options(void) {
  double x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  cfb_ed_opts o;
  cfb_ed_change ch[2];
  size_t n;
  cfb_ed_defaults(&o);
  o.alpha = 0;
  errno = 0;
  CHECK_EQ(cfb_edivisive(x, 8, &o, ch, 2, &n), -1);
  CHECK_EQ(errno, EINVAL);
  cfb_ed_defaults(&o);
  o.min_size = 1;
  CHECK_EQ(cfb_edivisive(x, 8, &o, ch, 2, &n), -1);
  cfb_ed_defaults(&o);
  x[4] = NAN;
  CHECK_EQ(cfb_edivisive(x, 8, &o, ch, 2, &n), -1);
  CHECK_EQ(errno, EINVAL);
}

/* Standard normal by Box-Muller from the seeded PRNG. */
static double gauss(uint64_t *rng) {
  double u = ((double)(cfb_rng_next(rng) >> 11) + 0.5) / 9007199254740992.0;
  double v = ((double)(cfb_rng_next(rng) >> 11) + 0.5) / 9007199254740992.0;
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static size_t trials(void) {
  const char *e = getenv("CFB_ED_TRIALS");
  long v = e ? strtol(e, NULL, 10) : 0;
  return v > 0 ? (size_t)v : 1000;
}

#define LEN 40

/* Changes of x[0..LEN) with the defaults and permutation seed `seed`. */
static size_t detect(const double *x, uint64_t seed, cfb_ed_change ch[16]) {
  cfb_ed_opts o;
  cfb_ed_defaults(&o);
  o.seed = seed;
  size_t n = 0;
  CHECK_EQ(cfb_edivisive(x, LEN, &o, ch, 16, &n), 0);
  return n;
}

/* 5% steps (up or down) at a uniform position in [5, 35) with 2% noise. */
static void test_sweep_steps(void) {
  size_t nt = trials(), hit = 0, near = 0;
  uint64_t rng = 2014;
  for (size_t t = 0; t < nt; t++) {
    double x[LEN];
    size_t at = 5 + (size_t)cfb_rng_below(&rng, LEN - 10);
    double step = cfb_rng_below(&rng, 2) ? 1.05 : 0.95;
    for (size_t i = 0; i < LEN; i++) x[i] = 100 * (i < at ? 1 : step) * (1 + 0.02 * gauss(&rng));
    cfb_ed_change ch[16];
    size_t n = detect(x, t + 1, ch);
    int found = 0;
    for (size_t i = 0; i < n; i++)
      if (ch[i].index + 1 >= at && ch[i].index <= at + 1) found = 1;
    hit += n > 0;
    near += found;
  }
  fprintf(stderr, "5%% steps in 2%% noise, %d points: some change in %zu of %zu, within +-1 in %zu (%.1f%%)\n",
          LEN, hit, nt, near, 100.0 * (double)near / (double)nt);
  CHECK_GE(near * 10, nt * 9);
}

static void test_sweep_null(void) {
  size_t nt = trials(), fp = 0;
  uint64_t rng = 1975;
  for (size_t t = 0; t < nt; t++) {
    double x[LEN];
    for (size_t i = 0; i < LEN; i++) x[i] = 100 * (1 + 0.02 * gauss(&rng));
    cfb_ed_change ch[16];
    fp += detect(x, t + 1, ch) > 0;
  }
  fprintf(stderr, "no step, 2%% noise, %d points: false positives in %zu of %zu (%.2f%%)\n", LEN,
          fp, nt, 100.0 * (double)fp / (double)nt);
  CHECK_LE(fp * 100, nt);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"split_statistic", test_split_statistic},
                                    {"clean_steps", test_clean_steps},
                                    {"bad_options", test_bad_options},
                                    {"sweep_steps", test_sweep_steps},
                                    {"sweep_null", test_sweep_null},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
