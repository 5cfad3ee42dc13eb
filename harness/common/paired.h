/* paired.h -- verdicts from PAIRED rounds: two sides (thread/process, or
 * BASE/NEW) of one configuration measured adjacent in time, in random
 * order, in every round; the decision is made on the per-round ratios
 * r_i = a_i / b_i, so drift that hits both sides cancels.
 *
 *  - A confidence interval of the ratio (in log space): Wilcoxon
 *    signed-rank with the Hodges-Lehmann estimate (default), the sign-test
 *    interval of the median, or a seeded percentile bootstrap of the median.
 *  - A who-wins verdict: A, B, equivalent (the CI lies inside +-margin,
 *    TOST-style) or undecided.
 *  - A sequential plan for adaptive rounds: the per-look confidence level
 *    (a Wang-Tsiatis group-sequential boundary computed by numerical
 *    integration) so that looking after every round and stopping when
 *    decided keeps the overall false-alarm rate at alpha.
 *  - The regression gate of `cfbench ab` (paired) and of `compare` (two
 *    unpaired runs, with a noise floor from each run's round-to-round
 *    spread).
 *
 * Pure functions on arrays, no I/O, no global state.  docs/statistics.md
 * describes the procedure and its validation. */
#ifndef CFB_PAIRED_H
#define CFB_PAIRED_H

#include <stddef.h>
#include <stdint.h>

/* Errors (the values of CF_EINVAL and CF_ENOMEM in cfutures.h). */
#define CFB_PAIRED_EINVAL (-22)
#define CFB_PAIRED_ENOMEM (-12)

/* How the interval of the ratio is computed. */
typedef enum cfb_paired_method {
  CFB_PAIRED_WILCOXON = 0, /* signed-rank test inversion (Walsh averages), Hodges-Lehmann
                              estimate; exact null distribution; assumes the log ratios are
                              symmetric about their centre (random order within the pair makes
                              them so) */
  CFB_PAIRED_SIGN,         /* order statistics of the log ratios from the binomial (sign test):
                              distribution-free CI of the median, wider */
  CFB_PAIRED_BOOTSTRAP     /* percentile bootstrap of the median (seeded), for comparison */
} cfb_paired_method;

/* Who-wins verdicts.  A and B are the two sides passed in (ratio = a/b). */
typedef enum cfb_paired_verdict {
  CFB_PAIRED_UNDECIDED = 0, /* CI too wide: contains 1 and leaves +-margin */
  CFB_PAIRED_A,             /* CI entirely above 1 (and not inside +-margin) */
  CFB_PAIRED_B,             /* CI entirely below 1 (and not inside +-margin) */
  CFB_PAIRED_EQUIVALENT     /* CI inside [1/(1+margin), 1+margin] */
} cfb_paired_verdict;

/* Options of one analysis.  Zero-initialised fields take the defaults. */
typedef struct cfb_paired_opts {
  cfb_paired_method method; /* default CFB_PAIRED_WILCOXON */
  double margin;            /* equivalence margin, a fraction; 0 -> CFB_PAIRED_MARGIN */
  size_t resamples;         /* bootstrap only; 0 -> 2000 */
  uint64_t seed;            /* bootstrap only */
} cfb_paired_opts;

#define CFB_PAIRED_MARGIN 0.03     /* +-3%: "equivalent" */
#define CFB_PAIRED_TARGET_CI 0.05  /* default precision target (CI half-width) */
#define CFB_PAIRED_ALPHA 0.05      /* default overall false-alarm rate */
#define CFB_PAIRED_EXACT_MAX 100   /* signed-rank exact up to this n, normal above (binomial: always exact) */

/* The analysis of n pairs. */
typedef struct cfb_paired {
  size_t n;           /* pairs used: both sides finite and > 0 */
  double ratio;       /* point estimate of a/b (exp of HL or of the median log ratio) */
  double ci_lo, ci_hi;/* interval of the ratio at `level` */
  double level;       /* the confidence level the interval has */
  double half_width;  /* expm1((ln ci_hi - ln ci_lo) / 2): 0.05 = +-5% */
  int achievable;     /* 0: n too small to reach `level` (ci = range, verdict undecided) */
  cfb_paired_verdict verdict;
} cfb_paired;

