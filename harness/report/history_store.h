/* history_store.h -- the results history: every stored run (its revision,
 * commit time, machine, run time) and, per configuration and metric, the
 * median and 95% CI of its throughput.  One interface, two stores: a
 * SQLite file (the default; one CI runner keeps it as an artifact) or a
 * PostgreSQL database through libpq (a fleet of runners shares it).
 *
 * The schema is versioned (table cfb_schema) and migrated forward by
 * writers; a store of a newer version than this program is refused.
 * Every write is one transaction under the store's write lock (SQLite
 * BEGIN IMMEDIATE with a busy timeout, PostgreSQL an advisory lock), so
 * two writers at once are safe and a failure leaves nothing half written.
 * Adding a run that is already there (same run key) changes nothing. */
#ifndef CFB_REPORT_HISTORY_STORE_H
#define CFB_REPORT_HISTORY_STORE_H

#include <stddef.h>

/* The schema version this program writes.  1: tables; 2: index by config;
 * 3: cfb_results.mode (map, submit, roundtrip; 'map' for the rows stored
 * before it). */
#define CFB_HIST_SCHEMA 3

/* The default store when --db is not given. */
#define CFB_HIST_DEFAULT_DB "results/history.sqlite"

typedef struct cfb_hist cfb_hist; /* an open store */

/* One configuration's figures in one run, for one metric. */
typedef struct cfb_hist_result {
  const char *config;  /* display name and key: "primes (range=..) thread w=1 c=1"; a mode
                          other than map is in it ("sleep (delay=0s,mode=roundtrip) ...") */
  const char *workload, *params, *backend, *pin; /* params without the mode */
  const char *mode;    /* "map", "submit", "roundtrip" */
  int workers, chunksize;
  const char *metric;  /* "wall" (items/s) or "cpu" (items per CPU-second) */
  double n, median, ci_lo, ci_hi;
} cfb_hist_result;

/* One run.  Strings may be NULL only where noted. */
typedef struct cfb_hist_run {
  const char *key;         /* identity: a hash of the run's files */
  const char *revision;    /* git revision measured */
  const char *commit_time; /* ISO 8601 commit time, or NULL: runs are ordered by it, else started */
  const char *started, *finished; /* meta.json's times */
  const char *machine;     /* machine identity: CPU model, cores / PUs */
  const char *hostname, *source; /* where it ran; the directory it was added from */
  const cfb_hist_result *res;
  size_t nres;
} cfb_hist_run;

/* Open the store at url.  writable = 1: create it if absent and migrate
 * it to CFB_HIST_SCHEMA; 0: it must exist (SQLite opened read-only) and
 * be of a version <= CFB_HIST_SCHEMA.  0, or -1 with a one-line message
 * in err (cannot open or connect, not a history, newer schema). */
int cfb_hist_open(const char *url, int writable, cfb_hist **out, char *err, size_t errlen);
void cfb_hist_close(cfb_hist *h);

/* Migrate to schema version `to` (<= CFB_HIST_SCHEMA) in one transaction;
 * cfb_hist_open does this with CFB_HIST_SCHEMA.  Exposed for the tests of
 * the migrations.  0, or -1 with err. */
int cfb_hist_migrate(cfb_hist *h, int to, char *err, size_t errlen);
/* The stored schema version (0 = empty store).  0, or -1 with err. */
int cfb_hist_version(cfb_hist *h, int *version, char *err, size_t errlen);

/* Add runs in one transaction; runs already stored are skipped.  *added
 * (may be NULL) = how many were new.  0, or -1 with err (nothing added). */
int cfb_hist_add(cfb_hist *h, const cfb_hist_run *runs, size_t n, size_t *added, char *err,
                 size_t errlen);

/* A stored run as read back (fields valid during the callback). */
typedef struct cfb_hist_run_row {
  const char *revision, *commit_time, *started, *machine, *hostname, *source; /* commit_time may be NULL */
  long configs;
} cfb_hist_run_row;

/* Each run in history order (commit time, else start time).  The
 * callback returns 0 to go on.  0, or -1 with err. */
int cfb_hist_each_run(cfb_hist *h, int (*cb)(const cfb_hist_run_row *, void *), void *ctx,
                      char *err, size_t errlen);

/* One point of a configuration's series. */
typedef struct cfb_hist_point {
  const char *machine, *config, *revision, *started, *commit_time;
  double n, median, ci_lo, ci_hi;
} cfb_hist_point;

/* Every point of `metric`, grouped by machine then configuration, each
 * group in history order.  0, or -1 with err. */
int cfb_hist_each_point(cfb_hist *h, const char *metric,
                        int (*cb)(const cfb_hist_point *, void *), void *ctx, char *err,
                        size_t errlen);

#endif
