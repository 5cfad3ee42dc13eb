/* test_process.c -- what only the process backend does: crash isolation
 * (segfault, abort, exit, SIGKILL from inside and outside), respawn, a map
 * where 5% of the items crash, per-task timeouts, worker recycling, the
 * initializer in every worker, CF_EINTASK from inside a task, 16 MiB
 * arguments and results, records with pids, no leaked children, fds or
 * shared memory after shutdown, and pipelining (cancel racing the worker's
 * claim, a worker killed with requests in flight, results in order,
 * stealing), and a worker that corrupts its own result ring before dying.
 * Run with "process", "process-pipe" or "process-spawn". */
#include "common.h"
#include "leaks.h"
#include "process_internal.h" /* bad_answer_then_death writes the wire format */

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { DIE_SEGV = 1, DIE_ABORT, DIE_EXIT, DIE_SIGKILL };

static void die(int how) {
  switch (how) {
  case DIE_SEGV: {
    /* a real fault; the default action, whatever a sanitizer installed */
    signal(SIGSEGV, SIG_DFL);
    volatile int *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *p = 1;
    break;
  }
  case DIE_ABORT:
    signal(SIGABRT, SIG_DFL);
    abort();
  case DIE_EXIT:
    exit(3);
  case DIE_SIGKILL:
    raise(SIGKILL);
    break;
  }
}

/* int in: 0 = return 7 * getpid-independent value; else die that way. */
static int t_die(const void *arg, size_t len, cf_result *out) {
  int how;
  memcpy(&how, arg, sizeof how);
  if (how) die(how);
  return cf_result_set(out, &how, sizeof how);
}

static int t_getpid(const void *arg, size_t len, cf_result *out) {
  int pid = (int)getpid();
  return cf_result_set(out, &pid, sizeof pid);
}

static int result_pid(cf_future *f) {
  const void *d;
  size_t len;
  CHECK_EQ(cf_future_result(f, 20, &d, &len), 0);
  CHECK_EQ(len, sizeof(int));
  int v;
  memcpy(&v, d, sizeof v);
  return v;
}

static void crash_each_way(void) {
  static const struct {
    int how;
    const char *text;
  } ways[] = {{DIE_SEGV, "killed by signal 11 (Segmentation fault)"},
              {DIE_ABORT, "killed by signal 6 (Aborted)"},
              {DIE_EXIT, "exited with status 3"},
              {DIE_SIGKILL, "killed by signal 9 (Killed)"}};
  cf_executor *ex = make_ex(2);
  for (size_t w = 0; w < sizeof ways / sizeof ways[0]; w++) {
    cf_future *others[8];
    for (int i = 0; i < 4; i++) others[i] = submit_int(ex, t_sleep, 5);
    cf_future *bad = submit_int(ex, t_die, ways[w].how);
    for (int i = 4; i < 8; i++) others[i] = submit_int(ex, t_sleep, 5);
    CHECK_EQ(cf_future_result(bad, 20, NULL, NULL), CF_EBROKEN);
    CHECK(cf_future_done(bad));
    CHECK_EQ(cf_future_error(bad), CF_EBROKEN);
    int st = cf_future_worker_status(bad);
    if (ways[w].how == DIE_EXIT) {
      CHECK(WIFEXITED(st));
      CHECK_EQ(WEXITSTATUS(st), 3);
    } else {
      CHECK(WIFSIGNALED(st));
      CHECK_EQ(WTERMSIG(st), ways[w].how == DIE_SEGV ? SIGSEGV : ways[w].how == DIE_ABORT ? SIGABRT : SIGKILL);
    }
    const char *msg = cf_future_message(bad);
    fprintf(stderr, "   %s\n", msg);
    CHECK_STR_CONTAINS(msg, ways[w].text);
    CHECK_STR_CONTAINS(msg, "(pid ");
    CHECK_STR_CONTAINS(msg, "worker ");
    for (int i = 0; i < 8; i++) {
      CHECK_EQ(result_int(others[i]), 5); /* only the crashing task failed */
      cf_future_release(others[i]);
    }
    cf_future_release(bad);
    cf_executor_stats st2;
    cf_executor_stats_get(ex, &st2);
    CHECK_EQ(st2.respawns, w + 1);
  }
  cf_future *ok = submit_int(ex, t_die, 0);
  CHECK_EQ(result_int(ok), 0);
  cf_future_release(ok);
  cf_executor_free(ex);
}

/* The argument (a path, not terminated) into path; -1 if too long. */
static int arg_path(const void *arg, size_t len, char *path, size_t cap) {
  if (len >= cap) return -1;
  memcpy(path, arg, len);
  path[len] = '\0';
  return 0;
}

/* Creates the file named by the argument, then sleeps 5 s: the file says
 * the task is running in its worker (on mpi, RUNNING only means "sent to
 * a rank", and a kill before the rank hands it over hits an idle worker). */
static int t_flag_sleep(const void *arg, size_t len, cf_result *out) {
  char path[256];
  if (arg_path(arg, len, path, sizeof path)) return -1;
  FILE *f = fopen(path, "w");
  if (f) fclose(f);
  sleep_ms(5000);
  return cf_result_set(out, "", 0);
}

static void killed_from_outside(void) {
  cf_executor *ex = make_ex(1);
  /* while running a task (one worker: the pid is the one a task reports) */
  cf_future *p;
  CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &p), 0);
  int pid = result_pid(p);
  cf_future_release(p);
  char flag[64];
  snprintf(flag, sizeof flag, "/tmp/cf_test_running_%d", (int)getpid());
  unlink(flag);
  cf_future *f;
  CHECK_EQ(cf_submit(ex, t_flag_sleep, flag, strlen(flag), &f), 0);
  for (int i = 0; i < 30000 && access(flag, F_OK) != 0; i++) sleep_ms(1); /* hang guard: 30 s */
  CHECK_EQ(access(flag, F_OK), 0);
  unlink(flag);
  CHECK_EQ(kill(pid, SIGKILL), 0);
  CHECK_EQ(cf_future_result(f, 10, NULL, NULL), CF_EBROKEN);
  CHECK(WIFSIGNALED(cf_future_worker_status(f)));
  CHECK_EQ(WTERMSIG(cf_future_worker_status(f)), SIGKILL);
  CHECK_STR_CONTAINS(cf_future_message(f), "killed by signal 9");
  cf_task_record rec;
  cf_future_record(f, &rec);
  CHECK_EQ(rec.pid, pid);
  cf_future_release(f);
  cf_executor_free(ex);
  ex = make_ex(2);
  /* while idle: the next tasks still all complete */
  int pids[2];
  cf_future *a, *b;
  CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &a), 0);
  CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &b), 0);
  pids[0] = result_pid(a);
  pids[1] = result_pid(b);
  cf_future_release(a);
  cf_future_release(b);
  kill(pids[0], SIGKILL);
  if (pids[1] != pids[0]) kill(pids[1], SIGKILL);
  cf_future *fs[20];
  for (int i = 0; i < 20; i++) fs[i] = submit_int(ex, t_sleep, 1);
  for (int i = 0; i < 20; i++) {
    int rc = cf_future_result(fs[i], 20, NULL, NULL);
    CHECK_EQ(rc, 0); /* a dead idle worker is never blamed for a task */
    cf_future_release(fs[i]);
  }
  cf_executor_free(ex);
}

typedef struct crash_input {
  uint64_t next, end, cur;
} crash_input;

static int crash_next(void *ud, const void **arg, size_t *len) {
  crash_input *in = ud;
  if (in->next >= in->end) return 0;
  in->cur = in->next++;
  *arg = &in->cur;
  *len = sizeof in->cur;
  return 1;
}

/* Items with i % 20 == 7 segfault; the others give 3 * i. */
static int t_crash_some(const void *arg, size_t len, cf_result *out) {
  uint64_t v;
  memcpy(&v, arg, sizeof v);
  if (v % 20 == 7) die(DIE_SEGV);
  v *= 3;
  return cf_result_set(out, &v, sizeof v);
}

