/* sweep.h -- what `cfbench run` measures: the sweep specification parsed
 * from the command line or a suite (cli.c), its expansion into
 * configurations and their randomized order in each round (sweep.c), and
 * the records the runner (runner.c) produces for them: one cf_row per
 * repetition, one cf_config_result per configuration. */
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
  int rounds;         /* >= 1 after parsing: the sweep runs this many rounds */
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

/* The sweep runs in rounds: each round runs every configuration that still
 * has repetitions to do, in that round's own shuffled order, for its share
 * of the repetitions (cf_sweep_round_share), so a burst of load on the
 * machine is spread over every configuration instead of shifting one. */
typedef struct cf_sweep {
  cf_sweep_config *cfg;
  size_t n;
  int rounds;         /* >= 1 */
  size_t *order;      /* rounds x n: order[r * n + k] = k-th configuration of round r */
} cf_sweep;

/* Expand the specs into configurations (duplicates dropped), check every
 * --param key applies to some selected workload, validate parameter values
 * by preparing each distinct (workload, parameters) once, and shuffle the
 * run order of each of o->rounds rounds (< 1 counts as 1) with `seed`: round
 * 0 from the seed itself, round r from a state derived from (seed, r), so
 * the same seed gives the same (round, configuration) sequence.  0, or 2
 * with one line in err. */
int cf_sweep_expand(const cf_run_opts *o, uint64_t seed, cf_sweep *s, char *err, size_t errlen);
void cf_sweep_free(cf_sweep *s);

/* The run order of round r (0-based): s->n indices into s->cfg. */
const size_t *cf_sweep_round_order(const cf_sweep *s, int r);

/* How many of c's repetitions round r (0-based) of `rounds` runs: repeat
 * split as evenly as possible, the earlier rounds taking the remainder; 0
 * when the configuration has fewer repetitions than rounds and sits this
 * one out.  The shares over all rounds add up to c->repeat. */
int cf_sweep_round_share(const cf_sweep_config *c, int rounds, int r);

/* "thread"/"process", "none"/"compact"/"scatter"/"list". */
const char *cf_backend_name(cf_backend b);
const char *cf_pin_name(cf_pin_policy p);

/* One measured repetition: a runs.csv row.  NAN = not measured. */
typedef struct cf_row {
  const cf_sweep_config *cfg;
  int repeat;                /* the configuration's repetition index, 0..repeat-1 over all rounds */
  int round;                 /* the round (0-based) it ran in */
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

/* Why a configuration sits out the rounds left. */
typedef enum { CF_STOP_NONE = 0, CF_STOP_FAILED, CF_STOP_MAX_TIME } cf_stop_reason;

/* One configuration's outcome: a summary.csv row (computed from its rows
 * by cf_runner_summarize), and the runner's state between rounds. */
typedef struct cf_config_result {
  const cf_sweep_config *cfg;
  cf_summary s;              /* of items_per_s over ok repetitions, all rounds */
  double ideal_items_per_s, efficiency_median;
  cf_cfg_status status;
  char error[256];
  size_t nrows;              /* rows written (ok or failed) */
  /* between rounds (runner.c) */
  int measured;              /* rows so far: the next repetition index */
  int warmed;                /* its warm-ups have run (first round only) */
  double used_s;             /* time used so far, against --max-time */
  cf_stop_reason stop;
} cf_config_result;

#endif
