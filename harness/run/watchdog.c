/* watchdog.c -- the per-repetition watchdog of watchdog.h. */
#define _GNU_SOURCE
#include "watchdog.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include "runner.h"

void cfb_pool_end(cf_executor *ex) {
  /* SIGKILL: a stopped or hung worker must go too (terminate sends SIGCONT
   * after it, and reaps every worker before returning). */
  if (cf_executor_terminate(ex, SIGKILL) == CF_ENOSYS) cf_executor_shutdown(ex, 0, 1);
}

static void *watch(void *arg) {
  cfb_watchdog *w = arg;
  double since = -1;
  pthread_mutex_lock(&w->mu);
  while (!w->done) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 50 * 1000 * 1000; /* the flag is set by a signal handler: polled */
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    if (w->done || !cfb_interrupted()) continue;
    double now = cfb_now_s();
    if (since < 0) since = now;
    if (now - since < CFB_WATCHDOG_GRACE_S) continue;
    w->cut = 1;
    pthread_mutex_unlock(&w->mu);
    cfb_pool_end(w->ex);
    return NULL;
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

int cfb_watchdog_start(cfb_watchdog *w, cf_executor *ex) {
  memset(w, 0, sizeof *w);
  w->ex = ex;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w->cv, &ca);
  pthread_condattr_destroy(&ca);
  pthread_mutex_init(&w->mu, NULL);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  w->started = pthread_create(&w->thread, NULL, watch, w) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return w->started ? 0 : -1;
}

int cfb_watchdog_stop(cfb_watchdog *w) {
  if (w->started) {
    pthread_mutex_lock(&w->mu);
    w->done = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
  }
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
  return w->cut;
}
