/* test_charrule.c -- the rules `cfbench characterize` plans and recommends
 * with: the no-op cost split into per-message and per-item parts, the
 * smallest chunksize keeping that cost under 5% of an item, and the worker
 * counts swept for CPU-bound and I/O-bound work; the recommended count
 * (cfb_char_pick_workers) on rounds whose truth is known: tight rounds
 * (the fewest surely near), noisy ones where the fewest-near rule takes a
 * point at 55% of the best (the best, or the CPUs' count for CPU-bound
 * work), and the edges. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "characterize_run.h"
#include "charrule.h"
#include "task.h"

static void test_split(void) {
  double m, i;
  /* 10 us per message + 1 us per item: 11 at chunksize 1, 10/64 + 1 at 64 */
  cfb_char_overhead_split(11, 10.0 / 64 + 1, 64, &m, &i);
  CHECK(fabs(m - 10) < 1e-9 && fabs(i - 1) < 1e-9);
  /* noise made chunking look slower: all of it per item */
  cfb_char_overhead_split(5, 6, 64, &m, &i);
  CHECK(m == 0 && i == 5);
}

static void test_chunksize(void) {
  /* 10 us per message, 0 per item, 1 ms items: 5% is 50 us, chunk 1 */
  CHECK_EQ(cfb_char_chunksize(10, 0, 1000), 1);
  /* 100 us items: budget 5 us -> 10 / c <= 5 -> c = 2 */
  CHECK_EQ(cfb_char_chunksize(10, 0, 100), 2);
  /* 1 us per item part, 100 us items: budget 4 us -> c = 3 (10/3 = 3.33) */
  CHECK_EQ(cfb_char_chunksize(10, 1, 100), 3);
  /* the per-item part alone is over 5%: the largest chunksize */
  CHECK_EQ(cfb_char_chunksize(10, 6, 100), CFB_CHAR_CHUNK_MAX);
  /* tiny items need huge chunks: capped */
  CHECK_EQ(cfb_char_chunksize(10, 0, 0.01), CFB_CHAR_CHUNK_MAX);
  /* a missing figure: 1 */
  CHECK_EQ(cfb_char_chunksize(NAN, 0, 100), 1);
  CHECK_EQ(cfb_char_chunksize(10, 0, 0), 1);
}

static void test_workers(void) {
  int w[64];
  /* CPU-bound on 2 CPUs: 1..4, then 8 */
  size_t n = cfb_char_workers(2, 0.95, 0, w, 64);
  CHECK_EQ(n, 5);
  for (size_t i = 0; i < 4; i++) CHECK_EQ(w[i], (int)i + 1);
  CHECK_EQ(w[4], 8);
  /* CPU-bound on 8 CPUs: every count to 16, then 32 */
  n = cfb_char_workers(8, 1, 0, w, 64);
  CHECK_EQ(n, 17);
  CHECK_EQ(w[n - 2], 16);
  CHECK_EQ(w[n - 1], 32);
  /* on one CPU: 1, 2, then 4 and at least 5 */
  n = cfb_char_workers(1, 1, 0, w, 64);
  CHECK_EQ(w[n - 1], 5);
  /* I/O-bound: powers of two and the counts half-way between them, far
   * past the CPUs, capped at 256: 1 2 3 4 6 8 12 16 ... 192 256 */
  n = cfb_char_workers(2, 0.001, 0, w, 64);
  CHECK_EQ(n, 16);
  CHECK_EQ(w[0], 1);
  CHECK_EQ(w[n - 1], 256);
  for (size_t i = 2; i < n; i++) CHECK_EQ(w[i], i % 2 ? 2 * w[i - 2] : 3 * w[i - 1] / 2);
  /* the knee of 1 ms items against a 0.1 ms lock, 10 workers, has counts
   * a third apart on both sides: 8 and 12 */
  CHECK(w[5] == 8 && w[6] == 12);
  /* mixed (50% on CPU, 2 CPUs): 4 x 2 / 0.5 = 16 */
  n = cfb_char_workers(2, 0.5, 0, w, 64);
  CHECK_EQ(w[n - 1], 16);
  /* a fraction a hair over 0.5 still ends at 16 (rounded up, not down to 15) */
  n = cfb_char_workers(2, 0.5008, 0, w, 64);
  CHECK_EQ(w[n - 1], 16);
  /* --max-workers wins, and is swept itself */
  n = cfb_char_workers(2, 0.01, 48, w, 64);
  CHECK_EQ(w[n - 1], 48);
  CHECK_EQ(w[n - 2], 32);
  /* a cap (cfbench bench's 64) cuts the I/O rule's 256 and is swept itself */
  n = cfb_char_workers(2, 0.001, 0, w, 64);
  n = cfb_char_cap_workers(w, n, 64);
  CHECK_EQ(n, 12);
  CHECK_EQ(w[n - 1], 64);
  CHECK_EQ(w[n - 2], 48);
  /* a cap between counts: the counts below it, then the cap */
  n = cfb_char_cap_workers(w, n, 48);
  CHECK_EQ(w[n - 1], 48);
  CHECK_EQ(w[n - 2], 32);
  /* a cap above the rule's counts changes nothing */
  size_t m = cfb_char_workers(2, 1, 0, w, 64);
  CHECK_EQ(cfb_char_cap_workers(w, m, 64), m);
  CHECK_EQ(cfb_char_cap_workers(w, m, 0), m);
}

