/* paired_sim.c -- the synthetic machine of paired_sim.h and the Monte
 * Carlo studies of the paired procedures on it.  Deterministic: every
 * study draws from its own seeded cfb_rng. */
#include "paired_sim.h"

#include <math.h>
#include <stdlib.h>

#include "stats.h"

/*                       name        drift noise heavy nb_p  nb_hit out_p out_hit slots */
const sim_machine SIM_QUIET = {"lognormal 3%", 0, 0.03, 0, 0, 0, 0, 0, 2};
const sim_machine SIM_CALM = {"drift 10% + 2% noise", 0.10, 0.02, 0, 0.01, 0.25, 0.01, 0.5, 40};
const sim_machine SIM_DRIFT = {"drift 30% + neighbour", 0.30, 0.03, 0, 0.02, 0.25, 0, 0, 40};
const sim_machine SIM_OUTLIERS = {"drift 10% + 5% outliers", 0.10, 0.03, 0, 0.01, 0.25, 0.05, 0.5, 40};
const sim_machine SIM_HEAVY = {"drift 20% + t3 noise", 0.20, 0.03, 1, 0.01, 0.25, 0.02, 0.5, 40};
const sim_machine SIM_NOISY = {"drift 30% + 5% noise", 0.30, 0.05, 0, 0.02, 0.25, 0.02, 0.5, 40};

static double uniform(uint64_t *s) { return (double)(cfb_rng_next(s) >> 11) * 0x1.0p-53; }

static double gauss(uint64_t *s) {
  double u = uniform(s), v = uniform(s);
  return sqrt(-2 * log(u > 0 ? u : 0x1.0p-53)) * cos(2 * M_PI * v);
}

/* t with 3 degrees of freedom has variance 3: scale to unit sd. */
static double noise(const sim_machine *m, uint64_t *s) {
  if (!m->heavy) return gauss(s);
  double z = gauss(s), c = 0;
  for (int i = 0; i < 3; i++) {
    double g = gauss(s);
    c += g * g;
  }
  return z / sqrt(c / 3) / sqrt(3.0);
}

/* The machine's state over time. */
typedef struct timeline {
  double t, period, phase;
  int neighbour;
} timeline;

static timeline timeline_new(const sim_machine *m, size_t rounds, uint64_t *s) {
  double len = (double)(rounds * m->slots);
  return (timeline){0, len * (0.5 + uniform(s)), 2 * M_PI * uniform(s), uniform(s) < 0.3};
}

/* Common log level of the next slot. */
static double level(const sim_machine *m, timeline *tl, uint64_t *s) {
  if (uniform(s) < m->neighbour_p) tl->neighbour = !tl->neighbour;
  double l = m->drift * sin(2 * M_PI * tl->t / tl->period + tl->phase);
  if (tl->neighbour) l += log(1 - m->neighbour_hit);
  tl->t += 1;
  return l;
}

/* One measurement of true throughput mu in the next slot. */
static double measure(const sim_machine *m, timeline *tl, double mu, uint64_t *s) {
  double x = mu * exp(level(m, tl, s) + m->noise * noise(m, s));
  if (uniform(s) < m->outlier_p) x *= 1 - m->outlier_hit * uniform(s);
  return x;
}

/* Round r of a pair: the other configurations' slots pass, then a and b
 * in random order. */
static void pair_round(const sim_machine *m, timeline *tl, double ratio, uint64_t *s, double *a,
                       double *b) {
  for (size_t k = 2; k < m->slots; k++) level(m, tl, s);
  if (uniform(s) < 0.5) {
    *a = measure(m, tl, ratio, s);
    *b = measure(m, tl, 1, s);
  } else {
    *b = measure(m, tl, 1, s);
    *a = measure(m, tl, ratio, s);
  }
}

double sim_coverage(const sim_machine *m, const cfb_paired_opts *o, double true_ratio, size_t n,
                    double level_, size_t trials, uint64_t seed) {
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  if (!a || !b) abort();
  uint64_t s = seed;
  size_t hit = 0;
  for (size_t t = 0; t < trials; t++) {
    timeline tl = timeline_new(m, n, &s);
    for (size_t i = 0; i < n; i++) pair_round(m, &tl, true_ratio, &s, &a[i], &b[i]);
    cfb_paired_opts oo = o ? *o : (cfb_paired_opts){0};
    oo.seed = s;
    cfb_paired r;
    if (cfb_paired_analyze(a, b, n, level_, &oo, &r) != 0) abort();
    if (r.ci_lo <= true_ratio && true_ratio <= r.ci_hi) hit++;
  }
  free(a);
  free(b);
  return (double)hit / (double)trials;
}

