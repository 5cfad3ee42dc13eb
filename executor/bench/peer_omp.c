/* peer_omp.c -- OpenMP tasks (gcc's libgomp) as a bench_peers contender: a
 * team of `workers` threads, one thread creating every task, the implicit
 * barrier waiting for them.  At one thread OpenMP runs each task inline at
 * its creation, so it only runs from two workers up. */
#include <omp.h>
#include <stddef.h>

#include "bench.h"
#include "peers.h"

static int team[1];

static void *o_open(int workers) {
  if (workers < 2) return NULL;
  team[0] = workers;
  return team;
}

static int (*volatile task_fn)(const void *, size_t, cf_result *) = noop;

static double o_batched(void *pool, long n) {
  int w = *(int *)pool;
  double t0 = now_ns();
#pragma omp parallel num_threads(w)
#pragma omp single
  for (long i = 0; i < n; i++) {
#pragma omp task
    task_fn(NULL, 0, NULL);
  }
  return (now_ns() - t0) / (double)n;
}

static void o_close(void *pool) { (void)pool; }

const peer cf_peer_omp = {"openmp", o_open, o_batched, NULL, NULL, o_close};
