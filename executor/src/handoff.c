/* handoff.c -- a thread pool's hand-off word: a submitter gives a future
 * straight to an idle worker that is spinning for work, past the pending
 * queue, when nothing is queued or batched ahead of it.
 *
 * Why: a task submitted to an idle pool and waited for (a round trip) went
 * through the queue: the idle worker polled the queue's head, the stub's
 * link and the producers' tail, so the submitter's CAS on the tail and its
 * link store each missed, and the worker then took q_lock and swapped the
 * stub back in with a second CAS on the producers' tail.  Here the idle
 * worker polls one line of its own and the submitter's one CAS moves it.
 *
 * The handed future comes claimed, and its task comes in the word's line:
 * the worker's first touch of the future is the finish.  Why: a round trip
 * moved the future's line to the worker for the claim's CAS, back to the
 * submitter that polls it, and to the worker once more for the finish;
 * the floor (bench_floors) moves one line each way.  The claim can be the
 * submitter's: the future is not shared yet (cf_submit has not returned
 * it), and the waiting worker is sure to take it (shutdown waits for that),
 * so it is RUNNING on that worker, for the deadlock detector and for a
 * cancel that comes later, a moment before the worker calls the task.
 *
 * The word (ex->hand) is one of
 *   HAND_FREE     nobody waits
 *   WAIT_OF(w)    worker w spins here (it put the word there)
 *   HAND_TAKEN    a submitter won the waiting worker and is writing the
 *                 future in (the submit is sure from that CAS on)
 *   a future      handed over, with the queue's reference, its task in
 *                 ex->hand_task; the worker sets HAND_FREE as it takes it
 *   HAND_CLOSED   shutdown: never handed to again
 * Only the worker that put WAIT_OF(w) there takes it back (to HAND_FREE);
 * submitters only move a WAIT_OF to HAND_TAKEN and shutdown to
 * HAND_CLOSED, so a worker that lost its withdrawal CAS knows which.
 *
 * Order.  A submitter hands over only when the queue is empty (its tail is
 * the stub: every future pushed before was taken) and the batch is empty,
 * so nothing submitted earlier is still waiting to start.  A batch fill
 * always leaves the queue's last future queued (queue.c, fill_more), and
 * the take of that last future, which puts the stub back as the tail,
 * comes after the fill under q_lock: a submitter that sees the stub as the
 * tail sees the fill too.  Futures taken but not yet claimed by another
 * worker may start after the handed one: start order is per worker, as with
 * the queue alone.
 *
 * Shutdown closes the word after the queue (cf__handoff_close): a submit
 * that won a waiting worker before that is accepted and runs (shutdown
 * waits until the worker has taken it); one after it goes to the closed
 * queue and is refused. */
#include "internal.h"

#include <sched.h>

#define HAND_FREE ((uintptr_t)0)
#define HAND_TAKEN ((uintptr_t)2)
#define HAND_CLOSED ((uintptr_t)3)
/* A waiting worker's word: its index above two tag bits 01 (a future is
 * aligned to its size, its tag bits 00). */
#define WAIT_OF(w) (((uintptr_t)(w) << 2) | 1)
#define HAND_POLLS 2048 /* looks at the word before giving up: the queue's spin, ~2000 pauses */
#define ARRIVE_POLLS 8  /* a submitter's looks for a worker on its way back (wait_arrival) */
#define PEEK_EVERY 16   /* looks between two at the queue and the batch: ~0.5 us apart */

static int is_waiting(uintptr_t h) { return (h & 3) == 1; }
static int is_future(uintptr_t h) { return h > HAND_CLOSED && (h & 3) == 0; }

/* Nobody waits, but a worker is looking for work (q_spinning): most often
 * the one that just ran this thread's previous task, on its way back to
 * the word.  In a round-trip loop the submitter's turn (take the result,
 * release, submit) can be shorter than the worker's (finish, look at the
 * queue and the batch, put its WAIT_OF), and such a submit went through
 * the queue, found by the worker a dozen polls later: up to 4% of round
 * trips on a 2-vCPU VM, about 0.75 us each.  A few polls of the word
 * (~0.2 us) for it cut that 5-20 fold (round trip 0.93-0.98,
 * docs/performance.md).  Returns the word as last seen. */
static uintptr_t wait_arrival(cf_executor *ex) {
  uintptr_t h = HAND_FREE;
  if (atomic_load_explicit(&ex->q_spinning, memory_order_relaxed) <= 0) return h;
  for (int i = 0; i < ARRIVE_POLLS && (h = atomic_load_explicit(&ex->hand, memory_order_relaxed)) == HAND_FREE; i++)
    cf__cpu_relax();
  return h;
}

/* Win the waiting worker: its index, or -1 if none waits.  The CAS without
 * a load first: the waiting worker holds the line, and a load would fetch
 * it shared, the CAS then a second time exclusive.  It guesses the worker
 * that waited last (a round trip's worker comes back to wait); a wrong
 * guess returns the word with the line, and the CAS again is local. */