/* The time box: a repetition's items are rate x time whatever the
 * chunksize and the workers; the chunk is cut, not the box stretched. */
static void test_rep_items(void) {
  size_t c = 1;
  /* 1 worker at 1000/s for 0.2 s: 200 items, chunksize kept */
  CHECK_EQ(cfb_char_rep_items(1000, 0.2, 1, &c), 200);
  CHECK_EQ(c, 1);
  /* the loaded socket case: chunksize 1024 at 64 workers, 10k/s: 2000
   * items (0.2 s), not 2 x 64 x 1024 = 131k (13 s); chunk cut to 15, so
   * that each worker gets two */
  c = 1024;
  CHECK_EQ(cfb_char_rep_items(10000, 0.2, 64, &c), 2000);
  CHECK_EQ(c, 15);
  CHECK(2 * 64 * c <= 2000);
  /* a chunk that fits is kept */
  c = 4;
  CHECK_EQ(cfb_char_rep_items(10000, 0.2, 64, &c), 2000);
  CHECK_EQ(c, 4);
  /* a rate too slow for two items per worker: the floor, chunk 1 */
  c = 8;
  CHECK_EQ(cfb_char_rep_items(10, 0.2, 64, &c), 2 * 64);
  CHECK_EQ(c, 1);
  /* no rate: the floor; a huge one: the cap */
  c = 1;
  CHECK_EQ(cfb_char_rep_items(NAN, 0.2, 4, &c), 8);
  CHECK_EQ(cfb_char_rep_items(1e12, 0.2, 4, &c), CFB_CHAR_REP_MAX_ITEMS);
  /* a chunk of 0 (never given) still comes back as 1 */
  c = 0;
  cfb_char_rep_items(1000, 0.2, 1, &c);
  CHECK_EQ(c, 1);
}

/* ---- the recommended count (charpick.c) ------------------------------ */

#define NW 5
static const int pick_ws[NW] = {1, 2, 4, 8, 16};

/* x[i][r] = truth[i] x drift[r] x (1 + noise[i][r]): every count in every
 * round, a common drift per round (cancels in the paired ratios). */
static void make_rounds(double x[NW][8], const double *truth, const double noise[NW][8], size_t nr) {
  static const double drift[8] = {1.0, 0.7, 1.2, 0.9, 1.1, 0.8, 1.05, 0.95};
  for (size_t i = 0; i < NW; i++)
    for (size_t r = 0; r < nr; r++) x[i][r] = truth[i] * drift[r] * (1 + noise[i][r]);
}

static cfb_char_pick pick_of(double x[NW][8], size_t nr, int ncpus, int cpu_bound) {
  cfb_char_cand c[NW];
  for (size_t i = 0; i < NW; i++) c[i] = (cfb_char_cand){pick_ws[i], x[i], nr};
  cfb_char_pick k;
  CHECK_EQ(cfb_char_pick_workers(c, NW, ncpus, cpu_bound, &k), 0);
  printf("pick: %s, %d workers (best %d, first near %d): %.3f [%.3f, %.3f] over %zu pairs\n",
         cfb_char_rule_name(k.rule), pick_ws[k.pick], pick_ws[k.best], k.first_near < NW ? pick_ws[k.first_near] : 0,
         k.vs_best.ratio, k.vs_best.ci_lo, k.vs_best.ci_hi, k.vs_best.n);
  return k;
}

