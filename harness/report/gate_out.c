/* gate_out.c -- the gate's metric, table, JSON and exit code (see gate_out.h). */
#include "gate_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "schema.h"

/* The metrics, declared once: name (--metric, json) and unit. */
static const struct {
  const char *name, *unit;
} metrics[] = {[CFB_METRIC_WALL] = {"wall", "items/s"},
               [CFB_METRIC_CPU] = {"cpu", "items/CPU-s"},
               [CFB_METRIC_BOTH] = {"both", "items/s and items/CPU-s"}};

/* "wall", "cpu", "both" (--metric and the json's "metric"), and a
 * single metric's unit: "items/s", "items/CPU-s". */
static const char *metric_name(cfb_gate_metric m) { return metrics[m].name; }
static const char *metric_unit(cfb_gate_metric m) { return metrics[m].unit; }

int cfb_gate_metric_parse(const char *val, int both_ok, cfb_gate_metric *m, char *err, size_t errlen) {
  for (int k = 0; k <= (both_ok ? CFB_METRIC_BOTH : CFB_METRIC_CPU); k++)
    if (!strcmp(val, metrics[k].name)) {
      *m = (cfb_gate_metric)k;
      return 0;
    }
  snprintf(err, errlen, "--metric: '%s'; allowed: wall, cpu%s", val, both_ok ? ", both" : "");
  return -1;
}

/* Counts by cfb_gate_verdict. */
static void gate_counts(const cfb_gate_report *r, size_t counts[4]) {
  memset(counts, 0, 4 * sizeof *counts);
  for (size_t i = 0; i < r->n; i++) counts[r->rows[i].g.verdict]++;
}

int cfb_gate_exit(const cfb_gate_report *r) {
  size_t c[4];
  gate_counts(r, c);
  if (c[CFB_GATE_SLOWER]) return 1;
  return r->strict && (c[CFB_GATE_FEW] || r->only_base || r->only_new) ? 1 : 0;
}

static const char *unit(const cfb_gate_report *r) { return metric_unit(r->metric); }

static int both(const cfb_gate_report *r) { return r->metric == CFB_METRIC_BOTH; }

/* A verdict's name as this report's reader counts: compare's samples are
 * repetitions (docs/compare.md says "too few samples"), ab's are rounds. */
static const char *verdict_name(const cfb_gate_report *r, cfb_gate_verdict v) {
  return v == CFB_GATE_FEW && !r->paired ? "too few samples" : cfb_gate_verdict_name(v);
}

/* Which metrics decided (bits of cfb_judged.decided): "wall", "cpu", "both", NULL: none. */
static const char *decided_name(unsigned d) {
  d &= (1u << CFB_METRIC_N) - 1;
  if (!d) return NULL;
  if (d == (1u << CFB_METRIC_N) - 1) return metric_name(CFB_METRIC_BOTH);
  return metric_name(d & (1u << CFB_METRIC_WALL) ? CFB_METRIC_WALL : CFB_METRIC_CPU);
}

/* A row's verdict; with --metric both, "slower (wall)" says which test gave it. */
static void verdict_label(const cfb_gate_report *r, const cfb_judged *j, char *out, size_t len) {
  const char *v = verdict_name(r, j->g.verdict), *d = decided_name(j->decided);
  if (both(r) && d) snprintf(out, len, "%s (%s)", v, d);
  else snprintf(out, len, "%s", v);
}

static void fmt_p(char *out, size_t len, double p) {
  if (!isfinite(p)) snprintf(out, len, "-");
  else if (p < 1e-4) snprintf(out, len, "%.1e", p);
  else snprintf(out, len, "%.4f", p);
}

/* The evidence column: the paired interval, or the unpaired p. */
static void evidence(const cfb_gate_report *r, const cfb_gate *g, char *out, size_t len) {
  if (!r->paired) fmt_p(out, len, g->p);
  else if (isfinite(g->ci_lo)) snprintf(out, len, "[%.3f, %.3f]", g->ci_lo, g->ci_hi);
  else snprintf(out, len, "-");
}

/* text and a newline, broken to 79 columns (an 80-column terminal), the
 * lines after the first indented by indent. */
static void sb_wrapped(cfb_sb *out, const char *text, size_t indent) {
  for (const char *t = text; *t;) {
    size_t lead = t == text ? 0 : indent, cut = cfb_fmt_break(t, 79 - lead), keep = cut;
    while (keep > 0 && t[keep - 1] == ' ') keep--; /* no blank left at a line's end */
    cfb_sb_printf(out, "%*s%.*s\n", (int)lead, "", (int)keep, t);
    t += cut;
    while (*t == ' ') t++;
  }
}