static void map_five_percent_crash(void) {
  cf_executor *ex = make_ex(2);
  crash_input in = {0, 1000, 0};
  cf_map_options opt;
  cf_map_options_init(&opt);
  opt.chunksize = 1;
  cf_map *m;
  CHECK_EQ(cf_map_new(ex, t_crash_some, crash_next, &in, &opt, &m), 0);
  int ok = 0, broken = 0;
  for (uint64_t i = 0; i < 1000; i++) {
    const void *d;
    size_t len;
    int rc = cf_map_next(m, &d, &len);
    if (i % 20 == 7) {
      CHECK_EQ(rc, CF_EBROKEN);
      broken++;
    } else {
      CHECK_EQ(rc, 0);
      CHECK_EQ(len, 8);
      uint64_t v;
      memcpy(&v, d, 8);
      CHECK_EQ(v, 3 * i); /* intact and in order */
      ok++;
    }
  }
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_EOF);
  cf_map_free(m);
  CHECK_EQ(ok, 950);
  CHECK_EQ(broken, 50);
  cf_executor_shutdown(ex, 1, 0); /* counters settle when the pool is done */
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.respawns, 50);
  /* Counters count futures: on processes chunksize-1 items travel several
   * to a chunk (cf_map_options), and each crash fails exactly one chunk. */
  CHECK_EQ(st.failed, 50);
  CHECK_LE(st.completed, 950);
  CHECK_EQ(st.completed + st.failed + st.cancelled, st.submitted);
  cf_executor_free(ex);
}

static void task_timeout(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 2;
  cfg.task_timeout_s = 1.0; /* wide margin over the quick tasks: CI machines are loaded */
  cf_executor *ex = make_ex_cfg(&cfg);
  double t0 = now_s();
  cf_future *slow = submit_int(ex, t_sleep, 20000);
  cf_future *quick[6];
  for (int i = 0; i < 6; i++) quick[i] = submit_int(ex, t_sleep, 20);
  CHECK_EQ(cf_future_result(slow, 30, NULL, NULL), CF_ETIMEDOUT);
  double took = now_s() - t0;
  CHECK(took >= 0.99);
  CHECK(took < 10.0); /* 10x the timeout, half the task's 20 s */
  CHECK(cf_future_done(slow)); /* the task timed out, not the wait */
  CHECK_EQ(cf_future_error(slow), CF_ETIMEDOUT);
  CHECK(WIFSIGNALED(cf_future_worker_status(slow)));
  CHECK_EQ(WTERMSIG(cf_future_worker_status(slow)), SIGKILL);
  CHECK_STR_CONTAINS(cf_future_message(slow), "timeout");
  fprintf(stderr, "   %s\n", cf_future_message(slow));
  for (int i = 0; i < 6; i++) {
    CHECK_EQ(result_int(quick[i]), 20); /* shorter than the timeout: unharmed */
    cf_future_release(quick[i]);
  }
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.respawns, 1);
  cf_future *again = submit_int(ex, t_sleep, 1);
  CHECK_EQ(result_int(again), 1);
  cf_future_release(again);
  cf_future_release(slow);
  cf_executor_free(ex);
}

static void recycling(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 1;
  cfg.max_tasks_per_child = 2;
  cf_executor *ex = make_ex_cfg(&cfg);
  int pids[6];
  for (int i = 0; i < 6; i++) {
    cf_future *f;
    CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &f), 0);
    pids[i] = result_pid(f);
    cf_task_record rec;
    cf_future_record(f, &rec);
    CHECK_EQ(rec.pid, pids[i]);
    cf_future_release(f);
  }
  for (int i = 0; i < 6; i += 2) {
    CHECK_EQ(pids[i], pids[i + 1]);          /* two tasks per process */
    if (i) CHECK_NE(pids[i], pids[i - 1]);   /* then a new process */
  }
  CHECK_NE(pids[0], pids[4]);
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_GE(st.respawns, 2);
  CHECK_EQ(st.failed, 0);
  cf_executor_free(ex);
}

static int g_init_pid; /* set by the initializer, in the worker */
static int init_mark(void *arg) {
  g_init_pid = (int)getpid();
  return 0;
}
static int t_init_pid(const void *arg, size_t len, cf_result *out) {
  int v[2] = {g_init_pid, (int)getpid()};
  return cf_result_set(out, v, sizeof v);
}
static int init_crash(void *arg) {
  die(DIE_SEGV);
  return 0;
}

static void initializer_every_worker(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 2;
  cfg.max_tasks_per_child = 1; /* respawned workers run it too */
  cfg.initializer = init_mark;
  cf_executor *ex = make_ex_cfg(&cfg);
  int seen[8];
  for (int i = 0; i < 8; i++) {
    cf_future *f;
    CHECK_EQ(cf_submit(ex, t_init_pid, NULL, 0, &f), 0);
    const void *d;
    size_t len;
    CHECK_EQ(cf_future_result(f, 20, &d, &len), 0);
    int v[2];
    memcpy(v, d, sizeof v);
    CHECK_EQ(v[0], v[1]);
    seen[i] = v[1];
    for (int j = 0; j < i; j++) CHECK_NE(seen[j], v[1]);
    cf_future_release(f);
  }
  CHECK_EQ(g_init_pid, 0); /* never ran in the parent */
  cf_executor_free(ex);

  /* an initializer that crashes breaks the pool with a clear message */
  cf_config_init(&cfg);
  cfg.max_workers = 2;
  cfg.initializer = init_crash;
  ex = make_ex_cfg(&cfg);
  cf_future *f;
  int rc = cf_submit(ex, t_sleep, &(int){1}, sizeof(int), &f);
  if (rc == 0) {
    CHECK_EQ(cf_future_result(f, 20, NULL, NULL), CF_EBROKEN);
    fprintf(stderr, "   %s\n", cf_future_message(f));
    CHECK_STR_CONTAINS(cf_future_message(f), "initializer");
    CHECK_STR_CONTAINS(cf_future_message(f), "signal 11");
    cf_future_release(f);
  } else {
    CHECK_EQ(rc, CF_EBROKEN);
  }
  double t0 = now_s();
  while ((rc = cf_submit(ex, t_sleep, &(int){1}, sizeof(int), &f)) == 0) {
    CHECK_EQ(cf_future_result(f, 20, NULL, NULL), CF_EBROKEN);
    cf_future_release(f);
    CHECK(now_s() - t0 < 10);
  }
  CHECK_EQ(rc, CF_EBROKEN);
  cf_executor_free(ex);
}

static int map_in_nothing(void *ud, const void **arg, size_t *len) { return 0; }

/* Calls the API on the parent's objects (their addresses come in the
 * argument: workers were forked before they existed); returns every code. */
static int t_call_api(const void *arg, size_t len, cf_result *out) {
  cf_executor *g_ex;
  cf_future *g_f;
  memcpy(&g_ex, arg, sizeof g_ex);
  memcpy(&g_f, (const char *)arg + sizeof g_ex, sizeof g_f);
  int codes[7];
  cf_future *f = NULL;
  codes[0] = cf_submit(g_ex, t_echo, "x", 1, &f);
  codes[1] = cf_future_result(g_f, 1.0, NULL, NULL);
  codes[2] = cf_wait(&g_f, 1, CF_ALL_COMPLETED, 1.0, NULL);
  cf_map *m = NULL;
  codes[3] = cf_map_new(g_ex, t_echo, map_in_nothing, NULL, NULL, &m);
  cf_executor *ex2 = NULL;
  codes[4] = cf_executor_new(&ex2, NULL);
  codes[5] = cf_executor_shutdown(g_ex, 1, 0);
  cf_executor_free(g_ex); /* must not touch the parent's workers */
  codes[6] = (f == NULL && m == NULL && ex2 == NULL) ? CF_EINTASK : 0;
  return cf_result_set(out, codes, sizeof codes);
}

