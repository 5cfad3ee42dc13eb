/* history_series.h -- the history as series, one per (machine,
 * configuration) of a metric, and their change points by E-divisive
 * (common/edivisive.h): each change with its magnitude (median of the
 * segment after over the segment before, minus 1; throughput, so negative
 * is slower) and the first revision after it. */
#ifndef CFB_REPORT_HISTORY_SERIES_H
#define CFB_REPORT_HISTORY_SERIES_H

#include <stddef.h>

#include "edivisive.h"
#include "history_store.h"

typedef struct cfb_hist_pt {
  char *revision, *when; /* commit time, else start time */
  double n, median, ci_lo, ci_hi;
} cfb_hist_pt;

typedef struct cfb_hist_change {
  size_t index;         /* first point after the change */
  const char *revision; /* its revision (points into the series) */
  double before, after, change, p;
} cfb_hist_change;

typedef struct cfb_hist_series {
  char *machine, *config;
  cfb_hist_pt *pt;
  size_t n, cap;
  cfb_hist_change *ch; /* after cfb_hist_detect */
  size_t nch;
} cfb_hist_series;

typedef struct cfb_hist_set {
  cfb_hist_series *s;
  size_t n;
} cfb_hist_set;

/* Every series of `metric` whose configuration contains `filter` (NULL or
 * "": all; an exact name selects only that one).  0, or -1 with err. */
int cfb_hist_series_load(cfb_hist *h, const char *metric, const char *filter, cfb_hist_set *set,
                         char *err, size_t errlen);
void cfb_hist_set_free(cfb_hist_set *set);

/* Change points of every series (seeded per series by its name, so the
 * answer is reproducible).  0, or -1 (out of memory). */
int cfb_hist_detect(cfb_hist_set *set, const cfb_ed_opts *o);

#endif
