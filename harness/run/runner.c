/* runner.c -- one configuration, measured (see runner.h).
 *
 * Per repetition: counters armed, executor created (pool_start_s),
 * then the timed region: every item handed over the configuration's way
 * (mode map: through cf_map with its chunksize, chunksize 1 too, so every
 * map configuration takes the same path; submit: cf_submit of every item,
 * then cf_as_completed; roundtrip: cf_submit of one item, cf_future_result,
 * the next) and every result checked with cf_wk_check as it arrives;
 * then the executor is shut down and freed and the counters read (so
 * worker threads/processes have exited and their counts are in).  Task
 * latency and queue wait come from the per-task records (cf_map_record
 * per chunk, cf_future_record per future). */
#define _GNU_SOURCE
#include "format.h"
#include "runner.h"
#include "watchdog.h"

#include "mpi_counters.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ interrupt */

/* SIGINT and SIGTERM end a run alike (a CI job cancelled or `timeout`
 * sends SIGTERM): the flag holds the signal's number, for the exit code. */
static volatile sig_atomic_t interrupted;
static const int stop_signals[] = {SIGINT, SIGTERM};
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])
static struct sigaction old_action[NSTOP];
static int installed;

static void on_stop_signal(int sig) {
  if (!interrupted) interrupted = sig;
}

void cfb_interrupt_install(void) {
  if (installed) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESETHAND | SA_RESTART; /* a second ^C ends the program */
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NSTOP; i++) sigaction(stop_signals[i], &sa, &old_action[i]);
  installed = 1;
}

void cfb_interrupt_uninstall(void) {
  if (!installed) return;
  for (size_t i = 0; i < NSTOP; i++) sigaction(stop_signals[i], &old_action[i], NULL);
  installed = 0;
}

int cfb_interrupted(void) { return interrupted != 0; }
const volatile int *cfb_interrupt_flag(void) { return &interrupted; }
int cfb_interrupt_signal(void) { return interrupted; }
void cfb_interrupt_reset(void) { interrupted = 0; }

/* ------------------------------------------------------------- one rep */

typedef struct input_state {
  const cf_wk_run *run;
  size_t next, n;
} input_state;

static int next_item(void *ud, const void **arg, size_t *len) {
  input_state *in = ud;
  if (in->next >= in->n) return 0;
  cf_wk_item(in->run, in->next++, arg, len);
  return 1;
}

static void set_error(cfb_row *row, const char *fmt, ...) {
  if (row->error[0]) return; /* keep the first */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(row->error, sizeof row->error, fmt, ap);
  va_end(ap);
}

void cfb_one_line(char *s) {
  for (; *s; s++)
    if (*s == '\n' || *s == '\r') *s = ' ';
}

static char *metrics_string(const cf_wk_run *run) {
  cf_wk_metric m[32];
  size_t n = cf_wk_metrics(run, m, 32), cap = 1, off = 0;
  for (size_t i = 0; i < n; i++) cap += strlen(m[i].name) + 32;
  char *s = malloc(cap);
  if (!s) return NULL;
  s[0] = '\0';
  for (size_t i = 0; i < n; i++)
    off += (size_t)snprintf(s + off, cap - off, "%s%s=%.6g", i ? ";" : "", m[i].name, m[i].value);
  return s;
}

/* What one repetition records per task (chunk) as it runs. */
typedef struct rep_records {
  double *lat, *qw;  /* latency start->end and queue wait, us */
  size_t n, cap;
  const int *plan;   /* the PU pinning gives each worker, NULL: not checked */
  long violations;
} rep_records;

/* A fresh executor for the repetition, outside the timed region.  Workers
 * inherit a blocked SIGINT and SIGTERM: ^C reaches only this thread, and sleeping
 * tasks are not cut short.  NULL with row->error set on failure. */
