/* floors.c -- bench_floors: the floors that bench_peers and bench_process
 * measure cfutures against, run on their own, so anyone can rerun them
 * without cfutures or a peer library in the picture:
 *
 *   spsc-floor  batched, thread: an SPSC ring per consumer (peer_floor.c)
 *   spin-floor  round trip, thread: one word each way, both sides spin
 *   shm-spin    round trip, process: a forked child, shared memory, both
 *               sides spin (proc_floor.c)
 *   shm-futex   the same, both sides sleep on a futex for every hand-off
 *
 * Each floor runs R rounds after one warm-up round; the rows give ns per
 * task, median / min / max over the rounds.  The floors are the same code
 * bench_peers and bench_process use, so a figure here is the one their
 * ratios divide by (measured minutes apart, though: compare ratios from
 * one run, not from two).
 *
 * Usage: bench_floors [N=1000000] [R=7]  (the round trips run N/10) */
#define _GNU_SOURCE
#include <cfutures.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "peers.h"
#include "proc_floor.h"

enum { SPSC, SPIN, SHM_SPIN, SHM_FUTEX };

typedef struct floor_row {
  const char *shape, *name;
  int kind, workers;
} floor_row;

static const floor_row rows[] = {
    {"batched", "spsc-floor", SPSC, 1},       {"batched", "spsc-floor", SPSC, 2},
    {"batched", "spsc-floor", SPSC, 4},       {"roundtrip", "spin-floor", SPIN, 1},
    {"proc-rt", "shm-spin", SHM_SPIN, 1},     {"proc-rt", "shm-futex", SHM_FUTEX, 1},
};
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

/* One round of row r: ns per task, negative on failure. */
static double run_row(const floor_row *r, void *pool, long n) {
  switch (r->kind) {
  case SPSC: return cf_peer_spsc_floor.batched(pool, n);
  case SPIN: return cf_peer_spin_floor.roundtrip(pool, n / 10 > 0 ? n / 10 : 1);
  case SHM_SPIN: return proc_floor_roundtrip(n / 10 > 0 ? n / 10 : 1, PROC_FLOOR_SPIN);
  default: return proc_floor_roundtrip(n / 10 > 0 ? n / 10 : 1, PROC_FLOOR_FUTEX);
  }
}

static void *open_row(const floor_row *r) {
  if (r->kind == SPSC) return cf_peer_spsc_floor.open(r->workers);
  if (r->kind == SPIN) return cf_peer_spin_floor.open(r->workers);
  return NULL; /* the process floors fork a child per run */
}

static void close_row(const floor_row *r, void *pool) {
  if (r->kind == SPSC) cf_peer_spsc_floor.close(pool);
  else if (r->kind == SPIN) cf_peer_spin_floor.close(pool);
}

/* Rounds of one row; 1 on failure (named on stderr). */
static int measure(const floor_row *r, long n, int rounds) {
  double v[MAX_REPS];
  void *pool = open_row(r);
  if ((r->kind == SPSC || r->kind == SPIN) && !pool) {
    fprintf(stderr, "bench_floors: %s at W=%d: no pool (threads)\n", r->name, r->workers);
    return 1;
  }
  for (int k = -1; k < rounds; k++) {
    double x = run_row(r, pool, n);
    if (x <= 0) {
      fprintf(stderr, "bench_floors: %s at W=%d failed (fork, mmap or threads)\n", r->name, r->workers);
      close_row(r, pool);
      return 1;
    }
    if (k >= 0) v[k] = x;
  }
  close_row(r, pool);
  stat3 s = summarize(v, rounds);
  printf("%-10s %3d  %-10s %10.1f %9.1f %9.1f\n", r->shape, r->workers, r->name, s.median, s.min, s.max);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int rounds = argc > 2 ? atoi(argv[2]) : 7;
  if (argc > 3 || n <= 0 || rounds <= 0 || rounds > MAX_REPS) {
    fprintf(stderr, "usage: bench_floors [tasks>0] [rounds 1..%d]\n", MAX_REPS);
    return 2;
  }
  struct utsname u;
  uname(&u);
  printf("# bench_floors: the floors of bench_peers and bench_process, alone\n");
  printf("# machine: %s %s, %ld CPUs online\n", u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN));
  printf("# %ld tasks batched, %ld round trips; %d round%s + 1 warm-up; ns/task\n", n, n / 10 > 0 ? n / 10 : 1,
         rounds, rounds == 1 ? "" : "s");
  printf("%-10s %3s  %-10s %10s %9s %9s\n", "shape", "W", "floor", "median", "min", "max");
  int rc = 0;
  for (int i = 0; i < NROWS; i++) rc |= measure(&rows[i], n, rounds);
  return rc;
}
