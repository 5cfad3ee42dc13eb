/* wbatch.c -- a thread worker's batch: futures it took from the pending
 * queue in one q_lock acquisition and runs one by one, which other threads
 * can take back (steal) as long as the worker has not started them.
 *
 * Why: with one lock acquisition (and one pass over the queue's shared
 * lines) per task, workers contend on q_lock at every task; a batch
 * amortises it.  A batch must not hold work hostage, so:
 *  - every entry stays PENDING until its worker pops it and claims it;
 *  - an idle worker steals whatever is left in another worker's batch
 *    (wbatch_steal), and a worker does not fall asleep while any batch has
 *    entries (cf__wbatch_any), so a worker blocked inside a task (on a
 *    future, a pipe, a lock) never keeps its batch-mates from running;
 *  - a worker about to wait on a future gives its batch back to the queue
 *    first (cf__wbatch_give_back), so the deadlock detector sees every
 *    pending future where it always did;
 *  - shutdown with cancel_futures steals every batch under q_lock and
 *    cancels the entries with the queued ones.
 * Fills, steals and give-backs happen under q_lock, so shutdown sees each
 * future either in the queue or in a batch.
 *
 * The word packs (generation << 32 | next << 16 | end): the owner pops with
 * a CAS of next, a thief takes [next, end) with a CAS to (next = end); a
 * refill bumps the generation, so a thief that read old entries fails. */
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

/* The owner, its batch empty (q_lock held): fs[0..n) become the batch.
 * seq_cst: ordered before the caller's look at the sleepers (see
 * cf__wbatch_any). */
void cf__wbatch_fill(cf__wbatch *b, cf_future *const *fs, int n) {
  for (int i = 0; i < n; i++) atomic_store_explicit(&b->f[i], fs[i], memory_order_relaxed);
  uint64_t w = atomic_load_explicit(&b->word, memory_order_relaxed);
  atomic_store(&b->word, WORD(GEN(w) + 1, 0, n));
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

int cf__wbatch_any(cf_executor *ex) {
  if (!ex->wbatch) return 0;
  for (int i = 0; i < ex->nworkers; i++) {
    uint64_t w = atomic_load(&ex->wbatch[i].word);
    if (NEXT(w) < END(w)) return 1;
  }
  return 0;
}

void cf__wbatch_give_back(void) {
  cf_executor *ex = cf__self.ex;
  if (!ex || cf__self.worker < 0 || !ex->wbatch) return;
  cf__wbatch *b = &ex->wbatch[cf__self.worker];
  uint64_t w = atomic_load_explicit(&b->word, memory_order_relaxed);
  if (NEXT(w) >= END(w)) return; /* the common case: nothing held */
  cf_future *fs[CF__WBATCH_MAX];
  pthread_mutex_lock(&ex->q_lock);
  int n = cf__wbatch_steal(b, fs);
  for (int i = 0; i < n; i++) cf__queue_requeue(ex, fs[i]);
  pthread_mutex_unlock(&ex->q_lock);
}
