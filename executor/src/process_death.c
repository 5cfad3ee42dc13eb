/* process_death.c -- a worker's process ended (crash, kill, recycling,
 * timeout): fail only the task it had started (CF_EBROKEN or CF_ETIMEDOUT),
 * run the rest elsewhere, break the pool if the initializer failed, and
 * respawn. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>

/* How s's task f ends now that s's process ended (`what`): the code, with
 * the message in msg; 0 if f never started there and can run elsewhere. */
static int death_verdict(proc_backend *pb, pslot *s, cf_future *f, int started, const char *what, char *msg,
                         size_t len) {
  if (started) { /* the worker's clock: clamped as in complete_head */
    uint64_t t = atomic_load(&s->sh->st.cur_start_ns);
    f->rec.start_ns = t > f->rec.enqueue_ns ? t : f->rec.enqueue_ns;
  }
  if (atomic_load(&pb->term_sig)) {
    snprintf(msg, len, "worker %d (pid %d) terminated by the caller: %s", s->index, (int)s->pid, what);
    return CF_EBROKEN;
  }
  /* Not started: the worker died first, or was stuck (stopped) and killed
   * for not starting it within the task timeout; the task is not to blame. */
  if (!started) return 0;
  if (s->timed_out) {
    snprintf(msg, len, "task ran longer than its timeout of %g s: worker %d (pid %d) killed",
             pb->ex->cfg.task_timeout_s, s->index, (int)s->pid);
    return CF_ETIMEDOUT;
  }
  snprintf(msg, len, "worker %d (pid %d) %s", s->index, (int)s->pid, what);
  return CF_EBROKEN;
}

/* Why a worker that died before PH_READY breaks the pool, into msg; 0 if
 * it does not (a bare worker killed that early from outside is replaced
 * like any other). */
static int init_failure(proc_backend *pb, pslot *s, const char *what, char *msg, size_t len) {
  cf_executor *ex = pb->ex;
  int phase = atomic_load(&s->sh->st.phase);
  int has_init = ex->cfg.initializer || ex->cfg.pin != CF_PIN_NONE;
  if (phase == PH_INIT_FAILED)
    snprintf(msg, len, "initializer failed in worker %d (pid %d) (returned %d)", s->index, (int)s->pid,
             atomic_load(&s->sh->st.init_rc));
  else if (phase == PH_PIN_FAILED)
    snprintf(msg, len, "worker %d (pid %d) could not be pinned: %s", s->index, (int)s->pid,
             cf_strerror(atomic_load(&s->sh->st.init_rc)));
  else if (phase == PH_INIT && has_init)
    snprintf(msg, len, "worker %d (pid %d) %s in the initializer", s->index, (int)s->pid, what);
  else
    return 0;
  return 1;
}

/* Sort the requests s held when it died: the one it started fails (into
 * *failed, with its code in *err), those it never started go to the redo
 * list (PENDING again if offered), stolen and cancelled ones are dropped. */
static void sort_held(proc_backend *pb, pslot *s, const char *what, cf_future **failed, int *err, char *msg,
                      size_t len) {
  *failed = NULL;
  for (int head = 1; s->qn; head = head == 2) {
    s->qsent = s->qn; /* q_pop counts sent entries down */
    inflight *e = q_pop(s);
    cf_future *f = e->f;
    int started;
    if (e->stolen) {
      head = 2; /* the next one is the first live request */
      continue;
    }
    if (e->offered) {
      /* cf_executor_terminate blames the head as when it was claimed at
       * dispatch ("terminated by the caller: killed by ..."), started or not. */
      int back = cf__proc_take_back(s, e, &started);
      if (back && !(head && atomic_load(&pb->term_sig) && cf__future_claim(f, s->index))) {
        cf__proc_redo_push(pb, f); /* PENDING: it runs elsewhere */
        continue;
      }
      if (!back && !started) { /* the user cancelled it */
        cf_future_release(f);
        continue;
      }
    } else {
      started = atomic_load(&s->sh->st.cur_tag) == f->rec.id;
    }
    int code = death_verdict(pb, s, f, started, what, msg, len);
    if (!code || *failed) {
      cf__proc_redo_push(pb, f); /* never started: run it elsewhere */
      continue;
    }
    *failed = f;
    *err = code;
    /* A map chunk: how many of its items the worker started (map.c fails
     * those it did not answer and sends the others again); 0: unknown. */
    uint64_t items = atomic_load(&s->sh->st.cur_tag) == f->rec.id ? atomic_load(&s->sh->st.cur_items) : 0;
    f->task_code = items > INT_MAX ? INT_MAX : (int)items;
  }
}

