/* watchdog.h -- ends a repetition's pool when the run is interrupted.
 * SIGINT/SIGTERM only set a flag; the runner's thread may meanwhile be
 * blocked for good on a result (a worker stopped with SIGSTOP, an item
 * that never ends).  A watchdog thread per repetition sees the flag and,
 * after a short grace for the repetition to finish by itself, ends the
 * pool: the process backend's workers are killed (cf_executor_terminate),
 * the thread backend's pending items cancelled (its running items finish:
 * a thread cannot be killed).  The repetition then ends at once, "cut". */
#ifndef CFB_WATCHDOG_H
#define CFB_WATCHDOG_H

#include <pthread.h>

#include <cfutures.h>

/* How long an interrupted repetition may go on before its pool is ended. */
#define CFB_WATCHDOG_GRACE_S 0.5

typedef struct cfb_watchdog {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  cf_executor *ex;
  int started, done, cut;
} cfb_watchdog;

/* Start watching ex (the thread blocks SIGINT and SIGTERM).  0, or -1 if
 * no thread could be made (the repetition then runs unwatched, as before). */
int cfb_watchdog_start(cfb_watchdog *w, cf_executor *ex);

/* Stop watching (before ex is freed).  Returns 1 if the watchdog ended the
 * pool (the repetition was cut short), else 0. */
int cfb_watchdog_stop(cfb_watchdog *w);

/* End ex's pool now: the process backend's workers killed (their running
 * tasks fail with CF_EBROKEN, pending ones are cancelled); the thread
 * backend's pending tasks cancelled.  Also for a --max-time deadline. */
void cfb_pool_end(cf_executor *ex);

#endif
