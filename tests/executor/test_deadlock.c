/* test_deadlock.c -- the seeds' hangs return CF_EDEADLK naming the cycle
 * instead of hanging; CF_DEADLOCK_HELP runs a pending awaited task inline;
 * a timed wait without deadlock still times out.  Thread backend only. */
#include "common.h"

#include <stdatomic.h>

static cf_executor *g_ex;
static _Atomic(cf_future *) g_slot[2];

/* Case 1: submit to the own pool and wait (max_workers = 1). */
static int t_nested_wait(const void *arg, size_t len, cf_result *out) {
  cf_future *inner;
  int rc = cf_submit(g_ex, t_sleep, &(int){1}, sizeof(int), &inner);
  if (rc) return rc;
  const void *d;
  rc = cf_future_result(inner, -1, &d, NULL);
  if (rc == 0) rc = cf_result_set(out, d, sizeof(int));
  cf_future_release(inner);
  return rc;
}

static cf_executor *make_pool(int workers, cf_deadlock_policy pol) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  cfg.on_deadlock = pol;
  return make_ex_cfg(&cfg);
}

static void nested_submit_one_worker(void) {
  g_ex = make_pool(1, CF_DEADLOCK_ERROR);
  cf_future *f;
  CHECK_EQ(cf_submit(g_ex, t_nested_wait, NULL, 0, &f), 0);
  CHECK_EQ(cf_future_result(f, 10, NULL, NULL), CF_ETASK);
  CHECK_EQ(cf_future_task_code(f), CF_EDEADLK);
  char msg[512];
  CHECK_EQ(cf_executor_last_deadlock(g_ex, msg, sizeof msg), 0);
  fprintf(stderr, "   message: %s\n", msg);
  CHECK_STR_CONTAINS(msg, "task 1 (worker 0) waits on task 2");
  CHECK_STR_CONTAINS(msg, "pending while the only worker is blocked in a wait");
  cf_executor_stats st;
  cf_executor_stats_get(g_ex, &st);
  CHECK_EQ(st.deadlocks, 1);
  cf_future_release(f);
  cf_executor_free(g_ex);
}

static void nested_submit_help(void) {
  g_ex = make_pool(1, CF_DEADLOCK_HELP);
  cf_future *f;
  CHECK_EQ(cf_submit(g_ex, t_nested_wait, NULL, 0, &f), 0);
  CHECK_EQ(result_int(f), 1); /* completes: the inner task ran inline */
  cf_executor_stats st;
  cf_executor_stats_get(g_ex, &st);
  CHECK_EQ(st.helped, 1);
  CHECK_EQ(st.deadlocks, 0);
  CHECK_EQ(cf_executor_last_deadlock(g_ex, NULL, 0), CF_EAGAIN);
  cf_future_release(f);
  cf_executor_free(g_ex);
}

/* Case 2: task a waits on b, b waits on a (max_workers = 2). */
static int t_wait_other(const void *arg, size_t len, cf_result *out) {
  int me;
  memcpy(&me, arg, sizeof me);
  cf_future *other;
  while (!(other = atomic_load(&g_slot[1 - me]))) sleep_ms(1);
  /* make sure both are running before either waits */
  while (!cf_future_running(other) && !cf_future_done(other)) sleep_ms(1);
  return cf_future_result(other, -1, NULL, NULL);
}

static void mutual_wait(cf_deadlock_policy pol) {
  g_ex = make_pool(2, pol);
  atomic_store(&g_slot[0], NULL);
  atomic_store(&g_slot[1], NULL);
  cf_future *a = submit_int(g_ex, t_wait_other, 0);
  cf_future *b = submit_int(g_ex, t_wait_other, 1);
  atomic_store(&g_slot[0], a);
  atomic_store(&g_slot[1], b);
  CHECK_EQ(cf_wait((cf_future *[]){a, b}, 2, CF_ALL_COMPLETED, 10, NULL), 0);
  /* exactly one of them saw the deadlock; the other got its failure */
  int da = cf_future_task_code(a) == CF_EDEADLK, db = cf_future_task_code(b) == CF_EDEADLK;
  CHECK_EQ(da + db, 1);
  cf_future *other = da ? b : a;
  CHECK_EQ(cf_future_task_code(other), CF_ETASK);
  char msg[512];
  CHECK_EQ(cf_executor_last_deadlock(g_ex, msg, sizeof msg), 0);
  fprintf(stderr, "   message: %s\n", msg);
  CHECK_STR_CONTAINS(msg, "a cycle");
  CHECK_STR_CONTAINS(msg, da ? "task 1 (worker" : "task 2 (worker");
  CHECK_STR_CONTAINS(msg, da ? "waits on task 2" : "waits on task 1");
  cf_future_release(a);
  cf_future_release(b);
  cf_executor_free(g_ex);
}

static void mutual_wait_error(void) { mutual_wait(CF_DEADLOCK_ERROR); }
static void mutual_wait_help(void) { mutual_wait(CF_DEADLOCK_HELP); } /* HELP cannot break a cycle */

/* Case 3: nested fan-out deeper than the pool. */
static int t_fan(const void *arg, size_t len, cf_result *out) {
  int depth;
  memcpy(&depth, arg, sizeof depth);
  if (depth == 0) return cf_result_set(out, &(int){1}, sizeof(int));
  cf_future *kids[2];
  int d1 = depth - 1;
  int rc = 0, sum = 1;
  for (int i = 0; i < 2; i++) {
    rc = cf_submit(g_ex, t_fan, &d1, sizeof d1, &kids[i]);
    if (rc) { /* the pool shut down after an earlier deadlock */
      while (i--) cf_future_release(kids[i]);
      return rc;
    }
  }
  for (int i = 0; i < 2; i++) {
    const void *d;
    int r = cf_future_result(kids[i], -1, &d, NULL);
    if (r == CF_ETASK) r = cf_future_task_code(kids[i]);
    if (r == 0) sum += *(const int *)d;
    else if (!rc) rc = r;
  }
  for (int i = 0; i < 2; i++) cf_future_release(kids[i]);
  if (rc) return rc;
  return cf_result_set(out, &sum, sizeof sum);
}

