/* test_groups.c -- the who-wins groups the runner holds open
 * (harness/run/groups.c), on fixture rows: a group whose best thread and
 * best process configurations (by median) are close, with a wide paired
 * interval, holds those two although each one's own pair is decided, and
 * the runner-up the rounds have not shown slower than its side's best,
 * but not one they have; a group whose best moved to a configuration that
 * stopped early holds it (the runner reopens it); a group whose answer is
 * decided holds none -- nor when a contender's answer is undecided while
 * the best's is decided: it holds all its contenders; a configuration
 * without a median (failed, dropped) is never the best; an unpaired one is
 * never held (the budget's plan counted it to min_rounds only); and the
 * look is the one the report makes: the rounds both ran. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "sweep.h"
#include "expand.h"
#include "task.h"
#include "verdicts.h"

#define ROUNDS 12


/* The configuration of sw with this delay, backend and workers. */
static size_t find(const cfb_sweep *sw, const char *delay, const char *backend, int workers) {
  for (size_t i = 0; i < sw->n; i++) {
    const cfb_sweep_config *c = &sw->cfg[i];
    if (c->workers == workers && strstr(c->params, delay) == c->params + strlen("delay=") &&
        !strcmp(cfb_backend_name(c->backend), backend))
      return i;
  }
  CHECK(0);
  return SIZE_MAX;
}

typedef struct fixture {
  cfb_sweep sw;
  size_t t1, t2, p1, p2; /* delay=1ms: thread and process at 1 and 2 workers */
  size_t u1, u2, q1, q2; /* delay=0: the same */
  cfb_row rows[8 * ROUNDS];
  size_t nrows;
  double median[8];
} fixture;

static void add(fixture *f, size_t c, int round, double x) {
  cfb_row *r = &f->rows[f->nrows++];
  memset(r, 0, sizeof *r);
  r->cfg = &f->sw.cfg[c];
  r->round = round;
  r->items_per_s = x;
  r->ok = 1;
}

/* delay=1ms: thread at 2 workers is its backend's best (160), process at
 * 1 worker its (160): between them the paired ratio swings +-8% round by
 * round about 1 (undecided), while each pair is decided (1 worker:
 * process 1.07x; 2 workers: thread 1.3x).  delay=0: thread wins 2x
 * everywhere.  A common drift per round, which the pairing cancels. */
static void make(fixture *f) {
  memset(f, 0, sizeof *f);
  test_expand(&f->sw, (const char *const[]){"run", "--workload", "sleep", "--param", "delay=0,1ms", "--backend",
                                       "thread,process", "--workers", "1,2", NULL});
  CHECK_EQ(f->sw.n, 8);
  f->t1 = find(&f->sw, "1ms", "thread", 1), f->t2 = find(&f->sw, "1ms", "thread", 2);
  f->p1 = find(&f->sw, "1ms", "process", 1), f->p2 = find(&f->sw, "1ms", "process", 2);
  f->u1 = find(&f->sw, "0", "thread", 1), f->u2 = find(&f->sw, "0", "thread", 2);
  f->q1 = find(&f->sw, "0", "process", 1), f->q2 = find(&f->sw, "0", "process", 2);
  for (int r = 0; r < ROUNDS; r++) {
    double drift = 1 + 0.2 * sin(r), e = (r % 2 ? 0.08 : -0.07) * (1 + 0.01 * r), tiny = 0.002 * (r % 3);
    add(f, f->t1, r, 150 * drift * (1 + tiny));
    add(f, f->p1, r, 160 * drift);
    add(f, f->t2, r, 160 * drift * (1 + e));
    add(f, f->p2, r, 160 * drift * (1 + e) / (1.3 * (1 + tiny)));
    add(f, f->u1, r, 200 * drift * (1 + tiny));
    add(f, f->q1, r, 100 * drift);
    add(f, f->u2, r, 400 * drift * (1 + tiny));
    add(f, f->q2, r, 200 * drift);
  }
  f->median[f->t1] = 150, f->median[f->p1] = 160, f->median[f->t2] = 160, f->median[f->p2] = 123;
  f->median[f->u1] = 200, f->median[f->q1] = 100, f->median[f->u2] = 400, f->median[f->q2] = 200;
}

static void plan_init(cfb_seq_plan *plan) {
  CHECK_EQ(cfb_seq_plan_init(plan, 6, 21, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE), 0);
}

