/* test_shutdown.c -- cf_executor_shutdown with and without wait and
 * cancel_futures, and freeing with work outstanding. */
#include "common.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdatomic.h>

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

/* Issue 20 notes: thread A waits in cf_future_result(f) (or cf_map_next)
 * while thread B frees (or shuts down, or terminates) the pool; A must get
 * f's result and B's call must return.  The window: B's bell has woken the
 * process backend's io thread, which went back to sleep with f still
 * running; then A helps (pb_help_wait) and collects f itself, the worker
 * sees a helper and rings no bell, and the io thread sleeps on past its
 * exit.  f spins on a gate in shared memory, so it answers within a
 * microsecond of A opening it, while A is helping. */
enum { WHILE_FREE, WHILE_SHUTDOWN, WHILE_TERMINATE, WHILE_N };
typedef struct closer {
  cf_executor *ex;
  int how;
  _Atomic int done;
  int in_cb; /* called from a done callback the pool runs: wait=1 is CF_EDEADLK */
} closer;

static const char *closer_name(const closer *c) {
  return c->how == WHILE_FREE ? "free" : c->how == WHILE_SHUTDOWN ? "shutdown" : "terminate";
}

static void *closer_main(void *p) {
  closer *c = p;
  if (c->how == WHILE_FREE) {
    cf_executor_free(c->ex);
  } else if (c->how == WHILE_SHUTDOWN) {
    CHECK_EQ(cf_executor_shutdown(c->ex, 1, 0), c->in_cb ? CF_EDEADLK : 0);
  } else if (g_backend == CF_BACKEND_THREAD) { /* threads cannot be ended: the pool shuts down */
    CHECK_EQ(cf_executor_terminate(c->ex, SIGKILL), CF_ENOSYS);
    CHECK_EQ(cf_executor_shutdown(c->ex, 1, 0), 0);
  } else {
    CHECK_EQ(cf_executor_terminate(c->ex, SIGKILL), 0);
  }
  atomic_store(&c->done, 1);
  return NULL;
}

/* Waits for flag (a hang bound of 60 s, not a timing), else aborts with what. */
static void await_flag(_Atomic int *flag, int round, const char *what, const char *name) {
  for (int i = 0; i < 60000 && !atomic_load(flag); i++) sleep_ms(1);
  if (!atomic_load(flag)) {
    fprintf(stderr, "round %d: %s%s\n", round, what, name);
    abort();
  }
}

/* A gate in shared memory: words in a file every worker maps (forked or
 * spawned alike): [0] opens the gate, [1] says the task started. */
static _Atomic int *word_map(const char *path) {
  int fd = open(path, O_RDWR | O_CREAT, 0600);
  CHECK(fd >= 0);
  CHECK_EQ(ftruncate(fd, 4096), 0);
  void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  CHECK(p != MAP_FAILED);
  return p;
}

/* Says it started, then waits, looking without pause, until the gate in
 * the file named by arg opens (30 s at most: bounds a hang); result = 7. */
static int t_word_gate(const void *arg, size_t len, cf_result *out) {
  (void)len;
  _Atomic int *w = word_map(arg);
  atomic_store(&w[1], 1);
  double t0 = now_s();
  for (unsigned i = 0; !atomic_load(&w[0]); i++)
    if ((i & 1023) == 0 && now_s() - t0 > 30) break;
  /* no munmap: its microseconds would let the waiter stop helping first;
   * the worker's mappings go with it */
  return cf_result_set(out, &(int){7}, sizeof(int));
}

/* What A waits on: a future (through cf_future_result or cf_wait, which
 * does not help), or a map of one item (the gate's path). */
enum { BY_RESULT, BY_MAP, BY_WAIT, BY_N };
typedef struct waited {
  cf_future *f;
  cf_map *m;
  int by;
  const char *path;
  int fed;
} waited;

static int one_path(void *ud, const void **arg, size_t *len) {
  waited *w = ud;
  if (w->fed++) return 0;
  *arg = w->path;
  *len = strlen(w->path) + 1;
  return 1;
}

/* The result (7) or the error. */
static int waited_result(waited *w) {
  const void *d;
  size_t len;
  size_t n_done = 0;
  if (w->by == BY_WAIT) {
    CHECK_EQ(cf_wait(&w->f, 1, CF_ALL_COMPLETED, -1, &n_done), 0);
    CHECK_EQ(n_done, 1);
  }
  int rc = w->m ? cf_map_next(w->m, &d, &len) : cf_future_result(w->f, -1, &d, &len);
  int v = rc ? rc : *(const int *)d; /* a map's item is valid until the next call */
  if (rc == 0 && w->m) CHECK_EQ(cf_map_next(w->m, &d, &len), CF_EOF);
  return v;
}