static void slot_died(proc_backend *pb, pslot *s, int status) {
  cf_executor *ex = pb->ex;
  char what[160], msg[320];
  s->dead_pending = 1; /* no new task for it while we drain */
  /* Reaped already: a done callback run below that waits on another
   * future nests the io loop (cf__proc_wait_held), whose death check must
   * not take this process's death again (waitpid: ECHILD, "died"). */
  s->dying = 1;
  /* Results it wrote before dying still count. */
  if (pb->shm || !s->res_eof) {
    s->rx_ready = 1;
    while (cf__proc_rx_pump(pb, s)) {
    }
  }
  cf__proc_describe_status(what, sizeof what, status);
  cf_future *f = NULL;
  int err = 0;
  if (init_failure(pb, s, what, msg, sizeof msg)) {
    cf__executor_set_broken(ex, msg);
    sort_held(pb, s, what, &f, &err, msg, sizeof msg);
    if (f) cf__proc_fail_started(f, CF_EBROKEN, status, ex->broken_msg);
    cf__proc_fail_redo(pb, ex->broken_msg);
    cf__proc_slot_clear(pb, s);
    s->dying = 0;
    return;
  }
  sort_held(pb, s, what, &f, &err, msg, sizeof msg);
  cf__proc_slot_clear(pb, s);
  if (atomic_load(&pb->term_sig)) cf__proc_fail_redo(pb, "terminated by the caller before the task started");
  /* Respawn first, so a caller that sees the failure also sees the new
   * worker (stats.respawns). */
  if (!atomic_load(&ex->broken) && (!atomic_load(&ex->shutdown) || cf__proc_work_left(pb))) cf__proc_try_spawn(pb, s);
  s->dying = 0; /* s is its replacement's (or empty) now */
  if (f) cf__proc_fail_started(f, err, status, msg);
  if (atomic_load(&ex->broken)) cf__proc_fail_redo(pb, ex->broken_msg);
}

/* Reap dead workers (pidfd fired, or polled without pidfd). */
int cf__proc_check_deaths(proc_backend *pb, int poll_all) {
  int progress = 0;
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->pid <= 0 || s->dying || !(s->dead_pending || poll_all)) continue;
    int status;
    if (cf__proc_slot_reap(s, 0, &status)) {
      slot_died(pb, s, status);
      progress = 1;
    } else {
      s->dead_pending = 0;
    }
  }
  return progress;
}

/* Kill workers whose task ran past the timeout; returns the next deadline. */
uint64_t cf__proc_check_timeouts(proc_backend *pb, uint64_t now) {
  uint64_t next = UINT64_MAX;
  double t = pb->ex->cfg.task_timeout_s;
  if (t <= 0) return next;
  uint64_t lim = (uint64_t)(t * 1e9);
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    cf_future *f = q_head(s);
    if (!f || s->pid <= 0 || s->timed_out) continue;
    uint64_t dl;
    if (atomic_load(&s->sh->st.cur_tag) != f->rec.id) {
      /* Not started yet: look again soon.  A ready worker that does not
       * even start it within the limit (stopped, stuck) is killed as well
       * (the task then runs elsewhere); the initializer is not timed. */
      if (now + 10000000ull < next) next = now + 10000000ull;
      if (atomic_load(&s->sh->st.phase) != PH_READY) continue;
      uint64_t ready = atomic_load(&s->sh->st.ready_ns);
      dl = (ready > s->dispatch_ns ? ready : s->dispatch_ns) + lim;
    } else {
      dl = atomic_load(&s->sh->st.cur_start_ns) + lim;
    }
    if (now >= dl) {
      kill(s->pid, SIGKILL);
      s->timed_out = 1;
    } else if (dl < next) {
      next = dl;
    }
  }
  return next;
}
