/* cfutures.h -- the public API of the cfutures executor library.
 *
 * cfutures gives C programs the semantics of Python's concurrent.futures:
 * executors with a thread or a process backend, futures with states,
 * timeouts, cancellation and done callbacks, cf_wait / cf_as_completed, and a
 * lazy, ordered, bounded cf_map.  Beyond CPython it detects deadlocks between
 * tasks of one pool (CF_EDEADLK naming the cycle), isolates crashing workers
 * in the process backend, and records per-task timing for benchmarks.
 *
 * Conventions (libuv style):
 *   - every function that can fail returns an int: 0 on success, a negative
 *     CF_E* code on failure; cf_strerror() turns a code into text;
 *   - handles are opaque; futures are reference counted (cf_future_release);
 *   - timeouts are in seconds as doubles; a negative timeout waits forever,
 *     0 polls.
 *
 * Task functions take their argument as bytes and produce their result as
 * bytes.  Both are copied, so the thread and process backends behave alike.
 */
#ifndef CFUTURES_H
#define CFUTURES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is the library's API: exported, while the
 * library is built with hidden visibility (its internals stay inside). */
#pragma GCC visibility push(default)

/* ------------------------------------------------------------------ errors */

/* Error codes.  The errno-like ones have the negated Linux errno value. */
#define CF_EINVAL     (-22)   /* invalid argument or configuration */
#define CF_ENOMEM     (-12)   /* out of memory */
#define CF_ETIMEDOUT  (-110)  /* a wait or a task ran past its timeout */
#define CF_ECANCELED  (-125)  /* the future was cancelled */
#define CF_EDEADLK    (-35)   /* the wait could never finish (see cf_executor_last_deadlock) */
#define CF_ESHUTDOWN  (-108)  /* the executor is shut down */
#define CF_ENOSYS     (-38)   /* not supported on this machine or build */
#define CF_EAGAIN     (-11)   /* a resource limit (fork, threads) or not ready yet (cf_future_error) */
#define CF_EBROKEN    (-4001) /* the worker died, or the pool is broken (initializer failed) */
#define CF_ETASK      (-4002) /* the task returned non-zero; see cf_future_task_code() */
#define CF_EINTASK    (-4003) /* executor API called from inside a process-backend task */
#define CF_EOF        (-4095) /* an iterator is exhausted */

/* Text for an error code; never NULL, also for unknown codes. */
const char *cf_strerror(int err);
/* Symbolic name of an error code ("CF_ETIMEDOUT"); never NULL. */
const char *cf_err_name(int err);

/* ------------------------------------------------------------------- tasks */

typedef struct cf_executor cf_executor;
typedef struct cf_future cf_future;
typedef struct cf_result cf_result;

/* A task.  `arg` points to a private copy of the submitted bytes, valid for
 * the duration of the call.  The task stores its result with cf_result_set()
 * or cf_result_alloc() (no call = empty result).  Returning non-zero makes the
 * future fail with CF_ETASK; the value is kept (cf_future_task_code). */
typedef int (*cf_task_fn)(const void *arg, size_t arg_len, cf_result *out);

/* Copy `len` bytes at `data` into the task's result (replacing any earlier
 * one).  Returns 0 or CF_ENOMEM. */
int cf_result_set(cf_result *out, const void *data, size_t len);

/* Make the task's result `len` bytes long and return a pointer to write them
 * to (contents undefined), or NULL when out of memory.  Avoids a copy. */
void *cf_result_alloc(cf_result *out, size_t len);

/* ------------------------------------------------------------------ config */

/* CF_BACKEND_MPI: workers on other MPI ranks (see "MPI backend" below);
 * CF_ENOSYS in a build without MPI or outside cf_mpi_init's client. */
typedef enum { CF_BACKEND_THREAD = 0, CF_BACKEND_PROCESS = 1, CF_BACKEND_MPI = 2 } cf_backend;

/* Pinning of workers to processing units (hwloc).  COMPACT fills the PUs of
 * one core, then the next; SCATTER spreads workers over packages and cores
 * (hwloc_distrib of min(workers, PUs) workers, first PU of each set); LIST
 * uses cfg.pin_list (PU OS indices).  More workers than places wrap around:
 * worker i goes where worker i mod (#PUs, or pin_list_len) goes.  Every
 * worker binds its own thread (hwloc_set_cpubind THREAD); a process worker
 * does it right after fork, while it has that one thread, so the whole
 * worker process (and any thread it starts) keeps the binding.  The PU each
 * task really started on is in its
 * cf_task_record.cpu, so placements that broke the policy can be reported. */
