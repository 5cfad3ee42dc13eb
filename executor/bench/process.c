/* process.c -- the process backend's costs, shared-memory ring vs pipe
 * transport side by side in one run.
 *
 *   roundtrip     submit one no-op task, wait for its result, release; repeat
 *   rt-floor      the round-trip floors of proc_floor.c, in the same rounds:
 *                 a forked child and the parent handing a task back and forth
 *                 through shared words, spinning (shm column) or sleeping on
 *                 a futex each time (pipe column)
 *   rt/floor      per round: roundtrip / rt-floor (shm: over the spin floor,
 *                 pipe: over the futex floor); the target is within 2x
 *   rt-pinned     roundtrip placed as the floor is: this thread and a pool of
 *                 one worker pinned (cf_config.pin list) to the floor's two
 *                 CPUs, in the same rounds; rt-pinned/floor over the floor
 *   batched       submit N no-op tasks (chunksize 1), then collect them all
 *   map/1,/16,/256 cf_map over N uint64 items (N/4 at chunksize 1) (x + 1) at that chunksize,
 *                 consuming every result: cost per item
 *   start         cf_executor_new of a 2-worker pool until its first result
 *                 is back (workers forked and ready), and cf_executor_free;
 *                 measured first (small heap, as a fresh program) and again
 *                 last (after the runs above grew the heap: fork copies the
 *                 page tables, so a bigger parent starts workers slower)
 *   start/<G>GiB  the same with G GiB touched in the parent, per start
 *                 method, alternated round by round: fork, spawn,
 *                 forkserver/cold (no server running: the pool starts and
 *                 stops it), then cf_forkserver_start() (row
 *                 forkserver-start: the server's own start) and forkserver
 *                 (the server kept, as after cf_forkserver_start());
 *                 ratio = method / forkserver (> 1: forkserver faster).
 *                 The load average before and after is printed: the
 *                 machine may be shared.
 *
 * Prints the median (and min/max) over R repetitions (one warm-up first)
 * and the ratio pipe / shm (> 1: the shm ring is faster).
 * Usage: bench_process [N=200000] [R=5] [workers=2] [GiB list=1,4; 0: none] */
#define _GNU_SOURCE
#include <cfutures.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "proc_floor.h"

static cf_start_method g_start_method = CF_START_FORK;

static cf_executor *make(cf_transport t, int workers) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.start_method = g_start_method;
  cfg.backend = CF_BACKEND_PROCESS;
  cfg.transport = t;
  cfg.max_workers = workers;
  cf_executor *ex;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc) {
    fprintf(stderr, "bench_process: cf_executor_new: %s\n", cf_strerror(rc));
    exit(1);
  }
  return ex;
}

static double roundtrip(cf_executor *ex, long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    cf_future *f;
    if (cf_submit(ex, noop, NULL, 0, &f) || cf_future_result(f, -1, NULL, NULL)) abort();
    cf_future_release(f);
  }
  return (now_ns() - t0) / (double)n;
}

/* roundtrip() on a pool of one worker pinned to the floor's other CPU,
 * this thread on the floor's own (see proc_floor.c); unpinned if fewer
 * than two CPUs are allowed.  The pool's start is outside the timing. */
static double roundtrip_pinned(cf_transport t, long n) {
  cpu_set_t old;
  int mine, other;
  proc_floor_pick_cpus(&old, &mine, &other);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = CF_BACKEND_PROCESS;
  cfg.transport = t;
  cfg.max_workers = 1;
  if (other >= 0) {
    cfg.pin = CF_PIN_LIST;
    cfg.pin_list = &other;
    cfg.pin_list_len = 1;
  }
  cf_executor *ex;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc) {
    fprintf(stderr, "bench_process: cf_executor_new (pinned): %s\n", cf_strerror(rc));
    exit(1);
  }
  proc_floor_pin(other >= 0 ? mine : -1);
  roundtrip(ex, 1); /* the worker is up and pinned */
  double x = roundtrip(ex, n);
  if (other >= 0) sched_setaffinity(0, sizeof old, &old);
  cf_executor_free(ex);
  return x;
}

