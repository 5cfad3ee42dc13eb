/* runner.h -- measures one configuration: prepares the workload, runs the
 * warm-ups and repetitions (a fresh executor per repetition, created
 * outside the timed region), checks every result, and hands each measured
 * repetition to the caller as a cf_row; then summarizes the configuration.
 * The runner computes; writers and the terminal only format.
 *
 * Also the run's one piece of global state: the SIGINT flag. */
#ifndef CF_HARNESS_RUNNER_H
#define CF_HARNESS_RUNNER_H

#include "counters.h"
#include "sweep.h"

typedef struct cf_runner {
  cf_counters *counters;
  int ncpus;                 /* usable CPUs, for the ideal-rate model */
  /* Takes ownership of row->metrics.  Called as each repetition ends. */
  void (*on_row)(void *ud, cf_row *row);
  /* A repetition (warm-ups included: rep < warmup) is about to start. */
  void (*on_rep)(void *ud, const cf_sweep_config *c, int rep);
  void *ud;
} cf_runner;

/* Run configuration c and fill res.  Stops before the next repetition
 * when cf_interrupted().  Returns 0, or -1 out of memory. */
int cf_runner_run(cf_runner *r, const cf_sweep_config *c, cf_config_result *res);

/* SIGINT: the handler sets a flag (a second SIGINT kills as usual). */
void cf_interrupt_install(void);
void cf_interrupt_uninstall(void);
int cf_interrupted(void);
/* Clear the flag (tests, or a second run in one process). */
void cf_interrupt_reset(void);
/* Raise the flag as SIGINT would (tests). */
void cf_interrupt_raise(void);

/* Monotonic seconds. */
double cf_now_s(void);

#endif
