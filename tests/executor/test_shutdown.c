/* test_shutdown.c -- cf_executor_shutdown with and without wait and
 * cancel_futures, and freeing with work outstanding. */
#include "common.h"

static void shutdown_wait_runs_pending(void) {
  cf_executor *ex = make_ex(1);
  cf_future *fs[5];
  for (int i = 0; i < 5; i++) fs[i] = submit_int(ex, t_sleep, 20);
  CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0);
  for (int i = 0; i < 5; i++) {
    CHECK_EQ(cf_future_state_get(fs[i]), CF_FINISHED); /* all done on return */
    CHECK_EQ(result_int(fs[i]), 20);
    cf_future_release(fs[i]);
  }
  cf_executor_free(ex);
}

static void shutdown_cancel_futures(void) {
  cf_executor *ex = make_ex(1);
  cf_future *running = submit_int(ex, t_sleep, 200);
  cf_future *fs[5];
  /* 20 s each: running any of them would take 20 s, far past the bound
   * below (which a loaded machine cannot reach with the 0.2 s task) */
  for (int i = 0; i < 5; i++) fs[i] = submit_int(ex, t_sleep, 20000);
  wait_running(running);
  double t0 = now_s();
  CHECK_EQ(cf_executor_shutdown(ex, 1, 1), 0);
  CHECK(now_s() - t0 < 10); /* did not run the 20 s tasks */
  CHECK_EQ(result_int(running), 200);
  for (int i = 0; i < 5; i++) {
    CHECK(cf_future_cancelled(fs[i]));
    CHECK_EQ(cf_future_result(fs[i], 0, NULL, NULL), CF_ECANCELED);
    cf_future_release(fs[i]);
  }
  cf_future_release(running);
  cf_executor_free(ex);
}

static void shutdown_nowait(void) {
  cf_executor *ex = make_ex(2);
  gates gt;
  gates_init(&gt);
  /* gated: neither can end before its gate opens, after shutdown returned */
  cf_future *f = submit_gate(ex, &gt, 0);
  cf_future *g = submit_gate(ex, &gt, 1);
  CHECK_EQ(cf_executor_shutdown(ex, 0, 0), 0);
  CHECK(!cf_future_done(f) && !cf_future_done(g)); /* returned without waiting for them */
  CHECK_EQ(cf_submit(ex, t_sleep, &(int){1}, sizeof(int), &(cf_future *){NULL}), CF_ESHUTDOWN);
  gate_open(&gt, 0);
  gate_open(&gt, 1);
  CHECK_EQ(result_int(f), 0); /* queued work still runs */
  CHECK_EQ(result_int(g), 1);
  cf_executor_free(ex);
  cf_future_release(f);
  cf_future_release(g);
  gates_free(&gt);
}

static void free_with_outstanding(void) {
  cf_executor *ex = make_ex(2);
  cf_future *fs[8];
  for (int i = 0; i < 8; i++) fs[i] = submit_int(ex, t_sleep, 5);
  cf_executor_free(ex); /* waits, keeps futures */
  for (int i = 0; i < 8; i++) {
    CHECK(cf_future_done(fs[i]));
    CHECK_EQ(result_int(fs[i]), 5);
    cf_future_release(fs[i]);
  }
}

/* Submitters racing with shutdown: every submit that succeeded must be run
 * (or cancelled) by the time shutdown(wait=1) returns; none may be stranded
 * in a queue that the exiting workers no longer read. */
#include <pthread.h>
#define RACERS 4
#define PER_RACER 2000
static cf_executor *g_race_ex;
static cf_future *g_race_fs[RACERS][PER_RACER];

static void *racer(void *p) {
  size_t t = (size_t)(uintptr_t)p;
  for (int i = 0; i < PER_RACER; i++) {
    uint64_t v = i;
    if (cf_submit(g_race_ex, t_add1, &v, sizeof v, &g_race_fs[t][i]) != 0) g_race_fs[t][i] = NULL;
  }
  return NULL;
}

static void shutdown_races_submit(void) {
  for (int round = 0; round < 20; round++) {
    g_race_ex = make_ex(2);
    pthread_t th[RACERS];
    for (uintptr_t t = 0; t < RACERS; t++) CHECK_EQ(pthread_create(&th[t], NULL, racer, (void *)t), 0);
    sleep_ms(round % 4); /* shut down at varying points of the submission */
    CHECK_EQ(cf_executor_shutdown(g_race_ex, 1, round % 2), 0);
    for (int t = 0; t < RACERS; t++) pthread_join(th[t], NULL);
    uint64_t accepted = 0;
    for (int t = 0; t < RACERS; t++)
      for (int i = 0; i < PER_RACER; i++) {
        cf_future *f = g_race_fs[t][i];
        if (!f) continue;
        CHECK(cf_future_done(f)); /* accepted => run or cancelled */
        cf_future_release(f);
        accepted++;
      }
    /* Issue 11.7: a submit refused with CF_ESHUTDOWN is not "submitted". */
    cf_executor_stats st;
    cf_executor_stats_get(g_race_ex, &st);
    CHECK_EQ(st.submitted, accepted);
    CHECK_EQ(st.completed + st.failed + st.cancelled, accepted);
    cf_executor_free(g_race_ex);
  }
}

/* cf_executor_terminate: the process backend ends its workers (see
 * test_faults), the MPI backend forwards it to the ranks (no pids: they
 * are processes of other hosts); a thread cannot be ended from outside:
 * CF_ENOSYS, and the pool is untouched. */
static void terminate_per_backend(void) {
  cf_executor *ex = make_ex(1);
  CHECK_EQ(cf_executor_terminate(ex, 0), CF_EINVAL);
  int pid = 0;
  if (g_backend == CF_BACKEND_THREAD) {
    CHECK_EQ(cf_executor_terminate(ex, 15), CF_ENOSYS);
    CHECK_EQ(cf_executor_worker_pids(ex, &pid, 1), CF_ENOSYS);
    cf_future *f = submit_int(ex, t_sleep, 1);
    CHECK_EQ(result_int(f), 1);
    cf_future_release(f);
  } else {
    if (g_backend == CF_BACKEND_MPI) {
      CHECK_EQ(cf_executor_worker_pids(ex, &pid, 1), CF_ENOSYS);
    } else {
      CHECK_EQ(cf_executor_worker_pids(ex, &pid, 1), 1);
      CHECK_GT(pid, 0);
    }
    CHECK_EQ(cf_executor_terminate(ex, 15), 0);
    CHECK_EQ(cf_submit(ex, t_sleep, &(int){1}, sizeof(int), &(cf_future *){NULL}), CF_ESHUTDOWN);
  }
  cf_executor_free(ex);
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  static const test_case cases[] = {
      {"shutdown_wait_runs_pending", shutdown_wait_runs_pending},
      {"shutdown_cancel_futures", shutdown_cancel_futures},
      {"shutdown_nowait", shutdown_nowait},
      {"free_with_outstanding", free_with_outstanding},
      {"shutdown_races_submit", shutdown_races_submit},
      {"terminate_per_backend", terminate_per_backend},
      {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
