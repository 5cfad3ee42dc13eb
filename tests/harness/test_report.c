/* test_report.c -- plot and report on the committed fixture
 * (tests/harness/fixtures/sweep, made by make_fixtures.py with known
 * winners and crossovers): the analysis figures, the files plot writes
 * (PNG and SVG headers, script lines), the report's who-wins table and
 * crossovers, the self-contained HTML, the gnuplot-missing path, and the
 * section on the characterizations ./run.sh bench leaves beside a run.
 * argv[1] is the fixtures folder; work happens in a fresh temp dir. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ftw.h>
#include <unistd.h>

#include "analysis.h"
#include "characterize.h"
#include "charrule.h"
#include "cmd_report.h"
#include "fileio.h"
#include "json.h"
#include "params_key.h"
#include "analysis_py.h"
#include "plot.h"
#include "task.h"

static const char *fixtures;
static char work[256];

static void copy(const char *from, const char *to) {
  char *buf;
  size_t len;
  CHECK(cfb_read_file(from, &buf, &len) == 0);
  FILE *f = fopen(to, "wb");
  CHECK(f);
  CHECK(fwrite(buf, 1, len, f) == len);
  fclose(f);
  free(buf);
}

/* A fresh copy of fixtures/SRC in work/NAME (its verdicts.csv if any). */
static void fresh_from(const char *src, const char *name, char *dir, size_t len) {
  snprintf(dir, len, "%s/%s", work, name);
  CHECK(mkdir(dir, 0755) == 0);
  static const char *const files[] = {"summary.csv", "runs.csv", "meta.json", "verdicts.csv"};
  for (size_t i = 0; i < 4; i++) {
    char a[1200], b[1200]; /* room for any dir of len <= 1024 and the file name */
    snprintf(a, sizeof a, "%s/%s/%s", fixtures, src, files[i]);
    snprintf(b, sizeof b, "%s/%s", dir, files[i]);
    if (i < 3 || access(a, F_OK) == 0) copy(a, b);
  }
}

static void fresh(const char *name, char *dir, size_t len) { fresh_from("sweep", name, dir, len); }

/* Not inlined: inlined, GCC's -Wdangling-pointer (Release) supposes that
 * cfb_read_file, given &buf, may have stored that very address in buf,
 * and flags every use of the text after slurp returns.  It stores a
 * malloc'd buffer (fileio.h). */
__attribute__((noinline)) static char *slurp(const char *dir, const char *name) {
  char path[1024], *buf = NULL;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (cfb_read_file(path, &buf, NULL) != 0) {
    fprintf(stderr, "missing %s\n", path);
    abort();
  }
  return buf;
}

static const cfb_group *group(const cfb_group *g, size_t ng, const char *wl, const char *params) {
  for (size_t i = 0; i < ng; i++)
    if (!strcmp(g[i].workload, wl) && !strcmp(g[i].params, params)) return &g[i];
  fprintf(stderr, "no group %s %s\n", wl, params);
  abort();
}

/* The fixture's known answers (see make_fixtures.py), decided on the
 * rounds of runs.csv (the sweep fixture has no verdicts.csv). */
static void test_analysis(void) {
  char dir[512], err[256];
  snprintf(dir, sizeof dir, "%s/sweep", fixtures);
  cfb_analysis an;
  CHECK(cfb_an_load(dir, &an, err, sizeof err) == 0);
  const cfb_resultset *rs = &an.rs;
  CHECK_STR_CONTAINS(rs->machine.cpu_model, "Fixture CPU");
  CHECK_EQ((int)rs->machine.cores, 2);
  CHECK(!strcmp(rs->machine.counter_layer, "getrusage"));
  CHECK(an.pairs.have_runs && !an.pairs.have_verdicts);
  const cfb_group *g = an.g;
  size_t ng = an.ng;
  CHECK_EQ(ng, 7);
  static const struct { const char *wl, *params, *word; } want[] = {
      {"mixed", "cpu_us=10,io_us=1000,gil=1", "thread"},
      {"mixed", "cpu_us=30,io_us=1000,gil=1", "thread"},
      {"mixed", "cpu_us=100,io_us=1000,gil=1", "process"},
      {"mixed", "cpu_us=300,io_us=1000,gil=1", "process"},
      {"mixed", "cpu_us=1000,io_us=1000,gil=1", "process"},
      {"memtouch", "size=1MiB", "thread"},
      {"sleep", "delay=10ms", NULL}, /* equal backends: equivalent or undecided, never a winner */
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    const cfb_winner *w = &an.win[group(g, ng, want[i].wl, want[i].params) - g];
    CHECK(w->thread && w->process);
    CHECK_EQ(w->pair.rounds, 8);
    CHECK(!w->pair.from_file);
    if (want[i].word) CHECK(!strcmp(w->word, want[i].word));
    else CHECK(!strcmp(w->word, "equivalent") || !strcmp(w->word, "undecided"));
    CHECK(w->pair.ci_lo <= w->pair.ratio && w->pair.ratio <= w->pair.ci_hi);
  }
  /* cpu_us=300: the best process is 16 workers, chunksize 16 (model). */
  const cfb_winner *w = &an.win[group(g, ng, "mixed", "cpu_us=300,io_us=1000,gil=1") - g];
  CHECK_EQ(w->process->workers, 16);
  CHECK_EQ(w->process->chunksize, 16);
  /* Crossover across cpu_us: the model's is 71 us; measured points are 30
   * (threads win) and 100 (processes win), so it must land between. */
  int found = 0;
  for (size_t i = 0; i < an.nsw; i++) {
    const cfb_curve *sw = &an.sw[i];
    if (strcmp(sw->key, "cpu_us")) continue;
    CHECK(!strcmp(sw->context, "io_us=1000,gil=1"));
    CHECK_EQ(sw->n, 5);
    CHECK_EQ(sw->ncross, 1);
    CHECK(sw->cross[0].x > 30 && sw->cross[0].x < 100);
    CHECK(!strcmp(sw->cross[0].below, "thread") && !strcmp(sw->cross[0].above, "process"));
    found = 1;
  }
  CHECK(found);
  /* memtouch: threads win at 1-2 workers, processes from 4 (8, 16 clearly). */
  const cfb_curve *s = &an.wsweep[group(g, ng, "memtouch", "size=1MiB") - g];
  CHECK_EQ(s->ncross, 1);
  CHECK(s->cross[0].x > 2 && s->cross[0].x < 8);
  CHECK(!strcmp(s->cross[0].below, "thread"));
  /* sleep: equal backends, no crossover may be invented from noise. */
  CHECK_EQ(an.wsweep[group(g, ng, "sleep", "delay=10ms") - g].ncross, 0);
  /* map cell: memtouch 16 workers chunksize 1 -> processes faster. */
  cfb_an_pair cell;
  CHECK(cfb_an_cell(&an, group(g, ng, "memtouch", "size=1MiB"), 16, 1, &cell) == 0);
  CHECK(cell.ratio < 0.8 && cell.verdict == CFB_PAIRED_B);
  cfb_an_free(&an);
}

