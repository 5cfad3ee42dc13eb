/* cfwork.h -- the workload registry: what cfbench measures.
 *
 * A workload is a descriptor (name, kind, parameters with defaults and
 * ranges) in one registry table, in the manner of stress-ng's stressors.
 * The harness prepares a run (validated parameters, items, e.g. an embedded
 * server), submits each item's bytes to a cfutures executor with the
 * workload's task function, checks every result, asks for the ideal rate
 * and tears down.  Workloads know nothing of CSV or plots.
 *
 * Errors are the executor's negative CF_E* codes; messages for people are
 * written to an `err` buffer (one line, naming the bad parameter and what is
 * allowed). */
#ifndef CFWORK_H
#define CFWORK_H

#include <cfutures.h>
#include <cfwork_params.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is the library's API: exported, while the
 * library is built with hidden visibility (its internals stay inside). */
#pragma GCC visibility push(default)

typedef enum { CF_WK_IO = 0, CF_WK_CPU, CF_WK_MIXED, CF_WK_MEMORY } cf_wk_kind;

/* "io", "cpu", "mixed", "memory". */
const char *cf_wk_kind_name(cf_wk_kind k);

/* One parameter.  Values are given as strings ("10ms", "4", "on"); numeric
 * ones accept the units the parameter names (durations: ns, us, ms, s;
 * sizes: B, KiB, MiB) and must lie in [min, max]. */
typedef struct cf_wk_param {
  const char *name;
  const char *def;       /* default value, as a string */
  const char *help;      /* one line, with the unit */
  double min, max;       /* allowed range of the numeric value (in base units) */
} cf_wk_param;

typedef struct cf_wk_run cf_wk_run;

typedef struct cf_workload {
  const char *name;
  cf_wk_kind kind;
  const char *summary;            /* one line for `cfbench list` */
  const cf_wk_param *params;
  size_t nparams;
} cf_workload;

/* The registry. */
size_t cf_wk_count(void);
const cf_workload *cf_wk_at(size_t i);
const cf_workload *cf_wk_find(const char *name); /* NULL if unknown */
/* The allowed range of w's parameter k with its unit ("0 s..10 s",
 * "1 MiB..4 GiB", "1..64"): 1, or 0 (out "") when it has none. */
int cf_wk_param_range(const cf_workload *w, size_t k, char *out, size_t len);

/* Prepare a run of `w` with parameters given as "key=value" strings
 * (unlisted ones take their defaults) and `nitems` items (0 = the
 * workload's natural count, e.g. 6 for primes preset=docs).  `backend` is
 * the executor backend the items will run on (some workloads, e.g. gil=1,
 * behave differently).  Starts what the run needs (the embedded HTTP
 * server).  CF_EINVAL with a message in err for a bad parameter. */
int cf_wk_prepare(const cf_workload *w, const char *const *kv, size_t nkv, size_t nitems,
                  cf_backend backend, cf_wk_run **out, char *err, size_t errlen);

/* The canonical parameter string of the run ("delay=10ms,body=1KiB"), with
 * every parameter, defaults included, in declaration order; written by
 * cf_wk_params_format (values escaped), read back by cf_wk_params_split. */
const char *cf_wk_params_string(const cf_wk_run *r);

/* Check parameters without running anything: what cf_wk_prepare checks of
 * them (types, units, ranges, choices, and each workload's own rules on its
 * values, e.g. the syntax of socket's target), but no server is started,
 * nothing is calibrated or allocated beyond the answer.  On success
 * *canon (caller frees) is the canonical string cf_wk_params_string would
 * give.  0, CF_EINVAL with a message in err, or CF_ENOMEM. */
int cf_wk_params_check(const cf_workload *w, const char *const *kv, size_t nkv, char **canon,
                       char *err, size_t errlen);

size_t cf_wk_items(const cf_wk_run *r);           /* number of items */
cf_task_fn cf_wk_task(const cf_wk_run *r);        /* the task function */
/* Bytes of item i (valid until teardown). */
void cf_wk_item(const cf_wk_run *r, size_t i, const void **arg, size_t *len);

/* Check the result of item i (checksum, body length, ...).  0, or a
 * negative code with a one-line message in err.  Called from one thread;
 * also accumulates per-item metrics (latency, overshoot). */
int cf_wk_check(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen);

/* Forget the metrics accumulated by cf_wk_check (between repetitions). */
void cf_wk_reset_metrics(cf_wk_run *r);

/* Named metrics the workload measured itself since the last reset, e.g.
 * {"latency_p50_us", 120.5}, {"overshoot_p50_us", 60}.  Returns how many
 * were written (at most max). */
typedef struct cf_wk_metric {
  const char *name;
  double value;
} cf_wk_metric;
size_t cf_wk_metrics(const cf_wk_run *r, cf_wk_metric *out, size_t max);

/* Items per second that perfect scaling would give with `workers` workers
 * on a machine with `ncpus` usable CPUs for this backend (e.g. sleep:
 * workers / delay; primes: min(workers, ncpus) x single-worker rate, the
 * latter measured once at prepare; gil=1 on threads: the single rate). */
double cf_wk_ideal_rate(const cf_wk_run *r, int workers, int ncpus, cf_backend backend);

/* A one-line description of a task's own non-zero return value (the
 * future failed with CF_ETASK; cf_future_task_code() gives the code), e.g.
 * "workload socket: GET http://127.0.0.1:1/: connect: Connection refused".
 * 0, or CF_EINVAL without a buffer.  (Added for the harness: items carry
 * no parent state, so a task can only report a code.) */
int cf_wk_task_error(const cf_wk_run *r, int task_code, char *err, size_t errlen);

/* The URL the run's items GET: socket's embedded server (started by
 * cf_wk_prepare, "http://127.0.0.1:PORT/") or its target; NULL for a
 * workload that makes no requests.  Valid until teardown.  (For peers that
 * make the same requests themselves: the Python driver.) */
const char *cf_wk_url(const cf_wk_run *r);

/* Stop servers, free items. NULL is ignored. */
void cf_wk_teardown(cf_wk_run *r);

/* Calibrations: what a workload measures of this machine at prepare (mixed:
 * chain steps per second, which sets the work per item; primes: trial
 * divisions per second, for its ideal rate) is measured by the first
 * prepare in the process and reused by every later one, so every
 * configuration and round of a sweep does the same work per item.  Named
 * "WORKLOAD.WHAT" (with "@ARG" when it depends on a parameter). */
typedef struct cf_wk_calibration {
  char name[64];
  double value;
} cf_wk_calibration;

/* The calibrations measured so far, in the order they were: writes at most
 * max into out (out may be NULL) and returns how many there are. */
size_t cf_wk_calibrations(cf_wk_calibration *out, size_t max);

/* Forget them: the next prepare measures again (tests; a new run in the
 * same process). */
void cf_wk_calibration_reset(void);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif /* CFWORK_H */
