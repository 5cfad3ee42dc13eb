/* results.c -- loading summary.csv and meta.json for plot and report
 * (results.h).  Column names follow docs/results-format.md. */
#define _GNU_SOURCE /* asprintf */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "params_key.h"
#include "schema.h"

static void get_str(const json_t *j, cfb_meta_key k, char *out, size_t len) {
  cfb_json_get_string(j, cfb_meta_keys[k], out, len);
}

static double get_num(const json_t *j, cfb_meta_key k) {
  double v;
  return cfb_json_get_number(j, cfb_meta_keys[k], &v) == 0 ? v : NAN;
}

/* The range of repeat and warmup over config.sweeps; an older meta.json
 * without it: the run-wide (first sweep's) values. */
static void sweeps_range(const json_t *j, cfb_machine *m) {
  m->repeat_min = m->repeat_max = m->repeat;
  m->warmup_min = m->warmup_max = m->warmup;
  const json_t *a = cfb_json_get(j, CFB_META(SWEEPS));
  if (!json_is_array(a) || json_array_size(a) == 0) return;
  m->repeat_min = m->warmup_min = INFINITY;
  m->repeat_max = m->warmup_max = -INFINITY;
  size_t i;
  const json_t *sw;
  json_array_foreach(a, i, sw) {
    double r, w;
    if (cfb_json_get_number(sw, CFB_SWEEP(REPEAT), &r) == 0) {
      m->repeat_min = fmin(m->repeat_min, r);
      m->repeat_max = fmax(m->repeat_max, r);
    }
    if (cfb_json_get_number(sw, CFB_SWEEP(WARMUP), &w) == 0) {
      m->warmup_min = fmin(m->warmup_min, w);
      m->warmup_max = fmax(m->warmup_max, w);
    }
  }
  m->nsweeps = json_array_size(a);
  if (!isfinite(m->repeat_min)) m->repeat_min = m->repeat_max = m->repeat;
  if (!isfinite(m->warmup_min)) m->warmup_min = m->warmup_max = m->warmup;
}

void cfb_machine_load(const char *dir, cfb_machine *m) {
  memset(m, 0, sizeof *m);
  m->cores = m->pus = m->numa_nodes = m->repeat = m->warmup = m->virtualized = NAN;
  m->rounds = m->adaptive = m->min_rounds = m->max_rounds = m->planned_max_rounds = NAN;
  m->repeat_min = m->repeat_max = m->warmup_min = m->warmup_max = NAN;
  char path[4096];
  snprintf(path, sizeof path, "%s/meta.json", dir);
  if (access(path, R_OK) != 0) return;
  m->have_meta = 1; /* a malformed meta.json still says there was a run; its fields stay empty */
  json_t *j = cfb_json_load_file(path, m->meta_error, sizeof m->meta_error);
  if (!j) return;
  get_str(j, CFB_META_CPU_MODEL, m->cpu_model, sizeof m->cpu_model);
  get_str(j, CFB_META_HOSTNAME, m->hostname, sizeof m->hostname);
  get_str(j, CFB_META_KERNEL, m->kernel, sizeof m->kernel);
  get_str(j, CFB_META_GOVERNOR, m->governor, sizeof m->governor);
  get_str(j, CFB_META_HWLOC_TOPOLOGY, m->topology, sizeof m->topology);
  get_str(j, CFB_META_COUNTER_LAYER, m->counter_layer, sizeof m->counter_layer);
  get_str(j, CFB_META_COUNTER_LAYER_REASON, m->counter_reason, sizeof m->counter_reason);
  get_str(j, CFB_META_GIT_REVISION, m->git_revision, sizeof m->git_revision);
  get_str(j, CFB_META_COMPILER, m->compiler, sizeof m->compiler);
  get_str(j, CFB_META_FLAGS, m->flags, sizeof m->flags);
  get_str(j, CFB_META_BUILD_TYPE, m->build_type, sizeof m->build_type);
  get_str(j, CFB_META_SUITE, m->suite, sizeof m->suite);
  get_str(j, CFB_META_STARTED, m->started, sizeof m->started);
  get_str(j, CFB_META_FINISHED, m->finished, sizeof m->finished);
  m->cores = get_num(j, CFB_META_CORES);
  m->pus = get_num(j, CFB_META_PUS);
  m->numa_nodes = get_num(j, CFB_META_NUMA_NODES);
  m->virtualized = get_num(j, CFB_META_VIRTUALIZED);
  m->repeat = get_num(j, CFB_META_REPEAT);
  m->warmup = get_num(j, CFB_META_WARMUP);
  m->rounds = get_num(j, CFB_META_ROUNDS);
  m->adaptive = get_num(j, CFB_META_ADAPTIVE);
  m->min_rounds = get_num(j, CFB_META_MIN_ROUNDS);
  m->max_rounds = get_num(j, CFB_META_MAX_ROUNDS);
  m->planned_max_rounds = get_num(j, CFB_META_PLANNED_MAX_ROUNDS);
  sweeps_range(j, m);
  json_decref(j);
}

