/* process_worker.c -- the worker side: a worker process runs the
 * initializer, then loops: read a request, claim it, run fn, write the
 * response.  It spins briefly, then sleeps on the ring's (shared) futex
 * word; the parent wakes it only when it sleeps.  The status page tells the
 * parent what it is doing (initializing, which task it started and when), so
 * a death is pinned on the right task and timeouts run from the real start. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void child_orphan_check(proc_backend *pb) {
  if (getppid() != pb->parent_pid) _exit(0);
}

/* The seq of the last request this worker took from its mailbox. */
static uint32_t child_mb_seen;

static int child_mbox_new(pslot *s) {
  return atomic_load_explicit(&s->sh->rq.seq, memory_order_acquire) != child_mb_seen;
}

/* Spin until the ring has data (or space) or the spin time is up; with
 * want_data, a request in the mailbox counts as data. */
static int child_spin(proc_backend *pb, pslot *s, ring *r, int want_data) {
  spin_wait sp = {0, 0};
  do {
    if (want_data ? ring_used(r) > 0 || child_mbox_new(s) : ring_used(r) < RING_BYTES) return 1;
  } while (spin_more(&sp, pb->child_spin_ns));
  return 0;
}

/* Sleep until the parent has written to the request ring or the mailbox
 * (or a second has passed: the orphan check). */
static void child_sleep_req(proc_backend *pb, pslot *s, ring *r) {
  int kick = atomic_load(&r->cons_kick);
  atomic_store(&r->cons_sleep, 1); /* seq_cst: then the re-check (the parent: write, then the flag) */
  if (ld(&r->tail) == ld(&r->head) && !child_mbox_new(s))
    cf__futex_wait(&r->cons_kick, kick, cf__now_ns() + ORPHAN_CHECK_NS, 1);
  atomic_store(&r->cons_sleep, 0);
  child_orphan_check(pb);
}

/* A mailbox answer put while the io thread slept (parent_sleeping): its
 * seq, 0: none.  Only a helper (pb_help_wait) or the io thread takes it;
 * the worker rings the bell unless it learns within LAZY_BELL_NS that it
 * was taken.  It learns that from the next mailbox request (which the
 * parent sends only once it has taken every answer: in a round-trip loop
 * it comes within a few hundred ns) or, when the time is up, from rs_ack;
 * and it rings none while a helper is there (gshared.helping).
 * (A helper still clears parent_sleeping while it looks: see pb_help_wait
 * for why; bell_pending then skips the wait.) */
static uint32_t bell_seq;

static void bell_pending(proc_backend *pb, uint32_t seq) {
  if (!atomic_load(&pb->g->parent_sleeping)) return; /* the io thread looks: it will see it */
  bell_seq = seq;
}

static void bell_resolve(proc_backend *pb, pslot *s) {
  /* seq_cst load of helping after the answer's seq_cst store: a helper
   * that has left (helping 0, then its look for work) either is seen
   * here or sees the answer (Dekker). */
  if (atomic_load_explicit(&s->sh->rs_ack, memory_order_relaxed) != bell_seq && !atomic_load(&pb->g->helping))
    cf__proc_bell_sleeper(pb);
  bell_seq = 0;
}

/* Spin for a request as child_spin does, resolving a pending bell once
 * LAZY_BELL_NS have passed: the spin after an answer is the one before
 * sleeping, not one more (a worker spinning on the CPU its parent needs
 * to take the answer made unpinned round trips several times slower). */
static int child_spin_req(proc_backend *pb, pslot *s, ring *r) {
  spin_wait sp = {0, 0};
  do {
    if (ring_used(r) > 0 || child_mbox_new(s)) return 1;
    if (bell_seq && (sp.i & 31) == 0 && sp.t0 && cf__now_ns() - sp.t0 > LAZY_BELL_NS) bell_resolve(pb, s);
  } while (spin_more(&sp, pb->child_spin_ns));
  return 0;
}

