/* characterize.c -- `cfbench characterize`: parses its options, has the
 * run half measure the workload into a directory (characterize_run.h),
 * then the report half analyse that directory (characterize.h).  With
 * --from DIR only the second step runs: a saved directory is re-analysed
 * without running anything. */
#define _GNU_SOURCE /* asprintf */
#include "characterize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cfwork_plugin.h>

#include "characterize_run.h"
#include "cmd_char.h"
#include "env.h"
#include "format.h"
#include "options.h"
#include "output.h"
#include "sweep.h"

#define MAX_KV 64

typedef struct char_opts {
  cfb_char_spec s;
  char *kv[MAX_KV]; /* "key=value", owned */
  const char *from, *out;
  int force;
} char_opts;

static int set_workload(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  (void)opt;
  char_opts *o = ctx;
  char why[512];
  if (cf_wk_open(val, &o->s.w, why, sizeof why) != 0) return cfb_fail(err, errlen, "%s", why);
  o->s.spec = val;
  return 0;
}

/* One value per parameter: characterize measures one configuration of
 * the workload.  Parsed by run's own parser (a ',' inside a value is
 * written "\," and reaches the workload as ','), then handed on as
 * "key=value" as the sweep does. */
static int set_param(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  (void)opt;
  char_opts *o = ctx;
  cfb_param_axis a;
  int rc = cfb_param_axis_parse(val, &a, err, errlen);
  if (rc) return rc;
  size_t kl = strlen(a.key);
  for (size_t i = 0; !rc && i < o->s.nkv; i++)
    if (!strncmp(o->kv[i], a.key, kl) && o->kv[i][kl] == '=')
      rc = cfb_fail(err, errlen, "--param: parameter '%s' given twice; characterize takes one value", a.key);
  if (!rc && a.values.n > 1)
    rc = cfb_fail(err, errlen, "--param: '%s' lists several values; characterize takes one (write a comma as \\,)",
                  val);
  if (!rc && o->s.nkv == MAX_KV) rc = cfb_fail(err, errlen, "--param: more than %d parameters", MAX_KV);
  if (!rc && asprintf(&o->kv[o->s.nkv], "%s=%s", a.key, a.values.v[0]) < 0)
    rc = cfb_fail(err, errlen, "--param: out of memory");
  if (!rc) o->s.nkv++;
  cfb_param_axis_free(&a);
  return rc;
}

static void kv_free(char_opts *o) {
  for (size_t i = 0; i < o->s.nkv; i++) free(o->kv[i]);
  o->s.nkv = 0;
}

static int set_int(const char *opt, const char *val, int lo, int hi, int *out, char *err, size_t errlen) {
  char *end;
  long v = strtol(val, &end, 10);
  if (end == val || *end || v < lo || v > hi)
    return cfb_fail(err, errlen, "%s: bad value '%s'; allowed: an integer %d..%d", opt, val, lo, hi);
  *out = (int)v;
  return 0;
}

static int set_max_workers(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  return set_int(opt->name, val, 4, 1024, &((char_opts *)ctx)->s.max_workers, err, errlen);
}

static int set_repeat(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  return set_int(opt->name, val, 2, 16, &((char_opts *)ctx)->s.repeat, err, errlen);
}

static int set_rep_time(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  char_opts *o = ctx;
  if (cfb_parse_duration(val, &o->s.rep_s) != 0 || !(o->s.rep_s >= 0.01 && o->s.rep_s <= 60))
    return cfb_fail(err, errlen, "%s: bad duration '%s'; allowed: 10ms..60s (e.g. 200ms)", opt->name, val);
  return 0;
}

static int set_seed(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  char *end;
  unsigned long long v = strtoull(val, &end, 10);
  if (end == val || *end) return cfb_fail(err, errlen, "%s: bad value '%s'; allowed: an integer", opt->name, val);
  ((char_opts *)ctx)->s.seed = v;
  return 0;
}

static int set_str(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  (void)err, (void)errlen;
  char_opts *o = ctx;
  if (!strcmp(opt->name, "--out")) o->out = val;
  else o->from = val;
  return 0;
}

static int set_flag(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  (void)val, (void)err, (void)errlen;
  char_opts *o = ctx;
  if (!strcmp(opt->name, "--force")) o->force = 1;
  else o->s.verbose = 0;
  return 0;
}

static const cfb_option options[] = {
    {"--workload", 1, set_workload, 0}, {"--param", 1, set_param, 0},     {"--out", 1, set_str, 0},
    {"--from", 1, set_str, 0},          {"--max-workers", 1, set_max_workers, 0},
    {"--repeat", 1, set_repeat, 0},     {"--rep-time", 1, set_rep_time, 0}, {"--seed", 1, set_seed, 0},
    {"--force", 0, set_flag, 0},        {"--quiet", 0, set_flag, 0},        {NULL, 0, NULL, 0},
};

