/* process_io.c -- the parent's io thread: one loop that pumps every
 * worker's channel, dispatches, reaps deaths, enforces timeouts and
 * terminate, spins briefly when idle and then sleeps in epoll (bell, pidfds,
 * pipes); at shutdown it stops and reaps the workers. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Is there anything the loop could do right now without waiting? */
int cf__proc_has_work(proc_backend *pb) {
  int idle = 0, room = 0;
  if (pb->spawn_down && atomic_load(&pb->nlive) == 0 && cf__proc_work_left(pb)) return 1; /* to fail */
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->dead_pending) return 1;
    if (cf__proc_slot_room(pb, s)) {
      room = 1;
      idle |= s->qn == 0;
    }
    if (!pb->shm || !s->qn) continue;
    if (s->qsent < s->qn && ring_used(&s->sh->req) < RING_BYTES) return 1;
    if (s->qsent > 0 && (ring_used(&s->sh->res) > 0 || cf__proc_mbox_ready(s))) return 1;
  }
  return (room && cf__proc_work_left(pb)) || (idle && pb->depth > 1 && cf__proc_any_stealable(pb));
}

static void process_events(proc_backend *pb, struct epoll_event *evs, int n) {
  for (int i = 0; i < n; i++) {
    int tag = (int)(evs[i].data.u64 >> 32), idx = (int)(uint32_t)evs[i].data.u64;
    if (tag == EV_BELL) {
      uint64_t v;
      if (read(pb->efd, &v, sizeof v) < 0) { /* already drained */
      }
      continue;
    }
    pslot *s = &pb->slots[idx];
    if (tag == EV_PID) s->dead_pending = 1;
    else if (tag == EV_RES) s->rx_ready = 1;
    else if (tag == EV_REQ) s->tx_ready = 1;
  }
}

/* cf_executor_shutdown(cancel_futures): the requests queued behind each
 * worker's first one were queued futures, so they are cancelled like the
 * queue.  The first is the worker's, as when it was claimed at dispatch
 * (cf_executor_terminate then blames it, see sort_held). */
static void cancel_offers(proc_backend *pb) {
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    for (int j = 1; j < s->qn; j++) {
      inflight *e = q_at(s, j);
      if (e->offered) cf_future_cancel(e->f); /* cf__proc_revoke: the worker then skips it */
    }
  }
}

static int handle_events(proc_backend *pb, int timeout_ms) {
  struct epoll_event evs[64];
  int n = epoll_wait(pb->epfd, evs, 64, timeout_ms);
  process_events(pb, evs, n);
  return n > 0;
}

static int all_idle(proc_backend *pb) {
  for (int i = 0; i < pb->n; i++)
    if (pb->slots[i].qn) return 0;
  return 1;
}

/* The loop may end: shutdown was asked and nothing is left to run. */
int cf__proc_may_end(proc_backend *pb) {
  return atomic_load(&pb->ex->shutdown) && !cf__proc_work_left(pb) && all_idle(pb);
}

/* cf_executor_terminate asked for a signal: send it to every worker (and
 * SIGCONT, so a stopped one takes it), then SIGKILL to those still alive
 * after the grace.  Returns the next deadline. */
static uint64_t term_step(proc_backend *pb, uint64_t now) {
  int sig = atomic_load(&pb->term_sig);
  if (!sig || pb->term_killed) return UINT64_MAX;
  if (pb->term_sent && now < pb->term_deadline) return pb->term_deadline;
  int with = pb->term_sent ? SIGKILL : sig;
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->pid <= 0) continue; /* not reaped yet: the pid is still ours */
    kill(s->pid, with);
    if (with != SIGKILL) kill(s->pid, SIGCONT);
  }
  if (pb->term_sent || sig == SIGKILL) {
    pb->term_killed = 1;
    return UINT64_MAX;
  }
  pb->term_sent = 1;
  pb->term_deadline = now + (uint64_t)TERM_GRACE_MS * 1000000ull;
  return pb->term_deadline;
}

/* Ask s's idle worker to exit: an explicit message on both transports (a
 * pipe's end-of-file may never come while another process holds its write
 * end, e.g. a child the user forked), then, for pipes, the EOF as well. */
