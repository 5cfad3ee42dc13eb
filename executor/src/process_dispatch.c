/* process_dispatch.c -- which future goes to which worker: the redo list
 * (tasks of dead workers never started), the executor's queue, breadth-first
 * dealing up to the pipeline depth, and settling futures that cannot run. */
#define _GNU_SOURCE
#include "process_internal.h"


void cf__proc_redo_push(proc_backend *pb, cf_future *f) {
  f->next = NULL;
  if (pb->redo_tail) pb->redo_tail->next = f;
  else pb->redo_head = f;
  pb->redo_tail = f;
}

static cf_future *redo_pop(proc_backend *pb) {
  cf_future *f = pb->redo_head;
  if (f) {
    pb->redo_head = f->next;
    if (!pb->redo_head) pb->redo_tail = NULL;
    f->next = NULL;
  }
  return f;
}

/* End f (PENDING or RUNNING, the caller's reference) with err: a PENDING one
 * is claimed first; one cancelled meanwhile is only released. */
void cf__proc_settle(cf_future *f, int err, int status, const char *msg) {
  if (cf__fstate(f) == CF_RUNNING || cf__future_claim(f, -1)) {
    f->res.len = 0;
    f->task_code = 0; /* not the items of a map chunk started (see fail_started) */
    cf__future_fail(f, err, status, msg);
  }
  cf_future_release(f);
}

/* End f, the task a dead worker had started, with err, keeping what a map
 * chunk sent item by item (MSG_PART) and, in f->task_code, how many of its
 * items the worker started (set by sort_held): map.c fails only those and
 * sends the rest again. */
void cf__proc_fail_started(cf_future *f, int err, int status, const char *msg) {
  if (cf__fstate(f) == CF_RUNNING || cf__future_claim(f, -1)) cf__future_fail(f, err, status, msg);
  cf_future_release(f);
}

void cf__proc_fail_redo(proc_backend *pb, const char *msg) {
  cf_future *f;
  while ((f = redo_pop(pb))) cf__proc_settle(f, CF_EBROKEN, -1, msg);
}

int cf__proc_work_left(proc_backend *pb) {
  return cf__queue_nonempty(pb->ex) || pb->redo_head != NULL;
}

/* How many requests s may have in flight: pb->depth, or fewer when its
 * tasks run long (PIPE_AHEAD_NS of them, at least 2). */
static int slot_cap(proc_backend *pb, pslot *s) {
  return s->cap ? s->cap : pb->depth;
}

/* Can s take one more request? */
int cf__proc_slot_room(proc_backend *pb, pslot *s) {
  int limit = pb->ex->cfg.max_tasks_per_child;
  return s->pid > 0 && s->qn < slot_cap(pb, s) && !s->dead_pending && (!limit || s->dispatched < limit);
}

/* A task of s ran for ns: a longer one counts at once (the cap drops
 * before more pile up), a shorter one an eighth of the way down (one short
 * task does not open the pipeline of a worker that runs long ones). */
void cf__proc_note_run(proc_backend *pb, pslot *s, uint32_t ns) {
  if (ns >= s->run_ns) s->run_ns = ns;
  else s->run_ns -= (uint32_t)(((uint64_t)s->run_ns - ns + 7) / 8); /* 64 bits: from UINT32_MAX too */
  /* The cap is worked out here, once a task, and not in slot_cap: that
   * runs several times a dispatch, and a 64-bit division is tens of
   * cycles, on the round trip's path. */
  if (pb->depth <= 2 || !s->run_ns) {
    s->cap = pb->depth; /* 1: pipes, task timeouts */
    return;
  }
  uint64_t cap = PIPE_AHEAD_NS / s->run_ns;
  s->cap = cap < 2 ? 2 : cap < (uint64_t)pb->depth ? (int)cap : pb->depth;
}

/* The next future to run: a redispatched one, else one from the queue.
 * *claimed: it is RUNNING for this pool already.  NULL if none. */
static cf_future *next_task(proc_backend *pb, int *claimed) {
  cf_executor *ex = pb->ex;
  cf_future *f = redo_pop(pb);
  if (!f) f = cf__queue_trypop(ex);
  for (; f; f = cf__queue_trypop(ex)) {
    *claimed = cf__fstate(f) == CF_RUNNING;
    if (atomic_load_explicit(&ex->broken, memory_order_relaxed)) {
      cf__proc_settle(f, CF_EBROKEN, -1, ex->broken_msg);
      continue;
    }
    if (*claimed || cf__fstate(f) == CF_PENDING) return f;
    cf_future_release(f); /* cancelled meanwhile */
  }
  return NULL;
}

/* Put f in flight on s (offered when queued behind another request, else
 * claimed here).
 * 0 if it was cancelled meanwhile. */
