/* sweep.h -- what `cfbench run` measures: the sweep specification parsed
 * from the command line or a suite (cli.c), its expansion into
 * configurations and their randomized order in each round (sweep.c), and
 * the records the runner (runner.c) produces for them: one cfb_row per
 * repetition, one cfb_config_result per configuration. */
#ifndef CFB_SWEEP_H
#define CFB_SWEEP_H

#include <cfutures.h>
#include <cfwork.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "counters.h"
#include "mpi_launch.h"
#include "stats.h"

/* The backends `--backend` names, declared once: X(ID, "name", executor
 * backend, python, pair, peer).  The py ones are CPython's concurrent.futures
 * run by the Python driver (pyback.h); their executor backend is the cfutures
 * one they are the peer of (what the workloads prepare for, e.g. the embedded
 * server and the ideal-rate model).  pair: the backend a configuration is
 * paired with for the who-wins verdict (run back to back, verdicts.csv), or
 * NONE: thread/process, and CPython's py-thread/py-process.  peer: its
 * counterpart on the other side of cfutures-against-CPython (thread beside
 * py-thread, process beside py-process): when both are in a sweep they run
 * in the same unit of every round as the pair does, and verdicts.csv gets
 * their paired ratio too (cfutures / CPython). */
#define CFB_BACKENDS(X)                                                                            \
  X(THREAD, "thread", CF_BACKEND_THREAD, 0, PROCESS, PY_THREAD)                                    \
  X(PROCESS, "process", CF_BACKEND_PROCESS, 0, THREAD, PY_PROCESS)                                 \
  X(MPI, "mpi", CF_BACKEND_MPI, 0, NONE, NONE)                                                     \
  X(PY_THREAD, "py-thread", CF_BACKEND_THREAD, 1, PY_PROCESS, THREAD)                              \
  X(PY_PROCESS, "py-process", CF_BACKEND_PROCESS, 1, PY_THREAD, PROCESS)

typedef enum cfb_backend {
#define CFB_X_(id, name, exec, py, pair, peer) CFB_BK_##id,
  CFB_BACKENDS(CFB_X_)
#undef CFB_X_
  CFB_BK_COUNT,
  CFB_BK_NONE = -1 /* no backend (a pair column's "none") */
} cfb_backend;

/* Its name ("thread", "py-process"), the executor backend it runs on or is
 * the peer of, whether it is a Python one.  cfb_backend_names: "thread,
 * process, mpi, py-thread, py-process". */
const char *cfb_backend_name(cfb_backend b);
cf_backend cfb_backend_exec(cfb_backend b);
int cfb_backend_is_py(cfb_backend b);
const char *cfb_backend_names(void);
/* The backend b is paired with (the table's pair), CFB_BK_NONE if none. */
cfb_backend cfb_backend_pair(cfb_backend b);

/* How the timed region hands the items to the executor (`--mode`),
 * declared once: X(ID, "name").  map: cf_map / Executor.map with the
 * chunksize, results in order (the docs' PRIMES example); submit: every
 * item submitted, then collected as they complete (cf_as_completed /
 * as_completed: the docs' load_url example); roundtrip: one item
 * submitted, its result waited for, then the next (the per-task round
 * trip).  chunksize applies to map only: the other modes run at 1. */
#define CFB_MODES(X)                                                                               \
  X(MAP, "map")                                                                                    \
  X(SUBMIT, "submit")                                                                              \
  X(ROUNDTRIP, "roundtrip")

typedef enum cfb_mode {
#define CFB_X_(id, name) CFB_MODE_##id,
  CFB_MODES(CFB_X_)
#undef CFB_X_
  CFB_MODE_COUNT
} cfb_mode;

/* "map", "submit", "roundtrip"; cfb_mode_names: "map, submit, roundtrip". */
const char *cfb_mode_name(cfb_mode m);
const char *cfb_mode_names(void);

/* How the process backends start their workers (`--start-method`),
 * declared once: X(ID, "name", the executor's cf_start_method).  The same
 * names are CPython's multiprocessing start methods, which py-process is
 * given (cfbench_py.py --start-method). */
#define CFB_START_METHODS(X)                                                                       \
  X(FORK, "fork", CF_START_FORK)                                                                   \
  X(SPAWN, "spawn", CF_START_SPAWN)                                                                \
  X(FORKSERVER, "forkserver", CF_START_FORKSERVER)

/* "fork", "spawn", "forkserver" (the executor's method); "?" for another
 * value.  cfb_start_method_names: "fork, spawn, forkserver".
 * cfb_start_method_parse: 0 and *out, or -1 for an unknown name. */
