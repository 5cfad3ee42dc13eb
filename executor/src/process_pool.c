/* process_pool.c -- the process backend's entry points (cf__process_backend):
 * create the pool and its io thread, give (a submit straight into an idle
 * worker's mailbox, past the queue), kick (a submitter hands a task to an
 * idle worker while the io thread sleeps), help_wait (a waiter collects
 * results itself), stop, terminate, destroy. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void pb_free(proc_backend *pb) {
  cf__proc_reg_remove(pb); /* no new worker looks at pb's descriptors any more */
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->pid > 0) {
      int status;
      kill(s->pid, SIGKILL);
      cf__proc_slot_reap(s, 1, &status);
    }
    cf__proc_slot_clear(pb, s);
  }
  cf__proc_close_fd(&pb->epfd);
  cf__proc_close_fd(&pb->efd);
  cf__proc_close_fd(&pb->gfd);
  if (pb->g) munmap(pb->g, sizeof *pb->g);
  if (pb->fsrv) {
    pthread_mutex_lock(&cf__proc_reg_lock);
    cf__fsrv_release_locked(); /* the last pool of an implicit server stops it */
    pthread_mutex_unlock(&cf__proc_reg_lock);
  }
  pthread_mutex_destroy(&pb->join_lock);
  pthread_mutex_destroy(&pb->fd_lock);
  pthread_mutex_destroy(&pb->io_lock);
  free(pb->slots);
  free(pb);
}

/* The backend without workers: slots, the shared word, the bell, epoll. */
static int pb_alloc(cf_executor *ex, proc_backend **out) {
  proc_backend *pb = calloc(1, sizeof *pb);
  if (!pb) return CF_ENOMEM;
  pb->ex = ex;
  pb->shm = ex->cfg.transport == CF_TRANSPORT_SHM;
  pb->n = ex->nworkers;
  pb->depth = pb->shm && ex->cfg.task_timeout_s <= 0 ? PIPE_DEPTH : 1;
  pb->efd = pb->epfd = pb->gfd = -1;
  pb->parent_pid = getpid();
  pb->parent_spin_ns = PARENT_SPIN_NS;
  pb->child_spin_ns = CHILD_SPIN_NS;
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < pb->n + 2) {
    pb->parent_spin_ns = PARENT_SPIN_SMALL_NS;
    pb->child_spin_ns = CHILD_SPIN_SMALL_NS;
  }
  pthread_mutex_init(&pb->join_lock, NULL);
  pthread_mutex_init(&pb->fd_lock, NULL);
  pthread_mutex_init(&pb->io_lock, NULL);
  pthread_sigmask(SIG_BLOCK, NULL, &pb->user_mask);
  pb->slots = calloc((size_t)pb->n, sizeof *pb->slots);
  if (!pb->slots) pb->n = 0;
  for (int i = 0; i < pb->n; i++) {
    pb->slots[i].index = i;
    pb->slots[i].pidfd = pb->slots[i].req_fd = pb->slots[i].res_fd = -1;
  }
  cf__proc_reg_add(pb);
  pthread_mutex_lock(&cf__proc_reg_lock);
  void *g = MAP_FAILED;
  pb->gfd = -1;
  pb->spawn = ex->cfg.start_method != CF_START_FORK;
  if (!pb->spawn) {
    g = mmap(NULL, sizeof *pb->g, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  } else if ((pb->gfd = memfd_create("cfutures-pool", MFD_CLOEXEC)) >= 0 && ftruncate(pb->gfd, sizeof *pb->g) == 0) {
    g = mmap(NULL, sizeof *pb->g, PROT_READ | PROT_WRITE, MAP_SHARED, pb->gfd, 0); /* spawned workers map it */
  }
  pb->g = g == MAP_FAILED ? NULL : g;
  pb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int efd_errno = errno;
  pb->epfd = epoll_create1(EPOLL_CLOEXEC);
  char fsrv_why[160];
  int fsrv_rc = 0;
  if (ex->cfg.start_method == CF_START_FORKSERVER) {
    fsrv_rc = cf__fsrv_acquire_locked(fsrv_why, sizeof fsrv_why); /* the first pool starts it */
    pb->fsrv = fsrv_rc == 0;
  }
  pthread_mutex_unlock(&cf__proc_reg_lock);
  int rc = 0;
  if (fsrv_rc) {
    rc = fsrv_rc;
    cf__set_error("cannot start worker process 0: %s", fsrv_why); /* as the other methods say it */
  } else if (!pb->slots || !pb->g) {
    rc = CF_ENOMEM;
    cf__set_error("process backend: out of memory");
  } else if (pb->spawn && cf__proc_spawn_refs(pb)) {
    rc = CF_EINVAL;
  } else if (pb->efd < 0 || pb->epfd < 0 || cf__proc_ep_ctl(pb, EPOLL_CTL_ADD, pb->efd, EPOLLIN, EV_BELL, 0)) {
    int e = pb->efd < 0 ? efd_errno : errno;
    rc = e == ENOMEM ? CF_ENOMEM : CF_EAGAIN;
    cf__set_error("process backend: %s: %s", pb->efd < 0 ? "eventfd" : pb->epfd < 0 ? "epoll_create1" : "epoll_ctl",
                  strerror(e));
  }
  if (rc) {
    pb_free(pb);
    return rc;
  }
  int probe = (int)syscall(SYS_pidfd_open, getpid(), 0);
  pb->have_pidfd = probe >= 0;
  if (probe >= 0) close(probe);
  *out = pb;
  return 0;
}

