/* test_primes.c -- the primes workload through a thread executor: the
 * docs' six numbers (first five prime, the last not), a range checked
 * against a sieve computed here, work_scale above and below 1, gil=1, the
 * ideal model, and check() failing a corrupted answer. */
#include "wk_test.h"
#include "wk.h"

#define RES_MAX 128

static void t_docs(void) {
  cf_wk_run *r = wk_prep("primes", NULL, 0, 0);
  CHECK_EQ(cf_wk_items(r), 6);
  unsigned char res[6][RES_MAX];
  memset(res, 0, sizeof res);
  wk_outcome o;
  wk_run(r, 2, &o, res, RES_MAX);
  CHECK_EQ(o.ok, 6);
  static const uint64_t want[6] = {112272535095293ull, 112582705942171ull, 112272535095293ull,
                                   115280095190773ull, 115797848077099ull, 1099726899285419ull};
  for (int i = 0; i < 6; i++) {
    const void *a;
    size_t l;
    cf_wk_item(r, (size_t)i, &a, &l);
    uint64_t n;
    int prime;
    /* the stored result has the size of a real one: re-run check on it */
    size_t rl = 48;
    CHECK_EQ(cf__wk_primes_decode(res[i], rl, &n, &prime), 0);
    CHECK_EQ(n, want[i]);
    CHECK_EQ(prime, i < 5 ? 1 : 0); /* the first five are prime, 1099726899285419 is not */
  }
  /* a corrupted answer fails */
  res[5][40] ^= 1;
  char err[256];
  CHECK_EQ(cf_wk_check(r, 5, res[5], 48, err, sizeof err), CF_EINVAL);
  fprintf(stderr, "   corrupted: %s\n", err);
  /* the result of another item fails */
  res[5][40] ^= 1;
  CHECK_EQ(cf_wk_check(r, 5, res[5], 48, err, sizeof err), 0);
  CHECK_EQ(cf_wk_check(r, 3, res[5], 48, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "expected 115280095190773");
  double r1 = cf_wk_ideal_rate(r, 1, 2, CF_BACKEND_THREAD);
  CHECK(r1 > 0);
  CHECK(fabs(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_PROCESS) - 2 * r1) < 1e-6 * r1);
  cf_wk_teardown(r);
}

static int naive_prime(uint64_t n) {
  if (n < 2) return 0;
  for (uint64_t d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}

static void run_range(const char *scale, int expect_decided) {
  const char *kv[] = {"preset=range", "start=10000001", "count=300", scale};
  cf_wk_run *r = wk_prep("primes", kv, 4, 0);
  CHECK_EQ(cf_wk_items(r), 300);
  unsigned char(*res)[RES_MAX] = calloc(300, RES_MAX);
  wk_outcome o;
  wk_run(r, 2, &o, res, RES_MAX);
  CHECK_EQ(o.ok, 300);
  int nprimes = 0, undecided = 0;
  for (int i = 0; i < 300; i++) {
    uint64_t n;
    int prime;
    CHECK_EQ(cf__wk_primes_decode(res[i], 48, &n, &prime), 0);
    CHECK_EQ(n, 10000001ull + 2 * (uint64_t)i);
    if (prime < 0) undecided++;
    else CHECK_EQ(prime, naive_prime(n));
    nprimes += prime == 1;
  }
  if (expect_decided) {
    CHECK_EQ(undecided, 0);
    CHECK_GT(nprimes, 10);
  } else {
    CHECK_GT(undecided, 10); /* the primes stop early */
  }
  free(res);
  cf_wk_teardown(r);
}

static void t_range(void) { run_range("work_scale=1", 1); }
/* A fine-grained range (most numbers have a small factor: microseconds an
 * item) has no ideal model: the executor's per-item cost sets its rate.
 * Numbers near 10^7 average ~200 divisions an item, ~1 us here: far enough
 * below the 20 us threshold that a calibration slowed 10x by a loaded
 * machine still decides the same (near 10^9 the mean is ~16 us, and a
 * loaded Release run flipped it). */
static void t_no_ideal_fine(void) {
  const char *kv[] = {"preset=range", "start=10000001", "count=40"};
  cf_wk_run *r = wk_prep("primes", kv, 3, 0);
  CHECK(cf_wk_ideal_rate(r, 1, 2, CF_BACKEND_PROCESS) == 0);
  cf_wk_teardown(r);
}

static void t_scale_up(void) { run_range("work_scale=2.5", 1); }
static void t_scale_down(void) { run_range("work_scale=0.5", 0); }

static void t_gil(void) {
  /* the docs' numbers: long items, so the model applies */
  const char *kv[] = {"preset=docs", "gil=on"};
  cf_wk_run *r = wk_prep("primes", kv, 2, 0);
  wk_outcome o;
  wk_run(r, 4, &o, NULL, 0);
  CHECK_EQ(o.ok, 6);
  double r1 = cf_wk_ideal_rate(r, 1, 2, CF_BACKEND_THREAD);
  CHECK(r1 > 0);
  CHECK(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_THREAD) == r1); /* one lock: one worker's rate */
  CHECK(cf_wk_ideal_rate(r, 4, 2, CF_BACKEND_PROCESS) > 1.9 * r1);
  cf_wk_teardown(r);
}

