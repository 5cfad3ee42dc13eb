/* mpi.c -- the MPI backend's costs against the process backend's, and
 * against MPI's own latency, alternated round by round in one run.
 *
 *   pingpong      a bare MPI ping-pong of an 8-byte message between rank 0
 *                 and rank 1 (on a communicator of our own): MPI's floor
 *   roundtrip     submit one no-op task, wait for its result; repeat
 *   batched       submit N no-op tasks, then collect them all
 *   map/1,16,256  cf_map over N uint64 items (x + 1) at that chunksize
 *
 * Each round runs every case once on the mpi backend and once on the
 * process backend (same worker count), in that order, so drift hits
 * both; per case it prints the min/median/max cost per task (per item for
 * map) over the rounds, the median of the per-round ratios mpi / process,
 * and, for roundtrip, how much of the mpi cost a bare ping-pong explains.
 *
 * Run under mpiexec with 1 + workers ranks (ranks != 0 serve):
 *   mpiexec -n 3 --oversubscribe bench_mpi [N=2000] [R=5]
 * The ping-pong partner is a thread of rank 1 (MPI_THREAD_MULTIPLE), so
 * it crosses the same transport (vader on one machine) as the tasks. */
#include <cfutures.h>

#include <mpi.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define PP_TAG 77

static cf_executor *make(cf_backend b, int workers) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = b;
  cfg.max_workers = workers;
  cf_executor *ex = NULL;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc) {
    fprintf(stderr, "bench_mpi: cf_executor_new(%s): %s\n", b == CF_BACKEND_MPI ? "mpi" : "process",
            cf_strerror(rc));
    exit(1);
  }
  return ex;
}

static void must(int rc, const char *what) {
  if (rc) {
    fprintf(stderr, "bench_mpi: %s: %s\n", what, cf_strerror(rc));
    exit(1);
  }
}

static double t_roundtrip(cf_executor *ex, int n) {
  double t0 = now_ns();
  for (int i = 0; i < n; i++) {
    cf_future *f;
    must(cf_submit(ex, noop, NULL, 0, &f), "submit");
    must(cf_future_result(f, -1, NULL, NULL), "result");
    cf_future_release(f);
  }
  return (now_ns() - t0) / n;
}

static double t_batched(cf_executor *ex, int n) {
  cf_future **fs = malloc((size_t)n * sizeof *fs);
  double t0 = now_ns();
  for (int i = 0; i < n; i++) must(cf_submit(ex, noop, NULL, 0, &fs[i]), "submit");
  for (int i = 0; i < n; i++) {
    must(cf_future_result(fs[i], -1, NULL, NULL), "result");
    cf_future_release(fs[i]);
  }
  double t = (now_ns() - t0) / n;
  free(fs);
  return t;
}

typedef struct counter {
  uint64_t next, n, item;
} counter;

static int next_item(void *ud, const void **arg, size_t *len) {
  counter *c = ud;
  if (c->next == c->n) return 0;
  c->item = c->next++;
  *arg = &c->item;
  *len = 8;
  return 1;
}

static double t_map(cf_executor *ex, int n, size_t chunk) {
  counter c = {0, (uint64_t)n, 0};
  cf_map_options o;
  cf_map_options_init(&o);
  o.chunksize = chunk;
  cf_map *m;
  double t0 = now_ns();
  must(cf_map_new(ex, add1, next_item, &c, &o, &m), "map");
  const void *d;
  size_t len;
  uint64_t want = 1;
  int rc;
  while ((rc = cf_map_next(m, &d, &len)) == 0) {
    uint64_t v;
    memcpy(&v, d, 8);
    if (v != want++) {
      fprintf(stderr, "bench_mpi: map result out of order\n");
      exit(1);
    }
  }
  if (rc != CF_EOF) must(rc, "map_next");
  cf_map_free(m);
  return (now_ns() - t0) / n;
}

/* The ping-pong partner: a thread of rank 1, started before rank 1 enters
 * cf_mpi_init, on a communicator of its own.  It polls (MPI_Improbe) and
 * naps 1 ms once idle for 1 ms, so it costs little while the executors
 * run; the first ping of each round wakes it and is not timed. */
static void *pong_main(void *p) {
  MPI_Comm comm = *(MPI_Comm *)p;
  double idle_since = now_ns();
  for (;;) {
    int flag = 0;
    MPI_Message msg;
    MPI_Status st;
    MPI_Improbe(0, MPI_ANY_TAG, comm, &flag, &msg, &st);
    if (!flag) {
      if (now_ns() - idle_since > 1e6) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
      }
      continue;
    }
    uint64_t v;
    MPI_Mrecv(&v, 8, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == PP_TAG + 1) return NULL; /* stop */
    MPI_Send(&v, 8, MPI_BYTE, 0, PP_TAG, comm);
    idle_since = now_ns();
  }
}

