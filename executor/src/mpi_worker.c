/* mpi_worker.c -- what a worker rank (rank != 0) does inside cf_mpi_init:
 * serve the client until it says MT_QUIT.
 *
 * For every executor the client creates, the rank makes a local process
 * pool (the process backend, with the client's pinning, initializer,
 * timeout and recycling settings) of as many workers as the client gave
 * this rank slots.  Tasks run in those forked workers, never in the rank
 * itself: OpenMPI 4 cannot survive the death of a rank (the job is
 * aborted), but it does not notice a forked child dying, so a crashing or
 * timed-out task fails alone (CF_EBROKEN / CF_ETIMEDOUT) and the rank goes
 * on.  The main thread does all MPI calls; the local pool's done callbacks
 * hand finished futures back to it through a list and a futex bell. */
#define _GNU_SOURCE
#include "mpi_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKER_SPIN_NS 20000ull
#define POLL_BURST 64  /* messages handled before sending finished results */

typedef struct lpool {
  struct lpool *next;
  uint32_t id;
  cf_executor *ex;
} lpool;

struct wstate;

typedef struct ltask {
  struct ltask *next;
  struct wstate *w;
  cf_future *f;
  uint64_t tag;
  uint32_t exec;
  int32_t slot;
  uint64_t recv_ns;
} ltask;

typedef struct wstate {
  cf__mpi_io io;
  int rank;
  lpool *pools;
  pthread_mutex_t lock;  /* done list */
  ltask *done;
  _Atomic int bell, sleeping;
  int quit;
} wstate;

static lpool *pool_find(wstate *w, uint32_t id) {
  for (lpool *p = w->pools; p; p = p->next)
    if (p->id == id) return p;
  return NULL;
}

static void reply(wstate *w, const cf__mpi_in *in, uint32_t type, int rc, const char *msg,
                  int broken, uint32_t respawns) {
  cf__mpi_hdr h = {0};
  h.type = type;
  h.exec = in->h.exec;
  h.tag = in->h.tag;
  h.slot = in->h.slot;
  h.rc = rc;
  h.status = -1;
  h.cpu = -1;
  h.broken = broken;
  h.respawns = respawns;
  size_t ml = msg ? strlen(msg) : 0;
  if (cf__mpi_send(&w->io, 0, &h, msg, ml, NULL, 0, NULL, 0, NULL) != 0) {
    fprintf(stderr, "cfutures mpi rank %d: out of memory for a reply\n", w->rank);
    MPI_Abort(w->io.comm, 1);
  }
}

static void *ref_decode(const char *text, size_t *pos, uint32_t len, uint64_t off) {
  if (len == NO_REF) return NULL;
  void *p = cf__fnref_decode(text + *pos, len, off);
  *pos += len;
  return p;
}

static void on_create(wstate *w, const cf__mpi_in *in) {
  cf__mpi_create c;
  int rc = 0;
  char msg[160] = "";
  unsigned char *pl = malloc(in->h.len ? in->h.len : 1);
  if (pl) cf__mpi_recv_payload(&w->io, in, pl);
  else cf__mpi_recv_payload(&w->io, in, NULL);
  if (!pl || in->h.len < sizeof c) {
    free(pl);
    reply(w, in, MT_CREATED, pl ? CF_EINVAL : CF_ENOMEM, "bad MT_CREATE", 0, 0);
    return;
  }
  memcpy(&c, pl, sizeof c);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.backend = CF_BACKEND_PROCESS;
  cfg.max_workers = c.workers;
  cfg.pin = (cf_pin_policy)c.pin;
  cfg.pin_list = c.pin_list_len > 0 ? (const int *)(pl + sizeof c) : NULL;
  cfg.pin_list_len = c.pin_list_len;
  cfg.max_tasks_per_child = c.max_tasks_per_child;
  cfg.transport = (cf_transport)c.transport;
  cfg.task_timeout_s = c.task_timeout_s;
  size_t pos = 0;
  cfg.initializer = (int (*)(void *))ref_decode(in->text, &pos, in->h.fn_name_len, in->h.fn_off);
  cfg.initializer_arg = ref_decode(in->text, &pos, in->h.inner_name_len, in->h.inner_off);
  if ((in->h.fn_name_len != NO_REF && !cfg.initializer) ||
      (in->h.inner_name_len != NO_REF && !cfg.initializer_arg)) {
    rc = CF_EINVAL;
    snprintf(msg, sizeof msg, "rank %d: the initializer's object is not loaded here", w->rank);
  }
  lpool *p = rc ? NULL : calloc(1, sizeof *p);
  if (!rc && !p) rc = CF_ENOMEM;
  if (!rc) rc = cf_executor_new(&p->ex, &cfg);
  if (rc && !msg[0]) {
    if (rc == CF_EINVAL || rc == CF_ENOSYS) cf_pin_check(&cfg, msg, sizeof msg);
    if (!msg[0]) snprintf(msg, sizeof msg, "rank %d: %s", w->rank, cf_strerror(rc));
  }
  free(pl);
  if (rc) {
    free(p);
  } else {
    p->id = in->h.exec;
    p->next = w->pools;
    w->pools = p;
  }
  reply(w, in, MT_CREATED, rc, msg, 0, 0);
}

