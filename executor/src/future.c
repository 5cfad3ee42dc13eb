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

/* Polls of the state before the futex sleep: a few µs, cheaper than a
 * sleep and a wake when the task is about to end. */
#define WAIT_SPINS 256
#define LOCK_SPINS 100      /* the future lock guards a few stores: spin that long, then yield */
#define SLAB_FUTURES 64     /* futures per slab: 8 KiB */
#define KEEP_BYTES 4096     /* larger buffers are not kept with a recycled future */
#define BUF_HDR 16          /* capacity word before a buffer, keeps malloc's alignment */

_Thread_local cf__tls cf__self __attribute__((tls_model("initial-exec"))) = {.worker = -1};

_Static_assert(sizeof(cf_future) == 2 * CF_CACHELINE, "a future is two cache lines");

/* ------------------------------------------------------------- cf_result */

static _Alignas(16) unsigned char empty_buf[16]; /* every empty buffer: capacity 0 */

void cf__result_init(cf_result *r) {
  r->data = empty_buf;
  r->len = 0;
}

static size_t result_cap(const cf_result *r) {
  if (r->data == empty_buf) return 0;
  size_t cap;
  memcpy(&cap, r->data - BUF_HDR, sizeof cap);
  return cap;
}

void cf__result_reset(cf_result *r) {
  if (r->data != empty_buf) free(r->data - BUF_HDR);
  cf__result_init(r);
}

void cf__result_trim(cf_result *r, size_t max) {
  if (result_cap(r) > max) cf__result_reset(r);
}