static cf_future **g_fs;

static double batched(cf_executor *ex, long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++)
    if (cf_submit(ex, noop, NULL, 0, &g_fs[i])) abort();
  for (long i = 0; i < n; i++) {
    if (cf_future_result(g_fs[i], -1, NULL, NULL)) abort();
    cf_future_release(g_fs[i]);
  }
  return (now_ns() - t0) / (double)n;
}

typedef struct seq_in {
  uint64_t next, end, cur;
} seq_in;

static int seq_next(void *ud, const void **arg, size_t *len) {
  seq_in *in = ud;
  if (in->next >= in->end) return 0;
  in->cur = in->next++;
  *arg = &in->cur;
  *len = 8;
  return 1;
}

static double map_items(cf_executor *ex, long n, size_t chunksize) {
  seq_in in = {0, (uint64_t)n, 0};
  cf_map_options opt;
  cf_map_options_init(&opt);
  opt.chunksize = chunksize;
  double t0 = now_ns();
  cf_map *m;
  if (cf_map_new(ex, add1, seq_next, &in, &opt, &m)) abort();
  const void *d;
  size_t len;
  uint64_t expect = 1;
  int rc;
  while ((rc = cf_map_next(m, &d, &len)) == 0) {
    uint64_t v;
    memcpy(&v, d, 8);
    if (v != expect++) abort();
  }
  if (rc != CF_EOF || expect != (uint64_t)n + 1) abort();
  cf_map_free(m);
  return (now_ns() - t0) / (double)n;
}

/* Pool start: new + first result (ns); *free_ns gets cf_executor_free. */
static double start_pool(cf_transport t, double *free_ns) {
  double t0 = now_ns();
  cf_executor *ex = make(t, 2);
  cf_future *f;
  if (cf_submit(ex, noop, NULL, 0, &f) || cf_future_result(f, -1, NULL, NULL)) abort();
  double t1 = now_ns();
  cf_future_release(f);
  cf_executor_free(ex);
  *free_ns = now_ns() - t1;
  return t1 - t0;
}

/* The verdict of a median against its target, as the rows end it. */
static void verdict(double median, double target) {
  if (target > 0) printf(" %s <=%g", median <= target ? "met" : "MISSED", target);
  printf("\n");
}

/* A row fits 80 columns: shm's median/min/max, pipe's median (its spread
 * is of no verdict; ab_process.sh and process_peers.sh read fields 3 and
 * 6), the ratio, the verdict. */
static void row(const char *name, const char *unit, double *shm, double *pipe, int reps, double target) {
  stat3 a = summarize(shm, reps), b = summarize(pipe, reps);
  printf("%-15s %-7s %8.3f %8.3f %8.3f %8.3f %6.2fx", name, unit, a.median, a.min, a.max, b.median,
         b.median / a.median);
  verdict(a.median, target);
}

static void start_rows(int reps, const char *name, const char *free_name) {
  double a[MAX_REPS], b[MAX_REPS], fa[MAX_REPS], fb[MAX_REPS];
  for (int r = -1; r < reps; r++) {
    double fx, fy;
    double x = start_pool(CF_TRANSPORT_SHM, &fx), y = start_pool(CF_TRANSPORT_PIPE, &fy);
    if (r >= 0) a[r] = x / 1e6, b[r] = y / 1e6, fa[r] = fx / 1e6, fb[r] = fy / 1e6;
  }
  row(name, "ms", a, b, reps, 2.0);
  row(free_name, "ms", fa, fb, reps, 0);
}

/* The start methods of the start/<G>GiB rows, in the order run. */
enum { SM_FORK, SM_SPAWN, SM_FSRV_COLD, SM_FSRV_START, SM_FSRV, SM_N };
static const char *const sm_name[SM_N] = {"fork", "spawn", "forkserver/cold", "forkserver-start", "forkserver"};

