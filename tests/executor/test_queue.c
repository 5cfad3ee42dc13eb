/* test_queue.c -- the thread backend's pending queue and its wake-ups:
 * bursts to an idle pool wake every worker they need (no lost wake-up),
 * submits racing with shutdown either fail with CF_ESHUTDOWN or complete,
 * shutdown with cancel_futures cancels everything still queued, and
 * argument / result buffers survive recycling at every size. */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define BURST 48
#define ROUNDS 20

static _Atomic int g_arrived[ROUNDS];

/* Arrive, then wait (up to 60 s: a hang bound, not a timing) until the
 * whole burst is running at once: only possible if every worker woke. */
static int t_rendezvous(const void *arg, size_t len, cf_result *out) {
  int round;
  memcpy(&round, arg, sizeof round);
  atomic_fetch_add(&g_arrived[round], 1);
  double t0 = now_s();
  while (atomic_load(&g_arrived[round]) < BURST) {
    if (now_s() - t0 > 60.0) return 1;
    sleep_ms(1);
  }
  return 0;
}

static void burst_wakes_every_worker(void) {
  cf_executor *ex = make_ex(BURST);
  for (int r = 0; r < ROUNDS; r++) {
    sleep_ms(20); /* the pool goes idle: its workers sleep */
    cf_future *fs[BURST];
    for (int i = 0; i < BURST; i++) fs[i] = submit_int(ex, t_rendezvous, r);
    for (int i = 0; i < BURST; i++) {
      CHECK_EQ(cf_future_result(fs[i], -1, NULL, NULL), 0);
      cf_future_release(fs[i]);
    }
  }
  cf_executor_free(ex);
}

typedef struct race {
  cf_executor *ex;
  _Atomic int go;
  long ok, refused;
} race;

static void *race_submitter(void *p) {
  race *rc = p;
  while (!atomic_load(&rc->go)) sched_yield();
  for (int i = 0; i < 20000; i++) {
    uint64_t v = (uint64_t)i;
    cf_future *f;
    int e = cf_submit(rc->ex, t_add1, &v, sizeof v, &f);
    if (e == CF_ESHUTDOWN) {
      rc->refused++;
      break;
    }
    CHECK_EQ(e, 0);
    CHECK_EQ(cf_future_result(f, 30.0, NULL, NULL), 0); /* queued, so it runs */
    cf_future_release(f);
    rc->ok++;
  }
  return NULL;
}

static void submit_races_shutdown(void) {
  for (int round = 0; round < 10; round++) {
    race rc[4];
    pthread_t th[4];
    cf_executor *ex = make_ex(2);
    for (int i = 0; i < 4; i++) {
      rc[i] = (race){ex, 0, 0, 0};
      CHECK_EQ(pthread_create(&th[i], NULL, race_submitter, &rc[i]), 0);
    }
    for (int i = 0; i < 4; i++) atomic_store(&rc[i].go, 1);
    sleep_ms(1 + round);
    CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    cf_executor_stats st;
    cf_executor_stats_get(ex, &st);
    long ok = 0;
    for (int i = 0; i < 4; i++) ok += rc[i].ok;
    CHECK_EQ(st.completed, ok);
    cf_executor_free(ex);
  }
}

static void shutdown_cancels_queued(void) {
  cf_executor *ex = make_ex(1);
  gates g;
  gates_init(&g);
  /* block holds the one worker until shutdown has cancelled the queue (5000
   * submits under a sanitizer on a loaded machine can outlast a sleep) */
  cf_future *block = submit_gate(ex, &g, 0);
  wait_running(block);
  enum { N = 5000 };
  cf_future **fs = malloc(N * sizeof *fs);
  for (int i = 0; i < N; i++) fs[i] = submit_int(ex, t_sleep, 0);
  gate_opener go;
  gate_open_when_done(&go, &g, 0, fs, N);
  CHECK_EQ(cf_executor_shutdown(ex, 1, 1), 0);
  gate_opener_join(&go);
  CHECK_EQ(result_int(block), 0);
  for (int i = 0; i < N; i++) {
    CHECK(cf_future_cancelled(fs[i]));
    CHECK_EQ(cf_future_result(fs[i], 0, NULL, NULL), CF_ECANCELED);
    cf_future_release(fs[i]);
  }
  free(fs);
  cf_future_release(block);
  cf_executor_free(ex);
  gates_free(&g);
}