typedef enum {
  CF_PIN_NONE = 0, CF_PIN_COMPACT, CF_PIN_SCATTER, CF_PIN_LIST
} cf_pin_policy;

/* What a task does when it waits on a future of its own pool that can never
 * complete.  ERROR: the wait returns CF_EDEADLK.  HELP: a wait on a pending
 * future of the own pool runs that task inline in the waiting worker;
 * cycles between running tasks still return CF_EDEADLK.
 *
 * Detection covers waits from inside a task on futures of the same pool via
 * cf_future_result, cf_map_next and cf_wait(CF_ALL_COMPLETED).  A wait is a
 * deadlock when following "future runs in worker W, W waits on future ..."
 * comes back to the waiter, or reaches a pending future while every worker
 * of the pool waits on a future that is not done (a waiting worker with a
 * timeout counts as waiting).  Not covered: cf_wait(FIRST_*) and
 * cf_as_completed from inside a task, and cycles across two pools. */
typedef enum { CF_DEADLOCK_ERROR = 0, CF_DEADLOCK_HELP = 1 } cf_deadlock_policy;

/* Process backend transport of tasks and results. */
typedef enum { CF_TRANSPORT_SHM = 0, CF_TRANSPORT_PIPE = 1 } cf_transport;

/* What the executor records for every task (map: for every chunk).
 * Timestamps are CLOCK_MONOTONIC nanoseconds. */
typedef struct cf_task_record {
  uint64_t id;          /* submission sequence number, from 1 */
  uint64_t enqueue_ns;  /* when cf_submit queued it */
  uint64_t start_ns;    /* when a worker started it (0: never started); a
                         * thread worker that finds this task queued as its
                         * previous one ends takes that end as this start
                         * (one clock read between the two), so the time it
                         * spends taking the task (tens of ns; more if it
                         * waited for the queue's lock) counts as the task's */
  uint64_t end_ns;      /* when it finished (0: not finished).  Process
                         * and MPI backends: the start plus the task's run
                         * time as its worker measured it, not when the
                         * answer was collected (MPI: the start is the send
                         * plus the rank's delay, on this process's clock);
                         * a task whose worker died, or a process task past
                         * 4.29 s (its run time is sent in 32 bits), ends
                         * when the parent learnt of it */
  int worker;           /* worker index 0..max_workers-1, -1: none */
  int cpu;              /* CPU (OS index) it started on, -1: unknown */
  int pid;              /* process that ran it (process backend), else 0 */
  int status;           /* 0 or the CF_E* code the future ended with */
} cf_task_record;

/* The largest max_workers cf_executor_new accepts (more is CF_EINVAL): far
 * beyond any machine's CPUs, small enough that per-worker tables stay
 * cheap. */
#define CF_MAX_WORKERS 4096

/* How the process backend starts its workers (cf_config.start_method).
 *
 * CF_START_FORK (default): fork() of the parent.  A worker inherits a copy
 *   of the whole parent at that moment: heap, globals, other threads' data
 *   (not the threads), so task functions, initializer_arg and any pointer
 *   into the parent's memory are valid in it.  The cost grows with the
 *   parent's heap (fork copies its page tables: ~10 ms per GiB touched),
 *   paid once per worker, one after the other.
 * CF_START_SPAWN: posix_spawn() of the program's own image (/proc/self/exe),
 *   as CPython's "spawn".  A worker is a fresh process of the same program:
 *   the program's constructors run in it, main() does not; it inherits no
 *   heap, no global set at run time, no descriptor but its channel.  Task
 *   functions and the initializer are sent as offsets into the loaded
 *   object (executable or shared library, dlopen()ed again by path in the
 *   worker if needed) that holds them; initializer_arg must be NULL or
 *   point into static data of such an object (else CF_EINVAL); arguments
 *   and results travel as bytes, as with fork.  Start cost does not depend
 *   on the parent's heap.  Pinning is applied by the parent right after
 *   the spawn.
 * CF_START_FORKSERVER: spawn's rules (what a worker inherits, task
 *   functions and initializer_arg as above), but workers are forked by a
 *   fork server: one small process of the program's own image, spawned
 *   once (by cf_forkserver_start(), else by the first such pool, and then
 *   stopped with the last such pool), that has run the program's
 *   constructors and nothing else.  A worker costs a fork of that small
 *   process (~0.1-0.3 ms) instead of an exec and the dynamic loading of
 *   every library the program links (spawn: several ms), whatever the
 *   parent's heap.  Workers are still children of the pool's process
 *   (clone(CLONE_PARENT)): crash isolation, pids, exit statuses and
 *   pinning are as with spawn.  A worker gets the environment, working
 *   directory and resource limits the server had when it started, not the
 *   parent's current ones (the signal mask is the pool's).  The server
 *   leaves when the program does (or cf_forkserver_stop()).
 * CF_BACKEND_MPI accepts any and ignores it: its tasks always travel as
 * object + offset (the spawn rules above hold whichever is given), and
 * each rank's local pool forks a rank that serves inside cf_mpi_init,
 * before the program's main() did anything, so fork there costs what a
 * spawn would. */
