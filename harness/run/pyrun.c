/* pyrun.c -- the runner's path for the py-thread / py-process backends:
 * one round of a configuration is one run of the Python driver (pyback.h)
 * with the configuration (workload, canonical params, workers, chunksize,
 * items, the round's repetitions and, in its first round, the warm-ups),
 * and each of its rows becomes a runs.csv row like the C runner's.
 *
 * The driver creates and warms each executor outside its timed region and
 * checks every result as the C workloads do; here its rows are checked
 * again against the configuration (items asked, items done = checked, the
 * same canonical parameters), so a driver that reads a parameter
 * differently fails loudly instead of measuring something else.
 *
 * socket without a target: the workload is prepared as for the C backends,
 * which starts the embedded server with the run's delay, body, keepalive
 * and server_threads, and the driver GETs its URL (cf_wk_url).  The other
 * workloads are not prepared: the driver makes its own items, and the C
 * calibration (the ideal-rate model) does not describe CPython, so py rows
 * have no ideal rate.
 *
 * Where the C runner checks --max-time before every repetition, here it is
 * checked before every round (one driver run); the driver is killed after
 * a generous multiple of it, or on SIGINT (its own process group). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "pyback.h"
#include "runner.h"

/* The driver's wall-clock allowance for one round: far beyond what the
 * repetitions should take, only so that a hung driver cannot hang the run. */
static double round_timeout_s(const cfb_sweep_config *c, int nruns) {
  double per = c->max_time_s > 0 ? c->max_time_s : 60;
  return 30 + 4 * per * nruns;
}

/* A configuration the driver cannot run as asked: a sentence, or NULL. */
static const char *refusal(const cfb_sweep_config *c) {
  if (c->pin != CF_PIN_NONE) return "CPython's executors cannot pin workers (use --pin none)";
  return NULL;
}

/* The configuration's next row, failed with `why` (nothing ran). */
static void fail_row(cfb_runner *r, const cfb_sweep_config *c, int round, cfb_config_result *res,
                     const char *why) {
  cfb_row row;
  cfb_runner_blank_row(r, c, &row);
  row.repeat = res->measured++;
  row.round = round;
  row.items = c->items;
  snprintf(row.error, sizeof row.error, "%.16s: %.230s", cfb_backend_name(c->backend), why);
  cfb_one_line(row.error);
  res->stop = CFB_STOP_FAILED;
  r->on_row(r->ud, &row);
}

/* The parameters the driver gets: the configuration's canonical string,
 * with target= set to the embedded server's URL when there is one (the
 * driver starts no server).  Caller frees; NULL out of memory. */
static char *driver_params(const cfb_sweep_config *c, const char *url) {
  cf_wk_kv *kv;
  size_t n;
  if (cf_wk_params_split(c->params ? c->params : "", &kv, &n) != 0) return NULL;
  const char **k = calloc(n + 1, sizeof *k), **v = calloc(n + 1, sizeof *v);
  char *s = NULL;
  if (k && v) {
    for (size_t i = 0; i < n; i++) {
      k[i] = kv[i].key;
      v[i] = url && !strcmp(kv[i].key, "target") ? url : kv[i].value;
    }
    s = cf_wk_params_format(k, v, n);
  }
  free(k);
  free(v);
  cf_wk_params_free(kv, n);
  return s;
}

/* The checks of a driver row against what was asked (`params`: what the
 * driver was given); sets row->error. */
static void check_row(const cfb_sweep_config *c, const char *params, const cfb_py_row *p, cfb_row *row) {
  if (!p->ok) {
    snprintf(row->error, sizeof row->error, "%s", p->error[0] ? p->error : "the Python driver says failed");
  } else if (c->items && p->items != c->items) {
    snprintf(row->error, sizeof row->error, "python driver ran %zu item%s, %zu asked", p->items,
             cfb_plural((long long)p->items), c->items);
  } else if (p->items_done != p->items_checked || p->items_done != p->items) {
    snprintf(row->error, sizeof row->error, "python driver: %zu of %zu item%s done, %zu checked",
             p->items_done, p->items, cfb_plural((long long)p->items), p->items_checked);
  } else if (strcmp(p->params, params) != 0) {
    snprintf(row->error, sizeof row->error, "python driver read the parameters as '%.100s', cfbench as '%.100s'",
             p->params, params);
  }
  cfb_one_line(row->error);
  row->ok = !row->error[0];
}

