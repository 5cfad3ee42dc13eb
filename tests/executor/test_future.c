/* test_future.c -- Future semantics: results, timeouts, task errors,
 * cancellation, states, done callbacks, records, error codes, config. */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static void result_value(void) {
  cf_executor *ex = make_ex(2);
  const char msg[] = "hello, futures";
  cf_future *f;
  CHECK_EQ(cf_submit(ex, t_echo, msg, sizeof msg, &f), 0);
  const void *d;
  size_t len;
  CHECK_EQ(cf_future_result(f, 5.0, &d, &len), 0);
  CHECK_EQ(len, sizeof msg);
  CHECK(memcmp(d, msg, sizeof msg) == 0);
  CHECK_EQ(cf_future_error(f), 0);
  CHECK(cf_future_done(f));
  CHECK_EQ(cf_future_state_get(f), CF_FINISHED);
  cf_future_release(f);
  /* empty argument, empty result */
  CHECK_EQ(cf_submit(ex, t_echo, NULL, 0, &f), 0);
  CHECK_EQ(cf_future_result(f, 5.0, &d, &len), 0);
  CHECK_EQ(len, 0);
  cf_future_release(f);
  cf_executor_free(ex);
}

static void large_result(void) {
  cf_executor *ex = make_ex(2);
  size_t n = 1u << 20;
  unsigned char *buf = malloc(n);
  for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(i * 7);
  cf_future *f;
  CHECK_EQ(cf_submit(ex, t_echo, buf, n, &f), 0);
  const void *d;
  size_t len;
  CHECK_EQ(cf_future_result(f, 10.0, &d, &len), 0);
  CHECK_EQ(len, n);
  CHECK(memcmp(d, buf, n) == 0);
  cf_future_release(f);
  free(buf);
  cf_executor_free(ex);
}

static void result_timeout(void) {
  cf_executor *ex = make_ex(1);
  gates g;
  gates_init(&g);
  cf_future *f = submit_gate(ex, &g, 3); /* runs until the waits are over, however late they wake */
  double asked[] = {0.0, 0.05, 0.2};
  for (int i = 0; i < 3; i++) {
    double t0 = now_s();
    CHECK_EQ(cf_future_result(f, asked[i], NULL, NULL), CF_ETIMEDOUT);
    double took = now_s() - t0;
    CHECK(took >= asked[i] - 0.001);
    /* returns near the timeout, not at the task's end; 2 s (10x the
     * longest) is loose enough for a loaded CI machine */
    CHECK(took <= asked[i] + 2.0);
  }
  CHECK(!cf_future_done(f));
  CHECK_EQ(cf_future_error(f), CF_EAGAIN);
  gate_open(&g, 3);
  CHECK_EQ(result_int(f), 3); /* the task itself is unharmed */
  cf_future_release(f);
  cf_executor_free(ex);
  gates_free(&g);
}

static void task_error(void) {
  cf_executor *ex = make_ex(2);
  cf_future *f = submit_sleep_fail(ex, 0, 42);
  CHECK_EQ(cf_future_result(f, 5.0, NULL, NULL), CF_ETASK);
  CHECK_EQ(cf_future_error(f), CF_ETASK);
  CHECK_EQ(cf_future_task_code(f), 42);
  cf_future_release(f);
  /* the pool is fine afterwards */
  f = submit_int(ex, t_sleep, 1);
  CHECK_EQ(result_int(f), 1);
  CHECK_EQ(cf_future_task_code(f), 0);
  cf_future_release(f);
  cf_executor_free(ex);
}

static void cancel_pending_not_running(void) {
  cf_executor *ex = make_ex(1);
  gates g;
  gates_init(&g);
  cf_future *busy = submit_gate(ex, &g, 0); /* holds the worker until the checks are done */
  cf_future *pending = submit_int(ex, t_sleep, 1);
  wait_running(busy);
  CHECK_EQ(cf_future_state_get(pending), CF_PENDING);
  CHECK_EQ(cf_future_cancel(busy), 0);     /* running: not cancellable */
  CHECK_EQ(cf_future_cancel(pending), 1);
  CHECK_EQ(cf_future_cancel(pending), 1);  /* stays cancelled */
  CHECK(cf_future_cancelled(pending));
  CHECK(cf_future_done(pending));
  CHECK_EQ(cf_future_result(pending, 1.0, NULL, NULL), CF_ECANCELED);
  CHECK_EQ(cf_future_error(pending), CF_ECANCELED);
  gate_open(&g, 0);
  CHECK_EQ(result_int(busy), 0);
  CHECK_EQ(cf_future_cancel(busy), 0);     /* finished: not cancellable */
  CHECK(!cf_future_cancelled(busy));
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.cancelled, 1);
  cf_future_release(busy);
  cf_future_release(pending);
  cf_executor_free(ex);
  gates_free(&g);
}

