/* paired_sim.h -- a synthetic noisy machine and Monte Carlo runs of the
 * procedures of harness/common/paired.h on it.  Shared by the validation
 * test (test_paired.c, which asserts the figures) and the figures program
 * (paired_figures.c, which prints more of them for the report).
 *
 * The machine: every measurement slot t has a common log level L(t) = a
 * slow drift (amplitude `drift`, a sinusoid of random phase and a period
 * of about one run) + a noisy neighbour that switches on and off at random
 * (slowing everything by `neighbour_hit` while on); each measurement adds
 * independent log noise (normal, or Student t with 3 degrees of freedom
 * scaled to the same sd when `heavy`) and, with probability `outlier_p`,
 * a preemption that removes up to `outlier_hit` of it.  A round has
 * `slots` slots (the other configurations of the sweep); the two sides of
 * a pair take two adjacent ones in random order. */
#ifndef CF_TEST_PAIRED_SIM_H
#define CF_TEST_PAIRED_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "paired.h"

typedef struct sim_machine {
  const char *name;
  double drift;         /* amplitude of the slow common drift, fraction of log level */
  double noise;         /* sd of the independent log noise of each measurement */
  int heavy;            /* 1: t3 noise instead of normal */
  double neighbour_p;   /* per-slot probability the neighbour toggles */
  double neighbour_hit; /* slowdown while it runs */
  double outlier_p;     /* per-measurement probability of a preemption */
  double outlier_hit;   /* largest slowdown of a preempted measurement */
  size_t slots;         /* slots per round (2 = only this pair) */
} sim_machine;

/* Stock scenarios, named for the output. */
extern const sim_machine SIM_QUIET, SIM_CALM, SIM_DRIFT, SIM_OUTLIERS, SIM_HEAVY, SIM_NOISY;

/* The verdict counts of one Monte Carlo study. */
typedef struct sim_tally {
  size_t trials;
  size_t verdict[4];  /* by cfb_paired_verdict */
  size_t covered;     /* final interval contains the true ratio */
  double mean_rounds; /* rounds at stop */
} sim_tally;

/* Fixed n: fraction of `trials` intervals at `level` containing the true
 * ratio (true_ratio a/b). */
double sim_coverage(const sim_machine *m, const cfb_paired_opts *o, double true_ratio, size_t n,
                    double level, size_t trials, uint64_t seed);

/* The whole adaptive procedure: rounds until cfb_paired_needs_more says
 * stop (plan p, precision target), verdict at the stop. */
sim_tally sim_sequential(const sim_machine *m, const cfb_seq_plan *p, double target_ci,
                         double true_ratio, size_t trials, uint64_t seed);

/* Paired gate at max rounds of the plan after the same adaptive stop
 * rule; fraction flagged `want`. */
double sim_gate_paired(const sim_machine *m, const cfb_seq_plan *p, const cfb_gate_opts *o,
                       double true_ratio, cfb_gate_verdict want, size_t trials, uint64_t seed);

/* Unpaired gate: two separate runs of n rounds, NEW `gap` rounds after
 * BASE on the same machine; fraction flagged `want`.  floor_k < 0 turns
 * the noise floor off (the old compare rule). */
double sim_gate_unpaired(const sim_machine *m, size_t n, size_t gap, const cfb_gate_opts *o,
                         double true_ratio, cfb_gate_verdict want, size_t trials, uint64_t seed);

/* Fraction of normal random walks that cross the plan's boundary at some
 * look (a direct check of the numerical integration). */
double sim_walk_crossing(const cfb_seq_plan *p, size_t trials, uint64_t seed);

#endif
