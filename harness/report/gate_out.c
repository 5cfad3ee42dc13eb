/* gate_out.c -- the gate's metric, table, JSON and exit code (see gate_out.h). */
#include "gate_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "schema.h"

int cfb_gate_metric_parse(const char *val, int *cpu, char *err, size_t errlen) {
  if (!strcmp(val, "wall")) *cpu = 0;
  else if (!strcmp(val, "cpu")) *cpu = 1;
  else {
    snprintf(err, errlen, "--metric: '%s'; allowed: wall, cpu", val);
    return -1;
  }
  return 0;
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

static const char *unit(const cfb_gate_report *r) { return r->cpu ? "items/CPU-s" : "items/s"; }

/* A verdict's name as this report's reader counts: compare's samples are
 * repetitions (docs/compare.md says "too few samples"), ab's are rounds. */
static const char *verdict_name(const cfb_gate_report *r, cfb_gate_verdict v) {
  return v == CFB_GATE_FEW && !r->paired ? "too few samples" : cfb_gate_verdict_name(v);
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
    size_t lead = t == text ? 0 : indent, cut = cfb_fmt_break(t, 79 - lead);
    cfb_sb_printf(out, "%*s%.*s\n", (int)lead, "", (int)cut, t);
    t += cut;
    while (*t == ' ') t++;
  }
}

