/* process_internal.h -- what the process backend's files (process_*.c)
 * share: its constants, wire format, slot and pool structures, and the
 * functions one file calls in another.  Files: process_pool.c (entry
 * points), process_io.c (the io thread), process_dispatch.c,
 * process_transfer.c, process_claim.c (pipelining), process_death.c,
 * process_slot.c, process_spawn.c, process_worker.c, process_ring.c,
 * process_registry.c.
 *
 * The process backend: forked worker processes, a shared-memory (or pipe)
 * transport, one I/O thread in the parent that
 * dispatches tasks and completes futures, crash isolation with respawn,
 * per-task timeouts and worker recycling.
 *
 * Parent side.  One "io" thread owns every worker slot.  It takes futures
 * from the executor's pending queue while a worker has room: up to
 * PIPE_DEPTH requests in flight per worker on the shm transport, those
 * queued behind the worker's first offered in a claim word so that they
 * stay PENDING and cancellable until the worker takes them (see
 * PIPE_DEPTH); one with pipes or task timeouts,
 * claimed (RUNNING) at dispatch.  It writes the request
 * into the worker's channel, reads responses into f->res and finishes the
 * futures.  It never blocks on one worker: sends and receives are
 * resumable, so a 16 MiB result streams through a 256 KiB ring while other
 * workers are served.  When idle it spins briefly, then sleeps in epoll on
 * an eventfd (rung while it sleeps by submitters, and by workers once per
 * sleep: the first clears parent_sleeping), the workers' pidfds (death)
 * and, for the pipe transport, the pipes.  While it
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
 * The tag is the future's id.  Messages of any size are streamed.  On the
 * shm transport a small request to a worker with nothing in flight, and
 * its small answer, go in one-line mailboxes instead (see mbox): the
 * reader's poll of the line brings the message, where the ring costs two
 * cache-line transfers in a row per message.
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
 * CF_START_FORKSERVER (process_forkserver.c) keeps spawn's rules but has a
 * server process, spawned once, fork each worker: the server is small, so
 * a worker costs a fork of a fresh image instead of exec and the dynamic
 * loader; clone(CLONE_PARENT) makes the worker our child, so reaping,
 * pidfds and exit statuses are those of the other methods.
 *
 * Failures to (re)start a worker (fork, pipe, mmap, epoll_ctl failing, e.g.
 * under RLIMIT_NPROC) are retried with back-off; while no worker is alive,
 * queued work fails at once with CF_EBROKEN and the reason, and the pool
 * comes back when a retry succeeds. */
#ifndef CF_PROCESS_INTERNAL_H
#define CF_PROCESS_INTERNAL_H

#include "internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

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
 * the parent.  The request to a worker with nothing in flight is claimed at
 * dispatch (RUNNING: the worker reads it next); one queued behind another
 * stays PENDING (cancellable) until the worker claims it: the parent
 * "offers" it in a claim word of the worker's
 * shared page (the future's id), the worker CASes id -> id|CLAIM_RUN before
 * running it, and cf_future_cancel (cf__proc_revoke) CASes id -> id|CLAIM_CANC;
 * exactly one wins.  A worker that loses answers MSG_SKIP.  With pipes or
 * task timeouts the depth is 1 and the parent claims at dispatch, as the
 * timeout is measured per dispatched task. */
#define PIPE_DEPTH 256
/* How much work a worker may hold behind its running task, by the run time
 * of its recent tasks (pslot.run_ns): at least 2 requests in flight, at
 * most PIPE_DEPTH.  Deep pipelines keep short tasks flowing when the
 * machine is oversubscribed (a worker whose queue ran dry sleeps, and a
 * futex wake-up costs microseconds: batched no-op tasks at depth 16, 64 and
 * 256 cost 2.5, 1.6 and 0.86 us median at load 6-8 on 2 CPUs); the bound
 * keeps long tasks from piling up behind one worker while another idles,
 * which stealing fixes only once nothing is queued. */
#define PIPE_AHEAD_NS 50000ull
#define CLAIM_NONE 0xffffffffu         /* req_hdr.claim: claimed by the parent */
#define CLAIM_RUN (1ull << 63)
#define CLAIM_CANC (1ull << 62)

/* MSG_PART: results a map chunk sent so far (CF__MAP_ITEMWISE), appended
 * to the future's result; the chunk's MSG_RESULT then carries the rest. */
enum { MSG_TASK = 1, MSG_EXIT = 2, MSG_RESULT = 3, MSG_SKIP = 4, MSG_PART = 5 };
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
  int32_t cpu;
  uint32_t run_ns;                /* MSG_RESULT: the task's run time (ns, at most UINT32_MAX) */
  uint64_t len;
} res_hdr;

