/* peer_floor.c -- the floors bench_peers measures cfutures against: the
 * least any thread pool can do for the same work, with nothing of a
 * future (no records, no states, no reference counts).
 *
 *   spsc-floor   batched: one bounded single-producer single-consumer ring
 *                per consumer; the submitter deals task indices round robin,
 *                each consumer runs the no-op and sets that task's done
 *                byte; the submitter then checks every done byte
 *   spin-floor   round trip: hand one task to one worker through a shared
 *                word, the worker spins on it, runs it and answers in another
 *
 * Both spin with back-off, then yield; between runs the workers sleep on a
 * condition variable.
 *
 * Each run is made twice, in an order that alternates, and the floor is
 * the faster of the two:
 *
 *   pinned     the submitter (for the timed run only; its affinity is put
 *              back after) on the first CPU it may use, each consumer on
 *              another CPU of its own.  An unpinned floor measures the
 *              scheduler: a run (~10 ms) is shorter than the load balancer
 *              takes to move a spinner away, so whenever the kernel started
 *              a consumer on the submitter's CPU every hand-off was a spin
 *              plus a sched_yield to the peer, and on a quiet 2-CPU machine
 *              the floor read anywhere from 31 to 200 ns a task, above
 *              cfutures in some rounds.  Only min(W, CPUs - 1) consumers are
 *              dealt tasks (at least one): a pool of W workers cannot run
 *              more than that beside its submitter, and more consumers would
 *              only share CPUs, i.e. measure the scheduler again; the other
 *              workers exist, pinned round robin, with no tasks.  So at W = 2
 *              and W = 4 on 2 CPUs the floor is the W = 1 floor: one consumer
 *              on the CPU the submitter does not use.
 *   unpinned   every thread free to run anywhere, tasks dealt to all W
 *              consumers: what a pool gets from the scheduler.  On a loaded
 *              machine a pinned thread cannot leave a CPU that another
 *              process holds, and this placement can be the faster one.
 *
 * The floor is the best hand-off any pool could do, so it takes the better
 * placement of the round rather than one that can lose to a pool.  With one
 * CPU allowed both runs are unpinned, dealt to all W consumers. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bench.h"
#include "peers.h"
#include "proc_floor.h"

#define RING 1024 /* entries per worker ring (a power of two) */
#define LINE 64

static int (*volatile task_fn)(const void *, size_t, cf_result *) = noop;

/* Wait step: one pause a poll for SPIN_POLLS polls, then yield.  A floor
 * must not overshoot: the back-off it had (pauses doubling to 1024 a
 * poll) left up to a poll's worth of pauses between the answer and its
 * being seen, and on an AMD EPYC VM the round-trip "floor" read 1.6 us,
 * twice cfutures' (whose pool caps a poll at 64 pauses). */
#define SPIN_POLLS 20000
static void backoff(int *k) {
  if (*k < SPIN_POLLS) {
    __builtin_ia32_pause();
    (*k)++;
  } else {
    sched_yield();
  }
}

typedef struct ring {
  _Alignas(LINE) _Atomic long head; /* consumer */
  _Alignas(LINE) _Atomic long tail; /* producer */
  _Alignas(LINE) long slot[RING];
  long expect;                      /* items of the current run (under lock, with gen) */
} ring;

typedef struct floorpool {
  int w;
  int consumers;                    /* rings dealt to when pinned: min(w, CPUs - 1), at least 1 */
  int sub_cpu;                      /* the submitter's CPU in a pinned run; -1: none */
  int *cpu;                         /* worker i's CPU in a pinned run; -1: none */
  cpu_set_t all;                    /* the CPUs we may use (an unpinned run's affinity) */
  int flip;                         /* which placement goes first, alternated */
  ring *rings;
  pthread_t *th;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  /* run number; 0: none yet; -1: quit.  A run's parameters (mode, rt_n,
   * each ring's expect) change with it under lock, and a worker copies
   * them there: a worker left out of one run (expect 0) may wake only
   * after the next was set up, and reading them outside the lock it
   * took the next run's expect for the old one, ran it twice, and the
   * floor hung (bench_floors, one run in ~200 under load). */
  long gen;
  _Atomic unsigned char *done;
  long cap;
  /* spin hand-off */
  _Alignas(LINE) _Atomic long req;
  _Alignas(LINE) _Atomic long resp;
  long rt_n;                        /* round trips of the current run (under lock, with gen) */
  int mode;                         /* 0: spsc, 1: spin hand-off (under lock, with gen) */
} floorpool;

/* What one worker does in one run, copied under lock. */
typedef struct run_args {
  int mode;
  long expect, rt_n;
} run_args;

typedef struct warg {
  floorpool *p;
  int index;
} warg;

/* Wait for the next run and take its parameters for worker i; 0 when told
 * to quit. */
static int next_run(floorpool *p, int i, long *seen, run_args *a) {
  pthread_mutex_lock(&p->lock);
  while (p->gen == *seen) pthread_cond_wait(&p->cond, &p->lock);
  *seen = p->gen;
  *a = (run_args){p->mode, p->rings[i].expect, p->rt_n};
  pthread_mutex_unlock(&p->lock);
  return *seen >= 0;
}

static void spsc_consume(floorpool *p, ring *r, long expect) {
  for (long k = 0; k < expect; k++) {
    long h = atomic_load_explicit(&r->head, memory_order_relaxed);
    for (int b = 0; atomic_load_explicit(&r->tail, memory_order_acquire) == h;) backoff(&b);
    long idx = r->slot[h & (RING - 1)];
    atomic_store_explicit(&r->head, h + 1, memory_order_release);
    task_fn(NULL, 0, NULL);
    atomic_store_explicit(&p->done[idx], 1, memory_order_release);
  }
}

