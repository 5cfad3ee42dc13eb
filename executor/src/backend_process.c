/* backend_process.c -- the process backend: forked worker processes, a
 * shared-memory (or pipe) transport, one I/O thread in the parent that
 * dispatches tasks and completes futures, crash isolation with respawn,
 * per-task timeouts and worker recycling.
 *
 * Parent side.  One "io" thread owns every worker slot.  It takes futures
 * from the executor's pending queue while a worker has room: up to
 * PIPE_DEPTH requests in flight per worker on the shm transport, each
 * offered in a claim word so that it stays PENDING and cancellable until
 * the worker takes it (see PIPE_DEPTH); one with pipes or task timeouts,
 * claimed (RUNNING) at dispatch.  It writes the request
 * into the worker's channel, reads responses into f->res and finishes the
 * futures.  It never blocks on one worker: sends and receives are
 * resumable, so a 16 MiB result streams through a 256 KiB ring while other
 * workers are served.  When idle it spins briefly, then sleeps in epoll on
 * an eventfd (rung by submitters and by workers, only while it sleeps), the
 * workers' pidfds (death) and, for the pipe transport, the pipes.  While it
 * sleeps (shm transport, no task timeout), a submitter hands its task to an
 * idle worker itself (pb_kick) and a thread waiting on a future collects
 * results itself (pb_help_wait), so a round trip wakes nobody but the
 * worker.  Slot state is under io_lock, which the io thread drops only to
 * sleep.
 *
 * Worker side.  A forked child runs the initializer, then loops: read a
 * request, run fn, write the response.  It spins briefly, then sleeps on the
 * ring's futex word (shared futex, not FUTEX_PRIVATE); the parent wakes it
 * only when it sleeps.  A per-worker status page in shared memory tells the
 * parent what the worker is doing (initializing, which task it started and
 * when), so a death can be pinned on the right task and timeouts measured
 * from the real start.
 *
 * Wire format (both transports, native byte order, no padding):
 *   request:  req_hdr {type, tag, fn, len} + len argument bytes
 *   response: res_hdr {type, rc, tag, start_ns, cpu, len} + len result bytes
 * The tag is the future's id.  Messages of any size are streamed.
 *
 * Descriptors across executors.  fork() copies every descriptor and shared
 * mapping of the parent, including those of other process executors: a
 * worker of B holding A's pipe ends would keep A's worker from ever seeing
 * end-of-file, and pin A's rings in memory.  So every backend is in a
 * process-wide list, and a new worker closes and unmaps what belongs to the
 * others (and to its own pool's other slots).  reg_lock is held across
 * fork() and around every change of those descriptors and mappings, so the
 * child's copy of the list is consistent; the child never takes it.
 *
 * Start methods.  CF_START_FORK forks the parent (above).  CF_START_SPAWN
 * posix_spawn()s the program's own image instead (slot_exec): its pages are
 * memfds handed over at fixed descriptors, spawn_entry (a constructor) runs
 * the worker loop before main(), and task functions travel as (object,
 * offset) pairs (objref.c), so start cost does not grow with the parent.
 *
 * Failures to (re)start a worker (fork, pipe, mmap, epoll_ctl failing, e.g.
 * under RLIMIT_NPROC) are retried with back-off; while no worker is alive,
 * queued work fails at once with CF_EBROKEN and the reason, and the pool
 * comes back when a retry succeeds. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define RING_BYTES (256u << 10)        /* per direction per worker; power of two */
#define RING_MASK (RING_BYTES - 1u)
/* Spinning before sleeping pays only with CPUs to spare: with at least
 * workers + 2 CPUs the io thread spins 20 us and a worker 50 us for its next
 * task; on a smaller machine 5 us and 2 us (spinners would steal the CPU the
 * peer needs to answer). */
#define PARENT_SPIN_NS 20000ull
#define CHILD_SPIN_NS 50000ull
#define PARENT_SPIN_SMALL_NS 5000ull
#define LAZY_BELL_NS 3000ull           /* a worker waits this long for a helper */
#define HELP_MAX_NS 1000000ull         /* a waiter collects for others at most this long */
#define CHILD_SPIN_SMALL_NS 2000ull
#define ORPHAN_CHECK_NS 1000000000ull  /* idle workers check for a dead parent */
#define DEATH_POLL_MS 10               /* without pidfd: poll busy workers */
#define EXIT_GRACE_MS 5000             /* shutdown: then SIGKILL a worker */
#define TERM_GRACE_MS 1000             /* cf_executor_terminate: then SIGKILL */
#define SPAWN_BACKOFF_MIN_NS 10000000ull   /* first retry of a failed spawn: 10 ms */
#define SPAWN_BACKOFF_MAX_NS 1000000000ull /* doubling up to 1 s */
#define SHRINK_BYTES (1u << 20)        /* workers drop buffers larger than this */

/* Pipelining (shm transport, no task timeout): up to PIPE_DEPTH requests in
 * flight per worker, so the worker starts its next task without waiting for
 * the parent.  A pipelined future stays PENDING (cancellable) until the
 * worker claims it: the parent "offers" it in a claim word of the worker's
 * shared page (the future's id), the worker CASes id -> id|CLAIM_RUN before
 * running it, and cf_future_cancel (pb_revoke) CASes id -> id|CLAIM_CANC;
 * exactly one wins.  A worker that loses answers MSG_SKIP.  With pipes or
 * task timeouts the depth is 1 and the parent claims at dispatch, as the
 * timeout is measured per dispatched task. */
#define PIPE_DEPTH 16
#define CLAIM_NONE 0xffffffffu         /* req_hdr.claim: claimed by the parent */
#define CLAIM_RUN (1ull << 63)
#define CLAIM_CANC (1ull << 62)

enum { MSG_TASK = 1, MSG_EXIT = 2, MSG_RESULT = 3, MSG_SKIP = 4 };
enum { PH_INIT = 0, PH_READY, PH_INIT_FAILED, PH_PIN_FAILED, PH_RECYCLED };
enum { EV_BELL = 0, EV_PID, EV_RES, EV_REQ };

typedef struct req_hdr {
  uint32_t type, pad;
  uint64_t tag, fn, len;
  uint32_t claim, pad2;           /* claim word index, or CLAIM_NONE */
} req_hdr;

typedef struct res_hdr {
  uint32_t type;
  int32_t rc;
  uint64_t tag, start_ns;
  int32_t cpu, pad;
  uint64_t len;
} res_hdr;

/* A single-producer single-consumer byte ring in shared memory.  The
 * positions are free-running 32-bit counters and double as futex words. */
typedef struct ring {
  _Alignas(CF_CACHELINE) _Atomic int tail;  /* producer position */
  _Atomic int cons_sleep;                   /* consumer sleeps on tail */
  _Alignas(CF_CACHELINE) _Atomic int head;  /* consumer position */
  _Atomic int prod_sleep;                   /* producer waits for space */
  _Alignas(CF_CACHELINE) unsigned char data[RING_BYTES];
} ring;

/* What a worker tells the parent, in shared memory. */
typedef struct wstatus {
  _Atomic int phase;              /* PH_* */
  _Atomic int init_rc;
  _Atomic uint64_t cur_tag;       /* task started and not yet answered, 0: none */
  _Atomic uint64_t cur_start_ns;
  _Atomic uint64_t ready_ns;      /* when the initializer was done */
} wstatus;

typedef struct wshared {
  wstatus st;
  _Alignas(CF_CACHELINE) _Atomic uint64_t claim[PIPE_DEPTH]; /* see PIPE_DEPTH */
  ring req;                       /* parent -> worker (shm transport only) */
  ring res;                       /* worker -> parent */
} wshared;

/* Executor-wide shared word: the io thread sleeps (workers ring the bell). */
typedef struct gshared {
  _Atomic int parent_sleeping;
  cf__objtab objs;                /* CF_START_SPAWN: objects of task functions */
} gshared;

/* A request in flight on a worker, in the order sent. */
typedef struct inflight {
  cf_future *f;
  req_hdr h;                      /* the request (h.tag identifies the answer) */
  int offered;                    /* PENDING, offered in claim word h.claim */
  int stolen;                     /* revoked by the parent and sent elsewhere */
} inflight;

