/* contention.c -- test plugin of the plugin:PATH.so form, with the
 * contention pattern of issue 16: each item sleeps `outside` (0.9 ms)
 * outside and `inside` (0.1 ms) inside one process-wide mutex.  A thread
 * pool saturates at 1/inside items/s; process workers each have their own
 * mutex.  Results carry the index, the pid and the inside interval, which
 * check() verifies and the tests inspect. */
#include <cfwork_plugin.h>

#include <pthread.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct ct_item { uint64_t index, out_ns, in_ns; } ct_item;
typedef struct ct_res { uint64_t index, in_start, in_end; int64_t pid; } ct_res;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sleeps as long as asked: the default 50 us timer slack would make the
 * 0.1 ms inside sleep ~0.15 ms, and the saturation 1/inside and the knee
 * the figures name move with it (slack is per thread: set once). */
static void nap(uint64_t ns) {
  static _Thread_local int slack_set;
  if (!slack_set) slack_set = 1, prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static int ct_task(const void *arg, size_t len, cf_result *out) {
  ct_item it;
  if (len != sizeof it) return 22;
  memcpy(&it, arg, sizeof it);
  nap(it.out_ns);
  pthread_mutex_lock(&mu);
  ct_res r = {it.index, now_ns(), 0, (int64_t)getpid()};
  nap(it.in_ns);
  r.in_end = now_ns();
  pthread_mutex_unlock(&mu);
  return cf_result_set(out, &r, sizeof r) ? 12 : 0;
}

static int ct_prepare(cf_wk_run *r, char *err, size_t errlen) {
  size_t n = cf_wk_run_asked(r) ? cf_wk_run_asked(r) : 200;
  ct_item *it = cf_wk_run_items_fixed(r, n, sizeof *it);
  if (!it) return CF_ENOMEM;
  for (size_t i = 0; i < n; i++)
    it[i] = (ct_item){i, (uint64_t)(cf_wk_run_num(r, "outside") * 1e9 + 0.5),
                      (uint64_t)(cf_wk_run_num(r, "inside") * 1e9 + 0.5)};
  return 0;
}

static int ct_check(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen) {
  ct_res s;
  if (len != sizeof s) return cf_wk_run_fail(r, err, errlen, CF_EINVAL, "item %zu: %zu bytes", i, len);
  memcpy(&s, res, sizeof s);
  if (s.index != i) return cf_wk_run_fail(r, err, errlen, CF_EINVAL, "item %zu: result of item %llu", i,
                                          (unsigned long long)s.index);
  cf_wk_run_sample(r, (double)(s.in_end - s.in_start) / 1e3);
  return 0;
}

/* Threads share the mutex: at most 1/inside; processes have one each. */
static double ct_ideal(const cf_wk_run *r, int workers, int ncpus, cf_backend b) {
  double in = cf_wk_run_num(r, "inside"), all = in + cf_wk_run_num(r, "outside");
  double x = workers / all;
  return b == CF_BACKEND_THREAD && x > 1 / in ? 1 / in : x;
}

static const cf_wk_param params[] = {
    {"outside", "0.9ms", "sleep outside the mutex (ns, us, ms, s)", 0, 1},
    {"inside", "0.1ms", "sleep holding the process-wide mutex (ns, us, ms, s)", 1e-6, 1},
};
static const cf_wk_pspec specs[] = {{CF_WK_PDUR, 0, NULL}, {CF_WK_PDUR, 0, NULL}};
static const char *const metric_names[] = {"inside_p50_us"};
static const double metric_q[] = {0.5};

const cf_wk_descriptor cf_wk_plugin = {
    .abi = CF_WK_ABI_VERSION,
    .pub = {"contention", CF_WK_IO, "sleep outside, then inside one process-wide mutex", params, 2},
    .specs = specs,
    .task = ct_task,
    .natural_items = 200,
    .prepare = ct_prepare,
    .check = ct_check,
    .ideal = ct_ideal,
    .metric_names = metric_names,
    .metric_q = metric_q,
    .nmetrics = 1,
};
