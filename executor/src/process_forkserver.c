/* process_forkserver.c -- CF_START_FORKSERVER: one small server process per
 * program, started from the program's own image (as a CF_START_SPAWN worker
 * is), that forks the pools' workers on request.
 *
 * Why: a spawned worker pays exec and the dynamic loader for every library
 * the program links (libmpi, hwloc, ...: most of CF_START_SPAWN's start
 * cost); a fork of the parent pays for the parent's page tables.  The
 * server has loaded and relocated everything once and touched nothing
 * else, so a fork of it costs a fraction of either, whatever the parent's
 * heap.  As CPython's forkserver, with one difference: the server forks
 * with clone(CLONE_PARENT), so a worker is the pool's process's child, not
 * the server's -- waitpid, pidfds, exit statuses and SIGCHLD are those of
 * the other start methods, and no status has to be relayed.
 *
 * Protocol: a SOCK_SEQPACKET socketpair; a request is a cf__wparams, the
 * signal mask the worker runs with and its descriptors (SCM_RIGHTS); the
 * answer is the worker's pid or -errno.  The server leaves when its end of
 * the socket reports EOF (every copy of ours closed: cf_forkserver_stop, the
 * last pool of an implicitly started server freed, or our death) or, checked
 * every second, when its parent is gone.  One that does not answer within
 * FSRV_ANSWER_MS (stopped, stuck) or has died is killed and replaced once
 * per request.
 *
 * State is one process-wide record under cf__proc_reg_lock (held across
 * fork() of CF_START_FORK workers, so their copy is consistent); a fork of
 * ours (pid differs from the owner's) forgets its copy. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FSRV_PARENT_CHECK_MS 1000 /* the server checks for a dead parent */
/* A server that has not answered (ready, or a fork) this long is taken for
 * hung (stopped, stuck): killed and replaced.  A fork of the small server
 * takes well under a millisecond; the bound is for hangs only, generous
 * for a loaded machine. */
#define FSRV_ANSWER_MS 5000

/* The fork server of this process (all under cf__proc_reg_lock). */
static struct {
  pid_t pid;      /* 0: none */
  pid_t owner;    /* the process that started it */
  int sock;       /* our end; -1: none */
  int held;       /* cf_forkserver_start holds it */
  int pools;      /* pools holding it */
} srv = {0, 0, -1, 0, 0};

typedef struct fsrv_req {
  cf__wparams w;
  sigset_t mask;
  int32_t nfds;   /* descriptors attached, in WFD_* order: WFD_N or WFD_REQ (shm) */
} fsrv_req;

/* ------------------------------------------------------------ the server */

/* Worker ends of a request, in WFD_* order, from its SCM_RIGHTS (every
 * one received lands in fds, to be closed, even if the request is bad). */
static int fsrv_take_fds(struct msghdr *mh, int nfds, int fds[WFD_N]) {
  for (int i = 0; i < WFD_N; i++) fds[i] = -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(mh);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -1;
  int got = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
  memcpy(fds, CMSG_DATA(c), (size_t)(got < WFD_N ? got : WFD_N) * sizeof(int));
  return got == nfds && !(mh->msg_flags & MSG_CTRUNC) ? 0 : -1;
}

/* A copy of the server (small, single-threaded) whose parent is the
 * server's: the pool's process.  CLONE_CHILD_SETTID at glibc's own TID
 * address keeps pthread_self()'s tid right in the child, as fork() does;
 * the robust futex list is registered again (the kernel does not copy it).
 * pthread_atfork handlers do not run: the server has run no task and holds
 * no lock, so there is nothing for them to reset. */
static pid_t fsrv_clone(int *tid_addr, void *robust, size_t robust_len) {
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_PARENT | (tid_addr ? CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID : 0);
  ca.child_tid = (uint64_t)(uintptr_t)tid_addr;
  ca.exit_signal = 0; /* CLONE_PARENT: the server's own (SIGCHLD) is used; clone3 refuses another */
  long pid = syscall(SYS_clone3, &ca, sizeof ca);
  if (pid == 0 && robust) syscall(SYS_set_robust_list, robust, robust_len);
  return (pid_t)pid;
}

