/* peer_omp.c -- OpenMP tasks (gcc's libgomp) as a bench_peers contender: a
 * team of `workers` threads, one thread creating every task, the implicit
 * barrier waiting for them.  At one thread OpenMP runs each task inline at
 * its creation, so it only runs from two workers up.
 *
 * From two up libgomp still runs most of a batch inline: once 64 x threads
 * tasks are queued, GOMP_task runs the next one at once in the creating
 * thread (its throttle), so a batched run is mostly a plain loop in the
 * submitter.  When the pool closes, one untimed batch counts where the
 * tasks ran and prints it as a comment line, so the ratio can be read for
 * what it is. */
#include <omp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#include "bench.h"
#include "peers.h"

typedef struct team {
  int workers;
  long last_n;                     /* tasks of the last batched run */
} team;
static team the_team;

static void *o_open(int workers) {
  if (workers < 2) return NULL;
  the_team.workers = workers;
  the_team.last_n = 0;
  return &the_team;
}

static int (*volatile task_fn)(const void *, size_t, cf_result *) = noop;

static double o_batched(void *pool, long n) {
  int w = ((team *)pool)->workers;
  ((team *)pool)->last_n = n;
  double t0 = now_ns();
#pragma omp parallel num_threads(w)
#pragma omp single
  for (long i = 0; i < n; i++) {
#pragma omp task
    task_fn(NULL, 0, NULL);
  }
  return (now_ns() - t0) / (double)n;
}

/* One batch of n tasks, untimed: how many ran in the creating thread. */
static long inline_runs(int w, long n) {
  _Atomic long in_creator = 0;
#pragma omp parallel num_threads(w)
#pragma omp single
  {
    int me = omp_get_thread_num();
    for (long i = 0; i < n; i++) {
#pragma omp task shared(in_creator)
      if (omp_get_thread_num() == me) atomic_fetch_add_explicit(&in_creator, 1, memory_order_relaxed);
    }
  }
  return in_creator;
}

static void o_close(void *pool) {
  team *t = pool;
  if (!t->last_n) return;
  long k = inline_runs(t->workers, t->last_n);
  printf("# openmp W=%d: %.1f%% of %ld tasks ran inline in the submitter (throttle)\n", t->workers,
         100.0 * (double)k / (double)t->last_n, t->last_n);
  fflush(stdout);
}

const peer cf_peer_omp = {"openmp", o_open, o_batched, NULL, NULL, o_close};
