/* cfwork_stub.c -- a stand-in for the workloads library (workloads/), used
 * only while that part is not built: `sleep` (delay) and `primes` (the
 * Python docs' numbers) implement cfwork.h just enough for the harness and
 * its tests.  Deleted once the real registry is merged. */
#include <cfwork.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const cf_wk_param sleep_params[] = {
    {"delay", "10ms", "time each item sleeps (ns, us, ms, s)", 0, 10}};
static const cf_wk_param primes_params[] = {
    {"preset", "docs", "docs: the six numbers of the Python docs", 0, 0}};

static const cf_workload registry[] = {
    {"sleep", CF_WK_IO, "each item sleeps for `delay`", sleep_params, 1},
    {"primes", CF_WK_CPU, "trial-division primality of 15-16 digit numbers", primes_params, 1},
};

static const uint64_t docs_primes[] = {112272535095293ull, 112582705942171ull,
                                       112272535095293ull, 115280095190773ull,
                                       115797848077099ull, 1099726899285419ull};

struct cf_wk_run {
  const cf_workload *w;
  double delay_s;
  size_t n;
  uint64_t *items;
  char params[64];
  size_t checked;
};

const char *cf_wk_kind_name(cf_wk_kind k) {
  static const char *n[] = {"io", "cpu", "mixed", "memory"};
  return (unsigned)k < 4 ? n[k] : "?";
}
size_t cf_wk_count(void) { return sizeof registry / sizeof registry[0]; }
const cf_workload *cf_wk_at(size_t i) { return i < cf_wk_count() ? &registry[i] : NULL; }
const cf_workload *cf_wk_find(const char *name) {
  for (size_t i = 0; i < cf_wk_count(); i++)
    if (strcmp(registry[i].name, name) == 0) return &registry[i];
  return NULL;
}

static int parse_dur(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || errno) return -1;
  double mul = 1;
  if (!strcmp(end, "ns")) mul = 1e-9;
  else if (!strcmp(end, "us")) mul = 1e-6;
  else if (!strcmp(end, "ms")) mul = 1e-3;
  else if (!strcmp(end, "s") || !*end) mul = 1;
  else return -1;
  *out = v * mul;
  return 0;
}

int cf_wk_prepare(const cf_workload *w, const char *const *kv, size_t nkv, size_t nitems,
                  cf_backend backend, cf_wk_run **out, char *err, size_t errlen) {
  (void)backend;
  *out = NULL;
  cf_wk_run *r = calloc(1, sizeof *r);
  if (!r) return CF_ENOMEM;
  r->w = w;
  r->delay_s = 0.01;
  const char *delay = "10ms";
  for (size_t i = 0; i < nkv; i++) {
    const char *eq = strchr(kv[i], '=');
    size_t kl = eq ? (size_t)(eq - kv[i]) : strlen(kv[i]);
    const char *v = eq ? eq + 1 : "";
    if (w == &registry[0] && kl == 5 && !strncmp(kv[i], "delay", 5)) {
      if (parse_dur(v, &r->delay_s) || r->delay_s < 0 || r->delay_s > 10) {
        snprintf(err, errlen, "sleep: delay=%s: expected a duration 0..10s (e.g. 10ms)", v);
        free(r);
        return CF_EINVAL;
      }
      delay = v;
    } else if (w == &registry[1] && kl == 6 && !strncmp(kv[i], "preset", 6)) {
      if (strcmp(v, "docs")) {
        snprintf(err, errlen, "primes: preset=%s: allowed: docs", v);
        free(r);
        return CF_EINVAL;
      }
    } else {
      snprintf(err, errlen, "%s: unknown parameter '%.*s'", w->name, (int)kl, kv[i]);
      free(r);
      return CF_EINVAL;
    }
  }
  r->n = nitems ? nitems : (w == &registry[0] ? 20 : 6);
  r->items = calloc(r->n, sizeof *r->items);
  if (!r->items) {
    free(r);
    return CF_ENOMEM;
  }
  for (size_t i = 0; i < r->n; i++) r->items[i] = w == &registry[0] ? i : docs_primes[i % 6];
  if (w == &registry[0]) snprintf(r->params, sizeof r->params, "delay=%s", delay);
  else snprintf(r->params, sizeof r->params, "preset=docs");
  *out = r;
  return 0;
}

const char *cf_wk_params_string(const cf_wk_run *r) { return r->params; }
size_t cf_wk_items(const cf_wk_run *r) { return r->n; }

static int sleep_task(const void *arg, size_t len, cf_result *out) {
  double d;
  memcpy(&d, (const char *)arg + 8, 8);
  struct timespec ts = {(time_t)d, (long)((d - floor(d)) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
  return cf_result_set(out, arg, 8);
}

static int primes_task(const void *arg, size_t len, cf_result *out) {
  uint64_t n;
  memcpy(&n, arg, 8);
  uint64_t is = n >= 2;
  if (n % 2 == 0) is = n == 2;
  for (uint64_t d = 3; is && d * d <= n; d += 2)
    if (n % d == 0) is = 0;
  return cf_result_set(out, &is, 8);
}

cf_task_fn cf_wk_task(const cf_wk_run *r) { return r->w == &registry[0] ? sleep_task : primes_task; }

void cf_wk_item(const cf_wk_run *r, size_t i, const void **arg, size_t *len) {
  static __thread unsigned char buf[16];
  if (r->w == &registry[0]) {
    memcpy(buf, &r->items[i], 8);
    memcpy(buf + 8, &r->delay_s, 8);
    *arg = buf;
    *len = 16;
  } else {
    *arg = &r->items[i];
    *len = 8;
  }
}

int cf_wk_check(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen) {
  if (len != 8) {
    snprintf(err, errlen, "%s item %zu: result of %zu bytes, expected 8", r->w->name, i, len);
    return CF_EINVAL;
  }
  uint64_t v;
  memcpy(&v, res, 8);
  uint64_t want = r->w == &registry[0] ? r->items[i] : (r->items[i] != 1099726899285419ull);
  if (v != want) {
    snprintf(err, errlen, "%s item %zu: wrong result", r->w->name, i);
    return CF_EINVAL;
  }
  r->checked++;
  return 0;
}

void cf_wk_reset_metrics(cf_wk_run *r) { r->checked = 0; }

size_t cf_wk_metrics(const cf_wk_run *r, cf_wk_metric *out, size_t max) {
  if (max < 1) return 0;
  out[0].name = "checked";
  out[0].value = (double)r->checked;
  return 1;
}

double cf_wk_ideal_rate(const cf_wk_run *r, int workers, int ncpus, cf_backend backend) {
  (void)backend;
  if (r->w == &registry[0]) return r->delay_s > 0 ? workers / r->delay_s : NAN;
  return NAN;
}

void cf_wk_teardown(cf_wk_run *r) {
  if (!r) return;
  free(r->items);
  free(r);
}
