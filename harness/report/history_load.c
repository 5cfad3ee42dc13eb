/* history_load.c -- a run directory into a history run (history_load.h).
 * Reads meta.json through results.h and runs.csv through csvread.h, and
 * summarizes each configuration's ok repetitions with stats.h. */
#include "history_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "json.h"
#include "fileio.h"
#include "params_key.h"
#include "results.h"
#include "runs_load.h"
#include "schema.h"
#include "stats.h"

/* One configuration's samples while reading runs.csv. */
typedef struct group {
  char *name;
  const char *workload, *backend, *pin, *mode;
  char *params;
  int workers, chunksize;
  double *x[2]; /* per metric of CFB_HIST_METRICS */
  size_t n[2];
} group;

static char *keep(cfb_hist_loaded *l, const char *s) {
  char **ns = realloc(l->strings, (l->nstrings + 1) * sizeof *ns);
  if (!ns) return NULL;
  l->strings = ns;
  return ns[l->nstrings++] = strdup(s ? s : "");
}

static int push(double **x, size_t *n, double v) {
  double *nx = realloc(*x, (*n + 1) * sizeof *nx);
  if (!nx) return -1;
  nx[(*n)++] = v;
  *x = nx;
  return 0;
}

/* A new group named `name` for row r (name and params taken), or NULL. */
static group *new_group(const cfb_csv_table *t, size_t r, char *name, char *params, group **gs,
                        size_t *ng) {
  group *n = realloc(*gs, (*ng + 1) * sizeof *n);
  if (!n) return NULL;
  *gs = n;
  group *g = &n[(*ng)++];
  memset(g, 0, sizeof *g);
  const char *pin = cfb_csv_get(t, r, CFB_RUNS(PIN));
  g->name = name, g->params = params;
  g->workload = cfb_csv_get(t, r, CFB_RUNS(WORKLOAD)), g->backend = cfb_csv_get(t, r, CFB_RUNS(BACKEND));
  g->pin = pin && *pin ? pin : "none";
  const char *mode = cfb_csv_get(t, r, CFB_RUNS(MODE));
  g->mode = mode && *mode ? mode : "map";
  g->workers = atoi(cfb_csv_get(t, r, CFB_RUNS(WORKERS)));
  g->chunksize = atoi(cfb_csv_get(t, r, CFB_RUNS(CHUNKSIZE)));
  return g;
}

/* The group of row r (found or appended): 0 and *out; -1 out of memory;
 * -2 its params is not a parameter string. */
static int group_of(const cfb_csv_table *t, size_t r, const char *ignore, group **gs, size_t *ng,
                    group **out) {
  const char *pa = cfb_csv_get(t, r, CFB_RUNS(PARAMS));
  char *params = cfb_params_strip(pa, ignore);
  if (!params) return pa && cfb_params_strip(pa, NULL) == NULL ? -2 : -1;
  /* The series key: the mode is part of it (as compare's), so map, submit
   * and roundtrip rows of one configuration are never pooled, and a map
   * row keeps the name of the runs stored before --mode. */
  char *keyed = cfb_params_keyed(params, cfb_csv_get(t, r, CFB_RUNS(MODE)));
  char *name = keyed ? cfb_config_name(cfb_csv_get(t, r, CFB_RUNS(WORKLOAD)), keyed,
                                       cfb_csv_get(t, r, CFB_RUNS(BACKEND)), cfb_csv_get(t, r, CFB_RUNS(WORKERS)),
                                       cfb_csv_get(t, r, CFB_RUNS(CHUNKSIZE)), cfb_csv_get(t, r, CFB_RUNS(PIN)))
                     : NULL;
  free(keyed);
  *out = NULL;
  for (size_t i = 0; name && i < *ng && !*out; i++)
    if (!strcmp((*gs)[i].name, name)) *out = &(*gs)[i];
  if (*out || !name || !(*out = new_group(t, r, name, params, gs, ng))) {
    free(name);
    free(params);
  }
  return *out ? 0 : -1;
}

