/* characterize_run.c -- the measuring half of `cfbench characterize`
 * (characterize_run.h): a one-worker profile of the items, the no-op
 * executor cost per backend, throughput against workers per backend, and
 * DIR/measure.json holding all of it (keys in charrule.h).  Nothing here
 * decides anything about the workload: the report half does, from the
 * file. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "characterize_run.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "charrule.h"
#include "counters.h"
#include "env.h"
#include "format.h"
#include "json.h"
#include "runner.h"
#include "stats.h"
#include "sweep.h"

#define PROFILE_BUDGET_S 1.0 /* the profile stops after this, once it has PROFILE_MIN_ITEMS */
#define PROFILE_MIN_ITEMS 3
#define NOOP_CHUNK_BIG 64    /* the second no-op chunksize: splits per-message from per-item cost */
#define NOOP_REPEAT 3
/* The no-op's window, in items, on both backends: enough chunks in flight
 * that the worker never waits for the consumer.  At the thread backend's
 * default (2 x workers chunks, 2 at one worker) every no-op was a wake-up
 * of the worker and one of the consumer, 1.2-1.7 context switches per
 * task: 24-60 us a task under load, the scheduler's cost, where the pool's
 * own with a full queue is ~2 us (process: its default window is already
 * 128 items).  Real items longer than a wake-up keep the queue full at the
 * default, so this is the cost they pay. */
#define NOOP_WINDOW_ITEMS 1024
#define MAX_POINTS 64

/* ---- the one-worker profile ---------------------------------------- */

typedef struct prof_sums {
  size_t items;
  double wall_s, cpu_s, sys_s, vcsw, ivcsw, minflt, majflt, rss_growth;
  double rq_wait_s; /* runnable but waiting for a CPU (other load): not the item's own waiting */
} prof_sums;

/* A task wrapped to measure itself inside the (thread-backend) worker:
 * the record lives in the parent, which the thread backend shares. */
typedef struct prof_arg {
  cf_task_fn fn;
  const void *arg;
  size_t len;
  prof_sums *rec;
} prof_arg;

static double tv_s(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec * 1e-6; }
static double ts_s(struct timespec t) { return (double)t.tv_sec + (double)t.tv_nsec * 1e-9; }

/* Seconds this thread has waited on a run queue (schedstat's second
 * field), NAN without schedstats. */
static double rq_wait_s(void) {
  FILE *f = fopen("/proc/thread-self/schedstat", "r");
  unsigned long long run = 0, wait = 0;
  int n = f ? fscanf(f, "%llu %llu", &run, &wait) : 0;
  if (f) fclose(f);
  return n == 2 ? (double)wait * 1e-9 : NAN;
}

static int prof_task(const void *arg, size_t len, cf_result *out) {
  (void)len;
  const prof_arg *a = arg;
  struct rusage t0, t1, c0, c1;
  struct timespec w0, w1, u0, u1;
  getrusage(RUSAGE_THREAD, &t0);
  getrusage(RUSAGE_CHILDREN, &c0); /* exec: the commands' CPU is the item's too */
  double q0 = rq_wait_s();
  clock_gettime(CLOCK_MONOTONIC, &w0);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &u0);
  int rc = a->fn(a->arg, a->len, out);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &u1);
  clock_gettime(CLOCK_MONOTONIC, &w1);
  double q1 = rq_wait_s();
  getrusage(RUSAGE_CHILDREN, &c1);
  getrusage(RUSAGE_THREAD, &t1);
  prof_sums *s = a->rec;
  s->wall_s += ts_s(w1) - ts_s(w0);
  s->cpu_s += ts_s(u1) - ts_s(u0) + tv_s(c1.ru_utime) - tv_s(c0.ru_utime) + tv_s(c1.ru_stime) - tv_s(c0.ru_stime);
  s->sys_s += tv_s(t1.ru_stime) - tv_s(t0.ru_stime) + tv_s(c1.ru_stime) - tv_s(c0.ru_stime);
  s->rq_wait_s += isfinite(q1 - q0) ? q1 - q0 : 0;
  s->vcsw += (double)(t1.ru_nvcsw - t0.ru_nvcsw);
  s->ivcsw += (double)(t1.ru_nivcsw - t0.ru_nivcsw);
  s->minflt += (double)(t1.ru_minflt - t0.ru_minflt);
  s->majflt += (double)(t1.ru_majflt - t0.ru_majflt);
  return rc;
}