/* Tight rounds (+-1%), truth 300 N flattening at 1200 from 8 workers
 * (4 gives 1180, 98%): 4 is surely near the best, and fewer are not. */
static void test_pick_sure(void) {
  static const double truth[NW] = {300, 600, 1180, 1200, 1200};
  static const double noise[NW][8] = {{0, .01, -.01, 0, .01, -.01},  {.01, 0, -.01, .01, 0, -.01},
                                      {-.01, .01, 0, -.01, .01, 0}, {0, -.01, .01, 0, -.01, .01},
                                      {.01, -.01, 0, .01, -.01, 0}};
  double x[NW][8];
  make_rounds(x, truth, noise, 6);
  cfb_char_pick k = pick_of(x, 6, 2, 0);
  CHECK(k.rule == CFB_CHAR_RULE_FEWEST);
  CHECK_EQ(pick_ws[k.pick], 4);
  CHECK(k.vs_best.ci_lo >= CFB_CHAR_SURE_FLOOR && k.vs_best.ratio >= CFB_CHAR_NEAR_BEST);
  CHECK(!strcmp(cfb_char_rule_name(k.rule), "fewest_near_best"));
}

/* The loaded run's case: 2 workers are truly 80% of the best (8, 1200),
 * but in three noisy rounds their paired ratios are 1.05, 1.03 and 0.80
 * (estimate 0.97) -- the fewest-near rule took them.  The ratios reach
 * below 0.9, so they are not surely near: the best is taken, and 2 is
 * named as the one that only looked near. */
static void test_pick_unsure(void) {
  static const double truth[NW] = {300, 960, 1000, 1200, 1190};
  static const double noise[NW][8] = {{0, 0, 0}, {.3125, .2875, 0}, {.1, .2, -.1}, {0, 0, 0}, {0, 0, .02}};
  double x[NW][8];
  make_rounds(x, truth, noise, 3);
  cfb_char_pick k = pick_of(x, 3, 2, 0);
  CHECK_EQ(pick_ws[k.best], 8);
  CHECK(k.first_near < NW && pick_ws[k.first_near] == 2); /* what the fewest-near rule took */
  CHECK(k.near_vs_best.ratio >= CFB_CHAR_NEAR_BEST && k.near_vs_best.ci_lo < CFB_CHAR_SURE_FLOOR);
  CHECK(k.rule == CFB_CHAR_RULE_BEST);
  CHECK_EQ(pick_ws[k.pick], 8);
  CHECK(k.vs_best.ratio == 1);
}

/* CPU-bound on 2 CPUs, flat from 2 workers (1000/s), rounds noisy
 * (+-20%): 2 looks near the best (16 by luck) but not surely.  Past the
 * CPUs CPU-bound work gains nothing: the CPUs' count.  Not CPU-bound:
 * the best. */
static void test_pick_cpus(void) {
  static const double truth[NW] = {500, 1000, 1000, 1000, 1000};
  static const double noise[NW][8] = {{0, 0, 0}, {.03, .05, -.2}, {-.1, 0, -.05}, {-.05, -.1, -.03}, {0, 0, 0}};
  double x[NW][8];
  make_rounds(x, truth, noise, 3);
  cfb_char_pick k = pick_of(x, 3, 2, 1);
  CHECK_EQ(pick_ws[k.best], 16);
  CHECK(k.rule == CFB_CHAR_RULE_CPUS);
  CHECK_EQ(pick_ws[k.pick], 2);
  k = pick_of(x, 3, 2, 0);
  CHECK(k.rule == CFB_CHAR_RULE_BEST);
  CHECK_EQ(pick_ws[k.pick], 16);
  /* on 32 CPUs no measured count below the best reaches the CPUs: the best */
  k = pick_of(x, 3, 32, 1);
  CHECK(k.rule == CFB_CHAR_RULE_BEST);
}

