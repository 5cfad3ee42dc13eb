/* mixed.c -- the `mixed` workload: each item computes for `cpu_us` of CPU
 * time (a chain of 64-bit multiply-adds calibrated by the thread's CPU
 * clock: real arithmetic, not a spin on the clock) then sleeps `io_us`.  The ratio is where threads and processes
 * trade places.  With gil=1 the compute part holds the process-wide lock
 * and the sleep does not, as CPython releases the GIL around blocking I/O.
 * The chain is a linear congruential sequence, so check() verifies the
 * final value in O(log n) by jumping ahead.  work_scale multiplies the
 * compute part.
 *
 * With gil=1 on the process backend each item first computes `ipc_us`
 * holding one lock shared by every process of the pool: the serial path
 * of CPython's ProcessPoolExecutor (the parent's feeder and result threads
 * pickle and move every item and result one at a time, ~250 us an item at
 * chunksize 1 on the development machine, against ~1 us for cfutures'
 * processes).  Without it the emulated crossover sat 17x below CPython's
 * (docs/python.md).  The lock lives in a shared mapping made at prepare,
 * before the pool forks; the executor is not involved.
 *
 * Ideal rate, c = cpu_us x work_scale, s = io_us, p = ipc_us (seconds):
 *   min(workers / (c + s), C / c),  C = ncpus, or 1 on the thread backend
 *   with gil=1 (one lock: one computing thread at a time); on the process
 *   backend with gil=1: min(workers / (p + c + s), C / (p + c), 1 / p). */
#include "wk.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LCG_A 6364136223846793005ull
#define LCG_C 1442695040888963407ull

/* The pool-wide lock of the emulated process pool's serial path, and how
 * many items took it (for the tests).  One page, MAP_SHARED: the forked
 * workers share it.  Robust: a worker killed while holding it (crash
 * isolation, per-task timeouts) does not hang the others. */
typedef struct mx_ipc {
  pthread_mutex_t mu;
  uint64_t taken;
} mx_ipc;

typedef struct mx_item {
  uint64_t iters, seed, io_ns;
  uint64_t ipc_iters; /* chain steps under the pool-wide lock first (0: none) */
  mx_ipc *ipc;        /* the shared mapping: the same address in every forked worker */
  uint32_t gil, pad;
} mx_item;

typedef struct mx_res {
  uint64_t x, iters, cpu_ns, io_ns;
} mx_res;

typedef struct mx_priv {
  double iters_per_s;
  mx_ipc *ipc; /* NULL unless the process backend runs gil=1 with ipc_us > 0 */
} mx_priv;

static const cf_wk_param params[] = {
    {"cpu_us", "1ms", "compute time per item (bare number: us)", 0, 10},
    {"io_us", "1ms", "sleep per item (bare number: us)", 0, 10},
    {"gil", "off", "hold the process-wide emulated GIL while computing", 0, 1},
    {"work_scale", "1", "multiply the compute per item (regression tests)", 0.1, 10},
    {"ipc_us", "250us",
     "with gil=on on the process backend: compute this long per item under one pool-wide lock first, "
     "as CPython's process pool moves each item through one thread (bare number: us; 0: none)",
     0, 1},
};
static const wk_pspec specs[] = {{WK_DUR, 1e-6, NULL}, {WK_DUR, 1e-6, NULL}, {WK_BOOL, 0, NULL}, {WK_NUM, 0, NULL},
                                 {WK_DUR, 1e-6, NULL}};

/* The kernel is compiled optimized even in an -O0 build (GCC's optimize
 * attribute): at -O0 x and i live on the stack, every step a store and a
 * load, and the speed then depends on where the running thread's stack
 * lies (the calibration runs on one thread, the items on the executor's
 * workers): the chain's speed ranged 5.2e8-6.0e8 steps/s between -O0
 * processes, so items did not cost cpu_us.  In registers it runs alike
 * on every thread, whatever the build. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O2")))
#endif
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

/* The emulated process pool's serial path: n chain steps from x under the
 * pool-wide lock.  0 or an errno. */
