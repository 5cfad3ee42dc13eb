/* runs_check.c -- the checks of runs_check.h on a loaded runs.csv. */
#define _GNU_SOURCE /* asprintf */
#include "runs_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cfwork_params.h>

#include "schema.h"

/* A whole field of digits only (no sign, no space: what the writer puts). */
static int is_uint(const char *s, unsigned long long min) {
  if (!s || !*s) return 0;
  unsigned long long v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9' || v > (~0ull - 9) / 10) return 0;
    v = v * 10 + (unsigned long long)(*p - '0');
  }
  return v >= min;
}

static size_t line_of(const cfb_csv_table *t, size_t r) { return t->line ? t->line[r] : r + 2; }

/* The numbers of row r.  0, or -1 with err. */
static int check_row(const cfb_csv_table *t, size_t r, const char *file, char *err, size_t errlen) {
  static const struct {
    cfb_runs_col col;
    unsigned long long min;
  } ints[] = {{CFB_RUNS_WORKERS, 1}, {CFB_RUNS_CHUNKSIZE, 1}, {CFB_RUNS_REPEAT, 0}, {CFB_RUNS_ROUND, 0}};
  for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
    const char *name = cfb_runs_columns[ints[i].col], *v = cfb_csv_get(t, r, name);
    if (v && !is_uint(v, ints[i].min)) {
      snprintf(err, errlen, "%s: line %zu: %s '%.40s' is not an integer >= %llu", file, line_of(t, r), name,
               v, ints[i].min);
      return -1;
    }
  }
  const char *status = cfb_csv_get(t, r, CFB_RUNS(STATUS));
  if (status && *status && strcmp(status, "ok") != 0) return 0;
  const char *ips = cfb_csv_get(t, r, CFB_RUNS(ITEMS_PER_S));
  double v;
  if (cfb_csv_double(ips, &v) != 1 || !(v >= 0)) {
    snprintf(err, errlen, "%s: line %zu: status ok but items_per_s '%.40s' is not a number >= 0", file,
             line_of(t, r), ips ? ips : "");
    return -1;
  }
  return 0;
}

typedef struct keyed {
  char *key;
  size_t row;
} keyed;

static int by_key(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* The configuration columns, repeat and round of row r, joined. */
static char *row_key(const cfb_csv_table *t, size_t r) {
  char *key = strdup("");
  for (int c = 0; key && c <= CFB_RUNS_ROUND; c++) {
    const char *v = cfb_csv_get(t, r, cfb_runs_columns[c]);
    char *k2 = NULL;
    if (asprintf(&k2, "%s%s\x1f", key, v ? v : "") < 0) k2 = NULL;
    free(key);
    key = k2;
  }
  return key;
}

/* Sorted keys: equal neighbours are the same repetition twice. */
static int check_duplicates(const cfb_csv_table *t, const char *file, char *err, size_t errlen) {
  if (cfb_csv_col(t, CFB_RUNS(REPEAT)) < 0) return 0; /* no round column: a one-round run, round 0 */
  keyed *k = calloc(t->nrows ? t->nrows : 1, sizeof *k);
  int rc = k ? 0 : -1;
  for (size_t r = 0; !rc && r < t->nrows; r++)
    if (!(k[r].key = row_key(t, r))) rc = -1;
    else k[r].row = r;
  if (rc) snprintf(err, errlen, "%s: out of memory", file);
  if (!rc) qsort(k, t->nrows, sizeof *k, by_key);
  for (size_t i = 1; !rc && i < t->nrows; i++) {
    if (strcmp(k[i - 1].key, k[i].key) != 0) continue;
    size_t first = k[i - 1].row, again = k[i].row;
    const char *round = cfb_csv_get(t, again, CFB_RUNS(ROUND));
    snprintf(err, errlen,
             "%s: line %zu: the same configuration, repeat %s and round %s as line %zu (a row "
             "counted twice would fake a change); remove the duplicate",
             file, line_of(t, again), cfb_csv_get(t, again, CFB_RUNS(REPEAT)),
             round ? round : "0", line_of(t, first));
    rc = -1;
  }
  for (size_t r = 0; k && r < t->nrows; r++) free(k[r].key);
  free(k);
  return rc;
}

int cfb_runs_check(const cfb_csv_table *t, const char *file, char *err, size_t errlen) {
  for (size_t r = 0; r < t->nrows; r++)
    if (check_row(t, r, file, err, errlen) != 0) return -1;
  return check_duplicates(t, file, err, errlen);
}

int cfb_runs_has_param(const cfb_csv_table *t, const char *key) {
  for (size_t r = 0; r < t->nrows; r++) {
    cf_wk_kv *kv;
    size_t n;
    if (cf_wk_params_split(cfb_csv_get(t, r, CFB_RUNS(PARAMS)) ?: "", &kv, &n) != 0) continue;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) found = !strcmp(kv[i].key, key);
    cf_wk_params_free(kv, n);
    if (found) return 1;
  }
  return 0;
}