void cfb_machine_line(const cfb_machine *m, char *out, size_t outlen) {
  if (!m->have_meta || !m->cpu_model[0]) {
    snprintf(out, outlen, "machine unknown (no meta.json)");
    return;
  }
  if (!isnan(m->cores) && !isnan(m->pus))
    snprintf(out, outlen, "%s, %.0f cores / %.0f PUs", m->cpu_model, m->cores, m->pus);
  else
    snprintf(out, outlen, "%s", m->cpu_model);
}

static double num_field(const cfb_csv_table *t, size_t r, cfb_summary_col col) {
  const char *s = cfb_csv_get(t, r, cfb_summary_columns[col]);
  double v;
  if (!s || cfb_csv_double(s, &v) != 1) return NAN;
  return v;
}

static int check_dir(const char *dir, char *err, size_t errlen) {
  struct stat st;
  if (stat(dir, &st) != 0) {
    snprintf(err, errlen, "%s: not a result directory (%s)", dir, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s: not a result directory (not a directory)", dir);
    return -1;
  }
  return 0;
}

/* A run writes meta.json without a finish time first and with it last:
 * without one the run died or is still going, and its summary.csv (if
 * any) is an older run's or half of this one's: refuse, never show it. */
static int check_finished(const char *dir, const cfb_machine *m, char *err, size_t errlen) {
  if (!m->have_meta || m->finished[0]) return 0;
  /* a file that does not parse says nothing about the run: name that, not "did not finish" */
  if (m->meta_error[0]) {
    snprintf(err, errlen, "%s: cannot read meta.json: %s", dir, m->meta_error);
    return -1;
  }
  snprintf(err, errlen,
           "%s: meta.json says this run did not finish (started %s, no finish time): it died or is "
           "still running, so its files may be partial or stale; run it again",
           dir, m->started[0] ? m->started : "?");
  return -1;
}

static int check_columns(const cfb_csv_table *t, const char *path, char *err, size_t errlen) {
  static const cfb_summary_col need[] = {CFB_SUM_WORKLOAD, CFB_SUM_PARAMS, CFB_SUM_BACKEND,
                                         CFB_SUM_WORKERS, CFB_SUM_CHUNKSIZE, CFB_SUM_MEDIAN};
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
    if (cfb_csv_col(t, cfb_summary_columns[need[i]]) < 0) {
      snprintf(err, errlen, "%s: no column '%s'", path, cfb_summary_columns[need[i]]);
      return -1;
    }
  }
  return 0;
}

/* The row's strings, with the value a file from before a column means;
 * params gains ",mode=M" for a mode other than map (results.h).  -1 only
 * when out of memory. */
static int row_strings(const cfb_csv_table *t, size_t r, cfb_sumrow *row) {
  const char *s;
  row->workload = cfb_csv_get(t, r, CFB_SUM(WORKLOAD));
  row->params = cfb_csv_get(t, r, CFB_SUM(PARAMS));
  row->backend = cfb_csv_get(t, r, CFB_SUM(BACKEND));
  row->kind = (s = cfb_csv_get(t, r, CFB_SUM(KIND))) ? s : "";
  row->pin = (s = cfb_csv_get(t, r, CFB_SUM(PIN))) && *s ? s : "none";
  row->mode = (s = cfb_csv_get(t, r, CFB_SUM(MODE))) && *s ? s : "map";
  row->status = (s = cfb_csv_get(t, r, CFB_SUM(STATUS))) && *s ? s : "ok";
  if (strcmp(row->mode, "map") == 0) return 0;
  if (!(row->own_params = cfb_params_with_mode(row->params, row->mode))) return -1;
  row->params = row->own_params;
  return 0;
}

/* The row's numbers: workers and chunksize integers >= 1 (gnuplot cannot
 * plot 0 workers), every other numeric column empty (not measured) or a
 * number. */
