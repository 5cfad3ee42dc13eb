/* test_groups.c -- the who-wins groups the runner holds open
 * (harness/run/groups.c), on fixture rows: a group whose best thread and
 * best process configurations (by median) are close, with a wide paired
 * interval, holds exactly those two although each one's own pair is
 * decided; a group whose answer is decided holds none; a configuration
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

/* The undecided group holds its two bests, and only them; the decided one
 * holds nothing. */
static void test_holds_the_undecided_bests(void) {
  fixture f;
  make(&f);
  cfb_seq_plan plan;
  plan_init(&plan);
  unsigned char hold[8];
  memset(hold, 7, sizeof hold);
  CHECK_EQ(cfb_groups_hold(&plan, &f.sw, f.median, f.rows, f.nrows, hold), 0);
  for (size_t i = 0; i < f.sw.n; i++) CHECK_EQ(hold[i], i == f.t2 || i == f.p1);
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
  for (size_t i = 0; i < f.sw.n; i++) CHECK_EQ(hold[i], i == f.p1);
  cfb_sweep_free(&f.sw);
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
  size_t keep = 0;
  for (size_t i = 0; i < f.nrows; i++)
    if (f.rows[i].cfg != &f.sw.cfg[f.t2] || f.rows[i].round < 3) f.rows[keep++] = f.rows[i];
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

int main(int argc, char **argv) {
  static const test_case cases[] = {{"holds_the_undecided_bests", test_holds_the_undecided_bests},
                                    {"unusable_is_never_best", test_unusable_is_never_best},
                                    {"unpaired_not_held", test_unpaired_not_held},
                                    {"rounds_both_ran", test_rounds_both_ran},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
