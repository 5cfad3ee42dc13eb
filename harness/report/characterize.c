/* characterize.c -- reads a characterize directory's measure.json and
 * turns it into answers (characterize.h): the kind from the profile, the
 * executor's cost and the chunksize from the no-op points, the scaling
 * models and their peak per backend, and the recommendation.  The outputs
 * are characterize_out.c's. */
#include "characterize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charrule.h"
#include "format.h"
#include "json.h"

/* ---- reading -------------------------------------------------------- */

void cfb_char_shown_params(const char *params, char *out, size_t len) {
  size_t o = 0;
  for (const char *p = params ? params : ""; *p && len;) {
    const char *e = p; /* the entry's end: the first unescaped ',' */
    while (*e && *e != ',') e += e[0] == '\\' && e[1] ? 2 : 1;
    const char *eq = memchr(p, '=', (size_t)(e - p));
    if (eq != e - 1) { /* "k=" is left out; anything else is kept as written */
      int k = snprintf(out + o, len - o, "%s%.*s", o ? "," : "", (int)(e - p), p);
      o = k < 0 ? o : o + (size_t)k < len ? o + (size_t)k : len - 1;
    }
    p = *e ? e + 1 : e;
  }
  if (len) out[o] = '\0';
}

static double num_at(const json_t *o, const char *key) {
  double v = NAN;
  cfb_json_get_number(o, key, &v);
  return v;
}

static void read_profile(const json_t *p, cfb_char *c) {
  double n = num_at(p, CFB_CHAR_K_P_ITEMS);
  c->items = n > 0 ? (size_t)n : 0;
  double k = c->items ? 1.0 / (double)c->items : NAN;
  c->wall_us = num_at(p, CFB_CHAR_K_P_WALL) * 1e6 * k;
  c->cpu_us = num_at(p, CFB_CHAR_K_P_CPU) * 1e6 * k;
  c->rq_wait_us = num_at(p, CFB_CHAR_K_P_RQWAIT) * 1e6 * k;
  c->sys_us = num_at(p, CFB_CHAR_K_P_SYS) * 1e6 * k;
  c->cpu_fraction = cfb_char_cpu_fraction(num_at(p, CFB_CHAR_K_P_WALL), num_at(p, CFB_CHAR_K_P_CPU),
                                          num_at(p, CFB_CHAR_K_P_RQWAIT), num_at(p, CFB_CHAR_K_P_VCSW), c->items);
  if (c->cpu_fraction > 1) c->cpu_fraction = 1;
  c->vcsw = num_at(p, CFB_CHAR_K_P_VCSW) * k;
  c->ivcsw = num_at(p, CFB_CHAR_K_P_IVCSW) * k;
  c->minflt = num_at(p, CFB_CHAR_K_P_MINFLT) * k;
  c->majflt = num_at(p, CFB_CHAR_K_P_MAJFLT) * k;
  c->rss_growth_bytes = num_at(p, CFB_CHAR_K_P_RSS);
}

static cfb_char_backend *backend_of(cfb_char *c, const char *name) {
  for (size_t i = 0; i < c->nb; i++)
    if (!strcmp(c->b[i].name, name)) return &c->b[i];
  if (c->nb == 2) return NULL;
  cfb_char_backend *b = &c->b[c->nb++];
  memset(b, 0, sizeof *b);
  snprintf(b->name, sizeof b->name, "%s", name);
  b->us1 = b->usbig = b->cbig = NAN;
  return b;
}

/* The throughputs of array r (none when r is absent) into x; how many. */
static size_t read_rates(const json_t *r, double *x) {
  size_t n = 0;
  for (size_t i = 0; json_is_array(r) && i < json_array_size(r) && n < CFB_CHAR_MAX_REPS; i++) {
    double v = json_number_value(json_array_get(r, i));
    if (v > 0 && isfinite(v)) x[n++] = v;
  }
  return n;
}