typedef struct pslot {
  int index;
  pid_t pid;                      /* 0: no process */
  int pidfd;                      /* -1: none (polling fallback) */
  wshared *sh;                    /* status (+ rings for shm) */
  size_t sh_len;
  int req_fd, res_fd;             /* pipe transport: parent's ends */
  int rx_ready, tx_ready;         /* pipe transport: epoll said so */
  int res_eof, tx_dead;
  int dead_pending;               /* pidfd fired */
  inflight q[PIPE_DEPTH];         /* requests in flight, FIFO from qh */
  int qh, qn;                     /* first entry, entries */
  int qsent;                      /* entries fully sent (the next is being sent) */
  int dispatched;                 /* tasks sent to this process */
  uint64_t dispatch_ns;           /* when the head was handed to it */
  _Atomic int pub_pid;            /* pid for cf_executor_worker_pids (any thread) */
  int timed_out;                  /* we killed it for the head's timeout */
  /* resumable send of entry qsent's request */
  size_t tx_off;
  int tx_blocked;
  /* resumable receive of the head's response */
  res_hdr rx_hdr;
  size_t rx_off;                  /* bytes of header + payload received */
  int rx_nomem;                   /* discard the payload */
} pslot;

typedef struct proc_backend {
  cf_executor *ex;
  struct proc_backend *reg_next;  /* process-wide list, under reg_lock */
  int shm;                        /* transport */
  int n;
  int depth;                      /* requests in flight per worker (PIPE_DEPTH or 1) */
  _Atomic int revoke_all;         /* shutdown(cancel_futures): cancel every offer */
  pslot *slots;
  gshared *g;
  int efd, epfd;
  _Atomic int have_pidfd;         /* written by the io thread, read by pb_kick */
  pid_t parent_pid;
  sigset_t user_mask;             /* signal mask workers run with */
  pthread_t io;
  int io_started, io_joined;
  pthread_mutex_t join_lock;
  pthread_mutex_t fd_lock;        /* efd may be closed by the io thread at its end */
  pthread_mutex_t io_lock;        /* slot state; the io thread drops it only to sleep */
  int io_done;                    /* under fd_lock */
  int io_done_loop;               /* under io_lock: the io thread left its loop */
  /* claimed futures whose worker died before starting them (io thread only) */
  cf_future *redo_head, *redo_tail;
  uint64_t parent_spin_ns, child_spin_ns;
  /* failed (re)spawns: retry with back-off (io thread only) */
  int spawn_down;                 /* a slot is waiting for a retry */
  uint64_t spawn_retry_ns, spawn_backoff_ns;
  char spawn_err[192];            /* why the last attempt failed */
  _Atomic int nlive;              /* slots with a process */
  /* cf_executor_terminate */
  _Atomic int term_sig;           /* signal asked for, 0: none */
  int term_sent;                  /* io thread: term_sig sent to every worker */
  int term_killed;                /* io thread: SIGKILL sent after the grace */
  uint64_t term_deadline;
  /* CF_START_SPAWN (see slot_exec) */
  int spawn;
  int gfd;                        /* memfd of g, for every worker spawned */
  const void *fn_cache;           /* last task function and its reference */
  uint32_t fn_obj, init_obj, arg_obj;
  uint64_t fn_off, init_off, arg_off;
  unsigned char scratch[4096];    /* sink for payloads we cannot store */
} proc_backend;

/* --------------------------------------------------------------- registry */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static proc_backend *reg_head;

static void reg_add(proc_backend *pb) {
  pthread_mutex_lock(&reg_lock);
  pb->reg_next = reg_head;
  reg_head = pb;
  pthread_mutex_unlock(&reg_lock);
}

static void reg_remove(proc_backend *pb) {
  pthread_mutex_lock(&reg_lock);
  for (proc_backend **p = &reg_head; *p; p = &(*p)->reg_next) {
    if (*p == pb) {
      *p = pb->reg_next;
      break;
    }
  }
  pthread_mutex_unlock(&reg_lock);
}

/* In a new worker of pb's slot idx (single-threaded, reg_lock's copy held
 * by nobody who can release it: read the list without it): close and unmap
 * everything of every backend but what this worker uses -- its own channel,
 * status page, its pool's bell and shared word. */
static void child_drop_inherited(proc_backend *pb, int idx) {
  for (proc_backend *o = reg_head; o; o = o->reg_next) {
    int own = o == pb;
    if (o->epfd >= 0) close(o->epfd);
    if (!own && o->efd >= 0) close(o->efd);
    if (o->gfd >= 0) close(o->gfd);
    if (!own && o->g) munmap(o->g, sizeof *o->g);
    for (int j = 0; j < o->n; j++) {
      pslot *t = &o->slots[j];
      if (t->pidfd >= 0) close(t->pidfd);
      if (own && j == idx) continue;
      if (t->req_fd >= 0) close(t->req_fd);
      if (t->res_fd >= 0) close(t->res_fd);
      if (t->sh) munmap(t->sh, t->sh_len);
    }
  }
}

/* ------------------------------------------------------------------ rings */

static inline uint32_t ld(_Atomic int *p) { return (uint32_t)atomic_load(p); }

static size_t ring_used(ring *r) { return ld(&r->tail) - ld(&r->head); }

static size_t ring_write_some(ring *r, const unsigned char *p, size_t n) {
  uint32_t tail = (uint32_t)atomic_load_explicit(&r->tail, memory_order_relaxed);
  uint32_t head = (uint32_t)atomic_load_explicit(&r->head, memory_order_acquire);
  size_t space = RING_BYTES - (tail - head);
  if (n > space) n = space;
  if (!n) return 0;
  size_t off = tail & RING_MASK, first = RING_BYTES - off;
  if (first > n) first = n;
  memcpy(r->data + off, p, first);
  if (n > first) memcpy(r->data, p + first, n - first);
  atomic_store(&r->tail, (int)(tail + (uint32_t)n)); /* seq_cst: pairs with cons_sleep */
  if (atomic_load(&r->cons_sleep)) cf__futex_wake(&r->tail, 1, 1);
  return n;
}

static size_t ring_read_some(ring *r, unsigned char *p, size_t n) {
  uint32_t head = (uint32_t)atomic_load_explicit(&r->head, memory_order_relaxed);
  uint32_t tail = (uint32_t)atomic_load_explicit(&r->tail, memory_order_acquire);
  size_t avail = tail - head;
  if (n > avail) n = avail;
  if (!n) return 0;
  size_t off = head & RING_MASK, first = RING_BYTES - off;
  if (first > n) first = n;
  if (p) {
    memcpy(p, r->data + off, first);
    if (n > first) memcpy(p + first, r->data, n - first);
  }
  atomic_store(&r->head, (int)(head + (uint32_t)n)); /* seq_cst: pairs with prod_sleep */
  if (atomic_load(&r->prod_sleep)) cf__futex_wake(&r->head, 1, 1);
  return n;
}

/* ----------------------------------------------------------------- worker */

static void bell(proc_backend *pb) {
  uint64_t one = 1;
  if (write(pb->efd, &one, sizeof one) < 0) { /* full or closed: parent is awake or gone */
  }
}

static void child_orphan_check(proc_backend *pb) {
  if (getppid() != pb->parent_pid) _exit(0);
}

/* Spin until the ring has data (or space) or the spin time is up. */
static int child_spin(proc_backend *pb, ring *r, int want_data) {
  uint64_t t0 = 0;
  for (unsigned i = 1;; i++) {
    if (want_data ? ring_used(r) > 0 : ring_used(r) < RING_BYTES) return 1;
    cf__cpu_relax();
    if ((i & 63) == 0) {
      uint64_t now = cf__now_ns();
      if (!t0) t0 = now;
      else if (now - t0 > pb->child_spin_ns) return 0;
    }
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
    size_t got = ring_read_some(r, p, n);
    if (got) {
      if (p) p += got;
      n -= got;
      /* the parent may be waiting for space to send the rest */
      if (atomic_load(&r->prod_sleep) && atomic_load(&pb->g->parent_sleeping)) bell(pb);
      continue;
    }
    if (child_spin(pb, r, 1)) continue;
    atomic_store(&r->cons_sleep, 1);
    int tail = atomic_load(&r->tail);
    if ((uint32_t)tail == ld(&r->head))
      cf__futex_wait(&r->tail, tail, cf__now_ns() + ORPHAN_CHECK_NS, 1);
    atomic_store(&r->cons_sleep, 0);
    child_orphan_check(pb);
  }
}

