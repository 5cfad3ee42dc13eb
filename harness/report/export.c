/* export.c -- `cfbench export` (export.h): Google Benchmark JSON and a
 * Markdown table, from runs.csv, summary.csv and meta.json.  Like Google
 * Benchmark's reporters it only formats: every figure is in the files. */
#include "export.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "csvread.h"
#include "fileio.h"
#include "format.h"
#include "cmd_report.h"
#include "json.h"
#include "options.h"
#include "schema.h"
#include "stats.h"
#include "strbuf.h"

static const char *const format_names[CFB_EXPORT_NFORMATS] = {"gbench", "md"};

/* The format named `name`: 0, or -1 if there is none. */
static int format_parse(const char *name, cfb_export_format *out) {
  for (int i = 0; i < CFB_EXPORT_NFORMATS; i++)
    if (!strcmp(name, format_names[i])) {
      *out = (cfb_export_format)i;
      return 0;
    }
  return -1;
}

/* ------------------------------------------------------------ gbench */

/* Google Benchmark's aggregates, in the order it writes them. */
typedef enum { AGG_MEAN, AGG_MEDIAN, AGG_STDDEV, AGG_CV, AGG_N } agg_kind;
static const char *const agg_names[AGG_N] = {"mean", "median", "stddev", "cv"};

static double aggregate(agg_kind k, const double *x, size_t n) {
  switch (k) {
  case AGG_MEAN: return cfb_stats_mean(x, n);
  case AGG_MEDIAN: return cfb_stats_median(x, n);
  case AGG_STDDEV: return n > 1 ? cfb_stats_stddev(x, n) : 0;
  default: {
    double m = cfb_stats_mean(x, n);
    return n > 1 && m != 0 ? cfb_stats_stddev(x, n) / m : 0;
  }
  }
}

/* A configuration column of row r; mode is "map" in a file from before it. */
static const char *config_col(const cfb_csv_table *t, size_t r, const char *name) {
  const char *v = cfb_csv_get(t, r, name);
  return !v && !strcmp(name, CFB_RUNS(MODE)) ? "map" : v;
}

/* "sleep/delay=1ms/thread/workers:2/chunksize:1/pin:none": Google
 * Benchmark's family/arg:value form, so its tools split it as they split
 * their own names; "/mode:roundtrip" after it when the mode is not map
 * (so the names of map configurations stay as they were). */
static void bench_name(const cfb_csv_table *t, size_t r, char *out, size_t len) {
  const char *params = cfb_csv_get(t, r, CFB_SUM(PARAMS)), *mode = config_col(t, r, CFB_SUM(MODE));
  int map = !strcmp(mode, "map");
  snprintf(out, len, "%s%s%s/%s/workers:%s/chunksize:%s/pin:%s%s%s", cfb_csv_get(t, r, CFB_SUM(WORKLOAD)),
           params && *params ? "/" : "", params ? params : "", cfb_csv_get(t, r, CFB_SUM(BACKEND)),
           cfb_csv_get(t, r, CFB_SUM(WORKERS)), cfb_csv_get(t, r, CFB_SUM(CHUNKSIZE)),
           cfb_csv_get(t, r, CFB_SUM(PIN)), map ? "" : "/mode:", map ? "" : mode);
}

/* Does runs.csv row rr belong to summary.csv row sr (the configuration
 * columns equal)? */
static int same_config(const cfb_csv_table *runs, size_t rr, const cfb_csv_table *sum, size_t sr) {
  for (int c = 0; c < CFB_CONFIG_NCOLS; c++) {
    const char *a = config_col(runs, rr, cfb_runs_columns[c]), *b = config_col(sum, sr, cfb_summary_columns[c]);
    if (!a || !b || strcmp(a, b)) return 0;
  }
  return 1;
}

static double field_num(const cfb_csv_table *t, size_t r, const char *col) {
  double v;
  const char *s = cfb_csv_get(t, r, col);
  return s && cfb_csv_double(s, &v) == 1 ? v : NAN;
}

