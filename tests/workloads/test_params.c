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
  CHECK(strcmp(cf_wk_params_string(r), "cpu_us=250us,io_us=2ms,gil=on,work_scale=1,ipc_us=250us") == 0);
  cf_wk_teardown(r);
  r = wk_prep("primes", NULL, 0, 0);
  CHECK(strcmp(cf_wk_params_string(r), "preset=docs,start=1000000000001,count=1000,gil=off,work_scale=1") == 0);
  CHECK_EQ(cf_wk_items(r), 6);
  cf_wk_teardown(r);
  const char *kv3[] = {"body=64K"};
  r = wk_prep("socket", kv3, 1, 1);
  CHECK(strcmp(cf_wk_params_string(r), "target=,delay=0s,body=64KiB,keepalive=on,timeout=5s,server_threads=1,listen=127.0.0.1") == 0);
  cf_wk_teardown(r);
  cf_wk_teardown(NULL);
}

static void expect_bad(const char *wl, const char *kv, const char *msg) {
  char err[512] = "";
  const char *a[] = {kv};
  CHECK_EQ(wk_prep_err(wl, a, 1, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, msg);
}

/* Integer parameters are read exactly, not through a double: two starts
 * 2 apart past 10^15 are two configurations (they read as one,
 * "start=1e+15"), a start past 2^53 is the number given (it began at the
 * double's neighbour), and the range's end is exact. */
static void t_exact_ints(void) {
  const char *a[] = {"preset=range", "start=1000000000000001", "count=2"};
  const char *b[] = {"preset=range", "start=1000000000000003", "count=2"};
  cf_wk_run *ra = wk_prep("primes", a, 3, 0), *rb = wk_prep("primes", b, 3, 0);
  CHECK_STR_CONTAINS(cf_wk_params_string(ra), "start=1000000000000001,");
  CHECK_STR_CONTAINS(cf_wk_params_string(rb), "start=1000000000000003,");
  CHECK(strcmp(cf_wk_params_string(ra), cf_wk_params_string(rb)) != 0);
  cf_wk_teardown(ra);
  cf_wk_teardown(rb);
  const char *big[] = {"preset=range", "start=123456789012345679", "count=3"};
  cf_wk_run *r = wk_prep("primes", big, 3, 0);
  CHECK_STR_CONTAINS(cf_wk_params_string(r), "start=123456789012345679,");
  for (size_t i = 0; i < 3; i++) {
    const void *it;
    size_t len;
    cf_wk_item(r, i, &it, &len);
    uint64_t n;
    CHECK(len >= sizeof n);
    memcpy(&n, it, sizeof n); /* pr_item starts with the number */
    CHECK_EQ(n, 123456789012345679ull + 2 * i);
  }
  cf_wk_teardown(r);
  const char *edge[] = {"preset=range", "start=1000000000000000000", "count=1"};
  r = wk_prep("primes", edge, 3, 0); /* the maximum itself: in range */
  CHECK_STR_CONTAINS(cf_wk_params_string(r), "start=1000000000000000000,");
  cf_wk_teardown(r);
  const char *sci[] = {"preset=range", "start=1e6", "count=1"};
  r = wk_prep("primes", sci, 3, 0); /* small enough for a double: as before */
  CHECK_STR_CONTAINS(cf_wk_params_string(r), "start=1000000,");
  cf_wk_teardown(r);
  expect_bad("primes", "start=1000000000000000001", "out of range");
  expect_bad("primes", "start=99999999999999999999999", "out of range");
  expect_bad("primes", "start=1.5e17", "in digits");
  expect_bad("primes", "count=12x", "bad unit");
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
  CHECK_STR_CONTAINS(err, "parameter delay applies to the embedded server, not to target=http://127.0.0.1:8080/");
  CHECK(!strstr(err, "listen") && !strstr(err, "server_threads")); /* not given: not named */
  const char *three[] = {"target=http://127.0.0.1:8080/", "listen=127.0.0.1", "delay=0", "server_threads=2"};
  CHECK_EQ(wk_prep_err("socket", three, 4, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "parameters delay, server_threads and listen apply to the embedded server");
  /* too many items */
  cf_wk_run *r = (cf_wk_run *)1;
  CHECK_EQ(cf_wk_prepare(cf_wk_find("sleep"), NULL, 0, (size_t)1 << 40, CF_BACKEND_THREAD, &r, err, sizeof err), CF_EINVAL);
  CHECK(r == NULL);
  CHECK_STR_CONTAINS(err, "items, at most");
}

/* Split gives back exactly the pairs formatted, whatever the values hold. */
static void roundtrip(const char *const *k, const char *const *v, size_t n) {
  char *s = cf_wk_params_format(k, v, n);
  CHECK(s);
  cf_wk_kv *kv;
  size_t m;
  CHECK_EQ(cf_wk_params_split(s, &kv, &m), 0);
  CHECK_EQ(m, n);
  for (size_t i = 0; i < n; i++) {
    if (strcmp(kv[i].key, k[i]) || strcmp(kv[i].value, v[i]))
      fprintf(stderr, "pair %zu: '%s'='%s' came back as '%s'='%s' (from %s)\n", i, k[i], v[i], kv[i].key,
              kv[i].value, s);
    CHECK(!strcmp(kv[i].key, k[i]) && !strcmp(kv[i].value, v[i]));
  }
  cf_wk_params_free(kv, m);
  free(s);
}

static void t_string_roundtrip(void) {
  const char *k[] = {"target", "delay", "path", "empty", "eq"};
  const char *v[] = {"http://h/?a=1,b=2", "10ms", "C:\\dir\\,x\\", "", "a=b,c=d"};
  roundtrip(k, v, 5);
  roundtrip(k, v, 0);
  const char *one[] = {","}, *one_k[] = {"c"};
  roundtrip(one_k, one, 1);
  /* a long value (compare once cut parameter strings at 1024 bytes) */
  char *big = malloc(20001);
  CHECK(big);
  for (size_t i = 0; i < 20000; i++) big[i] = ",=\\x"[i % 4];
  big[20000] = '\0';
  const char *bk[] = {"a", "b"}, *bv[] = {big, big};
  roundtrip(bk, bv, 2);
  free(big);
  /* a value with a comma is escaped, so it is not a second parameter */
  const char *tk[] = {"target"}, *tv[] = {"http://h/?a=1,b=2"};
  char *s = cf_wk_params_format(tk, tv, 1);
  CHECK(!strcmp(s, "target=http://h/?a=1\\,b=2"));
  free(s);
  /* not parameter strings */
  cf_wk_kv *kv;
  size_t n;
  CHECK_EQ(cf_wk_params_split("=x", &kv, &n), -1);
  CHECK_EQ(cf_wk_params_split("a=x\\", &kv, &n), -1);
  CHECK_EQ(cf_wk_params_split("novalue", &kv, &n), -1);
  CHECK_EQ(cf_wk_params_split("", &kv, &n), 0);
  CHECK_EQ(n, 0);
}

/* Strings written before escaping: a piece with no '=' belongs to the value before. */
static void t_string_legacy(void) {
  cf_wk_kv *kv;
  size_t n;
  CHECK_EQ(cf_wk_params_split("preset=range,range=1000,100,gil=off", &kv, &n), 0);
  CHECK_EQ(n, 3);
  CHECK(!strcmp(kv[1].key, "range") && !strcmp(kv[1].value, "1000,100"));
  CHECK(!strcmp(kv[2].key, "gil") && !strcmp(kv[2].value, "off"));
  cf_wk_params_free(kv, n);
}

static int threads_now(void) {
  FILE *f = fopen("/proc/self/status", "r");
  CHECK(f);
  char line[256];
  int n = -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "Threads:", 8)) n = atoi(line + 8);
  fclose(f);
  return n;
}

