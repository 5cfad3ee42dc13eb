/* registry.c -- the workload registry (one table, as stress-ng's
 * stressors) and the generic half of a run: parameter parsing, item
 * storage, metric samples and percentiles, the ideal-rate entry point,
 * plus the small helpers every workload shares (time, sleep, GIL, hash). */
#include "wk.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const wk_def *const registry[] = {&wk_sleep, &wk_socket, &wk_primes, &wk_mixed, &wk_memtouch, &wk_exec};
#define NREG (sizeof registry / sizeof registry[0])

const char *cf_wk_kind_name(cf_wk_kind k) {
  switch (k) {
  case CF_WK_IO: return "io";
  case CF_WK_CPU: return "cpu";
  case CF_WK_MIXED: return "mixed";
  case CF_WK_MEMORY: return "memory";
  }
  return "?";
}

size_t cf_wk_count(void) { return NREG; }

const cf_workload *cf_wk_at(size_t i) { return i < NREG ? &registry[i]->pub : NULL; }

const cf_workload *cf_wk_find(const char *name) {
  if (!name) return NULL;
  for (size_t i = 0; i < NREG; i++)
    if (strcmp(registry[i]->pub.name, name) == 0) return &registry[i]->pub;
  return NULL;
}

static const wk_def *def_of(const cf_workload *w) {
  for (size_t i = 0; i < NREG; i++)
    if (&registry[i]->pub == w) return registry[i];
  return cf__wk_loaded_def(w); /* fn:, plugin: (plugin.c) */
}

int cf_wk_param_range(const cf_workload *w, size_t k, char *out, size_t len) {
  const wk_def *d = def_of(w);
  if (len) out[0] = '\0';
  if (!d || k >= w->nparams) return 0;
  if (d->specs[k].type == WK_BOOL) { /* a range of 0..1 says nothing */
    snprintf(out, len, "on/off");
    return 1;
  }
  if (d->specs[k].type == WK_ENUM || (w->params[k].min == 0 && w->params[k].max == 0)) return 0;
  char lo[40], hi[40];
  wk_fmt_value(lo, sizeof lo, d->specs[k].type, w->params[k].min, " ");
  wk_fmt_value(hi, sizeof hi, d->specs[k].type, w->params[k].max, " ");
  snprintf(out, len, "%s..%s", lo, hi);
  return 1;
}

int cf_wk_prepare(const cf_workload *w, const char *const *kv, size_t nkv, size_t nitems,
                  cf_backend backend, cf_wk_run **out, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!out) return CF_EINVAL;
  *out = NULL;
  const wk_def *d = def_of(w);
  if (!d) {
    if (err && errlen) snprintf(err, errlen, "unknown workload");
    return CF_EINVAL;
  }
  cf_wk_run *r = calloc(1, sizeof *r);
  if (!r) return CF_ENOMEM;
  r->def = d;
  r->backend = backend;
  int rc = 0;
  if (nitems > WK_MAX_ITEMS)
    rc = wk_fail(r, err, errlen, CF_EINVAL, "%zu items, at most %zu", nitems, WK_MAX_ITEMS);
  if (!rc) rc = wk_params_parse(r, kv, nkv, err, errlen);
  if (!rc && d->validate) rc = d->validate(r, err, errlen);
  if (!rc) {
    r->nitems = nitems;
    /* a plugin without prepare: items are their indexes */
    rc = d->prepare ? d->prepare(r, err, errlen)
                    : cf_wk_run_items_index(r, nitems ? nitems : d->natural_items ? d->natural_items : 100);
    if (!rc && !r->item_ptr) rc = wk_fail(r, err, errlen, CF_EINVAL, "prepare made no items");
  }
  if (rc) {
    if (rc == CF_ENOMEM && err && errlen && !err[0]) wk_fail(r, err, errlen, rc, "out of memory");
    cf_wk_teardown(r);
    return rc;
  }
  *out = r;
  return 0;
}

int cf_wk_params_check(const cf_workload *w, const char *const *kv, size_t nkv, char **canon,
                       char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  *canon = NULL;
  const wk_def *d = def_of(w);
  if (!d) {
    if (err && errlen) snprintf(err, errlen, "unknown workload");
    return CF_EINVAL;
  }
  /* A run that is only parsed: teardown frees what parsing made, and the
   * workload's teardown is not called (it has nothing to undo). */
  cf_wk_run r;
  memset(&r, 0, sizeof r);
  r.def = d;
  int rc = wk_params_parse(&r, kv, nkv, err, errlen);
  if (!rc && d->validate) rc = d->validate(&r, err, errlen);
  if (!rc) {
    *canon = r.canon;
    r.canon = NULL;
  }
  wk_params_release(&r);
  return rc;
}

const char *cf_wk_params_string(const cf_wk_run *r) { return r ? r->canon : ""; }
size_t cf_wk_items(const cf_wk_run *r) { return r ? r->nitems : 0; }
cf_task_fn cf_wk_task(const cf_wk_run *r) { return r ? r->def->task : NULL; }

void cf_wk_item(const cf_wk_run *r, size_t i, const void **arg, size_t *len) {
  if (!r || i >= r->nitems) {
    if (arg) *arg = NULL;
    if (len) *len = 0;
    return;
  }
  if (arg) *arg = r->item_ptr[i];
  if (len) *len = r->item_len[i];
}