/* The look of configuration a against b on the fixture's rows. */
static cfb_paired look(const cfb_seq_plan *plan, const fixture *f, size_t a, size_t b, size_t nrows) {
  cfb_verdict v;
  CHECK_EQ(cfb_verdict_look_two(plan, &f->sw.cfg[a], &f->sw.cfg[b], f->rows, nrows, &v), 0);
  return v.r;
}

/* The undecided group holds its two bests and the thread runner-up (1
 * worker: 0.94x of the best by median, its per-round ratio 0.86-1.02, not
 * shown slower), not the process one (2 workers: 0.71-0.84x, shown
 * slower); the decided group holds nothing. */
static void test_holds_the_undecided_bests(void) {
  fixture f;
  make(&f);
  cfb_seq_plan plan;
  plan_init(&plan);
  unsigned char hold[8];
  memset(hold, 7, sizeof hold);
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, f.nrows, hold), 0);
  for (size_t i = 0; i < f.sw.n; i++) CHECK_EQ(hold[i], i == f.t2 || i == f.p1 || i == f.t1);
  cfb_paired up = look(&plan, &f, f.t1, f.t2, f.nrows), down = look(&plan, &f, f.p2, f.p1, f.nrows);
  CHECK(up.achievable && up.ci_lo < 1 && up.ci_hi >= 1);
  CHECK(down.achievable && down.ci_hi < 1);
  /* each held one's own pair is decided: holding is the group's doing */
  cfb_paired r;
  double a[ROUNDS], b[ROUNDS];
  for (int k = 0; k < ROUNDS; k++) a[k] = f.rows[8 * k + 2].items_per_s, b[k] = f.rows[8 * k + 3].items_per_s;
  CHECK_EQ(cfb_paired_look(&plan, a, b, ROUNDS, NULL, &r), 0);
  CHECK_EQ(r.verdict, CFB_PAIRED_A);
  for (int k = 0; k < ROUNDS; k++) a[k] = f.rows[8 * k].items_per_s, b[k] = f.rows[8 * k + 1].items_per_s;
  CHECK_EQ(cfb_paired_look(&plan, a, b, ROUNDS, NULL, &r), 0);
  CHECK_EQ(r.verdict, CFB_PAIRED_B);
  cfb_sweep_free(&f.sw);
}

/* The best is chosen among usable configurations: with thread at 2
 * workers failed (no median), thread at 1 worker is the best, and its
 * pair against process at 1 worker is decided (process 1.07x): no hold. */
static void test_unusable_is_never_best(void) {
  fixture f;
  make(&f);
  cfb_seq_plan plan;
  plan_init(&plan);
  unsigned char hold[8];
  f.median[f.t2] = NAN;
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, f.nrows, hold), 0);
  for (size_t i = 0; i < f.sw.n; i++) CHECK_EQ(hold[i], 0);
  cfb_sweep_free(&f.sw);
}

/* An unpaired best is not held (the plan did not budget its rounds past
 * min_rounds); its paired opposite still is. */
static void test_unpaired_not_held(void) {
  fixture f;
  make(&f);
  cfb_seq_plan plan;
  plan_init(&plan);
  unsigned char hold[8];
  f.sw.cfg[f.t2].partner = SIZE_MAX;
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, f.nrows, hold), 0);
  for (size_t i = 0; i < f.sw.n; i++) CHECK_EQ(hold[i], i == f.p1 || i == f.t1);
  cfb_sweep_free(&f.sw);
}

/* Configuration c's rows cut to its first `rounds` rounds (as if it
 * stopped then); the rows left, in order. */
static size_t cut_rows(fixture *f, size_t c, int rounds) {
  size_t keep = 0;
  for (size_t i = 0; i < f->nrows; i++)
    if (f->rows[i].cfg != &f->sw.cfg[c] || f->rows[i].round < rounds) f->rows[keep++] = f->rows[i];
  return keep;
}

/* The look is on the rounds both ran: with the best thread's rows cut
 * to the first 3 rounds, 3 pairs are below min_rounds, so the answer
 * still needs rounds; with its wide swings removed (the two agree to
 * 0.1%), the group is decided (equivalent) and holds nothing. */
