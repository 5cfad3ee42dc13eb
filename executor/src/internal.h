/* internal.h -- structures and helpers shared by the executor's source files.
 * Not installed; users include only cfutures.h.
 *
 * Lock order: ex->graph_lock -> ex->q_lock -> the future's lock (CF__F_LOCK)
 * -> a waiter's lock -> ex->alloc_busy.
 */
#ifndef CF_INTERNAL_H
#define CF_INTERNAL_H

#include "cfutures.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* A growable byte buffer (task arguments and results).  Empty buffers point
 * at a shared zero-capacity array; a heap block keeps its capacity in the
 * 8 bytes before `data`, so the buffer is two words and a future stays two
 * cache lines.  A future keeps its buffers when it is recycled, so a task's
 * arguments and results cost no malloc once its future has been used. */
struct cf_result {
  unsigned char *data;
  size_t len;
};

void cf__result_init(cf_result *r);
void cf__result_reset(cf_result *r);   /* free the heap block, back to empty */
/* Grow to at least `len` bytes keeping the first `keep` bytes. */
int cf__result_reserve(cf_result *r, size_t len, size_t keep);
/* Free the block if its capacity exceeds `max` (keeps pooled memory small). */
void cf__result_trim(cf_result *r, size_t max);

typedef struct cf__cb {
  cf_done_cb cb;
  void *ud;
  struct cf__cb *next;
} cf__cb;

struct cf__waiter;

typedef struct cf__wlink {       /* a multi-waiter registered on a future */
  struct cf__waiter *w;
  size_t index;
  struct cf__wlink *next;
} cf__wlink;

/* What only some futures need (callbacks, multi-waiters, a failure
 * message), allocated on first use and kept while the future is recycled. */
typedef struct cf__cold {
  cf__cb *cbs;
  cf__wlink *links;
  char *message;                 /* malloc'd detail, or NULL */
  int worker_status;
} cf__cold;

/* A future's word (cf_future.word): its state and flags in the low half,
 * which is also the futex waiters sleep on, and its references in the high
 * half.  One word, so that the finisher's last touch of a future can be one
 * atomic operation: it publishes the final state, reads the flags (who
 * sleeps, who listens) and drops the queue's reference at once, and the
 * collector then finds the future's line as that store left it (with the
 * references in a word of their own the worker's decrement, after the
 * state store, pulled the line away from the collector once more).  A
 * change of the references does not disturb a sleeper: the futex compares
 * the low half only. */
#define CF__W_STATE 3u           /* cf_future_state, bits 0-1 */
#define CF__F_LOCK 4u            /* spin lock over cold->cbs / cold->links */
#define CF__F_LISTEN 8u          /* callbacks or waiters were ever added */
#define CF__F_SLEEP 16u          /* a thread sleeps (or will) in futex_wait on the word */
#define CF__F_OFFERED 32u        /* PENDING, offered to a process worker (backend revoke) */
#define CF__W_REF ((uint64_t)1 << 32) /* one reference */

/* A task as a worker calls it: fn(arg, len, &result). */
typedef struct cf__task {
  cf_task_fn fn;
  const void *arg;
  size_t len;
} cf__task;

/* Two cache lines: what submit, run, finish and collect touch.  The record's
 * worker is the runner (read atomically by the deadlock detector) and its
 * status the final error code. */
struct cf_future {
  _Atomic uint64_t word;         /* state | flags | refs << 32 (above) */
  int task_code;
  cf_executor *ex;
  cf_future *next;               /* pending queue / free list link */
  cf_task_fn fn;
  cf__cold *cold;                /* NULL until needed */
  cf_result arg;
  cf_task_record rec;
  cf_result res;
};

/* Backend operations.  Both backends consume the executor's pending queue
 * with cf__queue_pop(); the core owns futures, waits, map and deadlocks. */
