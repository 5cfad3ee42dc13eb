/* output.c -- CSV and JSON writers for the result files (see output.h and
 * docs/results-format.md).  The columns and keys are schema.h's tables:
 * one typed field function per table, indexed by the table's enum, drives
 * both the CSV and the JSON (jansson), so the two never disagree. */
#define _GNU_SOURCE
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters.h"
#include "fileio.h"
#include "json.h"
#include "schema.h"

/* One field of a result file, typed so the CSV and the JSON writer each
 * render it their way (an unmeasured number: empty in CSV, null in JSON). */
typedef struct cell {
  cfb_coltype type;
  int empty;
  const char *s;
  unsigned long long u;
  double d;
} cell;

static cell str(const char *s) { return (cell){.type = CFB_T_STR, .s = s ? s : ""}; }
static cell uns(unsigned long long u) { return (cell){.type = CFB_T_INT, .u = u}; }
static cell num(double d) { return (cell){.type = CFB_T_NUM, .d = d, .empty = !isfinite(d)}; }
static cell boolean(int b) { return (cell){.type = CFB_T_BOOL, .u = b != 0}; }
static cell null_cell(cfb_coltype t) { return (cell){.type = t, .empty = 1}; }

/* The columns that name a configuration (the first CFB_CONFIG_NCOLS). */
static cell config_field(const cfb_sweep_config *c, cfb_runs_col col) {
  switch (col) {
  case CFB_RUNS_WORKLOAD: return str(c->w->name);
  case CFB_RUNS_KIND: return str(cf_wk_kind_name(c->w->kind));
  case CFB_RUNS_PARAMS: return str(c->params);
  case CFB_RUNS_BACKEND: return str(cfb_backend_name(c->backend));
  case CFB_RUNS_WORKERS: return uns((unsigned long long)c->workers);
  case CFB_RUNS_CHUNKSIZE: return uns(c->chunksize);
  case CFB_RUNS_MODE: return str(cfb_mode_name(c->mode));
  default: return str(cfb_config_pin(c));
  }
}

static cell runs_field(const cfb_row *r, cfb_runs_col col) {
  if (col < CFB_CONFIG_NCOLS) return config_field(r->cfg, col);
  switch (col) {
  case CFB_RUNS_REPEAT: return uns((unsigned long long)r->repeat);
  case CFB_RUNS_ROUND: return uns((unsigned long long)r->round);
  case CFB_RUNS_ITEMS: return uns(r->items);
  case CFB_RUNS_ITEMS_DONE: return uns(r->items_done);
  case CFB_RUNS_WALL_S: return num(r->wall_s);
  case CFB_RUNS_ITEMS_PER_S: return num(r->items_per_s);
  case CFB_RUNS_POOL_START_S: return num(r->pool_start_s);
  case CFB_RUNS_LAT_P50_US: return num(r->lat_p50_us);
  case CFB_RUNS_LAT_P90_US: return num(r->lat_p90_us);
  case CFB_RUNS_LAT_P99_US: return num(r->lat_p99_us);
  case CFB_RUNS_QWAIT_P50_US: return num(r->qwait_p50_us);
  case CFB_RUNS_CPU_USER_S: return num(r->ctr.cpu_user_s);
  case CFB_RUNS_CPU_SYS_S: return num(r->ctr.cpu_sys_s);
  case CFB_RUNS_CTX_SWITCHES: return num(r->ctr.ctx_switches);
  case CFB_RUNS_PAGE_FAULTS: return num(r->ctr.page_faults);
  case CFB_RUNS_TASK_CLOCK_S: return num(r->ctr.task_clock_s);
  case CFB_RUNS_CYCLES: return num(r->ctr.cycles);
  case CFB_RUNS_INSTRUCTIONS: return num(r->ctr.instructions);
  case CFB_RUNS_COUNTER_LAYER: return str(r->counter_layer);
  case CFB_RUNS_IDEAL_ITEMS_PER_S: return num(r->ideal_items_per_s);
  case CFB_RUNS_EFFICIENCY: return num(r->efficiency);
  case CFB_RUNS_PLACEMENT_VIOLATIONS:
    return r->placement_violations < 0 ? null_cell(CFB_T_INT)
                                       : uns((unsigned long long)r->placement_violations);
  case CFB_RUNS_STATUS: return str(r->ok ? "ok" : "failed");
  case CFB_RUNS_ERROR: return str(r->error);
  case CFB_RUNS_PYTHON: return str(r->python);
  default: return str(r->metrics);
  }
}

