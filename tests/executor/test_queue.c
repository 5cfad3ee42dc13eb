/* test_queue.c -- the thread backend's pending queue and its wake-ups:
 * bursts to an idle pool wake every worker they need (no lost wake-up),
 * submits racing with shutdown either fail with CF_ESHUTDOWN or complete,
 * shutdown with cancel_futures cancels everything still queued, ids go
 * to accepted submits only, futures in the pool's batch are cancelled by
 * shutdown and by cf_future_cancel like queued ones, start in submission
 * order and never wait behind a busy worker, and argument / result
 * buffers survive recycling at every size. */
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

/* Round trips from 1 and 4 submitters race shutdown, with and without its
 * wait, at 1 and 2 workers: an idle worker then waits on the hand-off word
 * (handoff.c) and most submits are handed to it past the queue.  Every
 * accepted submit runs (a future lost between the word and shutdown would
 * hang its submitter's result: the 30 s bound fails it), a submit after
 * shutdown returned is refused, and submitted = completed. */
static void submit_races_shutdown(void) {
  for (int round = 0; round < 16; round++) {
    int nsub = round % 2 ? 4 : 1, wait = round % 4 < 2;
    race rc[4];
    pthread_t th[4];
    cf_executor *ex = make_ex(1 + round / 8);
    for (int i = 0; i < nsub; i++) {
      rc[i] = (race){ex, 0, 0, 0};
      CHECK_EQ(pthread_create(&th[i], NULL, race_submitter, &rc[i]), 0);
    }
    for (int i = 0; i < nsub; i++) atomic_store(&rc[i].go, 1);
    sleep_ms(1 + round % 8);
    CHECK_EQ(cf_executor_shutdown(ex, wait, 0), 0);
    cf_future *late;
    CHECK_EQ(cf_submit(ex, t_add1, NULL, 0, &late), CF_ESHUTDOWN);
    for (int i = 0; i < nsub; i++) pthread_join(th[i], NULL);
    if (!wait) CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0);
    cf_executor_stats st;
    cf_executor_stats_get(ex, &st);
    long ok = 0;
    for (int i = 0; i < nsub; i++) ok += rc[i].ok;
    CHECK_EQ(st.completed, ok);
    CHECK_EQ(st.submitted, ok);
    cf_executor_free(ex);
  }
}

/* Submitters racing the queue's close (shutdown): the accepted futures
 * carry the ids 1..submitted, each once, and the worker that runs a
 * future sees its id (on_record reads the record in the worker: an id
 * written after the future was published would be a race for TSan, and
 * could read as 0 or as another future's). */
#define CLOSE_SUBMITTERS 4
#define CLOSE_PER 3000
static cf_future *g_close_fs[CLOSE_SUBMITTERS][CLOSE_PER];
static _Atomic unsigned char g_close_seen[CLOSE_SUBMITTERS * CLOSE_PER + 1];
static _Atomic int g_close_bad;

static void close_record(const cf_task_record *rec, void *ud) {
  (void)ud;
  if (rec->status == CF_ECANCELED) return;
  if (rec->id == 0 || rec->id > CLOSE_SUBMITTERS * CLOSE_PER || atomic_exchange(&g_close_seen[rec->id], 1))
    atomic_store(&g_close_bad, 1);
}

typedef struct close_arg {
  cf_executor *ex;
  int row;
} close_arg;

static void *close_submitter(void *p) {
  close_arg *a = p;
  for (int i = 0; i < CLOSE_PER; i++) {
    uint64_t v = (uint64_t)i;
    if (cf_submit(a->ex, t_add1, &v, sizeof v, &g_close_fs[a->row][i]) != 0) g_close_fs[a->row][i] = NULL;
  }
  return NULL;
}

