/* output.c -- CSV and JSON writers for the result files (see output.h and
 * docs/results-format.md).  One column table per file drives both the CSV
 * and the JSON, so the two never disagree. */
#define _GNU_SOURCE
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters.h"

enum { F_STR, F_NUM, F_EMPTY };

const char *const cfb_runs_columns[] = {
    "workload", "kind", "params", "backend", "workers", "chunksize", "pin", "repeat", "round",
    "items", "items_done", "wall_s", "items_per_s", "pool_start_s", "lat_p50_us", "lat_p90_us",
    "lat_p99_us", "qwait_p50_us", "cpu_user_s", "cpu_sys_s", "ctx_switches", "page_faults",
    "task_clock_s", "cycles", "instructions", "counter_layer", "ideal_items_per_s", "efficiency",
    "placement_violations", "status", "error", "metrics", NULL};

const char *const cfb_summary_columns[] = {
    "workload", "kind", "params", "backend", "workers", "chunksize", "pin", "n", "median", "mad",
    "mean", "stddev", "ci_lo", "ci_hi", "min", "max", "ideal_items_per_s", "efficiency_median",
    "status", "error", NULL};

static int num(char *b, size_t len, double v) {
  if (!isfinite(v)) {
    b[0] = '\0';
    return F_EMPTY;
  }
  snprintf(b, len, "%.9g", v);
  return F_NUM;
}

static int str(char *b, size_t len, const char *s) {
  snprintf(b, len, "%s", s ? s : "");
  return F_STR;
}

static int uns(char *b, size_t len, unsigned long long v) {
  snprintf(b, len, "%llu", v);
  return F_NUM;
}

/* The 7 columns that name a configuration. */
static int config_field(const cfb_sweep_config *c, size_t col, char *b, size_t len) {
  switch (col) {
  case 0: return str(b, len, c->w->name);
  case 1: return str(b, len, cf_wk_kind_name(c->w->kind));
  case 2: return str(b, len, c->params);
  case 3: return str(b, len, cfb_backend_name(c->backend));
  case 4: return uns(b, len, (unsigned long long)c->workers);
  case 5: return uns(b, len, c->chunksize);
  default: return str(b, len, cfb_pin_name(c->pin));
  }
}

static int runs_field(const cfb_row *r, size_t col, char *b, size_t len) {
  if (col < 7) return config_field(r->cfg, col, b, len);
  switch (col) {
  case 7: return uns(b, len, (unsigned long long)r->repeat);
  case 8: return uns(b, len, (unsigned long long)r->round);
  case 9: return uns(b, len, r->items);
  case 10: return uns(b, len, r->items_done);
  case 11: return num(b, len, r->wall_s);
  case 12: return num(b, len, r->items_per_s);
  case 13: return num(b, len, r->pool_start_s);
  case 14: return num(b, len, r->lat_p50_us);
  case 15: return num(b, len, r->lat_p90_us);
  case 16: return num(b, len, r->lat_p99_us);
  case 17: return num(b, len, r->qwait_p50_us);
  case 18: return num(b, len, r->ctr.cpu_user_s);
  case 19: return num(b, len, r->ctr.cpu_sys_s);
  case 20: return num(b, len, r->ctr.ctx_switches);
  case 21: return num(b, len, r->ctr.page_faults);
  case 22: return num(b, len, r->ctr.task_clock_s);
  case 23: return num(b, len, r->ctr.cycles);
  case 24: return num(b, len, r->ctr.instructions);
  case 25: return str(b, len, r->counter_layer);
  case 26: return num(b, len, r->ideal_items_per_s);
  case 27: return num(b, len, r->efficiency);
  case 28: return r->placement_violations < 0 ? num(b, len, NAN)
                                              : uns(b, len, (unsigned long long)r->placement_violations);
  case 29: return str(b, len, r->ok ? "ok" : "failed");
  case 30: return str(b, len, r->error);
  default: return str(b, len, r->metrics);
  }
}

static int summary_field(const cfb_config_result *s, size_t col, char *b, size_t len) {
  if (col < 7) return config_field(s->cfg, col, b, len);
  switch (col) {
  case 7: return uns(b, len, s->s.n);
  case 8: return num(b, len, s->s.median);
  case 9: return num(b, len, s->s.mad);
  case 10: return num(b, len, s->s.mean);
  case 11: return num(b, len, s->s.stddev);
  case 12: return num(b, len, s->s.ci_lo);
  case 13: return num(b, len, s->s.ci_hi);
  case 14: return num(b, len, s->s.min);
  case 15: return num(b, len, s->s.max);
  case 16: return num(b, len, s->ideal_items_per_s);
  case 17: return num(b, len, s->efficiency_median);
  case 18: return str(b, len, cfb_cfg_status_name(s->status));
  default: return str(b, len, s->error);
  }
}

