/* analysis.h -- what plot and report show, computed once from a loaded
 * result set: configurations grouped by workload and parameter set, the
 * best configuration per backend, who wins and by how much (a paired
 * verdict with its CI), the who-wins map, and crossover points across
 * worker counts and across the values of a workload parameter.  The reporters only
 * format these (the runner computes, reporters format). */
#ifndef CFB_ANALYSIS_H
#define CFB_ANALYSIS_H

#include <stddef.h>

#include "pairs.h"
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

/* The row of one configuration (usable rows only), or NULL. */
const cfb_sumrow *cfb_an_find(const cfb_resultset *rs, const cfb_group *g, const char *backend,
                            int workers, int chunksize, const char *pin);
/* The usable row of `backend` with the highest median; workers < 0 means
 * any worker count, pin NULL any pin.  NULL if none. */
const cfb_sumrow *cfb_an_best(const cfb_resultset *rs, const cfb_group *g, const char *backend,
                            int workers, const char *pin);

/* The analysis plot and report both show, computed once (cfb_an_load):
 * the result set, its groups, and every who-wins answer -- per group the
 * best of each backend, per map cell, per point of every curve -- each a
 * paired verdict (pairs.h): verdicts.csv's row where the run wrote one,
 * else recomputed from runs.csv's rounds with the same procedure. */
typedef struct cfb_winner {
  const cfb_sumrow *thread, *process; /* best of each backend by median; NULL: it did not run */
  cfb_an_pair pair;                   /* thread / process, paired by round */
  const char *word; /* "thread", "process", "equivalent", "undecided" (cfb_who_wins_name), or
                       "only thread" / "only process" */
} cfb_winner;

/* A crossover: below x one backend wins, above it the other.  Found where
 * the paired verdict changes from one backend to the other between
 * adjacent points (equivalent and undecided points are skipped); x is
 * interpolated where the log of the paired ratio crosses 0 (geometrically
 * when all x > 0). */
typedef struct cfb_crossover {
  double x;
  const char *below, *above; /* the curve's a / b: "thread" / "process" */
} cfb_crossover;

/* One curve pair against an ordered x: the best configuration of backend
 * a (thr: "thread" unless said) and of backend b (prc: "process") at each
 * x, their medians and CIs (what the plots draw), and the paired verdict
 * of the two at each x (what decides the crossovers). */
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
  cfb_an_pair pair[CFB_AN_MAXV]; /* a / b at each x (rounds 0 where one side is missing) */
  size_t group[CFB_AN_MAXV]; /* parameter sweeps: the group of each point */
  cfb_crossover cross[8];
  size_t ncross;
} cfb_curve;

typedef struct cfb_analysis {
  cfb_resultset rs;
  cfb_pairs pairs;
  cfb_group *g;
  size_t ng;
  cfb_winner *win;   /* per group */
  cfb_curve *wsweep; /* per group: best thread vs best process against workers */
  cfb_curve *sw;     /* sweeps of one parameter, thread vs process */
  size_t nsw;
} cfb_analysis;

/* Load DIR (cfb_results_load, cfb_pairs_load) and compute everything
 * above.  0, or -1 with one line in err. */
int cfb_an_load(const char *dir, cfb_analysis *an, char *err, size_t errlen);
void cfb_an_free(cfb_analysis *an);

/* The paired verdict of one who-wins map cell (thread / process at
 * workers x chunksize, the group's pin).  0, or -1 when a side is missing. */
int cfb_an_cell(const cfb_analysis *an, const cfb_group *g, int workers, int chunksize,
                cfb_an_pair *out);

/* The map's mark of a verdict: "T" (threads faster), "P" (processes
 * faster), "=" (equivalent), "~" (undecided). */
const char *cfb_an_mark(cfb_paired_verdict v);

/* Sweeps across the numeric values of one parameter of backends a and b
 * (e.g. "py-thread", "py-process"), the other parameters fixed, at
 * `workers` workers (-1: the best over any).  Allocates *out (caller
 * frees).  0 or -1 (ENOMEM). */
int cfb_an_param_sweeps_of(const cfb_analysis *an, const char *a, const char *b, int workers,
                           cfb_curve **out, size_t *n);

/* The numeric value of `key` in a parameter string, and its unit.  0, or
 * -1 if the key is missing or not a number. */
int cfb_an_param_value(const char *params, const char *key, double *x, char *unit, size_t unitlen);

#endif
