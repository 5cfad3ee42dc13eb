/* report.c -- `cfbench report DIR`: DIR/report.md and a self-contained
 * DIR/report.html (images inlined as base64 data URIs) with the machine
 * context and counter layer, a who-wins table per workload and parameter
 * set and the crossover points (both from the paired verdicts), cfutures
 * against CPython (when the run has py-thread / py-process rows), the
 * history of this run's configurations over commits (--history-db,
 * report_history.c), the characterizations (report_char.c), and the plots
 * of `cfbench plot` (made first if DIR/plots has none).  Every figure comes
 * from analysis.c; this file only formats, once per output through the
 * small writer below. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis.h"
#include "analysis_py.h"
#include "characterize.h"
#include "cmd_report.h"
#include "format.h"
#include "markup.h"
#include "options.h"
#include "plot.h"
#include "history_cli.h"
#include "report_history.h"
#include "report_char.h"
#include "strbuf.h"

/* Writes Markdown and HTML side by side. */
typedef struct rep {
  cfb_sb md, html;
  const char *dir;
  int images; /* embed/link images (plots exist) */
} rep;

/* "workload (params)" for headings and sentences, the parameters without
 * their empty values (socket's "target=" says nothing a reader needs). */
static void group_label(const cfb_group *g, char *out, size_t len) {
  char shown[512];
  cfb_char_shown_params(g->params, shown, sizeof shown);
  if (*shown) snprintf(out, len, "%s (%s)", g->workload, shown);
  else snprintf(out, len, "%s", g->workload);
}

static void heading(rep *r, int level, const char *text) {
  cfb_markup_heading(&r->md, &r->html, level, text);
}

static void para(rep *r, const char *text) {
  cfb_md_esc(&r->md, text);
  cfb_sb_append(&r->md, "\n\n");
  cfb_sb_append(&r->html, "<p>");
  cfb_html_esc(&r->html, text);
  cfb_sb_append(&r->html, "</p>\n");
}

static void list_begin(rep *r) { cfb_sb_append(&r->html, "<ul>\n"); }
static void list_item(rep *r, const char *text) {
  cfb_sb_append(&r->md, "- ");
  cfb_md_esc(&r->md, text);
  cfb_sb_append(&r->md, "\n");
  cfb_sb_append(&r->html, "<li>");
  cfb_html_esc(&r->html, text);
  cfb_sb_append(&r->html, "</li>\n");
}
static void list_end(rep *r) {
  cfb_sb_append(&r->md, "\n");
  cfb_sb_append(&r->html, "</ul>\n");
}

/* HTML tables need their <table> (and <thead>/<tbody>) around the rows;
 * Markdown needs nothing but a blank line after the last row. */
static void table_begin(rep *r) { cfb_sb_append(&r->html, "<table>\n<thead>\n"); }

static void table_end(rep *r) {
  cfb_sb_append(&r->html, "</tbody>\n</table>\n");
  cfb_sb_append(&r->md, "\n");
}

static void table_row(rep *r, const char *const *cells, size_t n, int header) {
  cfb_sb_append(&r->md, "|");
  cfb_sb_append(&r->html, "<tr>");
  for (size_t i = 0; i < n; i++) {
    cfb_sb_append(&r->md, " ");
    cfb_md_esc(&r->md, cells[i]);
    cfb_sb_append(&r->md, " |");
    cfb_sb_append(&r->html, header ? "<th>" : "<td>");
    cfb_html_esc(&r->html, cells[i]);
    cfb_sb_append(&r->html, header ? "</th>" : "</td>");
  }
  cfb_sb_append(&r->md, "\n");
  cfb_sb_append(&r->html, "</tr>\n");
  if (header) cfb_sb_append(&r->html, "</thead>\n<tbody>\n");
  if (header) {
    cfb_sb_append(&r->md, "|");
    for (size_t i = 0; i < n; i++) cfb_sb_append(&r->md, "---|");
    cfb_sb_append(&r->md, "\n");
  }
}

/* An image plots/NAME.png if it exists: linked in Markdown, inlined in HTML. */
static void image(rep *r, const char *name, const char *alt) {
  if (!r->images) return;
  char rel[4200];
  snprintf(rel, sizeof rel, "plots/%s", name);
  cfb_markup_figure(&r->md, &r->html, r->dir, rel, alt, 1);
}

