/* queue.c -- the executor's pending queue, which both backends consume.
 *
 * Producers (cf_submit from any thread) link a future in with one CAS on
 * the tail (D. Vyukov's intrusive MPSC queue) and take no lock; consumers
 * take the head under q_lock, which only consumers use, so the submitter
 * and the workers share no lock and no counter.  Shutdown closes the queue
 * by setting the tail's low bit (TAIL_CLOSED): the same CAS that links a
 * future in fails on a closed tail, so a push is either in the queue or
 * refused, and a push costs that one locked instruction (no count of the
 * pushes under way for shutdown to wait out).
 *
 * Idle thread workers spin with back-off, then yield, then sleep on a
 * futex (q_seq).  A push wakes a sleeper only while fewer than PUSH_WAKES
 * workers are awake looking for work or on their way (q_tokens), and a
 * push to an empty queue none while one is awake; a worker that was
 * looking and finds work wakes as many more as are needed, in one call.
 * A burst of N submissions to a sleeping pool thus costs the submitter at
 * most PUSH_WAKES wake-ups instead of N wakes in a row, and a round trip
 * to a pool with a spinning worker none. */
#include "internal.h"

#include <limits.h>
#include <sched.h>

#define POP_SPINS 40 /* back-off rounds: ~2000 pauses in all */
#define POP_YIELDS 8
#define PUSH_WAKES 8 /* wake-ups a burst of submits sends itself */

#define TAIL_CLOSED ((uintptr_t)1) /* q_tail's low bit: closed to pushes (futures are 8-aligned) */

static cf_future *link_of(cf_future *f) { return __atomic_load_n(&f->next, __ATOMIC_ACQUIRE); }
static cf_future *tail_of(cf_executor *ex) { return (cf_future *)(atomic_load(&ex->q_tail) & ~TAIL_CLOSED); }

/* Make f the tail; the caller then links it behind the old tail (the
 * value returned) with link_behind, which publishes it to consumers.
 * Refused (NULL) when the queue is closed, unless `always` (the consumers'
 * stub, which keeps the closed bit).  The CAS is seq_cst: it orders the
 * push before push_wake's loads of the sleepers' counters (see there). */
static cf_future *tail_swap(cf_executor *ex, cf_future *f, int always) {
  __atomic_store_n(&f->next, NULL, __ATOMIC_RELAXED);
  uintptr_t t = atomic_load_explicit(&ex->q_tail, memory_order_relaxed);
  do {
    if ((t & TAIL_CLOSED) && !always) return NULL;
  } while (!atomic_compare_exchange_weak_explicit(&ex->q_tail, &t, (uintptr_t)f | (t & TAIL_CLOSED),
                                                  memory_order_seq_cst, memory_order_relaxed));
  return (cf_future *)(t & ~TAIL_CLOSED);
}

static void link_behind(cf_future *prev, cf_future *f) { __atomic_store_n(&prev->next, f, __ATOMIC_RELEASE); }

void cf__queue_init(cf_executor *ex) {
  ex->q_stub.next = NULL;
  atomic_init(&ex->q_tail, (uintptr_t)&ex->q_stub);
  atomic_init(&ex->q_head, &ex->q_stub);
}

void cf__queue_close(cf_executor *ex) { atomic_fetch_or(&ex->q_tail, TAIL_CLOSED); }

int cf__queue_closed(cf_executor *ex) { return (atomic_load(&ex->q_tail) & TAIL_CLOSED) != 0; }

int cf__queue_nonempty(cf_executor *ex) {
  cf_future *stub = &ex->q_stub;
  /* The producers' tail is read last: a consumer that finds work at the
   * head does not pull the producers' cache line over. */
  if (atomic_load(&ex->q_head) != stub || link_of(stub)) return 1;
  return tail_of(ex) != stub;
}

/* Take the oldest future (q_lock held).  NULL with *busy set: a push is
 * half done (tail moved, link not yet written); retry soon. */
static cf_future *take_locked(cf_executor *ex, int *busy) {
  cf_future *stub = &ex->q_stub;
  cf_future *head = atomic_load_explicit(&ex->q_head, memory_order_relaxed);
  cf_future *next = link_of(head);
  *busy = 0;
  if (head == stub) {
    if (!next) {
      *busy = tail_of(ex) != stub;
      return NULL;
    }
    atomic_store_explicit(&ex->q_head, next, memory_order_relaxed);
    head = next;
    next = link_of(next);
  }
  if (!next) {
    if (head != tail_of(ex)) {
      *busy = 1;
      return NULL;
    }
    link_behind(tail_swap(ex, stub, 1), stub); /* head is the last one: put the stub behind it */
    next = link_of(head);
    if (!next) {
      *busy = 1;
      return NULL;
    }
  }
  atomic_store_explicit(&ex->q_head, next, memory_order_relaxed);
  atomic_store_explicit(&ex->q_taken, atomic_load_explicit(&ex->q_taken, memory_order_relaxed) + 1,
                        memory_order_relaxed);
  head->next = NULL;
  return head;
}

