/* charrule.h -- what both halves of `cfbench characterize` must agree on:
 * the file the measuring half leaves behind (read back by the analysing
 * half, so a saved directory can be re-analysed without the executor) and
 * the chunksize rule (the run side sweeps at the chunksize the report side
 * will recommend). */
#ifndef CFB_CHARRULE_H
#define CFB_CHARRULE_H

#include <stddef.h>

#include "paired.h"

/* Where `cfbench bench` puts the characterization of each built-in
 * workload inside its results directory (DIR/characterize/NAME/), and so
 * where `cfbench report DIR` looks for them. */
#define CFB_CHAR_BENCH_SUBDIR "characterize"

/* The measurements, in the characterize directory. */
#define CFB_CHAR_MEASURE_FILE "measure.json"
/* Its layout's version (the "version" key); a reader refuses others. */
#define CFB_CHAR_MEASURE_VERSION 1
/* measure.json's keys, declared once for its writer (run side) and its
 * reader (report side). */
#define CFB_CHAR_K_VERSION "version"
#define CFB_CHAR_K_SPEC "workload"            /* as given to --workload */
#define CFB_CHAR_K_NAME "workload_name"       /* the descriptor's name */
#define CFB_CHAR_K_DECLARED "declared_kind"   /* the descriptor's hint, not used to decide */
#define CFB_CHAR_K_PARAMS "params"            /* canonical parameter string */
#define CFB_CHAR_K_NCPUS "ncpus"
#define CFB_CHAR_K_CPU_MODEL "cpu_model"
#define CFB_CHAR_K_SEED "seed"
#define CFB_CHAR_K_PROFILE "profile"          /* object: the one-worker profile */
#define CFB_CHAR_K_P_ITEMS "items"            /* items measured (after one warm-up item) */
#define CFB_CHAR_K_P_WALL "wall_s"            /* their summed wall time, each from start to end in the worker */
#define CFB_CHAR_K_P_CPU "cpu_s"              /* summed on-CPU time: the worker thread + reaped children */
#define CFB_CHAR_K_P_RQWAIT "runqueue_wait_s" /* summed time runnable but waiting for a CPU (schedstat) */
#define CFB_CHAR_K_P_VCSW "voluntary_switches"
#define CFB_CHAR_K_P_IVCSW "involuntary_switches"
#define CFB_CHAR_K_P_MINFLT "minor_faults"
#define CFB_CHAR_K_P_MAJFLT "major_faults"
#define CFB_CHAR_K_P_RSS "rss_growth_bytes"   /* resident set after the items minus before */
#define CFB_CHAR_K_P_SYS "sys_s"              /* the kernel-mode part of cpu_s (rusage); absent in older files */
#define CFB_CHAR_K_OVERHEAD "overhead"        /* object: backend -> {us_chunk1, us_chunkbig, chunkbig, chunksize} */
#define CFB_CHAR_K_O_US1 "us_chunk1"          /* no-op: microseconds per task at chunksize 1, 1 worker */
#define CFB_CHAR_K_O_USBIG "us_chunkbig"      /* ... at chunksize chunkbig */
#define CFB_CHAR_K_O_CBIG "chunkbig"
#define CFB_CHAR_K_O_WINDOW "window_items"   /* the no-op's items in flight (absent in older files: the default window) */
#define CFB_CHAR_K_O_SW1 "switches_per_task_chunk1" /* the no-op's context switches per task at chunksize 1, whole process
                                                       and workers: ~1 or more is a wake-up per task, not the pool's cost */
#define CFB_CHAR_K_O_CHUNK "chunksize"        /* the rule's chunksize (a point's may be cut to its time box; absent in older files) */
#define CFB_CHAR_K_POINTS "points"            /* array: one per (backend, workers) */
/* Only in a run a signal stopped: {"during": the step it stopped in
 * (CFB_CHAR_STAGE_*), "signal": its number}; the file then holds what
 * the steps before it and that step's finished repetitions measured. */