typedef enum { CF_START_FORK = 0, CF_START_SPAWN, CF_START_FORKSERVER } cf_start_method;

typedef struct cf_config {
  cf_backend backend;          /* default CF_BACKEND_THREAD */
  int max_workers;             /* 0 = min(32, usable CPUs + 4), as CPython; <= CF_MAX_WORKERS */
  cf_pin_policy pin;           /* default CF_PIN_NONE */
  const int *pin_list;         /* PU OS indices for CF_PIN_LIST (copied by cf_executor_new) */
  int pin_list_len;
  /* Runs once in every worker before its first task; non-zero = the pool is
   * broken: pending and later work fails with CF_EBROKEN. */
  int (*initializer)(void *arg);
  void *initializer_arg;
  int max_tasks_per_child;     /* process backend: replace a worker after this many tasks, 0 = never */
  cf_deadlock_policy on_deadlock;
  /* Process backend: a task running longer than this (from its start in the
   * worker) has its worker killed; its future fails with CF_ETIMEDOUT and the
   * worker is respawned.  A worker that has not even started the task
   * this long after it was handed over (stopped with SIGSTOP, stuck) is
   * killed as well; the task, not to blame, then runs on another worker.
   * The initializer is not timed.
   * <= 0: no limit. */
  double task_timeout_s;
  /* Process backend transport: CF_TRANSPORT_SHM (default; shared-memory
   * rings with futex wake-ups) or CF_TRANSPORT_PIPE (a pipe pair per worker,
   * for comparison).  Semantics are identical. */
  cf_transport transport;
  /* Called once per finished task, in the thread that completed it (worker
   * or collector), before the future becomes done: a thread that sees the
   * future done (cf_future_result returned, a callback ran) has had its
   * record reported.  A cancelled future's record (status CF_ECANCELED) is
   * reported by the thread that cancelled it, right after the cancel.
   * Must be thread-safe and must not block (the future's waiters wait for it). */
  void (*on_record)(const cf_task_record *rec, void *ud);
  void *on_record_ud;
  cf_start_method start_method; /* process backend; see cf_start_method */
} cf_config;

/* Fill `cfg` with the defaults described above. */
void cf_config_init(cf_config *cfg);

/* Start this process's fork server (CF_START_FORKSERVER) now and keep it
 * until cf_forkserver_stop(), so no pool pays for its start (a spawn of
 * the program, a few ms) and pools created and freed one after another
 * share it.  Without this call the first CF_START_FORKSERVER pool starts
 * it and the last one freed stops it.  Its cost does not depend on the
 * heap, so any time before the pools is fine; environment, working
 * directory and resource limits are taken as they are now.  0 (also when
 * it runs already), or CF_EAGAIN / CF_ENOMEM with the reason in
 * cf_last_error_message().  A forked child of this process has no fork
 * server (it starts its own). */
int cf_forkserver_start(void);

/* Drop cf_forkserver_start()'s hold: the server is stopped (killed and
 * reaped) now, or when the last CF_START_FORKSERVER pool using it is
 * freed.  Workers it forked are not affected. */
void cf_forkserver_stop(void);

/* The fork server's pid, or 0 if this process has none. */
int cf_forkserver_pid(void);

/* The worker count max_workers = 0 would give on this machine. */
int cf_default_max_workers(void);

/* ----------------------------------------------------------------- pinning */