/* Data was put into r: ring the sleeping parent, unless a thread waiting on
 * a future (pb_help_wait) takes it within a moment -- a round trip then
 * needs no wake-up at all.  The helper rings on leaving if data is left. */
static void lazy_bell(proc_backend *pb, ring *r) {
  if (!atomic_load(&pb->g->parent_sleeping)) return;
  uint64_t t0 = cf__now_ns();
  for (unsigned i = 1;; i++) {
    if (ring_used(r) == 0 || !atomic_load(&pb->g->parent_sleeping)) return;
    cf__cpu_relax();
    if ((i & 15) == 0 && cf__now_ns() - t0 > LAZY_BELL_NS) break;
  }
  bell(pb);
}

static void child_write(proc_backend *pb, pslot *s, const unsigned char *p, size_t n) {
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
    size_t put = ring_write_some(r, p, n);
    if (put) {
      p += put;
      n -= put;
      lazy_bell(pb, r);
      continue;
    }
    if (child_spin(pb, r, 0)) continue;
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

static void __attribute__((noreturn)) child_main(proc_backend *pb, int idx) {
  cf_executor *ex = pb->ex;
  pslot *s = &pb->slots[idx];
  cf__self.in_process_child = 1;
  cf__self.ex = ex;
  cf__self.worker = idx;
  cf__self.current = NULL;
  pthread_sigmask(SIG_SETMASK, &pb->user_mask, NULL);
  on_exit(child_on_exit, NULL);
  child_drop_inherited(pb, idx); /* keep only its own channel and the bell */
  wstatus *st = &s->sh->st;
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
  cf_result arg, res;
  cf__result_init(&arg);
  cf__result_init(&res);
  int limit = ex->cfg.max_tasks_per_child, done = 0;
  for (;;) {
    req_hdr h;
    child_read(pb, s, (unsigned char *)&h, sizeof h);
    if (h.type != MSG_TASK) break;
    int nomem = cf__result_reserve(&arg, (size_t)h.len, 0) != 0;
    child_read(pb, s, nomem ? NULL : arg.data, (size_t)h.len);
    arg.len = nomem ? 0 : (size_t)h.len;
    uint64_t t0 = cf__now_ns();
    atomic_store(&st->cur_start_ns, t0);
    atomic_store(&st->cur_tag, h.tag);
    if (!child_claim(s, &h)) {
      res_hdr skip = {MSG_SKIP, 0, h.tag, 0, -1, 0, 0}; /* cancelled or sent elsewhere */
      child_write(pb, s, (const unsigned char *)&skip, sizeof skip);
      atomic_store(&st->cur_tag, 0);
      if (limit && ++done >= limit) { /* the parent counts every request */
        atomic_store(&st->phase, PH_RECYCLED);
        break;
      }
      continue;
    }
    res_hdr r = {MSG_RESULT, 0, h.tag, t0, sched_getcpu(), 0, 0};
    res.len = 0;
    cf_task_fn fn = (cf_task_fn)cf__objref_here(pb->spawn ? h.pad : 0, h.fn);
    if (nomem) r.rc = CF_ENOMEM;
    else if (!fn) r.rc = CF_ENOSYS; /* its object cannot be loaded here */
    else r.rc = fn(arg.data, arg.len, &res);
    r.len = r.rc ? 0 : res.len;
    child_write(pb, s, (const unsigned char *)&r, sizeof r);
    child_write(pb, s, res.data, (size_t)r.len);
    atomic_store(&st->cur_tag, 0);
    child_trim(&arg);
    child_trim(&res);
    if (limit && ++done >= limit) {
      atomic_store(&st->phase, PH_RECYCLED);
      break;
    }
  }
  _exit(0);
}

/* A worker started with CF_START_SPAWN: this library's constructor, in a
 * fresh process of the program's image, finds CF__WORKER (see slot_exec)
 * and never returns to main().  It rebuilds the little of the pool that
 * child_main reads: its slot, channel, status page, bell, shared page. */
__attribute__((constructor)) static void spawn_entry(void) {
  const char *v = getenv("CF__WORKER");
  if (!v) return;
  int idx, shm, base, limit, parent;
  size_t sh_len;
  unsigned long long spin, init_off, arg_off;
  unsigned init_obj, arg_obj;
  if (sscanf(v, "%d,%d,%zu,%d,%d,%llu,%u,%llu,%u,%llu,%d", &idx, &shm, &sh_len, &base, &limit, &spin, &init_obj,
             &init_off, &arg_obj, &arg_off, &parent) != 11 || idx < 0)
    _exit(127); /* never run main() in a worker's place */
  if (getppid() != parent) _exit(0); /* the pool is gone already */
  unsetenv("CF__WORKER");
  static cf_executor ex;
  static proc_backend pb;
  pslot *slots = calloc((size_t)idx + 1, sizeof *slots);
  void *sh = mmap(NULL, sh_len, PROT_READ | PROT_WRITE, MAP_SHARED, base, 0);
  void *g = mmap(NULL, sizeof(gshared), PROT_READ | PROT_WRITE, MAP_SHARED, base + 1, 0);
  if (!slots || sh == MAP_FAILED || g == MAP_FAILED) _exit(127);
  close(base);
  close(base + 1);
  pb.ex = &ex;
  pb.spawn = 1;
  pb.shm = shm;
  pb.n = idx + 1;
  pb.slots = slots;
  pb.g = g;
  pb.efd = base + 2;
  pb.epfd = pb.gfd = -1;
  pb.parent_pid = parent;
  pb.child_spin_ns = spin;
  pthread_sigmask(SIG_BLOCK, NULL, &pb.user_mask);
  pslot *s = &slots[idx];
  s->index = idx;
  s->sh = sh;
  s->sh_len = sh_len;
  s->pidfd = -1;
  s->req_fd = shm ? -1 : base + 3;
  s->res_fd = shm ? -1 : base + 4;
  ex.cfg.max_tasks_per_child = limit;
  ex.cfg.pin = CF_PIN_NONE; /* the parent binds us */
  cf__objref_worker(&pb.g->objs);
  ex.cfg.initializer = (int (*)(void *))cf__objref_here(init_obj, init_off);
  ex.cfg.initializer_arg = arg_obj ? cf__objref_here(arg_obj, arg_off) : NULL;
  if (init_obj && !ex.cfg.initializer) {
    atomic_store(&s->sh->st.init_rc, CF_ENOSYS);
    atomic_store(&s->sh->st.phase, PH_INIT_FAILED);
    _exit(0);
  }
  child_main(&pb, idx);
}

/* ------------------------------------------------------------ spawn/reap */

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static int ep_ctl(proc_backend *pb, int op, int fd, uint32_t events, int tag, int idx) {
  struct epoll_event ev = {.events = events, .data.u64 = ((uint64_t)tag << 32) | (uint32_t)idx};
  return epoll_ctl(pb->epfd, op, fd, &ev);
}

/* Close a slot's descriptors and mapping; reg_lock held. */
static void slot_release_locked(pslot *s) {
  close_fd(&s->pidfd);
  close_fd(&s->req_fd);
  close_fd(&s->res_fd);
  if (s->sh) munmap(s->sh, s->sh_len);
  s->sh = NULL;
}

/* Release a slot's process resources (the process is reaped or never was). */
static void slot_clear(proc_backend *pb, pslot *s) {
  if (s->pidfd >= 0) epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->pidfd, NULL);
  if (s->res_fd >= 0 && !s->res_eof) epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->res_fd, NULL);
  if (s->req_fd >= 0) epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->req_fd, NULL);
  pthread_mutex_lock(&reg_lock);
  slot_release_locked(s);
  pthread_mutex_unlock(&reg_lock);
  if (s->pid > 0) atomic_fetch_sub(&pb->nlive, 1);
  s->pid = 0;
  s->dead_pending = 0; /* else has_work() keeps the io thread spinning on an empty slot */
  atomic_store(&s->pub_pid, 0);
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* "what: strerror(e)" into why; the CF_E* code for errno e. */
static int spawn_error(char *why, size_t len, const char *what, int e) {
  snprintf(why, len, "%s: %s", what, strerror(e));
  return e == ENOMEM ? CF_ENOMEM : CF_EAGAIN;
}