static void api_from_task(void) {
  cf_executor *g_ex = make_ex(2);
  cf_future *g_f = submit_int(g_ex, t_sleep, 200); /* would never finish in a worker */
  cf_future *f;
  double t0 = now_s();
  void *ptrs[2] = {g_ex, g_f};
  CHECK_EQ(cf_submit(g_ex, t_call_api, ptrs, sizeof ptrs, &f), 0);
  const void *d;
  size_t len;
  CHECK_EQ(cf_future_result(f, 20, &d, &len), 0);
  CHECK(now_s() - t0 < 10.0); /* an error, never a hang (loose: a loaded machine) */
  CHECK_EQ(len, 7 * sizeof(int));
  int codes[7];
  memcpy(codes, d, sizeof codes);
  for (int i = 0; i < 7; i++) {
    if (codes[i] != CF_EINTASK) fprintf(stderr, "call %d returned %s\n", i, cf_err_name(codes[i]));
    CHECK_EQ(codes[i], CF_EINTASK);
  }
  cf_future_release(f);
  CHECK_EQ(result_int(g_f), 200);
  /* the pool still works */
  f = submit_int(g_ex, t_sleep, 1);
  CHECK_EQ(result_int(f), 1);
  cf_future_release(f);
  cf_future_release(g_f);
  cf_executor_free(g_ex);
}

#define BIG (16u << 20)

/* uint32 seed in; BIG bytes of a pattern out. */
static int t_big(const void *arg, size_t len, cf_result *out) {
  uint32_t seed;
  memcpy(&seed, arg, 4);
  unsigned char *p = cf_result_alloc(out, BIG);
  if (!p) return 1;
  for (size_t i = 0; i < BIG; i++) p[i] = (unsigned char)((i * 131u) ^ seed ^ (i >> 13));
  return 0;
}

/* Sum of the bytes of the argument, as uint64. */
static int t_sum(const void *arg, size_t len, cf_result *out) {
  const unsigned char *p = arg;
  uint64_t s = 0;
  for (size_t i = 0; i < len; i++) s += p[i] * (uint64_t)(i % 251 + 1);
  return cf_result_set(out, &s, sizeof s);
}

static void big_messages(void) {
  cf_executor *ex = make_ex(2);
  uint32_t seed = 0x5a;
  cf_future *f;
  CHECK_EQ(cf_submit(ex, t_big, &seed, 4, &f), 0);
  cf_future *small = submit_int(ex, t_sleep, 1); /* other work goes on meanwhile */
  const void *d;
  size_t len;
  CHECK_EQ(cf_future_result(f, 60, &d, &len), 0);
  CHECK_EQ(len, BIG);
  const unsigned char *p = d;
  for (size_t i = 0; i < BIG; i++)
    if (p[i] != (unsigned char)((i * 131u) ^ seed ^ (i >> 13))) CHECK_EQ(i, BIG);
  /* a 16 MiB argument */
  cf_future *g;
  CHECK_EQ(cf_submit(ex, t_sum, d, len, &g), 0);
  uint64_t expect = 0;
  for (size_t i = 0; i < BIG; i++) expect += p[i] * (uint64_t)(i % 251 + 1);
  CHECK_EQ(cf_future_result(g, 60, &d, &len), 0);
  CHECK_EQ(len, 8);
  uint64_t got;
  memcpy(&got, d, 8);
  CHECK(got == expect);
  CHECK_EQ(result_int(small), 1);
  cf_future_release(small);
  cf_future_release(g);
  cf_future_release(f);
  cf_executor_free(ex);
}

/* One worker runs its tasks one after another, so each record's start is
 * at or after the previous one's end, and a 2 ms task reads as at least
 * 2 ms.  With requests pipelined the end used to be when the parent
 * collected the answer, after the worker had already started the next
 * task: 29 of 29 overlapped.  The end is now the worker's (its start plus
 * the run time it measured).  MPI: every start but the first was the next
 * task's send time (2 ms tasks read as 3-6 us). */
static void records_one_worker_in_sequence(void) {
  enum { N = 30 };
  cf_executor *ex = make_ex(1);
  cf_future *fs[N];
  for (int i = 0; i < N; i++) fs[i] = submit_int(ex, t_sleep, 2);
  for (int i = 0; i < N; i++) CHECK_EQ(cf_future_result(fs[i], 60, NULL, NULL), 0);
  cf_task_record prev, r;
  for (int i = 0; i < N; i++) {
    cf_future_record(fs[i], &r);
    CHECK_GE(r.end_ns - r.start_ns, 2000000);
    if (i > 0) {
      CHECK_EQ(r.id, prev.id + 1);
      if (r.start_ns < prev.end_ns)
        fprintf(stderr, "task %d starts %llu ns before task %d ends\n", (int)r.id,
                (unsigned long long)(prev.end_ns - r.start_ns), (int)prev.id);
      CHECK_GE(r.start_ns, prev.end_ns);
    }
    prev = r;
  }
  for (int i = 0; i < N; i++) cf_future_release(fs[i]);
  cf_executor_free(ex);
}

static atomic_int rec_with_pid;
static void on_rec(const cf_task_record *r, void *ud) {
  if (r->pid > 0 && r->worker >= 0 && r->cpu >= 0) atomic_fetch_add(&rec_with_pid, 1);
}

static void records_pid(void) {
  atomic_store(&rec_with_pid, 0);
  cf_executor *ex = make_ex_recording(2, on_rec);
  for (int i = 0; i < 10; i++) {
    cf_future *f;
    CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &f), 0);
    int pid = result_pid(f);
    CHECK_NE(pid, (int)getpid());
    cf_task_record r;
    cf_future_record(f, &r);
    CHECK_EQ(r.pid, pid);
    CHECK_GE(r.worker, 0);
    CHECK_LT(r.worker, 2);
    CHECK_GE(r.cpu, 0);
    CHECK_GE(r.start_ns, r.enqueue_ns);
    CHECK_GE(r.end_ns, r.start_ns);
    cf_future_release(f);
  }
  cf_executor_shutdown(ex, 1, 0);
  CHECK_EQ(atomic_load(&rec_with_pid), 10);
  cf_executor_free(ex);
}

/* ---- leaks: children (zombies included), fds, shared mappings ---- */

static void busy_life(cf_executor *ex) {
  cf_future *fs[12];
  for (int i = 0; i < 12; i++) fs[i] = submit_int(ex, i == 3 ? t_die : t_sleep, i == 3 ? DIE_SEGV : 2);
  for (int i = 0; i < 12; i++) {
    cf_future_result(fs[i], 20, NULL, NULL);
    cf_future_release(fs[i]);
  }
}

static void no_leaks(void) {
  int kids0 = count_children(), fds0 = count_fds(), maps0 = count_shared_maps();
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 3;
  cfg.max_tasks_per_child = 3;
  cfg.task_timeout_s = 5;
  cf_executor *ex = make_ex_cfg(&cfg);
  /* mpi: the workers are children of the ranks; the client forks none */
  CHECK_EQ(count_children(), kids0 + (g_backend == CF_BACKEND_MPI ? 0 : 3));
  busy_life(ex);
  CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0);
  /* shutdown(wait) reaped every child and released every fd and mapping */
  CHECK_EQ(count_children(), kids0);
  CHECK_EQ(count_fds(), fds0);
  cf_executor_free(ex);
  CHECK_EQ(count_shared_maps(), maps0);

  /* shutdown without wait, then free: nothing left either */
  ex = make_ex_cfg(&cfg);
  busy_life(ex);
  cf_future *f = submit_int(ex, t_sleep, 100);
  CHECK_EQ(cf_executor_shutdown(ex, 0, 0), 0);
  cf_executor_free(ex);
  CHECK_EQ(result_int(f), 100);
  cf_future_release(f);
  CHECK_EQ(count_children(), kids0);
  CHECK_EQ(count_fds(), fds0);
  CHECK_EQ(count_shared_maps(), maps0);

  /* cancel_futures: queued work cancelled, workers gone */
  cfg.max_workers = 1;
  ex = make_ex_cfg(&cfg);
  gates g;
  gates_init(&g);
  /* run holds the one worker until shutdown has cancelled the queue: a
   * sleep could end first on a loaded machine and let q[0] start */
  cf_future *run = submit_gate(ex, &g, 0), *q[4];
  for (int i = 0; i < 4; i++) q[i] = submit_int(ex, t_sleep, 1000);
  wait_running(run);
  gate_opener go;
  gate_open_when_done(&go, &g, 0, q, 4); /* once shutdown has cancelled the queue */
  CHECK_EQ(cf_executor_shutdown(ex, 1, 1), 0);
  gate_opener_join(&go);
  CHECK_EQ(result_int(run), 0);
  for (int i = 0; i < 4; i++) {
    CHECK(cf_future_cancelled(q[i]));
    cf_future_release(q[i]);
  }
  cf_future_release(run);
  CHECK_EQ(count_children(), kids0);
  cf_executor_free(ex);
  gates_free(&g);
  CHECK_EQ(count_fds(), fds0);
  CHECK_EQ(count_shared_maps(), maps0);
}