/* One measured repetition: its time per item, CPU time per item and rate. */
typedef struct rep {
  int index;
  double iterations, real_ns, cpu_ns, items_per_s;
} rep;

static int rep_of(const cfb_csv_table *runs, size_t r, rep *out) {
  const char *st = cfb_csv_get(runs, r, CFB_RUNS(STATUS));
  double done = field_num(runs, r, CFB_RUNS(ITEMS_DONE)), wall = field_num(runs, r, CFB_RUNS(WALL_S));
  if (!st || strcmp(st, "ok") || !(done > 0) || !(wall > 0)) return 0;
  double cpu = field_num(runs, r, CFB_RUNS(CPU_USER_S)) + field_num(runs, r, CFB_RUNS(CPU_SYS_S));
  out->index = (int)field_num(runs, r, CFB_RUNS(REPEAT));
  out->iterations = done;
  out->real_ns = wall / done * 1e9;
  /* not measured: Google Benchmark's tools need a number; the wall time is
   * what a single-threaded benchmark's CPU time would be */
  out->cpu_ns = isfinite(cpu) ? cpu / done * 1e9 : out->real_ns;
  out->items_per_s = field_num(runs, r, CFB_RUNS(ITEMS_PER_S));
  return 1;
}

static json_t *bench_common(const char *name, const char *run_type, size_t reps, int threads) {
  json_t *b = json_object();
  json_object_set_new(b, "name", json_string(name));
  json_object_set_new(b, "run_name", json_string(name));
  json_object_set_new(b, "run_type", json_string(run_type));
  json_object_set_new(b, "repetitions", json_integer((json_int_t)reps));
  json_object_set_new(b, "threads", json_integer(threads));
  return b;
}

static void bench_times(json_t *b, double iterations, double real_ns, double cpu_ns, double ips) {
  json_object_set_new(b, "iterations", json_integer((json_int_t)llround(iterations)));
  json_object_set_new(b, "real_time", cfb_json_num(real_ns));
  json_object_set_new(b, "cpu_time", cfb_json_num(cpu_ns));
  json_object_set_new(b, "time_unit", json_string("ns"));
  if (isfinite(ips)) json_object_set_new(b, "items_per_second", json_real(ips));
}

static int by_index(const void *a, const void *b) {
  return ((const rep *)a)->index - ((const rep *)b)->index;
}

/* The iteration entries and the aggregates of summary row sr. */
static int add_config(json_t *arr, const cfb_csv_table *sum, size_t sr, const cfb_csv_table *runs) {
  char name[1024];
  bench_name(sum, sr, name, sizeof name);
  int threads = (int)field_num(sum, sr, CFB_SUM(WORKERS));
  rep *v = calloc(runs->nrows ? runs->nrows : 1, sizeof *v);
  double *x = calloc(runs->nrows ? runs->nrows : 1, 4 * sizeof *x);
  if (!v || !x) {
    free(v);
    free(x);
    return -1;
  }
  size_t n = 0;
  for (size_t r = 0; r < runs->nrows; r++)
    if (same_config(runs, r, sum, sr) && rep_of(runs, r, &v[n])) n++;
  qsort(v, n, sizeof *v, by_index); /* runs.csv is in run order: rounds interleave */
  for (size_t i = 0; i < n; i++) {
    json_t *b = bench_common(name, "iteration", n, threads);
    json_object_set_new(b, "repetition_index", json_integer(v[i].index));
    bench_times(b, v[i].iterations, v[i].real_ns, v[i].cpu_ns, v[i].items_per_s);
    json_array_append_new(arr, b);
  }
  double *it = x, *real = x + n, *cpu = x + 2 * n, *ips = x + 3 * n;
  for (size_t i = 0; i < n; i++) {
    it[i] = v[i].iterations;
    real[i] = v[i].real_ns;
    cpu[i] = v[i].cpu_ns;
    ips[i] = v[i].items_per_s;
  }
  /* Google Benchmark writes aggregates only for repeated benchmarks. */
  for (int k = 0; n > 1 && k < AGG_N; k++) {
    char aname[1100];
    snprintf(aname, sizeof aname, "%s_%s", name, agg_names[k]);
    json_t *b = bench_common(aname, "aggregate", n, threads);
    json_object_set_new(b, "run_name", json_string(name));
    json_object_set_new(b, "aggregate_name", json_string(agg_names[k]));
    json_object_set_new(b, "aggregate_unit", json_string(k == AGG_CV ? "percentage" : "time"));
    bench_times(b, cfb_stats_mean(it, n), aggregate((agg_kind)k, real, n), aggregate((agg_kind)k, cpu, n),
                aggregate((agg_kind)k, ips, n));
    json_array_append_new(arr, b);
  }
  free(v);
  free(x);
  return 0;
}

