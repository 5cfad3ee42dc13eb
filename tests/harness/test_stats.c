/* test_stats.c -- the statistics of harness/common/stats.h against values worked
 * out by hand (and numpy/scipy conventions): quantiles (type 7), median,
 * unscaled MAD, sample stddev, the seeded bootstrap CI, Mann-Whitney U. */
#include <math.h>

#include "stats.h"
#include "task.h"

static void test_median_quantiles(void) {
  double x[] = {100, 3, 1, 4, 2};
  CHECK_NEAR(cfb_stats_median(x, 5), 3, 0);
  CHECK_NEAR(cfb_stats_quantile(x, 5, 0.9), 61.6, 1e-12);
  CHECK_NEAR(cfb_stats_quantile(x, 5, 0.0), 1, 0);
  CHECK_NEAR(cfb_stats_quantile(x, 5, 1.0), 100, 0);
  CHECK_NEAR(cfb_stats_quantile(x, 5, 0.25), 2, 0);
  double e[] = {4, 1, 3, 2};
  CHECK_NEAR(cfb_stats_median(e, 4), 2.5, 0);
  CHECK(isnan(cfb_stats_median(e, 0)));
  double one = 7;
  CHECK_NEAR(cfb_stats_median(&one, 1), 7, 0);
  /* input untouched */
  CHECK(x[0] == 100 && x[4] == 2);
}

static void test_mad_mean_stddev(void) {
  double x[] = {1, 2, 3, 4, 100};
  CHECK_NEAR(cfb_stats_mad(x, 5), 1, 0);
  double e[] = {1, 2, 3, 4};
  CHECK_NEAR(cfb_stats_mad(e, 4), 1, 0);
  CHECK_NEAR(cfb_stats_mean(x, 5), 22, 1e-12);
  CHECK_NEAR(cfb_stats_stddev(x, 5), sqrt(1902.5), 1e-9);
  CHECK_NEAR(cfb_stats_stddev(x, 1), 0, 0);
  CHECK(isnan(cfb_stats_mad(x, 0)) && isnan(cfb_stats_mean(x, 0)) && isnan(cfb_stats_stddev(x, 0)));
}

static void test_bootstrap(void) {
  double x[] = {10, 12, 11, 13, 9, 30, 11.5, 10.5};
  double lo1, hi1, lo2, hi2, lo3, hi3;
  CHECK_EQ(cfb_stats_bootstrap_median_ci(x, 8, 0.95, 2000, 42, &lo1, &hi1), 0);
  CHECK_EQ(cfb_stats_bootstrap_median_ci(x, 8, 0.95, 2000, 42, &lo2, &hi2), 0);
  CHECK(lo1 == lo2 && hi1 == hi2); /* reproducible with the seed */
  double med = cfb_stats_median(x, 8);
  CHECK(lo1 <= med && med <= hi1);
  CHECK(lo1 >= 9 && hi1 <= 30);
  CHECK(lo1 < hi1);
  /* a wider level never gives a narrower interval */
  CHECK_EQ(cfb_stats_bootstrap_median_ci(x, 8, 0.5, 2000, 42, &lo3, &hi3), 0);
  CHECK(lo3 >= lo1 && hi3 <= hi1);
  /* constant sample: degenerate interval */
  double c[] = {5, 5, 5, 5};
  CHECK_EQ(cfb_stats_bootstrap_median_ci(c, 4, 0.95, 500, 1, &lo1, &hi1), 0);
  CHECK(lo1 == 5 && hi1 == 5);
  CHECK_EQ(cfb_stats_bootstrap_median_ci(x, 1, 0.95, 500, 1, &lo1, &hi1), 0);
  CHECK(lo1 == 10 && hi1 == 10);
  CHECK_EQ(cfb_stats_bootstrap_median_ci(x, 0, 0.95, 500, 1, &lo1, &hi1), -1);
  CHECK(isnan(lo1) && isnan(hi1));
  CHECK_EQ(cfb_stats_bootstrap_median_ci(x, 8, 1.5, 500, 1, &lo1, &hi1), -1);
}

static void test_summarize(void) {
  double x[] = {3, 1, 2};
  cfb_summary s;
  CHECK_EQ(cfb_stats_summarize(x, 3, 7, &s), 0);
  CHECK_EQ(s.n, 3);
  CHECK_NEAR(s.median, 2, 0);
  CHECK_NEAR(s.mad, 1, 0);
  CHECK_NEAR(s.mean, 2, 1e-12);
  CHECK_NEAR(s.stddev, 1, 1e-12);
  CHECK_NEAR(s.min, 1, 0);
  CHECK_NEAR(s.max, 3, 0);
  CHECK(s.ci_lo >= 1 && s.ci_hi <= 3 && s.ci_lo <= 2 && s.ci_hi >= 2);
  CHECK_EQ(cfb_stats_summarize(x, 0, 7, &s), 0);
  CHECK(s.n == 0 && isnan(s.median) && isnan(s.ci_lo));
}


static void test_rng(void) {
  uint64_t s1 = 5, s2 = 5;
  for (int i = 0; i < 100; i++) CHECK(cfb_rng_next(&s1) == cfb_rng_next(&s2));
  for (int i = 0; i < 1000; i++) CHECK(cfb_rng_below(&s1, 7) < 7);
  CHECK(cfb_hash_str("abc", 1) == cfb_hash_str("abc", 1));
  CHECK(cfb_hash_str("abc", 1) != cfb_hash_str("abd", 1));
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"median_quantiles", test_median_quantiles},
                                    {"mad_mean_stddev", test_mad_mean_stddev},
                                    {"bootstrap", test_bootstrap},
                                    {"summarize", test_summarize},
                                    {"rng", test_rng},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