static int ipc_pass(mx_ipc *ipc, uint64_t *x, uint64_t n) {
  int rc = pthread_mutex_lock(&ipc->mu);
  if (rc == EOWNERDEAD) rc = pthread_mutex_consistent(&ipc->mu); /* its holder died: the state is a counter */
  if (rc) return rc;
  *x = chain(*x, n);
  ipc->taken++;
  pthread_mutex_unlock(&ipc->mu);
  return 0;
}

static int mx_task(const void *arg, size_t len, cf_result *out) {
  mx_item it;
  if (len != sizeof it) return 22;
  memcpy(&it, arg, sizeof it);
  mx_res res = {it.seed, it.iters, 0, 0};
  uint64_t t0 = wk_now_ns();
  if (it.ipc_iters) {
    int rc = ipc_pass(it.ipc, &res.x, it.ipc_iters);
    if (rc) return rc;
  }
  wk_gil_lock((int)it.gil);
  res.x = chain(res.x, it.iters);
  wk_gil_unlock((int)it.gil);
  uint64_t t1 = wk_now_ns();
  if (it.io_ns) wk_sleep_ns(it.io_ns);
  res.cpu_ns = t1 - t0;
  res.io_ns = wk_now_ns() - t1;
  return cf_result_set(out, &res, sizeof res) ? 12 : 0;
}

/* The calibration: chain steps per CPU-second of this thread, over 5 x 2M
 * steps (~10 ms at -O3, ~20 ms at -O0): the mean speed, total steps over
 * total CPU time.  CPU time, not wall time: an item's compute is to cost
 * cpu_us of CPU whatever else the machine runs, and each cfbench process
 * calibrates once, so a wall-clock calibration had to take the best of
 * short runs to dodge preemption -- and the best catches the chain's
 * fastest moment, not the speed its items see.  At -O0 under load the
 * best of 5 x 1M steps ranged 5.1e8-7.3e8 steps/s from one process to
 * the next (12% CV of CPU time per item, where `cfbench ab` compares
 * processes, against 2% at -O3).  The CPU clock is blind to the time
 * other jobs hold the CPU, so the mean is safe to take. */
static double steps_per_s(void *ud) {
  (void)ud;
  enum { RUNS = 5, STEPS = 2000000 };
  uint64_t cpu_ns = 0;
  for (int k = 0; k < RUNS; k++) {
    uint64_t t0 = wk_thread_cpu_ns();
    volatile uint64_t x = chain((uint64_t)k, STEPS);
    (void)x;
    cpu_ns += wk_thread_cpu_ns() - t0;
  }
  return cpu_ns ? (double)RUNS * STEPS / ((double)cpu_ns / 1e9) : 0;
}

/* Whether items pay the emulated process pool's serial cost: only where
 * CPython would, its ProcessPoolExecutor (gil=1 on the process backend);
 * the thread pool moves items without pickling, gil=0 is the C picture. */
static int ipc_emulated(const cf_wk_run *r, cf_backend b) {
  return b == CF_BACKEND_PROCESS && wk_num(r, "gil") != 0 && wk_num(r, "ipc_us") > 0;
}

/* The shared mapping with its process-shared robust mutex, before any
 * worker forks.  NULL (errno set) on failure. */