static cf_executor *start_pool(const cfb_sweep_config *c, cfb_row *row) {
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = cfb_backend_exec(c->backend);
  cfg.max_workers = c->workers;
  cfg.pin = c->pin;
  cfg.pin_list = c->pin_list.pus;
  cfg.pin_list_len = c->pin_list.n;
  cfg.task_timeout_s = c->task_timeout_s;
  cfg.start_method = c->start_method;
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  cf_executor *ex = NULL;
  double t = cfb_now_s();
  int rc = cf_executor_new(&ex, &cfg);
  row->pool_start_s = cfb_now_s() - t;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc == 0) return ex;
  row->pool_start_s = NAN;
  if (rc == CF_ENOSYS)
    snprintf(row->error, sizeof row->error, "executor: %s backend%s%s not available in this build (%s)",
             cfb_backend_name(c->backend), c->pin != CF_PIN_NONE ? " or pin=" : "",
             c->pin != CF_PIN_NONE ? cfb_config_pin(c) : "", cf_err_name(rc));
  else if (cf_last_error_message()[0]) /* what really failed, e.g. fork under ulimit -u */
    snprintf(row->error, sizeof row->error, "executor: %s (%s)", cf_last_error_message(), cf_err_name(rc));
  else
    snprintf(row->error, sizeof row->error, "executor: %s (%s)", cf_strerror(rc), cf_err_name(rc));
  return NULL;
}

/* Keep one task record (once per task: a map chunk or a future). */
static void keep_record(const cf_task_record *rec, const cfb_sweep_config *c, rep_records *rr,
                        uint64_t *last_id) {
  if (rec->id == *last_id || !rec->start_ns || !rec->end_ns || rr->n >= rr->cap) return;
  *last_id = rec->id;
  if (rr->plan && rec->worker >= 0 && rec->worker < c->workers && rec->cpu >= 0 &&
      rec->cpu != rr->plan[rec->worker])
    rr->violations++;
  rr->lat[rr->n] = (double)(rec->end_ns - rec->start_ns) / 1e3;
  rr->qw[rr->n] = (double)(rec->start_ns - rec->enqueue_ns) / 1e3;
  rr->n++;
}

/* How one item came back, whatever the mode handed it over with. */
typedef struct item_outcome {
  int rc;             /* 0 or the CF_* error */
  const void *data;
  size_t len;
  int task_code;      /* CF_ETASK: the task's own return value */
  const char *detail; /* "" or what failed (which worker died, how) */
} item_outcome;

/* Check item i's outcome into the row: items_done counted or the first
 * error kept. */
static void take_item(cf_wk_run *run, size_t i, const item_outcome *o, cfb_row *row) {
  char msg[256], a[300];
  if (o->rc != 0) {
    snprintf(a, sizeof a, "item %zu: %s", i, cf_err_name(o->rc));
    char why[200] = "";
    if (o->rc == CF_ETASK && cf_wk_task_error(run, o->task_code, why, sizeof why) == 0 && why[0])
      snprintf(msg, sizeof msg, " (%s)", why);
    else if (o->rc == CF_ETASK) snprintf(msg, sizeof msg, " (task returned %d)", o->task_code);
    else if (o->detail[0]) snprintf(msg, sizeof msg, " (%.200s)", o->detail);
    else snprintf(msg, sizeof msg, " (%s)", cf_strerror(o->rc));
    set_error(row, "%s%s", a, msg);
    return;
  }
  msg[0] = '\0';
  if (cf_wk_check(run, i, o->data, o->len, msg, sizeof msg) != 0) {
    snprintf(a, sizeof a, "item %zu: check failed: ", i);
    set_error(row, "%s%s", a, msg[0] ? msg : "wrong result");
    return;
  }
  row->items_done++;
}

/* --max-time passed in the timed region: the error, and the items still
 * running cut off too. */
static void deadline_passed(cf_executor *ex, const cfb_sweep_config *c, cfb_row *row) {
  char a[64];
  snprintf(a, sizeof a, "%.3g s", c->max_time_s);
  set_error(row, "timed out after --max-time %s", a);
  cfb_pool_end(ex);
}

