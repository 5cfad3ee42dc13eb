/* test_history_store.c -- the history store (report/history_store.h) on
 * SQLite files: a v1 store migrates to the current schema (the index of
 * v2 appears), runs round-trip with their figures and order, adding a run
 * twice changes nothing, a NaN median is stored as not measured, a newer
 * schema is refused, and a real run directory loads (report/history_load.h,
 * $CFB_TEST_RUNDIR) with parameters dropped by --ignore-param. */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history_backend.h"
#include "history_load.h"
#include "params_key.h"
#include "history_series.h"
#include "history_store.h"
#include "task.h"

static char dir[] = "/tmp/cfb-hstore-XXXXXX";

static void path_of(char *out, size_t len, const char *name) { snprintf(out, len, "%s/%s", dir, name); }

static int sql_int(const char *db, const char *sql) {
  sqlite3 *s;
  CHECK(sqlite3_open(db, &s) == SQLITE_OK);
  sqlite3_stmt *st;
  CHECK(sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK);
  int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(s);
  return v;
}

static void test_migrate_v1(void) {
  char db[256], err[512];
  path_of(db, sizeof db, "v1.sqlite");
  /* A store left at version 1 (as an older cfbench wrote it). */
  struct cfb_hist raw;
  memset(&raw, 0, sizeof raw);
  CHECK_EQ(cfb_hist_sqlite_open(&raw, db, 1), 0);
  CHECK_EQ(cfb_hist_migrate(&raw, 1, err, sizeof err), 0);
  int v = -1;
  CHECK_EQ(cfb_hist_version(&raw, &v, err, sizeof err), 0);
  CHECK_EQ(v, 1);
  raw.ops->close(&raw);
  CHECK_EQ(sql_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'cfb_results_by_config'"), 0);
  /* A reader accepts the older version as it is. */
  cfb_hist *h;
  CHECK_EQ(cfb_hist_open(db, 0, &h, err, sizeof err), 0);
  cfb_hist_close(h);
  CHECK_EQ(sql_int(db, "SELECT version FROM cfb_schema"), 1);
  /* A writer migrates it. */
  CHECK_EQ(cfb_hist_open(db, 1, &h, err, sizeof err), 0);
  CHECK_EQ(cfb_hist_version(h, &v, err, sizeof err), 0);
  CHECK_EQ(v, CFB_HIST_SCHEMA);
  cfb_hist_close(h);
  CHECK_EQ(sql_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'cfb_results_by_config'"), 1);
  CHECK_EQ(sql_int(db, "SELECT COUNT(*) FROM cfb_schema"), 1);
}

typedef struct collect {
  char rev[8][16];
  double med[8];
  size_t n;
} collect;

static int on_point(const cfb_hist_point *p, void *arg) {
  collect *c = arg;
  if (c->n < 8) {
    snprintf(c->rev[c->n], sizeof c->rev[0], "%s", p->revision);
    c->med[c->n++] = p->median;
  }
  return 0;
}

static void fill_run(cfb_hist_run *r, cfb_hist_result *x, const char *key, const char *rev,
                     const char *ctime, double median) {
  memset(x, 0, sizeof *x);
  x->config = "w (a=1) thread w=1 c=1", x->workload = "w", x->params = "a=1";
  x->backend = "thread", x->pin = "none", x->workers = 1, x->chunksize = 1, x->metric = "wall";
  x->n = 5, x->median = median, x->ci_lo = median - 1, x->ci_hi = median + 1;
  memset(r, 0, sizeof *r);
  r->key = key, r->revision = rev, r->commit_time = ctime, r->started = "2026-01-01T00:00:00Z";
  r->finished = "2026-01-01T00:01:00Z", r->machine = "m", r->hostname = "h", r->source = "d";
  r->res = x, r->nres = 1;
}

static void test_roundtrip_idempotent(void) {
  char db[256], err[512];
  path_of(db, sizeof db, "rt.sqlite");
  cfb_hist *h;
  CHECK_EQ(cfb_hist_open(db, 1, &h, err, sizeof err), 0);
  cfb_hist_result x[3];
  cfb_hist_run r[3];
  /* Added out of order: the history orders by commit time. */
  fill_run(&r[0], &x[0], "k2", "b", "2026-01-02T00:00:00Z", 200.5);
  fill_run(&r[1], &x[1], "k1", "a", "2026-01-01T00:00:00Z", 100.25);
  fill_run(&r[2], &x[2], "k3", "c", "2026-01-03T00:00:00Z", NAN);
  size_t added = 0;
  CHECK_EQ(cfb_hist_add(h, r, 3, &added, err, sizeof err), 0);
  CHECK_EQ(added, 3);
  CHECK_EQ(cfb_hist_add(h, r, 2, &added, err, sizeof err), 0);
  CHECK_EQ(added, 0);
  collect c = {0};
  CHECK_EQ(cfb_hist_each_point(h, "wall", on_point, &c, err, sizeof err), 0);
  CHECK_EQ(c.n, 2); /* the NaN median is stored as NULL and not a point */
  CHECK(!strcmp(c.rev[0], "a") && !strcmp(c.rev[1], "b"));
  CHECK(c.med[0] == 100.25 && c.med[1] == 200.5);
  cfb_hist_close(h);
  CHECK_EQ(sql_int(db, "SELECT COUNT(*) FROM cfb_runs"), 3);
  CHECK_EQ(sql_int(db, "SELECT COUNT(*) FROM cfb_results WHERE median IS NULL"), 1);
}

static void test_newer_refused(void) {
  char db[256], err[512];
  path_of(db, sizeof db, "new.sqlite");
  cfb_hist *h;
  CHECK_EQ(cfb_hist_open(db, 1, &h, err, sizeof err), 0);
  cfb_hist_close(h);
  sqlite3 *s;
  CHECK(sqlite3_open(db, &s) == SQLITE_OK);
  CHECK(sqlite3_exec(s, "UPDATE cfb_schema SET version = 7", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close(s);
  CHECK_EQ(cfb_hist_open(db, 1, &h, err, sizeof err), -1);
  CHECK_STR_CONTAINS(err, "version 7 is newer");
  CHECK_EQ(cfb_hist_open(db, 0, &h, err, sizeof err), -1);
  CHECK_STR_CONTAINS(err, "version 7 is newer");
}

/* The history names configurations with compare's one strip (params_key.h). */
static void test_strip_params(void) {
  static const char *const cases[][3] = {
      {"range=1\\,100,work_scale=1.2,gil=off", "work_scale", "range=1\\,100,gil=off"},
      {"range=1,100,work_scale=1.2,gil=off", "work_scale", "range=1\\,100,gil=off"}, /* unescaped, older */
      {"work_scale=1.2", "work_scale", ""},
      {"a=1,b=2", "", "a=1,b=2"},
      {"a=1,b=2,c=3", "a,c", "b=2"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *out = cfb_params_strip(cases[i][0], cases[i][1]);
    CHECK(out && !strcmp(out, cases[i][2]));
    if (out && strcmp(out, cases[i][2])) fprintf(stderr, "strip '%s' -> '%s'\n", cases[i][0], out);
    free(out);
  }
  char *name = cfb_config_name("primes", "range=1\\,100", "thread", "1", "4", "none");
  CHECK(name && !strcmp(name, "primes (range=1\\,100) thread w=1 c=4"));
  free(name);
  name = cfb_config_name("sleep", "", "process", "2", "1", "compact");
  CHECK(name && !strcmp(name, "sleep process w=2 c=1 pin=compact"));
  free(name);
}

static void test_load_rundir(void) {
  const char *rd = getenv("CFB_TEST_RUNDIR");
  CHECK(rd != NULL);
  char err[512];
  cfb_hist_loaded l;
  cfb_hist_load_opts o = {"rev1", NULL, "delay"};
  CHECK_EQ(cfb_hist_load(rd, &o, &l, err, sizeof err), 0);
  CHECK(!strcmp(l.run.revision, "rev1"));
  CHECK(l.run.commit_time == NULL);
  CHECK(l.run.nres > 0);
  CHECK(strlen(l.run.key) == 32);
  int saw_sleep = 0;
  for (size_t i = 0; i < l.run.nres; i++) {
    const cfb_hist_result *x = &l.run.res[i];
    CHECK(x->median > 0 && x->ci_lo <= x->median && x->median <= x->ci_hi);
    if (!strcmp(x->workload, "sleep")) {
      saw_sleep = 1;
      CHECK(strstr(x->config, "delay=") == NULL); /* ignored parameter */
    }
  }
  CHECK(saw_sleep);
  /* The same directory loads to the same key. */
  cfb_hist_loaded l2;
  CHECK_EQ(cfb_hist_load(rd, &o, &l2, err, sizeof err), 0);
  CHECK(!strcmp(l.run.key, l2.run.key));
  cfb_hist_loaded_free(&l);
  cfb_hist_loaded_free(&l2);
}

int main(int argc, char **argv) {
  CHECK(mkdtemp(dir) != NULL);
  static const test_case cases[] = {{"migrate_v1", test_migrate_v1},
                                    {"roundtrip_idempotent", test_roundtrip_idempotent},
                                    {"newer_refused", test_newer_refused},
                                    {"strip_params", test_strip_params},
                                    {"load_rundir", test_load_rundir},
                                    {NULL, NULL}};
  int rc = run_tests(cases, argc, argv);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) rc = 1;
  return rc;
}