/* ------------------------------------------------------------------ CSV */

static void csv_field(FILE *f, const char *s, int type) {
  if (type != F_STR || !strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void csv_header(FILE *f, const char *const *cols) {
  for (size_t i = 0; cols[i]; i++) {
    if (i) fputc(',', f);
    fputs(cols[i], f);
  }
  fputc('\n', f);
}

static void csv_runs_row(FILE *f, const cfb_row *r) {
  char b[1024];
  for (size_t i = 0; cfb_runs_columns[i]; i++) {
    if (i) fputc(',', f);
    int t = runs_field(r, i, b, sizeof b);
    csv_field(f, b, t);
  }
  fputc('\n', f);
}

/* ----------------------------------------------------------------- JSON */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c == '\n') fputs("\\n", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

static void json_value(FILE *f, const char *b, int type) {
  if (type == F_EMPTY) fputs("null", f);
  else if (type == F_NUM) fputs(b, f);
  else json_str(f, b);
}

static void json_num(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, "%.9g", v);
  else fputs("null", f);
}

static void json_meta(FILE *f, const cfb_meta *m, const char *ind) {
  const cfb_env *e = m->env;
  fprintf(f, "{\n%s  \"tool\": \"cfbench\", \"version\": ", ind);
  json_str(f, e->version);
  fprintf(f, ", \"git_revision\": ");
  json_str(f, e->git_revision);
  fprintf(f, ",\n%s  \"command_line\": ", ind);
  json_str(f, m->command_line);
  fprintf(f, ",\n%s  \"seed\": %llu, \"suite\": ", ind, (unsigned long long)m->seed);
  if (m->suite) json_str(f, m->suite);
  else fputs("null", f);
  fprintf(f, ", \"started\": ");
  json_str(f, m->started);
  fprintf(f, ", \"finished\": ");
  if (m->finished[0]) json_str(f, m->finished);
  else fputs("null", f);
  fprintf(f, ",\n%s  \"interrupted\": %s, \"configs\": %zu, \"configs_done\": %zu,\n", ind,
          m->interrupted ? "true" : "false", m->configs, m->configs_done);
  fprintf(f, "%s  \"counter_layer\": ", ind);
  json_str(f, m->counter_layer);
  fprintf(f, ", \"counter_layer_reason\": ");
  json_str(f, m->counter_reason);
  fprintf(f, ", \"counter_note\": ");
  json_str(f, m->counter_note);
  fprintf(f, ",\n%s  \"machine\": {\"hostname\": ", ind);
  json_str(f, e->hostname);
  fprintf(f, ", \"cpu_model\": ");
  json_str(f, e->cpu_model);
  fprintf(f, ", \"packages\": %d, \"cores\": %d, \"pus\": %d, \"usable_cpus\": %d,\n", e->packages,
          e->cores, e->pus, e->usable_cpus);
  fprintf(f, "%s              \"smt\": %s, \"numa_nodes\": %d, \"kernel\": ", ind,
          e->smt ? "true" : "false", e->numa_nodes);
  json_str(f, e->kernel);
  fprintf(f, ", \"governor\": ");
  json_str(f, e->governor);
  fprintf(f, ",\n%s              \"hwloc_topology\": ", ind);
  json_str(f, e->topology);
  fprintf(f, ", \"memory_bytes\": %llu, \"virtualized\": %s},\n", e->memory_bytes,
          e->virtualized ? "true" : "false");
  fprintf(f, "%s  \"build\": {\"compiler\": ", ind);
  json_str(f, e->compiler);
  fprintf(f, ", \"flags\": ");
  json_str(f, e->flags);
  fprintf(f, ", \"build_type\": ");
  json_str(f, e->build_type);
  fprintf(f, "},\n%s  \"config\": {\"repeat\": %d, \"warmup\": %d, \"rounds\": %d, \"items\": %zu, "
          "\"max_time_s\": ", ind, m->repeat, m->warmup, m->rounds, m->items);
  json_num(f, m->max_time_s);
  fprintf(f, ", \"order\": \"%s\"}\n%s}", m->rounds > 1 ? "randomized per round" : "randomized", ind);
}

/* ------------------------------------------------------- atomic writes */

typedef struct atomic_file {
  char tmp[4096], path[4096];
  FILE *f;
} atomic_file;

static int atomic_open(atomic_file *a, const char *dir, const char *name) {
  snprintf(a->path, sizeof a->path, "%s/%s", dir, name);
  snprintf(a->tmp, sizeof a->tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
  a->f = fopen(a->tmp, "w");
  return a->f ? 0 : -1;
}

static int atomic_commit(atomic_file *a) {
  int rc = 0;
  if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0) rc = -1;
  if (fclose(a->f) != 0) rc = -1;
  if (rc == 0 && rename(a->tmp, a->path) != 0) rc = -1;
  if (rc != 0) {
    int e = errno;
    unlink(a->tmp);
    errno = e;
  }
  return rc;
}

/* ----------------------------------------------------------------- API */

static int mkdir_p(const char *dir) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
  return 0;
}

