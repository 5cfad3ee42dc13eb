/* results.h -- load a cfbench result directory for the reporters (plot,
 * report): summary.csv as typed rows, and the machine context from
 * meta.json.  Reading only; the formats are in docs/results-format.md. */
#ifndef CFB_RESULTS_H
#define CFB_RESULTS_H

#include <stddef.h>

#include "csvread.h"

/* One summary.csv row.  Strings point into the loaded table. */
typedef struct cfb_sumrow {
  /* params: the configuration's, with ",mode=M" appended when its mode is
   * not map (submit, roundtrip), so every grouping by parameters keeps the
   * modes apart; mode: "map" also for a file from before the column. */
  const char *workload, *kind, *params, *backend, *pin, *status, *mode;
  char *own_params; /* params when it was made here (freed with the set), else NULL */
  int workers, chunksize;
  double n, median, ci_lo, ci_hi, ideal, efficiency; /* NAN when empty */
  int usable; /* status ok/partial with a finite median > 0 */
} cfb_sumrow;

/* The machine and run context of meta.json (empty strings / NAN when the
 * file or a field is missing). */
typedef struct cfb_machine {
  char cpu_model[160], hostname[128], kernel[160], governor[64], topology[160];
  char counter_layer[32], counter_reason[256], git_revision[64], compiler[80];
  char flags[256], build_type[32], suite[64], started[48], finished[48];
  double cores, pus, numa_nodes, repeat, warmup, virtualized;
  double rounds, adaptive, min_rounds, max_rounds; /* the run's rounds and plan (pairs.c) */
  double planned_max_rounds; /* the max round 1 planned from the budget (NAN: none, max_rounds holds) */
  /* Over every sweep of config.sweeps (a suite's sweeps may differ): the
   * fewest and most repetitions and warm-ups; = repeat, warmup for a
   * meta.json written before config.sweeps existed. */
  double repeat_min, repeat_max, warmup_min, warmup_max;
  size_t nsweeps; /* entries of config.sweeps, 0 for such an older file */
  int have_meta;
  char meta_error[600]; /* why meta.json could not be read ("" if it was): "PATH:LINE:COL: ..." */
} cfb_machine;

typedef struct cfb_resultset {
  cfb_csv_table table; /* summary.csv */
  cfb_csv_table verdicts; /* verdicts.csv (no rows when the run has none) */
  cfb_sumrow *rows;
  size_t nrows;
  cfb_machine machine;
} cfb_resultset;

/* Load DIR/summary.csv, DIR/meta.json and DIR/verdicts.csv (the last two
 * optional).  0, or
 * -1 with a one-line message in err (no directory, no summary.csv, a
 * missing column, a malformed number). */
int cfb_results_load(const char *dir, cfb_resultset *rs, char *err, size_t errlen);
void cfb_results_free(cfb_resultset *rs);

/* Load just the machine context of DIR/meta.json (have_meta = 0 if absent). */
void cfb_machine_load(const char *dir, cfb_machine *m);

/* "Intel Xeon ... , 2 cores / 2 PUs" (or "machine unknown"). */
void cfb_machine_line(const cfb_machine *m, char *out, size_t outlen);

#endif
