/* history_output.c -- the change report of `history detect` and `history
 * check` (history_cli.h) in text, Markdown or JSON.  detect lists every
 * change point; check only those among each configuration's newest
 * --last points, and fails on a slowdown beyond --threshold. */
#include <math.h>
#include <stdio.h>

#include "format.h"
#include "history_cli.h"

/* Is change c of a series of n points a regression `check` fails on? */
static int is_regression(const cfb_hist_change *c, size_t n, const cfb_hist_cli *o) {
  return c->index + o->last >= n && c->change < -o->threshold;
}

static int shown(const cfb_hist_report *r, const cfb_hist_change *c, size_t n) {
  return !r->check || c->index + r->o->last >= n;
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

/* One line when it fits 79 columns; else the configuration and machine
 * wrapped at blanks and commas, and the change on a line of its own (a
 * long configuration is ~80 columns alone: the terminal wrapped it
 * anywhere). */
static void one_text(FILE *f, const cfb_hist_series *s, const cfb_hist_change *c, int regr) {
  char head[1024], tail[256], line[1300];
  snprintf(head, sizeof head, "%s%s [%s]:", regr ? "REGRESSION: " : "change: ", s->config, s->machine);
  snprintf(tail, sizeof tail, "at %s (run %zu of %zu): %.4g -> %.4g (%+.1f%%), p = %.3g", c->revision,
           c->index + 1, s->n, c->before, c->after, 100 * c->change, c->p);
  if (cfb_fmt_cols(head) + 1 + cfb_fmt_cols(tail) <= 79) {
    fprintf(f, "%s %s\n", head, tail);
    return;
  }
  cfb_fmt_print_wrapped(f, head, 80, 4);
  snprintf(line, sizeof line, "    %s", tail);
  cfb_fmt_print_wrapped(f, line, 80, 4);
}

static void one_md(FILE *f, const cfb_hist_series *s, const cfb_hist_change *c, int regr) {
  fprintf(f, "| %s | %s | `%s` | %zu / %zu | %.4g | %.4g | %+.1f%% | %.3g | %s |\n", s->config,
          s->machine, c->revision, c->index + 1, s->n, c->before, c->after, 100 * c->change, c->p,
          regr ? "**regression**" : c->change < 0 ? "slower" : "faster");
}

static void one_json(FILE *f, const cfb_hist_series *s, const cfb_hist_change *c, int regr,
                     int first) {
  fprintf(f, "%s\n    {\"config\": ", first ? "" : ",");
  json_str(f, s->config);
  fprintf(f, ", \"machine\": ");
  json_str(f, s->machine);
  fprintf(f, ", \"revision\": ");
  json_str(f, c->revision);
  fprintf(f,
          ", \"index\": %zu, \"runs\": %zu, \"before\": %.6g, \"after\": %.6g, \"change\": %.6g,"
          " \"p\": %.6g, \"regression\": %s}",
          c->index, s->n, c->before, c->after, c->change, c->p, regr ? "true" : "false");
}

static void header(FILE *f, const cfb_hist_report *r, size_t nseries) {
  const cfb_hist_cli *o = r->o;
  if (o->format == CFB_FMT_JSON) {
    fprintf(f, "{\"action\": \"%s\", \"metric\": \"%s\", \"series\": %zu, \"alpha\": %g,"
               " \"permutations\": %zu, \"min_size\": %zu, \"threshold\": %g, \"last\": %zu,"
               " \"changes\": [",
            r->check ? "check" : "detect", o->metric, nseries, o->ed.alpha, o->ed.permutations,
            o->ed.min_size, o->threshold, o->last);
  } else if (o->format == CFB_FMT_MD) {
    fprintf(f, "### History %s (%s throughput, E-divisive, alpha %g)\n\n", r->check ? "check" : "change points",
            o->metric, o->ed.alpha);
    fprintf(f, "| configuration | machine | first revision after | run | before | after | change | p | |\n"
               "|---|---|---|---|---:|---:|---:|---:|---|\n");
  }
}

static void footer(FILE *f, const cfb_hist_report *r, size_t nseries, size_t nshown, size_t nregr) {
  const cfb_hist_cli *o = r->o;
  if (o->format == CFB_FMT_JSON) {
    fprintf(f, "%s], \"regressions\": %zu}\n", nshown ? "\n  " : "", nregr);
    return;
  }
  if (o->format == CFB_FMT_MD && !nshown) fprintf(f, "| (none) | | | | | | | | |\n");
  if (o->format == CFB_FMT_MD) fprintf(f, "\n");
  if (r->check)
    fprintf(f, "%s: %zu regression%s beyond %.1f%% among the newest %zu run%s of %zu series\n",
            nregr ? "FAIL" : "ok", nregr, cfb_plural(nregr), 100 * o->threshold, o->last,
            cfb_plural((long long)o->last), nseries);
  else
    fprintf(f, "%zu change point%s in %zu series\n", nshown, cfb_plural(nshown), nseries);
}

int cfb_hist_print_changes(FILE *f, const cfb_hist_set *set, const cfb_hist_report *r) {
  size_t nshown = 0, nregr = 0;
  header(f, r, set->n);
  for (size_t i = 0; i < set->n; i++) {
    const cfb_hist_series *s = &set->s[i];
    for (size_t k = 0; k < s->nch; k++) {
      const cfb_hist_change *c = &s->ch[k];
      if (!shown(r, c, s->n)) continue;
      int regr = r->check && is_regression(c, s->n, r->o);
      if (r->o->format == CFB_FMT_JSON) one_json(f, s, c, regr, nshown == 0);
      else if (r->o->format == CFB_FMT_MD) one_md(f, s, c, regr);
      else one_text(f, s, c, regr);
      nshown++;
      nregr += regr;
    }
  }
  footer(f, r, set->n, nshown, nregr);
  return nregr ? 1 : 0;
}
