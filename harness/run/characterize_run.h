/* characterize_run.h -- the measuring half of `cfbench characterize`:
 * one workload profiled item by item on one worker, the executor's no-op
 * cost on each backend, and throughput against workers on each backend,
 * all written to DIR/measure.json (charrule.h) for the report half to
 * analyse.  Reuses the runner (a fresh executor per repetition, results
 * checked, rounds in shuffled order so drift is spread over every point). */
#ifndef CFB_CHARACTERIZE_RUN_H
#define CFB_CHARACTERIZE_RUN_H

#include <cfwork.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cfb_char_spec {
  const char *spec;          /* --workload as given (a name, fn:..., plugin:...) */
  const cf_workload *w;      /* what it resolved to */
  const char *const *kv;     /* --param "key=value" */
  size_t nkv;
  const char *dir;           /* the output directory (made by the caller) */
  int max_workers;           /* largest worker count swept; 0 = from the profile */
  int cap_workers;           /* 0, or the rule's counts are cut at this one (which is swept) */
  int repeat;                /* measured repetitions per point (one per round) */
  double rep_s;              /* seconds one repetition should take */
  uint64_t seed;             /* the rounds' order */
  int verbose;               /* progress lines on stderr */
} cfb_char_spec;

/* Measure and write s->dir/measure.json (*wrote 1 when it was).  0; 1
 * when the work failed (a failed item, prepare, or write: one line in
 * err); 2 for bad parameters (one line in err); 128 + the signal (130
 * SIGINT, 143 SIGTERM) when one stopped it: measure.json then holds what
 * was measured before it, marked "interrupted" (charrule.h) with the step
 * it stopped in, which err names ("interrupted during the sweep"), or
 * says why the file could not be written. */
int cfb_char_measure(const cfb_char_spec *s, int *wrote, char *err, size_t errlen);

/* The worker counts swept for a workload on ncpus CPUs whose on-CPU
 * fraction is cpu_fraction, up to max_workers (0 = by the rule): every
 * count 1..2 x ncpus and then 4 x ncpus (at least 5) for CPU-bound work
 * (past the CPUs only to show the flattening), powers of two and the
 * counts half-way between them (1, 2, 3, 4, 6, 8, 12, ...) up to about
 * 4 x ncpus / cpu_fraction (at most 256) otherwise.  Writes at most cap values into out; returns how
 * many. */
size_t cfb_char_workers(int ncpus, double cpu_fraction, int max_workers, int *out, size_t cap);

/* The n ascending counts in ws cut at cap (0: none): those below it, then
 * cap itself if the rule went past it.  Returns the new count. */
size_t cfb_char_cap_workers(int *ws, size_t n, int cap);

#endif