/* Analyse pairs (a[i], b[i]), i < n (throughputs, higher is better;
 * pairs with a side not finite or <= 0 are skipped) at confidence `level`
 * in (0, 1).  Fewer than 2 usable pairs: n is set, everything else NAN,
 * verdict undecided, returns 0.  Returns 0, CFB_PAIRED_EINVAL (bad level
 * or options) or CFB_PAIRED_ENOMEM. */
int cfb_paired_analyze(const double *a, const double *b, size_t n, double level,
                       const cfb_paired_opts *opts, cfb_paired *out);

/* The interval itself, in log space, on log ratios d[0..n) (n >= 1):
 * estimate and [lo, hi].  Returns 1 when the level is reachable with n,
 * 0 when it is not (then [lo, hi] is the range of the data), or a
 * negative error. */
int cfb_paired_log_ci(const double *d, size_t n, double level, const cfb_paired_opts *opts,
                      double *est, double *lo, double *hi);

/* The two-sided exact p-value (normal above CFB_PAIRED_EXACT_MAX) of the
 * Wilcoxon signed-rank test of ratio 1 on the usable pairs (a[i], b[i]):
 * the smallest 1 - level at which cfb_paired_log_ci's interval excludes
 * 1 (both count the Walsh averages below / above 0).  Its smallest value
 * with k usable pairs is 2 / 2^k.  NAN with fewer than 2 usable pairs or
 * out of memory. */
double cfb_paired_p(const double *a, const double *b, size_t n);

/* ---- family-wise control over the configurations of one comparison ----
 *
 * Holm's step-down procedure (Holm 1979) on the tests' p-values p[0..m),
 * test i at its own level alpha[i] (the sequential plan's level for its
 * rounds): sorted by p, the j-th smallest (j = 0, 1, ...) is tested at
 * alpha / (m - j) until the first that is not significant; it and every
 * later one are tested at that last divisor (and are not significant,
 * their p being no smaller).  div[i] is the divisor of test i, so "test i
 * at level alpha[i] / div[i]" is the procedure; a NAN p sorts last.  Holm
 * rather than Benjamini-Hochberg: a gate promises "no false alarm in the
 * whole comparison" with probability 1 - alpha (family-wise), which FDR
 * control does not; Holm is uniformly more powerful than Bonferroni and,
 * unlike Hochberg, needs no assumption on how the configurations' tests
 * depend on each other (they share the machine's bursts).  0 or
 * CFB_PAIRED_ENOMEM. */
int cfb_holm_divisors(const double *p, const double *alpha, size_t m, size_t *div);

/* The verdict of a ratio interval [lo, hi] with an equivalence margin. */
cfb_paired_verdict cfb_paired_decide(double lo, double hi, double margin);

/* "undecided", "a", "b", "equivalent". */
const char *cfb_paired_verdict_name(cfb_paired_verdict v);

/* ---- pairs by round ----------------------------------------------------
 *
 * Measurements of side A (round_a[i], a[i]), i < na, and of side B: one
 * value per side per round (the median of that round's finite positive
 * values), for every round 0..max(round_a) in which both sides have one,
 * into malloc'd *pa, *pb (n = *npairs, possibly 0; free both).  0 or
 * CFB_PAIRED_ENOMEM. */
int cfb_paired_by_round(const int *round_a, const double *a, size_t na, const int *round_b,
                        const double *b, size_t nb, double **pa, double **pb, size_t *npairs);

/* Who-wins verdicts as verdicts.csv names them, A = thread, B = process:
 * "thread", "process", "equivalent", "undecided"; and back (0, or -1 when
 * s is none of them). */
const char *cfb_who_wins_name(cfb_paired_verdict v);
int cfb_who_wins_parse(const char *s, cfb_paired_verdict *v);