static double rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, res = 0;
  int n = f ? fscanf(f, "%lu %lu", &size, &res) : 0;
  if (f) fclose(f);
  return n == 2 ? (double)res * (double)sysconf(_SC_PAGESIZE) : NAN;
}

/* Run item i through the wrapper and check its result.  0, or 1 with err. */
static int prof_item(cf_executor *ex, cf_wk_run *run, size_t i, prof_sums *rec, char *err, size_t errlen) {
  prof_arg a = {cf_wk_task(run), NULL, 0, rec};
  cf_wk_item(run, i, &a.arg, &a.len);
  cf_future *f = NULL;
  int rc = cf_submit(ex, prof_task, &a, sizeof a, &f);
  const void *data = NULL;
  size_t len = 0;
  if (!rc) rc = cf_future_result(f, -1, &data, &len);
  if (rc == CF_ETASK) {
    char why[200];
    cf_wk_task_error(run, cf_future_task_code(f), why, sizeof why);
    snprintf(err, errlen, "profile: item %zu failed: %s", i, why);
  } else if (rc) {
    snprintf(err, errlen, "profile: item %zu: %s", i, cf_strerror(rc));
  } else if ((rc = cf_wk_check(run, i, data, len, err, errlen)) != 0) {
    char why[200];
    snprintf(why, sizeof why, "%s", err);
    snprintf(err, errlen, "profile: item %zu: wrong result: %s", i, why);
  }
  if (f) cf_future_release(f);
  return rc ? 1 : 0;
}

/* The exit code of an interrupted characterization: 128 + the signal, as
 * run's (143 for SIGTERM), 130 when the flag was set without one. */
static int interrupted_rc(void) {
  int sig = cfb_interrupt_signal();
  return 128 + (sig ? sig : 2);
}

/* Items one after another on one thread worker: item 0 warms up (first
 * touches, lazy setup), the rest are measured until the budget is spent. */
static int profile(const cfb_char_spec *s, prof_sums *p, char *err, size_t errlen) {
  cf_wk_run *run = NULL;
  char msg[256] = "";
  int rc = cf_wk_prepare(s->w, s->kv, s->nkv, 0, CF_BACKEND_THREAD, &run, msg, sizeof msg);
  if (rc) {
    snprintf(err, errlen, "%s", msg[0] ? msg : cf_strerror(rc));
    return rc == CF_EINVAL ? 2 : 1;
  }
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = CF_BACKEND_THREAD;
  cfg.max_workers = 1;
  cf_executor *ex = NULL;
  if ((rc = cf_executor_new(&ex, &cfg)) != 0) {
    snprintf(err, errlen, "profile: executor: %s", cf_strerror(rc));
    cf_wk_teardown(run);
    return 1;
  }
  size_t n = cf_wk_items(run);
  prof_sums warm = {0};
  memset(p, 0, sizeof *p);
  int out = n > 1 ? prof_item(ex, run, 0, &warm, err, errlen) : 0;
  double rss0 = rss_bytes(), t0 = cfb_now_s();
  for (size_t i = n > 1 ? 1 : 0; !out && i < n && !cfb_interrupted(); i++) {
    if (p->items >= PROFILE_MIN_ITEMS && cfb_now_s() - t0 > PROFILE_BUDGET_S) break;
    out = prof_item(ex, run, i, p, err, errlen);
    p->items++;
  }
  p->rss_growth = rss_bytes() - rss0;
  cf_executor_shutdown(ex, 1, 0);
  cf_executor_free(ex);
  cf_wk_teardown(run);
  return cfb_interrupted() ? interrupted_rc() : out;
}

/* ---- runner-driven points ------------------------------------------ */

typedef struct point {
  cfb_sweep_config cfg;
  cfb_config_result res;
  double rates[16];
  size_t nrates;
  char error[256];
  double crates[CFB_CHAR_CONFIRM_ROUNDS]; /* the confirmation rounds' (candidates only) */
  size_t ncrates;
  size_t from;                            /* a confirmation point: the sweep point it repeats */
  size_t rule_chunk;                      /* the backend's chunksize by the rule (cfg's may be cut) */
  double pilot_rate;                      /* the pilot repetition's items/s (NAN: none) */
  double switches, items_done;            /* context switches (counters) and items over its repetitions */
} point;

