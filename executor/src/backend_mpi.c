/* backend_mpi.c -- the MPI backend's client side, on rank 0: one progress
 * thread that does every MPI call of the client for every MPI executor.
 *
 * An executor of n workers has n slots; slot k lives on worker rank
 * 1 + k mod (size - 1), which runs a local process pool with one worker per
 * slot it holds (mpi_worker.c).  As in the process backend a future leaves
 * the pending queue only when a slot is idle (one task in flight per slot),
 * so a queued future stays PENDING and cancellable and RUNNING means "sent".
 * A map chunk is one future, so one message.  Functions travel as (object,
 * offset) references (mpi_fnref.c).
 *
 * Life of an executor: start() registers it and waits until every rank
 * answered MT_CREATE (so a configuration a rank refuses fails
 * cf_executor_new); once shut down, drained and idle, the progress thread
 * sends MT_CLOSE and, after every MT_CLOSED, marks it closed (stop(wait)
 * returns then) and drops the reference it held on the executor.  Entries
 * are unlinked and freed only by the progress thread (or after it ended),
 * so it can walk the list without holding the lock while it runs user
 * callbacks. */
#define _GNU_SOURCE
#include "mpi_wire.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_SPIN_NS 20000ull

enum { ST_NEW = 0, ST_CREATING, ST_OPEN, ST_CLOSING, ST_CLOSED };

typedef struct mslot {
  int rank;
  cf_future *cur;           /* in flight (the queue's reference), or NULL */
  uint64_t sent_ns;
} mslot;

typedef struct mexec {
  struct mexec *next;
  cf_executor *ex;          /* NULL once destroyed */
  uint32_t id;
  int n, nranks;
  mslot *slots;
  int busy;                 /* slots with a task in flight */
  int state;                /* ST_*, under C.lock */
  int acks;                 /* MT_CREATED / MT_CLOSED still awaited */
  int rc;                   /* first refusal of MT_CREATE */
  uint32_t *respawns;       /* per rank (index rank - 1): its pool's count so far */
  _Atomic int term_sig;     /* cf_executor_terminate's signal, 0: none */
  int term_sent;            /* MT_TERMINATE went to every rank */
  char msg[256];
  int detached;             /* destroy() ran, under C.lock */
} mexec;

static struct client {
  int started, stopped;     /* stopped: the progress thread ended (under lock) */
  int size;
  pthread_t thr;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  mexec *list;
  uint32_t next_id;
  _Atomic int bell, sleeping, quit;
  cf__mpi_io io;
} C = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void ring(void) {
  atomic_fetch_add(&C.bell, 1);
  if (atomic_load(&C.sleeping)) cf__futex_wake(&C.bell, 1, 0);
}

static void set_state(mexec *e, int st) {
  pthread_mutex_lock(&C.lock);
  e->state = st;
  pthread_cond_broadcast(&C.cond);
  pthread_mutex_unlock(&C.lock);
}

static void send_or_die(int dest, cf__mpi_hdr *h, const char *t1, size_t l1, const char *t2,
                        size_t l2, const void *pl, size_t len) {
  if (cf__mpi_send(&C.io, dest, h, t1, l1, t2, l2, pl, len, NULL) != 0) {
    fprintf(stderr, "cfutures mpi: out of memory for a control message\n");
    MPI_Abort(C.io.comm, 1);
  }
}

/* Send a bare control message to every rank of e; rc travels in h.rc. */
static void send_ranks(mexec *e, uint32_t type, int rc) {
  for (int r = 1; r <= e->nranks; r++) {
    cf__mpi_hdr h = {0};
    h.type = type;
    h.exec = e->id;
    h.rc = rc;
    send_or_die(r, &h, NULL, 0, NULL, 0, NULL, 0);
  }
}

static void send_all(mexec *e, uint32_t type) {
  send_ranks(e, type, 0);
  e->acks = e->nranks;
}

/* ------------------------------------------------------------- creation */

/* Encode an optional reference; CF_EINVAL if it is set but not resolvable. */
static int ref_of(const void *p, const char **name, uint32_t *len, uint64_t *off) {
  *name = "";
  *len = NO_REF;
  *off = 0;
  if (!p) return 0;
  size_t l;
  if (cf__fnref_encode(p, name, &l, off) != 0) return CF_EINVAL;
  *len = (uint32_t)l;
  return 0;
}

