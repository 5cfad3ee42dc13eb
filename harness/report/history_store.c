/* history_store.c -- the store logic common to both backends
 * (history_store.h): the schema and its migrations, adding runs in one
 * transaction, and the two read queries.  Every SQL text here runs
 * unchanged on SQLite and PostgreSQL (history_backend.h). */
#include "history_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history_backend.h"

/* Migration k takes the schema from version k-1 to k.  Append only:
 * stores in the field are at any earlier version. */
static const char *const migration_1[] = {
    "CREATE TABLE cfb_schema (version INTEGER NOT NULL)",
    "CREATE TABLE cfb_runs (run_key TEXT PRIMARY KEY, revision TEXT NOT NULL, commit_time TEXT,"
    " started TEXT NOT NULL, finished TEXT NOT NULL, machine TEXT NOT NULL,"
    " hostname TEXT NOT NULL, source TEXT NOT NULL, added TEXT NOT NULL)",
    "CREATE TABLE cfb_results (run_key TEXT NOT NULL REFERENCES cfb_runs (run_key),"
    " config TEXT NOT NULL, workload TEXT NOT NULL, params TEXT NOT NULL, backend TEXT NOT NULL,"
    " workers INTEGER NOT NULL, chunksize INTEGER NOT NULL, pin TEXT NOT NULL,"
    " metric TEXT NOT NULL, n INTEGER NOT NULL, median DOUBLE PRECISION,"
    " ci_lo DOUBLE PRECISION, ci_hi DOUBLE PRECISION, PRIMARY KEY (run_key, config, metric))",
    NULL};
static const char *const migration_2[] = {
    "CREATE INDEX cfb_results_by_config ON cfb_results (metric, config)", NULL};
/* The mode a row measured (runs.csv's mode column): the series keys
 * (config) already keep the modes apart; the column says it as a field.
 * Rows stored before it are map rows: pooled rows of other modes were
 * stored under a map name, and no migration can split them again. */
static const char *const migration_3[] = {
    "ALTER TABLE cfb_results ADD COLUMN mode TEXT NOT NULL DEFAULT 'map'", NULL};
static const char *const *const migrations[CFB_HIST_SCHEMA] = {migration_1, migration_2, migration_3};

/* True if url names a PostgreSQL store ("postgresql://", "postgres://",
 * or a libpq "key=value" string starting with "host=" / "dbname="). */
static int is_pg(const char *url) {
  return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11) ||
         !strncmp(url, "host=", 5) || !strncmp(url, "dbname=", 7);
}

static int fail(cfb_hist *h, char *err, size_t errlen) {
  snprintf(err, errlen, "%s", h->err);
  return -1;
}

static int first_value(int ncols, const char *const *vals, void *ctx) {
  const char **out = ctx;
  *out = ncols > 0 && vals[0] ? strdup(vals[0]) : NULL;
  return 1;
}

/* The version inside an open transaction or not: 0 if no cfb_schema. */
static int read_version(cfb_hist *h, int *version) {
  char *v = NULL;
  *version = 0;
  if (h->ops->exec(h, h->ops->schema_exists_sql, 0, NULL, first_value, &v) != 0) return -1;
  if (!v) return 0;
  free(v);
  v = NULL;
  if (h->ops->exec(h, "SELECT version FROM cfb_schema", 0, NULL, first_value, &v) != 0) return -1;
  if (!v) {
    snprintf(h->err, sizeof h->err, "%s: cfb_schema has no version row (not a cfbench history?)",
             h->where);
    return -1;
  }
  *version = atoi(v);
  free(v);
  return 0;
}

static int check_not_newer(cfb_hist *h, int v) {
  if (v <= CFB_HIST_SCHEMA) return 0;
  snprintf(h->err, sizeof h->err,
           "%s: history schema version %d is newer than this cfbench's (%d); use a newer cfbench",
           h->where, v, CFB_HIST_SCHEMA);
  return -1;
}

int cfb_hist_version(cfb_hist *h, int *version, char *err, size_t errlen) {
  return read_version(h, version) != 0 ? fail(h, err, errlen) : 0;
}

