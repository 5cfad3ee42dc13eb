/* console.h -- what a person sees at the terminal during `cfbench run`
 * (modelled on hyperfine and Google Benchmark): a context header, progress
 * (a bar on stderr when it is a TTY, else one line per configuration and
 * round), and a table of the results.  Formatting only. */
#ifndef CFB_CONSOLE_H
#define CFB_CONSOLE_H

#include <stdio.h>

#include "env.h"
#include "sweep.h"
#include "verdicts.h"

typedef struct cfb_progress {
  FILE *f;
  int tty;            /* f is a terminal: one self-replacing line, no per-step lines */
  const cfb_sweep_config *base; /* the sweep's configurations (their index keys step_s) */
  size_t n;           /* configurations */
  int rounds;
  size_t steps, done; /* (configuration, round) steps planned / finished; the
                         caller lowers `steps` when a configuration stops early */
  double t0, last;    /* start; end of the last step */
  double *step_s;     /* per configuration: seconds its steps took so far (NULL: out of memory) */
  int *nstep;         /* per configuration: its steps finished */
  double finish;      /* smoothed estimate of the finishing time (cfb_now_s clock), NAN: none yet */
} cfb_progress;

/* The context a run starts with (version, machine, counters, sweep,
 * output), each line broken at blanks to fit `cols` - 1 columns. */
void cfb_console_header(FILE *f, const cfb_env *e, const char *layer, const char *reason,
                       const char *note, uint64_t seed, const char *suite, size_t nconfigs,
                       size_t nreps, int rounds, const char *out, size_t cols);

/* Progress over sw's configurations, `steps` (configuration, round) steps
 * in all.  On a TTY f gets one line, redrawn in place, cut to the
 * terminal's width; otherwise a line per finished step. */
void cfb_progress_init(cfb_progress *p, FILE *f, const cfb_sweep *sw, size_t steps);
/* In round `round` (0-based), configuration number `i` (from 1, its place
 * in the round's order) is about to run warm-up `rep` (0-based) of `n`, or
 * its measured repetition `rep` of `n`. */
void cfb_progress_rep(cfb_progress *p, int round, size_t i, const cfb_sweep_config *c, int warm, int rep,
                     int n);
/* Configuration `i` finished its part of round `round`; res is its summary
 * so far; `final`: it runs no more (the line then says why it is partial). */
void cfb_progress_step_done(cfb_progress *p, int round, size_t i, const cfb_config_result *res, int final);
/* The bookkeeping of step_done alone: configuration k (its index in the
 * sweep) finished a step at time `now` (cfb_now_s clock). */
void cfb_progress_note_step(cfb_progress *p, size_t k, double now);
/* Clears the line and frees what init took. */
void cfb_progress_finish(cfb_progress *p);

/* Seconds left: each configuration's remaining steps at its own measured
 * time per step (configurations not yet measured: the mean of those that
 * were), smoothed so the figure counts down instead of jumping when a
 * slow or a fast configuration finishes.  NAN before the first step. */
double cfb_progress_eta(cfb_progress *p, double now);

/* The progress line for a terminal `cols` wide: bar, position, ETA, the
 * configuration (cut with "…" to fit), what it is doing; at most cols-1
 * columns so the terminal never wraps it. */
void cfb_progress_line(char *out, size_t len, size_t cols, size_t done, size_t steps, const char *pos,
                       const char *eta, const char *label, const char *doing);

/* The final table for a terminal `cols` wide, in expansion order: a line
 * "workload params" (cut with "…" to cols - 1) before each group of
 * configurations with the same workload and parameters, then one row per
 * configuration (backend, workers, chunk, pin, items/s, MAD, CI,
 * efficiency, status; a failure's reason on the next line), columns as
 * wide as their widest value, so rows fit 80 columns. */
void cfb_console_table(FILE *f, const cfb_config_result *res, size_t n, size_t cols);

/* Who wins, one line per thread/process pair under its group's line (as
 * cfb_console_table, `cols` wide): ratio thread/process, its interval,
 * rounds, verdict; then how many pairs each verdict got. */
void cfb_console_verdicts(FILE *f, const cfb_verdict *v, size_t n, size_t cols);

/* Why undecided pairs are: when a pair's rounds cannot reach the look's
 * level under plan (their "CI" is the rounds' range, which may exclude 1),
 * a line per such round count says so and how many rounds can; nothing
 * when every undecided pair had rounds enough. */
void cfb_console_unreachable(FILE *f, const cfb_seq_plan *plan, const cfb_verdict *v, size_t n);

/* The closing answer: who wins, one line per (workload, parameters)
 * group, built by cfb_console_winners_from. */
typedef struct cfb_winners {
  struct cfb_winner_row {
    char group[256];  /* "primes count=1000" */
    char config[64];  /* the pair it rests on: "w=2 c=16" */
    char speed[96];   /* cfb_fmt_speedup's "process 1.92x faster [1.81, 2.03]" */
  } *row;
  size_t n, cap;
} cfb_winners;

/* Print the rows as a table at most `cols` wide (groups cut with "…"). */
void cfb_console_winners(FILE *f, const cfb_winners *w, size_t cols);
void cfb_winners_free(cfb_winners *w);

/* The group lines from the paired verdicts: per (workload, parameters),
 * the pair whose faster side had the highest median throughput (res is
 * indexed like sw's configurations).  0 or -1 (no memory). */
int cfb_console_winners_from(cfb_winners *w, const cfb_sweep *sw, const cfb_config_result *res,
                             const cfb_verdict *v, size_t nv);

/* The terminal's width in columns (TIOCGWINSZ on fd), else $COLUMNS,
 * else 80. */
size_t cfb_console_width(int fd);

#endif
