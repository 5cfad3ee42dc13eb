/* compare.c -- `cfbench compare BASE NEW [--threshold 5%] [--alpha 0.01]
 * [--format text|md|json] [--metric wall|cpu] [--ignore-param K,...]`, the
 * CI regression gate.  Reads runs.csv of both sides (a run directory or the
 * file itself; a comma-separated list pools several runs), groups the ok
 * repetitions by configuration (workload, params, backend, workers,
 * chunksize, pin), decides each configuration present in both with the
 * unpaired gate (common/paired.h: Mann-Whitney U, a threshold widened by
 * each run's noise floor), warns when the machines differ and prints the
 * gate's table (gate_out.h).  Exit 0: no regression; 1: at least one
 * configuration slower (--strict: or too few samples or unmatched); 2: bad
 * input (said in one line). */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "cmd_report.h"
#include "gate_out.h"
#include "csvread.h"
#include "fileio.h"
#include "json.h"
#include "options.h"
#include "results.h"
#include "runs_check.h"
#include "runs_load.h"
#include "schema.h"
#include "stats.h"
#include "strbuf.h"

typedef struct run {
  cfb_runs_set set;
  unsigned long ignore_seen; /* bit i: some row has the i-th --ignore-param key */
} run;

/* The i-th key of the comma-separated list `ignore` into buf; 0 past the end. */
static int ignore_key(const char *ignore, size_t i, char *buf, size_t len) {
  const char *p = ignore;
  for (; i > 0 && p; i--) p = (p = strchr(p, ',')) ? p + 1 : NULL;
  if (!p || !*p) return 0;
  size_t n = strcspn(p, ",");
  snprintf(buf, len, "%.*s", (int)n, p);
  return 1;
}

/* Which --ignore-param keys some row of t has (a key no row has is a typo). */
static void note_ignored_seen(const cfb_csv_table *t, const char *ignore, run *r) {
  char key[256];
  for (size_t i = 0; i < 8 * sizeof r->ignore_seen && ignore_key(ignore, i, key, sizeof key); i++)
    if (cfb_runs_has_param(t, key)) r->ignore_seen |= 1ul << i;
}

/* Load PATH (a run directory or a runs.csv) into r, parameters in
 * `ignore` dropped from the configuration.  0, or -1 with err. */
static int load_one(const char *path, const char *ignore, int cpu, run *r, char *err,
                    size_t errlen) {
  char file[4200];
  cfb_csv_table t;
  if (cfb_runs_open(path, &t, file, sizeof file, err, errlen) != 0) return -1;
  note_ignored_seen(&t, ignore, r);
  cfb_runs_opts o = {.ignore = ignore, .cpu = cpu, .round = -1};
  int rc = cfb_runs_group(&r->set, &t, file, &o, err, errlen);
  cfb_csv_table_free(&t);
  return rc;
}

/* PATHS (the side `role`, BASE or NEW): one run, or several separated by
 * commas whose repetitions are pooled (runs interleaved in time, e.g. base
 * and new alternating).  An empty path, or one run given twice (its rows
 * would count double), is refused. */
static int load_run(const char *role, const char *paths, const char *ignore, int cpu, run *r, char *err,
                    size_t errlen) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", paths) >= (int)sizeof buf) {
    snprintf(err, errlen, "%s: the list of runs is longer than %zu bytes", role, sizeof buf - 1);
    return -1;
  }
  struct stat seen[64];
  size_t nseen = 0;
  char *p = buf;
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma) *comma = '\0';
    if (!*p) {
      snprintf(err, errlen, "%s: empty path in '%s'; give a run directory or a runs.csv", role, paths);
      return -1;
    }
    struct stat st;
    if (stat(p, &st) == 0) {
      for (size_t i = 0; i < nseen; i++)
        if (seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino) {
          snprintf(err, errlen, "%s: '%s' is given twice in '%s' (its rows would count double)", role, p, paths);
          return -1;
        }
      if (nseen < sizeof seen / sizeof *seen) seen[nseen++] = st;
    }
    if (load_one(p, ignore, cpu, r, err, errlen) != 0) return -1;
    if (!comma) return 0;
    p = comma + 1;
  }
}

/* Every --ignore-param key is a parameter of some row of either side. */
static int check_ignored(const char *ignore, const run *base, const run *nw, char *err, size_t errlen) {
  char key[256];
  for (size_t i = 0; ignore_key(ignore, i, key, sizeof key); i++)
    if (i < 8 * sizeof base->ignore_seen && !((base->ignore_seen | nw->ignore_seen) & (1ul << i))) {
      snprintf(err, errlen, "--ignore-param: no row of either side has a parameter '%s'", key);
      return -1;
    }
  return 0;
}

enum { FMT_TEXT, FMT_MD, FMT_JSON };

/* ------------------------------------------------------------ options */

typedef struct cmp_opts {
  const char *paths[2], *ignore;
  int np, cpu, fmt, strict;
  double threshold, alpha;
} cmp_opts;

