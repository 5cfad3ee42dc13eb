/* wait.c -- waiting on many futures: cf_wait and cf_as_completed.
 *
 * A waiter registers a link on every future; a future that finishes appends
 * its index to the waiter's completion list (under the future's lock, so the
 * link cannot go away meanwhile) and bumps the waiter's futex word.  The
 * notification clears the link (under the waiter's lock), so a waiter never
 * touches a future again once it completed: a yielded future may be
 * released, its executor freed, before the iterator is. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cf__waiter {
  pthread_mutex_t lock;
  _Atomic int seq;             /* futex word: bumped on every completion */
  cf_future **fs;              /* unique futures */
  size_t n;
  cf__wlink *links;            /* one per future */
  size_t *order;               /* indices in completion order */
  size_t ndone;
  size_t nfailed;              /* finished with an error (not cancelled) */
} cf__waiter;

void cf__waiter_notify(cf__waiter *w, size_t index) {
  pthread_mutex_lock(&w->lock);
  w->order[w->ndone++] = index;
  cf_future *f = w->fs[index];
  if (cf__fstate(f) == CF_FINISHED && f->rec.status != 0) w->nfailed++;
  w->links[index].w = NULL; /* consumed: waiter_destroy leaves f alone */
  /* Still under the lock: once waiter_destroy has seen the link cleared,
   * nothing here touches w any more. */
  atomic_fetch_add(&w->seq, 1);
  cf__futex_wake(&w->seq, 1, 0);
  pthread_mutex_unlock(&w->lock);
}

typedef struct {
  uintptr_t p;
  size_t i;
} ptr_idx;

static int cmp_ptr_idx(const void *a, const void *b) {
  const ptr_idx *x = a, *y = b;
  if (x->p != y->p) return x->p < y->p ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* The unique futures of fs, in first-occurrence order. */
static int unique(cf_future *const *fs, size_t n, cf_future ***out, size_t *nout) {
  ptr_idx *v = malloc((n ? n : 1) * sizeof *v);
  unsigned char *dup = calloc(n ? n : 1, 1);
  cf_future **res = malloc((n ? n : 1) * sizeof *res);
  if (!v || !dup || !res) {
    free(v);
    free(dup);
    free(res);
    return CF_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) v[i] = (ptr_idx){(uintptr_t)fs[i], i};
  qsort(v, n, sizeof *v, cmp_ptr_idx);
  for (size_t i = 1; i < n; i++)
    if (v[i].p == v[i - 1].p) dup[v[i].i] = 1;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!dup[i]) res[k++] = fs[i];
  free(v);
  free(dup);
  *out = res;
  *nout = k;
  return 0;
}

/* Unlink from the futures that have not completed (they are alive: the
 * caller's, or the iterator's reference); completed ones were unlinked by
 * their notification and may be gone.  w->fs stays (the caller frees it). */
static void waiter_destroy(cf__waiter *w) {
  for (size_t i = 0; i < w->n; i++) {
    cf_future *f = w->fs[i];
    pthread_mutex_lock(&w->lock);
    int linked = w->links[i].w != NULL;
    pthread_mutex_unlock(&w->lock);
    if (!linked) continue;
    cf__future_lock(f); /* a notification racing us finds the link gone */
    for (cf__wlink **p = &f->cold->links; *p; p = &(*p)->next) {
      if (*p == &w->links[i]) {
        *p = w->links[i].next;
        break;
      }
    }
    cf__future_unlock(f);
  }
  pthread_mutex_destroy(&w->lock);
  free(w->links);
  free(w->order);
}

static int waiter_init(cf__waiter *w, cf_future *const *fs, size_t n) {
  memset(w, 0, sizeof *w);
  int rc = unique(fs, n, &w->fs, &w->n);
  if (rc) return rc;
  w->links = calloc(w->n ? w->n : 1, sizeof *w->links);
  w->order = calloc(w->n ? w->n : 1, sizeof *w->order);
  if (!w->links || !w->order) {
    free(w->fs);
    free(w->links);
    free(w->order);
    return CF_ENOMEM;
  }
  pthread_mutex_init(&w->lock, NULL);
  for (size_t i = 0; i < w->n; i++) {
    cf_future *f = w->fs[i];
    int done = cf__future_listen(f);
    if (done < 0) {
      waiter_destroy(w); /* unlinks what was linked so far */
      free(w->fs);
      return done;
    }
    if (done) {
      cf__waiter_notify(w, i);
    } else {
      w->links[i].w = w;
      w->links[i].index = i;
      w->links[i].next = f->cold->links;
      f->cold->links = &w->links[i];
    }
    cf__future_unlock(f);
  }
  return 0;
}

/* Sleep until the waiter's sequence moves past `seen` or the deadline. */
static int waiter_sleep(cf__waiter *w, int seen, uint64_t deadline) {
  return cf__futex_wait(&w->seq, seen, deadline, 0);
}

