/* compare.c -- `cfbench compare BASE NEW [--threshold 5%] [--alpha 0.01]
 * [--format text|md|json] [--metric wall|cpu] [--ignore-param K,...]`, the
 * CI regression gate.  Reads runs.csv of both sides (a run directory or the
 * file itself; a comma-separated list pools several runs), groups the ok
 * repetitions by configuration (workload, params, backend, workers,
 * chunksize, pin), decides each configuration present in both with
 * compare_stats.c and prints one table.  Exit 0: no regression; 1: at least
 * one configuration slower; 2: bad input (said in one line). */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cfwork_params.h>

#include "cmd_report.h"
#include "compare.h"
#include "csvread.h"
#include "json.h"
#include "options.h"
#include "schema.h"
#include "strbuf.h"

typedef struct config {
  char *key;  /* "workload\x1fparams\x1fbackend\x1fworkers\x1fchunksize\x1fpin" */
  char *name; /* for people: "primes (preset=docs) process w=2 c=16" */
  double *x;
  size_t n, cap;
} config;

typedef struct run {
  config *c;
  size_t n, cap;
} run;

static void run_free(run *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->c[i].key);
    free(r->c[i].name);
    free(r->c[i].x);
  }
  free(r->c);
  memset(r, 0, sizeof *r);
}

static config *find(run *r, const char *key) {
  for (size_t i = 0; i < r->n; i++)
    if (!strcmp(r->c[i].key, key)) return &r->c[i];
  return NULL;
}

static int push(double **x, size_t *n, size_t *cap, double v) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 8;
    double *nx = realloc(*x, nc * sizeof *nx);
    if (!nx) return -1;
    *x = nx;
    *cap = nc;
  }
  (*x)[(*n)++] = v;
  return 0;
}

/* Is `key` in the comma-separated list `ignore`? */
static int ignored(const char *ignore, const char *key) {
  size_t klen = strlen(key);
  for (const char *p = ignore; p && *p;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (n == klen && !strncmp(p, key, klen)) return 1;
    p += n + (c ? 1 : 0);
  }
  return 0;
}

/* params without the ignored keys (split and formatted again by the one
 * owner of the syntax, cf_wk_params_*), malloc'd; NULL when out of memory
 * or not a parameter string. */
static char *strip_params(const char *params, const char *ignore) {
  cf_wk_kv *kv;
  size_t n;
  if (cf_wk_params_split(params ? params : "", &kv, &n) != 0) return NULL;
  const char **k = calloc(n ? n : 1, sizeof *k), **v = calloc(n ? n : 1, sizeof *v);
  size_t m = 0;
  for (size_t i = 0; k && v && i < n; i++)
    if (!ignored(ignore, kv[i].key)) k[m] = kv[i].key, v[m++] = kv[i].value;
  char *s = k && v ? cf_wk_params_format(k, v, m) : NULL;
  free(k);
  free(v);
  cf_wk_params_free(kv, n);
  return s;
}

/* Load PATH (a run directory or a runs.csv) into r, parameters in
 * `ignore` dropped from the configuration.  0, or -1 with err. */