static cell summary_field(const cfb_config_result *s, cfb_summary_col col) {
  if (col < (cfb_summary_col)CFB_CONFIG_NCOLS) return config_field(s->cfg, (cfb_runs_col)col);
  switch (col) {
  case CFB_SUM_N: return uns(s->s.n);
  case CFB_SUM_MEDIAN: return num(s->s.median);
  case CFB_SUM_MAD: return num(s->s.mad);
  case CFB_SUM_MEAN: return num(s->s.mean);
  case CFB_SUM_STDDEV: return num(s->s.stddev);
  case CFB_SUM_CI_LO: return num(s->s.ci_lo);
  case CFB_SUM_CI_HI: return num(s->s.ci_hi);
  case CFB_SUM_MIN: return num(s->s.min);
  case CFB_SUM_MAX: return num(s->s.max);
  case CFB_SUM_IDEAL_ITEMS_PER_S: return num(s->ideal_items_per_s);
  case CFB_SUM_EFFICIENCY_MEDIAN: return num(s->efficiency_median);
  case CFB_SUM_STATUS: return str(cfb_cfg_status_name(s->status));
  case CFB_SUM_PYTHON: return str(s->python);
  default: return str(s->error);
  }
}

static cell meta_field(const cfb_meta *m, cfb_meta_key k) {
  const cfb_env *e = m->env;
  switch (k) {
  case CFB_META_TOOL: return str("cfbench");
  case CFB_META_VERSION: return str(e->version);
  case CFB_META_GIT_REVISION: return str(e->git_revision);
  /* null, not "": history add then orders the run by its start time */
  case CFB_META_GIT_COMMIT_TIME: return e->git_commit_time[0] ? str(e->git_commit_time) : null_cell(CFB_T_STR);
  case CFB_META_COMMAND_LINE: return str(m->command_line);
  case CFB_META_SEED: return uns(m->seed);
  case CFB_META_SUITE: return m->suite ? str(m->suite) : null_cell(CFB_T_STR);
  case CFB_META_STARTED: return str(m->started);
  case CFB_META_FINISHED: return m->finished[0] ? str(m->finished) : null_cell(CFB_T_STR);
  case CFB_META_INTERRUPTED: return boolean(m->interrupted);
  case CFB_META_CONFIGS: return uns(m->configs);
  case CFB_META_CONFIGS_DONE: return uns(m->configs_done);
  case CFB_META_COUNTER_LAYER: return str(m->counter_layer);
  case CFB_META_COUNTER_LAYER_REASON: return str(m->counter_reason);
  case CFB_META_COUNTER_NOTE: return str(m->counter_note);
  case CFB_META_HOSTNAME: return str(e->hostname);
  case CFB_META_CPU_MODEL: return str(e->cpu_model);
  case CFB_META_PACKAGES: return uns((unsigned long long)e->packages);
  case CFB_META_CORES: return uns((unsigned long long)e->cores);
  case CFB_META_PUS: return uns((unsigned long long)e->pus);
  case CFB_META_USABLE_CPUS: return uns((unsigned long long)e->usable_cpus);
  case CFB_META_SMT: return boolean(e->smt);
  case CFB_META_NUMA_NODES: return uns((unsigned long long)e->numa_nodes);
  case CFB_META_KERNEL: return str(e->kernel);
  case CFB_META_GOVERNOR: return str(e->governor);
  case CFB_META_HWLOC_TOPOLOGY: return str(e->topology);
  case CFB_META_MEMORY_BYTES: return uns(e->memory_bytes);
  case CFB_META_VIRTUALIZED: return boolean(e->virtualized);
  case CFB_META_MHZ: return e->mhz > 0 ? num(e->mhz) : null_cell(CFB_T_NUM);
  case CFB_META_CACHES: return str(e->caches);
  case CFB_META_COMPILER: return str(e->compiler);
  case CFB_META_FLAGS: return str(e->flags);
  case CFB_META_BUILD_TYPE: return str(e->build_type);
  case CFB_META_REPEAT: return uns((unsigned long long)m->repeat);
  case CFB_META_WARMUP: return uns((unsigned long long)m->warmup);
  case CFB_META_ROUNDS: return uns((unsigned long long)m->rounds);
  case CFB_META_ITEMS: return uns(m->items);
  case CFB_META_MAX_TIME_S: return num(m->max_time_s);
  case CFB_META_ADAPTIVE: return boolean(m->adaptive);
  case CFB_META_MIN_ROUNDS: return uns((unsigned long long)m->min_rounds);
  case CFB_META_MAX_ROUNDS: return uns((unsigned long long)m->max_rounds);
  case CFB_META_TARGET_CI: return num(m->target_ci);
  case CFB_META_BUDGET_S: return num(m->budget_s);
  case CFB_META_START_METHOD: return str(m->start_method ? m->start_method : "fork");
  case CFB_META_SWEEPS: return null_cell(CFB_T_LIST); /* an array: json_sweeps */
  case CFB_META_ROUNDS_RUN: return uns((unsigned long long)m->rounds_run);
  case CFB_META_PLANNED_MAX_ROUNDS: return uns((unsigned long long)m->planned_max_rounds);
  case CFB_META_DROPPED_CONFIGS: return uns(m->dropped_configs);
  case CFB_META_PLAN: return str(m->plan);
  case CFB_META_VERDICTS: return uns(m->verdicts);
  case CFB_META_VERDICTS_DECIDED: return uns(m->verdicts_decided);
  case CFB_META_CALIBRATIONS: return str(m->calibrations);
  case CFB_META_TIME_ROUNDS_S: return num(m->time.rounds_s);
  case CFB_META_TIME_MEASURED_S: return num(m->time.measured_s);
  case CFB_META_TIME_PREPARE_S: return num(m->time.prepare_s);
  case CFB_META_TIME_SETUP_S: return num(m->time.setup_s);
  case CFB_META_TIME_WARMUP_S: return num(m->time.warmup_s);
  case CFB_META_TIME_PY_DRIVER_S: return num(m->time.py_driver_s);
  default: return str(m->rounds > 1 ? "randomized per round" : "randomized");
  }
}