/* The PU OS index each of `nworkers` workers would be bound to under `pol`
 * on this machine (-1 for every worker with CF_PIN_NONE), written to
 * pu_out[0..nworkers).  Same rules as the executor, wrap-around included.
 * 0, CF_EINVAL (bad list: empty, or a PU not in the topology), CF_ENOSYS
 * (hwloc could not read the topology) or CF_ENOMEM. */
int cf_pin_plan(cf_pin_policy pol, const int *list, int nlist, int nworkers, int *pu_out);

/* Whether cf_executor_new would accept the pinning of `cfg` (its backend,
 * pin, pin_list, max_workers): 0, or CF_ENOSYS (hwloc cannot bind threads /
 * processes here) or CF_EINVAL (bad list), with a one-line reason in err
 * (may be NULL) such as "pinning: PU 7 (list entry 1) is not in the
 * topology (PUs 0-1)". */
int cf_pin_check(const cf_config *cfg, char *err, size_t errlen);

/* A short description of this machine's topology for people: hwloc
 * version, counts of packages, cores and PUs, whether threads and processes
 * can be bound, then one line per core with its PU OS indices.  Truncated to
 * fit `len` (always terminated).  0 or a CF_E* code. */
int cf_pin_describe(char *buf, size_t len);

/* ---------------------------------------------------------------- executor */

/* Create an executor and start its workers (threads are started, processes
 * forked, here).  `cfg` may be NULL for the defaults.  CF_EINVAL for a bad
 * configuration, CF_ENOSYS for a backend or pinning the machine lacks,
 * CF_EAGAIN when a worker thread or process (or the process backend's I/O
 * thread) cannot be created -- a limit such as RLIMIT_NPROC (ulimit -u) --
 * and CF_ENOMEM.  On failure cf_last_error_message() says what happened.
 *
 * Fork rules of the process backend (see docs/process-backend.md):
 *   - workers are fork()ed here, and again from the executor's I/O thread
 *     when one dies, times out or is recycled; a worker sees the parent's
 *     memory as it was at that fork (globals set later are not visible);
 *   - create process executors before starting threads of your own when
 *     you can: a fork copies only the forking thread, so a lock another
 *     thread held at that moment stays locked in the worker.  glibc's malloc
 *     and stdio are safe; your own mutexes, and libraries that keep threads
 *     (OpenMP, some RNG or logging libraries), are not -- do not use them in
 *     tasks, or initialize them in cfg.initializer (it runs in each worker);
 *   - workers run with the signal mask of the thread that created the
 *     executor and the parent's signal handlers; a task calling exit() ends
 *     only its worker (exit handlers inherited from the parent do not run);
 *   - task functions and arguments must not hold pointers into memory the
 *     parent allocated after the fork; pass bytes;
 *   - inside a task, every executor call returns CF_EINTASK;
 *   - do not reap the workers yourself (waitpid(-1), SIGCHLD = SIG_IGN):
 *     the executor then cannot report how a worker died. */
int cf_executor_new(cf_executor **out, const cf_config *cfg);

/* Why the calling thread's last cf_executor_new failed, in one line, e.g.
 * "cannot create worker thread 3: Resource temporarily unavailable" or
 * "cannot start worker process 0: fork: Resource temporarily unavailable";
 * "" when it succeeded.  Valid until the thread's next cf_executor_new. */
const char *cf_last_error_message(void);

/* Schedule fn(arg) and return its future in *out (one reference, owned by the
 * caller: release it with cf_future_release).  The `len` bytes at `arg` are
 * copied.  CF_ESHUTDOWN after shutdown, CF_EBROKEN on a broken pool. */
int cf_submit(cf_executor *ex, cf_task_fn fn, const void *arg, size_t len,
              cf_future **out);

/* Stop accepting work.  cancel_futures: cancel every task still pending.
 * wait: return only when running and pending (not cancelled) tasks are done
 * and the workers have exited.  Idempotent.  From a thread that such a
 * wait would wait for -- inside one of the executor's own tasks, or in a
 * done callback of one of its futures run by the executor (a thread
 * worker; the process backend's I/O thread or a thread collecting its
 * results; the MPI backend's progress thread) -- wait=1 returns CF_EDEADLK
 * at once: the pool is still shut, and ends when its work is done. */
int cf_executor_shutdown(cf_executor *ex, int wait, int cancel_futures);