static void usage(FILE *f) {
  fprintf(f, "usage: cfbench characterize --workload W [--param K=V]... [--out DIR] [OPTIONS]\n"
             "       cfbench characterize --from DIR       (re-analyse a saved directory)\n"
             "  Profiles W's items on one worker, measures the executor's own cost and the\n"
             "  throughput against workers on both backends, fits scaling models (USL,\n"
             "  Amdahl, bottleneck) and recommends a backend, workers and chunksize: the\n"
             "  fewest workers surely within 5%% of the best; counts the sweep cannot tell\n"
             "  apart, and the backends' picks when one's interval is wider than 10%%, get\n"
             "  5 more alternated rounds first.\n"
             "  Writes DIR/measure.json, characterize.json, characterize.md, plots/;\n"
             "  after Ctrl-C (or SIGTERM) what was measured, marked partial.\n"
             "  --max-workers N  largest worker count (default: from the on-CPU fraction)\n"
             "  --repeat N       repetitions per point (default 3)\n"
             "  --rep-time T     time one repetition should take (default 200ms; a pilot\n"
             "                   repetition per point measures the rate that sizes it)\n"
             "  --seed N         the rounds' order;  --force  reuse a non-empty --out\n"
             "  --quiet          no progress lines\n");
}

/* A signal stopped the measuring: what it measured is in dir/measure.json
 * (marked interrupted); analysed, marked partial, when there is enough
 * (a point of the sweep), so the outputs of a finished run are there,
 * never mistaken for one.  One line says where; the signal's exit code. */
static int interrupted(const char *dir, int rc, int wrote, const char *why) {
  if (!wrote) {
    fprintf(stderr, "cfbench characterize: interrupted; nothing kept: %s\n", why);
    return rc;
  }
  cfb_char *c = malloc(sizeof *c);
  char err[512];
  int analysable = c && cfb_char_analyze(dir, c, err, sizeof err) == 0;
  free(c);
  int out = analysable ? cfb_char_report(dir, stdout) : 1;
  char line[5200];
  /* why: "interrupted during the sweep" (cfb_char_measure) */
  if (analysable && !out) snprintf(line, sizeof line, "cfbench characterize: %s; partial results in %s/", why, dir);
  else
    snprintf(line, sizeof line, "cfbench characterize: %s; what it measured: %s/%s%s", why, dir,
             CFB_CHAR_MEASURE_FILE, analysable ? "" : " (too little to analyse)");
  cfb_fmt_print_wrapped(stderr, line, 80, 2); /* a long DIR stays whole on a line of its own */
  return rc;
}

static int measure(char_opts *o) {
  char dir[4096], err[512], stamp[64], *canon = NULL;
  o->s.kv = (const char *const *)o->kv;
  /* the parameters first: bad input is refused before DIR is created */
  int bad = cf_wk_params_check(o->s.w, o->s.kv, o->s.nkv, &canon, err, sizeof err);
  free(canon);
  if (bad) {
    fprintf(stderr, "cfbench characterize: %s\n", bad == CF_EINVAL ? err : "out of memory");
    return bad == CF_EINVAL ? 2 : 1;
  }
  if (o->out) {
    snprintf(dir, sizeof dir, "%s", o->out);
  } else {
    cfb_utc_stamp(stamp, sizeof stamp, 0);
    snprintf(dir, sizeof dir, "results/characterize/%s-%s", o->s.w->name, stamp);
  }
  if (cfb_out_prepare_dir(dir, o->force, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench characterize: %s\n", err);
    return 2;
  }
  o->s.dir = dir;
  int wrote, rc = cfb_char_measure(&o->s, &wrote, err, sizeof err);
  if (rc > 128) return interrupted(dir, rc, wrote, err);
  if (rc) fprintf(stderr, "cfbench characterize: %s\n", err);
  return rc ? rc : cfb_char_report(dir, stdout);
}

/* --from DIR: a directory without measure.json is named for what it is
 * (a bench's results directory keeps them one level down), not only as a
 * missing file. */
static int from_dir(const char *dir) {
  char p[4200];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, CFB_CHAR_MEASURE_FILE);
  if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(p, F_OK) != 0) {
    snprintf(p, sizeof p, "%s/" CFB_CHAR_BENCH_SUBDIR, dir);
    int bench = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    fprintf(stderr, "cfbench characterize: --from %s: no %s there%s\n", dir, CFB_CHAR_MEASURE_FILE,
            bench ? "; a bench's characterizations are in its " CFB_CHAR_BENCH_SUBDIR "/NAME/"
                  : " (characterize --out DIR writes one)");
    return 2;
  }
  return cfb_char_report(dir, stdout);
}

int cfb_cmd_characterize(int argc, char **argv) {
  if (cfb_options_help(argc - 1, argv + 1)) {
    usage(stdout);
    return 0;
  }
  char_opts o;
  memset(&o, 0, sizeof o);
  o.s.repeat = 3;
  o.s.rep_s = 0.2;
  o.s.seed = 1;
  o.s.verbose = 1;
  cfb_optspec spec = {"characterize", options, NULL, NULL};
  char err[600];
  int rc = cfb_options_parse(&spec, argc - 1, argv + 1, &o, err, sizeof err);
  if (!rc && !o.from && !o.s.w) rc = cfb_fail(err, sizeof err, "--workload (or --from DIR) is required");
  if (!rc && o.from && (o.s.w || o.out))
    rc = cfb_fail(err, sizeof err, "--from DIR re-analyses; it takes no --workload or --out");
  if (rc) {
    fprintf(stderr, "cfbench characterize: %s\n", err);
    kv_free(&o);
    cf_wk_unload_all();
    return 2;
  }
  rc = o.from ? from_dir(o.from) : measure(&o);
  cf_wk_unload_all();
  kv_free(&o);
  return rc;
}
