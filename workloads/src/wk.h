/* wk.h -- internals shared by the workload files: the full descriptor
 * behind a public cf_workload, the run structure, typed parameter access,
 * item storage, metric samples, the emulated GIL and small time helpers.
 * Not installed; the harness includes only cfwork.h. */
#ifndef CF_WK_H
#define CF_WK_H

#include <cfwork.h>

#include <stddef.h>
#include <stdint.h>

/* How a parameter's string is read.  Base units: seconds, bytes. */
typedef enum {
  WK_NUM,   /* a plain number, no unit */
  WK_INT,   /* a plain integer */
  WK_DUR,   /* duration: ns, us, ms, s */
  WK_SIZE,  /* size: B, KiB, MiB, GiB (bare number = bytes) */
  WK_BOOL,  /* on/off, 1/0, true/false, yes/no */
  WK_ENUM,  /* one of `choices` ("docs|range"); value = index */
  WK_STR    /* any string, checked by the workload */
} wk_type;

typedef struct wk_pspec {
  wk_type type;
  double bare;          /* WK_DUR: seconds per unit-less number (0: a unit is required) */
  const char *choices;  /* WK_ENUM */
} wk_pspec;

/* A value in base units written with the unit that shows it exactly
 * ("10 ms", "1 MiB"; sep between number and unit). */
void wk_fmt_value(char *buf, size_t len, wk_type t, double v, const char *sep);

typedef struct wk_def {
  cf_workload pub;               /* first: cf_workload * <-> wk_def * */
  const wk_pspec *specs;         /* parallel to pub.params */
  cf_task_fn task;
  size_t natural_items;          /* nitems = 0 and the workload sets none */
  /* Make the items (r->nitems is the asked count, 0 = natural), r->priv. */
  int (*prepare)(cf_wk_run *r, char *err, size_t errlen);
  int (*check)(cf_wk_run *r, size_t i, const void *res, size_t len, char *err, size_t errlen);
  double (*ideal)(const cf_wk_run *r, int workers, int ncpus, cf_backend b);
  void (*teardown)(cf_wk_run *r);  /* frees r->priv; may be NULL */
  /* Text for a non-zero task return (cf_wk_task_error); may be NULL. */
  void (*task_error)(const cf_wk_run *r, int code, char *err, size_t errlen);
  /* Percentiles of the samples that check() records (microseconds). */
  const char *const *metric_names;
  const double *metric_q;
  size_t nmetrics;
  /* The workload's own rules on its parameter values, pure (no server, no
   * calibration, no name lookup): cf_wk_params_check and cf_wk_prepare
   * both call it after the generic checks.  May be NULL. */
  int (*validate)(const cf_wk_run *r, char *err, size_t errlen);
  /* The URL the items GET (cf_wk_url); NULL: the workload has none. */
  const char *(*url)(const cf_wk_run *r);
} wk_def;

struct cf_wk_run {
  const wk_def *def;
  cf_backend backend;
  double *num;            /* per parameter: value in base units (bool 0/1, enum index) */
  char **str;             /* per parameter: canonical text */
  unsigned char *given;   /* per parameter: set explicitly */
  char *canon;            /* "k=v,k=v" */
  size_t nitems;
  const void **item_ptr;
  size_t *item_len;
  void *blob;             /* item bytes */
  void *priv;             /* the workload's own state */
  double *samples;        /* check() samples, us */
  size_t nsamples, scap;
};

#define WK_MAX_ITEMS ((size_t)10000000)

extern const wk_def wk_sleep, wk_socket, wk_primes, wk_mixed, wk_memtouch;

/* ---- parameters (params.c) ---- */
/* Parse kv into r->num/str/given and build r->canon. */
int wk_params_parse(cf_wk_run *r, const char *const *kv, size_t nkv, char *err, size_t errlen);
/* Free what wk_params_parse made (num, str, given, canon). */
void wk_params_release(cf_wk_run *r);
double wk_num(const cf_wk_run *r, const char *name);
const char *wk_str(const cf_wk_run *r, const char *name);
int wk_given(const cf_wk_run *r, const char *name);
/* Write "workload NAME: " + message to err; returns code. */
int wk_fail(const cf_wk_run *r, char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- items (registry.c) ---- */
/* n items of `size` bytes each in one zeroed block; returns it or NULL. */
void *wk_items_fixed(cf_wk_run *r, size_t n, size_t size);
/* n items that all are the same `len` bytes. 0 or CF_ENOMEM. */
int wk_items_same(cf_wk_run *r, size_t n, const void *bytes, size_t len);
/* Record one metric sample (microseconds). */
void wk_sample(cf_wk_run *r, double us);

/* ---- helpers (registry.c) ---- */
uint64_t wk_now_ns(void);
void wk_sleep_ns(uint64_t ns);          /* nanosleep, resumed after signals */
/* The emulated interpreter lock: one per process (a forked worker has its
 * own), held by cpu work of items with gil=1. */
void wk_gil_lock(int on);
void wk_gil_unlock(int on);
/* FNV-1a over bytes, to seal results. */
uint64_t wk_hash(const void *p, size_t len, uint64_t h);

/* ---- for the tests ---- */
int cf__wk_primes_decode(const void *res, size_t len, uint64_t *n, int *prime);
uint64_t cf__wk_mixed_chain(uint64_t x, uint64_t n);
uint64_t cf__wk_mixed_jump(uint64_t x, uint64_t n);

#endif
