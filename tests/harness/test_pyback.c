/* test_pyback.c -- harness/run/pyback.c against the real Python driver:
 * rows of a thread and a process run, a failed repetition (a refused
 * connection), a refused configuration, python missing ($CFBENCH_PYTHON
 * pointing nowhere, a PATH without python3), a driver that prints no
 * protocol, and a driver that hangs (killed at the timeout, or when the
 * cancel flag rises); and a serving driver (cfb_py_session) across calls:
 * the same process, rows as a fresh driver's, refusals and failures that
 * end only their call, a timeout that restarts it. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pyback.h"
#include "task.h"

static cfb_py_config base(const char *backend, const char *workload, const char *params) {
  cfb_py_config c;
  cfb_py_config_init(&c);
  c.backend = backend;
  c.workload = workload;
  c.params = params;
  c.workers = 2;
  c.timeout_s = 120; /* bounds a hang only */
  return c;
}

static void check_row_ok(const cfb_py_row *r, size_t items) {
  CHECK(r->ok);
  CHECK_EQ(r->items, items);
  CHECK_EQ(r->items_done, items);
  CHECK_EQ(r->items_checked, items);
  CHECK_EQ(r->workers, 2);
  CHECK(r->wall_s > 0);
  CHECK(r->items_per_s > 0);
  CHECK(r->cpu_s >= 0);
  CHECK(r->tasks >= 1);
  CHECK(!isnan(r->lat_p50_us) && r->lat_p50_us <= r->lat_p99_us);
  CHECK(!isnan(r->qwait_p50_us));
  CHECK_STR_CONTAINS(r->python, "CPython 3.");
  CHECK_EQ(r->error[0], '\0');
}

static void test_thread_rows(void) {
  cfb_py_config c = base("py-thread", "sleep", "delay=1ms");
  c.items = 6;
  c.repeat = 2;
  c.warmup = 1;
  cfb_py_result res;
  int rc = cfb_py_run(&c, &res);
  if (rc) fprintf(stderr, "error: %s\n", res.error);
  CHECK_EQ(rc, 0);
  CHECK_EQ(res.exit_status, 0);
  CHECK_EQ(res.nrows, 2);
  for (size_t i = 0; i < res.nrows; i++) {
    CHECK_EQ(res.rows[i].rep, (int)i);
    check_row_ok(&res.rows[i], 6);
    CHECK_EQ(res.rows[i].tasks, 6);
    CHECK_STR_CONTAINS(res.rows[i].python, "threads");
    CHECK_STR_CONTAINS(res.rows[i].metrics, "overshoot_p50_us=");
    CHECK_STR_CONTAINS(res.rows[i].params, "delay=1ms");
  }
  cfb_py_result_free(&res);
}

static void test_process_rows(void) {
  cfb_py_config c = base("py-process", "primes", "preset=range,start=1000001,count=20");
  c.chunksize = 4;
  c.start_method = "spawn";
  cfb_py_result res;
  int rc = cfb_py_run(&c, &res);
  if (rc) fprintf(stderr, "error: %s\n", res.error);
  CHECK_EQ(rc, 0);
  CHECK_EQ(res.nrows, 1);
  check_row_ok(&res.rows[0], 20);
  CHECK_EQ(res.rows[0].tasks, 5); /* map's chunks of 4 are the process pool's tasks */
  CHECK_STR_CONTAINS(res.rows[0].python, "spawn");
  cfb_py_result_free(&res);
}

static void test_serial_rows(void) {
  cfb_py_config c = base("py-serial", "memtouch", "mib=1");
  c.items = 3;
  c.workers = 0; /* the default: 1 for the plain loop */
  cfb_py_result res;
  int rc = cfb_py_run(&c, &res);
  if (rc) fprintf(stderr, "error: %s\n", res.error);
  CHECK_EQ(rc, 0);
  CHECK_EQ(res.nrows, 1);
  CHECK_EQ(res.rows[0].workers, 1);
  CHECK_EQ(res.rows[0].items_done, 3);
  CHECK_STR_CONTAINS(res.rows[0].python, " serial");
  cfb_py_result_free(&res);
}

static void test_failed_rep(void) {
  cfb_py_config c = base("py-thread", "socket", "timeout=2s");
  c.target = "http://127.0.0.1:1/"; /* nothing listens on port 1 */
  c.items = 3;
  c.mode = "submit";
  c.repeat = 3;
  cfb_py_result res;
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_EFAILED);
  CHECK_EQ(res.exit_status, 1);
  CHECK_EQ(res.nrows, 1); /* a failed repetition stops the configuration */
  CHECK(!res.rows[0].ok);
  CHECK_EQ(res.rows[0].items_done, 0);
  CHECK_STR_CONTAINS(res.rows[0].error, "Connection refused");
  CHECK_STR_CONTAINS(res.error, "Connection refused");
  cfb_py_result_free(&res);
}