/* Forced shutdown (CPython 3.14's terminate_workers / kill_workers):
 * shutdown with cancel_futures, then every worker process gets `sig`
 * (SIGTERM, SIGKILL, ...; SIGCONT follows, so a stopped worker takes it
 * too), and one still alive 1 s later gets SIGKILL.  Tasks that were
 * running fail with CF_EBROKEN and the message "worker 0 (pid 123)
 * terminated by the caller: killed by signal 15 (Terminated)"; pending
 * ones are cancelled.  Returns once every worker is reaped and its shared
 * memory unmapped (no zombies, no leaked mappings), so it ends a pool
 * promptly even when a worker hangs or is stopped; from a done callback
 * run by the pool (the threads cf_executor_shutdown names), where that
 * wait would wait for itself, it returns 0 once the signals are sent, and
 * the pool's I/O thread reaps the workers after the callback has returned
 * (cf_executor_free waits for that).  Thread-safe, callable
 * while other threads wait on futures (they wake up with the results
 * above); not async-signal-safe: from a SIGINT handler, hand over to a
 * thread.  Idempotent: after the first call, later ones only wait.
 * MPI backend: forwarded to every worker rank, which terminates its local
 * pool the same way; returns once the ranks reaped their workers (a task
 * sent to a rank but not yet started there fails with CF_EBROKEN too).
 * 0, CF_EINVAL (bad signal), CF_EINTASK, or CF_ENOSYS for the thread
 * backend (a thread cannot be ended from outside; use shutdown with
 * cancel_futures, and a task timeout inside your tasks). */
int cf_executor_terminate(cf_executor *ex, int sig);

/* Process backend: the pid of each worker process, written to
 * pids[0..min(n, workers)); 0 for a worker being replaced.  Returns the
 * number of workers, CF_ENOSYS for the thread and MPI backends (an MPI
 * worker is a process on another host: its pid is not rank 0's to signal;
 * cf_task_record.pid says where a task ran).  For diagnostics and
 * fault tests (SIGSTOP a worker); a pid may be reaped and replaced as soon
 * as it is read. */
int cf_executor_worker_pids(const cf_executor *ex, int *pids, int n);

/* Shut down (wait=1) and drop the caller's handle.  Futures still held stay
 * valid until released.  NULL is ignored. */
void cf_executor_free(cf_executor *ex);

/* Number of workers. */
int cf_executor_workers(const cf_executor *ex);

/* Counters an executor keeps. */
typedef struct cf_executor_stats {
  /* submitted: futures accepted by cf_submit / cf_map (a submit refused with
   * CF_ESHUTDOWN, CF_EBROKEN or CF_ENOMEM is not counted).  Every submitted
   * future ends as completed (no error), failed (any error) or cancelled. */
  uint64_t submitted, completed, failed, cancelled;
  uint64_t callback_errors;  /* done callbacks that returned non-zero */
  uint64_t deadlocks;        /* waits that returned CF_EDEADLK */
  uint64_t helped;           /* tasks run inline by CF_DEADLOCK_HELP */
  uint64_t respawns;         /* process workers replaced after death/timeout/recycling */
  /* Process backend: attempts to start a replacement worker that failed
   * (fork, pipe, mmap or epoll_ctl; e.g. RLIMIT_NPROC reached).  They are
   * retried with back-off (10 ms doubling to 1 s) for as long as it takes;
   * meanwhile the pool runs with fewer workers, and with none, submitted
   * work fails at once with CF_EBROKEN and the reason ("cannot respawn
   * worker 0: fork: Resource temporarily unavailable"). */
  uint64_t respawn_failures;
  uint64_t workers_down;     /* workers currently missing (waiting for a retry) */
} cf_executor_stats;
void cf_executor_stats_get(const cf_executor *ex, cf_executor_stats *st);

/* Copy the description of the most recent deadlock this executor detected
 * (e.g. "cycle: task 3 (worker 0) waits on task 4 (worker 1), which waits on
 * task 3") into buf.  Returns 0, CF_EAGAIN if none was detected, or
 * CF_EINVAL for a NULL ex. */
int cf_executor_last_deadlock(const cf_executor *ex, char *buf, size_t len);

/* Inside a task: the index of the worker running it; -1 elsewhere. */
int cf_current_worker(void);

/* ------------------------------------------------------------------ future */

/* A future's state.  PENDING: queued, and cf_future_cancel can still take
 * it back.  RUNNING: a worker has taken it, and it can no longer be
 * cancelled; a task given straight to an idle worker (an idle thread
 * worker waiting for work, or an idle process worker while the pool's I/O
 * thread sleeps) is RUNNING from the moment cf_submit returns, a moment
 * before its worker calls it.  CANCELLED and FINISHED are final. */
