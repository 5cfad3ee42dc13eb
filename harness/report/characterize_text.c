/* characterize_text.c -- the words of `cfbench characterize`
 * (characterize.h): the terminal summary (80 columns, read in ten
 * seconds), characterize.md, and cfb_char_report, which makes every
 * output of a directory. */
#include "characterize.h"

#include <math.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "strbuf.h"

static const char *rate(double v, char *buf, size_t len) {
  cfb_fmt_rate(v, buf, len);
  return buf;
}

/* A duration in us for people, 3 significant digits: "842 us", "27.7 ms". */
static const char *dur(double us, char *buf, size_t len) {
  if (!isfinite(us)) snprintf(buf, len, "n/a");
  else if (us >= 1e6) snprintf(buf, len, "%.3g s", us / 1e6);
  else if (us >= 1e3) snprintf(buf, len, "%.3g ms", us / 1e3);
  else snprintf(buf, len, "%.3g us", us);
  return buf;
}

/* "usl (held-out 3.1%): peak 23.5k/s at 9.8 workers" */
static void model_line(const cfb_char_backend *b, char *out, size_t len) {
  if (!b->fitted) {
    snprintf(out, len, "no fit: %.200s", b->fit_error);
    return;
  }
  const cfb_model_fit *f = &b->models.fit[b->models.chosen];
  int k = snprintf(out, len, "%s (held-out %.1f%%): ", cfb_model_name(b->models.chosen), 100 * f->heldout_rel);
  if ((size_t)k >= len) return;
  cfb_char_peak_words(b, out + k, len - (size_t)k);
}

/* The summary's layout: a label column, then text wrapped at the width
 * (at blanks or after a comma, cfb_fmt_break; a word longer than a line,
 * a plugin's path, stays whole rather than cut), continued lines indented
 * under the text, so the kind's reason and the rule's are read whole in
 * 80 columns (tmux's default), 79 of them written: a line that fills the
 * 80th leaves some terminals' cursor on the next line, as every other
 * command's output assumes (cfb_fmt_print_wrapped). */
#define SUMMARY_LABEL 11

static void say(FILE *f, const char *label, const char *text) {
  const size_t room = CFB_CHAR_SUMMARY_COLS - 1 - SUMMARY_LABEL;
  fprintf(f, "%-*.*s", SUMMARY_LABEL, SUMMARY_LABEL - 1, label);
  while (*text == ' ') text++;
  if (!*text) fputc('\n', f);
  while (*text) {
    size_t cut = cfb_fmt_break(text, room);
    fprintf(f, "%.*s\n", (int)cut, text);
    text += cut;
    while (*text == ' ') text++;
    if (*text) fprintf(f, "%*s", SUMMARY_LABEL, "");
  }
}