/* mode map: every item through cf_map with the chunksize, in order. */
static void run_map(cf_executor *ex, const cfb_sweep_config *c, cf_wk_run *run, cfb_row *row,
                    rep_records *rr) {
  input_state in = {run, 0, row->items};
  cf_map_options mo;
  cf_map_options_init(&mo);
  mo.chunksize = c->chunksize;
  mo.buffersize = c->buffersize;
  mo.timeout_s = c->max_time_s > 0 ? c->max_time_s : -1;
  cf_map *m = NULL;
  uint64_t last_id = 0;
  int rc = cf_map_new(ex, cf_wk_task(run), next_item, &in, &mo, &m);
  if (rc != 0) set_error(row, "cf_map: %s (%s)", cf_strerror(rc), cf_err_name(rc));
  for (size_t i = 0; m; i++) {
    item_outcome o = {0};
    o.rc = cf_map_next(m, &o.data, &o.len);
    if (o.rc == CF_EOF) break;
    o.detail = cf_map_message(m); /* "" unless the item's whole chunk failed */
    if (o.rc == CF_ETIMEDOUT && !o.detail[0]) { /* the map's deadline, not a task timeout */
      deadline_passed(ex, c, row);
      break;
    }
    cf_task_record rec;
    cf_map_record(m, &rec);
    keep_record(&rec, c, rr, &last_id);
    o.task_code = cf_map_task_code(m);
    take_item(run, i, &o, row);
  }
  cf_map_free(m);
}

/* The outcome of a done (or timed-out) future. */
static void future_outcome(cf_future *f, int rc, item_outcome *o) {
  o->rc = rc;
  if (rc == 0) return;
  o->task_code = cf_future_task_code(f);
  o->detail = cf_future_message(f);
}

/* Submit item i: 0 with *f, or the error kept in the row. */
static int submit_item(cf_executor *ex, cf_wk_run *run, size_t i, cf_future **f, cfb_row *row) {
  const void *arg;
  size_t len;
  cf_wk_item(run, i, &arg, &len);
  int rc = cf_submit(ex, cf_wk_task(run), arg, len, f);
  if (rc != 0) set_error(row, "item %zu: cf_submit: %s (%s)", i, cf_strerror(rc), cf_err_name(rc));
  return rc;
}

/* mode roundtrip: submit one item, wait for its result, then the next. */
static void run_roundtrip(cf_executor *ex, const cfb_sweep_config *c, cf_wk_run *run, cfb_row *row,
                          rep_records *rr) {
  double deadline = c->max_time_s > 0 ? cfb_now_s() + c->max_time_s : 0;
  uint64_t last_id = 0;
  for (size_t i = 0; i < row->items; i++) {
    cf_future *f = NULL;
    if (submit_item(ex, run, i, &f, row) != 0) break;
    double left = deadline ? deadline - cfb_now_s() : -1;
    item_outcome o = {.detail = ""};
    int rc = cf_future_result(f, deadline && left < 0 ? 0 : left, &o.data, &o.len);
    if (rc == CF_ETIMEDOUT && !cf_future_done(f)) { /* the deadline, not a task timeout */
      cf_future_release(f);
      deadline_passed(ex, c, row);
      break;
    }
    cf_task_record rec;
    cf_future_record(f, &rec);
    keep_record(&rec, c, rr, &last_id);
    future_outcome(f, rc, &o);
    take_item(run, i, &o, row);
    cf_future_release(f);
  }
}