static void *waiter_main(void *p) { return (void *)(intptr_t)waited_result(p); }

static void waited_start(waited *w, cf_executor *ex, const char *path, int by) {
  memset(w, 0, sizeof *w);
  w->path = path;
  w->by = by;
  if (by == BY_MAP) CHECK_EQ(cf_map_new(ex, t_word_gate, one_path, w, NULL, &w->m), 0);
  else CHECK_EQ(cf_submit(ex, t_word_gate, path, strlen(path) + 1, &w->f), 0);
}

static void waited_free(waited *w) {
  cf_map_free(w->m);
  cf_future_release(w->f);
}

static void free_while_waiting_round(int round) {
  gates gt;
  gates_init(&gt);
  closer c = {make_ex(1), round % WHILE_N, 0, 0};
  _Atomic int *gate = word_map(gt.path[0]);
  waited w;
  waited_start(&w, c.ex, gt.path[0], (round / (2 * WHILE_N)) % BY_N);
  await_flag(&gate[1], round, "the task never started", "");
  int waiter_first = (round / WHILE_N) % 2; /* A waits before B closes, or after */
  pthread_t wth, cth;
  if (waiter_first) CHECK_EQ(pthread_create(&wth, NULL, waiter_main, &w), 0);
  CHECK_EQ(pthread_create(&cth, NULL, closer_main, &c), 0);
  sleep_ms(1 + round % 3); /* B's bell is heard and the io thread sleeps again */
  atomic_store(&gate[0], 1);
  int got;
  if (waiter_first) {
    void *r;
    CHECK_EQ(pthread_join(wth, &r), 0);
    got = (int)(intptr_t)r;
  } else {
    got = waited_result(&w);
  }
  await_flag(&c.done, round, "never returned while a thread waited on a future: cf_executor_", closer_name(&c));
  CHECK_EQ(pthread_join(cth, NULL), 0);
  if (c.how == WHILE_TERMINATE && g_backend != CF_BACKEND_THREAD)
    CHECK(got == 7 || got == CF_EBROKEN); /* killed before or after answering */
  else
    CHECK_EQ(got, 7);
  if (c.how != WHILE_FREE) cf_executor_free(c.ex);
  waited_free(&w);
  munmap((void *)gate, 4096);
  gates_free(&gt);
}

static int rounds_asked(void) {
  const char *env = getenv("CF_FREE_WAIT_ROUNDS"); /* more to hunt the race */
  return env ? atoi(env) : 2 * WHILE_N * BY_N * 3;
}

static void free_while_waiting(void) {
  for (int round = 0; round < rounds_asked(); round++) free_while_waiting_round(round);
}

/* The same from a done callback of f: it runs in the thread that completed
 * f, the io thread or a waiter that collected f's result itself
 * (pb_help_wait, holding the io thread's lock), and shuts the pool down
 * (wait=1), frees or terminates it there.  The waiter opens f's gate and
 * waits at once, so it is helping when the answer comes.  Process pools
 * only: a thread pool runs callbacks in its workers (shutdown(wait=1) there
 * is CF_EDEADLK), an MPI pool forbids it. */
typedef struct opener {
  waited w;
  _Atomic int *gate;
  int got;
  _Atomic int done;
} opener;

static void *opener_main(void *p) {
  opener *o = p;
  atomic_store(&o->gate[0], 1);
  o->got = waited_result(&o->w);
  atomic_store(&o->done, 1);
  return NULL;
}

static int cb_close(cf_future *f, void *ud) {
  (void)f;
  closer_main(ud);
  return 0;
}

static void close_in_callback_round(int round) {
  gates gt;
  gates_init(&gt);
  closer c = {make_ex(1), round % WHILE_N, 0, 1};
  opener o = {.gate = word_map(gt.path[0])};
  waited_start(&o.w, c.ex, gt.path[0], BY_RESULT);
  await_flag(&o.gate[1], round, "the task never started", "");
  CHECK_EQ(cf_future_add_done_callback(o.w.f, cb_close, &c), 0);
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, opener_main, &o), 0);
  await_flag(&o.done, round, "a done callback hung its waiter: cf_executor_", closer_name(&c));
  CHECK_EQ(pthread_join(th, NULL), 0);
  /* the waiter may wake before the callbacks run (in the io thread) */
  await_flag(&c.done, round, "a done callback never returned: cf_executor_", closer_name(&c));
  if (c.how == WHILE_TERMINATE) CHECK(o.got == 7 || o.got == CF_EBROKEN);
  else CHECK_EQ(o.got, 7);
  if (c.how != WHILE_FREE) cf_executor_free(c.ex);
  waited_free(&o.w);
  munmap((void *)o.gate, 4096);
  gates_free(&gt);
}

