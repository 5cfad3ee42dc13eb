/* proc_floor.h -- the process backend's round-trip floors (proc_floor.c). */
#ifndef CF_PROC_FLOOR_H
#define CF_PROC_FLOOR_H

/* Which floor proc_floor_roundtrip measures. */
typedef enum proc_floor_kind {
  PROC_FLOOR_SPIN,  /* both sides spin (pause, then sched_yield) on a shared word */
  PROC_FLOOR_FUTEX, /* both sides sleep on a shared futex word for every hand-off */
} proc_floor_kind;

/* ns per round trip: n tasks handed one at a time to a forked child through
 * shared memory, the child runs the no-op and answers.  The fork and the
 * child's exit are outside the timed region.  Negative if fork or mmap fails. */
double proc_floor_roundtrip(long n, proc_floor_kind kind);

#endif