const char *cfb_start_method_name(cf_start_method m);
const char *cfb_start_method_names(void);
int cfb_start_method_parse(const char *s, cf_start_method *out);

typedef struct cfb_strlist {
  char **v;
  size_t n;
} cfb_strlist;

/* --param KEY=V1,V2: one key and its values. */
typedef struct cfb_param_axis {
  char *key;
  cfb_strlist values;
} cfb_param_axis;

/* Parses one --param value, "KEY=V1,V2" ('\,' is a literal comma), into a:
 * the one parser run and characterize share.  0, or 2 with a message in
 * err (not KEY=..., an empty value); free a with cfb_param_axis_free. */
int cfb_param_axis_parse(const char *val, cfb_param_axis *a, char *err, size_t errlen);
void cfb_param_axis_free(cfb_param_axis *a);

/* --pin list:0,1 (an hwloc bitmap list, "0-3,6" too): the PU OS indices in
 * ascending order, worker i bound to pus[i mod n]; label "list:0,1" is
 * what the pin column records. */
typedef struct cfb_pin_list {
  int *pus;
  int n;
  char *label;
} cfb_pin_list;

/* One sweep: the cartesian product of its axes.  A suite has several. */
typedef struct cfb_sweep_spec {
  const cf_workload **workloads;
  size_t nworkloads;
  cfb_param_axis *params;
  size_t nparams;
  cfb_backend *backends;
  size_t nbackends;
  int *workers;
  size_t nworkers;
  size_t *chunksizes;
  size_t nchunksizes;
  cf_pin_policy *pins;
  cfb_pin_list *pin_lists; /* parallel to pins: the PUs of each CF_PIN_LIST, zero otherwise */
  size_t npins;
  cfb_mode *modes;
  size_t nmodes;
  size_t items;       /* 0 = the workload's natural count */
  int repeat, warmup;
  double max_time_s;  /* per-configuration budget, 0 = none */
} cfb_sweep_spec;

/* Everything `cfbench run` was asked to do. */
typedef struct cfb_run_opts {
  cfb_sweep_spec *specs;
  size_t nspecs;
  char *suite;        /* --suite NAME|PATH or --file PATH as given; NULL: axes from the command line (owned) */
  char *suite_path;   /* the sweep file it names (owned) */
  uint64_t seed;
  int seed_given;
  int rounds;         /* >= 1 after parsing: the sweep runs this many rounds */
  char *out;          /* output directory (owned) */
  int force;
  double task_timeout_s; /* --task-timeout: the executor's task_timeout_s, 0 = none */
  cf_start_method start_method; /* --start-method (default CF_START_FORK) */
  int start_method_given;       /* py-process gets it only when given (else the platform's) */
  cfb_counter_layer counters;
  char *command_line; /* as typed, for meta.json (owned) */
  /* Adaptive rounds (docs/statistics.md): adaptive != 0 runs one
   * repetition of every open configuration per round, rounds min..max,
   * and closes a thread/process pair once its verdict is decided and its
   * interval within target_ci (0: no precision target); configurations
   * without a partner stop after min_rounds.  budget_s (0: none) is the
   * whole run's: no round starts that would likely end past it. */
  int adaptive;
  int min_rounds, max_rounds;
  double target_ci, budget_s;
  /* --plan-stretch (>= 1; 0 read as 1): the looks past min_rounds are
   * planned to this many times the rounds past it that fit --budget with
   * every pair to the end, within --max-rounds (roundplan.h); the budget
   * still ends the run. */
  double plan_stretch;
  char *export_gbench; /* --export-gbench FILE, or NULL (owned) */
  int dry_run;         /* --dry-run: print the configurations, run nothing (2: =tsv) */
  size_t *configs;     /* --configs: indices into the expanded sweep to keep (owned), */
  size_t nconfigs;     /* in any order, repeats allowed; 0: every configuration */
  cfb_mpi_opts mpi;   /* --mpi-np, --mpi-hostfile, --mpi-hosts */
} cfb_run_opts;

/* Parse `cfbench run` arguments (argv[0] = "run").  0, or 2 with ONE line
 * in err naming the bad argument and what is allowed; 1 for --help (usage
 * printed). */
int cfb_run_opts_parse(int argc, char **argv, cfb_run_opts *o, char *err, size_t errlen);
/* The same for a command that takes run's options (bench): cmd is the
 * one an unknown option's message points to ("see cfbench CMD --help"). */
int cfb_run_opts_parse_as(const char *cmd, int argc, char **argv, cfb_run_opts *o, char *err, size_t errlen);
void cfb_run_opts_free(cfb_run_opts *o);

/* Load a sweep file (sweepfile.h) with `cfbench run`'s options as its
 * keys: the axes and the per-sweep scalars.  0, or 2 with err. */