/* ------------------------------------------------------------------ CSV */

static void csv_cell(FILE *f, cell c) {
  if (c.empty) return;
  if (c.type == CFB_T_INT || c.type == CFB_T_BOOL) {
    fprintf(f, "%llu", c.u);
    return;
  }
  if (c.type == CFB_T_NUM) {
    fprintf(f, "%.9g", c.d);
    return;
  }
  if (!strpbrk(c.s, ",\"\r\n")) {
    fputs(c.s, f);
    return;
  }
  fputc('"', f);
  for (const char *s = c.s; *s; s++) {
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
  for (int i = 0; i < CFB_RUNS_NCOLS; i++) {
    if (i) fputc(',', f);
    csv_cell(f, runs_field(r, (cfb_runs_col)i));
  }
  fputc('\n', f);
}

/* ----------------------------------------------------------------- JSON */

static json_t *json_cell(cell c) {
  if (c.empty) return json_null();
  switch (c.type) {
  case CFB_T_INT: return c.u <= (unsigned long long)LLONG_MAX ? json_integer((json_int_t)c.u)
                                                                      : json_real((double)c.u);
  case CFB_T_NUM: return json_real(c.d);
  case CFB_T_BOOL: return json_boolean(c.u);
  default: return cfb_json_str(c.s);
  }
}

/* "KEY=V1,V2" as --param takes it (a comma inside a value as "\,"). */
static json_t *param_axis_str(const cfb_param_axis *a) {
  size_t len = strlen(a->key) + 2;
  for (size_t i = 0; i < a->values.n; i++) len += 2 * strlen(a->values.v[i]) + 1;
  char *b = malloc(len), *p = b;
  if (!b) return NULL;
  p += sprintf(p, "%s=", a->key);
  for (size_t i = 0; i < a->values.n; i++) {
    if (i) *p++ = ',';
    for (const char *c = a->values.v[i]; *c; c++) {
      if (*c == ',') *p++ = '\\';
      *p++ = *c;
    }
  }
  *p = '\0';
  json_t *j = cfb_json_str(b);
  free(b);
  return j;
}

/* One axis of a sweep: the array of its values. */
static json_t *sweep_axis(const cfb_sweep_spec *sp, cfb_sweep_key k) {
  json_t *a = json_array();
  size_t n = k == CFB_SWEEP_WORKLOAD ? sp->nworkloads : k == CFB_SWEEP_PARAMS ? sp->nparams
           : k == CFB_SWEEP_BACKEND ? sp->nbackends : k == CFB_SWEEP_WORKERS ? sp->nworkers
           : k == CFB_SWEEP_CHUNKSIZE ? sp->nchunksizes : sp->npins;
  for (size_t i = 0; a && i < n; i++) {
    json_t *v;
    switch (k) {
    case CFB_SWEEP_WORKLOAD: v = cfb_json_str(sp->workloads[i]->name); break;
    case CFB_SWEEP_PARAMS: v = param_axis_str(&sp->params[i]); break;
    case CFB_SWEEP_BACKEND: v = cfb_json_str(cfb_backend_name(sp->backends[i])); break;
    case CFB_SWEEP_WORKERS: v = json_integer(sp->workers[i]); break;
    case CFB_SWEEP_CHUNKSIZE: v = json_integer((json_int_t)sp->chunksizes[i]); break;
    default:
      v = cfb_json_str(sp->pins[i] == CF_PIN_LIST && sp->pin_lists ? sp->pin_lists[i].label
                                                                    : cfb_pin_name(sp->pins[i]));
    }
    if (!v || json_array_append_new(a, v) != 0) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static json_t *sweep_field(const cfb_sweep_spec *sp, cfb_sweep_key k) {
  switch (k) {
  case CFB_SWEEP_ITEMS: return json_integer((json_int_t)sp->items);
  case CFB_SWEEP_REPEAT: return json_integer(sp->repeat);
  case CFB_SWEEP_WARMUP: return json_integer(sp->warmup);
  case CFB_SWEEP_MAX_TIME_S: return json_real(sp->max_time_s);
  default: return sweep_axis(sp, k);
  }
}

/* config.sweeps: every sweep of the run, keys as CFB_META_SWEEP_KEYS. */
static json_t *json_sweeps(const cfb_meta *m) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < m->nspecs; i++) {
    json_t *o = json_object();
    if (!o || json_array_append_new(a, o) != 0) goto fail;
    for (int k = 0; k < CFB_SWEEP_NKEYS; k++)
      if (json_object_set_new(o, cfb_sweep_keys[k], sweep_field(&m->specs[i], (cfb_sweep_key)k)) != 0) goto fail;
  }
  return a;
fail:
  json_decref(a);
  return NULL;
}

static json_t *json_meta(const cfb_meta *m) {
  json_t *o = json_object();
  for (int k = 0; o && k < CFB_META_NKEYS; k++)
    if (cfb_json_set(o, cfb_meta_keys[k], cfb_meta_types[k] == CFB_T_LIST ? json_sweeps(m)
                                                                         : json_cell(meta_field(m, (cfb_meta_key)k))) != 0) {
      json_decref(o);
      return NULL;
    }
  return o;
}

/* A benchmark's field: an empty string (no error, no python, a workload
 * without parameters) is null like an unmeasured number, so every empty
 * CSV field is null in results.json (docs/cfbench.md). */
static json_t *json_field(cell c) {
  if (c.type == CFB_T_STR && !c.empty && !*c.s) c.empty = 1;
  return json_cell(c);
}

/* One results.json benchmark: the summary row's fields and its runs
 * (without the configuration columns, which the benchmark already has). */
static json_t *json_benchmark(const cfb_config_result *res, const cfb_row *rows, size_t nrows) {
  json_t *b = json_object(), *runs = json_array();
  if (!b || !runs) goto fail;
  for (int i = 0; i < CFB_SUM_NCOLS; i++)
    if (json_object_set_new(b, cfb_summary_columns[i], json_field(summary_field(res, (cfb_summary_col)i))))
      goto fail;
  for (size_t k = 0; k < nrows; k++) {
    if (rows[k].cfg != res->cfg) continue;
    json_t *r = json_object();
    if (!r || json_array_append_new(runs, r) != 0) goto fail;
    for (int i = CFB_CONFIG_NCOLS; i < CFB_RUNS_NCOLS; i++)
      if (json_object_set_new(r, cfb_runs_columns[i], json_field(runs_field(&rows[k], (cfb_runs_col)i))))
        goto fail;
  }
  if (json_object_set_new(b, "runs", runs) != 0) {
    runs = NULL;
    goto fail;
  }
  return b;
fail:
  json_decref(runs);
  json_decref(b);
  return NULL;
}

/* ----------------------------------------------------------------- API */

/* What a run and its reporters leave in a results directory.  --force
 * removes them before the first row, so a run that dies leaves no older
 * run's summary beside its own rows (runs.csv itself is truncated when
 * opened). */
static const char *const run_files[] = {"summary.csv", "results.json", "meta.json", "report.md",
                                        "report.html", NULL};

/* Remove the run files and the plots/ a previous run left in dir.  0, or 2
 * with err. */
static int remove_old_run(const char *dir, char *err, size_t errlen) {
  char path[4200];
  for (size_t i = 0; run_files[i]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, run_files[i]);
    if (unlink(path) != 0 && errno != ENOENT) {
      snprintf(err, errlen, "--force: cannot remove the old '%s': %s", path, strerror(errno));
      return 2;
    }
  }
  snprintf(path, sizeof path, "%s/plots", dir);
  DIR *d = opendir(path);
  if (!d) return 0;
  struct dirent *de;
  int rc = 0;
  while (!rc && (de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    char f[4500];
    snprintf(f, sizeof f, "%s/%s", path, de->d_name);
    if (unlink(f) != 0 && errno != ENOENT) {
      snprintf(err, errlen, "--force: cannot remove the old plot '%s': %s", f, strerror(errno));
      rc = 2;
    }
  }
  closedir(d);
  if (!rc) rmdir(path);
  return rc;
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
    if (!empty && remove_old_run(dir, err, errlen) != 0) return 2;
  } else if (cfb_mkdir_p(dir) != 0) {
    snprintf(err, errlen, "--out: cannot create '%s': %s", dir, strerror(errno));
    return 2;
  }
  if (access(dir, W_OK) != 0) {
    snprintf(err, errlen, "--out: '%s' is not writable: %s", dir, strerror(errno));
    return 2;
  }
  return 0;
}