/* Serve one request; 0, or -1 when the socket is done (EOF or error). */
static int fsrv_serve_one(int sock, int *tid_addr, void *robust, size_t robust_len) {
  fsrv_req rq;
  union {
    char buf[CMSG_SPACE(WFD_N * sizeof(int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = {&rq, sizeof rq};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  if (n < 0 && errno == EINTR) return 0;
  if (n <= 0) return -1;
  int fds[WFD_N];
  int32_t answer = -EINVAL;
  int fds_ok = fsrv_take_fds(&mh, n == (ssize_t)sizeof rq ? rq.nfds : -1, fds) == 0;
  if (n == (ssize_t)sizeof rq && fds_ok) {
    pid_t pid = fsrv_clone(tid_addr, robust, robust_len);
    if (pid == 0) {
      close(sock);
      pthread_sigmask(SIG_SETMASK, &rq.mask, NULL);
      cf__proc_worker_enter(&rq.w, fds);
    }
    answer = pid > 0 ? (int32_t)pid : -errno;
  }
  for (int i = 0; i < WFD_N; i++)
    if (fds[i] >= 0) close(fds[i]);
  return send(sock, &answer, sizeof answer, MSG_NOSIGNAL) == (ssize_t)sizeof answer ? 0 : -1;
}

/* The server's life, from spawn_entry: "sock,parent" in v. */
void cf__fsrv_entry(const char *v) {
  int sock, parent;
  if (sscanf(v, "%d,%d", &sock, &parent) != 2) _exit(127); /* never run main() in the server's place */
  unsetenv("CF__FORKSERVER");
  if (getppid() != parent) _exit(0);
  int *tid_addr = NULL;
  if (prctl(PR_GET_TID_ADDRESS, &tid_addr, 0, 0, 0) != 0) tid_addr = NULL; /* needs CONFIG_CHECKPOINT_RESTORE */
  void *robust = NULL;
  size_t robust_len = 0;
  if (syscall(SYS_get_robust_list, 0, &robust, &robust_len) != 0) robust = NULL;
  int32_t ready = 0; /* loaded and listening: fsrv_start_locked waits for it */
  if (send(sock, &ready, sizeof ready, MSG_NOSIGNAL) != (ssize_t)sizeof ready) _exit(0);
  for (;;) {
    struct pollfd p = {sock, POLLIN, 0};
    int r = poll(&p, 1, FSRV_PARENT_CHECK_MS);
    if (getppid() != parent) _exit(0);
    if (r > 0 && fsrv_serve_one(sock, tid_addr, robust, robust_len)) _exit(0);
  }
}

/* ------------------------------------------------------------ our side */

/* A worker of ours (CF_START_FORK), or a fork of it: drop the copy. */
void cf__fsrv_child_drop(void) {
  if (srv.sock >= 0) close(srv.sock);
  srv.sock = -1;
  srv.pid = 0;
}

/* Close our end and reap the server (it leaves on EOF; SIGKILL makes sure
 * even if a fork of ours still holds a copy of our end). */
static void fsrv_stop_locked(void) {
  if (srv.owner != getpid()) { /* inherited through a fork: not ours to stop */
    if (srv.sock >= 0) close(srv.sock);
  } else if (srv.pid > 0) {
    close(srv.sock);
    kill(srv.pid, SIGKILL);
    while (waitpid(srv.pid, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  srv.sock = -1;
  srv.pid = 0;
}

/* Wait (bounded, FSRV_ANSWER_MS) for the server's answer on sock: the
 * bytes received, 0 on EOF, -1 with errno (ETIMEDOUT: hung). */
static ssize_t fsrv_recv_answer(int sock, int32_t *answer) {
  struct pollfd p = {sock, POLLIN, 0};
  uint64_t deadline = cf__now_ns() + FSRV_ANSWER_MS * 1000000ull;
  for (;;) {
    uint64_t now = cf__now_ns();
    if (now >= deadline) {
      errno = ETIMEDOUT;
      return -1;
    }
    int r = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
    if (r < 0 && errno != EINTR) return -1;
    if (r <= 0) continue;
    ssize_t n = recv(sock, answer, sizeof *answer, MSG_DONTWAIT);
    if (n >= 0 || (errno != EINTR && errno != EAGAIN)) return n;
  }
}

/* posix_spawn of our image as the fork server. */
static int fsrv_start_locked(char *why, size_t whylen) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return cf__proc_spawn_error(why, whylen, "fork server: socketpair", errno);
  int fd = sv[0] > sv[1] ? sv[0] + 1 : sv[1] + 1; /* no dup2 overwrites a source */
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, sv[1], fd);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none); /* each worker gets its pool's mask */
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  char extra[64];
  snprintf(extra, sizeof extra, "CF__FORKSERVER=%d,%d", fd, (int)getpid());
  char **env = cf__proc_spawn_env(extra);
  char *argv[] = {"cfutures-forkserver", NULL};
  pid_t pid = 0;
  int e = env ? posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, env) : ENOMEM;
  free(env);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  if (e) {
    close(sv[0]);
    return cf__proc_spawn_error(why, whylen, "fork server: posix_spawn", e);
  }
  /* Wait until it is ready, so its start (exec, loading the program's
   * libraries) is paid here and not by whichever worker start comes next. */
  int32_t ready = -1;
  ssize_t n = fsrv_recv_answer(sv[0], &ready);
  if (n != (ssize_t)sizeof ready) {
    int err = n < 0 ? errno : EPROTO;
    close(sv[0]);
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    return cf__proc_spawn_error(why, whylen, "fork server: did not start", err);
  }
  srv.pid = pid;
  srv.owner = getpid();
  srv.sock = sv[0];
  return 0;
}

/* A running server of this process, started if need be. */
static int fsrv_ensure_locked(char *why, size_t whylen) {
  if (srv.pid > 0 && srv.owner != getpid()) { /* a fork of ours: that server is our parent's */
    cf__fsrv_child_drop();
    srv.held = srv.pools = 0;
  }
  return srv.pid > 0 ? 0 : fsrv_start_locked(why, whylen);
}

int cf__fsrv_acquire_locked(char *why, size_t whylen) {
  int rc = fsrv_ensure_locked(why, whylen);
  if (rc == 0) srv.pools++;
  return rc;
}

void cf__fsrv_release_locked(void) {
  if (srv.owner != getpid()) return; /* forgotten by fsrv_ensure_locked already */
  if (srv.pools > 0 && --srv.pools == 0 && !srv.held) fsrv_stop_locked();
}

/* One request and its answer; 1: the server is gone (EOF, reset) or hung
 * (no answer in FSRV_ANSWER_MS). */
static int fsrv_ask(const fsrv_req *rq, const int fds[WFD_N], int32_t *answer) {
  union {
    char buf[CMSG_SPACE(WFD_N * sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  struct iovec iov = {(void *)rq, sizeof *rq};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                      .msg_controllen = CMSG_SPACE((size_t)rq->nfds * sizeof(int))};
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN((size_t)rq->nfds * sizeof(int));
  memcpy(CMSG_DATA(c), fds, (size_t)rq->nfds * sizeof(int));
  ssize_t n;
  while ((n = sendmsg(srv.sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (n < 0) return errno == EPIPE || errno == ECONNRESET ? 1 : -errno;
  n = fsrv_recv_answer(srv.sock, answer);
  if (n == (ssize_t)sizeof *answer) return 0;
  return n == 0 || errno == ECONNRESET || errno == ETIMEDOUT ? 1 : n < 0 ? -errno : -EPROTO;
}

/* Have the server fork a worker; a server that died (killed, say) is
 * replaced once. */
int cf__fsrv_fork_locked(const cf__wparams *w, const sigset_t *mask, const int fds[WFD_N], pid_t *pid, char *why,
                         size_t whylen) {
  fsrv_req rq;
  memset(&rq, 0, sizeof rq);
  rq.w = *w;
  rq.mask = *mask;
  rq.nfds = fds[WFD_REQ] >= 0 ? WFD_N : WFD_REQ;
  for (int attempt = 0;; attempt++) {
    int rc = fsrv_ensure_locked(why, whylen);
    if (rc) return rc;
    int32_t answer = 0;
    int r = fsrv_ask(&rq, fds, &answer);
    if (r == 1 && attempt == 0) {
      fsrv_stop_locked(); /* kills a hung one, reaps it; the loop starts another */
      continue;
    }
    if (r) return cf__proc_spawn_error(why, whylen, "fork server", r == 1 ? ECONNRESET : -r);
    if (answer < 0) return cf__proc_spawn_error(why, whylen, "fork server: clone", -answer);
    *pid = (pid_t)answer;
    return 0;
  }
}

/* ------------------------------------------------------------ public API */

int cf_forkserver_start(void) {
  char why[160];
  pthread_mutex_lock(&cf__proc_reg_lock);
  int rc = fsrv_ensure_locked(why, sizeof why);
  if (rc == 0) srv.held = 1;
  pthread_mutex_unlock(&cf__proc_reg_lock);
  if (rc) cf__set_error("%s", why);
  return rc;
}

void cf_forkserver_stop(void) {
  pthread_mutex_lock(&cf__proc_reg_lock);
  if (srv.owner == getpid()) {
    srv.held = 0;
    if (srv.pools == 0) fsrv_stop_locked();
  }
  pthread_mutex_unlock(&cf__proc_reg_lock);
}

int cf_forkserver_pid(void) {
  pthread_mutex_lock(&cf__proc_reg_lock);
  int pid = srv.owner == getpid() ? (int)srv.pid : 0;
  pthread_mutex_unlock(&cf__proc_reg_lock);
  return pid;
}