static void send_exit(proc_backend *pb, pslot *s) {
  req_hdr h = {MSG_EXIT, 0, 0, 0, 0, CLAIM_NONE, 0};
  if (pb->shm) {
    cf__proc_ring_write_some(&s->sh->req, (const unsigned char *)&h, sizeof h);
    return;
  }
  if (!s->tx_dead && write(s->req_fd, &h, sizeof h) < 0) { /* dead or full: the EOF or the grace ends it */
  }
  epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->req_fd, NULL);
  pthread_mutex_lock(&cf__proc_reg_lock);
  cf__proc_close_fd(&s->req_fd);
  pthread_mutex_unlock(&cf__proc_reg_lock);
}

/* Wait for s's process to end, killing it after `dl` (or at once when
 * cf_executor_terminate asks meanwhile), and reap it. */
static void reap_until(proc_backend *pb, pslot *s, uint64_t dl) {
  int status;
  while (!cf__proc_slot_reap(s, 0, &status)) {
    uint64_t now = cf__now_ns(), tdl = term_step(pb, now);
    if (pb->term_sent && tdl < dl) dl = tdl;
    if (now > dl) {
      kill(s->pid, SIGKILL);
      cf__proc_slot_reap(s, 1, &status);
      break;
    }
    if (s->pidfd >= 0) {
      struct pollfd pfd = {s->pidfd, POLLIN, 0};
      poll(&pfd, 1, 50);
    } else {
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
  }
}

/* Tell every worker to exit and reap it. */
static void stop_workers(proc_backend *pb) {
  for (int i = 0; i < pb->n; i++)
    if (pb->slots[i].pid > 0) send_exit(pb, &pb->slots[i]);
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->pid <= 0) continue;
    reap_until(pb, s, cf__now_ns() + (uint64_t)EXIT_GRACE_MS * 1000000ull);
    cf__proc_slot_clear(pb, s);
  }
}

/* One pass of the io loop: pump every channel, dispatch, look at events
 * (every 1 ms while busy), deaths, timeouts, terminate, respawns.  Returns
 * 1 on progress; *next_dl: the next deadline to wake up for.  Under
 * io_lock; also run nested, from a done callback waiting on a future of
 * this pool (cf__proc_wait_held). */
static int io_step(proc_backend *pb, uint64_t *last_poll, uint64_t *next_dl) {
  int progress = 0;
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (!s->qn || s->pid <= 0) continue;
    if (s->qsent < s->qn) progress |= cf__proc_tx_pump(pb, s);
    progress |= cf__proc_rx_pump(pb, s);
  }
  if (atomic_load(&pb->revoke_all) && atomic_exchange(&pb->revoke_all, 0)) cancel_offers(pb);
  progress |= cf__proc_dispatch_all(pb);
  uint64_t now = cf__now_ns();
  int poll_all = 0;
  if (now - *last_poll > 1000000ull) { /* busy for 1 ms: look at the pidfds anyway */
    progress |= handle_events(pb, 0);
    poll_all = !pb->have_pidfd;
    *last_poll = now;
  }
  progress |= cf__proc_check_deaths(pb, poll_all);
  uint64_t dl = cf__proc_check_timeouts(pb, now), tdl = term_step(pb, now);
  if (tdl < dl) dl = tdl;
  cf__proc_spawn_retry(pb, now, &dl);
  progress |= cf__proc_spawn_fail_waiting(pb);
  *next_dl = dl;
  return progress;
}

/* epoll_wait's timeout for a sleep until dl (UINT64_MAX: none); polling
 * for deaths without pidfds while a worker is busy. */
static int sleep_timeout(proc_backend *pb, uint64_t dl) {
  int timeout = -1;
  uint64_t now = cf__now_ns();
  if (dl != UINT64_MAX) timeout = dl > now ? (int)((dl - now + 999999) / 1000000) : 0;
  if (!pb->have_pidfd && (!all_idle(pb) || pb->term_sent) && (timeout < 0 || timeout > DEATH_POLL_MS))
    timeout = DEATH_POLL_MS;
  return timeout;
}

