/* common.h -- helpers shared by the executor tests: the backend under test
 * (argv[1]: "thread", "process" (shared-memory transport), "process-pipe",
 * "process-spawn" (workers started with CF_START_SPAWN),
 * "process-forkserver" (CF_START_FORKSERVER, the server started first, so
 * it counts among the children a test finds before its pools) or "mpi" (run
 * under mpiexec: rank 0 runs the tests, the other ranks serve inside
 * cf_mpi_init and exit when it is done)),
 * executor construction and a few tasks whose behaviour does not depend on
 * the backend. */
#ifndef CF_TEST_COMMON_H
#define CF_TEST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <cfutures.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../task.h"

static cf_backend g_backend = CF_BACKEND_THREAD;
static cf_transport g_transport = CF_TRANSPORT_SHM;
static cf_start_method g_start = CF_START_FORK;

static inline void set_backend(int argc, char **argv) {
  const char *b = argc > 1 ? argv[1] : "thread";
  if (strcmp(b, "thread") == 0) {
    g_backend = CF_BACKEND_THREAD;
  } else if (strcmp(b, "process") == 0) {
    g_backend = CF_BACKEND_PROCESS;
  } else if (strcmp(b, "process-pipe") == 0) {
    g_backend = CF_BACKEND_PROCESS;
    g_transport = CF_TRANSPORT_PIPE;
  } else if (strcmp(b, "process-spawn") == 0) {
    g_backend = CF_BACKEND_PROCESS;
    g_start = CF_START_SPAWN;
  } else if (strcmp(b, "process-forkserver") == 0) {
    g_backend = CF_BACKEND_PROCESS;
    g_start = CF_START_FORKSERVER;
    if (cf_forkserver_start() != 0) {
      fprintf(stderr, "cf_forkserver_start: %s\n", cf_last_error_message());
      exit(2);
    }
  } else if (strcmp(b, "mpi") == 0) {
    g_backend = CF_BACKEND_MPI;
    int rc = cf_mpi_init(&argc, &argv);
    if (rc == CF_MPI_WORKER_DONE) exit(0);
    if (rc != CF_MPI_CLIENT) {
      fprintf(stderr, "cf_mpi_init: %s\n", cf_strerror(rc));
      exit(2);
    }
  } else {
    fprintf(stderr, "unknown backend %s (thread, process, process-pipe, process-spawn, process-forkserver, mpi)\n", b);
    exit(2);
  }
}

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static inline cf_executor *make_ex_cfg(cf_config *cfg) {
  cfg->backend = g_backend;
  cfg->transport = g_transport;
  cfg->start_method = g_start;
  cf_executor *ex = NULL;
  int rc = cf_executor_new(&ex, cfg);
  if (rc) fprintf(stderr, "cf_executor_new: %s\n", cf_strerror(rc));
  CHECK_EQ(rc, 0);
  return ex;
}

static inline cf_executor *make_ex(int workers) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  return make_ex_cfg(&cfg);
}

/* make_ex with an on_record hook (no user data). */
static inline cf_executor *make_ex_recording(int workers, void (*hook)(const cf_task_record *, void *)) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  cfg.on_record = hook;
  return make_ex_cfg(&cfg);
}

/* Echo the argument back. */
static inline int t_echo(const void *arg, size_t len, cf_result *out) {
  return cf_result_set(out, arg, len);
}

/* Sleep the int milliseconds in arg; result = that int. */
static inline int t_sleep(const void *arg, size_t len, cf_result *out) {
  int ms;
  memcpy(&ms, arg, sizeof ms);
  sleep_ms(ms);
  return cf_result_set(out, &ms, sizeof ms);
}

/* Sleep arg[0] ms, then fail with code arg[1]. */
static inline int t_sleep_fail(const void *arg, size_t len, cf_result *out) {
  int v[2];
  memcpy(v, arg, sizeof v);
  sleep_ms(v[0]);
  return v[1];
}

/* uint64 in, uint64 + 1 out. */
static inline int t_add1(const void *arg, size_t len, cf_result *out) {
  uint64_t v;
  memcpy(&v, arg, sizeof v);
  v++;
  return cf_result_set(out, &v, sizeof v);
}