static void check_png(const char *dir, const char *stem) {
  char name[512];
  snprintf(name, sizeof name, "plots/%s.png", stem);
  char *b = slurp(dir, name);
  CHECK(!memcmp(b, "\x89PNG\r\n\x1a\n", 8));
  free(b);
  snprintf(name, sizeof name, "plots/%s.svg", stem);
  b = slurp(dir, name);
  CHECK_STR_CONTAINS(b, "<svg");
  CHECK_STR_CONTAINS(b, "</svg>");
  free(b);
}

static void test_plot(void) {
  char dir[512];
  fresh("plot", dir, sizeof dir);
  char *argv[] = {"plot", dir, NULL};
  CHECK_EQ(cfb_cmd_plot(2, argv), 0);
  static const char *const stems[] = {"mixed_cpu_us-10_io_us-1000_gil-1",
                                      "mixed_cpu_us-1000_io_us-1000_gil-1", "memtouch_size-1MiB",
                                      "sleep_delay-10ms"};
  static const char *const kinds[] = {"workers", "chunksize", "efficiency", "map"};
  for (size_t i = 0; i < 4; i++) {
    for (size_t k = 0; k < 4; k++) {
      char stem[256];
      snprintf(stem, sizeof stem, "%s_%s", stems[i], kinds[k]);
      check_png(dir, stem);
    }
  }
  check_png(dir, "mixed_cpu_us_io_us-1000_gil-1_crossover");
  free(slurp(dir, "plots/style.gp"));

  char *gp = slurp(dir, "plots/memtouch_size-1MiB_workers.gp");
  CHECK_STR_CONTAINS(gp, "load 'style.gp'");
  CHECK_STR_CONTAINS(gp, "set title 'memtouch: throughput vs workers'.\"\\n\".'size=1MiB'");
  CHECK_STR_CONTAINS(gp, "set label 100 'Fixture CPU @ 2.0GHz, 2 cores / 2 PUs'");
  CHECK_STR_CONTAINS(gp, "set logscale x 2");
  CHECK_STR_CONTAINS(gp, "set ylabel 'throughput (items/s, log scale)'");
  CHECK_STR_CONTAINS(gp, "set logscale y 10");
  CHECK_STR_CONTAINS(gp, "set ytics ("); /* labelled even within one decade */
  CHECK_STR_CONTAINS(gp, "set xtics (\"1\" 1, \"2\" 2, \"4\" 4, \"8\" 8, \"16\" 16)");
  CHECK_STR_CONTAINS(gp, "'memtouch_size-1MiB_workers.dat' index 0 using 1:2:3:4 with yerrorlines ls 1 title 'thread, chunksize 1'");
  CHECK_STR_CONTAINS(gp, "index 3 using 1:2:3:4 with yerrorlines ls 11 title 'process, chunksize 1'");
  CHECK_STR_CONTAINS(gp, "using 1:5 with lines ls 20 title 'ideal scaling'");
  CHECK_STR_CONTAINS(gp, "threads faster below, processes above ≈");
  CHECK_STR_CONTAINS(gp, "set output 'memtouch_size-1MiB_workers.'.fmt");
  CHECK(!strstr(gp, "@TITLE@") && !strstr(gp, "@PLOT@"));
  free(gp);
  /* mixed with gil=1: thread and process ideal models differ: two lines. */
  gp = slurp(dir, "plots/mixed_cpu_us-100_io_us-1000_gil-1_workers.gp");
  CHECK_STR_CONTAINS(gp, "title 'ideal (thread)'");
  CHECK_STR_CONTAINS(gp, "title 'ideal (process)'");
  free(gp);
  gp = slurp(dir, "plots/memtouch_size-1MiB_map.gp");
  CHECK_STR_CONTAINS(gp, "with boxxyerror fc palette");
  CHECK_STR_CONTAINS(gp, "set cbrange [-");
  free(gp);
  char *dat = slurp(dir, "plots/memtouch_size-1MiB_map.dat");
  CHECK_STR_CONTAINS(dat, "\n4 0 "); /* 16 workers, chunksize 1 */
  free(dat);
  gp = slurp(dir, "plots/mixed_cpu_us_io_us-1000_gil-1_crossover.gp");
  CHECK_STR_CONTAINS(gp, "set logscale x");
  CHECK_STR_CONTAINS(gp, "threads faster below, processes above cpu_us ≈ ");
  free(gp);
}

