/* sweep.h -- what `cfbench run` measures: the sweep specification parsed
 * from the command line or a suite (cli.c), its expansion into
 * configurations in randomized order (sweep.c), and the records the runner
 * (runner.c) produces for them: one cf_row per repetition, one
 * cf_config_result per configuration. */
#ifndef CF_HARNESS_SWEEP_H
#define CF_HARNESS_SWEEP_H

#include <cfutures.h>
#include <cfwork.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "counters.h"
#include "stats.h"

typedef struct cf_strlist {
  char **v;
  size_t n;
} cf_strlist;

/* --param KEY=V1,V2: one key and its values. */
typedef struct cf_param_axis {
  char *key;
  cf_strlist values;
} cf_param_axis;

/* One sweep: the cartesian product of its axes.  A suite has several. */
typedef struct cf_sweep_spec {
  const cf_workload **workloads;
  size_t nworkloads;
  cf_param_axis *params;
  size_t nparams;
  cf_backend *backends;
  size_t nbackends;
  int *workers;
  size_t nworkers;
  size_t *chunksizes;
  size_t nchunksizes;
  cf_pin_policy *pins;
  size_t npins;
  size_t items;       /* 0 = the workload's natural count */
  int repeat, warmup;
  double max_time_s;  /* per-configuration budget, 0 = none */
} cf_sweep_spec;

/* Everything `cfbench run` was asked to do. */
typedef struct cf_run_opts {
  cf_sweep_spec *specs;
  size_t nspecs;
  const char *suite;  /* NULL: axes from the command line */
  uint64_t seed;
  int seed_given;
  char *out;          /* output directory (owned) */
  int force;
  cf_counter_layer counters;
  char *command_line; /* as typed, for meta.json (owned) */
} cf_run_opts;

/* Parse `cfbench run` arguments (argv[0] = "run").  0, or 2 with ONE line
 * in err naming the bad argument and what is allowed; 1 for --help (usage
 * printed). */
int cf_run_opts_parse(int argc, char **argv, cf_run_opts *o, char *err, size_t errlen);
void cf_run_opts_free(cf_run_opts *o);
void cf_run_usage(FILE *f);

/* Parse one list element helpers (also used by the suites). */
int cf_parse_duration(const char *s, double *out_s); /* "30", "30s", "500ms", "2m" */

/* One configuration. */
typedef struct cf_sweep_config {
  size_t index;       /* position in expansion order (tables, summary.csv) */
  const cf_workload *w;
  char **kv;          /* "key=value" parameters given for this workload */
  size_t nkv;
  char *params;       /* canonical parameter string (after validation) */
  cf_backend backend;
  int workers;
  size_t chunksize;
  cf_pin_policy pin;
  size_t items;
  int repeat, warmup;
  double max_time_s;
  uint64_t seed;      /* bootstrap seed of this configuration */
} cf_sweep_config;

typedef struct cf_sweep {
  cf_sweep_config *cfg;
  size_t n;
  size_t *order;      /* run order: indices into cfg */
} cf_sweep;

/* Expand the specs into configurations (duplicates dropped), check every
 * --param key applies to some selected workload, validate parameter values
 * by preparing each distinct (workload, parameters) once, and shuffle the
 * run order with `seed`.  0, or 2 with one line in err. */
int cf_sweep_expand(const cf_run_opts *o, uint64_t seed, cf_sweep *s, char *err, size_t errlen);
void cf_sweep_free(cf_sweep *s);

/* "thread"/"process", "none"/"compact"/"scatter"/"list". */
const char *cf_backend_name(cf_backend b);
const char *cf_pin_name(cf_pin_policy p);

/* One measured repetition: a runs.csv row.  NAN = not measured. */
typedef struct cf_row {
  const cf_sweep_config *cfg;
  int repeat;
  size_t items, items_done;
  double wall_s, items_per_s, pool_start_s;
  double lat_p50_us, lat_p90_us, lat_p99_us, qwait_p50_us;
  cf_counter_values ctr;
  const char *counter_layer;
  double ideal_items_per_s, efficiency;
  long placement_violations; /* -1 = not measured */
  int ok;
  char error[256];
  char *metrics;             /* "name=value;..." (owned) */
} cf_row;

typedef enum { CF_CFG_OK = 0, CF_CFG_PARTIAL, CF_CFG_FAILED, CF_CFG_NOT_RUN } cf_cfg_status;
const char *cf_cfg_status_name(cf_cfg_status s);

/* One configuration's outcome: a summary.csv row. */
typedef struct cf_config_result {
  const cf_sweep_config *cfg;
  cf_summary s;              /* of items_per_s over ok repetitions */
  double ideal_items_per_s, efficiency_median;
  cf_cfg_status status;
  char error[256];
  size_t nrows;              /* rows written (ok or failed) */
} cf_config_result;

#endif
