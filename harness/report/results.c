/* results.c -- loading summary.csv and meta.json for plot and report
 * (results.h).  Column names follow docs/results-format.md. */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonget.h"

static void get_str(const char *json, const char *path, char *out, size_t len) {
  if (cfb_json_get_string(json, path, out, len) != 0) out[0] = '\0';
}

static double get_num(const char *json, const char *path) {
  double v;
  return cfb_json_get_number(json, path, &v) == 0 ? v : NAN;
}

void cfb_machine_load(const char *dir, cfb_machine *m) {
  memset(m, 0, sizeof *m);
  m->cores = m->pus = m->numa_nodes = m->repeat = m->warmup = m->virtualized = NAN;
  char path[4096];
  snprintf(path, sizeof path, "%s/meta.json", dir);
  char *j;
  if (cfb_read_file(path, &j, NULL) != 0) return;
  m->have_meta = 1;
  get_str(j, "machine.cpu_model", m->cpu_model, sizeof m->cpu_model);
  get_str(j, "machine.hostname", m->hostname, sizeof m->hostname);
  get_str(j, "machine.kernel", m->kernel, sizeof m->kernel);
  get_str(j, "machine.governor", m->governor, sizeof m->governor);
  get_str(j, "machine.hwloc_topology", m->topology, sizeof m->topology);
  get_str(j, "counter_layer", m->counter_layer, sizeof m->counter_layer);
  get_str(j, "counter_layer_reason", m->counter_reason, sizeof m->counter_reason);
  get_str(j, "git_revision", m->git_revision, sizeof m->git_revision);
  get_str(j, "build.compiler", m->compiler, sizeof m->compiler);
  get_str(j, "build.flags", m->flags, sizeof m->flags);
  get_str(j, "build.build_type", m->build_type, sizeof m->build_type);
  get_str(j, "suite", m->suite, sizeof m->suite);
  get_str(j, "started", m->started, sizeof m->started);
  get_str(j, "finished", m->finished, sizeof m->finished);
  m->cores = get_num(j, "machine.cores");
  m->pus = get_num(j, "machine.pus");
  m->numa_nodes = get_num(j, "machine.numa_nodes");
  m->virtualized = get_num(j, "machine.virtualized");
  m->repeat = get_num(j, "config.repeat");
  m->warmup = get_num(j, "config.warmup");
  free(j);
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

static double num_field(const cfb_csv_table *t, size_t r, const char *name) {
  const char *s = cfb_csv_get(t, r, name);
  double v;
  if (!s || cfb_csv_double(s, &v) != 1) return NAN;
  return v;
}

int cfb_results_load(const char *dir, cfb_resultset *rs, char *err, size_t errlen) {
  memset(rs, 0, sizeof *rs);
  struct stat st;
  if (stat(dir, &st) != 0) {
    snprintf(err, errlen, "%s: not a result directory (%s)", dir, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s: not a result directory (not a directory)", dir);
    return -1;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/summary.csv", dir);
  if (cfb_csv_load(path, &rs->table, err, errlen) != 0) return -1;
  static const char *need[] = {"workload", "params", "backend", "workers", "chunksize", "median",
                               NULL};
  for (const char **c = need; *c; c++) {
    if (cfb_csv_col(&rs->table, *c) < 0) {
      snprintf(err, errlen, "%s: no column '%s'", path, *c);
      cfb_results_free(rs);
      return -1;
    }
  }
  size_t n = rs->table.nrows;
  rs->rows = calloc(n ? n : 1, sizeof *rs->rows);
  if (!rs->rows) {
    snprintf(err, errlen, "%s: out of memory", path);
    cfb_results_free(rs);
    return -1;
  }
  const cfb_csv_table *t = &rs->table;
  for (size_t r = 0; r < n; r++) {
    cfb_sumrow *row = &rs->rows[r];
    const char *s;
    row->workload = cfb_csv_get(t, r, "workload");
    row->params = cfb_csv_get(t, r, "params");
    row->backend = cfb_csv_get(t, r, "backend");
    row->kind = (s = cfb_csv_get(t, r, "kind")) ? s : "";
    row->pin = (s = cfb_csv_get(t, r, "pin")) && *s ? s : "none";
    row->status = (s = cfb_csv_get(t, r, "status")) && *s ? s : "ok";
    double w = num_field(t, r, "workers"), c = num_field(t, r, "chunksize");
    if (isnan(w) || isnan(c) || w < 0 || c < 1) {
      snprintf(err, errlen, "%s: row %zu: bad workers or chunksize", path, r + 2);
      cfb_results_free(rs);
      return -1;
    }
    row->workers = (int)w;
    row->chunksize = (int)c;
    row->n = num_field(t, r, "n");
    row->median = num_field(t, r, "median");
    row->ci_lo = num_field(t, r, "ci_lo");
    row->ci_hi = num_field(t, r, "ci_hi");
    row->ideal = num_field(t, r, "ideal_items_per_s");
    row->efficiency = num_field(t, r, "efficiency_median");
    row->usable = strcmp(row->status, "failed") != 0 && isfinite(row->median) && row->median > 0;
  }
  rs->nrows = n;
  cfb_machine_load(dir, &rs->machine);
  return 0;
}

void cfb_results_free(cfb_resultset *rs) {
  cfb_csv_table_free(&rs->table);
  free(rs->rows);
  rs->rows = NULL;
  rs->nrows = 0;
}