static void ids_follow_the_close(void) {
  for (int round = 0; round < 12; round++) {
    memset(g_close_fs, 0, sizeof g_close_fs);
    for (size_t i = 0; i <= CLOSE_SUBMITTERS * CLOSE_PER; i++) atomic_store(&g_close_seen[i], 0);
    cf_config cfg;
    cf_config_init(&cfg);
    cfg.max_workers = 1 + round % 4;
    cfg.on_record = close_record;
    cf_executor *ex = make_ex_cfg(&cfg);
    pthread_t th[CLOSE_SUBMITTERS];
    close_arg args[CLOSE_SUBMITTERS];
    for (int t = 0; t < CLOSE_SUBMITTERS; t++) {
      args[t] = (close_arg){ex, t};
      CHECK_EQ(pthread_create(&th[t], NULL, close_submitter, &args[t]), 0);
    }
    sleep_ms(round % 3);
    CHECK_EQ(cf_executor_shutdown(ex, 1, round % 2), 0);
    for (int t = 0; t < CLOSE_SUBMITTERS; t++) pthread_join(th[t], NULL);
    static unsigned char given[CLOSE_SUBMITTERS * CLOSE_PER + 1];
    memset(given, 0, sizeof given);
    uint64_t accepted = 0, max_id = 0;
    for (int t = 0; t < CLOSE_SUBMITTERS; t++)
      for (int i = 0; i < CLOSE_PER; i++) {
        cf_future *f = g_close_fs[t][i];
        if (!f) continue;
        CHECK(cf_future_done(f));
        cf_task_record rec;
        cf_future_record(f, &rec);
        CHECK(rec.id >= 1 && rec.id <= CLOSE_SUBMITTERS * CLOSE_PER);
        CHECK(!given[rec.id]); /* each id once */
        given[rec.id] = 1;
        if (rec.id > max_id) max_id = rec.id;
        cf_future_release(f);
        accepted++;
      }
    cf_executor_stats st;
    cf_executor_stats_get(ex, &st);
    CHECK_EQ(st.submitted, accepted);
    CHECK_EQ(max_id, accepted); /* ids 1..accepted: none given to a refused submit */
    CHECK_EQ(st.completed + st.cancelled, accepted);
    CHECK_EQ(atomic_load(&g_close_bad), 0);
    cf_executor_free(ex);
  }
}

/* A task that counts its runs in g_runs[index]. */
#define RACE_SUBMITTERS 4
#define RACE_PER 3000
static _Atomic int g_runs[RACE_SUBMITTERS * RACE_PER];
static _Atomic int g_cbs[RACE_SUBMITTERS * RACE_PER];

static int t_count_run(const void *arg, size_t len, cf_result *out) {
  (void)len;
  (void)out;
  int i;
  memcpy(&i, arg, sizeof i);
  atomic_fetch_add(&g_runs[i], 1);
  return 0;
}

/* Workers take the queue through the pool's batch (queue.c, batch_size):
 * with every worker held in a gate-1 task, up to 15 futures sit in the
 * batch behind them, still pending; shutdown(cancel_futures) must cancel
 * them at once, as queued ones, and none may run.  At 1 and 2 workers. */
static void shutdown_cancels_batched_at(int workers) {
  cf_executor *ex = make_ex(workers);
  gates g;
  gates_init(&g);
  cf_future *block0[2], *block1[2];
  for (int w = 0; w < workers; w++) block0[w] = submit_gate(ex, &g, 0);
  for (int w = 0; w < workers; w++) wait_running(block0[w]);
  for (int w = 0; w < workers; w++) block1[w] = submit_gate(ex, &g, 1);
  enum { N = 200 };
  cf_future *fs[N];
  for (int i = 0; i < N; i++) {
    atomic_store(&g_runs[i], 0);
    CHECK_EQ(cf_submit(ex, t_count_run, &i, sizeof i, &fs[i]), 0);
  }
  gate_open(&g, 0); /* the workers take block1 and a batch behind it */
  for (int w = 0; w < workers; w++) wait_running(block1[w]);
  CHECK_EQ(cf_executor_shutdown(ex, 0, 1), 0);
  for (int i = 0; i < N; i++) CHECK(cf_future_cancelled(fs[i])); /* at once, not once a worker gets there */
  gate_open(&g, 1);
  for (int w = 0; w < workers; w++) CHECK_EQ(result_int(block1[w]), 1);
  for (int i = 0; i < N; i++) {
    CHECK_EQ(cf_future_result(fs[i], 0, NULL, NULL), CF_ECANCELED);
    cf_future_release(fs[i]);
  }
  for (int w = 0; w < workers; w++) {
    cf_future_release(block0[w]);
    cf_future_release(block1[w]);
  }
  cf_executor_free(ex);
  for (int i = 0; i < N; i++) CHECK_EQ(atomic_load(&g_runs[i]), 0);
  gates_free(&g);
}

static void shutdown_cancels_batched(void) {
  shutdown_cancels_batched_at(1);
  shutdown_cancels_batched_at(2);
}

