/* report_char.c -- the report's "what kind of workload this is, and why"
 * section (report_char.h), from the characterize directories that
 * `cfbench bench` leaves in DIR/characterize/.  Every figure comes from
 * cfb_char_analyze (characterize.h), as `cfbench characterize --from`
 * would give it; this file only formats. */
#include "report_char.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "characterize.h"
#include "charrule.h"
#include "format.h"
#include "markup.h"

#define MAX_CHARS 64

typedef struct out {
  cfb_sb *md, *html;
} out;

static void text(out *o, const char *s) {
  cfb_md_esc(o->md, s);
  cfb_html_esc(o->html, s);
}

static void heading(out *o, int level, const char *s) { cfb_markup_heading(o->md, o->html, level, s); }

static void para(out *o, const char *s) {
  cfb_sb_append(o->html, "<p>");
  text(o, s);
  cfb_sb_append(o->md, "\n\n");
  cfb_sb_append(o->html, "</p>\n");
}

static void row(out *o, const char *const *cells, size_t n, int header) {
  cfb_sb_append(o->md, "|");
  cfb_sb_append(o->html, "<tr>");
  for (size_t i = 0; i < n; i++) {
    cfb_sb_append(o->md, " ");
    cfb_sb_append(o->html, header ? "<th>" : "<td>");
    text(o, cells[i]);
    cfb_sb_append(o->md, " |");
    cfb_sb_append(o->html, header ? "</th>" : "</td>");
  }
  cfb_sb_append(o->md, "\n");
  cfb_sb_append(o->html, "</tr>\n");
  if (!header) return;
  cfb_sb_append(o->md, "|");
  for (size_t i = 0; i < n; i++) cfb_sb_append(o->md, "---|");
  cfb_sb_append(o->md, "\n");
}

/* The characterization's plot: linked in Markdown, inlined in HTML. */
static void image(out *o, const char *dir, const char *name, const char *alt) {
  char rel[1024];
  snprintf(rel, sizeof rel, CFB_CHAR_BENCH_SUBDIR "/%s/plots/characterize", name);
  cfb_markup_figure(o->md, o->html, dir, rel, alt, 0);
}

static const cfb_model_fit *chosen(const cfb_char_backend *b) {
  return b->fitted ? &b->models.fit[b->models.chosen] : NULL;
}

/* "usl, held-out 4.2%, peak 5.1k/s at 6.1 workers" or "no fit: ..." */
static void fit_words(const cfb_char_backend *b, char *buf, size_t len) {
  const cfb_model_fit *f = chosen(b);
  if (!f) {
    snprintf(buf, len, "%s: no fit (%.120s)", b->name, b->fit_error);
    return;
  }
  char peak[96];
  cfb_char_peak_words(b, peak, sizeof peak);
  snprintf(buf, len, "%s: %s, held-out error %.1f%%, %s", b->name, cfb_model_name(b->models.chosen),
           100 * f->heldout_rel, peak);
}

static void table_row(out *o, const cfb_char *c) {
  char frac[32], cost[96], rec[96], x[96], r1[32], r2[32];
  snprintf(frac, sizeof frac, "%.0f%%", 100 * c->cpu_fraction);
  snprintf(cost, sizeof cost, "%.1f / %.1f us", c->nb > 0 ? c->b[0].us1 : NAN, c->nb > 1 ? c->b[1].us1 : NAN);
  const cfb_char_backend *b = c->rec >= 0 ? &c->b[c->rec] : NULL;
  if (b) {
    snprintf(rec, sizeof rec, "%s, %d worker%s, chunksize %zu", b->name, b->rec_workers, cfb_plural(b->rec_workers),
             b->chunksize);
    cfb_fmt_rate(b->rec_measured, r1, sizeof r1);
    cfb_fmt_rate(b->rec_predicted, r2, sizeof r2);
    snprintf(x, sizeof x, "%s/s (%s/s)", r1, r2);
  } else {
    snprintf(rec, sizeof rec, "none (nothing measured)");
    snprintf(x, sizeof x, "n/a");
  }
  const char *cells[] = {c->name, c->kind, frac, cost, rec, x};
  row(o, cells, 6, 0);
}

/* The subsection of one workload: the kind and why, the per-item profile,
 * each backend's cost, fit and recommendation, the plot. */