static void test_report(void) {
  char dir[512];
  fresh("report", dir, sizeof dir);
  char *argv[] = {"report", dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0); /* makes the plots too */
  char *md = slurp(dir, "report.md");
  CHECK_STR_CONTAINS(md, "CPU: Fixture CPU @ 2.0GHz, 2 cores / 2 PUs");
  CHECK_STR_CONTAINS(md, "Counter layer: getrusage");
  CHECK_STR_CONTAINS(md, "| mixed | cpu\\_us=10,io\\_us=1000,gil=1 | thread | thread, 16 workers");
  CHECK_STR_CONTAINS(md, "| mixed | cpu\\_us=100,io\\_us=1000,gil=1 | process | process, 16 workers, chunksize 16 |");
  CHECK_STR_CONTAINS(md, "| memtouch | size=1MiB | thread | thread, 2 workers");
  CHECK(strstr(md, "| sleep | delay=10ms | equivalent |") || strstr(md, "| sleep | delay=10ms | undecided |"));
  CHECK_STR_CONTAINS(md, "8 rounds (paired from runs.csv) |");
  CHECK_STR_CONTAINS(md, "Processes win for mixed above cpu\\_us ≈ ");
  CHECK_STR_CONTAINS(md, "memtouch (size=1MiB): threads faster below ≈ ");
  CHECK_STR_CONTAINS(md, "](plots/memtouch_size-1MiB_map.png)");
  CHECK(!strstr(md, "## What kind of workload each")); /* no characterize/: no such section */
  const char *x = strstr(md, "cpu\\_us ≈ ");
  CHECK(x != NULL);
  double v = x ? atof(x + strlen("cpu\\_us ≈ ")) : NAN;
  CHECK(v > 30 && v < 100);
  free(md);
  char *html = slurp(dir, "report.html");
  CHECK_STR_CONTAINS(html, "<!DOCTYPE html>");
  CHECK_STR_CONTAINS(html, "src=\"data:image/png;base64,iVBORw0KGgo"); /* a PNG, inlined */
  CHECK(!strstr(html, "src=\"plots/"));
  CHECK_STR_CONTAINS(html, "<td>process</td>");
  free(html);
}

/* A plot's title: the parameters on a line of their own (one line of
 * both ran off the characterize plot of socket), ", " between them, a
 * quote doubled; no parameters: the head alone. */
static void test_plot_title(void) {
  char t[600];
  cfb_plot_title("characterize socket: throughput against workers", "delay=0s,body=1KiB", t, sizeof t);
  CHECK(strcmp(t, "'characterize socket: throughput against workers'.\"\\n\".'delay=0s, body=1KiB'") == 0);
  cfb_plot_title("it's", "", t, sizeof t);
  CHECK(strcmp(t, "'it''s'") == 0);
  cfb_plot_title("x", NULL, t, sizeof t);
  CHECK(strcmp(t, "'x'") == 0);
}

/* Every occurrence of from in dir/name replaced by to (fixture edits). */
static void replace_in(const char *dir, const char *name, const char *from, const char *to) {
  char *text = slurp(dir, name), path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  CHECK(f);
  for (const char *p = text, *q; f; p = q + strlen(from)) {
    q = strstr(p, from);
    if (!q) {
      fputs(p, f);
      break;
    }
    fwrite(p, 1, (size_t)(q - p), f);
    fputs(to, f);
  }
  if (f) fclose(f);
  free(text);
}

/* An unset optional parameter (socket's "target=") is left out where the
 * report shows a group's parameters: the who-wins table, the worker
 * crossovers' sentences and the plots' headings; the plots' file names
 * keep the canonical string. */
static void test_empty_param_hidden(void) {
  char dir[512];
  fresh("empty_param", dir, sizeof dir);
  replace_in(dir, "runs.csv", ",size=1MiB,", ",\"target=,size=1MiB\",");
  replace_in(dir, "summary.csv", ",size=1MiB,", ",\"target=,size=1MiB\",");
  char *argv[] = {"report", dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
  char *md = slurp(dir, "report.md");
  CHECK_STR_CONTAINS(md, "| memtouch | size=1MiB | thread | thread, 2 workers");
  CHECK_STR_CONTAINS(md, "memtouch (size=1MiB): threads faster below ≈ ");
  CHECK_STR_CONTAINS(md, "### memtouch (size=1MiB)");
  CHECK(!strstr(md, "target=,"));
  free(md);
}

static void test_no_gnuplot(void) {
  char dir[512];
  fresh("nognuplot", dir, sizeof dir);
  setenv("CFBENCH_GNUPLOT", "/nonexistent/gnuplot", 1);
  char *argv[] = {"plot", dir, NULL};
  CHECK_EQ(cfb_cmd_plot(2, argv), 1);
  free(slurp(dir, "plots/sleep_delay-10ms_workers.gp")); /* scripts kept for later */
  /* report still writes its tables (without images) and succeeds. */
  char *rargv[] = {"report", dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, rargv), 0);
  char *md = slurp(dir, "report.md");
  CHECK_STR_CONTAINS(md, "| memtouch | size=1MiB | thread |");
  CHECK(!strstr(md, "](plots/"));
  free(md);
  unsetenv("CFBENCH_GNUPLOT");
}

static void test_bad_input(void) {
  char *a1[] = {"plot", "/nonexistent/dir", NULL};
  CHECK_EQ(cfb_cmd_plot(2, a1), 2);
  char *a2[] = {"report", "/nonexistent/dir", NULL};
  CHECK_EQ(cfb_cmd_report(2, a2), 2);
  char *a3[] = {"plot", NULL};
  CHECK_EQ(cfb_cmd_plot(1, a3), 2);
}

/* The map's mark of the cell at (workers index wi, chunksize index ci) in
 * plots/NAME_map.dat: 'T', 'P', '=' or '~' (0: no such cell). */
static char map_mark(const char *dir, const char *name, int wi, int ci) {
  char path[600], head[32];
  snprintf(path, sizeof path, "plots/%s_map.dat", name);
  char *dat = slurp(dir, path);
  snprintf(head, sizeof head, "\n%d %d ", wi, ci);
  const char *l = strstr(dat, head), *q = l ? strchr(l + 1, '"') : NULL;
  char m = q ? q[1] : 0;
  free(dat);
  return m;
}

