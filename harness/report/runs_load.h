/* runs_load.h -- runs.csv read into configurations: the one loader of
 * compare (whole runs pooled) and ab (one round at a time).  Each ok
 * repetition gives one sample of its configuration (workload, params with
 * --ignore-param keys left out, backend, workers, chunksize, pin), with
 * the round it belongs to. */
#ifndef CFB_RUNS_LOAD_H
#define CFB_RUNS_LOAD_H

#include <stddef.h>

#include "csvread.h"

/* One configuration's samples. */
typedef struct cfb_runs_cfg {
  char *key;  /* "workload\x1fparams\x1fbackend\x1fworkers\x1fchunksize\x1fpin", whole */
  char *name; /* for people (cfb_config_name): "primes (preset=docs) process w=2 c=16" */
  double *x;  /* throughput per sample */
  int *round; /* the round of each sample */
  size_t n, cap;
} cfb_runs_cfg;

typedef struct cfb_runs_set {
  cfb_runs_cfg *c;
  size_t n, cap;
} cfb_runs_set;

/* What a sample is, and which rows give one. */
typedef struct cfb_runs_opts {
  const char *ignore; /* comma-separated parameter names left out of the key (NULL: none) */
  int cpu;            /* 1: items per CPU-second, else items_per_s */
  int positive;       /* 1: only samples > 0 (ab's ratios), else >= 0 */
  int round;          /* every sample's round (ab), or -1: the row's round column (0 if none) */
} cfb_runs_opts;

/* Load PATH (a run directory or a runs.csv) into t, checked: the columns
 * a configuration needs and cfb_runs_check.  file gets the runs.csv path
 * for messages.  0, or -1 with one line in err. */
int cfb_runs_open(const char *path, cfb_csv_table *t, char *file, size_t filelen, char *err,
                  size_t errlen);

/* The sample of row r: 1 and *v, or 0 when the row has none (CPU times
 * missing or zero, items_per_s missing or negative). */
int cfb_runs_value(const cfb_csv_table *t, size_t r, int cpu, double *v);

/* Add the ok rows of t (loaded from `file`) to s.  0, or -1 with err (a
 * params that is not a parameter string, out of memory). */
int cfb_runs_group(cfb_runs_set *s, const cfb_csv_table *t, const char *file,
                   const cfb_runs_opts *o, char *err, size_t errlen);

/* The configuration of s with this key, or NULL. */
const cfb_runs_cfg *cfb_runs_find(const cfb_runs_set *s, const char *key);

void cfb_runs_set_free(cfb_runs_set *s);

#endif
