/* output.h -- the result files of `cfbench run` (docs/results-format.md):
 * runs.csv appended and flushed row by row; summary.csv, results.json and
 * verdicts.csv and meta.json written atomically (temporary file + rename).  Writers only
 * format what the runner computed. */
#ifndef CFB_OUTPUT_H
#define CFB_OUTPUT_H

#include <stdio.h>
#include <sys/types.h>

#include "env.h"
#include "sweep.h"
#include "verdicts.h"

/* What meta.json says about a run. */
typedef struct cfb_meta {
  const cfb_env *env;
  const char *command_line;
  uint64_t seed;
  const char *suite;          /* NULL: none */
  char started[32], finished[32]; /* finished "" while running */
  const char *counter_layer, *counter_reason, *counter_note;
  const cfb_sweep_spec *specs; /* every sweep, for config.sweeps */
  size_t nspecs;
  int repeat, warmup;         /* of the first sweep (suites may vary: see specs) */
  int rounds;                 /* --rounds: the whole sweep's */
  size_t items;
  double max_time_s;
  int adaptive, min_rounds, max_rounds; /* adaptive rounds (0: fixed) */
  double target_ci, budget_s;
  const char *start_method;   /* --start-method's name (default "fork") */
  size_t configs, configs_done;
  int interrupted;
  /* How the run went (filled in at its end; 0 before): rounds started,
   * paired verdicts and how many decided (not "undecided"), the
   * calibrations the workloads measured ("NAME=VALUE;..."), and where the
   * rounds' time went (cfb_phase_times: the rest of rounds_s is the
   * harness's own -- rows, looks, the terminal). */
  int rounds_run;
  /* Adaptive rounds: the plan's max-rounds, fixed after round 1 from its
   * times and the budget (roundplan.h; the cap max_rounds when no round
   * finished), the configurations the plan dropped to fit min_rounds, and
   * the one line that says how it was planned ("" with fixed rounds). */
  int planned_max_rounds;
  size_t dropped_configs;
  char plan[320];
  size_t verdicts, verdicts_decided;
  char calibrations[1024];
  cfb_phase_times time;
} cfb_meta;

/* Create `dir` (and parents).  Refuses a non-empty directory unless
 * force; with force, removes what an earlier run left there (summary.csv,
 * results.json, meta.json, report.*, plots/) so nothing old survives
 * beside the new rows.  0, or 2 with one line in err. */
int cfb_out_prepare_dir(const char *dir, int force, char *err, size_t errlen);

/* runs.csv, appended one whole row per write.  After a failed write (a
 * full disk) the file is cut back to its last complete row and nothing
 * more is appended: rows later rows would otherwise glue onto a half row. */
typedef struct cfb_runs_file {
  char path[4200];
  int fd;
  off_t size;     /* bytes of the header and the complete rows */
  size_t rows;    /* complete rows in the file */
  int failed;     /* an append failed: see err; the file holds `rows` rows */
  int err;        /* errno of that failure */
  int cut_failed; /* errno if cutting back failed too (the file may end in a half row) */
} cfb_runs_file;
/* Create it with its header.  0, or 2 with one line in err. */
int cfb_out_runs_open(cfb_runs_file *rf, const char *dir, char *err, size_t errlen);
/* Write and flush one row.  0, or -1 (errno set; rf->failed). */
int cfb_out_runs_append(cfb_runs_file *rf, const cfb_row *row);
int cfb_out_runs_close(cfb_runs_file *rf);

/* Atomic writers: 0, or -1 with errno set. */
int cfb_out_write_summary(const char *dir, const cfb_config_result *res, size_t n);
int cfb_out_write_verdicts(const char *dir, const cfb_verdict *v, size_t n);
int cfb_out_write_meta(const char *dir, const cfb_meta *m);
int cfb_out_write_results_json(const char *dir, const cfb_meta *m, const cfb_config_result *res,
                              size_t n, const cfb_row *rows, size_t nrows);

/* The column names, in order, are schema.h's cfb_runs_columns and
 * cfb_summary_columns. */
#include "schema.h"

#endif
