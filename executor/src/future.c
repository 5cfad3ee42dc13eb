/* future.c -- the Future: states, results, waiting, cancellation, done
 * callbacks, reference counting and the per-executor free list.
 *
 * The state word is the futex: waiters spin briefly on it, then sleep with
 * FUTEX_WAIT; the finisher stores the final state and wakes only if someone
 * sleeps.  Only the owner of the RUNNING state (the thread that claimed the
 * future) finishes it; a PENDING future is cancelled by a CAS. */
#define _GNU_SOURCE
#include "internal.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FREE_LIST_MAX (1 << 20)
#define WAIT_SPINS 256

_Thread_local cf__tls cf__self = {NULL, -1, NULL, 0};

/* ------------------------------------------------------------- cf_result */

void cf__result_init(cf_result *r) {
  r->data = r->inl;
  r->len = 0;
  r->cap = 0;
  r->heap = NULL;
}

void cf__result_reset(cf_result *r) {
  free(r->heap);
  cf__result_init(r);
}

int cf__result_reserve(cf_result *r, size_t len, size_t keep) {
  size_t have = r->heap ? r->cap : CF_INLINE_BYTES;
  if (len <= have) return 0;
  size_t cap = have * 2;
  if (cap < len) cap = len;
  unsigned char *p = malloc(cap);
  if (!p) return CF_ENOMEM;
  if (keep) memcpy(p, r->data, keep);
  free(r->heap);
  r->heap = p;
  r->cap = cap;
  r->data = p;
  return 0;
}

void *cf_result_alloc(cf_result *out, size_t len) {
  if (!out) return NULL;
  if (cf__result_reserve(out, len, 0) != 0) return NULL;
  out->len = len;
  return out->data;
}

int cf_result_set(cf_result *out, const void *data, size_t len) {
  if (!out || (!data && len)) return CF_EINVAL;
  void *p = cf_result_alloc(out, len);
  if (!p && len) return CF_ENOMEM;
  if (len) memcpy(p, data, len);
  return 0;
}

/* ------------------------------------------------------- alloc / release */

cf_future *cf__future_new(cf_executor *ex) {
  cf_future *f = NULL;
  pthread_mutex_lock(&ex->free_lock);
  if (ex->free_list) {
    f = ex->free_list;
    ex->free_list = f->next;
    ex->free_count--;
  }
  pthread_mutex_unlock(&ex->free_lock);
  if (!f) {
    f = calloc(1, sizeof *f);
    if (!f) return NULL;
    pthread_mutex_init(&f->lock, NULL);
    cf__result_init(&f->arg);
    cf__result_init(&f->res);
  }
  atomic_store_explicit(&f->state, CF_PENDING, memory_order_relaxed);
  atomic_store_explicit(&f->refs, 1, memory_order_relaxed);
  atomic_store_explicit(&f->sleepers, 0, memory_order_relaxed);
  atomic_store_explicit(&f->runner, -1, memory_order_relaxed);
  atomic_store_explicit(&f->listeners, 0, memory_order_relaxed);
  f->error = 0;
  f->task_code = 0;
  f->worker_status = -1;
  f->cbs = NULL;
  f->links = NULL;
  f->ex = ex;
  f->next = NULL;
  f->fn = NULL;
  f->arg.len = 0;
  f->res.len = 0;
  f->message = NULL;
  memset(&f->rec, 0, sizeof f->rec);
  f->rec.worker = -1;
  f->rec.cpu = -1;
  f->backend_data = NULL;
  atomic_fetch_add_explicit(&ex->refs, 1, memory_order_relaxed);
  return f;
}

static void future_destroy(cf_future *f) {
  pthread_mutex_destroy(&f->lock);
  cf__result_reset(&f->arg);
  cf__result_reset(&f->res);
  free(f);
}

void cf_future_retain(cf_future *f) {
  if (f) atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
}

/* The largest heap buffer (argument or result) a freed future keeps for
 * reuse: a page, enough for typical small items. */
#define KEEP_BUF_MAX 4096

void cf_future_release(cf_future *f) {
  if (!f) return;
  if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1) return;
  cf_executor *ex = f->ex;
  free(f->message);
  f->message = NULL;
  /* Large buffers are not kept on the free list: a recycled future would
   * pin a big argument's memory for as long as the pool lives. */
  if (f->arg.heap && f->arg.cap > KEEP_BUF_MAX) cf__result_reset(&f->arg);
  if (f->res.heap && f->res.cap > KEEP_BUF_MAX) cf__result_reset(&f->res);
  pthread_mutex_lock(&ex->free_lock);
  if (ex->free_count < FREE_LIST_MAX) {
    f->next = ex->free_list;
    ex->free_list = f;
    ex->free_count++;
    f = NULL;
  }
  pthread_mutex_unlock(&ex->free_lock);
  if (f) future_destroy(f);
  cf__executor_unref(ex);
}