static void test_rounds_both_ran(void) {
  fixture f;
  make(&f);
  cfb_seq_plan plan;
  plan_init(&plan);
  unsigned char hold[8];
  size_t keep = cut_rows(&f, f.t2, 3);
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, keep, hold), 0);
  CHECK(hold[f.t2] && hold[f.p1]);
  cfb_sweep_free(&f.sw);
  make(&f);
  for (size_t i = 1; i < f.nrows; i++) /* rows[i - 1] is process at 1 worker, the same round */
    if (f.rows[i].cfg == &f.sw.cfg[f.t2])
      f.rows[i].items_per_s = f.rows[i - 1].items_per_s * (0.9995 + 0.001 * (f.rows[i].round % 2));
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, f.nrows, hold), 0);
  for (size_t i = 0; i < f.sw.n; i++) CHECK_EQ(hold[i], 0);
  cfb_sweep_free(&f.sw);
}

/* The best moved late: process at 1 worker, the best by median, stopped
 * after 6 rounds (its pair closed) while process at 2 workers ran on;
 * its group is undecided, so it is held although it is not running (the
 * runner reopens it, run.c reopen_one), and its 6 rounds are what the
 * group's look has. */
static void test_best_moved_late(void) {
  fixture f;
  make(&f);
  cfb_seq_plan plan;
  plan_init(&plan);
  unsigned char hold[8];
  size_t keep = cut_rows(&f, f.p1, 6);
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, keep, hold), 0);
  CHECK(hold[f.p1] && hold[f.t2]);
  CHECK_EQ(look(&plan, &f, f.t2, f.p1, keep).n, 6);
  /* with the medians the other way round (process at 2 workers the
   * best), process at 1 worker is still a contender -- its rounds show it
   * faster, not slower -- and both are held */
  f.median[f.p2] = 170;
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, keep, hold), 0);
  CHECK(hold[f.p2] && hold[f.p1] && hold[f.t2]);
  cfb_sweep_free(&f.sw);
}

/* The choice of best must be stable: in the delay=0 group thread at 2
 * workers beats the best process (2 workers) by 1.105x every round --
 * decided -- but process at 1 worker, by median a hair below process at 2
 * and never shown slower than it (+-12% round by round), could become
 * the best, and against it the answer is undecided: the group holds its
 * contenders (both process configurations and the best thread, not thread
 * at 1 worker, half as fast).  With process at 1 worker as steady as at 2
 * workers (then a decided answer either way), nothing is held. */
static void set_delay0(fixture *f, double swing) {
  for (size_t i = 0; i < f->nrows; i++) {
    cfb_row *r = &f->rows[i];
    double drift = 1 + 0.2 * sin(r->round), e = (r->round % 2 ? swing : -swing) * (1 + 0.01 * r->round);
    if (r->cfg == &f->sw.cfg[f->u2]) r->items_per_s = 420 * drift;
    if (r->cfg == &f->sw.cfg[f->q2]) r->items_per_s = 380 * drift;
    if (r->cfg == &f->sw.cfg[f->q1]) r->items_per_s = 380 * drift * (1 + e);
  }
  f->median[f->u2] = 420, f->median[f->q2] = 380, f->median[f->q1] = 379;
}

static void test_choice_of_best_stable(void) {
  fixture f;
  make(&f);
  cfb_seq_plan plan;
  plan_init(&plan);
  unsigned char hold[8];
  set_delay0(&f, 0.12);
  CHECK_EQ(look(&plan, &f, f.u2, f.q2, f.nrows).verdict, CFB_PAIRED_A);
  CHECK_EQ(look(&plan, &f, f.u2, f.q1, f.nrows).verdict, CFB_PAIRED_UNDECIDED);
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, f.nrows, hold), 0);
  CHECK(hold[f.u2] && hold[f.q2] && hold[f.q1] && !hold[f.u1]);
  set_delay0(&f, 0.001);
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, f.nrows, hold), 0);
  CHECK(!hold[f.u2] && !hold[f.q2] && !hold[f.q1] && !hold[f.u1]);
  cfb_sweep_free(&f.sw);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"holds_the_undecided_bests", test_holds_the_undecided_bests},
                                    {"unusable_is_never_best", test_unusable_is_never_best},
                                    {"unpaired_not_held", test_unpaired_not_held},
                                    {"rounds_both_ran", test_rounds_both_ran},
                                    {"best_moved_late", test_best_moved_late},
                                    {"choice_of_best_stable", test_choice_of_best_stable},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