static int read_point(const json_t *o, cfb_char *c, char *err, size_t errlen) {
  char name[16];
  if (cfb_json_get_string(o, CFB_CHAR_K_PT_BACKEND, name, sizeof name) != 0 ||
      (strcmp(name, "thread") && strcmp(name, "process")))
    return snprintf(err, errlen, "a point without a backend (thread or process)"), 2;
  cfb_char_backend *b = backend_of(c, name);
  double w = num_at(o, CFB_CHAR_K_PT_WORKERS);
  if (!b || b->npts == CFB_CHAR_MAX_POINTS || !(w >= 1))
    return snprintf(err, errlen, "a %s point with no worker count, or too many points", name), 2;
  cfb_char_point *p = &b->pts[b->npts++];
  memset(p, 0, sizeof *p);
  p->workers = (int)w;
  p->chunksize = (size_t)fmax(1, num_at(o, CFB_CHAR_K_PT_CHUNK));
  p->items = (size_t)fmax(0, num_at(o, CFB_CHAR_K_PT_ITEMS));
  cfb_json_get_string(o, CFB_CHAR_K_PT_ERROR, p->error, sizeof p->error);
  p->nx = read_rates(json_object_get(o, CFB_CHAR_K_PT_RATES), p->x);
  p->ncx = read_rates(json_object_get(o, CFB_CHAR_K_PT_CONFIRM), p->cx);
  cfb_stats_summarize(p->x, p->nx, (uint64_t)p->workers * 31 + c->nb, &p->s);
  /* older files: every point at the rule's chunksize (a time box cuts
   * only downwards, so the largest is the rule's in any file) */
  if (p->chunksize > b->chunksize) b->chunksize = p->chunksize;
  return 0;
}

static void read_overhead(const json_t *ov, cfb_char *c) {
  const char *key;
  json_t *o;
  json_object_foreach((json_t *)ov, key, o) {
    cfb_char_backend *b = backend_of(c, key);
    if (!b) continue;
    b->us1 = num_at(o, CFB_CHAR_K_O_US1);
    b->usbig = num_at(o, CFB_CHAR_K_O_USBIG);
    b->cbig = num_at(o, CFB_CHAR_K_O_CBIG);
    double k = num_at(o, CFB_CHAR_K_O_CHUNK);
    if (k >= 1) b->rule_chunksize = (size_t)k;
  }
}

static int read_measure(const char *dir, cfb_char *c, char *err, size_t errlen) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, CFB_CHAR_MEASURE_FILE);
  json_t *root = cfb_json_load_file(path, err, errlen);
  if (!root) return 2;
  int rc = 0;
  double v = num_at(root, CFB_CHAR_K_VERSION);
  const json_t *pts = json_object_get(root, CFB_CHAR_K_POINTS);
  const json_t *prof = json_object_get(root, CFB_CHAR_K_PROFILE);
  if (v != CFB_CHAR_MEASURE_VERSION)
    rc = (snprintf(err, errlen, "%s: version %g, this program reads version %d", path, v,
                   CFB_CHAR_MEASURE_VERSION), 2);
  else if (!json_is_array(pts) || !json_is_object(prof))
    rc = (snprintf(err, errlen, "%s: no '%s' array or '%s' object", path, CFB_CHAR_K_POINTS, CFB_CHAR_K_PROFILE), 2);
  if (!rc) {
    cfb_json_get_string(root, CFB_CHAR_K_SPEC, c->workload, sizeof c->workload);
    cfb_json_get_string(root, CFB_CHAR_K_NAME, c->name, sizeof c->name);
    cfb_json_get_string(root, CFB_CHAR_K_PARAMS, c->params, sizeof c->params);
    cfb_char_shown_params(c->params, c->shown, sizeof c->shown);
    cfb_json_get_string(root, CFB_CHAR_K_DECLARED, c->declared, sizeof c->declared);
    cfb_json_get_string(root, CFB_CHAR_K_CPU_MODEL, c->cpu_model, sizeof c->cpu_model);
    double n = num_at(root, CFB_CHAR_K_NCPUS);
    c->ncpus = n >= 1 ? (int)n : 1;
    read_profile(prof, c);
    read_overhead(json_object_get(root, CFB_CHAR_K_OVERHEAD), c);
    const json_t *in = json_object_get(root, CFB_CHAR_K_INTERRUPTED);
    if (in && (cfb_json_get_string(in, CFB_CHAR_K_I_DURING, c->interrupted, sizeof c->interrupted) != 0 ||
               !c->interrupted[0]))
      snprintf(c->interrupted, sizeof c->interrupted, "run"); /* marked, whatever the step */
  }
  for (size_t i = 0; !rc && i < json_array_size(pts); i++) {
    char e[300];
    if ((rc = read_point(json_array_get(pts, i), c, e, sizeof e)) != 0)
      snprintf(err, errlen, "%s: point %zu: %s", path, i, e);
  }
  json_decref(root);
  return rc;
}

