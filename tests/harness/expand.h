/* expand.h -- for the harness's unit tests: a sweep expanded from
 * command-line arguments, as `cfbench run` would (seed 1), the test
 * aborting if they are refused. */
#ifndef CFB_TEST_EXPAND_H
#define CFB_TEST_EXPAND_H

#include "sweep.h"
#include "task.h"

/* args: "run", options..., NULL. */
static inline void test_expand(cfb_sweep *sw, const char *const *args) {
  cfb_run_opts o;
  char err[300];
  int argc = 0;
  while (args[argc]) argc++;
  CHECK_EQ(cfb_run_opts_parse(argc, (char **)args, &o, err, sizeof err), 0);
  CHECK_EQ(cfb_sweep_expand(&o, 1, sw, err, sizeof err), 0);
  cfb_run_opts_free(&o);
}

#endif