/* A local future is done (in the local pool's thread): hand it over. */
static int on_local_done(cf_future *f, void *ud) {
  (void)f;
  ltask *t = ud;
  wstate *w = t->w;
  pthread_mutex_lock(&w->lock);
  t->next = w->done;
  w->done = t;
  pthread_mutex_unlock(&w->lock);
  atomic_fetch_add(&w->bell, 1);
  if (atomic_load(&w->sleeping)) cf__futex_wake(&w->bell, 1, 0);
  return 0;
}

/* Resolve the task's function(s); NULL with msg filled if not found. */
static cf_task_fn task_fn(wstate *w, const cf__mpi_in *in, void **inner, char *msg, size_t ml) {
  size_t pos = 0;
  cf_task_fn fn = (cf_task_fn)ref_decode(in->text, &pos, in->h.fn_name_len, in->h.fn_off);
  size_t ipos = pos;
  *inner = ref_decode(in->text, &pos, in->h.inner_name_len, in->h.inner_off);
  if (!fn || (in->h.inner_name_len != NO_REF && !*inner)) {
    int bad = fn ? (int)in->h.inner_name_len : (int)in->h.fn_name_len;
    const char *name = in->text + (fn ? ipos : 0);
    snprintf(msg, ml, "rank %d: no object \"%.*s\" holding the task function is loaded here",
             w->rank, bad, bad ? name : "(executable)");
    return NULL;
  }
  return fn;
}

static void on_task(wstate *w, const cf__mpi_in *in) {
  lpool *p = pool_find(w, in->h.exec);
  char msg[512];
  void *inner = NULL;
  cf_task_fn fn = p ? task_fn(w, in, &inner, msg, sizeof msg) : NULL;
  cf_future *f = fn ? cf__future_new(p->ex) : NULL;
  ltask *t = f ? malloc(sizeof *t) : NULL;
  if (!t || cf__result_reserve(&f->arg, in->h.len, 0) != 0) {
    cf__mpi_recv_payload(&w->io, in, NULL);
    if (f) cf_future_release(f);
    free(t);
    if (!p) snprintf(msg, sizeof msg, "rank %d: no pool %u", w->rank, in->h.exec);
    reply(w, in, MT_RESULT, fn ? CF_ENOMEM : (p ? CF_EINVAL : CF_EBROKEN), fn ? NULL : msg, 0, 0);
    return;
  }
  uint64_t recv_ns = cf__now_ns();
  cf__mpi_recv_payload(&w->io, in, f->arg.data);
  f->arg.len = in->h.len;
  if (inner && f->arg.len >= 8) {
    /* A map chunk starts with its item function: make it ours. */
    uint64_t bits = (uint64_t)(uintptr_t)inner;
    memcpy(f->arg.data, &bits, 8);
  }
  f->fn = fn;
  *t = (ltask){NULL, w, f, in->h.tag, in->h.exec, in->h.slot, recv_ns};
  int rc = cf__submit_future(p->ex, f);
  if (rc) {
    /* broken_msg only once broken is seen set: it is written before the
     * flag (cf__executor_set_broken), and a refusal for shutdown races
     * with a break that is writing it (clang's TSan saw the race). */
    int broken = atomic_load(&p->ex->broken);
    reply(w, in, MT_RESULT, rc, broken ? p->ex->broken_msg : NULL, broken, 0);
    cf_future_release(f);
    free(t);
    return;
  }
  cf_future_add_done_callback(f, on_local_done, t);
}

static void pool_free(lpool *p) {
  cf_executor_shutdown(p->ex, 1, 1);
  cf_executor_free(p->ex);
  free(p);
}

static void on_close(wstate *w, const cf__mpi_in *in) {
  uint32_t respawns = 0;
  for (lpool **pp = &w->pools; *pp; pp = &(*pp)->next) {
    if ((*pp)->id == in->h.exec) {
      lpool *p = *pp;
      *pp = p->next;
      cf_executor_shutdown(p->ex, 1, 1);
      respawns = (uint32_t)atomic_load(&p->ex->st_respawns);
      pool_free(p);
      break;
    }
  }
  reply(w, in, MT_CLOSED, 0, NULL, 0, respawns);
}