static void states(void) {
  cf_executor *ex = make_ex(1);
  gates g;
  gates_init(&g);
  cf_future *a = submit_gate(ex, &g, 0); /* running until its gate opens */
  cf_future *b = submit_int(ex, t_sleep, 1);
  wait_running(a);
  CHECK(cf_future_running(a));
  CHECK(!cf_future_done(a));
  CHECK_EQ(cf_future_state_get(b), CF_PENDING);
  CHECK(!cf_future_running(b));
  gate_open(&g, 0);
  result_int(b);
  CHECK_EQ(cf_future_state_get(a), CF_FINISHED);
  CHECK(!cf_future_running(a));
  cf_future_release(a);
  cf_future_release(b);
  cf_executor_free(ex);
  gates_free(&g);
}

static atomic_int cb_calls, cb_late_calls;
static int cb_count(cf_future *f, void *ud) {
  atomic_fetch_add((atomic_int *)ud, 1);
  CHECK(cf_future_done(f));
  return 0;
}
static int cb_fail(cf_future *f, void *ud) {
  atomic_fetch_add((atomic_int *)ud, 1);
  return -1; /* a failing callback must not break the pool */
}

static void callbacks_once(void) {
  atomic_store(&cb_calls, 0);
  atomic_store(&cb_late_calls, 0);
  cf_executor *ex = make_ex(2);
  cf_future *f = submit_int(ex, t_sleep, 100);
  CHECK_EQ(cf_future_add_done_callback(f, cb_count, &cb_calls), 0);
  CHECK_EQ(cf_future_add_done_callback(f, cb_fail, &cb_calls), 0);
  result_int(f);
  /* callbacks run in the completing thread before or just after the
   * result is visible; give them a moment */
  double t0 = now_s();
  while (atomic_load(&cb_calls) < 2 && now_s() - t0 < 5) sleep_ms(1);
  CHECK_EQ(atomic_load(&cb_calls), 2);
  /* added after completion: runs at once, in this thread */
  CHECK_EQ(cf_future_add_done_callback(f, cb_count, &cb_late_calls), 0);
  CHECK_EQ(atomic_load(&cb_late_calls), 1);
  sleep_ms(20);
  CHECK_EQ(atomic_load(&cb_calls), 2); /* still exactly once each */
  /* cancelled futures run their callbacks too */
  gates gt;
  gates_init(&gt);
  cf_future *busy = submit_gate(ex, &gt, 0); /* both workers held: p stays pending */
  cf_future *busy2 = submit_gate(ex, &gt, 1);
  cf_future *p = submit_int(ex, t_sleep, 1);
  atomic_int pc = 0;
  CHECK_EQ(cf_future_add_done_callback(p, cb_count, &pc), 0);
  wait_running(busy);
  wait_running(busy2);
  CHECK_EQ(cf_future_cancel(p), 1);
  CHECK_EQ(atomic_load(&pc), 1);
  gate_open(&gt, 0);
  gate_open(&gt, 1);
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.callback_errors, 1);
  /* pool still works after the failing callback */
  cf_future *g = submit_int(ex, t_sleep, 2);
  CHECK_EQ(result_int(g), 2);
  cf_future_release(g);
  cf_future_release(busy);
  cf_future_release(busy2);
  cf_future_release(p);
  cf_future_release(f);
  cf_executor_free(ex);
  gates_free(&gt);
}

