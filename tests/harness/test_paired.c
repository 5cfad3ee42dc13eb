/* test_paired.c -- the paired verdicts of harness/common/paired.h: exact
 * values worked out by hand (Walsh averages, signed-rank and binomial
 * critical values from the tables), the verdict and gate rules, and the
 * validation on the synthetic machine of paired_sim.h -- coverage of the
 * 95% interval, A/A false alarms of the whole adaptive procedure, power
 * for a 5% difference, the two gates.  Every Monte Carlo figure is
 * printed; seeded, so the figures are the same on every run.  Fewer
 * trials under the sanitizers (the limits widen with the Monte Carlo
 * error). */
#include <math.h>

#include "paired_sim.h"
#include "stats.h"
#include "task.h"

#if defined(__SANITIZE_ADDRESS__)
#define TRIALS 400
#else
#define TRIALS 2000
#endif

/* Monte Carlo standard error of a rate p over n trials. */
static double se(double p, size_t n) { return sqrt(p * (1 - p) / (double)n); }

/* a[i] = exp(d[i]), b[i] = 1: pairs with the log ratios d. */
static void pairs_of(const double *d, size_t n, double *a, double *b) {
  for (size_t i = 0; i < n; i++) {
    a[i] = 100 * exp(d[i]);
    b[i] = 100;
  }
}

static void test_wilcoxon_exact(void) {
  double d[10], a[10], b[10];
  for (int i = 0; i < 10; i++) d[i] = 0.01 * (i + 1);
  pairs_of(d, 10, a, b);
  cfb_paired r;
  CHECK_EQ(cfb_paired_analyze(a, b, 10, 0.95, NULL, &r), 0);
  /* n = 10, two-sided 5%: P(T+ <= 8) = 0.0244 <= 0.025 < P(T+ <= 9), so
   * the interval is the 9th smallest to the 9th largest of the 55 Walsh
   * averages of 1..10 (x 0.01): [3, 8]; their median is 5.5. */
  CHECK_EQ(r.n, 10);
  CHECK(r.achievable);
  CHECK_NEAR(log(r.ratio), 0.055, 1e-12);
  CHECK_NEAR(log(r.ci_lo), 0.03, 1e-12);
  CHECK_NEAR(log(r.ci_hi), 0.08, 1e-12);
  CHECK_NEAR(r.half_width, expm1(0.025), 1e-12);
  CHECK_EQ(r.verdict, CFB_PAIRED_A);
  /* Walsh averages of {1, 2, 3}: 1, 1.5, 2, 2, 2.5, 3 -> HL 2. */
  double e, lo, hi, t[] = {3, 1, 2};
  CHECK(cfb_paired_log_ci(t, 3, 0.5, NULL, &e, &lo, &hi) >= 0);
  CHECK_NEAR(e, 2, 0);
  /* n = 5: P(T+ = 0) = 1/32 > 0.025, no interval reaches 95%: the range,
   * marked unreachable, undecided however clear the data. */
  CHECK_EQ(cfb_paired_analyze(a, b, 5, 0.95, NULL, &r), 0);
  CHECK(!r.achievable);
  CHECK_EQ(r.verdict, CFB_PAIRED_UNDECIDED);
  CHECK_NEAR(log(r.ci_lo), 0.01, 1e-12);
  CHECK_NEAR(log(r.ci_hi), 0.05, 1e-12);
  /* n = 6: P(T+ = 0) = 1/64 reaches it with k = 1: the range, decided. */
  CHECK_EQ(cfb_paired_analyze(a, b, 6, 0.95, NULL, &r), 0);
  CHECK(r.achievable);
  CHECK_EQ(r.verdict, CFB_PAIRED_A);
  /* n = 150 takes the normal approximation; the interval still brackets
   * the centre of symmetric data and is narrower than at n = 10. */
  double big_a[150], big_b[150], big_d[150];
  for (int i = 0; i < 150; i++) big_d[i] = 0.02 + 0.001 * ((i * 37) % 41 - 20);
  pairs_of(big_d, 150, big_a, big_b);
  CHECK_EQ(cfb_paired_analyze(big_a, big_b, 150, 0.95, NULL, &r), 0);
  CHECK(r.achievable && log(r.ci_lo) < 0.02 && log(r.ci_hi) > 0.02);
  CHECK(r.half_width < 0.01);
}

static void test_sign_and_bootstrap(void) {
  double d[10], a[10], b[10];
  for (int i = 0; i < 10; i++) d[i] = 0.01 * (10 - i);
  pairs_of(d, 10, a, b);
  cfb_paired r;
  /* Binomial(10, 1/2): P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2) = 56/1024:
   * the 2nd and 9th order statistics. */
  cfb_paired_opts sign = {.method = CFB_PAIRED_SIGN};
  CHECK_EQ(cfb_paired_analyze(a, b, 10, 0.95, &sign, &r), 0);
  CHECK_NEAR(log(r.ci_lo), 0.02, 1e-12);
  CHECK_NEAR(log(r.ci_hi), 0.09, 1e-12);
  CHECK_NEAR(log(r.ratio), 0.055, 1e-12);
  cfb_paired_opts boot = {.method = CFB_PAIRED_BOOTSTRAP, .seed = 42, .resamples = 1000};
  cfb_paired r2;
  CHECK_EQ(cfb_paired_analyze(a, b, 10, 0.95, &boot, &r), 0);
  CHECK_EQ(cfb_paired_analyze(a, b, 10, 0.95, &boot, &r2), 0);
  CHECK(r.ci_lo == r2.ci_lo && r.ci_hi == r2.ci_hi); /* seeded */
  CHECK(r.ci_lo <= r.ratio && r.ratio <= r.ci_hi);
  CHECK(log(r.ci_lo) >= 0.01 - 1e-12 && log(r.ci_hi) <= 0.1 + 1e-12);
}

