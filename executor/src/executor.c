/* executor.c -- the executor core: configuration, submit, shutdown and the
 * executor's lifetime.
 *
 * The pending queue itself is in queue.c. */
#define _GNU_SOURCE
#include "internal.h"

#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>



void cf_config_init(cf_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->backend = CF_BACKEND_THREAD;
  cfg->pin = CF_PIN_NONE;
  cfg->on_deadlock = CF_DEADLOCK_ERROR;
  cfg->transport = CF_TRANSPORT_SHM;
}

static int usable_cpus(void) {
  cpu_set_t set;
  int n = 0;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n <= 0) n = (int)sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? n : 1;
}

int cf_default_max_workers(void) {
  int n = usable_cpus();
  return n + 4 < 32 ? n + 4 : 32;
}

int cf_current_worker(void) { return cf__self.ex ? cf__self.worker : -1; }

/* Per thread, so concurrent cf_executor_new calls keep their own reasons;
 * every cf_executor_new starts by clearing it. */
static _Thread_local char last_error[256];

void cf__set_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
}

const char *cf_last_error_message(void) { return last_error; }

/* ----------------------------------------------------------------- queue */

/* Fail (or cancel) every future of a detached list and drop the queue's
 * references. */
static void fail_list(cf_future *list, int err, const char *msg) {
  while (list) {
    cf_future *f = list;
    list = f->next;
    if (err == CF_ECANCELED) cf_future_cancel(f);
    else if (cf__future_claim(f, -1)) cf__future_fail(f, err, -1, msg);
    cf_future_release(f);
  }
}

/* Under q_lock: prepend what the pool's batch holds to list (its futures
 * are pending, as the queued ones, and older). */
static cf_future *take_batch(cf_executor *ex, cf_future *list) {
  cf_future *fs[CF__WBATCH_MAX];
  for (int i = ex->wbatch ? cf__wbatch_steal(ex->wbatch, fs) : 0; i-- > 0;) {
    fs[i]->next = list;
    list = fs[i];
  }
  return list;
}

void cf__queue_drain(cf_executor *ex, int err, const char *msg) {
  pthread_mutex_lock(&ex->q_lock);
  cf_future *list = cf__queue_detach_locked(ex);
  pthread_mutex_unlock(&ex->q_lock);
  fail_list(list, err, msg);
}

void cf__executor_set_broken(cf_executor *ex, const char *msg) {
  pthread_mutex_lock(&ex->q_lock);
  int first = !atomic_load(&ex->broken);
  if (first) {
    ex->broken_msg = strdup(msg ? msg : "pool is broken");
    atomic_store(&ex->broken, 1);
  }
  pthread_mutex_unlock(&ex->q_lock);
  cf__queue_drain(ex, CF_EBROKEN, ex->broken_msg);
}

/* -------------------------------------------------------------- lifetime */

static int config_invalid(const char *what) {
  cf__set_error("invalid configuration: %s", what);
  return CF_EINVAL;
}

static int config_validate(const cf_config *cfg) {
  if (cfg->backend != CF_BACKEND_THREAD && cfg->backend != CF_BACKEND_PROCESS && cfg->backend != CF_BACKEND_MPI)
    return config_invalid("backend");
  if (cfg->max_workers < 0 || cfg->max_workers > CF_MAX_WORKERS) return config_invalid("max_workers (0..CF_MAX_WORKERS)");
  if (cfg->max_tasks_per_child < 0) return config_invalid("max_tasks_per_child < 0");
  if (cfg->on_deadlock != CF_DEADLOCK_ERROR && cfg->on_deadlock != CF_DEADLOCK_HELP)
    return config_invalid("on_deadlock");
  if (cfg->transport != CF_TRANSPORT_SHM && cfg->transport != CF_TRANSPORT_PIPE) return config_invalid("transport");
  if (cfg->pin < CF_PIN_NONE || cfg->pin > CF_PIN_LIST) return config_invalid("pin");
  if (cfg->start_method != CF_START_FORK && cfg->start_method != CF_START_SPAWN &&
      cfg->start_method != CF_START_FORKSERVER)
    return config_invalid("start_method");
  if (cfg->pin == CF_PIN_LIST && (!cfg->pin_list || cfg->pin_list_len <= 0))
    return config_invalid("pin CF_PIN_LIST without pin_list");
  if (cfg->pin != CF_PIN_NONE) {
    char why[200];
    int rc = cf_pin_check(cfg, why, sizeof why);
    if (rc) cf__set_error("%s", why);
    return rc;
  }
  return 0;
}

static void executor_destroy(cf_executor *ex) {
  if (ex->ops && ex->ops->destroy) ex->ops->destroy(ex);
  cf__future_free_list(ex);
  pthread_mutex_destroy(&ex->q_lock);
  pthread_mutex_destroy(&ex->graph_lock);
  free(ex->blocked_on);
  free(ex->wstats);
  free(ex->wbatch);
  free(ex->broken_msg);
  free((void *)ex->cfg.pin_list);
  free(ex);
}

