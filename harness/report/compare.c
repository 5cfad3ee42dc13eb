/* compare.c -- `cfbench compare BASE NEW [--threshold 5%] [--alpha 0.01]
 * [--format text|md|json] [--metric wall|cpu] [--ignore-param K,...]`, the
 * CI regression gate.  Reads runs.csv of both sides (a run directory or the
 * file itself; a comma-separated list pools several runs), groups the ok
 * repetitions by configuration (workload, params, backend, workers,
 * chunksize, pin), decides each configuration present in both with
 * compare_stats.c and prints one table.  Exit 0: no regression; 1: at least
 * one configuration slower; 2: bad input (said in one line). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_report.h"
#include "compare.h"
#include "csvread.h"
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

/* Is `key` (of "key=value") in the comma-separated list `ignore`? */
static int ignored(const char *ignore, const char *key, size_t klen) {
  for (const char *p = ignore; p && *p;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (n == klen && !strncmp(p, key, klen)) return 1;
    p += n + (c ? 1 : 0);
  }
  return 0;
}

/* params without the ignored keys: "k=v,k=v" split at commas that start a
 * new key=value (a comma inside a value, "range=1,100", stays). */
static void strip_params(const char *params, const char *ignore, char *out, size_t len) {
  size_t o = 0;
  out[0] = '\0';
  const char *p = params;
  while (*p) {
    const char *end = p, *c;
    for (;;) { /* this item runs to the next comma followed by "key=" */
      c = strchr(end, ',');
      if (!c) break;
      const char *q = c + 1;
      while (*q && *q != ',' && *q != '=') q++;
      if (*q == '=') break;
      end = c + 1;
    }
    size_t n = c ? (size_t)(c - p) : strlen(p);
    const char *eq = memchr(p, '=', n);
    if (!(eq && ignored(ignore, p, (size_t)(eq - p))) && o + n + 2 < len) {
      if (o) out[o++] = ',';
      memcpy(out + o, p, n);
      o += n;
      out[o] = '\0';
    }
    p += n + (c ? 1 : 0);
  }
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
  static const char *const need[] = {"workload", "params", "backend", "workers",
                                     "chunksize", "items_per_s"};
  for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
    if (cfb_csv_col(&t, need[i]) < 0) {
      snprintf(err, errlen, "%s: no column '%s' (is it a cfbench runs.csv?)", file, need[i]);
      cfb_csv_table_free(&t);
      return -1;
    }
  }
  int rc = 0;
  for (size_t i = 0; i < t.nrows && !rc; i++) {
    const char *status = cfb_csv_get(&t, i, "status");
    if (status && *status && strcmp(status, "ok") != 0) continue;
    double v;
    if (cpu) { /* items per CPU-second of the process (children included) */
      double items, us, sy;
      if (cfb_csv_double(cfb_csv_get(&t, i, "items_done"), &items) != 1 ||
          cfb_csv_double(cfb_csv_get(&t, i, "cpu_user_s"), &us) != 1 ||
          cfb_csv_double(cfb_csv_get(&t, i, "cpu_sys_s"), &sy) != 1 || !(us + sy > 0))
        continue;
      v = items / (us + sy);
    } else if (cfb_csv_double(cfb_csv_get(&t, i, "items_per_s"), &v) != 1 || !(v >= 0)) {
      continue;
    }
    char params[1024];
    strip_params(cfb_csv_get(&t, i, "params"), ignore, params, sizeof params);
    const char *wl = cfb_csv_get(&t, i, "workload"),
               *be = cfb_csv_get(&t, i, "backend"), *w = cfb_csv_get(&t, i, "workers"),
               *c = cfb_csv_get(&t, i, "chunksize"), *pin = cfb_csv_get(&t, i, "pin");
    if (!pin || !*pin) pin = "none";
    char key[2048], name[2048];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", wl, params, be, w, c, pin);
    config *cf = find(r, key);
    if (!cf) {
      if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        config *ncf = realloc(r->c, nc * sizeof *ncf);
        if (!ncf) {
          rc = -1;
          break;
        }
        r->c = ncf;
        r->cap = nc;
      }
      snprintf(name, sizeof name, "%s%s%s%s %s w=%s c=%s%s%s", wl, *params ? " (" : "", params,
               *params ? ")" : "", be, w, c, strcmp(pin, "none") ? " pin=" : "",
               strcmp(pin, "none") ? pin : "");
      cf = &r->c[r->n];
      memset(cf, 0, sizeof *cf);
      cf->key = strdup(key);
      cf->name = strdup(name);
      r->n++;
      if (!cf->key || !cf->name) {
        rc = -1;
        break;
      }
    }
    if (push(&cf->x, &cf->n, &cf->cap, v) != 0) rc = -1;
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

