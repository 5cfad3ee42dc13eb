/* clock.h -- the harness's one clock: monotonic seconds, for budgets,
 * deadlines and progress (both halves use it; cfutures and cfwork keep
 * their own, they are separate libraries). */
#ifndef CFB_CLOCK_H
#define CFB_CLOCK_H

/* CLOCK_MONOTONIC in seconds, from an arbitrary origin. */
double cfb_now_s(void);

#endif