static int on_row(void *ud, cfb_row *row) {
  point *pts = ud;
  point *p = &pts[row->cfg->index];
  if (row->ok && p->nrates < sizeof p->rates / sizeof p->rates[0]) p->rates[p->nrates++] = row->items_per_s;
  if (row->ok && isfinite(row->ctr.ctx_switches)) p->switches += row->ctr.ctx_switches, p->items_done += (double)row->items_done;
  if (!row->ok && !p->error[0]) snprintf(p->error, sizeof p->error, "%s", row->error);
  free(row->metrics);
  return 0;
}

static void point_init(point *p, size_t index, const cf_workload *w, char **kv, size_t nkv, const char *params,
                       cfb_backend b, int workers, size_t chunk, size_t items, int repeat, int warmup) {
  memset(p, 0, sizeof *p);
  cfb_sweep_config *c = &p->cfg;
  c->index = index;
  c->w = w;
  c->kv = kv;
  c->nkv = nkv;
  c->params = (char *)params;
  c->backend = b;
  c->workers = workers;
  c->chunksize = chunk;
  c->pin = CF_PIN_NONE;
  c->items = items;
  c->repeat = repeat;
  c->warmup = warmup;
  c->seed = index + 1;
  p->rule_chunk = chunk;
  p->pilot_rate = NAN;
  cfb_runner_init(&p->res, c);
  /* prepared once for all its rounds (memtouch's prepare times six 16 MiB
   * touches, socket's starts a server: per round that was most of a
   * characterization under load); the runner tears it down after the last
   * repetition, release_points on the way out */
  p->res.keep_run = 1;
}

/* Every point one repetition per round, each round in its own order. */
static int run_points(cfb_runner *r, point *pts, size_t n, int rounds, uint64_t seed, int verbose) {
  size_t order[MAX_POINTS * 4];
  uint64_t st = seed ? seed : 1;
  for (int rd = 0; rd < rounds && !cfb_interrupted(); rd++) { /* (no "round" lines after a signal) */
    for (size_t i = 0; i < n; i++) order[i] = i;
    for (size_t i = n; i > 1; i--) {
      size_t j = (size_t)cfb_rng_below(&st, i), t = order[i - 1];
      order[i - 1] = order[j], order[j] = t;
    }
    if (verbose) fprintf(stderr, "  round %d/%d (%zu point%s)\n", rd + 1, rounds, n, cfb_plural((long long)n));
    for (size_t k = 0; k < n && !cfb_interrupted(); k++)
      if (cfb_runner_round(r, &pts[order[k]].cfg, rd, 1, &pts[order[k]].res) != 0) return 1;
  }
  return cfb_interrupted() ? interrupted_rc() : 0;
}

static void release_points(point *pts, size_t n) {
  for (size_t i = 0; i < n; i++) cfb_runner_release(&pts[i].res);
}

static double median_us_per_task(const point *p) {
  double m = cfb_stats_median(p->rates, p->nrates);
  return m > 0 ? 1e6 / m : NAN;
}

/* ---- the plan ------------------------------------------------------- */

size_t cfb_char_workers(int ncpus, double cpu_fraction, int max_workers, int *out, size_t cap) {
  if (ncpus < 1) ncpus = 1;
  size_t n = 0;
  if (cpu_fraction >= CFB_CHAR_CPU_FRACTION) { /* CPU-bound: nothing to gain past the CPUs; go a little past to see it */
    /* every count to 2 x ncpus, then 4 x ncpus: one point where the
     * flattening (or decline) shows, and enough medians (5 on 2 CPUs)
     * for the USL's three parameters with one left out */
    int top = max_workers > 0 ? max_workers : 4 * ncpus < 5 ? 5 : 4 * ncpus;
    for (int w = 1; w <= top && n < cap; w = w < 2 * ncpus ? w + 1 : w * 2) out[n++] = w;
    if (n && out[n - 1] != top && n < cap) out[n++] = top;
    return n;
  }
  /* I/O-bound: a worker is on a CPU only cpu_fraction of the time, so
   * about ncpus / cpu_fraction workers fill the CPUs; go 4x past that. */
  double f = cpu_fraction > 1.0 / 256 ? cpu_fraction : 1.0 / 256;
  double want = 4.0 * ncpus / f;
  int top = max_workers > 0 ? max_workers : want > 256 ? 256 : want < 4 * ncpus ? 4 * ncpus : (int)ceil(want - 1e-9);
  /* powers of two and the counts half-way between them (3, 6, 12, ...):
   * a knee between 8 and 16 workers lies between two points a third
   * apart, not one, so the bottleneck's split and its xmax / lambda are
   * pinned by the data (the contention plugin's knee was read from 8 and
   * 16 alone) */
  for (int w = 1; w < top && n < cap; w *= 2) {
    out[n++] = w;
    if (w >= 2 && w + w / 2 < top && n < cap) out[n++] = w + w / 2;
  }
  if (n < cap) out[n++] = top;
  return n;
}