static void records(void) {
  cf_executor *ex = make_ex(2);
  cf_future *f = submit_int(ex, t_sleep, 20);
  result_int(f);
  cf_task_record r;
  cf_future_record(f, &r);
  CHECK_GE(r.id, 1);
  CHECK_GT(r.enqueue_ns, 0);
  CHECK_LE(r.enqueue_ns, r.start_ns);
  CHECK_GE(r.end_ns - r.start_ns, 19000000ull);
  CHECK_GE(r.worker, 0);
  CHECK_LT(r.worker, 2);
  CHECK_GE(r.cpu, 0);
  CHECK_EQ(r.status, 0);
  cf_future *g = submit_int(ex, t_sleep, 1);
  cf_task_record r2;
  result_int(g);
  cf_future_record(g, &r2);
  CHECK_GT(r2.id, r.id);
  cf_future_release(f);
  cf_future_release(g);
  cf_executor_free(ex);
}

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One record against CLOCK_MONOTONIC read before the submit (t0) and after
 * the result (t1): the records' clock (the TSC scaled from an anchor, where
 * the kernel keeps time with it) stays within `slack` of clock_gettime, and
 * a record is in order even when its stamps come from different threads. */
static void check_record_within(cf_future *f, uint64_t t0, uint64_t t1) {
  const uint64_t slack = 20000; /* 20 us: the clock is good to about 1 us */
  cf_task_record r;
  cf_future_record(f, &r);
  CHECK_GE(r.enqueue_ns + slack, t0);
  CHECK_LE(r.enqueue_ns, r.start_ns);
  CHECK_LE(r.start_ns, r.end_ns);
  CHECK_LE(r.end_ns, t1 + slack);
}

/* Round trips and batches across several anchor refreshes (every 2 ms of
 * the records' clock), so pairs taken by the submitter and by the workers
 * on either CPU are both used. */
static void records_follow_monotonic(void) {
  cf_executor *ex = make_ex(2);
  for (int i = 0; i < 400; i++) {
    uint64_t t0 = mono_ns();
    cf_future *f = submit_int(ex, t_sleep, 0);
    result_int(f);
    check_record_within(f, t0, mono_ns());
    cf_future_release(f);
    if (i % 40 == 0) sleep_ms(3);
  }
  enum { N = 500 };
  static cf_future *fs[N];
  for (int round = 0; round < 4; round++) {
    uint64_t t0 = mono_ns();
    for (int i = 0; i < N; i++) fs[i] = submit_int(ex, t_sleep, 0);
    CHECK_EQ(cf_wait(fs, N, CF_ALL_COMPLETED, 60, NULL), 0);
    uint64_t t1 = mono_ns();
    for (int i = 0; i < N; i++) {
      check_record_within(fs[i], t0, t1);
      cf_future_release(fs[i]);
    }
    sleep_ms(3);
  }
  cf_executor_free(ex);
}

static atomic_int rec_count;
static void on_rec(const cf_task_record *r, void *ud) {
  CHECK(r->end_ns >= r->start_ns);
  atomic_fetch_add(&rec_count, 1);
}

static void record_hook(void) {
  atomic_store(&rec_count, 0);
  cf_executor *ex = make_ex_recording(2, on_rec);
  cf_future *fs[10];
  for (int i = 0; i < 10; i++) fs[i] = submit_int(ex, t_sleep, 0);
  CHECK_EQ(cf_wait(fs, 10, CF_ALL_COMPLETED, 10, NULL), 0);
  cf_executor_shutdown(ex, 1, 0);
  CHECK_EQ(atomic_load(&rec_count), 10);
  for (int i = 0; i < 10; i++) cf_future_release(fs[i]);
  cf_executor_free(ex);
}

/* on_record runs before the future is done: a thread that sees it done
 * has had its record reported (the hook is slow here, so a hook run after
 * the state was published would still be asleep when the result returns). */
#define REC_IDS 64
static atomic_int reported[REC_IDS];
static void on_rec_slow(const cf_task_record *r, void *ud) {
  (void)ud;
  sleep_ms(20);
  if (r->id < REC_IDS) atomic_store(&reported[r->id], 1);
}

static void record_before_done(void) {
  for (int i = 0; i < REC_IDS; i++) atomic_store(&reported[i], 0);
  cf_executor *ex = make_ex_recording(2, on_rec_slow);
  for (int i = 0; i < 6; i++) {
    cf_future *f = submit_int(ex, t_sleep, 0);
    cf_task_record rec;
    CHECK_EQ(cf_future_result(f, 30, NULL, NULL), 0);
    cf_future_record(f, &rec);
    CHECK(rec.id < REC_IDS);
    CHECK_EQ(atomic_load(&reported[rec.id]), 1);
    cf_future_release(f);
  }
  /* Released before it ends: the worker's finish is the last touch, and
   * the future goes back to the pool then (LSan and the free check it). */
  for (int i = 0; i < 4; i++) cf_future_release(submit_int(ex, t_sleep, 5));
  cf_executor_shutdown(ex, 1, 0);
  cf_executor_free(ex);
}

