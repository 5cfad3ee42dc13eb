/* history.c -- `cfbench history add|list|show|plot|detect|check`: the
 * results history over commits (history_store.h) and its change points
 * (history_series.h).  Exit codes: 0 ok, 1 `check` found a regression at
 * the newest runs (or gnuplot failed), 2 bad input (one line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_report.h"
#include "format.h"
#include "history_cli.h"
#include "history_load.h"
#include "history_series.h"
#include "history_store.h"

#define HIST_ACTIONS "add, list, show, plot, detect, check"

static int usage(FILE *f) {
  fprintf(f,
          "usage: cfbench history add [--db URL] [--revision REV] [--commit-time ISO]\n"
          "                           [--ignore-param K,...] DIR...\n"
          "       cfbench history list [--db URL]\n"
          "       cfbench history show CONFIG [--db URL] [--metric wall|cpu]\n"
          "                               [detection options]\n"
          "       cfbench history plot [--db URL] [--out DIR] [--config TEXT]\n"
          "                            [--metric ...] [...]\n"
          "       cfbench history detect [--db URL] [--config TEXT]\n"
          "                              [--format text|md|json] [...]\n"
          "       cfbench history check [--threshold 5%%] [--last 5] [--format ...] [...]\n"
          "  --db: a SQLite file (default " CFB_HIST_DEFAULT_DB ") or postgresql://...\n"
          "  detection options (E-divisive means): --alpha %g --permutations %d\n"
          "  --min-size %d\n"
          "  check exits 1 when a change point among the newest --last runs of a\n"
          "  configuration is a slowdown beyond --threshold.  See docs/history.md.\n",
          CFB_ED_ALPHA, CFB_ED_PERMUTATIONS, CFB_ED_MIN_SIZE);
  return f == stdout ? 0 : 2;
}

static int cmd_add(const cfb_hist_cli *o) {
  if (!o->nargs) {
    fprintf(stderr, "cfbench history add: no run directory given\n");
    return 2;
  }
  if (o->revision && o->nargs > 1) {
    fprintf(stderr, "cfbench history add: --revision applies to one directory, %zu given\n",
            o->nargs);
    return 2;
  }
  char err[1024];
  cfb_hist_loaded *l = calloc(o->nargs, sizeof *l);
  cfb_hist_run *runs = calloc(o->nargs, sizeof *runs);
  cfb_hist_load_opts lo = {o->revision, o->commit_time, o->ignore};
  int rc = l && runs ? 0 : 2;
  if (rc) fprintf(stderr, "cfbench history add: out of memory\n");
  /* Every directory is read before the store is touched: one bad
   * directory adds nothing. */
  for (size_t i = 0; !rc && i < o->nargs; i++) {
    if (cfb_hist_load(o->args[i], &lo, &l[i], err, sizeof err) != 0) {
      fprintf(stderr, "cfbench history add: %s\n", err);
      rc = 2;
    } else {
      runs[i] = l[i].run;
    }
  }
  cfb_hist *h = NULL;
  size_t added = 0;
  if (!rc && (cfb_hist_open(o->db, 1, &h, err, sizeof err) != 0 ||
              cfb_hist_add(h, runs, o->nargs, &added, err, sizeof err) != 0)) {
    fprintf(stderr, "cfbench history add: %s\n", err);
    rc = 2;
  }
  if (!rc)
    printf("added %zu run%s to %s (%zu already there)\n", added, cfb_plural(added), o->db,
           o->nargs - added);
  cfb_hist_close(h);
  for (size_t i = 0; l && i < o->nargs; i++) cfb_hist_loaded_free(&l[i]);
  free(l);
  free(runs);
  return rc;
}

/* One run a line; where that would pass 79 columns (an 80-column
 * terminal), its host and source go on a line of their own below. */
static int print_run(const cfb_hist_run_row *r, void *ctx) {
  int *k = ctx;
  char row[512], where[1200];
  snprintf(row, sizeof row, "%4d  %-13s %-25s %4ld  %s", ++*k, r->revision,
           r->commit_time ? r->commit_time : r->started, r->configs, r->machine);
  snprintf(where, sizeof where, "(%s, %s)", r->hostname, r->source);
  if (cfb_fmt_cols(row) + 2 + cfb_fmt_cols(where) <= 79) printf("%s  %s\n", row, where);
  else printf("%s\n      %s\n", row, where);
  return 0;
}

