/* mixed.c -- the `mixed` workload: each item computes for `cpu_us` (a
 * calibrated chain of 64-bit multiply-adds: real arithmetic, not a spin on
 * the clock) then sleeps `io_us`.  The ratio is where threads and processes
 * trade places.  With gil=1 the compute part holds the process-wide lock
 * and the sleep does not, as CPython releases the GIL around blocking I/O.
 * The chain is a linear congruential sequence, so check() verifies the
 * final value in O(log n) by jumping ahead.  work_scale multiplies the
 * compute part.
 *
 * Ideal rate, c = cpu_us x work_scale, s = io_us (seconds):
 *   min(workers / (c + s), C / c),  C = ncpus, or 1 on the thread backend
 *   with gil=1 (one lock: one computing thread at a time). */
#include "wk.h"

#include <stdlib.h>
#include <string.h>

#define LCG_A 6364136223846793005ull
#define LCG_C 1442695040888963407ull

typedef struct mx_item {
  uint64_t iters, seed, io_ns;
  uint32_t gil, pad;
} mx_item;

typedef struct mx_res {
  uint64_t x, iters, cpu_ns, io_ns;
} mx_res;

typedef struct mx_priv { double iters_per_s; } mx_priv;

static const cf_wk_param params[] = {
    {"cpu_us", "1ms", "compute time per item (bare number: us)", 0, 10},
    {"io_us", "1ms", "sleep per item (bare number: us)", 0, 10},
    {"gil", "off", "hold the process-wide emulated GIL while computing", 0, 1},
    {"work_scale", "1", "multiply the compute per item (regression tests)", 0.1, 10},
};
static const wk_pspec specs[] = {{WK_DUR, 1e-6, NULL}, {WK_DUR, 1e-6, NULL}, {WK_BOOL, 0, NULL}, {WK_NUM, 0, NULL}};

static uint64_t chain(uint64_t x, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    x = x * LCG_A + LCG_C;
    __asm__ __volatile__("" : "+r"(x)); /* one step at a time, as written */
  }
  return x;
}

/* x after n steps, by composing the affine map x -> a x + c. */
static uint64_t chain_jump(uint64_t x, uint64_t n) {
  uint64_t a = LCG_A, c = LCG_C, ra = 1, rc = 0;
  while (n) {
    if (n & 1) ra = ra * a, rc = rc * a + c;
    c = c * a + c;
    a = a * a;
    n >>= 1;
  }
  return ra * x + rc;
}

static int mx_task(const void *arg, size_t len, cf_result *out) {
  mx_item it;
  if (len != sizeof it) return 22;
  memcpy(&it, arg, sizeof it);
  mx_res res = {0, it.iters, 0, 0};
  uint64_t t0 = wk_now_ns();
  wk_gil_lock((int)it.gil);
  res.x = chain(it.seed, it.iters);
  wk_gil_unlock((int)it.gil);
  uint64_t t1 = wk_now_ns();
  if (it.io_ns) wk_sleep_ns(it.io_ns);
  res.cpu_ns = t1 - t0;
  res.io_ns = wk_now_ns() - t1;
  return cf_result_set(out, &res, sizeof res) ? 12 : 0;
}

/* The calibration: chain steps per second, best of 5 x ~1 ms. */
static double steps_per_s(void *ud) {
  (void)ud;
  double best = 0;
  for (int k = 0; k < 5; k++) {
    uint64_t t0 = wk_now_ns();
    volatile uint64_t x = chain((uint64_t)k, 1000000);
    (void)x;
    double dt = (double)(wk_now_ns() - t0) / 1e9;
    if (dt > 0 && 1e6 / dt > best) best = 1e6 / dt;
  }
  return best;
}

static int mx_prepare(cf_wk_run *r, char *err, size_t errlen) {
  mx_priv *p = calloc(1, sizeof *p);
  if (!p) return CF_ENOMEM;
  r->priv = p;
  double best = wk_calibrated("mixed.iters_per_s", steps_per_s, NULL);
  p->iters_per_s = best;
  size_t n = r->nitems ? r->nitems : 100;
  mx_item *items = wk_items_fixed(r, n, sizeof(mx_item));
  if (!items) return CF_ENOMEM;
  uint64_t iters = (uint64_t)(wk_num(r, "cpu_us") * wk_num(r, "work_scale") * best + 0.5);
  for (size_t i = 0; i < n; i++) {
    items[i].iters = iters;
    items[i].seed = wk_hash(&i, sizeof i, 0);
    items[i].io_ns = (uint64_t)(wk_num(r, "io_us") * 1e9 + 0.5);
    items[i].gil = wk_num(r, "gil") != 0;
  }
  return 0;
}

static int mx_check(cf_wk_run *r, size_t i, const void *resb, size_t len, char *err, size_t errlen) {
  const mx_item *it = r->item_ptr[i];
  mx_res res;
  if (len != sizeof res) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result of %zu bytes, expected %zu", i, len, sizeof res);
  memcpy(&res, resb, sizeof res);
  if (res.iters != it->iters || res.x != chain_jump(it->seed, it->iters))
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: wrong compute result (%llu steps)", i, (unsigned long long)res.iters);
  if (res.io_ns < it->io_ns)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: slept %llu ns, less than io_us", i, (unsigned long long)res.io_ns);
  wk_sample(r, (double)res.cpu_ns / 1e3);
  return 0;
}

static double mx_ideal(const cf_wk_run *r, int workers, int ncpus, cf_backend b) {
  double c = wk_num(r, "cpu_us") * wk_num(r, "work_scale"), s = wk_num(r, "io_us");
  if (c + s <= 0) return 0;
  double rate = workers / (c + s);
  if (c > 0) {
    double cap = (b == CF_BACKEND_THREAD && wk_num(r, "gil") != 0 ? 1 : ncpus) / c;
    if (cap < rate) rate = cap;
  }
  return rate;
}

static void mx_teardown(cf_wk_run *r) {
  free(r->priv);
  r->priv = NULL;
}

static const char *const metric_names[] = {"cpu_p50_us", "cpu_p99_us"};
static const double metric_q[] = {0.50, 0.99};

const wk_def wk_mixed = {
    CF_WK_ABI_VERSION,
    {"mixed", CF_WK_MIXED, "each item computes `cpu_us` then sleeps `io_us`", params, 4},
    specs, mx_task, 100, mx_prepare, mx_check, mx_ideal, mx_teardown, NULL,
    metric_names, metric_q, 2, NULL, NULL,
};

/* Exposed for the tests: the compute kernel and its jump-ahead. */
uint64_t cf__wk_mixed_chain(uint64_t x, uint64_t n) { return chain(x, n); }
uint64_t cf__wk_mixed_jump(uint64_t x, uint64_t n) { return chain_jump(x, n); }