static void heading(const cfb_gate_report *r, int md, cfb_sb *out) {
  /* ab's intervals are at each configuration's own level (the plan's,
   * divided by its Holm divisor), not a flat 95% */
  const char *how = r->paired ? "paired rounds, Wilcoxon signed-rank interval of NEW/BASE at each\n"
                                "configuration's Holm-corrected level"
                              : "Mann-Whitney U two-sided";
  if (md)
    cfb_sb_printf(out, "Comparison of `%s` (base) and `%s` (new), %s: %s, alpha %g; a change counts beyond "
                       "%g%% (or the noise floor where a run was noisier).\n\n",
                  r->base, r->nw, unit(r), how, r->alpha, r->threshold * 100);
  else
  {
    cfb_sb first = {0};
    cfb_sb_printf(&first, "cfbench %s: %s -> %s", r->cmd, r->base, r->nw);
    sb_wrapped(out, cfb_sb_failed(&first) ? "" : cfb_sb_str(&first), 2);
    cfb_sb_free(&first);
    cfb_sb_printf(out, "(%s; %s,\nalpha %g, threshold %g%%)\n", unit(r), how, r->alpha, r->threshold * 100);
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

/* One judged row's cells, as run prints rates (616k). */
typedef struct gate_cells {
  char nn[48], e[48], thr[16], bm[32], nm[32], ratio[16];
} gate_cells;

static void cells_of(const cfb_gate_report *r, const cfb_judged *j, gate_cells *c) {
  cfb_fmt_rate(j->base_median, c->bm, sizeof c->bm);
  cfb_fmt_rate(j->new_median, c->nm, sizeof c->nm);
  snprintf(c->nn, sizeof c->nn, "%zu/%zu", j->g.n_base, j->g.n_new);
  evidence(r, &j->g, c->e, sizeof c->e);
  snprintf(c->thr, sizeof c->thr, "%.1f%%", 100 * j->g.threshold);
  snprintf(c->ratio, sizeof c->ratio, "%.3f", j->g.ratio);
}

static void md_rows(const cfb_gate_report *r, cfb_sb *out) {
  cfb_sb_printf(out, "| configuration | n base/new | base (%s) | new (%s) | ratio | %s | threshold | verdict |\n"
                     "|---|---|---|---|---|---|---|---|\n", unit(r), unit(r), r->paired ? "CI" : "p");
  for (size_t i = 0; i < r->n; i++) {
    const cfb_judged *j = &r->rows[i];
    gate_cells c;
    cells_of(r, j, &c);
    const char *v = verdict_name(r, j->g.verdict), *em = j->g.verdict == CFB_GATE_SLOWER ? "**" : "";
    cfb_sb_printf(out, "| %s | %s | %s | %s | %s | %s | %s | %s%s%s |\n", j->name, c.nn, c.bm, c.nm, c.ratio, c.e,
                  c.thr, em, v, em);
  }
}

/* The terminal's table: the figures' columns sized to their values; the
 * configuration beside them when it all fits 80 columns, else on a line
 * of its own above its figures (names run to 60 characters and more). */

static void text_rows(const cfb_gate_report *r, cfb_sb *out) {
  size_t wname = strlen("configuration"), w[6] = {strlen("n b/n"), 0, 0, strlen("ratio"), 0, strlen("thr")};
  const char *bh = r->cpu ? "base it/CPU-s" : "base items/s", *nh = r->cpu ? "new it/CPU-s" : "new items/s";
  const char *ev = r->paired ? "CI" : "p";
  w[1] = strlen(bh), w[2] = strlen(nh), w[4] = strlen(ev);
  for (size_t i = 0; i < r->n; i++) {
    gate_cells c;
    cells_of(r, &r->rows[i], &c);
    const char *cell[6] = {c.nn, c.bm, c.nm, c.ratio, c.e, c.thr};
    for (size_t k = 0; k < 6; k++)
      if (strlen(cell[k]) > w[k]) w[k] = strlen(cell[k]);
    if (strlen(r->rows[i].name) > wname) wname = strlen(r->rows[i].name);
  }
  size_t wv = strlen("verdict");
  for (size_t i = 0; i < r->n; i++) {
    size_t l = strlen(verdict_name(r, r->rows[i].g.verdict));
    if (l > wv) wv = l;
  }
  /* two blanks between the figures, one where two would pass 79 columns
   * (ab's CPU-second headers and CIs with "too few rounds") */
  size_t figures = wv, gap = 2;
  for (size_t k = 0; k < 6; k++) figures += w[k] + 2;
  if (2 + figures > 79) gap = 1, figures -= 6;
  int inline_name = wname + 2 + figures <= 79;
  const char *head[6] = {"n b/n", bh, nh, "ratio", ev, "thr"};
  if (inline_name) cfb_sb_printf(out, "%-*s  ", (int)wname, "configuration");
  else cfb_sb_append(out, "configuration\n  ");
  for (size_t k = 0; k < 6; k++) cfb_sb_printf(out, "%*s%*s", (int)w[k], head[k], (int)gap, "");
  cfb_sb_append(out, "verdict\n");
  for (size_t i = 0; i < r->n; i++) {
    const cfb_judged *j = &r->rows[i];
    gate_cells c;
    cells_of(r, j, &c);
    const char *cell[6] = {c.nn, c.bm, c.nm, c.ratio, c.e, c.thr};
    if (inline_name) cfb_sb_printf(out, "%-*s  ", (int)wname, j->name);
    else {
      sb_wrapped(out, j->name, 4); /* the name on lines of its own, the figures indented under it */
      cfb_sb_append(out, "  ");
    }
    for (size_t k = 0; k < 6; k++) cfb_sb_printf(out, "%*s%*s", (int)w[k], cell[k], (int)gap, "");
    cfb_sb_printf(out, "%s\n", verdict_name(r, j->g.verdict));
  }
}

void cfb_gate_emit_table(const cfb_gate_report *r, int md, cfb_sb *out) {
  size_t c[4];
  gate_counts(r, c);
  heading(r, md, out);
  if (md) md_rows(r, out);
  else text_rows(r, out);
  cfb_sb_printf(out, "%s%zu of %zu configuration%s judged: %zu slower, %zu faster, %zu unchanged;\n%zu with %s",
                md ? "\n" : "", r->n - c[CFB_GATE_FEW], r->n + r->only_base + r->only_new,
                cfb_plural((long long)(r->n + r->only_base + r->only_new)), c[CFB_GATE_SLOWER],
                c[CFB_GATE_FASTER], c[CFB_GATE_UNCHANGED], c[CFB_GATE_FEW], verdict_name(r, CFB_GATE_FEW));
  if (r->only_base || r->only_new)
    cfb_sb_printf(out, ", %zu only in base, %zu only in new (not compared)", r->only_base, r->only_new);
  cfb_sb_printf(out, "%s.\n", r->strict && (c[CFB_GATE_FEW] || r->only_base || r->only_new)
                                  ? " -- a failure with --strict" : "");
  size_t widened = 0;
  for (size_t i = 0; i < r->n; i++) widened += r->rows[i].g.threshold > r->threshold + 1e-12;
  if (widened)
    cfb_sb_printf(out, "%zu configuration%s: the runs' own round-to-round spread widened the\nthreshold (column "
                       "thr): a smaller change there cannot be told from noise.\n", widened,
                  cfb_plural((long long)widened));
  for (size_t i = 0; i < r->n; i++) {
    const cfb_judged *j = &r->rows[i];
    if (j->g.verdict != CFB_GATE_SLOWER) continue;
    char bm[32], nm[32];
    cfb_fmt_rate(j->base_median, bm, sizeof bm);
    cfb_fmt_rate(j->new_median, nm, sizeof nm);
    cfb_sb_printf(out, "%sREGRESSION: %s: %.1f%% slower (median %s -> %s %s)\n", md ? "- " : "", j->name,
                  (1 - j->g.ratio) * 100, bm, nm, unit(r));
  }
}

static json_t *json_row(const cfb_gate_report *r, const cfb_judged *j) {
  return json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:s}", "configuration",
                   cfb_json_str(j->name), "n_base", (json_int_t)j->g.n_base, "n_new", (json_int_t)j->g.n_new,
                   "base_median", cfb_json_num(j->base_median), "new_median", cfb_json_num(j->new_median),
                   "ratio", cfb_json_num(j->g.ratio), "ci_lo", cfb_json_num(j->g.ci_lo), "ci_hi",
                   cfb_json_num(j->g.ci_hi), "p", cfb_json_num(r->paired ? NAN : j->g.p), "noise_floor",
                   cfb_json_num(j->g.floor), "threshold", cfb_json_num(j->g.threshold), "resolved",
                   j->g.resolved, "verdict", verdict_name(r, j->g.verdict));
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
      r->cmd, "base", cfb_json_str(r->base), "new", cfb_json_str(r->nw), "metric", r->cpu ? "cpu" : "wall",
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
  char *text = root ? cfb_json_dumps(root) : NULL;
  json_decref(root);
  if (!text) return -1;
  cfb_sb_append(out, text);
  cfb_sb_append(out, "\n");
  free(text);
  return 0;
}