/* One round of the start/<G>GiB rows: every method once (ms into t). */
static void start_round(double t[SM_N]) {
  double fr;
  g_start_method = CF_START_FORK;
  t[SM_FORK] = start_pool(CF_TRANSPORT_SHM, &fr) / 1e6;
  g_start_method = CF_START_SPAWN;
  t[SM_SPAWN] = start_pool(CF_TRANSPORT_SHM, &fr) / 1e6;
  g_start_method = CF_START_FORKSERVER;
  cf_forkserver_stop();
  t[SM_FSRV_COLD] = start_pool(CF_TRANSPORT_SHM, &fr) / 1e6;
  double t0 = now_ns();
  if (cf_forkserver_start()) {
    fprintf(stderr, "bench_process: cf_forkserver_start: %s\n", cf_last_error_message());
    exit(1);
  }
  t[SM_FSRV_START] = (now_ns() - t0) / 1e6;
  t[SM_FSRV] = start_pool(CF_TRANSPORT_SHM, &fr) / 1e6;
  g_start_method = CF_START_FORK;
}

static void print_loadavg(const char *when) {
  char buf[128] = "?";
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) {
    if (!fgets(buf, sizeof buf, f)) strcpy(buf, "?");
    fclose(f);
  }
  buf[strcspn(buf, "\n")] = 0;
  printf("# load average %s: %s\n", when, buf);
}

/* Pool start with `gib` GiB touched in the parent, every start method in
 * every round (see the top of the file). */
