/* test_sleep.c -- the sleep workload through a thread executor: every
 * item slept at least its delay and not absurdly longer, overshoot metrics
 * exist, the ideal rate is workers / delay, a forged short sleep fails. */
#include "wk_test.h"

static void t_run(void) {
  const char *kv[] = {"delay=20ms"};
  cf_wk_run *r = wk_prep("sleep", kv, 1, 12);
  wk_outcome o;
  wk_run(r, 4, &o, NULL, 0);
  CHECK_EQ(o.ok, 12);
  double p50 = wk_metric(r, "overshoot_p50_us"), p99 = wk_metric(r, "overshoot_p99_us");
  CHECK(p50 >= 0 && p50 <= p99);
  /* Only a bound against hangs: a loaded CI machine (load 18 seen) delays
   * wake-ups by hundreds of ms, so overshoot itself is not asserted tightly. */
  CHECK(p99 < 5e6);
  CHECK(o.seconds >= 3 * 0.020); /* 12 items on 4 workers: at least 3 rounds */
  CHECK(fabs(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_THREAD) - 200.0) < 1e-9);
  cf_wk_reset_metrics(r);
  cf_wk_metric m[4];
  CHECK_EQ(cf_wk_metrics(r, m, 4), 0);
  /* a result claiming a shorter sleep than the delay fails the check */
  uint64_t forged[2] = {20000000, 19000000};
  char err[256];
  CHECK_EQ(cf_wk_check(r, 0, forged, sizeof forged, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "less than the delay");
  CHECK_EQ(cf_wk_check(r, 0, forged, 3, err, sizeof err), CF_EINVAL);
  CHECK_EQ(cf_wk_check(r, 99, forged, sizeof forged, err, sizeof err), CF_EINVAL);
  cf_wk_teardown(r);
}

static void t_zero(void) {
  const char *kv[] = {"delay=0"};
  cf_wk_run *r = wk_prep("sleep", kv, 1, 50);
  wk_outcome o;
  wk_run(r, 2, &o, NULL, 0);
  CHECK_EQ(o.ok, 50);
  CHECK(cf_wk_ideal_rate(r, 2, 2, CF_BACKEND_THREAD) == 0); /* no model */
  cf_wk_teardown(r);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"run", t_run}, {"zero", t_zero}, {NULL, NULL}};
  wk_set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
