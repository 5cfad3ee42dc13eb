/* characterize_out.c -- what `cfbench characterize` leaves and says
 * (characterize.h): characterize.json, characterize.md, the plot (from
 * plots/characterize.gp through plot.c's template mechanism) and the
 * terminal summary.  Only formats: every figure comes from cfb_char. */
#include "characterize.h"

#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "plot.h"
#include "stats.h"
#include "strbuf.h"

#define PLOT_BASE "characterize"
#define CURVE_SAMPLES 80

static const cfb_model_fit *chosen(const cfb_char_backend *b) {
  return b->fitted ? &b->models.fit[b->models.chosen] : NULL;
}

/* ---- characterize.json ----------------------------------------------- */

static json_t *model_json(const cfb_char_backend *b, int k) {
  json_t *o = json_object(), *par = json_object();
  json_object_set_new(o, "name", json_string(cfb_model_name((cfb_model_kind)k)));
  json_object_set_new(o, "ok", json_boolean(b->models.ok[k]));
  if (!b->models.ok[k]) {
    json_object_set_new(o, "error", json_string(cfb_model_strerror(b->models.code[k])));
    json_decref(par);
    return o;
  }
  const cfb_model_fit *f = &b->models.fit[k];
  for (size_t i = 0; i < f->npar; i++) {
    json_t *p = json_object();
    json_object_set_new(p, "value", cfb_json_num(f->par[i]));
    json_object_set_new(p, "ci_lo", cfb_json_num(f->lo[i]));
    json_object_set_new(p, "ci_hi", cfb_json_num(f->hi[i]));
    json_object_set_new(par, cfb_model_param_name((cfb_model_kind)k, i), p);
  }
  json_object_set_new(o, "parameters", par);
  json_object_set_new(o, "heldout_rmse", cfb_json_num(f->heldout_rmse));
  json_object_set_new(o, "heldout_rel", cfb_json_num(f->heldout_rel));
  json_object_set_new(o, "n_peak", cfb_json_num(f->n_peak));
  json_object_set_new(o, "x_max", cfb_json_num(f->x_max));
  return o;
}

static json_t *points_json(const cfb_char_backend *b) {
  json_t *a = json_array();
  for (size_t i = 0; i < b->npts; i++) {
    const cfb_char_point *p = &b->pts[i];
    json_t *o = json_object();
    json_object_set_new(o, "workers", json_integer(p->workers));
    json_object_set_new(o, "chunksize", json_integer((json_int_t)p->chunksize));
    json_object_set_new(o, "n", json_integer((json_int_t)p->nx));
    json_object_set_new(o, "median_items_per_s", cfb_json_num(p->s.median));
    json_object_set_new(o, "ci_lo", cfb_json_num(p->s.ci_lo));
    json_object_set_new(o, "ci_hi", cfb_json_num(p->s.ci_hi));
    if (p->ncx) {
      json_object_set_new(o, "confirm_n", json_integer((json_int_t)p->ncx));
      json_object_set_new(o, "confirm_median_items_per_s", cfb_json_num(cfb_stats_median(p->cx, p->ncx)));
    }
    if (p->error[0]) json_object_set_new(o, "error", cfb_json_str(p->error));
    json_array_append_new(a, o);
  }
  return a;
}

/* Which rule chose the backend's count, on which rounds, and the paired
 * ratios it decided on. */
static json_t *pick_json(const cfb_char_backend *b) {
  const cfb_char_pick *k = &b->pick;
  json_t *o = json_object();
  json_object_set_new(o, "rule", json_string(cfb_char_rule_name(k->rule)));
  json_object_set_new(o, "why", cfb_json_str(b->rule_why));
  json_object_set_new(o, "decided_on", json_string(b->confirmed ? "confirmation" : "sweep"));
  json_object_set_new(o, "rounds", json_integer((json_int_t)b->pick_rounds));
  json_object_set_new(o, "best_workers", json_integer(b->pick_best_workers));
  json_object_set_new(o, "ratio_to_best", cfb_json_num(k->vs_best.ratio));
  json_object_set_new(o, "ratio_ci_lo", cfb_json_num(k->vs_best.ci_lo));
  json_object_set_new(o, "ratio_ci_hi", cfb_json_num(k->vs_best.ci_hi));
  json_object_set_new(o, "ci_level", json_real(CFB_CHAR_PICK_LEVEL));
  return o;
}

