/* verdicts.h -- who wins, thread or process, for each pair of
 * configurations that differ only in backend, decided on the per-round
 * paired ratios thread/process (common/paired.h): the runner's look
 * between adaptive rounds, and verdicts.csv and the closing table at the
 * end; and, for each configuration beside its CPython peer (thread and
 * py-thread, process and py-process), the paired ratio cfutures/CPython.
 * Computed here; output.c and console.c only format. */
#ifndef CFB_VERDICTS_H
#define CFB_VERDICTS_H

#include "paired.h"
#include "sweep.h"

typedef struct cfb_verdict {
  /* A pair: a = the thread side (thread, py-thread), b = the process side;
   * peers: a = the cfutures side, b = its CPython peer.  ratio = a/b. */
  const cfb_sweep_config *thread, *process;
  cfb_paired r;
} cfb_verdict;

/* The plan of the run's looks: adaptive, rounds min..max; fixed rounds,
 * one look after all of them (at least 2, so the plan exists; fewer pairs
 * are simply undecided).  0 or a CFB_PAIRED_* error. */
int cfb_verdict_plan(const cfb_run_opts *o, int rounds, cfb_seq_plan *plan);

/* The look at pair (c, its partner) on its rows among rows[0..nrows)
 * (ok rows; one value a side a round).  0 or CFB_PAIRED_ENOMEM. */
int cfb_verdict_look(const cfb_seq_plan *plan, const cfb_sweep *sw, size_t c, const cfb_row *rows,
                     size_t nrows, cfb_verdict *out);

/* The look at any two configurations a against b (ratio a/b) on the
 * rounds both ran: a who-wins group's best thread against its best
 * process (groups.h).  0 or CFB_PAIRED_ENOMEM. */
int cfb_verdict_look_two(const cfb_seq_plan *plan, const cfb_sweep_config *a, const cfb_sweep_config *b,
                         const cfb_row *rows, size_t nrows, cfb_verdict *out);

/* Every pair of the sweep with a partner, in expansion order of its
 * thread side, then every cfutures configuration with a CPython peer, into
 * malloc'd *out (n = *nout).  0 or CFB_PAIRED_ENOMEM. */
int cfb_verdicts_all(const cfb_seq_plan *plan, const cfb_sweep *sw, const cfb_row *rows, size_t nrows,
                     cfb_verdict **out, size_t *nout);

#endif