#define CFB_CHAR_K_INTERRUPTED "interrupted"
#define CFB_CHAR_K_I_DURING "during"
#define CFB_CHAR_K_I_SIGNAL "signal"
/* The steps, in order, as "during" names them. */
#define CFB_CHAR_STAGE_PROFILE "profile"
#define CFB_CHAR_STAGE_NOOP "no-op calibration"
#define CFB_CHAR_STAGE_PILOT "pilot"
#define CFB_CHAR_STAGE_SWEEP "sweep"
#define CFB_CHAR_STAGE_CONFIRM "confirmation"
#define CFB_CHAR_K_PT_BACKEND "backend"
#define CFB_CHAR_K_PT_WORKERS "workers"
#define CFB_CHAR_K_PT_CHUNK "chunksize"
#define CFB_CHAR_K_PT_ITEMS "items"           /* items per repetition */
#define CFB_CHAR_K_PT_RATES "items_per_s"     /* array: one per measured repetition */
#define CFB_CHAR_K_PT_ERROR "error"           /* "" or why the point failed */
#define CFB_CHAR_K_PT_CONFIRM "confirm_items_per_s" /* array: the confirmation rounds (candidates only; absent in older files) */
#define CFB_CHAR_K_PT_PILOT "pilot_items_per_s" /* the pilot repetition that sized the point's (absent in older files) */

/* An item that switched voluntarily fewer than this many times per item
 * (summed over the profile) never blocked: every moment it was off a CPU
 * it was runnable, so that time was the machine's other load (run-queue
 * wait the schedstats saw, or a hypervisor's steal they did not), never
 * the item's own waiting. */
#define CFB_CHAR_NEVER_BLOCKS_VCSW 0.1

/* The on-CPU fraction of an item's own time, from the one-worker
 * profile's sums: cpu / (wall - run-queue wait), at most 1; 1 for an item
 * that never blocked (CFB_CHAR_NEVER_BLOCKS_VCSW), whatever its wall time
 * (load moves wall time, not the voluntary switches).  rq_wait_s NAN:
 * none known.  NAN without a profile.  Both halves plan and decide with it. */
/* On-CPU fraction at or above which an item is "cpu": the report half's
 * kind, the run half's plan (workers to a little past the CPUs). */
#define CFB_CHAR_CPU_FRACTION 0.8

double cfb_char_cpu_fraction(double wall_s, double cpu_s, double rq_wait_s, double vcsw, size_t items);

/* The executor's cost may take at most this share of an item's time. */
#define CFB_CHAR_OVERHEAD_SHARE 0.05
/* The largest chunksize recommended: past it a chunk is a big batch of
 * work and load balance, not overhead, decides. */
#define CFB_CHAR_CHUNK_MAX 1024

/* The executor's cost per task split as cost(c) = per_msg_us / c +
 * per_item_us for chunksize c, from no-op throughput at chunksize 1
 * (us1 per task) and at chunksize cbig (usbig per task).  Both parts >= 0. */
void cfb_char_overhead_split(double us1, double usbig, double cbig, double *per_msg_us,
                             double *per_item_us);

/* The smallest chunksize c (1..CFB_CHAR_CHUNK_MAX) with cost(c) <=
 * CFB_CHAR_OVERHEAD_SHARE x item_us; CFB_CHAR_CHUNK_MAX when none is (the
 * per-item part alone is too much), 1 when a figure is missing. */
size_t cfb_char_chunksize(double per_msg_us, double per_item_us, double item_us);

/* ---- the repetition's size ------------------------------------------
 * A repetition is time-boxed: its items are what the point's rate gives
 * in the time asked (--rep-time), whatever the chunksize and the workers.
 * The rate is first the one-worker profile's prediction, then what a
 * pilot repetition of the point measured (a prediction from one worker
 * cannot know a lock that caps the rate at 64 workers).  Every worker
 * needs CFB_CHAR_REP_CHUNKS chunks for its share to count; when the time
 * box holds fewer, the point's chunksize is cut to fit, not the box
 * stretched (at 64 workers and chunksize 1024 the box would be 131k
 * items, tens of seconds under load).  The recommended chunksize stays
 * the rule's: the cut only happens where the chunk, not its overhead,
 * would decide. */
#define CFB_CHAR_REP_CHUNKS 2
#define CFB_CHAR_REP_MAX_ITEMS 1000000

/* Items for one repetition of rep_s seconds at rate items/s on workers,
 * and *chunk cut (at least 1) so that every worker gets
 * CFB_CHAR_REP_CHUNKS chunks; at least CFB_CHAR_REP_CHUNKS x workers
 * items, at most CFB_CHAR_REP_MAX_ITEMS.  A rate that is not positive
 * and finite: the floor. */
size_t cfb_char_rep_items(double rate, double rep_s, int workers, size_t *chunk);

/* ---- the recommended worker count (charpick.c) ------------------------
 * Both halves pick with it: the run half, when the sweep's rounds cannot
 * tell a backend's counts apart, to choose the candidates worth a
 * confirmation (a few more rounds of those points alone, alternated), the
 * report half to decide on those fresh rounds (the sweep's rounds chose
 * them: deciding on them again would count their luck twice), or on the
 * sweep's when they told the counts apart. */

