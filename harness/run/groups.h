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
 * rounds, its pair 1.31x, and the group stayed 1.04x [0.97, 1.09]). */
#ifndef CFB_GROUPS_H
#define CFB_GROUPS_H

#include <stddef.h>

#include "paired.h"
#include "sweep.h"

/* For each group of sw: the best thread and best process configuration by
 * median[i] (NAN: not usable -- failed, dropped, not run), and the look at
 * best thread against best process on their rows among rows[0..nrows) at
 * the plan's level; hold[k] = 1 for both when that look needs more rounds
 * (cfb_paired_needs_more, no precision target: the answer is the verdict).
 * Only configurations with a partner are held: the budget's plan counts
 * those to its last round (roundplan.c), an unpaired one only to
 * min_rounds.  hold[0..sw->n) is written.  0 or CFB_PAIRED_ENOMEM. */
int cfb_groups_hold(const cfb_seq_plan *plan, const cfb_sweep *sw, const double *median, const cfb_row *rows,
                    size_t nrows, unsigned char *hold);

#endif