static int pb_start(cf_executor *ex) {
  proc_backend *pb;
  int rc = pb_alloc(ex, &pb);
  if (rc) return rc;
  for (int i = 0; i < pb->n && !rc; i++) {
    char why[160];
    rc = cf__proc_slot_spawn(pb, &pb->slots[i], why, sizeof why);
    if (rc) cf__set_error("cannot start worker process %d: %s", i, why);
  }
  if (!rc) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the io thread takes no signals (SIGPIPE!) */
    atomic_fetch_add(&ex->refs, 1);           /* the io thread's reference */
    int e = pthread_create(&pb->io, NULL, cf__proc_io_main, pb);
    if (e != 0) {
      atomic_fetch_sub(&ex->refs, 1);
      rc = e == EAGAIN ? CF_EAGAIN : CF_ENOMEM;
      cf__set_error("cannot create the process backend's I/O thread: %s", strerror(e));
    } else {
      pb->io_started = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
  }
  if (rc) {
    pb_free(pb); /* kills and reaps what was forked */
    return rc;
  }
  ex->backend = pb;
  return 0;
}

/* Ring the bell from a parent thread other than the io thread. */
static void bell_locked(proc_backend *pb) {
  pthread_mutex_lock(&pb->fd_lock);
  if (!pb->io_done) cf__proc_bell(pb);
  pthread_mutex_unlock(&pb->fd_lock);
}

static void pb_kick(cf_executor *ex) {
  proc_backend *pb = ex->backend;
  if (!pb) return;
  atomic_thread_fence(memory_order_seq_cst); /* queue push before the flag load */
  if (!atomic_load(&pb->g->parent_sleeping)) return; /* it will see the work */
  /* The io thread sleeps: hand the task to an idle worker ourselves, which
   * saves a wake-up on the way there (results still go through it).  Not
   * when the io thread must watch the task's clock (timeouts) or poll for
   * deaths (no pidfd): it has to wake up to learn about the task.  Not
   * over pipes either: a write to a dead worker's pipe raises SIGPIPE,
   * which only the io thread blocks.  Not without a live worker: the io
   * thread fails the task then (see cf__proc_spawn_fail_waiting). */
  if (pb->shm && pb->ex->cfg.task_timeout_s <= 0 && pb->have_pidfd && atomic_load(&pb->nlive) > 0 &&
      pthread_mutex_trylock(&pb->io_lock) == 0) {
    if (!pb->io_done_loop) cf__proc_dispatch_all(pb);
    pthread_mutex_unlock(&pb->io_lock);
    return;
  }
  /* Once per sleep, as the workers ring (cf__proc_bell_sleeper): a helper
   * holding io_lock leaves parent_sleeping at 1, and every submit made
   * meanwhile by other threads would otherwise write the eventfd. */
  if (atomic_exchange(&pb->g->parent_sleeping, 0)) bell_locked(pb);
}

