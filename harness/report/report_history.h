/* report_history.h -- the "History" section of `cfbench report DIR
 * --history-db URL`: this run's configurations (on this run's machine)
 * over the commits of a history store (history_store.h), their change
 * points (E-divisive, history_series.h) listed, and trend plots (median
 * and CI per run, changes marked) in DIR/plots/history/.
 *
 * Two steps, so that a bad store stops the report before anything is
 * written: cfb_rep_history_load reads and decides, the section only
 * formats (and draws the plots). */
#ifndef CFB_REPORT_HISTORY_H
#define CFB_REPORT_HISTORY_H

#include <stddef.h>

#include "history_series.h"
#include "report_section.h"
#include "results.h"

/* Trend plots drawn at most: the series with change points first (the
 * largest change first), then the others; the rest are counted.  A suite
 * of 200 configurations would otherwise inline 200 images. */
#define CFB_REP_HISTORY_PLOTS 12

typedef struct cfb_hist_cli cfb_hist_cli;

typedef struct cfb_rep_history {
  const char *db;     /* NULL: no section */
  const char *metric; /* "wall" (items/s) or "cpu" (items per CPU-second) */
  cfb_ed_opts ed;     /* the detection's alpha, permutations, min-size */
  cfb_hist_set set;   /* the matching series, in the order they are shown */
  size_t nconfigs;    /* this run's configurations */
  size_t nchanges;    /* change points in set */
} cfb_rep_history;

/* Open db read-only and load the series of rs's configurations on rs's
 * machine in det's metric, with their change points found with det's
 * detection options (`history detect`'s: --metric, --alpha ...); `ignore`
 * (comma-separated, NULL: none) are the parameters the runs were stored
 * without (`history add --ignore-param`).  db NULL: an
 * empty h, 0.  0, or -1 with one line in err (cannot open or connect, not
 * a history, newer schema, out of memory). */
int cfb_rep_history_load(const char *db, const char *ignore, const cfb_hist_cli *det,
                         const cfb_resultset *rs, cfb_rep_history *h, char *err, size_t errlen);

/* The section (nothing when h->db is NULL); its plots go to
 * dir/plots/history/. */
void cfb_rep_history_section(const cfb_rep_out *o, const char *dir, const cfb_rep_history *h);

void cfb_rep_history_free(cfb_rep_history *h);

#endif
