/* sleep.c -- the `sleep` workload: each item sleeps `delay` with
 * nanosleep and returns the measured duration; check() records the
 * overshoot (measured - delay).
 * delay=0 makes no syscall at all: a no-op item, for executor overhead.
 * Ideal rate: workers / delay (nothing but waiting, so no CPU limit). */
#include "wk.h"

#include <string.h>

typedef struct sl_item { uint64_t delay_ns; } sl_item;
typedef struct sl_res { uint64_t delay_ns, slept_ns; } sl_res;

static const cf_wk_param params[] = {
    {"delay", "10ms", "how long each item sleeps (ns, us, ms, s)", 0, 60},
};
static const wk_pspec specs[] = {{WK_DUR, 0, NULL}};

static int sl_task(const void *arg, size_t len, cf_result *out) {
  sl_item it;
  if (len != sizeof it) return 22; /* EINVAL */
  memcpy(&it, arg, sizeof it);
  uint64_t t0 = wk_now_ns();
  wk_sleep_ns(it.delay_ns);
  sl_res res = {it.delay_ns, wk_now_ns() - t0};
  return cf_result_set(out, &res, sizeof res) ? 12 : 0;
}

static int sl_prepare(cf_wk_run *r, char *err, size_t errlen) {
  size_t n = r->nitems ? r->nitems : 100;
  sl_item it = {(uint64_t)(wk_num(r, "delay") * 1e9 + 0.5)};
  return wk_items_same(r, n, &it, sizeof it);
}

static int sl_check(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen) {
  sl_res s;
  if (len != sizeof s) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result of %zu bytes, expected %zu", i, len, sizeof s);
  memcpy(&s, res, sizeof s);
  const sl_item *it = r->item_ptr[i];
  if (s.delay_ns != it->delay_ns)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result is for delay %llu ns, not %llu ns", i,
                   (unsigned long long)s.delay_ns, (unsigned long long)it->delay_ns);
  if (s.slept_ns < it->delay_ns)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: slept %llu ns, less than the delay %llu ns", i,
                   (unsigned long long)s.slept_ns, (unsigned long long)it->delay_ns);
  wk_sample(r, (double)(s.slept_ns - it->delay_ns) / 1e3);
  return 0;
}

static double sl_ideal(const cf_wk_run *r, int workers, int ncpus, cf_backend b) {
  double d = wk_num(r, "delay");
  return d > 0 ? workers / d : 0; /* 0: no model (the rate is overhead only) */
}

static const char *const metric_names[] = {"overshoot_p50_us", "overshoot_p99_us"};
static const double metric_q[] = {0.50, 0.99};

const wk_def wk_sleep = {
    CF_WK_ABI_VERSION,
    {"sleep", CF_WK_IO, "each item sleeps `delay` (nanosleep); overshoot measured", params, 1},
    specs, sl_task, 100, sl_prepare, sl_check, sl_ideal, NULL, NULL,
    metric_names, metric_q, 2, NULL, NULL,
};