/* What a worker inherits per start method: fork copies the parent as it
 * is (a global set at run time, a heap argument), spawn starts the image
 * afresh (the global at its initial value; a heap initializer_arg refused
 * with a reason; static data is found again).  mpi behaves as spawn
 * whichever is given: its ranks are other processes (cfutures.h). */
static int g_runtime_value = 1;
static int g_static_arg = 42;
static int t_read_global(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  return cf_result_set(out, &g_runtime_value, sizeof g_runtime_value);
}
static int init_check_arg(void *arg) { return *(int *)arg == 42 ? 0 : 1; }

static void start_method_semantics(void) {
  g_runtime_value = 7;
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 1;
  cfg.initializer = init_check_arg;
  cfg.initializer_arg = &g_static_arg;
  int spawnlike = g_start != CF_START_FORK || g_backend == CF_BACKEND_MPI;
  cf_executor *ex = make_ex_cfg(&cfg);
  cf_future *f = submit_int(ex, t_read_global, 0);
  CHECK_EQ(result_int(f), spawnlike ? 1 : 7);
  cf_future_release(f);
  cf_executor_free(ex);
  int *heap = malloc(sizeof *heap);
  *heap = 42;
  cfg.initializer_arg = heap;
  cfg.backend = g_backend;
  cfg.transport = g_transport;
  cfg.start_method = g_start;
  ex = NULL;
  int rc = cf_executor_new(&ex, &cfg);
  if (spawnlike) {
    CHECK_EQ(rc, CF_EINVAL);
    CHECK_STR_CONTAINS(cf_last_error_message(), "initializer_arg");
  } else {
    CHECK_EQ(rc, 0);
    f = submit_int(ex, t_read_global, 0);
    CHECK_EQ(result_int(f), 7);
    cf_future_release(f);
    cf_executor_free(ex);
  }
  free(heap);
  cfg.start_method = (cf_start_method)9;
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_EINVAL);
  CHECK_STR_CONTAINS(cf_last_error_message(), "start_method");
  g_runtime_value = 1;
}

/* ------------------------------------------------------------ pipelining
 * On the shm transport a worker has up to PIPE_DEPTH (256) requests in
 * flight, fewer when its tasks run long (PIPE_AHEAD_NS); the
 * queued ones stay PENDING until the worker claims them.  These hold on
 * every transport (pipes: one in flight). */

/* Appends one byte to the file named by arg (every run leaves a trace,
 * whatever the start method), returns arg's length. */
static int t_mark(const void *arg, size_t len, cf_result *out) {
  char path[256];
  if (arg_path(arg, len, path, sizeof path)) return -1;
  FILE *f = fopen(path, "a");
  if (!f) return -2;
  fputc('x', f);
  fclose(f);
  int n = (int)len;
  return cf_result_set(out, &n, sizeof n);
}

/* int in, int + 1 out. */
static int t_inc(const void *arg, size_t len, cf_result *out) {
  int v;
  if (len != sizeof v) return -1;
  memcpy(&v, arg, sizeof v);
  v++;
  return cf_result_set(out, &v, sizeof v);
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

/* Cancel races the worker's claim: a future that cancel won never ran, one
 * it lost ran exactly once and has its result; many rounds, cancelling in
 * different orders while the worker is taking the requests. */
static void cancel_claim_race(void) {
  if (g_backend == CF_BACKEND_MPI) return; /* mpi: cancel is the rank's business */
  char path[64];
  snprintf(path, sizeof path, "/tmp/cf_test_marks_%d", (int)getpid());
  unlink(path);
  cf_executor *ex = make_ex(2);
  enum { ROUNDS = 150, N = 40 };
  long ran = 0, cancelled = 0;
  for (int r = 0; r < ROUNDS; r++) {
    cf_future *fs[N];
    int won[N];
    for (int i = 0; i < N; i++) CHECK_EQ(cf_submit(ex, t_mark, path, strlen(path), &fs[i]), 0);
    for (int k = 0; k < N; k++) {
      int i = r % 3 == 0 ? N - 1 - k : r % 3 == 1 ? k : (k * 7) % N; /* 7 and 40 are coprime */
      won[i] = cf_future_cancel(fs[i]);
    }
    for (int i = 0; i < N; i++) {
      int rc = cf_future_result(fs[i], 20, NULL, NULL);
      if (won[i]) {
        CHECK_EQ(rc, CF_ECANCELED);
        CHECK(cf_future_cancelled(fs[i]));
        cancelled++;
      } else {
        CHECK_EQ(rc, 0);
        CHECK_EQ(result_int(fs[i]), (int)strlen(path));
        ran++;
      }
      cf_future_release(fs[i]);
    }
  }
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  cf_executor_free(ex);
  CHECK_EQ(file_size(path), ran); /* no cancelled task ran, none ran twice */
  CHECK_EQ((long)st.cancelled, cancelled);
  CHECK(ran + cancelled == (long)ROUNDS * N);
  unlink(path);
}

/* A worker SIGKILLed with requests queued behind its running task fails
 * exactly that task (CF_EBROKEN); the ones it had not claimed run on its
 * replacement. */
static void kill_with_requests_in_flight(void) {
  if (g_backend == CF_BACKEND_MPI) return; /* no local worker pid to kill */
  cf_executor *ex = make_ex(1);
  int pid;
  CHECK_EQ(cf_executor_worker_pids(ex, &pid, 1), 1);
  char flag[64];
  snprintf(flag, sizeof flag, "/tmp/cf_test_inflight_%d", (int)getpid());
  unlink(flag);
  cf_future *busy, *fs[10];
  CHECK_EQ(cf_submit(ex, t_flag_sleep, flag, strlen(flag), &busy), 0);
  for (int i = 0; i < 10; i++) CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &fs[i]), 0);
  for (int i = 0; i < 30000 && access(flag, F_OK) != 0; i++) sleep_ms(1); /* hang guard: 30 s */
  CHECK_EQ(access(flag, F_OK), 0);
  unlink(flag);
  for (int i = 0; i < 10; i++) CHECK_EQ(cf_future_state_get(fs[i]), CF_PENDING); /* queued: cancellable */
  CHECK_EQ(kill(pid, SIGKILL), 0);
  CHECK_EQ(cf_future_result(busy, 20, NULL, NULL), CF_EBROKEN);
  CHECK_STR_CONTAINS(cf_future_message(busy), "killed by signal 9");
  for (int i = 0; i < 10; i++) {
    int p2 = result_pid(fs[i]);
    CHECK(p2 != pid); /* ran on the replacement */
    cf_future_release(fs[i]);
  }
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.respawns, 1);
  CHECK_EQ(st.failed, 1);
  cf_future_release(busy);
  cf_executor_free(ex);
}

/* Many requests in flight on each worker: every result belongs to its own
 * future, records keep their ids in submission order, and a short task
 * queued behind a long one on a worker is taken back and run by the idle
 * worker (it finishes while the long one still runs). */