struct cfb_sweep_file;
int cfb_run_sweep_file_load(const char *path, struct cfb_sweep_file *f, char *err, size_t errlen);
void cfb_run_usage(FILE *f);

/* Parse one list element helpers (also used by the suites). */
int cfb_parse_duration(const char *s, double *out_s); /* "30", "30s", "500ms", "2m" */

/* One configuration. */
typedef struct cfb_sweep_config {
  size_t index;       /* position in expansion order (tables, summary.csv) */
  const cf_workload *w;
  char **kv;          /* "key=value" parameters given for this workload */
  size_t nkv;
  char *params;       /* canonical parameter string (after validation) */
  cfb_backend backend;
  int workers;
  size_t chunksize;
  cf_pin_policy pin;
  cfb_pin_list pin_list; /* CF_PIN_LIST: its PUs and label (owned); zero otherwise */
  cfb_mode mode;
  size_t items;
  size_t buffersize;  /* mode map: cf_map_options.buffersize (chunks in flight), 0 = the executor's
                         default; only characterize's no-op calibration sets it */
  int repeat, warmup;
  double max_time_s;
  double task_timeout_s; /* cf_config.task_timeout_s (process backend), 0 = none */
  cf_start_method start_method; /* cf_config.start_method (process backend) */
  int start_method_given;       /* --start-method given: py-process is told it too */
  uint64_t seed;      /* bootstrap seed of this configuration */
  size_t partner;     /* the configuration equal to this one but for the backend (its pair:
                         they run back to back every round), SIZE_MAX: none */
  size_t peer;        /* the one equal to it but for the backend's peer (thread beside
                         py-thread), SIZE_MAX: none */
} cfb_sweep_config;

/* The sweep runs in rounds: each round runs every configuration that still
 * has repetitions to do, in that round's own shuffled order, for its share
 * of the repetitions (cfb_sweep_round_share), so a burst of load on the
 * machine is spread over every configuration instead of shifting one.
 * The two configurations of a pair are adjacent in every round's order, in
 * an order drawn per round (duet benchmarking: drift hits both alike and
 * cancels in their ratio); a configuration's peer (and the peer's pair)
 * runs in the same unit, the two pairs in an order drawn per round, so
 * thread and py-thread are at most three places apart in every round. */
typedef struct cfb_sweep {
  cfb_sweep_config *cfg;
  size_t n;
  int rounds;         /* >= 1 */
  size_t *order;      /* rounds x n: order[r * n + k] = k-th configuration of round r */
} cfb_sweep;

/* Expand the specs into configurations (duplicates dropped), check every
 * --param key applies to some selected workload, check the parameter values
 * of each distinct (workload, parameters) once with cf_wk_params_check (a
 * pure check: nothing is prepared or run) and take its canonical string
 * as the configuration's params, and shuffle the
 * run order of each of o->rounds rounds (< 1 counts as 1) with `seed`: round
 * 0 from the seed itself, round r from a state derived from (seed, r), so
 * the same seed gives the same (round, configuration) sequence.  0, or 2
 * with one line in err. */
int cfb_sweep_expand(const cfb_run_opts *o, uint64_t seed, cfb_sweep *s, char *err, size_t errlen);
void cfb_sweep_free(cfb_sweep *s);

/* `cfbench run --dry-run` (sweep_print.c): what a suite or sweep file
 * means, for a person in an 80-column terminal: the count and the rounds
 * (o's adaptive ones as a range and the budget; o NULL: s->rounds),
 * then per run of configurations sharing workload, parameters, items,
 * repeat, warm-up and max-time one heading (wrapped) and a row per
 * configuration: its index (what --configs takes), backend, workers,
 * chunksize, mode and pin. */
void cfb_sweep_print(FILE *f, const cfb_sweep *s, const cfb_run_opts *o);

/* `cfbench run --dry-run=tsv`: the same for programs (cfbench ab): a
 * header row CFB_SWEEP_TSV_HEADER, then one row per configuration in
 * expansion order, tab-separated, a tab, newline, CR or backslash in a
 * field written \t \n \r \\.  Its columns only ever grow at the end. */
#define CFB_SWEEP_TSV_HEADER                                                                          \
  "index\tworkload\tparams\tbackend\tworkers\tchunksize\tpin\tmode\titems\trepeat\twarmup\tmax_time_s"
void cfb_sweep_print_tsv(FILE *f, const cfb_sweep *s);

/* The run order of round r (0-based): s->n indices into s->cfg. */
const size_t *cfb_sweep_round_order(const cfb_sweep *s, int r);

