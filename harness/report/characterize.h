/* characterize.h -- the analysing half of `cfbench characterize`: reads
 * DIR/measure.json (what the run half measured, charrule.h), decides the
 * workload's kind from the measurements, fits the scaling models
 * (models.h) to each backend's throughput against workers, recommends a
 * backend, workers and chunksize, and writes DIR/characterize.json,
 * DIR/characterize.md and DIR/plots/characterize.{png,svg}.  Needs no
 * executor: a saved directory is re-analysed as it is. */
#ifndef CFB_CHARACTERIZE_H
#define CFB_CHARACTERIZE_H

#include <stddef.h>
#include <stdio.h>

#include "charrule.h"
#include "models.h"
#include "stats.h"

#define CFB_CHAR_MAX_POINTS 32 /* per backend */
#define CFB_CHAR_MAX_REPS 16

/* How much page-faulting makes a workload "memory": at least
 * CFB_CHAR_MEMORY_FAULTS_PER_ITEM fresh pages per item (256 KiB: not the
 * few pages any allocation touches), and at least
 * CFB_CHAR_MEMORY_FAULTS_PER_CPU_MS per on-CPU millisecond (a fault with
 * its page zeroing costs about 1 us: a quarter of the CPU time or more
 * goes to getting pages, not computing). */
#define CFB_CHAR_MEMORY_FAULTS_PER_ITEM 64.0
#define CFB_CHAR_MEMORY_FAULTS_PER_CPU_MS 250.0
/* On-CPU fraction at or below which an item is "io"; between it and
 * CFB_CHAR_CPU_FRACTION (charrule.h): "mixed". */
#define CFB_CHAR_IO_FRACTION 0.2
/* The margins around those boundaries: a fraction within
 * CFB_CHAR_FRACTION_MARGIN of one is "mixed", marked uncertain, rather
 * than cpu in one run and mixed in the next; likewise a memory measure
 * within CFB_CHAR_MEMORY_MARGIN (a factor) of its threshold. */
#define CFB_CHAR_FRACTION_MARGIN 0.05
#define CFB_CHAR_MEMORY_MARGIN 1.25
/* The memory measure load moves least: the kernel's share of the CPU time
 * (page faults, zeroing, unmapping are kernel work, and load slows user
 * and kernel work alike).  At least this share (with the page-faults per
 * item above) is "memory".  Profiles without a kernel time (older files)
 * fall back to CFB_CHAR_MEMORY_FAULTS_PER_CPU_MS, which load moves: a
 * fault costs more CPU time on a busy machine. */
#define CFB_CHAR_MEMORY_SYS_SHARE 0.5
/* The fewest worker counts fitted by their medians (the USL's three
 * parameters with one count left out need five); fewer are fitted by
 * every repetition. */
#define CFB_CHAR_MIN_MEDIANS 5

/* One measured point: the repetitions' throughputs and their summary. */
typedef struct cfb_char_point {
  int workers;
  size_t chunksize, items;
  double x[CFB_CHAR_MAX_REPS];
  size_t nx;
  cfb_summary s;      /* median and 95% CI of x */
  double cx[CFB_CHAR_MAX_REPS]; /* the confirmation rounds (a candidate's; none: ncx 0) */
  size_t ncx;
  char error[256];
} cfb_char_point;

/* One backend's analysis. */
typedef struct cfb_char_backend {
  char name[16];                       /* "thread", "process" */
  double us1, usbig, cbig;             /* no-op us per task at chunksize 1 and cbig */
  double per_msg_us, per_item_us;      /* its split (cfb_char_overhead_split) */
  size_t chunksize;                    /* recommended (and swept, but where a point's time box cut it) */
  size_t rule_chunksize;               /* the file's rule chunksize, 0 in older files */
  cfb_char_point pts[CFB_CHAR_MAX_POINTS];
  size_t npts;
  int fitted;                          /* models.ok has at least one */
  int fit_on_medians;                  /* 1: fitted to each worker count's median; 0: to every
                                          repetition (fewer than CFB_CHAR_MIN_MEDIANS counts) */
  char fit_error[256];
  cfb_model_set models;
  double max_items_per_s;              /* chosen model's peak / asymptote, NAN: none */
  double n_peak;                       /* its peak or knee, NAN: none */
  double n_knee;                       /* where N one-worker rates reach the saturation (knee_of), NAN: none */
  int peak_in_sweep;                   /* n_peak within the measured workers */
  double best_measured;                /* highest median, and at how many workers */
  int best_workers;
  int rec_workers;                     /* recommended workers (a measured count) */
  double rec_predicted, rec_measured;  /* rec_measured: the pick's median on its confirmation rounds
                                          when it has them (fresh rounds: the sweep's chose it, so its
                                          median there carries the pick's luck), else on the sweep's */
  size_t measured_rounds;              /* the rounds rec_measured is the median of */
  int measured_confirmed;              /* 1: those are confirmation rounds; 0: the sweep's */
  cfb_char_pick pick;                  /* which rule chose rec_workers, with the ratios it used */
  int pick_best_workers;               /* the best among the candidates the pick compared */
  size_t pick_rounds;                  /* the rounds it decided on */
  int confirmed;                       /* 1: on the confirmation rounds; 0: on the sweep's */
  char rule_why[320];                  /* one sentence: why this count */
} cfb_char_backend;