/* ---- deciding -------------------------------------------------------- */

/* Whether the items are memory-bound: 1 yes, 0 no, -1 within the margin
 * (uncertain); a sentence on what decided it in why. */
static int memory_verdict(const cfb_char *c, char *why, size_t len) {
  double faults = c->minflt + c->majflt, m = CFB_CHAR_MEMORY_MARGIN;
  if (!(faults >= CFB_CHAR_MEMORY_FAULTS_PER_ITEM) || !(c->cpu_us > 0)) return 0;
  double v = c->sys_us / c->cpu_us, at = CFB_CHAR_MEMORY_SYS_SHARE;
  const char *what = "of CPU time in the kernel";
  if (!isfinite(v)) { /* an older profile: no kernel time */
    v = faults / (c->cpu_us / 1000), at = CFB_CHAR_MEMORY_FAULTS_PER_CPU_MS;
    what = "page faults per on-CPU ms";
  }
  int r = v >= at * m ? 1 : v <= at / m ? 0 : -1;
  const char *rel = r < 0 ? "uncertain: near" : r ? ">=" : "<";
  if (isfinite(c->sys_us))
    snprintf(why, len, "%.0f page faults per item, %.0f%% %s (%s %.0f%%)", faults, 100 * v, what, rel, 100 * at);
  else
    snprintf(why, len, "%.0f page faults per item, %.0f %s (%s %.0f)", faults, v, what, rel, at);
  return r;
}

/* The kind from what the items did, not what the workload declares: the
 * measures load moves least (charrule.h's fraction, the kernel's share),
 * and "mixed", marked uncertain, within a margin of a boundary. */
static void decide_kind(cfb_char *c) {
  double f = c->cpu_fraction, mg = CFB_CHAR_FRACTION_MARGIN;
  char mem[200];
  int m = memory_verdict(c, mem, sizeof mem);
  c->kind_certain = 1;
  if (!isfinite(f)) {
    c->kind = "mixed", c->kind_certain = 0;
    snprintf(c->why, sizeof c->why, "no item was profiled");
  } else if (m != 0) {
    c->kind = m > 0 ? "memory" : "mixed", c->kind_certain = m > 0;
    snprintf(c->why, sizeof c->why, "%s%s", mem, m > 0 ? ": the time goes to new pages" : "");
  } else if (f >= CFB_CHAR_CPU_FRACTION + mg || f <= CFB_CHAR_IO_FRACTION - mg) {
    c->kind = f >= CFB_CHAR_CPU_FRACTION ? "cpu" : "io";
    snprintf(c->why, sizeof c->why, "on a CPU %.1f%% of its own time (%s %.0f%%), %.2f voluntary switches per item",
             100 * f, f >= CFB_CHAR_CPU_FRACTION ? ">=" : "<=",
             100 * (f >= CFB_CHAR_CPU_FRACTION ? CFB_CHAR_CPU_FRACTION : CFB_CHAR_IO_FRACTION), c->vcsw);
  } else {
    c->kind = "mixed";
    c->kind_certain = fabs(f - CFB_CHAR_CPU_FRACTION) >= mg && fabs(f - CFB_CHAR_IO_FRACTION) >= mg;
    snprintf(c->why, sizeof c->why, "on a CPU %.0f%% of its own time (%sbetween %.0f%% and %.0f%%)", 100 * f,
             c->kind_certain ? "" : "uncertain: near a boundary, ", 100 * CFB_CHAR_IO_FRACTION,
             100 * CFB_CHAR_CPU_FRACTION);
  }
}