int cf__result_reserve(cf_result *r, size_t len, size_t keep) {
  size_t have = result_cap(r);
  if (len <= have) return 0;
  size_t cap = have * 2 > 64 ? have * 2 : 64;
  if (cap < len) cap = len;
  if (cap > SIZE_MAX - BUF_HDR) return CF_ENOMEM;
  unsigned char *p = malloc(cap + BUF_HDR);
  if (!p) return CF_ENOMEM;
  memcpy(p, &cap, sizeof cap);
  if (keep) memcpy(p + BUF_HDR, r->data, keep);
  if (r->data != empty_buf) free(r->data - BUF_HDR);
  r->data = p + BUF_HDR;
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

/* Futures come from slabs of the executor and go back to it: releases push
 * onto free_shared (a lock-free stack: pushes only, so no ABA), allocators
 * take the whole stack at once into free_local under alloc_busy, a spin
 * lock that only allocators take.  It guards a pointer pop (a slab's
 * allocation at worst), so it spins, then yields; unlike a mutex, its
 * unlock is a plain store, one locked instruction less per submit.  Slabs are freed with the executor, after the last
 * future.
 *
 * A future holds a reference on its executor from the moment it leaves its
 * slab, live or pooled, so that neither cf__future_new nor the last release
 * touches ex->refs (two locked adds per task on a line every submitter
 * shares): a new slab takes SLAB_FUTURES references in one add.  Pooled
 * futures' references must go when the user frees the executor, or it
 * would never be destroyed: cf_executor_free closes the pool
 * (cf__future_pool_close), dropping the references of every pooled future
 * and marking free_shared POOL_CLOSED under alloc_busy.  A release's push
 * fails on a closed stack, and that release drops its reference itself:
 * each pooled reference is dropped exactly once, by the closer if the push
 * came first, else by the releaser.  After the close, futures are made
 * from slabs and take a reference each, as a live future always holds one. */
#define POOL_CLOSED ((cf_future *)(uintptr_t)1) /* free_shared and free_one after the close */
/* Futures are aligned to their size, two lines: the adjacent-line
 * prefetcher fetches 128-byte aligned pairs, so a future's two lines move
 * between the submitter's and the worker's caches as one miss, not two. */
typedef struct slab {
  struct slab *next;
  _Alignas(2 * CF_CACHELINE) cf_future f[SLAB_FUTURES];
} slab;

static cf_future *slab_new(cf_executor *ex) {
  slab *sl = aligned_alloc(2 * CF_CACHELINE, sizeof *sl);
  if (!sl) return NULL;
  memset(sl, 0, sizeof *sl);
  sl->next = ex->slabs;
  ex->slabs = sl;
  for (int i = 0; i < SLAB_FUTURES; i++) {
    cf__result_init(&sl->f[i].arg);
    cf__result_init(&sl->f[i].res);
    sl->f[i].next = i + 1 < SLAB_FUTURES ? &sl->f[i + 1] : NULL;
  }
  if (!ex->pool_closed) atomic_fetch_add_explicit(&ex->refs, SLAB_FUTURES, memory_order_relaxed);
  return sl->f;
}

static void alloc_lock(cf_executor *ex) {
  for (int i = 0;; i++) {
    if (!atomic_load_explicit(&ex->alloc_busy, memory_order_relaxed) &&
        !atomic_exchange_explicit(&ex->alloc_busy, 1, memory_order_acquire))
      return;
    if (i < LOCK_SPINS) cf__cpu_relax();
    else sched_yield();
  }
}

static void alloc_unlock(cf_executor *ex) { atomic_store_explicit(&ex->alloc_busy, 0, memory_order_release); }

/* One pooled future waits apart, in free_one: a release puts it there
 * when the slot is empty, an allocation takes it with one CAS, no lock.
 * Why: a round trip (submit, wait, release, submit again) recycles one
 * future.  Through the stack, the release wrote f->next into a line the
 * worker had just written and the push's CAS waited for that line; the
 * next submit then took alloc_busy and swapped free_shared, two more
 * locked instructions before its hand-off CAS, which could not overlap
 * its miss with the others.  Here nothing is written into f before the
 * CAS, and the new future's stores drain at the hand-off CAS, their
 * misses with its own (round trip 0.65x, docs/performance.md).  A burst
 * of releases finds the slot full (one load) and pushes as before.  The
 * close takes the slot and leaves POOL_CLOSED there, which no CAS below
 * moves: a release then pushes (onto the closed stack), an allocation
 * takes the lock. */
static cf_future *take_one(cf_executor *ex) {
  cf_future *f = atomic_load_explicit(&ex->free_one, memory_order_relaxed);
  if (!f || f == POOL_CLOSED ||
      !atomic_compare_exchange_strong_explicit(&ex->free_one, &f, NULL, memory_order_acquire, memory_order_relaxed))
    return NULL;
  return f; /* a taken, reused and released f back in the slot is free again: no ABA */
}

static int put_one(cf_executor *ex, cf_future *f) {
  cf_future *none = NULL;
  return atomic_load_explicit(&ex->free_one, memory_order_relaxed) == NULL &&
         atomic_compare_exchange_strong_explicit(&ex->free_one, &none, f, memory_order_release, memory_order_relaxed);
}

/* A future with its reference on ex (see above). */
static cf_future *pool_take(cf_executor *ex) {
  cf_future *one = take_one(ex);
  if (one) return one;
  alloc_lock(ex);
  cf_future *f = ex->free_local;
  int closed = ex->pool_closed;
  if (!f && !closed) f = atomic_exchange_explicit(&ex->free_shared, NULL, memory_order_acquire);
  if (!f) f = slab_new(ex);
  if (f) ex->free_local = f->next;
  alloc_unlock(ex);
  if (f && closed) atomic_fetch_add_explicit(&ex->refs, 1, memory_order_relaxed);
  return f;
}

/* f back to the pool, its reference with it; 0 if the pool is closed (the
 * caller drops the reference). */
static int pool_put(cf_executor *ex, cf_future *f) {
  if (put_one(ex, f)) return 1;
  cf_future *top = atomic_load_explicit(&ex->free_shared, memory_order_relaxed);
  do {
    if (top == POOL_CLOSED) return 0;
    f->next = top;
  } while (!atomic_compare_exchange_weak_explicit(&ex->free_shared, &top, f, memory_order_release,
                                                  memory_order_relaxed));
  return 1;
}

void cf__future_pool_close(cf_executor *ex) {
  int n = 0;
  alloc_lock(ex);
  for (cf_future *f = ex->free_local; f; f = f->next) n++;
  ex->free_local = NULL;
  cf_future *top = atomic_exchange_explicit(&ex->free_shared, POOL_CLOSED, memory_order_acq_rel);
  for (cf_future *f = top; f; f = f->next) n++;
  if (atomic_exchange_explicit(&ex->free_one, POOL_CLOSED, memory_order_acq_rel)) n++;
  ex->pool_closed = 1;
  alloc_unlock(ex);
  if (n) atomic_fetch_sub_explicit(&ex->refs, n, memory_order_acq_rel);
}

cf_future *cf__future_new(cf_executor *ex) {
  cf_future *f = pool_take(ex);
  if (!f) return NULL;
  atomic_store_explicit(&f->word, CF__W_REF | CF_PENDING, memory_order_relaxed);
  f->task_code = 0;
  f->ex = ex;
  f->next = NULL;
  f->fn = NULL;
  f->arg.len = 0;
  f->res.len = 0;
  memset(&f->rec, 0, sizeof f->rec);
  f->rec.worker = -1;
  f->rec.cpu = -1;
  return f;
}

void cf_future_retain(cf_future *f) {
  if (f) atomic_fetch_add_explicit(&f->word, CF__W_REF, memory_order_relaxed);
}

/* The last reference went: f back to its executor's pool. */
static void future_recycle(cf_future *f) {
  cf_executor *ex = f->ex;
  if (f->cold) {
    free(f->cold->message);
    f->cold->message = NULL;
    f->cold->worker_status = -1;
  }
  cf__result_trim(&f->arg, KEEP_BYTES);
  cf__result_trim(&f->res, KEEP_BYTES);
  if (!pool_put(ex, f)) cf__executor_unref(ex); /* pooled: f's reference went with it */
}

void cf_future_release(cf_future *f) {
  if (!f) return;
  /* The only reference left is ours: nobody else can take one (a retain
   * needs a reference), so no locked decrement.  That is the common case
   * when collecting: the worker dropped the queue's reference when the
   * task ended.  The acquire load pairs with that drop, as the decrement's
   * would. */
  if ((atomic_load_explicit(&f->word, memory_order_acquire) >> 32) != 1 &&
      (atomic_fetch_sub_explicit(&f->word, CF__W_REF, memory_order_acq_rel) >> 32) != 1)
    return;
  future_recycle(f);
}

void cf__future_free_list(cf_executor *ex) {
  slab *sl = ex->slabs;
  while (sl) {
    slab *n = sl->next;
    for (int i = 0; i < SLAB_FUTURES; i++) {
      cf_future *f = &sl->f[i];
      cf__result_reset(&f->arg);
      cf__result_reset(&f->res);
      if (f->cold) free(f->cold->message);
      free(f->cold);
    }
    free(sl);
    sl = n;
  }
  ex->slabs = NULL;
  ex->free_local = NULL;
  atomic_store(&ex->free_shared, NULL);
  atomic_store(&ex->free_one, NULL);
}

/* The cold part, allocated on first use (two threads may race: one wins). */
static cf__cold *cold_of(cf_future *f) {
  cf__cold *c = __atomic_load_n(&f->cold, __ATOMIC_ACQUIRE);
  if (c) return c;
  cf__cold *n = calloc(1, sizeof *n);
  if (!n) return NULL;
  n->worker_status = -1;
  if (__atomic_compare_exchange_n(&f->cold, &c, n, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return n;
  free(n);
  return c;
}

void cf__future_lock(cf_future *f) {
  for (int i = 0;; i++) {
    if (!(atomic_load_explicit(&f->word, memory_order_relaxed) & CF__F_LOCK) &&
        !(atomic_fetch_or_explicit(&f->word, CF__F_LOCK, memory_order_acquire) & CF__F_LOCK))
      return;
    if (i < LOCK_SPINS) cf__cpu_relax();
    else sched_yield();
  }
}

void cf__future_unlock(cf_future *f) {
  atomic_fetch_and_explicit(&f->word, ~(uint64_t)CF__F_LOCK, memory_order_release);
}

/* ------------------------------------------------------------ completion */

/* The word a claimed or finished future usually has: two references (the
 * user's and the queue's) and no flags.  A CAS starts from this guess
 * rather than from a load: the load would fetch the line shared (the
 * collector polls it) and the CAS then a second time exclusive; a wrong
 * guess costs nothing more, the failed CAS returns the word with the line. */
#define USUAL_WORD (2 * CF__W_REF)

int cf__fstate_cas(cf_future *f, int from, int to) {
  uint64_t w = USUAL_WORD | (unsigned)from;
  do {
    if ((int)(w & CF__W_STATE) != from) return 0;
  } while (!atomic_compare_exchange_weak(&f->word, &w, (w & ~(uint64_t)CF__W_STATE) | (unsigned)to));
  return 1;
}

int cf__future_claim(cf_future *f, int worker) {
  if (!cf__fstate_cas(f, CF_PENDING, CF_RUNNING)) return 0;
  cf__future_set_runner(f, worker);
  return 1;
}

/* After the state became final: wake sleepers, notify multi-waiters, run the
 * callbacks.  flags: the word's flags as the final state was stored (or
 * read after it): a listener or sleeper either set its flag before, and is
 * seen here, or sees the final state itself (one word, one order). */
static void future_after_done(cf_future *f, unsigned flags) {
  cf_executor *ex = f->ex;
  cf__cb *cbs = NULL;
  if (flags & CF__F_LISTEN) {
    cf__future_lock(f);
    cf__cold *c = f->cold;
    cbs = c->cbs;
    c->cbs = NULL;
    /* Read next first: a notified waiter may free its link at once. */
    for (cf__wlink *l = c->links, *next; l; l = next) {
      next = l->next;
      cf__waiter_notify(l->w, l->index);
    }
    c->links = NULL;
    cf__future_unlock(f);
  }
  if (flags & CF__F_SLEEP) cf__futex_wake(cf__futex_of(f), 1 << 30, 0);

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
}

/* A worker of ex counts in its own line (it is the only writer there);
 * any other thread in the shared counters. */
static void count_done(cf_executor *ex, int ok) {
  if (cf__self.ex == ex && cf__self.worker >= 0) {
    _Atomic uint64_t *c = ok ? &ex->wstats[cf__self.worker].completed : &ex->wstats[cf__self.worker].failed;
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
  } else {
    atomic_fetch_add_explicit(ok ? &ex->st_completed : &ex->st_failed, 1, memory_order_relaxed);
  }
}

/* RUNNING -> FINISHED, f known to be RUNNING (the caller owns it).  With
 * `release`, the caller's reference goes in the same step when nobody
 * sleeps or listens: then f may be recycled by its collector at once, and
 * nothing here touches it again.  A sleeper or a listener keeps the
 * reference until they are served. */
static void finish_owned(cf_future *f, int err, uint64_t end_ns, int release) {
  cf_executor *ex = f->ex;
  /* Clocks of two threads may disagree by a little (cf__clock_ns). */
  f->rec.end_ns = end_ns > f->rec.start_ns ? end_ns : f->rec.start_ns;
  f->rec.status = err;
  /* Count and report before publishing: whoever sees the future done sees
   * the counter and has had its record (the runner owns f->rec until then). */
  count_done(ex, err == 0);
  if (ex->cfg.on_record) ex->cfg.on_record(&f->rec, ex->cfg.on_record_ud);
  uint64_t w = USUAL_WORD | CF_RUNNING, next;
  int drop;
  do {
    drop = release && !(w & (CF__F_LISTEN | CF__F_SLEEP));
    next = w - CF_RUNNING + CF_FINISHED - (drop ? CF__W_REF : 0);
  } while (!atomic_compare_exchange_weak(&f->word, &w, next));
  if (drop) {
    if ((w >> 32) == 1) future_recycle(f); /* the user let go before the end */
    return;
  }
  future_after_done(f, (unsigned)w);
  if (release) cf_future_release(f);
}

/* Finish f if it is RUNNING; 0 if it was not (already done, never claimed). */
static int finish_at(cf_future *f, int err, uint64_t end_ns, int release) {
  if (cf__fstate(f) == CF_RUNNING) {
    finish_owned(f, err, end_ns, release);
    return 1;
  }
  if (release) cf_future_release(f);
  return 0;
}

int cf__future_finish(cf_future *f, int err) { return finish_at(f, err, cf__clock_ns(), 0); }

int cf__future_finish_at(cf_future *f, int err, uint64_t end_ns) { return finish_at(f, err, end_ns, 0); }

void cf__future_finish_release(cf_future *f, int err) { finish_at(f, err, cf__clock_ns(), 1); }

int cf__future_fail(cf_future *f, int err, int worker_status, const char *msg) {
  if (cf__fstate(f) != CF_RUNNING) return 0;
  if (msg || worker_status != -1) {
    cf__cold *c = cold_of(f); /* out of memory: the code stays, the detail is lost */
    if (c) {
      c->worker_status = worker_status;
      free(c->message);
      c->message = msg ? strdup(msg) : NULL;
    }
  }
  return cf__future_finish(f, err);
}

uint64_t cf__future_run_task(cf_future *f, const cf__task *t, uint64_t start_ns, int release) {
  cf_future *outer = cf__self.current;
  cf__self.current = f;
  if (!start_ns) start_ns = cf__clock_ns();
  int cpu = sched_getcpu();
  int rc = t->fn(t->arg, t->len, &f->res);
  cf__self.current = outer;
  uint64_t end = cf__clock_ns();
  /* The record is written after the task, with the finish: a handed
   * future's lines are then fetched once, exclusive, and a RUNNING
   * future's record shows nothing of its start (cf_future_record).  The
   * submitter's clock read may be a little ahead (cf__clock_ns). */
  f->rec.start_ns = start_ns > f->rec.enqueue_ns ? start_ns : f->rec.enqueue_ns;
  f->rec.cpu = cpu;
  if (rc != 0) f->task_code = rc;
  /* The claim made f ours: no need to look at the state (a load that
   * would fetch the line the collector polls, shared, before the CAS). */
  finish_owned(f, rc != 0 ? CF_ETASK : 0, end, release);
  return end;
}

uint64_t cf__future_run(cf_future *f, uint64_t start_ns, int release) {
  cf__task t = {f->fn, f->arg.data, f->arg.len};
  f->res.len = 0;
  return cf__future_run_task(f, &t, start_ns, release);
}

int cf_future_cancel(cf_future *f) {
  if (!f) return 0;
  int won;
  cf_executor *ex = f->ex;
  int (*revoke)(cf_future *) = ex->ops->revoke;
  if (revoke) {
    /* A process worker may claim an offered future by itself: cancel wins
     * only by taking the offer back first (under the lock, so an offer is
     * made either before this look or after the cancel). */
    cf__future_lock(f);
    unsigned offered = cf__fflags(f) & CF__F_OFFERED;
    won = (!offered || revoke(f)) && cf__fstate_cas(f, CF_PENDING, CF_CANCELLED);
    if (won && offered) cf__fflag_clear(f, CF__F_OFFERED);
    cf__future_unlock(f);
  } else {
    won = cf__fstate_cas(f, CF_PENDING, CF_CANCELLED);
  }
  if (!won) return cf__fstate(f) == CF_CANCELLED;
  atomic_fetch_add_explicit(&ex->st_cancelled, 1, memory_order_relaxed);
  /* The record before the callbacks and the waiters' wake-up: a callback
   * of a cancelled future, like one of a finished future, runs after its
   * record was reported (only a thread polling the state can see
   * CANCELLED first: the CAS above is what decided the cancel). */
  if (ex->cfg.on_record) {
    cf_task_record rec;
    cf_future_record(f, &rec);
    ex->cfg.on_record(&rec, ex->cfg.on_record_ud);
  }
  /* The flags read after the state changed (see future_after_done). */
  future_after_done(f, cf__fflags(f));
  return 1;
}

/* ------------------------------------------------------------------ wait */

/* Wait until done or deadline, no deadlock logic: 0 or CF_ETIMEDOUT. */
static int wait_done(cf_future *f, uint64_t deadline) {
  for (int i = 0; i < WAIT_SPINS; i++) {
    if (cf__state_done(cf__fstate(f))) return 0;
    cf__cpu_relax();
  }
  cf__fflag_set(f, CF__F_SLEEP); /* never cleared: at worst a spare wake */
  for (;;) {
    uint64_t w = cf__fword(f);
    if (cf__state_done((int)(w & CF__W_STATE))) return 0;
    /* The low half only: a change of references does not wake us. */
    if (cf__futex_wait(cf__futex_of(f), (int)(uint32_t)w, deadline, 0) == CF_ETIMEDOUT)
      return cf__state_done(cf__fstate(f)) ? 0 : CF_ETIMEDOUT;
  }
}

/* Wait from any thread, with deadlock detection and HELP when the caller is
 * a worker of the future's own executor. */
int cf__future_wait(cf_future *f, uint64_t deadline) {
  if (cf__state_done(cf__fstate(f))) return 0;
  cf_executor *ex = f->ex;
  if (cf__self.ex != ex || cf__self.worker < 0) {
    if (ex->ops->help_wait) ex->ops->help_wait(ex, f, deadline);
    return wait_done(f, deadline);
  }
  int w = cf__self.worker;
  if (ex->cfg.on_deadlock == CF_DEADLOCK_HELP && cf__future_claim(f, w)) {
    atomic_fetch_add_explicit(&ex->st_helped, 1, memory_order_relaxed);
    cf__future_run(f, 0, 0);
    return 0;
  }
  int rc = cf__graph_block(ex, w, f);
  if (rc != 0) return rc;
  rc = wait_done(f, deadline);
  cf__graph_unblock(ex, w);
  return rc;
}

int cf_future_result(cf_future *f, double timeout_s, const void **data, size_t *len) {
  if (!f) return CF_EINVAL;
  if (cf__self.in_process_child) return CF_EINTASK;
  int rc = cf__future_wait(f, cf__deadline(timeout_s));
  if (rc != 0) return rc;
  if (cf__fstate(f) == CF_CANCELLED) return CF_ECANCELED;
  if (f->rec.status != 0) return f->rec.status;
  if (data) *data = f->res.data;
  if (len) *len = f->res.len;
  return 0;
}

/* --------------------------------------------------------------- queries */

int cf_future_error(const cf_future *f) {
  if (!f) return CF_EINVAL;
  int s = cf__fstate(f);
  if (s == CF_CANCELLED) return CF_ECANCELED;
  if (s != CF_FINISHED) return CF_EAGAIN;
  return f->rec.status;
}

int cf_future_task_code(const cf_future *f) {
  return cf_future_error(f) == CF_ETASK ? f->task_code : 0;
}

int cf_future_worker_status(const cf_future *f) {
  return cf_future_done(f) && f->cold ? f->cold->worker_status : -1;
}

const char *cf_future_message(const cf_future *f) {
  if (!cf_future_done(f) || !f->cold || !f->cold->message) return "";
  return f->cold->message;
}

cf_future_state cf_future_state_get(const cf_future *f) {
  int (*started)(cf_future *) = f->ex->ops->offer_started;
  uint64_t w = cf__fword(f);
  if (started && (w & CF__W_STATE) == CF_PENDING && (w & CF__F_OFFERED)) {
    cf_future *m = (cf_future *)f; /* the lock bit only */
    cf__future_lock(m);
    w = cf__fword(m);
    int run = (w & CF__F_OFFERED) && (w & CF__W_STATE) == CF_PENDING && started(m);
    cf__future_unlock(m);
    if (run) return CF_RUNNING; /* the io thread has not seen the claim yet */
  }
  return (cf_future_state)(w & CF__W_STATE);
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
  rec->worker = cf__future_runner(f);
  rec->cpu = -1;
}

int cf__future_listen(cf_future *f) {
  if (!cold_of(f)) return CF_ENOMEM;
  cf__future_lock(f);
  cf__fflag_set(f, CF__F_LISTEN);
  return cf__state_done(cf__fstate(f));
}

int cf_future_add_done_callback(cf_future *f, cf_done_cb cb, void *ud) {
  if (!f || !cb) return CF_EINVAL;
  cf__cb *c = malloc(sizeof *c); /* before the lock: none held across malloc */
  if (!c) return CF_ENOMEM;
  int done = cf__future_listen(f);
  if (done < 0) {
    free(c);
    return done;
  }
  if (!done) {
    c->cb = cb;
    c->ud = ud;
    c->next = f->cold->cbs;
    f->cold->cbs = c;
    cf__future_unlock(f);
    return 0;
  }
  cf__future_unlock(f);
  free(c);
  if (cb(f, ud) != 0) atomic_fetch_add_explicit(&f->ex->st_cb_errors, 1, memory_order_relaxed);
  return 0;
}