static int apply_migrations(cfb_hist *h, int to) {
  int v;
  if (read_version(h, &v) != 0 || check_not_newer(h, v) != 0) return -1;
  for (int k = v + 1; k <= to; k++)
    for (const char *const *s = migrations[k - 1]; *s; s++)
      if (h->ops->exec(h, *s, 0, NULL, NULL, NULL) != 0) return -1;
  if (to <= v) return 0;
  char ver[16];
  snprintf(ver, sizeof ver, "%d", to);
  const char *p[] = {ver};
  return h->ops->exec(h, v == 0 ? "INSERT INTO cfb_schema (version) VALUES ($1)"
                                : "UPDATE cfb_schema SET version = $1",
                      1, p, NULL, NULL);
}

int cfb_hist_migrate(cfb_hist *h, int to, char *err, size_t errlen) {
  if (to < 1 || to > CFB_HIST_SCHEMA) {
    snprintf(err, errlen, "no history schema version %d (1..%d)", to, CFB_HIST_SCHEMA);
    return -1;
  }
  if (h->ops->begin_write(h) != 0) return fail(h, err, errlen);
  if (apply_migrations(h, to) != 0 || h->ops->commit(h) != 0) {
    h->ops->rollback(h);
    return fail(h, err, errlen);
  }
  return 0;
}

int cfb_hist_open(const char *url, int writable, cfb_hist **out, char *err, size_t errlen) {
  *out = NULL;
  cfb_hist *h = calloc(1, sizeof *h);
  if (!h) {
    snprintf(err, errlen, "%s: out of memory", url);
    return -1;
  }
  int rc = is_pg(url) ? cfb_hist_pg_open(h, url) : cfb_hist_sqlite_open(h, url, writable);
  if (rc != 0) {
    snprintf(err, errlen, "%s", h->err);
    if (h->ops) h->ops->close(h);
    free(h);
    return -1;
  }
  int v = 0;
  if (writable) rc = cfb_hist_migrate(h, CFB_HIST_SCHEMA, err, errlen);
  else if (read_version(h, &v) != 0 || check_not_newer(h, v) != 0) rc = fail(h, err, errlen);
  else if (v == 0) {
    snprintf(err, errlen, "%s: no cfbench history there (history add creates it)", h->where);
    rc = -1;
  }
  if (rc != 0) {
    cfb_hist_close(h);
    return -1;
  }
  *out = h;
  return 0;
}

void cfb_hist_close(cfb_hist *h) {
  if (!h) return;
  h->ops->close(h);
  free(h);
}