static json_t *backend_json(const cfb_char_backend *b) {
  json_t *o = json_object(), *ms = json_array();
  json_object_set_new(o, "overhead_per_task_us", cfb_json_num(b->us1));
  json_object_set_new(o, "overhead_per_message_us", cfb_json_num(b->per_msg_us));
  json_object_set_new(o, "overhead_per_item_us", cfb_json_num(b->per_item_us));
  json_object_set_new(o, "recommended_chunksize", json_integer((json_int_t)b->chunksize));
  json_object_set_new(o, "points", points_json(b));
  for (int k = 0; b->fitted && k < CFB_MODEL_COUNT; k++) json_array_append_new(ms, model_json(b, k));
  json_object_set_new(o, "models", ms);
  json_object_set_new(o, "fitted_to", json_string(b->fit_on_medians ? "medians" : "repetitions"));
  json_object_set_new(o, "chosen_model", b->fitted ? json_string(cfb_model_name(b->models.chosen)) : json_null());
  if (!b->fitted) json_object_set_new(o, "fit_error", cfb_json_str(b->fit_error));
  json_object_set_new(o, "max_items_per_s", cfb_json_num(b->max_items_per_s));
  json_object_set_new(o, "n_peak", cfb_json_num(b->n_peak));
  json_object_set_new(o, "n_knee", cfb_json_num(b->n_knee));
  json_object_set_new(o, "peak_within_sweep", json_boolean(b->peak_in_sweep));
  json_object_set_new(o, "best_measured_items_per_s", cfb_json_num(b->best_measured));
  json_object_set_new(o, "best_measured_workers", json_integer(b->best_workers));
  json_object_set_new(o, "recommended_workers", json_integer(b->rec_workers));
  json_object_set_new(o, "recommendation_rule", pick_json(b));
  return o;
}

static json_t *recommendation_json(const cfb_char *c) {
  if (c->rec < 0) return json_null();
  const cfb_char_backend *r = &c->b[c->rec];
  json_t *o = json_object(), *x = json_object();
  json_object_set_new(o, "backend", json_string(r->name));
  json_object_set_new(o, "workers", json_integer(r->rec_workers));
  json_object_set_new(o, "chunksize", json_integer((json_int_t)r->chunksize));
  json_object_set_new(o, "predicted_items_per_s", cfb_json_num(r->rec_predicted));
  json_object_set_new(o, "measured_items_per_s", cfb_json_num(r->rec_measured));
  json_object_set_new(o, "measured_on", json_string(r->measured_confirmed ? "confirmation" : "sweep"));
  json_object_set_new(o, "measured_rounds", json_integer((json_int_t)r->measured_rounds));
  json_object_set_new(o, "runner_up", c->nb > 1 ? json_string(c->b[1 - c->rec].name) : json_null());
  json_object_set_new(o, "margin_over_runner_up", cfb_json_num(c->margin));
  json_object_set_new(o, "margin_ci_lo", cfb_json_num(c->margin_lo));
  json_object_set_new(o, "margin_ci_hi", cfb_json_num(c->margin_hi));
  json_object_set_new(o, "margin_ci_level", json_real(CFB_CHAR_PICK_LEVEL));
  json_object_set_new(o, "margin_rounds", json_integer((json_int_t)c->margin_rounds));
  json_object_set_new(o, "margin_decided_on", json_string(c->margin_confirmed ? "confirmation" : "sweep"));
  json_object_set_new(o, "rule", json_string(cfb_char_rule_name(r->pick.rule)));
  json_object_set_new(o, "rule_why", cfb_json_str(r->rule_why));
  for (int k = 0; k < CFB_CHAR_BIGGER; k++) { /* "2x_cpus": {workers, predicted, measured, basis} */
    const cfb_char_bigger *g = &c->bigger[k];
    json_t *e = json_object();
    char key[32];
    snprintf(key, sizeof key, "%dx_cpus", 2 << k);
    json_object_set_new(e, "workers", json_integer(g->workers));
    json_object_set_new(e, "predicted_items_per_s", cfb_json_num(g->predicted));
    json_object_set_new(e, "measured_items_per_s", cfb_json_num(g->measured));
    json_object_set_new(e, "basis", json_string(cfb_char_basis_name(g->basis)));
    json_object_set_new(x, key, e);
  }
  json_object_set_new(o, "beyond_cpus", x);
  return o;
}

