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

/* A row: a thread floor (peer: its descriptor in bench_peers) or a
 * process floor (peer NULL: proc_floor.c forks a child per run). */
typedef struct floor_row {
  const char *shape;
  const peer *peer;
  proc_floor_kind kind;
  int workers;
} floor_row;

static const floor_row rows[] = {
    {"batched", &cf_peer_spsc_floor, 0, 1}, {"batched", &cf_peer_spsc_floor, 0, 2},
    {"batched", &cf_peer_spsc_floor, 0, 4}, {"roundtrip", &cf_peer_spin_floor, 0, 1},
    {"proc-rt", NULL, PROC_FLOOR_SPIN, 1},  {"proc-rt", NULL, PROC_FLOOR_FUTEX, 1},
};
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

static const char *row_name(const floor_row *r) {
  return r->peer ? r->peer->name : r->kind == PROC_FLOOR_SPIN ? "shm-spin" : "shm-futex";
}

/* Round trips in a round of N tasks, as bench_peers and bench_process run. */
static long roundtrips(long n) { return n / 10 > 0 ? n / 10 : 1; }

/* One round of row r: ns per task, negative on failure. */
static double run_row(const floor_row *r, void *pool, long n) {
  if (!r->peer) return proc_floor_roundtrip(roundtrips(n), r->kind);
  return r->peer->batched ? r->peer->batched(pool, n) : r->peer->roundtrip(pool, roundtrips(n));
}

/* Rounds of one row; 1 on failure (named on stderr). */
static int measure(const floor_row *r, long n, int rounds) {
  double v[MAX_REPS];
  void *pool = r->peer ? r->peer->open(r->workers) : NULL;
  if (r->peer && !pool) {
    fprintf(stderr, "bench_floors: %s at W=%d: no pool (threads)\n", row_name(r), r->workers);
    return 1;
  }
  int ok = 1;
  for (int k = -1; k < rounds && ok; k++) {
    double x = run_row(r, pool, n);
    if (x <= 0) fprintf(stderr, "bench_floors: %s at W=%d failed (fork, mmap or threads)\n", row_name(r), r->workers);
    ok = x > 0;
    if (ok && k >= 0) v[k] = x;
  }
  if (r->peer) r->peer->close(pool);
  if (!ok) return 1;
  stat3 s = summarize(v, rounds);
  printf("%-10s %3d  %-10s %10.1f %9.1f %9.1f\n", r->shape, r->workers, row_name(r), s.median, s.min, s.max);
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
  printf("# %ld tasks batched, %ld round trips; %d round%s + 1 warm-up; ns/task\n", n, roundtrips(n), rounds,
         rounds == 1 ? "" : "s");
  printf("%-10s %3s  %-10s %10s %9s %9s\n", "shape", "W", "floor", "median", "min", "max");
  int rc = 0;
  for (int i = 0; i < NROWS; i++) rc |= measure(&rows[i], n, rounds);
  return rc;
}