size_t cfb_char_cap_workers(int *ws, size_t n, int cap) {
  if (cap <= 0 || !n || ws[n - 1] <= cap) return n;
  while (n && ws[n - 1] >= cap) n--;
  ws[n++] = cap;
  return n;
}

/* The on-CPU fraction by the rule the report half decides with
 * (charrule.h); 1 when the profile has none. */
static double prof_fraction(const prof_sums *p) {
  double f = cfb_char_cpu_fraction(p->wall_s, p->cpu_s, p->rq_wait_s, p->vcsw, p->items);
  return f > 0 ? f : 1;
}

/* An item's own time: wall time less the time it waited for a CPU that
 * other load on the machine held, so a busy machine does not make
 * CPU-bound work look like waiting: its CPU time over that fraction. */
static double own_s(const prof_sums *p) {
  return p->cpu_s > 0 ? p->cpu_s / prof_fraction(p) : p->wall_s;
}

/* The rate the profile predicts for workers: each worker on a CPU for
 * the on-CPU part of its items, so at most ncpus / fraction of them busy. */
static double predicted_rate(const prof_sums *p, int ncpus, int workers) {
  double item_s = p->items ? own_s(p) / (double)p->items : 0.01;
  double frac = prof_fraction(p);
  double busy = frac > 0 ? (double)ncpus / frac : workers;
  double eff = workers < busy ? workers : busy;
  return eff / (item_s > 1e-7 ? item_s : 1e-7);
}

/* ---- the file -------------------------------------------------------- */

static json_t *profile_json(const prof_sums *p) {
  json_t *o = json_object();
  json_object_set_new(o, CFB_CHAR_K_P_ITEMS, json_integer((json_int_t)p->items));
  json_object_set_new(o, CFB_CHAR_K_P_WALL, cfb_json_num(p->wall_s));
  json_object_set_new(o, CFB_CHAR_K_P_CPU, cfb_json_num(p->cpu_s));
  json_object_set_new(o, CFB_CHAR_K_P_SYS, cfb_json_num(p->sys_s));
  json_object_set_new(o, CFB_CHAR_K_P_RQWAIT, cfb_json_num(p->rq_wait_s));
  json_object_set_new(o, CFB_CHAR_K_P_VCSW, cfb_json_num(p->vcsw));
  json_object_set_new(o, CFB_CHAR_K_P_IVCSW, cfb_json_num(p->ivcsw));
  json_object_set_new(o, CFB_CHAR_K_P_MINFLT, cfb_json_num(p->minflt));
  json_object_set_new(o, CFB_CHAR_K_P_MAJFLT, cfb_json_num(p->majflt));
  json_object_set_new(o, CFB_CHAR_K_P_RSS, cfb_json_num(p->rss_growth));
  return o;
}

static json_t *point_json(const point *p) {
  json_t *o = json_object(), *r = json_array();
  json_object_set_new(o, CFB_CHAR_K_PT_BACKEND, json_string(cfb_backend_name(p->cfg.backend)));
  json_object_set_new(o, CFB_CHAR_K_PT_WORKERS, json_integer(p->cfg.workers));
  json_object_set_new(o, CFB_CHAR_K_PT_CHUNK, json_integer((json_int_t)p->cfg.chunksize));
  json_object_set_new(o, CFB_CHAR_K_PT_ITEMS, json_integer((json_int_t)p->cfg.items));
  for (size_t i = 0; i < p->nrates; i++) json_array_append_new(r, cfb_json_num(p->rates[i]));
  json_object_set_new(o, CFB_CHAR_K_PT_RATES, r);
  if (p->ncrates) {
    json_t *cr = json_array();
    for (size_t i = 0; i < p->ncrates; i++) json_array_append_new(cr, cfb_json_num(p->crates[i]));
    json_object_set_new(o, CFB_CHAR_K_PT_CONFIRM, cr);
  }
  if (isfinite(p->pilot_rate)) json_object_set_new(o, CFB_CHAR_K_PT_PILOT, cfb_json_num(p->pilot_rate));
  json_object_set_new(o, CFB_CHAR_K_PT_ERROR, cfb_json_str(p->error));
  return o;
}

/* noop NULL: the calibration never ran (interrupted in the profile);
 * stage: the step a signal stopped, NULL when none did. */