static int wait_satisfied(cf__waiter *w, cf_wait_mode mode) {
  pthread_mutex_lock(&w->lock);
  size_t done = w->ndone, failed = w->nfailed;
  pthread_mutex_unlock(&w->lock);
  if (done == w->n) return 1;
  if (mode == CF_FIRST_COMPLETED) return done > 0;
  if (mode == CF_FIRST_EXCEPTION) return failed > 0;
  return 0;
}

static size_t count_done(cf_future *const *fs, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += cf_future_done(fs[i]) ? 1 : 0;
  return k;
}

/* A NULL entry in fs[0..n): CF_EINVAL for cf_wait and cf_as_completed_new. */
static int any_null(cf_future *const *fs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!fs[i]) return 1;
  return 0;
}

int cf_wait(cf_future *const *fs, size_t n, cf_wait_mode mode, double timeout_s, size_t *n_done) {
  if (n_done) *n_done = 0;
  if (!fs && n) return CF_EINVAL;
  if (mode != CF_FIRST_COMPLETED && mode != CF_FIRST_EXCEPTION && mode != CF_ALL_COMPLETED)
    return CF_EINVAL;
  if (cf__self.in_process_child) return CF_EINTASK;
  if (any_null(fs, n)) return CF_EINVAL;
  uint64_t deadline = cf__deadline(timeout_s);
  int rc = 0;
  if (mode == CF_ALL_COMPLETED && cf__self.ex && cf__self.worker >= 0) {
    /* From a worker: one future at a time, with deadlock detection. */
    for (size_t i = 0; i < n && rc == 0; i++) rc = cf__future_wait(fs[i], deadline);
    if (n_done) *n_done = count_done(fs, n);
    return rc;
  }
  cf__waiter w;
  rc = waiter_init(&w, fs, n);
  if (rc) return rc;
  for (;;) {
    int seen = atomic_load(&w.seq);
    if (wait_satisfied(&w, mode)) {
      rc = 0;
      break;
    }
    if (waiter_sleep(&w, seen, deadline) == CF_ETIMEDOUT) {
      rc = wait_satisfied(&w, mode) ? 0 : CF_ETIMEDOUT;
      break;
    }
  }
  waiter_destroy(&w);
  free(w.fs);
  if (n_done) *n_done = count_done(fs, n);
  return rc;
}

/* ---------------------------------------------------------- as_completed */

/* The iterator holds a reference to every future it has not yielded yet
 * (CPython's as_completed keeps its pending set the same way) and drops it
 * as it yields the future. */
struct cf_as_completed {
  cf__waiter w;
  size_t yielded;
  uint64_t deadline;
  unsigned char *held;         /* per unique future: our reference is held */
};

int cf_as_completed_new(cf_future *const *fs, size_t n, double timeout_s, cf_as_completed **out) {
  if (!out || (!fs && n)) return CF_EINVAL;
  *out = NULL;
  if (cf__self.in_process_child) return CF_EINTASK;
  if (any_null(fs, n)) return CF_EINVAL;
  cf_as_completed *it = calloc(1, sizeof *it);
  if (!it) return CF_ENOMEM;
  int rc = waiter_init(&it->w, fs, n);
  if (rc) {
    free(it);
    return rc;
  }
  it->held = malloc(it->w.n ? it->w.n : 1);
  if (!it->held) {
    waiter_destroy(&it->w);
    free(it->w.fs);
    free(it);
    return CF_ENOMEM;
  }
  for (size_t i = 0; i < it->w.n; i++) {
    cf_future_retain(it->w.fs[i]);
    it->held[i] = 1;
  }
  it->deadline = cf__deadline(timeout_s);
  *out = it;
  return 0;
}

int cf_as_completed_next(cf_as_completed *it, cf_future **f) {
  if (!it || !f) return CF_EINVAL;
  *f = NULL;
  for (;;) {
    int seen = atomic_load(&it->w.seq);
    pthread_mutex_lock(&it->w.lock);
    size_t done = it->w.ndone;
    size_t idx = 0;
    if (it->yielded < done) {
      idx = it->w.order[it->yielded++];
      *f = it->w.fs[idx];
    }
    pthread_mutex_unlock(&it->w.lock);
    if (*f) {
      it->held[idx] = 0;
      cf_future_release(*f); /* the caller's reference remains */
      return 0;
    }
    if (it->yielded == it->w.n) return CF_EOF;
    if (waiter_sleep(&it->w, seen, it->deadline) == CF_ETIMEDOUT && cf__now_ns() >= it->deadline) {
      pthread_mutex_lock(&it->w.lock);
      int more = it->yielded < it->w.ndone;
      pthread_mutex_unlock(&it->w.lock);
      if (!more) return CF_ETIMEDOUT;
    }
  }
}

void cf_as_completed_free(cf_as_completed *it) {
  if (!it) return;
  waiter_destroy(&it->w);
  for (size_t i = 0; i < it->w.n; i++)
    if (it->held[i]) cf_future_release(it->w.fs[i]);
  free(it->held);
  free(it->w.fs);
  free(it);
}