/* mode submit: every item submitted, then collected as they complete. */
static void run_submit(cf_executor *ex, const cfb_sweep_config *c, cf_wk_run *run, cfb_row *row,
                       rep_records *rr) {
  cf_future **fs = calloc(row->items ? row->items : 1, sizeof *fs);
  size_t n = 0;
  if (!fs) {
    set_error(row, "out of memory for %zu futures", row->items);
    return;
  }
  while (n < row->items && submit_item(ex, run, n, &fs[n], row) == 0) n++;
  cf_as_completed *it = NULL;
  int rc = n ? cf_as_completed_new(fs, n, c->max_time_s > 0 ? c->max_time_s : -1, &it) : 0;
  if (rc != 0) set_error(row, "cf_as_completed: %s (%s)", cf_strerror(rc), cf_err_name(rc));
  uint64_t last_id = 0;
  size_t i = n - 1;
  for (cf_future *f; it && (rc = cf_as_completed_next(it, &f)) != CF_EOF;) {
    if (rc == CF_ETIMEDOUT) {
      deadline_passed(ex, c, row);
      break;
    }
    /* Which item (cf_wk_check needs its index): futures mostly complete in
     * submission order, so the search starts after the last one found. */
    for (size_t k = 0; k < n; k++)
      if (fs[(i + 1 + k) % n] == f) {
        i = (i + 1 + k) % n;
        break;
      }
    item_outcome o = {.detail = ""};
    future_outcome(f, cf_future_result(f, 0, &o.data, &o.len), &o);
    cf_task_record rec;
    cf_future_record(f, &rec);
    keep_record(&rec, c, rr, &last_id);
    take_item(run, i, &o, row);
  }
  cf_as_completed_free(it);
  for (size_t k = 0; k < n; k++) cf_future_release(fs[k]);
  free(fs);
}

/* The timed region: every item through the executor the configuration's
 * way (mode), each result checked, the items done counted.  Sets
 * row->wall_s. */
static void run_items(cf_executor *ex, const cfb_sweep_config *c, cf_wk_run *run, cfb_row *row,
                      rep_records *rr) {
  cf_wk_reset_metrics(run);
  double t0 = cfb_now_s();
  if (c->mode == CFB_MODE_ROUNDTRIP) run_roundtrip(ex, c, run, row, rr);
  else if (c->mode == CFB_MODE_SUBMIT) run_submit(ex, c, run, row, rr);
  else run_map(ex, c, run, row, rr);
  row->wall_s = cfb_now_s() - t0;
}

/* The row's figures from what was recorded, and its verdict. */
static void finish_row(cf_wk_run *run, double ideal, rep_records *rr, cfb_row *row) {
  if (rr->plan) row->placement_violations = rr->violations;
  row->items_per_s = row->wall_s > 0 ? (double)row->items_done / row->wall_s : NAN;
  if (ideal > 0 && isfinite(ideal)) row->efficiency = row->items_per_s / ideal;
  if (rr->n) {
    cfb_stats_sort(rr->lat, rr->n);
    cfb_stats_sort(rr->qw, rr->n);
    row->lat_p50_us = cfb_stats_quantile_sorted(rr->lat, rr->n, 0.50);
    row->lat_p90_us = cfb_stats_quantile_sorted(rr->lat, rr->n, 0.90);
    row->lat_p99_us = cfb_stats_quantile_sorted(rr->lat, rr->n, 0.99);
    row->qwait_p50_us = cfb_stats_quantile_sorted(rr->qw, rr->n, 0.50);
  }
  row->metrics = metrics_string(run);
  if (row->items_done != row->items && !row->error[0]) {
    char a[64];
    snprintf(a, sizeof a, "%zu of %zu", row->items_done, row->items);
    set_error(row, "items completed %s items requested", a);
  }
  /* Every item counted but an error said (e.g. a timeout at the end) stays failed. */
  row->ok = row->items_done == row->items && !row->error[0];
}

/* One measured (or warm-up) repetition into row: start a pool, run the
 * items under a watchdog (watchdog.h), make the row.  0 (row->ok says how
 * it went), 1 cut short by SIGINT/SIGTERM (not a measurement: dropped), or
 * -1 out of memory. */