static int set_strict(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ((cmp_opts *)ctx)->strict = 1;
  return 0;
}

static int set_threshold(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cmp_opts *o = ctx;
  if (cfb_parse_fraction(val, &o->threshold) != 0 || o->threshold >= 1)
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
  /* two separate runs: one metric (both is ab's paired family) */
  cfb_gate_metric m;
  if (cfb_gate_metric_parse(val, 0, &m, err, errlen) != 0) return -1;
  ((cmp_opts *)ctx)->cpu = m == CFB_METRIC_CPU;
  return 0;
}

static int set_ignore(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  size_t n = 1;
  for (const char *p = val; *p; p++) n += *p == ',';
  if (!*val || strstr(val, ",,") || val[0] == ',' || val[strlen(val) - 1] == ',')
    return cfb_fail(err, errlen, "--ignore-param: empty name in '%s'; give K[,K...]", val);
  if (n > 8 * sizeof(unsigned long))
    return cfb_fail(err, errlen, "--ignore-param: %zu names; at most %zu", n, 8 * sizeof(unsigned long));
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
    {"--format", 1, set_format, 0},       {"--strict", 0, set_strict, 0},
    {NULL, 0, NULL, 0}};

static void usage(FILE *f) {
  fprintf(f, "usage: cfbench compare BASE NEW [--threshold 5%%] [--alpha 0.01]\n"
             "         [--format text|md|json] [--metric wall|cpu] [--ignore-param K,...]\n"
             "         [--strict]\n");
}

static void help(void) {
  usage(stdout);
  printf("  BASE, NEW: run directories (or their runs.csv); a comma-separated list pools\n"
         "  the repetitions of several runs.  For each configuration in both:\n"
         "  Mann-Whitney U on items_per_s (two-sided); 'slower' when p < alpha and the\n"
         "  median dropped by more than the threshold, widened to the noise floor each\n"
         "  run's own round-to-round spread sets (docs/statistics.md).  Exit 1 if any\n"
         "  configuration is slower (--strict: or had too few samples, or is in one run\n"
         "  only), 0 if none, 2 on bad input.  A warning says when meta.json shows\n"
         "  different machines.  Two runs made apart in time compare two moments of the\n"
         "  machine too: `cfbench ab` pairs rounds.  --metric cpu compares items per\n"
         "  CPU-second (items_done / (cpu_user_s + cpu_sys_s)) instead of items per\n"
         "  wall-second: steadier on a shared, loaded machine.  --ignore-param drops\n"
         "  workload parameters from the configuration so runs that differ only there\n"
         "  are compared (e.g. work_scale).\n");
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
    return 2;
  }
  if (o->np != 2) { /* one line, as for any bad input; --help has the rest */
    fprintf(stderr, "cfbench compare: give BASE and NEW (two run directories or runs.csv files; %d given); "
                    "see --help\n", o->np);
    return 2;
  }
  return 0;
}

/* ------------------------------------------------------------ pairing */

/* The configurations of base also in new, each judged by the unpaired gate
 * (Mann-Whitney U plus a threshold widened by each run's own spread). */
typedef struct pairing {
  cfb_judged *rows;
  size_t nc, only_base, only_new;
} pairing;

/* 0, or 2 with the reason said on stderr. */
static int pair_runs(const cmp_opts *o, run *base, run *nw, pairing *pr) {
  memset(pr, 0, sizeof *pr);
  pr->rows = calloc(base->set.n ? base->set.n : 1, sizeof *pr->rows);
  if (!pr->rows) {
    fprintf(stderr, "cfbench compare: out of memory\n");
    return 2;
  }
  cfb_gate_opts go = {.threshold = o->threshold, .alpha = o->alpha};
  const cfb_runs_set *bs = &base->set, *ns = &nw->set;
  for (size_t i = 0; i < bs->n; i++) {
    const cfb_runs_cfg *b = &bs->c[i], *c = cfb_runs_find(ns, b->key);
    if (!c) {
      pr->only_base++;
      continue;
    }
    cfb_judged *j = &pr->rows[pr->nc++];
    j->name = b->name;
    j->base_median = cfb_stats_median(b->x, b->n);
    j->new_median = cfb_stats_median(c->x, c->n);
    if (cfb_gate_unpaired(b->x, b->n, c->x, c->n, &go, &j->g) != 0) {
      fprintf(stderr, "cfbench compare: out of memory\n");
      return 2;
    }
  }
  for (size_t i = 0; i < ns->n; i++)
    if (!cfb_runs_find(bs, ns->c[i].key)) pr->only_new++;
  if (!bs->n || !ns->n) {
    fprintf(stderr, "cfbench compare: %s has no usable repetitions%s\n", bs->n ? o->paths[1] : o->paths[0],
            o->cpu ? " with CPU times (cpu_user_s, cpu_sys_s)" : " (status ok, items_per_s)");
    return 2;
  }
  if (!pr->nc) {
    fprintf(stderr, "cfbench compare: no configuration is in both %s (%zu) and %s (%zu); nothing to compare\n",
            o->paths[0], bs->n, o->paths[1], ns->n);
    return 2;
  }
  return 0;
}

