/* wk_test.h -- helpers for the workload tests: prepare a run (or expect a
 * preparation error), run every item through a real cfutures thread
 * executor and check every result, counting what failed and keeping the
 * first error message. */
#ifndef CF_WK_TEST_H
#define CF_WK_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cfwork.h>

#include <math.h>
#include <time.h>

#include "../task.h"

typedef struct wk_outcome {
  size_t ok, task_failed, check_failed;
  int first_code;          /* CF_E* of the first failure */
  char first_err[512];
  double seconds;
} wk_outcome;

/* The backend the items run on: argv[1], "thread" (default) or "process". */
static cf_backend wk_backend = CF_BACKEND_THREAD;
static inline void wk_set_backend(int argc, char **argv) {
  wk_backend = argc > 1 && strcmp(argv[1], "process") == 0 ? CF_BACKEND_PROCESS : CF_BACKEND_THREAD;
}

static inline double wk_test_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline cf_wk_run *wk_prep(const char *name, const char *const *kv, size_t nkv, size_t nitems) {
  const cf_workload *w = cf_wk_find(name);
  CHECK(w != NULL);
  cf_wk_run *r = NULL;
  char err[512] = "";
  int rc = cf_wk_prepare(w, kv, nkv, nitems, wk_backend, &r, err, sizeof err);
  if (rc) fprintf(stderr, "prepare %s: %s (%s)\n", name, err, cf_strerror(rc));
  CHECK_EQ(rc, 0);
  CHECK(r != NULL);
  return r;
}

/* Expect preparation to fail; returns the code, message in err. */
static inline int wk_prep_err(const char *name, const char *const *kv, size_t nkv, char *err, size_t errlen) {
  const cf_workload *w = cf_wk_find(name);
  CHECK(w != NULL);
  cf_wk_run *r = (cf_wk_run *)1;
  int rc = cf_wk_prepare(w, kv, nkv, 0, CF_BACKEND_THREAD, &r, err, errlen);
  CHECK(r == NULL);
  fprintf(stderr, "   %s -> %s: %s\n", kv && nkv ? kv[0] : "(none)", cf_err_name(rc), err);
  return rc;
}

/* Run all items of r on `workers` threads; `keep` (may be NULL) gets a
 * copy of each successful result (up to keep_len bytes each). */
static inline void wk_run(cf_wk_run *r, int workers, wk_outcome *o, void *keep, size_t keep_len) {
  memset(o, 0, sizeof *o);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  cfg.backend = wk_backend;
  cf_executor *ex = NULL;
  CHECK_EQ(cf_executor_new(&ex, &cfg), 0);
  size_t n = cf_wk_items(r);
  cf_future **fs = calloc(n ? n : 1, sizeof *fs);
  CHECK(fs != NULL);
  double t0 = wk_test_now();
  for (size_t i = 0; i < n; i++) {
    const void *arg;
    size_t len;
    cf_wk_item(r, i, &arg, &len);
    CHECK(arg != NULL);
    CHECK_EQ(cf_submit(ex, cf_wk_task(r), arg, len, &fs[i]), 0);
  }
  for (size_t i = 0; i < n; i++) {
    const void *res;
    size_t len;
    char err[512] = "";
    int rc = cf_future_result(fs[i], 120, &res, &len);
    if (rc == 0) {
      rc = cf_wk_check(r, i, res, len, err, sizeof err);
      if (rc == 0) {
        o->ok++;
        if (keep) memcpy((char *)keep + i * keep_len, res, len < keep_len ? len : keep_len);
      } else {
        o->check_failed++;
      }
    } else {
      CHECK_EQ(rc, CF_ETASK);
      cf_wk_task_error(r, cf_future_task_code(fs[i]), err, sizeof err);
      o->task_failed++;
    }
    if (rc && !o->first_code) {
      o->first_code = rc;
      snprintf(o->first_err, sizeof o->first_err, "%s", err);
    }
    cf_future_release(fs[i]);
  }
  o->seconds = wk_test_now() - t0;
  free(fs);
  cf_executor_free(ex);
  fprintf(stderr, "   %s [%s]: %zu ok, %zu task errors, %zu check errors in %.3f s%s%s\n",
          cf_wk_params_string(r), wk_backend == CF_BACKEND_PROCESS ? "process" : "thread", o->ok, o->task_failed, o->check_failed, o->seconds,
          o->first_code ? "; first: " : "", o->first_err);
}

static inline double wk_metric(const cf_wk_run *r, const char *name) {
  cf_wk_metric m[16];
  size_t n = cf_wk_metrics(r, m, 16);
  for (size_t i = 0; i < n; i++)
    if (strcmp(m[i].name, name) == 0) return m[i].value;
  fprintf(stderr, "no metric %s\n", name);
  CHECK(0);
  return 0;
}

#endif