static void fmt_ci(char *out, size_t len, double med, double lo, double hi) {
  char a[CFB_RATE_LEN], b[CFB_RATE_LEN], c[CFB_RATE_LEN]; /* three fit the callers' 96 bytes */
  cfb_fmt_rate(med, a, sizeof a);
  if (isfinite(lo) && isfinite(hi)) {
    cfb_fmt_rate(lo, b, sizeof b);
    cfb_fmt_rate(hi, c, sizeof c);
    snprintf(out, len, "%s [%s, %s]", a, b, c);
  } else {
    snprintf(out, len, "%s", a);
  }
}

static void fmt_config(char *out, size_t len, const cfb_sumrow *s, int show_pin) {
  snprintf(out, len, "%s, %d worker%s, chunksize %d%s%s", s->backend, s->workers,
           cfb_plural(s->workers), s->chunksize, show_pin ? ", pin " : "", show_pin ? s->pin : "");
}

/* "5", "3-5" (sweeps that differ), "?" (unknown). */
static void num_range(char *b, size_t len, double lo, double hi) {
  if (isnan(lo) || isnan(hi)) snprintf(b, len, "?");
  else if (lo == hi) snprintf(b, len, "%.0f", lo);
  else snprintf(b, len, "%.0f-%.0f", lo, hi);
}

static void machine_section(rep *r, const cfb_machine *m) {
  char line[600];
  heading(r, 2, "Machine and run");
  if (!m->have_meta) {
    para(r, "No meta.json in this directory: the machine is unknown.");
    return;
  }
  list_begin(r);
  cfb_machine_line(m, line, sizeof line);
  char buf[1024];
  snprintf(buf, sizeof buf, "CPU: %s", line);
  list_item(r, buf);
  if (m->topology[0]) {
    snprintf(buf, sizeof buf, "Topology (hwloc): %s", m->topology);
    list_item(r, buf);
  }
  snprintf(buf, sizeof buf, "Kernel: %s; governor: %s%s", m->kernel[0] ? m->kernel : "unknown",
           m->governor[0] ? m->governor : "unknown",
           m->virtualized == 1 ? "; virtualized" : "");
  list_item(r, buf);
  snprintf(buf, sizeof buf, "Counter layer: %s%s%s%s", m->counter_layer[0] ? m->counter_layer : "unknown",
           m->counter_reason[0] ? " (" : "", m->counter_reason, m->counter_reason[0] ? ")" : "");
  list_item(r, buf);
  snprintf(buf, sizeof buf, "Build: %s %s (%s); cfbench revision %s", m->compiler, m->flags,
           m->build_type[0] ? m->build_type : "?", m->git_revision[0] ? m->git_revision : "?");
  list_item(r, buf);
  /* A suite's sweeps may differ: the range, not the first sweep's figure. */
  char nrep[48], warm[48];
  num_range(nrep, sizeof nrep, m->repeat_min, m->repeat_max);
  num_range(warm, sizeof warm, m->warmup_min, m->warmup_max);
  snprintf(buf, sizeof buf, "Run: suite %s, %s to %s; %s repetitions per configuration after %s warm-up%s",
           m->suite[0] ? m->suite : "?", m->started[0] ? m->started : "?",
           m->finished[0] ? m->finished : "?", nrep, warm, cfb_plural(m->warmup_max));
  list_item(r, buf);
  list_end(r);
}

/* The paired ratio of w as winner / other ("1.06× [1.05, 1.07]"). */
static void fmt_pair(char *out, size_t len, const cfb_an_pair *p, int invert) {
  double r = invert ? 1 / p->ratio : p->ratio, lo = invert ? 1 / p->ci_hi : p->ci_lo,
         hi = invert ? 1 / p->ci_lo : p->ci_hi;
  if (isfinite(lo) && isfinite(hi)) snprintf(out, len, "%.2f× [%.2f, %.2f]", r, lo, hi);
  else if (isfinite(r)) snprintf(out, len, "%.2f×", r);
  else snprintf(out, len, "-");
}