static void pipelined_results_in_order(void) {
  cf_executor *ex = make_ex(2);
  enum { N = 3000 };
  cf_future **fs = calloc(N, sizeof *fs);
  for (int i = 0; i < N; i++) fs[i] = submit_int(ex, t_inc, i);
  uint64_t last = 0;
  for (int i = 0; i < N; i++) {
    CHECK_EQ(result_int(fs[i]), i + 1);
    cf_task_record rec;
    cf_future_record(fs[i], &rec);
    CHECK(rec.id > last);
    last = rec.id;
    CHECK(rec.pid > 0);
    cf_future_release(fs[i]);
  }
  free(fs);
  char flag[64];
  snprintf(flag, sizeof flag, "/tmp/cf_test_steal_%d", (int)getpid());
  unlink(flag);
  cf_future *longf, *b[4];
  CHECK_EQ(cf_submit(ex, t_flag_sleep, flag, strlen(flag), &longf), 0); /* 5 s */
  for (int i = 0; i < 4; i++) b[i] = submit_int(ex, t_inc, i);
  for (int i = 0; i < 4; i++) {
    CHECK_EQ(result_int(b[i]), i + 1);
    cf_future_release(b[i]);
  }
  CHECK(!cf_future_done(longf)); /* none of them waited for the long task */
  CHECK_EQ(cf_future_result(longf, 30, NULL, NULL), 0);
  cf_future_release(longf);
  unlink(flag);
  cf_executor_free(ex);
}

/* ---- map at chunksize 1: items travel several to a message ---- */

/* A logged item: its index, and the file every run appends the index to
 * (in the argument: a spawned worker has no copy of the parent's data). */
typedef struct log_item {
  uint64_t i;
  char path[64];
  uint32_t slow_every;            /* 0, or: items i % slow_every == 0 sleep 2 ms */
  uint32_t pad;
} log_item;

typedef struct log_input {
  uint64_t next, end;
  log_item cur;
} log_input;

static int log_next(void *ud, const void **arg, size_t *len) {
  log_input *in = ud;
  if (in->next >= in->end) return 0;
  in->cur.i = in->next++;
  *arg = &in->cur;
  *len = sizeof in->cur;
  return 1;
}

#define LOG_KILL_AT 3000u

/* Append i to the log, then SIGKILL this worker at LOG_KILL_AT, else 3 i. */
static int t_logged(const void *arg, size_t len, cf_result *out) {
  log_item it;
  memcpy(&it, arg, sizeof it);
  int fd = open(it.path, O_WRONLY | O_APPEND);
  if (fd < 0 || write(fd, &it.i, sizeof it.i) != (ssize_t)sizeof it.i) return 99;
  close(fd);
  if (it.i == LOG_KILL_AT) raise(SIGKILL);
  if (it.slow_every && it.i % it.slow_every == 0) sleep_ms(2);
  uint64_t v = 3 * it.i;
  return cf_result_set(out, &v, sizeof v);
}

/* Map a log_input of n items into a fresh log; the log's path in in. */
static void log_start(log_input *in, uint64_t n) {
  memset(in, 0, sizeof *in);
  in->end = n;
  snprintf(in->cur.path, sizeof in->cur.path, "/tmp/cf_maplog_XXXXXX");
  int fd = mkstemp(in->cur.path);
  CHECK_GE(fd, 0);
  close(fd);
}

/* How often each index of the log ran, into runs[n]. */
static void log_count(const char *path, unsigned *runs, uint64_t n) {
  memset(runs, 0, n * sizeof *runs);
  FILE *fp = fopen(path, "rb");
  CHECK(fp != NULL);
  uint64_t i;
  while (fread(&i, sizeof i, 1, fp) == 1) {
    CHECK_LT(i, n);
    runs[i]++;
  }
  fclose(fp);
  unlink(path);
}

/* A worker SIGKILLed in the middle of a map at chunksize 1: only the item
 * it had started fails (CF_EBROKEN, killed by signal 9); every other item
 * returns its result in order, and every item ran exactly once (none that
 * was in the dead worker's chunk is lost or run twice). */
static void map_kill_mid_chunk(void) {
  enum { N = 6000 };
  cf_executor *ex = make_ex(2);
  log_input in;
  log_start(&in, N);
  cf_map *m;
  CHECK_EQ(cf_map_new(ex, t_logged, log_next, &in, NULL, &m), 0);
  for (uint64_t i = 0; i < N; i++) {
    const void *d;
    size_t len;
    int rc = cf_map_next(m, &d, &len);
    if (i == LOG_KILL_AT) {
      CHECK_EQ(rc, CF_EBROKEN);
      CHECK_STR_CONTAINS(cf_map_message(m), "killed by signal 9");
      continue;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(cf_map_message(m)[0], 0);
    CHECK_EQ(len, 8);
    uint64_t v;
    memcpy(&v, d, 8);
    CHECK_EQ(v, 3 * i);
  }
  CHECK_EQ(cf_map_next(m, NULL, NULL), CF_EOF);
  cf_map_free(m);
  CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0);
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.failed, 1);
  CHECK_EQ(st.respawns, 1);
  /* Process backend: items were sent several to a chunk, fewer futures
   * than items (a chunk grows while its items take < 25 us each in the
   * worker, so this holds on any machine that runs these tests). */
  if (g_backend == CF_BACKEND_PROCESS) CHECK_LT(st.submitted, N);
  cf_executor_free(ex);
  static unsigned runs[N];
  log_count(in.cur.path, runs, N);
  for (uint64_t i = 0; i < N; i++) CHECK_EQ(runs[i], 1);
}

/* A batch of single tasks (many requests in flight per worker) while one
 * worker is SIGSTOPped for a while and another SIGKILLs itself in the
 * middle of item LOG_KILL_AT: only that item fails (CF_EBROKEN), every other
 * future gets its own result, and the log shows every item ran exactly once
 * (the dead worker's unclaimed requests ran elsewhere, none twice; the
 * stopped one's were not lost, and no wake-up was: no hang). */
static void stop_and_kill_run(uint32_t slow_every) {
  enum { N = 6000 };
  cf_executor *ex = make_ex(2);
  int pids[2];
  CHECK_EQ(cf_executor_worker_pids(ex, pids, 2), 2);
  log_input in;
  log_start(&in, N);
  in.cur.slow_every = slow_every;
  cf_future **fs = calloc(N, sizeof *fs);
  CHECK(fs != NULL);
  int stopped = 0;
  for (uint64_t i = 0; i < N; i++) {
    in.cur.i = i;
    CHECK_EQ(cf_submit(ex, t_logged, &in.cur, sizeof in.cur, &fs[i]), 0);
    if (i == N / 3) stopped = kill(pids[1], SIGSTOP) == 0;
  }
  CHECK(stopped);
  sleep_ms(100);
  CHECK_EQ(kill(pids[1], SIGCONT), 0);
  for (uint64_t i = 0; i < N; i++) {
    const void *d;
    size_t len;
    int rc = cf_future_result(fs[i], 60, &d, &len); /* hang guard */
    if (i == LOG_KILL_AT) {
      CHECK_EQ(rc, CF_EBROKEN);
      CHECK_STR_CONTAINS(cf_future_message(fs[i]), "killed by signal 9");
    } else {
      CHECK_EQ(rc, 0);
      CHECK_EQ(len, 8);
      uint64_t v;
      memcpy(&v, d, 8);
      CHECK_EQ(v, 3 * i);
    }
    cf_future_release(fs[i]);
  }
  free(fs);
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.failed, 1);
  CHECK_EQ(st.respawns, 1);
  cf_executor_free(ex);
  static unsigned runs[N];
  log_count(in.cur.path, runs, N);
  for (uint64_t i = 0; i < N; i++) CHECK_EQ(runs[i], 1);
}

/* The same with no-op items only (each worker's pipeline at its deepest),
 * and with every 97th item sleeping 2 ms: a worker's cap on requests in
 * flight (PIPE_AHEAD_NS of its recent run time) drops to 2 and creeps back
 * up while it is stopped, killed and replaced. */
static void stop_and_kill_mid_batch(void) {
  if (g_backend == CF_BACKEND_MPI) return; /* no local worker pid to stop */
  stop_and_kill_run(0);
  stop_and_kill_run(97);
}

static int t_sleep2(const void *arg, size_t len, cf_result *out) {
  (void)arg;
  (void)len;
  sleep_ms(2);
  return cf_result_set(out, "", 0);
}

/* A worker's requests in flight are capped by its tasks' run time (about
 * 50 us of work, at least 2: PIPE_AHEAD_NS).  Both workers have run a 2 ms
 * task, so each takes at most 2; one of them then runs a long task, and
 * the short ones submitted behind it stay in the pool's queue, not behind
 * the long task: the other worker runs them in submission order, except
 * at most the one queued on the busy worker, which it steals last.  With
 * an uncapped pipeline, the busy worker holds half of them, the idle one
 * steals those from the back once the queue is empty, and the log's order
 * has many descents. */