/* cf_submit's way past the queue (the process twin of handoff.c): while
 * the io thread sleeps, a submitter puts its future straight into an idle
 * worker's mailbox (or ring, if it does not fit), claimed (RUNNING) as a
 * dispatch to an idle worker claims it.  It saves the queue's push and
 * pop (the tail CAS twice, q_lock, the link) and the dispatch loop's
 * scans, about a fifth of a round trip's parent-side work.
 *
 * Order.  Only when the queue is empty (its tail is the stub: every future
 * pushed before was taken; a closed queue's tail is not) and so is the
 * redo list, looked at under io_lock: every pop and redo dispatch happens
 * under it in the same hold as the send, so everything submitted earlier
 * is in a worker's pipeline already (or done), and f is the next to start
 * on the worker it goes to, as dispatch_all would have placed it (the
 * lowest-numbered idle worker).  With no idle worker it is queued: an
 * offer behind a running task is dispatch_all's business.
 *
 * Shutdown, cancel, terminate.  A submit that got past cf_submit's
 * shutdown check is accepted, as with the hand-off: shutdown closes the
 * queue (no give after that), and a future given before is in a slot,
 * which the io thread's end waits for (cf__proc_may_end: all_idle), as a
 * future dispatched just before.  f was never PENDING where anyone could
 * see it, so nobody can cancel it: no CF__F_OFFERED, no revoke.
 * cf_executor_terminate and a broken pool leave f to the queue's path
 * (checked under io_lock; a terminate after the send fails it with the
 * worker's other tasks). */
static int pb_give(cf_executor *ex, cf_future *f) {
  proc_backend *pb = ex->backend;
  /* pb_kick's conditions: the io thread sleeps (otherwise it takes the
   * queue), and nothing asks for it to watch the task. */
  if (!pb || !pb->shm || ex->cfg.task_timeout_s > 0 || !pb->have_pidfd || !atomic_load(&pb->g->parent_sleeping))
    return 0;
  if (pthread_mutex_trylock(&pb->io_lock) != 0) return 0;
  pslot *idle = NULL;
  for (int k = 0; k < pb->n && !idle; k++)
    if (pb->slots[k].qn == 0 && cf__proc_slot_room(pb, &pb->slots[k])) idle = &pb->slots[k];
  int given = 0;
  if (idle && !pb->io_done_loop && !pb->redo_head && !atomic_load(&ex->broken) && !atomic_load(&pb->term_sig) &&
      atomic_load_explicit(&ex->q_tail, memory_order_acquire) == (uintptr_t)&ex->q_stub &&
      (!pb->spawn || cf__proc_task_ref(pb, f) == 0)) {
    f->rec.id = cf__queue_take_id(ex); /* sure now: the claim cannot fail (f is not shared) */
    given = cf__proc_send_task(pb, idle, f, 0);
  }
  pthread_mutex_unlock(&pb->io_lock);
  return given;
}

/* The pools this thread helps (pb_help_wait), holding their io_lock, the
 * innermost first: the done callbacks of the futures it completes run under
 * those locks (see pb_join), and one may wait on another pool's future. */
typedef struct help_frame {
  proc_backend *pb;
  struct help_frame *outer;
} help_frame;
static _Thread_local help_frame *helping;