/* Each line of text (its paragraphs) wrapped as sb_wrapped does. */
static void paragraphs_wrapped(cfb_sb *out, const char *text) {
  char line[1024];
  for (const char *t = text; *t;) {
    size_t n = strcspn(t, "\n");
    snprintf(line, sizeof line, "%.*s", (int)n, t);
    sb_wrapped(out, line, 0);
    t += n + (t[n] == '\n');
  }
}

static void heading(const cfb_gate_report *r, int md, cfb_sb *out) {
  /* ab's intervals are at each configuration's own level (the plan's,
   * divided by its Holm divisor), not a flat 95% */
  const char *how = !r->paired ? "Mann-Whitney U two-sided"
                    : both(r)  ? "paired rounds, each configuration on both metrics, Wilcoxon "
                                 "signed-rank interval of NEW/BASE at each test's Holm-corrected level "
                                 "over configurations x metrics"
                               : "paired rounds, Wilcoxon signed-rank interval of NEW/BASE at each "
                                 "configuration's Holm-corrected level";
  if (md)
    cfb_sb_printf(out, "Comparison of `%s` (base) and `%s` (new), %s: %s, alpha %g; a change counts beyond "
                       "%g%% (or the noise floor where a run was noisier).\n\n",
                  r->base, r->nw, unit(r), how, r->alpha, r->threshold * 100);
  else {
    /* each a sentence wrapped at blanks: fixed breaks in `how` left a
     * line of 85 columns and two short ones */
    cfb_sb first = {0}, second = {0};
    cfb_sb_printf(&first, "cfbench %s: %s -> %s", r->cmd, r->base, r->nw);
    cfb_sb_printf(&second, "(%s; %s, alpha %g, threshold %g%%)", unit(r), how, r->alpha, r->threshold * 100);
    sb_wrapped(out, cfb_sb_failed(&first) ? "" : cfb_sb_str(&first), 2);
    sb_wrapped(out, cfb_sb_failed(&second) ? "" : cfb_sb_str(&second), 1);
    cfb_sb_free(&first);
    cfb_sb_free(&second);
  }
  for (size_t i = 0; i < r->nwarnings; i++) {
    if (md) {
      cfb_sb_printf(out, "> WARNING: %s\n", r->warnings[i]);
      continue;
    }
    cfb_sb w = {0};
    cfb_sb_printf(&w, "WARNING: %s", r->warnings[i]);
    sb_wrapped(out, cfb_sb_failed(&w) ? "WARNING" : cfb_sb_str(&w), 2);
    cfb_sb_free(&w);
  }
  if (md && r->nwarnings) cfb_sb_append(out, "\n");
}

/* The figure columns of the tables, between the configuration and the
 * verdict: one metric's medians, ratio and evidence, or (--metric both)
 * each metric's ratio and interval. */
enum { GATE_COLS = 6 };

typedef struct gate_cells {
  char buf[GATE_COLS][48];
  char verdict[48];
} gate_cells;

/* The heads of the figure columns (md: the Markdown table's, longer). */
static void heads_of(const cfb_gate_report *r, int md, const char *head[GATE_COLS]) {
  static const char *const both_text[GATE_COLS] = {"n b/n", "wall ratio", "wall CI", "cpu ratio", "cpu CI", "thr"};
  static const char *const both_md[GATE_COLS] = {"n base/new", "ratio items/s", "CI items/s", "ratio items/CPU-s",
                                                 "CI items/CPU-s", "threshold"};
  static const char *const cpu_text[2] = {"base it/CPU-s", "new it/CPU-s"}, *const wall_text[2] = {"base items/s",
                                                                                               "new items/s"};
  if (both(r)) {
    for (int k = 0; k < GATE_COLS; k++) head[k] = md ? both_md[k] : both_text[k];
    return;
  }
  const char *const *bn = r->metric == CFB_METRIC_CPU ? cpu_text : wall_text;
  const char *ev = r->paired ? "CI" : "p";
  const char *text[GATE_COLS] = {"n b/n", bn[0], bn[1], "ratio", ev, "thr"};
  for (int k = 0; k < GATE_COLS; k++) head[k] = text[k];
  if (md) head[0] = "n base/new", head[1] = "base", head[2] = "new", head[5] = "threshold";
}