void cf__executor_unref(cf_executor *ex) {
  if (atomic_fetch_sub_explicit(&ex->refs, 1, memory_order_acq_rel) == 1) executor_destroy(ex);
}

int cf_executor_new(cf_executor **out, const cf_config *cfg) {
  last_error[0] = 0;
  if (!out) return CF_EINVAL;
  *out = NULL;
  if (cf__self.in_process_child) return CF_EINTASK;
  cf_config def;
  if (!cfg) {
    cf_config_init(&def);
    cfg = &def;
  }
  int rc = config_validate(cfg);
  if (rc) return rc;
  cf_executor *ex = aligned_alloc(CF_CACHELINE, (sizeof *ex + CF_CACHELINE - 1) / CF_CACHELINE * CF_CACHELINE);
  if (!ex) return CF_ENOMEM;
  memset(ex, 0, sizeof *ex);
  ex->cfg = *cfg;
  /* Workers read the pin list after cf_executor_new returns: own a copy. */
  ex->cfg.pin_list = NULL;
  if (cfg->pin == CF_PIN_LIST) {
    int *copy = malloc((size_t)cfg->pin_list_len * sizeof *copy);
    if (!copy) {
      free(ex);
      return CF_ENOMEM;
    }
    memcpy(copy, cfg->pin_list, (size_t)cfg->pin_list_len * sizeof *copy);
    ex->cfg.pin_list = copy;
  }
  ex->nworkers = cfg->max_workers ? cfg->max_workers : cf_default_max_workers();
  ex->refs = 1;
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP); /* spin before sleeping */
  pthread_mutex_init(&ex->q_lock, &ma);
  pthread_mutexattr_destroy(&ma);
  cf__queue_init(ex);
  ex->q_spin_max = usable_cpus() / 2 > 1 ? usable_cpus() / 2 : 1;
  pthread_mutex_init(&ex->graph_lock, NULL);
  ex->blocked_on = calloc((size_t)ex->nworkers, sizeof *ex->blocked_on);
  ex->wstats = aligned_alloc(CF_CACHELINE, (size_t)ex->nworkers * sizeof *ex->wstats);
  if (ex->wstats) memset(ex->wstats, 0, (size_t)ex->nworkers * sizeof *ex->wstats);
  int batches = cf__queue_batches(ex);
  if (batches) {
    ex->wbatch = aligned_alloc(CF_CACHELINE, sizeof *ex->wbatch);
    if (ex->wbatch) memset(ex->wbatch, 0, sizeof *ex->wbatch);
  }
  if (!ex->blocked_on || !ex->wstats || (batches && !ex->wbatch)) {
    executor_destroy(ex);
    return CF_ENOMEM;
  }
  ex->ops = cfg->backend == CF_BACKEND_THREAD    ? &cf__thread_backend
            : cfg->backend == CF_BACKEND_PROCESS ? &cf__process_backend
                                                 : &cf__mpi_backend;
  rc = ex->ops->start(ex);
  if (rc) {
    if (!last_error[0]) cf__set_error("cannot start the %s backend: %s", ex->ops->name, cf_strerror(rc));
    atomic_store(&ex->shutdown, 1);
    pthread_mutex_lock(&ex->q_lock);
    cf__queue_close(ex);
    pthread_mutex_unlock(&ex->q_lock);
    cf__queue_wake_all(ex);
    if (ex->ops->stop) ex->ops->stop(ex, 1); /* join whatever start created */
    cf__executor_unref(ex);
    return rc;
  }
  *out = ex;
  return 0;
}

/* Queue a prepared future (fn and arg set); on error the caller releases it. */
int cf__submit_future(cf_executor *ex, cf_future *f) {
  if (atomic_load_explicit(&ex->shutdown, memory_order_relaxed)) return CF_ESHUTDOWN;
  if (atomic_load_explicit(&ex->broken, memory_order_relaxed)) return CF_EBROKEN;
  int rc = cf__queue_push(ex, f);
  if (rc) return rc;
  /* A break racing with this submit: leave nothing in a queue that nobody
   * consumes any more. */
  if (atomic_load(&ex->broken)) cf__queue_drain(ex, CF_EBROKEN, ex->broken_msg);
  return 0;
}

int cf_submit(cf_executor *ex, cf_task_fn fn, const void *arg, size_t len, cf_future **out) {
  if (out) *out = NULL;
  if (cf__self.in_process_child) return CF_EINTASK;
  if (!ex || !fn || !out || (!arg && len)) return CF_EINVAL;
  if (atomic_load_explicit(&ex->shutdown, memory_order_relaxed)) return CF_ESHUTDOWN;
  if (atomic_load_explicit(&ex->broken, memory_order_relaxed)) return CF_EBROKEN;
  cf_future *f = cf__future_new(ex);
  if (!f) return CF_ENOMEM;
  int rc = len ? cf_result_set(&f->arg, arg, len) : 0; /* a new future's arg is empty */
  f->fn = fn;
  if (rc == 0) rc = cf__submit_future(ex, f);
  if (rc != 0) {
    cf_future_release(f);
    return rc;
  }
  *out = f;
  return 0;
}