/* A single-producer single-consumer byte ring in shared memory.  The
 * positions are free-running 32-bit counters (head doubles as the
 * producer's futex word).  The consumer sleeps on cons_kick, which a
 * writer that clears cons_sleep bumps before its FUTEX_WAKE: the request
 * ring's consumer (a worker) also waits for the mailbox (mbox), whose
 * writes do not move tail. */
typedef struct ring {
  _Alignas(CF_CACHELINE) _Atomic int tail;  /* producer position */
  _Atomic int cons_sleep;                   /* consumer sleeps on cons_kick */
  _Atomic int cons_kick;                    /* bumped by whoever wakes it */
  uint32_t head_seen;                       /* producer's: a head it read (see ring_write_some) */
  _Alignas(CF_CACHELINE) _Atomic int head;  /* consumer position */
  _Atomic int prod_sleep;                   /* producer waits for space */
  uint32_t tail_seen;                       /* consumer's: a tail it read */
  _Alignas(CF_CACHELINE) unsigned char data[RING_BYTES];
} ring;

/* What a worker tells the parent, in shared memory. */
typedef struct wstatus {
  _Atomic int phase;              /* PH_* */
  _Atomic int init_rc;
  _Atomic uint64_t cur_tag;       /* task started and not yet answered, 0: none */
  _Atomic uint64_t cur_start_ns;
  _Atomic uint64_t cur_items;     /* map chunk of cur_tag: items started (map.c) */
  _Atomic uint64_t ready_ns;      /* when the initializer was done */
} wstatus;

/* A one-message mailbox on one cache line: a header and a small payload,
 * then the sequence number, written last (release).  The reader polls seq
 * and the same line brings the message with it: one cache-line transfer
 * per direction, where the ring needs two in a row (its tail line, then
 * the data line).  The parent puts a request in rq only for a worker with
 * nothing in flight (so the worker has read everything the ring held
 * before it, and rq's previous message), and the worker answers such a
 * request in rs under the request's seq if the answer fits and no part
 * of it went through the ring (MSG_PART); otherwise the answer streams
 * through the ring as usual.  seq counts from 1 per process (the parent's
 * pslot.mb_seq; a respawned worker gets a fresh mapping). */
#define MBOX_BYTES (CF_CACHELINE - 8)
typedef struct mbox {
  _Alignas(CF_CACHELINE) unsigned char data[MBOX_BYTES];
  _Atomic uint32_t seq;                     /* the last message put */
  uint32_t pad;
} mbox;

typedef struct wshared {
  wstatus st;
  _Alignas(CF_CACHELINE) _Atomic uint64_t claim[PIPE_DEPTH]; /* see PIPE_DEPTH */
  mbox rq;                        /* parent -> worker: see mbox */
  mbox rs;                        /* worker -> parent */
  /* The seq of the last mailbox answer the parent took, on a line of its
   * own that only the parent writes: a worker that answered while the io
   * thread slept reads it once, when its lazy-bell time is up, to learn
   * whether a helper took the answer (then no bell); a mailbox request
   * from the parent says so sooner (see child_wait_req). */
  _Alignas(CF_CACHELINE) _Atomic uint32_t rs_ack;
  ring req;                       /* parent -> worker (shm transport only) */
  ring res;                       /* worker -> parent */
} wshared;

/* Executor-wide shared word: the io thread sleeps (workers ring the bell). */
typedef struct gshared {
  _Atomic int parent_sleeping;
  /* A thread collects results (pb_help_wait): a worker whose answer is not
   * taken within LAZY_BELL_NS leaves it to that thread, which takes it or
   * rings on leaving.  On a line of its own that workers read only then,
   * so the helper's two stores a help stay in its CPU's cache. */
  _Alignas(CF_CACHELINE) _Atomic int helping;
  cf__objtab objs;                /* CF_START_SPAWN: objects of task functions */
} gshared;