/* The best at one worker, and nothing measured. */
static void test_pick_edges(void) {
  static const double truth[NW] = {1000, 900, 800, 700, 600};
  static const double noise[NW][8] = {{0}};
  double x[NW][8];
  make_rounds(x, truth, noise, 4);
  cfb_char_pick k = pick_of(x, 4, 2, 0);
  CHECK(k.rule == CFB_CHAR_RULE_FEWEST && k.pick == 0 && k.best == 0 && k.first_near == NW);
  cfb_char_cand none[1] = {{1, NULL, 0}};
  CHECK_EQ(cfb_char_pick_workers(none, 1, 2, 0, &k), -1);
  CHECK(k.rule == CFB_CHAR_RULE_NONE);
}

/* The confirmation's candidates.  Saturated at 4 workers (1000/s) with
 * rounds that cannot tell 4, 8 and 16 apart, 8 best by luck: 16 just
 * above the best looked near it and is confirmed with the best and the
 * fewest near.  Rounds that told the counts apart (tight, 4 at 98% of
 * 8, surely near): none.  The best with nothing near below but 16 near above it (the
 * count above may be the true best): the best and 16. */
static void test_confirm_set(void) {
  static const double truth[NW] = {250, 500, 1000, 1000, 1000};
  static const double noisy[NW][8] = {{0, 0, 0}, {0, 0, 0}, {.05, -.08, .02}, {.06, .05, .04}, {.05, .04, -.08}};
  double x[NW][8];
  cfb_char_cand c[NW];
  size_t set[CFB_CHAR_CONFIRM_MAX];
  make_rounds(x, truth, noisy, 3);
  for (size_t i = 0; i < NW; i++) c[i] = (cfb_char_cand){pick_ws[i], x[i], 3};
  size_t n = cfb_char_confirm_set(c, NW, 2, 0, set);
  printf("confirm (noisy): %zu:", n);
  for (size_t i = 0; i < n; i++) printf(" %d", pick_ws[set[i]]);
  printf("\n");
  CHECK_EQ(n, 3);
  CHECK(pick_ws[set[0]] == 8 && pick_ws[set[1]] == 4 && pick_ws[set[2]] == 16);
  static const double tight[NW][8] = {{0}};
  static const double sure[NW] = {250, 500, 980, 1000, 1000}; /* 4 surely within 5% of 8 */
  make_rounds(x, sure, tight, 3);
  CHECK_EQ(cfb_char_confirm_set(c, NW, 2, 0, set), 0);
  /* 1 and 2 far below, 4 best, 8 at 0.97 of it (near), 16 far below */
  static const double up_truth[NW] = {250, 500, 1000, 970, 500};
  make_rounds(x, up_truth, tight, 3);
  n = cfb_char_confirm_set(c, NW, 2, 0, set);
  CHECK_EQ(n, 3);
  CHECK(pick_ws[set[0]] == 4 && pick_ws[set[1]] == 8 && pick_ws[set[2]] == 2);
  /* the same with 8 at 0.5 of it: the best is told apart on both sides */
  static const double alone[NW] = {250, 500, 1000, 500, 500};
  make_rounds(x, alone, tight, 3);
  CHECK_EQ(cfb_char_confirm_set(c, NW, 2, 0, set), 0);
}

/* Too wide to recommend on: the median's 95% interval wider than 10% of
 * it (rounds 30% apart), or no interval at all (one round); rounds
 * within 1% of each other are narrow. */
static void test_ci_wide(void) {
  static const double narrow[6] = {1000, 1004, 998, 1006, 1001, 995};
  static const double wide[6] = {1000, 700, 1300, 900, 1200, 800};
  CHECK_EQ(cfb_char_ci_wide(narrow, 6), 0);
  CHECK_EQ(cfb_char_ci_wide(wide, 6), 1);
  CHECK_EQ(cfb_char_ci_wide(narrow, 1), 1);
  CHECK_EQ(cfb_char_ci_wide(narrow, 0), 1);
}

int main(void) {
  test_split();
  test_chunksize();
  test_workers();
  test_pick_sure();
  test_pick_unsure();
  test_pick_cpus();
  test_pick_edges();
  test_rep_items();
  test_confirm_set();
  test_ci_wide();
  puts("ok");
  return 0;
}