/* What the verdict says and where it came from. */
static void fmt_verdict(char *out, size_t len, const cfb_winner *w) {
  const cfb_an_pair *p = &w->pair;
  const char *src = p->from_file ? "verdicts.csv" : "paired from runs.csv";
  if (!p->rounds) {
    snprintf(out, len, "undecided: no rounds to pair (no runs.csv)");
    return;
  }
  switch (p->verdict) {
  case CFB_PAIRED_A:
  case CFB_PAIRED_B:
    snprintf(out, len, "%s faster, %zu round%s (%s)", w->word, p->rounds, cfb_plural(p->rounds), src);
    break;
  case CFB_PAIRED_EQUIVALENT:
    snprintf(out, len, "equivalent: CI within ±%.0f%%, %zu round%s (%s)", 100 * CFB_PAIRED_MARGIN, p->rounds,
             cfb_plural(p->rounds), src);
    break;
  default:
    if (p->rounds_needed) { /* the CI shown is the rounds' range: more rounds, not less noise */
      char why[96];
      cfb_fmt_unreachable(why, sizeof why, p->rounds, p->level, p->rounds_needed);
      snprintf(out, len, "undecided: %s (%s)", why, src);
    } else
      snprintf(out, len, "undecided: CI too wide, %zu round%s (%s)", p->rounds, cfb_plural(p->rounds), src);
  }
}

static void winners_section(rep *r, const cfb_analysis *an) {
  heading(r, 2, "Who wins");
  char intro[900];
  snprintf(intro, sizeof intro,
           "Best configuration of each backend for each workload and parameter set (median "
           "throughput with its 95%% bootstrap CI, items/s). The verdict pairs the two by round: "
           "the ratio of the winner to the other in each round both ran, its Hodges-Lehmann "
           "estimate and Wilcoxon signed-rank CI (overall 95%%), so drift that hit both cancels. "
           "thread / process: that backend is faster; equivalent: the CI lies within ±%.0f%%; "
           "undecided: the CI is too wide to say, or too few rounds to reach the level at all "
           "(the interval shown is then the range of the rounds' ratios): run more rounds.",
           100 * CFB_PAIRED_MARGIN);
  para(r, intro);
  static const char *const hdr[] = {"workload", "parameters", "winner", "best configuration",
                                    "items/s [95% CI]", "best of the other backend",
                                    "items/s [95% CI]", "ratio, paired [CI]", "verdict"};
  table_begin(r);
  table_row(r, hdr, 9, 1);
  for (size_t i = 0; i < an->ng; i++) {
    const cfb_group *g = &an->g[i];
    const cfb_winner *w = &an->win[i];
    char c1[128], t1[112], c2[128] = "", t2[112] = "", ratio[96] = "", verdict[160];
    char shown[1024];
    cfb_char_shown_params(g->params, shown, sizeof shown);
    const char *cells[9] = {g->workload, *shown ? shown : "-"};
    if (!w->thread && !w->process) {
      cells[2] = "-";
      cells[3] = "no successful configuration";
      for (int k = 4; k < 9; k++) cells[k] = "";
      table_row(r, cells, 9, 0);
      continue;
    }
    /* The winner's side first; equivalent or undecided: the side the paired
     * ratio favours (the medians only without rounds), so the ratio shown
     * is >= 1 and never contradicts the order. */
    double tp = w->pair.ratio > 0 ? w->pair.ratio
                : w->thread && w->process ? w->thread->median / w->process->median : 1;
    int proc_first = !w->thread || (w->process && (w->pair.verdict == CFB_PAIRED_B ||
                                                   (w->pair.verdict != CFB_PAIRED_A && tp < 1)));
    const cfb_sumrow *best = proc_first ? w->process : w->thread;
    const cfb_sumrow *other = proc_first ? w->thread : w->process;
    fmt_config(c1, sizeof c1, best, g->npins > 1);
    fmt_ci(t1, sizeof t1, best->median, best->ci_lo, best->ci_hi);
    if (other) {
      fmt_config(c2, sizeof c2, other, g->npins > 1);
      fmt_ci(t2, sizeof t2, other->median, other->ci_lo, other->ci_hi);
      fmt_pair(ratio, sizeof ratio, &w->pair, proc_first);
      fmt_verdict(verdict, sizeof verdict, w);
    } else {
      snprintf(c2, sizeof c2, "(only %s ran)", best->backend);
      snprintf(verdict, sizeof verdict, "no comparison");
    }
    cells[2] = other ? w->word : best->backend;
    cells[3] = c1;
    cells[4] = t1;
    cells[5] = c2;
    cells[6] = t2;
    cells[7] = ratio;
    cells[8] = verdict;
    table_row(r, cells, 9, 0);
  }
  table_end(r);
}