/* Every ok row into its group: items/s and items per CPU-second (when the
 * row has CPU times), as compare reads them.  0; -1 out of memory; -2 a
 * params that is not a parameter string (its line in *bad). */
static int groups_of(const cfb_csv_table *t, const char *ignore, group **gs, size_t *ng, size_t *bad) {
  for (size_t r = 0; r < t->nrows; r++) {
    const char *st = cfb_csv_get(t, r, CFB_RUNS(STATUS));
    if (st && *st && strcmp(st, "ok") != 0) continue;
    group *g;
    int rc = group_of(t, r, ignore, gs, ng, &g);
    if (rc) {
      *bad = t->line[r];
      return rc;
    }
    for (int m = 0; m < 2; m++) {
      double v;
      if (cfb_runs_value(t, r, m, &v) && isfinite(v) && push(&g->x[m], &g->n[m], v) != 0) return -1;
    }
  }
  return 0;
}

/* Summaries of every group into l->res (a result per metric with samples). */
static int summarize(cfb_hist_loaded *l, const group *gs, size_t ng) {
  static const char *const metric[] = CFB_HIST_METRICS;
  l->res = calloc(2 * ng + 1, sizeof *l->res);
  if (!l->res) return -1;
  size_t k = 0;
  for (size_t i = 0; i < ng; i++)
    for (int m = 0; m < 2; m++) {
      if (!gs[i].n[m]) continue;
      cfb_summary s;
      if (cfb_stats_summarize(gs[i].x[m], gs[i].n[m], cfb_hash_str(gs[i].name, 0), &s) != 0)
        return -1;
      cfb_hist_result *x = &l->res[k++];
      x->config = keep(l, gs[i].name);
      x->workload = keep(l, gs[i].workload);
      x->params = keep(l, gs[i].params);
      x->backend = keep(l, gs[i].backend);
      x->pin = keep(l, gs[i].pin);
      x->mode = keep(l, gs[i].mode);
      if (!x->config || !x->workload || !x->params || !x->backend || !x->pin || !x->mode) return -1;
      x->workers = gs[i].workers, x->chunksize = gs[i].chunksize;
      x->metric = metric[m];
      x->n = (double)s.n, x->median = s.median, x->ci_lo = s.ci_lo, x->ci_hi = s.ci_hi;
    }
  l->run.res = l->res;
  l->run.nres = k;
  return 0;
}

static void free_groups(group *gs, size_t ng) {
  for (size_t i = 0; i < ng; i++) {
    free(gs[i].name), free(gs[i].params), free(gs[i].x[0]), free(gs[i].x[1]);
  }
  free(gs);
}

/* A number (num != NULL) or a string of meta.json's text, by dotted path.
 * 0, or -1 when the text is not JSON or the value is missing. */
static int meta_get(const char *meta, const char *path, double *num, char *str, size_t len) {
  json_t *root = json_loads(meta, 0, NULL);
  if (!root) return -1;
  int rc = num ? cfb_json_get_number(root, path, num) : cfb_json_get_string(root, path, str, len);
  json_decref(root);
  return rc;
}

/* meta.json checks: finished, not interrupted, a revision. */
static int check_meta(const char *dir, const cfb_machine *m, const char *meta, const char *rev,
                      char *err, size_t errlen) {
  double intr = 0;
  if (!m->have_meta || !meta)
    snprintf(err, errlen, "%s: no meta.json (not a finished cfbench run directory)", dir);
  else if (!m->finished[0])
    snprintf(err, errlen, "%s: the run did not finish (meta.json has no finish time)", dir);
  else if (meta_get(meta, "interrupted", &intr, NULL, 0) == 0 && intr != 0)
    snprintf(err, errlen, "%s: the run was interrupted (meta.json: \"interrupted\": true)", dir);
  else if (!rev[0] || !strcmp(rev, "unknown"))
    snprintf(err, errlen, "%s: meta.json has no git_revision; pass --revision", dir);
  else
    return 0;
  return -1;
}