static void cap_keeps_order_behind_long(void) {
  if (g_backend == CF_BACKEND_MPI) return; /* a rank's pool: its own dispatch */
  enum { N = 24 };
  cf_executor *ex = make_ex(2);
  cf_future *w[2];
  for (int i = 0; i < 2; i++) CHECK_EQ(cf_submit(ex, t_sleep2, NULL, 0, &w[i]), 0);
  for (int i = 0; i < 2; i++) {
    CHECK_EQ(cf_future_result(w[i], 20, NULL, NULL), 0);
    cf_future_release(w[i]);
  }
  char flag[64];
  snprintf(flag, sizeof flag, "/tmp/cf_test_cap_%d", (int)getpid());
  unlink(flag);
  cf_future *longf, *fs[N];
  CHECK_EQ(cf_submit(ex, t_flag_sleep, flag, strlen(flag), &longf), 0); /* 5 s */
  for (int i = 0; i < 30000 && access(flag, F_OK) != 0; i++) sleep_ms(1); /* hang guard: 30 s */
  unlink(flag);
  log_input in;
  log_start(&in, N);
  for (int i = 0; i < N; i++) {
    in.cur.i = (uint64_t)i;
    CHECK_EQ(cf_submit(ex, t_logged, &in.cur, sizeof in.cur, &fs[i]), 0);
  }
  for (int i = 0; i < N; i++) {
    CHECK_EQ(cf_future_result(fs[i], 20, NULL, NULL), 0);
    cf_future_release(fs[i]);
  }
  uint64_t order[N];
  FILE *f = fopen(in.cur.path, "rb");
  CHECK(f != NULL);
  CHECK_EQ(fread(order, sizeof order[0], N, f), (size_t)N);
  fclose(f);
  unlink(in.cur.path);
  /* the longest increasing run of the log (LIS): all but at most one */
  int best = 0, lis[N];
  for (int i = 0; i < N; i++) {
    lis[i] = 1;
    for (int j = 0; j < i; j++)
      if (order[j] < order[i] && lis[j] + 1 > lis[i]) lis[i] = lis[j] + 1;
    if (lis[i] > best) best = lis[i];
  }
  CHECK_GE(best, N - 1);
  CHECK_EQ(cf_executor_terminate(ex, SIGKILL), 0); /* not 5 s for the long task */
  CHECK_EQ(cf_future_result(longf, 30, NULL, NULL), CF_EBROKEN);
  cf_future_release(longf);
  cf_executor_free(ex);
}

/* Until /proc says pid is stopped (SIGSTOP taken); a hang bound of 30 s. */
static void wait_stopped(int pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  for (int i = 0; i < 30000; i++) {
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the state follows the command's ")" */
    if (p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't')) return;
    sleep_ms(1);
  }
  CHECK(!"the worker did not stop");
}

/* The request to an idle worker is claimed at dispatch (RUNNING at once;
 * the ones behind it stay PENDING): a worker SIGSTOPped while idle and
 * SIGKILLed with such a request unread fails nothing -- the claimed task
 * never started there, so it runs on the replacement, with the two queued
 * behind it.  Rounds of it, so the respawned worker is hit too. */
static void kill_before_first_read(void) {
  if (g_backend == CF_BACKEND_MPI) return; /* no local worker pid to stop */
  enum { ROUNDS = 8 };
  cf_executor *ex = make_ex(1);
  for (int r = 0; r < ROUNDS; r++) {
    cf_future *up;
    CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &up), 0);
    int pid = result_pid(up); /* the worker is up, idle, and it is this one */
    cf_future_release(up);
    CHECK_EQ(kill(pid, SIGSTOP), 0);
    wait_stopped(pid);
    cf_future *fs[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(cf_submit(ex, t_getpid, NULL, 0, &fs[i]), 0);
    wait_running(fs[0]);
    CHECK_EQ(cf_future_state_get(fs[0]), CF_RUNNING); /* claimed at dispatch: the worker is stopped */
    for (int i = 1; i < 3; i++) CHECK_EQ(cf_future_state_get(fs[i]), CF_PENDING); /* queued: cancellable */
    CHECK_EQ(kill(pid, SIGKILL), 0);
    for (int i = 0; i < 3; i++) {
      int p2 = result_pid(fs[i]); /* 0 failures: it never read the request */
      CHECK(p2 > 0 && p2 != pid);
      cf_future_release(fs[i]);
    }
  }
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.failed, 0);
  CHECK_EQ(st.respawns, ROUNDS);
  cf_executor_free(ex);
}

/* With a task timeout (or over pipes) a worker has one request in flight
 * (pb->depth 1), also once it has answered a few (its pipeline cap is
 * worked out from their run time): a task queued behind a running one
 * stays PENDING, so cf_future_cancel wins, and it runs after the long one
 * if not cancelled. */
static void one_in_flight_with_timeouts(void) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = 1;
  cfg.task_timeout_s = 30;
  cf_executor *ex = make_ex_cfg(&cfg);
  for (int i = 0; i < 4; i++) { /* answers: the cap is set from their run time */
    cf_future *f;
    int ms = 0;
    CHECK_EQ(cf_submit(ex, t_sleep, &ms, sizeof ms, &f), 0);
    CHECK_EQ(cf_future_result(f, 30, NULL, NULL), 0);
    cf_future_release(f);
  }
  int ms = 200, zero = 0;
  cf_future *longf, *keep, *gone;
  CHECK_EQ(cf_submit(ex, t_sleep, &ms, sizeof ms, &longf), 0);
  wait_running(longf);
  CHECK_EQ(cf_submit(ex, t_sleep, &zero, sizeof zero, &keep), 0);
  CHECK_EQ(cf_submit(ex, t_sleep, &zero, sizeof zero, &gone), 0);
  sleep_ms(20); /* room for a dispatch that should not happen */
  CHECK_EQ(cf_future_state_get(keep), CF_PENDING);
  CHECK_EQ(cf_future_cancel(gone), 1);
  CHECK_EQ(cf_future_result(longf, 30, NULL, NULL), 0);
  CHECK_EQ(cf_future_result(keep, 30, NULL, NULL), 0);
  CHECK_EQ(cf_future_result(gone, 30, NULL, NULL), CF_ECANCELED);
  cf_future_release(longf);
  cf_future_release(keep);
  cf_future_release(gone);
  cf_executor_free(ex);
}

/* A request in the mailbox with requests behind it in the ring: the
 * worker answers the first in the mailbox and the others through the
 * ring, and the parent may see the ring's answers before the mailbox's
 * (it looked at the mailbox a moment too early).  Each future must still
 * get its own answer (before the fix, one run in three here under ASan
 * gave a future the next one's value).  Many short rounds of 3 on one
 * worker. */
static void mailbox_then_ring_answers(void) {
  enum { ROUNDS = 6000, K = 3 };
  cf_executor *ex = make_ex(1);
  for (uint64_t r = 0; r < ROUNDS; r++) {
    cf_future *fs[K];
    for (uint64_t k = 0; k < K; k++) {
      uint64_t v = r * K + k;
      CHECK_EQ(cf_submit(ex, t_echo, &v, sizeof v, &fs[k]), 0);
    }
    for (uint64_t k = 0; k < K; k++) {
      const void *d;
      size_t len;
      CHECK_EQ(cf_future_result(fs[k], 60, &d, &len), 0); /* hang guard */
      CHECK_EQ(len, sizeof(uint64_t));
      uint64_t v;
      memcpy(&v, d, sizeof v);
      CHECK_EQ(v, r * K + k);
      cf_future_release(fs[k]);
    }
  }
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.respawns, 0); /* no protocol error (a kill) either */
  cf_executor_free(ex);
}

/* Round trips through the mailboxes (a request to an idle worker and its
 * answer, each on one cache line; see mbox in process_internal.h), mixed
 * with ones that take the rings (an argument or a result too big for a
 * line), while another thread SIGSTOPs the worker for a moment (mid-spin
 * or mid-task), SIGCONTs it, and every 6th time SIGKILLs it instead.
 * Every future ends (no wake-up lost): with its own result (no answer
 * crossed to another future, none lost), or with CF_EBROKEN by signal 9,
 * at most one per kill; the log shows no task ran twice, and each that succeeded ran
 * once.  The log lives at a path the worker derives from its parent's pid,
 * so spawned workers (no inherited globals) find it too. */