static int write_measure(const cfb_char_spec *s, const char *params, const cfb_env *env, const prof_sums *prof,
                         const point *noop, const point *pts, size_t npts, const char *stage, char *err,
                         size_t errlen) {
  json_t *root = json_object(), *ov = json_object(), *arr = json_array();
  json_object_set_new(root, CFB_CHAR_K_VERSION, json_integer(CFB_CHAR_MEASURE_VERSION));
  json_object_set_new(root, CFB_CHAR_K_SPEC, cfb_json_str(s->spec));
  json_object_set_new(root, CFB_CHAR_K_NAME, cfb_json_str(s->w->name));
  json_object_set_new(root, CFB_CHAR_K_DECLARED, json_string(cf_wk_kind_name(s->w->kind)));
  json_object_set_new(root, CFB_CHAR_K_PARAMS, cfb_json_str(params));
  json_object_set_new(root, CFB_CHAR_K_NCPUS, json_integer(env->usable_cpus));
  json_object_set_new(root, CFB_CHAR_K_CPU_MODEL, cfb_json_str(env->cpu_model));
  json_object_set_new(root, CFB_CHAR_K_SEED, json_integer((json_int_t)s->seed));
  json_object_set_new(root, CFB_CHAR_K_PROFILE, profile_json(prof));
  for (int b = 0; noop && b < 2; b++) {
    json_t *o = json_object();
    json_object_set_new(o, CFB_CHAR_K_O_US1, cfb_json_num(median_us_per_task(&noop[2 * b])));
    json_object_set_new(o, CFB_CHAR_K_O_USBIG, cfb_json_num(median_us_per_task(&noop[2 * b + 1])));
    json_object_set_new(o, CFB_CHAR_K_O_CBIG, json_integer(NOOP_CHUNK_BIG));
    json_object_set_new(o, CFB_CHAR_K_O_WINDOW, json_integer(NOOP_WINDOW_ITEMS));
    const point *n1 = &noop[2 * b];
    json_object_set_new(o, CFB_CHAR_K_O_SW1, cfb_json_num(n1->items_done > 0 ? n1->switches / n1->items_done : NAN));
    for (size_t i = 0; i < npts; i++) /* the rule's, every point of the backend has it */
      if (pts[i].cfg.backend == noop[2 * b].cfg.backend) {
        json_object_set_new(o, CFB_CHAR_K_O_CHUNK, json_integer((json_int_t)pts[i].rule_chunk));
        break;
      }
    json_object_set_new(ov, cfb_backend_name(noop[2 * b].cfg.backend), o);
  }
  json_object_set_new(root, CFB_CHAR_K_OVERHEAD, ov);
  for (size_t i = 0; i < npts; i++) json_array_append_new(arr, point_json(&pts[i]));
  json_object_set_new(root, CFB_CHAR_K_POINTS, arr);
  if (stage) {
    json_t *in = json_object();
    json_object_set_new(in, CFB_CHAR_K_I_DURING, json_string(stage));
    json_object_set_new(in, CFB_CHAR_K_I_SIGNAL, json_integer(cfb_interrupt_signal() ? cfb_interrupt_signal() : 2));
    json_object_set_new(root, CFB_CHAR_K_INTERRUPTED, in);
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", s->dir, CFB_CHAR_MEASURE_FILE);
  int rc = cfb_json_write_file(root, path);
  json_decref(root);
  if (rc) snprintf(err, errlen, "cannot write %s", path);
  return rc ? 1 : 0;
}

/* ---- the whole measurement ------------------------------------------ */

/* The no-op (sleep delay=0: no syscall) at chunksize 1 and NOOP_CHUNK_BIG,
 * one worker, NOOP_WINDOW_ITEMS in flight, on each backend: 4 points,
 * alternated round by round. */
static int measure_noop(cfb_runner *r, point *noop, char **kv, const char *params, double rep_s, int verbose) {
  const cf_workload *nw = cf_wk_find("sleep");
  static const cfb_backend bk[2] = {CFB_BK_THREAD, CFB_BK_PROCESS};
  for (size_t i = 0; i < 4; i++) {
    size_t chunk = i % 2 ? NOOP_CHUNK_BIG : 1;
    /* sized by rep_s: 20000 no-ops are ~0.1 s at the 5 us this machine
     * gives idle, but load makes each cost ten times that */
    size_t items = (size_t)((i % 2 ? 100000 : 20000) * fmin(1, rep_s / 0.2));
    point_init(&noop[i], i, nw, kv, 1, params, bk[i / 2], 1, chunk, items, NOOP_REPEAT, 1);
    noop[i].cfg.buffersize = NOOP_WINDOW_ITEMS / chunk;
  }
  if (verbose) fprintf(stderr, "cfbench characterize: no-op calibration\n");
  return run_points(r, noop, 4, NOOP_REPEAT, 7, verbose);
}

/* The sweep: both backends x the worker counts, each backend at the
 * chunksize the rule gives for its no-op cost. */
static size_t plan_sweep(const cfb_char_spec *s, const prof_sums *prof, const point *noop, int ncpus,
                         const char *params, point *pts) {
  int ws[MAX_POINTS / 2];
  size_t nw = cfb_char_workers(ncpus, prof_fraction(prof), s->max_workers, ws, MAX_POINTS / 2), n = 0;
  nw = cfb_char_cap_workers(ws, nw, s->cap_workers);
  double item_us = prof->items ? own_s(prof) / (double)prof->items * 1e6 : NAN;
  for (int b = 0; b < 2; b++) {
    double m, it;
    cfb_char_overhead_split(median_us_per_task(&noop[2 * b]), median_us_per_task(&noop[2 * b + 1]),
                            NOOP_CHUNK_BIG, &m, &it);
    size_t chunk = cfb_char_chunksize(m, it, item_us);
    for (size_t k = 0; k < nw; k++, n++) {
      size_t c = chunk, items = cfb_char_rep_items(predicted_rate(prof, ncpus, ws[k]), s->rep_s, ws[k], &c);
      point_init(&pts[n], n, s->w, (char **)s->kv, s->nkv, params, noop[2 * b].cfg.backend, ws[k], c, items,
                 s->repeat, 0);
      pts[n].rule_chunk = chunk;
    }
  }
  return n;
}

static int noop_failed(const point *noop, char *err, size_t errlen) {
  for (int i = 0; i < 4; i++)
    if (!noop[i].nrates) {
      snprintf(err, errlen, "no-op calibration on %s failed: %s", cfb_backend_name(noop[i].cfg.backend),
               noop[i].error[0] ? noop[i].error : "no repetition");
      return 1;
    }
  return 0;
}

/* ---- the pilot ------------------------------------------------------ */

/* One repetition of every sweep point, half the time box at the
 * predicted rate, in a shuffled order; each point's repetitions are then
 * sized from the rate its pilot measured (charrule.h's time box).  A
 * point whose pilot failed keeps the prediction (its sweep rounds will
 * say why), as does one whose predicted box is at the floor.  The pilot's
 * rates are written but decide nothing. */
static int pilot(const cfb_char_spec *s, cfb_runner *runner, point *pts, size_t n) {
  point *pp = calloc(n, sizeof *pp);
  size_t np = 0, at[MAX_POINTS];
  if (!pp) return 1;
  for (size_t i = 0; i < n; i++) {
    const cfb_sweep_config *c = &pts[i].cfg;
    /* the prediction is an upper bound (a worker is never faster than an
     * item's own time, nor more busy than the CPUs): a box at the floor
     * (two items per worker) stays there, and its pilot would only cost
     * (memtouch, the docs' primes: a prepare and seconds under load) */
    if (c->items <= (size_t)CFB_CHAR_REP_CHUNKS * (size_t)c->workers) continue;
    size_t chunk = c->chunksize, items = cfb_char_rep_items((double)c->items / s->rep_s, s->rep_s / 2, c->workers, &chunk);
    at[np] = i;
    point_init(&pp[np], np, c->w, c->kv, c->nkv, c->params, c->backend, c->workers, chunk, items, 1, 0);
    np++;
  }
  if (s->verbose) fprintf(stderr, "cfbench characterize: pilot, %zu of %zu point%s\n", np, n, cfb_plural((long long)n));
  runner->ud = pp;
  int rc = np ? run_points(runner, pp, np, 1, s->seed + 2, s->verbose) : 0;
  runner->ud = pts;
  for (size_t k = 0; k < np; k++) {
    size_t i = at[k];
    point *p = &pts[i];
    if (pp[k].nrates) {
      size_t chunk = p->rule_chunk;
      p->pilot_rate = pp[k].rates[0];
      p->cfg.items = cfb_char_rep_items(p->pilot_rate, s->rep_s, p->cfg.workers, &chunk);
      p->cfg.chunksize = chunk;
    }
    cfb_runner_release(&pp[k].res);
  }
  free(pp);
  return rc;
}

/* ---- the confirmation ----------------------------------------------- */

/* The measured points of pts[lo, hi) as candidates cd, at[k] the point of
 * cd[k]; how many. */
static size_t cands_of(const point *pts, size_t lo, size_t hi, cfb_char_cand *cd, size_t *at) {
  size_t m = 0;
  for (size_t i = lo; i < hi; i++)
    if (pts[i].nrates) at[m] = i, cd[m++] = (cfb_char_cand){pts[i].cfg.workers, pts[i].rates, pts[i].nrates};
  return m;
}

/* The confirmation candidates of the backend whose points are pts[lo, hi)
 * (ascending workers), by charrule.h's rule, into set. */
static void backend_cands(const point *pts, size_t lo, size_t hi, int ncpus, int cpu_bound, size_t *set, size_t *n) {
  cfb_char_cand cd[MAX_POINTS];
  size_t at[MAX_POINTS], got[CFB_CHAR_CONFIRM_MAX], m = cands_of(pts, lo, hi, cd, at);
  size_t k = cfb_char_confirm_set(cd, m, ncpus, cpu_bound, got);
  for (size_t i = 0; i < k; i++) set[(*n)++] = at[got[i]];
}

/* The sweep's pick of the backend whose points are pts[lo, hi), as an
 * index into pts (SIZE_MAX: none), and whether its interval is too wide
 * to recommend on (charrule.h). */
static size_t backend_pick(const point *pts, size_t lo, size_t hi, int ncpus, int cpu_bound, int *wide) {
  cfb_char_cand cd[MAX_POINTS];
  cfb_char_pick k;
  size_t at[MAX_POINTS], m = cands_of(pts, lo, hi, cd, at);
  if (cfb_char_pick_workers(cd, m, ncpus, cpu_bound, &k) != 0) return SIZE_MAX;
  *wide |= cfb_char_ci_wide(cd[k.pick].x, cd[k.pick].nx);
  return at[k.pick];
}

static void add_once(size_t *set, size_t *n, size_t i) {
  for (size_t k = 0; k < *n; k++)
    if (set[k] == i) return;
  set[(*n)++] = i;
}

/* The candidates of both backends again, CFB_CHAR_CONFIRM_ROUNDS more
 * rounds alternated among themselves: the sweep chose them, so its own
 * rounds would confirm their luck; fresh rounds decide (report half).
 * Both backends' in the same rounds, so their picks pair too; and when a
 * backend's pick has too wide an interval to recommend on, every
 * backend's pick is among them, so the margin between the backends is
 * decided on paired fresh rounds.  Nothing when the sweep told every
 * backend's counts apart and its picks are narrow. */
static int confirm(const cfb_char_spec *s, cfb_runner *runner, point *pts, size_t n, size_t nper, int ncpus,
                   double frac) {
  size_t set[2 * CFB_CHAR_CONFIRM_MAX + 2], ns = 0, pk[2] = {SIZE_MAX, SIZE_MAX};
  int cpu_bound = frac >= CFB_CHAR_CPU_FRACTION, wide = 0;
  for (size_t b = 0; b * nper < n && b < 2; b++) {
    backend_cands(pts, b * nper, (b + 1) * nper, ncpus, cpu_bound, set, &ns);
    pk[b] = backend_pick(pts, b * nper, (b + 1) * nper, ncpus, cpu_bound, &wide);
  }
  for (size_t b = 0; wide && b < 2; b++)
    if (pk[b] != SIZE_MAX) add_once(set, &ns, pk[b]);
  if (!ns) return 0;
  point cp[2 * CFB_CHAR_CONFIRM_MAX + 2];
  for (size_t i = 0; i < ns; i++) {
    const cfb_sweep_config *c = &pts[set[i]].cfg;
    point_init(&cp[i], i, c->w, c->kv, c->nkv, c->params, c->backend, c->workers, c->chunksize, c->items,
               CFB_CHAR_CONFIRM_ROUNDS, 0);
    cp[i].from = set[i];
  }
  if (s->verbose)
    /* the reason on a line of its own: the progress lines fit 80 columns */
    fprintf(stderr, "cfbench characterize: confirmation, %zu candidate%s x %d round%s%s\n", ns,
            cfb_plural((long long)ns), CFB_CHAR_CONFIRM_ROUNDS, cfb_plural(CFB_CHAR_CONFIRM_ROUNDS),
            wide ? "\n  (a pick's interval is too wide to recommend on)" : "");
  runner->ud = cp;
  int rc = run_points(runner, cp, ns, CFB_CHAR_CONFIRM_ROUNDS, s->seed + 1, s->verbose);
  runner->ud = pts;
  for (size_t i = 0; i < ns; i++) {
    point *p = &pts[cp[i].from];
    for (size_t k = 0; k < cp[i].nrates && p->ncrates < CFB_CHAR_CONFIRM_ROUNDS; k++) p->crates[p->ncrates++] = cp[i].rates[k];
    cfb_runner_release(&cp[i].res);
  }
  return rc;
}

/* After a signal: what was measured so far, marked with the step it
 * stopped in, so a long characterization is not lost to one Ctrl-C.
 * Keeps rc (the signal's exit code); *wrote 1 when the file is there,
 * err names the step (or the write that failed). */
static int keep_partial(const cfb_char_spec *s, const char *params, const cfb_env *env, const prof_sums *prof,
                        const point *noop, const point *pts, size_t n, const char *stage, int rc, int *wrote,
                        char *err, size_t errlen) {
  *wrote = write_measure(s, params, env, prof, noop, pts, n, stage, err, errlen) == 0;
  if (*wrote) snprintf(err, errlen, "interrupted during the %s", stage);
  return rc;
}

static int measure_all(const cfb_char_spec *s, const char *params, cfb_runner *runner, const cfb_env *env,
                       int *wrote, char *err, size_t errlen) {
  prof_sums prof;
  if (s->verbose) fprintf(stderr, "cfbench characterize: profile on one worker\n");
  int rc = profile(s, &prof, err, errlen);
  if (rc > 128) return keep_partial(s, params, env, &prof, NULL, NULL, 0, CFB_CHAR_STAGE_PROFILE, rc, wrote, err,
                                    errlen);
  if (rc) return rc;
  char *nkv[] = {"delay=0"};
  point noop[4], *pts = calloc(MAX_POINTS, sizeof *pts);
  if (!pts) return snprintf(err, errlen, "out of memory"), 1;
  const char *stage = CFB_CHAR_STAGE_NOOP;
  runner->ud = noop;
  rc = measure_noop(runner, noop, nkv, "delay=0s", s->rep_s, s->verbose);
  if (!rc) rc = noop_failed(noop, err, errlen);
  size_t n = rc ? 0 : plan_sweep(s, &prof, noop, env->usable_cpus, params, pts);
  runner->ud = pts;
  if (!rc && s->verbose)
    fprintf(stderr, "cfbench characterize: throughput, %zu point%s x %d round%s\n", n, cfb_plural((long long)n),
            s->repeat, cfb_plural(s->repeat));
  if (!rc) stage = CFB_CHAR_STAGE_PILOT, rc = pilot(s, runner, pts, n);
  if (!rc) stage = CFB_CHAR_STAGE_SWEEP, rc = run_points(runner, pts, n, s->repeat, s->seed, s->verbose);
  if (!rc) stage = CFB_CHAR_STAGE_CONFIRM, rc = confirm(s, runner, pts, n, n / 2, env->usable_cpus, prof_fraction(&prof));
  if (rc > 128) keep_partial(s, params, env, &prof, noop, pts, n, stage, rc, wrote, err, errlen);
  else if (!rc) *wrote = (rc = write_measure(s, params, env, &prof, noop, pts, n, NULL, err, errlen)) == 0;
  release_points(noop, 4);
  release_points(pts, n);
  free(pts);
  return rc;
}

int cfb_char_measure(const cfb_char_spec *s, int *wrote, char *err, size_t errlen) {
  char *params = NULL;
  *wrote = 0;
  int rc = cf_wk_params_check(s->w, s->kv, s->nkv, &params, err, errlen);
  if (rc) return rc == CF_EINVAL ? 2 : 1;
  cfb_env env;
  cfb_env_capture(&env);
  cfb_counters *ctr = NULL;
  /* getrusage only: the counters are not what this measures, and opening
   * PAPI costs seconds on some machines */
  if (cfb_counters_open(CFB_CTR_RUSAGE, &ctr) != 0) {
    free(params);
    return snprintf(err, errlen, "out of memory"), 1;
  }
  cfb_runner runner = {ctr, env.usable_cpus, on_row, NULL, NULL};
  cfb_interrupt_reset();
  cfb_interrupt_install();
  rc = measure_all(s, params, &runner, &env, wrote, err, errlen);
  cfb_interrupt_uninstall();
  cfb_counters_free(ctr);
  free(params);
  return rc;
}
