/* roundplan.c -- the budget's plan of adaptive rounds (see roundplan.h):
 * the thinning levels of the sweep's grids, and the most rounds that fit. */
#include "roundplan.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* The depth of the binary subdivision of 0..m-1 that reaches index k: the
 * ends 0, the middle 1, the quarters 2, ... */
static int subdivision_depth(size_t k, size_t m) {
  if (m <= 2 || k == 0 || k + 1 >= m) return 0;
  size_t lo = 0, hi = m - 1;
  for (int depth = 1;; depth++) { /* lo < k < hi holds, so this ends */
    size_t mid = lo + (hi - lo) / 2;
    if (k == mid) return depth;
    if (k < mid) hi = mid;
    else lo = mid;
  }
}

/* Same grid: equal but for backend, workers and chunksize. */
static int same_grid(const cfb_sweep_config *a, const cfb_sweep_config *b) {
  if (a->w != b->w || a->pin != b->pin || a->mode != b->mode || a->items != b->items ||
      strcmp(a->params, b->params) || strcmp(cfb_config_pin(a), cfb_config_pin(b)))
    return 0;
  return 1;
}

/* Index of value v among the distinct values of one axis of i's grid, and
 * how many there are (axis 0 workers, 1 chunksize). */
static void axis_place(const cfb_sweep *sw, size_t i, int axis, size_t *k, size_t *m) {
  const cfb_sweep_config *c = &sw->cfg[i];
  size_t v = axis ? c->chunksize : (size_t)c->workers;
  *k = *m = 0;
  for (size_t j = 0; j < sw->n; j++) {
    const cfb_sweep_config *d = &sw->cfg[j];
    if (!same_grid(c, d)) continue;
    size_t u = axis ? d->chunksize : (size_t)d->workers;
    int first = 1; /* u counted once: at its first configuration in the grid */
    for (size_t q = 0; q < j && first; q++)
      if (same_grid(c, &sw->cfg[q]) && (axis ? sw->cfg[q].chunksize : (size_t)sw->cfg[q].workers) == u) first = 0;
    if (!first) continue;
    (*m)++;
    if (u < v) (*k)++;
  }
}

void cfb_plan_levels(const cfb_sweep *sw, int *level) {
  for (size_t i = 0; i < sw->n; i++) {
    level[i] = 0;
    for (int axis = 0; axis < 2; axis++) {
      size_t k, m;
      axis_place(sw, i, axis, &k, &m);
      int d = subdivision_depth(k, m);
      if (d > level[i]) level[i] = d;
    }
  }
}

/* The last round configuration c runs in under a plan of n rounds: a
 * paired one to n, an unpaired one to min_rounds (it has no verdict to
 * wait for), both within --max-time (the runner starts round r's
 * repetition while what it used before is at most max_time_s). */
static int last_round(const cfb_plan_cost *c, int n, int min_rounds) {
  int last = c->paired || min_rounds > n ? n : min_rounds;
  if (c->max_time_s > 0 && c->round_s > 0) {
    if (c->used_s > c->max_time_s) return 1;
    double more = floor((c->max_time_s - c->used_s) / c->round_s) + 2;
    if (more < last) last = (int)more;
  }
  return last;
}

/* Later rounds are planned this much slower than round 1: a round's time
 * drifts by 10-50% within minutes on a shared machine, and a plan that fit
 * only at round 1's exact pace had the budget stop it a round short of its
 * max -- below min_rounds when the plan was shrunk to fit them, where no
 * pair is decided at all. */
#define PLAN_HEADROOM 1.2

/* The run's time at the end of an n-round plan without the configurations
 * whose level is >= drop_level (0: none dropped). */
static double plan_time(const cfb_plan_in *in, int n, int drop_level) {
  double s = 0;
  for (size_t i = 0; i < in->n; i++) {
    const cfb_plan_cost *c = &in->cfg[i];
    if (!c->active || (drop_level > 0 && c->level >= drop_level)) continue;
    s += c->round_s * (double)(last_round(c, n, in->min_rounds) - 1);
  }
  return in->elapsed_s + s * (in->overhead >= 1 ? in->overhead : 1) * PLAN_HEADROOM;
}

/* The most rounds, min_rounds..cap, that fit; 0 if min_rounds does not. */
static int most_rounds(const cfb_plan_in *in, int drop_level) {
  if (in->budget_s <= 0) return in->cap; /* no budget: the cap alone */
  int best = 0;
  for (int n = in->min_rounds; n <= in->cap && plan_time(in, n, drop_level) <= in->budget_s; n++) best = n;
  return best;
}

/* The stretch of the plan's looks past what fits (roundplan.h). */
static void stretch(const cfb_plan_in *in, cfb_round_plan *out) {
  out->fit_rounds = out->max_rounds;
  /* A plan shrunk to fit (configurations dropped) has no time to spare:
   * stretched, its stricter looks would meet the budget near min_rounds. */
  if (in->budget_s <= 0 || out->max_rounds <= 0 || out->dropped || !(in->stretch > 1)) return;
  /* The stretch bets that pairs close before the plan's end and leave
   * their time to the rest; with few rounds past the minimum that fit,
   * pairs have no looks to close in, and a stretched plan only makes the
   * looks the budget reaches stricter (at load 15-60 the default suite fit
   * 10, stretched 6x planned 30, and the budget stopped it at round 8,
   * where no interval could reach the 6..30 plan's level 0.0016: 0 of 90
   * decided).  So the full stretch only once the rounds past the minimum
   * that fit are twice the minimum, and proportionally less below. */
  int past = out->max_rounds - in->min_rounds;
  double room = in->min_rounds > 0 ? (double)past / (2.0 * in->min_rounds) : 1;
  double f = 1 + (in->stretch - 1) * (room < 1 ? room : 1);
  double n = in->min_rounds + floor(f * past);
  out->max_rounds = n < in->cap ? (int)n : in->cap;
}

static void plan_make(const cfb_plan_in *in, unsigned char *drop, cfb_round_plan *out);

void cfb_round_plan_make(const cfb_plan_in *in, unsigned char *drop, cfb_round_plan *out) {
  plan_make(in, drop, out);
  stretch(in, out);
}

static void plan_make(const cfb_plan_in *in, unsigned char *drop, cfb_round_plan *out) {
  memset(out, 0, sizeof *out);
  memset(drop, 0, in->n);
  out->need_s = out->need_kept_s = plan_time(in, in->min_rounds, 0);
  if ((out->max_rounds = most_rounds(in, 0)) > 0) return;
  int deepest = 0;
  for (size_t i = 0; i < in->n; i++)
    if (in->cfg[i].active && in->cfg[i].level > deepest) deepest = in->cfg[i].level;
  /* Coarsen every grid one level at a time, the finest first: the fewest
   * configurations that must go, and each grid keeps its range. */
  for (int lv = deepest; lv >= 1; lv--) {
    out->need_kept_s = plan_time(in, in->min_rounds, lv);
    if ((out->max_rounds = most_rounds(in, lv)) == 0) continue;
    out->drop_level = lv;
    for (size_t i = 0; i < in->n; i++)
      if (in->cfg[i].active && in->cfg[i].level >= lv) drop[i] = 1, out->dropped++;
    return;
  }
}
