/* test_roundplan.c -- the budget's plan of adaptive rounds (harness/run/
 * roundplan.c), given round 1's times as a fixture: the max-rounds that
 * fit (to the round, at the edges of the budget), the cap, unpaired and
 * --max-time-limited configurations counted only for the rounds they run,
 * the shrunk plan (the deepest thinning levels dropped, the fewest that
 * make min_rounds fit) and the too-small budget (max 0, the budget it
 * would need); the stretch of the looks past what fits (--plan-stretch:
 * within the cap, never with a budget's shrunk plan or without a budget);
 * and the thinning levels of real sweeps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "roundplan.h"
#include "sweep.h"
#include "expand.h"
#include "task.h"

/* 20% headroom (roundplan.c): a later round is planned at 1.2 x round 1. */
#define HEADROOM 1.2

static cfb_plan_cost paired(double s, int level) { return (cfb_plan_cost){s, s, 0, 1, 1, level}; }

/* n configurations of 1 s each, paired, level 0; elapsed 5 s. */
static cfb_plan_in fixture(cfb_plan_cost *c, size_t n, double budget, int min_rounds, int cap) {
  for (size_t i = 0; i < n; i++) c[i] = paired(1.0, 0);
  return (cfb_plan_in){c, n, 5.0, 1.0, budget, min_rounds, cap, 1};
}

/* A budget that fits exactly k rounds of 4 x 1 s (after 5 s), and one a
 * hair under it, which fits k - 1; no budget or a large one: the cap. */
static void test_fits_budget(void) {
  cfb_plan_cost c[4];
  unsigned char drop[4];
  cfb_round_plan rp;
  for (int k = 6; k <= 30; k += 6) {
    double exact = 5.0 + 4 * HEADROOM * (k - 1);
    cfb_plan_in in = fixture(c, 4, exact + 1e-6, 6, 40);
    cfb_round_plan_make(&in, drop, &rp);
    CHECK_EQ(rp.max_rounds, k);
    CHECK_EQ(rp.dropped, 0);
    in.budget_s = exact - 1e-6;
    cfb_round_plan_make(&in, drop, &rp);
    CHECK_EQ(rp.max_rounds, k > 6 ? k - 1 : 0); /* 6: min_rounds no longer fits, nothing to drop */
  }
  cfb_plan_in in = fixture(c, 4, 0, 6, 40);
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 40); /* no budget */
  in.budget_s = 1e6;
  in.cap = 12;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 12); /* the cap */
  /* round 1's harness overhead scales every later round */
  in = fixture(c, 4, 5.0 + 2 * 4 * HEADROOM * 9 + 1e-6, 6, 40);
  in.overhead = 2;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 10);
  CHECK_NEAR(rp.need_s, 5.0 + 2 * 4 * HEADROOM * 5, 1e-9);
}

/* An unpaired configuration stops at min_rounds, and one with --max-time
 * stops once it is used: they cost only those rounds. */
static void test_unpaired_and_max_time(void) {
  cfb_plan_cost c[3];
  unsigned char drop[3];
  cfb_round_plan rp;
  c[0] = paired(1.0, 0);
  c[1] = (cfb_plan_cost){10.0, 10.0, 0, 0, 1, 0};  /* unpaired: rounds 2..6 only */
  c[2] = (cfb_plan_cost){1.0, 3.0, 5.0, 1, 1, 0};   /* used 3 of 5 s: runs rounds 2, 3, 4 */
  /* 20 rounds: c0 19 s, c1 5 x 10 s, c2 3 s, x 1.2 */
  double t20 = 5.0 + HEADROOM * (19 + 50 + 3);
  cfb_plan_in in = {c, 3, 5.0, 1.0, t20 + 1e-6, 6, 40, 1};
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 20);
  in.budget_s = t20 - 1e-6;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 19);
  /* a configuration no longer open costs nothing */
  c[1].active = 0;
  in.budget_s = 5.0 + HEADROOM * (19 + 3) + 1e-6;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 20);
}

/* min_rounds does not fit: the deepest level goes first, then the next,
 * only as far as needed; if level 0 alone does not fit, nothing is
 * dropped and max_rounds is 0, with the budgets it would need. */
static void test_shrink_and_too_small(void) {
  enum { N = 8 };
  static const int levels[N] = {0, 0, 1, 2, 2, 3, 3, 3};
  cfb_plan_cost c[N];
  unsigned char drop[N];
  cfb_round_plan rp;
  for (size_t i = 0; i < N; i++) c[i] = paired(1.0, levels[i]);
  /* 6 rounds of the 5 configurations of level <= 2: 5 x 5 x 1.2 = 30 s */
  cfb_plan_in in = {c, N, 5.0, 1.0, 5.0 + 30 + 1e-6, 6, 40, 1};
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 6);
  CHECK_EQ(rp.drop_level, 3);
  CHECK_EQ(rp.dropped, 3);
  for (size_t i = 0; i < N; i++) CHECK_EQ(drop[i], levels[i] >= 3);
  CHECK_NEAR(rp.need_s, 5.0 + N * 5 * HEADROOM, 1e-9);
  /* a little less: level 2 goes too (3 configurations: 18 s) */
  in.budget_s = 5.0 + 30 - 1e-6;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.drop_level, 2);
  CHECK_EQ(rp.dropped, 5);
  CHECK_EQ(rp.max_rounds, 9); /* 3 x 8 x 1.2 = 28.8 <= 30 < 3 x 9 x 1.2 */
  for (size_t i = 0; i < N; i++) CHECK_EQ(drop[i], levels[i] >= 2);
  /* level 0 alone (2 configurations, 12 s) does not fit 10 s */
  in.budget_s = 5.0 + 10;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 0);
  CHECK_EQ(rp.dropped, 0);
  for (size_t i = 0; i < N; i++) CHECK_EQ(drop[i], 0);
  CHECK_NEAR(rp.need_kept_s, 5.0 + 2 * 5 * HEADROOM, 1e-9);
  /* the elapsed round 1 alone past the budget */
  in.budget_s = 4.0;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 0);
}