static void crossovers_section(rep *r, const cfb_analysis *an, const char *machine_word) {
  heading(r, 2, "Crossovers");
  para(r, "Where the faster backend changes: between adjacent measured points whose paired "
          "verdicts name different backends (points judged equivalent or undecided are passed "
          "over), interpolated where the log of the paired thread/process ratio crosses zero. "
          "Values between measured points are estimates; measure more points near them to pin "
          "them down.");
  int any = 0;
  char buf[1024];
  list_begin(r);
  for (size_t i = 0; i < an->nsw; i++) {
    const cfb_curve *s = &an->sw[i];
    for (size_t k = 0; k < s->ncross; k++) {
      snprintf(buf, sizeof buf, "%s win for %s above %s ≈ %.3g%s%s%s (%s below) %s.",
               cfb_backend_plural(s->cross[k].above), s->workload, s->key, s->cross[k].x, s->unit,
               s->context[0] ? " with " : "", s->context, cfb_backend_plural(s->cross[k].below),
               machine_word);
      buf[0] = (char)(buf[0] - 'a' + 'A');
      list_item(r, buf);
      any = 1;
    }
  }
  for (size_t i = 0; i < an->ng; i++) {
    const cfb_group *g = &an->g[i];
    const cfb_curve *s = &an->wsweep[i];
    for (size_t k = 0; k < s->ncross; k++) {
      char label[700];
      group_label(g, label, sizeof label);
      snprintf(buf, sizeof buf, "%s: %s faster below ≈ %.2g workers, %s above (best chunksize at each worker count).",
               label, cfb_backend_plural(s->cross[k].below), s->cross[k].x, cfb_backend_plural(s->cross[k].above));
      list_item(r, buf);
      any = 1;
    }
  }
  if (!any) list_item(r, "None found: in every sweep one backend wins throughout, or the verdicts do not name two different winners.");
  list_end(r);
  for (size_t i = 0; i < an->nsw; i++) {
    char slug[CFB_SLUG_MAX + 64], alt[512];
    cfb_plot_sweep_slug(&an->sw[i], slug, sizeof slug);
    snprintf(alt, sizeof alt, "%s: best thread vs best process against %s", an->sw[i].workload,
             an->sw[i].key);
    image(r, slug, alt);
  }
}

/* Per-task cost of cfutures and CPython's executors (items that do nothing). */
static void python_costs(rep *r, const cfb_analysis *an) {
  cfb_an_cost c[8];
  size_t n = cfb_an_task_costs(an, c, 8);
  heading(r, 3, "Per-task cost");
  if (!n) {
    para(r, "Not measured: the run has no sleep delay=0 configuration on both a C and a py backend "
            "at the same chunksize (the python suite has them).");
    return;
  }
  para(r, "Time per item of sleep delay=0 (the executor's own cost: submit, run a no-op, return "
          "the result), one item at a time (mode roundtrip: submit, wait for the result, the next) "
          "and through map at each chunksize, from the median throughput, at the fewest workers both "
          "ran.  Paired: CPython / cfutures from the rounds in which the two ran back to back "
          "(verdicts.csv), with its 95% interval.");
  static const char *const hdr[] = {"executor", "mode", "chunksize", "workers", "cfutures µs/item",
                                    "CPython µs/item", "CPython / cfutures", "paired (95% CI, rounds)"};
  table_begin(r);
  table_row(r, hdr, 8, 1);
  for (size_t i = 0; i < n; i++) {
    char e[64], cs[16], w[16], a[32], b[32], q[32], pr[96] = "-";
    snprintf(e, sizeof e, "%s vs %s", c[i].c, c[i].py);
    snprintf(cs, sizeof cs, "%d", c[i].chunksize);
    snprintf(w, sizeof w, "%d", c[i].workers);
    snprintf(a, sizeof a, "%.3g", c[i].c_us);
    snprintf(b, sizeof b, "%.3g", c[i].py_us);
    snprintf(q, sizeof q, "%.1f×", c[i].ratio);
    if (isfinite(c[i].paired))
      snprintf(pr, sizeof pr, "%.1f× [%.1f, %.1f], %zu", c[i].paired, c[i].paired_lo, c[i].paired_hi, c[i].rounds);
    const char *cells[] = {e, c[i].mode, cs, w, a, b, q, pr};
    table_row(r, cells, 8, 0);
  }
  table_end(r);
}

