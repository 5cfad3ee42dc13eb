/* roundplan.h -- adaptive rounds: how many rounds the run's --budget fits,
 * planned once after round 1 from round 1's times alone, and which
 * configurations go when it cannot fit --min-rounds of all of them
 * (docs/cfbench.md, "Adaptive rounds and the budget").  A pure function of
 * its inputs: no clock, no rows, no verdicts. */
#ifndef CFB_ROUNDPLAN_H
#define CFB_ROUNDPLAN_H

#include <stddef.h>

#include "sweep.h"

/* One configuration as round 1 left it. */
typedef struct cfb_plan_cost {
  double round_s;    /* its repetition's time in round 1, warm-ups left out */
  double used_s;     /* what it has used of --max-time so far (warm-ups in) */
  double max_time_s; /* its --max-time, 0: none */
  int paired;        /* has a thread/process partner: may run to the planned max */
  int active;        /* still open after round 1 (not failed, not stopped) */
  int level;         /* its thinning level (cfb_plan_levels): 0 is kept to the end */
} cfb_plan_cost;

/* What round 1 said of the run as a whole. */
typedef struct cfb_plan_in {
  const cfb_plan_cost *cfg;
  size_t n;
  double elapsed_s;  /* the run's time so far (round 1, warm-ups and prepares in) */
  double overhead;   /* round 1's time between repetitions, as a factor >= 1 on round_s */
  double budget_s;   /* --budget, 0: none */
  int min_rounds;    /* --min-rounds */
  int cap;           /* --max-rounds: the user's cap on the plan */
  double stretch;    /* --plan-stretch: the rounds past min_rounds that fit, times this (< 1 read as 1) */
} cfb_plan_in;

typedef struct cfb_round_plan {
  int max_rounds;     /* the plan's last look: min_rounds..cap, 0 if not even the shrunk plan fits */
  int fit_rounds;     /* the rounds that fit with every open pair to the end (max_rounds before the stretch) */
  size_t dropped;     /* configurations dropped (drop[i] = 1) */
  int drop_level;     /* levels >= drop_level dropped; 0: none */
  double need_s;      /* the budget min_rounds of every open configuration needs at round 1's pace */
  double need_kept_s; /* ... of the configurations that are kept (smallest plan, if none fits) */
} cfb_round_plan;

/* The thinning level of each configuration of sw into level[0..sw->n):
 * configurations that differ only in backend, workers or chunksize form a
 * grid; along each of its two axes the ends are level 0 and the values in
 * between get the depth of the binary subdivision that reaches them (the
 * middle 1, the quarters 2, ...); a configuration's level is the larger of
 * its two.  Dropping the deepest level first coarsens every grid evenly,
 * keeping its range; parameter axes (mixed's cpu_us, where the crossover
 * is) are never thinned. */
void cfb_plan_levels(const cfb_sweep *sw, int *level);

/* The plan: the most rounds (<= cap) whose planned time (round 1's pace,
 * with 20% headroom for the machine's drift) fits the budget,
 * each open configuration assumed to run to its end (a paired one to the
 * plan's max, an unpaired one to min_rounds, each within its --max-time);
 * if that is fewer than min_rounds, the deepest levels dropped (drop[i]
 * set) one at a time until min_rounds fit; max_rounds 0 if not even level
 * 0 alone fits; then, with a budget and nothing dropped, the rounds past
 * min_rounds stretched: with k = max_rounds - min_rounds,
 * max_rounds = min_rounds + floor(f x k), within cap, f = 1 + (stretch -
 * 1) x min(1, k / (2 min_rounds)): the full stretch once the rounds past
 * the minimum that fit are twice the minimum, proportionally less below.
 * Only the rounds past the minimum, and less of them when they are few: a
 * loaded machine that fits little more than min_rounds keeps about the
 * levels of the plan it can run, instead of stricter ones the budget
 * would cut short.
 *
 * Why the stretch: "every paired configuration to the plan's end" is the
 * only time knowable without looking at verdicts, and it is far from what
 * happens -- pairs close as they are decided, and results/example's quiet
 * run ended at 195 s of its 300 s budget with its three undecided groups
 * at the plan's last round.  Past what fits, the budget (checked between
 * rounds) ends the run instead of the plan; a stop by the budget depends
 * on times only, and it only removes looks, so the plan's error rate
 * holds; what the stretch costs is stricter levels at every look.  The
 * stretch, like the rest of the plan, is fixed after round 1 from times.
 * drop[0..n) is written. */
void cfb_round_plan_make(const cfb_plan_in *in, unsigned char *drop, cfb_round_plan *out);

#endif