typedef struct cf__backend_ops {
  const char *name;
  int (*start)(cf_executor *ex);          /* start workers */
  /* After shutdown: wake, and with wait join.  CF_EDEADLK (having woken,
   * not joined): the caller is a thread the join would wait for, one
   * running done callbacks for the pool (the process backend's io thread
   * or a thread helping it, the MPI progress thread). */
  int (*stop)(cf_executor *ex, int wait);
  void (*destroy)(cf_executor *ex);       /* join everything, free backend */
  /* Optional: a future was queued (called after the queue lock is dropped);
   * lets a backend that does not sleep on q_cond notice new work. */
  void (*kick)(cf_executor *ex);
  /* Optional: cf__queue_push offers f (its id not taken yet, the queue's
   * reference taken) before queueing it.  1: the backend took it (and its
   * id, cf__queue_take_id) straight to a worker, and the reference with
   * it; 0: queue it.  Only when nothing submitted earlier is still queued. */
  int (*give)(cf_executor *ex, cf_future *f);
  /* Optional: a thread is about to wait for f (not done) until `deadline`;
   * the backend may use the wait to make progress itself (e.g. collect
   * results).  Returns when it has nothing more to do; the caller waits. */
  void (*help_wait)(cf_executor *ex, cf_future *f, uint64_t deadline);
  /* Optional (NULL: CF_ENOSYS): after shutdown with cancel_futures, end the
   * workers with signal sig; running tasks fail with CF_EBROKEN. */
  void (*terminate)(cf_executor *ex, int sig);
  /* Optional (NULL: CF_ENOSYS): pids of the worker processes. */
  int (*worker_pids)(const cf_executor *ex, int *pids, int n);
  /* Optional (NULL: addresses are the same in workers): fn as the
   * (object, offset) a worker resolves with cf__objref_here. */
  int (*fn_ref)(cf_executor *ex, const void *fn, uint32_t *obj, uint64_t *off);
  /* Optional (NULL: futures are never offered): called under f's lock for a
   * PENDING future with CF__F_OFFERED, which a worker may claim by itself.
   * revoke: take the offer back; 1 if done (cancel may go on), 0 if the
   * worker has started it.  offer_started: has the worker started it? */
  int (*revoke)(cf_future *f);
  int (*offer_started)(cf_future *f);
  /* Optional: cf_executor_shutdown(cancel_futures) after the queue was
   * cancelled: cancel the offered futures too. */
  void (*cancel_offers)(cf_executor *ex);
} cf__backend_ops;

extern const cf__backend_ops cf__thread_backend;
extern const cf__backend_ops cf__process_backend;
extern const cf__backend_ops cf__mpi_backend;  /* backend_mpi.c, or mpi_stub.c without MPI */

#define CF_CACHELINE 64

/* One thread worker's completion counters, a cache line of their own: only
 * that worker writes them (a plain load and store, no locked add), and
 * cf_executor_stats_get sums them, so workers finishing tasks at once share
 * no counter line. */
typedef struct cf__wstat {
  _Alignas(CF_CACHELINE) _Atomic uint64_t completed;
  _Atomic uint64_t failed;
} cf__wstat;

/* A thread pool's batch (wbatch.c): the head of the pending queue, taken
 * from it in one q_lock acquisition, which every worker pops in order with
 * one CAS and shutdown can take back; its futures stay PENDING. */
#define CF__WBATCH_MAX 16
typedef struct cf__wbatch {
  _Alignas(CF_CACHELINE) _Atomic uint64_t word; /* generation << 32 | next << 16 | end */
  _Atomic(cf_future *) f[CF__WBATCH_MAX];
} cf__wbatch;

struct cf_executor {
  /* read-mostly */
  cf_config cfg;
  int nworkers;
  const cf__backend_ops *ops;
  void *backend;                 /* backend private state */
  _Atomic int shutdown;
  _Atomic int broken;            /* initializer failed */
  char *broken_msg;
  _Atomic int freed;             /* cf_executor_free was called */
  cf__wstat *wstats;             /* per worker completion counters, nworkers of them */
  cf__wbatch *wbatch;            /* the pool's batch, or NULL: cf__queue_batches */