/* FIFO start order at 1, 2 and 4 workers: each worker thread must start
 * the futures it gets in submission order (a worker pops one after the
 * other, so under a FIFO whatever it pops later was submitted later,
 * however the threads are scheduled).  A pool whose workers took futures
 * behind the queue's head ahead of it (a batch refilled while another
 * worker was waiting for q_lock, a stock popped last-in first-out) breaks
 * it.  Bursts to a busy and to an idle pool, from two submitters at once
 * (each submitter's own futures are in its order). */
enum { FIFO_N = 1500, FIFO_ROUNDS = 6 };
static _Atomic int g_fifo_breaks;
static _Thread_local long tl_last[2] = {-1, -1}; /* per submitter: the last index this thread started */

static int t_in_order(const void *arg, size_t len, cf_result *out) {
  (void)len;
  (void)out;
  long v[2];
  memcpy(v, arg, sizeof v); /* submitter, index */
  if (v[1] <= tl_last[v[0]]) atomic_fetch_add(&g_fifo_breaks, 1);
  tl_last[v[0]] = v[1];
  return 0;
}

typedef struct fifo_arg {
  cf_executor *ex;
  long who, base;
  cf_future **fs;
} fifo_arg;

static void *fifo_submitter(void *p) {
  fifo_arg *a = p;
  for (long i = 0; i < FIFO_N; i++) {
    long v[2] = {a->who, a->base + i};
    CHECK_EQ(cf_submit(a->ex, t_in_order, v, sizeof v, &a->fs[i]), 0);
  }
  return NULL;
}

static void fifo_start_order(void) {
  static const int ws[] = {1, 2, 4};
  cf_future **fs = malloc(2 * FIFO_N * sizeof *fs);
  CHECK(fs != NULL);
  atomic_store(&g_fifo_breaks, 0);
  for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++) {
    cf_executor *ex = make_ex(ws[k]);
    for (long round = 0; round < FIFO_ROUNDS; round++) {
      if (round % 2) sleep_ms(20); /* idle: the workers sleep when the burst comes */
      fifo_arg args[2] = {{ex, 0, round * FIFO_N, fs}, {ex, 1, round * FIFO_N, fs + FIFO_N}};
      pthread_t th;
      CHECK_EQ(pthread_create(&th, NULL, fifo_submitter, &args[1]), 0);
      fifo_submitter(&args[0]);
      pthread_join(th, NULL);
      for (int i = 0; i < 2 * FIFO_N; i++) {
        CHECK_EQ(cf_future_result(fs[i], -1, NULL, NULL), 0);
        cf_future_release(fs[i]);
      }
    }
    cf_executor_free(ex);
  }
  free(fs);
  CHECK_EQ(atomic_load(&g_fifo_breaks), 0);
}

/* A task that waits for a later task (through an event, then through its
 * future) at 2 workers: the later task is in the batch the waiting worker
 * filled, and the other worker, idle or asleep, must run it; the waits
 * would hang (60 s bound: the task fails) if only the filler popped its
 * batch.  The future wait must not be reported as a deadlock either. */
static _Atomic int g_event;

static int t_wait_event(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  (void)out;
  double t0 = now_s();
  while (!atomic_load(&g_event)) {
    if (now_s() - t0 > 60.0) return 1;
    sleep_ms(1);
  }
  return 0;
}

static int t_set_event(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  (void)out;
  atomic_store(&g_event, 1);
  return 0;
}

static _Atomic(cf_future *) g_later;

static int t_wait_later(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  (void)out;
  double t0 = now_s();
  cf_future *f;
  while (!(f = atomic_load(&g_later))) { /* the submitter names it once cf_submit returns */
    if (now_s() - t0 > 60.0) return 1;
    sched_yield();
  }
  return cf_future_result(f, 60.0, NULL, NULL);
}