static cf_future *take(cf_executor *ex, int *busy) {
  *busy = 0;
  if (!cf__queue_nonempty(ex)) return NULL;
  pthread_mutex_lock(&ex->q_lock);
  cf_future *f = take_locked(ex, busy);
  pthread_mutex_unlock(&ex->q_lock);
  return f;
}

cf_future *cf__queue_detach_locked(cf_executor *ex) {
  cf_future *list = NULL, **tail = &list, *f;
  for (;;) {
    int busy;
    f = take_locked(ex, &busy);
    if (f) {
      *tail = f;
      tail = &f->next;
    } else if (busy) {
      sched_yield(); /* a producer between its two steps: a few instructions */
    } else {
      return list;
    }
  }
}

/* ------------------------------------------------------------ wake-ups */

static void wake(cf_executor *ex, int n) {
  atomic_fetch_add(&ex->q_tokens, n);
  atomic_fetch_add(&ex->q_seq, 1);
  cf__futex_wake(&ex->q_seq, n, 0);
}

void cf__queue_wake_all(cf_executor *ex) {
  atomic_fetch_add(&ex->q_seq, 1);
  cf__futex_wake(&ex->q_seq, INT_MAX, 0);
}

/* Take a wake-up sent to the idle workers, if one is pending. */
static int take_token(cf_executor *ex) {
  int t = atomic_load(&ex->q_tokens);
  while (t > 0)
    if (atomic_compare_exchange_weak(&ex->q_tokens, &t, t - 1)) return 1;
  return 0;
}

/* After a push: wake a sleeper unless PUSH_WAKES workers are awake looking
 * for work or on their way; they, and the workers they wake, get to the
 * work.  The submitter itself wakes up to PUSH_WAKES for a burst, one per
 * push, so a small burst to a sleeping pool starts without waiting for a
 * woken worker to be scheduled and pass the wake-up on (200 sleeps at 256
 * workers looked about 7% less efficient when only the woken passed
 * wake-ups on; measured at load 5, a hint).  A push to an empty queue (`first`: the old tail was the
 * stub) wakes nobody while a worker is awake: it takes this future, and
 * wakes for whatever follows (took).  At more workers than CPUs each round
 * trip that missed the hand-off word used to wake a sleeper (0.84 futex
 * wakes per round trip at W=4 on 2 CPUs), which then took the CPU from the
 * spinner.  The loads follow the push in the seq_cst order, as a sleeper's
 * counter updates precede its last look at the queue and a looking
 * worker's leaving precedes its took(): either the push is seen there or
 * that worker is seen here. */
static void push_wake(cf_executor *ex, int first) {
  if (atomic_load(&ex->q_sleepers) <= 0) return;
  int spinning = atomic_load(&ex->q_spinning);
  if (first ? spinning == 0 && atomic_load(&ex->q_tokens) < PUSH_WAKES
            : atomic_load(&ex->q_tokens) + spinning < PUSH_WAKES)
    wake(ex, 1);
}

/* Roughly how many futures are queued: submitted (next_id, the submitters'
 * counter) minus taken (q_taken, the consumers', and hand_taken, those
 * handed past the queue: without it every hand-off would count as queued
 * for ever, and a burst would wake every sleeper), read only on the rare
 * path of a wake-up, so neither side writes a line the other reads. */
static long backlog(cf_executor *ex) {
  return (long)(atomic_load_explicit(&ex->next_id, memory_order_relaxed) -
                atomic_load_explicit(&ex->q_taken, memory_order_relaxed) -
                atomic_load_explicit(&ex->hand_taken, memory_order_relaxed));
}

/* Futures in the pool's batch, not yet popped (a hint). */
static int batched(cf_executor *ex) { return ex->wbatch ? cf__wbatch_left(ex->wbatch) : 0; }

/* Whether any work waits: in the batch or in the queue (a hint). */
static int work_waits(cf_executor *ex) { return batched(ex) || cf__queue_nonempty(ex); }

/* work_waits, sure: under q_lock no fill is half done, and the caller has
 * already counted itself as sleeping or seen the queue closed, so work
 * that comes later wakes it or finds another worker awake. */
static int work_waits_locked(cf_executor *ex) {
  pthread_mutex_lock(&ex->q_lock);
  int any = work_waits(ex);
  pthread_mutex_unlock(&ex->q_lock);
  return any;
}