/* A cancelled future's record is reported before its done callbacks run,
 * as a finished one's is (cfutures.h at on_record): the callback used to
 * run first. */
static atomic_int cancel_reported;
static void on_rec_count(const cf_task_record *r, void *ud) {
  (void)ud;
  if (r->status == CF_ECANCELED) atomic_fetch_add(&cancel_reported, 1);
}
static int cb_saw_record(cf_future *f, void *ud) {
  (void)f;
  *(int *)ud = atomic_load(&cancel_reported);
  return 0;
}

static void record_before_cancel_callbacks(void) {
  atomic_store(&cancel_reported, 0);
  cf_executor *ex = make_ex_recording(1, on_rec_count);
  gates g;
  gates_init(&g);
  cf_future *busy = submit_gate(ex, &g, 0); /* holds the one worker */
  cf_future *f = submit_int(ex, t_sleep, 0);
  int seen = -1;
  CHECK_EQ(cf_future_add_done_callback(f, cb_saw_record, &seen), 0);
  CHECK_EQ(cf_future_cancel(f), 1);
  CHECK_EQ(seen, 1); /* the callback ran in cancel, after the report */
  gate_open(&g, 0);
  CHECK_EQ(cf_future_result(busy, 30, NULL, NULL), 0);
  cf_future_release(busy);
  cf_future_release(f);
  gates_free(&g);
  cf_executor_free(ex);
}

/* NULL where a future or an executor is asked for: CF_EINVAL, not a crash
 * (cf_as_completed_new with a NULL entry, as cf_wait already did). */
static void null_arguments(void) {
  CHECK_EQ(cf_future_error(NULL), CF_EINVAL);
  char buf[16];
  CHECK_EQ(cf_executor_last_deadlock(NULL, buf, sizeof buf), CF_EINVAL);
  cf_executor *ex = make_ex(1);
  cf_future *f = submit_int(ex, t_sleep, 0);
  cf_future *fs[3] = {f, NULL, f};
  cf_as_completed *it = (cf_as_completed *)1;
  CHECK_EQ(cf_as_completed_new(fs, 3, 1, &it), CF_EINVAL);
  CHECK(it == NULL);
  size_t nd = 99;
  CHECK_EQ(cf_wait(fs, 3, CF_ALL_COMPLETED, 1, &nd), CF_EINVAL);
  result_int(f);
  cf_future_release(f);
  cf_executor_free(ex);
}

static void errors_and_config(void) {
  int codes[] = {CF_EINVAL, CF_ENOMEM, CF_ETIMEDOUT, CF_ECANCELED, CF_EDEADLK, CF_ESHUTDOWN,
                 CF_ENOSYS, CF_EAGAIN, CF_EBROKEN, CF_ETASK, CF_EINTASK, CF_EOF};
  size_t n = sizeof codes / sizeof codes[0];
  for (size_t i = 0; i < n; i++) {
    CHECK(codes[i] < 0);
    CHECK(strcmp(cf_strerror(codes[i]), "unknown error") != 0);
    CHECK(strncmp(cf_err_name(codes[i]), "CF_E", 4) == 0);
    for (size_t j = 0; j < i; j++) {
      CHECK_NE(codes[i], codes[j]);
      CHECK(strcmp(cf_strerror(codes[i]), cf_strerror(codes[j])) != 0);
    }
  }
  CHECK(strcmp(cf_strerror(CF_ETIMEDOUT), "timed out") == 0);
  CHECK(strcmp(cf_err_name(CF_EDEADLK), "CF_EDEADLK") == 0);
  CHECK(strcmp(cf_strerror(-99999), "unknown error") == 0);
  CHECK(strcmp(cf_strerror(0), "success") == 0);

  long ncpu = 0;
  cpu_set_t set;
  CHECK_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  ncpu = CPU_COUNT(&set);
  CHECK_EQ(cf_default_max_workers(), ncpu + 4 < 32 ? ncpu + 4 : 32);
  cf_executor *ex = make_ex(0);
  /* mpi: one worker per worker rank, as mpi4py's MPICommExecutor */
  CHECK_EQ(cf_executor_workers(ex),
           g_backend == CF_BACKEND_MPI ? cf_mpi_workers() : cf_default_max_workers());
  cf_executor_free(ex);

  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = -1;
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_EINVAL);
  CHECK(ex == NULL);
  cf_config_init(&cfg);
  cfg.backend = (cf_backend)7;
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_EINVAL);
  cf_config_init(&cfg);
  cfg.pin = CF_PIN_LIST; /* no list */
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_EINVAL);
  CHECK_EQ(cf_executor_new(NULL, NULL), CF_EINVAL);

  ex = make_ex(1);
  cf_future *f;
  CHECK_EQ(cf_submit(ex, NULL, NULL, 0, &f), CF_EINVAL);
  CHECK_EQ(cf_submit(ex, t_echo, NULL, 5, &f), CF_EINVAL);
  CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0);
  CHECK_EQ(cf_submit(ex, t_echo, "x", 1, &f), CF_ESHUTDOWN);
  CHECK(f == NULL);
  CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0); /* idempotent */
  cf_executor_free(ex);
}

