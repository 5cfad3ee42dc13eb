/* list.c -- `cfbench list`: every workload with its kind, parameters
 * (default, allowed range, help), then the suites and their sweeps. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cfwork.h>

#include "cmd_run.h"
#include "suites.h"

int cfb_cmd_list(int argc, char **argv) {
  if (argc > 1) {
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
      printf("usage: cfbench list\nworkloads with their parameters, and the suites\n");
      return 0;
    }
    fprintf(stderr, "cfbench list: unexpected argument '%s'; list takes none\n", argv[1]);
    return 2;
  }
  printf("workloads (cfbench run --workload NAME --param KEY=VALUE,...):\n");
  for (size_t i = 0; i < cf_wk_count(); i++) {
    const cf_workload *w = cf_wk_at(i);
    printf("\n  %-10s [%s] %s\n", w->name, cf_wk_kind_name(w->kind), w->summary);
    for (size_t k = 0; k < w->nparams; k++) {
      const cf_wk_param *p = &w->params[k];
      char range[96];
      cf_wk_param_range(w, k, range, sizeof range); /* with its unit: "0 s..10 s", not "0..10" */
      printf("      %-12s default %-10s %s%s%s\n", p->name, p->def, p->help, range[0] ? (strchr(range, '/') ? "  " : "  range ") : "", range);
    }
  }
  printf("\nsuites (cfbench run --suite NAME):\n");
  for (size_t i = 0; i < cfb_suite_count(); i++) {
    const cfb_suite *s = cfb_suite_at(i);
    printf("\n  %-10s %s\n", s->name, s->summary);
    if (s->rounds == CFB_SUITE_ROUNDS_PER_REPEAT)
      printf("      (in rounds: --rounds = --repeat, one repetition of every configuration per round)\n");
    else if (s->rounds > 1)
      printf("      (--rounds %d)\n", s->rounds);
    for (size_t k = 0; s->sweeps[k]; k++) printf("      %s\n", s->sweeps[k]);
  }
  return 0;
}