static void send_create(mexec *e) {
  const cf_config *cfg = &e->ex->cfg;
  size_t plen = sizeof(cf__mpi_create) + (size_t)(cfg->pin == CF_PIN_LIST ? cfg->pin_list_len : 0) * 4;
  unsigned char *pl = calloc(1, plen);
  cf__mpi_hdr h = {0};
  const char *n1, *n2;
  if (!pl) {
    fprintf(stderr, "cfutures mpi: out of memory\n");
    MPI_Abort(C.io.comm, 1);
  }
  ref_of((const void *)cfg->initializer, &n1, &h.fn_name_len, &h.fn_off);
  ref_of(cfg->initializer_arg, &n2, &h.inner_name_len, &h.inner_off);
  for (int r = 1; r <= e->nranks; r++) {
    cf__mpi_create c = {0};
    for (int k = 0; k < e->n; k++) c.workers += e->slots[k].rank == r;
    c.pin = cfg->pin;
    c.pin_list_len = cfg->pin == CF_PIN_LIST ? cfg->pin_list_len : 0;
    c.max_tasks_per_child = cfg->max_tasks_per_child;
    c.transport = cfg->transport;
    c.task_timeout_s = cfg->task_timeout_s;
    memcpy(pl, &c, sizeof c);
    for (int i = 0; i < c.pin_list_len; i++) {
      int32_t v = cfg->pin_list[i];
      memcpy(pl + sizeof c + 4 * (size_t)i, &v, 4);
    }
    h.type = MT_CREATE;
    h.exec = e->id;
    send_or_die(r, &h, n1, h.fn_name_len == NO_REF ? 0 : h.fn_name_len, n2,
                h.inner_name_len == NO_REF ? 0 : h.inner_name_len, pl, plen);
  }
  free(pl);
  e->acks = e->nranks;
  set_state(e, ST_CREATING);
}

/* ------------------------------------------------------------- dispatch */

static cf_future *next_task(mexec *e, int slot) {
  cf_executor *ex = e->ex;
  cf_future *f;
  while ((f = cf__queue_trypop(ex))) {
    if (atomic_load_explicit(&ex->broken, memory_order_relaxed)) {
      if (cf__future_claim(f, slot)) cf__future_fail(f, CF_EBROKEN, -1, ex->broken_msg);
    } else if (cf__future_claim(f, slot)) {
      return f;
    }
    cf_future_release(f); /* cancelled meanwhile, or failed above */
  }
  return NULL;
}

/* Send f to slot s.  0, or the error f was failed with (f released). */
static int send_task(mexec *e, mslot *s, int k, cf_future *f) {
  cf__mpi_hdr h = {0};
  const char *fname, *iname = "";
  size_t flen, ilen = 0;
  int rc = cf__fnref_encode((const void *)f->fn, &fname, &flen, &h.fn_off);
  h.inner_name_len = NO_REF;
  if (rc == 0 && f->fn == cf__map_chunk_task && f->arg.len >= 8) {
    uint64_t bits;
    memcpy(&bits, f->arg.data, 8);
    rc = cf__fnref_encode((const void *)(uintptr_t)bits, &iname, &ilen, &h.inner_off);
    h.inner_name_len = (uint32_t)ilen;
  }
  const char *why = "the task function is not inside a loaded object (heap, stack or JIT code): "
                    "MPI ranks find functions by object and offset";
  if (rc == 0) {
    h.type = MT_TASK;
    h.exec = e->id;
    h.tag = f->rec.id;
    h.slot = k;
    h.fn_name_len = (uint32_t)flen;
    rc = cf__mpi_send(&C.io, s->rank, &h, fname, flen, iname, ilen, f->arg.data, f->arg.len, f);
    why = "out of memory for the task's message";
  }
  if (rc) {
    cf__future_fail(f, rc, -1, why);
    cf_future_release(f);
    return rc;
  }
  s->cur = f;
  s->sent_ns = cf__now_ns();
  e->busy++;
  return 0;
}

static int dispatch_slot(mexec *e, int k) {
  mslot *s = &e->slots[k];
  while (!s->cur) {
    cf_future *f = next_task(e, k);
    if (!f) return 0;
    if (send_task(e, s, k, f) == 0) return 1;
  }
  return 0;
}

static int dispatch(mexec *e) {
  int progress = 0;
  if (!cf__queue_nonempty(e->ex)) return 0;
  /* Lowest slot first: with little work the same ranks stay warm. */
  for (int k = 0; k < e->n && e->busy < e->n; k++)
    if (!e->slots[k].cur && dispatch_slot(e, k)) progress = 1;
  return progress;
}

/* -------------------------------------------------------------- results */