static int init_fail(void *arg) { return 7; }
static atomic_int init_runs;
static int init_ok(void *arg) {
  atomic_fetch_add(&init_runs, 1);
  return 0;
}

static void initializer(void) {
  atomic_store(&init_runs, 0);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 3;
  cfg.initializer = init_ok;
  cf_executor *ex = make_ex_cfg(&cfg);
  cf_future *f = submit_int(ex, t_sleep, 1);
  CHECK_EQ(result_int(f), 1);
  cf_future_release(f);
  cf_executor_free(ex);
  if (g_backend == CF_BACKEND_THREAD) CHECK_EQ(atomic_load(&init_runs), 3);

  cf_config_init(&cfg);
  cfg.max_workers = 2;
  cfg.initializer = init_fail;
  ex = make_ex_cfg(&cfg);
  int rc = cf_submit(ex, t_sleep, &(int){1}, sizeof(int), &f);
  if (rc == 0) {
    CHECK_EQ(cf_future_result(f, 10, NULL, NULL), CF_EBROKEN);
    CHECK_STR_CONTAINS(cf_future_message(f), "initializer");
    cf_future_release(f);
  } else {
    CHECK_EQ(rc, CF_EBROKEN);
  }
  /* once broken, later submits fail at once */
  double t0 = now_s();
  while (cf_submit(ex, t_sleep, &(int){1}, sizeof(int), &f) == 0) {
    CHECK_EQ(cf_future_result(f, 10, NULL, NULL), CF_EBROKEN);
    cf_future_release(f);
    CHECK(now_s() - t0 < 10);
  }
  CHECK_EQ(cf_submit(ex, t_sleep, &(int){1}, sizeof(int), &f), CF_EBROKEN);
  cf_executor_free(ex);
}

static void release_after_free(void) {
  cf_executor *ex = make_ex(2);
  cf_future *f = submit_int(ex, t_sleep, 30);
  cf_executor_free(ex); /* waits for f; f stays valid */
  CHECK(cf_future_done(f));
  CHECK_EQ(result_int(f), 30);
  cf_future_retain(f);
  cf_future_release(f);
  cf_future_release(f); /* last reference frees the executor too (ASan checks) */
}

/* References held by several threads and dropped at once, while the task
 * ends or after: the last one, whichever it is, puts the future back in
 * the pool exactly once (cf_future_release skips the locked decrement
 * when its reference is the only one left).  A future pooled twice would
 * be handed to two later submits at once: the burst after checks every
 * result is its own task's.  One never pooled keeps its reference on the
 * executor, which then leaks (LSan). */
#define SHARERS 3
static void *drop_shared(void *p) {
  cf_future_release(p);
  return NULL;
}