static void test_bad_input(void) {
  double a[] = {10, 0, NAN, -1, 12}, b[] = {10, 5, 5, 5, INFINITY};
  cfb_paired r;
  CHECK_EQ(cfb_paired_analyze(a, b, 5, 0.95, NULL, &r), 0);
  CHECK_EQ(r.n, 1); /* only the first pair is usable */
  CHECK(isnan(r.ratio) && isnan(r.ci_lo));
  CHECK_EQ(r.verdict, CFB_PAIRED_UNDECIDED);
  CHECK_EQ(cfb_paired_analyze(a, b, 5, 1.0, NULL, &r), CFB_PAIRED_EINVAL);
  CHECK_EQ(cfb_paired_analyze(a, b, 5, 0, NULL, &r), CFB_PAIRED_EINVAL);
  cfb_paired_opts bad = {.margin = -0.1};
  CHECK_EQ(cfb_paired_analyze(a, b, 5, 0.95, &bad, &r), CFB_PAIRED_EINVAL);
  cfb_paired_opts badm = {.method = (cfb_paired_method)7};
  CHECK_EQ(cfb_paired_analyze(a, b, 5, 0.95, &badm, &r), CFB_PAIRED_EINVAL);
  CHECK_EQ(cfb_paired_analyze(a, b, 0, 0.95, NULL, &r), 0);
  CHECK_EQ(r.n, 0);
}

static void test_decide(void) {
  double m = CFB_PAIRED_MARGIN;
  CHECK_EQ(cfb_paired_decide(1.01, 1.02, m), CFB_PAIRED_EQUIVALENT); /* inside wins */
  CHECK_EQ(cfb_paired_decide(0.975, 1.025, m), CFB_PAIRED_EQUIVALENT);
  CHECK_EQ(cfb_paired_decide(0.970, 1.01, m), CFB_PAIRED_UNDECIDED); /* 1/1.03 = 0.9709 */
  CHECK_EQ(cfb_paired_decide(1.01, 1.04, m), CFB_PAIRED_A);
  CHECK_EQ(cfb_paired_decide(0.90, 0.96, m), CFB_PAIRED_B);
  CHECK_EQ(cfb_paired_decide(0.99, 1.05, m), CFB_PAIRED_UNDECIDED);
  CHECK_EQ(cfb_paired_decide(NAN, 1.05, m), CFB_PAIRED_UNDECIDED);
  CHECK_EQ(cfb_paired_decide(0.99, 1.05, 0.06), CFB_PAIRED_EQUIVALENT);
  CHECK(!strcmp(cfb_paired_verdict_name(CFB_PAIRED_EQUIVALENT), "equivalent"));
  CHECK(!strcmp(cfb_paired_verdict_name(CFB_PAIRED_UNDECIDED), "undecided"));
}

static void test_plan(void) {
  cfb_seq_plan p;
  CHECK_EQ(cfb_seq_plan_init(&p, 1, 20, 0.05, 0.25), CFB_PAIRED_EINVAL);
  CHECK_EQ(cfb_seq_plan_init(&p, 10, 5, 0.05, 0.25), CFB_PAIRED_EINVAL);
  CHECK_EQ(cfb_seq_plan_init(&p, 5, 20, 0.7, 0.25), CFB_PAIRED_EINVAL);
  CHECK_EQ(cfb_seq_plan_init(&p, 5, 20, 0.05, 0.9), CFB_PAIRED_EINVAL);
  /* One look: the plain two-sided 5% level. */
  CHECK_EQ(cfb_seq_plan_init(&p, 12, 12, 0.05, 0.25), 0);
  CHECK_NEAR(p.c, 1.959964, 1e-5);
  CHECK_NEAR(cfb_seq_alpha(&p, 12), 0.05, 1e-9);
  /* Looks after rounds 5..20: each look is stricter than 5%, the first
   * the strictest; the walk crosses with probability alpha in total, by
   * the integration and by direct simulation of 20000 walks. */
  double shapes[] = {0, CFB_SEQ_SHAPE, 0.5};
  for (int k = 0; k < 3; k++) {
    CHECK_EQ(cfb_seq_plan_init(&p, 5, 20, 0.05, shapes[k]), 0);
    CHECK(cfb_seq_alpha(&p, 20) < 0.05);
    CHECK(cfb_seq_alpha(&p, 5) <= cfb_seq_alpha(&p, 20));
    CHECK(cfb_seq_alpha(&p, 2) == cfb_seq_alpha(&p, 5)); /* clamped */
    CHECK_NEAR(cfb_seq_crossing(&p, 0), 0.05, 1e-3);
    double mc = sim_walk_crossing(&p, 20000, 3);
    fprintf(stderr, "plan 5..20 shape %.2f: c %.4f, alpha first %.5f last %.4f, "
            "crossing %.4f (integration) %.4f (20000 walks)\n", p.shape, p.c,
            cfb_seq_alpha(&p, 5), cfb_seq_alpha(&p, 20), cfb_seq_crossing(&p, 0), mc);
    CHECK_NEAR(mc, 0.05, 3 * se(0.05, 20000));
    CHECK(cfb_seq_crossing(&p, 0.3) > 0.15 && cfb_seq_crossing(&p, 0.7) > 0.7); /* power grows with the drift */
  }
  /* Pocock (shape 0.5) is flat. */
  CHECK_NEAR(cfb_seq_alpha(&p, 5), cfb_seq_alpha(&p, 20), 1e-12);
}