static int load_one(const char *path, const char *ignore, int cpu, run *r, char *err,
                    size_t errlen) {
  char file[4200];
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(st.st_mode))
    snprintf(file, sizeof file, "%s/runs.csv", path);
  else
    snprintf(file, sizeof file, "%s", path);
  cfb_csv_table t;
  if (cfb_csv_load(file, &t, err, errlen) != 0) return -1;
  static const cfb_runs_col need[] = {CFB_RUNS_WORKLOAD, CFB_RUNS_PARAMS, CFB_RUNS_BACKEND,
                                      CFB_RUNS_WORKERS, CFB_RUNS_CHUNKSIZE, CFB_RUNS_ITEMS_PER_S};
  for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
    if (cfb_csv_col(&t, cfb_runs_columns[need[i]]) < 0) {
      snprintf(err, errlen, "%s: no column '%s' (is it a cfbench runs.csv?)", file,
               cfb_runs_columns[need[i]]);
      cfb_csv_table_free(&t);
      return -1;
    }
  }
  int rc = 0;
  for (size_t i = 0; i < t.nrows && !rc; i++) {
    const char *status = cfb_csv_get(&t, i, CFB_RUNS(STATUS));
    if (status && *status && strcmp(status, "ok") != 0) continue;
    double v;
    if (cpu) { /* items per CPU-second of the process (children included) */
      double items, us, sy;
      if (cfb_csv_double(cfb_csv_get(&t, i, CFB_RUNS(ITEMS_DONE)), &items) != 1 ||
          cfb_csv_double(cfb_csv_get(&t, i, CFB_RUNS(CPU_USER_S)), &us) != 1 ||
          cfb_csv_double(cfb_csv_get(&t, i, CFB_RUNS(CPU_SYS_S)), &sy) != 1 || !(us + sy > 0))
        continue;
      v = items / (us + sy);
    } else if (cfb_csv_double(cfb_csv_get(&t, i, CFB_RUNS(ITEMS_PER_S)), &v) != 1 || !(v >= 0)) {
      continue;
    }
    char *params = strip_params(cfb_csv_get(&t, i, CFB_RUNS(PARAMS)), ignore);
    if (!params) {
      snprintf(err, errlen, "%s: row %zu: params '%s' is not a parameter string", file, i + 2,
               cfb_csv_get(&t, i, CFB_RUNS(PARAMS)));
      cfb_csv_table_free(&t);
      return -1;
    }
    const char *wl = cfb_csv_get(&t, i, CFB_RUNS(WORKLOAD)),
               *be = cfb_csv_get(&t, i, CFB_RUNS(BACKEND)), *w = cfb_csv_get(&t, i, CFB_RUNS(WORKERS)),
               *c = cfb_csv_get(&t, i, CFB_RUNS(CHUNKSIZE)), *pin = cfb_csv_get(&t, i, CFB_RUNS(PIN));
    if (!pin || !*pin) pin = "none";
    /* The whole key, however long: a truncated one could merge two configurations. */
    char *key = NULL;
    if (asprintf(&key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", wl, params, be, w, c, pin) < 0) {
      free(params);
      rc = -1;
      break;
    }
    config *cf = find(r, key);
    if (!cf) {
      if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        config *ncf = realloc(r->c, nc * sizeof *ncf);
        if (!ncf) {
          free(key);
          free(params);
          rc = -1;
          break;
        }
        r->c = ncf;
        r->cap = nc;
      }
      cf = &r->c[r->n];
      memset(cf, 0, sizeof *cf);
      cf->key = key;
      key = NULL;
      if (asprintf(&cf->name, "%s%s%s%s %s w=%s c=%s%s%s", wl, *params ? " (" : "", params,
                   *params ? ")" : "", be, w, c, strcmp(pin, "none") ? " pin=" : "",
                   strcmp(pin, "none") ? pin : "") < 0)
        cf->name = NULL;
      r->n++;
      if (!cf->name) rc = -1;
    }
    free(key);
    free(params);
    if (!rc && push(&cf->x, &cf->n, &cf->cap, v) != 0) rc = -1;
  }
  cfb_csv_table_free(&t);
  if (rc) snprintf(err, errlen, "%s: out of memory", file);
  return rc;
}

/* PATHS: one run, or several separated by commas whose repetitions are
 * pooled (runs interleaved in time, e.g. base and new alternating). */
static int load_run(const char *paths, const char *ignore, int cpu, run *r, char *err,
                    size_t errlen) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", paths);
  char *save = NULL;
  for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
    if (load_one(p, ignore, cpu, r, err, errlen) != 0) return -1;
  return 0;
}

/* "5%", "5", "0.05" -> 0.05 (a bare number >= 1 is read as percent). */
static int parse_fraction(const char *s, double *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || !isfinite(v) || v < 0) return -1;
  if (*end == '%') {
    v /= 100;
    end++;
  } else if (v >= 1) {
    v /= 100;
  }
  if (*end) return -1;
  *out = v;
  return 0;
}

static void fmt_p(char *out, size_t len, double p) {
  if (p < 1e-4) snprintf(out, len, "%.1e", p);
  else snprintf(out, len, "%.4f", p);
}

enum { FMT_TEXT, FMT_MD, FMT_JSON };

/* ------------------------------------------------------------ options */

typedef struct cmp_opts {
  const char *paths[2], *ignore;
  int np, cpu, fmt;
  double threshold, alpha;
} cmp_opts;

