/* pairs.h -- the paired data of a result directory, for the who-wins
 * decisions of analysis.c: each summary row's measurements by round (from
 * runs.csv), the rows of verdicts.csv, the run's sequential plan (from
 * meta.json), and the one function every who-wins answer goes through:
 * the paired verdict of two configurations (docs/statistics.md).
 * Reading and pairing only; no output here. */
#ifndef CFB_PAIRS_H
#define CFB_PAIRS_H

#include <stddef.h>

#include "paired.h"
#include "results.h"

/* One row of verdicts.csv.  Strings point into the loaded table. */
typedef struct cfb_vrow {
  const char *workload, *params, *pin, *mode, *a, *b; /* mode "map", a "thread", b "process" by default */
  int workers, chunksize;
  double ratio, ci_lo, ci_hi;
  size_t rounds;
  cfb_paired_verdict verdict;
} cfb_vrow;

typedef struct cfb_pairs {
  /* runs.csv: the ok measurements of summary row r are round[i], x[i] for
   * i in [start[r], start[r] + count[r]).  have_runs 0: no runs.csv. */
  int *round;
  double *x;
  size_t *start, *count;
  int have_runs;
  /* verdicts.csv's rows, pointing into rs->verdicts (have_verdicts 0: the file is absent) */
  cfb_vrow *v;
  size_t nv;
  int have_verdicts;
  cfb_seq_plan plan; /* the run's looks: what verdicts.csv's levels came from */
} cfb_pairs;

/* Load DIR/runs.csv and DIR/verdicts.csv (both optional) for the rows of
 * rs.  A runs.csv without a round column (older runs) pairs by repeat.
 * 0, or -1 with one line in err (a malformed file, out of memory). */
int cfb_pairs_load(const char *dir, const cfb_resultset *rs, cfb_pairs *p, char *err, size_t errlen);
void cfb_pairs_free(cfb_pairs *p);

/* The paired verdict of configuration a against b (summary rows of rs):
 * ratio = a / b throughput, its CI, the rounds paired, and the verdict
 * (A: a faster, B: b faster, equivalent within +-3%, undecided). */
typedef struct cfb_an_pair {
  double ratio, ci_lo, ci_hi; /* CI NAN when fewer than 2 rounds paired */
  size_t rounds;              /* 0: no round data (ratio of the medians, undecided) */
  cfb_paired_verdict verdict;
  int from_file;              /* 1: the row of verdicts.csv */
  double level;               /* the level of the look after `rounds` in the run's plan */
  size_t rounds_needed;       /* 0, or: `rounds` cannot reach `level` (the CI is the range,
                                 the verdict undecided), this many can */
} cfb_an_pair;

/* verdicts.csv's row when a and b are the two sides of one of its pairs
 * (a thread, b process, same workload, params, workers, chunksize, pin);
 * otherwise recomputed from the rounds both ran, with the same procedure
 * and the run's plan (cfb_paired_look).  0, or CFB_PAIRED_ENOMEM. */
int cfb_pairs_verdict(const cfb_pairs *p, const cfb_resultset *rs, const cfb_sumrow *a,
                      const cfb_sumrow *b, cfb_an_pair *out);

#endif