/* ---- sequential plan: looking after every round ----------------------
 *
 * Looks happen after rounds min_rounds, min_rounds+1, ..., max_rounds.  At
 * look n the interval is computed at level 1 - alpha_n, where alpha_n
 * comes from the boundary |Z_n| >= c (n/N)^(shape - 1/2) (Wang & Tsiatis
 * 1987; shape 0 = O'Brien-Fleming, 0.5 = Pocock), N = max_rounds, and c is
 * solved so that a normal random walk crosses it with probability alpha
 * over all looks (Armitage, McPherson & Rowe 1969 recursive integration).
 * Stopping at the first crossing then has overall false-alarm rate
 * alpha; stopping for other reasons (equivalent, precise enough, time
 * budget) only lowers it. */
typedef struct cfb_seq_plan {
  size_t min_rounds, max_rounds;
  double alpha; /* overall two-sided false-alarm rate */
  double shape; /* Wang-Tsiatis Delta */
  double c;     /* the solved boundary constant (z-scale at the last look) */
} cfb_seq_plan;

#define CFB_SEQ_SHAPE 0.25 /* between O'Brien-Fleming (0) and Pocock (0.5), by validation */
#define CFB_SEQ_MIN_ROUNDS 5
#define CFB_SEQ_MAX_ROUNDS 20

/* Solve the plan.  Requires 2 <= min_rounds <= max_rounds <= 2000,
 * alpha in (0, 0.5), shape in [0, 0.5].  min == max is a fixed-n test
 * (c = the normal quantile).  Returns 0 or CFB_PAIRED_EINVAL /
 * CFB_PAIRED_ENOMEM. */
int cfb_seq_plan_init(cfb_seq_plan *p, size_t min_rounds, size_t max_rounds, double alpha,
                      double shape);

/* The two-sided level alpha_n of the look after n rounds (n clamped to
 * [min_rounds, max_rounds]). */
double cfb_seq_alpha(const cfb_seq_plan *p, size_t n);

/* The probability that the boundary of `p` is crossed at some look by a
 * normal random walk with drift `theta` per round (in units of the
 * per-round standard deviation): alpha at theta = 0, the power of the
 * normal approximation otherwise.  NAN when out of memory. */
double cfb_seq_crossing(const cfb_seq_plan *p, double theta);

/* The look after the rounds so far: cfb_paired_analyze at the plan's
 * level for n pairs. */
int cfb_paired_look(const cfb_seq_plan *p, const double *a, const double *b, size_t n,
                    const cfb_paired_opts *opts, cfb_paired *out);

/* 0 when the look after n pairs can reach its level with the signed-rank
 * interval (the runner's and the report's method); otherwise the fewest
 * pairs whose look can.  With k pairs the smallest p-value is 2 / 2^k
 * (cfb_paired_p), so a look reaches its level iff 2 / 2^k <= alpha_k;
 * below that the interval is the data's range (achievable = 0) and the
 * verdict undecided however far the range lies from 1: the fixed 95%
 * look needs 6 pairs. */
size_t cfb_seq_pairs_needed(const cfb_seq_plan *p, size_t n);

/* Does this configuration need another round?  1 while fewer than
 * min_rounds pairs, 0 once max_rounds; otherwise 1 while the verdict is
 * undecided or the half-width exceeds target_ci (0: no precision target). */
int cfb_paired_needs_more(const cfb_seq_plan *p, const cfb_paired *r, double target_ci);

/* ---- the regression gate ---------------------------------------------- */

typedef enum cfb_gate_verdict {
  CFB_GATE_UNCHANGED = 0, /* no significant change beyond the threshold */
  CFB_GATE_SLOWER,        /* NEW significantly slower, by more than the threshold */
  CFB_GATE_FASTER,        /* NEW significantly faster, by more than the threshold */
  CFB_GATE_FEW            /* too few rounds for any verdict at this level */
} cfb_gate_verdict;

