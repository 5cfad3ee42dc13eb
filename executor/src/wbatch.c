/* wbatch.c -- a thread pool's batch: the first futures of the pending
 * queue, taken from it in one q_lock acquisition, which every worker pops
 * one at a time with a CAS (no lock), and which shutdown can take back
 * (steal) as long as no worker has popped them.
 *
 * Why: taking futures one by one under q_lock costs each pop a lock and an
 * unlock on the consumers' line, and at more workers than CPUs a worker
 * preempted while it holds q_lock stalls every other one; a pop from the
 * batch is one CAS, and a popper preempted mid-CAS blocks nobody.
 *
 * The batch is the queue's head, not a worker's own stock: it is shared by
 * all the workers and popped in queue order, so futures start in the
 * order they were submitted (FIFO, as with the queue alone), and none
 * waits behind a worker that is busy or blocked in a task.  It is refilled
 * only when empty and under q_lock, and consumers look at it before the
 * queue (queue.c, take_for), so nothing behind it in the queue is taken
 * first.  Entries stay PENDING until popped and claimed: cancel works as on
 * a queued future, and shutdown with cancel_futures steals the batch under
 * q_lock and cancels it with the queue (fills happen under q_lock too, so
 * shutdown sees each future either in the queue or in the batch).
 *
 * The word packs (generation << 32 | next << 16 | end): a pop is a CAS of
 * next, a steal a CAS to (next = end); a refill bumps the generation, so a
 * pop or steal that read the entries of an earlier fill fails its CAS. */
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

/* The batch empty (q_lock held): fs[0..n) become the batch.  A worker
 * deciding to sleep or to leave looks at the batch under q_lock too
 * (queue.c), so it sees a fill whole or not at all. */
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

int cf__wbatch_left(const cf__wbatch *b) {
  uint64_t w = atomic_load_explicit(&((cf__wbatch *)b)->word, memory_order_acquire);
  return NEXT(w) < END(w) ? (int)(END(w) - NEXT(w)) : 0;
}