/* Relative spread of a point: its 95% CI's width as a share of its
 * median, as a standard deviation (width / 3.92); NAN without a CI. */
static double rel_sd(const cfb_char_point *p) {
  double w = p->s.ci_hi - p->s.ci_lo;
  return p->nx > 1 && p->s.median > 0 && isfinite(w) ? w / 3.92 / p->s.median : NAN;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Fit the models to each worker count's median, weighted by the spread
 * of its repetitions.  The rounds ran every point once each, in a fresh
 * order per round, so drift moved all medians alike; fitting medians
 * (not every repetition) makes the held-out error the model's error at
 * a worker count it did not see, not the scatter of single repetitions.
 * A spread below half the points' median spread is taken as that half:
 * three repetitions that happen to agree must not pin the curve. */
static void fit_backend(cfb_char_backend *b) {
  cfb_model_point mp[CFB_CHAR_MAX_POINTS * CFB_CHAR_MAX_REPS];
  double rs[CFB_CHAR_MAX_POINTS], floor_sd = 0;
  size_t m = 0, nr = 0;
  for (size_t i = 0; i < b->npts; i++)
    if (isfinite(rel_sd(&b->pts[i]))) rs[nr++] = rel_sd(&b->pts[i]);
  qsort(rs, nr, sizeof rs[0], cmp_dbl);
  if (nr) floor_sd = 0.5 * (nr % 2 ? rs[nr / 2] : 0.5 * (rs[nr / 2 - 1] + rs[nr / 2]));
  for (size_t i = 0; i < b->npts; i++) {
    const cfb_char_point *p = &b->pts[i];
    if (!p->nx) continue;
    double sd = rel_sd(p), lo = NAN, hi = NAN;
    if (isfinite(sd)) {
      double half = 1.96 * fmax(sd, floor_sd) * p->s.median;
      lo = p->s.median - half, hi = p->s.median + half;
    }
    mp[m++] = (cfb_model_point){p->workers, p->s.median, lo, hi};
  }
  b->fit_on_medians = m >= CFB_CHAR_MIN_MEDIANS;
  if (!b->fit_on_medians) /* too few worker counts (a small --max-workers): every repetition, as before */
    for (size_t i = m = 0; i < b->npts; i++)
      for (size_t k = 0; k < b->pts[i].nx; k++)
        mp[m++] = (cfb_model_point){b->pts[i].workers, b->pts[i].x[k], b->pts[i].s.ci_lo, b->pts[i].s.ci_hi};
  b->fitted = cfb_models_fit(mp, m, &b->models, b->fit_error, sizeof b->fit_error) == 0;
  b->max_items_per_s = b->n_peak = NAN;
  if (!b->fitted) return;
  const cfb_model_fit *f = &b->models.fit[b->models.chosen];
  b->max_items_per_s = f->x_max;
  b->n_peak = f->n_peak;
  b->peak_in_sweep = isfinite(f->n_peak) && f->n_peak <= f->n_max &&
                     (f->kind != CFB_MODEL_BOTTLENECK || f->saturated);
}

void cfb_char_peak_words(const cfb_char_backend *b, char *buf, size_t len) {
  const cfb_model_fit *f = b->fitted ? &b->models.fit[b->models.chosen] : NULL;
  char r[32];
  cfb_fmt_rate(b->max_items_per_s, r, sizeof r);
  if (!f || !b->peak_in_sweep)
    snprintf(buf, len, "no peak within %g workers", f ? f->n_max : (b->npts ? b->pts[b->npts - 1].workers : 0));
  else if (f->kind != CFB_MODEL_BOTTLENECK)
    snprintf(buf, len, "peak %s/s at %.1f workers", r, b->n_peak);
  else if (b->n_peak < 1) /* the bound's knee below one worker: Xmax under the one-worker rate */
    snprintf(buf, len, "saturated at %s/s from 1 worker", r);
  else
    snprintf(buf, len, "saturates at %s/s from %.1f workers", r, b->n_peak);
}

void cfb_char_margin_words(const cfb_char *c, char *buf, size_t len) {
  if (c->rec < 0 || !isfinite(c->margin)) {
    snprintf(buf, len, "%s", "");
    return;
  }
  const char *other = c->b[1 - c->rec].name, *on = c->margin_confirmed ? "confirmation" : "sweep";
  if (isfinite(c->margin_lo))
    snprintf(buf, len, "%+.0f%% over %s (%+.0f..%+.0f%%, %zu paired %s rounds)", 100 * c->margin, other,
             100 * c->margin_lo, 100 * c->margin_hi, c->margin_rounds, on);
  else
    snprintf(buf, len, "%+.0f%% over %s (%zu %s round%s: no interval)", 100 * c->margin, other, c->margin_rounds, on,
             cfb_plural((long long)c->margin_rounds));
}

/* The knee of operational analysis, N* = Xmax / lambda: where N times
 * the one-worker rate meets the saturation throughput (the USL's n_peak,
 * its maximum, lies further right).  A curve that overshoots its plateau
 * before settling (a lock convoy forming under load: the bound cannot
 * follow a retrograde curve) has its plateau below points still on the
 * line; the saturation is then the best measured point, when even its CI
 * is above the fitted one, so the knee is never before a worker count
 * that still scaled. */
static void knee_of(cfb_char_backend *b) {
  b->n_knee = NAN;
  if (!b->fitted) return;
  const cfb_model_fit *f = &b->models.fit[b->models.chosen];
  double top = b->max_items_per_s;
  for (size_t i = 0; i < b->npts; i++)
    if (b->pts[i].workers == b->best_workers && b->pts[i].nx && b->pts[i].s.ci_lo > top) top = b->best_measured;
  if (f->par[0] > 0 && isfinite(top)) b->n_knee = top / f->par[0];
}

static const cfb_char_point *rec_point(const cfb_char_backend *b) {
  for (size_t i = 0; i < b->npts; i++)
    if (b->pts[i].workers == b->rec_workers && b->pts[i].nx) return &b->pts[i];
  return NULL;
}

/* a's throughput over b's, paired round by round (the rounds ran every
 * point once each, so drift that hit a round hit both and cancels): on
 * the confirmation rounds when both have them (*confirmed 1), else the
 * sweep's; with its interval in r when given. */
static double paired_ratio(const cfb_char_point *a, const cfb_char_point *b, cfb_paired *r, int *confirmed) {
  cfb_paired own;
  if (!r) r = &own;
  int conf = a->ncx > 1 && b->ncx > 1;
  if (confirmed) *confirmed = conf;
  if (conf) cfb_char_ratio(a->cx, a->ncx, b->cx, b->ncx, r);
  else cfb_char_ratio(a->x, a->nx, b->x, b->nx, r);
  if (a == b) return 1;
  return isfinite(r->ratio) ? r->ratio : a->s.median / b->s.median;
}

/* The best measured point of the sweep (the knee and the JSON use it). */
static void best_of_sweep(cfb_char_backend *b) {
  b->best_measured = NAN;
  b->best_workers = 0;
  for (size_t i = 0; i < b->npts; i++)
    if (b->pts[i].nx && !(b->pts[i].s.median <= b->best_measured))
      b->best_measured = b->pts[i].s.median, b->best_workers = b->pts[i].workers;
}

/* One sentence: the rule that fired and the figures it fired on. */
static void rule_why(cfb_char_backend *b, const cfb_char_cand *cd, int ncpus) {
  const cfb_char_pick *k = &b->pick;
  char on[64], near[160] = "";
  snprintf(on, sizeof on, "%zu %s rounds", b->pick_rounds, b->confirmed ? "confirmation" : "sweep");
  if (k->first_near < k->best)
    snprintf(near, sizeof near, "%d looked within %.0f%% of it (%.2f, %.2f..%.2f) but not surely within %.0f%%",
             cd[k->first_near].workers, 100 * (1 - CFB_CHAR_NEAR_BEST), k->near_vs_best.ratio,
             k->near_vs_best.ci_lo, k->near_vs_best.ci_hi, 100 * (1 - CFB_CHAR_SURE_FLOOR));
  if (k->rule == CFB_CHAR_RULE_FEWEST && k->pick != k->best)
    snprintf(b->rule_why, sizeof b->rule_why, "the fewest surely within %.0f%% of the best (%d worker%s): %.2f of it (%.2f..%.2f), %s",
             100 * (1 - CFB_CHAR_NEAR_BEST), b->pick_best_workers, cfb_plural(b->pick_best_workers), k->vs_best.ratio, k->vs_best.ci_lo,
             k->vs_best.ci_hi, on);
  else if (k->rule == CFB_CHAR_RULE_FEWEST)
    snprintf(b->rule_why, sizeof b->rule_why, "the best measured; no fewer workers within %.0f%% of it, %s",
             100 * (1 - CFB_CHAR_NEAR_BEST), on);
  else if (k->rule == CFB_CHAR_RULE_CPUS)
    snprintf(b->rule_why, sizeof b->rule_why, "CPU-bound, so the CPUs' count (%d): the best is %d, %s, %s", ncpus,
             b->pick_best_workers, near, on);
  else
    snprintf(b->rule_why, sizeof b->rule_why, "the best measured; %s, %s", near, on);
}

/* The recommended count by cfb_char_pick_workers (charrule.h): on the
 * confirmation rounds when the run made them (the candidates the sweep
 * chose, measured again alternated: the sweep's luck is not counted
 * twice), else on the sweep's rounds (older files). */
static void recommend_backend(cfb_char_backend *b, int ncpus, int cpu_bound) {
  cfb_char_cand cd[CFB_CHAR_MAX_POINTS];
  size_t n = 0;
  best_of_sweep(b);
  b->rec_workers = 0;
  /* one confirmed point alone is the pick a wide interval sent to be
   * confirmed (charrule.h): its rounds pair the margin, the count is the
   * sweep's to decide */
  size_t nconf = 0;
  for (size_t i = 0; i < b->npts; i++) nconf += b->pts[i].ncx > 1;
  b->confirmed = nconf > 1;
  for (size_t i = 0; i < b->npts; i++) {
    const cfb_char_point *p = &b->pts[i];
    if (b->confirmed ? !p->ncx : !p->nx) continue;
    cd[n++] = b->confirmed ? (cfb_char_cand){p->workers, p->cx, p->ncx} : (cfb_char_cand){p->workers, p->x, p->nx};
  }
  if (cfb_char_pick_workers(cd, n, ncpus, cpu_bound, &b->pick) != 0) return;
  const cfb_char_cand *r = &cd[b->pick.pick];
  b->pick_best_workers = cd[b->pick.best].workers;
  b->pick_rounds = cd[b->pick.best].nx;
  b->rec_workers = r->workers;
  /* The measured figure from fresh rounds whenever the pick has them, even
   * when the count was decided on the sweep's (a pick confirmed alone, for
   * the margin): the sweep's median is the best of several counts' noisy
   * medians, so biased upward by the choice, and its rounds are fewer. */
  const cfb_char_point *rp = rec_point(b);
  b->measured_confirmed = rp && rp->ncx > 1;
  b->measured_rounds = !rp ? r->nx : b->measured_confirmed ? rp->ncx : rp->nx;
  b->rec_measured = !rp ? cfb_stats_median(r->x, r->nx)
                        : b->measured_confirmed ? cfb_stats_median(rp->cx, rp->ncx) : cfb_stats_median(rp->x, rp->nx);
  b->rec_predicted = b->fitted ? cfb_model_predict(&b->models.fit[b->models.chosen], r->workers) : NAN;
  rule_why(b, cd, ncpus);
}

const char *cfb_char_basis_name(cfb_char_basis b) {
  switch (b) {
  case CFB_CHAR_BASIS_MEASURED: return "measured";
  case CFB_CHAR_BASIS_INTERPOLATED: return "interpolated";
  case CFB_CHAR_BASIS_EXTRAPOLATED: return "extrapolation";
  case CFB_CHAR_BASIS_NONE: break;
  }
  return "none";
}

/* g's figures on backend b: measured when the sweep ran g->workers (the
 * model's figure beside it), else the model's, interpolated within the
 * measured counts and extrapolated only past the largest (or below the
 * smallest).  The range is the measured points', not the fit's last
 * leave-one-out subset. */
static void bigger_of(const cfb_char_backend *b, cfb_char_bigger *g) {
  const cfb_model_fit *f = b->fitted ? &b->models.fit[b->models.chosen] : NULL;
  int lo = 0, hi = 0;
  for (size_t i = 0; i < b->npts; i++) {
    const cfb_char_point *p = &b->pts[i];
    if (!p->nx) continue;
    if (p->workers == g->workers) g->measured = p->s.median;
    if (!lo || p->workers < lo) lo = p->workers;
    if (p->workers > hi) hi = p->workers;
  }
  if (f) g->predicted = cfb_model_predict(f, g->workers);
  if (isfinite(g->measured)) g->basis = CFB_CHAR_BASIS_MEASURED;
  else if (f && g->workers >= lo && g->workers <= hi) g->basis = CFB_CHAR_BASIS_INTERPOLATED;
  else if (f) g->basis = CFB_CHAR_BASIS_EXTRAPOLATED;
}

/* The backend whose recommended point beats the other's, paired round by
 * round; the margin is that paired ratio less 1. */
static void recommend(cfb_char *c) {
  c->rec = -1;
  c->margin = c->margin_lo = c->margin_hi = NAN;
  c->margin_rounds = 0;
  for (int k = 0; k < CFB_CHAR_BIGGER; k++)
    c->bigger[k] = (cfb_char_bigger){(2 << k) * c->ncpus, NAN, NAN, CFB_CHAR_BASIS_NONE};
  for (size_t i = 0; i < c->nb; i++) {
    if (!c->b[i].rec_workers) continue;
    if (c->rec < 0 || paired_ratio(rec_point(&c->b[i]), rec_point(&c->b[c->rec]), NULL, NULL) > 1) c->rec = (int)i;
  }
  if (c->rec < 0) return;
  const cfb_char_backend *r = &c->b[c->rec];
  c->margin_lo = c->margin_hi = NAN;
  for (size_t i = 0; i < c->nb; i++) {
    if ((int)i == c->rec || !c->b[i].rec_workers) continue;
    cfb_paired m;
    c->margin = paired_ratio(rec_point(r), rec_point(&c->b[i]), &m, &c->margin_confirmed) - 1;
    c->margin_rounds = m.n;
    if (m.n >= 2 && isfinite(m.ci_lo)) c->margin_lo = m.ci_lo - 1, c->margin_hi = m.ci_hi - 1;
  }
  for (int k = 0; k < CFB_CHAR_BIGGER; k++) bigger_of(r, &c->bigger[k]);
}

static int by_workers(const void *a, const void *b) {
  return ((const cfb_char_point *)a)->workers - ((const cfb_char_point *)b)->workers;
}

int cfb_char_analyze(const char *dir, cfb_char *c, char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  int rc = read_measure(dir, c, err, errlen);
  if (rc) return rc;
  size_t measured = 0;
  decide_kind(c); /* the profile's: the recommendation uses it */
  for (size_t i = 0; i < c->nb; i++) {
    cfb_char_backend *b = &c->b[i];
    qsort(b->pts, b->npts, sizeof b->pts[0], by_workers);
    for (size_t k = 0; k < b->npts; k++) measured += b->pts[k].nx;
    if (b->rule_chunksize) b->chunksize = b->rule_chunksize; /* the rule's, not a time box's cut */
    cfb_char_overhead_split(b->us1, b->usbig, b->cbig, &b->per_msg_us, &b->per_item_us);
    fit_backend(b);
    recommend_backend(b, c->ncpus, !strcmp(c->kind, "cpu"));
    knee_of(b);
  }
  if (!measured)
    return snprintf(err, errlen, "%s/%s: no point was measured (every configuration failed)", dir,
                    CFB_CHAR_MEASURE_FILE), 2;
  recommend(c);
  return 0;
}