static int win_waiter(cf_executor *ex) {
  uintptr_t h = WAIT_OF(atomic_load_explicit(&ex->hand_hint, memory_order_relaxed));
  int looked = 0;
  while (!atomic_compare_exchange_strong_explicit(&ex->hand, &h, HAND_TAKEN, memory_order_acquire,
                                                  memory_order_relaxed)) {
    if (h == HAND_FREE && !looked++) h = wait_arrival(ex);
    if (!is_waiting(h)) return -1;
    atomic_store_explicit(&ex->hand_hint, (int)(h >> 2), memory_order_relaxed);
  }
  return (int)(h >> 2);
}

int cf__handoff_give(cf_executor *ex, cf_future *f) {
  /* Nothing ahead of f: the queue's tail is the stub (acquire: a fill that
   * emptied the queue into the batch is seen, see the top) and the batch is
   * empty.  The tail is the submitters' own line, and a busy pool's queue
   * is seldom empty, so a batched submit rarely gets past this. */
  if (atomic_load_explicit(&ex->q_tail, memory_order_acquire) != (uintptr_t)&ex->q_stub) return 0;
  if (cf__wbatch_left(ex->wbatch)) return 0;
  int w = win_waiter(ex);
  if (w < 0) return 0;
  /* Sure now: the id, the claim for w, the task, then the future (release:
   * the worker sees them).  Plain stores: nobody else has f yet. */
  f->rec.id = cf__queue_take_id(ex);
  cf__future_set_runner(f, w);
  atomic_store_explicit(&f->word, atomic_load_explicit(&f->word, memory_order_relaxed) - CF_PENDING + CF_RUNNING,
                        memory_order_relaxed);
  ex->hand_task = (cf__task){f->fn, f->arg.data, f->arg.len};
  atomic_store_explicit(&ex->hand, (uintptr_t)f, memory_order_release);
  return 1;
}

/* The waiting worker saw the word leave its WAIT_OF: take the future and
 * its task (wait for them after HAND_TAKEN); NULL if shutdown closed the
 * word. */
static cf_future *take_handed(cf_executor *ex, cf__task *t) {
  uintptr_t h;
  while ((h = atomic_load_explicit(&ex->hand, memory_order_acquire)) == HAND_TAKEN) cf__cpu_relax();
  if (h == HAND_CLOSED) return NULL;
  *t = ex->hand_task; /* read before the word is free for the next submitter */
  /* Only this worker writes the word while it holds a future (shutdown
   * waits), and hand_taken: a plain load and store count it, and the next
   * worker to wait here sees the count (release, then its acquire CAS).
   * The count keeps the queue's backlog (queue.c) true. */
  atomic_store_explicit(&ex->hand_taken, atomic_load_explicit(&ex->hand_taken, memory_order_relaxed) + 1,
                        memory_order_relaxed);
  atomic_store_explicit(&ex->hand, HAND_FREE, memory_order_release);
  return (cf_future *)h;
}

/* Work came another way (queued by a submitter that saw no waiter, or
 * batched by another worker), or shutdown began: the queue's links only,
 * not the producers' tail, whose line the next push needs. */
static int queue_moved(cf_executor *ex) {
  cf_future *head = atomic_load_explicit(&ex->q_head, memory_order_relaxed);
  return head != &ex->q_stub || __atomic_load_n(&ex->q_stub.next, __ATOMIC_RELAXED) != NULL ||
         cf__wbatch_left(ex->wbatch) || atomic_load_explicit(&ex->shutdown, memory_order_relaxed);
}

cf_future *cf__handoff_wait(cf_executor *ex, int w, cf__task *t, int *spun) {
  const uintptr_t mine = WAIT_OF(w);
  uintptr_t h = HAND_FREE;
  *spun = 0;
  if (!atomic_compare_exchange_strong_explicit(&ex->hand, &h, mine, memory_order_acquire, memory_order_relaxed))
    return NULL; /* another worker waits here, or closed */
  *spun = 1;
  for (int i = 1; i <= HAND_POLLS; i++) {
    h = atomic_load_explicit(&ex->hand, memory_order_acquire);
    if (h != mine) return take_handed(ex, t); /* a submitter, or shutdown */
    if (i % PEEK_EVERY == 0 && queue_moved(ex)) break;
    cf__cpu_relax();
  }
  h = mine;
  if (atomic_compare_exchange_strong_explicit(&ex->hand, &h, HAND_FREE, memory_order_relaxed, memory_order_relaxed))
    return NULL;
  return take_handed(ex, t); /* a submitter won us first */
}

void cf__handoff_close(cf_executor *ex) {
  for (;;) {
    uintptr_t h = atomic_load_explicit(&ex->hand, memory_order_acquire);
    if (h == HAND_CLOSED) return;
    /* A future on its way to the waiting worker: it takes it in a moment. */
    if (h == HAND_TAKEN || is_future(h)) {
      sched_yield();
      continue;
    }
    if (atomic_compare_exchange_weak_explicit(&ex->hand, &h, HAND_CLOSED, memory_order_acq_rel,
                                              memory_order_relaxed))
      return;
  }
}
