/* pyback.h -- the py-thread / py-process backends: cfbench's Python driver
 * (harness/run/py/cfbench_py.py, CPython's own concurrent.futures) run as a
 * subprocess with one configuration; its JSON lines (one per measured
 * repetition) come back as rows.  Self-contained: libc and jansson only.
 *
 * Which python: $CFBENCH_PYTHON if set (it must be an executable file),
 * else the first python3 on $PATH.  Which driver: cfb_py_config.driver, else
 * $CFBENCH_PY_DRIVER, else the source tree's copy (CFB_PY_DRIVER, set by the
 * build).  The protocol (command line, the fields of a line) is documented
 * in the driver's header and docs/python.md. */
#ifndef CFB_PYBACK_H
#define CFB_PYBACK_H

#include <stddef.h>

/* Errors (negative, 0 = every repetition ran and was ok). */
enum {
  CFB_PY_ENOPYTHON = -1, /* no python3 (or $CFBENCH_PYTHON is not executable) */
  CFB_PY_EUSAGE = -2,    /* the driver refused the configuration (its exit 2) */
  CFB_PY_EFAILED = -3,   /* a repetition failed (its row is kept, ok = 0) */
  CFB_PY_EPROTO = -4,    /* the driver's output was not the protocol, or it died */
  CFB_PY_ETIMEDOUT = -5, /* cfb_py_config.timeout_s passed; the driver was killed */
  CFB_PY_ESYS = -6,      /* pipe, spawn or memory failure */
  CFB_PY_ECANCELED = -7, /* *cfb_py_config.cancel became non-zero; the driver was killed */
};

/* A serving driver (cfbench_py.py --serve) kept across calls: python
 * starts and imports once per session instead of once per call (a run's
 * py configurations and rounds: ~1.5 s a call on the loaded 2-core
 * machine).  Spawned by the first cfb_py_run that names it; a call that
 * times out, is canceled or sees the driver die kills it, and the next
 * call starts a fresh one. */
typedef struct cfb_py_session cfb_py_session;

/* An idle session (no driver yet), NULL out of memory. */
cfb_py_session *cfb_py_session_new(void);
/* End the driver (EOF on its stdin, then SIGKILL to its group if it has not
 * exited within a second) and free.  NULL is ignored. */
void cfb_py_session_free(cfb_py_session *s);
/* The serving driver's process id, 0 when none runs (tests). */
long cfb_py_session_pid(const cfb_py_session *s);

/* One configuration for the driver.  Strings NULL (or 0 numbers) mean the
 * driver's default; cfb_py_config_init sets those. */
typedef struct cfb_py_config {
  const char *driver;       /* path of cfbench_py.py (NULL: see above) */
  const char *backend;      /* "py-thread", "py-process" or "py-serial" */
  const char *workload;     /* sleep, socket, primes, mixed, memtouch */
  const char *params;       /* "k=v,..." in cfbench's units (NULL: none) */
  const char *target;       /* socket: the URL to GET (NULL: none) */
  const char *start_method; /* py-process: fork|spawn|forkserver (NULL: the platform's) */
  const char *mode;         /* map|submit|roundtrip (NULL: map) */
  int workers;              /* 0: CPython's default rule */
  int chunksize;            /* >= 1 */
  size_t items;             /* 0: the workload's natural count */
  int repeat;               /* measured repetitions, >= 1 */
  int warmup;               /* unmeasured repetitions first */
  double timeout_s;         /* kill the driver after this long (0: never) */
  /* If not NULL, polled every 100 ms while the driver runs: non-zero kills
   * it (e.g. the harness's SIGINT flag; the driver runs in its own process
   * group, so a terminal's ^C reaches only the harness). */
  const volatile int *cancel;
  /* If not NULL, the call runs in this session's serving driver (started
   * if none runs); NULL: a driver of its own, started and ended here. */
  cfb_py_session *session;
} cfb_py_config;

/* One measured repetition, as the driver reported it.  Times the driver
 * could not give (no task finished) are NAN. */
typedef struct cfb_py_row {
  int rep;                  /* repetition index, 0.. */
  int ok;                   /* every item done and checked */
  int workers;              /* max_workers used (the default made explicit) */
  size_t items, items_done, items_checked, tasks;
  double wall_s, items_per_s, pool_start_s;
  double cpu_s, cpu_user_s, cpu_sys_s; /* getrusage self + children */
  double lat_p50_us, lat_p90_us, lat_p99_us, qwait_p50_us;
  char python[96];          /* e.g. "CPython 3.11.7 fork", "... threads", "... serial" */
  char params[256];         /* the canonical parameter string */
  char metrics[256];        /* "name=value;..." as the C workloads name them */
  char error[256];          /* why the repetition failed ("" when ok) */
} cfb_py_row;

/* What one run of the driver gave. */
typedef struct cfb_py_result {
  cfb_py_row *rows;         /* malloc'd, nrows of them, in repetition order */
  size_t nrows;
  int exit_status;          /* the driver's exit code, 128 + signal, -1: not run */
  char error[512];          /* one sentence when the call failed, else "" */
} cfb_py_result;

/* Defaults: chunksize 1, repeat 1, everything else 0 / NULL. */
void cfb_py_config_init(cfb_py_config *cfg);

/* The python3 to run into path[len]: 0, or CFB_PY_ENOPYTHON with one
 * sentence in err saying what is missing and how to fix it. */
int cfb_py_find_python(char *path, size_t len, char *err, size_t errlen);

/* Run the driver on cfg and collect its rows into *res (cleared first;
 * free with cfb_py_result_free, also after an error).  Returns 0 or a
 * CFB_PY_* code, res->error then saying why (the driver's own stderr line
 * where it gave one).  Rows of the repetitions that ran are kept on error. */
int cfb_py_run(const cfb_py_config *cfg, cfb_py_result *res);

void cfb_py_result_free(cfb_py_result *res);

#endif