/* meta.json's machine.caches ("level,type,size,sharing;...") as Google
 * Benchmark's caches array. */
static json_t *caches_json(const char *s) {
  json_t *a = json_array();
  while (s && *s) {
    unsigned level;
    char type[32];
    unsigned long long size;
    int sharing;
    if (sscanf(s, "%u,%31[A-Za-z],%llu,%d", &level, type, &size, &sharing) == 4) {
      json_t *c = json_object();
      json_object_set_new(c, "type", json_string(type));
      json_object_set_new(c, "level", json_integer(level));
      json_object_set_new(c, "size", json_integer((json_int_t)size));
      json_object_set_new(c, "num_sharing", json_integer(sharing));
      json_array_append_new(a, c);
    }
    s = strchr(s, ';');
    if (s) s++;
  }
  return a;
}

/* Google Benchmark's context from meta.json (a field it lacks is left out). */
static json_t *gbench_context(const json_t *meta) {
  json_t *c = json_object();
  char buf[4096];
  double d;
  if (!cfb_json_get_string(meta, CFB_META(STARTED), buf, sizeof buf)) json_object_set_new(c, "date", json_string(buf));
  if (!cfb_json_get_string(meta, CFB_META(HOSTNAME), buf, sizeof buf))
    json_object_set_new(c, "host_name", cfb_json_str(buf));
  json_object_set_new(c, "executable", json_string("cfbench"));
  if (!cfb_json_get_string(meta, CFB_META(COMMAND_LINE), buf, sizeof buf))
    json_object_set_new(c, "cfbench_command_line", cfb_json_str(buf));
  if (!cfb_json_get_number(meta, CFB_META(PUS), &d)) json_object_set_new(c, "num_cpus", json_integer((json_int_t)d));
  if (!cfb_json_get_number(meta, CFB_META(MHZ), &d)) json_object_set_new(c, "mhz_per_cpu", json_integer(llround(d)));
  /* as Google Benchmark decides it: a cpufreq governor other than performance */
  if (!cfb_json_get_string(meta, CFB_META(GOVERNOR), buf, sizeof buf))
    json_object_set_new(c, "cpu_scaling_enabled", json_boolean(strcmp(buf, "unknown") && strcmp(buf, "performance")));
  buf[0] = '\0';
  cfb_json_get_string(meta, CFB_META(CACHES), buf, sizeof buf);
  json_object_set_new(c, "caches", caches_json(buf));
  json_object_set_new(c, "load_avg", json_array());
  if (!cfb_json_get_string(meta, CFB_META(BUILD_TYPE), buf, sizeof buf)) {
    for (char *p = buf; *p; p++) *p = (char)tolower((unsigned char)*p);
    /* Google Benchmark's two values: "debug" or "release" */
    json_object_set_new(c, "library_build_type", json_string(!strcmp(buf, "debug") ? "debug" : "release"));
  }
  json_object_set_new(c, "json_schema_version", json_integer(1));
  return c;
}