/* --plan-stretch: k rounds fit, the looks go to min + floor(stretch x (k -
 * min)), at most the cap, once k - min >= 2 min (less of the stretch below:
 * 9 of min 6); fit_rounds keeps k.  No budget (the cap
 * already), a plan that had to drop configurations, and stretch 1 (or 0,
 * unset) are left alone; a plan of min_rounds alone stays min_rounds. */
static void test_stretch(void) {
  cfb_plan_cost c[4];
  unsigned char drop[4];
  cfb_round_plan rp;
  double exact18 = 5.0 + 4 * HEADROOM * 17 + 1e-6; /* 18 rounds of 4 x 1 s fit: 12 = 2 x 6 past the minimum */
  cfb_plan_in in = fixture(c, 4, exact18, 6, 40);
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 18);
  CHECK_EQ(rp.fit_rounds, 18);
  in.stretch = 0;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 18);
  in.stretch = 2;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 30); /* 6 + 2 x 12 */
  CHECK_EQ(rp.fit_rounds, 18);
  in.stretch = 2.55;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 36); /* 6 + floor(30.6) */
  in.stretch = 10;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 40); /* the cap */
  /* 9 fit, 3 past the minimum, a quarter of twice the minimum: a quarter
   * of the stretch past 1, f = 1 + 9 x 0.25 = 3.25 */
  in = fixture(c, 4, 5.0 + 4 * HEADROOM * 8 + 1e-6, 6, 40);
  in.stretch = 10;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.fit_rounds, 9);
  CHECK_EQ(rp.max_rounds, 15); /* 6 + floor(3.25 x 3) */
  in = fixture(c, 4, 5.0 + 4 * HEADROOM * 5 + 1e-6, 6, 40); /* min_rounds just fit */
  in.stretch = 3;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 6);
  in = fixture(c, 4, exact18, 6, 40);
  in.stretch = 10;
  in.budget_s = 0;
  in.cap = 30;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.max_rounds, 30); /* no budget: the cap, whatever the stretch */
  /* shrunk: 6 rounds fit only without the level-1 configuration */
  in = fixture(c, 4, 5.0 + 4 * HEADROOM * 5 - 1e-6, 6, 40);
  c[3] = paired(1.0, 1);
  in.stretch = 2;
  cfb_round_plan_make(&in, drop, &rp);
  CHECK_EQ(rp.dropped, 1);
  CHECK_EQ(rp.max_rounds, rp.fit_rounds);
}


/* Workers 1..9 (index 4 the middle, 2 and 6 the quarters, the odd ones
 * the eighths) x chunksize 1, 4, 16: a configuration's level is the
 * deeper of its two axes, the same on both backends; a parameter axis is
 * never thinned. */
static void test_levels(void) {
  cfb_sweep sw;
  test_expand(&sw, (const char *const[]){"run", "--workload", "sleep", "--param", "delay=0,1ms", "--backend",
                                    "thread,process", "--workers", "1,2,3,4,5,6,7,8,9", "--chunksize", "1,4,16",
                                    NULL});
  CHECK_EQ(sw.n, 2 * 2 * 9 * 3);
  int level[108];
  cfb_plan_levels(&sw, level);
  static const int by_workers[10] = {0, 0, 3, 2, 3, 1, 3, 2, 3, 0};
  for (size_t i = 0; i < sw.n; i++) {
    const cfb_sweep_config *c = &sw.cfg[i];
    int lw = by_workers[c->workers], lc = c->chunksize == 4 ? 1 : 0;
    CHECK_EQ(level[i], lw > lc ? lw : lc);
  }
  cfb_sweep_free(&sw);
  /* the default suite: every (workload, parameters) keeps a level-0 point,
   * so even the smallest plan has every who-wins group (mixed's cpu_us
   * crossover whole) */
  test_expand(&sw, (const char *const[]){"run", "--suite", "default", NULL});
  int *lv = calloc(sw.n, sizeof *lv);
  CHECK(lv);
  cfb_plan_levels(&sw, lv);
  for (size_t i = 0; i < sw.n; i++) {
    int kept = 0;
    for (size_t j = 0; j < sw.n && !kept; j++)
      kept = lv[j] == 0 && sw.cfg[j].w == sw.cfg[i].w && !strcmp(sw.cfg[j].params, sw.cfg[i].params);
    CHECK(kept);
  }
  free(lv);
  cfb_sweep_free(&sw);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"fits_budget", test_fits_budget},
                                    {"unpaired_and_max_time", test_unpaired_and_max_time},
                                    {"shrink_and_too_small", test_shrink_and_too_small},
                                    {"levels", test_levels},
                                    {"stretch", test_stretch},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