static mexec *find(uint32_t id) {
  pthread_mutex_lock(&C.lock);
  mexec *e = C.list;
  while (e && e->id != id) e = e->next;
  pthread_mutex_unlock(&C.lock);
  return e;
}

/* The ranks count their pools' respawns; the executor's counter is the sum. */
static void add_respawns(mexec *e, const cf__mpi_in *in) {
  if (in->src < 1 || in->src > e->nranks) return;
  uint32_t *last = &e->respawns[in->src - 1];
  if (in->h.respawns > *last) {
    atomic_fetch_add(&e->ex->st_respawns, in->h.respawns - *last);
    *last = in->h.respawns;
  }
}

static void on_result(mexec *e, const cf__mpi_in *in) {
  mslot *s = in->h.slot >= 0 && in->h.slot < e->n ? &e->slots[in->h.slot] : NULL;
  cf_future *f = s ? s->cur : NULL;
  if (!f || f->rec.id != in->h.tag) {
    fprintf(stderr, "cfutures mpi: stray result for task %llu from rank %d\n",
            (unsigned long long)in->h.tag, in->src);
    cf__mpi_recv_payload(&C.io, in, NULL);
    return;
  }
  int rc = in->h.rc, nomem = 0;
  if (rc == 0 && cf__result_reserve(&f->res, in->h.len, 0) != 0) nomem = 1;
  cf__mpi_recv_payload(&C.io, in, rc == 0 && !nomem ? f->res.data : NULL);
  f->res.len = rc == 0 && !nomem ? in->h.len : 0;
  /* On this clock: when it was sent plus the rank's delay before it
   * started, and the run time the rank measured (its clock may be another
   * machine's).  Read before the next dispatch, which stamps the slot's
   * send time anew: every start after the first used to come out as the
   * next task's send time, after this one's end. */
  uint64_t now = cf__now_ns(), start = s->sent_ns + in->h.start_delta;
  if (start > now) start = now;
  uint64_t end = in->h.run_ns && start + in->h.run_ns < now ? start + in->h.run_ns : now;
  s->cur = NULL;
  e->busy--;
  dispatch_slot(e, in->h.slot); /* keep the rank busy before running callbacks */
  f->rec.start_ns = start;
  f->rec.cpu = in->h.cpu;
  f->rec.pid = in->h.pid;
  add_respawns(e, in);
  char msg[512];
  snprintf(msg, sizeof msg, "rank %d: %.*s", in->src, (int)in->h.text_len, in->text);
  if (in->h.broken) cf__executor_set_broken(e->ex, msg);
  if (nomem) {
    cf__future_fail(f, CF_ENOMEM, -1, "out of memory for the task's result on rank 0");
  } else if (rc == CF_ETASK) {
    f->task_code = in->h.task_code;
    cf__future_finish_at(f, CF_ETASK, end);
  } else if (rc) {
    cf__future_fail(f, rc, in->h.status, in->h.text_len ? msg : NULL);
  } else {
    cf__future_finish_at(f, 0, end);
  }
  cf_future_release(f);
}

/* The executor is closed: wake stop(), drop our reference (last touch). */
static void closed(mexec *e) {
  cf_executor *ex = e->ex;
  set_state(e, ST_CLOSED);
  cf__executor_unref(ex);
}

static void on_ack(mexec *e, const cf__mpi_in *in) {
  if (in->h.type == MT_CREATED && in->h.rc && !e->rc) {
    e->rc = in->h.rc;
    snprintf(e->msg, sizeof e->msg, "%.*s", (int)in->h.text_len, in->text);
  }
  if (in->h.type == MT_CLOSED && e->ex) add_respawns(e, in);
  if (--e->acks > 0) return;
  if (e->state == ST_CLOSING) {
    closed(e);
  } else if (e->rc) {
    send_all(e, MT_CLOSE); /* undo the ranks that did create it */
    set_state(e, ST_CLOSING);
  } else {
    set_state(e, ST_OPEN);
  }
}

static void on_message(const cf__mpi_in *in) {
  mexec *e = find(in->h.exec);
  if (!e) {
    cf__mpi_recv_payload(&C.io, in, NULL);
    return;
  }
  if (in->h.type == MT_RESULT) on_result(e, in);
  else on_ack(e, in);
}

/* ----------------------------------------------------------------- loop */