static json_t *per_item_json(const cfb_char *c) {
  json_t *o = json_object();
  json_object_set_new(o, "items_profiled", json_integer((json_int_t)c->items));
  json_object_set_new(o, "wall_us", cfb_json_num(c->wall_us));
  json_object_set_new(o, "cpu_us", cfb_json_num(c->cpu_us));
  json_object_set_new(o, "sys_us", cfb_json_num(c->sys_us));
  json_object_set_new(o, "runqueue_wait_us", cfb_json_num(c->rq_wait_us));
  json_object_set_new(o, "voluntary_switches", cfb_json_num(c->vcsw));
  json_object_set_new(o, "involuntary_switches", cfb_json_num(c->ivcsw));
  json_object_set_new(o, "minor_faults", cfb_json_num(c->minflt));
  json_object_set_new(o, "major_faults", cfb_json_num(c->majflt));
  json_object_set_new(o, "rss_growth_bytes_total", cfb_json_num(c->rss_growth_bytes));
  return o;
}

int cfb_char_write_json(const char *dir, const cfb_char *c, char *err, size_t errlen) {
  json_t *root = json_object(), *bs = json_object();
  /* a partial analysis says so first: the step a signal stopped the run in */
  json_object_set_new(root, "interrupted", c->interrupted[0] ? json_string(c->interrupted) : json_null());
  json_object_set_new(root, "workload", cfb_json_str(c->workload));
  json_object_set_new(root, "workload_name", cfb_json_str(c->name));
  json_object_set_new(root, "params", cfb_json_str(c->params));
  json_object_set_new(root, "ncpus", json_integer(c->ncpus));
  json_object_set_new(root, "kind", json_string(c->kind));
  json_object_set_new(root, "kind_why", cfb_json_str(c->why));
  json_object_set_new(root, "kind_certain", json_boolean(c->kind_certain));
  json_object_set_new(root, "declared_kind", cfb_json_str(c->declared));
  json_object_set_new(root, "cpu_fraction", cfb_json_num(c->cpu_fraction));
  json_object_set_new(root, "per_item", per_item_json(c));
  for (size_t i = 0; i < c->nb; i++) json_object_set_new(bs, c->b[i].name, backend_json(&c->b[i]));
  json_object_set_new(root, "backends", bs);
  const cfb_char_backend *r = c->rec >= 0 ? &c->b[c->rec] : NULL;
  json_object_set_new(root, "overhead_per_task_us", cfb_json_num(r ? r->us1 : NAN));
  json_object_set_new(root, "recommended_chunksize", r ? json_integer((json_int_t)r->chunksize) : json_null());
  json_object_set_new(root, "recommendation", recommendation_json(c));
  char path[4200];
  snprintf(path, sizeof path, "%s/characterize.json", dir);
  int rc = cfb_json_write_file(root, path);
  json_decref(root);
  if (rc) snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
  return rc ? 1 : 0;
}

/* ---- the plot --------------------------------------------------------- */

static void curve_data(cfb_sb *d, const cfb_char_backend *b, double lo, double hi) {
  const cfb_model_fit *f = chosen(b);
  for (int i = 0; f && i <= CURVE_SAMPLES; i++) {
    double n = lo * pow(hi / lo, (double)i / CURVE_SAMPLES);
    cfb_sb_printf(d, "%.6g %.6g\n", n, cfb_model_predict(f, n));
  }
  if (!f) cfb_sb_printf(d, "%g NaN\n", lo); /* an empty block keeps the indexes */
  cfb_sb_append(d, "\n\n");
}

/* Three data blocks per backend: the sweep's points, the chosen fit's
 * curve, the confirmation rounds' points (median, 95% CI). */
#define BLOCKS 3

static void plot_series(cfb_sb *pl, cfb_sb *ex, const cfb_char_backend *b, int i, int recommended) {
  int ls = strcmp(b->name, "thread") ? 11 : 1;
  cfb_sb_printf(pl, "%s'" PLOT_BASE ".dat' index %d using 1:2:3:4 with yerrorbars ls %d title '%s measured'",
                i ? ", " : "", BLOCKS * i, ls, b->name);
  if (chosen(b))
    cfb_sb_printf(pl, ", '' index %d using 1:2 with lines ls %d title '%s: %s fit'", BLOCKS * i + 1, ls, b->name,
                  cfb_model_name(b->models.chosen));
  if (b->confirmed)
    cfb_sb_printf(pl, ", '' index %d using ($1*1.08):2:3:4 with yerrorbars ls %d pt 6 title '%s confirmation rounds'",
                  BLOCKS * i + 2, ls, b->name);
  if (b->peak_in_sweep) {
    /* the bound's knee is where it saturates (below one worker: from the first point on) */
    int knee = chosen(b)->kind == CFB_MODEL_BOTTLENECK;
    double at = knee && b->n_peak < 1 ? 1 : b->n_peak;
    cfb_sb_printf(ex, "set arrow %d from %.6g, graph 0 to %.6g, graph 1 nohead ls 30 lc rgb '%s'\n", 10 + i, at, at,
                  ls == 1 ? "#2171b5" : "#d94801");
    cfb_sb_printf(ex, "set label %d '%s %s: %.1f workers' at %.6g, graph %.2f offset 0.5,0 font ',9'\n", 10 + i,
                  b->name, knee ? "saturates" : "peak", at, at, 0.95 - 0.06 * i);
  }
  /* the pick, on the rounds it was decided on (the confirmation's are drawn shifted right) */
  if (recommended && b->rec_workers > 0)
    cfb_sb_printf(ex, "set label 20 'recommended: %d workers (%s)' at %.6g, %.6g point pt 8 ps 2.5 "
                      "lc rgb '#000000' offset 1.5,1.2 font ',9'\n",
                  b->rec_workers, cfb_char_rule_name(b->pick.rule), b->rec_workers * (b->measured_confirmed ? 1.08 : 1),
                  b->rec_measured);
}