void cf__future_free_list(cf_executor *ex) {
  cf_future *f = ex->free_list;
  while (f) {
    cf_future *n = f->next;
    future_destroy(f);
    f = n;
  }
  ex->free_list = NULL;
  ex->free_count = 0;
}

/* ------------------------------------------------------------ completion */

int cf__future_claim(cf_future *f, int worker) {
  int s = CF_PENDING;
  if (!atomic_compare_exchange_strong(&f->state, &s, CF_RUNNING)) return 0;
  f->rec.worker = worker;
  atomic_store(&f->runner, worker);
  return 1;
}

/* After the state became final: wake sleepers, notify multi-waiters, run the
 * callbacks, count, report the record. */
static void future_after_done(cf_future *f, int err) {
  cf_executor *ex = f->ex;
  cf__cb *cbs = NULL;
  /* Pairs with cf__future_listen: either we see its flag, or it sees the
   * final state and handles its callback / waiter itself. */
  if (atomic_load(&f->listeners)) {
    pthread_mutex_lock(&f->lock);
    cbs = f->cbs;
    f->cbs = NULL;
    /* Read next first: a notified waiter may free its link at once. */
    for (cf__wlink *l = f->links, *next; l; l = next) {
      next = l->next;
      cf__waiter_notify(l->w, l->index);
    }
    f->links = NULL;
    pthread_mutex_unlock(&f->lock);
  }
  if (atomic_load(&f->sleepers) > 0) cf__futex_wake(&f->state, 1 << 30, 0);

  if (err == CF_ECANCELED) atomic_fetch_add_explicit(&ex->st_cancelled, 1, memory_order_relaxed);

  /* Callbacks were added in order to the list head: run them oldest first. */
  cf__cb *rev = NULL;
  while (cbs) {
    cf__cb *n = cbs->next;
    cbs->next = rev;
    rev = cbs;
    cbs = n;
  }
  while (rev) {
    cf__cb *n = rev->next;
    if (rev->cb(f, rev->ud) != 0)
      atomic_fetch_add_explicit(&ex->st_cb_errors, 1, memory_order_relaxed);
    free(rev);
    rev = n;
  }
  if (ex->cfg.on_record) {
    cf_task_record rec;
    cf_future_record(f, &rec);
    ex->cfg.on_record(&rec, ex->cfg.on_record_ud);
  }
}

static int finish_at(cf_future *f, int err, uint64_t end_ns) {
  if (atomic_load(&f->state) != CF_RUNNING) return 0;
  f->error = err;
  f->rec.end_ns = end_ns;
  f->rec.status = err;
  /* Count before publishing: whoever sees the future done sees the counter. */
  if (err == 0) atomic_fetch_add_explicit(&f->ex->st_completed, 1, memory_order_relaxed);
  else atomic_fetch_add_explicit(&f->ex->st_failed, 1, memory_order_relaxed);
  atomic_store(&f->state, CF_FINISHED);
  future_after_done(f, err);
  return 1;
}

int cf__future_finish(cf_future *f, int err) { return finish_at(f, err, cf__now_ns()); }

int cf__future_fail(cf_future *f, int err, int worker_status, const char *msg) {
  if (atomic_load(&f->state) != CF_RUNNING) return 0;
  f->worker_status = worker_status;
  if (msg) {
    free(f->message);
    f->message = strdup(msg);
  }
  return cf__future_finish(f, err);
}

uint64_t cf__future_run(cf_future *f, int worker, uint64_t start_ns) {
  cf_future *outer = cf__self.current;
  cf__self.current = f;
  f->rec.start_ns = start_ns ? start_ns : cf__now_ns();
  f->rec.cpu = sched_getcpu();
  f->res.len = 0;
  int rc = f->fn(f->arg.data, f->arg.len, &f->res);
  (void)worker;
  cf__self.current = outer;
  uint64_t end = cf__now_ns();
  if (rc != 0) f->task_code = rc;
  finish_at(f, rc != 0 ? CF_ETASK : 0, end);
  return end;
}

int cf_future_cancel(cf_future *f) {
  if (!f) return 0;
  int s = CF_PENDING;
  if (atomic_compare_exchange_strong(&f->state, &s, CF_CANCELLED)) {
    future_after_done(f, CF_ECANCELED);
    return 1;
  }
  return s == CF_CANCELLED;
}

/* ------------------------------------------------------------------ wait */

