/* process_slot.c -- one worker slot's process: make its channel, start it
 * (fork, or spawn via process_spawn.c), reap it, release its descriptors;
 * failed (re)starts (e.g. under RLIMIT_NPROC) are retried with back-off,
 * and while no worker is alive queued work fails at once with CF_EBROKEN. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int cf__proc_ep_ctl(proc_backend *pb, int op, int fd, uint32_t events, int tag, int idx) {
  struct epoll_event ev = {.events = events, .data.u64 = ((uint64_t)tag << 32) | (uint32_t)idx};
  return epoll_ctl(pb->epfd, op, fd, &ev);
}

/* Release a slot's process resources (the process is reaped or never was). */
void cf__proc_slot_clear(proc_backend *pb, pslot *s) {
  if (s->pidfd >= 0) epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->pidfd, NULL);
  if (s->res_fd >= 0 && !s->res_eof) epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->res_fd, NULL);
  if (s->req_fd >= 0) epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->req_fd, NULL);
  pthread_mutex_lock(&cf__proc_reg_lock);
  cf__proc_slot_release_locked(s);
  pthread_mutex_unlock(&cf__proc_reg_lock);
  if (s->pid > 0) atomic_fetch_sub(&pb->nlive, 1);
  s->pid = 0;
  s->dead_pending = 0; /* else cf__proc_has_work() keeps the io thread spinning on an empty slot */
  atomic_store(&s->pub_pid, 0);
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* "what: strerror(e)" into why; the CF_E* code for errno e. */
int cf__proc_spawn_error(char *why, size_t len, const char *what, int e) {
  snprintf(why, len, "%s: %s", what, strerror(e));
  return e == ENOMEM ? CF_ENOMEM : CF_EAGAIN;
}

static void slot_reset(proc_backend *pb, pslot *s) {
  s->qh = s->qn = s->qsent = 0;
  s->rx_ready = s->tx_ready = s->res_eof = s->tx_dead = s->dead_pending = 0;
  s->dispatched = 0;
  s->mb_seq = 0; /* a fresh mapping: its mailboxes start empty */
  s->timed_out = 0;
  s->tx_blocked = 0;
  s->tx_off = s->rx_off = 0;
  s->rx_bad = 0;
  s->pidfd = s->req_fd = s->res_fd = -1;
  s->sh_len = pb->shm ? sizeof(wshared) : sizeof(wstatus);
  long page = sysconf(_SC_PAGESIZE);
  s->sh_len = (s->sh_len + (size_t)page - 1) / (size_t)page * (size_t)page;
}

/* The pipe transport's two pipes, the parent's ends non-blocking; -1 with
 * errno (and nothing left open) on failure. */
int cf__proc_chan_pipes(int req[2], int res[2]) {
  if (pipe2(req, O_CLOEXEC) == 0 && pipe2(res, O_CLOEXEC) == 0 && set_nonblock(req[1]) == 0 &&
      set_nonblock(res[0]) == 0) {
    fcntl(req[1], F_SETPIPE_SZ, (int)RING_BYTES);
    fcntl(res[1], F_SETPIPE_SZ, (int)RING_BYTES);
    return 0;
  }
  int e = errno;
  for (int i = 0; i < 2; i++) {
    if (req[i] >= 0) close(req[i]);
    if (res[i] >= 0) close(res[i]);
    req[i] = res[i] = -1;
  }
  errno = e;
  return -1;
}