static json_t *gbench_doc(const char *dir, const cfb_csv_table *sum, const cfb_csv_table *runs) {
  char path[4200];
  snprintf(path, sizeof path, "%s/meta.json", dir);
  json_t *meta = cfb_json_load_file(path, NULL, 0);
  json_t *root = json_object(), *arr = json_array();
  json_object_set_new(root, "context", gbench_context(meta ? meta : root));
  json_decref(meta);
  for (size_t r = 0; r < sum->nrows; r++)
    if (add_config(arr, sum, r, runs)) {
      json_decref(arr);
      json_decref(root);
      return NULL;
    }
  json_object_set_new(root, "benchmarks", arr);
  return root;
}

/* ---------------------------------------------------------------- md */

/* One Markdown cell: '|' escaped, line breaks as spaces. */
static void md_cell(cfb_sb *b, const char *s) {
  cfb_sb_append(b, " ");
  for (; s && *s; s++) {
    if (*s == '|') cfb_sb_append(b, "\\|");
    else if (*s == '\n' || *s == '\r') cfb_sb_append(b, " ");
    else cfb_sb_appendn(b, s, 1);
  }
  cfb_sb_append(b, " |");
}

static void md_table(cfb_sb *b, const cfb_csv_table *sum) {
  static const char *const head[] = {"workload", "params", "backend", "workers", "chunksize", "pin", "mode",
                                     "n", "median items/s", "95% CI", "efficiency", "status"};
  cfb_sb_append(b, "|");
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) md_cell(b, head[i]);
  cfb_sb_append(b, "\n|");
  /* figures right-aligned (workers, chunksize, n .. efficiency); names,
   * pin among them, left */
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    cfb_sb_append(b, (i >= 3 && i <= 4) || (i >= 7 && i <= 10) ? "---:|" : "---|");
  cfb_sb_append(b, "\n");
  for (size_t r = 0; r < sum->nrows; r++) {
    cfb_sb_append(b, "|");
    for (int c = 0; c < CFB_CONFIG_NCOLS; c++)
      if (c != CFB_SUM_KIND) md_cell(b, config_col(sum, r, cfb_summary_columns[c]));
    md_cell(b, cfb_csv_get(sum, r, CFB_SUM(N)));
    char med[32], lo[32], hi[32], ci[80], eff[32] = "";
    cfb_fmt_rate(field_num(sum, r, CFB_SUM(MEDIAN)), med, sizeof med);
    cfb_fmt_rate(field_num(sum, r, CFB_SUM(CI_LO)), lo, sizeof lo);
    cfb_fmt_rate(field_num(sum, r, CFB_SUM(CI_HI)), hi, sizeof hi);
    snprintf(ci, sizeof ci, "%s..%s", lo, hi);
    double e = field_num(sum, r, CFB_SUM(EFFICIENCY_MEDIAN));
    if (isfinite(e)) snprintf(eff, sizeof eff, "%.0f%%", e * 100);
    md_cell(b, med);
    md_cell(b, ci);
    md_cell(b, eff);
    md_cell(b, cfb_csv_get(sum, r, CFB_SUM(STATUS)));
    cfb_sb_append(b, "\n");
  }
}

/* ------------------------------------------------------------ output */

static int write_text(const char *path, const char *text, char *err, size_t errlen) {
  if (!path) {
    /* A failed write is main's to report when it closes stdout: one line,
     * with the cause cfb_put_stdout keeps. */
    cfb_put_stdout(text);
    return 0;
  }
  cfb_atomic_file a;
  if (cfb_atomic_open(&a, path) == 0) {
    fputs(text, a.f);
    if (cfb_atomic_commit(&a) == 0) return 0;
  }
  cfb_fail(err, errlen, "export: cannot write %s: %s", path, strerror(errno));
  return 1;
}