/* The report of fixtures/paired: what the paired verdicts say, where the
 * old rule (two medians' CIs overlap or not) said the opposite. */
static void check_paired_report(const char *dir, const char *sleep_src) {
  char *argv[] = {"report", (char *)dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
  char *md = slurp(dir, "report.md"), want[200];
  /* sleep: the CIs overlap (checked below), the pairs say processes win */
  CHECK_STR_CONTAINS(md, "| sleep | delay=1ms | process | process, 4 workers, chunksize 4 |");
  snprintf(want, sizeof want, "process faster, 10 rounds (%s) |", sleep_src);
  CHECK_STR_CONTAINS(md, want);
  /* memtouch: CIs apart, 2% apart: equivalent; its best of each backend is
   * not one of verdicts.csv's pairs (chunksize 1 vs 4): paired here */
  CHECK_STR_CONTAINS(md, "| memtouch | size=1MiB | equivalent |");
  CHECK_STR_CONTAINS(md, "equivalent: CI within ±3%, 10 rounds (paired from runs.csv) |");
  const char *x = strstr(md, "sleep (delay=1ms): threads faster below ≈ ");
  CHECK(x);
  double v = atof(x + strlen("sleep (delay=1ms): threads faster below ≈ "));
  CHECK(v > 1 && v < 4);
  CHECK(!strstr(md, "memtouch (size=1MiB): threads faster below"));
  free(md);
  char *gp = slurp(dir, "plots/sleep_delay-1ms_workers.gp");
  CHECK_STR_CONTAINS(gp, "threads faster below, processes above ≈");
  free(gp);
  CHECK_EQ(map_mark(dir, "sleep_delay-1ms", 0, 0), 'T');
  CHECK_EQ(map_mark(dir, "sleep_delay-1ms", 1, 0), '=');
  CHECK_EQ(map_mark(dir, "sleep_delay-1ms", 2, 1), 'P');
  CHECK_EQ(map_mark(dir, "memtouch_size-1MiB", 1, 1), '=');
}

static void test_paired_verdicts(void) {
  char dir[512], err[256];
  fresh_from("paired", "paired", dir, sizeof dir);
  /* The old rule would say the opposite: sleep's best CIs overlap,
   * memtouch's are apart. */
  cfb_analysis an;
  CHECK(cfb_an_load(dir, &an, err, sizeof err) == 0);
  CHECK(an.pairs.have_verdicts && an.pairs.nv == 10);
  for (size_t i = 0; i < an.ng; i++) {
    const cfb_sumrow *t = an.win[i].thread, *p = an.win[i].process;
    int overlap = t->ci_lo <= p->ci_hi && p->ci_lo <= t->ci_hi;
    CHECK_EQ(overlap, !strcmp(an.g[i].workload, "sleep"));
  }
  cfb_an_free(&an);
  check_paired_report(dir, "verdicts.csv");
  /* the same run without verdicts.csv: the same answers from runs.csv */
  char path[600];
  fresh_from("paired", "paired_noverdicts", dir, sizeof dir);
  snprintf(path, sizeof path, "%s/verdicts.csv", dir);
  CHECK(unlink(path) == 0);
  check_paired_report(dir, "paired from runs.csv");
  /* verdicts.csv is the source where it has a row: a row saying undecided
   * marks that cell "~" with the file's ratio, the others recomputed. */
  fresh_from("paired", "paired_edited", dir, sizeof dir);
  snprintf(path, sizeof path, "%s/verdicts.csv", dir);
  FILE *f = fopen(path, "w");
  CHECK(f);
  fprintf(f, "workload,params,workers,chunksize,pin,ratio,ci_lo,ci_hi,rounds,verdict\n"
             "memtouch,size=1MiB,1,1,none,1.5,0.9,2.5,10,undecided\n");
  fclose(f);
  char *argv[] = {"plot", dir, NULL};
  CHECK_EQ(cfb_cmd_plot(2, argv), 0);
  CHECK_EQ(map_mark(dir, "memtouch_size-1MiB", 0, 0), '~');
  CHECK_EQ(map_mark(dir, "memtouch_size-1MiB", 0, 1), '=');
  CHECK_EQ(map_mark(dir, "sleep_delay-1ms", 2, 1), 'P');
  char *dat = slurp(dir, "plots/memtouch_size-1MiB_map.dat");
  CHECK_STR_CONTAINS(dat, "\"~ 1.50\" 1 1 0.9 2.5 10 undecided");
  free(dat);
  /* a malformed verdict: one line naming it, no report */
  f = fopen(path, "w");
  CHECK(f);
  fprintf(f, "workload,params,workers,chunksize,pin,ratio,ci_lo,ci_hi,rounds,verdict\n"
             "memtouch,size=1MiB,1,1,none,1.5,0.9,2.5,10,tie\n");
  fclose(f);
  CHECK(cfb_an_load(dir, &an, err, sizeof err) == -1);
  CHECK_STR_CONTAINS(err, "verdict 'tie' is none of");
}

/* An adaptive run capped at many rounds whose plan after round 1 fixed a
 * smaller max: the report re-pairs a best-of-each-backend comparison that
 * is not one of verdicts.csv's pairs at the planned plan's levels, as the
 * run judged.  At the cap's (40) levels no signed-rank interval on 10
 * pairs is narrow enough, and memtouch read "undecided" (seen as a 7x
 * ratio left undecided and no crossover in a real default bench). */
static void test_planned_max(void) {
  char dir[512], path[600];
  fresh_from("paired", "paired_planned", dir, sizeof dir);
  snprintf(path, sizeof path, "%s/meta.json", dir);
  char *meta = slurp(dir, "meta.json");
  char *cfg = strstr(meta, "\"adaptive\": false");
  CHECK(cfg != NULL);
  *cfg = 0;
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  fprintf(f, "%s\"adaptive\": true, \"min_rounds\": 6, \"max_rounds\": 40%s", meta,
          cfg + strlen("\"adaptive\": false"));
  fclose(f);
  free(meta);
  /* without the planned max: the cap's levels, nothing decided here */
  char *argv[] = {"report", dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
  char *md = slurp(dir, "report.md");
  CHECK(!strstr(md, "| memtouch | size=1MiB | equivalent |"));
  free(md);
  /* run.planned_max_rounds 10: the plan the run looked with */
  meta = slurp(dir, "meta.json");
  char *end = strrchr(meta, '}');
  CHECK(end != NULL);
  *end = 0;
  f = fopen(path, "w");
  CHECK(f != NULL);
  fprintf(f, "%s, \"run\": {\"planned_max_rounds\": 10}}\n", meta);
  fclose(f);
  free(meta);
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
  md = slurp(dir, "report.md");
  CHECK_STR_CONTAINS(md, "| memtouch | size=1MiB | equivalent |");
  free(md);
}

/* A summary with py rows and known answers: no-op costs (cfutures 2 us
 * and 1 us per item, CPython 50 and 200), the docs' PRIMES speedups, and
 * mixed gil=on where the emulation crosses between cpu_us 10 and 100 and
 * CPython between 100 and 1000.  The section appears with those figures;
 * a run without py rows has no such section (test_report's fixture). */
static void write_py_summary(const char *dir, const char *mixed_params) {
  char path[600];
  snprintf(path, sizeof path, "%s/summary.csv", dir);
  FILE *f = fopen(path, "w");
  CHECK(f);
  fprintf(f, "workload,kind,params,backend,workers,chunksize,pin,n,median,ci_lo,ci_hi,status,python\n");
  static const int chunks[] = {1, 16, 256};
  for (size_t k = 0; k < 3; k++) { /* items/s = 1e6 / us per item */
    double c = chunks[k];
    fprintf(f, "sleep,io,delay=0,thread,1,%d,none,5,%g,%g,%g,ok,\n", chunks[k], 5e5 * c, 4.9e5 * c, 5.1e5 * c);
    fprintf(f, "sleep,io,delay=0,py-thread,1,%d,none,5,%g,%g,%g,ok,CPython 3.11.7 threads\n", chunks[k], 2e4,
            1.9e4, 2.1e4);
    fprintf(f, "sleep,io,delay=0,process,1,%d,none,5,%g,%g,%g,ok,\n", chunks[k], 1e6, 0.9e6, 1.1e6);
    fprintf(f, "sleep,io,delay=0,py-process,1,%d,none,5,%g,%g,%g,ok,CPython 3.11.7 fork\n", chunks[k], 5e3 * c,
            4.9e3 * c, 5.1e3 * c);
  }
  static const struct { const char *b; double w1, w2; } pr[] = {
      {"thread", 10, 19}, {"process", 10, 18}, {"py-thread", 1, 1.05}, {"py-process", 1, 1.8}};
  for (size_t i = 0; i < 4; i++)
    for (int w = 1; w <= 2; w++) {
      double m = w == 1 ? pr[i].w1 : pr[i].w2;
      fprintf(f, "primes,cpu,\"preset=docs,gil=off\",%s,%d,1,none,5,%g,%g,%g,ok,%s\n", pr[i].b, w, m, m * 0.99,
              m * 1.01, pr[i].b[0] == 'p' ? "CPython 3.11.7 x" : "");
    }
  /* threads / processes: emulated 2, 0.5, 0.25 at cpu_us 10, 100, 1000;
   * CPython 4, 2, 0.5 */
  static const struct { int cpu; double emu, py; } mx[] = {{10, 2, 4}, {100, 0.5, 2}, {1000, 0.25, 0.5}};
  for (size_t i = 0; i < 3; i++) {
    const char *fmt = "mixed,mixed,\"cpu_us=%dus,%s\",%s,2,1,none,5,%g,%g,%g,ok,%s\n";
    const char *mp = mixed_params;
    fprintf(f, fmt, mx[i].cpu, mp, "thread", 100 * mx[i].emu, 99 * mx[i].emu, 101 * mx[i].emu, "");
    fprintf(f, fmt, mx[i].cpu, mp, "process", 100.0, 99.0, 101.0, "");
    fprintf(f, fmt, mx[i].cpu, mp, "py-thread", 10 * mx[i].py, 9.9 * mx[i].py, 10.1 * mx[i].py, "CPython t");
    fprintf(f, fmt, mx[i].cpu, mp, "py-process", 10.0, 9.9, 10.1, "CPython p");
  }
  fclose(f);
}

/* runs.csv for DIR/summary.csv: 8 rounds of each configuration around its
 * median, every configuration moved by the same +-0.4% drift per round
 * (which the pairs cancel: the paired ratios are the medians' ratios). */
static void runs_from_summary(const char *dir) {
  char path[600], err[256];
  snprintf(path, sizeof path, "%s/summary.csv", dir);
  cfb_csv_table t;
  CHECK(cfb_csv_load(path, &t, err, sizeof err) == 0);
  snprintf(path, sizeof path, "%s/runs.csv", dir);
  FILE *f = fopen(path, "w");
  CHECK(f);
  fprintf(f, "workload,kind,params,backend,workers,chunksize,pin,repeat,round,items_per_s,status\n");
  for (size_t r = 0; r < t.nrows; r++)
    for (int k = 0; k < 8; k++)
      fprintf(f, "%s,%s,\"%s\",%s,%s,%s,%s,%d,%d,%.6g,ok\n", cfb_csv_get(&t, r, "workload"),
              cfb_csv_get(&t, r, "kind"), cfb_csv_get(&t, r, "params"), cfb_csv_get(&t, r, "backend"),
              cfb_csv_get(&t, r, "workers"), cfb_csv_get(&t, r, "chunksize"), cfb_csv_get(&t, r, "pin"),
              k, k, atof(cfb_csv_get(&t, r, "median")) * (1 + 0.002 * (double)((k * 3) % 5 - 2)));
  fclose(f);
  cfb_csv_table_free(&t);
}

/* A run with the mode column: sleep delay=0 one at a time (roundtrip) and
 * through map, on thread and py-thread, and verdicts.csv's paired ratio
 * for the roundtrip pair only.  The costs: roundtrip first (its paired
 * ratio read back), then map (no paired ratio: NAN). */
static void test_python_roundtrip(void) {
  char dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/pyrt", work);
  CHECK(mkdir(dir, 0755) == 0);
  snprintf(path, sizeof path, "%s/summary.csv", dir);
  FILE *f = fopen(path, "w");
  CHECK(f);
  fprintf(f, "workload,kind,params,backend,workers,chunksize,pin,mode,n,median,ci_lo,ci_hi,status,python\n");
  const char *row = "sleep,io,delay=0s,%s,1,1,none,%s,5,%g,%g,%g,ok,%s\n";
  fprintf(f, row, "thread", "roundtrip", 1e5, 0.9e5, 1.1e5, "");    /* 10 us */
  fprintf(f, row, "py-thread", "roundtrip", 1e4, 0.9e4, 1.1e4, "C"); /* 100 us */
  fprintf(f, row, "thread", "map", 1e6, 0.9e6, 1.1e6, "");          /* 1 us */
  fprintf(f, row, "py-thread", "map", 2e4, 1.9e4, 2.1e4, "C");       /* 50 us */
  fclose(f);
  snprintf(path, sizeof path, "%s/verdicts.csv", dir);
  CHECK((f = fopen(path, "w")));
  fprintf(f, "workload,params,workers,chunksize,pin,mode,a,b,ratio,ci_lo,ci_hi,rounds,verdict\n");
  /* rows one key away from the roundtrip pair come first: a matcher of
   * its own that skipped one key would read one of them */
  fprintf(f, "sleep,delay=0s,1,1,none,submit,thread,py-thread,7,6,8,4,thread\n");
  fprintf(f, "sleep,delay=0s,2,1,none,roundtrip,thread,py-thread,6,5,7,4,thread\n");
  fprintf(f, "sleep,delay=0s,1,1,compact,roundtrip,thread,py-thread,5,4,6,4,thread\n");
  fprintf(f, "sleep,delay=0s,1,1,none,roundtrip,py-thread,thread,4,3,5,4,thread\n");
  fprintf(f, "sleep,delay=0s,1,1,none,roundtrip,thread,py-thread,9.5,9,10,5,thread\n");
  fprintf(f, "sleep,delay=0s,1,1,none,roundtrip,thread,process,3,2,4,5,thread\n");
  fclose(f);
  cfb_analysis an;
  char err[256];
  CHECK(cfb_an_load(dir, &an, err, sizeof err) == 0);
  CHECK_EQ(an.ng, 2); /* the modes stay apart */
  cfb_an_cost c[8];
  CHECK_EQ(cfb_an_task_costs(&an, c, 8), 2);
  CHECK(!strcmp(c[0].mode, "roundtrip") && fabs(c[0].c_us - 10) < 1e-9 && fabs(c[0].py_us - 100) < 1e-9);
  CHECK(fabs(c[0].paired - 9.5) < 1e-12 && fabs(c[0].paired_lo - 9) < 1e-12 && c[0].rounds == 5);
  CHECK(!strcmp(c[1].mode, "map") && fabs(c[1].ratio - 50) < 1e-9 && isnan(c[1].paired));
  /* the cost table's pair is the one the who-wins answers read */
  const cfb_sumrow *a = NULL, *b = NULL;
  for (size_t i = 0; i < an.rs.nrows; i++) {
    const cfb_sumrow *s = &an.rs.rows[i];
    if (!strcmp(s->mode, "roundtrip") && !strcmp(s->backend, "thread")) a = s;
    if (!strcmp(s->mode, "roundtrip") && !strcmp(s->backend, "py-thread")) b = s;
  }
  CHECK(a && b);
  cfb_an_pair p;
  CHECK(cfb_pairs_verdict(&an.pairs, &an.rs, a, b, &p) == 0);
  CHECK(p.from_file && p.ratio == c[0].paired && p.ci_hi == c[0].paired_hi && p.rounds == c[0].rounds);
  cfb_an_free(&an);
  char *argv[] = {"report", dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
  char *md = slurp(dir, "report.md");
  CHECK_STR_CONTAINS(md, "| thread vs py-thread | roundtrip | 1 | 1 | 10 | 100 | 10.0× | 9.5× [9.0, 10.0], 5 |");
  free(md);
}

/* Every <tr> of html lies between a <table> and its </table>, and the
 * tables close: a table row outside a table is dropped or misdrawn. */
static int rows_in_tables(const char *html) {
  int open = 0;
  for (const char *p = html; (p = strchr(p, '<')); p++) {
    if (!strncmp(p, "<table>", 7)) {
      if (open++) return 0;
    } else if (!strncmp(p, "</table>", 8)) {
      if (!open--) return 0;
    } else if (!strncmp(p, "<tr>", 4) && !open) {
      return 0;
    }
  }
  return open == 0;
}

static void test_python_section(void) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/py", work);
  CHECK(mkdir(dir, 0755) == 0);
  write_py_summary(dir, "io_us=200us,gil=on"); /* a run from before ipc_us */
  runs_from_summary(dir);
  cfb_analysis an;
  char err[256];
  CHECK(cfb_an_load(dir, &an, err, sizeof err) == 0);
  const cfb_resultset *rs = &an.rs;
  CHECK(cfb_an_has_py(rs));
  const cfb_group *g = an.g;
  size_t ng = an.ng;
  cfb_an_cost c[8];
  CHECK_EQ(cfb_an_task_costs(&an, c, 8), 6);
  CHECK(!strcmp(c[0].c, "thread") && c[0].chunksize == 1 && fabs(c[0].ratio - 25) < 1e-9);
  CHECK(!strcmp(c[2].py, "py-thread") && c[2].chunksize == 256 && fabs(c[2].ratio - 25 * 256) < 1e-6);
  CHECK(!strcmp(c[3].c, "process") && fabs(c[3].c_us - 1) < 1e-9 && fabs(c[3].py_us - 200) < 1e-9);
  cfb_an_speedup sp[4];
  CHECK_EQ(cfb_an_docs_speedups(rs, g, ng, sp, 4), 4);
  CHECK(!strcmp(sp[2].backend, "py-thread") && fabs(sp[2].speedup - 1.05) < 1e-9 && sp[2].workers == 2);
  CHECK(!strcmp(sp[3].backend, "py-process") && fabs(sp[3].speedup - 1.8) < 1e-9);
  cfb_an_fidelity fi;
  CHECK(cfb_an_gil_fidelity(&an, &fi) == 0);
  CHECK_EQ(fi.workers, 2);
  CHECK(fi.have_emu && fi.emu_x > 10 && fi.emu_x < 100);
  CHECK(fi.py_x > 100 && fi.py_x < 1000);
  CHECK(fabs(fi.ratio - fi.emu_x / fi.py_x) < 1e-9);
  /* py-thread against py-process is paired by round like thread/process */
  CHECK_EQ(fi.py.pair[0].rounds, 8);
  CHECK(fi.py.pair[0].verdict == CFB_PAIRED_A && fi.py.pair[2].verdict == CFB_PAIRED_B);
  cfb_an_free(&an);
  char *argv[] = {"report", dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
  char *md = slurp(dir, "report.md");
  CHECK_STR_CONTAINS(md, "## cfutures against CPython");
  CHECK_STR_CONTAINS(md, "| thread vs py-thread | map | 1 | 1 | 2 | 50 | 25.0× | - |");
  CHECK_STR_CONTAINS(md, "| py-process | 1 | 2 | 1.8 | 1.80× |");
  CHECK_STR_CONTAINS(md, "NOT agree with CPython within a factor of 2"); /* 30 vs 300 us */
  CHECK_STR_CONTAINS(md, "](plots/gil_fidelity.png)");
  CHECK_STR_CONTAINS(md, "The emulation has no ipc\\_us here (a run made before the parameter)");
  free(md);
  char *html = slurp(dir, "report.html");
  CHECK_STR_CONTAINS(html, "<td>thread vs py-thread</td>");
  CHECK(rows_in_tables(html)); /* the per-task cost and PRIMES tables too */
  free(html);
  char *gp = slurp(dir, "plots/gil_fidelity.dat");
  CHECK_STR_CONTAINS(gp, "100 0.5 2\n");
  free(gp);
  /* no py rows: no section */
  char d2[512];
  fresh("nopy", d2, sizeof d2);
  char *argv2[] = {"report", d2, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv2), 0);
  md = slurp(d2, "report.md");
  CHECK(!strstr(md, "cfutures against CPython"));
  free(md);
  /* a run with the emulated process pool's serial cost: the note names it */
  char d3[512];
  snprintf(d3, sizeof d3, "%s/py_ipc", work);
  CHECK(mkdir(d3, 0755) == 0);
  write_py_summary(d3, "io_us=200us,gil=on,work_scale=1,ipc_us=250us");
  runs_from_summary(d3);
  char *argv3[] = {"report", d3, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv3), 0);
  md = slurp(d3, "report.md");
  CHECK_STR_CONTAINS(md, "| py-thread | 1 | 2 | 1.05 | 1.05× |"); /* the PRIMES table's py rows */
  CHECK_STR_CONTAINS(md, "pays ipc\\_us = 250us per item under one lock shared by the pool");
  CHECK(!strstr(md, "no ipc\\_us here"));
  free(md);
}

static void test_json(void) {
  const char *text = "{\"a\": 1, \"m\": {\"s\": \"x\\\"y\", \"arr\": [1, {\"q\": 2}], \"n\": -2.5e3,"
                     " \"t\": true, \"u\": \"caf\\u00e9\"}, \"z\": \"last\"}";
  json_t *j = json_loads(text, 0, NULL);
  CHECK(j);
  char s[32];
  double d;
  CHECK(cfb_json_get_string(j, "m.s", s, sizeof s) == 0 && !strcmp(s, "x\"y"));
  CHECK(cfb_json_get_number(j, "m.n", &d) == 0 && d == -2500);
  CHECK(cfb_json_get_number(j, "m.t", &d) == 0 && d == 1);
  CHECK(cfb_json_get_string(j, "z", s, sizeof s) == 0 && !strcmp(s, "last"));
  CHECK(cfb_json_get_string(j, "m.missing", s, sizeof s) == -1);
  CHECK(cfb_json_get_string(j, "a", s, sizeof s) == -1); /* not a string */
  /* Non-ASCII escapes come back as UTF-8 (the hand-written reader made them '?'). */
  CHECK(cfb_json_get_string(j, "m.u", s, sizeof s) == 0 && !strcmp(s, "caf\xc3\xa9"));
  json_decref(j);
  CHECK(json_loads("{\"a\": [1,", 0, NULL) == NULL);
  /* cfb_json_set makes the objects on the way; a string that is not UTF-8 is kept, marked. */
  j = json_object();
  CHECK(cfb_json_set(j, "machine.cpu_model", cfb_json_str("x\xff")) == 0);
  CHECK(cfb_json_get_string(j, "machine.cpu_model", s, sizeof s) == 0 && !strcmp(s, "x?"));
  CHECK(cfb_json_set(j, "machine.cpu_model.deeper", json_true()) == -1);
  json_decref(j);
}

/* ---- the characterization section (report_char.c): the results
 * fixture beside the characterizations `cfbench bench` leaves in
 * DIR/characterize/NAME/ (fixtures/characterize: measure.json of each
 * built-in workload, real measurements) */

#define SECTION "## What kind of workload each is, and why"

static const char *const workloads[] = {"memtouch", "mixed", "primes", "sleep", "socket"};
#define NW (sizeof workloads / sizeof workloads[0])

/* work/NAME: fixtures/sweep, with the characterizations `cfbench bench`
 * would leave (fixtures/characterize) if asked. */
static void fresh_chars(const char *name, int with_chars, char *dir, size_t len) {
  fresh(name, dir, len);
  if (!with_chars) return;
  char a[1024], b[1024];
  snprintf(b, sizeof b, "%s/" CFB_CHAR_BENCH_SUBDIR, dir);
  CHECK(mkdir(b, 0755) == 0);
  for (size_t i = 0; i < NW; i++) {
    snprintf(b, sizeof b, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s", dir, workloads[i]);
    CHECK(mkdir(b, 0755) == 0);
    snprintf(a, sizeof a, "%s/characterize/%s/" CFB_CHAR_MEASURE_FILE, fixtures, workloads[i]);
    snprintf(b, sizeof b, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s/" CFB_CHAR_MEASURE_FILE, dir, workloads[i]);
    copy(a, b);
  }
}

static void report_of(const char *dir) {
  char *argv[] = {"report", (char *)dir, NULL};
  CHECK_EQ(cfb_cmd_report(2, argv), 0);
}

/* The text between SECTION and the next "## " heading. */
static char *section(char *md) {
  char *s = strstr(md, SECTION);
  CHECK(s);
  char *end = strstr(s + strlen(SECTION), "\n## ");
  if (end) *end = '\0';
  return s;
}

/* Then one measure.json broken (in the same directory: its plots are
 * made, so this report is quick): named with the reason, the rest stand. */
static void char_broken(const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/" CFB_CHAR_BENCH_SUBDIR "/mixed/" CFB_CHAR_MEASURE_FILE, dir);
  FILE *f = fopen(path, "w");
  CHECK(f);
  fputs("{\"version\": 99}", f);
  fclose(f);
  report_of(dir);
  char *md = slurp(dir, "report.md");
  char *s = section(md);
  CHECK_STR_CONTAINS(s, "### mixed\n\nNot analysed: ");
  CHECK_STR_CONTAINS(s, "version 99");
  CHECK_STR_CONTAINS(s, "| sleep | io | ");
  CHECK(!strstr(s, "\n| mixed | "));
  free(md);
}

/* Every workload: its row (name, the analysed kind, the analysed
 * recommendation), its subsection with the reason, its plot linked in
 * Markdown and inlined in HTML. */
static void test_char_section(void) {
  char dir[512], sub[1024], want[1024];
  fresh_chars("section", 1, dir, sizeof dir);
  report_of(dir);
  char *md = slurp(dir, "report.md"), *html = slurp(dir, "report.html");
  char *s = section(md);
  cfb_char *c = malloc(sizeof *c);
  CHECK(c);
  for (size_t i = 0; i < NW; i++) {
    char err[512];
    snprintf(sub, sizeof sub, "%s/" CFB_CHAR_BENCH_SUBDIR "/%s", dir, workloads[i]);
    CHECK_EQ(cfb_char_analyze(sub, c, err, sizeof err), 0);
    CHECK_GE(c->rec, 0);
    const cfb_char_backend *b = &c->b[c->rec];
    snprintf(want, sizeof want, "| %s | %s | ", workloads[i], c->kind);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "| %s, %d worker%s, chunksize %zu |", b->name, b->rec_workers,
             b->rec_workers == 1 ? "" : "s", b->chunksize);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "### %s ", workloads[i]);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "Kind: %s, because it was ", c->kind);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "](" CFB_CHAR_BENCH_SUBDIR "/%s/plots/characterize.png)", workloads[i]);
    CHECK_STR_CONTAINS(s, want);
    snprintf(want, sizeof want, "<td>%s</td><td>%s</td>", workloads[i], c->kind);
    CHECK_STR_CONTAINS(html, want);
  }
  /* the kinds differ across the built-ins: the row is not one text for all */
  CHECK_STR_CONTAINS(s, "| sleep | io | ");
  CHECK_STR_CONTAINS(s, "| primes | cpu | ");
  CHECK_STR_CONTAINS(html, "<h2>What kind of workload each is, and why</h2>");
  CHECK(strstr(html, "src=\"data:image/png;base64,iVBORw0KGgo"));
  CHECK(!strstr(html, "src=\"" CFB_CHAR_BENCH_SUBDIR "/"));
  free(c);
  free(md);
  free(html);
  char_broken(dir);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