int cf__proc_send_task(proc_backend *pb, pslot *s, cf_future *f, int claimed) {
  int k = (s->qh + s->qn) % PIPE_DEPTH;
  inflight *e = &s->q[k];
  req_hdr h = {MSG_TASK, 0, f->rec.id, (uint64_t)(uintptr_t)f->fn, f->arg.len, CLAIM_NONE, 0};
  /* Offered only behind another request: one to a worker with nothing in
   * flight is the next it reads, so it is claimed here (RUNNING now, as
   * over pipes).  That keeps the claim word, the future's lock and the
   * worker's CAS -- a cache line both sides write -- off a round trip's
   * path; the requests queued behind it stay PENDING and cancellable. */
  e->offered = pb->depth > 1 && !claimed && s->qn > 0;
  if (e->offered ? !cf__proc_offer(s, k, f) : !claimed && !cf__future_claim(f, s->index)) return 0;
  if (!e->offered) cf__future_set_runner(f, s->index);
  else h.claim = (uint32_t)k;
  if (pb->spawn) { /* cf__proc_task_ref resolved f->fn just before */
    h.pad = pb->fn_obj;
    h.fn = pb->fn_off;
  }
  e->f = f;
  e->h = h;
  e->stolen = 0;
  e->mb = 0;
  /* A worker with nothing in flight has read all the ring held: a small
   * request goes in the mailbox, one line the worker's poll brings in. */
  if (pb->shm && s->qn == 0 && s->qsent == 0 && cf__proc_mbox_send(s, e, f->arg.data)) s->qsent = 1;
  if (s->qn++ == 0) {
    if (pb->ex->cfg.task_timeout_s > 0) s->dispatch_ns = cf__now_ns(); /* only timeouts need it */
    s->timed_out = 0;
  }
  s->dispatched++;
  f->rec.pid = s->pid;
  cf__proc_tx_pump(pb, s);
  return 1;
}

/* CF_START_SPAWN: f's task function as (object, offset), for the worker;
 * the last one is kept (a pool mostly runs one function).  Under io_lock. */
int cf__proc_task_ref(proc_backend *pb, cf_future *f) {
  if (pb->fn_cache == (const void *)(uintptr_t)f->fn) return 0;
  int rc = cf__objref(&pb->g->objs, (const void *)(uintptr_t)f->fn, &pb->fn_obj, &pb->fn_off);
  pb->fn_cache = rc ? NULL : (const void *)(uintptr_t)f->fn;
  return rc;
}

/* Give s one more task, if it has room and there is one. */
int cf__proc_dispatch_slot(proc_backend *pb, pslot *s) {
  if (!cf__proc_slot_room(pb, s)) return 0;
  cf_future *f;
  int claimed;
  while ((f = next_task(pb, &claimed))) {
    if (pb->spawn && cf__proc_task_ref(pb, f) != 0) {
      cf__proc_settle(f, CF_EINVAL, -1, "the task function is in no loaded object: a spawned worker cannot find it");
      continue;
    }
    if (cf__proc_send_task(pb, s, f, claimed)) return 1;
    cf_future_release(f); /* cancelled meanwhile */
  }
  return 0;
}

int cf__proc_dispatch_all(proc_backend *pb) {
  int progress = 0, level = pb->depth;
  for (int k = 0; k < pb->n; k++)
    if (cf__proc_slot_room(pb, &pb->slots[k]) && pb->slots[k].qn < level) level = pb->slots[k].qn;
  /* Breadth first, lowest index first: every worker gets one task before
   * any gets a second, and with less work than workers the same few workers
   * stay busy (and spinning, so a task reaches them without a wake-up)
   * while the rest sleep. */
  for (int more = 1; more && level < pb->depth && cf__proc_work_left(pb); level++) {
    more = 0; /* a slot with room at this level or above (each may stop at its own cap) */
    for (int k = 0; k < pb->n; k++) {
      pslot *s = &pb->slots[k];
      if (s->qn < level || !cf__proc_slot_room(pb, s)) continue;
      more = 1;
      if (s->qn != level) continue;
      if (!cf__proc_dispatch_slot(pb, s)) return progress; /* nothing left */
      progress = 1;
    }
  }
  /* Stealing only for an idle worker: the scan reads claim words, lines
   * the workers write, and it came after every dispatch that emptied the
   * queue. */
  int idle = 0;
  for (int k = 0; k < pb->n && !idle; k++) idle = pb->slots[k].qn == 0 && cf__proc_slot_room(pb, &pb->slots[k]);
  if (idle && pb->depth > 1 && !cf__proc_work_left(pb) && cf__proc_any_stealable(pb))
    for (int k = 0; k < pb->n; k++)
      if (pb->slots[k].qn == 0 && cf__proc_slot_room(pb, &pb->slots[k])) progress |= cf__proc_steal_for(pb, &pb->slots[k]);
  return progress;
}