/* One runs.csv row from a driver row. */
static void make_row(cfb_runner *r, const cfb_sweep_config *c, int round, const char *params,
                     const cfb_py_row *p, cfb_row *row) {
  cfb_runner_blank_row(r, c, row);
  row->round = round;
  row->items = p->items;
  row->items_done = p->items_done;
  row->wall_s = p->wall_s;
  row->items_per_s = p->items_per_s;
  row->pool_start_s = p->pool_start_s;
  row->lat_p50_us = p->lat_p50_us;
  row->lat_p90_us = p->lat_p90_us;
  row->lat_p99_us = p->lat_p99_us;
  row->qwait_p50_us = p->qwait_p50_us;
  /* The driver's CPU time is getrusage of itself and its workers. */
  row->ctr.cpu_user_s = p->cpu_user_s;
  row->ctr.cpu_sys_s = p->cpu_sys_s;
  row->counter_layer = "getrusage";
  row->placement_violations = 0;
  row->metrics = strdup(p->metrics);
  snprintf(row->python, sizeof row->python, "%s", p->python);
  check_row(c, params, p, row);
}

/* The driver's configuration for this round. */
static void py_config(const cfb_sweep_config *c, const char *params, int nwarm, int nreps,
                      cfb_py_config *pc) {
  cfb_py_config_init(pc);
  pc->backend = cfb_backend_name(c->backend);
  pc->workload = c->w->name;
  pc->params = params;
  pc->workers = c->workers;
  pc->chunksize = (int)c->chunksize;
  pc->mode = cfb_mode_name(c->mode);
  /* only py-process takes one (the driver refuses it elsewhere); not given:
   * CPython's own default, which runs.csv's python column names */
  if (c->start_method_given && c->backend == CFB_BK_PY_PROCESS)
    pc->start_method = cfb_start_method_name(c->start_method);
  pc->items = c->items;
  pc->repeat = nreps;
  pc->warmup = nwarm;
  pc->timeout_s = round_timeout_s(c, nwarm + nreps);
  pc->cancel = cfb_interrupt_flag();
}

/* Hand the driver's rows to the caller; a failed one stops the
 * configuration.  Then, if the call failed without a failed row (no
 * python, a refused configuration, a crash, a timeout), one failed row
 * saying why -- unless SIGINT killed it, which only stops the run. */
static void take_rows(cfb_runner *r, const cfb_sweep_config *c, int round, const char *params, int rc,
                      const cfb_py_result *pr, cfb_config_result *res) {
  int failed = 0;
  for (size_t i = 0; i < pr->nrows && !failed; i++) {
    cfb_row row;
    make_row(r, c, round, params, &pr->rows[i], &row);
    row.repeat = res->measured++;
    failed = !row.ok;
    if (failed) res->stop = CFB_STOP_FAILED;
    r->on_row(r->ud, &row);
  }
  if (rc && rc != CFB_PY_ECANCELED && !failed) fail_row(r, c, round, res, pr->error);
}

/* The run's serving driver (cfb_runner_py_serve), NULL: none. */
static cfb_py_session *served;

void cfb_runner_py_serve(cfb_py_session *s) { served = s; }

int cfb_runner_py_round(cfb_runner *r, const cfb_sweep_config *c, int round, int nreps,
                        cfb_config_result *res) {
  const char *no = refusal(c);
  if (no) {
    fail_row(r, c, round, res, no);
    return 0;
  }
  cf_wk_run *run = NULL;
  char msg[256] = "";
  if (!strcmp(c->w->name, "socket")) { /* the embedded server (or the target's check) */
    int rc = cf_wk_prepare(c->w, (const char *const *)c->kv, c->nkv, c->items,
                           cfb_backend_exec(c->backend), &run, msg, sizeof msg);
    if (rc != 0) {
      char why[320];
      snprintf(why, sizeof why, "prepare: %.200s (%s)", msg[0] ? msg : cf_strerror(rc), cf_err_name(rc));
      fail_row(r, c, round, res, why);
      return 0;
    }
  }
  char *params = driver_params(c, cf_wk_url(run));
  if (!params) {
    cf_wk_teardown(run);
    return -1;
  }
  int nwarm = res->warmed ? 0 : c->warmup;
  res->warmed = 1;
  if (r->on_rep) r->on_rep(r->ud, c, 0, res->measured, c->repeat);
  cfb_py_config pc;
  py_config(c, params, nwarm, nreps, &pc);
  pc.session = served;
  cfb_py_result pr;
  double start = cfb_now_s();
  int rc = cfb_py_run(&pc, &pr);
  double call_s = cfb_now_s() - start, timed = 0;
  res->used_s += call_s;
  for (size_t i = 0; i < pr.nrows; i++)
    if (isfinite(pr.rows[i].wall_s)) timed += pr.rows[i].wall_s;
  res->t.measured_s += timed;
  res->t.py_driver_s += call_s - timed;
  take_rows(r, c, round, params, rc, &pr, res);
  cfb_py_result_free(&pr);
  free(params);
  cf_wk_teardown(run);
  return 0;
}