static void slot_reset(proc_backend *pb, pslot *s) {
  s->qh = s->qn = s->qsent = 0;
  s->rx_ready = s->tx_ready = s->res_eof = s->tx_dead = s->dead_pending = 0;
  s->dispatched = 0;
  s->timed_out = 0;
  s->tx_blocked = 0;
  s->tx_off = s->rx_off = 0;
  s->pidfd = s->req_fd = s->res_fd = -1;
  s->sh_len = pb->shm ? sizeof(wshared) : sizeof(wstatus);
  long page = sysconf(_SC_PAGESIZE);
  s->sh_len = (s->sh_len + (size_t)page - 1) / (size_t)page * (size_t)page;
}

static int slot_reap(pslot *s, int block, int *status);

/* The pipe transport's two pipes, the parent's ends non-blocking; -1 with
 * errno (and nothing left open) on failure. */
static int chan_pipes(int req[2], int res[2]) {
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

/* Make the channel and fork the worker, under reg_lock (see the top). */
static int slot_fork(proc_backend *pb, pslot *s, char *why, size_t whylen) {
  int req[2] = {-1, -1}, res[2] = {-1, -1};
  void *m = mmap(NULL, s->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return spawn_error(why, whylen, "mmap", errno);
  s->sh = m;
  if (!pb->shm) {
    if (chan_pipes(req, res)) {
      int e = spawn_error(why, whylen, "pipe", errno);
      slot_release_locked(s);
      return e;
    }
    s->req_fd = req[0]; /* the child's ends, for the fork */
    s->res_fd = res[1];
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    int e = spawn_error(why, whylen, "fork", errno);
    if (!pb->shm) {
      close(req[1]);
      close(res[0]);
    }
    slot_release_locked(s);
    return e;
  }
  if (pid == 0) {
    if (!pb->shm) {
      close(req[1]); /* the parent's ends: else no EOF when the parent goes */
      close(res[0]);
    }
    child_main(pb, s->index);
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


/* The environment of a spawned worker: ours plus `extra`. */
static char **spawn_env(char *extra) {
  size_t n = 0;
  while (environ && environ[n]) n++;
  char **env = malloc((n + 2) * sizeof *env);
  if (!env) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], "CF__WORKER=", 11) != 0) env[k++] = environ[i];
  env[k++] = extra;
  env[k] = NULL;
  return env;
}

/* CF_START_SPAWN: the slot's page as a memfd, the channel, and posix_spawn
 * of /proc/self/exe; the worker finds its descriptors at fixed numbers
 * above every one passed (so no dup2 overwrites a source) and the rest in
 * CF__WORKER (see spawn_entry).  posix_spawn does not copy the parent's
 * page tables (vfork-like), so the cost does not grow with its heap. */
static int slot_exec(proc_backend *pb, pslot *s, char *why, size_t whylen) {
  int req[2] = {-1, -1}, res[2] = {-1, -1}, rc = 0;
  int mfd = memfd_create("cfutures-worker", MFD_CLOEXEC);
  if (mfd < 0) return spawn_error(why, whylen, "memfd_create", errno);
  void *m = MAP_FAILED;
  if (ftruncate(mfd, (off_t)s->sh_len) == 0)
    m = mmap(NULL, s->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  if (m == MAP_FAILED) {
    rc = spawn_error(why, whylen, "mmap", errno);
    close(mfd);
    return rc;
  }
  s->sh = m;
  if (!pb->shm) {
    if (chan_pipes(req, res)) {
      rc = spawn_error(why, whylen, "pipe", errno);
      goto out;
    }
  }
  int src[5] = {mfd, pb->gfd, pb->efd, req[0], res[1]}, base = 0;
  for (int i = 0; i < 5; i++)
    if (src[i] >= base) base = src[i] + 1;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < 5; i++)
    if (src[i] >= 0) posix_spawn_file_actions_adddup2(&fa, src[i], base + i);
  posix_spawnattr_setsigmask(&attr, &pb->user_mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  char extra[256];
  snprintf(extra, sizeof extra, "CF__WORKER=%d,%d,%zu,%d,%d,%llu,%u,%llu,%u,%llu,%d", s->index, pb->shm, s->sh_len,
           base, pb->ex->cfg.max_tasks_per_child, (unsigned long long)pb->child_spin_ns, pb->init_obj,
           (unsigned long long)pb->init_off, pb->arg_obj, (unsigned long long)pb->arg_off, (int)getpid());
  char **env = spawn_env(extra);
  char *argv[] = {"cfutures-worker", NULL};
  pid_t pid = 0;
  int e = env ? posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, env) : ENOMEM;
  free(env);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (e) {
    rc = spawn_error(why, whylen, "posix_spawn", e);
    goto out;
  }
  s->pid = pid;
  if (!pb->shm) {
    s->req_fd = req[1];
    s->res_fd = res[0];
    req[1] = res[0] = -1;
  }
out:
  close(mfd);
  for (int i = 0; i < 2; i++) {
    if (req[i] >= 0) close(req[i]);
    if (res[i] >= 0) close(res[i]);
  }
  if (rc) slot_release_locked(s);
  return rc;
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
static int slot_spawn(proc_backend *pb, pslot *s, char *why, size_t whylen) {
  slot_reset(pb, s);
  pthread_mutex_lock(&reg_lock);
  int rc = pb->spawn ? slot_exec(pb, s, why, whylen) : slot_fork(pb, s, why, whylen);
  if (rc == 0) slot_started(pb, s);
  pthread_mutex_unlock(&reg_lock);
  if (rc) return rc;
  /* A spawned worker does not inherit the plan: bind it from here. */
  if (pb->spawn && pb->ex->cfg.pin != CF_PIN_NONE && (rc = cf__pin_process(&pb->ex->cfg, s->index, s->pid))) {
    snprintf(why, whylen, "pinning worker %d: %s", s->index, cf_strerror(rc));
    int status;
    kill(s->pid, SIGKILL);
    slot_reap(s, 1, &status);
    slot_clear(pb, s);
    return rc;
  }
  /* Without its pipes in epoll the io thread would never hear from the
   * worker: give the process up. */
  if (!pb->shm && (ep_ctl(pb, EPOLL_CTL_ADD, s->res_fd, EPOLLIN, EV_RES, s->index) ||
                   ep_ctl(pb, EPOLL_CTL_ADD, s->req_fd, 0, EV_REQ, s->index))) {
    rc = spawn_error(why, whylen, "epoll_ctl", errno);
    int status;
    kill(s->pid, SIGKILL);
    slot_reap(s, 1, &status);
    slot_clear(pb, s);
    return rc;
  }
  /* Without its pidfd in epoll the io thread would sleep through the
   * worker's death: watch every worker by polling instead. */
  if (s->pidfd >= 0 && ep_ctl(pb, EPOLL_CTL_ADD, s->pidfd, EPOLLIN, EV_PID, s->index)) {
    pthread_mutex_lock(&reg_lock);
    close_fd(&s->pidfd);
    pthread_mutex_unlock(&reg_lock);
    pb->have_pidfd = 0;
  }
  return 0;
}

static void describe_status(char *buf, size_t len, int status) {
  if (status == -1) snprintf(buf, len, "exited (status unavailable)");
  else if (WIFSIGNALED(status))
    snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  else if (WIFEXITED(status)) snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
  else snprintf(buf, len, "ended with wait status %d", status);
}

/* Reap s's process; blocking if `block`.  Returns 1 if reaped (status set). */
static int slot_reap(pslot *s, int block, int *status) {
  for (;;) {
    pid_t r = waitpid(s->pid, status, block ? 0 : WNOHANG);
    if (r == s->pid) return 1;
    if (r == 0) return 0;
    if (errno == EINTR) continue;
    *status = -1; /* ECHILD: someone else reaped it (SIGCHLD ignored?) */
    return 1;
  }
}

static void redo_push(proc_backend *pb, cf_future *f) {
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
static void settle(cf_future *f, int err, int status, const char *msg) {
  if (atomic_load(&f->state) == CF_RUNNING || cf__future_claim(f, -1)) {
    f->res.len = 0;
    cf__future_fail(f, err, status, msg);
  }
  cf_future_release(f);
}

static void fail_redo(proc_backend *pb, const char *msg) {
  cf_future *f;
  while ((f = redo_pop(pb))) settle(f, CF_EBROKEN, -1, msg);
}

static int work_left(proc_backend *pb) {
  return cf__queue_nonempty(pb->ex) || pb->redo_head != NULL;
}

static int try_spawn(proc_backend *pb, pslot *s);

/* s's process is gone with `status`: settle its tasks, respawn. */
static void slot_died(proc_backend *pb, pslot *s, int status);

/* ------------------------------------------------------- in-flight queue */

static inflight *q_at(pslot *s, int i) { return &s->q[(s->qh + i) % PIPE_DEPTH]; }

static cf_future *q_head(pslot *s) { return s->qn ? s->q[s->qh].f : NULL; }

static inflight *q_pop(pslot *s) {
  inflight *e = &s->q[s->qh];
  s->qh = (s->qh + 1) % PIPE_DEPTH;
  s->qn--;
  s->qsent--;
  s->rx_off = 0;
  s->rx_nomem = 0;
  return e;
}

/* Offer f (PENDING) in claim word k of s: under f's lock, so that
 * cf_future_cancel either sees the offer (and races the worker for the
 * word) or cancels before it.  0 if f was cancelled meanwhile. */
static int offer(pslot *s, int k, cf_future *f) {
  cf__future_lock(f);
  int ok = atomic_load(&f->state) == CF_PENDING;
  if (ok) {
    atomic_store(&s->sh->claim[k], f->rec.id);
    f->task_code = s->index * PIPE_DEPTH + k; /* where pb_revoke finds the word */
    atomic_fetch_or(&f->flags, CF__F_OFFERED);
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
static void adopt(pslot *s, inflight *e) {
  cf_future *f = e->f;
  cf__future_lock(f);
  atomic_fetch_and(&f->flags, ~CF__F_OFFERED);
  int st = CF_PENDING;
  atomic_compare_exchange_strong(&f->state, &st, CF_RUNNING);
  cf__future_unlock(f);
  cf__future_set_runner(f, s->index);
  e->offered = 0;
}

/* Take back e (offered, not the worker's any more: dead, or being stolen).
 * 1: f is PENDING again and the caller's to run elsewhere; 0: the worker had
 * claimed it (then adopted: RUNNING here) or the user cancelled it. */
static int take_back(pslot *s, inflight *e, int *started) {
  cf_future *f = e->f;
  cf__future_lock(f);
  int won = revoke_locked(s, e);
  uint64_t w = atomic_load(&s->sh->claim[e->h.claim]);
  if (won) atomic_fetch_and(&f->flags, ~CF__F_OFFERED);
  cf__future_unlock(f);
  *started = !won && w == (e->h.tag | CLAIM_RUN);
  if (*started) adopt(s, e);
  return won;
}

/* ------------------------------------------------------- parent transport */

/* Send up to n bytes without blocking; -1 if the channel is dead. */
static ssize_t chan_send(proc_backend *pb, pslot *s, const unsigned char *p, size_t n) {
  if (pb->shm) return (ssize_t)ring_write_some(&s->sh->req, p, n);
  if (s->tx_dead) return -1;
  ssize_t w = write(s->req_fd, p, n);
  if (w >= 0) return w;
  if (errno == EAGAIN || errno == EINTR) return 0;
  s->tx_dead = 1; /* EPIPE: the worker is gone; its pidfd will tell */
  return -1;
}

static ssize_t chan_recv(proc_backend *pb, pslot *s, unsigned char *p, size_t n) {
  if (pb->shm) return (ssize_t)ring_read_some(&s->sh->res, p, n);
  if (s->res_eof || !s->rx_ready) return 0;
  ssize_t r = read(s->res_fd, p ? p : pb->scratch, p || n < sizeof pb->scratch ? n : sizeof pb->scratch);
  if (r > 0) return r;
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
    s->rx_ready = 0;
    return 0;
  }
  s->res_eof = 1; /* EOF: the worker is gone */
  epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->res_fd, NULL);
  return -1;
}

static void tx_set_blocked(proc_backend *pb, pslot *s, int blocked) {
  if (s->tx_blocked == blocked) return;
  s->tx_blocked = blocked;
  if (pb->shm) atomic_store(&s->sh->req.prod_sleep, blocked);
  else if (!s->tx_dead) ep_ctl(pb, EPOLL_CTL_MOD, s->req_fd, blocked ? EPOLLOUT : 0, EV_REQ, s->index);
}

/* Continue sending the requests not yet sent.  Returns 1 on progress. */
static int tx_pump(proc_backend *pb, pslot *s) {
  int progress = 0;
  while (s->qsent < s->qn) {
    inflight *e = q_at(s, s->qsent);
    size_t total = sizeof e->h + (size_t)e->h.len; /* not e->f: a stolen one may be gone */
    while (s->tx_off < total) {
      const unsigned char *p;
      size_t n;
      if (s->tx_off < sizeof e->h) {
        p = (const unsigned char *)&e->h + s->tx_off;
        n = sizeof e->h - s->tx_off;
      } else {
        p = e->f->arg.data + (s->tx_off - sizeof e->h);
        n = total - s->tx_off;
      }
      ssize_t w = chan_send(pb, s, p, n);
      if (w <= 0) {
        if (w == 0) tx_set_blocked(pb, s, 1);
        return progress;
      }
      s->tx_off += (size_t)w;
      progress = 1;
    }
    s->qsent++;
    s->tx_off = 0;
  }
  tx_set_blocked(pb, s, 0);
  return progress;
}

/* Can s take one more request? */
static int slot_room(proc_backend *pb, pslot *s) {
  int limit = pb->ex->cfg.max_tasks_per_child;
  return s->pid > 0 && s->qn < pb->depth && !s->dead_pending && (!limit || s->dispatched < limit);
}

/* The next future to run: a redispatched one, else one from the queue.
 * *claimed: it is RUNNING for this pool already.  NULL if none. */
static cf_future *next_task(proc_backend *pb, int *claimed) {
  cf_executor *ex = pb->ex;
  cf_future *f = redo_pop(pb);
  if (!f) f = cf__queue_trypop(ex);
  for (; f; f = cf__queue_trypop(ex)) {
    *claimed = atomic_load(&f->state) == CF_RUNNING;
    if (atomic_load_explicit(&ex->broken, memory_order_relaxed)) {
      settle(f, CF_EBROKEN, -1, ex->broken_msg);
      continue;
    }
    if (*claimed || atomic_load(&f->state) == CF_PENDING) return f;
    cf_future_release(f); /* cancelled meanwhile */
  }
  return NULL;
}

/* Put f in flight on s (offered when pipelining, else claimed here).
 * 0 if it was cancelled meanwhile. */
static int send_task(proc_backend *pb, pslot *s, cf_future *f, int claimed) {
  int k = (s->qh + s->qn) % PIPE_DEPTH;
  inflight *e = &s->q[k];
  req_hdr h = {MSG_TASK, 0, f->rec.id, (uint64_t)(uintptr_t)f->fn, f->arg.len, CLAIM_NONE, 0};
  e->offered = pb->depth > 1 && !claimed;
  if (e->offered ? !offer(s, k, f) : !claimed && !cf__future_claim(f, s->index)) return 0;
  if (!e->offered) cf__future_set_runner(f, s->index);
  else h.claim = (uint32_t)k;
  if (pb->spawn) { /* task_ref resolved f->fn just before */
    h.pad = pb->fn_obj;
    h.fn = pb->fn_off;
  }
  e->f = f;
  e->h = h;
  e->stolen = 0;
  if (s->qn++ == 0) {
    if (pb->ex->cfg.task_timeout_s > 0) s->dispatch_ns = cf__now_ns(); /* only timeouts need it */
    s->timed_out = 0;
  }
  s->dispatched++;
  f->rec.pid = s->pid;
  tx_pump(pb, s);
  return 1;
}

/* CF_START_SPAWN: f's task function as (object, offset), for the worker;
 * the last one is kept (a pool mostly runs one function).  Under io_lock. */
static int task_ref(proc_backend *pb, cf_future *f) {
  if (pb->fn_cache == (const void *)(uintptr_t)f->fn) return 0;
  int rc = cf__objref(&pb->g->objs, (const void *)(uintptr_t)f->fn, &pb->fn_obj, &pb->fn_off);
  pb->fn_cache = rc ? NULL : (const void *)(uintptr_t)f->fn;
  return rc;
}

/* Give s one more task, if it has room and there is one. */
static int dispatch_slot(proc_backend *pb, pslot *s) {
  if (!slot_room(pb, s)) return 0;
  cf_future *f;
  int claimed;
  while ((f = next_task(pb, &claimed))) {
    if (pb->spawn && task_ref(pb, f) != 0) {
      settle(f, CF_EINVAL, -1, "the task function is in no loaded object: a spawned worker cannot find it");
      continue;
    }
    if (send_task(pb, s, f, claimed)) return 1;
    cf_future_release(f); /* cancelled meanwhile */
  }
  return 0;
}

/* The request of t that steal_for would take back: the last one offered
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
static int steal_for(proc_backend *pb, pslot *s) {
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
  if (!take_back(v, e, &started)) return 0; /* cancelled by the user: its skip comes */
  e->offered = 0;
  e->stolen = 1;
  int pos = ((int)(e - v->q) - v->qh + PIPE_DEPTH) % PIPE_DEPTH;
  if (pos >= v->qsent) e->h.len = 0; /* not sent yet (stealable: not half sent): no argument */
  if (pb->spawn && task_ref(pb, f) != 0) settle(f, CF_EINVAL, -1, "the task function is in no loaded object");
  else if (!send_task(pb, s, f, 0)) cf_future_release(f); /* cancelled meanwhile */
  return 1;
}

/* Any worker with a request that steal_for could take? */
static int any_stealable(proc_backend *pb) {
  for (int k = 0; k < pb->n; k++)
    if (stealable(&pb->slots[k])) return 1;
  return 0;
}

static int dispatch_all(proc_backend *pb) {
  int progress = 0, level = pb->depth;
  for (int k = 0; k < pb->n; k++)
    if (slot_room(pb, &pb->slots[k]) && pb->slots[k].qn < level) level = pb->slots[k].qn;
  /* Breadth first, lowest index first: every worker gets one task before
   * any gets a second, and with less work than workers the same few workers
   * stay busy (and spinning, so a task reaches them without a wake-up)
   * while the rest sleep. */
  for (; level < pb->depth && work_left(pb); level++) {
    for (int k = 0; k < pb->n; k++) {
      pslot *s = &pb->slots[k];
      if (s->qn != level || !slot_room(pb, s)) continue;
      if (!dispatch_slot(pb, s)) return progress; /* nothing left */
      progress = 1;
    }
  }
  if (pb->depth > 1 && !work_left(pb) && any_stealable(pb))
    for (int k = 0; k < pb->n; k++)
      if (pb->slots[k].qn == 0 && slot_room(pb, &pb->slots[k])) progress |= steal_for(pb, &pb->slots[k]);
  return progress;
}

/* Finish s's head future from the received response. */
static void complete_head(proc_backend *pb, pslot *s) {
  res_hdr h = s->rx_hdr;
  int nomem = s->rx_nomem;
  inflight *e = q_pop(s);
  cf_future *f = e->f;
  if (e->stolen || h.type == MSG_SKIP) {
    /* Stolen: f is another worker's now.  Else the user cancelled it, and
     * that call completed f. */
    if (!e->stolen) {
      cf__future_lock(f);
      atomic_fetch_and(&f->flags, ~CF__F_OFFERED);
      cf__future_unlock(f);
      cf_future_release(f);
    }
    dispatch_slot(pb, s);
    return;
  }
  if (e->offered) adopt(s, e);
  if (s->qn && pb->ex->cfg.task_timeout_s > 0) s->dispatch_ns = cf__now_ns();
  dispatch_slot(pb, s); /* keep the worker busy before running callbacks */
  f->rec.start_ns = h.start_ns;
  f->rec.cpu = h.cpu;
  if (nomem) {
    f->res.len = 0;
    cf__future_fail(f, CF_ENOMEM, -1, "out of memory for the task's result in the parent");
  } else if (h.rc != 0) {
    f->res.len = 0;
    f->task_code = h.rc;
    cf__future_finish(f, CF_ETASK);
  } else {
    f->res.len = (size_t)h.len;
    cf__future_finish(f, 0);
  }
  cf_future_release(f);
}

/* Receive what is available for s's sent requests.  Returns 1 on progress. */
static int rx_pump(proc_backend *pb, pslot *s) {
  int progress = 0;
  while (s->qsent > 0) {
    inflight *e = q_at(s, 0);
    if (s->rx_off < sizeof s->rx_hdr) {
      ssize_t r = chan_recv(pb, s, (unsigned char *)&s->rx_hdr + s->rx_off, sizeof s->rx_hdr - s->rx_off);
      if (r <= 0) return progress;
      progress = 1;
      s->rx_off += (size_t)r;
      if (s->rx_off < sizeof s->rx_hdr) continue;
      int skip = s->rx_hdr.type == MSG_SKIP && s->rx_hdr.len == 0 && e->h.claim != CLAIM_NONE;
      if ((s->rx_hdr.type != MSG_RESULT && !skip) || s->rx_hdr.tag != e->h.tag) {
        kill(s->pid, SIGKILL); /* protocol error: treat as a crash */
        s->dead_pending = 1;
        return progress;
      }
      if (!skip) {
        e->f->res.len = 0;
        if (cf__result_reserve(&e->f->res, (size_t)s->rx_hdr.len, 0) != 0) s->rx_nomem = 1;
      }
    }
    size_t got = s->rx_off - sizeof s->rx_hdr, len = (size_t)s->rx_hdr.len;
    while (got < len) {
      ssize_t r = chan_recv(pb, s, s->rx_nomem ? NULL : e->f->res.data + got, len - got);
      if (r <= 0) return progress;
      progress = 1;
      got += (size_t)r;
      s->rx_off += (size_t)r;
    }
    complete_head(pb, s);
    progress = 1;
  }
  return progress;
}

/* How s's task f ends now that s's process ended (`what`): the code, with
 * the message in msg; 0 if f never started there and can run elsewhere. */
static int death_verdict(proc_backend *pb, pslot *s, cf_future *f, int started, const char *what, char *msg,
                         size_t len) {
  if (started) f->rec.start_ns = atomic_load(&s->sh->st.cur_start_ns);
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
      int back = take_back(s, e, &started);
      if (back && !(head && atomic_load(&pb->term_sig) && cf__future_claim(f, s->index))) {
        redo_push(pb, f); /* PENDING: it runs elsewhere */
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
      redo_push(pb, f); /* never started: run it elsewhere */
      continue;
    }
    *failed = f;
    *err = code;
  }
}

static void slot_died(proc_backend *pb, pslot *s, int status) {
  cf_executor *ex = pb->ex;
  char what[160], msg[320];
  s->dead_pending = 1; /* no new task for it while we drain */
  /* Results it wrote before dying still count. */
  if (pb->shm || !s->res_eof) {
    s->rx_ready = 1;
    while (rx_pump(pb, s)) {
    }
  }
  describe_status(what, sizeof what, status);
  cf_future *f = NULL;
  int err = 0;
  if (init_failure(pb, s, what, msg, sizeof msg)) {
    cf__executor_set_broken(ex, msg);
    sort_held(pb, s, what, &f, &err, msg, sizeof msg);
    if (f) settle(f, CF_EBROKEN, status, ex->broken_msg);
    fail_redo(pb, ex->broken_msg);
    slot_clear(pb, s);
    return;
  }
  sort_held(pb, s, what, &f, &err, msg, sizeof msg);
  slot_clear(pb, s);
  if (atomic_load(&pb->term_sig)) fail_redo(pb, "terminated by the caller before the task started");
  /* Respawn first, so a caller that sees the failure also sees the new
   * worker (stats.respawns). */
  if (!atomic_load(&ex->broken) && (!atomic_load(&ex->shutdown) || work_left(pb))) try_spawn(pb, s);
  if (f) settle(f, err, status, msg);
  if (atomic_load(&ex->broken)) fail_redo(pb, ex->broken_msg);
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
static int try_spawn(proc_backend *pb, pslot *s) {
  char why[160];
  int rc = slot_spawn(pb, s, why, sizeof why);
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
static void spawn_retry(proc_backend *pb, uint64_t now, uint64_t *next_dl) {
  cf_executor *ex = pb->ex;
  if (!pb->spawn_retry_ns) return;
  if (now < pb->spawn_retry_ns) {
    if (pb->spawn_retry_ns < *next_dl) *next_dl = pb->spawn_retry_ns;
    return;
  }
  pb->spawn_retry_ns = 0;
  for (int i = 0; i < pb->n; i++)
    if (pb->slots[i].pid <= 0 && !atomic_load(&ex->broken) && (!atomic_load(&ex->shutdown) || work_left(pb)))
      try_spawn(pb, &pb->slots[i]);
  if (pb->spawn_retry_ns && pb->spawn_retry_ns < *next_dl) *next_dl = pb->spawn_retry_ns; /* failed again */
}

/* No worker alive and none could be started: fail what waits (CF_EBROKEN,
 * the reason) instead of keeping it pending until a retry succeeds. */
static int spawn_fail_waiting(proc_backend *pb) {
  if (!pb->spawn_down || atomic_load(&pb->nlive) > 0 || !work_left(pb)) return 0;
  cf__queue_drain(pb->ex, CF_EBROKEN, pb->spawn_err);
  fail_redo(pb, pb->spawn_err);
  return 1;
}

/* ---------------------------------------------------------------- io loop */

/* Reap dead workers (pidfd fired, or polled without pidfd). */
static int check_deaths(proc_backend *pb, int poll_all) {
  int progress = 0;
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->pid <= 0 || !(s->dead_pending || poll_all)) continue;
    int status;
    if (slot_reap(s, 0, &status)) {
      slot_died(pb, s, status);
      progress = 1;
    } else {
      s->dead_pending = 0;
    }
  }
  return progress;
}

/* Kill workers whose task ran past the timeout; returns the next deadline. */
static uint64_t check_timeouts(proc_backend *pb, uint64_t now) {
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

/* Is there anything the loop could do right now without waiting? */
static int has_work(proc_backend *pb) {
  int idle = 0, room = 0;
  if (pb->spawn_down && atomic_load(&pb->nlive) == 0 && work_left(pb)) return 1; /* to fail */
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->dead_pending) return 1;
    if (slot_room(pb, s)) {
      room = 1;
      idle |= s->qn == 0;
    }
    if (!pb->shm || !s->qn) continue;
    if (s->qsent < s->qn && ring_used(&s->sh->req) < RING_BYTES) return 1;
    if (s->qsent > 0 && ring_used(&s->sh->res) > 0) return 1;
  }
  return (room && work_left(pb)) || (idle && pb->depth > 1 && any_stealable(pb));
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
      if (e->offered) cf_future_cancel(e->f); /* pb_revoke: the worker then skips it */
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
    ring_write_some(&s->sh->req, (const unsigned char *)&h, sizeof h);
    return;
  }
  if (!s->tx_dead && write(s->req_fd, &h, sizeof h) < 0) { /* dead or full: the EOF or the grace ends it */
  }
  epoll_ctl(pb->epfd, EPOLL_CTL_DEL, s->req_fd, NULL);
  pthread_mutex_lock(&reg_lock);
  close_fd(&s->req_fd);
  pthread_mutex_unlock(&reg_lock);
}