static int helps(const proc_backend *pb) {
  for (const help_frame *h = helping; h; h = h->outer)
    if (h->pb == pb) return 1;
  return 0;
}

/* A thread waits for f while the io thread sleeps: collect results (and
 * keep the workers fed) in this thread for a short while, so a round trip
 * needs no wake-up of the io thread.  The bell stays off meanwhile
 * (parent_sleeping = 0: someone is looking); on leaving, the io thread is
 * rung if anything is left for it. */
static void pb_help_wait(cf_executor *ex, cf_future *f, uint64_t deadline) {
  proc_backend *pb = ex->backend;
  if (!pb) return;
  /* A done callback run by the io thread or by a helper waits on another
   * future of this pool: this thread holds io_lock, so nobody else could
   * collect that answer (the wait hung): run the io loop here. */
  if (cf__proc_is_io_thread(pb) || helps(pb)) {
    cf__proc_wait_held(pb, f, deadline);
    return;
  }
  if (!pb->shm || ex->cfg.task_timeout_s > 0 || !pb->have_pidfd) return;
  /* The io thread holds io_lock except while it sleeps, so getting it means
   * it sleeps: maybe with a bell on the way (a worker cleared
   * parent_sleeping and rang), and then helping still saves waiting for
   * its wake-up. */
  if (pthread_mutex_trylock(&pb->io_lock) != 0) return;
  if (pb->io_done_loop) {
    pthread_mutex_unlock(&pb->io_lock);
    return;
  }
  help_frame frame = {pb, helping};
  helping = &frame;
  /* parent_sleeping = 0 while we look, as before: leaving it at 1 (no
   * store to a line the worker reads) made pinned round trips ~15%
   * faster but unpinned ones at W=2 fell into a slow mode (10-35 us, the
   * io thread woken nearly every round trip) in most bench rounds.
   * `helping` is the mark for a worker whose lazy-bell time is up. */
  atomic_store_explicit(&pb->g->helping, 1, memory_order_relaxed);
  atomic_store(&pb->g->parent_sleeping, 0);
  /* The records' clock (a TSC read, not clock_gettime), and no read when a
   * result came in: that read was on the round trip's path, between the
   * result and the return to the caller.  A flag says "progress since the
   * last look", and the idle budget restarts at that look. */
  uint64_t t0 = cf__clock_ns(), start = t0, budget = pb->parent_spin_ns * 4;
  int moved = 0;
  for (unsigned i = 1; !cf__state_done(cf__fstate(f)); i++) {
    int progress = 0;
    for (int k = 0; k < pb->n; k++) {
      pslot *s = &pb->slots[k];
      if (!s->qn || s->pid <= 0 || s->dead_pending) continue;
      if (s->qsent < s->qn) progress |= cf__proc_tx_pump(pb, s);
      progress |= cf__proc_rx_pump(pb, s);
    }
    moved |= progress; /* keep helping while results flow */
    if (!progress) cf__cpu_relax();
    if ((i & 15) == 0) {
      uint64_t now = cf__clock_ns();
      if (moved) t0 = now;
      moved = 0;
      if (now - t0 > budget || now - start > HELP_MAX_NS || now >= deadline) break;
    }
  }
  atomic_store(&pb->g->parent_sleeping, 1);
  atomic_store(&pb->g->helping, 0); /* seq_cst, then the look for work (see bell_resolve) */
  /* Ring for the io thread's exit too, not only for work: a shutdown's bell
   * may have been heard already (the io thread slept again, a task still
   * running) and the results we took rang none (their workers learnt that
   * we took them, see bell_seq in process_worker.c), so
   * without this bell nobody wakes it to see the pool idle and end, and
   * cf_executor_free / shutdown(wait=1) would join it for ever. */
  if (cf__proc_has_work(pb) || cf__proc_may_end(pb)) bell_locked(pb);
  helping = frame.outer;
  pthread_mutex_unlock(&pb->io_lock);
}