static mx_ipc *ipc_new(void) {
  mx_ipc *ipc = mmap(NULL, sizeof *ipc, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (ipc == MAP_FAILED) return NULL;
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  int rc = pthread_mutex_init(&ipc->mu, &a);
  pthread_mutexattr_destroy(&a);
  if (rc) {
    munmap(ipc, sizeof *ipc);
    errno = rc;
    return NULL;
  }
  ipc->taken = 0;
  return ipc;
}

static int mx_prepare(cf_wk_run *r, char *err, size_t errlen) {
  mx_priv *p = calloc(1, sizeof *p);
  if (!p) return CF_ENOMEM;
  r->priv = p;
  double best = wk_calibrated("mixed.iters_per_s", steps_per_s, NULL);
  p->iters_per_s = best;
  if (ipc_emulated(r, r->backend) && !(p->ipc = ipc_new()))
    return wk_fail(r, err, errlen, CF_ENOMEM, "ipc_us: shared mapping for the pool-wide lock: %s", strerror(errno));
  size_t n = r->nitems ? r->nitems : 100;
  mx_item *items = wk_items_fixed(r, n, sizeof(mx_item));
  if (!items) return CF_ENOMEM;
  uint64_t iters = (uint64_t)(wk_num(r, "cpu_us") * wk_num(r, "work_scale") * best + 0.5);
  uint64_t ipc_iters = p->ipc ? (uint64_t)(wk_num(r, "ipc_us") * best + 0.5) : 0;
  for (size_t i = 0; i < n; i++) {
    items[i].iters = iters;
    items[i].seed = wk_hash(&i, sizeof i, 0);
    items[i].io_ns = (uint64_t)(wk_num(r, "io_us") * 1e9 + 0.5);
    items[i].gil = wk_num(r, "gil") != 0;
    items[i].ipc_iters = ipc_iters ? ipc_iters : (p->ipc != NULL); /* at least one step: the lock is taken */
    items[i].ipc = p->ipc;
  }
  return 0;
}

static int mx_check(cf_wk_run *r, size_t i, const void *resb, size_t len, char *err, size_t errlen) {
  const mx_item *it = r->item_ptr[i];
  mx_res res;
  if (len != sizeof res) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result of %zu bytes, expected %zu", i, len, sizeof res);
  memcpy(&res, resb, sizeof res);
  if (res.iters != it->iters || res.x != chain_jump(it->seed, it->ipc_iters + it->iters))
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: wrong compute result (%llu steps)", i, (unsigned long long)res.iters);
  if (res.io_ns < it->io_ns)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: slept %llu ns, less than io_us", i, (unsigned long long)res.io_ns);
  wk_sample(r, (double)res.cpu_ns / 1e3);
  return 0;
}

static double mx_ideal(const cf_wk_run *r, int workers, int ncpus, cf_backend b) {
  double p = ipc_emulated(r, b) ? wk_num(r, "ipc_us") : 0;
  double c = wk_num(r, "cpu_us") * wk_num(r, "work_scale") + p, s = wk_num(r, "io_us");
  if (c + s <= 0) return 0;
  double rate = workers / (c + s);
  if (c > 0) {
    double cap = (b == CF_BACKEND_THREAD && wk_num(r, "gil") != 0 ? 1 : ncpus) / c;
    if (cap < rate) rate = cap;
  }
  if (p > 0 && 1 / p < rate) rate = 1 / p; /* one item at a time through the serial path */
  return rate;
}

static void mx_teardown(cf_wk_run *r) {
  mx_priv *p = r->priv;
  if (p && p->ipc) {
    pthread_mutex_destroy(&p->ipc->mu);
    munmap(p->ipc, sizeof *p->ipc);
  }
  free(p);
  r->priv = NULL;
}

static const char *const metric_names[] = {"cpu_p50_us", "cpu_p99_us"};
static const double metric_q[] = {0.50, 0.99};

const wk_def wk_mixed = {
    CF_WK_ABI_VERSION,
    {"mixed", CF_WK_MIXED, "each item computes `cpu_us` then sleeps `io_us`", params, 5},
    specs, mx_task, 100, mx_prepare, mx_check, mx_ideal, mx_teardown, NULL,
    metric_names, metric_q, 2, NULL, NULL,
};

/* Exposed for the tests: the compute kernel and its jump-ahead. */
uint64_t cf__wk_mixed_chain(uint64_t x, uint64_t n) { return chain(x, n); }
uint64_t cf__wk_mixed_jump(uint64_t x, uint64_t n) { return chain_jump(x, n); }
/* How many items took the emulated process pool's lock (-1: not emulated). */
long long cf__wk_mixed_ipc_taken(const cf_wk_run *r) {
  const mx_priv *p = r->priv;
  return p && p->ipc ? (long long)__atomic_load_n(&p->ipc->taken, __ATOMIC_ACQUIRE) : -1;
}