  /* pending queue (queue.c): the producers' line ... */
  _Alignas(CF_CACHELINE) _Atomic uintptr_t q_tail; /* the last future; low bit: closed (shutdown) */
  /* ... the consumers' line (q_lock: consumers, shutdown, broken) ... */
  _Alignas(CF_CACHELINE) pthread_mutex_t q_lock;
  _Atomic(cf_future *) q_head;   /* changed under q_lock */
  _Atomic uint64_t q_taken;      /* futures taken, written under q_lock */
  /* ... the sleepers' line, which every push reads: written only when a
   * worker falls asleep or wakes ... */
  _Alignas(CF_CACHELINE) _Atomic int q_sleepers; /* workers asleep (or about to be) */
  _Atomic int q_tokens;          /* wake-ups sent, not yet taken by a worker */
  int q_spin_max;                /* workers that may spin at once */
  /* ... the hand-off word's line (handoff.c): an idle worker polls it ... */
  _Alignas(CF_CACHELINE) _Atomic uintptr_t hand;
  _Atomic uint64_t hand_taken;   /* futures taken from it (the queue's q_taken counts the rest) */
  cf__task hand_task;            /* the handed future's task, written with it */
  /* ... and the spinners' line */
  _Alignas(CF_CACHELINE) _Atomic int q_spinning; /* workers awake and looking for work */
  _Atomic int q_seq;             /* futex word idle workers sleep on */
  cf_future q_stub;              /* the queue's dummy node */

  /* submitter side: ids, lifetime, future pool (future.c) */
  _Alignas(CF_CACHELINE) _Atomic uint64_t next_id; /* ids given to queued futures */
  _Atomic int hand_hint;         /* the worker that waited last at the hand-off word (handoff.c) */
  _Atomic int refs;              /* user handle, workers, futures out of a slab (future.c) */
  _Atomic int alloc_busy;        /* allocators' spin lock (future.c): free_local, slabs */
  int pool_closed;               /* under alloc_busy: cf_executor_free closed the pool */
  cf_future *free_local;
  void *slabs;                   /* every slab of futures, freed with ex */
  _Alignas(CF_CACHELINE) _Atomic(cf_future *) free_shared; /* releases push here */
  _Atomic(cf_future *) free_one; /* one released future for the next allocation (future.c) */

  /* statistics: each worker counts its own completions (wstats, with the
   * read-mostly fields); other threads that complete a future count here */
  _Alignas(CF_CACHELINE) _Atomic uint64_t st_completed;
  _Atomic uint64_t st_failed, st_cancelled;
  _Atomic uint64_t st_cb_errors, st_deadlocks, st_helped, st_respawns;
  _Atomic uint64_t st_respawn_failures, st_workers_down;

  /* deadlock wait-for graph (deadlock.c) */
  _Alignas(CF_CACHELINE) pthread_mutex_t graph_lock;
  cf_future **blocked_on;        /* per worker: the future it waits on, or NULL */
  int nblocked;
  char last_deadlock[512];
};

/* ---- time ---- */
static inline uint64_t cf__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
/* The per-task records' clock (clock.c): CLOCK_MONOTONIC ns like
 * cf__now_ns, cheaper (the TSC scaled from a shared anchor), within about a
 * microsecond of it; two reads in different threads may be out of order by
 * that much. */
uint64_t cf__clock_ns(void);
/* Absolute deadline for a timeout in seconds; UINT64_MAX = forever. */
uint64_t cf__deadline(double timeout_s);

static inline void cf__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* ---- futex (futex.c) ---- */
/* Sleep while *addr == val, until woken or `deadline` (CLOCK_MONOTONIC ns,
 * UINT64_MAX = none).  `shared`: the word lives in memory shared between
 * processes.  Returns 0 or CF_ETIMEDOUT. */
int cf__futex_wait(_Atomic int *addr, int val, uint64_t deadline, int shared);
void cf__futex_wake(_Atomic int *addr, int n, int shared);