int cfb_out_prepare_dir(const char *dir, int force, char *err, size_t errlen) {
  struct stat st;
  if (stat(dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "--out: '%s' exists and is not a directory; give a new or empty directory", dir);
      return 2;
    }
    DIR *d = opendir(dir);
    if (!d) {
      snprintf(err, errlen, "--out: cannot read '%s': %s", dir, strerror(errno));
      return 2;
    }
    int empty = 1;
    struct dirent *de;
    while ((de = readdir(d)))
      if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) empty = 0;
    closedir(d);
    if (!empty && !force) {
      snprintf(err, errlen, "--out: '%s' is not empty; give a new or empty directory, or --force to overwrite", dir);
      return 2;
    }
  } else if (mkdir_p(dir) != 0) {
    snprintf(err, errlen, "--out: cannot create '%s': %s", dir, strerror(errno));
    return 2;
  }
  if (access(dir, W_OK) != 0) {
    snprintf(err, errlen, "--out: '%s' is not writable: %s", dir, strerror(errno));
    return 2;
  }
  return 0;
}

FILE *cfb_out_runs_open(const char *dir, char *err, size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s/runs.csv", dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, errlen, "--out: cannot write '%s': %s", path, strerror(errno));
    return NULL;
  }
  csv_header(f, cfb_runs_columns);
  fflush(f);
  return f;
}

int cfb_out_runs_append(FILE *f, const cfb_row *row) {
  csv_runs_row(f, row);
  if (fflush(f) != 0) return -1;
  fdatasync(fileno(f)); /* a finished row survives a crash */
  return ferror(f) ? -1 : 0;
}

int cfb_out_write_summary(const char *dir, const cfb_config_result *res, size_t n) {
  atomic_file a;
  if (atomic_open(&a, dir, "summary.csv")) return -1;
  csv_header(a.f, cfb_summary_columns);
  char b[1024];
  for (size_t r = 0; r < n; r++) {
    for (size_t i = 0; cfb_summary_columns[i]; i++) {
      if (i) fputc(',', a.f);
      int t = summary_field(&res[r], i, b, sizeof b);
      csv_field(a.f, b, t);
    }
    fputc('\n', a.f);
  }
  return atomic_commit(&a);
}

int cfb_out_write_meta(const char *dir, const cfb_meta *m) {
  atomic_file a;
  if (atomic_open(&a, dir, "meta.json")) return -1;
  json_meta(a.f, m, "");
  fputc('\n', a.f);
  return atomic_commit(&a);
}

int cfb_out_write_results_json(const char *dir, const cfb_meta *m, const cfb_config_result *res,
                              size_t n, const cfb_row *rows, size_t nrows) {
  atomic_file a;
  if (atomic_open(&a, dir, "results.json")) return -1;
  FILE *f = a.f;
  char b[1024];
  fputs("{\n  \"context\": ", f);
  json_meta(f, m, "  ");
  fputs(",\n  \"benchmarks\": [", f);
  for (size_t r = 0; r < n; r++) {
    fputs(r ? ",\n    {" : "\n    {", f);
    for (size_t i = 0; cfb_summary_columns[i]; i++) {
      int t = summary_field(&res[r], i, b, sizeof b);
      fprintf(f, "%s\"%s\": ", i ? ", " : "", cfb_summary_columns[i]);
      json_value(f, b, t);
    }
    fputs(",\n      \"runs\": [", f);
    int first = 1;
    for (size_t k = 0; k < nrows; k++) {
      if (rows[k].cfg != res[r].cfg) continue;
      fputs(first ? "\n        {" : ",\n        {", f);
      first = 0;
      for (size_t i = 7; cfb_runs_columns[i]; i++) {
        int t = runs_field(&rows[k], i, b, sizeof b);
        fprintf(f, "%s\"%s\": ", i > 7 ? ", " : "", cfb_runs_columns[i]);
        json_value(f, b, t);
      }
      fputc('}', f);
    }
    fputs(first ? "]}" : "\n      ]}", f);
  }
  fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
  return atomic_commit(&a);
}