/* A worker that was looking for work (spinning or woken) took a future:
 * pass the wake-up on while work remains.  It wakes, in one call, as many
 * sleepers as there are futures queued (a burst wakes the pool in two
 * steps, not a wake per submit).  Pushes do not wake anyone while it
 * looks (push_wake), so it must, before it runs what it took. */
static void took(cf_executor *ex) {
  /* The sleepers first: with nobody asleep (always at W=1) this is one load
   * of a line that seldom changes, and the queue's lines, which the
   * submitter is writing, are not pulled over on every idle-to-busy turn. */
  int sleepers = atomic_load(&ex->q_sleepers);
  if (sleepers <= 0 || !work_waits(ex)) return;
  long n = backlog(ex) + batched(ex) - atomic_load(&ex->q_tokens);
  if (n > sleepers) n = sleepers;
  if (n > 0) wake(ex, (int)n);
}

/* ---------------------------------------------------------- push / pop */

int cf__queue_push(cf_executor *ex, cf_future *f) {
  /* The queue's reference, taken with a plain store: f is not shared yet
   * (the caller made it), and only the link below publishes it. */
  atomic_store_explicit(&f->word, atomic_load_explicit(&f->word, memory_order_relaxed) + CF__W_REF,
                        memory_order_relaxed);
  f->rec.enqueue_ns = cf__clock_ns();
  if (ex->wbatch && cf__handoff_give(ex, f)) return 0; /* an idle worker waited for it */
  if (ex->ops->give && ex->ops->give(ex, f)) return 0;  /* process: into an idle worker's mailbox */
  cf_future *prev = tail_swap(ex, f, 0);
  if (!prev) {
    atomic_store_explicit(&f->word, atomic_load_explicit(&f->word, memory_order_relaxed) - CF__W_REF,
                          memory_order_relaxed);
    return CF_ESHUTDOWN;
  }
  /* The id is taken once the push is sure, so a refused submit takes none
   * and `submitted` (next_id) needs no correction.  Consumers reach f only
   * through the link written next, so they see the id. */
  f->rec.id = cf__queue_take_id(ex);
  link_behind(prev, f);
  if (ex->ops->kick) ex->ops->kick(ex);
  else push_wake(ex, prev == &ex->q_stub);
  return 0;
}

cf_future *cf__queue_trypop(cf_executor *ex) {
  int busy;
  return take(ex, &busy);
}

/* ------------------------------------------------- the thread pool's batch */

/* Whether a pool's workers take the queue through a batch (wbatch.c): a
 * thread pool's, at any number of workers.  The batch is the queue's head,
 * shared by every worker and popped in order, so nothing anyone can see
 * changes: futures start in submission order, a batched future is as free
 * to run on any worker as a queued one (none waits behind a busy or
 * blocked worker), and shutdown cancels it with the queued ones.  The
 * process backend's io thread pops the queue itself (cf__queue_pop). */
int cf__queue_batches(const cf_executor *ex) { return ex->cfg.backend == CF_BACKEND_THREAD; }

/* Whether a fill may take the queue's next future: one is linked behind
 * it.  A fill stops before the queue's last future: its push may be half
 * done, and taking it swaps the stub in with a CAS on the producers' tail.
 * Only the futures' links are read, so a fill (at W=1 nearly one per task
 * when the worker keeps up) never reads the submitters' line (next_id):
 * reading it there cost the submitter a miss on its next locked
 * instruction on that line, and the submitter is what a batched W=1 run
 * waits for. */
static int fill_more(cf_executor *ex) {
  cf_future *head = atomic_load_explicit(&ex->q_head, memory_order_relaxed);
  cf_future *next = link_of(head);
  if (head == &ex->q_stub) {
    if (!next) return 0;
    next = link_of(next);
  }
  return next != NULL;
}

/* Under q_lock: the batch's next future, or (the batch empty) the queue's
 * first, the next ones of the queue (up to CF__WBATCH_MAX in all, never
 * the queue's last) put in the batch. */
static cf_future *take_batch_locked(cf_executor *ex, int *busy) {
  cf_future *more[CF__WBATCH_MAX];
  int n = 0;
  /* A worker may have filled the batch while this one waited for q_lock:
   * what it holds is older than anything queued. */
  cf_future *first = cf__wbatch_pop(ex->wbatch);
  *busy = 0;
  if (first) return first;
  first = take_locked(ex, busy);
  if (first)
    for (; n < CF__WBATCH_MAX - 1 && fill_more(ex); n++) {
      int b;
      if (!(more[n] = take_locked(ex, &b))) break;
    }
  if (n) cf__wbatch_fill(ex->wbatch, more, n);
  return first;
}