/* How many of c's repetitions round r (0-based) of `rounds` runs: repeat
 * split as evenly as possible, the earlier rounds taking the remainder; 0
 * when the configuration has fewer repetitions than rounds and sits this
 * one out.  The shares over all rounds add up to c->repeat. */
int cfb_sweep_round_share(const cfb_sweep_config *c, int rounds, int r);

/* Whether --param key `key` applies to workload w: "delay" to every
 * workload with a delay, "sleep.delay" to sleep's alone (*scoped = 1).
 * The parameter's bare name, or NULL. */
const char *cfb_param_applies(const cf_workload *w, const char *key, int *scoped);

/* "none"/"compact"/"scatter"/"list". */
const char *cfb_pin_name(cf_pin_policy p);
/* What the pin column records for c: its policy's name, or "list:0,1". */
const char *cfb_config_pin(const cfb_sweep_config *c);
void cfb_pin_list_free(cfb_pin_list *l);

/* One measured repetition: a runs.csv row.  NAN = not measured. */
typedef struct cfb_row {
  const cfb_sweep_config *cfg;
  int repeat;                /* the configuration's repetition index, 0..repeat-1 over all rounds */
  int round;                 /* the round (0-based) it ran in */
  size_t items, items_done;
  double wall_s, items_per_s, pool_start_s;
  double lat_p50_us, lat_p90_us, lat_p99_us, qwait_p50_us;
  cfb_counter_values ctr;
  const char *counter_layer;
  double ideal_items_per_s, efficiency;
  long placement_violations; /* -1 = not measured */
  int ok;
  char error[256];
  char *metrics;             /* "name=value;..." (owned) */
  char python[96];           /* py backends: "CPython 3.11.7 fork"; "" otherwise */
} cfb_row;

/* DROPPED: adaptive rounds, the budget's plan dropped it after round 1
 * (roundplan.h): its row is kept, but it is no point of the plan, so the
 * who-wins answers leave it out. */
typedef enum { CFB_CFG_OK = 0, CFB_CFG_PARTIAL, CFB_CFG_FAILED, CFB_CFG_NOT_RUN, CFB_CFG_DROPPED } cfb_cfg_status;
const char *cfb_cfg_status_name(cfb_cfg_status s);

/* Why a configuration sits out the rounds left. */
typedef enum {
  CFB_STOP_NONE = 0,
  CFB_STOP_FAILED,
  CFB_STOP_MAX_TIME,
  CFB_STOP_DECIDED, /* adaptive rounds: its pair is decided (or it has min_rounds, unpaired) */
  CFB_STOP_DROPPED  /* adaptive rounds: the budget's plan dropped it after round 1 (roundplan.h) */
} cfb_stop_reason;

/* One configuration's outcome: a summary.csv row (computed from its rows
 * by cfb_runner_summarize), and the runner's state between rounds. */
/* Where a run's (or a configuration's) time went, seconds. */
typedef struct cfb_phase_times {
  double rounds_s;    /* the rounds, start to end (runs only) */
  double measured_s;  /* timed regions of the measured repetitions */
  double prepare_s;   /* workload prepare and teardown */
  double setup_s;     /* around each measured repetition: pool start and shutdown, counters */
  double warmup_s;    /* whole warm-up repetitions (C backends) */
  double py_driver_s; /* py backends: the driver's run minus its timed regions */
} cfb_phase_times;

typedef struct cfb_config_result {
  const cfb_sweep_config *cfg;
  cfb_summary s;              /* of items_per_s over ok repetitions, all rounds */
  double ideal_items_per_s, efficiency_median;
  cfb_cfg_status status;
  char error[256];
  char python[96];           /* py backends: the python of its rows; "" otherwise */
  size_t nrows;              /* rows written (ok or failed) */
  /* between rounds (runner.c) */
  int measured;              /* rows so far: the next repetition index */
  int warmed;                /* its warm-ups have run (first round only) */
  double used_s;             /* time used so far, against --max-time */
  double warm_s;             /* of which in warm-ups (the budget's estimate of a round leaves it out) */
  /* Where used_s went, over all rounds (meta.json's "time" breakdown):
   * preparing the workload, the measured repetitions' timed regions, the
   * set-up around them (pool created and shut down, counters), and for the
   * py backends the driver's own time (python start-up, imports, pool,
   * warm-ups: its run minus the timed regions). */
  cfb_phase_times t;           /* rounds_s unused */
  /* The prepared workload (C backends), kept from the configuration's first
   * round to its last (runner.c): prepare (items, expected answers, an
   * embedded server) once, not every round, if keep_run (the caller then
   * calls cfb_runner_release for each); else torn down every round.
   * NULL: none. */
  cf_wk_run *run;
  int keep_run;
  cfb_stop_reason stop;
} cfb_config_result;

#endif