/* ---- per-thread worker context ---- */
typedef struct cf__tls {
  cf_executor *ex;               /* executor this thread works for, or NULL */
  int worker;
  cf_future *current;            /* task running in this thread (innermost) */
  int in_process_child;          /* set in forked process workers */
  /* Process workers, for map chunks sent item by item (CF__MAP_ITEMWISE):
   * where the chunk task counts the items it started (the parent reads it
   * when the worker dies), and the hook that sends the results appended
   * to out since the last call, so a crash loses no finished item. */
  _Atomic uint64_t *map_started;
  void (*map_flush)(cf_result *out);
} cf__tls;
/* initial-exec: in the shared library the default (global-dynamic) model
 * made every access a call to __tls_get_addr, several per task (4% of a
 * batched W=1 profile against libcfutures.so).  The block is small, so a
 * program that dlopen()s the library later still gets it from glibc's
 * static TLS reserve. */
extern _Thread_local cf__tls cf__self __attribute__((tls_model("initial-exec")));

/* ---- futures (future.c) ---- */
cf_future *cf__future_new(cf_executor *ex);   /* refs = 1 */
/* PENDING -> RUNNING.  Returns 1 if this caller claimed it. */
int cf__future_claim(cf_future *f, int worker);
/* Finish a claimed (RUNNING) future with `err`; result bytes must already
 * be in f->res.  Reports the record, wakes waiters, runs callbacks.
 * Returns 1 if this call finished it, 0 if it was not running (already
 * done, or never claimed). */
int cf__future_finish(cf_future *f, int err);
/* The same, ended at end_ns (the record's end; at least its start) rather
 * than now: a process worker's answer says when the task ended there. */
int cf__future_finish_at(cf_future *f, int err, uint64_t end_ns);
/* Finish, then drop the caller's reference (the queue's), in one atomic
 * step when nobody listens: the worker's last touch of f. */
void cf__future_finish_release(cf_future *f, int err);
/* Like finish but with a message (copied) and worker status. */
int cf__future_fail(cf_future *f, int err, int worker_status, const char *msg);
/* Lock f and mark that callbacks/waiters may be attached; returns whether f
 * is already done (1) or not (0), the lock held; CF_ENOMEM (not locked) if
 * its cold part cannot be allocated. */
int cf__future_listen(cf_future *f);
void cf__future_lock(cf_future *f);
void cf__future_unlock(cf_future *f);
/* The runner (worker that claimed f), -1: none yet. */
static inline int cf__future_runner(const cf_future *f) {
  return __atomic_load_n(&f->rec.worker, __ATOMIC_ACQUIRE);
}
static inline void cf__future_set_runner(cf_future *f, int worker) {
  __atomic_store_n(&f->rec.worker, worker, __ATOMIC_RELEASE);
}
/* Run a claimed future's task in this thread and finish it (the claim set
 * its worker).  start_ns: when the task starts (0 = now; a worker running
 * tasks back to back passes the previous task's end, saving a clock read).
 * release: also drop the caller's reference (cf__future_finish_release).
 * Returns the task's end time. */
uint64_t cf__future_run(cf_future *f, uint64_t start_ns, int release);
/* cf__future_run with f's task given: f's lines are first touched after
 * the task returned (a handed future, handoff.c: the task came in the
 * hand-off word's line, f's result is empty since cf__future_new). */
uint64_t cf__future_run_task(cf_future *f, const cf__task *t, uint64_t start_ns, int release);
static inline int cf__state_done(int s) { return s >= CF_CANCELLED; }

/* The word's parts (see CF__W_STATE).  f is const for the readers' sake;
 * the word is atomic, so reading it through a cast is sound. */