static void waits_on_a_batched_task(void) {
  cf_executor *ex = make_ex(2);
  enum { MORE = 30 };
  for (int round = 0; round < 20; round++) {
    if (round % 2) sleep_ms(20); /* both workers asleep when the burst comes */
    int by_future = round % 4 >= 2;
    atomic_store(&g_event, 0);
    atomic_store(&g_later, NULL);
    /* One worker sleeps 20 ms in `busy`; the other takes the waiter with
     * the burst behind it in the batch, and the task it waits for is
     * there: only the busy worker, once free, can run it. */
    cf_future *busy = submit_int(ex, t_sleep, 20);
    cf_future *first = submit_int(ex, by_future ? t_wait_later : t_wait_event, 0), *later[MORE];
    for (int i = 0; i < MORE; i++) {
      later[i] = submit_int(ex, i == MORE / 2 && !by_future ? t_set_event : t_sleep, 0);
      if (i == MORE / 2 && by_future) atomic_store(&g_later, later[i]);
    }
    CHECK_EQ(cf_future_result(first, -1, NULL, NULL), 0);
    for (int i = 0; i < MORE; i++) {
      CHECK_EQ(cf_future_result(later[i], -1, NULL, NULL), 0);
      cf_future_release(later[i]);
    }
    CHECK_EQ(cf_future_result(busy, -1, NULL, NULL), 0);
    cf_future_release(first);
    cf_future_release(busy);
  }
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.deadlocks, 0);
  cf_executor_free(ex);
}

static int count_cb(cf_future *f, void *ud) {
  (void)f;
  atomic_fetch_add(&g_cbs[(intptr_t)ud], 1);
  return 0;
}

typedef struct race_arg {
  cf_executor *ex;
  int row;
} race_arg;

/* Submit, cancel every third at once (the worker may have it in its batch
 * or be claiming it), add a callback to every fifth (racing its
 * completion), then collect. */
static void *batch_racer(void *p) {
  race_arg *a = p;
  static _Thread_local cf_future *fs[RACE_PER];
  static _Thread_local int won[RACE_PER];
  for (int k = 0; k < RACE_PER; k++) {
    int i = a->row * RACE_PER + k;
    CHECK_EQ(cf_submit(a->ex, t_count_run, &i, sizeof i, &fs[k]), 0);
    won[k] = k % 3 == 0 ? cf_future_cancel(fs[k]) : 0;
    if (k % 5 == 0) CHECK_EQ(cf_future_add_done_callback(fs[k], count_cb, (void *)(intptr_t)i), 0);
  }
  for (int k = 0; k < RACE_PER; k++) {
    int i = a->row * RACE_PER + k, rc = cf_future_result(fs[k], 60.0, NULL, NULL);
    CHECK_EQ(rc, won[k] ? CF_ECANCELED : 0);
    CHECK_EQ(atomic_load(&g_runs[i]), won[k] ? 0 : 1); /* ran once, or never if cancelled */
    cf_future_release(fs[k]);
  }
  return NULL;
}

static void cancels_and_callbacks_race_batches_at(int workers) {
  for (int i = 0; i < RACE_SUBMITTERS * RACE_PER; i++) {
    atomic_store(&g_runs[i], 0);
    atomic_store(&g_cbs[i], 0);
  }
  cf_executor *ex = make_ex(workers);
  pthread_t th[RACE_SUBMITTERS];
  race_arg args[RACE_SUBMITTERS];
  for (int t = 0; t < RACE_SUBMITTERS; t++) {
    args[t] = (race_arg){ex, t};
    CHECK_EQ(pthread_create(&th[t], NULL, batch_racer, &args[t]), 0);
  }
  for (int t = 0; t < RACE_SUBMITTERS; t++) pthread_join(th[t], NULL);
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.submitted, (uint64_t)(RACE_SUBMITTERS * RACE_PER));
  CHECK_EQ(st.completed + st.cancelled, st.submitted);
  cf_executor_free(ex);
  for (int i = 0; i < RACE_SUBMITTERS * RACE_PER; i++) CHECK_EQ(atomic_load(&g_cbs[i]), i % RACE_PER % 5 == 0);
}

/* At 1, 2 and 4 workers: several workers pop the batch at once. */
static void cancels_and_callbacks_race_batches(void) {
  cancels_and_callbacks_race_batches_at(1);
  cancels_and_callbacks_race_batches_at(2);
  cancels_and_callbacks_race_batches_at(4);
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
                                    {"ids_follow_the_close", ids_follow_the_close},
                                    {"shutdown_cancels_queued", shutdown_cancels_queued},
                                    {"shutdown_cancels_batched", shutdown_cancels_batched},
                                    {"cancels_and_callbacks_race_batches", cancels_and_callbacks_race_batches},
                                    {"fifo_start_order", fifo_start_order},
                                    {"waits_on_a_batched_task", waits_on_a_batched_task},
                                    {"buffers_survive_recycling", buffers_survive_recycling},
                                    {"counters_exact", counters_exact},
                                    {"wakeups_from_many_submitters", wakeups_from_many_submitters},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
