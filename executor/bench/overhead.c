/* overhead.c -- the executor's per-task overhead, side by side with GLib's
 * GThreadPool in the same run.
 *
 *   roundtrip   submit one no-op task, wait for its result, release; repeat
 *   batched     submit N no-op tasks, then collect every result
 *
 * Prints the median (and min/max) over R repetitions of ns per task and the
 * ratio to GThreadPool doing the same work (push; completion signalled with
 * a counter).  Usage: bench_overhead [N=1000000] [R=5] */
#include <cfutures.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "peers.h" /* GThreadPool: the bench_peers contender */

static cf_executor *make(int workers) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  cf_executor *ex;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc) {
    fprintf(stderr, "bench_overhead: cf_executor_new: %s\n", cf_strerror(rc));
    exit(1);
  }
  return ex;
}

/* Executors and pools are made outside the timed region and reused across
 * repetitions, as the harness does. */
static double cf_roundtrip(cf_executor *ex, long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    cf_future *f;
    if (cf_submit(ex, noop, NULL, 0, &f) || cf_future_result(f, -1, NULL, NULL)) abort();
    cf_future_release(f);
  }
  return (now_ns() - t0) / (double)n;
}

static double cf_batched(cf_executor *ex, long n, cf_future **fs) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++)
    if (cf_submit(ex, noop, NULL, 0, &fs[i])) abort();
  for (long i = 0; i < n; i++) {
    if (cf_future_result(fs[i], -1, NULL, NULL)) abort();
    cf_future_release(fs[i]);
  }
  return (now_ns() - t0) / (double)n;
}

static void row(const char *name, int workers, double *v, int reps, const stat3 *ref) {
  stat3 s = summarize(v, reps);
  printf("%-22s %7d %11.1f %11.1f %11.1f %12.0f", name, workers, s.median, s.min, s.max, 1e9 / s.median);
  if (ref) printf(" %9.2fx", ref->median / s.median);
  printf("\n");
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (n <= 0 || reps <= 0 || reps > MAX_REPS) {
    fprintf(stderr, "usage: bench_overhead [tasks>0] [repetitions 1..%d]\n", MAX_REPS);
    return 2;
  }
  long rt_n = n / 10 > 0 ? n / 10 : 1;
  struct utsname u;
  uname(&u);
  printf("# cfutures executor overhead (no-op tasks)\n");
  printf("# executors and pools are created once per worker count, outside the timed region;\n"
         "# one warm-up repetition (not counted) precedes each measured set; repetitions\n"
         "# alternate between GThreadPool and cfutures so machine noise hits both alike\n");
  printf("# machine: %s %s, %ld CPUs online; tasks: %ld batched, %ld round-trip; repetitions: %d\n",
         u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN), n, rt_n, reps);
  printf("# speedup = GThreadPool median / cfutures median (> 1: cfutures faster)\n");
  printf("%-22s %7s %11s %11s %11s %12s %10s\n", "benchmark", "workers", "ns/task", "min", "max",
         "tasks/s", "speedup");
  cf_future **fs = malloc((size_t)n * sizeof *fs);
  if (!fs) return 1;
  int workers[] = {1, 2, 4};
  double v[MAX_REPS], g[MAX_REPS];
  for (int wi = 0; wi < 3; wi++) {
    int w = workers[wi];
    stat3 gs, *gp = NULL;
    cf_executor *ex = make(w);
#ifdef CF_HAVE_GLIB
    void *pool = cf_peer_glib.open(w);
#endif
    /* Repetitions alternate between the peer and cfutures (ABAB...), so a
     * burst of load on this shared machine hits both alike.  r = -1 is the
     * warm-up. */
    for (int r = -1; r < reps; r++) {
#ifdef CF_HAVE_GLIB
      double gx = cf_peer_glib.roundtrip(pool, rt_n);
      if (r >= 0) g[r] = gx;
#endif
      double vx = cf_roundtrip(ex, rt_n);
      if (r >= 0) v[r] = vx;
    }
#ifdef CF_HAVE_GLIB
    gs = summarize(g, reps);
    gp = &gs;
    row("gthreadpool/roundtrip", w, g, reps, NULL);
#endif
    row("cfutures/roundtrip", w, v, reps, gp);
    for (int r = -1; r < reps; r++) {
#ifdef CF_HAVE_GLIB
      double gx = cf_peer_glib.batched(pool, n);
      if (r >= 0) g[r] = gx;
#endif
      double vx = cf_batched(ex, n, fs);
      if (r >= 0) v[r] = vx;
    }
#ifdef CF_HAVE_GLIB
    gs = summarize(g, reps);
    row("gthreadpool/batched", w, g, reps, NULL);
#endif
    row("cfutures/batched", w, v, reps, gp);
    cf_executor_free(ex);
#ifdef CF_HAVE_GLIB
    cf_peer_glib.close(pool);
#endif
  }
#ifndef CF_HAVE_GLIB
  printf("# GThreadPool comparison not built (install libglib2.0-dev)\n");
#endif
  (void)g;
  free(fs);
  return 0;
}