static void test_usage(void) {
  cfb_py_config c = base("py-thread", "sleep", "speed=3");
  cfb_py_result res;
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_EUSAGE);
  CHECK_EQ(res.exit_status, 2);
  CHECK_EQ(res.nrows, 0);
  CHECK_STR_CONTAINS(res.error, "unknown parameter 'speed' (known: delay)");
  cfb_py_result_free(&res);
  c = base("py-thread", "nosuch", NULL);
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_EUSAGE);
  CHECK_STR_CONTAINS(res.error, "unknown workload 'nosuch'");
  cfb_py_result_free(&res);
}

static void test_missing_python(void) {
  cfb_py_config c = base("py-thread", "sleep", NULL);
  cfb_py_result res;
  CHECK_EQ(setenv("CFBENCH_PYTHON", "/nonexistent", 1), 0);
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_ENOPYTHON);
  CHECK_EQ(res.exit_status, -1);
  CHECK_STR_CONTAINS(res.error, "CFBENCH_PYTHON=/nonexistent is not an executable file");
  CHECK_EQ(strchr(res.error, '\n'), NULL); /* one line */
  cfb_py_result_free(&res);
  unsetenv("CFBENCH_PYTHON");

  char *path = strdup(getenv("PATH") ? getenv("PATH") : "");
  CHECK(path);
  CHECK_EQ(setenv("PATH", "/nonexistent/bin", 1), 0);
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_ENOPYTHON);
  CHECK_STR_CONTAINS(res.error, "python3 not found in PATH");
  cfb_py_result_free(&res);
  CHECK_EQ(setenv("PATH", path, 1), 0);
  free(path);
  char found[4096], err[256];
  CHECK_EQ(cfb_py_find_python(found, sizeof found, err, sizeof err), 0);
  CHECK_STR_CONTAINS(found, "python3");
}

/* A stand-in driver: a Python script with the given body. */
static char *fake_driver(const char *body) {
  static char path[] = "/tmp/cfb_pyback_XXXXXX";
  strcpy(path, "/tmp/cfb_pyback_XXXXXX");
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK_EQ(write(fd, body, strlen(body)), (long long)strlen(body));
  close(fd);
  return path;
}

static void test_bad_output(void) {
  cfb_py_config c = base("py-thread", "sleep", NULL);
  c.driver = fake_driver("print('hello, not JSON')\n");
  cfb_py_result res;
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_EPROTO);
  CHECK_STR_CONTAINS(res.error, "not a JSON object");
  cfb_py_result_free(&res);
  unlink(c.driver);

  c.driver = fake_driver("import sys\nsys.exit(0)\n"); /* exits 0 with no rows */
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_EPROTO);
  CHECK_STR_CONTAINS(res.error, "gave 0 rows for 1 repetition");
  CHECK(!strstr(res.error, "repetitions"));
  cfb_py_result_free(&res);
  unlink(c.driver);

}

static void test_timeout(void) {
  cfb_py_config c = base("py-process", "sleep", "delay=60s");
  c.items = 2;
  c.timeout_s = 1;
  cfb_py_result res;
  time_t t0 = time(NULL);
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_ETIMEDOUT);
  /* Killing the driver alone would leave its workers holding the pipes
   * for the 60 s sleep: a generous bound tells the two apart. */
  CHECK_LT(time(NULL) - t0, 30);
  CHECK_EQ(res.exit_status, 128 + 9); /* SIGKILL, workers with it (same group) */
  CHECK_STR_CONTAINS(res.error, "killed");
  cfb_py_result_free(&res);
}

static volatile int cancel_flag;

static void *raise_cancel(void *arg) {
  (void)arg;
  struct timespec ts = {0, 300 * 1000000L};
  nanosleep(&ts, NULL);
  cancel_flag = 1;
  return NULL;
}

static void test_cancel(void) {
  cfb_py_config c = base("py-thread", "sleep", "delay=60s");
  c.items = 2;
  c.cancel = &cancel_flag;
  cancel_flag = 0;
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, raise_cancel, NULL), 0);
  time_t t0 = time(NULL);
  cfb_py_result res;
  CHECK_EQ(cfb_py_run(&c, &res), CFB_PY_ECANCELED);
  CHECK_LT(time(NULL) - t0, 30); /* not the 60 s sleep */
  CHECK_EQ(res.exit_status, 128 + 9);
  CHECK_STR_CONTAINS(res.error, "canceled");
  pthread_join(t, NULL);
  cfb_py_result_free(&res);
}

/* The fields of a row that do not depend on timing. */
static void check_same_row(const cfb_py_row *a, const cfb_py_row *b) {
  CHECK_EQ(a->ok, b->ok);
  CHECK_EQ(a->rep, b->rep);
  CHECK_EQ(a->workers, b->workers);
  CHECK_EQ(a->items, b->items);
  CHECK_EQ(a->items_done, b->items_done);
  CHECK_EQ(a->items_checked, b->items_checked);
  CHECK_EQ(a->tasks, b->tasks);
  CHECK(!strcmp(a->python, b->python));
  CHECK(!strcmp(a->params, b->params));
  CHECK(!strcmp(a->error, b->error));
}

/* One serving driver for several calls (as a run's rounds use it): the same
 * process every call, and rows like those of a driver of its own. */