static int one_rep(cfb_runner *r, const cfb_sweep_config *c, cf_wk_run *run, double ideal,
                   cfb_row *row) {
  row->items = cf_wk_items(run);
  row->wall_s = row->items_per_s = row->pool_start_s = NAN;
  row->lat_p50_us = row->lat_p90_us = row->lat_p99_us = row->qwait_p50_us = NAN;
  row->ideal_items_per_s = ideal;
  row->efficiency = NAN;
  row->placement_violations = c->pin == CF_PIN_NONE ? 0 : -1;
  row->counter_layer = cfb_counter_layer_name(cfb_counters_layer(r->counters));

  rep_records rr = {0};
  rr.cap = (row->items + c->chunksize - 1) / c->chunksize;
  rr.lat = malloc((rr.cap ? rr.cap : 1) * sizeof *rr.lat);
  rr.qw = malloc((rr.cap ? rr.cap : 1) * sizeof *rr.qw);
  /* Where pinning should have put each worker, to count violations.  Not
   * on mpi: each rank pins its own local pool on its own topology, so
   * rank 0's plan says nothing of them (placement_violations stays -1). */
  int *plan = NULL;
  if (c->pin != CF_PIN_NONE && cfb_backend_exec(c->backend) != CF_BACKEND_MPI && (plan = malloc((size_t)c->workers * sizeof *plan)) &&
      cf_pin_plan(c->pin, c->pin_list.pus, c->pin_list.n, c->workers, plan) != 0) {
    free(plan);
    plan = NULL;
  }
  rr.plan = plan;
  int rc = 0;
  if (!rr.lat || !rr.qw) {
    rc = -1;
  } else {
    cfb_counters_start(r->counters);
    cf_executor *ex = start_pool(c, row);
    cfb_watchdog wd;
    cfb_counter_values ranks = {0};
    int mpi = ex && cfb_backend_exec(c->backend) == CF_BACKEND_MPI;
    if (ex) {
      cfb_watchdog_start(&wd, ex);
      run_items(ex, c, run, row, &rr);
      if (cfb_watchdog_stop(&wd)) rc = 1;
    }
    /* mpi: rank 0's counters see only the client; the workers' usage
     * comes back from the ranks (mpi_counters.h) */
    int mrc;
    if (mpi && (mrc = cfb_mpi_worker_usage(ex, c->workers, &ranks)) != 0)
      set_error(row, "counters of the worker ranks: %s (%s)", cf_strerror(mrc), cf_err_name(mrc));
    cf_executor_free(ex);
    cfb_counters_stop(r->counters, &row->ctr);
    if (mpi) cfb_mpi_counters_add(&row->ctr, &ranks);
    if (ex) finish_row(run, ideal, &rr, row);
  }
  free(plan);
  free(rr.lat);
  free(rr.qw);
  return rc;
}

/* ------------------------------------------------------------- config */

void cfb_runner_init(cfb_config_result *res, const cfb_sweep_config *c) {
  memset(res, 0, sizeof *res);
  res->cfg = c;
  res->ideal_items_per_s = res->efficiency_median = NAN;
  res->status = CFB_CFG_NOT_RUN;
  cfb_stats_summarize(NULL, 0, 0, &res->s);
}

int cfb_runner_active(const cfb_config_result *res) {
  return res->stop == CFB_STOP_NONE && res->measured < res->cfg->repeat;
}

void cfb_runner_blank_row(cfb_runner *r, const cfb_sweep_config *c, cfb_row *row) {
  memset(row, 0, sizeof *row);
  row->cfg = c;
  row->wall_s = row->items_per_s = row->pool_start_s = NAN;
  row->lat_p50_us = row->lat_p90_us = row->lat_p99_us = row->qwait_p50_us = NAN;
  row->ideal_items_per_s = row->efficiency = NAN;
  row->ctr = (cfb_counter_values){NAN, NAN, NAN, NAN, NAN, NAN, NAN};
  row->placement_violations = -1;
  row->counter_layer = cfb_counter_layer_name(cfb_counters_layer(r->counters));
}