/* ----------------------------------------------------------- machines */

/* The machine of the first run of `paths` (meta.json beside its runs.csv). */
static int read_machine(const char *paths, cfb_machine *m) {
  char first[4096];
  snprintf(first, sizeof first, "%s", paths);
  first[strcspn(first, ",")] = '\0';
  struct stat st;
  if (stat(first, &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) {
    char *slash = strrchr(first, '/');
    if (slash) *slash = '\0';
    else snprintf(first, sizeof first, ".");
  }
  cfb_machine_load(first, m);
  return m->have_meta;
}

/* Two separate runs are comparable only on one machine: say where they
 * differ, or that it cannot be told (a runs.csv without its meta.json, as
 * ab's merged DIR/SIDE/runs.csv): silence would read as "same machine". */
static void machine_warning(const cmp_opts *o, char *buf, size_t len, cfb_gate_report *r) {
  cfb_machine a, b;
  int ha = read_machine(o->paths[0], &a), hb = read_machine(o->paths[1], &b);
  if (!ha || !hb) {
    char side[512];
    snprintf(side, sizeof side, "%s", o->paths[ha ? 1 : 0]);
    side[strcspn(side, ",")] = '\0';
    snprintf(buf, len, "no meta.json beside %.500s: whether both runs were made on one machine is unknown",
             side);
    r->warnings[r->nwarnings++] = buf;
    return;
  }
  size_t off = 0;
  if (strcmp(a.cpu_model, b.cpu_model))
    off += (size_t)snprintf(buf + off, len - off, "CPU model '%s' vs '%s'", a.cpu_model, b.cpu_model);
  if (off < len && a.pus != b.pus && isfinite(a.pus) && isfinite(b.pus))
    off += (size_t)snprintf(buf + off, len - off, "%s%.0f vs %.0f PUs", off ? ", " : "", a.pus, b.pus);
  if (off < len && strcmp(a.hostname, b.hostname))
    off += (size_t)snprintf(buf + off, len - off, "%shost '%s' vs '%s'", off ? ", " : "", a.hostname,
                            b.hostname);
  if (!off) return;
  char tmp[1200];
  snprintf(tmp, sizeof tmp, "the runs were made on different machines (%.900s): a difference may be the machine's",
           buf);
  snprintf(buf, len, "%.1000s", tmp);
  r->warnings[r->nwarnings++] = buf;
}

/* ------------------------------------------------------------ command */

int cfb_cmd_compare(int argc, char **argv) {
  cmp_opts o;
  int rc = parse_compare_args(argc, argv, &o);
  if (rc) return rc == 1 ? 0 : rc;
  run base = {0}, nw = {0};
  pairing pr = {0};
  cfb_sb out = {0};
  char err[4400], mwarn[1024];
  if (load_run("BASE", o.paths[0], o.ignore, o.cpu, &base, err, sizeof err) != 0 ||
      load_run("NEW", o.paths[1], o.ignore, o.cpu, &nw, err, sizeof err) != 0 ||
      check_ignored(o.ignore, &base, &nw, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench compare: %s\n", err);
    rc = 2;
  } else if ((rc = pair_runs(&o, &base, &nw, &pr)) == 0) {
    cfb_gate_report r = {.cmd = "compare", .base = o.paths[0], .nw = o.paths[1],
                         .metric = o.cpu ? CFB_METRIC_CPU : CFB_METRIC_WALL,
                         .strict = o.strict, .threshold = o.threshold, .alpha = o.alpha, .rows = pr.rows,
                         .n = pr.nc, .only_base = pr.only_base, .only_new = pr.only_new};
    machine_warning(&o, mwarn, sizeof mwarn, &r);
    if (r.nwarnings && o.fmt == FMT_JSON) fprintf(stderr, "cfbench compare: warning: %s\n", mwarn);
    if (o.fmt == FMT_JSON) {
      if (cfb_gate_emit_json(&r, &out) != 0) out.failed = 1;
    } else {
      cfb_gate_emit_table(&r, o.fmt == FMT_MD, &out);
    }
    if (cfb_sb_failed(&out)) {
      fprintf(stderr, "cfbench compare: out of memory\n");
      rc = 2;
    } else {
      cfb_put_stdout(cfb_sb_str(&out)); /* main's close of stdout reports a failed write */
      rc = cfb_gate_exit(&r);
    }
  }
  cfb_sb_free(&out);
  free(pr.rows);
  cfb_runs_set_free(&base.set);
  cfb_runs_set_free(&nw.set);
  return rc;
}

const cfb_option *cfb_compare_option_table(void) { return compare_options; }
