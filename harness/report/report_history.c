/* report_history.c -- the report's "History" section (report_history.h):
 * the history store's series of this run's configurations, their change
 * points as a list, and a trend plot per series. */
#include "report_history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format.h"
#include "history_cli.h"
#include "params_key.h"
#include "schema.h"

/* Is the configuration name of some row of rs (without the parameters in
 * `ignore`) `config`? */
static int in_run(const cfb_resultset *rs, const char *ignore, const char *config, int *oom) {
  for (size_t i = 0; i < rs->nrows; i++) {
    const cfb_sumrow *s = &rs->rows[i];
    char w[16], c[16];
    snprintf(w, sizeof w, "%d", s->workers);
    snprintf(c, sizeof c, "%d", s->chunksize);
    /* the run's own params (s->params has the mode appended), keyed as history add keys them */
    char *params = cfb_params_strip(cfb_csv_get(&rs->table, i, CFB_SUM(PARAMS)), ignore);
    char *keyed = params ? cfb_params_keyed(params, s->mode) : NULL;
    char *name = keyed ? cfb_config_name(s->workload, keyed, s->backend, w, c, s->pin) : NULL;
    int same = name && !strcmp(name, config);
    if (params && !name) *oom = 1; /* (a params that is not a parameter string matches nothing) */
    free(params);
    free(keyed);
    free(name);
    if (same) return 1;
  }
  return 0;
}

/* Largest |change| of a series (0 without changes). */
static double biggest(const cfb_hist_series *s) {
  double m = 0;
  for (size_t k = 0; k < s->nch; k++) m = fmax(m, fabs(s->ch[k].change));
  return m;
}

/* Series with change points first, the largest change first; then by name. */
static int by_change(const void *a, const void *b) {
  const cfb_hist_series *x = a, *y = b;
  double dx = biggest(x), dy = biggest(y);
  if (dx != dy) return dx > dy ? -1 : 1;
  return strcmp(x->config, y->config);
}

/* Keep the series of rs's configurations (on its machine when known) in
 * set; the others are freed.  0, or -1 out of memory. */
static int keep_run(cfb_hist_set *set, const char *ignore, const cfb_resultset *rs) {
  char machine[512];
  cfb_machine_line(&rs->machine, machine, sizeof machine);
  cfb_hist_set drop = {calloc(set->n ? set->n : 1, sizeof *drop.s), 0};
  if (!drop.s) return -1;
  size_t kept = 0;
  int oom = 0;
  for (size_t i = 0; i < set->n; i++) {
    cfb_hist_series *s = &set->s[i];
    int mine = (!rs->machine.have_meta || !strcmp(s->machine, machine)) && in_run(rs, ignore, s->config, &oom);
    if (mine) set->s[kept++] = *s;
    else drop.s[drop.n++] = *s;
  }
  set->n = kept;
  cfb_hist_set_free(&drop);
  return oom ? -1 : 0;
}

int cfb_rep_history_load(const char *db, const char *ignore, const cfb_hist_cli *det,
                         const cfb_resultset *rs, cfb_rep_history *h, char *err, size_t errlen) {
  memset(h, 0, sizeof *h);
  if (!db) return 0;
  h->metric = det->metric;
  h->ed = det->ed;
  cfb_hist *store = NULL;
  if (cfb_hist_open(db, 0, &store, err, errlen) != 0 ||
      cfb_hist_series_load(store, h->metric, NULL, &h->set, err, errlen) != 0) {
    if (store) cfb_hist_close(store);
    return -1;
  }
  cfb_hist_close(store);
  if (keep_run(&h->set, ignore, rs) != 0 || cfb_hist_detect(&h->set, &h->ed) != 0) {
    snprintf(err, errlen, "out of memory reading the history");
    cfb_hist_set_free(&h->set);
    return -1;
  }
  if (h->set.n > 1) qsort(h->set.s, h->set.n, sizeof *h->set.s, by_change);
  for (size_t i = 0; i < h->set.n; i++) h->nchanges += h->set.s[i].nch;
  h->nconfigs = rs->nrows;
  h->db = db;
  return 0;
}

/* What the series measure, in words. */
static const char *unit_of(const cfb_rep_history *h) {
  return strcmp(h->metric, "cpu") ? "items/s" : "items per CPU-second";
}