/* Wait for the next request (ring or mailbox).  1: it is in the mailbox
 * (a request there is older than any data in the ring: the parent uses
 * it only for a worker with nothing in flight). */
static int child_wait_req(proc_backend *pb, pslot *s) {
  ring *r = &s->sh->req;
  for (;;) {
    if (child_mbox_new(s)) {
      bell_seq = 0; /* the parent uses the mailbox only once it took every answer: ours was taken */
      return 1;
    }
    if (ring_used(r) > 0) {
      if (bell_seq) bell_resolve(pb, s);
      return child_mbox_new(s); /* the tail's acquire shows an older mailbox write */
    }
    if (child_spin_req(pb, s, r)) continue;
    if (bell_seq) bell_resolve(pb, s); /* before sleeping: nobody would */
    child_sleep_req(pb, s, r);
  }
}

/* Blocking read of exactly n bytes (p may be NULL: discard). */
static void child_read(proc_backend *pb, pslot *s, unsigned char *p, size_t n) {
  if (!pb->shm) {
    while (n) {
      ssize_t got = read(s->req_fd, p ? p : pb->scratch, p || n < sizeof pb->scratch ? n : sizeof pb->scratch);
      if (got > 0) {
        if (p) p += got;
        n -= (size_t)got;
      } else if (got == 0 || errno != EINTR) {
        _exit(0); /* parent closed the channel or is gone */
      }
    }
    return;
  }
  ring *r = &s->sh->req;
  while (n) {
    size_t got = cf__proc_ring_read_some(r, p, n);
    if (got) {
      if (p) p += got;
      n -= got;
      /* the parent may be waiting for space to send the rest */
      if (atomic_load(&r->prod_sleep)) cf__proc_bell_sleeper(pb);
      continue;
    }
    if (!child_spin(pb, s, r, 1)) child_sleep_req(pb, s, r);
  }
}

/* Data was put into r: ring the sleeping parent, unless a thread waiting on
 * a future (pb_help_wait) takes it within a moment -- a round trip then
 * needs no wake-up at all.  The helper rings on leaving if data is left. */
static void lazy_bell(proc_backend *pb, ring *r) {
  if (!atomic_load(&pb->g->parent_sleeping)) return;
  uint64_t t0 = cf__now_ns();
  for (unsigned i = 1;; i++) {
    if (ring_used(r) == 0 || !atomic_load(&pb->g->parent_sleeping)) return; /* taken, or the io thread looks */
    cf__cpu_relax();
    if ((i & 15) == 0 && cf__now_ns() - t0 > LAZY_BELL_NS) break;
  }
  if (!atomic_load(&pb->g->helping)) cf__proc_bell_sleeper(pb); /* a helper takes it or rings (see helping) */
}

/* Write n bytes to the parent.  ring_bell: wake the parent if it sleeps
 * (lazily); a map chunk's parts do not, its final answer will. */
static void child_write(proc_backend *pb, pslot *s, const unsigned char *p, size_t n, int ring_bell) {
  if (!pb->shm) {
    while (n) {
      ssize_t put = write(s->res_fd, p, n);
      if (put > 0) {
        p += put;
        n -= (size_t)put;
      } else if (put < 0 && errno != EINTR) {
        _exit(0);
      }
    }
    return;
  }
  ring *r = &s->sh->res;
  while (n) {
    size_t put = cf__proc_ring_write_some(r, p, n);
    if (put) {
      p += put;
      n -= put;
      if (ring_bell) lazy_bell(pb, r);
      continue;
    }
    if (child_spin(pb, s, r, 0)) continue;
    cf__proc_bell_sleeper(pb); /* full: it must read */
    atomic_store(&r->prod_sleep, 1);
    int head = atomic_load(&r->head);
    if ((uint32_t)atomic_load(&r->tail) - (uint32_t)head >= RING_BYTES)
      cf__futex_wait(&r->head, head, cf__now_ns() + ORPHAN_CHECK_NS, 1);
    atomic_store(&r->prod_sleep, 0);
    child_orphan_check(pb);
  }
}