/* The docs' PRIMES: each backend's speedup over its own 1-worker run. */
static void python_primes(rep *r, const cfb_resultset *rs, const cfb_group *g, size_t ng) {
  cfb_an_speedup s[4];
  size_t n = cfb_an_docs_speedups(rs, g, ng, s, 4);
  heading(r, 3, "The docs' PRIMES: speedup over each backend's serial run");
  if (!n) {
    para(r, "Not measured: no primes preset=docs configuration with 1 and more workers.");
    return;
  }
  para(r, "Median throughput with 1 worker and with more (up to the machine's cores) of the same "
          "executor; the GIL keeps py-thread near 1×.");
  static const char *const hdr[] = {"backend", "1 worker, items/s", "workers", "items/s", "speedup"};
  table_begin(r);
  table_row(r, hdr, 5, 1);
  for (size_t i = 0; i < n; i++) {
    char a[32], w[16], b[32], q[32];
    cfb_fmt_rate(s[i].serial, a, sizeof a);
    snprintf(w, sizeof w, "%d", s[i].workers);
    cfb_fmt_rate(s[i].parallel, b, sizeof b);
    snprintf(q, sizeof q, "%.2f×", s[i].speedup);
    const char *cells[] = {s[i].backend, a, w, b, q};
    table_row(r, cells, 5, 0);
  }
  table_end(r);
}

/* What the emulation's process side paid per item: mixed's ipc_us in the
 * sweep's context ("ipc_us=250us"), since the crossover hangs on it far
 * more than on the GIL (docs/python.md).  Runs made before the parameter
 * have none. */
static void python_ipc_note(rep *r, const char *context) {
  const char *p = context ? strstr(context, "ipc_us=") : NULL;
  char buf[512], v[32] = "";
  if (p) sscanf(p + 7, "%31[^,]", v);
  if (v[0] && strtod(v, NULL) > 0)
    snprintf(buf, sizeof buf,
             "The emulation's process side pays ipc_us = %s per item under one lock shared by the pool: "
             "ProcessPoolExecutor's serial path at chunksize 1 (pickling, its feeder and result threads), "
             "which moves CPython's crossover far more than the GIL does.", v);
  else
    snprintf(buf, sizeof buf,
             "The emulation has no ipc_us here (%s): its process side costs what cfutures' does, about 1 µs an "
             "item, against CPython's hundreds at chunksize 1, so its crossover sits far below CPython's.",
             v[0] ? "ipc_us=0" : "a run made before the parameter");
  para(r, buf);
}

/* The GIL emulation's crossover beside CPython's. */
static void python_fidelity(rep *r, const cfb_analysis *an) {
  cfb_an_fidelity f;
  heading(r, 3, "How true the GIL emulation is");
  if (cfb_an_gil_fidelity(an, &f) != 0) {
    para(r, "Not measured: no mixed gil=on sweep over cpu_us on py-thread and py-process.");
    return;
  }
  char buf[1024], e[64], p[64];
  if (f.emu_x > 0) snprintf(e, sizeof e, "≈ %.3g µs", f.emu_x);
  else snprintf(e, sizeof e, "%s", f.have_emu ? "none in the range measured" : "not measured");
  if (f.py_x > 0) snprintf(p, sizeof p, "≈ %.3g µs", f.py_x);
  else snprintf(p, sizeof p, "none in the range measured");
  snprintf(buf, sizeof buf,
           "mixed (%s), %d worker%s: the cpu_us above which processes beat threads. cfutures with the "
           "emulated GIL (thread vs process): %s; CPython (py-thread vs py-process): %s.",
           f.py.context, f.workers, cfb_plural(f.workers), e, p);
  para(r, buf);
  if (f.have_emu) python_ipc_note(r, f.emu.context);
  if (isfinite(f.ratio)) {
    double k = f.ratio >= 1 ? f.ratio : 1 / f.ratio;
    snprintf(buf, sizeof buf, "The two crossovers are %.2f× apart: %s.", k,
             k <= 2 ? "the emulation agrees with CPython within a factor of 2"
                    : "the emulation does NOT agree with CPython within a factor of 2");
    para(r, buf);
  }
  image(r, "gil_fidelity", "threads / processes throughput against cpu_us: emulated GIL and CPython");
}