static int cmd_list(const cfb_hist_cli *o) {
  char err[1024];
  cfb_hist *h;
  if (cfb_hist_open(o->db, 0, &h, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench history list: %s\n", err);
    return 2;
  }
  int k = 0;
  printf("   #  revision      committed / started       cfgs  machine\n");
  int rc = cfb_hist_each_run(h, print_run, &k, err, sizeof err);
  if (rc) fprintf(stderr, "cfbench history list: %s\n", err);
  else printf("%d run%s in %s\n", k, cfb_plural(k), o->db);
  cfb_hist_close(h);
  return rc ? 2 : 0;
}

/* Open the store, load and detect: what show, plot, detect, check share. */
static int load_detected(const cfb_hist_cli *o, const char *filter, cfb_hist_set *set) {
  char err[1024];
  cfb_hist *h = NULL;
  if (cfb_hist_open(o->db, 0, &h, err, sizeof err) != 0 ||
      cfb_hist_series_load(h, o->metric, filter, set, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench history %s: %s\n", o->verb, err);
    if (h) cfb_hist_close(h);
    return 2;
  }
  cfb_hist_close(h);
  if (cfb_hist_detect(set, &o->ed) != 0) {
    fprintf(stderr, "cfbench history %s: out of memory\n", o->verb);
    cfb_hist_set_free(set);
    return 2;
  }
  if (filter && *filter && !set->n) {
    fprintf(stderr, "cfbench history %s: no configuration matches '%s' (history list, detect)\n",
            o->verb, filter);
    return 2;
  }
  return 0;
}

static void show_series(const cfb_hist_series *s, const char *metric) {
  char head[1200];
  snprintf(head, sizeof head, "%s  [%s]  %s, %zu run%s", s->config, s->machine, metric, s->n, cfb_plural(s->n));
  cfb_fmt_print_wrapped(stdout, head, 80, 4);
  printf("   #  revision      committed / started         median   95%% CI               n\n");
  size_t c = 0;
  for (size_t i = 0; i < s->n; i++) {
    const cfb_hist_pt *p = &s->pt[i];
    char row[300], mark[80] = "";
    int w = snprintf(row, sizeof row, "%4zu  %-13s %-25s %10.4g  [%.4g, %.4g]  %3.0f", i + 1, p->revision, p->when,
                     p->median, p->ci_lo, p->ci_hi, p->n);
    if (c < s->nch && s->ch[c].index == i) {
      snprintf(mark, sizeof mark, "<- change %+.1f%% (p = %.3g)", 100 * s->ch[c].change, s->ch[c].p);
      c++;
    }
    /* the change mark on a line of its own where it would pass 79 columns */
    if (!mark[0]) printf("%s\n", row);
    else if (w + 2 + (int)strlen(mark) <= 79) printf("%s  %s\n", row, mark);
    else printf("%s\n      %s\n", row, mark);
  }
}

static int cmd_show(const cfb_hist_cli *o) {
  if (o->nargs != 1) {
    fprintf(stderr, "cfbench history show: give one CONFIG (as history detect names it)\n");
    return 2;
  }
  cfb_hist_set set;
  int rc = load_detected(o, o->args[0], &set);
  if (rc) return rc;
  for (size_t i = 0; i < set.n; i++) {
    if (i) printf("\n");
    show_series(&set.s[i], o->metric);
  }
  cfb_hist_set_free(&set);
  return 0;
}

static int cmd_plot(const cfb_hist_cli *o) {
  cfb_hist_set set;
  int rc = load_detected(o, o->config, &set);
  if (rc) return rc;
  rc = cfb_hist_plot(&set, o->out, o->metric);
  cfb_hist_set_free(&set);
  return rc;
}

static int cmd_changes(const cfb_hist_cli *o, int check) {
  cfb_hist_set set;
  int rc = load_detected(o, o->config, &set);
  if (rc) return rc;
  cfb_hist_report rep = {o, check};
  rc = cfb_hist_print_changes(stdout, &set, &rep);
  cfb_hist_set_free(&set);
  return rc;
}

int cfb_cmd_history(int argc, char **argv) {
  if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) return usage(stdout);
  /* bad input is one line naming what was wrong, not the whole usage */
  if (argc < 2) {
    fprintf(stderr, "cfbench history: no ACTION given; allowed: " HIST_ACTIONS " (cfbench history --help)\n");
    return 2;
  }
  if (!strncmp(argv[1], "--", 2)) {
    fprintf(stderr, "cfbench history: the ACTION (" HIST_ACTIONS ") comes before the options, "
                    "e.g. cfbench history list %s\n", argv[1]);
    return 2;
  }
  cfb_hist_cli o;
  char err[512];
  if (cfb_hist_cli_parse(argc - 1, argv + 1, &o, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench %s\n", err);
    cfb_hist_cli_free(&o);
    return 2;
  }
  /* only add (run directories) and show (CONFIG) take arguments: a word
   * after another action was ignored ('detect CONFIG' listed them all) */
  int takes_args = !strcmp(o.verb, "add") || !strcmp(o.verb, "show");
  int known = takes_args || !strcmp(o.verb, "list") || !strcmp(o.verb, "plot") || !strcmp(o.verb, "detect") ||
              !strcmp(o.verb, "check");
  if (known && !takes_args && o.nargs) {
    fprintf(stderr, "cfbench history %s: unexpected argument '%s' (it takes none%s)\n", o.verb, o.args[0],
            strcmp(o.verb, "list") ? "; one configuration is --config TEXT" : "");
    cfb_hist_cli_free(&o);
    return 2;
  }
  int rc;
  if (!strcmp(o.verb, "add")) rc = cmd_add(&o);
  else if (!strcmp(o.verb, "list")) rc = cmd_list(&o);
  else if (!strcmp(o.verb, "show")) rc = cmd_show(&o);
  else if (!strcmp(o.verb, "plot")) rc = cmd_plot(&o);
  else if (!strcmp(o.verb, "detect")) rc = cmd_changes(&o, 0);
  else if (!strcmp(o.verb, "check")) rc = cmd_changes(&o, 1);
  else if (!strcmp(o.verb, "--help") || !strcmp(o.verb, "-h")) rc = usage(stdout);
  else {
    fprintf(stderr, "cfbench history: unknown action '%s'; allowed: " HIST_ACTIONS "\n", o.verb);
    rc = 2;
  }
  cfb_hist_cli_free(&o);
  return rc;
}