/* Near the best: a paired ratio to the backend's best of at least this. */
#define CFB_CHAR_NEAR_BEST 0.95
/* Surely near: the ratio's lower confidence bound at least this (the
 * issue's "within 10% of the best"); below it the counts cannot be told
 * apart, and taking the fewest would be a guess that fewer are as good. */
#define CFB_CHAR_SURE_FLOOR 0.90
/* The ratio's interval: two-sided at this level (one-sided 95% below),
 * Wilcoxon signed-rank on the per-round ratios; too few rounds for it
 * give the range of the ratios (3 rounds: their minimum is the bound). */
#define CFB_CHAR_PICK_LEVEL 0.90
/* The confirmation: rounds (5: the fewest whose 90% interval is
 * reachable, 2 / 2^5 < 0.1; each round costs a repetition of every
 * candidate, and bench runs five characterizations), and candidates per
 * backend. */
#define CFB_CHAR_CONFIRM_ROUNDS 5
#define CFB_CHAR_CONFIRM_MAX 3

/* Which rule chose the recommended count, in the order they are tried. */
typedef enum cfb_char_rule {
  CFB_CHAR_RULE_NONE = 0, /* nothing measured */
  CFB_CHAR_RULE_FEWEST,   /* the fewest workers surely near the best (the best itself when none is fewer) */
  CFB_CHAR_RULE_CPUS,     /* CPU-bound, fewer counts not told apart from the best: the CPUs' count,
                             which is near it (past the CPUs CPU-bound work gains nothing) */
  CFB_CHAR_RULE_BEST      /* fewer counts near the best but not surely: the best measured */
} cfb_char_rule;

/* "fewest_near_best", "cpus_for_cpu_bound", "best_measured", "none". */
const char *cfb_char_rule_name(cfb_char_rule r);

/* One measured worker count: its per-round throughputs (x[i] in round i;
 * every candidate of one pick measured in the same rounds). */
typedef struct cfb_char_cand {
  int workers;
  const double *x;
  size_t nx;
} cfb_char_cand;

typedef struct cfb_char_pick {
  cfb_char_rule rule;
  size_t pick, best;   /* indexes into the candidates */
  size_t first_near;   /* the fewest whose ratio is near (the fewest-near rule without the
                          confidence: it may be luck); n when none is fewer than the best */
  cfb_paired vs_best;  /* pick / best by round: estimate and CFB_CHAR_PICK_LEVEL interval (the best: n pairs, ratio 1) */
  cfb_paired near_vs_best; /* first_near / best likewise (NAN when none) */
} cfb_char_pick;

/* Pick among c[0..n) (ascending workers) for work on ncpus CPUs,
 * cpu_bound when the kind is "cpu": the best is the highest median; then
 * CFB_CHAR_RULE_FEWEST when a count below it is surely near, else
 * CFB_CHAR_RULE_CPUS when cpu_bound and the smallest count >= ncpus is
 * below the best and near it, else CFB_CHAR_RULE_BEST.  Returns 0, or -1
 * when no candidate has a throughput (rule NONE). */
int cfb_char_pick_workers(const cfb_char_cand *c, size_t n, int ncpus, int cpu_bound, cfb_char_pick *out);

/* The candidates worth a confirmation among c[0..n) (ascending workers),
 * as indexes into c in set (room for CFB_CHAR_CONFIRM_MAX), most telling
 * first: the best, the pick, the fewest that looked near, the count just
 * above the best when it looked near (the sweep's rounds may have
 * swapped the two), the CPUs' count, the count just below the best.
 * None (returns 0) when the rounds told the counts apart: a count below
 * the best surely near it, or nothing near the best on either side. */
size_t cfb_char_confirm_set(const cfb_char_cand *c, size_t n, int ncpus, int cpu_bound, size_t *set);

/* The recommended point's interval is too wide to recommend on when its
 * 95% CI (of the median, over its rounds) is wider than this share of
 * the median: the target, within 10% of the best, cannot be told
 * from it.  The run half then confirms each backend's pick in fresh
 * rounds, alternated among themselves, so the margin between the
 * backends is paired round by round. */
#define CFB_CHAR_WIDE_CI 0.10

/* 1 when x[0..n)'s 95% CI of the median is wider than CFB_CHAR_WIDE_CI
 * of the median (or there is no interval: fewer than 2 values), else 0. */
int cfb_char_ci_wide(const double *x, size_t n);

/* The paired ratio a / b over the rounds both have (the first
 * min(na, nb)), with its CFB_CHAR_PICK_LEVEL interval. */
void cfb_char_ratio(const double *a, size_t na, const double *b, size_t nb, cfb_paired *out);

#endif