typedef struct cfb_gate_opts {
  double threshold;   /* minimum effect, a fraction; 0 -> CFB_GATE_THRESHOLD */
  double noise_floor; /* paired: smallest change this machine resolves (fraction, may be 0) */
  double alpha;       /* unpaired only (paired uses the plan); 0 -> 0.01 */
  double floor_k;     /* unpaired: floor = floor_k * sqrt(s_base^2 + s_new^2); 0 -> default */
  double family;      /* paired: the test's level is the plan's alpha_n / family (the Holm
                         divisor, cfb_holm_divisors); 0 or 1: alone */
} cfb_gate_opts;

#define CFB_GATE_THRESHOLD 0.03
#define CFB_GATE_FLOOR_K 2.0 /* two sd of the difference of two levels */

typedef struct cfb_gate {
  size_t n_base, n_new;   /* paired: both = pairs used */
  double ratio;           /* NEW / BASE (paired: HL estimate; unpaired: ratio of medians) */
  double ci_lo, ci_hi;    /* paired: the ratio's interval; unpaired: NAN */
  double p;               /* unpaired: Mann-Whitney two-sided p; paired: NAN */
  double floor;           /* the noise floor used (fraction) */
  double threshold;       /* effective threshold: max(threshold, floor) */
  int resolved;           /* 1: the data can exclude a change of `threshold` either way
                             (paired: CI inside +-threshold, or a verdict) */
  cfb_gate_verdict verdict;
} cfb_gate;

/* Paired gate on rounds (base[i], nw[i]) of one configuration, at the
 * plan's level for the number of pairs (its alpha divided by o->family): slower when the CI lies below 1
 * and the estimate below 1 - max(threshold, noise_floor); faster
 * symmetrically; FEW when the level is not reachable.  0 or an error. */
int cfb_gate_paired(const cfb_seq_plan *p, const double *base, const double *nw, size_t n,
                    const cfb_gate_opts *o, cfb_gate *out);

/* Round-to-round spread of one run's throughputs: 1.4826 * MAD of the
 * logs (a robust standard deviation of the log throughput; 0.1 = 10%).
 * NAN with fewer than 2 usable values. */
double cfb_log_spread(const double *x, size_t n);

/* Unpaired gate (compare of two separate runs): Mann-Whitney U at alpha
 * plus an effect beyond max(threshold, floor), floor = floor_k *
 * sqrt(s_base^2 + s_new^2) from each run's own spread, so a noisy run
 * widens its threshold.  FEW when complete separation could not reach
 * alpha.  0 or an error. */
int cfb_gate_unpaired(const double *base, size_t nb, const double *nw, size_t nn,
                      const cfb_gate_opts *o, cfb_gate *out);

/* One test of a comparison's family: a configuration's pairs on one
 * metric (BASE and NEW throughputs by round). */
typedef struct cfb_gate_test {
  const double *base, *nw;
  size_t n;
} cfb_gate_test;

/* The paired gate over the family of one comparison: the m tests t[0..m)
 * (every configuration on every metric judged: `ab --metric both` has 2
 * per configuration, so m = 2M), each by cfb_gate_paired at the plan's
 * level for its rounds over its Holm divisor among all m (div[i], may be
 * NULL), o's other fields shared.  So the whole comparison, both metrics
 * together, flags anything with probability about the plan's alpha.  0 or
 * an error. */
int cfb_gate_family(const cfb_seq_plan *p, const cfb_gate_test *t, size_t m, const cfb_gate_opts *o,
                    cfb_gate *out, size_t *div);

/* The verdict of one configuration tested on k metrics (g[0..k), ab
 * --metric both): slower when any test says slower; else faster when any
 * says faster; else too few rounds when any had too few; else unchanged.
 * Slower before faster: a NEW that finishes sooner by spending more CPU
 * is still a regression of the cost the gate watches.  *which gets bit
 * (1 << i) of each test i that gave a slower / faster verdict, 0 for
 * unchanged and too few rounds. */
cfb_gate_verdict cfb_gate_either(const cfb_gate *g, size_t k, unsigned *which);

/* "unchanged", "slower", "faster", "too few rounds". */
const char *cfb_gate_verdict_name(cfb_gate_verdict v);

#endif