/* The round trip's stores are seq_cst (a locked xchg on x86), not
 * release: a plain store can wait in the store buffer while its core
 * spins on the answer's line, and on an AMD EPYC VM a release ping-pong
 * took 210-240 ns where the xchg one took 130-150 (the process floor and
 * cfutures' own CASes drain at once). */
static void handoff_store(_Atomic long *w, long v) { atomic_store_explicit(w, v, memory_order_seq_cst); }

static void spin_serve(floorpool *p, long rt_n) {
  for (long k = 1; k <= rt_n; k++) {
    for (int b = 0; atomic_load_explicit(&p->req, memory_order_acquire) != k;) backoff(&b);
    task_fn(NULL, 0, NULL);
    handoff_store(&p->resp, k);
  }
}

static void *worker(void *a) {
  warg wa = *(warg *)a;
  free(a);
  floorpool *p = wa.p;
  long seen = 0;
  run_args run;
  while (next_run(p, wa.index, &seen, &run)) {
    if (run.mode == 0) spsc_consume(p, &p->rings[wa.index], run.expect);
    else if (wa.index == 0) spin_serve(p, run.rt_n);
  }
  return NULL;
}

/* Where everyone runs in a pinned run (see the top): the submitter on
 * the first allowed CPU, worker i on the i-th of the others, round robin. */
static void plan_cpus(floorpool *p) {
  int cpus[CPU_SETSIZE], n = 0;
  CPU_ZERO(&p->all);
  if (sched_getaffinity(0, sizeof p->all, &p->all) == 0)
    for (int c = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(c, &p->all)) cpus[n++] = c;
  int others = n - 1;
  p->sub_cpu = others >= 1 ? cpus[0] : -1;
  p->consumers = others < 1 ? 1 : others < p->w ? others : p->w;
  for (int i = 0; i < p->w; i++) p->cpu[i] = others >= 1 ? cpus[1 + i % others] : -1;
}

/* Everyone onto the placement of one run (outside the timed region);
 * returns the number of consumers to deal to. */
static int place(floorpool *p, int pinned) {
  pinned = pinned && p->sub_cpu >= 0;
  for (int i = 0; i < p->w; i++) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(p->cpu[i] < 0 ? 0 : p->cpu[i], &one);
    pthread_setaffinity_np(p->th[i], sizeof one, pinned ? &one : &p->all);
  }
  if (pinned) proc_floor_pin(p->sub_cpu);
  else sched_setaffinity(0, sizeof p->all, &p->all);
  return pinned ? p->consumers : p->w;
}

static void *f_open(int workers) {
  floorpool *p = calloc(1, sizeof *p);
  p->w = workers;
  p->cpu = calloc((size_t)workers, sizeof *p->cpu);
  plan_cpus(p);
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

/* Start a run: mode 0 deals n tasks to k consumers, mode 1 makes n round
 * trips with worker 0. */
static void start_run(floorpool *p, int mode, long n, int k) {
  pthread_mutex_lock(&p->lock);
  p->mode = mode;
  p->rt_n = n;
  for (int i = 0; i < p->w; i++) p->rings[i].expect = mode == 0 && i < k ? n / k + (i < n % k) : 0;
  p->gen++;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
}

/* One batched run with k consumers: ns per task. */
static double spsc_run(floorpool *p, long n, int k) {
  for (long i = 0; i < n; i++) atomic_init(&p->done[i], 0);
  double t0 = now_ns();
  start_run(p, 0, n, k);
  for (long i = 0; i < n; i++) {
    ring *r = &p->rings[i % k];
    long t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    for (int b = 0; t - atomic_load_explicit(&r->head, memory_order_acquire) >= RING;) backoff(&b);
    r->slot[t & (RING - 1)] = i;
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
  }
  for (long i = 0; i < n; i++)
    for (int b = 0; !atomic_load_explicit(&p->done[i], memory_order_acquire);) backoff(&b);
  return (now_ns() - t0) / (double)n;
}

/* One round trip run: ns per task. */
static double spin_run(floorpool *p, long n) {
  atomic_store(&p->req, 0);
  atomic_store(&p->resp, 0);
  double t0 = now_ns();
  start_run(p, 1, n, 1);
  for (long k = 1; k <= n; k++) {
    handoff_store(&p->req, k);
    for (int b = 0; atomic_load_explicit(&p->resp, memory_order_acquire) != k;) backoff(&b);
  }
  return (now_ns() - t0) / (double)n;
}

/* The run in both placements, the order alternated: the faster one. */
static double best_of_two(floorpool *p, long n, int mode) {
  double best = 0;
  p->flip ^= 1;
  for (int j = 0; j < 2; j++) {
    int k = place(p, j ^ p->flip);
    double t = mode == 0 ? spsc_run(p, n, k) : spin_run(p, n);
    if (j == 0 || t < best) best = t;
  }
  place(p, 0); /* everyone back to every CPU */
  return best;
}

static double f_batched(void *pool, long n) {
  floorpool *p = pool;
  if (n > p->cap) {
    free((void *)p->done);
    p->done = malloc((size_t)n);
    p->cap = n;
  }
  return best_of_two(p, n, 0);
}

static double f_roundtrip(void *pool, long n) { return best_of_two(pool, n, 1); }

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
  free(p->cpu);
  free((void *)p->done);
  free(p);
}

static void *spin_open(int workers) { return workers == 1 ? f_open(1) : NULL; }

const peer cf_peer_spsc_floor = {"spsc-floor", f_open, f_batched, NULL, NULL, f_close};
const peer cf_peer_spin_floor = {"spin-floor", spin_open, NULL, f_roundtrip, NULL, f_close};