int cf__future_wait_done(cf_future *f, uint64_t deadline) {
  for (int i = 0; i < WAIT_SPINS; i++) {
    if (cf__state_done(atomic_load(&f->state))) return 0;
    cf__cpu_relax();
  }
  int rc = 0;
  atomic_fetch_add(&f->sleepers, 1);
  for (;;) {
    int s = atomic_load(&f->state);
    if (cf__state_done(s)) {
      rc = 0;
      break;
    }
    if (cf__futex_wait(&f->state, s, deadline, 0) == CF_ETIMEDOUT) {
      rc = cf__state_done(atomic_load(&f->state)) ? 0 : CF_ETIMEDOUT;
      break;
    }
  }
  atomic_fetch_sub(&f->sleepers, 1);
  return rc;
}

/* Wait from any thread, with deadlock detection and HELP when the caller is
 * a worker of the future's own executor. */
static int future_wait(cf_future *f, uint64_t deadline) {
  if (cf__state_done(atomic_load(&f->state))) return 0;
  cf_executor *ex = f->ex;
  if (cf__self.ex != ex || cf__self.worker < 0) {
    if (ex->ops->help_wait) ex->ops->help_wait(ex, f, deadline);
    return cf__future_wait_done(f, deadline);
  }
  int w = cf__self.worker;
  if (ex->cfg.on_deadlock == CF_DEADLOCK_HELP && cf__future_claim(f, w)) {
    atomic_fetch_add_explicit(&ex->st_helped, 1, memory_order_relaxed);
    cf__future_run(f, w, 0);
    return 0;
  }
  int rc = cf__graph_block(ex, w, f);
  if (rc != 0) return rc;
  rc = cf__future_wait_done(f, deadline);
  cf__graph_unblock(ex, w);
  return rc;
}

int cf__future_wait(cf_future *f, uint64_t deadline) { return future_wait(f, deadline); }

int cf_future_result(cf_future *f, double timeout_s, const void **data, size_t *len) {
  if (!f) return CF_EINVAL;
  if (cf__self.in_process_child) return CF_EINTASK;
  int rc = future_wait(f, cf__deadline(timeout_s));
  if (rc != 0) return rc;
  int s = atomic_load(&f->state);
  if (s == CF_CANCELLED) return CF_ECANCELED;
  if (f->error != 0) return f->error;
  if (data) *data = f->res.data;
  if (len) *len = f->res.len;
  return 0;
}

/* --------------------------------------------------------------- queries */

int cf_future_error(const cf_future *f) {
  int s = atomic_load(&((cf_future *)f)->state);
  if (s == CF_CANCELLED) return CF_ECANCELED;
  if (s != CF_FINISHED) return CF_EAGAIN;
  return f->error;
}

int cf_future_task_code(const cf_future *f) {
  return cf_future_error(f) == CF_ETASK ? f->task_code : 0;
}

int cf_future_worker_status(const cf_future *f) {
  return cf_future_done(f) ? f->worker_status : -1;
}

const char *cf_future_message(const cf_future *f) {
  if (!cf_future_done(f) || !f->message) return "";
  return f->message;
}

cf_future_state cf_future_state_get(const cf_future *f) {
  return (cf_future_state)atomic_load(&((cf_future *)f)->state);
}
int cf_future_done(const cf_future *f) { return cf__state_done(cf_future_state_get(f)); }
int cf_future_running(const cf_future *f) { return cf_future_state_get(f) == CF_RUNNING; }
int cf_future_cancelled(const cf_future *f) { return cf_future_state_get(f) == CF_CANCELLED; }

void cf_future_record(const cf_future *f, cf_task_record *rec) {
  int s = cf_future_state_get(f);
  if (cf__state_done(s)) { /* final: the runner's writes happened before */
    *rec = f->rec;
    if (s == CF_CANCELLED) rec->status = CF_ECANCELED;
    return;
  }
  /* Pending or running: only what was fixed at submission, and the worker
   * (atomic); the runner may be writing the rest right now. */
  memset(rec, 0, sizeof *rec);
  rec->id = f->rec.id;
  rec->enqueue_ns = f->rec.enqueue_ns;
  rec->worker = atomic_load(&((cf_future *)f)->runner);
  rec->cpu = -1;
}

int cf__future_listen(cf_future *f) {
  pthread_mutex_lock(&f->lock);
  atomic_store(&f->listeners, 1);
  return cf__state_done(atomic_load(&f->state));
}

int cf_future_add_done_callback(cf_future *f, cf_done_cb cb, void *ud) {
  if (!f || !cb) return CF_EINVAL;
  if (!cf__future_listen(f)) {
    cf__cb *c = malloc(sizeof *c);
    if (!c) {
      pthread_mutex_unlock(&f->lock);
      return CF_ENOMEM;
    }
    c->cb = cb;
    c->ud = ud;
    c->next = f->cbs;
    f->cbs = c;
    pthread_mutex_unlock(&f->lock);
    return 0;
  }
  pthread_mutex_unlock(&f->lock);
  if (cb(f, ud) != 0) atomic_fetch_add_explicit(&f->ex->st_cb_errors, 1, memory_order_relaxed);
  return 0;
}