/* Fill l->run's strings from meta.json and the options. */
static int describe(cfb_hist_loaded *l, const char *dir, const cfb_machine *m, const char *rev,
                    const cfb_hist_load_opts *o, const char *meta, const char *runs) {
  char key[40], machine[512];
  snprintf(key, sizeof key, "%016llx%016llx", (unsigned long long)cfb_hash_str(meta, 1),
           (unsigned long long)cfb_hash_str(runs, 2));
  cfb_machine_line(m, machine, sizeof machine);
  cfb_hist_run *r = &l->run;
  r->key = keep(l, key);
  r->revision = keep(l, rev);
  r->commit_time = o->commit_time ? keep(l, o->commit_time) : NULL;
  r->started = keep(l, m->started);
  r->finished = keep(l, m->finished);
  r->machine = keep(l, machine);
  r->hostname = keep(l, m->hostname);
  r->source = keep(l, dir);
  return r->key && r->revision && (r->commit_time || !o->commit_time) && r->started &&
                 r->finished && r->machine && r->hostname && r->source
             ? 0
             : -1;
}

int cfb_hist_load(const char *dir, const cfb_hist_load_opts *o, cfb_hist_loaded *l, char *err,
                  size_t errlen) {
  memset(l, 0, sizeof *l);
  cfb_machine m;
  cfb_machine_load(dir, &m);
  char path[4200], *meta = NULL, *runs = NULL;
  snprintf(path, sizeof path, "%s/meta.json", dir);
  if (cfb_read_file(path, &meta, NULL) != 0) meta = NULL;
  const char *rev = o->revision ? o->revision : m.git_revision;
  /* The commit time: --commit-time, else meta.json's git_commit_time
   * (ISO 8601, of the source tree cfbench was built from, as git_revision;
   * null or absent in older runs), else none (ordered by start time). */
  char ctime_meta[64] = "";
  cfb_hist_load_opts eff = *o;
  /* meta.json's time is its own revision's: a --revision naming another
   * (not a prefix of git_revision, or it of it) has no known time */
  size_t lr = strlen(rev), lm = strlen(m.git_revision);
  int own_rev = !o->revision || (lr && lm && !strncmp(rev, m.git_revision, lr < lm ? lr : lm));
  if (!eff.commit_time && own_rev && meta &&
      meta_get(meta, cfb_meta_keys[CFB_META_GIT_COMMIT_TIME], NULL, ctime_meta, sizeof ctime_meta) == 0 &&
      ctime_meta[0])
    eff.commit_time = ctime_meta;
  o = &eff;
  if (check_meta(dir, &m, meta, rev, err, errlen) != 0) {
    free(meta);
    return -1;
  }
  cfb_csv_table t;
  snprintf(path, sizeof path, "%s/runs.csv", dir);
  if (cfb_csv_load(path, &t, err, errlen) != 0) {
    free(meta);
    return -1;
  }
  group *gs = NULL;
  size_t ng = 0, bad = 0;
  int rc = cfb_read_file(path, &runs, NULL) != 0 ? -1 : groups_of(&t, o->ignore, &gs, &ng, &bad);
  if (!rc && (summarize(l, gs, ng) != 0 || describe(l, dir, &m, rev, o, meta, runs) != 0)) rc = -1;
  if (rc == -2)
    snprintf(err, errlen, "%s: line %zu: params is not a parameter string", path, bad);
  else if (rc)
    snprintf(err, errlen, "%s: out of memory reading the run", dir);
  else if (!ng) {
    snprintf(err, errlen, "%s: runs.csv has no ok repetition to store", dir);
    rc = -1;
  }
  free_groups(gs, ng);
  cfb_csv_table_free(&t);
  free(meta);
  free(runs);
  if (rc) cfb_hist_loaded_free(l);
  return rc;
}

void cfb_hist_loaded_free(cfb_hist_loaded *l) {
  for (size_t i = 0; i < l->nstrings; i++) free(l->strings[i]);
  free(l->strings);
  free(l->res);
  memset(l, 0, sizeof *l);
}