/* One judged row's cells, as run prints rates (616k). */
static void cells_of(const cfb_gate_report *r, const cfb_judged *j, gate_cells *c) {
  snprintf(c->buf[0], sizeof c->buf[0], "%zu/%zu", j->g.n_base, j->g.n_new);
  if (both(r)) {
    for (int k = 0; k < CFB_METRIC_N; k++) {
      snprintf(c->buf[1 + 2 * k], sizeof c->buf[0], "-");
      snprintf(c->buf[2 + 2 * k], sizeof c->buf[0], "-");
      if (!j->has[k]) continue;
      snprintf(c->buf[1 + 2 * k], sizeof c->buf[0], "%.3f", j->by[k].ratio);
      evidence(r, &j->by[k], c->buf[2 + 2 * k], sizeof c->buf[0]);
    }
  } else {
    cfb_fmt_rate(j->base_median, c->buf[1], sizeof c->buf[1]);
    cfb_fmt_rate(j->new_median, c->buf[2], sizeof c->buf[2]);
    snprintf(c->buf[3], sizeof c->buf[3], "%.3f", j->g.ratio);
    evidence(r, &j->g, c->buf[4], sizeof c->buf[4]);
  }
  snprintf(c->buf[5], sizeof c->buf[5], "%.1f%%", 100 * j->g.threshold);
  verdict_label(r, j, c->verdict, sizeof c->verdict);
}

static void md_rows(const cfb_gate_report *r, cfb_sb *out) {
  const char *head[GATE_COLS];
  heads_of(r, 1, head);
  cfb_sb_append(out, "| configuration |");
  for (int k = 0; k < GATE_COLS; k++)
    cfb_sb_printf(out, " %s%s%s%s |", head[k], !both(r) && (k == 1 || k == 2) ? " (" : "",
                  !both(r) && (k == 1 || k == 2) ? unit(r) : "", !both(r) && (k == 1 || k == 2) ? ")" : "");
  cfb_sb_append(out, " verdict |\n|---|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < r->n; i++) {
    const cfb_judged *j = &r->rows[i];
    gate_cells c;
    cells_of(r, j, &c);
    const char *em = j->g.verdict == CFB_GATE_SLOWER ? "**" : "";
    cfb_sb_printf(out, "| %s |", j->name);
    for (int k = 0; k < GATE_COLS; k++) cfb_sb_printf(out, " %s |", c.buf[k]);
    cfb_sb_printf(out, " %s%s%s |\n", em, c.verdict, em);
  }
}

/* The terminal's table: the figures' columns sized to their values; the
 * configuration beside them when it all fits 80 columns, else on a line
 * of its own above its figures (names run to 60 characters and more). */

static void text_rows(const cfb_gate_report *r, cfb_sb *out) {
  const char *head[GATE_COLS];
  heads_of(r, 0, head);
  size_t wname = strlen("configuration"), w[GATE_COLS], wv = strlen("verdict");
  for (size_t k = 0; k < GATE_COLS; k++) w[k] = strlen(head[k]);
  for (size_t i = 0; i < r->n; i++) {
    gate_cells c;
    cells_of(r, &r->rows[i], &c);
    for (size_t k = 0; k < GATE_COLS; k++)
      if (strlen(c.buf[k]) > w[k]) w[k] = strlen(c.buf[k]);
    if (strlen(c.verdict) > wv) wv = strlen(c.verdict);
    if (strlen(r->rows[i].name) > wname) wname = strlen(r->rows[i].name);
  }
  /* two blanks between the figures, one where two would pass 79 columns
   * (ab's CPU-second headers and CIs with "too few rounds") */
  size_t figures = wv, gap = 2;
  for (size_t k = 0; k < GATE_COLS; k++) figures += w[k] + 2;
  if (2 + figures > 79) gap = 1, figures -= GATE_COLS;
  int inline_name = wname + 2 + figures <= 79;
  if (inline_name) cfb_sb_printf(out, "%-*s  ", (int)wname, "configuration");
  else cfb_sb_append(out, "configuration\n  ");
  for (size_t k = 0; k < GATE_COLS; k++) cfb_sb_printf(out, "%*s%*s", (int)w[k], head[k], (int)gap, "");
  cfb_sb_append(out, "verdict\n");
  for (size_t i = 0; i < r->n; i++) {
    const cfb_judged *j = &r->rows[i];
    gate_cells c;
    cells_of(r, j, &c);
    if (inline_name) cfb_sb_printf(out, "%-*s  ", (int)wname, j->name);
    else {
      sb_wrapped(out, j->name, 4); /* the name on lines of its own, the figures indented under it */
      cfb_sb_append(out, "  ");
    }
    for (size_t k = 0; k < GATE_COLS; k++) cfb_sb_printf(out, "%*s%*s", (int)w[k], c.buf[k], (int)gap, "");
    cfb_sb_printf(out, "%s\n", c.verdict);
  }
}