typedef enum {
  CF_PENDING = 0, CF_RUNNING = 1, CF_CANCELLED = 2, CF_FINISHED = 3
} cf_future_state;

/* Wait up to timeout_s for the result.  On 0, *data / *len (either may be
 * NULL) describe the result bytes, valid until the future is released.
 * Errors: CF_ETIMEDOUT (the future is still pending/running), CF_ECANCELED,
 * CF_ETASK, CF_EBROKEN, CF_ETIMEDOUT (the task itself timed out; then
 * cf_future_done() is true), CF_EDEADLK (waiting from a task of the same pool
 * could never end; the future is untouched). */
int cf_future_result(cf_future *f, double timeout_s, const void **data,
                     size_t *len);

/* The error the future ended with (0 = success), without waiting;
 * CF_EAGAIN if it is not done, CF_EINVAL for NULL. */
int cf_future_error(const cf_future *f);

/* The task's own non-zero return value when the error is CF_ETASK, else 0. */
int cf_future_task_code(const cf_future *f);

/* Process backend: the wait status (as from waitpid) of the worker that died
 * running this task (error CF_EBROKEN or CF_ETIMEDOUT), or -1. */
int cf_future_worker_status(const cf_future *f);

/* A human-readable detail for a failed future ("worker 1 (pid 123) killed by
 * signal 11 (Segmentation fault)"), or "" if there is none. */
const char *cf_future_message(const cf_future *f);

/* Cancel a pending future.  Returns 1 if it is (now) cancelled, 0 if it is
 * running or finished.  Done callbacks run. */
int cf_future_cancel(cf_future *f);

cf_future_state cf_future_state_get(const cf_future *f);
int cf_future_done(const cf_future *f);      /* cancelled or finished */
int cf_future_running(const cf_future *f);
int cf_future_cancelled(const cf_future *f);

/* Timing and placement of the task (see cf_task_record).  Complete once the
 * future is done; before that only id, enqueue_ns and worker are filled. */
void cf_future_record(const cf_future *f, cf_task_record *rec);

/* Called exactly once when the future is done (finished or cancelled): in the
 * completing thread, or at once in the caller if it already is done.  A
 * non-zero return is counted in cf_executor_stats.callback_errors and
 * otherwise ignored: it never breaks the pool.
 * Process backend: the completing thread is the executor's I/O thread or
 * a thread collecting results while it waits on a future of the pool.  A
 * callback may wait on another future of the same pool (cf_future_result):
 * it then runs the pool's I/O loop itself until that future is done, so
 * the pool's other results, deaths and timeouts are handled meanwhile, and
 * other callbacks (nested) may run in it. */
typedef int (*cf_done_cb)(cf_future *f, void *ud);
int cf_future_add_done_callback(cf_future *f, cf_done_cb cb, void *ud);

/* Take / drop a reference.  The last release recycles the future. */
void cf_future_retain(cf_future *f);
void cf_future_release(cf_future *f);

/* -------------------------------------------------------------------- wait */

typedef enum {
  CF_FIRST_COMPLETED = 0, CF_FIRST_EXCEPTION = 1, CF_ALL_COMPLETED = 2
} cf_wait_mode;

/* Wait until the condition holds for fs[0..n): any done, any failed (or all
 * done), or all done.  Returns 0 when it holds, CF_ETIMEDOUT otherwise;
 * CF_EINVAL for a bad mode or a NULL entry.  *n_done (may be NULL) gets the
 * number of entries of fs that are done (a future listed twice counts
 * twice, so after ALL_COMPLETED *n_done == n).  From inside a task
 * of the same pool, ALL_COMPLETED detects deadlocks as cf_future_result. */
int cf_wait(cf_future *const *fs, size_t n, cf_wait_mode mode,
            double timeout_s, size_t *n_done);

/* Iterate futures in the order they complete.  The timeout counts from
 * cf_as_completed_new for the whole iteration.  Duplicates are yielded once.
 * CF_EINVAL for a NULL out, a NULL fs with n > 0, or a NULL entry.
 * next: 0 with *f (borrowed: still the caller's reference), CF_EOF when all
 * were yielded, CF_ETIMEDOUT when the deadline passed first. */
typedef struct cf_as_completed cf_as_completed;
int cf_as_completed_new(cf_future *const *fs, size_t n, double timeout_s,
                        cf_as_completed **out);