static void test_needs_more(void) {
  cfb_seq_plan p;
  CHECK_EQ(cfb_seq_plan_init(&p, 5, 20, 0.05, CFB_SEQ_SHAPE), 0);
  cfb_paired r = {.n = 4, .verdict = CFB_PAIRED_A, .half_width = 0.01};
  CHECK_EQ(cfb_paired_needs_more(&p, &r, 0.05), 1); /* below min_rounds */
  r.n = 8;
  CHECK_EQ(cfb_paired_needs_more(&p, &r, 0.05), 0); /* decided and precise */
  r.half_width = 0.08;
  CHECK_EQ(cfb_paired_needs_more(&p, &r, 0.05), 1); /* decided, too wide */
  CHECK_EQ(cfb_paired_needs_more(&p, &r, 0), 0);    /* no precision target */
  r.verdict = CFB_PAIRED_UNDECIDED;
  r.half_width = 0.01;
  CHECK_EQ(cfb_paired_needs_more(&p, &r, 0.05), 1); /* undecided */
  r.n = 20;
  CHECK_EQ(cfb_paired_needs_more(&p, &r, 0.05), 0); /* budget spent */
  r = (cfb_paired){.n = 8, .verdict = CFB_PAIRED_EQUIVALENT, .half_width = NAN};
  CHECK_EQ(cfb_paired_needs_more(&p, &r, 0.05), 1);
}

/* cfb_seq_pairs_needed agrees with the interval itself: 0 exactly when
 * the look's interval is achievable, else the first n that is. */
static void test_pairs_needed(void) {
  cfb_seq_plan fixed, adaptive;
  CHECK_EQ(cfb_seq_plan_init(&fixed, 3, 3, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE), 0);
  CHECK_EQ(cfb_seq_plan_init(&adaptive, 5, 20, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE), 0);
  CHECK_EQ(cfb_seq_pairs_needed(&fixed, 3), 6); /* 2/2^5 = 0.0625 > 0.05 >= 2/2^6 */
  CHECK_EQ(cfb_seq_pairs_needed(&fixed, 6), 0);
  const cfb_seq_plan *plans[] = {&fixed, &adaptive};
  double a[30], b[30];
  for (size_t i = 0; i < 30; i++) a[i] = 2 + 0.01 * (double)i, b[i] = 1;
  for (size_t k = 0; k < 2; k++) {
    size_t first = 0;
    for (size_t n = 2; n <= 30; n++) {
      cfb_paired r;
      CHECK_EQ(cfb_paired_look(plans[k], a, b, n, NULL, &r), 0);
      CHECK_EQ(cfb_seq_pairs_needed(plans[k], n) == 0, r.achievable);
      if (r.achievable && !first) first = n;
    }
    CHECK(first > 2);
    CHECK_EQ(cfb_seq_pairs_needed(plans[k], 2), first);
  }
}