static int step(mexec *e) {
  switch (e->state) {
  case ST_NEW:
    send_create(e);
    return 1;
  case ST_OPEN: {
    cf_executor *ex = e->ex;
    int sig = atomic_load(&e->term_sig);
    if (sig && !e->term_sent) {
      /* Each rank terminates its pool (blocking there until its workers
       * are reaped), then sends the running tasks' results: MT_CLOSE, sent
       * once they are all back, follows on the same ordered channel. */
      send_ranks(e, MT_TERMINATE, sig);
      e->term_sent = 1;
    }
    int p = dispatch(e);
    if (atomic_load(&ex->shutdown) && !e->busy && !cf__queue_nonempty(ex)) {
      send_all(e, MT_CLOSE);
      set_state(e, ST_CLOSING);
      p = 1;
    }
    return p;
  }
  default:
    return 0;
  }
}

/* Free the entries destroy() let go of (all of them: `all`, once the
 * progress thread has ended; else the closed ones).  Progress thread only,
 * or after it ended. */
static void sweep(int all) {
  pthread_mutex_lock(&C.lock);
  for (mexec **pp = &C.list; *pp;) {
    mexec *e = *pp;
    if (e->detached && (all || e->state == ST_CLOSED)) {
      *pp = e->next;
      free(e->slots);
      free(e->respawns);
      free(e);
    } else {
      pp = &e->next;
    }
  }
  pthread_mutex_unlock(&C.lock);
}

static int pass(void) {
  int progress = 0;
  pthread_mutex_lock(&C.lock);
  mexec *e = C.list;
  pthread_mutex_unlock(&C.lock);
  while (e) {
    progress |= step(e);
    pthread_mutex_lock(&C.lock);
    e = e->next;
    pthread_mutex_unlock(&C.lock);
  }
  cf__mpi_in in;
  for (int i = 0; i < 64 && cf__mpi_poll(&C.io, &in); i++) {
    on_message(&in);
    progress = 1;
  }
  return progress;
}

/* Finalize: fail what is still open, tell every rank to quit, and keep
 * draining what they still send until each has answered. */
static void quit_all(void) {
  pthread_mutex_lock(&C.lock);
  mexec *e = C.list;
  pthread_mutex_unlock(&C.lock);
  for (; e; e = e->next) {
    if (e->state == ST_CLOSED) continue;
    const char *why = "the MPI session was finalized (cf_mpi_finalize)";
    cf__executor_set_broken(e->ex, why);
    for (int k = 0; k < e->n; k++) {
      cf_future *f = e->slots[k].cur;
      e->slots[k].cur = NULL;
      if (f) {
        cf__future_fail(f, CF_EBROKEN, -1, why);
        cf_future_release(f);
      }
    }
    closed(e);
  }
  for (int r = 1; r < C.size; r++) {
    cf__mpi_hdr h = {0};
    h.type = MT_QUIT;
    send_or_die(r, &h, NULL, 0, NULL, 0, NULL, 0);
  }
  int left = C.size - 1;
  while (left > 0) {
    cf__mpi_in in;
    if (cf__mpi_poll(&C.io, &in)) {
      cf__mpi_recv_payload(&C.io, &in, NULL);
      if (in.h.type == MT_QUIT) left--;
    } else {
      cf__mpi_test_sends(&C.io);
      sched_yield();
    }
  }
}

static void *progress_main(void *arg) {
  (void)arg;
  cf__mpi_idle idle;
  cf__mpi_idle_reset(&idle, CLIENT_SPIN_NS);
  while (!atomic_load(&C.quit)) {
    int seen = atomic_load(&C.bell);
    int progress = pass();
    size_t busy = cf__mpi_test_sends(&C.io);
    sweep(0);
    if (progress) cf__mpi_idle_reset(&idle, CLIENT_SPIN_NS);
    else cf__mpi_idle_wait(&idle, &C.bell, &C.sleeping, seen, busy > 0);
  }
  quit_all();
  cf__mpi_io_close(&C.io);
  pthread_mutex_lock(&C.lock);
  C.stopped = 1;
  pthread_cond_broadcast(&C.cond);
  pthread_mutex_unlock(&C.lock);
  return NULL;
}

int cf__mpi_client_start(MPI_Comm comm) {
  MPI_Comm_size(comm, &C.size);
  int rc = cf__mpi_io_init(&C.io, comm);
  if (rc) return rc;
  atomic_store(&C.quit, 0);
  C.stopped = 0;
  if (pthread_create(&C.thr, NULL, progress_main, NULL) != 0) {
    cf__mpi_io_close(&C.io);
    return CF_ENOMEM;
  }
  C.started = 1;
  return 0;
}

void cf__mpi_client_stop(void) {
  if (!C.started) return;
  atomic_store(&C.quit, 1);
  ring();
  pthread_join(C.thr, NULL);
  C.started = 0;
  sweep(1); /* what destroy() left to the progress thread */
}