/* The confirmation rounds' points of b, one line each ("" when none). */
static void confirm_data(cfb_sb *d, const cfb_char_backend *b) {
  for (size_t k = 0; k < b->npts; k++) {
    const cfb_char_point *p = &b->pts[k];
    cfb_summary s;
    if (!p->ncx || cfb_stats_summarize(p->cx, p->ncx, (uint64_t)p->workers, &s) != 0) continue;
    cfb_sb_printf(d, "%d %.6g %.6g %.6g\n", p->workers, s.median, s.ci_lo, s.ci_hi);
  }
  if (!b->confirmed) cfb_sb_append(d, "1 NaN NaN NaN\n"); /* an empty block keeps the indexes */
  cfb_sb_append(d, "\n\n");
}

int cfb_char_plot(const char *dir, const cfb_char *c, char *err, size_t errlen) {
  double lo = 1, hi = 1;
  cfb_sb d = {0}, pl = {0}, ex = {0}, tics = {0};
  for (size_t i = 0; i < c->nb; i++)
    for (size_t k = 0; k < c->b[i].npts; k++) hi = fmax(hi, c->b[i].pts[k].workers);
  for (size_t i = 0; i < c->nb; i++) {
    const cfb_char_backend *b = &c->b[i];
    for (size_t k = 0; k < b->npts; k++)
      if (b->pts[k].nx)
        cfb_sb_printf(&d, "%d %.6g %.6g %.6g\n", b->pts[k].workers, b->pts[k].s.median, b->pts[k].s.ci_lo,
                      b->pts[k].s.ci_hi);
    cfb_sb_append(&d, "\n\n");
    curve_data(&d, b, lo, hi);
    confirm_data(&d, b);
    plot_series(&pl, &ex, b, (int)i, c->rec == (int)i);
  }
  for (double n = 1; n <= hi; n *= 2) cfb_sb_printf(&tics, "%s'%g' %g", n > 1 ? ", " : "", n, n);
  char pdir[4200], path[4300], title[1400], xmax[32];
  snprintf(pdir, sizeof pdir, "%s/plots", dir);
  snprintf(path, sizeof path, "%s/" PLOT_BASE ".dat", pdir);
  char head[300];
  snprintf(head, sizeof head, "characterize %s: throughput against workers%s", c->name,
           c->interrupted[0] ? " (PARTIAL: interrupted)" : "");
  cfb_plot_title(head, c->shown, title, sizeof title);
  snprintf(xmax, sizeof xmax, "%g", hi * 1.3);
  cfb_plot_field f[] = {{"TITLE", title}, {"MACHINE", c->cpu_model}, {"XMIN", "0.8"}, {"XMAX", xmax},
                        {"XTICS", cfb_sb_str(&tics)}, {"EXTRA", cfb_sb_str(&ex)}, {"PLOT", cfb_sb_str(&pl)}};
  int rc = cfb_plot_script(pdir, "characterize.gp", PLOT_BASE, f, sizeof f / sizeof f[0]) ? 2 : 0;
  if (!rc && cfb_sb_write_file(&d, path) != 0) rc = 2;
  if (!rc) rc = cfb_plot_render_script(pdir, PLOT_BASE ".gp");
  if (rc) snprintf(err, errlen, "the plot in %s was not made (see above)", pdir);
  cfb_sb_free(&d), cfb_sb_free(&pl), cfb_sb_free(&ex), cfb_sb_free(&tics);
  return rc ? 1 : 0;
}
