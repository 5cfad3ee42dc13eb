/* runner.h -- measures one configuration, one round at a time: prepares
 * the workload, runs the warm-ups (first round only) and the round's share
 * of the repetitions (a fresh executor per repetition, created outside the
 * timed region), checks every result, and hands each measured repetition
 * to the caller as a cfb_row; then summarizes the configuration from all of
 * its rows.
 * The runner computes; writers and the terminal only format.
 *
 * Also the run's one piece of global state: the SIGINT/SIGTERM flag. */
#ifndef CFB_RUNNER_H
#define CFB_RUNNER_H

#include "clock.h"
#include "counters.h"
#include "sweep.h"

typedef struct cfb_runner {
  cfb_counters *counters;
  int ncpus;                 /* usable CPUs, for the ideal-rate model */
  /* Takes ownership of row->metrics.  Called as each repetition ends.
   * 0 goes on; non-zero stops the configuration's round at once (the row
   * could not be kept: the caller stops the run). */
  int (*on_row)(void *ud, cfb_row *row);
  /* A repetition is about to start: warm-up i (0-based) of n, or measured
   * repetition i of n = c->repeat (i is its repetition index). */
  void (*on_rep)(void *ud, const cfb_sweep_config *c, int warm, int i, int n);
  void *ud;
} cfb_runner;

/* A configuration that has not run yet (status CFB_CFG_NOT_RUN). */
void cfb_runner_init(cfb_config_result *res, const cfb_sweep_config *c);

/* Whether the configuration still runs in later rounds: it has repetitions
 * left and has neither failed nor used up its --max-time. */
int cfb_runner_active(const cfb_config_result *res);

/* Run `nreps` more measured repetitions of c (its share of round `round`),
 * continuing res: the workload is prepared in the configuration's first
 * round and, with res->keep_run, kept in res->run for the later ones (torn
 * down once the configuration stops, or by cfb_runner_release; without
 * it, at the round's end); the warm-ups run first in the configuration's first round only.
 * A failed repetition (or prepare) stops the configuration for good; so
 * does --max-time, which counts the configuration's time over all rounds.
 * Stops before the next repetition when cfb_interrupted().  Does nothing
 * when the configuration is no longer active.  Returns 0, or -1 out of
 * memory. */
int cfb_runner_round(cfb_runner *r, const cfb_sweep_config *c, int round, int nreps,
                    cfb_config_result *res);

/* cfb_runner_round's path for the py backends (pyrun.c): one run of the
 * Python driver for the round's repetitions (and, in the first round, the
 * warm-ups); its rows checked and handed to r->on_row like the C ones. */
int cfb_runner_py_round(cfb_runner *r, const cfb_sweep_config *c, int round, int nreps,
                        cfb_config_result *res);

/* The serving Python driver (pyback.h) cfb_runner_py_round runs its calls
 * in, kept by the caller for a whole run so python starts once, not per
 * configuration and round; NULL (the default, and to reset): a driver of
 * its own per call.  Not owned: the caller frees it after unsetting. */
struct cfb_py_session;
void cfb_runner_py_serve(struct cfb_py_session *s);

/* Tear down the prepared workload res->run keeps (NULL after); nothing
 * if none.  For configurations the caller stops (decided, the budget). */
void cfb_runner_release(cfb_config_result *res);

/* A row of c with nothing measured (NAN figures, no error), for the
 * runner's paths to fill in. */
void cfb_runner_blank_row(cfb_runner *r, const cfb_sweep_config *c, cfb_row *row);

/* Collapse a message to one line (newlines to spaces) for the CSV. */
void cfb_one_line(char *s);

/* The summary of res->cfg (n, median, MAD, CI, status, error, nrows)
 * computed from its rows among rows[0..nrows) -- every round's.  Returns 0,
 * or -1 out of memory. */
int cfb_runner_summarize(cfb_config_result *res, const cfb_row *rows, size_t nrows);

/* SIGINT and SIGTERM: the handler sets a flag (a second signal kills as
 * usual). */
void cfb_interrupt_install(void);
void cfb_interrupt_uninstall(void);
int cfb_interrupted(void);
/* The flag itself, for code that polls it while it waits (pyback's cancel). */
const volatile int *cfb_interrupt_flag(void);
/* The signal that interrupted (SIGINT or SIGTERM), 0 if none: the exit
 * code is 128 + it, as a shell reports a killed program. */
int cfb_interrupt_signal(void);
/* Clear the flag (tests, or a second run in one process). */
void cfb_interrupt_reset(void);

#endif
