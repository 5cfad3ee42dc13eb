/* proc_floor.h -- the process backend's round-trip floors (proc_floor.c). */
#ifndef CF_PROC_FLOOR_H
#define CF_PROC_FLOOR_H

#include <sched.h> /* cpu_set_t: define _GNU_SOURCE before the first header */

/* Which floor proc_floor_roundtrip measures. */
typedef enum proc_floor_kind {
  PROC_FLOOR_SPIN,  /* both sides spin (pause, then sched_yield) on a shared word */
  PROC_FLOOR_FUTEX, /* both sides sleep on a shared futex word for every hand-off */
} proc_floor_kind;

/* ns per round trip: n tasks handed one at a time to a forked child through
 * shared memory, the child runs the no-op and answers.  The fork and the
 * child's exit are outside the timed region.  Negative if fork or mmap fails. */
double proc_floor_roundtrip(long n, proc_floor_kind kind);

/* The two CPUs the floor runs on: the one we are on (*mine) and another
 * one we may use (*other); both -1 when fewer than two are allowed.  *old
 * gets our affinity, to put back with sched_setaffinity. */
void proc_floor_pick_cpus(cpu_set_t *old, int *mine, int *other);
/* Pin the calling thread to cpu (-1: leave it). */
void proc_floor_pin(int cpu);

#endif
