/* backend_thread.c -- the thread backend: max_workers threads, started at
 * executor creation, each pinning itself, running the initializer, then
 * taking futures from the executor's pending queue until shutdown. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct thread_backend {
  pthread_t *threads;
  int started;
  int joined;
  pthread_mutex_t join_lock;
} thread_backend;

typedef struct worker_arg {
  cf_executor *ex;
  int index;
} worker_arg;

static void *worker_main(void *p) {
  worker_arg wa = *(worker_arg *)p;
  free(p);
  cf_executor *ex = wa.ex;
  cf__self.ex = ex;
  cf__self.worker = wa.index;
  cf__self.current = NULL;

  if (ex->cfg.pin != CF_PIN_NONE) {
    int rc = cf__pin_self_thread(&ex->cfg, wa.index);
    if (rc) {
      char msg[128];
      snprintf(msg, sizeof msg, "worker %d could not be pinned: %s", wa.index, cf_strerror(rc));
      cf__executor_set_broken(ex, msg);
    }
  }
  if (ex->cfg.initializer && !atomic_load(&ex->broken)) {
    int rc = ex->cfg.initializer(ex->cfg.initializer_arg);
    if (rc) {
      char msg[128];
      snprintf(msg, sizeof msg, "initializer failed in worker %d (returned %d)", wa.index, rc);
      cf__executor_set_broken(ex, msg);
    }
  }
  uint64_t last_end = 0; /* end of the previous task, if the queue kept us busy */
  for (;;) {
    int waited;
    cf__task handed;
    cf_future *f = cf__queue_pop_worker(ex, wa.index, &waited, &handed);
    if (!f) break;
    if (waited) last_end = 0;
    /* A handed future comes claimed for us, its task with it (handoff.c). */
    int mine = handed.fn || cf__future_claim(f, wa.index);
    if (mine && !atomic_load_explicit(&ex->broken, memory_order_relaxed)) {
      /* Run, finish and drop the queue's reference in one step: the
       * collector then finds f's first line as the finish left it. */
      last_end = handed.fn ? cf__future_run_task(f, &handed, last_end, 1) : cf__future_run(f, last_end, 1);
      continue;
    }
    if (mine) cf__future_fail(f, CF_EBROKEN, -1, ex->broken_msg);
    last_end = 0;
    cf_future_release(f); /* the queue's reference (cancelled, or failed above) */
  }
  cf__self.ex = NULL;
  cf__self.worker = -1;
  cf__executor_unref(ex); /* the worker's reference: last touch of ex */
  return NULL;
}

static int tb_start(cf_executor *ex) {
  thread_backend *tb = calloc(1, sizeof *tb);
  if (!tb) return CF_ENOMEM;
  tb->threads = calloc((size_t)ex->nworkers, sizeof *tb->threads);
  if (!tb->threads) {
    free(tb);
    return CF_ENOMEM;
  }
  pthread_mutex_init(&tb->join_lock, NULL);
  ex->backend = tb;
  for (int i = 0; i < ex->nworkers; i++) {
    worker_arg *wa = malloc(sizeof *wa);
    if (!wa) return CF_ENOMEM;
    wa->ex = ex;
    wa->index = i;
    atomic_fetch_add(&ex->refs, 1); /* dropped by the worker as it exits */
    int e = pthread_create(&tb->threads[i], NULL, worker_main, wa);
    if (e != 0) {
      atomic_fetch_sub(&ex->refs, 1);
      free(wa);
      /* EAGAIN is a limit (RLIMIT_NPROC, threads-max), not memory */
      cf__set_error("cannot create worker thread %d: %s", i, strerror(e));
      return e == EAGAIN ? CF_EAGAIN : CF_ENOMEM;
    }
    tb->started++;
  }
  return 0;
}

static void tb_join(cf_executor *ex) {
  thread_backend *tb = ex->backend;
  if (!tb) return;
  pthread_mutex_lock(&tb->join_lock);
  if (!tb->joined) {
    pthread_t self = pthread_self();
    for (int i = 0; i < tb->started; i++) {
      if (pthread_equal(tb->threads[i], self)) pthread_detach(self);
      else pthread_join(tb->threads[i], NULL);
    }
    tb->joined = 1;
  }
  pthread_mutex_unlock(&tb->join_lock);
}

static int tb_stop(cf_executor *ex, int wait) {
  if (wait) tb_join(ex); /* a worker's own call was refused before (cf__self.ex) */
  return 0;
}

static void tb_destroy(cf_executor *ex) {
  thread_backend *tb = ex->backend;
  if (!tb) return;
  tb_join(ex);
  pthread_mutex_destroy(&tb->join_lock);
  free(tb->threads);
  free(tb);
  ex->backend = NULL;
}

const cf__backend_ops cf__thread_backend = {.name = "thread", .start = tb_start, .stop = tb_stop, .destroy = tb_destroy};
