/* test_plugin.c -- user workloads without editing cfbench, through the
 * cfwork API on the backend in argv[1]: fn:PATH.so:SYMBOL (index and line
 * items), plugin:PATH.so (the contention plugin: checked results, its own
 * ideal rate, the mutex serializing threads), a crashing plugin failing
 * only its own items (process backend), the exec workload (substitution,
 * a failing command, a missing one, one that outlives its timeout) and
 * each bad spec giving one clear line.  argv[2..4]: the test plugins
 * fn_square.so, contention.so, bad_abi.so. */
#include "wk_test.h"

#include <cfwork_plugin.h>

#include <stdint.h>
#include <unistd.h>

static const char *so_fn, *so_ct, *so_bad;

typedef struct outcome {
  size_t n, ok, task_err, broken, check_err;
  uint64_t *val;   /* first 8 bytes of each successful result */
  void *res;       /* every result, res_len bytes apart */
  size_t res_len;
  char first[512];
} outcome;

/* "process-spawn": the process backend with spawned workers, which
 * dlopen the plugin again by path (cf_start_method). */
static int wk_spawn;

/* Run every item of r on `workers` workers of the test's backend; unlike
 * wk_run, any failure is counted by kind (a crash is CF_EBROKEN). */
static void run_all(cf_wk_run *r, int workers, outcome *o, size_t res_len) {
  memset(o, 0, sizeof *o);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  cfg.backend = wk_backend;
  cfg.start_method = wk_spawn ? CF_START_SPAWN : CF_START_FORK;
  cf_executor *ex = NULL;
  CHECK_EQ(cf_executor_new(&ex, &cfg), 0);
  o->n = cf_wk_items(r);
  o->val = calloc(o->n, sizeof *o->val);
  o->res_len = res_len;
  o->res = calloc(o->n, res_len ? res_len : 1);
  cf_future **fs = calloc(o->n, sizeof *fs);
  CHECK(o->val && o->res && fs);
  for (size_t i = 0; i < o->n; i++) {
    const void *arg;
    size_t len;
    cf_wk_item(r, i, &arg, &len);
    CHECK_EQ(cf_submit(ex, cf_wk_task(r), arg, len, &fs[i]), 0);
  }
  for (size_t i = 0; i < o->n; i++) {
    const void *res;
    size_t len;
    char err[512] = "";
    int rc = cf_future_result(fs[i], 60, &res, &len);
    if (rc == 0) rc = cf_wk_check(r, i, res, len, err, sizeof err), o->check_err += rc != 0;
    if (rc == 0) {
      o->ok++;
      memcpy(&o->val[i], res, len < 8 ? len : 8);
      memcpy((char *)o->res + i * res_len, res, len < res_len ? len : res_len);
    } else if (rc == CF_EBROKEN) {
      o->broken++;
      o->val[i] = UINT64_MAX;
    } else if (rc == CF_ETASK) {
      o->task_err++;
      o->val[i] = UINT64_MAX;
      cf_wk_task_error(r, cf_future_task_code(fs[i]), err, sizeof err);
    } else {
      fprintf(stderr, "item %zu: %s\n", i, cf_strerror(rc));
      CHECK(0);
    }
    if (rc && !o->first[0]) snprintf(o->first, sizeof o->first, "%s", err[0] ? err : cf_strerror(rc));
    cf_future_release(fs[i]);
  }
  free(fs);
  cf_executor_free(ex);
  fprintf(stderr, "   %s [%s]: %zu ok, %zu task errors, %zu crashed, %zu check errors%s%s\n", cf_wk_params_string(r),
          wk_backend == CF_BACKEND_PROCESS ? "process" : "thread", o->ok, o->task_err, o->broken, o->check_err,
          o->first[0] ? "; first: " : "", o->first);
}

static void outcome_free(outcome *o) {
  free(o->val);
  free(o->res);
}

static const cf_workload *open_ok(const char *spec) {
  const cf_workload *w = NULL;
  char err[512] = "";
  int rc = cf_wk_open(spec, &w, err, sizeof err);
  if (rc) fprintf(stderr, "open %s: %s\n", spec, err);
  CHECK_EQ(rc, 0);
  CHECK(w != NULL);
  return w;
}

static cf_wk_run *prep(const cf_workload *w, const char *const *kv, size_t nkv, size_t n) {
  cf_wk_run *r = NULL;
  char err[512] = "";
  int rc = cf_wk_prepare(w, kv, nkv, n, wk_backend, &r, err, sizeof err);
  if (rc) fprintf(stderr, "prepare %s: %s\n", w->name, err);
  CHECK_EQ(rc, 0);
  return r;
}

static void spec_fails(const char *spec, const char *needle) {
  const cf_workload *w = (const cf_workload *)1;
  char err[512] = "";
  CHECK_EQ(cf_wk_open(spec, &w, err, sizeof err), CF_EINVAL);
  CHECK(w == NULL);
  fprintf(stderr, "   %s -> %s\n", spec, err);
  CHECK_STR_CONTAINS(err, "--workload");
  CHECK_STR_CONTAINS(err, needle);
  CHECK(strchr(err, '\n') == NULL);
}