typedef struct rt_arg {
  uint64_t i, reslen;             /* 16 bytes: fits the mailbox with a request header */
  unsigned char pad[48];          /* sent only when the argument is meant for the ring */
} rt_arg;

static void rt_log_path(char *buf, size_t cap, int parent) {
  snprintf(buf, cap, "/tmp/cf_mblog_%d", parent);
}

static int t_roundtrip(const void *arg, size_t len, cf_result *out) {
  rt_arg a;
  memset(&a, 0, sizeof a);
  memcpy(&a, arg, len < sizeof a ? len : sizeof a);
  char path[64];
  rt_log_path(path, sizeof path, (int)getppid());
  int fd = open(path, O_WRONLY | O_APPEND);
  if (fd < 0 || write(fd, &a.i, sizeof a.i) != (ssize_t)sizeof a.i) return 99;
  close(fd);
  unsigned char buf[128];
  uint64_t v = 3 * a.i + 1;
  memset(buf, (int)(a.i & 0xff), sizeof buf);
  memcpy(buf, &v, sizeof v);
  return cf_result_set(out, buf, a.reslen);
}

typedef struct faulter {
  cf_executor *ex;
  atomic_int stop, kills, stops;
  atomic_long done;               /* round trips ended (main thread) */
} faulter;

/* A kill only once the replacement has answered some round trips: a
 * respawn can take longer than the period (spawn under TSan), and killing
 * each new worker before it answers would stop all progress. */
static void *fault_loop(void *p) {
  faulter *fl = p;
  long at_kill = 0;
  for (int n = 1; !atomic_load(&fl->stop); n++) {
    sleep_ms(2);
    int pid = 0;
    if (cf_executor_worker_pids(fl->ex, &pid, 1) != 1 || pid <= 0) continue;
    if (n % 6 == 0) {
      if (atomic_load(&fl->done) - at_kill < 50) continue;
      at_kill = atomic_load(&fl->done);
      if (kill(pid, SIGKILL) == 0) atomic_fetch_add(&fl->kills, 1);
      continue;
    }
    if (kill(pid, SIGSTOP) != 0) continue;
    atomic_fetch_add(&fl->stops, 1);
    sleep_ms(1);
    kill(pid, SIGCONT);
  }
  return NULL;
}

static void mailbox_round_trips_under_faults(void) {
  if (g_backend == CF_BACKEND_MPI) return; /* no local worker pid to stop */
  enum { MIN_N = 4000, MAX_N = 400000, MIN_KILLS = 4 };
  char path[64];
  rt_log_path(path, sizeof path, (int)getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  CHECK_GE(fd, 0);
  close(fd);
  cf_executor *ex = make_ex(1);
  faulter fl = {.ex = ex};
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, fault_loop, &fl), 0);
  uint64_t n = 0, failed = 0;
  static uint8_t ok[MAX_N];
  memset(ok, 0, sizeof ok);
  /* Until both enough round trips and enough kills: a slow machine gets
   * as many faults as a fast one.  MAX_N bounds it (a hang guard too). */
  for (; n < MAX_N && (n < MIN_N || atomic_load(&fl.kills) < MIN_KILLS); n++) {
    rt_arg a;
    memset(&a, 0, sizeof a);
    a.i = n;
    a.reslen = n % 5 == 4 ? 100 : 8;                     /* 100: the answer takes the ring */
    size_t alen = n % 7 == 6 ? sizeof a : 2 * sizeof(uint64_t); /* 64: the request takes the ring */
    cf_future *f;
    CHECK_EQ(cf_submit(ex, t_roundtrip, &a, alen, &f), 0);
    const void *d;
    size_t len;
    int rc = cf_future_result(f, 60, &d, &len); /* hang guard */
    if (rc == 0) {
      CHECK_EQ(len, a.reslen);
      uint64_t v;
      memcpy(&v, d, sizeof v);
      CHECK_EQ(v, 3 * n + 1);
      for (size_t k = sizeof v; k < len; k++) CHECK_EQ(((const unsigned char *)d)[k], n & 0xff);
      ok[n] = 1;
    } else {
      CHECK_EQ(rc, CF_EBROKEN);
      CHECK_STR_CONTAINS(cf_future_message(f), "killed by signal 9");
      failed++;
    }
    cf_future_release(f);
    atomic_fetch_add(&fl.done, 1);
  }
  atomic_store(&fl.stop, 1);
  pthread_join(th, NULL);
  CHECK_GE(atomic_load(&fl.kills), MIN_KILLS);
  CHECK_GT(atomic_load(&fl.stops), 0);
  CHECK_LE(failed, (uint64_t)atomic_load(&fl.kills));
  cf_executor_stats st;
  cf_executor_stats_get(ex, &st);
  CHECK_EQ(st.failed, failed);
  cf_executor_free(ex);
  static unsigned runs[MAX_N];
  log_count(path, runs, MAX_N);
  for (uint64_t i = 0; i < n; i++) {
    CHECK_LE(runs[i], 1);
    if (ok[i]) CHECK_EQ(runs[i], 1);
  }
}

/* shutdown(cancel_futures) in the middle of a map at chunksize 1: the
 * map ends (no hang) with CF_ESHUTDOWN once a refill is refused, on every
 * call from then on (cfutures.h: never CF_EOF, the refused chunk's items
 * did not run); what it returns before is right and in order, no item ran
 * twice, and nothing is left behind (children, descriptors). */
static void map_shutdown_midway(void) {
  enum { N = 20000 };
  int kids0 = count_children(), fds0 = count_fds();
  cf_executor *ex = make_ex(2);
  log_input in;
  log_start(&in, N);
  in.end = LOG_KILL_AT; /* no kill: fewer items than that */
  cf_map *m;
  CHECK_EQ(cf_map_new(ex, t_logged, log_next, &in, NULL, &m), 0);
  uint64_t i = 0, ok = 0, stopped = 0, refused = 0;
  for (;;) {
    const void *d;
    size_t len;
    if (i == 500 && !refused && !stopped && ok == 500) CHECK_EQ(cf_executor_shutdown(ex, 0, 1), 0);
    int rc = cf_map_next(m, &d, &len);
    CHECK_NE(rc, CF_EOF);
    if (rc == CF_ESHUTDOWN) { /* a refill refused: the end */
      refused++;
      CHECK_EQ(cf_map_next(m, &d, &len), CF_ESHUTDOWN);
      break;
    }
    CHECK_LT(i, LOG_KILL_AT);
    if (rc == CF_ECANCELED) { /* an item of a cancelled chunk */
      stopped++;
      i++;
      continue;
    }
    CHECK_EQ(rc, 0);
    uint64_t v;
    memcpy(&v, d, 8);
    CHECK_EQ(v, 3 * i);
    ok++;
    i++;
  }
  CHECK_GE(ok, 500);
  cf_map_free(m);
  CHECK_EQ(cf_executor_shutdown(ex, 1, 0), 0);
  cf_executor_free(ex);
  CHECK_EQ(count_children(), kids0);
  CHECK_EQ(count_fds(), fds0);
  static unsigned runs[N];
  log_count(in.cur.path, runs, N);
  for (uint64_t k = 0; k < N; k++) CHECK_LE(runs[k], 1);
  CHECK_GT(refused + stopped, 0); /* the shutdown did stop the map */
  fprintf(stderr, "   %llu items returned, %llu cancelled, %llu refills refused\n", (unsigned long long)ok,
          (unsigned long long)stopped, (unsigned long long)refused);
}

/* ---- a bad answer, then the worker's death ---- */

/* This worker's shared page (process_internal.h's wshared): its one
 * shared writable mapping of that size. */