static void close_in_callback(void) {
  if (g_backend != CF_BACKEND_PROCESS) return;
  for (int round = 0; round < rounds_asked(); round++) close_in_callback_round(round);
}

/* Nested: f1's done callback (run by the waiter helping pool 1, or by
 * pool 1's io thread) opens f2's gate and waits on f2 of pool 2, helping
 * there; f2's callback frees pool 1, whose io_lock this thread still
 * holds: the free must not join pool 1's io thread. */
typedef struct chained {
  waited w2;
  _Atomic int *gate2;
  int got;
  _Atomic int done;
} chained;

static int cb_open_wait(cf_future *f, void *ud) {
  (void)f;
  chained *ch = ud;
  atomic_store(&ch->gate2[0], 1);
  ch->got = waited_result(&ch->w2);
  atomic_store(&ch->done, 1);
  return 0;
}

static void close_nested_round(int round) {
  gates gt;
  gates_init(&gt);
  closer c = {make_ex(1), WHILE_FREE, 0, 1};
  cf_executor *ex2 = make_ex(1);
  opener o = {.gate = word_map(gt.path[0])};
  chained ch = {.gate2 = word_map(gt.path[1])};
  waited_start(&o.w, c.ex, gt.path[0], BY_RESULT);
  waited_start(&ch.w2, ex2, gt.path[1], BY_RESULT);
  await_flag(&o.gate[1], round, "the task never started", "");
  await_flag(&ch.gate2[1], round, "the task never started", "");
  CHECK_EQ(cf_future_add_done_callback(ch.w2.f, cb_close, &c), 0);
  CHECK_EQ(cf_future_add_done_callback(o.w.f, cb_open_wait, &ch), 0);
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, opener_main, &o), 0);
  await_flag(&o.done, round, "a nested done callback hung its waiter: cf_executor_", closer_name(&c));
  CHECK_EQ(pthread_join(th, NULL), 0);
  await_flag(&ch.done, round, "a done callback never got its future", "");
  await_flag(&c.done, round, "a done callback never returned: cf_executor_", closer_name(&c));
  CHECK_EQ(o.got, 7);
  CHECK_EQ(ch.got, 7);
  cf_executor_free(ex2);
  waited_free(&o.w);
  waited_free(&ch.w2);
  munmap((void *)o.gate, 4096);
  munmap((void *)ch.gate2, 4096);
  gates_free(&gt);
}

static void close_nested(void) {
  if (g_backend != CF_BACKEND_PROCESS) return;
  for (int round = 0; round < rounds_asked(); round++) close_nested_round(round);
}

/* shutdown(wait=1) from a done callback that the pool runs (a thread
 * worker, the process backend's io thread or a thread helping it, the MPI
 * progress thread) cannot wait for the pool it runs in: CF_EDEADLK at
 * once (closer_main checks it), as from a task, and the pool still shut:
 * queued work still runs, new submits are refused, and a wait from
 * outside then returns 0.  (The process backend said 0 without having
 * waited.) */
static void shutdown_wait_in_callback(void) {
  gates gt;
  gates_init(&gt);
  closer c = {make_ex(1), WHILE_SHUTDOWN, 0, 1};
  cf_future *f = submit_gate(c.ex, &gt, 0);
  cf_future *g = submit_int(c.ex, t_sleep, 5); /* queued behind f */
  CHECK_EQ(cf_future_add_done_callback(f, cb_close, &c), 0); /* f cannot be done: its gate is shut */
  gate_open(&gt, 0);
  await_flag(&c.done, 0, "a done callback's shutdown(wait=1) never returned", "");
  CHECK_EQ(result_int(g), 5); /* not cancelled: it runs */
  CHECK_EQ(cf_submit(c.ex, t_sleep, &(int){1}, sizeof(int), &(cf_future *){NULL}), CF_ESHUTDOWN);
  CHECK_EQ(cf_executor_shutdown(c.ex, 1, 0), 0); /* from outside it waits */
  cf_future_release(f);
  cf_future_release(g);
  cf_executor_free(c.ex);
  gates_free(&gt);
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
      {"free_while_waiting", free_while_waiting},
      {"close_in_callback", close_in_callback},
      {"close_nested", close_nested},
      {"shutdown_wait_in_callback", shutdown_wait_in_callback},
      {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