static void test_fn_index(void) {
  char spec[1024];
  snprintf(spec, sizeof spec, "fn:%s:square", so_fn);
  const cf_workload *w = open_ok(spec), *again = open_ok(spec);
  CHECK(w == again); /* opened once */
  CHECK(strcmp(w->name, spec) == 0);
  cf_wk_run *r = prep(w, NULL, 0, 50);
  outcome o;
  run_all(r, 3, &o, 8);
  CHECK_EQ(o.ok, 50);
  for (uint64_t i = 0; i < 50; i++) CHECK_EQ(o.val[i], i * i);
  CHECK(cf_wk_ideal_rate(r, 4, 2, wk_backend) == 0); /* no model */
  outcome_free(&o);
  cf_wk_teardown(r);
}

static void test_fn_lines(void) {
  char path[] = "/tmp/cf_test_plugin_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  const char text[] = "a\nbb\n\nccc"; /* 4 lines, the last without '\n' */
  CHECK_EQ(write(fd, text, sizeof text - 1), (long long)(sizeof text - 1));
  close(fd);
  char spec[1024], kv[300];
  snprintf(spec, sizeof spec, "fn:%s:square", so_fn);
  snprintf(kv, sizeof kv, "input=%s", path);
  const char *kvs[] = {kv};
  cf_wk_run *r = prep(open_ok(spec), kvs, 1, 0);
  CHECK_EQ(cf_wk_items(r), 4);
  outcome o;
  run_all(r, 2, &o, 8);
  static const uint64_t want[] = {1000001, 1000002, 1000000, 1000003};
  for (int i = 0; i < 4; i++) CHECK_EQ(o.val[i], want[i]);
  outcome_free(&o);
  cf_wk_teardown(r);
  r = prep(open_ok(spec), kvs, 1, 10); /* more items than lines: cycled */
  const void *a;
  size_t len;
  cf_wk_item(r, 9, &a, &len);
  CHECK_EQ(len, 2); /* line 9 % 4 = 1: "bb" */
  CHECK(memcmp(a, "bb", 2) == 0);
  cf_wk_teardown(r);
  unlink(path);
  char err[512];
  cf_wk_run *bad = NULL;
  const char *missing[] = {"input=/nonexistent/lines"};
  CHECK_EQ(cf_wk_prepare(open_ok(spec), missing, 1, 0, wk_backend, &bad, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "input=/nonexistent/lines: No such file");
}

static void test_crash(void) {
  if (wk_backend != CF_BACKEND_PROCESS) return; /* on threads a crash takes the program */
  char spec[1024];
  snprintf(spec, sizeof spec, "fn:%s:crashy", so_fn);
  cf_wk_run *r = prep(open_ok(spec), NULL, 0, 20);
  outcome o;
  run_all(r, 2, &o, 8);
  CHECK_EQ(o.broken, 5);
  CHECK_EQ(o.ok, 15);
  for (uint64_t i = 0; i < 20; i++) CHECK_EQ(o.val[i], i % 4 == 1 ? UINT64_MAX : i);
  outcome_free(&o);
  cf_wk_teardown(r);
}

typedef struct ct_res { uint64_t index, in_start, in_end; int64_t pid; uint64_t out_start, out_end; } ct_res;

static int by_start(const void *a, const void *b) {
  const ct_res *x = a, *y = b;
  return (x->in_start > y->in_start) - (x->in_start < y->in_start);
}

static void test_contention_plugin(void) {
  char spec[1024];
  snprintf(spec, sizeof spec, "plugin:%s", so_ct);
  const cf_workload *w = open_ok(spec);
  CHECK(strcmp(w->name, "contention") == 0);
  CHECK_EQ(w->nparams, 2);
  const char *kv[] = {"inside=100us", "outside=900us"};
  cf_wk_run *r = prep(w, kv, 2, 60);
  CHECK(strcmp(cf_wk_params_string(r), "outside=900us,inside=100us") == 0);
  /* the plugin's own model: threads bound by the mutex, processes not */
  double ideal = cf_wk_ideal_rate(r, 64, 2, wk_backend);
  CHECK(fabs(ideal - (wk_backend == CF_BACKEND_THREAD ? 10000 : 64000)) < 1e-6);
  outcome o;
  run_all(r, 6, &o, sizeof(ct_res));
  CHECK_EQ(o.ok, 60);
  CHECK_EQ(o.check_err, 0);
  ct_res *res = o.res;
  qsort(res, o.n, sizeof *res, by_start);
  size_t overlaps = 0;
  for (size_t i = 1; i < o.n; i++) overlaps += res[i].pid == res[i - 1].pid && res[i].in_start < res[i - 1].in_end;
  CHECK_EQ(overlaps, 0); /* within one process, the mutex is held by one item at a time */
  /* never shorter than asked (the sleeps end at a deadline, spun to), and
   * the outside time ends before the mutex is taken */
  for (size_t i = 0; i < o.n; i++) {
    CHECK_GE(res[i].in_end - res[i].in_start, 100000);
    CHECK_GE(res[i].out_end - res[i].out_start, 900000);
    CHECK_LE(res[i].out_end, res[i].in_start);
  }
  if (wk_backend == CF_BACKEND_THREAD)
    for (size_t i = 0; i < o.n; i++) CHECK_EQ(res[i].pid, (long long)getpid());
  else
    for (size_t i = 0; i < o.n; i++) CHECK_NE(res[i].pid, (long long)getpid());
  CHECK(wk_metric(r, "inside_p50_us") >= 100);
  outcome_free(&o);
  cf_wk_teardown(r);
  /* its parameters are validated like a built-in's */
  char err[512];
  const char *bad[] = {"inside=0"};
  cf_wk_run *x = NULL;
  CHECK_EQ(cf_wk_prepare(w, bad, 1, 0, wk_backend, &x, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "workload contention: parameter inside=0 out of range");
}

static void test_bad_specs(void) {
  char spec[1024];
  spec_fails("fn:/nonexistent/lib.so:f", "cannot load: /nonexistent/lib.so: cannot open shared object file");
  snprintf(spec, sizeof spec, "fn:%s:no_such_symbol", so_fn);
  spec_fails(spec, "no symbol no_such_symbol");
  spec_fails("fn:lib.so", "expected fn:PATH.so:SYMBOL");
  snprintf(spec, sizeof spec, "plugin:%s", so_fn);
  spec_fails(spec, "no symbol cf_wk_plugin");
  snprintf(spec, sizeof spec, "plugin:%s", so_bad);
  spec_fails(spec, "descriptor ABI version 99, this program reads version 1");
  spec_fails("plugin:/nonexistent.so", "cannot load");
  spec_fails("nosuch", "--workload: unknown workload 'nosuch'; allowed: sleep,");
  const cf_workload *w = NULL;
  char err[64];
  CHECK_EQ(cf_wk_open("sleep", &w, err, sizeof err), 0);
  CHECK(w == cf_wk_find("sleep"));
}

static void exec_run(const char *const *kv, size_t nkv, size_t n, outcome *o) {
  cf_wk_run *r = prep(cf_wk_find("exec"), kv, nkv, n);
  run_all(r, 2, o, 8);
  cf_wk_teardown(r);
}

static void test_exec(void) {
  outcome o;
  const char *lt[] = {"cmd=test {} -lt 5"};
  exec_run(lt, 1, 10, &o);
  CHECK_EQ(o.ok, 5);
  CHECK_EQ(o.task_err, 5);
  for (int i = 0; i < 10; i++) CHECK_EQ(o.val[i] == UINT64_MAX, i >= 5);
  CHECK_STR_CONTAINS(o.first, "workload exec: 'test {} -lt 5' exited with status 1");
  outcome_free(&o);

  const char *sh[] = {"cmd=exit $(( {} % 2 ))", "shell=on"};
  exec_run(sh, 2, 6, &o);
  CHECK_EQ(o.ok, 3);
  for (int i = 0; i < 6; i++) CHECK_EQ(o.val[i] == UINT64_MAX, i % 2 == 1);
  outcome_free(&o);

  char path[] = "/tmp/cf_test_exec_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK_EQ(write(fd, "a\nb c\na\n", 8), 8);
  close(fd);
  char in[300];
  snprintf(in, sizeof in, "input=%s", path);
  const char *lines[] = {"cmd=test '{}' = a", in}; /* "b c" stays one argument */
  exec_run(lines, 2, 0, &o);
  CHECK_EQ(o.n, 3);
  CHECK(o.val[0] != UINT64_MAX && o.val[1] == UINT64_MAX && o.val[2] != UINT64_MAX);
  outcome_free(&o);
  unlink(path);

  const char *slow[] = {"cmd=sleep 30", "timeout=200ms"};
  double t0 = wk_test_now();
  exec_run(slow, 2, 2, &o);
  CHECK_EQ(o.task_err, 2);
  CHECK_STR_CONTAINS(o.first, "'sleep 30' outlived timeout=200ms and was killed");
  CHECK(wk_test_now() - t0 < 25); /* killed, not waited for (a generous hang bound) */
  outcome_free(&o);

  char err[512];
  const char *missing[] = {"cmd=no-such-command-cf16 {}"};
  CHECK_EQ(wk_prep_err("exec", missing, 1, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "workload exec: parameter cmd: command 'no-such-command-cf16' not found in PATH");
  CHECK_EQ(wk_prep_err("exec", NULL, 0, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "parameter cmd is required");
  const char *quote[] = {"cmd=echo 'abc"};
  CHECK_EQ(wk_prep_err("exec", quote, 1, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "unterminated ' quote");
}

int main(int argc, char **argv) {
  wk_set_backend(argc, argv);
  if (argc > 1 && strcmp(argv[1], "process-spawn") == 0) {
    wk_backend = CF_BACKEND_PROCESS;
    wk_spawn = 1;
  }
  CHECK_EQ(argc, 5);
  so_fn = argv[2], so_ct = argv[3], so_bad = argv[4];
  test_bad_specs();
  test_fn_index();
  test_fn_lines();
  test_crash();
  test_contention_plugin();
  test_exec();
  cf_wk_unload_all();
  printf("ok\n");
  return 0;
}
