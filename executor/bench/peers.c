/* peers.c -- bench_peers: cfutures beside the peer thread pools (GLib
 * GThreadPool, libuv uv_queue_work, oneTBB task_group, OpenMP tasks) and
 * beside floors of our own, alternated round by round in one process, the
 * order shuffled every round.
 *
 *   batched     submit N no-op tasks, then wait for all (W = 1, 2, 4)
 *   roundtrip   submit one no-op task, wait for it; N/10 times (W = 1, 2, 4)
 *   sleep       200 tasks of 10 ms at 256 workers: efficiency = ideal / time
 *   memory      N futures outstanding (submitted, not yet released): peak RSS
 *
 * Per contender and shape: min/median/max ns per task over R rounds, and
 * cfutures / contender from the same round (< 1: cfutures faster), its
 * min/median/max.  libuv sizes its one pool per process from
 * UV_THREADPOOL_SIZE, and peak RSS is per process, so each worker count and
 * the memory shape run in a child process of their own.
 *
 * Usage: bench_peers [N=1000000] [R=7]
 * BENCH_PEERS_ONLY=name,name,... runs only those contenders (cfutures always:
 * every ratio is taken against it), e.g. to profile cfutures alone. */
#define _GNU_SOURCE
#include <cfutures.h>

#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "peers.h"

extern char **environ;

#define SLEEP_TASKS 200
#define SLEEP_NS 10000000L
#define SLEEP_WORKERS 256
#define SETTLE_NS 5000000L /* between contenders: let spinning idle threads sleep */
/* A row is 80 columns: shape, W, contender, median/min/max of ns per task
 * (9 wide: up to 99999.9), the ratio's median/min/max. */

/* Every contender built into this binary; cfutures first. */
static const peer *const contenders[] = {
    &cf_peer_cfutures,
#ifdef CF_HAVE_GLIB
    &cf_peer_glib,
#endif
#ifdef CF_HAVE_UV
    &cf_peer_uv,
#endif
#ifdef CF_HAVE_TBB
    &cf_peer_tbb,
#endif
#ifdef CF_HAVE_OMP
    &cf_peer_omp,
#endif
    &cf_peer_spsc_floor,
    &cf_peer_spin_floor,
};
#define NC ((int)(sizeof contenders / sizeof contenders[0]))

typedef enum { SH_BATCHED, SH_ROUNDTRIP, SH_SLEEP } shape;
static const char *const shape_name[] = {"batched", "roundtrip", "sleep"};

static int has_shape(const peer *p, shape s) {
  return s == SH_BATCHED ? p->batched != NULL : s == SH_ROUNDTRIP ? p->roundtrip != NULL : p->sleeps != NULL;
}

static double run_one(const peer *p, void *pool, shape s, long n) {
  if (s == SH_BATCHED) return p->batched(pool, n);
  if (s == SH_ROUNDTRIP) return p->roundtrip(pool, n);
  return p->sleeps(pool, n, SLEEP_NS);
}