/* Wait for s's process to end, killing it after `dl` (or at once when
 * cf_executor_terminate asks meanwhile), and reap it. */
static void reap_until(proc_backend *pb, pslot *s, uint64_t dl) {
  int status;
  while (!slot_reap(s, 0, &status)) {
    uint64_t now = cf__now_ns(), tdl = term_step(pb, now);
    if (pb->term_sent && tdl < dl) dl = tdl;
    if (now > dl) {
      kill(s->pid, SIGKILL);
      slot_reap(s, 1, &status);
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
    slot_clear(pb, s);
  }
}

static void *io_main(void *p) {
  proc_backend *pb = p;
  cf_executor *ex = pb->ex;
  uint64_t last_poll = cf__now_ns();
  pthread_mutex_lock(&pb->io_lock);
  for (;;) {
    int progress = 0;
    for (int i = 0; i < pb->n; i++) {
      pslot *s = &pb->slots[i];
      if (!s->qn || s->pid <= 0) continue;
      if (s->qsent < s->qn) progress |= tx_pump(pb, s);
      progress |= rx_pump(pb, s);
    }
    if (atomic_load(&pb->revoke_all) && atomic_exchange(&pb->revoke_all, 0)) cancel_offers(pb);
    progress |= dispatch_all(pb);
    uint64_t now = cf__now_ns();
    int poll_all = 0;
    if (now - last_poll > 1000000ull) { /* busy for 1 ms: look at the pidfds anyway */
      progress |= handle_events(pb, 0);
      poll_all = !pb->have_pidfd;
      last_poll = now;
    }
    progress |= check_deaths(pb, poll_all);
    uint64_t next_dl = check_timeouts(pb, now), tdl = term_step(pb, now);
    if (tdl < next_dl) next_dl = tdl;
    spawn_retry(pb, now, &next_dl);
    progress |= spawn_fail_waiting(pb);
    if (progress) continue;
    if (atomic_load(&ex->shutdown) && !work_left(pb) && all_idle(pb)) break;
    /* Nothing to do: spin a little (shm: results show up in memory). */
    if (pb->shm) {
      uint64_t t0 = cf__now_ns();
      int found = 0;
      for (unsigned i = 1; !found; i++) {
        if (has_work(pb)) found = 1;
        cf__cpu_relax();
        if ((i & 31) == 0 && cf__now_ns() - t0 > pb->parent_spin_ns) break;
      }
      if (found) continue;
    }
    atomic_store(&pb->g->parent_sleeping, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (!has_work(pb) && !(atomic_load(&ex->shutdown) && !work_left(pb) && all_idle(pb))) {
      int timeout = -1;
      now = cf__now_ns();
      if (next_dl != UINT64_MAX) timeout = next_dl > now ? (int)((next_dl - now + 999999) / 1000000) : 0;
      if (!pb->have_pidfd && (!all_idle(pb) || pb->term_sent) && (timeout < 0 || timeout > DEATH_POLL_MS))
        timeout = DEATH_POLL_MS;
      /* While we sleep a submitter may dispatch in our place (pb_kick). */
      struct epoll_event evs[64];
      pthread_mutex_unlock(&pb->io_lock);
      int n = epoll_wait(pb->epfd, evs, 64, timeout);
      pthread_mutex_lock(&pb->io_lock);
      process_events(pb, evs, n);
      last_poll = cf__now_ns();
      if (!pb->have_pidfd) check_deaths(pb, 1);
    }
    atomic_store(&pb->g->parent_sleeping, 0);
  }
  stop_workers(pb);
  pb->io_done_loop = 1;
  pthread_mutex_unlock(&pb->io_lock);
  /* Leave no fd behind once shutdown(wait=1) returns. */
  pthread_mutex_lock(&reg_lock);
  close_fd(&pb->epfd);
  close_fd(&pb->gfd); /* no worker is spawned any more */
  pthread_mutex_unlock(&reg_lock);
  pthread_mutex_lock(&pb->fd_lock);
  pb->io_done = 1;
  pthread_mutex_lock(&reg_lock);
  close_fd(&pb->efd);
  pthread_mutex_unlock(&reg_lock);
  pthread_mutex_unlock(&pb->fd_lock);
  cf__executor_unref(ex);              /* may destroy ex and pb (then detached) */
  return NULL;
}

/* -------------------------------------------------------------- backend */

static void pb_free(proc_backend *pb) {
  reg_remove(pb); /* no new worker looks at pb's descriptors any more */
  for (int i = 0; i < pb->n; i++) {
    pslot *s = &pb->slots[i];
    if (s->pid > 0) {
      int status;
      kill(s->pid, SIGKILL);
      slot_reap(s, 1, &status);
    }
    slot_clear(pb, s);
  }
  close_fd(&pb->epfd);
  close_fd(&pb->efd);
  close_fd(&pb->gfd);
  if (pb->g) munmap(pb->g, sizeof *pb->g);
  pthread_mutex_destroy(&pb->join_lock);
  pthread_mutex_destroy(&pb->fd_lock);
  pthread_mutex_destroy(&pb->io_lock);
  free(pb->slots);
  free(pb);
}

/* CF_START_SPAWN: the initializer and its argument as (object, offset);
 * CF_EINVAL (with the reason) if either lies outside every loaded object. */
static int spawn_refs(proc_backend *pb) {
  const cf_config *cfg = &pb->ex->cfg;
  if (cfg->initializer &&
      cf__objref(&pb->g->objs, (const void *)(uintptr_t)cfg->initializer, &pb->init_obj, &pb->init_off)) {
    cf__set_error("start_method spawn: the initializer is in no loaded object");
    return CF_EINVAL;
  }
  if (cfg->initializer_arg && cf__objref(&pb->g->objs, cfg->initializer_arg, &pb->arg_obj, &pb->arg_off)) {
    cf__set_error("start_method spawn: initializer_arg must be NULL or point into static data (a spawned worker "
                  "has no copy of the heap or stack)");
    return CF_EINVAL;
  }
  return 0;
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
  reg_add(pb);
  pthread_mutex_lock(&reg_lock);
  void *g = MAP_FAILED;
  pb->gfd = -1;
  pb->spawn = ex->cfg.start_method == CF_START_SPAWN;
  if (!pb->spawn) {
    g = mmap(NULL, sizeof *pb->g, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  } else if ((pb->gfd = memfd_create("cfutures-pool", MFD_CLOEXEC)) >= 0 && ftruncate(pb->gfd, sizeof *pb->g) == 0) {
    g = mmap(NULL, sizeof *pb->g, PROT_READ | PROT_WRITE, MAP_SHARED, pb->gfd, 0); /* spawned workers map it */
  }
  pb->g = g == MAP_FAILED ? NULL : g;
  pb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int efd_errno = errno;
  pb->epfd = epoll_create1(EPOLL_CLOEXEC);
  pthread_mutex_unlock(&reg_lock);
  int rc = 0;
  if (!pb->slots || !pb->g) {
    rc = CF_ENOMEM;
    cf__set_error("process backend: out of memory");
  } else if (pb->spawn && spawn_refs(pb)) {
    rc = CF_EINVAL;
  } else if (pb->efd < 0 || pb->epfd < 0 || ep_ctl(pb, EPOLL_CTL_ADD, pb->efd, EPOLLIN, EV_BELL, 0)) {
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
    rc = slot_spawn(pb, &pb->slots[i], why, sizeof why);
    if (rc) cf__set_error("cannot start worker process %d: %s", i, why);
  }
  if (!rc) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the io thread takes no signals (SIGPIPE!) */
    atomic_fetch_add(&ex->refs, 1);           /* the io thread's reference */
    int e = pthread_create(&pb->io, NULL, io_main, pb);
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
  if (!pb->io_done) bell(pb);
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
   * thread fails the task then (see spawn_fail_waiting). */
  if (pb->shm && pb->ex->cfg.task_timeout_s <= 0 && pb->have_pidfd && atomic_load(&pb->nlive) > 0 &&
      pthread_mutex_trylock(&pb->io_lock) == 0) {
    if (!pb->io_done_loop) dispatch_all(pb);
    pthread_mutex_unlock(&pb->io_lock);
    return;
  }
  bell_locked(pb);
}

/* A thread waits for f while the io thread sleeps: collect results (and
 * keep the workers fed) in this thread for a short while, so a round trip
 * needs no wake-up of the io thread.  The bell stays off meanwhile
 * (parent_sleeping = 0: someone is looking at the rings); on leaving, the io
 * thread is rung if anything is left for it. */
static void pb_help_wait(cf_executor *ex, cf_future *f, uint64_t deadline) {
  proc_backend *pb = ex->backend;
  if (!pb || !pb->shm || ex->cfg.task_timeout_s > 0 || !pb->have_pidfd) return;
  if (!atomic_load(&pb->g->parent_sleeping) || pthread_mutex_trylock(&pb->io_lock) != 0) return;
  if (pb->io_done_loop || !atomic_load(&pb->g->parent_sleeping)) {
    pthread_mutex_unlock(&pb->io_lock);
    return;
  }
  atomic_store(&pb->g->parent_sleeping, 0);
  uint64_t t0 = cf__now_ns(), start = t0, budget = pb->parent_spin_ns * 4;
  for (unsigned i = 1; !cf__state_done(atomic_load(&f->state)); i++) {
    int progress = 0;
    for (int k = 0; k < pb->n; k++) {
      pslot *s = &pb->slots[k];
      if (!s->qn || s->pid <= 0 || s->dead_pending) continue;
      if (s->qsent < s->qn) progress |= tx_pump(pb, s);
      progress |= rx_pump(pb, s);
    }
    if (progress) t0 = cf__now_ns(); /* keep helping while results flow */
    else cf__cpu_relax();
    if ((i & 15) == 0) {
      uint64_t now = cf__now_ns();
      if (now - t0 > budget || now - start > HELP_MAX_NS || now >= deadline) break;
    }
  }
  atomic_store(&pb->g->parent_sleeping, 1);
  atomic_thread_fence(memory_order_seq_cst);
  if (has_work(pb)) bell_locked(pb);
  pthread_mutex_unlock(&pb->io_lock);
}

static void pb_join(proc_backend *pb) {
  pthread_mutex_lock(&pb->join_lock);
  if (pb->io_started && !pb->io_joined) {
    if (pthread_equal(pb->io, pthread_self())) {
      /* from a done callback: cannot join ourselves; the io thread ends on
       * its own and drops its executor reference last */
    } else {
      pthread_join(pb->io, NULL);
      pb->io_joined = 1;
    }
  }
  pthread_mutex_unlock(&pb->join_lock);
}

static void pb_stop(cf_executor *ex, int wait) {
  proc_backend *pb = ex->backend;
  if (!pb) return;
  bell_locked(pb); /* the io thread re-checks the shutdown flag */
  if (wait) pb_join(pb);
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

/* CF_START_SPAWN: map's chunks name their function as workers find it. */
static int pb_fn_ref(cf_executor *ex, const void *fn, uint32_t *obj, uint64_t *off) {
  proc_backend *pb = ex->backend;
  if (!pb || !pb->spawn) {
    *obj = 0;
    *off = (uint64_t)(uintptr_t)fn;
    return 0;
  }
  return cf__objref(&pb->g->objs, fn, obj, off);
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
static int pb_revoke(cf_future *f) {
  uint64_t want = f->rec.id;
  return atomic_compare_exchange_strong(claim_word(f), &want, f->rec.id | CLAIM_CANC);
}

/* cf_future_state_get of an offered future: has its worker started it? */
static int pb_offer_started(cf_future *f) {
  return atomic_load(claim_word(f)) == (f->rec.id | CLAIM_RUN);
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
                                             .help_wait = pb_help_wait,
                                             .terminate = pb_terminate,
                                             .worker_pids = pb_worker_pids,
                                             .fn_ref = pb_fn_ref,
                                             .revoke = pb_revoke,
                                             .offer_started = pb_offer_started,
                                             .cancel_offers = pb_cancel_offers};