static void test_session_reused(void) {
  cfb_py_session *s = cfb_py_session_new();
  CHECK(s != NULL);
  CHECK_EQ(cfb_py_session_pid(s), 0);
  const char *backends[] = {"py-thread", "py-process", "py-thread"};
  long pid = 0;
  for (int k = 0; k < 3; k++) {
    cfb_py_config c = base(backends[k], "primes", "preset=range,start=1000001,count=20");
    c.chunksize = 4;
    c.repeat = 2;
    c.warmup = k == 0;
    cfb_py_result fresh, served;
    CHECK_EQ(cfb_py_run(&c, &fresh), 0);
    c.session = s;
    int rc = cfb_py_run(&c, &served);
    if (rc) fprintf(stderr, "error: %s\n", served.error);
    CHECK_EQ(rc, 0);
    CHECK_EQ(served.exit_status, 0);
    CHECK(cfb_py_session_pid(s) > 0);
    if (k == 0) pid = cfb_py_session_pid(s);
    CHECK_EQ(cfb_py_session_pid(s), pid); /* not started again */
    CHECK_EQ(served.nrows, fresh.nrows);
    for (size_t i = 0; i < served.nrows && i < fresh.nrows; i++) {
      check_row_ok(&served.rows[i], 20);
      check_same_row(&served.rows[i], &fresh.rows[i]);
    }
    cfb_py_result_free(&fresh);
    cfb_py_result_free(&served);
  }
  cfb_py_session_free(s);
}

/* A refused configuration and a failed repetition end their call only: the
 * serving driver says why (its stderr line) and serves the next. */
static void test_session_refusal(void) {
  cfb_py_session *s = cfb_py_session_new();
  cfb_py_config bad = base("py-thread", "sleep", "delay=-1ms");
  bad.session = s;
  cfb_py_result res;
  CHECK_EQ(cfb_py_run(&bad, &res), CFB_PY_EUSAGE);
  CHECK_EQ(res.exit_status, 2);
  CHECK_STR_CONTAINS(res.error, "delay");
  CHECK_EQ(res.nrows, 0);
  cfb_py_result_free(&res);
  long pid = cfb_py_session_pid(s);
  CHECK(pid > 0);
  cfb_py_config fail = base("py-thread", "socket", NULL);
  fail.target = "http://127.0.0.1:1/";
  fail.items = 2;
  fail.session = s;
  CHECK_EQ(cfb_py_run(&fail, &res), CFB_PY_EFAILED);
  CHECK_EQ(res.nrows, 1);
  CHECK(!res.rows[0].ok);
  cfb_py_result_free(&res);
  cfb_py_config ok = base("py-thread", "sleep", "delay=1ms");
  ok.items = 4;
  ok.session = s;
  CHECK_EQ(cfb_py_run(&ok, &res), 0);
  CHECK_EQ(res.nrows, 1);
  check_row_ok(&res.rows[0], 4);
  CHECK_EQ(cfb_py_session_pid(s), pid);
  cfb_py_result_free(&res);
  cfb_py_session_free(s);
}

/* A call that hangs is killed with its pool (the driver's process group);
 * the next call starts a fresh driver. */
static void test_session_timeout(void) {
  cfb_py_session *s = cfb_py_session_new();
  cfb_py_config ok = base("py-process", "sleep", "delay=1ms");
  ok.items = 4;
  ok.session = s;
  cfb_py_result res;
  CHECK_EQ(cfb_py_run(&ok, &res), 0);
  cfb_py_result_free(&res);
  long pid = cfb_py_session_pid(s);
  cfb_py_config hang = base("py-process", "sleep", "delay=60s");
  hang.items = 2;
  hang.timeout_s = 1;
  hang.session = s;
  time_t t0 = time(NULL);
  CHECK_EQ(cfb_py_run(&hang, &res), CFB_PY_ETIMEDOUT);
  CHECK_LT(time(NULL) - t0, 30); /* not the 60 s sleep: its workers died too */
  CHECK_EQ(res.exit_status, 128 + 9);
  CHECK_EQ(cfb_py_session_pid(s), 0);
  CHECK_EQ(kill((pid_t)pid, 0), -1); /* reaped */
  cfb_py_result_free(&res);
  CHECK_EQ(cfb_py_run(&ok, &res), 0);
  CHECK(cfb_py_session_pid(s) > 0);
  CHECK(cfb_py_session_pid(s) != pid);
  cfb_py_result_free(&res);
  cfb_py_session_free(s);
}

static const test_case cases[] = {
    {"session_reused", test_session_reused}, {"session_refusal", test_session_refusal},
    {"session_timeout", test_session_timeout},
    {"thread_rows", test_thread_rows},   {"process_rows", test_process_rows},
    {"serial_rows", test_serial_rows},   {"failed_rep", test_failed_rep},
    {"usage", test_usage},
    {"missing_python", test_missing_python}, {"bad_output", test_bad_output},
    {"timeout", test_timeout},           {"cancel", test_cancel},
    {NULL, NULL},
};

int main(int argc, char **argv) { return run_tests(cases, argc, argv); }