static void detail(out *o, const char *dir, const char *name, const cfb_char *c) {
  char buf[1600], w[512];
  snprintf(buf, sizeof buf, "%s%s%s", c->name, c->shown[0] ? " " : "", c->shown);
  heading(o, 3, buf);
  snprintf(buf, sizeof buf,
           "Kind: %s, because it was %s (declared: %s). Per item on one worker: %.4g us wall, %.4g us on a "
           "CPU (on-CPU fraction %.0f%%), %.1f page faults.",
           c->kind, c->why, c->declared, c->wall_us, c->cpu_us, 100 * c->cpu_fraction, c->minflt + c->majflt);
  para(o, buf);
  for (size_t i = 0; i < c->nb; i++) {
    const cfb_char_backend *b = &c->b[i];
    fit_words(b, w, sizeof w);
    snprintf(buf, sizeof buf, "%s; the executor's own cost %.2f us per task, hence chunksize %zu; best measured "
             "%.4g items/s at %d worker%s.", w, b->us1, b->chunksize, b->best_measured, b->best_workers,
             cfb_plural(b->best_workers));
    para(o, buf);
  }
  if (c->rec >= 0) {
    const cfb_char_backend *b = &c->b[c->rec];
    int k = snprintf(buf, sizeof buf, "Recommended: %s, %d worker%s, chunksize %zu: %.4g items/s measured (the median "
                     "of %zu %s round%s), %.4g predicted", b->name, b->rec_workers, cfb_plural(b->rec_workers), b->chunksize,
                     b->rec_measured, b->measured_rounds, b->measured_confirmed ? "confirmation" : "sweep",
                     cfb_plural((long long)b->measured_rounds), b->rec_predicted);
    char margin[128];
    cfb_char_margin_words(c, margin, sizeof margin);
    if (k > 0 && (size_t)k < sizeof buf)
      snprintf(buf + k, sizeof buf - (size_t)k, "%s%s.", margin[0] ? "; " : "", margin);
    para(o, buf);
    snprintf(buf, sizeof buf, "Why %d worker%s (%s): %s.", b->rec_workers, cfb_plural(b->rec_workers), cfb_char_rule_name(b->pick.rule),
             b->rule_why);
    para(o, buf);
  }
  snprintf(buf, sizeof buf, "%s: throughput against workers, measured (95%% CI) and each backend's chosen fit",
           c->name);
  image(o, dir, name, buf);
}

/* As the report draws its own plots when DIR/plots has none: a copied
 * directory with only measure.json still gets its figure. */
static void plot_if_missing(const char *sub, const cfb_char *c) {
  char path[4400], err[512];
  struct stat st;
  snprintf(path, sizeof path, "%s/plots/characterize.png", sub);
  if (stat(path, &st) == 0) return;
  if (cfb_char_plot(sub, c, err, sizeof err) != 0) fprintf(stderr, "cfbench report: %s\n", err);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The names of DIR/characterize/NAME/ that hold a measure.json, sorted. */
static size_t find_chars(const char *dir, char **names, size_t cap) {
  char base[4200], path[8600];
  snprintf(base, sizeof base, "%s/" CFB_CHAR_BENCH_SUBDIR, dir);
  DIR *d = opendir(base);
  size_t n = 0;
  struct dirent *e;
  struct stat st;
  while (d && n < cap && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s/" CFB_CHAR_MEASURE_FILE, base, e->d_name);
    if (stat(path, &st) == 0 && (names[n] = strdup(e->d_name)) != NULL) n++;
  }
  if (d) closedir(d);
  qsort(names, n, sizeof *names, by_name);
  return n;
}

int cfb_report_characterizations(const char *dir, cfb_sb *md, cfb_sb *html) {
  char *names[MAX_CHARS];
  size_t n = find_chars(dir, names, MAX_CHARS);
  if (!n) return 0;
  out o = {md, html};
  cfb_char *cs = calloc(n, sizeof *cs); /* tens of kB each */
  int *ok = calloc(n, sizeof *ok), good = 0;
  heading(&o, 2, "What kind of workload each is, and why");
  para(&o, "cfbench characterize on each built-in workload with its default parameters (in "
           CFB_CHAR_BENCH_SUBDIR "/NAME/; re-analyse one with cfbench characterize --from): the kind decided "
           "from what its items did on one worker, the executor's own cost per task on each backend (thread / "
           "process) and the chunksize it calls for, and the backend and workers the fitted scaling models "
           "recommend, measured throughput beside predicted.");
  if (!cs || !ok) {
    para(&o, "Not reported: out of memory.");
  } else {
    static const char *const head[] = {"workload", "kind", "on-CPU", "cost per task (thread / process)",
                                       "recommended", "measured (predicted)"};
    char sub[4300], err[512];
    cfb_sb_append(html, "<table>\n<thead>\n");
    row(&o, head, 6, 1);
    cfb_sb_append(html, "</thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
      snprintf(sub, sizeof sub, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s", dir, names[i]);
      ok[i] = cfb_char_analyze(sub, &cs[i], err, sizeof err) == 0;
      if (ok[i]) plot_if_missing(sub, &cs[i]);
      if (ok[i]) table_row(&o, &cs[i]), good++;
      else snprintf(cs[i].why, sizeof cs[i].why, "%.250s", err);
    }
    cfb_sb_append(html, "</tbody>\n</table>\n");
    cfb_sb_append(md, "\n");
    for (size_t i = 0; i < n; i++) {
      if (ok[i]) {
        detail(&o, dir, names[i], &cs[i]);
      } else {
        heading(&o, 3, names[i]);
        snprintf(sub, sizeof sub, "Not analysed: %s", cs[i].why);
        para(&o, sub);
      }
    }
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(cs);
  free(ok);
  return good;
}
