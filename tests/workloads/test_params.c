/* test_params.c -- the workload registry and parameter handling: the
 * table, defaults and canonical strings, and every kind of bad parameter
 * (unknown name, out of range, bad or missing unit, not a number, bad
 * choice or boolean) giving CF_EINVAL with a message naming the parameter
 * and what is allowed. */
#include "wk_test.h"

static void t_registry(void) {
  CHECK_EQ(cf_wk_count(), 6);
  const char *names[] = {"sleep", "socket", "primes", "mixed", "memtouch", "exec"};
  const cf_wk_kind kinds[] = {CF_WK_IO, CF_WK_IO, CF_WK_CPU, CF_WK_MIXED, CF_WK_MEMORY, CF_WK_MIXED};
  for (size_t i = 0; i < 6; i++) {
    const cf_workload *w = cf_wk_find(names[i]);
    CHECK(w != NULL);
    CHECK(w == cf_wk_at(i));
    CHECK_EQ(w->kind, kinds[i]);
    CHECK(w->summary && w->summary[0]);
    for (size_t k = 0; k < w->nparams; k++) CHECK(w->params[k].help && w->params[k].def);
  }
  CHECK(cf_wk_at(6) == NULL);
  CHECK(cf_wk_find("nope") == NULL);
  CHECK(strcmp(cf_wk_kind_name(CF_WK_MEMORY), "memory") == 0);
}

static void t_canonical(void) {
  cf_wk_run *r = wk_prep("sleep", NULL, 0, 3);
  CHECK(strcmp(cf_wk_params_string(r), "delay=10ms") == 0);
  CHECK_EQ(cf_wk_items(r), 3);
  const void *a;
  size_t l;
  cf_wk_item(r, 3, &a, &l);
  CHECK(a == NULL && l == 0);
  cf_wk_teardown(r);
  const char *kv[] = {"delay=0.0015s"};
  r = wk_prep("sleep", kv, 1, 0);
  CHECK(strcmp(cf_wk_params_string(r), "delay=1500us") == 0);
  CHECK_EQ(cf_wk_items(r), 100);
  cf_wk_teardown(r);
  const char *kv2[] = {"cpu_us=250", "io_us=2ms", "gil=yes"};
  r = wk_prep("mixed", kv2, 3, 2);
  CHECK(strcmp(cf_wk_params_string(r), "cpu_us=250us,io_us=2ms,gil=on,work_scale=1") == 0);
  cf_wk_teardown(r);
  r = wk_prep("primes", NULL, 0, 0);
  CHECK(strcmp(cf_wk_params_string(r), "preset=docs,start=1000000000001,count=1000,gil=off,work_scale=1") == 0);
  CHECK_EQ(cf_wk_items(r), 6);
  cf_wk_teardown(r);
  const char *kv3[] = {"body=64K"};
  r = wk_prep("socket", kv3, 1, 1);
  CHECK(strcmp(cf_wk_params_string(r), "target=,delay=0s,body=64KiB,keepalive=on,timeout=5s,server_threads=1") == 0);
  cf_wk_teardown(r);
  cf_wk_teardown(NULL);
}

static void expect_bad(const char *wl, const char *kv, const char *msg) {
  char err[512] = "";
  const char *a[] = {kv};
  CHECK_EQ(wk_prep_err(wl, a, 1, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, msg);
}

static void t_bad(void) {
  char err[512];
  expect_bad("sleep", "delay=-1ms", "workload sleep: parameter delay=-1ms out of range [0 s, 60 s]");
  expect_bad("sleep", "delay=61s", "out of range [0 s, 60 s]");
  expect_bad("sleep", "delay=10parsecs", "workload sleep: parameter delay=10parsecs: bad unit 'parsecs' (use ns, us, ms or s)");
  expect_bad("sleep", "delay=10", "parameter delay=10: missing unit");
  expect_bad("sleep", "delay=ten", "parameter delay=ten: not a number");
  expect_bad("sleep", "delay=nan", "not a number");
  expect_bad("sleep", "speed=3", "workload sleep: unknown parameter 'speed' (known: delay)");
  expect_bad("sleep", "delay", "parameter 'delay' is not key=value");
  expect_bad("primes", "preset=all", "workload primes: parameter preset=all: must be one of docs/range");
  expect_bad("primes", "gil=maybe", "parameter gil=maybe: must be on or off");
  expect_bad("primes", "work_scale=20", "parameter work_scale=20 out of range [0.1, 10]");
  expect_bad("primes", "work_scale=0.05", "out of range [0.1, 10]");
  expect_bad("primes", "count=1.5", "parameter count=1.5: not an integer");
  expect_bad("primes", "count=5ms", "parameter count=5ms: bad unit 'ms' (a plain number is expected)");
  expect_bad("mixed", "work_scale=0", "out of range [0.1, 10]");
  expect_bad("mixed", "cpu_us=11s", "parameter cpu_us=11s out of range [0 s, 10 s]");
  expect_bad("memtouch", "mib=0", "workload memtouch: parameter mib=0 out of range [1, 4096]");
  expect_bad("socket", "body=1TB", "parameter body=1TB: bad unit 'TB' (use B, KiB, MiB or GiB)");
  expect_bad("socket", "body=65MiB", "parameter body=65MiB out of range [0 B, 64 MiB]");
  expect_bad("socket", "timeout=0s", "parameter timeout=0s out of range [1 ms, 600 s]");
  expect_bad("socket", "target=ftp://127.0.0.1/", "parameter target=ftp://127.0.0.1/: must be http://HOST:PORT/path");
  expect_bad("socket", "target=http://127.0.0.1:99999/", "port out of range [1, 65535]");
  const char *both[] = {"target=http://127.0.0.1:8080/", "delay=1ms"};
  CHECK_EQ(wk_prep_err("socket", both, 2, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "apply to the embedded server");
  /* too many items */
  cf_wk_run *r = (cf_wk_run *)1;
  CHECK_EQ(cf_wk_prepare(cf_wk_find("sleep"), NULL, 0, (size_t)1 << 40, CF_BACKEND_THREAD, &r, err, sizeof err), CF_EINVAL);
  CHECK(r == NULL);
  CHECK_STR_CONTAINS(err, "items, at most");
}

int main(int argc, char **argv) {
  static const test_case cases[] = {
      {"registry", t_registry}, {"canonical", t_canonical}, {"bad", t_bad}, {NULL, NULL}};
  wk_set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