static inline cf_future *submit_int(cf_executor *ex, cf_task_fn fn, int v) {
  cf_future *f = NULL;
  CHECK_EQ(cf_submit(ex, fn, &v, sizeof v, &f), 0);
  return f;
}

static inline cf_future *submit_sleep_fail(cf_executor *ex, int ms, int code) {
  int v[2] = {ms, code};
  cf_future *f = NULL;
  CHECK_EQ(cf_submit(ex, t_sleep_fail, v, sizeof v, &f), 0);
  return f;
}

static inline int result_int(cf_future *f) {
  const void *d;
  size_t len;
  CHECK_EQ(cf_future_result(f, -1, &d, &len), 0);
  CHECK_EQ(len, sizeof(int));
  int v;
  memcpy(&v, d, sizeof v);
  return v;
}

/* Gates: a task that waits until a file exists.  Files are seen alike by
 * threads, forked or spawned workers and mpi ranks, so a gated task stays
 * running exactly until the test opens its gate: a test can check that a
 * call returned before a task ended without betting that a sleep outlasts
 * a loaded machine's delays (a sleep of 800 ms against a 600 ms bound
 * fails when a CI neighbour holds the CPUs). */
#define GATES 8
typedef struct gates {
  char dir[32];
  char path[GATES][48];
} gates;

static inline void gates_init(gates *g) {
  snprintf(g->dir, sizeof g->dir, "/tmp/cf_test_gate_XXXXXX");
  CHECK(mkdtemp(g->dir) != NULL);
  char dir[sizeof g->dir];
  memcpy(dir, g->dir, sizeof dir); /* (snprintf's source must not be in its destination's object) */
  for (int i = 0; i < GATES; i++) snprintf(g->path[i], sizeof g->path[i], "%s/gate%d", dir, i);
}

static inline void gate_open(gates *g, int i) {
  FILE *f = fopen(g->path[i], "w");
  CHECK(f != NULL);
  fclose(f);
}

/* Opens every gate (so no task is left waiting), then removes them. */
static inline void gates_free(gates *g) {
  for (int i = 0; i < GATES; i++) gate_open(g, i);
  for (int i = 0; i < GATES; i++) unlink(g->path[i]);
  rmdir(g->dir);
}

/* Waits until the file named by arg exists (30 s at most: bounds a hang);
 * result = the gate's index (the path's last digit). */
static inline int t_gate(const void *arg, size_t len, cf_result *out) {
  (void)len;
  const char *path = arg;
  for (int i = 0; i < 30000 && access(path, F_OK) != 0; i++) sleep_ms(1);
  int idx = path[strlen(path) - 1] - '0';
  return cf_result_set(out, &idx, sizeof idx);
}

static inline cf_future *submit_gate(cf_executor *ex, gates *g, int i) {
  cf_future *f = NULL;
  CHECK_EQ(cf_submit(ex, t_gate, g->path[i], strlen(g->path[i]) + 1, &f), 0);
  return f;
}

/* Opens gate i once the n futures fs are all done, from a thread of its
 * own: for a call that blocks until the gated task ends (shutdown with
 * wait) but must first have done something to them (cancelled them). */
typedef struct gate_opener {
  pthread_t th;
  gates *g;
  int i;
  cf_future **fs;
  size_t n;
} gate_opener;

static inline void *gate_opener_main(void *p) {
  gate_opener *o = p;
  size_t done = 0;
  for (int k = 0; k < 30000 && done < o->n; k++) { /* 30 s at most: bounds a hang */
    while (done < o->n && cf_future_done(o->fs[done])) done++;
    if (done < o->n) sleep_ms(1);
  }
  gate_open(o->g, o->i);
  return NULL;
}

static inline void gate_open_when_done(gate_opener *o, gates *g, int i, cf_future **fs, size_t n) {
  o->g = g;
  o->i = i;
  o->fs = fs;
  o->n = n;
  CHECK_EQ(pthread_create(&o->th, NULL, gate_opener_main, o), 0);
}

static inline void gate_opener_join(gate_opener *o) { CHECK_EQ(pthread_join(o->th, NULL), 0); }

static inline void wait_running(cf_future *f) {
  double t0 = now_s();
  while (!cf_future_running(f) && !cf_future_done(f)) {
    CHECK(now_s() - t0 < 10.0);
    sleep_ms(1);
  }
}

#endif
