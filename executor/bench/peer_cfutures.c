/* peer_cfutures.c -- cfutures itself as a bench_peers contender: the public
 * API exactly as a user calls it (cf_submit, cf_future_result, release). */
#include <cfutures.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "peers.h"

typedef struct cfpool {
  cf_executor *ex;
  cf_future **fs;
  long cap;
} cfpool;

static void *cfp_open(int workers) {
  cfpool *p = calloc(1, sizeof *p);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  int rc = cf_executor_new(&p->ex, &cfg);
  if (rc) {
    fprintf(stderr, "bench_peers: cf_executor_new: %s\n", cf_strerror(rc));
    exit(1);
  }
  return p;
}

static cf_future **futs(cfpool *p, long n) {
  if (n > p->cap) {
    free(p->fs);
    p->fs = malloc((size_t)n * sizeof *p->fs);
    if (!p->fs) abort();
    p->cap = n;
  }
  return p->fs;
}

static double run_all(cfpool *p, long n, cf_task_fn fn, const void *arg, size_t len) {
  cf_future **fs = futs(p, n);
  double t0 = now_ns();
  for (long i = 0; i < n; i++)
    if (cf_submit(p->ex, fn, arg, len, &fs[i])) abort();
  for (long i = 0; i < n; i++) {
    if (cf_future_result(fs[i], -1, NULL, NULL)) abort();
    cf_future_release(fs[i]);
  }
  return now_ns() - t0;
}

static double cfp_batched(void *pool, long n) { return run_all(pool, n, noop, NULL, 0) / (double)n; }

static double cfp_roundtrip(void *pool, long n) {
  cfpool *p = pool;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    cf_future *f;
    if (cf_submit(p->ex, noop, NULL, 0, &f) || cf_future_result(f, -1, NULL, NULL)) abort();
    cf_future_release(f);
  }
  return (now_ns() - t0) / (double)n;
}

static int sleep_task(const void *arg, size_t len, cf_result *out) {
  (void)len;
  (void)out;
  bench_sleep_ns(*(const long *)arg);
  return 0;
}

static double cfp_sleeps(void *pool, long n, long ns) { return run_all(pool, n, sleep_task, &ns, sizeof ns); }

static void cfp_close(void *pool) {
  cfpool *p = pool;
  cf_executor_free(p->ex);
  free(p->fs);
  free(p);
}

const peer cf_peer_cfutures = {"cfutures", cfp_open, cfp_batched, cfp_roundtrip, cfp_sleeps, cfp_close};