/* Format with the CSV writer into memory, so a row goes to the file in one
 * write and a failure can be cut back exactly. */
static char *format_csv(const char *const *header, const cfb_row *row, size_t *len) {
  char *buf = NULL;
  FILE *m = open_memstream(&buf, len);
  if (!m) return NULL;
  if (header) csv_header(m, header);
  else csv_runs_row(m, row);
  if (fclose(m) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* Append len bytes at the end of the complete rows; on failure cut the file
 * back to them (a half row would glue onto the next one). */
static int runs_write(cfb_runs_file *rf, const char *buf, size_t len) {
  for (size_t off = 0; off < len;) {
    ssize_t w = write(rf->fd, buf + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      rf->err = w < 0 ? errno : ENOSPC;
      rf->failed = 1;
      if (ftruncate(rf->fd, rf->size) != 0 || lseek(rf->fd, rf->size, SEEK_SET) < 0) rf->cut_failed = errno;
      errno = rf->err;
      return -1;
    }
    off += (size_t)w;
  }
  rf->size += (off_t)len;
  return 0;
}

int cfb_out_runs_open(cfb_runs_file *rf, const char *dir, char *err, size_t errlen) {
  memset(rf, 0, sizeof *rf);
  snprintf(rf->path, sizeof rf->path, "%s/runs.csv", dir);
  rf->fd = open(rf->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t len = 0;
  char *hdr = rf->fd >= 0 ? format_csv(cfb_runs_columns, NULL, &len) : NULL;
  if (rf->fd < 0 || !hdr || runs_write(rf, hdr, len) != 0) {
    snprintf(err, errlen, "--out: cannot write '%s': %s", rf->path, strerror(rf->fd < 0 ? errno : rf->err ? rf->err : ENOMEM));
    free(hdr);
    if (rf->fd >= 0) close(rf->fd);
    rf->fd = -1;
    return 2;
  }
  free(hdr);
  return 0;
}

int cfb_out_runs_append(cfb_runs_file *rf, const cfb_row *row) {
  if (rf->failed) {
    errno = rf->err;
    return -1;
  }
  size_t len = 0;
  char *buf = format_csv(NULL, row, &len);
  if (!buf) {
    rf->err = ENOMEM;
    rf->failed = 1;
    errno = ENOMEM;
    return -1;
  }
  int rc = runs_write(rf, buf, len);
  free(buf);
  if (rc != 0) return -1;
  fdatasync(rf->fd); /* a finished row survives a crash */
  rf->rows++;
  return 0;
}

int cfb_out_runs_close(cfb_runs_file *rf) {
  if (rf->fd < 0) return 0;
  int rc = close(rf->fd);
  rf->fd = -1;
  return rc;
}

int cfb_out_write_summary(const char *dir, const cfb_config_result *res, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/summary.csv", dir);
  cfb_atomic_file a;
  if (cfb_atomic_open(&a, path)) return -1;
  csv_header(a.f, cfb_summary_columns);
  for (size_t r = 0; r < n; r++) {
    for (int i = 0; i < CFB_SUM_NCOLS; i++) {
      if (i) fputc(',', a.f);
      csv_cell(a.f, summary_field(&res[r], (cfb_summary_col)i));
    }
    fputc('\n', a.f);
  }
  return cfb_atomic_commit(&a);
}

static cell verdict_field(const cfb_verdict *v, cfb_verdicts_col col) {
  switch (col) {
  case CFB_VER_WORKLOAD: return config_field(v->thread, CFB_RUNS_WORKLOAD);
  case CFB_VER_PARAMS: return config_field(v->thread, CFB_RUNS_PARAMS);
  case CFB_VER_WORKERS: return config_field(v->thread, CFB_RUNS_WORKERS);
  case CFB_VER_CHUNKSIZE: return config_field(v->thread, CFB_RUNS_CHUNKSIZE);
  case CFB_VER_PIN: return config_field(v->thread, CFB_RUNS_PIN);
  case CFB_VER_MODE: return config_field(v->thread, CFB_RUNS_MODE);
  case CFB_VER_A: return config_field(v->thread, CFB_RUNS_BACKEND);
  case CFB_VER_B: return config_field(v->process, CFB_RUNS_BACKEND);
  case CFB_VER_RATIO: return num(v->r.ratio);
  case CFB_VER_CI_LO: return num(v->r.ci_lo);
  case CFB_VER_CI_HI: return num(v->r.ci_hi);
  case CFB_VER_ROUNDS: return uns(v->r.n);
  default: return str(cfb_who_wins_name(v->r.verdict));
  }
}

int cfb_out_write_verdicts(const char *dir, const cfb_verdict *v, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/verdicts.csv", dir);
  cfb_atomic_file a;
  if (cfb_atomic_open(&a, path)) return -1;
  csv_header(a.f, cfb_verdicts_columns);
  for (size_t r = 0; r < n; r++) {
    for (int i = 0; i < CFB_VER_NCOLS; i++) {
      if (i) fputc(',', a.f);
      csv_cell(a.f, verdict_field(&v[r], (cfb_verdicts_col)i));
    }
    fputc('\n', a.f);
  }
  return cfb_atomic_commit(&a);
}

/* Write and free root (NULL: out of memory). */
static int write_json(const char *dir, const char *name, json_t *root) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (!root) {
    errno = ENOMEM;
    return -1;
  }
  int rc = cfb_json_write_file(root, path);
  json_decref(root);
  return rc;
}

int cfb_out_write_meta(const char *dir, const cfb_meta *m) {
  return write_json(dir, "meta.json", json_meta(m));
}

int cfb_out_write_results_json(const char *dir, const cfb_meta *m, const cfb_config_result *res,
                              size_t n, const cfb_row *rows, size_t nrows) {
  json_t *root = json_object(), *benchmarks = json_array();
  if (!root || !benchmarks || json_object_set_new(root, "context", json_meta(m)) != 0 ||
      json_object_set(root, "benchmarks", benchmarks) != 0) {
    json_decref(benchmarks);
    json_decref(root);
    return write_json(dir, "results.json", NULL);
  }
  json_decref(benchmarks); /* root holds it */
  for (size_t r = 0; r < n; r++)
    if (json_array_append_new(benchmarks, json_benchmark(&res[r], rows, nrows)) != 0) {
      json_decref(root);
      return write_json(dir, "results.json", NULL);
    }
  return write_json(dir, "results.json", root);
}
