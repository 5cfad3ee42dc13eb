/* wk.h -- internals shared by the workload files: the full descriptor
 * behind a public cf_workload, the run structure, typed parameter access,
 * item storage, metric samples, the emulated GIL and small time helpers.
 * Not installed; the harness includes only cfwork.h. */
#ifndef CF_WK_H
#define CF_WK_H

#include <cfwork.h>
#include <cfwork_plugin.h>

#include <stddef.h>
#include <stdint.h>

/* The descriptor of every workload, built-in or plugin, is the public
 * cf_wk_descriptor (cfwork_plugin.h): one mechanism. */
typedef cf_wk_ptype wk_type;
#define WK_NUM CF_WK_PNUM
#define WK_INT CF_WK_PINT
#define WK_DUR CF_WK_PDUR
#define WK_SIZE CF_WK_PSIZE
#define WK_BOOL CF_WK_PBOOL
#define WK_ENUM CF_WK_PENUM
#define WK_STR CF_WK_PSTR
typedef cf_wk_pspec wk_pspec;
typedef cf_wk_descriptor wk_def;

/* A value in base units written with the unit that shows it exactly
 * ("10 ms", "1 MiB"; sep between number and unit). */
void wk_fmt_value(char *buf, size_t len, wk_type t, double v, const char *sep);

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

extern const wk_def wk_sleep, wk_socket, wk_primes, wk_mixed, wk_memtouch, wk_exec;

/* ---- loaded workloads (plugin.c) ---- */
/* The descriptor behind a workload cf_wk_open loaded, or NULL. */
const wk_def *cf__wk_loaded_def(const cf_workload *w);
/* The template of fn:PATH:SYMBOL workloads (fnso.c); task is set at load. */
extern const wk_def cf__wk_fn_template;
/* Items of prepare from parameter input=FILE (its lines, cycled to n) or,
 * when path is empty, the indexes (uint64, or decimal text if `text`),
 * each prefixed by `head` (hlen bytes).  n = 0: every line (or natural). */
int cf__wk_items_input(cf_wk_run *r, size_t n, size_t natural, const void *head, size_t hlen, const char *path,
                       int text, char *err, size_t errlen);

/* The sweep's check of parameter input=FILE (validate): a file that cannot
 * be opened for reading, a directory or an empty file is a bad input
 * (exit 2 before anything runs), not a run of failed configurations.
 * 0 for an empty path (no input). */
int cf__wk_input_check(const cf_wk_run *r, const char *path, char *err, size_t errlen);

/* ---- parameters (params.c) ---- */
/* Parse kv into r->num/str/given and build r->canon. */
int wk_params_parse(cf_wk_run *r, const char *const *kv, size_t nkv, char *err, size_t errlen);
/* Free what wk_params_parse made (num, str, given, canon). */
void wk_params_release(cf_wk_run *r);
double wk_num(const cf_wk_run *r, const char *name);
long long wk_int(const cf_wk_run *r, const char *name); /* a WK_INT, exactly */
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
/* CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID): what a
 * calibration of compute speed measures, blind to the time other jobs
 * hold the CPU. */
uint64_t wk_thread_cpu_ns(void);
/* The calibration `name`: measured by measure(ud) the first time the
 * process asks (calib.c), the same value after that. */
double wk_calibrated(const char *name, double (*measure)(void *ud), void *ud);
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
/* Items that took the emulated process pool's lock of a mixed run (-1: none). */
long long cf__wk_mixed_ipc_taken(const cf_wk_run *r);
/* Connections the embedded server of a socket run holds open (-1: none). */
long long cf__wk_socket_server_open(const cf_wk_run *r);

#endif