static void sayf(FILE *f, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sayf(FILE *f, const char *label, const char *fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  say(f, label, text);
}

/* "8 workers 2.3k/s (measured 2.2k)", "... (interpolated)",
 * "... (extrapolation)": the summary's and the .md's words for g. */
static void bigger_words(const cfb_char_bigger *g, char *out, size_t len) {
  char p[32], m[32];
  rate(g->predicted, p, sizeof p);
  if (g->basis == CFB_CHAR_BASIS_MEASURED)
    snprintf(out, len, "%d workers %s/s (measured %s)", g->workers, p, rate(g->measured, m, sizeof m));
  else
    snprintf(out, len, "%d workers %s/s (%s)", g->workers, p, cfb_char_basis_name(g->basis));
}

static void print_recommendation(FILE *f, const cfb_char *c) {
  char r1[32], r2[32];
  if (c->rec < 0) {
    say(f, "recommend", "nothing: no backend was measured");
    return;
  }
  const cfb_char_backend *b = &c->b[c->rec];
  char margin[128];
  cfb_char_margin_words(c, margin, sizeof margin);
  /* the rounds the measured figure is on, when they are not the ones the
   * why line names (a pick confirmed alone: its count decided on the
   * sweep's rounds, its figure on the fresh ones) */
  char on[64] = "";
  if (b->measured_confirmed != b->confirmed)
    snprintf(on, sizeof on, " (%zu %s round%s)", b->measured_rounds, b->measured_confirmed ? "confirmation" : "sweep",
             cfb_plural((long long)b->measured_rounds));
  sayf(f, "recommend", "%s, %d worker%s, chunksize %zu: %s/s measured%s, %s/s predicted%s%s", b->name, b->rec_workers,
       cfb_plural(b->rec_workers), b->chunksize, rate(b->rec_measured, r1, sizeof r1), on,
       rate(b->rec_predicted, r2, sizeof r2), margin[0] ? "; " : "", margin);
  say(f, "why", b->rule_why);
  char big[2][96];
  if (b->fitted) {
    for (int k = 0; k < CFB_CHAR_BIGGER; k++) bigger_words(&c->bigger[k], big[k], sizeof big[k]);
    sayf(f, "2x/4x CPUs", "%s, %s", big[0], big[1]); /* the chosen model's: named on the backend's line */
  }
}

void cfb_char_print(FILE *f, const cfb_char *c, const char *dir, const char *wrote) {
  char line[256];
  if (c->interrupted[0])
    sayf(f, "PARTIAL", "interrupted during the %s: only what was measured before the signal", c->interrupted);
  sayf(f, "workload", "%s%s%s on %d CPUs", c->name, c->shown[0] ? " " : "", c->shown, c->ncpus);
  sayf(f, "kind", "%s: %s", c->kind, c->why);
  char d1[32], d2[32], d3[32];
  sayf(f, "per item", "%s wall (%s waiting for a CPU), %s on CPU, %.0f faults", dur(c->wall_us, d1, sizeof d1),
       dur(c->rq_wait_us, d2, sizeof d2), dur(c->cpu_us, d3, sizeof d3), c->minflt + c->majflt);
  for (size_t i = 0; i < c->nb; i++) {
    const cfb_char_backend *b = &c->b[i];
    model_line(b, line, sizeof line);
    sayf(f, b->name, "%.1f us/task -> chunk %zu; %s", b->us1, b->chunksize, line);
  }
  print_recommendation(f, c);
  if (dir && wrote) sayf(f, "wrote", "%s/ %s", dir, wrote);
}

static void md_models(cfb_sb *m, const cfb_char_backend *b) {
  cfb_sb_printf(m, "\n### %s\n\nNo-op cost %.2f us per task (%.2f per message + %.2f per item) -> chunksize %zu.\n\n",
                b->name, b->us1, b->per_msg_us, b->per_item_us, b->chunksize);
  if (!b->fitted) {
    cfb_sb_printf(m, "No model could be fitted: %s\n", b->fit_error);
    return;
  }
  cfb_sb_printf(m, "Fitted to %s; the held-out error is the leave-one-out error %s.\n\n",
                b->fit_on_medians ? "each worker count's median, weighted by its repetitions' spread"
                                  : "every repetition (too few worker counts for medians)",
                b->fit_on_medians ? "at a worker count the fit did not see" : "of single repetitions");
  cfb_sb_append(m, "| model | parameters (95% CI) | held-out error | chosen |\n|---|---|---|---|\n");
  for (int k = 0; k < CFB_MODEL_COUNT; k++) {
    if (!b->models.ok[k]) {
      cfb_sb_printf(m, "| %s | not fitted: %s | | |\n", cfb_model_name((cfb_model_kind)k),
                    cfb_model_strerror(b->models.code[k]));
      continue;
    }
    const cfb_model_fit *f = &b->models.fit[k];
    cfb_sb_printf(m, "| %s | ", cfb_model_name((cfb_model_kind)k));
    for (size_t i = 0; i < f->npar; i++)
      cfb_sb_printf(m, "%s%s = %.4g [%.4g, %.4g]", i ? ", " : "", cfb_model_param_name((cfb_model_kind)k, i),
                    f->par[i], f->lo[i], f->hi[i]);
    cfb_sb_printf(m, " | %.1f%% | %s |\n", 100 * f->heldout_rel, (int)b->models.chosen == k ? "yes" : "");
  }
  char line[256];
  model_line(b, line, sizeof line);
  cfb_sb_printf(m, "\nChosen: %s.\n", line);
}

static void md_recommend(cfb_sb *m, const cfb_char *c) {
  if (c->rec < 0) {
    cfb_sb_append(m, "\n## Recommendation\n\nNone: no backend was measured.\n");
    return;
  }
  const cfb_char_backend *b = &c->b[c->rec];
  char r1[32], r2[32];
  cfb_sb_printf(m, "\n## Recommendation\n\n**%s, %d worker%s, chunksize %zu**: %s items/s measured (the median of "
                   "its %zu %s round%s), %s predicted",
                b->name, b->rec_workers, cfb_plural(b->rec_workers), b->chunksize, rate(b->rec_measured, r1, sizeof r1),
                b->measured_rounds, b->measured_confirmed ? "confirmation" : "sweep",
                cfb_plural((long long)b->measured_rounds), rate(b->rec_predicted, r2, sizeof r2));
  char margin[128];
  cfb_char_margin_words(c, margin, sizeof margin);
  if (margin[0]) cfb_sb_printf(m, "; %s", margin);
  cfb_sb_printf(m, ".\n\nWhy %d worker%s (rule `%s`): %s.", b->rec_workers, cfb_plural(b->rec_workers), cfb_char_rule_name(b->pick.rule),
                b->rule_why);
  char big[2][96];
  for (int k = 0; k < CFB_CHAR_BIGGER; k++) bigger_words(&c->bigger[k], big[k], sizeof big[k]);
  cfb_sb_printf(m, "\n\nAt 2x and 4x the CPUs, the %s model gives %s and %s (measured: the sweep ran that "
                   "count; interpolated: between measured counts; extrapolation: past them).\n",
                cfb_model_name(b->models.chosen), big[0], big[1]);
}

/* characterize.md: 0, or 1 with one line in err. */
static int char_write_md(const char *dir, const cfb_char *c, int have_plot, char *err, size_t errlen) {
  cfb_sb m = {0};
  cfb_sb_printf(&m, "# Characterization of %s\n\n`%s` %s, %d CPUs (%s).\n\n", c->name, c->workload, c->shown,
                c->ncpus, c->cpu_model);
  if (c->interrupted[0])
    cfb_sb_printf(&m, "**Partial: the run was interrupted during the %s.** Everything below rests only on what "
                      "was measured before the signal (fewer rounds, perhaps no confirmation rounds or no "
                      "points at all on a backend); not a full analysis.\n\n",
                  c->interrupted);
  cfb_sb_printf(&m, "## What kind of workload this is, and why\n\n**%s** (declared: %s): %s.\n\n", c->kind,
                c->declared, c->why);
  cfb_sb_printf(&m, "| per item (one worker, %zu items) | value |\n|---|---|\n| wall | %.4g us |\n"
                    "| waiting for a CPU (other load) | %.4g us |\n| on CPU | %.4g us (%.1f%% of the rest) |\n| voluntary / involuntary switches | %.2f / %.2f |\n"
                    "| page faults (minor / major) | %.1f / %.1f |\n| RSS growth over the profile | %.0f KiB |\n",
                c->items, c->wall_us, c->rq_wait_us, c->cpu_us, 100 * c->cpu_fraction, c->vcsw, c->ivcsw, c->minflt, c->majflt,
                c->rss_growth_bytes / 1024);
  cfb_sb_append(&m, "\n## Scaling per backend\n");
  for (size_t i = 0; i < c->nb; i++) md_models(&m, &c->b[i]);
  md_recommend(&m, c);
  if (have_plot) cfb_sb_append(&m, "\n![throughput against workers](plots/characterize.svg)\n");
  char path[4200];
  snprintf(path, sizeof path, "%s/characterize.md", dir);
  int rc = cfb_sb_write_file(&m, path);
  cfb_sb_free(&m);
  if (rc) snprintf(err, errlen, "cannot write %.400s: %s", path, strerror(errno));
  return rc ? 1 : 0;
}

int cfb_char_report(const char *dir, FILE *out) {
  cfb_char *cp = malloc(sizeof *cp); /* tens of kB: the points and model sets */
  if (!cp) return fprintf(stderr, "cfbench characterize: out of memory\n"), 1;
  char err[512];
  int rc = cfb_char_analyze(dir, cp, err, sizeof err);
  if (rc) {
    fprintf(stderr, "cfbench characterize: %s\n", err);
    free(cp);
    return rc;
  }
  int json = cfb_char_write_json(dir, cp, err, sizeof err) == 0;
  if (!json) fprintf(stderr, "cfbench characterize: %s\n", err);
  int plot = cfb_char_plot(dir, cp, err, sizeof err) == 0;
  if (!plot) fprintf(stderr, "cfbench characterize: %s\n", err);
  int md = char_write_md(dir, cp, plot, err, sizeof err) == 0;
  if (!md) fprintf(stderr, "cfbench characterize: %s\n", err);
  /* the summary says what is there, never an output that failed (a full disk) */
  static const char *const wrote[8] = {"nothing (see above)", "characterize.json", "characterize.md",
                                       "characterize.{json,md}", "plots/", "characterize.json plots/",
                                       "characterize.md plots/", "characterize.{json,md} plots/"};
  if (out) cfb_char_print(out, cp, dir, wrote[json | md << 1 | plot << 2]);
  free(cp);
  return json && md && plot ? 0 : 1;
}
