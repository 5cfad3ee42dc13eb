/* peer_floor.c -- the floors bench_peers measures cfutures against: the
 * least any thread pool can do for the same work, with nothing of a
 * future (no records, no states, no reference counts).
 *
 *   spsc-floor   batched: one bounded single-producer single-consumer ring
 *                per worker; the submitter deals task indices round robin,
 *                each worker runs the no-op and sets that task's done byte;
 *                the submitter then checks every done byte
 *   spin-floor   round trip: hand one task to one worker through a shared
 *                word, the worker spins on it, runs it and answers in another
 *
 * Both spin with back-off, then yield (the machine may have fewer CPUs than
 * threads); between runs the workers sleep on a condition variable. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bench.h"
#include "peers.h"

#define RING 1024 /* entries per worker ring (a power of two) */
#define LINE 64

static int (*volatile task_fn)(const void *, size_t, cf_result *) = noop;

/* Back-off wait step: pause a growing number of times, then yield. */
static void backoff(int *k) {
  if (*k < 10) {
    for (int i = 0; i < 1 << *k; i++) __builtin_ia32_pause();
    (*k)++;
  } else {
    sched_yield();
  }
}

typedef struct ring {
  _Alignas(LINE) _Atomic long head; /* consumer */
  _Alignas(LINE) _Atomic long tail; /* producer */
  _Alignas(LINE) long slot[RING];
  long expect;                      /* items of the current run */
} ring;

typedef struct floorpool {
  int w;
  ring *rings;
  pthread_t *th;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  long gen;                         /* run number; 0: none yet; -1: quit */
  _Atomic unsigned char *done;
  long cap;
  /* spin hand-off */
  _Alignas(LINE) _Atomic long req;
  _Alignas(LINE) _Atomic long resp;
  long rt_n;
  int mode;                         /* 0: spsc, 1: spin hand-off */
} floorpool;

typedef struct warg {
  floorpool *p;
  int index;
} warg;

/* Wait for the next run; 0 when told to quit. */
static int next_run(floorpool *p, long *seen) {
  pthread_mutex_lock(&p->lock);
  while (p->gen == *seen) pthread_cond_wait(&p->cond, &p->lock);
  *seen = p->gen;
  pthread_mutex_unlock(&p->lock);
  return *seen >= 0;
}

static void spsc_consume(floorpool *p, ring *r) {
  for (long k = 0; k < r->expect; k++) {
    long h = atomic_load_explicit(&r->head, memory_order_relaxed);
    for (int b = 0; atomic_load_explicit(&r->tail, memory_order_acquire) == h;) backoff(&b);
    long idx = r->slot[h & (RING - 1)];
    atomic_store_explicit(&r->head, h + 1, memory_order_release);
    task_fn(NULL, 0, NULL);
    atomic_store_explicit(&p->done[idx], 1, memory_order_release);
  }
}

static void spin_serve(floorpool *p) {
  for (long k = 1; k <= p->rt_n; k++) {
    for (int b = 0; atomic_load_explicit(&p->req, memory_order_acquire) != k;) backoff(&b);
    task_fn(NULL, 0, NULL);
    atomic_store_explicit(&p->resp, k, memory_order_release);
  }
}

static void *worker(void *a) {
  warg wa = *(warg *)a;
  free(a);
  floorpool *p = wa.p;
  long seen = 0;
  while (next_run(p, &seen)) {
    if (p->mode == 0) spsc_consume(p, &p->rings[wa.index]);
    else if (wa.index == 0) spin_serve(p);
  }
  return NULL;
}

static void *f_open(int workers) {
  floorpool *p = calloc(1, sizeof *p);
  p->w = workers;
  p->rings = aligned_alloc(LINE, (size_t)workers * sizeof *p->rings);
  p->th = calloc((size_t)workers, sizeof *p->th);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
  for (int i = 0; i < workers; i++) {
    atomic_init(&p->rings[i].head, 0);
    atomic_init(&p->rings[i].tail, 0);
    warg *a = malloc(sizeof *a);
    a->p = p;
    a->index = i;
    pthread_create(&p->th[i], NULL, worker, a);
  }
  return p;
}

static void start_run(floorpool *p, int mode) {
  pthread_mutex_lock(&p->lock);
  p->mode = mode;
  p->gen++;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
}

static double f_batched(void *pool, long n) {
  floorpool *p = pool;
  if (n > p->cap) {
    free((void *)p->done);
    p->done = malloc((size_t)n);
    p->cap = n;
  }
  for (long i = 0; i < n; i++) atomic_init(&p->done[i], 0);
  for (int i = 0; i < p->w; i++) p->rings[i].expect = n / p->w + (i < n % p->w);
  double t0 = now_ns();
  start_run(p, 0);
  for (long i = 0; i < n; i++) {
    ring *r = &p->rings[i % p->w];
    long t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (int b = 0; t - atomic_load_explicit(&r->head, memory_order_acquire) >= RING;) backoff(&b);
    r->slot[t & (RING - 1)] = i;
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
  }
  for (long i = 0; i < n; i++)
    for (int b = 0; !atomic_load_explicit(&p->done[i], memory_order_acquire);) backoff(&b);
  return (now_ns() - t0) / (double)n;
}

static double f_roundtrip(void *pool, long n) {
  floorpool *p = pool;
  atomic_store(&p->req, 0);
  atomic_store(&p->resp, 0);
  p->rt_n = n;
  double t0 = now_ns();
  start_run(p, 1);
  for (long k = 1; k <= n; k++) {
    atomic_store_explicit(&p->req, k, memory_order_release);
    for (int b = 0; atomic_load_explicit(&p->resp, memory_order_acquire) != k;) backoff(&b);
  }
  return (now_ns() - t0) / (double)n;
}

static void f_close(void *pool) {
  floorpool *p = pool;
  pthread_mutex_lock(&p->lock);
  p->gen = -1;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->w; i++) pthread_join(p->th[i], NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->cond);
  free(p->rings);
  free(p->th);
  free((void *)p->done);
  free(p);
}

static void *spin_open(int workers) { return workers == 1 ? f_open(1) : NULL; }

const peer cf_peer_spsc_floor = {"spsc-floor", f_open, f_batched, NULL, NULL, f_close};
const peer cf_peer_spin_floor = {"spin-floor", spin_open, NULL, f_roundtrip, NULL, f_close};