/* Shutdown; with term_sig the backend's workers are also ended with it. */
static int executor_shutdown(cf_executor *ex, int wait, int cancel_futures, int term_sig) {
  /* No push gets in after the close; with cancel_futures the queue is
   * emptied under the consumers' lock (the detach waits for the links of
   * the pushes that got in), so no worker takes a pending future before it
   * is cancelled. */
  pthread_mutex_lock(&ex->q_lock);
  atomic_store(&ex->shutdown, 1);
  cf__queue_close(ex);
  cf_future *cancel = cancel_futures ? cf__queue_detach_locked(ex) : NULL;
  if (cancel_futures) cancel = take_batch(ex, cancel);
  pthread_mutex_unlock(&ex->q_lock);
  if (ex->wbatch) cf__handoff_close(ex);
  cf__queue_wake_all(ex);
  fail_list(cancel, CF_ECANCELED, NULL);
  if (cancel_futures && ex->ops->cancel_offers) ex->ops->cancel_offers(ex);
  if (term_sig) ex->ops->terminate(ex, term_sig);
  if (wait && cf__self.ex == ex) return CF_EDEADLK; /* would join itself */
  return ex->ops->stop ? ex->ops->stop(ex, wait) : 0;
}

int cf_executor_shutdown(cf_executor *ex, int wait, int cancel_futures) {
  if (!ex) return CF_EINVAL;
  if (cf__self.in_process_child) return CF_EINTASK;
  return executor_shutdown(ex, wait, cancel_futures, 0);
}

int cf_executor_terminate(cf_executor *ex, int sig) {
  if (!ex || sig <= 0 || sig >= NSIG) return CF_EINVAL;
  if (cf__self.in_process_child) return CF_EINTASK;
  if (!ex->ops->terminate) return CF_ENOSYS; /* threads cannot be stopped from outside */
  /* From a done callback the workers are signalled but not waited for
   * (the callback's thread reaps them): CF_EDEADLK is not an error here. */
  int rc = executor_shutdown(ex, cf__self.ex != ex, 1, sig);
  return rc == CF_EDEADLK ? 0 : rc;
}

int cf_executor_worker_pids(const cf_executor *ex, int *pids, int n) {
  if (!ex || n < 0 || (!pids && n)) return CF_EINVAL;
  if (!ex->ops->worker_pids) return CF_ENOSYS;
  return ex->ops->worker_pids(ex, pids, n);
}

void cf_executor_free(cf_executor *ex) {
  if (!ex) return;
  if (cf__self.in_process_child) return; /* a worker's copy: not ours to free */
  if (atomic_exchange(&ex->freed, 1)) return;
  if (cf__self.ex == ex) {
    /* Freed from inside its own task: cannot join; the last reference (the
     * running future's) destroys it. */
    cf_executor_shutdown(ex, 0, 0);
  } else {
    cf_executor_shutdown(ex, 1, 0);
  }
  cf__future_pool_close(ex);
  cf__executor_unref(ex);
}

int cf_executor_workers(const cf_executor *ex) { return ex ? ex->nworkers : 0; }

void cf_executor_stats_get(const cf_executor *ex, cf_executor_stats *st) {
  cf_executor *e = (cf_executor *)ex;
  /* Ids are handed out to the pushes the queue accepted, and only those. */
  st->submitted = atomic_load(&e->next_id);
  st->completed = atomic_load(&e->st_completed);
  st->failed = atomic_load(&e->st_failed);
  for (int i = 0; i < e->nworkers; i++) { /* a worker's count, as of its last finish */
    st->completed += atomic_load_explicit(&e->wstats[i].completed, memory_order_relaxed);
    st->failed += atomic_load_explicit(&e->wstats[i].failed, memory_order_relaxed);
  }
  st->cancelled = atomic_load(&e->st_cancelled);
  st->callback_errors = atomic_load(&e->st_cb_errors);
  st->deadlocks = atomic_load(&e->st_deadlocks);
  st->helped = atomic_load(&e->st_helped);
  st->respawns = atomic_load(&e->st_respawns);
  st->respawn_failures = atomic_load(&e->st_respawn_failures);
  st->workers_down = atomic_load(&e->st_workers_down);
}

int cf_executor_last_deadlock(const cf_executor *ex, char *buf, size_t len) {
  if (!ex) return CF_EINVAL;
  cf_executor *e = (cf_executor *)ex;
  pthread_mutex_lock(&e->graph_lock);
  int have = e->last_deadlock[0] != 0;
  if (have && buf && len) snprintf(buf, len, "%s", e->last_deadlock);
  pthread_mutex_unlock(&e->graph_lock);
  return have ? 0 : CF_EAGAIN;
}