int cfb_export(const char *dir, cfb_export_format fmt, const char *path, char *err, size_t errlen) {
  char p[4200], sub[512];
  cfb_csv_table sum = {0}, runs = {0};
  snprintf(p, sizeof p, "%s/summary.csv", dir);
  if (cfb_csv_load(p, &sum, sub, sizeof sub)) return cfb_fail(err, errlen, "export: %s", sub);
  int rc = 0;
  char *text = NULL;
  if (fmt == CFB_EXPORT_GBENCH) {
    snprintf(p, sizeof p, "%s/runs.csv", dir);
    if (cfb_csv_load(p, &runs, sub, sizeof sub)) {
      cfb_csv_table_free(&sum);
      return cfb_fail(err, errlen, "export: %s", sub);
    }
    json_t *doc = gbench_doc(dir, &sum, &runs);
    text = doc ? cfb_json_dumps(doc) : NULL;
    json_decref(doc);
  } else {
    cfb_sb b = {0};
    md_table(&b, &sum);
    text = cfb_sb_failed(&b) || !b.s ? NULL : strdup(b.s);
    cfb_sb_free(&b);
  }
  if (!text) rc = cfb_fail(err, errlen, "export: out of memory") - 1;
  else rc = write_text(path, text, err, errlen);
  free(text);
  cfb_csv_table_free(&sum);
  cfb_csv_table_free(&runs);
  return rc;
}

/* ---------------------------------------------------------- command */

typedef struct export_args {
  const char *dir, *out;
  int have_format;
  cfb_export_format fmt;
} export_args;

static int opt_format(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  export_args *a = ctx;
  if (format_parse(val, &a->fmt))
    return cfb_fail(err, errlen, "--format: unknown format '%s'; allowed: gbench, md", val);
  a->have_format = 1;
  return 0;
}

/* A path that cannot be written is bad input (2), as run's
 * --export-gbench: only a write that fails later (a full disk) is 1. */
static int opt_out(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  if (!*val) return cfb_fail(err, errlen, "--out: empty file name");
  if (cfb_writable_file("--out", val, err, errlen)) return 2;
  ((export_args *)ctx)->out = val;
  return 0;
}

static int positional(void *ctx, const char *arg, char *err, size_t errlen) {
  export_args *a = ctx;
  if (a->dir) return cfb_fail(err, errlen, "export: one results directory, got '%s' and '%s'", a->dir, arg);
  a->dir = arg;
  return 0;
}

static const cfb_option export_options[] = {
    {"--format", 1, opt_format, 0}, {"--out", 1, opt_out, 0}, {NULL, 0, NULL, 0}};

const cfb_option *cfb_export_option_table(void) { return export_options; }

int cfb_cmd_export(int argc, char **argv) {
  static const cfb_optspec spec = {"export", export_options, positional, NULL};
  if (cfb_options_help(argc - 1, argv + 1)) {
    printf("usage: cfbench export --format gbench|md DIR [--out FILE]\n"
           "  gbench  Google Benchmark JSON (compare.py, github-action-benchmark, Bencher)\n"
           "  md      a Markdown table of DIR/summary.csv\n"
           "writes FILE, or standard output\n");
    return 0;
  }
  export_args a = {0};
  char err[512];
  int rc = cfb_options_parse(&spec, argc - 1, argv + 1, &a, err, sizeof err);
  if (!rc && !a.dir) rc = cfb_fail(err, sizeof err, "export: no results directory given (cfbench export --help)");
  if (!rc && !a.have_format) rc = cfb_fail(err, sizeof err, "export: --format is required; allowed: gbench, md");
  if (!rc) rc = cfb_export(a.dir, a.fmt, a.out, err, sizeof err);
  /* cfb_export's own errors say "export: ..." (run --export-gbench prints
   * them too); the option parser's do not: name the command once. */
  if (rc) fprintf(stderr, "cfbench %s%s\n", strncmp(err, "export: ", 8) ? "export: " : "", err);
  return rc;
}
