/* mpi_counters.h -- the worker ranks' share of a repetition's counters on
 * the MPI backend (mpi_counters.c). */
#ifndef CFB_MPI_COUNTERS_H
#define CFB_MPI_COUNTERS_H

#include <cfutures.h>

#include "counters.h"

/* Run one usage task per slot of ex (an MPI executor of `slots` workers,
 * idle) and sum the distinct workers' CPU user/system time, context
 * switches and page faults into *w (task clock, cycles, instructions:
 * NAN).  0, or the first error of a usage task (*w sums what came back). */
int cfb_mpi_worker_usage(cf_executor *ex, int slots, cfb_counter_values *w);

/* Add w (from cfb_mpi_worker_usage) to rank 0's counters v; v's task
 * clock, cycles and instructions become NAN (rank 0 only: not the job's). */
void cfb_mpi_counters_add(cfb_counter_values *v, const cfb_counter_values *w);

#endif