static void buffers_survive_recycling(void) {
  cf_executor *ex = make_ex(2);
  const size_t sizes[] = {0, 1, 7, 16, 64, 65, 4096, 4097, 100000, 3, 0, 70000, 8};
  unsigned char *buf = malloc(100000);
  for (int rep = 0; rep < 50; rep++) {
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      size_t n = sizes[k];
      for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(i * 31 + k + (size_t)rep);
      cf_future *f;
      CHECK_EQ(cf_submit(ex, t_echo, buf, n, &f), 0);
      const void *d;
      size_t len;
      CHECK_EQ(cf_future_result(f, -1, &d, &len), 0);
      CHECK_EQ(len, n);
      CHECK(d != NULL);
      CHECK(n == 0 || memcmp(d, buf, n) == 0);
      cf_future_release(f);
    }
  }
  free(buf);
  cf_executor_free(ex);
}

/* Each worker counts its own completions; the totals must still be exact
 * when several submitters' tasks finish on every worker at once, failures
 * included (every third task fails). */
#define COUNT_SUBMITTERS 4
#define COUNT_TASKS 3000
static cf_executor *g_count_ex;

static void *count_submitter(void *p) {
  (void)p;
  for (int base = 0; base < COUNT_TASKS; base += 300) {
    cf_future *fs[300];
    for (int i = 0; i < 300; i++) {
      int v[2] = {0, (base + i) % 3 == 0 ? 7 : 0};
      CHECK_EQ(cf_submit(g_count_ex, t_sleep_fail, v, sizeof v, &fs[i]), 0);
    }
    for (int i = 0; i < 300; i++) {
      CHECK_EQ(cf_future_result(fs[i], -1, NULL, NULL), (base + i) % 3 == 0 ? CF_ETASK : 0);
      cf_future_release(fs[i]);
    }
  }
  return NULL;
}

static void counters_exact(void) {
  g_count_ex = make_ex(4);
  pthread_t th[COUNT_SUBMITTERS];
  for (int i = 0; i < COUNT_SUBMITTERS; i++) CHECK_EQ(pthread_create(&th[i], NULL, count_submitter, NULL), 0);
  for (int i = 0; i < COUNT_SUBMITTERS; i++) pthread_join(th[i], NULL);
  cf_executor_stats st;
  cf_executor_stats_get(g_count_ex, &st);
  const uint64_t all = COUNT_SUBMITTERS * COUNT_TASKS, failing = COUNT_SUBMITTERS * (COUNT_TASKS / 3);
  CHECK_EQ(st.submitted, all);
  CHECK_EQ(st.failed, failing);
  CHECK_EQ(st.completed, all - failing);
  cf_executor_free(g_count_ex);
}

/* Several submitters, each pausing long enough for the idle workers to go
 * to sleep (spin, yield, futex), then submitting a small burst: every burst
 * must be run, so no wake-up is lost between a push and a falling-asleep
 * worker.  60 s per result bounds a hang; a lost wake-up shows as
 * CF_ETIMEDOUT (or as TSan's report of the race behind it). */
#define WAKE_SUBMITTERS 4
#define WAKE_ROUNDS 150
static cf_executor *g_wake_ex;

static void *wake_submitter(void *p) {
  unsigned seed = (unsigned)(uintptr_t)p;
  for (int r = 0; r < WAKE_ROUNDS; r++) {
    sleep_ms(rand_r(&seed) % 3); /* 0-2 ms: some workers asleep, some not */
    int n = 1 + rand_r(&seed) % 8;
    cf_future *fs[8];
    for (int i = 0; i < n; i++) {
      uint64_t v = (uint64_t)i;
      CHECK_EQ(cf_submit(g_wake_ex, t_add1, &v, sizeof v, &fs[i]), 0);
    }
    for (int i = 0; i < n; i++) {
      CHECK_EQ(cf_future_result(fs[i], 60.0, NULL, NULL), 0);
      cf_future_release(fs[i]);
    }
  }
  return NULL;
}

static void wakeups_from_many_submitters(void) {
  g_wake_ex = make_ex(8);
  pthread_t th[WAKE_SUBMITTERS];
  for (uintptr_t i = 0; i < WAKE_SUBMITTERS; i++)
    CHECK_EQ(pthread_create(&th[i], NULL, wake_submitter, (void *)(i + 1)), 0);
  for (int i = 0; i < WAKE_SUBMITTERS; i++) pthread_join(th[i], NULL);
  cf_executor_stats st;
  cf_executor_stats_get(g_wake_ex, &st);
  CHECK_EQ(st.completed, st.submitted);
  cf_executor_free(g_wake_ex);
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  static const test_case cases[] = {{"burst_wakes_every_worker", burst_wakes_every_worker},
                                    {"submit_races_shutdown", submit_races_shutdown},
                                    {"shutdown_cancels_queued", shutdown_cancels_queued},
                                    {"buffers_survive_recycling", buffers_survive_recycling},
                                    {"counters_exact", counters_exact},
                                    {"wakeups_from_many_submitters", wakeups_from_many_submitters},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