static void python_section(rep *r, const cfb_analysis *an) {
  const cfb_resultset *rs = &an->rs;
  const cfb_group *g = an->g;
  size_t ng = an->ng;
  heading(r, 2, "cfutures against CPython");
  para(r, "The py-thread and py-process rows are CPython's own ThreadPoolExecutor and "
          "ProcessPoolExecutor running the same workloads (docs/python.md).");
  python_costs(r, an);
  python_primes(r, rs, g, ng);
  python_fidelity(r, an);
}

static int write_out(const cfb_sb *b, const char *dir, const char *name) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (cfb_sb_write_file(b, path) != 0) {
    fprintf(stderr, "cfbench report: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* Any group lacks its main PNG: plot first. */
static int plots_missing(const char *dir, char (*slugs)[CFB_SLUG_MAX], size_t ng) {
  for (size_t i = 0; i < ng; i++) {
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/plots/%s_workers.png", dir, slugs[i]);
    if (stat(path, &st) != 0) return 1;
  }
  return 0;
}

/* The opening of both documents: the HTML head and style, the title. */
static void open_documents(rep *r, const char *dir) {
  cfb_sb_append(&r->html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<title>cfbench report</title>\n<style>\n"
                        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
                        "table{border-collapse:collapse;font-size:0.9em;margin:1em 0}\n"
                        "th,td{border:1px solid #ccc;padding:0.3em 0.5em;text-align:left}\n"
                        /* parameter strings (the second column) have no spaces: let
                         * them wrap anywhere, or the who-wins table runs off the
                         * page's right edge; the other cells wrap at spaces only */
                        "td:nth-child(2){overflow-wrap:anywhere}\n"
                        "th{background:#f2f2f2} figure{margin:1.5em 0} img{max-width:100%}\n"
                        "figcaption{font-size:0.85em;color:#555}\n</style></head><body>\n");
  char title[4300];
  snprintf(title, sizeof title, "cfbench report: %s", dir);
  cfb_sb_append(&r->md, "# ");
  cfb_md_esc(&r->md, title);
  cfb_sb_append(&r->md, "\n\n");
  cfb_sb_append(&r->html, "<h1>");
  cfb_html_esc(&r->html, title);
  cfb_sb_append(&r->html, "</h1>\n");
}

/* Per group, its plots (those that exist) under one heading. */
static void plots_section(rep *r, const cfb_group *g, size_t ng, char (*slugs)[CFB_SLUG_MAX]) {
  heading(r, 2, "Plots per workload");
  for (size_t i = 0; i < ng; i++) {
    char h[600], alt[700], name[CFB_SLUG_MAX + 32];
    group_label(&g[i], h, sizeof h);
    heading(r, 3, h);
    static const char *const kinds[][2] = {{"workers", "throughput vs workers"},
                                           {"map", "who wins: thread / process throughput"},
                                           {"chunksize", "throughput vs chunksize"},
                                           {"efficiency", "efficiency vs workers"}};
    for (size_t k = 0; k < 4; k++) {
      snprintf(name, sizeof name, "%s_%s", slugs[i], kinds[k][0]);
      snprintf(alt, sizeof alt, "%s: %s", h, kinds[k][1]);
      image(r, name, alt);
    }
  }
}

/* report.c's writer as the sections in their own files see it (report_section.h). */
static void out_heading(void *d, int level, const char *t) { heading(d, level, t); }
static void out_para(void *d, const char *t) { para(d, t); }
static void out_list_begin(void *d) { list_begin(d); }
static void out_list_item(void *d, const char *t) { list_item(d, t); }
static void out_list_end(void *d) { list_end(d); }
static void out_image(void *d, const char *name, const char *alt) { image(d, name, alt); }

static cfb_rep_out section_out(rep *r) {
  return (cfb_rep_out){r, out_heading, out_para, out_list_begin, out_list_item, out_list_end, out_image};
}

/* The options of `cfbench report` (introspect.c lists them). */
typedef struct report_opts {
  const char *dir, *history_db, *history_ignore;
  cfb_hist_cli det;       /* --history-metric, --history-alpha: history detect's, with its defaults */
  const char *det_given;  /* the last of them given, for the message without --history-db */
} report_opts;

static int set_history(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  report_opts *o = ctx;
  if (!*val) return cfb_fail(err, errlen, "%s: empty value", opt->name);
  *(strcmp(opt->name, "--history-db") ? &o->history_ignore : &o->history_db) = val;
  return 0;
}

#define HISTORY_PREFIX "--history-"

/* --history-NAME: history's --NAME (cfb_hist_cli_set), the same value syntax. */
static int set_history_detect(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  report_opts *o = ctx;
  char name[64], why[256];
  snprintf(name, sizeof name, "--%s", opt->name + strlen(HISTORY_PREFIX));
  if (cfb_hist_cli_set(&o->det, name, val, why, sizeof why) != 0) return cfb_fail(err, errlen, "%s: %s", opt->name, why);
  o->det_given = opt->name;
  return 0;
}

/* The table, built once: report's own two options, then every detection
 * option of `history` (cfb_hist_report_option) as --history-NAME, so the
 * two commands never disagree on what the options are. */
const cfb_option *cfb_report_option_table(void) {
  static cfb_option tab[2 + 8 + 1];
  static char names[8][64];
  if (tab[0].name) return tab;
  size_t n = 0;
  tab[n++] = (cfb_option){"--history-db", 1, set_history, 0};
  tab[n++] = (cfb_option){"--history-ignore-param", 1, set_history, 0};
  const char *h;
  for (size_t k = 0; k < 8 && (h = cfb_hist_report_option(k)); k++) {
    snprintf(names[k], sizeof names[k], HISTORY_PREFIX "%s", h + 2);
    tab[n++] = (cfb_option){names[k], 1, set_history_detect, 0};
  }
  tab[n] = (cfb_option){NULL, 0, NULL, 0};
  return tab;
}

/* "on this machine (CPU model)", for the crossovers' sentences. */
static void machine_word(const cfb_machine *m, char *out, size_t len) {
  if (m->have_meta && m->cpu_model[0]) snprintf(out, len, "on this machine (%s)", m->cpu_model);
  else snprintf(out, len, "on this machine");
}

/* Make the plots when a group lacks them.  0 (*noplots says why the
 * report goes without them, or stays NULL), or 2: cfbench plot failed in
 * a way the report cannot go on from. */
static int ensure_plots(const char *dir, char (*slugs)[CFB_SLUG_MAX], size_t ng, const char **noplots) {
  *noplots = NULL;
  if (!plots_missing(dir, slugs, ng)) return 0;
  int prc = cfb_plot_make(dir);
  if (prc == 2) return 2;
  if (prc != 0) *noplots = "The plots could not be made (see the message of cfbench plot); the tables stand.";
  return 0;
}

/* Every section, in order, into both documents. */
static void write_sections(rep *r, const cfb_analysis *an, const cfb_rep_history *hist,
                           char (*slugs)[CFB_SLUG_MAX], const char *noplots) {
  const cfb_machine *m = &an->rs.machine;
  char mword[300];
  machine_word(m, mword, sizeof mword);
  open_documents(r, r->dir);
  para(r, "Throughput is items per second (higher is better); each configuration's figure is "
          "the median of its repetitions with a 95% bootstrap confidence interval.");
  if (noplots) para(r, noplots);
  machine_section(r, m);
  winners_section(r, an);
  crossovers_section(r, an, mword);
  if (cfb_an_has_py(&an->rs)) python_section(r, an);
  cfb_rep_out sections = section_out(r);
  cfb_rep_history_section(&sections, r->dir, hist);
  cfb_report_characterizations(r->dir, &r->md, &r->html);
  plots_section(r, an->g, an->ng, slugs);
  cfb_sb_append(&r->html, "</body></html>\n");
}

/* The report of an analysed run with its history loaded: 0 or 2. */
static int report_analysed(const char *dir, const cfb_analysis *an, const cfb_rep_history *hist) {
  rep r = {.dir = dir};
  size_t ng = an->ng;
  char (*slugs)[CFB_SLUG_MAX] = NULL;
  const char *noplots;
  int rc = 2;
  if (!(slugs = calloc(ng ? ng : 1, sizeof *slugs))) {
    fprintf(stderr, "cfbench report: out of memory\n");
    goto out;
  }
  if (!ng) {
    fprintf(stderr, "cfbench report: %s/summary.csv has no configurations\n", dir);
    goto out;
  }
  cfb_plot_slugs(an->g, ng, slugs);
  r.images = 1;
  if (ensure_plots(dir, slugs, ng, &noplots) != 0) goto out;
  write_sections(&r, an, hist, slugs, noplots);
  if (cfb_sb_failed(&r.md) || cfb_sb_failed(&r.html)) {
    fprintf(stderr, "cfbench report: out of memory\n");
    goto out;
  }
  if (write_out(&r.md, dir, "report.md") || write_out(&r.html, dir, "report.html")) goto out;
  printf("cfbench report: %s/report.md and %s/report.html\n", dir, dir);
  rc = 0;
out:
  cfb_sb_free(&r.md);
  cfb_sb_free(&r.html);
  free(slugs);
  return rc;
}

static int make_report(const report_opts *o) {
  char err[1024];
  cfb_analysis an;
  if (cfb_an_load(o->dir, &an, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench report: %s\n", err);
    return 2;
  }
  /* The history is read first: a bad store stops the report before anything is written. */
  cfb_rep_history hist;
  if (cfb_rep_history_load(o->history_db, o->history_ignore, &o->det, &an.rs, &hist, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench report: --history-db %s: %s\n", o->history_db, err);
    cfb_an_free(&an);
    return 2;
  }
  int rc = report_analysed(o->dir, &an, &hist);
  cfb_rep_history_free(&hist);
  cfb_an_free(&an);
  return rc;
}

static int set_dir(void *ctx, const char *arg, char *err, size_t errlen) {
  report_opts *o = ctx;
  if (o->dir) return cfb_fail(err, errlen, "one directory, not '%s' too", arg);
  o->dir = arg;
  return 0;
}

int cfb_cmd_report(int argc, char **argv) {
  if (cfb_options_help(argc - 1, argv + 1)) {
    printf("usage: cfbench report DIR [--history-db URL [--history-ignore-param K,...]\n"
           "                         [--history-metric wall|cpu] [--history-alpha A]]\n"
           "  Writes DIR/report.md and DIR/report.html (self-contained) from\n"
           "  DIR/summary.csv, DIR/verdicts.csv (else DIR/runs.csv's rounds),\n"
           "  DIR/meta.json and the plots of `cfbench plot DIR` (made if missing).\n"
           "  --history-db URL: a history store (a SQLite file or postgresql://...,\n"
           "  as `cfbench history`): a section \"History\" with this run's\n"
           "  configurations over the commits, their change points and trend plots\n"
           "  (DIR/plots/history/).\n"
           "  --history-ignore-param K,...: the parameters the runs were stored\n"
           "  without (`history add --ignore-param`), left out of this run's\n"
           "  configurations too.\n"
           "  --history-metric wall|cpu: the series the change points are found\n"
           "  in, as `history detect --metric`: items/s (wall, the default) or\n"
           "  items per CPU-second (cpu).\n"
           "  --history-alpha A: the significance level of a change point, as\n"
           "  `history detect --alpha` (default %g).\n",
           CFB_ED_ALPHA);
    return 0;
  }
  report_opts o = {0};
  cfb_hist_cli_defaults(&o.det, "detect");
  const cfb_optspec spec = {"report", cfb_report_option_table(), set_dir, NULL};
  char err[512];
  if (cfb_options_parse(&spec, argc - 1, argv + 1, &o, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench report: %s\n", err);
    return 2;
  }
  if (!o.dir) {
    fprintf(stderr, "cfbench report: no directory given; usage: cfbench report DIR [--history-db URL]\n");
    return 2;
  }
  const char *needs_db = o.history_ignore ? "--history-ignore-param" : o.det_given;
  if (needs_db && !o.history_db) {
    fprintf(stderr, "cfbench report: %s applies to --history-db, which is not given\n", needs_db);
    return 2;
  }
  return make_report(&o);
}