/* The ideal model's single-worker rate must describe this machine: within
 * 10x of the rate measured here by running the task serially (a loose bound,
 * not a timing test: a calibration the compiler optimised away was 10^4 off). */
static void t_ideal_plausible(void) {
  const char *kv[] = {"preset=range", "start=1000000000001", "count=64"};
  cf_wk_run *r = wk_prep("primes", kv, 3, 0);
  double r1 = cf_wk_ideal_rate(r, 1, 1, CF_BACKEND_PROCESS);
  unsigned char res[64][RES_MAX];
  wk_outcome o;
  wk_run(r, 1, &o, res, RES_MAX);
  CHECK_EQ(o.ok, 64);
  double measured = 64.0 / o.seconds;
  fprintf(stderr, "   ideal r1 %.0f items/s, measured %.0f items/s\n", r1, measured);
  CHECK(r1 > measured / 10);
  CHECK(r1 < measured * 10);
  cf_wk_teardown(r);
}

/* Trial divisions per second are measured once per number calibrated on
 * (the run's first): later prepares reuse it, whatever their other
 * parameters. */
static void t_calibrated_once(void) {
  cf_wk_calibration_reset();
  const char *r1[] = {"preset=range", "start=1000001", "count=50"};
  const char *r2[] = {"preset=range", "start=1000001", "count=80", "gil=on"};
  const char *docs[] = {"preset=docs"};
  cf_wk_run *a = wk_prep("primes", r1, 3, 0), *b = wk_prep("primes", r2, 4, 0);
  cf_wk_calibration c[4];
  CHECK_EQ(cf_wk_calibrations(c, 4), 1);
  CHECK(!strcmp(c[0].name, "primes.div_per_s@1000001"));
  cf_wk_run *d = wk_prep("primes", docs, 1, 0);
  CHECK_EQ(cf_wk_calibrations(c, 4), 2);
  CHECK_STR_CONTAINS(c[1].name, "primes.div_per_s@");
  cf_wk_teardown(a);
  cf_wk_teardown(b);
  cf_wk_teardown(d);
  cf_wk_calibration_reset();
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"docs", t_docs}, {"ideal_plausible", t_ideal_plausible},         {"range", t_range}, {"scale_up", t_scale_up},
                                    {"scale_down", t_scale_down}, {"gil", t_gil}, {"no_ideal_fine", t_no_ideal_fine},
                                    {"calibrated_once", t_calibrated_once}, {NULL, NULL}};
  wk_set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
