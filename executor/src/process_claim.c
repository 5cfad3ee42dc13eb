/* process_claim.c -- the claim words of pipelined requests (see PIPE_DEPTH
 * in process_internal.h): offering a PENDING future to a worker, the
 * worker-versus-parent race for it (cancel, take-back), and stealing an
 * unclaimed request for an idle worker. */
#define _GNU_SOURCE
#include "process_internal.h"


/* Offer f (PENDING) in claim word k of s: under f's lock, so that
 * cf_future_cancel either sees the offer (and races the worker for the
 * word) or cancels before it.  0 if f was cancelled meanwhile. */
int cf__proc_offer(pslot *s, int k, cf_future *f) {
  cf__future_lock(f);
  int ok = cf__fstate(f) == CF_PENDING;
  if (ok) {
    atomic_store(&s->sh->claim[k], f->rec.id);
    f->task_code = s->index * PIPE_DEPTH + k; /* where cf__proc_revoke finds the word */
    cf__fflag_set(f, CF__F_OFFERED);
  }
  cf__future_unlock(f);
  return ok;
}

/* The parent's side of the claim race for offered entry e: CLAIM_CANC
 * instead of the id, unless the worker claimed first.  Under f's lock. */
static int revoke_locked(pslot *s, inflight *e) {
  uint64_t want = e->h.tag;
  return atomic_compare_exchange_strong(&s->sh->claim[e->h.claim], &want, e->h.tag | CLAIM_CANC);
}

/* e's worker claimed it (or, dead, it must end as started): PENDING ->
 * RUNNING on this worker.  Cancel cannot win any more (the word says RUN). */
void cf__proc_adopt(pslot *s, inflight *e) {
  cf_future *f = e->f;
  cf__future_lock(f);
  cf__fflag_clear(f, CF__F_OFFERED);
  cf__fstate_cas(f, CF_PENDING, CF_RUNNING);
  cf__future_unlock(f);
  cf__future_set_runner(f, s->index);
  e->offered = 0;
}

/* Take back e (offered, not the worker's any more: dead, or being stolen).
 * 1: f is PENDING again and the caller's to run elsewhere; 0: the worker had
 * claimed it (then adopted: RUNNING here) or the user cancelled it. */
int cf__proc_take_back(pslot *s, inflight *e, int *started) {
  cf_future *f = e->f;
  cf__future_lock(f);
  int won = revoke_locked(s, e);
  uint64_t w = atomic_load(&s->sh->claim[e->h.claim]);
  if (won) cf__fflag_clear(f, CF__F_OFFERED);
  cf__future_unlock(f);
  *started = !won && w == (e->h.tag | CLAIM_RUN);
  if (*started) cf__proc_adopt(s, e);
  return won;
}

/* The request of t that cf__proc_steal_for would take back: the last one offered
 * and not claimed, not the one t runs, and not half sent (its bytes still
 * come from f).  NULL if none. */
static inflight *stealable(pslot *t) {
  if (t->pid <= 0) return NULL;
  for (int i = t->qn - 1; i >= 1; i--) {
    inflight *e = q_at(t, i);
    if (!e->offered || atomic_load(&t->sh->claim[e->h.claim]) != e->h.tag) continue; /* stolen, cancelled */
    return i == t->qsent && t->tx_off > 0 ? NULL : e;
  }
  return NULL;
}

/* An idle worker s and nothing queued: take the last offered (not started)
 * request of the fullest worker back and give it to s, so a long task does
 * not hold the tasks queued behind it while another worker idles.  The
 * victim answers MSG_SKIP for it (sent without its argument if it had not
 * been sent yet). */
int cf__proc_steal_for(proc_backend *pb, pslot *s) {
  pslot *v = NULL;
  inflight *e = NULL, *c;
  for (int k = 0; k < pb->n; k++) {
    pslot *t = &pb->slots[k];
    if (t != s && (!v || t->qn > v->qn) && (c = stealable(t))) {
      v = t;
      e = c;
    }
  }
  if (!v) return 0;
  cf_future *f = e->f;
  int started;
  if (!cf__proc_take_back(v, e, &started)) return 0; /* cancelled by the user: its skip comes */
  e->offered = 0;
  e->stolen = 1;
  int pos = ((int)(e - v->q) - v->qh + PIPE_DEPTH) % PIPE_DEPTH;
  if (pos >= v->qsent) e->h.len = 0; /* not sent yet (stealable: not half sent): no argument */
  if (pb->spawn && cf__proc_task_ref(pb, f) != 0) cf__proc_settle(f, CF_EINVAL, -1, "the task function is in no loaded object");
  else if (!cf__proc_send_task(pb, s, f, 0)) cf_future_release(f); /* cancelled meanwhile */
  return 1;
}

/* Any worker with a request that cf__proc_steal_for could take? */
int cf__proc_any_stealable(proc_backend *pb) {
  for (int k = 0; k < pb->n; k++)
    if (stealable(&pb->slots[k])) return 1;
  return 0;
}

/* The claim word of offered future f (see PIPE_DEPTH); under f's lock with
 * CF__F_OFFERED set, so the slot's page is mapped (the io thread takes every
 * offer back under that lock before unmapping it). */
static _Atomic uint64_t *claim_word(cf_future *f) {
  proc_backend *pb = f->ex->backend;
  pslot *s = &pb->slots[f->task_code / PIPE_DEPTH];
  return &s->sh->claim[f->task_code % PIPE_DEPTH];
}

/* cf_future_cancel of an offered future: win its claim word, or lose to the
 * worker that started it. */
int cf__proc_revoke(cf_future *f) {
  uint64_t want = f->rec.id;
  return atomic_compare_exchange_strong(claim_word(f), &want, f->rec.id | CLAIM_CANC);
}

/* cf_future_state_get of an offered future: has its worker started it? */
int cf__proc_offer_started(cf_future *f) {
  return atomic_load(claim_word(f)) == (f->rec.id | CLAIM_RUN);
}