/* Runs the adaptive rounds of one trial; returns the rounds used and
 * leaves the last look in *r. */
static size_t adaptive(const sim_machine *m, const cfb_seq_plan *p, double target,
                       double ratio, uint64_t *s, double *a, double *b, cfb_paired *r) {
  timeline tl = timeline_new(m, p->max_rounds, s);
  size_t n = 0;
  do {
    pair_round(m, &tl, ratio, s, &a[n], &b[n]);
    n++;
    if (n < p->min_rounds) continue;
    if (cfb_paired_look(p, a, b, n, NULL, r) != 0) abort();
  } while (n < p->min_rounds || cfb_paired_needs_more(p, r, target));
  return n;
}

sim_tally sim_sequential(const sim_machine *m, const cfb_seq_plan *p, double target_ci,
                         double true_ratio, size_t trials, uint64_t seed) {
  sim_tally st = {.trials = trials};
  double *a = malloc(p->max_rounds * sizeof *a), *b = malloc(p->max_rounds * sizeof *b);
  if (!a || !b) abort();
  uint64_t s = seed;
  double rounds = 0;
  for (size_t t = 0; t < trials; t++) {
    cfb_paired r;
    rounds += (double)adaptive(m, p, target_ci, true_ratio, &s, a, b, &r);
    st.verdict[r.verdict]++;
    if (r.ci_lo <= true_ratio && true_ratio <= r.ci_hi) st.covered++;
  }
  st.mean_rounds = rounds / (double)trials;
  free(a);
  free(b);
  return st;
}

double sim_gate_paired(const sim_machine *m, const cfb_seq_plan *p, const cfb_gate_opts *o,
                       double true_ratio, cfb_gate_verdict want, size_t trials, uint64_t seed) {
  double *a = malloc(p->max_rounds * sizeof *a), *b = malloc(p->max_rounds * sizeof *b);
  if (!a || !b) abort();
  uint64_t s = seed;
  size_t hit = 0;
  for (size_t t = 0; t < trials; t++) {
    cfb_paired r; /* a = NEW, b = BASE, as `ab` pairs them */
    size_t n = adaptive(m, p, 0, true_ratio, &s, a, b, &r);
    cfb_gate g;
    if (cfb_gate_paired(p, b, a, n, o, &g) != 0) abort();
    if (g.verdict == want) hit++;
  }
  free(a);
  free(b);
  return (double)hit / (double)trials;
}

double sim_gate_unpaired(const sim_machine *m, size_t n, size_t gap, const cfb_gate_opts *o,
                         double true_ratio, cfb_gate_verdict want, size_t trials, uint64_t seed) {
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  if (!x || !y) abort();
  cfb_gate_opts oo = *o;
  if (oo.floor_k < 0) oo.floor_k = 1e-12; /* no floor: the old rule */
  uint64_t s = seed;
  size_t hit = 0;
  for (size_t t = 0; t < trials; t++) {
    timeline tl = timeline_new(m, 2 * n + gap, &s);
    for (size_t i = 0; i < n; i++) { /* each round: this configuration in one random slot */
      for (size_t k = 1; k < m->slots; k++) level(m, &tl, &s);
      x[i] = measure(m, &tl, 1, &s);
    }
    for (size_t i = 0; i < gap * m->slots; i++) level(m, &tl, &s);
    for (size_t i = 0; i < n; i++) {
      for (size_t k = 1; k < m->slots; k++) level(m, &tl, &s);
      y[i] = measure(m, &tl, true_ratio, &s);
    }
    cfb_gate g;
    if (cfb_gate_unpaired(x, n, y, n, &oo, &g) != 0) abort();
    if (g.verdict == want) hit++;
  }
  free(x);
  free(y);
  return (double)hit / (double)trials;
}

double sim_walk_crossing(const cfb_seq_plan *p, size_t trials, uint64_t seed) {
  uint64_t s = seed;
  size_t hit = 0;
  for (size_t t = 0; t < trials; t++) {
    double sum = 0;
    for (size_t n = 1; n <= p->max_rounds; n++) {
      sum += gauss(&s);
      if (n < p->min_rounds) continue;
      double z = p->c * pow((double)n / (double)p->max_rounds, p->shape - 0.5);
      if (fabs(sum) / sqrt((double)n) >= z) {
        hit++;
        break;
      }
    }
  }
  return (double)hit / (double)trials;
}
