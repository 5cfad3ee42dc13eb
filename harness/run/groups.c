/* groups.c -- the who-wins groups the runner keeps open (see groups.h). */
#include "groups.h"

#include <math.h>
#include <string.h>

#include "verdicts.h"

/* One of cfutures' two compared backends (not CPython's, not mpi). */
static int compared(const cfb_sweep_config *c) {
  cf_backend e = cfb_backend_exec(c->backend);
  return !cfb_backend_is_py(c->backend) && (e == CF_BACKEND_THREAD || e == CF_BACKEND_PROCESS);
}

/* Same group: workload, parameters and mode (the report's key). */
static int same_group(const cfb_sweep_config *a, const cfb_sweep_config *b) {
  return a->w == b->w && a->mode == b->mode && !strcmp(a->params, b->params);
}

/* The best of backend exec in the group of configuration g, SIZE_MAX if none. */
static size_t best_of(const cfb_sweep *sw, size_t g, cf_backend exec, const double *median) {
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < sw->n; i++) {
    const cfb_sweep_config *c = &sw->cfg[i];
    if (!compared(c) || cfb_backend_exec(c->backend) != exec || !same_group(c, &sw->cfg[g])) continue;
    if (!(median[i] > 0) || !isfinite(median[i])) continue;
    if (best == SIZE_MAX || median[i] > median[best]) best = i;
  }
  return best;
}

/* The first configuration of its group (each group looked at once). */
static int group_leader(const cfb_sweep *sw, size_t g) {
  for (size_t i = 0; i < g; i++)
    if (compared(&sw->cfg[i]) && same_group(&sw->cfg[i], &sw->cfg[g])) return 0;
  return 1;
}

int cfb_groups_hold(const cfb_seq_plan *plan, const cfb_sweep *sw, const double *median, const cfb_row *rows,
                    size_t nrows, unsigned char *hold) {
  memset(hold, 0, sw->n);
  for (size_t g = 0; g < sw->n; g++) {
    if (!compared(&sw->cfg[g]) || !group_leader(sw, g)) continue;
    size_t t = best_of(sw, g, CF_BACKEND_THREAD, median), p = best_of(sw, g, CF_BACKEND_PROCESS, median);
    if (t == SIZE_MAX || p == SIZE_MAX) continue; /* one backend only: no answer to wait for */
    cfb_verdict v;
    int rc = cfb_verdict_look_two(plan, &sw->cfg[t], &sw->cfg[p], rows, nrows, &v);
    if (rc) return rc;
    if (!cfb_paired_needs_more(plan, &v.r, 0)) continue;
    if (sw->cfg[t].partner != SIZE_MAX) hold[t] = 1;
    if (sw->cfg[p].partner != SIZE_MAX) hold[p] = 1;
  }
  return 0;
}