/* Make the channel and fork the worker, under the registry lock (see process_registry.c). */
static int slot_fork(proc_backend *pb, pslot *s, char *why, size_t whylen) {
  int req[2] = {-1, -1}, res[2] = {-1, -1};
  void *m = mmap(NULL, s->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return cf__proc_spawn_error(why, whylen, "mmap", errno);
  s->sh = m;
  if (!pb->shm) {
    if (cf__proc_chan_pipes(req, res)) {
      int e = cf__proc_spawn_error(why, whylen, "pipe", errno);
      cf__proc_slot_release_locked(s);
      return e;
    }
    s->req_fd = req[0]; /* the child's ends, for the fork */
    s->res_fd = res[1];
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    int e = cf__proc_spawn_error(why, whylen, "fork", errno);
    if (!pb->shm) {
      close(req[1]);
      close(res[0]);
    }
    cf__proc_slot_release_locked(s);
    return e;
  }
  if (pid == 0) {
    if (!pb->shm) {
      close(req[1]); /* the parent's ends: else no EOF when the parent goes */
      close(res[0]);
    }
    cf__proc_child_main(pb, s->index);
  }
  s->pid = pid;
  if (!pb->shm) {
    close(req[0]);
    close(res[1]);
    s->req_fd = req[1];
    s->res_fd = res[0];
  }
  return 0;
}

/* After the process of s started: what fork and spawn share. */
static void slot_started(proc_backend *pb, pslot *s) {
  atomic_store(&s->pub_pid, (int)s->pid);
  atomic_fetch_add(&pb->nlive, 1);
  if (pb->have_pidfd) {
    s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
    if (s->pidfd >= 0) fcntl(s->pidfd, F_SETFD, FD_CLOEXEC);
    else pb->have_pidfd = 0; /* fall back to polling for every worker */
  }
}

/* Start a worker process in slot s.  0, or a CF_E* code with the reason
 * ("fork: Resource temporarily unavailable") in why. */
int cf__proc_slot_spawn(proc_backend *pb, pslot *s, char *why, size_t whylen) {
  slot_reset(pb, s);
  pthread_mutex_lock(&cf__proc_reg_lock);
  int rc = pb->spawn ? cf__proc_slot_exec(pb, s, why, whylen) : slot_fork(pb, s, why, whylen);
  if (rc == 0) slot_started(pb, s);
  pthread_mutex_unlock(&cf__proc_reg_lock);
  if (rc) return rc;
  /* A spawned worker does not inherit the plan: bind it from here. */
  if (pb->spawn && pb->ex->cfg.pin != CF_PIN_NONE && (rc = cf__pin_process(&pb->ex->cfg, s->index, s->pid))) {
    snprintf(why, whylen, "pinning worker %d: %s", s->index, cf_strerror(rc));
    int status;
    kill(s->pid, SIGKILL);
    cf__proc_slot_reap(s, 1, &status);
    cf__proc_slot_clear(pb, s);
    return rc;
  }
  /* Without its pipes in epoll the io thread would never hear from the
   * worker: give the process up. */
  if (!pb->shm && (cf__proc_ep_ctl(pb, EPOLL_CTL_ADD, s->res_fd, EPOLLIN, EV_RES, s->index) ||
                   cf__proc_ep_ctl(pb, EPOLL_CTL_ADD, s->req_fd, 0, EV_REQ, s->index))) {
    rc = cf__proc_spawn_error(why, whylen, "epoll_ctl", errno);
    int status;
    kill(s->pid, SIGKILL);
    cf__proc_slot_reap(s, 1, &status);
    cf__proc_slot_clear(pb, s);
    return rc;
  }
  /* Without its pidfd in epoll the io thread would sleep through the
   * worker's death: watch every worker by polling instead. */
  if (s->pidfd >= 0 && cf__proc_ep_ctl(pb, EPOLL_CTL_ADD, s->pidfd, EPOLLIN, EV_PID, s->index)) {
    pthread_mutex_lock(&cf__proc_reg_lock);
    cf__proc_close_fd(&s->pidfd);
    pthread_mutex_unlock(&cf__proc_reg_lock);
    pb->have_pidfd = 0;
  }
  return 0;
}

void cf__proc_describe_status(char *buf, size_t len, int status) {
  if (status == -1) snprintf(buf, len, "exited (status unavailable)");
  else if (WIFSIGNALED(status))
    snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  else if (WIFEXITED(status)) snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
  else snprintf(buf, len, "ended with wait status %d", status);
}

/* Reap s's process; blocking if `block`.  Returns 1 if reaped (status set). */
int cf__proc_slot_reap(pslot *s, int block, int *status) {
  for (;;) {
    pid_t r = waitpid(s->pid, status, block ? 0 : WNOHANG);
    if (r == s->pid) return 1;
    if (r == 0) return 0;
    if (errno == EINTR) continue;
    *status = -1; /* ECHILD: someone else reaped it (SIGCHLD ignored?) */
    return 1;
  }
}

/* Schedule the next retry of failed spawns (one per round): back-off
 * doubling from 10 ms to 1 s, so a lasting limit costs one fork a second. */
static void spawn_schedule_retry(proc_backend *pb) {
  if (pb->spawn_retry_ns) return;
  uint64_t b = pb->spawn_backoff_ns ? pb->spawn_backoff_ns * 2 : SPAWN_BACKOFF_MIN_NS;
  if (b > SPAWN_BACKOFF_MAX_NS) b = SPAWN_BACKOFF_MAX_NS;
  pb->spawn_backoff_ns = b;
  pb->spawn_retry_ns = cf__now_ns() + b;
}

/* Publish how many slots wait for a worker; back to normal once none. */
static void spawn_update_down(proc_backend *pb) {
  int down = 0;
  for (int i = 0; i < pb->n; i++) down += pb->slots[i].pid <= 0;
  if (!down) {
    pb->spawn_down = 0;
    pb->spawn_backoff_ns = 0;
  }
  atomic_store(&pb->ex->st_workers_down, pb->spawn_down ? (uint64_t)down : 0);
}

/* Replace the process of slot s; on failure count it and retry later. */
int cf__proc_try_spawn(proc_backend *pb, pslot *s) {
  char why[160];
  int rc = cf__proc_slot_spawn(pb, s, why, sizeof why);
  if (rc == 0) {
    atomic_fetch_add_explicit(&pb->ex->st_respawns, 1, memory_order_relaxed);
  } else {
    atomic_fetch_add_explicit(&pb->ex->st_respawn_failures, 1, memory_order_relaxed);
    snprintf(pb->spawn_err, sizeof pb->spawn_err, "cannot respawn worker %d: %s", s->index, why);
    pb->spawn_down = 1;
    spawn_schedule_retry(pb);
  }
  spawn_update_down(pb);
  return rc;
}

/* Time for the retry of failed spawns?  Else lower *next_dl to it. */
void cf__proc_spawn_retry(proc_backend *pb, uint64_t now, uint64_t *next_dl) {
  cf_executor *ex = pb->ex;
  if (!pb->spawn_retry_ns) return;
  if (now < pb->spawn_retry_ns) {
    if (pb->spawn_retry_ns < *next_dl) *next_dl = pb->spawn_retry_ns;
    return;
  }
  pb->spawn_retry_ns = 0;
  for (int i = 0; i < pb->n; i++)
    if (pb->slots[i].pid <= 0 && !atomic_load(&ex->broken) && (!atomic_load(&ex->shutdown) || cf__proc_work_left(pb)))
      cf__proc_try_spawn(pb, &pb->slots[i]);
  if (pb->spawn_retry_ns && pb->spawn_retry_ns < *next_dl) *next_dl = pb->spawn_retry_ns; /* failed again */
}

/* No worker alive and none could be started: fail what waits (CF_EBROKEN,
 * the reason) instead of keeping it pending until a retry succeeds. */
int cf__proc_spawn_fail_waiting(proc_backend *pb) {
  if (!pb->spawn_down || atomic_load(&pb->nlive) > 0 || !cf__proc_work_left(pb)) return 0;
  cf__queue_drain(pb->ex, CF_EBROKEN, pb->spawn_err);
  cf__proc_fail_redo(pb, pb->spawn_err);
  return 1;
}
