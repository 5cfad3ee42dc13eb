/* output.h -- the result files of `cfbench run` (docs/results-format.md):
 * runs.csv appended and flushed row by row; summary.csv, results.json and
 * verdicts.csv and meta.json written atomically (temporary file + rename).  Writers only
 * format what the runner computed. */
#ifndef CFB_OUTPUT_H
#define CFB_OUTPUT_H

#include <stdio.h>

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
  int repeat, warmup;         /* of the first sweep (suites may vary: see configs) */
  int rounds;                 /* --rounds: the whole sweep's */
  size_t items;
  double max_time_s;
  int adaptive, min_rounds, max_rounds; /* adaptive rounds (0: fixed) */
  double target_ci, budget_s;
  size_t configs, configs_done;
  int interrupted;
} cfb_meta;

/* Create `dir` (and parents).  Refuses a non-empty directory unless
 * force.  0, or 2 with one line in err. */
int cfb_out_prepare_dir(const char *dir, int force, char *err, size_t errlen);

/* runs.csv */
FILE *cfb_out_runs_open(const char *dir, char *err, size_t errlen); /* header written */
int cfb_out_runs_append(FILE *f, const cfb_row *row);                /* written and flushed */

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