/* cf_wk_params_check: the canonical string cf_wk_prepare gives, the same
 * errors, and nothing run: no server thread is started for socket. */
static void t_check_pure(void) {
  static const struct {
    const char *wl;
    const char *kv[3];
    size_t n;
  } cases[] = {{"sleep", {"delay=0.0015s"}, 1},
               {"mixed", {"cpu_us=250", "io_us=2ms", "gil=yes"}, 3},
               {"socket", {"body=64K"}, 1},
               {"primes", {"preset=range", "count=10"}, 2},
               {"memtouch", {"mib=4096"}, 1}};
  int before = threads_now();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *canon = NULL, err[256];
    CHECK_EQ(cf_wk_params_check(cf_wk_find(cases[i].wl), cases[i].kv, cases[i].n, &canon, err, sizeof err), 0);
    CHECK_EQ(threads_now(), before); /* nothing started */
    if (strcmp(cases[i].wl, "memtouch")) { /* 4 GiB would be touched by prepare */
      cf_wk_run *r = wk_prep(cases[i].wl, cases[i].kv, cases[i].n, 1);
      CHECK(!strcmp(canon, cf_wk_params_string(r)));
      cf_wk_teardown(r);
    }
    free(canon);
  }
  char *canon = (char *)1, err[256];
  const char *bad[] = {"delay=5parsecs"};
  CHECK_EQ(cf_wk_params_check(cf_wk_find("sleep"), bad, 1, &canon, err, sizeof err), CF_EINVAL);
  CHECK(canon == NULL);
  CHECK_STR_CONTAINS(err, "delay");
  const char *both[] = {"target=http://127.0.0.1:8080/", "delay=1ms"};
  CHECK_EQ(cf_wk_params_check(cf_wk_find("socket"), both, 2, &canon, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "embedded server");
  const char *url[] = {"target=ftp://x/"};
  CHECK_EQ(cf_wk_params_check(cf_wk_find("socket"), url, 1, &canon, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "http://HOST:PORT/path");
  /* a target's host is not looked up by the check (prepare does it) */
  const char *unresolvable[] = {"target=http://no-such-host.invalid:80/"};
  CHECK_EQ(cf_wk_params_check(cf_wk_find("socket"), unresolvable, 1, &canon, err, sizeof err), 0);
  CHECK_STR_CONTAINS(canon, "no-such-host.invalid");
  free(canon);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"registry", t_registry},   {"canonical", t_canonical},
                                    {"exact_ints", t_exact_ints},
                                    {"bad", t_bad},             {"string_roundtrip", t_string_roundtrip},
                                    {"string_legacy", t_string_legacy}, {"check_pure", t_check_pure},
                                    {NULL, NULL}};
  wk_set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
