/* cfwork_plugin.h -- the workload descriptor, for workloads outside cfbench.
 *
 * Every workload, built-in or not, is one cf_wk_descriptor: name, kind
 * hint, parameter table, prepare / task / check / ideal rate / teardown.
 * The built-ins are a table of them; a plugin is a shared object that
 * exports one under the fixed name CF_WK_PLUGIN_SYMBOL:
 *
 *     #include <cfwork_plugin.h>
 *     static int task(const void *arg, size_t len, cf_result *out) { ... }
 *     const cf_wk_descriptor cf_wk_plugin = {
 *         .abi = CF_WK_ABI_VERSION,
 *         .pub = {"mywork", CF_WK_IO, "what it does", params, nparams},
 *         .specs = specs, .task = task, .natural_items = 100};
 *
 * and runs with `cfbench run --workload plugin:./mywork.so`.  A plain task
 * function runs with `--workload fn:./lib.so:SYMBOL` (items: the index as a
 * uint64 in host byte order, or the lines of --param input=FILE), and a
 * command per item with `--workload exec --param cmd='...'`.
 *
 * Shared objects are loaded (dlopen, RTLD_NOW) by cf_wk_open, in the parent
 * and before any pool forks, so process workers inherit them.  A plugin
 * links against nothing: the cf_ symbols it calls (cf_result_set and the
 * cf_wk_run_* accessors below) are exported by the program that loads it. */
#ifndef CFWORK_PLUGIN_H
#define CFWORK_PLUGIN_H

#include <cfwork.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is the library's API: exported (plugins call
 * the cf_wk_run_* accessors back), while cfwork is built hidden. */
#pragma GCC visibility push(default)

/* The descriptor layout's version: a plugin built against another one is
 * refused at load (one line, cfbench exit 2).  Bumped on any change of
 * cf_wk_descriptor or cf_wk_pspec. */
#define CF_WK_ABI_VERSION 1u

/* The name under which a plugin exports its `const cf_wk_descriptor`. */
#define CF_WK_PLUGIN_SYMBOL "cf_wk_plugin"

/* How a parameter's string is read.  Base units: seconds, bytes. */
typedef enum {
  CF_WK_PNUM = 0, /* a plain number, no unit */
  CF_WK_PINT,     /* a plain integer */
  CF_WK_PDUR,     /* duration: ns, us, ms, s */
  CF_WK_PSIZE,    /* size: B, KiB, MiB, GiB (bare number = bytes) */
  CF_WK_PBOOL,    /* on/off, 1/0, true/false, yes/no */
  CF_WK_PENUM,    /* one of `choices` ("docs|range"); value = index */
  CF_WK_PSTR      /* any string, checked by the workload */
} cf_wk_ptype;

/* The type of one parameter, parallel to cf_workload.params. */
typedef struct cf_wk_pspec {
  cf_wk_ptype type;
  double bare;          /* CF_WK_PDUR: seconds per unit-less number (0: a unit is required) */
  const char *choices;  /* CF_WK_PENUM */
} cf_wk_pspec;

/* A workload.  Only abi, pub.name and task are required; a NULL callback
 * takes the default named at it. */
typedef struct cf_wk_descriptor {
  unsigned abi;                  /* CF_WK_ABI_VERSION; first, so any layout can be checked */
  cf_workload pub;               /* name, kind hint, summary, parameter table */
  const cf_wk_pspec *specs;      /* parallel to pub.params (required when nparams > 0) */
  cf_task_fn task;               /* runs in the worker: item bytes in, result bytes out */
  size_t natural_items;          /* item count when none is asked (0: 100) */
  /* Make the items (cf_wk_run_items_*), from parameters and
   * cf_wk_run_asked().  NULL: items are the indexes 0..n-1 as uint64. */
  int (*prepare)(cf_wk_run *r, char *err, size_t errlen);
  /* Check item i's result; may record samples.  NULL: every result is fine. */
  int (*check)(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen);
  /* Items/s with perfect scaling (see cf_wk_ideal_rate).  NULL: 0, no model. */
  double (*ideal)(const cf_wk_run *r, int workers, int ncpus, cf_backend b);
  /* Free what prepare made (cf_wk_run_priv).  NULL: nothing to free. */
  void (*teardown)(cf_wk_run *r);
  /* Text for a non-zero task return.  NULL: the generic text. */
  void (*task_error)(const cf_wk_run *r, int code, char *err, size_t errlen);
  /* Percentiles (metric_q in [0,1]) of the samples check() records,
   * reported under metric_names (microseconds). */
  const char *const *metric_names;
  const double *metric_q;
  size_t nmetrics;
  /* The workload's own rules on its parameter values, pure (no server, no
   * calibration, no name lookup): run before prepare and when a sweep is
   * validated, after the generic checks.  NULL: none. */
  int (*validate)(const cf_wk_run *r, char *err, size_t errlen);
  /* The URL the items GET (cf_wk_url).  NULL: the workload has none. */
  const char *(*url)(const cf_wk_run *r);
} cf_wk_descriptor;

/* ---- loading ------------------------------------------------------- */

/* Resolve a workload spec: a built-in name ("sleep", "exec"),
 * "fn:PATH.so:SYMBOL" or "plugin:PATH.so" (a PATH without '/' is taken
 * in the current directory).  Shared objects stay loaded until
 * cf_wk_unload_all; opening the same spec again gives the same workload.
 * CF_EINVAL with one line in err: unknown name, missing file or symbol,
 * wrong ABI version, an invalid descriptor. */
int cf_wk_open(const char *spec, const cf_workload **out, char *err, size_t errlen);

/* Unload every shared object cf_wk_open loaded; their workloads become
 * invalid.  For tests and for a program's exit. */
void cf_wk_unload_all(void);

/* ---- for the callbacks: the run being prepared, checked, torn down ---- */

/* A parameter's value in base units (NAN if there is no such parameter),
 * canonical text (NULL if none), and whether it was given explicitly. */
double cf_wk_run_num(const cf_wk_run *r, const char *name);
const char *cf_wk_run_str(const cf_wk_run *r, const char *name);
int cf_wk_run_given(const cf_wk_run *r, const char *name);
/* The item count asked of prepare (0 = the workload's natural count). */
size_t cf_wk_run_asked(const cf_wk_run *r);
cf_backend cf_wk_run_backend(const cf_wk_run *r);
/* The workload's own state (freed by its teardown). */
void *cf_wk_run_priv(const cf_wk_run *r);
void cf_wk_run_set_priv(cf_wk_run *r, void *priv);
/* Items, for prepare (each replaces any earlier ones):
 * n zeroed items of `size` bytes each, to fill in (NULL if out of memory); */
void *cf_wk_run_items_fixed(cf_wk_run *r, size_t n, size_t size);
/* n items, item i a copy of lens[i] bytes at ptrs[i].  0 or CF_ENOMEM; */
int cf_wk_run_items_copy(cf_wk_run *r, size_t n, const void *const *ptrs, const size_t *lens);
/* items 0..n-1, each its index as a uint64 in host byte order. */
int cf_wk_run_items_index(cf_wk_run *r, size_t n);
/* Record one sample (microseconds) for the metrics. */
void cf_wk_run_sample(cf_wk_run *r, double us);
/* Write "workload NAME: " + message to err; returns code. */
int cf_wk_run_fail(const cf_wk_run *r, char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif /* CFWORK_PLUGIN_H */
