/* phases.c -- bench_phases: the three per-task costs of the batched thread
 * shape apart, in thread CPU time, at one worker.
 *
 *   submit    the submitting thread's CPU per cf_submit, while a gate task
 *             holds the worker (nothing runs beside it)
 *   worker    the worker's CPU per task, draining the N queued no-ops once
 *             the gate opens (from the gate's end to a last task's start)
 *   collect   the submitting thread's CPU per cf_future_result +
 *             cf_future_release, every future already done
 *
 * Why: wall time on the shared 2-vCPU machine swings 2-10x with the load
 * (a thread waiting for a CPU counts), while a thread's CPU time counts
 * only the time it ran, so an A/B of two builds (ab_phases.sh) reads a few
 * percent where bench_peers' wall-clock ratios cannot.  Run one at a time,
 * each cost is also what bounds the batched shape: when the worker keeps
 * up, a batched run takes about submit + collect per task (the submitting
 * thread does both); when it does not, about worker.
 *
 * Usage: bench_phases [N=200000] [REPS=9]; prints the median over REPS of
 * each, ns per task:  submit S worker W collect C */
#define _GNU_SOURCE
#include <cfutures.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

static _Atomic int gate_open;
static double worker_t0, worker_t1; /* written by the worker, read after a result */

static double thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Holds the worker until the queue is full, then starts its clock. */
static int gate(const void *arg, size_t len, cf_result *out) {
  (void)arg, (void)len, (void)out;
  while (!atomic_load_explicit(&gate_open, memory_order_acquire)) {
  }
  worker_t0 = thread_cpu_ns();
  return 0;
}

static int last(const void *arg, size_t len, cf_result *out) {
  (void)arg, (void)len, (void)out;
  worker_t1 = thread_cpu_ns();
  return 0;
}

static void submit(cf_executor *ex, cf_task_fn fn, cf_future **f) {
  if (cf_submit(ex, fn, NULL, 0, f)) {
    fprintf(stderr, "bench_phases: cf_submit failed\n");
    exit(1);
  }
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  int reps = argc > 2 ? atoi(argv[2]) : 9;
  if (n < 1 || reps < 1 || reps > MAX_REPS) {
    fprintf(stderr, "usage: bench_phases [N >= 1] [1 <= REPS <= %d]\n", MAX_REPS);
    return 2;
  }
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 1;
  cf_executor *ex;
  cf_future **fs = malloc((size_t)(n + 2) * sizeof *fs);
  if (!fs || cf_executor_new(&ex, &cfg)) return 1;
  double s[MAX_REPS], w[MAX_REPS], c[MAX_REPS];
  for (int r = 0; r < reps; r++) {
    atomic_store(&gate_open, 0);
    submit(ex, gate, &fs[0]);
    double t0 = thread_cpu_ns();
    for (long i = 1; i <= n; i++) submit(ex, noop, &fs[i]);
    double t1 = thread_cpu_ns();
    submit(ex, last, &fs[n + 1]);
    atomic_store_explicit(&gate_open, 1, memory_order_release);
    if (cf_future_result(fs[n + 1], -1, NULL, NULL)) return 1; /* the worker's times are written */
    double t2 = thread_cpu_ns();
    for (long i = 0; i <= n + 1; i++) {
      if (cf_future_result(fs[i], -1, NULL, NULL)) return 1;
      cf_future_release(fs[i]);
    }
    double t3 = thread_cpu_ns();
    s[r] = (t1 - t0) / (double)n;
    w[r] = (worker_t1 - worker_t0) / (double)n;
    c[r] = (t3 - t2) / (double)(n + 2);
  }
  printf("submit %.2f worker %.2f collect %.2f\n", summarize(s, reps).median, summarize(w, reps).median,
         summarize(c, reps).median);
  cf_executor_free(ex);
  free(fs);
  return 0;
}