/* ------------------------------------------------------- backend ops */

static int mb_start(cf_executor *ex) {
  if (!C.started || C.size < 2) return CF_ENOSYS;
  if (ex->cfg.max_workers == 0) {
    /* One worker per worker rank, as MPICommExecutor; the core sized its
     * per-worker table for CPython's default. */
    int n = C.size - 1;
    cf_future **b = realloc(ex->blocked_on, (size_t)n * sizeof *b);
    if (!b) return CF_ENOMEM;
    memset(b, 0, (size_t)n * sizeof *b);
    ex->blocked_on = b;
    ex->nworkers = n;
  }
  mexec *e = calloc(1, sizeof *e);
  if (!e || !(e->slots = calloc((size_t)ex->nworkers, sizeof *e->slots)) ||
      !(e->respawns = calloc((size_t)C.size, sizeof *e->respawns))) {
    if (e) free(e->slots);
    free(e);
    return CF_ENOMEM;
  }
  e->ex = ex;
  e->n = ex->nworkers;
  e->nranks = e->n < C.size - 1 ? e->n : C.size - 1;
  for (int k = 0; k < e->n; k++) e->slots[k].rank = 1 + k % (C.size - 1);
  const char *nm;
  uint32_t l;
  uint64_t off;
  if (ref_of((const void *)ex->cfg.initializer, &nm, &l, &off) ||
      ref_of(ex->cfg.initializer_arg, &nm, &l, &off)) {
    /* Not in a loaded object: it cannot be found on the ranks. */
    cf__set_error("initializer or initializer_arg is not inside a loaded object "
                  "(code or static data of the program or a shared library): the ranks cannot find it");
    free(e->slots);
    free(e->respawns);
    free(e);
    return CF_EINVAL;
  }
  ex->backend = e;
  atomic_fetch_add(&ex->refs, 1); /* dropped by the progress thread in closed() */
  pthread_mutex_lock(&C.lock);
  e->id = ++C.next_id;
  e->next = C.list;
  C.list = e;
  pthread_mutex_unlock(&C.lock);
  ring();
  pthread_mutex_lock(&C.lock);
  while (e->state != ST_OPEN && e->state != ST_CLOSED && !C.stopped)
    pthread_cond_wait(&C.cond, &C.lock);
  int rc = e->state == ST_OPEN ? 0 : (e->rc ? e->rc : CF_ESHUTDOWN);
  pthread_mutex_unlock(&C.lock);
  if (rc && e->msg[0]) fprintf(stderr, "cfutures mpi: %s\n", e->msg);
  return rc;
}

static int mb_stop(cf_executor *ex, int wait) {
  mexec *e = ex->backend;
  if (!e) return 0;
  ring(); /* the shutdown flag does not ring by itself */
  if (!wait) return 0;
  if (pthread_equal(pthread_self(), C.thr)) return CF_EDEADLK; /* a done callback: it closes the pool */
  pthread_mutex_lock(&C.lock);
  while (e->state != ST_CLOSED && !C.stopped) pthread_cond_wait(&C.cond, &C.lock);
  pthread_mutex_unlock(&C.lock);
  return 0;
}

static void mb_destroy(cf_executor *ex) {
  mexec *e = ex->backend;
  if (!e) return;
  ex->backend = NULL;
  pthread_mutex_lock(&C.lock);
  e->ex = NULL;
  e->detached = 1;
  pthread_mutex_unlock(&C.lock);
  ring();
}

static void mb_kick(cf_executor *ex) {
  (void)ex;
  ring();
}

/* Forwarded: only the progress thread talks MPI.  The core has already
 * shut down and cancelled the pending queue, and its stop(wait) that
 * follows returns once the ranks answered MT_CLOSED, so, as on the process
 * backend, cf_executor_terminate returns with every worker reaped. */
static void mb_terminate(cf_executor *ex, int sig) {
  mexec *e = ex->backend;
  if (!e) return;
  int none = 0;
  atomic_compare_exchange_strong(&e->term_sig, &none, sig); /* the first signal wins */
  ring();
}

/* worker_pids stays NULL (CF_ENOSYS): the workers are processes on other
 * hosts, their pids mean nothing to rank 0. */
const cf__backend_ops cf__mpi_backend = {
    .name = "mpi",
    .start = mb_start,
    .stop = mb_stop,
    .destroy = mb_destroy,
    .kick = mb_kick,
    .terminate = mb_terminate,
};
