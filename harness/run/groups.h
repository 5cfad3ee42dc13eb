/* groups.h -- the who-wins groups of a sweep, as the runner sees them
 * between adaptive rounds.  A group is the report's (analysis.c): the
 * configurations of one workload and parameter set (and mode), cfutures'
 * thread and process backends, over workers, chunksize and pin; its answer
 * is the best thread configuration against the best process one (by
 * median throughput so far), paired on the rounds both ran.  The runner
 * closes a pair once its own verdict is decided; without this, the two
 * configurations a group's answer rests on could close with their own
 * pairs while that answer is still undecided (the default suite's mixed
 * cpu_us=300us gil=on: its best thread at 2 workers closed after 15 of 21
 * rounds, its pair 1.31x, and the group stayed 1.04x [0.97, 1.09]).
 * Holding today's two bests alone was not enough: a runner-up whose own
 * pair closed could become the best later with the rounds it had (seed
 * 42's mixed cpu_us=1ms gil=off, 1.06x [0.72, 1.15] on 11 rounds). */
#ifndef CFB_GROUPS_H
#define CFB_GROUPS_H

#include <stddef.h>

#include "paired.h"
#include "sweep.h"

/* For each group of sw, each backend's contenders: its best by median[i]
 * (NAN: not usable -- failed, dropped, not run) and every other
 * configuration of that backend whose look against the best (on the
 * rounds both ran, at the plan's level) has not shown it slower -- any of
 * them could be the best the report picks at the end.  While any thread
 * contender against any process contender still needs rounds
 * (cfb_paired_needs_more, no precision target: the answer is the verdict),
 * hold[k] = 1 for every contender of the group: the group closes once its
 * best-against-best answer is decided and would stay decided whichever
 * contender the medians end up choosing.  A held configuration may be
 * closed already (its best-by-median moved to it after its own pair
 * closed): the runner reopens it.  Only configurations with a partner are
 * held: the budget's plan counts those to its last round (roundplan.c),
 * an unpaired one only to min_rounds.  hold[0..sw->n) is written.  0 or
 * CFB_PAIRED_ENOMEM. */
int cfb_groups_hold(const cfb_seq_plan *plan, const cfb_sweep *sw, const double *median, const cfb_row *rows,
                    size_t nrows, unsigned char *hold);

#endif
