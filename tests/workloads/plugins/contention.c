/* contention.c -- test plugin of the plugin:PATH.so form, with the
 * contention pattern of issue 16: each item sleeps `outside` (0.9 ms)
 * outside and `inside` (0.1 ms) inside one process-wide mutex.  A thread
 * pool saturates at 1/inside items/s; process workers each have their own
 * mutex.  Results carry the index, the pid and the outside and inside
 * intervals, which check() verifies and the tests inspect.
 *
 * The hold is kept to what is asked (nap_until(..., 1)): a plain 0.1 ms
 * nanosleep held the mutex ~135 us on this VM (the wake-up's latency), so
 * the saturation was ~7.4k/s, not 10k/s, and the knee (outside + inside)
 * / inside ~8, not 10.  The hold now ends at an absolute deadline: the
 * thread sleeps to a little before it (by the overshoot its own previous
 * sleeps had) and spins the rest, so it is never shorter than asked and
 * the spin is only the wake-up's jitter, not the overshoot; at most half
 * of it spins, whatever load does to the overshoot.  The outside sleep is
 * a plain sleep to its deadline (its overshoot, ~50 us of 900, moves the
 * knee by 5%, and spinning it would make 64 process workers CPU-bound).
 * What remains between two holds at saturation is the mutex's hand-off:
 * the next waiter's wake-up (scripts/characterize_contention.sh measures
 * the hold, the item and the hand-off, and the knee they give). */
#include <cfwork_plugin.h>

#include <pthread.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct ct_item { uint64_t index, out_ns, in_ns; } ct_item;
typedef struct ct_res { uint64_t index, in_start, in_end; int64_t pid; uint64_t out_start, out_end; } ct_res;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* How much short of its deadline a spun sleep aims: the lower quartile
 * of the overshoot this thread's spun sleeps had (tracked by steps: down
 * EARLY_STEP_NS when a wake-up came sooner, up a third of it when later,
 * which settles where a quarter are sooner).  Not the mean: load makes
 * the overshoot's tail long, and aiming by the mean spun ~20 us a hold;
 * by the quartile three wake-ups in four come after the deadline by the
 * overshoot's spread below its median, the fourth spins that little.
 * 50 us to start: this VM's overshoot. */
#define EARLY_START_NS 50000
#define EARLY_STEP_NS 1500

/* Returns at deadline (CLOCK_MONOTONIC ns) or after, never before; with
 * spin, just after: sleeps to the deadline less the overshoot expected,
 * then spins.  The default 50 us timer slack would add to every sleep
 * (slack is per thread: set once). */
static void nap_until(uint64_t deadline, int spin) {
  static _Thread_local int slack_set;
  static _Thread_local int64_t early = EARLY_START_NS;
  if (!slack_set) slack_set = 1, prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  uint64_t t = now_ns();
  if (deadline <= t) return;
  uint64_t half = (deadline - t) / 2, aim = deadline - (!spin ? 0 : (uint64_t)early < half ? (uint64_t)early : half);
  if (aim > t) {
    struct timespec ts = {(time_t)(aim / 1000000000ull), (long)(aim % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
    }
    int64_t over = (int64_t)(now_ns() - aim);
    if (spin) early += over < early ? -EARLY_STEP_NS : EARLY_STEP_NS / 3;
    if (early < 0) early = 0;
  }
  while (now_ns() < deadline) {
  }
}

static int ct_task(const void *arg, size_t len, cf_result *out) {
  ct_item it;
  if (len != sizeof it) return 22;
  memcpy(&it, arg, sizeof it);
  ct_res r = {it.index, 0, 0, (int64_t)getpid(), now_ns(), 0};
  nap_until(r.out_start + it.out_ns, 0);
  r.out_end = now_ns();
  pthread_mutex_lock(&mu);
  r.in_start = now_ns();
  nap_until(r.in_start + it.in_ns, 1);
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
  /* nap_until never returns early: a shorter time is a broken clock or plugin */
  double in = cf_wk_run_num(r, "inside") * 1e9, out = cf_wk_run_num(r, "outside") * 1e9;
  if ((double)(s.in_end - s.in_start) < in - 0.5 || (double)(s.out_end - s.out_start) < out - 0.5)
    return cf_wk_run_fail(r, err, errlen, CF_EINVAL, "item %zu: %.1f us inside, %.1f us outside: less than asked", i,
                          (double)(s.in_end - s.in_start) / 1e3, (double)(s.out_end - s.out_start) / 1e3);
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
