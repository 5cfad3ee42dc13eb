/* hello.c -- a program of one's own against an installed cfutures: one
 * task on each backend through cfutures.h, and the workload registry
 * through cfwork.h.  Prints "hello: 42 thread", "hello: 42 process" and
 * "workloads: N (sleep ...)"; exits non-zero on any error. */
#include <cfutures.h>
#include <cfwork.h>

#include <stdio.h>
#include <string.h>

static int answer(const void *arg, size_t len, cf_result *out) {
  int v;
  if (len != sizeof v) return 1;
  memcpy(&v, arg, sizeof v);
  v *= 2;
  return cf_result_set(out, &v, sizeof v);
}

static int one(cf_backend b, const char *name) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = b;
  cfg.max_workers = 1;
  cf_executor *ex;
  int rc = cf_executor_new(&ex, &cfg);
  if (rc) {
    fprintf(stderr, "hello: %s: %s\n", name, cf_strerror(rc));
    return 1;
  }
  int arg = 21;
  cf_future *f = NULL;
  const void *data;
  size_t len;
  rc = cf_submit(ex, answer, &arg, sizeof arg, &f);
  if (!rc) rc = cf_future_result(f, 30.0, &data, &len);
  if (!rc && len == sizeof(int)) {
    int v;
    memcpy(&v, data, sizeof v);
    printf("hello: %d %s\n", v, name);
  }
  if (f) cf_future_release(f);
  cf_executor_free(ex);
  if (rc) fprintf(stderr, "hello: %s: %s\n", name, cf_strerror(rc));
  return rc != 0;
}

int main(void) {
  int bad = one(CF_BACKEND_THREAD, "thread") | one(CF_BACKEND_PROCESS, "process");
  const cf_workload *w = cf_wk_find("sleep");
  printf("workloads: %zu (%s)\n", cf_wk_count(), w ? w->name : "no sleep");
  return bad || !w;
}
