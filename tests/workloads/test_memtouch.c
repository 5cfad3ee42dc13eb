/* test_memtouch.c -- the memtouch workload touches every page of every
 * item (checked from the result), and a result missing one page fails. */
#include "wk_test.h"

#include <unistd.h>

static void t_run(void) {
  const char *kv[] = {"mib=4"};
  cf_wk_run *r = wk_prep("memtouch", kv, 1, 8);
  uint64_t res[8][3];
  wk_outcome o;
  wk_run(r, 2, &o, res, sizeof res[0]);
  CHECK_EQ(o.ok, 8);
  uint64_t pages = (4u << 20) / (uint64_t)sysconf(_SC_PAGESIZE);
  for (int i = 0; i < 8; i++) {
    CHECK_EQ(res[i][0], pages);
    CHECK_EQ(res[i][1], pages);
  }
  res[0][1]--; /* one page not touched */
  char err[256];
  CHECK_EQ(cf_wk_check(r, 0, res[0], sizeof res[0], err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "pages touched");
  res[0][1]++;
  res[0][2] += 3; /* wrong bytes */
  CHECK_EQ(cf_wk_check(r, 0, res[0], sizeof res[0], err, sizeof err), CF_EINVAL);
  res[0][2] -= 3;
  CHECK_EQ(cf_wk_check(r, 0, res[0], sizeof res[0], err, sizeof err), 0);
  CHECK(cf_wk_ideal_rate(r, 1, 2, CF_BACKEND_THREAD) > 0);
  cf_wk_teardown(r);
}

static void t_gil(void) {
  const char *kv[] = {"mib=1", "gil=on"};
  cf_wk_run *r = wk_prep("memtouch", kv, 2, 8);
  wk_outcome o;
  wk_run(r, 4, &o, NULL, 0);
  CHECK_EQ(o.ok, 8);
  double r1 = cf_wk_ideal_rate(r, 1, 2, CF_BACKEND_THREAD);
  CHECK(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_THREAD) == r1);
  cf_wk_teardown(r);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"run", t_run}, {"gil", t_gil}, {NULL, NULL}};
  wk_set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