static void shared_references_drop_once(void) {
  cf_executor *ex = make_ex(2);
  for (int round = 0; round < 200; round++) {
    cf_future *f = submit_int(ex, t_echo, round);
    pthread_t th[SHARERS];
    for (int i = 0; i < SHARERS; i++) {
      cf_future_retain(f);
      CHECK_EQ(pthread_create(&th[i], NULL, drop_shared, f), 0);
    }
    if (round % 2) CHECK_EQ(result_int(f), round); /* else dropped while it may still run */
    cf_future_release(f);
    for (int i = 0; i < SHARERS; i++) pthread_join(th[i], NULL);
  }
  enum { BURST = 1000 };
  static cf_future *fs[BURST];
  for (int i = 0; i < BURST; i++) fs[i] = submit_int(ex, t_echo, i);
  for (int i = 0; i < BURST; i++) {
    CHECK_EQ(result_int(fs[i]), i);
    cf_future_release(fs[i]);
  }
  cf_executor_free(ex);
}

/* Releases racing cf_executor_free's close of the future pool
 * (future.c): pooled futures hold references on the executor, which the
 * close drops, and a release after the close drops its own.  RELEASERS
 * threads release their futures (echo tasks, each its own index) while the
 * main thread frees the executor; the other half of each thread's futures
 * is kept until after the free.  Each reference dropped twice would destroy the
 * executor under live futures (ASan: use after free), one never dropped
 * would leak it (LSan); TSan checks the pool's locking.  The checks: every
 * result is its task's. */
#define RELEASERS 4
#define PER_RELEASER 400
typedef struct releaser {
  cf_future *fs[PER_RELEASER];
  int index;
  _Atomic int *go;
} releaser;

static uint64_t echo_value(cf_future *f) {
  const void *d;
  size_t len;
  uint64_t v;
  CHECK_EQ(cf_future_result(f, 30, &d, &len), 0);
  CHECK_EQ(len, sizeof v);
  memcpy(&v, d, sizeof v);
  return v;
}

static void *release_half(void *p) {
  releaser *r = p;
  while (!atomic_load(r->go)) {
  }
  for (int i = 0; i < PER_RELEASER; i += 2) cf_future_release(r->fs[i]);
  return NULL;
}

static void releases_race_free(void) {
  for (int round = 0; round < 8; round++) {
    cf_executor *ex = make_ex(2);
    static releaser rs[RELEASERS];
    pthread_t th[RELEASERS];
    _Atomic int go = 0;
    for (int t = 0; t < RELEASERS; t++) {
      rs[t].index = t;
      rs[t].go = &go;
      for (int i = 0; i < PER_RELEASER; i++) {
        uint64_t v = (uint64_t)(t * PER_RELEASER + i);
        CHECK_EQ(cf_submit(ex, t_echo, &v, sizeof v, &rs[t].fs[i]), 0);
      }
    }
    /* Every result first: a wait on a process pool's future while the pool
     * shuts down can leave its io thread in epoll_wait (seen on main too;
     * not what this test is about). */
    for (int t = 0; t < RELEASERS; t++)
      for (int i = 0; i < PER_RELEASER; i++)
        CHECK_EQ(echo_value(rs[t].fs[i]), (uint64_t)(t * PER_RELEASER + i));
    for (int t = 0; t < RELEASERS; t++) CHECK_EQ(pthread_create(&th[t], NULL, release_half, &rs[t]), 0);
    atomic_store(&go, 1);
    cf_executor_free(ex); /* while the releases go on */
    for (int t = 0; t < RELEASERS; t++) CHECK_EQ(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < RELEASERS; t++)
      for (int i = 1; i < PER_RELEASER; i += 2) { /* after the close: each drops its own */
        CHECK_EQ(echo_value(rs[t].fs[i]), (uint64_t)(t * PER_RELEASER + i));
        cf_future_release(rs[t].fs[i]);
      }
  }
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  static const test_case cases[] = {
      {"result_value", result_value},
      {"large_result", large_result},
      {"result_timeout", result_timeout},
      {"task_error", task_error},
      {"cancel_pending_not_running", cancel_pending_not_running},
      {"states", states},
      {"callbacks_once", callbacks_once},
      {"records", records},
      {"record_hook", record_hook},
      {"record_before_done", record_before_done},
      {"record_before_cancel_callbacks", record_before_cancel_callbacks},
      {"null_arguments", null_arguments},
      {"records_follow_monotonic", records_follow_monotonic},
      {"errors_and_config", errors_and_config},
      {"initializer", initializer},
      {"release_after_free", release_after_free},
      {"shared_references_drop_once", shared_references_drop_once},
      {"releases_race_free", releases_race_free},
      {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
