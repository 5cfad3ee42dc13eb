/* deadlock.c -- the wait-for graph of one executor's workers.
 *
 * A worker about to wait on a future of its own pool registers the edge
 * worker -> future.  The wait can never end when, following the chain
 *   future --(runs on)--> worker --(waits on)--> future ...
 * we come back to the waiting worker (a cycle), or reach a PENDING future
 * while every worker of the pool is blocked on a future that is not done
 * (nobody is left to run it).  Those waits return CF_EDEADLK and the
 * description is kept for cf_executor_last_deadlock(). */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int all_blocked(cf_executor *ex) {
  if (ex->nblocked + 1 < ex->nworkers) return 0; /* +1: the caller */
  for (int i = 0; i < ex->nworkers; i++) {
    if (i == cf__self.worker) continue;
    cf_future *g = ex->blocked_on[i];
    if (!g || cf__state_done(cf__fstate(g))) return 0;
  }
  return 1;
}

static unsigned long long task_id(const cf_future *f) {
  return f ? (unsigned long long)f->rec.id : 0ull;
}

/* Append to the description buffer. */
__attribute__((format(printf, 4, 5)))
static void say(char *buf, size_t cap, size_t *off, const char *fmt, ...) {
  if (*off >= cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *off, cap - *off, fmt, ap);
  va_end(ap);
  if (n > 0) *off += (size_t)n;
}

int cf__graph_block(cf_executor *ex, int worker, cf_future *f) {
  char msg[sizeof ex->last_deadlock];
  size_t off = 0;
  int deadlock = 0;

  pthread_mutex_lock(&ex->graph_lock);
  cf_future *me = cf__self.current;
  cf_future *x = f;
  say(msg, sizeof msg, &off, "task %llu (worker %d)", task_id(me), worker);
  for (int steps = 0; steps <= ex->nworkers + 1; steps++) {
    int s = cf__fstate(x);
    if (cf__state_done(s)) break;
    say(msg, sizeof msg, &off, " waits on task %llu", task_id(x));
    if (s == CF_PENDING) {
      if (all_blocked(ex)) {
        deadlock = 1;
        if (ex->nworkers == 1) say(msg, sizeof msg, &off, ", which is pending while the only worker is blocked in a wait");
        else say(msg, sizeof msg, &off, ", which is pending while all %d workers are blocked in waits", ex->nworkers);
      }
      break;
    }
    int w = cf__future_runner(x); /* RUNNING: the worker that claimed it (-1: claiming now) */
    if (w == worker) {
      deadlock = 1;
      say(msg, sizeof msg, &off, ", which runs in the waiting worker %d: a cycle", w);
      break;
    }
    if (w < 0 || w >= ex->nworkers || !ex->blocked_on[w]) break; /* progressing */
    say(msg, sizeof msg, &off, " (worker %d), which", w);
    x = ex->blocked_on[w];
  }
  if (deadlock) {
    memcpy(ex->last_deadlock, msg, sizeof msg);
    ex->last_deadlock[sizeof ex->last_deadlock - 1] = 0;
    atomic_fetch_add_explicit(&ex->st_deadlocks, 1, memory_order_relaxed);
  } else {
    ex->blocked_on[worker] = f;
    ex->nblocked++;
  }
  pthread_mutex_unlock(&ex->graph_lock);
  return deadlock ? CF_EDEADLK : 0;
}

void cf__graph_unblock(cf_executor *ex, int worker) {
  pthread_mutex_lock(&ex->graph_lock);
  if (ex->blocked_on[worker]) {
    ex->blocked_on[worker] = NULL;
    ex->nblocked--;
  }
  pthread_mutex_unlock(&ex->graph_lock);
}