/* A workload that cannot be prepared fails its configuration: one failed
 * row saying why, counted as its first repetition. */
static void prepare_failed(cfb_runner *r, const cfb_sweep_config *c, int round, int rc, const char *msg,
                           cfb_config_result *res) {
  cfb_row row;
  cfb_runner_blank_row(r, c, &row);
  row.repeat = res->measured++;
  row.round = round;
  row.items = c->items;
  snprintf(row.error, sizeof row.error, "prepare: %.200s (%s)", msg[0] ? msg : cf_strerror(rc),
           cf_err_name(rc));
  cfb_one_line(row.error);
  res->stop = CFB_STOP_FAILED;
  (void)r->on_row(r->ud, &row); /* the configuration stops here anyway */
}

int cfb_runner_round(cfb_runner *r, const cfb_sweep_config *c, int round, int nreps,
                    cfb_config_result *res) {
  if (!cfb_runner_active(res) || nreps <= 0 || cfb_interrupted()) return 0;
  if (nreps > c->repeat - res->measured) nreps = c->repeat - res->measured;
  /* The budget is the configuration's total over all rounds. */
  if (res->measured > 0 && c->max_time_s > 0 && res->used_s > c->max_time_s) {
    res->stop = CFB_STOP_MAX_TIME;
    return 0;
  }
  if (cfb_backend_is_py(c->backend)) return cfb_runner_py_round(r, c, round, nreps, res);

  char msg[256] = "";
  double t_prep = cfb_now_s();
  int rc = res->run ? 0
                    : cf_wk_prepare(c->w, (const char *const *)c->kv, c->nkv, c->items, cfb_backend_exec(c->backend),
                                    &res->run, msg, sizeof msg);
  if (rc != 0) {
    prepare_failed(r, c, round, rc, msg, res);
    return 0;
  }
  cf_wk_run *run = res->run;
  res->t.prepare_s += cfb_now_s() - t_prep;
  double ideal = cf_wk_ideal_rate(run, c->workers, r->ncpus, cfb_backend_exec(c->backend));
  if (!(ideal > 0 && isfinite(ideal))) ideal = NAN;

  double start = cfb_now_s();
  int nwarm = res->warmed ? 0 : c->warmup, oom = 0;
  res->warmed = 1; /* warm-ups run in the configuration's first round only */
  for (int k = 0; k < nwarm + nreps; k++) {
    if (cfb_interrupted()) break;
    int is_warm = k < nwarm;
    if (!is_warm && res->measured > 0 && c->max_time_s > 0 &&
        res->used_s + (cfb_now_s() - start) > c->max_time_s) {
      res->stop = CFB_STOP_MAX_TIME;
      break;
    }
    if (r->on_rep)
      r->on_rep(r->ud, c, is_warm, is_warm ? k : res->measured, is_warm ? nwarm : c->repeat);
    cfb_row row;
    memset(&row, 0, sizeof row);
    row.cfg = c;
    row.repeat = res->measured;
    row.round = round;
    double t_rep = cfb_now_s();
    int rep = one_rep(r, c, run, ideal, &row);
    double rep_s = cfb_now_s() - t_rep;
    if (is_warm) res->warm_s += rep_s, res->t.warmup_s += rep_s;
    else if (rep == 0 && isfinite(row.wall_s)) {
      res->t.measured_s += row.wall_s;
      res->t.setup_s += rep_s - row.wall_s;
    }
    if (rep < 0) {
      oom = 1;
      break;
    }
    if (rep == 1) { /* interrupted mid-repetition and its pool ended: no row */
      free(row.metrics);
      break;
    }
    cfb_one_line(row.error);
    if (is_warm && row.ok) {
      free(row.metrics);
      continue;
    }
    if (is_warm) { /* a failed warm-up is reported as the first repetition */
      char e[sizeof row.error];
      snprintf(e, sizeof e, "warm-up: %.200s", row.error);
      memcpy(row.error, e, sizeof e);
    }
    int ok = row.ok;
    if (r->on_row(r->ud, &row) != 0) break; /* not kept: it does not count */
    res->measured++;
    if (!ok) { /* the next repetitions would fail alike: not retried in later rounds */
      res->stop = CFB_STOP_FAILED;
      break;
    }
  }
  res->used_s += cfb_now_s() - start;
  if (!res->keep_run || !cfb_runner_active(res)) cfb_runner_release(res); /* no later round needs it */
  return oom ? -1 : 0;
}