static void start_heap_rows(int reps, double gib) {
  size_t bytes = (size_t)(gib * (double)(1ull << 30));
  unsigned char *heap = malloc(bytes);
  if (!heap) {
    printf("start/%gGiB: cannot allocate\n", gib);
    return;
  }
  long page = sysconf(_SC_PAGESIZE);
  for (size_t i = 0; i < bytes; i += (size_t)page) heap[i] = (unsigned char)i; /* touched: page tables exist */
  double v[SM_N][MAX_REPS];
  for (int r = -1; r < reps; r++) {
    double t[SM_N];
    start_round(t);
    for (int m = 0; r >= 0 && m < SM_N; m++) v[m][r] = t[m];
  }
  stat3 st[SM_N];
  for (int m = 0; m < SM_N; m++) st[m] = summarize(v[m], reps);
  char name[32];
  snprintf(name, sizeof name, "start/%gGiB", gib);
  for (int m = SM_N - 1; m >= 0; m--) {
    printf("%-14s %-16s %8.3f %8.3f %8.3f", name, sm_name[m], st[m].median, st[m].min, st[m].max);
    if (m != SM_FSRV_START) printf(" %8.2fx", st[m].median / st[SM_FSRV].median);
    verdict(st[m].median, m == SM_FSRV ? 2.0 : 0);
  }
  free(heap);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  int workers = argc > 3 ? atoi(argv[3]) : 2;
  if (n <= 0 || reps <= 0 || reps > MAX_REPS || workers <= 0) {
    fprintf(stderr, "usage: bench_process [items>0] [repetitions 1..%d] [workers>0]\n", MAX_REPS);
    return 2;
  }
  long rt_n = n / 10 > 0 ? n / 10 : 1;
  g_fs = malloc((size_t)n * sizeof *g_fs);
  if (!g_fs) return 1;
  struct utsname u;
  uname(&u);
  printf("# cfutures process backend: shm ring vs pipe transport (no-op tasks)\n");
  printf("# machine: %s %s, %ld CPUs online; workers %d\n"
         "# %ld round trips, %ld batched tasks / map items; %d repetition%s after\n"
         "# one warm-up\n",
         u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN), workers, rt_n, n, reps, reps == 1 ? "" : "s");
  printf("# pipe/shm = pipe median / shm median (> 1: shm faster).  CPython's\n"
         "# ProcessPoolExecutor beside it: ./run.sh process-peers\n");
  printf("%-15s %-7s %8s %8s %8s %8s %7s\n", "benchmark", "unit", "shm med", "min", "max", "pipe med",
         "pipe/shm");
  start_rows(reps, "start(2w)", "free(2w)");
  double a[MAX_REPS], b[MAX_REPS];
  cf_executor *es = make(CF_TRANSPORT_SHM, workers), *ep = make(CF_TRANSPORT_PIPE, workers);
  /* Interleave the transports so drift on a shared machine hits both. */
  double fa[MAX_REPS], fb[MAX_REPS], ra[MAX_REPS], rb[MAX_REPS];
  double pa[MAX_REPS], pb[MAX_REPS], qa[MAX_REPS], qb[MAX_REPS];
  for (int r = -1; r < reps; r++) {
    double x = roundtrip(es, rt_n), y = roundtrip(ep, rt_n);
    double fs = proc_floor_roundtrip(rt_n, PROC_FLOOR_SPIN), ff = proc_floor_roundtrip(rt_n, PROC_FLOOR_FUTEX);
    double px = roundtrip_pinned(CF_TRANSPORT_SHM, rt_n), py = roundtrip_pinned(CF_TRANSPORT_PIPE, rt_n);
    if (fs <= 0 || ff <= 0) {
      fprintf(stderr, "bench_process: the round-trip floor could not fork\n");
      exit(1);
    }
    if (r < 0) continue;
    a[r] = x / 1e3, b[r] = y / 1e3, fa[r] = fs / 1e3, fb[r] = ff / 1e3, ra[r] = x / fs, rb[r] = y / ff;
    pa[r] = px / 1e3, pb[r] = py / 1e3, qa[r] = px / fs, qb[r] = py / ff;
  }
  row("roundtrip", "us/task", a, b, reps, 5.0);
  row("rt-floor", "us/task", fa, fb, reps, 0);
  row("rt/floor", "ratio", ra, rb, reps, 2.0);
  row("rt-pinned", "us/task", pa, pb, reps, 0);
  row("rt-pinned/floor", "ratio", qa, qb, reps, 2.0);
  for (int r = -1; r < reps; r++) {
    double x = batched(es, n), y = batched(ep, n);
    if (r >= 0) a[r] = x / 1e3, b[r] = y / 1e3;
  }
  row("batched", "us/task", a, b, reps, 0.5); /* issue 20: several tasks in flight per worker */
  size_t chunks[] = {1, 16, 256};
  for (int c = 0; c < 3; c++) {
    long items = chunks[c] == 1 ? n / 4 : chunks[c] == 16 ? n : n * 5;
    for (int r = -1; r < reps; r++) {
      double x = map_items(es, items, chunks[c]), y = map_items(ep, items, chunks[c]);
      if (r >= 0) a[r] = x / 1e3, b[r] = y / 1e3;
    }
    char name[16];
    snprintf(name, sizeof name, "map/%zu", chunks[c]);
    row(name, "us/item", a, b, reps, chunks[c] == 1 ? 1.0 : chunks[c] == 256 ? 0.2 : 0);
  }
  cf_executor_free(es);
  cf_executor_free(ep);
  start_rows(reps, "start(2w)/late", "free(2w)/late");
  free(g_fs);
  printf("# pool of 2 (shm), new + first result (ms) per start method,\n# alternated per round\n");
  print_loadavg("before");
  printf("%-14s %-16s %8s %8s %8s %9s\n", "benchmark", "method", "median", "min", "max", "/fsrv");
  char list[64];
  snprintf(list, sizeof list, "%s", argc > 4 ? argv[4] : "1,4");
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    double gib = atof(tok);
    if (gib > 0) start_heap_rows(reps, gib);
  }
  print_loadavg("after");
  cf_forkserver_stop();
  return 0;
}