static double t_pingpong(MPI_Comm comm, int n) {
  uint64_t v = 1;
  MPI_Send(&v, 8, MPI_BYTE, 1, PP_TAG, comm); /* wake the partner */
  MPI_Recv(&v, 8, MPI_BYTE, 1, PP_TAG, comm, MPI_STATUS_IGNORE);
  double t0 = now_ns();
  for (int i = 0; i < n; i++) {
    MPI_Send(&v, 8, MPI_BYTE, 1, PP_TAG, comm);
    MPI_Recv(&v, 8, MPI_BYTE, 1, PP_TAG, comm, MPI_STATUS_IGNORE);
  }
  return (now_ns() - t0) / n;
}

enum { C_RT, C_BATCH, C_MAP1, C_MAP16, C_MAP256, NCASES };
static const char *case_name[NCASES] = {"roundtrip", "batched", "map/1", "map/16", "map/256"};
static const size_t map_chunk[NCASES] = {0, 0, 1, 16, 256};

static double run_case(int c, cf_executor *ex, int n) {
  switch (c) {
  case C_RT: return t_roundtrip(ex, n);
  case C_BATCH: return t_batched(ex, n);
  default: return t_map(ex, n, map_chunk[c]);
  }
}

static void print_row(const char *name, double *v, int r) {
  stat3 s = summarize(v, r);
  printf("%-22s %10.2f %10.2f %10.2f\n", name, s.min / 1e3, s.median / 1e3, s.max / 1e3);
}

int main(int argc, char **argv) {
  /* MPI first, by us, so rank 1 can start its ping-pong partner before it
   * enters cf_mpi_init (which then uses this MPI as it is). */
  int level = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &level);
  if (level != MPI_THREAD_MULTIPLE) {
    fprintf(stderr, "bench_mpi: needs MPI_THREAD_MULTIPLE (got %d)\n", level);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  int rank;
  MPI_Comm pp;
  MPI_Comm_dup(MPI_COMM_WORLD, &pp);
  MPI_Comm_rank(pp, &rank);
  pthread_t pong;
  if (rank == 1) pthread_create(&pong, NULL, pong_main, &pp);
  int rc = cf_mpi_init(&argc, &argv);
  if (rc == CF_MPI_WORKER_DONE) {
    if (rank == 1) pthread_join(pong, NULL);
    MPI_Comm_free(&pp);
    MPI_Finalize();
    return 0;
  }
  must(rc < 0 ? rc : 0, "cf_mpi_init");
  int n = argc > 1 ? atoi(argv[1]) : 2000, r = argc > 2 ? atoi(argv[2]) : 5;
  int workers = cf_mpi_workers();
  if (n <= 0 || r <= 0 || r > MAX_REPS || workers < 1) {
    fprintf(stderr, "usage: mpiexec -n 1+W bench_mpi [N>0] [1<=R<=%d] (worker ranks: %d)\n", MAX_REPS,
            workers);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  cf_executor *mx = make(CF_BACKEND_MPI, workers), *px = make(CF_BACKEND_PROCESS, workers);
  static double v_mpi[NCASES][MAX_REPS], v_proc[NCASES][MAX_REPS], ratio[NCASES][MAX_REPS];
  static double v_pp[MAX_REPS], pp_share[MAX_REPS];
  for (int c = 0; c < NCASES; c++) { /* warm-up */
    run_case(c, mx, n / 10 + 1);
    run_case(c, px, n / 10 + 1);
  }
  for (int k = 0; k < r; k++) {
    for (int c = 0; c < NCASES; c++) {
      v_mpi[c][k] = run_case(c, mx, n);
      v_proc[c][k] = run_case(c, px, n);
      ratio[c][k] = v_mpi[c][k] / v_proc[c][k];
    }
    v_pp[k] = t_pingpong(pp, n);
    pp_share[k] = v_pp[k] / v_mpi[C_RT][k];
  }
  printf("mpi backend vs process backend, %d worker(s), N=%d, %d rounds alternated\n", workers, n, r);
  printf("cost per task (map: per item) in us\n");
  printf("%-22s %10s %10s %10s\n", "case", "min", "median", "max");
  char name[64];
  for (int c = 0; c < NCASES; c++) {
    snprintf(name, sizeof name, "%s mpi", case_name[c]);
    print_row(name, v_mpi[c], r);
    snprintf(name, sizeof name, "%s process", case_name[c]);
    print_row(name, v_proc[c], r);
  }
  print_row("MPI ping-pong 0<->1", v_pp, r);
  printf("\nratio mpi / process per round (median [min, max]; > 1: mpi slower)\n");
  for (int c = 0; c < NCASES; c++) {
    stat3 s = summarize(ratio[c], r);
    printf("%-22s %8.2f [%.2f, %.2f]\n", case_name[c], s.median, s.min, s.max);
  }
  {
    stat3 s = summarize(pp_share, r);
    printf("\nMPI ping-pong / mpi roundtrip per round: %.3f [%.3f, %.3f]: the rest is the executor\n"
           "(client progress thread, the rank's loop, its local process pool)\n",
           s.median, s.min, s.max);
  }
  cf_executor_free(mx);
  cf_executor_free(px);
  uint64_t stop = 0;
  MPI_Send(&stop, 8, MPI_BYTE, 1, PP_TAG + 1, pp);
  cf_mpi_finalize();
  MPI_Comm_free(&pp);
  MPI_Finalize();
  return 0;
}
