/* common.h -- helpers shared by the executor tests: the backend under test
 * (argv[1]: "thread", "process" (shared-memory transport), "process-pipe" or
 * "process-spawn" (workers started with CF_START_SPAWN)),
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
#include <stdint.h>
#include <string.h>
#include <time.h>

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
  } else {
    fprintf(stderr, "unknown backend %s (thread, process, process-pipe, process-spawn)\n", b);
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

static inline void wait_running(cf_future *f) {
  double t0 = now_s();
  while (!cf_future_running(f) && !cf_future_done(f)) {
    CHECK(now_s() - t0 < 10.0);
    sleep_ms(1);
  }
}

#endif