static int set_threshold(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cmp_opts *o = ctx;
  if (parse_fraction(val, &o->threshold) != 0 || o->threshold >= 1)
    return cfb_fail(err, errlen, "bad --threshold '%s' (e.g. 5%% or 0.05)", val);
  return 0;
}

static int set_alpha(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cmp_opts *o = ctx;
  char *end;
  o->alpha = strtod(val, &end);
  if (end == val || *end || !(o->alpha > 0 && o->alpha < 1))
    return cfb_fail(err, errlen, "bad --alpha '%s' (a probability, e.g. 0.01)", val);
  return 0;
}

static int set_metric(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cmp_opts *o = ctx;
  if (!strcmp(val, "wall")) o->cpu = 0;
  else if (!strcmp(val, "cpu")) o->cpu = 1;
  else return cfb_fail(err, errlen, "bad --metric '%s' (wall or cpu)", val);
  return 0;
}

static int set_ignore(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ((cmp_opts *)ctx)->ignore = val;
  return 0;
}

static int set_format(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cmp_opts *o = ctx;
  if (!strcmp(val, "text")) o->fmt = FMT_TEXT;
  else if (!strcmp(val, "md")) o->fmt = FMT_MD;
  else if (!strcmp(val, "json")) o->fmt = FMT_JSON;
  else return cfb_fail(err, errlen, "bad --format '%s' (text, md or json)", val);
  return 0;
}

static int set_path(void *ctx, const char *arg, char *err, size_t errlen) {
  cmp_opts *o = ctx;
  if (o->np == 2) return cfb_fail(err, errlen, "more than two runs given ('%s')", arg);
  o->paths[o->np++] = arg;
  return 0;
}

static const cfb_option compare_options[] = {
    {"--threshold", 1, set_threshold, 0}, {"--alpha", 1, set_alpha, 0},
    {"--metric", 1, set_metric, 0},       {"--ignore-param", 1, set_ignore, 0},
    {"--format", 1, set_format, 0},       {NULL, 0, NULL, 0}};

static void usage(FILE *f) {
  fprintf(f, "usage: cfbench compare BASE NEW [--threshold 5%%] [--alpha 0.01] [--format text|md|json]\n"
             "                              [--metric wall|cpu] [--ignore-param K,...]\n");
}

static void help(void) {
  usage(stdout);
  printf("  BASE, NEW: run directories (or their runs.csv); a comma-separated list pools the\n"
         "  repetitions of several runs.  For each configuration in both:\n"
         "  Mann-Whitney U on items_per_s (two-sided); 'slower' when p < alpha and the median\n"
         "  dropped by more than the threshold.  Exit 1 if any configuration is slower, 0 if\n"
         "  none, 2 on bad input.  --metric cpu compares items per CPU-second\n"
         "  (items_done / (cpu_user_s + cpu_sys_s)) instead of items per wall-second:\n"
         "  steadier on a shared, loaded machine.  --ignore-param drops workload parameters from the\n"
         "  configuration so runs that differ only there are compared (e.g. work_scale).\n");
}

