/* wbatch.c -- a thread worker's batch: futures it took from the pending
 * queue in one q_lock acquisition and runs one by one, which shutdown can
 * take back (steal) as long as the worker has not started them.
 *
 * Why: with one lock acquisition (and one pass over the queue's shared
 * lines) per task, the worker pays two locked instructions a task for
 * q_lock; a batch amortises them.  Every entry stays PENDING until the
 * worker pops and claims it (cancel works as on a queued future), and
 * shutdown with cancel_futures steals every batch under q_lock and
 * cancels the entries with the queued ones; fills happen under q_lock
 * too, so shutdown sees each future either in the queue or in a batch.
 * Which pools batch, and why only those: cf__queue_batches (queue.c).
 *
 * The word packs (generation << 32 | next << 16 | end): the owner pops with
 * a CAS of next, shutdown takes [next, end) with a CAS to (next = end); a
 * refill bumps the generation, so a steal that read old entries fails. */
#include "internal.h"

#define WORD(gen, next, end) ((uint64_t)(gen) << 32 | (uint64_t)(next) << 16 | (uint64_t)(end))
#define GEN(w) ((uint32_t)((w) >> 32))
#define NEXT(w) ((unsigned)((w) >> 16) & 0xffffu)
#define END(w) ((unsigned)(w) & 0xffffu)

cf_future *cf__wbatch_pop(cf__wbatch *b) {
  uint64_t w = atomic_load_explicit(&b->word, memory_order_acquire);
  while (NEXT(w) < END(w)) {
    cf_future *f = atomic_load_explicit(&b->f[NEXT(w)], memory_order_relaxed);
    if (atomic_compare_exchange_weak_explicit(&b->word, &w, WORD(GEN(w), NEXT(w) + 1, END(w)),
                                              memory_order_acq_rel, memory_order_acquire))
      return f;
  }
  return NULL;
}

/* The owner, its batch empty (q_lock held): fs[0..n) become the batch. */
void cf__wbatch_fill(cf__wbatch *b, cf_future *const *fs, int n) {
  for (int i = 0; i < n; i++) atomic_store_explicit(&b->f[i], fs[i], memory_order_relaxed);
  uint64_t w = atomic_load_explicit(&b->word, memory_order_relaxed);
  atomic_store_explicit(&b->word, WORD(GEN(w) + 1, 0, n), memory_order_release);
}

/* Take every entry not yet popped (q_lock held); their queue references
 * come along.  Returns how many were put in out (CF__WBATCH_MAX room). */
int cf__wbatch_steal(cf__wbatch *b, cf_future **out) {
  uint64_t w = atomic_load_explicit(&b->word, memory_order_acquire);
  while (NEXT(w) < END(w)) {
    int n = 0;
    for (unsigned i = NEXT(w); i < END(w); i++) out[n++] = atomic_load_explicit(&b->f[i], memory_order_relaxed);
    if (atomic_compare_exchange_weak_explicit(&b->word, &w, WORD(GEN(w), END(w), END(w)),
                                              memory_order_acq_rel, memory_order_acquire))
      return n;
  }
  return 0;
}
