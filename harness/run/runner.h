/* runner.h -- measures one configuration, one round at a time: prepares
 * the workload, runs the warm-ups (first round only) and the round's share
 * of the repetitions (a fresh executor per repetition, created outside the
 * timed region), checks every result, and hands each measured repetition
 * to the caller as a cf_row; then summarizes the configuration from all of
 * its rows.
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
  /* A repetition is about to start: warm-up i (0-based) of n, or measured
   * repetition i of n = c->repeat (i is its repetition index). */
  void (*on_rep)(void *ud, const cf_sweep_config *c, int warm, int i, int n);
  void *ud;
} cf_runner;

/* A configuration that has not run yet (status CF_CFG_NOT_RUN). */
void cf_runner_init(cf_config_result *res, const cf_sweep_config *c);

/* Whether the configuration still runs in later rounds: it has repetitions
 * left and has neither failed nor used up its --max-time. */
int cf_runner_active(const cf_config_result *res);

/* Run `nreps` more measured repetitions of c (its share of round `round`),
 * continuing res: the workload is prepared for this round and torn down at
 * its end; the warm-ups run first in the configuration's first round only.
 * A failed repetition (or prepare) stops the configuration for good; so
 * does --max-time, which counts the configuration's time over all rounds.
 * Stops before the next repetition when cf_interrupted().  Does nothing
 * when the configuration is no longer active.  Returns 0, or -1 out of
 * memory. */
int cf_runner_round(cf_runner *r, const cf_sweep_config *c, int round, int nreps,
                    cf_config_result *res);

/* The summary of res->cfg (n, median, MAD, CI, status, error, nrows)
 * computed from its rows among rows[0..nrows) -- every round's.  Returns 0,
 * or -1 out of memory. */
int cf_runner_summarize(cf_config_result *res, const cf_row *rows, size_t nrows);

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
