/* paired_figures.c -- prints the validation figures of the paired
 * procedures (harness/common/paired.h) on the synthetic machine of
 * paired_sim.h, for docs/statistics.md and the report: the sequential
 * plan, CI coverage, A/A false alarms of the adaptive procedure, power,
 * and the two regression gates.  No executor: pure simulation.
 *
 *   paired_figures [TRIALS [SEED]]      (default 4000 trials, seed 1) */
#include <stdio.h>
#include <stdlib.h>

#include "paired_sim.h"

static const sim_machine *const machines[] = {&SIM_QUIET, &SIM_CALM, &SIM_DRIFT, &SIM_OUTLIERS, &SIM_HEAVY,
                                              &SIM_NOISY};
#define NM (sizeof machines / sizeof *machines)

static cfb_seq_plan plan(size_t lo, size_t hi, double shape) {
  cfb_seq_plan p;
  if (cfb_seq_plan_init(&p, lo, hi, CFB_PAIRED_ALPHA, shape) != 0) exit(2);
  return p;
}

static void print_plans(size_t trials, uint64_t seed) {
  printf("## Sequential plan (alpha %.2f, looks after every round)\n\n", CFB_PAIRED_ALPHA);
  printf("| rounds | shape | c | alpha at first look | alpha at last look | crossing (integration) "
         "| crossing (%zu walks) |\n|---|---|---|---|---|---|---|\n", trials * 5);
  size_t ranges[][2] = {{5, 20}, {5, 15}, {5, 30}, {8, 50}};
  double shapes[] = {0, 0.25, 0.5};
  for (size_t r = 0; r < 4; r++)
    for (size_t k = 0; k < 3; k++) {
      cfb_seq_plan p = plan(ranges[r][0], ranges[r][1], shapes[k]);
      printf("| %zu..%zu | %.2f | %.3f | %.5f | %.4f | %.4f | %.4f |\n", p.min_rounds, p.max_rounds,
             p.shape, p.c, cfb_seq_alpha(&p, p.min_rounds), cfb_seq_alpha(&p, p.max_rounds),
             cfb_seq_crossing(&p, 0), sim_walk_crossing(&p, trials * 5, seed));
    }
  printf("\n");
}

static void print_coverage(size_t trials, uint64_t seed) {
  static const char *names[] = {"wilcoxon/HL", "sign", "bootstrap"};
  printf("## Coverage of the nominal 95%% interval (fixed n, true ratio 1.05, %zu trials)\n\n",
         trials);
  printf("| machine | method | n=6 | n=10 | n=20 | n=40 |\n|---|---|---|---|---|---|\n");
  size_t ns[] = {6, 10, 20, 40};
  for (size_t i = 0; i < NM; i++)
    for (int m = 0; m < 3; m++) {
      printf("| %s | %s |", machines[i]->name, names[m]);
      for (size_t k = 0; k < 4; k++) {
        cfb_paired_opts o = {.method = (cfb_paired_method)m};
        printf(" %.3f |", sim_coverage(machines[i], &o, 1.05, ns[k], 0.95, trials, seed + k));
      }
      printf("\n");
    }
  printf("\n(n=6: the signed-rank interval is the range of the Walsh averages, 96.9%%; the sign "
         "interval the range, 96.9%%.)\n\n");
}

static void print_tally(const char *label, const sim_machine *m, const cfb_seq_plan *p,
                        sim_tally t) {
  double n = (double)t.trials;
  printf("| %s | %s | %zu..%zu | %.2f | %.4f | %.3f | %.3f | %.3f | %.3f | %.1f |\n", label, m->name,
         p->min_rounds, p->max_rounds, p->shape,
         (double)(t.verdict[CFB_PAIRED_A] + t.verdict[CFB_PAIRED_B]) / n,
         (double)t.verdict[CFB_PAIRED_A] / n, (double)t.verdict[CFB_PAIRED_EQUIVALENT] / n,
         (double)t.verdict[CFB_PAIRED_UNDECIDED] / n, (double)t.covered / n, t.mean_rounds);
}

