/* charpick.c -- the recommended worker count of `cfbench characterize`
 * (charrule.h): the fewest workers whose paired ratio to the best is
 * surely near it, and what to take when the measurements cannot tell the
 * counts apart.  Shared by the run half (which candidates to confirm) and
 * the report half (the decision). */
#include "charrule.h"

#include <math.h>

#include "stats.h"

const char *cfb_char_rule_name(cfb_char_rule r) {
  switch (r) {
  case CFB_CHAR_RULE_FEWEST: return "fewest_near_best";
  case CFB_CHAR_RULE_CPUS: return "cpus_for_cpu_bound";
  case CFB_CHAR_RULE_BEST: return "best_measured";
  case CFB_CHAR_RULE_NONE: break;
  }
  return "none";
}

void cfb_char_ratio(const double *a, size_t na, const double *b, size_t nb, cfb_paired *out) {
  size_t n = na < nb ? na : nb;
  if (cfb_paired_analyze(a, b, n, CFB_CHAR_PICK_LEVEL, NULL, out) != 0) out->ratio = NAN;
  /* one round: its ratio, with no interval (never "surely") */
  if (out->n < 2 && n == 1 && a[0] > 0 && b[0] > 0) out->ratio = a[0] / b[0], out->n = 1;
}

static int near(const cfb_paired *r) { return r->ratio >= CFB_CHAR_NEAR_BEST; }

static int surely_near(const cfb_paired *r) { return near(r) && r->ci_lo >= CFB_CHAR_SURE_FLOOR; }

static void set_pick(cfb_char_pick *o, const cfb_char_cand *c, size_t i, cfb_char_rule rule) {
  o->pick = i, o->rule = rule;
  cfb_char_ratio(c[i].x, c[i].nx, c[o->best].x, c[o->best].nx, &o->vs_best);
}

int cfb_char_pick_workers(const cfb_char_cand *c, size_t n, int ncpus, int cpu_bound, cfb_char_pick *out) {
  *out = (cfb_char_pick){.rule = CFB_CHAR_RULE_NONE, .pick = n, .best = n, .first_near = n};
  out->vs_best.ratio = out->near_vs_best.ratio = out->near_vs_best.ci_lo = out->near_vs_best.ci_hi = NAN;
  double top = 0;
  for (size_t i = 0; i < n; i++) {
    double m = c[i].nx ? cfb_stats_median(c[i].x, c[i].nx) : NAN;
    if (m > top) top = m, out->best = i;
  }
  if (out->best == n) return -1;
  const cfb_char_cand *b = &c[out->best];
  size_t cpus = n; /* the smallest count of at least the CPUs, when it is near */
  for (size_t i = 0; i < out->best; i++) {
    cfb_paired r;
    cfb_char_ratio(c[i].x, c[i].nx, b->x, b->nx, &r);
    if (surely_near(&r)) {
      /* the first surely near one: fewer workers, and not by luck */
      if (out->first_near == n) out->first_near = i, out->near_vs_best = r;
      set_pick(out, c, i, CFB_CHAR_RULE_FEWEST);
      return 0;
    }
    if (near(&r) && out->first_near == n) out->first_near = i, out->near_vs_best = r;
    if (c[i].workers >= ncpus && (i == 0 || c[i - 1].workers < ncpus) && near(&r)) cpus = i;
  }
  /* Nothing fewer is surely near.  Those that looked near (first_near)
   * may be as good or 20% worse: these rounds cannot say.  CPU-bound work
   * gains nothing past the CPUs, so the CPUs' count is the answer the
   * kind gives when it looked near too; otherwise the best measured, which
   * costs workers but not throughput. */
  if (cpu_bound && cpus < n) set_pick(out, c, cpus, CFB_CHAR_RULE_CPUS);
  else set_pick(out, c, out->best, out->first_near < n ? CFB_CHAR_RULE_BEST : CFB_CHAR_RULE_FEWEST);
  return 0;
}

int cfb_char_ci_wide(const double *x, size_t n) {
  cfb_summary s;
  if (n < 2 || cfb_stats_summarize(x, n, 1, &s) != 0 || !(s.median > 0)) return 1;
  return !((s.ci_hi - s.ci_lo) / s.median <= CFB_CHAR_WIDE_CI);
}

/* Add candidate i to the set (once, at most CFB_CHAR_CONFIRM_MAX). */
static void add_cand(size_t *set, size_t *n, size_t i) {
  for (size_t k = 0; k < *n; k++)
    if (set[k] == i) return;
  if (*n < CFB_CHAR_CONFIRM_MAX) set[(*n)++] = i;
}

/* Whether the count just above the best looked near it: rounds that
 * could not tell counts apart may have swapped these two, and the
 * fewest-near rule must be decided against the true best. */
static int above_near(const cfb_char_cand *c, size_t n, size_t best) {
  if (best + 1 >= n) return 0;
  cfb_paired up;
  cfb_char_ratio(c[best + 1].x, c[best + 1].nx, c[best].x, c[best].nx, &up);
  return near(&up);
}

size_t cfb_char_confirm_set(const cfb_char_cand *c, size_t n, int ncpus, int cpu_bound, size_t *set) {
  cfb_char_pick k;
  size_t m = 0;
  if (cfb_char_pick_workers(c, n, ncpus, cpu_bound, &k) != 0) return 0;
  int up = above_near(c, n, k.best);
  /* a count below the best surely near it, or nothing near on either
   * side: the rounds told the counts apart, and more would cost without
   * changing the answer */
  if (k.rule == CFB_CHAR_RULE_FEWEST && (k.pick != k.best || !up)) return 0;
  add_cand(set, &m, k.best);
  add_cand(set, &m, k.pick);
  if (k.first_near < n) add_cand(set, &m, k.first_near);
  if (up) add_cand(set, &m, k.best + 1);
  for (size_t i = 0; i < k.best; i++)
    if (c[i].workers >= ncpus) {
      add_cand(set, &m, i);
      break;
    }
  if (k.best > 0) add_cand(set, &m, k.best - 1);
  return m;
}
