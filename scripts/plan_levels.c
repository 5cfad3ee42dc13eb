/* plan_levels.c -- prints the two-sided level of each look n = MIN..MAX of the
 * runner's sequential plan (cfb_seq_plan_init with the harness's alpha and
 * shape), for scripts/groups_sim.py: "n level" per line. */
#include <stdio.h>
#include <stdlib.h>
#include "paired.h"
int main(int argc, char **argv) {
  int lo = atoi(argv[1]), hi = atoi(argv[2]);
  cfb_seq_plan p;
  if (cfb_seq_plan_init(&p, lo, hi, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE)) return 1;
  for (int n = lo; n <= hi; n++) printf("%d %.6g\n", n, cfb_seq_alpha(&p, n));
  return 0;
}
