/* runs_load.c -- runs.csv into configurations (runs_load.h), split the way
 * the reading goes: open and check the table, the sample of a row, the
 * configuration of a row, the samples appended. */
#define _GNU_SOURCE /* asprintf */
#include "runs_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "params_key.h"
#include "runs_check.h"
#include "schema.h"

int cfb_runs_open(const char *path, cfb_csv_table *t, char *file, size_t filelen, char *err,
                  size_t errlen) {
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  snprintf(file, filelen, S_ISDIR(st.st_mode) ? "%s/runs.csv" : "%s", path);
  if (cfb_csv_load(file, t, err, errlen) != 0) return -1;
  static const cfb_runs_col need[] = {CFB_RUNS_WORKLOAD, CFB_RUNS_PARAMS, CFB_RUNS_BACKEND,
                                      CFB_RUNS_WORKERS, CFB_RUNS_CHUNKSIZE, CFB_RUNS_ITEMS_PER_S};
  for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
    if (cfb_csv_col(t, cfb_runs_columns[need[i]]) < 0) {
      snprintf(err, errlen, "%s: no column '%s' (is it a cfbench runs.csv?)", file,
               cfb_runs_columns[need[i]]);
      cfb_csv_table_free(t);
      return -1;
    }
  }
  if (cfb_runs_check(t, file, err, errlen) != 0) {
    cfb_csv_table_free(t);
    return -1;
  }
  return 0;
}

int cfb_runs_value(const cfb_csv_table *t, size_t r, int cpu, double *v) {
  if (!cpu) return cfb_csv_double(cfb_csv_get(t, r, CFB_RUNS(ITEMS_PER_S)), v) == 1 && *v >= 0;
  /* items per CPU-second of the process (children included) */
  double items, us, sy;
  if (cfb_csv_double(cfb_csv_get(t, r, CFB_RUNS(ITEMS_DONE)), &items) != 1 ||
      cfb_csv_double(cfb_csv_get(t, r, CFB_RUNS(CPU_USER_S)), &us) != 1 ||
      cfb_csv_double(cfb_csv_get(t, r, CFB_RUNS(CPU_SYS_S)), &sy) != 1 || !(us + sy > 0))
    return 0;
  *v = items / (us + sy);
  return 1;
}

const cfb_runs_cfg *cfb_runs_find(const cfb_runs_set *s, const char *key) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->c[i].key, key)) return &s->c[i];
  return NULL;
}

/* A new configuration with this key and name (both taken), or NULL. */
static cfb_runs_cfg *append_cfg(cfb_runs_set *s, char *key, char *name) {
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 16;
    cfb_runs_cfg *n = realloc(s->c, nc * sizeof *n);
    if (!n) return NULL;
    s->c = n;
    s->cap = nc;
  }
  cfb_runs_cfg *c = &s->c[s->n++];
  memset(c, 0, sizeof *c);
  c->key = key;
  c->name = name;
  return c;
}

/* The configuration of row r, found or appended.  0 and *out; -1 not a
 * parameter string; -2 out of memory. */
static int cfg_of(cfb_runs_set *s, const cfb_csv_table *t, size_t r, const char *ignore,
                  cfb_runs_cfg **out) {
  const char *wl = cfb_csv_get(t, r, CFB_RUNS(WORKLOAD)), *be = cfb_csv_get(t, r, CFB_RUNS(BACKEND)),
             *w = cfb_csv_get(t, r, CFB_RUNS(WORKERS)), *c = cfb_csv_get(t, r, CFB_RUNS(CHUNKSIZE)),
             *pin = cfb_csv_get(t, r, CFB_RUNS(PIN));
  if (!pin || !*pin) pin = "none";
  char *params = cfb_params_strip(cfb_csv_get(t, r, CFB_RUNS(PARAMS)), ignore), *key = NULL;
  if (!params) return -1;
  char *pm = cfb_params_keyed(params, cfb_csv_get(t, r, CFB_RUNS(MODE)));
  free(params);
  if (!pm) return -2;
  params = pm;
  /* The whole key, however long: a truncated one could merge two configurations. */
  int rc = asprintf(&key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", wl, params, be, w, c, pin) < 0 ? -2 : 0;
  *out = rc ? NULL : (cfb_runs_cfg *)cfb_runs_find(s, key);
  if (!rc && !*out) {
    char *name = cfb_config_name(wl, params, be, w, c, pin);
    *out = name ? append_cfg(s, key, name) : NULL;
    if (*out) key = NULL;
    else free(name), rc = -2;
  }
  free(key);
  free(params);
  return rc;
}

static int push(cfb_runs_cfg *c, int round, double v) {
  if (c->n == c->cap) {
    size_t nc = c->cap ? c->cap * 2 : 16;
    double *x = realloc(c->x, nc * sizeof *x);
    if (x) c->x = x;
    int *r = realloc(c->round, nc * sizeof *r);
    if (r) c->round = r;
    if (!x || !r) return -1;
    c->cap = nc;
  }
  c->round[c->n] = round;
  c->x[c->n++] = v;
  return 0;
}

int cfb_runs_group(cfb_runs_set *s, const cfb_csv_table *t, const char *file,
                   const cfb_runs_opts *o, char *err, size_t errlen) {
  for (size_t i = 0; i < t->nrows; i++) {
    const char *status = cfb_csv_get(t, i, CFB_RUNS(STATUS));
    double v;
    if ((status && *status && strcmp(status, "ok") != 0) || !cfb_runs_value(t, i, o->cpu, &v) ||
        (o->positive && !(v > 0)))
      continue;
    cfb_runs_cfg *c;
    int rc = cfg_of(s, t, i, o->ignore, &c);
    if (rc == -1) {
      snprintf(err, errlen, "%s: line %zu: params '%s' is not a parameter string", file, t->line[i],
               cfb_csv_get(t, i, CFB_RUNS(PARAMS)));
      return -1;
    }
    double round = 0;
    if (o->round >= 0) round = o->round;
    else if (cfb_csv_double(cfb_csv_get(t, i, CFB_RUNS(ROUND)), &round) != 1) round = 0;
    if (rc || push(c, (int)round, v) != 0) {
      snprintf(err, errlen, "%s: out of memory", file);
      return -1;
    }
  }
  return 0;
}

void cfb_runs_set_free(cfb_runs_set *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->c[i].key);
    free(s->c[i].name);
    free(s->c[i].x);
    free(s->c[i].round);
  }
  free(s->c);
  memset(s, 0, sizeof *s);
}
