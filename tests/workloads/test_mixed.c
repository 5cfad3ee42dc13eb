/* test_mixed.c -- the mixed workload: the compute chain and its
 * jump-ahead agree, items run and check with and without gil, a corrupted
 * result fails, and the ideal model gives the documented figures. */
#include "wk_test.h"
#include "wk.h"

static void t_chain(void) {
  for (uint64_t n = 0; n < 200; n += 7) CHECK(cf__wk_mixed_chain(n * 31, n) == cf__wk_mixed_jump(n * 31, n));
  CHECK(cf__wk_mixed_chain(5, 123457) == cf__wk_mixed_jump(5, 123457));
  CHECK(cf__wk_mixed_chain(5, 123457) != cf__wk_mixed_jump(5, 123456));
}

static void run(const char *gil) {
  const char *kv[] = {"cpu_us=300", "io_us=1ms", gil};
  cf_wk_run *r = wk_prep("mixed", kv, 3, 24);
  unsigned char res[24][32];
  wk_outcome o;
  wk_run(r, 4, &o, res, 32);
  CHECK_EQ(o.ok, 24);
  CHECK(wk_metric(r, "cpu_p50_us") > 0);
  res[0][0] ^= 1; /* the chain's final value */
  char err[256];
  CHECK_EQ(cf_wk_check(r, 0, res[0], 32, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "wrong compute result");
  cf_wk_teardown(r);
}

static void t_nogil(void) { run("gil=off"); }
static void t_gil(void) { run("gil=on"); }

static void t_ideal(void) {
  const char *kv[] = {"cpu_us=1ms", "io_us=1ms", "gil=on"};
  cf_wk_run *r = wk_prep("mixed", kv, 3, 1);
  /* c = s = 1 ms: min(workers / 2 ms, C / 1 ms) */
  CHECK(fabs(cf_wk_ideal_rate(r, 1, 2, CF_BACKEND_THREAD) - 500) < 1e-6);
  CHECK(fabs(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_THREAD) - 1000) < 1e-6);  /* GIL: C = 1 */
  CHECK(fabs(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_PROCESS) - 2000) < 1e-6); /* C = ncpus */
  CHECK(fabs(cf_wk_ideal_rate(r, 8, 2, CF_BACKEND_PROCESS) - 2000) < 1e-6);
  cf_wk_teardown(r);
  const char *kv2[] = {"cpu_us=1ms", "io_us=1ms", "work_scale=2"};
  r = wk_prep("mixed", kv2, 3, 1);
  CHECK(fabs(cf_wk_ideal_rate(r, 3, 2, CF_BACKEND_THREAD) - 1000) < 1e-6); /* min(3/3ms, 2/2ms) */
  cf_wk_teardown(r);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"chain", t_chain}, {"nogil", t_nogil}, {"gil", t_gil}, {"ideal", t_ideal}, {NULL, NULL}};
  wk_set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