/* The readers' one equality of configuration fields: an absent cell
 * (NULL) is an empty one, and neither equals a value. */
static void test_streq(void) {
  CHECK(cfb_streq(NULL, NULL) && cfb_streq(NULL, "") && cfb_streq("", NULL));
  CHECK(cfb_streq("map", "map"));
  CHECK(!cfb_streq(NULL, "map") && !cfb_streq("none", NULL) && !cfb_streq("map", "mapx"));
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_report FIXTURES_DIR [test]\n");
    return 2;
  }
  fixtures = argv[1];
  snprintf(work, sizeof work, "/tmp/cfbench-test-report-XXXXXX");
  CHECK(mkdtemp(work));
  fprintf(stderr, "work dir: %s\n", work);
  static const test_case cases[] = {{"json", test_json},         {"analysis", test_analysis},
                                    {"plot", test_plot},         {"report", test_report},
                                    {"empty_param_hidden", test_empty_param_hidden},
                                    {"plot_title", test_plot_title},
                                    {"no_gnuplot", test_no_gnuplot}, {"bad_input", test_bad_input},
                                    {"paired_verdicts", test_paired_verdicts},
                                    {"planned_max", test_planned_max},
                                    {"python_section", test_python_section},
                                    {"char_section", test_char_section},
                                    {"python_roundtrip", test_python_roundtrip},
                                    {"streq", test_streq},
                                    {NULL, NULL}};
  int rc = run_tests(cases, argc, argv);
  if (rc == 0) nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS); /* kept on failure */
  return rc;
}