/* A task that calls exit(): skip the parent's inherited atexit handlers
 * (and sanitizer leak checks of the parent's heap copy). */
static void child_on_exit(int status, void *arg) {
  (void)arg;
  fflush(stdout);
  fflush(stderr);
  _exit(status);
}

static void child_trim(cf_result *r) {
  cf__result_trim(r, SHRINK_BYTES);
}

/* May this worker run the request?  Pipelined requests race the parent's
 * revocation (cancel, steal) for their claim word; exactly one side wins. */
static int child_claim(pslot *s, const req_hdr *h) {
  if (h->claim == CLAIM_NONE) return 1;
  uint64_t want = h->tag;
  return h->claim < PIPE_DEPTH && atomic_compare_exchange_strong(&s->sh->claim[h->claim], &want, h->tag | CLAIM_RUN);
}

/* The task the worker runs (single-threaded): where a map chunk's parts
 * go (child_flush), and how much of its result was sent as parts. */
static struct {
  proc_backend *pb;
  pslot *s;
  res_hdr h;
  size_t sent;
  int parts;                      /* MSG_PARTs sent (then the answer follows them in the ring) */
} child_task;

/* cf__self.map_flush: send out's bytes past what was sent as a MSG_PART. */
static void child_flush(cf_result *out) {
  res_hdr h = child_task.h;
  h.type = MSG_PART;
  h.len = out->len - child_task.sent;
  child_write(child_task.pb, child_task.s, (const unsigned char *)&h, sizeof h, 0);
  child_write(child_task.pb, child_task.s, out->data + child_task.sent, (size_t)h.len, 0);
  child_task.sent = out->len;
  child_task.parts++;
}

/* Pin, run the initializer, say ready; exits on failure. */
static void child_setup(proc_backend *pb, int idx, wstatus *st) {
  cf_executor *ex = pb->ex;
  if (ex->cfg.pin != CF_PIN_NONE) {
    int rc = cf__pin_self_thread(&ex->cfg, idx);
    if (rc) {
      atomic_store(&st->init_rc, rc);
      atomic_store(&st->phase, PH_PIN_FAILED);
      _exit(0);
    }
  }
  if (ex->cfg.initializer) {
    int rc = ex->cfg.initializer(ex->cfg.initializer_arg);
    if (rc) {
      atomic_store(&st->init_rc, rc);
      atomic_store(&st->phase, PH_INIT_FAILED);
      _exit(0);
    }
  }
  atomic_store(&st->ready_ns, cf__now_ns());
  atomic_store(&st->phase, PH_READY);
}

/* Answer r (payload p) in the mailbox under seq, if it fits; 0: use the ring. */
static int child_answer_mbox(proc_backend *pb, pslot *s, uint32_t seq, const res_hdr *r, const unsigned char *p) {
  if (!seq || child_task.parts || sizeof *r + r->len > MBOX_BYTES) return 0;
  cf__proc_mbox_put(&s->sh->rs, seq, r, sizeof *r, p, (size_t)r->len);
  bell_pending(pb, seq); /* resolved while waiting for the next request */
  return 1;
}

/* Run claimed request h (argument in arg, or lost: nomem) and answer it
 * (in the mailbox if h came there as mb and the answer fits); what a map
 * chunk sent as parts is not sent again. */
static void child_run(proc_backend *pb, pslot *s, const req_hdr *h, uint32_t mb, cf_result *arg, cf_result *res,
                      int nomem, uint64_t t0) {
  res_hdr r = {MSG_RESULT, 0, h->tag, t0, sched_getcpu(), 0, 0};
  res->len = 0;
  child_task.pb = pb;
  child_task.s = s;
  child_task.h = r;
  child_task.sent = 0;
  child_task.parts = 0;
  cf_task_fn fn = (cf_task_fn)cf__objref_here(pb->spawn ? h->pad : 0, h->fn);
  if (nomem) r.rc = CF_ENOMEM;
  else if (!fn) r.rc = CF_ENOSYS; /* its object cannot be loaded here */
  else r.rc = fn(arg->data, arg->len, res);
  uint64_t ran = cf__clock_ns() - t0;
  r.run_ns = ran > UINT32_MAX ? UINT32_MAX : (uint32_t)ran;
  r.len = r.rc ? 0 : res->len - child_task.sent;
  if (child_answer_mbox(pb, s, mb, &r, res->data + child_task.sent)) return;
  child_write(pb, s, (const unsigned char *)&r, sizeof r, 1);
  child_write(pb, s, res->data + child_task.sent, (size_t)r.len, 1);
}

