/* history_cli.h -- the pieces of `cfbench history` (history.c): its
 * options (history_cli.c), the change report of detect and check in text,
 * Markdown or JSON (history_output.c), and the trend plots
 * (history_plot.c). */
#ifndef CFB_REPORT_HISTORY_CLI_H
#define CFB_REPORT_HISTORY_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "edivisive.h"
#include "history_series.h"

/* --last default: a change is "at the newest runs" while it is among a
 * configuration's newest 5 points (E-divisive needs min-size points after
 * a change to see it at all). */
#define CFB_HIST_LAST 5
#define CFB_HIST_THRESHOLD 0.05

typedef enum { CFB_FMT_TEXT, CFB_FMT_MD, CFB_FMT_JSON } cfb_hist_fmt;

typedef struct cfb_hist_cli {
  const char *verb;        /* add, list, show, plot, detect, check */
  const char *db;          /* --db (default CFB_HIST_DEFAULT_DB) */
  const char *metric;      /* --metric wall|cpu */
  const char *config;      /* --config filter (substring; exact name wins) */
  const char *out;         /* --out: plot directory */
  const char *revision, *commit_time, *ignore; /* add */
  cfb_hist_fmt format;
  double threshold;        /* --threshold, a fraction */
  size_t last;             /* --last */
  cfb_ed_opts ed;          /* --alpha --permutations --min-size */
  const char **args;       /* positional arguments after the verb */
  size_t nargs;
} cfb_hist_cli;

/* Every option's default, for `verb`. */
void cfb_hist_cli_defaults(cfb_hist_cli *o, const char *verb);

/* Parse argv[0] = verb, then options and positional arguments.  0, or -1
 * with one line in err. */
int cfb_hist_cli_parse(int argc, char **argv, cfb_hist_cli *o, char *err, size_t errlen);
void cfb_hist_cli_free(cfb_hist_cli *o);

/* The k-th option of change-point detection that `cfbench report
 * --history-db` takes too ("--metric", "--alpha"; report names it
 * --history-metric, --history-alpha), or NULL past the last: the report
 * builds its options from history's table, so both read the same values
 * with the same defaults. */
const char *cfb_hist_report_option(size_t k);

/* Apply history option `name` ("--alpha") with value v to o, as the
 * command line would.  0, or -1 with err saying the value and the allowed
 * ones ("bad value 'x' (wall or cpu)"). */
int cfb_hist_cli_set(cfb_hist_cli *o, const char *name, const char *v, char *err, size_t errlen);

typedef struct cfb_hist_report {
  const cfb_hist_cli *o;
  int check; /* only changes among the newest --last points; regressions set the exit code */
} cfb_hist_report;

/* Print the changes of every series.  Returns the exit code: 0, or 1 when
 * check found a regression beyond the threshold. */
int cfb_hist_print_changes(FILE *f, const cfb_hist_set *set, const cfb_hist_report *r);

/* Trend plots (median and CI per run, change points marked) of every
 * series into DIR: NAME.dat, NAME.gp, NAME.png, NAME.svg.  0, 1 (gnuplot
 * missing or failing; scripts written), 2 (cannot write). */
int cfb_hist_plot(const cfb_hist_set *set, const char *dir, const char *metric);

/* One trend plot of s into dir: NAME.dat, NAME.gp, NAME.png, NAME.svg.
 * 0; -1 cannot write (errno); 1 gnuplot failed (dir/gnuplot.log); 2
 * gnuplot not found. */
int cfb_hist_plot_one(const cfb_hist_series *s, const char *dir, const char *name,
                      const char *metric);

/* The plot name of the i-th series: "history_001_primes_range-1-100_thread_w-1_c-1". */
void cfb_hist_plot_name(const cfb_hist_series *s, size_t i, char *out, size_t len);

#endif