static void shuffle(int *v, int n) {
  for (int i = n - 1; i > 0; i--) {
    int j = rand() % (i + 1), t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}

/* A contender that pins this thread for its run (the floors do) must put
 * its affinity back, or every contender after it would run pinned. */
static void check_home(const peer *p, const cpu_set_t *home) {
  cpu_set_t now;
  if (sched_getaffinity(0, sizeof now, &now) == 0 && !CPU_EQUAL(&now, home)) {
    fprintf(stderr, "bench_peers: %s left the submitting thread pinned\n", p->name);
    exit(1);
  }
}

/* One shape at one worker count: R rounds (plus a warm-up), each running
 * every contender once in a fresh random order; then the table rows. */
static void run_shape(shape s, int w, void **pools, long n, int rounds, const cpu_set_t *home) {
  static double v[NC][MAX_REPS];
  int order[NC], k = 0;
  for (int i = 0; i < NC; i++)
    if (pools[i] && has_shape(contenders[i], s)) order[k++] = i;
  if (k == 0) return;
  for (int r = -1; r < rounds; r++) {
    shuffle(order, k);
    for (int j = 0; j < k; j++) {
      int i = order[j];
      bench_sleep_ns(SETTLE_NS);
      double x = run_one(contenders[i], pools[i], s, n);
      check_home(contenders[i], home);
      if (r >= 0) v[i][r] = x;
    }
  }
  double ideal = (double)((n + w - 1) / w) * (double)SLEEP_NS;
  for (int i = 0; i < NC; i++) {
    if (!pools[i] || !has_shape(contenders[i], s)) continue;
    double ratio[MAX_REPS], eff[MAX_REPS];
    for (int r = 0; r < rounds; r++) {
      ratio[r] = v[0][r] / v[i][r];
      eff[r] = ideal / v[i][r];
    }
    stat3 t = summarize(s == SH_SLEEP ? eff : v[i], rounds);
    stat3 q = summarize(ratio, rounds);
    const char *fmt = s == SH_SLEEP ? "%-9s %4d  %-11s %9.3f %9.3f %9.3f" : "%-9s %4d  %-11s %9.1f %9.1f %9.1f";
    printf(fmt, shape_name[s], w, contenders[i]->name, t.median, t.min, t.max);
    if (i == 0) printf("\n");
    else printf("   %6.2f %6.2f %6.2f\n", q.median, q.min, q.max);
  }
  fflush(stdout);
}

/* Whether BENCH_PEERS_ONLY (a comma-separated list of names) selects
 * contender i; unset: every contender.  cfutures is always in. */
static int selected(int i) {
  const char *only = getenv("BENCH_PEERS_ONLY");
  if (i == 0 || !only || !*only) return 1;
  size_t len = strlen(contenders[i]->name);
  for (const char *p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
    if (strncmp(p, contenders[i]->name, len) == 0 && (p[len] == ',' || p[len] == 0)) return 1;
  return 0;
}

static int child_workers(int w, long n, int rounds) {
  void *pools[NC];
  cpu_set_t home;
  if (sched_getaffinity(0, sizeof home, &home) != 0) return 1;
  for (int i = 0; i < NC; i++) /* at 256 workers, only those that run the sleep shape */
    pools[i] = selected(i) && (w != SLEEP_WORKERS || has_shape(contenders[i], SH_SLEEP)) ? contenders[i]->open(w)
                                                                                         : NULL;
  if (w == SLEEP_WORKERS) {
    run_shape(SH_SLEEP, w, pools, SLEEP_TASKS, rounds, &home);
  } else {
    run_shape(SH_BATCHED, w, pools, n, rounds, &home);
    run_shape(SH_ROUNDTRIP, w, pools, n / 10 > 0 ? n / 10 : 1, rounds, &home);
  }
  for (int i = 0; i < NC; i++)
    if (pools[i]) contenders[i]->close(pools[i]);
  return 0;
}

static long maxrss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* N futures outstanding at once in a fresh process: peak RSS. */
static int child_memory(long n) {
  cf_executor *ex;
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 2;
  if (cf_executor_new(&ex, &cfg)) return 1;
  cf_future **fs = malloc((size_t)n * sizeof *fs);
  if (!fs) return 1;
  long base = maxrss_kib();
  for (long i = 0; i < n; i++)
    if (cf_submit(ex, noop, NULL, 0, &fs[i])) abort();
  for (long i = 0; i < n; i++) {
    if (cf_future_result(fs[i], -1, NULL, NULL)) abort();
    cf_future_release(fs[i]);
  }
  long peak = maxrss_kib();
  printf("memory: %ld futures outstanding: peak RSS %.1f MB\n"
         "#   (%.1f MB before the first submit; %.0f bytes per future beyond it,\n"
         "#   with its %zu-byte pointer)\n",
         n, peak / 1024.0, base / 1024.0, (double)(peak - base) * 1024.0 / (double)n, sizeof *fs);
  cf_executor_free(ex);
  free(fs);
  return 0;
}

/* Run this program again as a child: argv (NULL-terminated), with
 * UV_THREADPOOL_SIZE=w in its environment. */
static int spawn_self(char *self, char **args, int w) {
  char uv[32];
  snprintf(uv, sizeof uv, "%d", w);
  setenv("UV_THREADPOOL_SIZE", uv, 1);
  fflush(stdout);
  pid_t pid;
  args[0] = self;
  if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0) return 1;
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "bench_peers: child for %s %s failed\n", args[1], args[2]);
    return 1;
  }
  return 0;
}

static void header(long n, int rounds) {
  struct utsname u;
  uname(&u);
  printf("# bench_peers: cfutures vs peer thread pools and floors, no-op tasks\n");
  printf("# machine: %s %s, %ld CPUs online\n"
         "# %ld tasks batched, %ld round trips; %d round%s + 1 warm-up, contenders\n"
         "# shuffled every round; pools made once, outside the timed region\n",
         u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN), n, n / 10 > 0 ? n / 10 : 1, rounds,
         rounds == 1 ? "" : "s");
  printf("# built in: ");
  for (int i = 0; i < NC; i++) printf("%s%s", i ? ", " : "", contenders[i]->name);
  printf("\n# ns/task (sleep: efficiency = %d x %ld ms ideal / measured)\n"
         "# cf/peer = cfutures / contender in the same round (< 1: cfutures faster)\n",
         SLEEP_TASKS, SLEEP_NS / 1000000);
  printf("%-9s %4s  %-11s %9s %9s %9s   %6s %6s %6s\n", "shape", "W", "contender", "median", "min", "max", "cf/med", "min",
         "max");
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "--child") == 0)
    return child_workers(atoi(argv[2]), atol(argv[3]), atoi(argv[4]));
  if (argc == 3 && strcmp(argv[1], "--memory") == 0) return child_memory(atol(argv[2]));
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int rounds = argc > 2 ? atoi(argv[2]) : 7;
  if (argc > 3 || n <= 0 || rounds <= 0 || rounds > MAX_REPS) {
    fprintf(stderr, "usage: bench_peers [tasks>0] [rounds 1..%d]\n", MAX_REPS);
    return 2;
  }
  srand((unsigned)time(NULL));
  header(n, rounds);
  char ns[32], rs[32], ws[32];
  snprintf(ns, sizeof ns, "%ld", n);
  snprintf(rs, sizeof rs, "%d", rounds);
  int rc = 0;
  const int workers[] = {1, 2, 4, SLEEP_WORKERS};
  for (int i = 0; i < 4; i++) {
    snprintf(ws, sizeof ws, "%d", workers[i]);
    char *args[] = {NULL, "--child", ws, ns, rs, NULL};
    rc |= spawn_self(argv[0], args, workers[i]);
  }
  char *margs[] = {NULL, "--memory", ns, NULL};
  rc |= spawn_self(argv[0], margs, 2);
  return rc;
}
