/* schema.h -- the result schema: every column of runs.csv and summary.csv
 * and every key of meta.json, declared once (docs/results-format.md says
 * what each means).  The writers (run/output.c), every reader (report/) and
 * tests/harness/test_schema.c (which checks the docs' tables against it)
 * use these tables, so a renamed column cannot silently read back as NaN.
 *
 * Each table is an X-macro: X(ID, "name", TYPE), TYPE one of STR (text),
 * INT (a non-negative integer) or NUM (a real; empty/null = not measured);
 * meta.json also has LIST (an array of objects: config.sweeps, whose keys
 * are CFB_META_SWEEP_KEYS).
 * For each table there is an enum (CFB_RUNS_ID, CFB_SUM_ID, CFB_META_ID),
 * a name array indexed by it and a short accessor macro:
 *   cfb_csv_get(t, r, CFB_SUM(MEDIAN))   reads summary.csv's "median". */
#ifndef CFB_SCHEMA_H
#define CFB_SCHEMA_H

#include <stddef.h>

typedef enum cfb_coltype { CFB_T_STR, CFB_T_INT, CFB_T_NUM, CFB_T_BOOL, CFB_T_LIST } cfb_coltype;

/* The columns that name a configuration: the first eight of both CSVs.
 * mode came last (readers take a file without it as mode map). */
#define CFB_CONFIG_COLUMNS(X)                                                                      \
  X(WORKLOAD, "workload", STR)                                                                     \
  X(KIND, "kind", STR)                                                                             \
  X(PARAMS, "params", STR)                                                                         \
  X(BACKEND, "backend", STR)                                                                       \
  X(WORKERS, "workers", INT)                                                                       \
  X(CHUNKSIZE, "chunksize", INT)                                                                   \
  X(PIN, "pin", STR)                                                                               \
  X(MODE, "mode", STR)

/* runs.csv: one row per measured repetition. */
#define CFB_RUNS_COLUMNS(X)                                                                        \
  CFB_CONFIG_COLUMNS(X)                                                                            \
  X(REPEAT, "repeat", INT)                                                                         \
  X(ROUND, "round", INT)                                                                           \
  X(ITEMS, "items", INT)                                                                           \
  X(ITEMS_DONE, "items_done", INT)                                                                 \
  X(WALL_S, "wall_s", NUM)                                                                         \
  X(ITEMS_PER_S, "items_per_s", NUM)                                                               \
  X(POOL_START_S, "pool_start_s", NUM)                                                             \
  X(LAT_P50_US, "lat_p50_us", NUM)                                                                 \
  X(LAT_P90_US, "lat_p90_us", NUM)                                                                 \
  X(LAT_P99_US, "lat_p99_us", NUM)                                                                 \
  X(QWAIT_P50_US, "qwait_p50_us", NUM)                                                             \
  X(CPU_USER_S, "cpu_user_s", NUM)                                                                 \
  X(CPU_SYS_S, "cpu_sys_s", NUM)                                                                   \
  X(CTX_SWITCHES, "ctx_switches", NUM)                                                             \
  X(PAGE_FAULTS, "page_faults", NUM)                                                               \
  X(TASK_CLOCK_S, "task_clock_s", NUM)                                                             \
  X(CYCLES, "cycles", NUM)                                                                         \
  X(INSTRUCTIONS, "instructions", NUM)                                                             \
  X(COUNTER_LAYER, "counter_layer", STR)                                                           \
  X(IDEAL_ITEMS_PER_S, "ideal_items_per_s", NUM)                                                   \
  X(EFFICIENCY, "efficiency", NUM)                                                                 \
  X(PLACEMENT_VIOLATIONS, "placement_violations", INT)                                             \
  X(STATUS, "status", STR)                                                                         \
  X(ERROR, "error", STR)                                                                           \
  X(METRICS, "metrics", STR)                                                                       \
  X(PYTHON, "python", STR)

/* summary.csv: one row per configuration (and results.json's benchmarks). */
#define CFB_SUMMARY_COLUMNS(X)                                                                     \
  CFB_CONFIG_COLUMNS(X)                                                                            \
  X(N, "n", INT)                                                                                   \
  X(MEDIAN, "median", NUM)                                                                         \
  X(MAD, "mad", NUM)                                                                               \
  X(MEAN, "mean", NUM)                                                                             \
  X(STDDEV, "stddev", NUM)                                                                         \
  X(CI_LO, "ci_lo", NUM)                                                                           \
  X(CI_HI, "ci_hi", NUM)                                                                           \
  X(MIN, "min", NUM)                                                                               \
  X(MAX, "max", NUM)                                                                               \
  X(IDEAL_ITEMS_PER_S, "ideal_items_per_s", NUM)                                                   \
  X(EFFICIENCY_MEDIAN, "efficiency_median", NUM)                                                   \
  X(STATUS, "status", STR)                                                                         \
  X(ERROR, "error", STR)                                                                           \
  X(PYTHON, "python", STR)