/* One REGRESSION: line: by the metric judged, or (--metric both) by each
 * metric whose test flagged it, in its own unit; in text wrapped to 80
 * columns at blanks (a configuration's name and both figures made 86),
 * the detail indented; Markdown keeps it on one line. */
static void regression_line(const cfb_gate_report *r, const cfb_judged *j, int md, cfb_sb *sink) {
  cfb_sb line = {0}, *out = &line;
  cfb_sb_printf(out, "%sREGRESSION: %s: ", md ? "- " : "", j->name);
  int first = 1;
  for (int k = 0; k < (both(r) ? CFB_METRIC_N : 1); k++) {
    const cfb_gate *g = both(r) ? &j->by[k] : &j->g;
    double bmed = both(r) ? j->base_by[k] : j->base_median, nmed = both(r) ? j->new_by[k] : j->new_median;
    if (both(r) && !(j->decided & (1u << k))) continue;
    char bm[32], nm[32];
    cfb_fmt_rate(bmed, bm, sizeof bm);
    cfb_fmt_rate(nmed, nm, sizeof nm);
    cfb_sb_printf(out, "%s%.1f%% slower (median %s -> %s %s)", first ? "" : ", ", (1 - g->ratio) * 100, bm, nm,
                  both(r) ? metric_unit((cfb_gate_metric)k) : unit(r));
    first = 0;
  }
  if (cfb_sb_failed(&line)) cfb_sb_append(sink, "REGRESSION: (out of memory)\n");
  else if (md) cfb_sb_printf(sink, "%s\n", cfb_sb_str(&line));
  else sb_wrapped(sink, cfb_sb_str(&line), 2);
  cfb_sb_free(&line);
}

void cfb_gate_emit_table(const cfb_gate_report *r, int md, cfb_sb *out) {
  size_t c[4];
  gate_counts(r, c);
  heading(r, md, out);
  if (md) md_rows(r, out);
  else text_rows(r, out);
  /* the summary's sentences wrapped at blanks in the text table (the
   * --strict clause made a line of 96 columns); Markdown keeps its lines */
  cfb_sb sum = {0};
  cfb_sb_printf(&sum, "%zu of %zu configuration%s judged: %zu slower, %zu faster, %zu unchanged;\n%zu with %s",
                r->n - c[CFB_GATE_FEW], r->n + r->only_base + r->only_new,
                cfb_plural((long long)(r->n + r->only_base + r->only_new)), c[CFB_GATE_SLOWER],
                c[CFB_GATE_FASTER], c[CFB_GATE_UNCHANGED], c[CFB_GATE_FEW], verdict_name(r, CFB_GATE_FEW));
  if (r->only_base || r->only_new)
    cfb_sb_printf(&sum, ", %zu only in base, %zu only in new (not compared)", r->only_base, r->only_new);
  cfb_sb_printf(&sum, "%s.", r->strict && (c[CFB_GATE_FEW] || r->only_base || r->only_new)
                                 ? " -- a failure with --strict" : "");
  if (both(r))
    cfb_sb_printf(&sum, "\nBoth metrics: %zu tests in the family; a configuration is slower when either "
                        "metric's test says so (the verdict says which).", r->family);
  size_t widened = 0;
  for (size_t i = 0; i < r->n; i++) widened += r->rows[i].g.threshold > r->threshold + 1e-12;
  if (widened)
    cfb_sb_printf(&sum, "\n%zu configuration%s: the runs' own round-to-round spread widened the threshold "
                        "(column thr): a smaller change there cannot be told from noise.", widened,
                  cfb_plural((long long)widened));
  if (md) cfb_sb_printf(out, "\n%s\n", cfb_sb_failed(&sum) ? "" : cfb_sb_str(&sum));
  else paragraphs_wrapped(out, cfb_sb_failed(&sum) ? "" : cfb_sb_str(&sum));
  cfb_sb_free(&sum);
  for (size_t i = 0; i < r->n; i++)
    if (r->rows[i].g.verdict == CFB_GATE_SLOWER) regression_line(r, &r->rows[i], md, out);
}