void cfb_runner_release(cfb_config_result *res) {
  if (!res->run) return;
  double t = cfb_now_s();
  cf_wk_teardown(res->run);
  res->run = NULL;
  res->t.prepare_s += cfb_now_s() - t;
}

int cfb_runner_summarize(cfb_config_result *res, const cfb_row *rows, size_t nrows) {
  const cfb_sweep_config *c = res->cfg;
  size_t nmine = 0;
  for (size_t i = 0; i < nrows; i++) nmine += rows[i].cfg == c;
  double *ips = calloc(nmine ? nmine : 1, sizeof *ips);
  double *ideal = calloc(nmine ? nmine : 1, sizeof *ideal);
  if (!ips || !ideal) {
    free(ips);
    free(ideal);
    return -1;
  }
  size_t nok = 0, nfailed = 0, nideal = 0;
  const char *first_error = NULL;
  for (size_t i = 0; i < nrows; i++) {
    const cfb_row *row = &rows[i];
    if (row->cfg != c) continue;
    if (isfinite(row->ideal_items_per_s) && row->ideal_items_per_s > 0)
      ideal[nideal++] = row->ideal_items_per_s;
    if (!res->python[0] && row->python[0]) snprintf(res->python, sizeof res->python, "%s", row->python);
    if (row->ok) ips[nok++] = row->items_per_s;
    else if (nfailed++ == 0) first_error = row->error;
  }
  res->nrows = nmine;
  res->error[0] = '\0';
  int rc = cfb_stats_summarize(ips, nok, c->seed, &res->s);
  /* The ideal-rate model may be calibrated at each prepare (one per
   * round): the median of what the rows saw. */
  res->ideal_items_per_s = nideal ? cfb_stats_median(ideal, nideal) : NAN;
  res->efficiency_median = nok && res->ideal_items_per_s > 0 ? res->s.median / res->ideal_items_per_s : NAN;
  if (first_error) snprintf(res->error, sizeof res->error, "%s", first_error);
  if (nok == 0) {
    res->status = nfailed ? CFB_CFG_FAILED : CFB_CFG_NOT_RUN;
    if (!nfailed) snprintf(res->error, sizeof res->error, "interrupted before the first repetition");
  } else if (nfailed) {
    res->status = CFB_CFG_PARTIAL;
  } else if (res->stop == CFB_STOP_DROPPED) {
    res->status = CFB_CFG_DROPPED;
    snprintf(res->error, sizeof res->error, "dropped by the budget's plan after %zu of %d repetition%s", nok,
             c->repeat, cfb_plural(c->repeat));
  } else if (nok < (size_t)c->repeat && res->stop != CFB_STOP_DECIDED) {
    res->status = CFB_CFG_PARTIAL;
    snprintf(res->error, sizeof res->error, "%s after %zu of %d repetition%s",
             res->stop == CFB_STOP_MAX_TIME ? "stopped by --max-time"
             : cfb_interrupted()            ? "interrupted"
                                           : "stopped",
             nok, c->repeat, cfb_plural(c->repeat));
  } else {
    res->status = CFB_CFG_OK;
  }
  free(ips);
  free(ideal);
  return rc;
}