/* 0, or CF_EDEADLK when called from a done callback of this pool. */
static int pb_join(proc_backend *pb) {
  int rc = 0;
  pthread_mutex_lock(&pb->join_lock);
  if (pb->io_started && !pb->io_joined) {
    if (pthread_equal(pb->io, pthread_self()) || helps(pb)) {
      /* from a done callback: cannot join ourselves; the io thread ends on
       * its own and drops its executor reference last.  Nor from a callback
       * run by a helper: it holds io_lock, which the io thread needs to
       * end; the helper rings it on leaving (cf__proc_may_end) and
       * pb_destroy joins it.  Said as CF_EDEADLK, as a thread worker's
       * wait=1 is: returning 0 claimed a wait that did not happen. */
      rc = CF_EDEADLK;
    } else {
      pthread_join(pb->io, NULL);
      pb->io_joined = 1;
    }
  }
  pthread_mutex_unlock(&pb->join_lock);
  return rc;
}

static int pb_stop(cf_executor *ex, int wait) {
  proc_backend *pb = ex->backend;
  if (!pb) return 0;
  bell_locked(pb); /* the io thread re-checks the shutdown flag */
  return wait ? pb_join(pb) : 0;
}

static void pb_destroy(cf_executor *ex) {
  proc_backend *pb = ex->backend;
  if (!pb) return;
  /* The io thread holds a reference, so we get here only after it has left
   * its loop: either it is this thread (its last unref) or it is ending. */
  if (pb->io_started && !pb->io_joined) {
    if (pthread_equal(pb->io, pthread_self())) pthread_detach(pb->io);
    else pthread_join(pb->io, NULL);
    pb->io_joined = 1;
  }
  pb_free(pb);
  ex->backend = NULL;
}

/* The io thread sends the signal (only it reaps, so a pid it kills is
 * still its worker's) and settles the futures; see term_step. */
static void pb_terminate(cf_executor *ex, int sig) {
  proc_backend *pb = ex->backend;
  if (!pb) return;
  int none = 0;
  atomic_compare_exchange_strong(&pb->term_sig, &none, sig); /* the first signal asked for wins */
  bell_locked(pb);
}

static int pb_worker_pids(const cf_executor *ex, int *pids, int n) {
  proc_backend *pb = ex->backend;
  if (!pb) return 0;
  for (int i = 0; i < n && i < pb->n; i++) pids[i] = atomic_load(&pb->slots[i].pub_pid);
  return pb->n;
}

/* CF_START_SPAWN, CF_START_FORKSERVER: map's chunks name their function as
 * workers find it. */
static int pb_fn_ref(cf_executor *ex, const void *fn, uint32_t *obj, uint64_t *off) {
  proc_backend *pb = ex->backend;
  if (!pb || !pb->spawn) {
    *obj = 0;
    *off = (uint64_t)(uintptr_t)fn;
    return 0;
  }
  return cf__objref(&pb->g->objs, fn, obj, off);
}

/* cf_executor_shutdown(cancel_futures): the io thread cancels the offers. */
static void pb_cancel_offers(cf_executor *ex) {
  proc_backend *pb = ex->backend;
  if (!pb || pb->depth == 1) return;
  atomic_store(&pb->revoke_all, 1);
  bell_locked(pb);
}

const cf__backend_ops cf__process_backend = {.name = "process",
                                             .start = pb_start,
                                             .stop = pb_stop,
                                             .destroy = pb_destroy,
                                             .kick = pb_kick,
                                             .give = pb_give,
                                             .help_wait = pb_help_wait,
                                             .terminate = pb_terminate,
                                             .worker_pids = pb_worker_pids,
                                             .fn_ref = pb_fn_ref,
                                             .revoke = cf__proc_revoke,
                                             .offer_started = cf__proc_offer_started,
                                             .cancel_offers = pb_cancel_offers};