static inline uint64_t cf__fword(const cf_future *f) { return atomic_load(&((cf_future *)f)->word); }
static inline int cf__fstate(const cf_future *f) { return (int)(cf__fword(f) & CF__W_STATE); }
static inline unsigned cf__fflags(const cf_future *f) { return (unsigned)cf__fword(f) & ~CF__W_STATE; }
static inline uint32_t cf__frefs(const cf_future *f) { return (uint32_t)(cf__fword(f) >> 32); }
static inline void cf__fflag_set(cf_future *f, unsigned bit) { atomic_fetch_or(&f->word, bit); }
static inline void cf__fflag_clear(cf_future *f, unsigned bit) { atomic_fetch_and(&f->word, ~(uint64_t)bit); }
/* State from -> to, keeping flags and references; 1 if this call moved it. */
int cf__fstate_cas(cf_future *f, int from, int to);
/* The futex in the word: its low half (state and flags). */
static inline _Atomic int *cf__futex_of(cf_future *f) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (_Atomic int *)(void *)&f->word;
#else
  return (_Atomic int *)(void *)((char *)&f->word + 4);
#endif
}
void cf__executor_unref(cf_executor *ex);

/* Wait with deadlock detection / HELP when called from a worker. */
int cf__future_wait(cf_future *f, uint64_t deadline);
void cf__future_free_list(cf_executor *ex);
/* cf_executor_free, before it drops the user's reference: drop the
 * references of the pooled futures; a future released later drops its own
 * (future.c).  The caller holds a reference, so this is never the last. */
void cf__future_pool_close(cf_executor *ex);

/* ---- pending queue (queue.c) ---- */
void cf__queue_init(cf_executor *ex);
/* Whether anything is queued (a hint unless the caller holds q_lock). */
int cf__queue_nonempty(cf_executor *ex);
/* Take every queued future as a list linked by next (caller holds q_lock). */
cf_future *cf__queue_detach_locked(cf_executor *ex);
/* Close the queue to pushes (shutdown; under q_lock): a push after this
 * is refused, one before it is in the queue (maybe half linked: consumers
 * wait for its link). */
void cf__queue_close(cf_executor *ex);
/* Whether the queue was closed. */
int cf__queue_closed(cf_executor *ex);
/* Wake every idle worker (shutdown). */
void cf__queue_wake_all(cf_executor *ex);
int cf__submit_future(cf_executor *ex, cf_future *f);
/* Queue f (taking a reference), giving it its id and enqueue time;
 * CF_ESHUTDOWN once the queue is closed.  f must not be shared yet (made by
 * the caller, not yet handed out): the reference is taken without a locked
 * add. */
int cf__queue_push(cf_executor *ex, cf_future *f);
/* The id of a push that is sure (queued, or handed to a worker, handoff.c):
 * ids go to accepted submits only, so `submitted` (next_id) needs no
 * correction for a refused one.  Taken before the future is published, so
 * its worker sees it. */
static inline uint64_t cf__queue_take_id(cf_executor *ex) {
  return atomic_fetch_add_explicit(&ex->next_id, 1, memory_order_relaxed) + 1;
}
/* Next queued future (caller owns the queue's reference), or NULL once the
 * executor is shut down and the queue is empty. */
/* *waited is set when the queue was empty at first look (the caller's
 * previous timestamp is stale then). */
cf_future *cf__queue_pop(cf_executor *ex, int *waited);
/* Whether ex's workers take futures through a batch (wbatch.c): the
 * thread backend's; decided once, at creation (ex->wbatch is allocated
 * then). */
int cf__queue_batches(const cf_executor *ex);
/* cf__queue_pop for thread worker `worker`: through the pool's batch
 * (wbatch.c) when the pool has one.  handed->fn is set when the future came
 * through the hand-off word: claimed for this worker already, its task in
 * *handed; NULL otherwise (claim it). */
cf_future *cf__queue_pop_worker(cf_executor *ex, int worker, int *waited, cf__task *handed);
/* Non-blocking pop; NULL if empty (or a push is half done: it kicks). */
cf_future *cf__queue_trypop(cf_executor *ex);
/* Fail every queued future with err (used for broken pools, cancel). */
void cf__queue_drain(cf_executor *ex, int err, const char *msg);
void cf__executor_set_broken(cf_executor *ex, const char *msg);
/* Set the calling thread's cf_last_error_message() (cf_executor_new). */
void cf__set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the thread pool's hand-off word (handoff.c) ---- */
/* Submitter (thread pool, f not shared yet, holding the queue's reference
 * and its enqueue time): give f to a worker spinning for work if one waits
 * and nothing is queued or batched ahead; 1 if given (f has its id and is
 * RUNNING, claimed for that worker). */