static _Thread_local proc_backend *io_self; /* the pool whose io thread this is */

int cf__proc_is_io_thread(const proc_backend *pb) { return io_self == pb; }

/* A thread that holds pb's io_lock -- its io thread, or a waiter helping
 * it (pb_help_wait) -- runs a done callback that waits on f, a future of
 * pb not done yet.  Nobody else can collect f's answer (or dispatch it)
 * while we hold the lock, so this thread runs the io loop itself, nested,
 * until f is done or the deadline passes; it sleeps in epoll as the io
 * thread does (workers ring while parent_sleeping is 1).  The io thread's
 * own state is the slots' and the lists', consistent wherever a callback
 * runs (see cf__proc_in_death for the one exception). */
void cf__proc_wait_held(proc_backend *pb, cf_future *f, uint64_t deadline) {
  uint64_t last_poll = 0, dl; /* 0: look at the events at once */
  int was = atomic_load(&pb->g->parent_sleeping); /* a helper's: 1 (the io thread sleeps), as we leave it */
  while (!cf__state_done(cf__fstate(f))) {
    if (io_step(pb, &last_poll, &dl) || cf__state_done(cf__fstate(f))) continue;
    uint64_t now = cf__now_ns();
    if (now >= deadline) return;
    if (deadline < dl) dl = deadline;
    atomic_store(&pb->g->parent_sleeping, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (!cf__proc_has_work(pb)) {
      struct epoll_event evs[64];
      int n = epoll_wait(pb->epfd, evs, 64, sleep_timeout(pb, dl));
      process_events(pb, evs, n);
      last_poll = cf__now_ns();
      if (!pb->have_pidfd) cf__proc_check_deaths(pb, 1);
    }
    atomic_store(&pb->g->parent_sleeping, was);
  }
}

void *cf__proc_io_main(void *p) {
  proc_backend *pb = p;
  cf_executor *ex = pb->ex;
  uint64_t last_poll = cf__now_ns();
  io_self = pb;
  pthread_mutex_lock(&pb->io_lock);
  for (;;) {
    uint64_t next_dl;
    int progress = io_step(pb, &last_poll, &next_dl);
    if (progress) continue;
    if (cf__proc_may_end(pb)) break;
    /* Nothing to do: spin a little (shm: results show up in memory). */
    if (pb->shm) {
      spin_wait sp = {0, 0};
      int found = 0;
      while (!(found = cf__proc_has_work(pb)) && spin_more(&sp, pb->parent_spin_ns)) {
      }
      if (found) continue;
    }
    atomic_store(&pb->g->parent_sleeping, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (!cf__proc_has_work(pb) && !cf__proc_may_end(pb)) {
      int timeout = sleep_timeout(pb, next_dl);
      /* While we sleep a submitter may dispatch in our place (pb_kick). */
      struct epoll_event evs[64];
      pthread_mutex_unlock(&pb->io_lock);
      int n = epoll_wait(pb->epfd, evs, 64, timeout);
      pthread_mutex_lock(&pb->io_lock);
      process_events(pb, evs, n);
      last_poll = cf__now_ns();
      if (!pb->have_pidfd) cf__proc_check_deaths(pb, 1);
    }
    atomic_store(&pb->g->parent_sleeping, 0);
  }
  stop_workers(pb);
  pb->io_done_loop = 1;
  pthread_mutex_unlock(&pb->io_lock);
  /* Leave no fd behind once shutdown(wait=1) returns. */
  pthread_mutex_lock(&cf__proc_reg_lock);
  cf__proc_close_fd(&pb->epfd);
  cf__proc_close_fd(&pb->gfd); /* no worker is spawned any more */
  pthread_mutex_unlock(&cf__proc_reg_lock);
  pthread_mutex_lock(&pb->fd_lock);
  pb->io_done = 1;
  pthread_mutex_lock(&cf__proc_reg_lock);
  cf__proc_close_fd(&pb->efd);
  pthread_mutex_unlock(&cf__proc_reg_lock);
  pthread_mutex_unlock(&pb->fd_lock);
  cf__executor_unref(ex);              /* may destroy ex and pb (then detached) */
  return NULL;
}