/* A request in flight on a worker, in the order sent. */
typedef struct inflight {
  cf_future *f;
  req_hdr h;                      /* the request (h.tag identifies the answer) */
  int offered;                    /* PENDING, offered in claim word h.claim */
  int stolen;                     /* revoked by the parent and sent elsewhere */
  uint32_t mb;                    /* sent in the mailbox under this seq, 0: the ring */
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
  int dying;                      /* slot_died runs for it (callbacks may nest the io loop) */
  inflight q[PIPE_DEPTH];         /* requests in flight, FIFO from qh */
  int qh, qn;                     /* first entry, entries */
  int qsent;                      /* entries fully sent (the next is being sent) */
  int dispatched;                 /* tasks sent to this process */
  uint32_t mb_seq;                /* the last mailbox seq sent to this process */
  uint32_t run_ns;                /* its tasks\' run time: the last longer one, decaying (see PIPE_AHEAD_NS) */
  int cap;                        /* requests it may have in flight by run_ns (cf__proc_note_run), 0: the depth */
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
  int rx_parts;                   /* MSG_PARTs received for the head */
  int rx_bad;                     /* it sent a bad message: read nothing more from it */
  size_t rx_base;                 /* where this message's payload goes in f->res */
} pslot;

typedef struct proc_backend {
  cf_executor *ex;
  struct proc_backend *reg_next;  /* process-wide list, under the registry lock (cf__proc_reg_lock) */
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
  /* CF_START_SPAWN and CF_START_FORKSERVER (see cf__proc_slot_exec) */
  int spawn;                      /* a fresh image: tasks as (object, offset) */
  int fsrv;                       /* holds a reference on the fork server */
  int gfd;                        /* memfd of g, for every worker spawned */
  const void *fn_cache;           /* last task function and its reference */
  uint32_t fn_obj, init_obj, arg_obj;
  uint64_t fn_off, init_off, arg_off;
  unsigned char scratch[4096];    /* sink for payloads we cannot store */
} proc_backend;


/* A wait that pauses until ns have passed since its first look, then
 * gives up (the caller sleeps); a clock read every 32 pauses.  Call after
 * each look that found nothing; 0: give up.  No sched_yield() phase: one
 * was tried (50 us of looks between yields after the pause) and, with the
 * machine oversubscribed by other processes (load 60-100 on 2 CPUs), made
 * batched 4.9x and map at chunksize 256 19x slower than sleeping (median
 * per-round ratios, ab_process.sh): a yield puts the thread behind every
 * runnable one, while a futex wake-up is served promptly. */
typedef struct spin_wait {
  uint64_t t0;
  unsigned i;
} spin_wait;

static inline int spin_more(spin_wait *sp, uint64_t ns) {
  cf__cpu_relax();
  if (++sp->i & 31) return 1;
  uint64_t now = cf__now_ns();
  if (!sp->t0) sp->t0 = now;
  return now - sp->t0 <= ns;
}

static inline uint32_t ld(_Atomic int *p) { return (uint32_t)atomic_load(p); }

static inline size_t ring_used(ring *r) { return ld(&r->tail) - ld(&r->head); }

static inline inflight *q_at(pslot *s, int i) { return &s->q[(s->qh + i) % PIPE_DEPTH]; }

static inline cf_future *q_head(pslot *s) { return s->qn ? s->q[s->qh].f : NULL; }

static inline inflight *q_pop(pslot *s) {
  inflight *e = &s->q[s->qh];
  s->qh = (s->qh + 1) % PIPE_DEPTH;
  s->qn--;
  s->qsent--;
  s->rx_off = 0;
  s->rx_nomem = 0;
  s->rx_parts = 0;
  return e;
}

/* process_registry.c */
extern pthread_mutex_t cf__proc_reg_lock;
void cf__proc_reg_add(proc_backend *pb);
void cf__proc_reg_remove(proc_backend *pb);
void cf__proc_child_drop_inherited(proc_backend *pb, int idx);
void cf__proc_close_fd(int *fd);
void cf__proc_slot_release_locked(pslot *s);
/* process_ring.c */
size_t cf__proc_ring_write_some(ring *r, const unsigned char *p, size_t n);
size_t cf__proc_ring_read_some(ring *r, unsigned char *p, size_t n);
void cf__proc_bell(proc_backend *pb);
void cf__proc_bell_sleeper(proc_backend *pb);
/* process_mbox.c */
void cf__proc_mbox_put(mbox *m, uint32_t seq, const void *h, size_t hn, const void *p, size_t pn);
int cf__proc_mbox_send(pslot *s, inflight *e, const void *arg);
int cf__proc_mbox_ready(pslot *s);
void cf__proc_kick_sleeper(ring *r);
/* process_worker.c */
void cf__proc_child_main(proc_backend *pb, int idx) __attribute__((noreturn));
/* What a worker started from the program's image (spawn, fork server)
 * is told besides its descriptors: it rebuilds its pool from this. */