static int add_results(cfb_hist *h, const cfb_hist_run *r) {
  for (size_t i = 0; i < r->nres; i++) {
    const cfb_hist_result *x = &r->res[i];
    char w[16], c[16], n[32], med[40], lo[40], hi[40];
    snprintf(w, sizeof w, "%d", x->workers);
    snprintf(c, sizeof c, "%d", x->chunksize);
    snprintf(n, sizeof n, "%.0f", x->n);
    snprintf(med, sizeof med, "%.17g", x->median);
    snprintf(lo, sizeof lo, "%.17g", x->ci_lo);
    snprintf(hi, sizeof hi, "%.17g", x->ci_hi);
    int fin = x->median == x->median; /* NaN: not measured, stored as NULL */
    const char *p[] = {r->key, x->config, x->workload, x->params, x->backend, w, c, x->pin,
                       x->metric, n, fin ? med : NULL, fin ? lo : NULL, fin ? hi : NULL,
                       x->mode ? x->mode : "map"};
    if (h->ops->exec(h,
                     "INSERT INTO cfb_results (run_key, config, workload, params, backend, workers,"
                     " chunksize, pin, metric, n, median, ci_lo, ci_hi, mode)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                     14, p, NULL, NULL) != 0)
      return -1;
  }
  return 0;
}

/* Insert one run unless its key is there; *added += 1 if inserted. */
static int add_run(cfb_hist *h, const cfb_hist_run *r, const char *now, size_t *added) {
  char *have = NULL;
  const char *k[] = {r->key};
  if (h->ops->exec(h, "SELECT run_key FROM cfb_runs WHERE run_key = $1", 1, k, first_value,
                   &have) != 0)
    return -1;
  if (have) { /* the same run again: nothing to do */
    free(have);
    return 0;
  }
  const char *p[] = {r->key,      r->revision, r->commit_time, r->started, r->finished,
                     r->machine,  r->hostname, r->source,      now};
  if (h->ops->exec(h,
                   "INSERT INTO cfb_runs (run_key, revision, commit_time, started, finished,"
                   " machine, hostname, source, added) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   9, p, NULL, NULL) != 0 ||
      add_results(h, r) != 0)
    return -1;
  (*added)++;
  return 0;
}

int cfb_hist_add(cfb_hist *h, const cfb_hist_run *runs, size_t n, size_t *added, char *err,
                 size_t errlen) {
  size_t count = 0;
  char now[32];
  time_t t = time(NULL);
  struct tm tm;
  strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
  if (h->ops->begin_write(h) != 0) return fail(h, err, errlen);
  /* Under the write lock: another writer may have migrated meanwhile. */
  if (apply_migrations(h, CFB_HIST_SCHEMA) != 0) goto bad;
  for (size_t i = 0; i < n; i++)
    if (add_run(h, &runs[i], now, &count) != 0) goto bad;
  if (h->ops->commit(h) != 0) goto bad;
  if (added) *added = count;
  return 0;
bad:
  h->ops->rollback(h);
  return fail(h, err, errlen);
}

typedef struct run_ctx {
  int (*cb)(const cfb_hist_run_row *, void *);
  void *ctx;
} run_ctx;

static int on_run(int ncols, const char *const *v, void *arg) {
  run_ctx *c = arg;
  if (ncols < 7) return 1;
  cfb_hist_run_row r = {v[0], v[1], v[2], v[3], v[4], v[5], v[6] ? atol(v[6]) : 0};
  return c->cb(&r, c->ctx);
}

/* History order: commit time when known, else start time; ties by start. */
#define HISTORY_ORDER "COALESCE(r.commit_time, r.started), r.started, r.run_key"

int cfb_hist_each_run(cfb_hist *h, int (*cb)(const cfb_hist_run_row *, void *), void *ctx,
                      char *err, size_t errlen) {
  run_ctx c = {cb, ctx};
  if (h->ops->exec(h,
                   "SELECT r.revision, r.commit_time, r.started, r.machine, r.hostname, r.source,"
                   " (SELECT COUNT(*) FROM cfb_results x WHERE x.run_key = r.run_key"
                   " AND x.metric = 'wall') FROM cfb_runs r ORDER BY " HISTORY_ORDER,
                   0, NULL, on_run, &c) != 0)
    return fail(h, err, errlen);
  return 0;
}

typedef struct point_ctx {
  int (*cb)(const cfb_hist_point *, void *);
  void *ctx;
} point_ctx;

static double num(const char *s) { return s ? strtod(s, NULL) : 0.0 / 0.0; }

static int on_point(int ncols, const char *const *v, void *arg) {
  point_ctx *c = arg;
  if (ncols < 9) return 1;
  cfb_hist_point p = {v[0], v[1], v[2], v[3], v[4], num(v[5]), num(v[6]), num(v[7]), num(v[8])};
  return c->cb(&p, c->ctx);
}

int cfb_hist_each_point(cfb_hist *h, const char *metric,
                        int (*cb)(const cfb_hist_point *, void *), void *ctx, char *err,
                        size_t errlen) {
  point_ctx c = {cb, ctx};
  const char *p[] = {metric};
  if (h->ops->exec(h,
                   "SELECT r.machine, x.config, r.revision, r.started, r.commit_time, x.n, x.median,"
                   " x.ci_lo, x.ci_hi FROM cfb_results x JOIN cfb_runs r ON r.run_key = x.run_key"
                   " WHERE x.metric = $1 AND x.median IS NOT NULL"
                   " ORDER BY r.machine, x.config, " HISTORY_ORDER,
                   1, p, on_point, &c) != 0)
    return fail(h, err, errlen);
  return 0;
}