/* One line per change point. */
static void change_list(const cfb_rep_out *o, const cfb_rep_history *h) {
  char line[2048], a[CFB_RATE_LEN], b[CFB_RATE_LEN];
  o->list_begin(o->doc);
  for (size_t i = 0; i < h->set.n; i++) {
    const cfb_hist_series *s = &h->set.s[i];
    for (size_t k = 0; k < s->nch; k++) {
      const cfb_hist_change *c = &s->ch[k];
      cfb_fmt_rate(c->before, a, sizeof a);
      cfb_fmt_rate(c->after, b, sizeof b);
      snprintf(line, sizeof line, "%.1500s: %+.1f%% (%s) at %s (run %zu of %zu; %s → %s %s, p = %.3g)",
               s->config, 100 * c->change, c->change < 0 ? "slower" : "faster", c->revision,
               c->index + 1, s->n, a, b, unit_of(h), c->p);
      o->list_item(o->doc, line);
    }
  }
  if (!h->nchanges) o->list_item(o->doc, "No change point: every series is steady within its noise.");
  o->list_end(o->doc);
}

/* The trend plots (at most CFB_REP_HISTORY_PLOTS) into dir/plots/history. */
static void trend_plots(const cfb_rep_out *o, const char *dir, const cfb_rep_history *h) {
  char pdir[4200], text[2048];
  snprintf(pdir, sizeof pdir, "%s/plots", dir);
  if (mkdir(pdir, 0755) != 0 && errno != EEXIST) return;
  strncat(pdir, "/history", sizeof pdir - strlen(pdir) - 1);
  int failed = mkdir(pdir, 0755) != 0 && errno != EEXIST;
  size_t n = h->set.n < CFB_REP_HISTORY_PLOTS ? h->set.n : CFB_REP_HISTORY_PLOTS;
  for (size_t i = 0; i < n && !failed; i++) {
    const cfb_hist_series *s = &h->set.s[i];
    char name[200], img[220];
    cfb_hist_plot_name(s, i, name, sizeof name);
    failed = cfb_hist_plot_one(s, pdir, name, h->metric) != 0;
    snprintf(img, sizeof img, "history/%s", name);
    snprintf(text, sizeof text, "%.1500s over commits: median %s and 95%% CI per run%s", s->config,
             unit_of(h), s->nch ? ", change points dashed" : "");
    if (!failed) o->image(o->doc, img, text);
  }
  if (failed) {
    snprintf(text, sizeof text, "The trend plots could not be made (gnuplot: see %.1500s/gnuplot.log); "
                                "the list above stands.", pdir);
    o->para(o->doc, text);
  }
  if (h->set.n > n) {
    snprintf(text, sizeof text, "%zu more series are not drawn here; `cfbench history plot --db %.1500s "
                                "--config TEXT` draws any of them.", h->set.n - n, h->db);
    o->para(o->doc, text);
  }
}

void cfb_rep_history_section(const cfb_rep_out *o, const char *dir, const cfb_rep_history *h) {
  if (!h->db) return;
  char text[2048];
  o->heading(o->doc, 2, "History");
  if (!h->set.n) {
    snprintf(text, sizeof text, "None of this run's %zu configuration%s is in the history %.1500s on this "
                                "machine (`cfbench history add` stores a run).", h->nconfigs,
             cfb_plural((long long)h->nconfigs), h->db);
    o->para(o->doc, text);
    return;
  }
  snprintf(text, sizeof text,
           "%zu of this run's %zu configuration%s over the commits of %.1500s on this machine (median %s "
           "and 95%% CI per run, in commit order).  Change points by E-divisive means (alpha %g, %zu "
           "permutations, at least %zu runs each side; docs/history.md): %zu found.",
           h->set.n, h->nconfigs, cfb_plural((long long)h->nconfigs), h->db, unit_of(h), h->ed.alpha, h->ed.permutations, h->ed.min_size,
           h->nchanges);
  o->para(o->doc, text);
  change_list(o, h);
  trend_plots(o, dir, h);
}

void cfb_rep_history_free(cfb_rep_history *h) {
  cfb_hist_set_free(&h->set);
  memset(h, 0, sizeof *h);
}