int cf__handoff_give(cf_executor *ex, cf_future *f);
/* Idle thread worker w: wait for a handed future for a moment (the spin
 * phase of its wait); NULL if none came, the queue got work another way or
 * shutdown closed the word.  A handed future is claimed for w, its task in
 * *t.  *spun: it waited (0: another worker waits there, or the word is
 * closed). */
cf_future *cf__handoff_wait(cf_executor *ex, int w, cf__task *t, int *spun);
/* Shutdown, after the queue was closed: no more hand-offs; returns once a
 * future already handed has been taken by its worker. */
void cf__handoff_close(cf_executor *ex);

/* ---- the thread pool's batch (wbatch.c) ---- */
/* Any worker: take the batch's next entry; NULL: empty. */
cf_future *cf__wbatch_pop(cf__wbatch *b);
/* Under q_lock, batch empty: fs[0..n) (n <= CF__WBATCH_MAX) become the
 * batch, in that order. */
void cf__wbatch_fill(cf__wbatch *b, cf_future *const *fs, int n);
/* Under q_lock: take every entry not popped yet into out; their count. */
int cf__wbatch_steal(cf__wbatch *b, cf_future **out);
/* Entries not popped yet (a hint unless under q_lock, where only pops can
 * lower it). */
int cf__wbatch_left(const cf__wbatch *b);

/* ---- deadlock detection (deadlock.c) ---- */
/* Called by a worker thread about to wait on f (not done).  Returns 0 (now
 * registered as blocked: call cf__graph_unblock after the wait) or
 * CF_EDEADLK (not registered; description stored in the executor). */
int cf__graph_block(cf_executor *ex, int worker, cf_future *f);
void cf__graph_unblock(cf_executor *ex, int worker);

/* ---- multi-future waiters (wait.c); called with f->lock held ---- */
void cf__waiter_notify(struct cf__waiter *w, size_t index);

/* ---- addresses across images (objref.c) ---- */
#define CF__OBJTAB_MAX 16
/* Objects named by the parent, in memory shared with its workers. */
typedef struct cf__objtab {
  _Atomic int n;
  char names[CF__OBJTAB_MAX][256]; /* link-map names; "" = the executable */
} cf__objtab;
/* Parent: addr as (object number from 1, offset), naming the object in t
 * if new (callers serialise).  CF_EINVAL: addr is in no loaded object. */
int cf__objref(cf__objtab *t, const void *addr, uint32_t *obj, uint64_t *off);
/* Worker: use t for cf__objref_here. */
void cf__objref_worker(const cf__objtab *t);
/* Worker: (0, address) is the address itself; else resolved through the
 * table given to cf__objref_worker.  NULL: not found. */
void *cf__objref_here(uint32_t obj, uint64_t off);

/* ---- map chunk task (map.c) ---- */
/* Bit of the chunk argument's object word: the chunk stands for items the
 * user mapped at chunksize 1, which keep per-item semantics (see map.c). */
#define CF__MAP_ITEMWISE (1ull << 32)
int cf__map_chunk_task(const void *arg, size_t len, cf_result *out);

/* ---- pinning (affinity.c); 0 or CF_E* ---- */
/* Bind the calling worker thread to the PU planned for `worker`.  Both
 * backends use it: a process worker calls it in the forked child while that
 * child has one thread, so the binding is the whole process's. */
int cf__pin_self_thread(const cf_config *cfg, int worker);
/* The same for process `pid`, from the parent: a spawned worker
 * (CF_START_SPAWN) inherits no plan, so the parent binds it. */
int cf__pin_process(const cf_config *cfg, int worker, pid_t pid);

#endif