typedef struct cf__wparams {
  int32_t idx, shm, limit, parent;
  uint64_t sh_len, spin;
  uint32_t init_obj, arg_obj;
  uint64_t init_off, arg_off;
} cf__wparams;
/* A worker's descriptors, in this order (-1: none): its status page, the
 * pool's shared page, the bell, the pipes' worker ends (pipe transport). */
enum { WFD_SH, WFD_G, WFD_BELL, WFD_REQ, WFD_RES, WFD_N };

/* process_spawn.c */
int cf__proc_slot_exec(proc_backend *pb, pslot *s, char *why, size_t whylen);
int cf__proc_spawn_refs(proc_backend *pb);
void cf__proc_worker_enter(const cf__wparams *w, const int fds[WFD_N]) __attribute__((noreturn));
char **cf__proc_spawn_env(char *extra);
/* process_forkserver.c (calls under cf__proc_reg_lock) */
int cf__fsrv_acquire_locked(char *why, size_t whylen);
void cf__fsrv_release_locked(void);
int cf__fsrv_fork_locked(const cf__wparams *w, const sigset_t *mask, const int fds[WFD_N], pid_t *pid, char *why,
                         size_t whylen);
void cf__fsrv_child_drop(void);
void cf__fsrv_entry(const char *v) __attribute__((noreturn));
/* process_slot.c */
int cf__proc_ep_ctl(proc_backend *pb, int op, int fd, uint32_t events, int tag, int idx);
void cf__proc_slot_clear(proc_backend *pb, pslot *s);
int cf__proc_spawn_error(char *why, size_t len, const char *what, int e);
int cf__proc_chan_pipes(int req[2], int res[2]);
int cf__proc_slot_spawn(proc_backend *pb, pslot *s, char *why, size_t whylen);
void cf__proc_describe_status(char *buf, size_t len, int status);
int cf__proc_slot_reap(pslot *s, int block, int *status);
int cf__proc_try_spawn(proc_backend *pb, pslot *s);
void cf__proc_spawn_retry(proc_backend *pb, uint64_t now, uint64_t *next_dl);
int cf__proc_spawn_fail_waiting(proc_backend *pb);
/* process_claim.c */
int cf__proc_offer(pslot *s, int k, cf_future *f);
void cf__proc_adopt(pslot *s, inflight *e);
int cf__proc_take_back(pslot *s, inflight *e, int *started);
int cf__proc_steal_for(proc_backend *pb, pslot *s);
int cf__proc_any_stealable(proc_backend *pb);
int cf__proc_revoke(cf_future *f);
int cf__proc_offer_started(cf_future *f);
/* process_transfer.c */
int cf__proc_tx_pump(proc_backend *pb, pslot *s);
int cf__proc_rx_pump(proc_backend *pb, pslot *s);
/* process_dispatch.c */
void cf__proc_redo_push(proc_backend *pb, cf_future *f);
void cf__proc_settle(cf_future *f, int err, int status, const char *msg);
void cf__proc_fail_started(cf_future *f, int err, int status, const char *msg);
void cf__proc_fail_redo(proc_backend *pb, const char *msg);
int cf__proc_work_left(proc_backend *pb);
int cf__proc_slot_room(proc_backend *pb, pslot *s);
void cf__proc_note_run(proc_backend *pb, pslot *s, uint32_t ns);
int cf__proc_send_task(proc_backend *pb, pslot *s, cf_future *f, int claimed);
int cf__proc_task_ref(proc_backend *pb, cf_future *f);
int cf__proc_dispatch_slot(proc_backend *pb, pslot *s);
int cf__proc_dispatch_all(proc_backend *pb);
/* process_death.c */
int cf__proc_check_deaths(proc_backend *pb, int poll_all);
uint64_t cf__proc_check_timeouts(proc_backend *pb, uint64_t now);
/* process_io.c */
int cf__proc_has_work(proc_backend *pb);
int cf__proc_may_end(proc_backend *pb);
void *cf__proc_io_main(void *p);
int cf__proc_is_io_thread(const proc_backend *pb);
void cf__proc_wait_held(proc_backend *pb, cf_future *f, uint64_t deadline);

#endif
