/* groups.c -- the who-wins groups the runner keeps open (see groups.h). */
#include "groups.h"

#include <math.h>
#include <stdlib.h>
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

/* Configuration i is of backend exec in the group of g, with a median. */
static int member(const cfb_sweep *sw, size_t g, size_t i, cf_backend exec, const double *median) {
  const cfb_sweep_config *c = &sw->cfg[i];
  return compared(c) && cfb_backend_exec(c->backend) == exec && same_group(c, &sw->cfg[g]) && median[i] > 0 &&
         isfinite(median[i]);
}

/* The best of backend exec in the group of configuration g, SIZE_MAX if none. */
static size_t best_of(const cfb_sweep *sw, size_t g, cf_backend exec, const double *median) {
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < sw->n; i++)
    if (member(sw, g, i, exec, median) && (best == SIZE_MAX || median[i] > median[best])) best = i;
  return best;
}

/* The contenders of backend exec in g's group into out[0..*nout): its best
 * by median first, then every other one that the rounds so far have not
 * shown slower than that best (its look against the best, on the rounds
 * both ran, at the plan's level: the interval of c/best not below 1).  A
 * near-tie by median is a coin the next rounds may turn (the default
 * suite's mixed cpu_us=1ms gil=off, seed 42: process at 8 workers was the
 * best when process at 4 workers' own pair was decided at 11 rounds; 4
 * workers became the best later, with its 11 rounds, and the group stayed
 * 1.06x [0.72, 1.15]).  The plan's early looks are strict, so early on
 * almost every configuration is a contender; that costs only the groups
 * still undecided (cfb_groups_hold).  0 or CFB_PAIRED_ENOMEM. */
static int contenders(const cfb_seq_plan *plan, const cfb_sweep *sw, size_t g, cf_backend exec,
                      const double *median, const cfb_row *rows, size_t nrows, size_t *out, size_t *nout) {
  *nout = 0;
  size_t best = best_of(sw, g, exec, median);
  if (best == SIZE_MAX) return 0;
  out[(*nout)++] = best;
  for (size_t i = 0; i < sw->n; i++) {
    if (i == best || !member(sw, g, i, exec, median)) continue;
    cfb_verdict v;
    int rc = cfb_verdict_look_two(plan, &sw->cfg[i], &sw->cfg[best], rows, nrows, &v);
    if (rc) return rc;
    int slower = v.r.achievable && v.r.ci_hi < 1; /* NAN (too few rounds): not shown slower */
    if (!slower) out[(*nout)++] = i;
  }
  return 0;
}

/* Does any answer the group could end with -- a thread contender against
 * a process contender -- still need rounds?  *more set; 0 or ENOMEM. */
static int group_needs_more(const cfb_seq_plan *plan, const cfb_sweep *sw, const size_t *t, size_t nt,
                            const size_t *p, size_t np, const cfb_row *rows, size_t nrows, int *more) {
  *more = 0;
  for (size_t i = 0; i < nt && !*more; i++)
    for (size_t j = 0; j < np && !*more; j++) {
      cfb_verdict v;
      int rc = cfb_verdict_look_two(plan, &sw->cfg[t[i]], &sw->cfg[p[j]], rows, nrows, &v);
      if (rc) return rc;
      *more = cfb_paired_needs_more(plan, &v.r, 0);
    }
  return 0;
}

/* The first configuration of its group (each group looked at once). */
static int group_leader(const cfb_sweep *sw, size_t g) {
  for (size_t i = 0; i < g; i++)
    if (compared(&sw->cfg[i]) && same_group(&sw->cfg[i], &sw->cfg[g])) return 0;
  return 1;
}

/* Hold group g's contenders if any of its possible answers needs rounds. */
static int hold_group(const cfb_seq_plan *plan, const cfb_sweep *sw, size_t g, const double *median,
                      const cfb_row *rows, size_t nrows, size_t *t, size_t *p, unsigned char *hold) {
  size_t nt, np;
  int more, rc = contenders(plan, sw, g, CF_BACKEND_THREAD, median, rows, nrows, t, &nt);
  if (!rc) rc = contenders(plan, sw, g, CF_BACKEND_PROCESS, median, rows, nrows, p, &np);
  if (rc || nt == 0 || np == 0) return rc; /* one backend only: no answer to wait for */
  if ((rc = group_needs_more(plan, sw, t, nt, p, np, rows, nrows, &more)) || !more) return rc;
  for (size_t i = 0; i < nt; i++) hold[t[i]] |= sw->cfg[t[i]].partner != SIZE_MAX;
  for (size_t j = 0; j < np; j++) hold[p[j]] |= sw->cfg[p[j]].partner != SIZE_MAX;
  return 0;
}

int cfb_groups_hold(const cfb_seq_plan *plan, const cfb_sweep *sw, const double *median, const cfb_row *rows,
                    size_t nrows, unsigned char *hold) {
  memset(hold, 0, sw->n);
  size_t *t = malloc((sw->n ? sw->n : 1) * sizeof *t), *p = malloc((sw->n ? sw->n : 1) * sizeof *p);
  int rc = t && p ? 0 : CFB_PAIRED_ENOMEM;
  for (size_t g = 0; !rc && g < sw->n; g++)
    if (compared(&sw->cfg[g]) && group_leader(sw, g)) rc = hold_group(plan, sw, g, median, rows, nrows, t, p, hold);
  free(t);
  free(p);
  return rc;
}