/* take() for a thread worker (w >= 0): the batch first, then the queue. */
static cf_future *take_for(cf_executor *ex, int w, int *busy) {
  if (w < 0 || !ex->wbatch) return take(ex, busy);
  cf_future *f = cf__wbatch_pop(ex->wbatch);
  *busy = 0;
  if (f || !cf__queue_nonempty(ex)) return f;
  pthread_mutex_lock(&ex->q_lock);
  f = take_batch_locked(ex, busy);
  pthread_mutex_unlock(&ex->q_lock);
  return f;
}

/* Idle: back off, yield, then sleep until a wake-up.  Returns 1 when this
 * worker took a wake-up token (it should pass wake-ups on). */
static int idle_sleep(cf_executor *ex) {
  int seq = atomic_load(&ex->q_seq);
  atomic_fetch_add(&ex->q_sleepers, 1);
  atomic_fetch_sub(&ex->q_spinning, 1);
  int woken = take_token(ex);
  if (woken || cf__queue_closed(ex) || work_waits_locked(ex)) {
    atomic_fetch_add(&ex->q_spinning, 1);
  } else {
    cf__futex_wait(&ex->q_seq, seq, UINT64_MAX, 0);
    /* Counted as spinning before the token is taken: a producer never sees
     * neither a wake-up on its way nor a worker awake. */
    atomic_fetch_add(&ex->q_spinning, 1);
    woken = take_token(ex);
  }
  atomic_fetch_sub(&ex->q_sleepers, 1);
  return woken;
}

/* A worker that was looking leaves its wait with f: no longer counted as
 * looking, and it passes wake-ups on (took) before it runs f. */
static cf_future *found(cf_executor *ex, cf_future *f) {
  atomic_fetch_sub(&ex->q_spinning, 1);
  took(ex);
  return f;
}

/* The pop of cf__queue_pop (w < 0) and cf__queue_pop_worker; t->fn is
 * set for a handed future (see cf__queue_pop_worker). */
static cf_future *pop(cf_executor *ex, int w, int *waited, cf__task *t) {
  int busy;
  *waited = 0;
  t->fn = NULL;
  cf_future *f = take_for(ex, w, &busy); /* busy back to back: no counters touched */
  if (f) return f;
  int woken = 0;
  atomic_fetch_add(&ex->q_spinning, 1);
  for (int i = 0, pause = 1;;) {
    /* Closed, looked at before the queue: no push can begin after that, so
     * if the queue is empty and no push is half done, it stays empty and
     * the worker leaves. */
    int last = cf__queue_closed(ex);
    f = take_for(ex, w, &busy);
    if (f) return found(ex, f);
    /* Leave only when nothing is left anywhere: under q_lock, not in the
     * middle of another worker's fill. */
    if (last && !busy && !work_waits_locked(ex)) break;
    *waited = 1;
    /* Only a few workers spin at once (Go's rule: half the CPUs); the rest
     * sleep at once, so idle workers do not take CPU from busy ones. */
    if (i == 0 && atomic_load_explicit(&ex->q_spinning, memory_order_relaxed) > ex->q_spin_max)
      i = POP_SPINS + POP_YIELDS;
    /* The first spinner spins on the hand-off word (handoff.c) instead of
     * the queue; that was its spin phase. */
    if (i == 0 && w >= 0 && ex->wbatch && !busy) {
      int spun;
      if ((f = cf__handoff_wait(ex, w, t, &spun))) return found(ex, f);
      if (spun) { /* that was the spin: look again, then yield */
        i = POP_SPINS;
        continue;
      }
    }
    /* Back-off (a consumer polling the queue on every pause would steal its
     * cache line from the producer at every push), yield (the producer may
     * share this CPU), then sleep. */
    if (i < POP_SPINS) {
      for (int k = 0; k < pause; k++) cf__cpu_relax();
      if (pause < 64) pause *= 2;
      i++;
    } else if (i < POP_SPINS + POP_YIELDS || busy) { /* busy: never sleep on a half-done push */
      sched_yield();
      i++;
    } else {
      woken = idle_sleep(ex);
      i = woken ? 1 : 0; /* a woken worker spins even past the limit */
      pause = 1;
    }
  }
  atomic_fetch_sub(&ex->q_spinning, 1);
  return NULL;
}

cf_future *cf__queue_pop(cf_executor *ex, int *waited) {
  cf__task none; /* only a thread worker waits at the hand-off word */
  return pop(ex, -1, waited, &none);
}

cf_future *cf__queue_pop_worker(cf_executor *ex, int worker, int *waited, cf__task *handed) {
  return pop(ex, worker, waited, handed);
}
