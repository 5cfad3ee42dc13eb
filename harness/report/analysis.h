/* analysis.h -- what plot and report show, computed once from a loaded
 * result set: configurations grouped by workload and parameter set, the
 * best configuration per backend, who wins and by how much (with a CI),
 * the thread/process ratio map, and crossover points across worker counts
 * and across the values of a workload parameter.  The reporters only
 * format these (the runner computes, reporters format). */
#ifndef CFB_ANALYSIS_H
#define CFB_ANALYSIS_H

#include <stddef.h>

#include "results.h"

#define CFB_AN_MAXV 64 /* distinct workers / chunksizes / points kept per axis */

/* All configurations of one workload with one parameter string. */
typedef struct cfb_group {
  const char *workload, *kind, *params;
  size_t *rows; /* indices into rs->rows */
  size_t nrows;
  int workers[CFB_AN_MAXV], chunks[CFB_AN_MAXV]; /* distinct values, ascending */
  size_t nworkers, nchunks;
  const char *pin; /* the pin the map and crossovers use: "none" if present */
  int npins;
} cfb_group;

/* Groups in order of first appearance in summary.csv.  0 or -1 (ENOMEM). */
int cfb_an_groups(const cfb_resultset *rs, cfb_group **out, size_t *n);
void cfb_an_groups_free(cfb_group *g, size_t n);

/* The row of one configuration (usable rows only), or NULL. */
const cfb_sumrow *cfb_an_find(const cfb_resultset *rs, const cfb_group *g, const char *backend,
                            int workers, int chunksize, const char *pin);
/* The usable row of `backend` with the highest median; workers < 0 means
 * any worker count, pin NULL any pin.  NULL if none. */
const cfb_sumrow *cfb_an_best(const cfb_resultset *rs, const cfb_group *g, const char *backend,
                            int workers, const char *pin);

/* Who wins a group: the best configuration overall, the best of the other
 * backend, ratio = best / other medians, a conservative interval of the
 * ratio from the two CIs ([lo_a / hi_b, hi_a / lo_b]) and whether the CIs
 * are apart (clear = 1) or overlap (the difference may be noise). */
typedef struct cfb_winner {
  const cfb_sumrow *best, *other; /* other NULL when only one backend ran */
  double ratio, ratio_lo, ratio_hi;
  int clear;
} cfb_winner;
/* 0, or -1 when the group has no usable row. */
int cfb_an_winner(const cfb_resultset *rs, const cfb_group *g, cfb_winner *w);

/* Thread median / process median of one cell of the who-wins map (NAN if
 * either is missing). */
double cfb_an_ratio(const cfb_resultset *rs, const cfb_group *g, int workers, int chunksize,
                   const char *pin);

/* The same, and whether the cell is a tie by the rule cfb_an_winner uses
 * (the two CIs overlap; without CIs, closer than 5%): what the who-wins
 * map marks "~". */
double cfb_an_cell(const cfb_resultset *rs, const cfb_group *g, int workers, int chunksize,
                   const char *pin, int *tie);

/* A crossover: below x one backend wins, above it the other.  Found where
 * the clear winner changes between adjacent points (points whose CIs
 * overlap, or closer than CFB_AN_TIE, are ties and skipped); x is
 * interpolated where log(ratio) crosses 0 (geometrically when all x > 0). */
#define CFB_AN_TIE 0.03
typedef struct cfb_crossover {
  double x;
  const char *below, *above; /* the curve's a / b: "thread" / "process" */
} cfb_crossover;

/* One curve pair against an ordered x: the best configuration of backend
 * a (thr: "thread" unless said) and of backend b (prc: "process") at each x. */
typedef struct cfb_curve {
  const char *a, *b;  /* the two backends */
  const char *workload;
  char key[64];       /* "workers", or the parameter name */
  char context[256];  /* the other parameters ("io_us=1000"), may be empty */
  char unit[16];      /* the unit suffix of the parameter values ("us", "") */
  size_t n;
  double x[CFB_AN_MAXV];
  double thr[CFB_AN_MAXV], thr_lo[CFB_AN_MAXV], thr_hi[CFB_AN_MAXV];
  double prc[CFB_AN_MAXV], prc_lo[CFB_AN_MAXV], prc_hi[CFB_AN_MAXV];
  size_t group[CFB_AN_MAXV]; /* parameter sweeps: the group of each point */
  cfb_crossover cross[8];
  size_t ncross;
} cfb_curve;

/* Best thread vs best process against the worker count, in one group. */
void cfb_an_worker_sweep(const cfb_resultset *rs, const cfb_group *g, cfb_curve *s);

/* Sweeps across the numeric values of one parameter, the other parameters
 * fixed, best over every configuration at each value.  Allocates *out
 * (caller frees).  0 or -1 (ENOMEM). */
int cfb_an_param_sweeps(const cfb_resultset *rs, const cfb_group *g, size_t ng, cfb_curve **out,
                       size_t *n);

/* The same for backends a and b (e.g. "py-thread", "py-process"), at
 * `workers` workers (-1: the best over any). */
int cfb_an_param_sweeps_of(const cfb_resultset *rs, const cfb_group *g, size_t ng, const char *a,
                          const char *b, int workers, cfb_curve **out, size_t *n);

/* The numeric value of `key` in a parameter string, and its unit.  0, or
 * -1 if the key is missing or not a number. */
int cfb_an_param_value(const char *params, const char *key, double *x, char *unit, size_t unitlen);

/* Parse a parameter value "50us", "1KiB", "4": the number, and its unit
 * suffix.  0, or -1 if it does not start with a number. */
int cfb_an_parse_value(const char *v, double *num, char *unit, size_t unitlen);


#endif