/* How the figure for a worker count bigger than the machine's CPUs was
 * had: measured there (the sweep went that far: I/O work goes to 64
 * workers), the model between two measured counts, or the model past the
 * largest measured count -- the only extrapolation. */
typedef enum cfb_char_basis {
  CFB_CHAR_BASIS_NONE = 0,     /* no figure: nothing measured or fitted there */
  CFB_CHAR_BASIS_MEASURED,
  CFB_CHAR_BASIS_INTERPOLATED,
  CFB_CHAR_BASIS_EXTRAPOLATED
} cfb_char_basis;

/* "measured", "interpolated", "extrapolation", "none": the JSON's words. */
const char *cfb_char_basis_name(cfb_char_basis b);

/* The multiples of the CPUs the recommendation speaks of: 2x, 4x. */
#define CFB_CHAR_BIGGER 2

/* One of them: the chosen model's prediction (NAN: no fit), the measured
 * median when the sweep measured that count (NAN: not), and the basis. */
typedef struct cfb_char_bigger {
  int workers;
  double predicted, measured;
  cfb_char_basis basis;
} cfb_char_bigger;

typedef struct cfb_char {
  char workload[512], name[128], params[1024], declared[16], cpu_model[256];
  char shown[1024];                    /* params without those left empty (fn's "input=" when no file
                                          was given): what the summary, the .md and the plot name */
  int ncpus;
  char interrupted[32];                /* "" for a finished run; else the step a signal stopped it in
                                          (charrule.h's CFB_CHAR_STAGE_*): a partial analysis */
  /* the one-worker profile, per item; cpu_fraction by cfb_char_cpu_fraction (charrule.h); sys_us NAN: not recorded */
  size_t items;
  double wall_us, cpu_us, sys_us, rq_wait_us, cpu_fraction, vcsw, ivcsw, minflt, majflt, rss_growth_bytes;
  const char *kind;                    /* "cpu", "io", "mixed", "memory" */
  int kind_certain;                    /* 0: a measure was within a margin of a boundary (kind "mixed") */
  char why[256];                       /* the measurements that decided it */
  cfb_char_backend b[2];
  size_t nb;
  /* the recommendation */
  int rec;                             /* index into b, -1: none */
  double margin;                       /* rec's over runner-up's, paired by round, - 1 (NAN: none) */
  double margin_lo, margin_hi;         /* its CFB_CHAR_PICK_LEVEL interval, - 1 (NAN: fewer than 2 pairs) */
  size_t margin_rounds;                /* the pairs it is on */
  int margin_confirmed;                /* 1: on the confirmation rounds; 0: on the sweep's */
  cfb_char_bigger bigger[CFB_CHAR_BIGGER]; /* the recommended backend at 2x and 4x ncpus workers */
} cfb_char;

/* The canonical parameter string params ("k=v,k2=,k3=w", ',' in a value
 * escaped as "\\,") without its empty values ("k=v,k3=w") into out:
 * an unset optional parameter (fn's input, socket's target) says nothing
 * a person needs, and "input=" reads as a missing value.  params NULL:
 * as "". */
void cfb_char_shown_params(const char *params, char *out, size_t len);

/* Read dir/measure.json and analyse it into c.  0, or 2 with one line in
 * err (missing or malformed file, wrong version, no point measured). */
int cfb_char_analyze(const char *dir, cfb_char *c, char *err, size_t errlen);

/* The chosen model's answer to "where does it stop scaling", in words
 * the summary, characterize.md and the report share: "peak 23.5k/s at
 * 9.8 workers" (the USL's maximum), "saturates at 10.0k/s from 10.1
 * workers" (the bottleneck bound's knee), "saturated at 2.48M/s from 1
 * worker" (a knee below one worker: more workers never helped), or "no
 * peak within 8 workers". */
void cfb_char_peak_words(const cfb_char_backend *b, char *buf, size_t len);

/* The recommended backend's margin over the runner-up in words the
 * summary, characterize.md and the report share: "+9% over process
 * (+5..+13%, 5 paired confirmation rounds)"; "" when there is none. */
void cfb_char_margin_words(const cfb_char *c, char *buf, size_t len);

/* The outputs (characterize_out.c).  characterize.json: 0, or 1
 * with one line in err.  The plot: 0, or 1 (gnuplot missing or failing:
 * one line in err; the script and data are written all the same). */
int cfb_char_write_json(const char *dir, const cfb_char *c, char *err, size_t errlen);
int cfb_char_plot(const char *dir, const cfb_char *c, char *err, size_t errlen);
/* The terminal summary's width: no line is longer; longer text (the
 * kind's reason, the rule's) is wrapped whole, never cut. */
#define CFB_CHAR_SUMMARY_COLS 80
/* The terminal summary: at most CFB_CHAR_SUMMARY_COLS columns, a dozen
 * lines; its last says "wrote DIR/ WROTE" when dir and wrote are given
 * (wrote: the outputs actually written, e.g. "characterize.{json,md} plots/"). */
void cfb_char_print(FILE *f, const cfb_char *c, const char *dir, const char *wrote);

/* Analyse dir and write every output, printing the summary on `out`
 * (NULL: none).  The exit code: 0, 1 (an output failed), 2 (bad input);
 * one line on stderr for each problem. */
int cfb_char_report(const char *dir, FILE *out);

#endif