/* 0 (go on), 1 (--help shown), 2 (bad input, said on stderr). */
static int parse_compare_args(int argc, char **argv, cmp_opts *o) {
  memset(o, 0, sizeof *o);
  o->ignore = "";
  o->threshold = 0.05;
  o->alpha = 0.01;
  if (cfb_options_help(argc - 1, argv + 1)) {
    help();
    return 1;
  }
  static const cfb_optspec spec = {"compare", compare_options, set_path, NULL};
  char err[512];
  if (cfb_options_parse(&spec, argc - 1, argv + 1, o, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench compare: %s\n", err);
    usage(stderr);
    return 2;
  }
  if (o->np != 2) {
    usage(stderr);
    return 2;
  }
  return 0;
}

/* ------------------------------------------------------------ pairing */

/* The configurations of base also in new, each decided. */
typedef struct pairing {
  cfb_cmp_result *res;
  config **common;
  size_t nc, only_base, only_new;
  size_t counts[4]; /* by verdict */
} pairing;

/* 0, or 2 with the reason said on stderr. */
static int pair_runs(const cmp_opts *o, run *base, run *nw, pairing *pr) {
  memset(pr, 0, sizeof *pr);
  pr->res = calloc(base->n ? base->n : 1, sizeof *pr->res);
  pr->common = calloc(base->n ? base->n : 1, sizeof *pr->common);
  if (!pr->res || !pr->common) {
    fprintf(stderr, "cfbench compare: out of memory\n");
    return 2;
  }
  for (size_t i = 0; i < base->n; i++) {
    config *c = find(nw, base->c[i].key);
    if (!c) {
      pr->only_base++;
      continue;
    }
    if (cfb_compare_samples(base->c[i].x, base->c[i].n, c->x, c->n, o->threshold, o->alpha,
                            &pr->res[pr->nc]) != 0) {
      fprintf(stderr, "cfbench compare: out of memory\n");
      return 2;
    }
    pr->common[pr->nc++] = &base->c[i];
  }
  for (size_t i = 0; i < nw->n; i++)
    if (!find(base, nw->c[i].key)) pr->only_new++;
  if (!base->n || !nw->n) {
    fprintf(stderr, "cfbench compare: %s has no usable repetitions%s\n", base->n ? o->paths[1] : o->paths[0],
            o->cpu ? " with CPU times (cpu_user_s, cpu_sys_s)" : " (status ok, items_per_s)");
    return 2;
  }
  if (!pr->nc) {
    fprintf(stderr, "cfbench compare: no configuration is in both %s (%zu) and %s (%zu); nothing to compare\n",
            o->paths[0], base->n, o->paths[1], nw->n);
    return 2;
  }
  for (size_t i = 0; i < pr->nc; i++) pr->counts[pr->res[i].verdict]++;
  return 0;
}

static void pairing_free(pairing *pr) {
  free(pr->res);
  free(pr->common);
}

/* ----------------------------------------------------------- formats */

static json_t *json_result(const config *c, const cfb_cmp_result *r) {
  return json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:s}", "configuration",
                   cfb_json_str(c->name), "n_base", (json_int_t)r->n_base, "n_new",
                   (json_int_t)r->n_new, "base_median", cfb_json_num(r->base_median), "new_median",
                   cfb_json_num(r->new_median), "ratio", cfb_json_num(r->ratio), "u",
                   cfb_json_num(r->u), "p", cfb_json_num(r->p), "exact", r->exact, "verdict",
                   cfb_cmp_verdict_name(r->verdict));
}

static int emit_json(const cmp_opts *o, const pairing *pr, cfb_sb *out) {
  json_t *configs = json_array();
  for (size_t i = 0; configs && i < pr->nc; i++)
    if (json_array_append_new(configs, json_result(pr->common[i], &pr->res[i])) != 0) {
      json_decref(configs);
      configs = NULL;
    }
  json_t *root = configs ? json_pack(
      "{s:o, s:o, s:s, s:f, s:f, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "base",
      cfb_json_str(o->paths[0]), "new", cfb_json_str(o->paths[1]), "metric", o->cpu ? "cpu" : "wall",
      "threshold", o->threshold, "alpha", o->alpha, "test", "mann-whitney-u two-sided", "regressions",
      (json_int_t)pr->counts[CFB_CMP_SLOWER], "improvements", (json_int_t)pr->counts[CFB_CMP_FASTER],
      "same", (json_int_t)pr->counts[CFB_CMP_SAME], "too_few", (json_int_t)pr->counts[CFB_CMP_FEW],
      "only_in_base", (json_int_t)pr->only_base, "only_in_new", (json_int_t)pr->only_new,
      "configurations", configs) : NULL;
  char *text = root ? cfb_json_dumps(root) : NULL;
  json_decref(root);
  if (!text) return -1;
  cfb_sb_append(out, text);
  cfb_sb_append(out, "\n");
  free(text);
  return 0;
}