/* verdicts.csv: one row per pair of configurations that differ only in
 * backend, decided on the per-round paired ratios (common/paired.h):
 * thread/process and py-thread/py-process (ratio = threads/processes
 * throughput, verdict thread or process), and cfutures against its CPython
 * peer, thread/py-thread and process/py-process (ratio = cfutures/CPython,
 * verdict thread or process naming the side: thread = cfutures).  a and b
 * name the two backends of the ratio a/b. */
#define CFB_VERDICTS_COLUMNS(X)                                                                    \
  X(WORKLOAD, "workload", STR)                                                                     \
  X(PARAMS, "params", STR)                                                                         \
  X(WORKERS, "workers", INT)                                                                       \
  X(CHUNKSIZE, "chunksize", INT)                                                                   \
  X(PIN, "pin", STR)                                                                               \
  X(MODE, "mode", STR)                                                                             \
  X(A, "a", STR)                                                                                   \
  X(B, "b", STR)                                                                                   \
  X(RATIO, "ratio", NUM)                                                                           \
  X(CI_LO, "ci_lo", NUM)                                                                           \
  X(CI_HI, "ci_hi", NUM)                                                                           \
  X(ROUNDS, "rounds", INT)                                                                         \
  X(VERDICT, "verdict", STR)

/* meta.json (and results.json's "context"): dotted paths, in the order
 * they are written. */
#define CFB_META_KEYS(X)                                                                           \
  X(TOOL, "tool", STR)                                                                             \
  X(VERSION, "version", STR)                                                                       \
  X(GIT_REVISION, "git_revision", STR)                                                             \
  X(GIT_COMMIT_TIME, "git_commit_time", STR)                                                       \
  X(COMMAND_LINE, "command_line", STR)                                                             \
  X(SEED, "seed", INT)                                                                             \
  X(SUITE, "suite", STR)                                                                           \
  X(STARTED, "started", STR)                                                                       \
  X(FINISHED, "finished", STR)                                                                     \
  X(INTERRUPTED, "interrupted", BOOL)                                                              \
  X(CONFIGS, "configs", INT)                                                                       \
  X(CONFIGS_DONE, "configs_done", INT)                                                             \
  X(COUNTER_LAYER, "counter_layer", STR)                                                           \
  X(COUNTER_LAYER_REASON, "counter_layer_reason", STR)                                             \
  X(COUNTER_NOTE, "counter_note", STR)                                                             \
  X(HOSTNAME, "machine.hostname", STR)                                                             \
  X(CPU_MODEL, "machine.cpu_model", STR)                                                           \
  X(PACKAGES, "machine.packages", INT)                                                             \
  X(CORES, "machine.cores", INT)                                                                   \
  X(PUS, "machine.pus", INT)                                                                       \
  X(USABLE_CPUS, "machine.usable_cpus", INT)                                                       \
  X(SMT, "machine.smt", BOOL)                                                                      \
  X(NUMA_NODES, "machine.numa_nodes", INT)                                                         \
  X(KERNEL, "machine.kernel", STR)                                                                 \
  X(GOVERNOR, "machine.governor", STR)                                                             \
  X(HWLOC_TOPOLOGY, "machine.hwloc_topology", STR)                                                 \
  X(MEMORY_BYTES, "machine.memory_bytes", INT)                                                     \
  X(VIRTUALIZED, "machine.virtualized", BOOL)                                                      \
  X(MHZ, "machine.mhz", NUM)                                                                       \
  X(CACHES, "machine.caches", STR)                                                                 \
  X(COMPILER, "build.compiler", STR)                                                               \
  X(FLAGS, "build.flags", STR)                                                                     \
  X(BUILD_TYPE, "build.build_type", STR)                                                           \
  X(REPEAT, "config.repeat", INT)                                                                  \
  X(WARMUP, "config.warmup", INT)                                                                  \
  X(ROUNDS, "config.rounds", INT)                                                                  \
  X(ITEMS, "config.items", INT)                                                                    \
  X(MAX_TIME_S, "config.max_time_s", NUM)                                                          \
  X(ORDER, "config.order", STR)                                                                   \
  X(ADAPTIVE, "config.adaptive", BOOL)                                                             \
  X(MIN_ROUNDS, "config.min_rounds", INT)                                                          \
  X(MAX_ROUNDS, "config.max_rounds", INT)                                                          \
  X(TARGET_CI, "config.target_ci", NUM)                                                            \
  X(BUDGET_S, "config.budget_s", NUM)                                                              \
  X(START_METHOD, "config.start_method", STR)                                                      \
  X(SWEEPS, "config.sweeps", LIST)                                                                 \
  X(ROUNDS_RUN, "run.rounds", INT)                                                                 \
  X(PLANNED_MAX_ROUNDS, "run.planned_max_rounds", INT)                                             \
  X(DROPPED_CONFIGS, "run.dropped_configs", INT)                                                   \
  X(PLAN, "run.plan", STR)                                                                         \
  X(VERDICTS, "run.verdicts", INT)                                                                 \
  X(VERDICTS_DECIDED, "run.verdicts_decided", INT)                                                 \
  X(CALIBRATIONS, "run.calibrations", STR)                                                         \
  X(TIME_ROUNDS_S, "run.time.rounds_s", NUM)                                                       \
  X(TIME_MEASURED_S, "run.time.measured_s", NUM)                                                   \
  X(TIME_PREPARE_S, "run.time.prepare_s", NUM)                                                     \
  X(TIME_SETUP_S, "run.time.setup_s", NUM)                                                         \
  X(TIME_WARMUP_S, "run.time.warmup_s", NUM)                                                       \
  X(TIME_PY_DRIVER_S, "run.time.py_driver_s", NUM)

