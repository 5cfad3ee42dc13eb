/* process_mbox.c -- the one-line mailboxes of the shm transport (see mbox
 * in process_internal.h): the parent puts a small request for a worker
 * with nothing in flight there, and checks for its answer; the wake of a
 * worker that sleeps for either channel. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <string.h>

/* Wake r's consumer if it sleeps, once per sleep (whoever clears the flag
 * wakes).  The bump makes a FUTEX_WAIT that has not started yet return at
 * once: a mailbox write moves no ring position the sleeper could check. */
void cf__proc_kick_sleeper(ring *r) {
  if (atomic_load(&r->cons_sleep) && atomic_exchange(&r->cons_sleep, 0)) {
    atomic_fetch_add(&r->cons_kick, 1);
    cf__futex_wake(&r->cons_kick, 1, 1);
  }
}

/* The header and payload first, seq last: a reader that sees seq (acquire)
 * sees the message.  seq_cst: the writer then loads the reader's sleep
 * flag (parent: cons_sleep; worker: parent_sleeping), Dekker style. */
void cf__proc_mbox_put(mbox *m, uint32_t seq, const void *h, size_t hn, const void *p, size_t pn) {
  memcpy(m->data, h, hn);
  if (pn) memcpy(m->data + hn, p, pn);
  atomic_store(&m->seq, seq);
}

/* Send e (the request to s's idle worker, arg its argument bytes) in the
 * mailbox if it fits.  0: it does not, use the ring. */
int cf__proc_mbox_send(pslot *s, inflight *e, const void *arg) {
  if (sizeof e->h + e->h.len > MBOX_BYTES) return 0;
  e->mb = ++s->mb_seq ? s->mb_seq : ++s->mb_seq; /* 0 means "the ring" */
  cf__proc_mbox_put(&s->sh->rq, e->mb, &e->h, sizeof e->h, arg, (size_t)e->h.len);
  cf__proc_kick_sleeper(&s->sh->req);
  return 1;
}

/* Is the answer to s's head (sent in the mailbox) there? */
int cf__proc_mbox_ready(pslot *s) {
  if (!s->qsent) return 0;
  uint32_t mb = s->q[s->qh].mb;
  return mb && atomic_load_explicit(&s->sh->rs.seq, memory_order_acquire) == mb;
}