int cf_as_completed_next(cf_as_completed *it, cf_future **f);
void cf_as_completed_free(cf_as_completed *it);

/* --------------------------------------------------------------------- map */

/* Input of cf_map: store the next item in *arg / *len and return 1, return 0
 * at the end, or a negative code to stop with that error.  The bytes are
 * copied before the next call. */
typedef int (*cf_map_input_fn)(void *ud, const void **arg, size_t *len);

/* The largest cf_map chunksize (more is CF_EINVAL): 16 Mi items in one
 * task message is already far past where batching pays. */
#define CF_MAX_CHUNKSIZE (1u << 24)

typedef struct cf_map_options {
  size_t chunksize;   /* items per task (default 1, at most CF_MAX_CHUNKSIZE) */
  /* Chunks in flight ahead of the consumer.  0 = the default: 2 x workers
   * on the thread and MPI backends; on the process backend enough chunks
   * for 128 items per worker, at least 2 x workers (chunksize 1, W=2: 256),
   * since every chunk is a message through the parent's io thread and a
   * shallow window leaves workers idle.  The input is pulled only to refill
   * this window, so memory stays bounded by (buffersize + 1) x chunksize
   * items: the window, and the chunk whose results are being read. */
  size_t buffersize;
  double timeout_s;   /* deadline for the whole map, from cf_map_new (< 0 none) */
} cf_map_options;

void cf_map_options_init(cf_map_options *opt);

/* Lazy, ordered map.  Pulls input only to keep `buffersize` chunks in
 * flight; never consumes the input eagerly.
 *
 * Process backend, chunksize 1 (without task_timeout_s or
 * max_tasks_per_child, which count tasks): consecutive items travel several
 * to a message (as many as run in about 50 us in a worker, at most 64,
 * sized from the items done so far), and buffersize then counts items.
 * Each item keeps the semantics of a task of its own: its result or error
 * comes in order, and when its worker dies only the items the worker had
 * started and not answered fail (CF_EBROKEN, with the worker's end in
 * cf_map_message); the items after them run again elsewhere, none twice.  cf_map_record and cf_executor_stats then count the chunks. */
typedef struct cf_map cf_map;
int cf_map_new(cf_executor *ex, cf_task_fn fn, cf_map_input_fn input,
               void *input_ud, const cf_map_options *opt, cf_map **out);

/* Next result, in input order.  0: *data / *len valid until the next call.
 * An item that failed returns its error (CF_ETASK, CF_EBROKEN, ...) and the
 * iteration goes on with the next item; cf_map_task_code() gives the task's
 * code.  CF_EOF at the end; CF_ETIMEDOUT once the deadline has passed (the
 * rest is cancelled); the input callback's error is returned in order.  A
 * chunk the executor refuses (shut down, broken: CF_ESHUTDOWN, CF_EBROKEN;
 * CF_ENOMEM) ends the map: the items submitted before it come first, in
 * order, then its error, on this and every later call (never CF_EOF: the
 * items of that chunk were taken from the input and did not run). */
int cf_map_next(cf_map *m, const void **data, size_t *len);
int cf_map_task_code(const cf_map *m);
/* The detail of the last returned item's failure when its whole chunk
 * failed (CF_EBROKEN: "worker 1 (pid 123) killed by signal 9 (Killed)";
 * CF_ETIMEDOUT from a task timeout), as cf_future_message; else "". */
const char *cf_map_message(const cf_map *m);
/* Record of the chunk the last returned item belonged to (still after
 * CF_EOF); before the first item, a record of nothing: id 0, worker and
 * cpu -1. */
void cf_map_record(const cf_map *m, cf_task_record *rec);
/* Cancel what is pending and free. NULL is ignored. */
void cf_map_free(cf_map *m);

/* ------------------------------------------------------------- MPI backend */