static wshared *own_shared_page(void) {
  long page = sysconf(_SC_PAGESIZE);
  unsigned long want = (sizeof(wshared) + (size_t)page - 1) / (size_t)page * (size_t)page;
  FILE *maps = fopen("/proc/self/maps", "r");
  if (!maps) return NULL;
  char line[512];
  wshared *found = NULL;
  while (fgets(line, sizeof line, maps)) {
    unsigned long a, b;
    char perm[8];
    if (sscanf(line, "%lx-%lx %7s", &a, &b, perm) == 3 && strcmp(perm, "rw-s") == 0 && b - a == want)
      found = (wshared *)(uintptr_t)a;
  }
  fclose(maps);
  return found;
}

/* Corrupt our own result ring: an answer header with a tag that is no
 * request's and 8 payload bytes behind it, then die before answering. */
static int t_bad_answer(const void *arg, size_t len, cf_result *out) {
  (void)arg, (void)len, (void)out;
  wshared *sh = own_shared_page();
  if (!sh) return 99;
  ring *r = &sh->res;
  uint32_t t = ld(&r->tail);
  res_hdr h = {MSG_RESULT, 0, ~0ull, 0, -1, 0, 8};
  unsigned char msg[sizeof h + 8];
  memcpy(msg, &h, sizeof h);
  memcpy(msg + sizeof h, "GARBAGE!", 8);
  for (size_t i = 0; i < sizeof msg; i++) r->data[(t + i) & RING_MASK] = msg[i];
  atomic_store(&r->tail, (int)(t + (uint32_t)sizeof msg));
  raise(SIGKILL);
  return 0;
}

/* A worker that wrote a bad answer (protocol error: the parent kills it)
 * and died: its task fails with CF_EBROKEN, killed by SIGKILL.  Before
 * the fix (rx_bad, process_transfer.c) the death's drain went on from the
 * bad header and finished the task successfully with "GARBAGE!". */
static void bad_answer_then_death(void) {
  if (g_backend == CF_BACKEND_MPI || g_transport == CF_TRANSPORT_PIPE) return; /* the ring is shm's */
  enum { ROUNDS = 20 };
  cf_executor *ex = make_ex(1);
  for (int r = 0; r < ROUNDS; r++) {
    cf_future *f;
    CHECK_EQ(cf_submit(ex, t_bad_answer, NULL, 0, &f), 0);
    const void *d = NULL;
    size_t n = 0;
    CHECK_EQ(cf_future_result(f, 30, &d, &n), CF_EBROKEN);
    int st = cf_future_worker_status(f);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    cf_future_release(f);
    cf_future *g = submit_int(ex, t_echo, r); /* the replacement answers */
    CHECK_EQ(result_int(g), r);
    cf_future_release(g);
  }
  cf_executor_free(ex);
}

/* ---- a done callback that waits on another future of its pool ---- */

typedef struct cb_wait {
  cf_executor *ex;
  cf_future *queued;     /* submitted before: waited on too */
  uint64_t got, got_queued;
  int rc, rc_queued;
  pthread_t ran_in;
  _Atomic int done;
} cb_wait;

/* Spin the int microseconds in arg; result = that int. */
static int t_spin_us(const void *arg, size_t len, cf_result *out) {
  (void)len;
  int us;
  memcpy(&us, arg, sizeof us);
  double t0 = now_s();
  while (now_s() - t0 < us * 1e-6) {
  }
  return cf_result_set(out, &us, sizeof us);
}

static int cb_waits(cf_future *f, void *ud) {
  (void)f;
  cb_wait *w = ud;
  w->ran_in = pthread_self();
  uint64_t v = 41;
  cf_future *g = NULL;
  w->rc = cf_submit(w->ex, t_add1, &v, sizeof v, &g);
  const void *d;
  size_t n;
  if (!w->rc) w->rc = cf_future_result(g, 10, &d, &n);
  if (!w->rc) memcpy(&w->got, d, sizeof w->got);
  if (g) cf_future_release(g);
  w->rc_queued = cf_future_result(w->queued, 10, &d, &n);
  if (!w->rc_queued) memcpy(&w->got_queued, d, sizeof w->got_queued);
  atomic_store(&w->done, 1);
  return 0;
}

/* A done callback waits on futures of its own pool: one it submits and
 * one queued before.  It runs in the io thread (nobody waits on f) or in
 * the thread helping in cf_future_result, both holding the pool's io
 * lock: before cf__proc_wait_held both waits hung (here: timed out). */
static void callback_waits_on_same_pool(void) {
  if (g_backend == CF_BACKEND_MPI) return; /* callbacks run in the progress thread: must not block */
  for (int timeouts = 0; timeouts < 2; timeouts++) {
    cf_config cfg;
    cf_config_init(&cfg);
    cfg.max_workers = 1;
    cfg.task_timeout_s = timeouts ? 30 : 0; /* with timeouts only the io thread collects */
    cf_executor *ex = make_ex_cfg(&cfg);
    int in_main = 0, in_io = 0;
    for (int r = 0; r < 40; r++) {
      cb_wait w = {.ex = ex};
      /* Even rounds: 5 ms, done while nobody waits (the io thread runs the
       * callback); odd ones: 2-40 us, so that the answer comes in while
       * this thread helps in cf_future_result (not always: the io thread
       * may still be spinning, or this thread may have stopped helping). */
      int ms = r % 2 ? 2 + r : 5000;
      cf_future *f = submit_int(ex, t_spin_us, ms);
      uint64_t v = 7;
      CHECK_EQ(cf_submit(ex, t_add1, &v, sizeof v, &w.queued), 0);
      CHECK_EQ(cf_future_add_done_callback(f, cb_waits, &w), 0);
      if (r % 2) CHECK_EQ(result_int(f), ms); /* this thread helps: it may run the callback */
      double t0 = now_s();
      while (!atomic_load(&w.done) && now_s() - t0 < 30) sleep_ms(1);
      CHECK(atomic_load(&w.done));
      CHECK_EQ(w.rc, 0);
      CHECK_EQ(w.got, 42);
      CHECK_EQ(w.rc_queued, 0);
      CHECK_EQ(w.got_queued, 8);
      if (pthread_equal(w.ran_in, pthread_self())) in_main++;
      else in_io++;
      cf_future_release(w.queued);
      cf_future_release(f);
    }
    fprintf(stderr, "   task_timeout %d: callbacks in this thread %d, in the io thread %d\n", timeouts ? 30 : 0,
            in_main, in_io);
    CHECK_GT(in_io, 0);
    cf_executor_free(ex);
  }
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  /* mpi: each rank runs its tasks in a local process pool, so crash
   * isolation, timeouts and recycling hold there too */
  if (g_backend != CF_BACKEND_PROCESS && g_backend != CF_BACKEND_MPI) {
    fprintf(stderr, "test_process needs a process (or mpi) backend\n");
    return 1;
  }
  static const test_case cases[] = {
      {"crash_each_way", crash_each_way},
      {"killed_from_outside", killed_from_outside},
      {"map_five_percent_crash", map_five_percent_crash},
      {"task_timeout", task_timeout},
      {"recycling", recycling},
      {"initializer_every_worker", initializer_every_worker},
      {"api_from_task", api_from_task},
      {"big_messages", big_messages},
      {"records_pid", records_pid},
      {"records_one_worker_in_sequence", records_one_worker_in_sequence},
      {"no_leaks", no_leaks},
      {"start_method_semantics", start_method_semantics},
      {"cancel_claim_race", cancel_claim_race},
      {"kill_with_requests_in_flight", kill_with_requests_in_flight},
      {"pipelined_results_in_order", pipelined_results_in_order},
      {"map_kill_mid_chunk", map_kill_mid_chunk},
      {"stop_and_kill_mid_batch", stop_and_kill_mid_batch},
      {"cap_keeps_order_behind_long", cap_keeps_order_behind_long},
      {"kill_before_first_read", kill_before_first_read},
      {"mailbox_round_trips_under_faults", mailbox_round_trips_under_faults},
      {"mailbox_then_ring_answers", mailbox_then_ring_answers},
      {"one_in_flight_with_timeouts", one_in_flight_with_timeouts},
      {"map_shutdown_midway", map_shutdown_midway},
      {"bad_answer_then_death", bad_answer_then_death},
      {"callback_waits_on_same_pool", callback_waits_on_same_pool},
      {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