void cf__proc_child_main(proc_backend *pb, int idx) {
  cf_executor *ex = pb->ex;
  pslot *s = &pb->slots[idx];
  cf__self.in_process_child = 1;
  child_mb_seen = 0;
  bell_seq = 0;
  cf__self.ex = ex;
  cf__self.worker = idx;
  cf__self.current = NULL;
  pthread_sigmask(SIG_SETMASK, &pb->user_mask, NULL);
  on_exit(child_on_exit, NULL);
  cf__proc_child_drop_inherited(pb, idx); /* keep only its own channel and the bell */
  wstatus *st = &s->sh->st;
  child_setup(pb, idx, st);
  cf__self.map_started = &st->cur_items;
  cf__self.map_flush = child_flush;
  cf_result arg, res;
  cf__result_init(&arg);
  cf__result_init(&res);
  int limit = ex->cfg.max_tasks_per_child, done = 0;
  for (;;) {
    req_hdr h;
    uint32_t mb = 0;
    int nomem;
    if (pb->shm && child_wait_req(pb, s)) { /* the whole request is on the mailbox's line */
      mb = child_mb_seen = atomic_load_explicit(&s->sh->rq.seq, memory_order_acquire);
      memcpy(&h, s->sh->rq.data, sizeof h);
      if (h.type != MSG_TASK || h.len > MBOX_BYTES - sizeof h) break; /* not the parent's: the parent sees a death */
      nomem = cf__result_reserve(&arg, (size_t)h.len, 0) != 0;
      if (!nomem && h.len) memcpy(arg.data, s->sh->rq.data + sizeof h, (size_t)h.len);
    } else {
      child_read(pb, s, (unsigned char *)&h, sizeof h);
      if (h.type != MSG_TASK) break;
      nomem = cf__result_reserve(&arg, (size_t)h.len, 0) != 0;
      child_read(pb, s, nomem ? NULL : arg.data, (size_t)h.len);
    }
    arg.len = nomem ? 0 : (size_t)h.len;
    /* The records' clock (clock.c: a TSC read), as the parent's enqueue
     * and end stamps: clock_gettime was one of the larger items of the
     * worker's side of a round trip. */
    uint64_t t0 = cf__clock_ns();
    /* Release, not seq_cst (an xchg each): the parent reads these after
     * the worker died (all visible then) or, for a timeout, cur_tag first
     * (acquire), then the start it publishes. */
    atomic_store_explicit(&st->cur_start_ns, t0, memory_order_relaxed);
    atomic_store_explicit(&st->cur_items, 0, memory_order_relaxed);
    atomic_store_explicit(&st->cur_tag, h.tag, memory_order_release);
    if (!child_claim(s, &h)) {
      res_hdr skip = {MSG_SKIP, 0, h.tag, 0, -1, 0, 0}; /* cancelled or sent elsewhere */
      child_write(pb, s, (const unsigned char *)&skip, sizeof skip, 1);
    } else {
      child_run(pb, s, &h, mb, &arg, &res, nomem, t0);
      child_trim(&arg);
      child_trim(&res);
    }
    atomic_store_explicit(&st->cur_tag, 0, memory_order_release);
    if (limit && ++done >= limit) { /* the parent counts every request, skipped too */
      atomic_store(&st->phase, PH_RECYCLED);
      break;
    }
  }
  _exit(0);
}