/* One object of meta.json's config.sweeps per sweep of the run (a suite
 * has several; the command line one), in the order they were given: the
 * axes (the keys before CFB_SWEEP_ITEMS) are arrays of their values as
 * expanded (params: "KEY=V1,V2" strings as --param takes them), the rest
 * the sweep's scalars.  The run-wide config.repeat ... config.max_time_s
 * are the first sweep's (meta.json files before config.sweeps have only
 * those). */
#define CFB_META_SWEEP_KEYS(X)                                                                     \
  X(WORKLOAD, "workload", STR)                                                                     \
  X(PARAMS, "params", STR)                                                                         \
  X(BACKEND, "backend", STR)                                                                       \
  X(WORKERS, "workers", INT)                                                                       \
  X(CHUNKSIZE, "chunksize", INT)                                                                   \
  X(PIN, "pin", STR)                                                                               \
  X(ITEMS, "items", INT)                                                                           \
  X(REPEAT, "repeat", INT)                                                                         \
  X(WARMUP, "warmup", INT)                                                                         \
  X(MAX_TIME_S, "max_time_s", NUM)

/* The first run column that is not part of the configuration (results.json
 * nests the runs under their configuration and leaves those out). */
#define CFB_CONFIG_NCOLS CFB_RUNS_REPEAT

typedef enum cfb_runs_col {
#define CFB_X_(id, name, type) CFB_RUNS_##id,
  CFB_RUNS_COLUMNS(CFB_X_)
#undef CFB_X_
  CFB_RUNS_NCOLS
} cfb_runs_col;

typedef enum cfb_summary_col {
#define CFB_X_(id, name, type) CFB_SUM_##id,
  CFB_SUMMARY_COLUMNS(CFB_X_)
#undef CFB_X_
  CFB_SUM_NCOLS
} cfb_summary_col;

typedef enum cfb_verdicts_col {
#define CFB_X_(id, name, type) CFB_VER_##id,
  CFB_VERDICTS_COLUMNS(CFB_X_)
#undef CFB_X_
  CFB_VER_NCOLS
} cfb_verdicts_col;

typedef enum cfb_meta_key {
#define CFB_X_(id, name, type) CFB_META_##id,
  CFB_META_KEYS(CFB_X_)
#undef CFB_X_
  CFB_META_NKEYS
} cfb_meta_key;

typedef enum cfb_sweep_key {
#define CFB_X_(id, name, type) CFB_SWEEP_##id,
  CFB_META_SWEEP_KEYS(CFB_X_)
#undef CFB_X_
  CFB_SWEEP_NKEYS
} cfb_sweep_key;

/* Names (NULL-terminated) and types, indexed by the enums above. */
extern const char *const cfb_runs_columns[CFB_RUNS_NCOLS + 1];
extern const char *const cfb_summary_columns[CFB_SUM_NCOLS + 1];
extern const char *const cfb_verdicts_columns[CFB_VER_NCOLS + 1];
extern const char *const cfb_meta_keys[CFB_META_NKEYS + 1];
extern const cfb_coltype cfb_runs_types[CFB_RUNS_NCOLS];
extern const cfb_coltype cfb_summary_types[CFB_SUM_NCOLS];
extern const cfb_coltype cfb_verdicts_types[CFB_VER_NCOLS];
extern const cfb_coltype cfb_meta_types[CFB_META_NKEYS];
extern const char *const cfb_sweep_keys[CFB_SWEEP_NKEYS + 1];
extern const cfb_coltype cfb_sweep_types[CFB_SWEEP_NKEYS];

#define CFB_RUNS(id) (cfb_runs_columns[CFB_RUNS_##id])
#define CFB_SUM(id) (cfb_summary_columns[CFB_SUM_##id])
#define CFB_VER(id) (cfb_verdicts_columns[CFB_VER_##id])
#define CFB_META(id) (cfb_meta_keys[CFB_META_##id])
#define CFB_SWEEP(id) (cfb_sweep_keys[CFB_SWEEP_##id])

#endif