/* CF_BACKEND_MPI runs tasks on the other ranks of an MPI job (OpenMPI; the
 * backend is built when CMake finds MPI).  The model is mpi4py's
 * MPICommExecutor: every rank runs the same program, started by mpiexec /
 * srun, and calls cf_mpi_init() first thing in main, before it starts
 * threads.  Rank 0 gets CF_MPI_CLIENT back and is the client: it creates
 * executors, submits, waits, as with any backend.  Every other rank serves
 * tasks inside cf_mpi_init() until rank 0 calls cf_mpi_finalize() (or
 * exits: an atexit handler calls it), then gets CF_MPI_WORKER_DONE and
 * should just exit:
 *
 *     int rc = cf_mpi_init(&argc, &argv);
 *     if (rc == CF_MPI_WORKER_DONE) return 0;   // a worker rank, finished
 *     if (rc < 0) { fprintf(stderr, "%s\n", cf_strerror(rc)); return 1; }
 *     ... rank 0: cfg.backend = CF_BACKEND_MPI; cf_executor_new ...
 *
 * Workers.  An executor of max_workers n (0 = one per worker rank) has n
 * slots; slot k is on rank 1 + k mod (size - 1).  Each rank runs the
 * slots it holds as a local process-backend pool (forked workers) with the
 * executor's pin policy (applied with the rank's own hwloc topology),
 * initializer, task_timeout_s, max_tasks_per_child and transport.
 * cf_current_worker() in a task is the index in that local pool.
 * on_record and done callbacks run on rank 0 (in its progress thread).
 *
 * Task functions.  Addresses differ between processes, so rank 0 sends
 * the name of the loaded object holding the function (the executable, or
 * a shared library's path as the dynamic loader has it) and its offset in
 * it (dladdr); a rank finds its own copy of that object.  Nothing has to be
 * registered: any function of the executable or of a library loaded in
 * every rank works, static ones too.  Every rank must run the same build
 * of the program and libraries (same path for a library).  A function
 * outside any object (JIT code) fails its future with CF_EINVAL, a
 * library not loaded on the rank with CF_EINVAL and a message.  The
 * initializer is resolved the same way; initializer_arg must be NULL or
 * point into an object's static data (a heap or stack pointer: CF_EINVAL
 * from cf_executor_new).
 *
 * Semantics as the other backends: futures, cf_wait, cf_as_completed,
 * cf_map (a chunk is one message), task errors, timeouts, cancellation
 * of pending futures.  Messages are MPI messages of at most 1 MiB; larger
 * arguments and results are split, any size the memory holds.
 * Record timestamps are rank 0's clock (start = sent + the rank's delay
 * before starting it); cpu and pid are the rank's (pid on its host).
 *
 * Crashes.  What OpenMPI 4 survives: the death of a process that is not an
 * MPI rank.  Tasks run in processes forked by the rank, so a task that
 * crashes (signal, abort, exit) or runs past task_timeout_s fails alone
 * with CF_EBROKEN / CF_ETIMEDOUT and the worker status, the rank respawns
 * its worker and goes on, exactly as the process backend.  What it does
 * not survive: the death of a rank itself (killed, OOM-killed, node lost).
 * OpenMPI 4 has no fault tolerance (ULFM is not in its default build):
 * mpiexec then aborts the whole job, rank 0 included, which exits with a
 * non-zero status and a message from mpiexec; nothing hangs, but results
 * not yet returned are lost.  A stopped (SIGSTOP) or hung rank is a hung
 * task: waits with a timeout return CF_ETIMEDOUT.
 *
 * Threads.  MPI is started with MPI_THREAD_MULTIPLE when cf_mpi_init starts
 * it; if the program started MPI itself, SERIALIZED is the least we accept,
 * and then the program must not call MPI while an MPI executor exists.
 * Do not call cf_executor_new, cf_executor_free or a blocking wait from a
 * done callback of an MPI future (they run in the progress thread). */

#define CF_MPI_CLIENT 0       /* cf_mpi_init: this is rank 0 */
#define CF_MPI_WORKER_DONE 1  /* cf_mpi_init: a worker rank that has finished serving */

/* Start MPI (MPI_Init_thread, unless the program did) and take this rank's
 * role: CF_MPI_CLIENT on rank 0; on other ranks, serve until the client
 * finalizes, finalize MPI (if we started it) and return CF_MPI_WORKER_DONE.
 * CF_ENOSYS without MPI (or a thread level below SERIALIZED).  argc / argv
 * may be NULL. */
int cf_mpi_init(int *argc, char ***argv);

/* Rank 0: fail what MPI executors still have in flight with CF_EBROKEN,
 * release the worker ranks, finalize MPI (if cf_mpi_init started it).
 * Free the executors before when you can.  Idempotent; 0. */
int cf_mpi_finalize(void);

/* Rank 0 after cf_mpi_init: the number of worker ranks (size - 1); else 0. */
int cf_mpi_workers(void);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif /* CFUTURES_H */