static void test_gate_rules(void) {
  cfb_seq_plan p;
  CHECK_EQ(cfb_seq_plan_init(&p, 5, 20, 0.05, CFB_SEQ_SHAPE), 0);
  double base[20], nw[20];
  for (int i = 0; i < 20; i++) { /* a 10% drop under +-1.5% jitter and 30% drift */
    double drift = 1 + 0.3 * sin(i), j = 0.015 * ((i * 7) % 5 - 2) / 2;
    base[i] = 1000 * drift;
    nw[i] = 900 * drift * exp(j);
  }
  cfb_gate g;
  cfb_gate_opts o = {0};
  CHECK_EQ(cfb_gate_paired(&p, base, nw, 20, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_SLOWER);
  CHECK(g.ci_hi < 1 && g.resolved);
  CHECK_NEAR(g.threshold, CFB_GATE_THRESHOLD, 0);
  /* the same drop under a 15% noise floor is not flagged */
  o.noise_floor = 0.15;
  CHECK_EQ(cfb_gate_paired(&p, base, nw, 20, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_UNCHANGED);
  CHECK_NEAR(g.threshold, 0.15, 0);
  /* swapped: faster */
  o.noise_floor = 0;
  CHECK_EQ(cfb_gate_paired(&p, nw, base, 20, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_FASTER);
  /* four rounds reach no level at all */
  CHECK_EQ(cfb_gate_paired(&p, base, nw, 4, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_FEW);
  /* identical up to jitter: unchanged, and the CI rules out 3% */
  for (int i = 0; i < 20; i++) nw[i] = base[i] * exp(0.004 * ((i * 7) % 5 - 2));
  CHECK_EQ(cfb_gate_paired(&p, base, nw, 20, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_UNCHANGED);
  CHECK(g.resolved);
  cfb_gate_opts bad = {.threshold = 1.5};
  CHECK_EQ(cfb_gate_paired(&p, base, nw, 20, &bad, &g), CFB_PAIRED_EINVAL);
  CHECK(!strcmp(cfb_gate_verdict_name(CFB_GATE_SLOWER), "slower"));
}

static void test_unpaired_floor(void) {
  double l[] = {0, 0.1, -0.1, 0.2, -0.2}, x[5];
  for (int i = 0; i < 5; i++) x[i] = 50 * exp(l[i]);
  CHECK_NEAR(cfb_log_spread(x, 5), 1.4826 * 0.1, 1e-12);
  CHECK(isnan(cfb_log_spread(x, 1)));
  /* 10 quiet rounds each, NEW 12% lower: slower.  The same with 10%
   * round-to-round scatter in BASE: the floor (2 sqrt(s_b^2 + s_n^2))
   * passes 12% and the verdict is unchanged though the test is clear. */
  double quiet_b[10], quiet_n[10], noisy_b[10];
  for (int i = 0; i < 10; i++) {
    double j = 0.01 * ((i * 3) % 7 - 3) / 3;
    quiet_b[i] = 100 * exp(j);
    quiet_n[i] = 88 * exp(-j);
    noisy_b[i] = 100 * exp(10 * j + (i % 2 ? 0.08 : -0.08)) * 1.02;
  }
  cfb_gate g;
  cfb_gate_opts o = {.threshold = 0.05, .alpha = 0.01};
  CHECK_EQ(cfb_gate_unpaired(quiet_b, 10, quiet_n, 10, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_SLOWER);
  CHECK(g.resolved && g.p < 0.01);
  CHECK_NEAR(g.threshold, 0.05, 0);
  CHECK_EQ(cfb_gate_unpaired(noisy_b, 10, quiet_n, 10, &o, &g), 0);
  fprintf(stderr, "unpaired: noisy base: floor %.3f, p %.2g, ratio %.3f\n", g.floor, g.p, g.ratio);
  CHECK(g.floor > 0.12 && g.p < 0.01);
  CHECK_EQ(g.verdict, CFB_GATE_UNCHANGED);
  CHECK(!g.resolved);
  /* 3 + 3 rounds cannot reach alpha 0.01 */
  CHECK_EQ(cfb_gate_unpaired(quiet_b, 3, quiet_n, 3, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_FEW);
}

/* ---- validation on the synthetic machine ------------------------------ */

static const sim_machine *const machines[] = {&SIM_QUIET, &SIM_CALM, &SIM_DRIFT, &SIM_OUTLIERS,
                                              &SIM_HEAVY, &SIM_NOISY};
#define NM (sizeof machines / sizeof *machines)

/* The p-value reaches 2 / 2^n and no lower, and agrees with the
 * interval: p <= 1 - level exactly when the interval excludes 1. */
static void test_p_value(void) {
  double d[12], a[12], b[12];
  for (int i = 0; i < 12; i++) d[i] = -0.05 - 0.001 * i; /* every round one side slower */
  pairs_of(d, 12, a, b);
  CHECK_NEAR(cfb_paired_p(a, b, 12), 2 / 4096.0, 1e-15);
  CHECK(isnan(cfb_paired_p(a, b, 1)));
  for (int i = 0; i < 12; i++) d[i] = 0.02 * ((i * 5) % 7 - 2) + 0.004 * i; /* mixed signs */
  pairs_of(d, 12, a, b);
  double p = cfb_paired_p(a, b, 12);
  CHECK(p > 0 && p < 1);
  for (double lvl = 0.5; lvl < 0.999; lvl += 0.01) {
    cfb_paired r;
    CHECK_EQ(cfb_paired_analyze(a, b, 12, lvl, NULL, &r), 0);
    int excludes = r.ci_lo > 1 || r.ci_hi < 1;
    CHECK_EQ(excludes, p <= 1 - lvl + 1e-12);
  }
}

/* Holm on synthetic p-values: 0.04 and 0.03 pass at 5% alone, not
 * corrected over four tests (0.01 <= 0.05/4 is rejected, 0.03 > 0.05/3
 * stops the procedure); the gate follows the divisor. */
static void test_holm(void) {
  const double p[4] = {0.04, 0.5, 0.01, 0.03}, alpha[4] = {0.05, 0.05, 0.05, 0.05};
  size_t div[4];
  CHECK_EQ(cfb_holm_divisors(p, alpha, 4, div), 0);
  CHECK_EQ(div[2], 4); /* smallest: alpha/4, rejected */
  CHECK_EQ(div[3], 3); /* next: alpha/3, not rejected: stop */
  CHECK_EQ(div[0], 3);
  CHECK_EQ(div[1], 3);
  int passed_alone = 0, passed_corrected = 0;
  for (int i = 0; i < 4; i++) {
    passed_alone += p[i] <= alpha[i];
    passed_corrected += p[i] <= alpha[i] / (double)div[i];
  }
  CHECK_EQ(passed_alone, 3);
  CHECK_EQ(passed_corrected, 1);
  /* All significant: divisors m, m-1, ..., 1 (Holm, not Bonferroni). */
  const double q[3] = {0.001, 0.02, 0.004};
  CHECK_EQ(cfb_holm_divisors(q, alpha, 3, div), 0);
  CHECK_EQ(div[0], 3);
  CHECK_EQ(div[2], 2);
  CHECK_EQ(div[1], 1);
  /* A NAN p (too few pairs) sorts last and is never rejected. */
  const double r[2] = {NAN, 0.001};
  CHECK_EQ(cfb_holm_divisors(r, alpha, 2, div), 0);
  CHECK_EQ(div[1], 2);
  CHECK_EQ(div[0], 1);
  /* The gate: a 10% drop in every one of 10 rounds, p = 2/2^10: flagged
   * alone (divisor 1), not at divisor 60 (alpha_10 / 60 < 2/2^10). */
  cfb_seq_plan plan;
  CHECK_EQ(cfb_seq_plan_init(&plan, 5, 20, 0.05, CFB_SEQ_SHAPE), 0);
  double base[10], nw[10];
  for (int i = 0; i < 10; i++) base[i] = 1000 * (1 + 0.3 * sin(i)), nw[i] = 0.9 * base[i] * (1 + 0.001 * i);
  cfb_gate g;
  cfb_gate_opts o = {.family = 1};
  CHECK_EQ(cfb_gate_paired(&plan, base, nw, 10, &o, &g), 0);
  CHECK_EQ(g.verdict, CFB_GATE_SLOWER);
  o.family = 60;
  CHECK_EQ(cfb_gate_paired(&plan, base, nw, 10, &o, &g), 0);
  CHECK(g.verdict != CFB_GATE_SLOWER);
}

/* ab --metric both: the family is the 2M tests (M configurations x 2
 * metrics).  Fixture: 3 configurations, each 10% slower in every one of
 * 10 rounds on both metrics, so every test's p is 2/2^10 = 0.00195: below
 * alpha_10 / 3 = 0.0025 (a family of M flags all three) but above
 * alpha_10 / 6 = 0.00126 (the family of 2M flags none, every divisor 6). */
static void test_holm_both_family(void) {
  enum { M = 3, N = 10 };
  cfb_seq_plan plan;
  CHECK_EQ(cfb_seq_plan_init(&plan, 5, 20, 0.05, CFB_SEQ_SHAPE), 0);
  static double base[2 * M][N], nw[2 * M][N];
  cfb_gate_test t[2 * M];
  for (int k = 0; k < 2 * M; k++) {
    for (int i = 0; i < N; i++)
      base[k][i] = 1000 * (1 + 0.3 * sin(i + k)), nw[k][i] = 0.9 * base[k][i] * (1 + 0.001 * i);
    t[k] = (cfb_gate_test){base[k], nw[k], N};
    CHECK(fabs(cfb_paired_p(nw[k], base[k], N) - 2.0 / 1024) < 1e-12);
  }
  CHECK(2.0 / 1024 <= cfb_seq_alpha(&plan, N) / M && 2.0 / 1024 > cfb_seq_alpha(&plan, N) / (2 * M));
  cfb_gate g[2 * M];
  size_t div[2 * M];
  CHECK_EQ(cfb_gate_family(&plan, t, 2 * M, NULL, g, div), 0);
  for (int k = 0; k < 2 * M; k++) {
    CHECK_EQ(div[k], 2 * M);
    CHECK(g[k].verdict != CFB_GATE_SLOWER);
  }
  CHECK_EQ(cfb_gate_family(&plan, t, M, NULL, g, div), 0); /* one metric: a family of M */
  for (int k = 0; k < M; k++) CHECK_EQ(g[k].verdict, CFB_GATE_SLOWER);
}

/* A configuration's verdict on several metrics: slower if either says so
 * (and which), then faster, then too few rounds, else unchanged. */
static void test_gate_either(void) {
  cfb_gate g[2] = {{.verdict = CFB_GATE_UNCHANGED}, {.verdict = CFB_GATE_SLOWER}};
  unsigned w;
  CHECK_EQ(cfb_gate_either(g, 2, &w), CFB_GATE_SLOWER);
  CHECK_EQ(w, 2u);
  g[0].verdict = CFB_GATE_SLOWER;
  CHECK_EQ(cfb_gate_either(g, 2, &w), CFB_GATE_SLOWER);
  CHECK_EQ(w, 3u);
  g[0].verdict = CFB_GATE_FASTER; /* faster in wall time by burning more CPU: still slower */
  CHECK_EQ(cfb_gate_either(g, 2, &w), CFB_GATE_SLOWER);
  CHECK_EQ(w, 2u);
  g[1].verdict = CFB_GATE_UNCHANGED;
  CHECK_EQ(cfb_gate_either(g, 2, &w), CFB_GATE_FASTER);
  CHECK_EQ(w, 1u);
  g[0].verdict = CFB_GATE_FEW;
  CHECK_EQ(cfb_gate_either(g, 2, &w), CFB_GATE_FEW);
  CHECK_EQ(w, 0u);
  g[0].verdict = CFB_GATE_UNCHANGED;
  CHECK_EQ(cfb_gate_either(g, 2, &w), CFB_GATE_UNCHANGED);
  CHECK_EQ(w, 0u);
  CHECK_EQ(cfb_gate_either(g, 1, &w), CFB_GATE_UNCHANGED);
}

/* A standard normal (Box-Muller) from the harness's generator. */
static double normal01(uint64_t *st) {
  double u = ((double)(cfb_rng_next(st) >> 11) + 0.5) / 9007199254740992.0;
  double v = (double)(cfb_rng_next(st) >> 11) / 9007199254740992.0;
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Family-wise false alarms of the corrected gate: A/A comparisons of 60
 * configurations at 20 rounds under a drift common to both sides; the
 * share of comparisons flagging any configuration stays near alpha, while
 * uncorrected most comparisons flag one. */
static void test_holm_family_rate(void) {
  enum { M = 60, N = 20 };
  size_t trials = TRIALS / 10;
  cfb_seq_plan plan;
  CHECK_EQ(cfb_seq_plan_init(&plan, 5, N, 0.05, CFB_SEQ_SHAPE), 0);
  uint64_t st = 12345;
  size_t any_c = 0, any_u = 0;
  static double base[M][N], nw[M][N];
  for (size_t t = 0; t < trials; t++) {
    double p[M], alpha[M];
    size_t div[M];
    for (int c = 0; c < M; c++) {
      for (int i = 0; i < N; i++) {
        double drift = 1 + 0.3 * sin(0.7 * i + c);
        base[c][i] = 1000 * drift * exp(0.05 * normal01(&st));
        nw[c][i] = 1000 * drift * exp(0.05 * normal01(&st));
      }
      p[c] = cfb_paired_p(nw[c], base[c], N);
      alpha[c] = cfb_seq_alpha(&plan, N);
    }
    CHECK_EQ(cfb_holm_divisors(p, alpha, M, div), 0);
    int fc = 0, fu = 0;
    for (int c = 0; c < M; c++) {
      fc |= p[c] <= alpha[c] / (double)div[c];
      fu |= p[c] <= alpha[c];
    }
    any_c += fc;
    any_u += fu;
  }
  double rc = (double)any_c / (double)trials, ru = (double)any_u / (double)trials;
  printf("holm: A/A comparisons of %d configurations flagging any: corrected %.3f, uncorrected %.3f "
         "(%zu trials)\n", M, rc, ru, trials);
  CHECK(rc <= 0.05 + 3 * se(0.05, trials));
  CHECK(ru > 0.5); /* without the correction most comparisons flag one */
}

/* Family-wise false alarms of ab --metric both: A/A comparisons of 30
 * configurations at 20 rounds, each judged on two correlated metrics as
 * a loaded machine gives them: an item's CPU cost (log noise 2%, per
 * invocation) enters both, the CPU share left by the neighbours (uniform
 * in [0.4, 1], drawn per invocation, with a drift common to the round)
 * only wall time.  Judged by cfb_gate_family over the 60 tests and
 * cfb_gate_either per configuration, with a negligible threshold so the
 * significance alone decides: the share of comparisons flagging any
 * configuration (slower or faster) stays near alpha.  Holm over each
 * metric's M alone would let it approach twice that. */
static void test_holm_both_rate(void) {
  enum { M = 30, N = 20 };
  size_t trials = TRIALS / 2;
  cfb_seq_plan plan;
  CHECK_EQ(cfb_seq_plan_init(&plan, 5, N, 0.05, CFB_SEQ_SHAPE), 0);
  uint64_t st = 4242;
  static double x[2 * M][2][N]; /* test (metric-major: wall 0..M-1, cpu M..2M-1), side, round */
  cfb_gate_test t[2 * M];
  cfb_gate g[2 * M];
  cfb_gate_opts o = {.threshold = 1e-9};
  size_t any_both = 0, any_split = 0;
  for (size_t tr = 0; tr < trials; tr++) {
    for (int c = 0; c < M; c++)
      for (int i = 0; i < N; i++) {
        double drift = 1 + 0.2 * sin(0.5 * i + c);
        for (int side = 0; side < 2; side++) {
          double cost = exp(0.02 * normal01(&st));
          double share = (0.4 + 0.6 * (double)(cfb_rng_next(&st) >> 11) * 0x1.0p-53) * drift;
          x[M + c][side][i] = 1000 / cost;      /* items per CPU-second */
          x[c][side][i] = 1000 * share / cost;  /* items per wall-second */
        }
      }
    for (int k = 0; k < 2 * M; k++) t[k] = (cfb_gate_test){x[k][0], x[k][1], N};
    CHECK_EQ(cfb_gate_family(&plan, t, 2 * M, &o, g, NULL), 0);
    int fb = 0, fs = 0;
    for (int c = 0; c < M; c++) {
      cfb_gate pair[2] = {g[c], g[M + c]};
      unsigned w;
      fb |= cfb_gate_either(pair, 2, &w) != CFB_GATE_UNCHANGED;
    }
    /* the same tests, Holm over each metric's M separately */
    for (int k = 0; k < 2; k++) {
      CHECK_EQ(cfb_gate_family(&plan, t + k * M, M, &o, g + k * M, NULL), 0);
      for (int c = 0; c < M; c++) fs |= g[k * M + c].verdict != CFB_GATE_UNCHANGED;
    }
    any_both += fb;
    any_split += fs;
  }
  double rb = (double)any_both / (double)trials, rs = (double)any_split / (double)trials;
  printf("holm both metrics: A/A comparisons of %d configurations x 2 metrics flagging any: family of 2M "
         "%.3f, each metric's M apart %.3f (%zu trials)\n", M, rb, rs, trials);
  CHECK(rb <= 0.05 + 3 * se(0.05, trials));
  CHECK(rs >= rb);
}

static void test_coverage(void) {
  static const char *names[] = {"wilcoxon/HL", "sign", "bootstrap"};
  size_t ns[] = {8, 12, 20};
  for (size_t i = 0; i < NM; i++)
    for (int m = 0; m < 3; m++)
      for (size_t k = 0; k < 3; k++) {
        cfb_paired_opts o = {.method = (cfb_paired_method)m, .resamples = 1000};
        size_t trials = m == CFB_PAIRED_BOOTSTRAP ? TRIALS / 8 : TRIALS; /* 1000 sorts each */
        double c = sim_coverage(machines[i], &o, 1.05, ns[k], 0.95, trials, 11 + k);
        fprintf(stderr, "coverage %-12s n=%2zu %-26s %.3f (%zu trials)\n", names[m], ns[k],
                machines[i]->name, c, trials);
        /* The rank intervals are exact for symmetric / any continuous
         * differences: at least 93% (the Monte Carlo error allowed under
         * the sanitizers' fewer trials).  The percentile bootstrap of a
         * median is known to undercover at small n: printed only. */
        if (m != CFB_PAIRED_BOOTSTRAP) CHECK(c >= 0.93 - 2 * se(0.95, trials) * (TRIALS < 2000));
      }
}

static double false_alarms(sim_tally t) {
  return (double)(t.verdict[CFB_PAIRED_A] + t.verdict[CFB_PAIRED_B]) / (double)t.trials;
}

static void test_sequential_false_alarms(void) {
  cfb_seq_plan p, naive;
  CHECK_EQ(cfb_seq_plan_init(&p, CFB_SEQ_MIN_ROUNDS, CFB_SEQ_MAX_ROUNDS, CFB_PAIRED_ALPHA,
                             CFB_SEQ_SHAPE), 0);
  naive = p;
  naive.shape = 0.5;
  naive.c = 1.959964; /* 95% at every look: optional stopping ignored */
  double limit = CFB_PAIRED_ALPHA + 2 * se(CFB_PAIRED_ALPHA, TRIALS);
  for (size_t i = 0; i < NM; i++) {
    sim_tally t = sim_sequential(machines[i], &p, CFB_PAIRED_TARGET_CI, 1.0, TRIALS, 21);
    sim_tally u = sim_sequential(machines[i], &naive, CFB_PAIRED_TARGET_CI, 1.0, TRIALS, 21);
    fprintf(stderr, "A/A adaptive %zu..%zu %-26s false alarms %.4f (uncorrected looks %.4f), "
            "equivalent %.3f, undecided %.3f, CI covers 1 %.3f, mean rounds %.1f\n",
            p.min_rounds, p.max_rounds, machines[i]->name, false_alarms(t), false_alarms(u),
            (double)t.verdict[CFB_PAIRED_EQUIVALENT] / TRIALS,
            (double)t.verdict[CFB_PAIRED_UNDECIDED] / TRIALS, (double)t.covered / TRIALS,
            t.mean_rounds);
    /* at most alpha (not significantly above it at this many trials) */
    CHECK(false_alarms(t) <= limit);
    CHECK(false_alarms(u) > false_alarms(t)); /* the correction is what holds it */
    CHECK((double)t.covered / TRIALS >= 0.95 - 2 * se(0.95, TRIALS));
  }
}

static void test_sequential_power(void) {
  size_t maxes[] = {15, 20};
  for (size_t i = 0; i < NM; i++)
    for (size_t j = 0; j < 2; j++) {
      cfb_seq_plan p;
      CHECK_EQ(cfb_seq_plan_init(&p, CFB_SEQ_MIN_ROUNDS, maxes[j], CFB_PAIRED_ALPHA,
                                 CFB_SEQ_SHAPE), 0);
      sim_tally t = sim_sequential(machines[i], &p, CFB_PAIRED_TARGET_CI, 1.05, TRIALS / 2, 31);
      sim_tally t2 = sim_sequential(machines[i], &p, CFB_PAIRED_TARGET_CI, 1 / 1.05, TRIALS / 2, 32);
      double pw = (double)t.verdict[CFB_PAIRED_A] / (double)t.trials;
      double pw2 = (double)t2.verdict[CFB_PAIRED_B] / (double)t2.trials;
      fprintf(stderr, "power 5%% within %zu rounds %-26s A faster: %.3f  B faster: %.3f  "
              "(wrong side %zu, equivalent %zu; mean rounds %.1f)\n", maxes[j], machines[i]->name,
              pw, pw2, t.verdict[CFB_PAIRED_B] + t2.verdict[CFB_PAIRED_A],
              t.verdict[CFB_PAIRED_EQUIVALENT] + t2.verdict[CFB_PAIRED_EQUIVALENT], t.mean_rounds);
      CHECK_EQ(t.verdict[CFB_PAIRED_B] + t2.verdict[CFB_PAIRED_A], 0);
      /* >= 90% within 20 rounds at 10-30% drift and 2-3% noise per side;
       * at 5% per side even a fixed-n t test of 20 pairs has 84%: printed
       * (docs/statistics.md) */
      if (maxes[j] == 20 && machines[i]->noise <= 0.03 && machines[i]->outlier_p <= 0.02) {
        CHECK(pw >= 0.90);
        CHECK(pw2 >= 0.90);
      }
    }
}

static void test_gate_validation(void) {
  cfb_seq_plan p;
  CHECK_EQ(cfb_seq_plan_init(&p, CFB_SEQ_MIN_ROUNDS, CFB_SEQ_MAX_ROUNDS, CFB_PAIRED_ALPHA,
                             CFB_SEQ_SHAPE), 0);
  cfb_gate_opts o = {0};
  size_t n = TRIALS / 2;
  for (size_t i = 0; i < NM; i++) {
    double aa = sim_gate_paired(machines[i], &p, &o, 1.0, CFB_GATE_SLOWER, n, 41);
    double det = sim_gate_paired(machines[i], &p, &o, 0.95, CFB_GATE_SLOWER, n, 42);
    cfb_gate_opts u = {.threshold = 0.05, .alpha = 0.01}, old = u;
    old.floor_k = -1;
    double ua = sim_gate_unpaired(machines[i], 10, 10, &u, 1.0, CFB_GATE_SLOWER, n, 43);
    double uo = sim_gate_unpaired(machines[i], 10, 10, &old, 1.0, CFB_GATE_SLOWER, n, 43);
    double ud = sim_gate_unpaired(machines[i], 10, 10, &u, 0.7, CFB_GATE_SLOWER, n, 44);
    fprintf(stderr, "gate %-26s paired: A/A slower %.4f, 5%% drop flagged %.3f | unpaired 10+10: "
            "A/A slower %.4f (no floor %.4f), 30%% drop flagged %.3f\n", machines[i]->name, aa,
            det, ua, uo, ud);
    /* one-sided: at most alpha / 2 */
    CHECK(aa <= CFB_PAIRED_ALPHA / 2 + 2 * se(CFB_PAIRED_ALPHA / 2, n));
    if (machines[i]->noise <= 0.03 && machines[i]->outlier_p <= 0.02) CHECK(det >= 0.90);
    CHECK(ua <= uo); /* the floor never adds alarms */
  }
  /* The drifting machine: separate runs cry wolf without the floor (the
   * 13 of 60 of issue 13); the floor cuts it several-fold. */
  cfb_gate_opts u = {.threshold = 0.05, .alpha = 0.01}, old = u;
  old.floor_k = -1;
  double ua = sim_gate_unpaired(&SIM_DRIFT, 10, 10, &u, 1.0, CFB_GATE_SLOWER, n, 45);
  double uo = sim_gate_unpaired(&SIM_DRIFT, 10, 10, &old, 1.0, CFB_GATE_SLOWER, n, 45);
  CHECK(uo > 0.10);
  CHECK(ua < uo / 3);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"wilcoxon_exact", test_wilcoxon_exact},
                                    {"sign_and_bootstrap", test_sign_and_bootstrap},
                                    {"bad_input", test_bad_input},
                                    {"decide", test_decide},
                                    {"plan", test_plan},
                                    {"needs_more", test_needs_more},
                                    {"pairs_needed", test_pairs_needed},
                                    {"gate_rules", test_gate_rules},
                                    {"unpaired_floor", test_unpaired_floor},
                                    {"coverage", test_coverage},
                                    {"sequential_false_alarms", test_sequential_false_alarms},
                                    {"sequential_power", test_sequential_power},
                                    {"gate_validation", test_gate_validation},
                                    {"p_value", test_p_value},
                                    {"holm", test_holm},
                                    {"holm_family_rate", test_holm_family_rate},
                                    {"holm_both_family", test_holm_both_family},
                                    {"gate_either", test_gate_either},
                                    {"holm_both_rate", test_holm_both_rate},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