static void print_sequential(size_t trials, uint64_t seed) {
  printf("## The adaptive procedure (target CI 5%%, margin 3%%, %zu trials)\n\n", trials);
  printf("| truth | machine | rounds | shape | A or B | A | equivalent | undecided | "
         "CI covers truth | mean rounds |\n|---|---|---|---|---|---|---|---|---|---|\n");
  double shapes[] = {0, 0.25, 0.5};
  for (size_t i = 0; i < NM; i++)
    for (int k = 0; k < 3; k++) {
      cfb_seq_plan p = plan(5, 20, shapes[k]);
      print_tally("A/A", machines[i], &p, sim_sequential(machines[i], &p, 0.05, 1.0, trials, seed));
    }
  /* Looking every round at a fixed 95% (no correction): what optional
   * stopping costs when ignored. */
  cfb_seq_plan naive = plan(5, 20, 0.5);
  naive.c = 1.959964;
  for (size_t i = 0; i < NM; i++)
    print_tally("A/A, uncorrected 95% each look", machines[i], &naive,
                sim_sequential(machines[i], &naive, 0.05, 1.0, trials, seed));
  size_t maxes[] = {15, 20, 30};
  for (size_t i = 0; i < NM; i++)
    for (size_t j = 0; j < 3; j++) {
      cfb_seq_plan p = plan(5, maxes[j], CFB_SEQ_SHAPE);
      print_tally("A 5% faster", machines[i], &p,
                  sim_sequential(machines[i], &p, 0.05, 1.05, trials, seed));
    }
  printf("\n");
}

static void print_gates(size_t trials, uint64_t seed) {
  cfb_seq_plan p = plan(5, 20, CFB_SEQ_SHAPE);
  cfb_gate_opts o = {0};
  printf("## Paired gate (`ab`, threshold %.0f%%, rounds 5..20, %zu trials)\n\n",
         CFB_GATE_THRESHOLD * 100, trials);
  printf("| machine | A/A slower | A/A faster | 5%% slower flagged | 10%% slower flagged |\n"
         "|---|---|---|---|---|\n");
  for (size_t i = 0; i < NM; i++)
    printf("| %s | %.4f | %.4f | %.3f | %.3f |\n", machines[i]->name,
           sim_gate_paired(machines[i], &p, &o, 1.0, CFB_GATE_SLOWER, trials, seed),
           sim_gate_paired(machines[i], &p, &o, 1.0, CFB_GATE_FASTER, trials, seed),
           sim_gate_paired(machines[i], &p, &o, 0.95, CFB_GATE_SLOWER, trials, seed),
           sim_gate_paired(machines[i], &p, &o, 0.90, CFB_GATE_SLOWER, trials, seed));
  printf("\n## Unpaired compare (two runs of 10 rounds, 10 rounds apart, alpha 0.01, threshold "
         "5%%, %zu trials)\n\n", trials);
  printf("| machine | floor | A/A slower | 10%% slower flagged | 30%% slower flagged |\n"
         "|---|---|---|---|---|\n");
  double ks[] = {-1, 1, 2};
  static const char *kn[] = {"none (old rule)", "1 x spread", "2 x spread"};
  for (size_t i = 0; i < NM; i++)
    for (int k = 0; k < 3; k++) {
      cfb_gate_opts u = {.threshold = 0.05, .alpha = 0.01, .floor_k = ks[k]};
      printf("| %s | %s | %.4f | %.3f | %.3f |\n", machines[i]->name, kn[k],
             sim_gate_unpaired(machines[i], 10, 10, &u, 1.0, CFB_GATE_SLOWER, trials, seed),
             sim_gate_unpaired(machines[i], 10, 10, &u, 0.9, CFB_GATE_SLOWER, trials, seed),
             sim_gate_unpaired(machines[i], 10, 10, &u, 0.7, CFB_GATE_SLOWER, trials, seed));
    }
  printf("\n");
}

int main(int argc, char **argv) {
  size_t trials = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000;
  uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
  if (trials == 0) {
    fprintf(stderr, "paired_figures: TRIALS must be a positive integer\n");
    return 2;
  }
  print_plans(trials, seed);
  print_coverage(trials, seed);
  print_sequential(trials, seed);
  print_gates(trials, seed);
  return 0;
}
