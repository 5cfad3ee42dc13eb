/* history_load.h -- one finished cfbench run directory as a history run
 * (history_store.h): meta.json gives the revision, times and machine;
 * runs.csv's ok repetitions give, per configuration, the median and 95%
 * bootstrap CI of wall throughput (items/s) and of items per CPU-second.
 * A run that did not finish (no meta.json, no finish time, interrupted)
 * is refused: its figures would be a partial sweep. */
#ifndef CFB_REPORT_HISTORY_LOAD_H
#define CFB_REPORT_HISTORY_LOAD_H

#include <stddef.h>

#include "history_store.h"

/* The metrics stored per configuration, in this order. */
#define CFB_HIST_METRICS {"wall", "cpu"}

typedef struct cfb_hist_loaded {
  cfb_hist_run run;      /* points into the fields below */
  cfb_hist_result *res;
  char **strings;        /* everything run and res point to */
  size_t nstrings;
} cfb_hist_loaded;

/* What `history add` may override or drop. */
typedef struct cfb_hist_load_opts {
  const char *revision;    /* instead of meta.json's git_revision (NULL: keep) */
  const char *commit_time; /* ISO 8601, or NULL */
  const char *ignore;      /* comma-separated parameter names left out of the configuration */
} cfb_hist_load_opts;

/* Load DIR.  0, or -1 with one line in err naming DIR and the problem. */
int cfb_hist_load(const char *dir, const cfb_hist_load_opts *o, cfb_hist_loaded *out, char *err,
                  size_t errlen);
void cfb_hist_loaded_free(cfb_hist_loaded *l);

#endif
