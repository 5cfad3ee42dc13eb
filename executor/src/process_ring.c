/* process_ring.c -- the single-producer single-consumer byte rings in
 * shared memory that carry requests and results on the shm transport, and
 * the bell (an eventfd) that wakes the parent's io thread. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <string.h>
#include <unistd.h>

/* Each side keeps the last position of the other it read (head_seen,
 * tail_seen, on its own side's line) and reads the other's line again only
 * when that is not enough: the consumer finds the room for the next
 * message without pulling the producer's line, and a producer that wrote
 * several messages has them read with one load of its tail.  A position
 * seen earlier is never ahead of the real one, so the room it gives exists. */
size_t cf__proc_ring_write_some(ring *r, const unsigned char *p, size_t n) {
  uint32_t tail = (uint32_t)atomic_load_explicit(&r->tail, memory_order_relaxed);
  uint32_t head = r->head_seen;
  if (RING_BYTES - (tail - head) < n) r->head_seen = head = (uint32_t)atomic_load_explicit(&r->head, memory_order_acquire);
  size_t space = RING_BYTES - (tail - head);
  if (n > space) n = space;
  if (!n) return 0;
  size_t off = tail & RING_MASK, first = RING_BYTES - off;
  if (first > n) first = n;
  memcpy(r->data + off, p, first);
  if (n > first) memcpy(r->data, p + first, n - first);
  atomic_store(&r->tail, (int)(tail + (uint32_t)n)); /* seq_cst: pairs with cons_sleep */
  /* One wake per sleep: whoever clears the flag wakes.  Before, every write
   * until the woken consumer ran again made a futex call of its own (a
   * batch of refills: one each). */
  cf__proc_kick_sleeper(r);
  return n;
}

size_t cf__proc_ring_read_some(ring *r, unsigned char *p, size_t n) {
  uint32_t head = (uint32_t)atomic_load_explicit(&r->head, memory_order_relaxed);
  uint32_t tail = r->tail_seen;
  if (tail - head < n) r->tail_seen = tail = (uint32_t)atomic_load_explicit(&r->tail, memory_order_acquire);
  size_t avail = tail - head;
  if (n > avail) n = avail;
  if (!n) return 0;
  size_t off = head & RING_MASK, first = RING_BYTES - off;
  if (first > n) first = n;
  if (p) {
    memcpy(p, r->data + off, first);
    if (n > first) memcpy(p + first, r->data, n - first);
  }
  atomic_store(&r->head, (int)(head + (uint32_t)n)); /* seq_cst: pairs with prod_sleep */
  if (atomic_load(&r->prod_sleep)) cf__futex_wake(&r->head, 1, 1);
  return n;
}

/* Wake the io thread if it sleeps, once per sleep: the first ringer clears
 * parent_sleeping, so the results after it (the io thread is on its way)
 * make no write(2) and no LAZY_BELL_NS wait each. */
void cf__proc_bell_sleeper(proc_backend *pb) {
  if (atomic_load(&pb->g->parent_sleeping) && atomic_exchange(&pb->g->parent_sleeping, 0)) cf__proc_bell(pb);
}

void cf__proc_bell(proc_backend *pb) {
  uint64_t one = 1;
  if (write(pb->efd, &one, sizeof one) < 0) { /* full or closed: parent is awake or gone */
  }
}
