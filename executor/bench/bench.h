/* bench.h -- what the executor's benchmark programs share: a monotonic
 * clock, median/min/max of repetitions, a sleep, and the no-op task they
 * time. */
#ifndef CF_BENCH_H
#define CF_BENCH_H

#include <cfutures.h>

#include <stdlib.h>
#include <time.h>

#define MAX_REPS 64

static inline double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct stat3 {
  double median, min, max;
} stat3;

/* Sorts v. */
static inline stat3 summarize(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  stat3 s = {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]};
  return s;
}

static inline void bench_sleep_ns(long ns) {
  struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static inline int noop(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  (void)out;
  return 0;
}

#endif