/* The text and the Markdown table: the same rows, two dialects. */
static void emit_table(const cmp_opts *o, const pairing *pr, cfb_sb *out) {
  int md = o->fmt == FMT_MD;
  const char *unit = o->cpu ? "items per CPU-second" : "items per second";
  char p[32];
  size_t w = strlen("configuration");
  for (size_t i = 0; i < pr->nc; i++)
    if (strlen(pr->common[i]->name) > w) w = strlen(pr->common[i]->name);
  if (md) {
    cfb_sb_printf(out, "Comparison of `%s` (base) and `%s` (new), %s: Mann-Whitney U, two-sided, "
                       "alpha %g; a change counts beyond %g%%.\n\n",
                  o->paths[0], o->paths[1], unit, o->alpha, o->threshold * 100);
    cfb_sb_append(out, "| configuration | n base/new | base median (items/s) | new median (items/s) | ratio | p | verdict |\n"
                       "|---|---|---|---|---|---|---|\n");
  } else {
    cfb_sb_printf(out, "cfbench compare: %s -> %s (%s; Mann-Whitney U two-sided, alpha %g, threshold %g%%)\n",
                  o->paths[0], o->paths[1], unit, o->alpha, o->threshold * 100);
    cfb_sb_printf(out, "%-*s  %9s  %12s  %12s  %7s  %8s  %s\n", (int)w, "configuration", "n b/n",
                  "base items/s", "new items/s", "ratio", "p", "verdict");
  }
  for (size_t i = 0; i < pr->nc; i++) {
    const cfb_cmp_result *r = &pr->res[i];
    char nn[48];
    snprintf(nn, sizeof nn, "%zu/%zu", r->n_base, r->n_new);
    fmt_p(p, sizeof p, r->p);
    const char *v = cfb_cmp_verdict_name(r->verdict), *em = r->verdict == CFB_CMP_SLOWER ? "**" : "";
    if (md)
      cfb_sb_printf(out, "| %s | %s | %.4g | %.4g | %.3f | %s | %s%s%s |\n", pr->common[i]->name, nn,
                    r->base_median, r->new_median, r->ratio, p, em, v, em);
    else
      cfb_sb_printf(out, "%-*s  %9s  %12.4g  %12.4g  %7.3f  %8s  %s\n", (int)w, pr->common[i]->name,
                    nn, r->base_median, r->new_median, r->ratio, p, v);
  }
  const size_t *counts = pr->counts;
  cfb_sb_printf(out, "%s%zu configurations compared: %zu slower, %zu faster, %zu same, %zu with too few samples",
                md ? "\n" : "", pr->nc, counts[CFB_CMP_SLOWER], counts[CFB_CMP_FASTER],
                counts[CFB_CMP_SAME], counts[CFB_CMP_FEW]);
  if (pr->only_base || pr->only_new)
    cfb_sb_printf(out, "; %zu only in base, %zu only in new (not compared)", pr->only_base, pr->only_new);
  cfb_sb_append(out, ".\n");
  if (counts[CFB_CMP_FEW])
    cfb_sb_printf(out, "Too few samples: at alpha %g each side needs enough repetitions that complete "
                       "separation can reach it (e.g. 5 and 5 at 0.01, 4 and 4 at 0.05).\n", o->alpha);
  for (size_t i = 0; i < pr->nc; i++) {
    const cfb_cmp_result *r = &pr->res[i];
    if (r->verdict != CFB_CMP_SLOWER) continue;
    fmt_p(p, sizeof p, r->p);
    cfb_sb_printf(out, "%sREGRESSION: %s: %.1f%% slower (median %.4g -> %.4g items/s, p = %s)\n",
                  md ? "- " : "", pr->common[i]->name, (1 - r->ratio) * 100, r->base_median,
                  r->new_median, p);
  }
}

/* ------------------------------------------------------------ command */

int cfb_cmd_compare(int argc, char **argv) {
  cmp_opts o;
  int rc = parse_compare_args(argc, argv, &o);
  if (rc) return rc == 1 ? 0 : rc;
  run base = {0}, nw = {0};
  pairing pr = {0};
  cfb_sb out = {0};
  char err[4400];
  if (load_run(o.paths[0], o.ignore, o.cpu, &base, err, sizeof err) != 0 ||
      load_run(o.paths[1], o.ignore, o.cpu, &nw, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench compare: %s\n", err);
    rc = 2;
  } else if ((rc = pair_runs(&o, &base, &nw, &pr)) == 0) {
    if (o.fmt == FMT_JSON) {
      if (emit_json(&o, &pr, &out) != 0) out.failed = 1;
    } else {
      emit_table(&o, &pr, &out);
    }
    if (cfb_sb_failed(&out)) {
      fprintf(stderr, "cfbench compare: out of memory\n");
      rc = 2;
    } else {
      fputs(cfb_sb_str(&out), stdout);
      fflush(stdout);
      rc = pr.counts[CFB_CMP_SLOWER] ? 1 : 0;
    }
  }
  cfb_sb_free(&out);
  pairing_free(&pr);
  run_free(&base);
  run_free(&nw);
  return rc;
}