/* One metric's test of a row: its figures and verdict. */
static json_t *json_metric(const cfb_gate_report *r, const cfb_judged *j, int k) {
  const cfb_gate *g = &j->by[k];
  return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:b, s:s}", "n", (json_int_t)g->n_base,
                   "base_median", cfb_json_num(j->base_by[k]), "new_median", cfb_json_num(j->new_by[k]), "ratio",
                   cfb_json_num(g->ratio), "ci_lo", cfb_json_num(g->ci_lo), "ci_hi", cfb_json_num(g->ci_hi),
                   "holm_divisor", (json_int_t)j->div_by[k], "threshold", cfb_json_num(g->threshold),
                   "resolved", g->resolved, "verdict", verdict_name(r, g->verdict));
}

/* ab's rows: each metric's test ("metrics": {"wall": {...}, "cpu": {...}})
 * and which decided ("decided_by": "wall", "cpu", "both" or null). */
static int json_by_metric(const cfb_gate_report *r, const cfb_judged *j, json_t *o) {
  json_t *m = json_object();
  int rc = m ? 0 : -1;
  for (int k = 0; !rc && k < CFB_METRIC_N; k++)
    if (j->has[k]) rc = json_object_set_new(m, metric_name((cfb_gate_metric)k), json_metric(r, j, k));
  const char *d = decided_name(j->decided);
  if (!rc) rc = json_object_set_new(o, "metrics", m), m = NULL;
  if (!rc) rc = json_object_set_new(o, "decided_by", d ? json_string(d) : json_null());
  json_decref(m);
  return rc;
}

static json_t *json_row(const cfb_gate_report *r, const cfb_judged *j) {
  json_t *o = json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:s}", "configuration",
                        cfb_json_str(j->name), "n_base", (json_int_t)j->g.n_base, "n_new", (json_int_t)j->g.n_new,
                        "base_median", cfb_json_num(j->base_median), "new_median", cfb_json_num(j->new_median),
                        "ratio", cfb_json_num(j->g.ratio), "ci_lo", cfb_json_num(j->g.ci_lo), "ci_hi",
                        cfb_json_num(j->g.ci_hi), "p", cfb_json_num(r->paired ? NAN : j->g.p), "noise_floor",
                        cfb_json_num(j->g.floor), "threshold", cfb_json_num(j->g.threshold), "resolved",
                        j->g.resolved, "verdict", verdict_name(r, j->g.verdict));
  if (o && r->paired && json_by_metric(r, j, o) != 0) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

int cfb_gate_emit_json(const cfb_gate_report *r, cfb_sb *out) {
  size_t c[4];
  gate_counts(r, c);
  json_t *configs = json_array(), *warn = json_array();
  for (size_t i = 0; configs && i < r->n; i++)
    if (json_array_append_new(configs, json_row(r, &r->rows[i])) != 0) {
      json_decref(configs);
      configs = NULL;
    }
  for (size_t i = 0; warn && i < r->nwarnings; i++) json_array_append_new(warn, cfb_json_str(r->warnings[i]));
  json_t *root = configs && warn ? json_pack(
      "{s:s, s:o, s:o, s:s, s:f, s:f, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "command",
      r->cmd, "base", cfb_json_str(r->base), "new", cfb_json_str(r->nw), "metric", metric_name(r->metric),
      "threshold", r->threshold, "alpha", r->alpha, "test",
      r->paired ? "paired rounds, wilcoxon signed-rank interval" : "mann-whitney-u two-sided, noise floor",
      "strict", r->strict, "judged", (json_int_t)(r->n - c[CFB_GATE_FEW]), "regressions",
      (json_int_t)c[CFB_GATE_SLOWER], "improvements", (json_int_t)c[CFB_GATE_FASTER], "unchanged",
      (json_int_t)c[CFB_GATE_UNCHANGED], "too_few", (json_int_t)c[CFB_GATE_FEW], "only_in_base",
      (json_int_t)r->only_base, "only_in_new", (json_int_t)r->only_new, "exit", (json_int_t)cfb_gate_exit(r),
      "warnings", warn, "configurations", configs) : NULL;
  if (!root) {
    json_decref(configs);
    json_decref(warn);
  }
  /* ab: the Holm family's size (configurations x metrics judged) */
  if (root && r->paired && json_object_set_new(root, "family", json_integer((json_int_t)r->family)) != 0) {
    json_decref(root);
    root = NULL;
  }
  char *text = root ? cfb_json_dumps(root) : NULL;
  json_decref(root);
  if (!text) return -1;
  cfb_sb_append(out, text);
  cfb_sb_append(out, "\n");
  free(text);
  return 0;
}