/* Blocks until the pool's workers are reaped; the running tasks' results
 * reach the done list through their callbacks and leave in flush_done. */
static void on_terminate(wstate *w, const cf__mpi_in *in) {
  lpool *p = pool_find(w, in->h.exec);
  if (p) cf_executor_terminate(p->ex, in->h.rc);
}

static void handle(wstate *w, const cf__mpi_in *in) {
  switch (in->h.type) {
  case MT_CREATE: on_create(w, in); break;
  case MT_TASK: on_task(w, in); break;
  case MT_CLOSE: on_close(w, in); break;
  case MT_TERMINATE: on_terminate(w, in); break;
  case MT_QUIT: w->quit = 1; break;
  default:
    fprintf(stderr, "cfutures mpi rank %d: unknown message type %u\n", w->rank, in->h.type);
    cf__mpi_recv_payload(&w->io, in, NULL);
  }
}

/* Send the result of a finished local future and let it go. */
static void send_result(wstate *w, ltask *t) {
  cf_future *f = t->f;
  cf_task_record rec;
  cf_future_record(f, &rec);
  cf__mpi_hdr h = {0};
  h.type = MT_RESULT;
  h.exec = t->exec;
  h.tag = t->tag;
  h.slot = t->slot;
  h.rc = cf_future_error(f);
  h.task_code = cf_future_task_code(f);
  h.status = cf_future_worker_status(f);
  h.cpu = rec.cpu;
  h.pid = rec.pid;
  h.broken = h.rc == CF_EBROKEN && atomic_load(&f->ex->broken);
  h.respawns = (uint32_t)atomic_load(&f->ex->st_respawns);
  h.start_delta = rec.start_ns > t->recv_ns ? rec.start_ns - t->recv_ns : 0;
  h.run_ns = rec.start_ns && rec.end_ns > rec.start_ns ? rec.end_ns - rec.start_ns : 0;
  const char *msg = cf_future_message(f);
  if (h.rc == CF_ECANCELED) {
    /* Only terminate cancels a local future (MT_CLOSE comes when none is
     * in flight): the client's future is RUNNING, it cannot be cancelled. */
    h.rc = CF_EBROKEN;
    msg = "terminated by the caller before the task started";
  }
  const void *data = h.rc == 0 ? f->res.data : NULL;
  size_t len = h.rc == 0 ? f->res.len : 0;
  if (cf__mpi_send(&w->io, 0, &h, msg, strlen(msg), NULL, 0, data, len, f) != 0) {
    fprintf(stderr, "cfutures mpi rank %d: out of memory for a result\n", w->rank);
    MPI_Abort(w->io.comm, 1);
  }
  cf_future_release(f);
  free(t);
}

static int flush_done(wstate *w) {
  pthread_mutex_lock(&w->lock);
  ltask *t = w->done;
  w->done = NULL;
  pthread_mutex_unlock(&w->lock);
  int any = t != NULL;
  while (t) {
    ltask *n = t->next;
    send_result(w, t);
    t = n;
  }
  return any;
}

static void serve_loop(wstate *w) {
  cf__mpi_idle idle;
  cf__mpi_idle_reset(&idle, WORKER_SPIN_NS);
  while (!w->quit) {
    int seen = atomic_load(&w->bell), progress = 0;
    cf__mpi_in in;
    for (int i = 0; i < POLL_BURST && !w->quit && cf__mpi_poll(&w->io, &in); i++) {
      handle(w, &in);
      progress = 1;
    }
    progress |= flush_done(w);
    size_t busy = cf__mpi_test_sends(&w->io);
    if (progress) cf__mpi_idle_reset(&idle, WORKER_SPIN_NS);
    else cf__mpi_idle_wait(&idle, &w->bell, &w->sleeping, seen, busy > 0);
  }
}

int cf__mpi_worker_serve(MPI_Comm comm) {
  wstate w;
  memset(&w, 0, sizeof w);
  MPI_Comm_rank(comm, &w.rank);
  int rc = cf__mpi_io_init(&w.io, comm);
  if (rc) return rc;
  pthread_mutex_init(&w.lock, NULL);
  serve_loop(&w);
  /* The client stops listening only after our MT_QUIT answer, so results
   * still in flight can drain first. */
  while (w.pools) {
    lpool *p = w.pools;
    w.pools = p->next;
    pool_free(p);
  }
  flush_done(&w);
  cf__mpi_in q = {0};
  reply(&w, &q, MT_QUIT, 0, NULL, 0, 0);
  cf__mpi_io_close(&w.io);
  pthread_mutex_destroy(&w.lock);
  return 0;
}