static int row_numbers(const cfb_csv_table *t, size_t r, cfb_sumrow *row, const char *path, char *err,
                       size_t errlen) {
  double w = num_field(t, r, CFB_SUM_WORKERS), c = num_field(t, r, CFB_SUM_CHUNKSIZE);
  if (!(w >= 1 && w == floor(w)) || !(c >= 1 && c == floor(c))) {
    snprintf(err, errlen, "%s: line %zu: workers '%s' and chunksize '%s' must be integers >= 1", path,
             t->line[r], cfb_csv_get(t, r, CFB_SUM(WORKERS)), cfb_csv_get(t, r, CFB_SUM(CHUNKSIZE)));
    return -1;
  }
  static const cfb_summary_col nums[] = {CFB_SUM_N, CFB_SUM_MEDIAN, CFB_SUM_CI_LO, CFB_SUM_CI_HI,
                                         CFB_SUM_IDEAL_ITEMS_PER_S, CFB_SUM_EFFICIENCY_MEDIAN};
  for (size_t k = 0; k < sizeof nums / sizeof *nums; k++) {
    double v;
    const char *f = cfb_csv_get(t, r, cfb_summary_columns[nums[k]]);
    if (f && cfb_csv_double(f, &v) < 0) {
      snprintf(err, errlen, "%s: line %zu: %s '%.40s' is not a number", path, t->line[r],
               cfb_summary_columns[nums[k]], f);
      return -1;
    }
  }
  row->workers = (int)w;
  row->chunksize = (int)c;
  row->n = num_field(t, r, CFB_SUM_N);
  row->median = num_field(t, r, CFB_SUM_MEDIAN);
  row->ci_lo = num_field(t, r, CFB_SUM_CI_LO);
  row->ci_hi = num_field(t, r, CFB_SUM_CI_HI);
  row->ideal = num_field(t, r, CFB_SUM_IDEAL_ITEMS_PER_S);
  row->efficiency = num_field(t, r, CFB_SUM_EFFICIENCY_MEDIAN);
  /* "dropped": the budget's plan left it after round 1 (one row), no
   * point of the curves or the who-wins answers */
  row->usable = strcmp(row->status, "failed") != 0 && strcmp(row->status, "dropped") != 0 &&
                isfinite(row->median) && row->median > 0;
  return 0;
}

/* One typed row per line of the loaded summary.csv (path names it in errors). */
static int load_rows(cfb_resultset *rs, const char *path, char *err, size_t errlen) {
  const cfb_csv_table *t = &rs->table;
  size_t n = t->nrows;
  rs->rows = calloc(n ? n : 1, sizeof *rs->rows);
  if (!rs->rows) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  for (size_t r = 0; r < n; r++) {
    if (row_strings(t, r, &rs->rows[r]) != 0) {
      snprintf(err, errlen, "%s: out of memory", path);
      return -1;
    }
    if (row_numbers(t, r, &rs->rows[r], path, err, errlen) != 0) return -1;
  }
  rs->nrows = n;
  return 0;
}

int cfb_results_load(const char *dir, cfb_resultset *rs, char *err, size_t errlen) {
  memset(rs, 0, sizeof *rs);
  if (check_dir(dir, err, errlen) != 0) return -1;
  cfb_machine_load(dir, &rs->machine);
  if (check_finished(dir, &rs->machine, err, errlen) != 0) return -1;
  char path[4096];
  snprintf(path, sizeof path, "%s/summary.csv", dir);
  if (cfb_csv_load(path, &rs->table, err, errlen) != 0) return -1;
  if (check_columns(&rs->table, path, err, errlen) != 0 || load_rows(rs, path, err, errlen) != 0) {
    cfb_results_free(rs);
    return -1;
  }
  /* The paired verdicts, where the run left them (an older run or a
   * hand-made directory may not have them: the table stays empty). */
  snprintf(path, sizeof path, "%s/verdicts.csv", dir);
  if (access(path, R_OK) == 0 && cfb_csv_load(path, &rs->verdicts, err, errlen) != 0) {
    cfb_results_free(rs);
    return -1;
  }
  return 0;
}

void cfb_results_free(cfb_resultset *rs) {
  /* rows has one entry per table row, set or still zero (an error midway) */
  for (size_t i = 0; rs->rows && i < rs->table.nrows; i++) free(rs->rows[i].own_params);
  cfb_csv_table_free(&rs->table);
  cfb_csv_table_free(&rs->verdicts);
  free(rs->rows);
  rs->rows = NULL;
  rs->nrows = 0;
}