static void json_str(cfb_sb *b, const char *s) {
  cfb_sb_append(b, "\"");
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') cfb_sb_printf(b, "\\%c", *s);
    else if ((unsigned char)*s < 0x20) cfb_sb_printf(b, "\\u%04x", *s);
    else cfb_sb_appendn(b, s, 1);
  }
  cfb_sb_append(b, "\"");
}

static void json_num(cfb_sb *b, double v) {
  if (isfinite(v)) cfb_sb_printf(b, "%.6g", v);
  else cfb_sb_append(b, "null");
}

static void fmt_p(char *out, size_t len, double p) {
  if (p < 1e-4) snprintf(out, len, "%.1e", p);
  else snprintf(out, len, "%.4f", p);
}

enum { FMT_TEXT, FMT_MD, FMT_JSON };

static int usage(void) {
  fprintf(stderr, "usage: cfbench compare BASE NEW [--threshold 5%%] [--alpha 0.01] "
                  "[--format text|md|json] [--metric wall|cpu] [--ignore-param K,...]\n");
  return 2;
}

int cfb_cmd_compare(int argc, char **argv) {
  const char *paths[2] = {NULL, NULL}, *ignore = "";
  int cpu = 0;
  double threshold = 0.05, alpha = 0.01;
  int fmt = FMT_TEXT, np = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      printf("usage: cfbench compare BASE NEW [--threshold 5%%] [--alpha 0.01] [--format text|md|json]\n"
             "                              [--metric wall|cpu] [--ignore-param K,...]\n"
             "  BASE, NEW: run directories (or their runs.csv); a comma-separated list pools the\n"
             "  repetitions of several runs.  For each configuration in both:\n"
             "  Mann-Whitney U on items_per_s (two-sided); 'slower' when p < alpha and the median\n"
             "  dropped by more than the threshold.  Exit 1 if any configuration is slower, 0 if\n"
             "  none, 2 on bad input.  --metric cpu compares items per CPU-second\n"
             "  (items_done / (cpu_user_s + cpu_sys_s)) instead of items per wall-second:\n"
             "  steadier on a shared, loaded machine.  --ignore-param drops workload parameters from the\n"
             "  configuration so runs that differ only there are compared (e.g. work_scale).\n");
      return 0;
    }
    if (!strncmp(a, "--", 2)) {
      const char *eq = strchr(a, '=');
      char opt[32];
      size_t olen = eq ? (size_t)(eq - a) : strlen(a);
      if (olen >= sizeof opt) olen = sizeof opt - 1;
      memcpy(opt, a, olen);
      opt[olen] = '\0';
      if (eq) val = eq + 1;
      else if (i + 1 < argc) val = argv[++i];
      else {
        fprintf(stderr, "cfbench compare: %s needs a value\n", opt);
        return 2;
      }
      if (!strcmp(opt, "--threshold")) {
        if (parse_fraction(val, &threshold) != 0 || threshold >= 1) {
          fprintf(stderr, "cfbench compare: bad --threshold '%s' (e.g. 5%% or 0.05)\n", val);
          return 2;
        }
      } else if (!strcmp(opt, "--alpha")) {
        char *end;
        alpha = strtod(val, &end);
        if (end == val || *end || !(alpha > 0 && alpha < 1)) {
          fprintf(stderr, "cfbench compare: bad --alpha '%s' (a probability, e.g. 0.01)\n", val);
          return 2;
        }
      } else if (!strcmp(opt, "--metric")) {
        if (!strcmp(val, "wall")) cpu = 0;
        else if (!strcmp(val, "cpu")) cpu = 1;
        else {
          fprintf(stderr, "cfbench compare: bad --metric '%s' (wall or cpu)\n", val);
          return 2;
        }
      } else if (!strcmp(opt, "--ignore-param")) {
        ignore = val;
      } else if (!strcmp(opt, "--format")) {
        if (!strcmp(val, "text")) fmt = FMT_TEXT;
        else if (!strcmp(val, "md")) fmt = FMT_MD;
        else if (!strcmp(val, "json")) fmt = FMT_JSON;
        else {
          fprintf(stderr, "cfbench compare: bad --format '%s' (text, md or json)\n", val);
          return 2;
        }
      } else {
        fprintf(stderr, "cfbench compare: unknown option %s\n", opt);
        return usage();
      }
      continue;
    }
    if (np == 2) return usage();
    paths[np++] = a;
  }
  if (np != 2) return usage();

  run base = {0}, nw = {0};
  char err[4400];
  int rc = 0;
  cfb_cmp_result *res = NULL;
  config **common = NULL;
  cfb_sb out = {0};
  if (load_run(paths[0], ignore, cpu, &base, err, sizeof err) != 0 ||
      load_run(paths[1], ignore, cpu, &nw, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench compare: %s\n", err);
    rc = 2;
    goto done;
  }
  size_t nc = 0, only_base = 0, only_new = 0;
  res = calloc(base.n ? base.n : 1, sizeof *res);
  common = calloc(base.n ? base.n : 1, sizeof *common);
  if (!res || !common) {
    fprintf(stderr, "cfbench compare: out of memory\n");
    rc = 2;
    goto done;
  }
  for (size_t i = 0; i < base.n; i++) {
    config *o = find(&nw, base.c[i].key);
    if (!o) {
      only_base++;
      continue;
    }
    if (cfb_compare_samples(base.c[i].x, base.c[i].n, o->x, o->n, threshold, alpha, &res[nc]) != 0) {
      fprintf(stderr, "cfbench compare: out of memory\n");
      rc = 2;
      goto done;
    }
    common[nc++] = &base.c[i];
  }
  for (size_t i = 0; i < nw.n; i++)
    if (!find(&base, nw.c[i].key)) only_new++;
  if (!base.n || !nw.n) {
    fprintf(stderr, "cfbench compare: %s has no usable repetitions%s\n", base.n ? paths[1] : paths[0],
            cpu ? " with CPU times (cpu_user_s, cpu_sys_s)" : " (status ok, items_per_s)");
    rc = 2;
    goto done;
  }
  if (!nc) {
    fprintf(stderr, "cfbench compare: no configuration is in both %s (%zu) and %s (%zu); nothing to compare\n",
            paths[0], base.n, paths[1], nw.n);
    rc = 2;
    goto done;
  }
  size_t counts[4] = {0};
  const char *unit = cpu ? "items per CPU-second" : "items per second";
  for (size_t i = 0; i < nc; i++) counts[res[i].verdict]++;

  char p[32];
  if (fmt == FMT_JSON) {
    cfb_sb_append(&out, "{\"base\": ");
    json_str(&out, paths[0]);
    cfb_sb_append(&out, ", \"new\": ");
    json_str(&out, paths[1]);
    cfb_sb_printf(&out, ", \"metric\": \"%s\"", cpu ? "cpu" : "wall");
    cfb_sb_printf(&out, ", \"threshold\": %g, \"alpha\": %g, \"test\": \"mann-whitney-u two-sided\",\n"
                       " \"regressions\": %zu, \"improvements\": %zu, \"same\": %zu, \"too_few\": %zu,"
                       " \"only_in_base\": %zu, \"only_in_new\": %zu,\n \"configurations\": [\n",
                 threshold, alpha, counts[CFB_CMP_SLOWER], counts[CFB_CMP_FASTER], counts[CFB_CMP_SAME],
                 counts[CFB_CMP_FEW], only_base, only_new);
    for (size_t i = 0; i < nc; i++) {
      const cfb_cmp_result *r = &res[i];
      cfb_sb_append(&out, "  {\"configuration\": ");
      json_str(&out, common[i]->name);
      cfb_sb_printf(&out, ", \"n_base\": %zu, \"n_new\": %zu, \"base_median\": ", r->n_base, r->n_new);
      json_num(&out, r->base_median);
      cfb_sb_append(&out, ", \"new_median\": ");
      json_num(&out, r->new_median);
      cfb_sb_append(&out, ", \"ratio\": ");
      json_num(&out, r->ratio);
      cfb_sb_append(&out, ", \"u\": ");
      json_num(&out, r->u);
      cfb_sb_printf(&out, ", \"p\": %.6g, \"exact\": %s, \"verdict\": \"%s\"}%s\n", r->p,
                   r->exact ? "true" : "false", cfb_cmp_verdict_name(r->verdict), i + 1 < nc ? "," : "");
    }
    cfb_sb_append(&out, " ]}\n");
  } else {
    size_t w = strlen("configuration");
    for (size_t i = 0; i < nc; i++)
      if (strlen(common[i]->name) > w) w = strlen(common[i]->name);
    if (fmt == FMT_MD) {
      cfb_sb_printf(&out, "Comparison of `%s` (base) and `%s` (new), %s: Mann-Whitney U, two-sided, "
                         "alpha %g; a change counts beyond %g%%.\n\n",
                   paths[0], paths[1], unit, alpha, threshold * 100);
      cfb_sb_append(&out, "| configuration | n base/new | base median (items/s) | new median (items/s) | ratio | p | verdict |\n"
                         "|---|---|---|---|---|---|---|\n");
    } else {
      cfb_sb_printf(&out, "cfbench compare: %s -> %s (%s; Mann-Whitney U two-sided, alpha %g, threshold %g%%)\n",
                   paths[0], paths[1], unit, alpha, threshold * 100);
      cfb_sb_printf(&out, "%-*s  %9s  %12s  %12s  %7s  %8s  %s\n", (int)w, "configuration", "n b/n",
                   "base items/s", "new items/s", "ratio", "p", "verdict");
    }
    for (size_t i = 0; i < nc; i++) {
      const cfb_cmp_result *r = &res[i];
      char nn[32];
      snprintf(nn, sizeof nn, "%zu/%zu", r->n_base, r->n_new);
      fmt_p(p, sizeof p, r->p);
      const char *v = cfb_cmp_verdict_name(r->verdict);
      if (fmt == FMT_MD)
        cfb_sb_printf(&out, "| %s | %s | %.4g | %.4g | %.3f | %s | %s%s%s |\n", common[i]->name, nn,
                     r->base_median, r->new_median, r->ratio, p,
                     r->verdict == CFB_CMP_SLOWER ? "**" : "", v, r->verdict == CFB_CMP_SLOWER ? "**" : "");
      else
        cfb_sb_printf(&out, "%-*s  %9s  %12.4g  %12.4g  %7.3f  %8s  %s\n", (int)w, common[i]->name,
                     nn, r->base_median, r->new_median, r->ratio, p, v);
    }
    cfb_sb_printf(&out, "%s%zu configurations compared: %zu slower, %zu faster, %zu same, %zu with too few samples",
                 fmt == FMT_MD ? "\n" : "", nc, counts[CFB_CMP_SLOWER], counts[CFB_CMP_FASTER],
                 counts[CFB_CMP_SAME], counts[CFB_CMP_FEW]);
    if (only_base || only_new)
      cfb_sb_printf(&out, "; %zu only in base, %zu only in new (not compared)", only_base, only_new);
    cfb_sb_append(&out, ".\n");
    if (counts[CFB_CMP_FEW])
      cfb_sb_printf(&out, "Too few samples: at alpha %g each side needs enough repetitions that complete "
                         "separation can reach it (e.g. 5 and 5 at 0.01, 4 and 4 at 0.05).\n", alpha);
    for (size_t i = 0; i < nc; i++) {
      if (res[i].verdict != CFB_CMP_SLOWER) continue;
      fmt_p(p, sizeof p, res[i].p);
      cfb_sb_printf(&out, "%sREGRESSION: %s: %.1f%% slower (median %.4g -> %.4g items/s, p = %s)\n",
                   fmt == FMT_MD ? "- " : "", common[i]->name, (1 - res[i].ratio) * 100,
                   res[i].base_median, res[i].new_median, p);
    }
  }
  if (cfb_sb_failed(&out)) {
    fprintf(stderr, "cfbench compare: out of memory\n");
    rc = 2;
    goto done;
  }
  fputs(cfb_sb_str(&out), stdout);
  fflush(stdout);
  rc = counts[CFB_CMP_SLOWER] ? 1 : 0;
done:
  cfb_sb_free(&out);
  free(res);
  free(common);
  run_free(&base);
  run_free(&nw);
  return rc;
}