int cf_wk_check(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!r) return CF_EINVAL;
  if (i >= r->nitems) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu out of range (%zu items)", i, r->nitems);
  return r->def->check ? r->def->check(r, i, res, len, err, errlen) : 0;
}

void cf_wk_reset_metrics(cf_wk_run *r) {
  if (r) r->nsamples = 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

size_t cf_wk_metrics(const cf_wk_run *r, cf_wk_metric *out, size_t max) {
  if (!r || !out || !r->nsamples || !r->def->nmetrics) return 0;
  double *s = malloc(r->nsamples * sizeof *s);
  if (!s) return 0;
  memcpy(s, r->samples, r->nsamples * sizeof *s);
  qsort(s, r->nsamples, sizeof *s, cmp_double);
  size_t n = 0;
  for (size_t k = 0; k < r->def->nmetrics && n < max; k++) {
    /* nearest-rank percentile */
    double q = r->def->metric_q[k];
    size_t rank = (size_t)ceil(q * (double)r->nsamples);
    if (rank < 1) rank = 1;
    out[n].name = r->def->metric_names[k];
    out[n].value = s[rank - 1];
    n++;
  }
  free(s);
  return n;
}

double cf_wk_ideal_rate(const cf_wk_run *r, int workers, int ncpus, cf_backend backend) {
  if (!r || workers <= 0) return 0;
  if (ncpus <= 0) ncpus = 1;
  return r->def->ideal ? r->def->ideal(r, workers, ncpus, backend) : 0;
}

const char *cf_wk_url(const cf_wk_run *r) {
  return r && r->def->url && r->priv ? r->def->url(r) : NULL;
}

int cf_wk_task_error(const cf_wk_run *r, int task_code, char *err, size_t errlen) {
  if (!err || !errlen) return CF_EINVAL;
  err[0] = '\0';
  if (!r) return CF_EINVAL;
  if (r->def->task_error) r->def->task_error(r, task_code, err, errlen);
  if (!err[0]) {
    if (task_code > 0 && task_code < 4096)
      wk_fail(r, err, errlen, 0, "task failed: %s", strerror(task_code));
    else
      wk_fail(r, err, errlen, 0, "task failed with code %d", task_code);
  }
  return 0;
}

void cf_wk_teardown(cf_wk_run *r) {
  if (!r) return;
  if (r->def->teardown) r->def->teardown(r);
  wk_params_release(r);
  free(r->item_ptr);
  free(r->item_len);
  free(r->blob);
  free(r->samples);
  free(r);
}

/* ------------------------------------------------------------- helpers */

static int items_alloc(cf_wk_run *r, size_t n) {
  size_t m = n ? n : 1;
  r->item_ptr = calloc(m, sizeof *r->item_ptr);
  r->item_len = calloc(m, sizeof *r->item_len);
  if (!r->item_ptr || !r->item_len) return CF_ENOMEM;
  r->nitems = n;
  return 0;
}

void *wk_items_fixed(cf_wk_run *r, size_t n, size_t size) {
  if (items_alloc(r, n)) return NULL;
  r->blob = calloc(n ? n : 1, size);
  if (!r->blob) return NULL;
  for (size_t i = 0; i < n; i++) {
    r->item_ptr[i] = (unsigned char *)r->blob + i * size;
    r->item_len[i] = size;
  }
  return r->blob;
}

int wk_items_same(cf_wk_run *r, size_t n, const void *bytes, size_t len) {
  if (items_alloc(r, n)) return CF_ENOMEM;
  r->blob = malloc(len ? len : 1);
  if (!r->blob) return CF_ENOMEM;
  memcpy(r->blob, bytes, len);
  for (size_t i = 0; i < n; i++) {
    r->item_ptr[i] = r->blob;
    r->item_len[i] = len;
  }
  return 0;
}

void wk_sample(cf_wk_run *r, double us) {
  if (r->nsamples == r->scap) {
    size_t cap = r->scap ? r->scap * 2 : 1024;
    double *s = realloc(r->samples, cap * sizeof *s);
    if (!s) return; /* a lost sample, not a failed item */
    r->samples = s;
    r->scap = cap;
  }
  r->samples[r->nsamples++] = us;
}

uint64_t wk_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t wk_thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void wk_sleep_ns(uint64_t ns) {
  /* 0 makes no syscall: nanosleep(0) still costs the timer slack (~50 us),
   * and delay=0 items are how cfbench measures the executor's overhead. */
  if (ns == 0) return;
  struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* One lock per process: a forked process worker gets its own copy, so
 * processes never serialize on it.  A fork while some thread holds it
 * (a thread pool running gil=1 items next to a process pool being forked)
 * would hand the child a locked copy: the child re-initializes it. */
static pthread_mutex_t gil = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t gil_once = PTHREAD_ONCE_INIT;

static void gil_child(void) { pthread_mutex_init(&gil, NULL); }
static void gil_atfork(void) { pthread_atfork(NULL, NULL, gil_child); }

void wk_gil_lock(int on) {
  if (!on) return;
  pthread_once(&gil_once, gil_atfork);
  pthread_mutex_lock(&gil);
}

void wk_gil_unlock(int on) {
  if (on) pthread_mutex_unlock(&gil);
}

uint64_t wk_hash(const void *p, size_t len, uint64_t h) {
  const unsigned char *b = p;
  if (!h) h = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++) {
    h ^= b[i];
    h *= 1099511628211ull;
  }
  return h;
}