static void fanout_deeper_than_pool(void) {
  g_ex = make_pool(2, CF_DEADLOCK_ERROR);
  cf_future *f = submit_int(g_ex, t_fan, 3);
  CHECK_EQ(cf_future_result(f, 20, NULL, NULL), CF_ETASK);
  CHECK_EQ(cf_future_task_code(f), CF_EDEADLK);
  char msg[512];
  CHECK_EQ(cf_executor_last_deadlock(g_ex, msg, sizeof msg), 0);
  fprintf(stderr, "   message: %s\n", msg);
  CHECK_STR_CONTAINS(msg, "pending while all 2 workers are blocked");
  cf_future_release(f);
  cf_executor_free(g_ex);

  /* HELP: the same fan-out completes, 1 + 2 + 4 + 8 nodes */
  g_ex = make_pool(2, CF_DEADLOCK_HELP);
  f = submit_int(g_ex, t_fan, 3);
  CHECK_EQ(result_int(f), 15);
  cf_future_release(f);
  cf_executor_free(g_ex);
}

/* A timed wait on a future that merely runs long is not a deadlock. */
static int t_wait_timeout(const void *arg, size_t len, cf_result *out) {
  cf_future *slow = atomic_load(&g_slot[0]);
  double t0 = now_s();
  int rc = cf_future_result(slow, 0.1, NULL, NULL);
  double took = now_s() - t0;
  /* the bound is loose (20x): this checks "timed out, not deadlocked", not
   * timer precision; the awaited task is gated, so a late wake-up on a
   * loaded machine still finds it running */
  int ok = rc == CF_ETIMEDOUT && took >= 0.099 && took < 2.0;
  return cf_result_set(out, &ok, sizeof ok);
}

static void timeout_without_deadlock(void) {
  g_ex = make_pool(2, CF_DEADLOCK_ERROR);
  gates g;
  gates_init(&g);
  cf_future *slow = submit_gate(g_ex, &g, 0);
  wait_running(slow);
  atomic_store(&g_slot[0], slow);
  cf_future *w = submit_int(g_ex, t_wait_timeout, 0);
  CHECK_EQ(result_int(w), 1);
  CHECK_EQ(cf_executor_last_deadlock(g_ex, NULL, 0), CF_EAGAIN);
  gate_open(&g, 0);
  cf_future_release(w);
  cf_future_release(slow);
  cf_executor_free(g_ex);
  gates_free(&g);
}

/* Waiting on the own future is a cycle of one. */
static int t_wait_self(const void *arg, size_t len, cf_result *out) {
  cf_future *self;
  while (!(self = atomic_load(&g_slot[0]))) sleep_ms(1);
  return cf_future_result(self, -1, NULL, NULL);
}

static void wait_on_self(void) {
  g_ex = make_pool(2, CF_DEADLOCK_ERROR);
  atomic_store(&g_slot[0], NULL);
  cf_future *f = submit_int(g_ex, t_wait_self, 0);
  atomic_store(&g_slot[0], f);
  CHECK_EQ(cf_future_result(f, 10, NULL, NULL), CF_ETASK);
  CHECK_EQ(cf_future_task_code(f), CF_EDEADLK);
  cf_future_release(f);
  cf_executor_free(g_ex);
}

/* shutdown(wait) from inside the pool would join itself. */
static int t_shutdown_self(const void *arg, size_t len, cf_result *out) {
  int rc = cf_executor_shutdown(g_ex, 1, 0);
  return cf_result_set(out, &rc, sizeof rc);
}

static void shutdown_from_task(void) {
  g_ex = make_pool(1, CF_DEADLOCK_ERROR);
  cf_future *f = submit_int(g_ex, t_shutdown_self, 0);
  CHECK_EQ(result_int(f), CF_EDEADLK);
  cf_future_release(f);
  cf_executor_free(g_ex);
}

/* Freeing the pool from inside one of its tasks must neither hang nor touch
 * freed memory (ASan): the last reference, held by a worker, frees it. */
static int t_free_self(const void *arg, size_t len, cf_result *out) {
  cf_executor_free(g_ex);
  return 0;
}

static void free_from_task(void) {
  g_ex = make_pool(2, CF_DEADLOCK_ERROR);
  cf_future *f = submit_int(g_ex, t_free_self, 0);
  CHECK_EQ(cf_future_result(f, 10, NULL, NULL), 0);
  cf_future *g;
  CHECK_EQ(cf_submit(g_ex, t_sleep, &(int){1}, sizeof(int), &g), CF_ESHUTDOWN);
  cf_future_release(f); /* may free the executor if the workers are gone */
  sleep_ms(50);         /* let the workers exit under ASan's eye */
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  static const test_case cases[] = {
      {"nested_submit_one_worker", nested_submit_one_worker},
      {"nested_submit_help", nested_submit_help},
      {"mutual_wait_error", mutual_wait_error},
      {"mutual_wait_help", mutual_wait_help},
      {"fanout_deeper_than_pool", fanout_deeper_than_pool},
      {"timeout_without_deadlock", timeout_without_deadlock},
      {"wait_on_self", wait_on_self},
      {"shutdown_from_task", shutdown_from_task},
      {"free_from_task", free_from_task},
      {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
