/* ab.c -- `cfbench ab BASE NEW [ab options] [run options]`: the paired
 * regression gate.  BASE and NEW are two cfbench commands (a path, or a
 * quoted command line: two builds of two revisions).  Every round shuffles
 * the sweep's configurations and cuts them into blocks of --block; each
 * block runs with both sides back to back (the first side balanced per
 * configuration), each as `SIDE run RUN-OPTIONS --warmup 0 --configs
 * I,J,.. --repeat 1 --rounds 1 --seed S_r --out
 * DIR/SIDE/round-R-block-K`; the rows are paired by (round,
 * configuration) and each configuration is judged on its per-round ratios
 * NEW/BASE on both metrics by default (items per wall-second and per
 * CPU-second; --metric wall or cpu: one) by the paired gate
 * (common/paired.h) at the sequential plan's level over its Holm
 * divisor among all the tests (configurations x metrics); either metric
 * flags a configuration.  Rounds go on from --min-rounds until no test
 * needs more
 * (cfb_paired_needs_more at the strictest divisor, with the threshold as
 * precision target), --max-rounds, or --budget.  Writes DIR/base/runs.csv
 * and DIR/new/runs.csv (every round's rows, the round column the ab
 * round), DIR/order.csv (the invocations in the order they ran) and
 * DIR/gate.json; prints compare's table.  An earlier ab's round
 * directories in DIR are removed first, so DIR holds one comparison.
 * Exit 0: no regression; 1: a regression; 2: bad input (a side that
 * cannot run, or rejects the options). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ab_listing.h"
#include "clock.h"
#include "cmd_report.h"
#include "csvread.h"
#include "fileio.h"
#include "format.h"
#include "gate_out.h"
#include "options.h"
#include "paired.h"
#include "runs_load.h"
#include "schema.h"
#include "stats.h"
#include "strbuf.h"

enum { SIDES = 2 };
/* Rounds: enough for the Holm-corrected level over --suite ci's 60
 * configurations to be reachable (14, see help()) with room to decide. */
enum { AB_MAX_ROUNDS = 20 };
/* Configurations per invocation: BASE and NEW of one configuration
 * back to back; a cfbench start costs ~0.1 s against the ~1-5 s a ci
 * configuration's repetition takes (measured, docs/compare.md). */
enum { AB_BLOCK = 1 };
static const char *const side_name[SIDES] = {"base", "new"};

typedef struct ab_opts {
  const char *side[SIDES];
  int nsides;
  const char *out;
  int fmt; /* 0 text, 1 md, 2 json */
  cfb_gate_metric metric; /* --metric: both (the default), cpu (items per CPU-second), wall */
  int min_rounds, max_rounds;
  int block; /* --block: configurations per invocation of a side */
  double threshold, budget_s;
  uint64_t seed;
  int seed_given;
  const char *ignore; /* --ignore-param: keys left out of a configuration's identity */
  char **pass; /* the run options, passed through */
  int npass;
} ab_opts;

typedef struct ab_state {
  cfb_runs_set side[CFB_METRIC_N][SIDES]; /* by metric (those judged), each side's rows by
                                             configuration, with their ab round */
  FILE *merged[SIDES];      /* DIR/SIDE/runs.csv */
  FILE *order;              /* DIR/order.csv: every invocation, in the order it ran */
  size_t nconfigs;          /* the expanded sweep's size; 0: run it whole (no blocks) */
  size_t *perm;             /* nconfigs slots: a round's configuration order */
  int *lead;                /* nconfigs + 1 slots: times BASE went first minus times NEW did, by
                               configuration (the last slot: the whole sweep, no blocks) */
  long seq;                 /* invocations so far */
} ab_state;

/* ------------------------------------------------------------ options */

static int set_rounds(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ab_opts *o = ctx;
  char *end;
  long v = strtol(val, &end, 10);
  if (end == val || *end || v < 2 || v > 2000)
    return cfb_fail(err, errlen, "%s: '%s' is not a round count; allowed: 2..2000", opt->name, val);
  *(strstr(opt->name, "min") ? &o->min_rounds : &o->max_rounds) = (int)v;
  return 0;
}

static int set_threshold(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ab_opts *o = ctx;
  if (cfb_parse_fraction(val, &o->threshold) != 0 || o->threshold <= 0 || o->threshold >= 1)
    return cfb_fail(err, errlen, "--threshold: '%s' is not a fraction; allowed: 0..99%% (3%%, 0.03)", val);
  return 0;
}

static int set_budget(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ab_opts *o = ctx;
  char *end;
  double v = strtod(val, &end);
  if (end != val && *end == 'm' && !end[1]) v *= 60, end++;
  else if (end != val && *end == 's' && !end[1]) end++;
  if (end == val || *end || !(v >= 0 && v <= 1e6))
    return cfb_fail(err, errlen, "--budget: '%s' is not a duration; allowed: seconds >= 0 (300, 300s, 5m)", val);
  o->budget_s = v;
  return 0;
}

static int set_block(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  char *end;
  long v = strtol(val, &end, 10);
  if (end == val || *end || v < 0 || v > 100000)
    return cfb_fail(err, errlen, "--block: '%s' is not a configuration count; allowed: 0..100000 (0: whole "
                    "sweep)", val);
  ((ab_opts *)ctx)->block = (int)v;
  return 0;
}

static int set_out(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  if (!*val || strlen(val) > 3800) return cfb_fail(err, errlen, "--out: empty or overlong directory name");
  ((ab_opts *)ctx)->out = val;
  return 0;
}

static int set_format(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ab_opts *o = ctx;
  if (!strcmp(val, "text")) o->fmt = 0;
  else if (!strcmp(val, "md")) o->fmt = 1;
  else if (!strcmp(val, "json")) o->fmt = 2;
  else return cfb_fail(err, errlen, "--format: '%s'; allowed: text, md, json", val);
  return 0;
}

static int set_metric(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  return cfb_gate_metric_parse(val, 1, &((ab_opts *)ctx)->metric, err, errlen);
}

static int set_ignore(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ((ab_opts *)ctx)->ignore = val;
  return 0;
}

static int set_seed(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ab_opts *o = ctx;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(val, &end, 10);
  if (end == val || *end || errno || *val == '-')
    return cfb_fail(err, errlen, "--seed: '%s' is not a non-negative integer", val);
  o->seed = v;
  o->seed_given = 1;
  return 0;
}

/* ab's own options; every other option goes to `SIDE run`. */
static const cfb_option ab_options[] = {
    {"--min-rounds", 1, set_rounds, 0}, {"--max-rounds", 1, set_rounds, 0},
    {"--threshold", 1, set_threshold, 0}, {"--budget", 1, set_budget, 0},
    {"--out", 1, set_out, 0},           {"--format", 1, set_format, 0},
    {"--seed", 1, set_seed, 0},         {"--ignore-param", 1, set_ignore, 0},
    {"--metric", 1, set_metric, 0},     {"--block", 1, set_block, 0},
    {NULL, 0, NULL, 0}};

/* Run options ab sets itself for each round. */
static const char *const owned[] = {"--repeat", "--rounds", "--force", "--target-ci", "--configs",
                                    "--dry-run", NULL};

static void usage(FILE *f) {
  fprintf(f, "usage: cfbench ab BASE NEW --out DIR [--min-rounds 5] [--max-rounds %d]\n"
             "         [--threshold 3%%] [--budget S] [--format text|md|json]\n"
             "         [--seed X] [--ignore-param K,...] [--metric both|cpu|wall]\n"
             "         [--block N (default %d)] [run options, e.g. --suite ci]\n",
          AB_MAX_ROUNDS, AB_BLOCK);
}

static void help(void) {
  usage(stdout);
  printf("  BASE, NEW: two cfbench commands (a path, or a quoted command line).  Each\n"
         "  round runs the sweep once with each, same seed, in blocks of --block\n"
         "  configurations (run's --configs; 0: the whole sweep at once): the blocks in\n"
         "  an order drawn per round, each block with BASE and NEW back to back, the\n"
         "  side that goes first balanced per configuration, so the two measurements of\n"
         "  a configuration are seconds apart, not a sweep apart.  Configurations are\n"
         "  judged on their per-round ratios NEW/BASE, on both metrics by default\n"
         "  (--metric both): items per wall-second (items_per_s) and items per\n"
         "  CPU-second (items_done / (cpu_user_s + cpu_sys_s)).  Each of the 2M tests (M\n"
         "  configurations x 2 metrics) is a Wilcoxon signed-rank interval at the\n"
         "  sequential plan's level divided by its Holm divisor over all 2M, so an A/A\n"
         "  comparison flags anything with probability about 5%%.  A configuration is\n"
         "  'slower' when either metric's interval lies below 1 and its estimate below\n"
         "  1 - threshold (the verdict says which: 'slower (cpu)'), 'faster' likewise.\n"
         "  CPU time finds a CPU regression on a loaded machine, where other jobs take\n"
         "  our share of the CPUs and a 5%% change drowns in wall time; wall time finds\n"
         "  one that only waits longer (a slower wake-up, a sleep).  --metric cpu or\n"
         "  --metric wall judges one (a family of M).  The smallest p-value n rounds can\n"
         "  give is 2/2^n, so nothing can be flagged before 2/2^n <= alpha_n/T (T tests):\n"
         "  with --max-rounds 20, both metrics on M = 2 (T = 4) need 11 rounds, on M =\n"
         "  60 (--suite ci, T = 120) 15; one metric: M = 2 10, M = 60 14 (ab warns when\n"
         "  --max-rounds is too few).  Rounds go on until every configuration is\n"
         "  decided on each metric and within the threshold, --max-rounds, or --budget.\n"
         "  Writes DIR/base/runs.csv, DIR/new/runs.csv, DIR/order.csv (every invocation\n"
         "  in the order it ran), DIR/gate.json (per configuration each metric's ratio,\n"
         "  interval and verdict, and which decided).  Exit 0 no\n"
         "  regression, 1 a regression, 2 bad input.\n");
}

/* Apply argv[i] (and its value) if it is ab's; *used = arguments taken. */
static int ab_option(ab_opts *o, int argc, char **argv, int i, int *used, char *err, size_t errlen) {
  *used = 0;
  for (const cfb_option *op = ab_options; op->name; op++) {
    size_t l = strlen(op->name);
    if (strncmp(argv[i], op->name, l) || (argv[i][l] && argv[i][l] != '=')) continue;
    const char *val = argv[i][l] ? argv[i] + l + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
    if (!val) return cfb_fail(err, errlen, "%s needs a value", op->name);
    *used = argv[i][l] ? 1 : 2;
    return op->set(o, op, val, err, errlen);
  }
  return 0;
}

static int parse_ab(int argc, char **argv, ab_opts *o, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  o->min_rounds = CFB_SEQ_MIN_ROUNDS;
  o->max_rounds = AB_MAX_ROUNDS;
  o->block = AB_BLOCK;
  o->threshold = CFB_GATE_THRESHOLD;
  /* Both metrics by default.  Items per CPU-second find a CPU regression
   * on a loaded shared runner, where a round's wall time is mostly our
   * share of the CPUs (docs/compare.md: a 5% heavier item flagged in 37 of
   * 40 on CPU time, 0 of 8 on wall time); but a regression that only adds
   * waiting (a slower wake-up, a sleep) costs no CPU and shows on wall
   * time only.  Testing both in one Holm family of 2M keeps the
   * comparison's false-alarm rate at alpha; the price is a round or two
   * more before anything can be flagged. */
  o->metric = CFB_METRIC_BOTH;
  o->pass = calloc((size_t)argc + 1, sizeof *o->pass);
  if (!o->pass) return cfb_fail(err, errlen, "out of memory");
  for (int i = 1; i < argc;) {
    int used, rc = ab_option(o, argc, argv, i, &used, err, errlen);
    if (rc) return rc;
    if (used) {
      i += used;
      continue;
    }
    if (argv[i][0] != '-' && o->nsides < SIDES) {
      o->side[o->nsides++] = argv[i++];
      continue;
    }
    for (size_t k = 0; owned[k]; k++)
      if (!strncmp(argv[i], owned[k], strlen(owned[k])))
        return cfb_fail(err, errlen, "%s: ab runs one round per invocation and sets it itself", owned[k]);
    o->pass[o->npass++] = argv[i++];
  }
  if (o->nsides != SIDES) return cfb_fail(err, errlen, "give two cfbench commands, BASE and NEW");
  if (o->min_rounds > o->max_rounds)
    return cfb_fail(err, errlen, "--min-rounds %d is more than --max-rounds %d", o->min_rounds, o->max_rounds);
  return 0; /* --out is checked last, after the sides' own options (cfb_cmd_ab) */
}

/* ------------------------------------------------------------ running */

/* s single-quoted for /bin/sh. */
static void sh_quote(cfb_sb *b, const char *s) {
  cfb_sb_append(b, " '");
  for (; *s; s++) {
    if (*s == '\'') cfb_sb_append(b, "'\\''");
    else cfb_sb_appendn(b, s, 1);
  }
  cfb_sb_append(b, "'");
}

/* Run `side run ...` for round r into dir (its output in dir.log).  The
 * run's exit code, or -1 when it did not exit. */
static int run_side(const ab_opts *o, int side, uint64_t seed, const char *configs, const char *dir) {
  cfb_sb cmd = {0};
  /* The side is a command line as given: the shell splits it. */
  cfb_sb_printf(&cmd, "%s run --warmup 0", o->side[side]);
  for (int i = 0; i < o->npass; i++) sh_quote(&cmd, o->pass[i]);
  if (configs) cfb_sb_printf(&cmd, " --configs %s", configs);
  cfb_sb_printf(&cmd, " --repeat 1 --rounds 1 --seed %llu --force --out", (unsigned long long)seed);
  sh_quote(&cmd, dir);
  cfb_sb_append(&cmd, " >");
  char log[4200];
  snprintf(log, sizeof log, "%s.log", dir);
  sh_quote(&cmd, log);
  cfb_sb_append(&cmd, " 2>&1 </dev/null");
  if (cfb_sb_failed(&cmd)) {
    cfb_sb_free(&cmd);
    return -1;
  }
  int st = system(cfb_sb_str(&cmd));
  cfb_sb_free(&cmd);
  return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The last non-empty line of dir.log, for the message of a side that failed. */
static void last_log_line(const char *dir, char *out, size_t len) {
  char log[4200], *buf = NULL;
  size_t n = 0;
  snprintf(log, sizeof log, "%s.log", dir);
  out[0] = '\0';
  if (cfb_read_file(log, &buf, &n) != 0) return;
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  char *nl = strrchr(buf, '\n');
  snprintf(out, len, "%s", nl ? nl + 1 : buf);
  free(buf);
}

/* `side run ... FLAG` (--dry-run=tsv, or --dry-run of an older build):
 * the expanded sweep (malloc'd in *out, NULL when the side cannot list
 * it).  Returns the side's exit status (-1: it could not be started); its
 * first line on stderr goes to why, so a side that refuses its options
 * (exit 2) or is not a command (127) is reported as one line before any
 * round. */
static int sweep_listing(const ab_opts *o, int side, const char *flag, char **out, char *why, size_t whylen) {
  cfb_sb cmd = {0};
  char errpath[] = "/tmp/cfbench-ab-XXXXXX";
  int efd = mkstemp(errpath);
  *out = NULL;
  *why = 0;
  if (efd < 0) return -1;
  cfb_sb_printf(&cmd, "%s run --warmup 0", o->side[side]);
  for (int i = 0; i < o->npass; i++) sh_quote(&cmd, o->pass[i]);
  cfb_sb_printf(&cmd, " --repeat 1 --rounds 1 --seed 1 %s 2>%s </dev/null", flag, errpath);
  FILE *p = cfb_sb_failed(&cmd) ? NULL : popen(cfb_sb_str(&cmd), "r");
  cfb_sb_free(&cmd);
  int st = -1;
  if (p) {
    cfb_sb b = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) cfb_sb_appendn(&b, buf, n);
    int w = pclose(p);
    st = w == -1 ? -1 : WIFEXITED(w) ? WEXITSTATUS(w) : 128 + WTERMSIG(w);
    if (st == 0 && !cfb_sb_failed(&b)) *out = strdup(cfb_sb_str(&b));
    cfb_sb_free(&b);
  }
  FILE *e = fdopen(efd, "r");
  if (e && fgets(why, (int)whylen, e)) why[strcspn(why, "\n")] = 0;
  if (e) fclose(e);
  else close(efd);
  unlink(errpath);
  return st;
}

/* Exit 2 naming the flag itself: a build without it (an older one). */
static int refused(int st, const char *why, const char *flag) { return st == 2 && strstr(why, flag) != NULL; }

/* Side k's sweep as canonical rows (ab_listing.h) in *rows: from
 * --dry-run=tsv, or from an older build's --dry-run; *rows NULL when
 * neither lists it (a build older than --dry-run: whole sweeps then).
 * 0, or 2 after one line saying why the side cannot run. */
static int side_rows(const ab_opts *o, int k, char **rows) {
  char *l = NULL, why[512];
  int tsv = 1, st = sweep_listing(o, k, "--dry-run=tsv", &l, why, sizeof why);
  if (refused(st, why, "--dry-run")) {
    tsv = 0;
    st = sweep_listing(o, k, "--dry-run", &l, why, sizeof why);
  }
  *rows = NULL;
  if (st == 127 || st < 0 || (st && !refused(st, why, "--dry-run"))) {
    char code[32];
    snprintf(code, sizeof code, st < 0 ? "could not start it" : "exit %d", st);
    fprintf(stderr, "cfbench ab: %s '%s' failed `run %s` (%s)%s%s\n", k ? "NEW" : "BASE", o->side[k],
            tsv ? "--dry-run=tsv" : "--dry-run", code, *why ? ": " : "", why);
    free(l);
    return 2;
  }
  if (l) *rows = cfb_ab_listing_rows(l, tsv, o->ignore);
  free(l);
  return 0;
}

/* How many configurations both sides' sweeps have, when they expand it
 * alike (then a block of indices is the same configurations on both);
 * 0 otherwise: each round then runs the whole sweep with each side. */
static size_t common_sweep(const ab_opts *o, char **l) {
  size_t n = 0;
  if (l[0] && l[1] && !strcmp(l[0], l[1])) n = cfb_ab_listing_count(l[0]);
  else if (o->block > 0)
    fprintf(stderr, "cfbench ab: BASE and NEW do not list the same sweep (run --dry-run); each round "
                    "runs the whole sweep with each side\n");
  return n;
}

/* Both sides list the sweep before any round: a side that cannot (a
 * missing command, options it refuses) ends ab here with its own first
 * line, exit 2.  *n gets the common sweep's size. */
static int check_sides(const ab_opts *o, size_t *n) {
  char *l[SIDES] = {NULL, NULL};
  int rc = 0;
  for (int k = 0; k < SIDES && !rc; k++) rc = side_rows(o, k, &l[k]);
  if (!rc) *n = o->block > 0 ? common_sweep(o, l) : 0;
  free(l[0]);
  free(l[1]);
  return rc;
}

/* ------------------------------------------------------------ rows */

/* One CSV field, quoted when it must be. */
static void csv_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* Append the rows of t to DIR/SIDE/runs.csv, with the ab round. */
static void merge_rows(FILE *f, const cfb_csv_table *t, int round) {
  int rc = cfb_csv_col(t, CFB_RUNS(ROUND));
  if (ftell(f) == 0) {
    for (size_t k = 0; k < t->ncols; k++) fprintf(f, "%s%s", k ? "," : "", t->header[k]);
    fputc('\n', f);
  }
  char rs[16];
  snprintf(rs, sizeof rs, "%d", round);
  for (size_t i = 0; i < t->nrows; i++) {
    for (size_t k = 0; k < t->ncols; k++) {
      if (k) fputc(',', f);
      csv_field(f, (int)k == rc ? rs : t->rows[i][k]);
    }
    fputc('\n', f);
  }
  fflush(f);
}

/* Is metric k (CFB_METRIC_WALL, CPU) judged? */
static int judges(const ab_opts *o, int k) { return o->metric == CFB_METRIC_BOTH || (int)o->metric == k; }

/* Read round r's runs.csv of one side.  0, or -1 with err. */
static int load_round(ab_state *s, int side, int round, const char *dir, const ab_opts *o, char *err,
                      size_t errlen) {
  char file[4200];
  cfb_csv_table t;
  if (cfb_runs_open(dir, &t, file, sizeof file, err, errlen) != 0) return -1;
  if (s->merged[side]) merge_rows(s->merged[side], &t, round);
  /* ratios need both sides > 0 */
  int rc = 0;
  for (int k = 0; k < CFB_METRIC_N && !rc; k++) {
    cfb_runs_opts ro = {.ignore = o->ignore, .cpu = k == CFB_METRIC_CPU, .positive = 1, .round = round};
    if (judges(o, k)) rc = cfb_runs_group(&s->side[k][side], &t, file, &ro, err, errlen);
  }
  cfb_csv_table_free(&t);
  return rc;
}

/* ------------------------------------------------------------ deciding */

/* The per-round pairs (base, new) of a configuration.  0 or an error. */
static int pairs_of(const cfb_runs_cfg *a, const cfb_runs_cfg *c, double **b, double **nw, size_t *n) {
  return cfb_paired_by_round(a->round, a->x, a->n, c->round, c->x, c->n, b, nw, n);
}

/* One test of the family: a configuration (in both sides) on one metric. */
typedef struct ab_pairs {
  const cfb_runs_cfg *base;
  int metric;
  double *b, *nw;
  size_t n;
} ab_pairs;

static void pairs_free(ab_pairs *pp, size_t m) {
  for (size_t k = 0; pp && k < m; k++) free(pp[k].b), free(pp[k].nw);
  free(pp);
}

/* The family Holm corrects over: every configuration both sides measured,
 * on every metric judged (2M with --metric both), with its pairs
 * (malloc'd, *m of them; NULL when out of memory). */
static ab_pairs *collect_pairs(const ab_opts *o, const ab_state *s, size_t *m) {
  size_t cap = 0;
  for (int k = 0; k < CFB_METRIC_N; k++) cap += s->side[k][0].n;
  ab_pairs *pp = calloc(cap ? cap : 1, sizeof *pp);
  *m = 0;
  for (int k = 0; pp && k < CFB_METRIC_N; k++) {
    const cfb_runs_set *bs = &s->side[k][0], *ns = &s->side[k][1];
    for (size_t i = 0; judges(o, k) && i < bs->n; i++) {
      const cfb_runs_cfg *a = &bs->c[i], *c = cfb_runs_find(ns, a->key);
      if (!c) continue;
      ab_pairs *q = &pp[(*m)++];
      q->base = a;
      q->metric = k;
      if (pairs_of(a, c, &q->b, &q->nw, &q->n) != 0) {
        pairs_free(pp, *m);
        return NULL;
      }
    }
  }
  return pp;
}

/* The family's size after the rounds so far. */
static size_t family_size(const ab_opts *o, const ab_state *s) {
  size_t m = 0;
  for (int k = 0; k < CFB_METRIC_N; k++)
    for (size_t i = 0; judges(o, k) && i < s->side[k][0].n; i++)
      m += cfb_runs_find(&s->side[k][1], s->side[k][0].c[i].key) != NULL;
  return m;
}

/* Does some test of the family need another round?  Judged at the
 * Bonferroni level alpha_n / m, the strictest divisor Holm can give, so
 * that stopping never leaves a test short of the rounds its corrected
 * level needs; a configuration is decided when all its metrics are. */
static int any_needs_more(const ab_opts *o, const ab_state *s, const cfb_seq_plan *plan, double target) {
  size_t m;
  ab_pairs *pp = collect_pairs(o, s, &m);
  if (!pp) return 1;
  int more = 0;
  for (size_t i = 0; !more && i < m; i++) {
    cfb_paired r;
    double level = 1 - cfb_seq_alpha(plan, pp[i].n) / (m > 1 ? (double)m : 1);
    more = cfb_paired_analyze(pp[i].nw, pp[i].b, pp[i].n, level, NULL, &r) != 0 ||
           cfb_paired_needs_more(plan, &r, target);
  }
  pairs_free(pp, m);
  return more;
}

/* The fewest rounds at which a family of m tests can flag one: the
 * smallest n with 2 / 2^n (the smallest exact signed-rank p) <= alpha_n /
 * m; 0 when none up to the plan's max_rounds. */
static int rounds_to_flag(const cfb_seq_plan *plan, size_t m) {
  for (size_t n = plan->min_rounds; n <= plan->max_rounds; n++)
    if (2 / ldexp(1, (int)n) <= cfb_seq_alpha(plan, n) / (double)(m ? m : 1)) return (int)n;
  return 0;
}

/* The row of configuration `key` in r (appended when new). */
static cfb_judged *row_of(cfb_gate_report *r, cfb_judged *rows, const char **keys, const ab_pairs *q) {
  for (size_t i = 0; i < r->n; i++)
    if (!strcmp(keys[i], q->base->key)) return &rows[i];
  keys[r->n] = q->base->key;
  rows[r->n].name = q->base->name;
  return &rows[r->n++];
}

/* A row's verdict from its metrics' tests: the one judged; with both,
 * cfb_gate_either, the figures those of the metric that decided (none:
 * CPU's, the steadier on a loaded machine, when judged). */
static void settle(cfb_judged *j) {
  cfb_gate g[CFB_METRIC_N];
  int idx[CFB_METRIC_N], k = 0;
  for (int m = 0; m < CFB_METRIC_N; m++)
    if (j->has[m]) g[k] = j->by[m], idx[k++] = m;
  unsigned which;
  cfb_gate_verdict v = cfb_gate_either(g, (size_t)k, &which);
  int fig = j->has[CFB_METRIC_CPU] ? CFB_METRIC_CPU : CFB_METRIC_WALL, resolved = 1;
  j->decided = 0;
  for (int i = 0; i < k; i++) {
    resolved &= g[i].resolved;
    if (which & (1u << i)) j->decided |= 1u << idx[i];
  }
  for (int m = CFB_METRIC_N - 1; m >= 0; m--)
    if (j->decided & (1u << m)) fig = m;
  j->g = j->by[fig];
  j->g.verdict = v;
  j->g.resolved = v == CFB_GATE_SLOWER || v == CFB_GATE_FASTER || resolved;
  j->base_median = j->base_by[fig];
  j->new_median = j->new_by[fig];
}

/* Judge every test of the family (cfb_gate_family: Holm over all of
 * them) into one row per configuration (malloc'd). */
static int judge_all(const ab_opts *o, const ab_state *s, const cfb_seq_plan *plan, cfb_gate_report *r) {
  int first = judges(o, CFB_METRIC_WALL) ? CFB_METRIC_WALL : CFB_METRIC_CPU;
  const cfb_runs_set *bs = &s->side[first][0], *ns = &s->side[first][1];
  size_t m;
  ab_pairs *pp = collect_pairs(o, s, &m);
  cfb_judged *rows = calloc(m ? m : 1, sizeof *rows);
  const char **keys = calloc(m ? m : 1, sizeof *keys);
  cfb_gate_test *t = calloc(m ? m : 1, sizeof *t);
  cfb_gate *g = calloc(m ? m : 1, sizeof *g);
  size_t *div = calloc(m ? m : 1, sizeof *div);
  int rc = pp && rows && keys && t && g && div ? 0 : -1;
  for (size_t i = 0; !rc && i < m; i++) t[i] = (cfb_gate_test){pp[i].b, pp[i].nw, pp[i].n};
  cfb_gate_opts go = {.threshold = o->threshold};
  if (!rc) rc = cfb_gate_family(plan, t, m, &go, g, div) ? -1 : 0;
  r->rows = rows;
  r->family = m;
  for (size_t i = 0; !rc && i < m; i++) {
    cfb_judged *j = row_of(r, rows, keys, &pp[i]);
    int k = pp[i].metric;
    j->has[k] = 1;
    j->by[k] = g[i];
    j->div_by[k] = div[i];
    j->base_by[k] = cfb_stats_median(pp[i].b, pp[i].n);
    j->new_by[k] = cfb_stats_median(pp[i].nw, pp[i].n);
  }
  for (size_t i = 0; !rc && i < r->n; i++) settle(&rows[i]);
  for (size_t i = 0; i < ns->n; i++)
    if (!cfb_runs_find(bs, ns->c[i].key)) r->only_new++;
  for (size_t i = 0; i < bs->n; i++) r->only_base += !cfb_runs_find(ns, bs->c[i].key);
  pairs_free(pp, m);
  free(keys);
  free(t);
  free(g);
  free(div);
  return rc;
}

/* ------------------------------------------------------------ command */

static void state_free(ab_state *s) {
  for (int k = 0; k < SIDES; k++) {
    for (int m = 0; m < CFB_METRIC_N; m++) cfb_runs_set_free(&s->side[m][k]);
    if (s->merged[k]) fclose(s->merged[k]);
  }
  if (s->order) fclose(s->order);
  free(s->perm);
  free(s->lead);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st, (void)type, (void)ftw;
  return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* Remove the round directories (round-NNN-block-NNN, nothing else) an
 * earlier ab left in side directory d: runs.csv and order.csv are
 * rewritten, but a rerun with fewer rounds or blocks left the old ones
 * beside its own, as if they belonged to it.  0, or 2 said. */
static int remove_old_rounds(const char *d) {
  DIR *dir = opendir(d);
  if (!dir) return 0;
  struct dirent *de;
  int rc = 0;
  while (!rc && (de = readdir(dir))) {
    int r, b, n = 0;
    if (sscanf(de->d_name, "round-%3d-block-%3d%n", &r, &b, &n) != 2 || de->d_name[n]) continue;
    char p[4500];
    snprintf(p, sizeof p, "%s/%s", d, de->d_name);
    if (nftw(p, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
      fprintf(stderr, "cfbench ab: cannot remove the earlier round %s: %s\n", p, strerror(errno));
      rc = 2;
    }
  }
  closedir(dir);
  return rc;
}

/* Open DIR/base and DIR/new and their merged runs.csv.  0, or 2 said. */
static int open_out(const ab_opts *o, ab_state *s) {
  for (int k = 0; k < SIDES; k++) {
    char d[4200];
    snprintf(d, sizeof d, "%.3900s/%s", o->out, side_name[k]);
    if (cfb_mkdir_p(d) != 0) {
      fprintf(stderr, "cfbench ab: cannot create %s: %s\n", d, strerror(errno));
      return 2;
    }
    if (remove_old_rounds(d) != 0) return 2;
    strncat(d, "/runs.csv", sizeof d - strlen(d) - 1);
    if (!(s->merged[k] = fopen(d, "w"))) {
      fprintf(stderr, "cfbench ab: cannot write %s: %s\n", d, strerror(errno));
      return 2;
    }
  }
  char d[4200];
  snprintf(d, sizeof d, "%.3900s/order.csv", o->out);
  if (!(s->order = fopen(d, "w"))) {
    fprintf(stderr, "cfbench ab: cannot write %s: %s\n", d, strerror(errno));
    return 2;
  }
  fprintf(s->order, "seq,round,block,side,configs,start_s,end_s\n");
  return 0;
}

/* Run one side on one block (configs: run's --configs list, NULL: the
 * whole sweep) and read its rows; the invocation goes to order.csv.  0,
 * or 2 said (the side failed to run). */
static int run_block(const ab_opts *o, ab_state *s, int r, int blk, int side, uint64_t seed,
                     const char *configs) {
  char dir[4000], err[4400], line[512];
  snprintf(dir, sizeof dir, "%.3900s/%s/round-%03d-block-%03d", o->out, side_name[side], r, blk);
  struct timespec t0, t1;
  clock_gettime(CLOCK_REALTIME, &t0);
  int rc = run_side(o, side, seed, configs, dir);
  clock_gettime(CLOCK_REALTIME, &t1);
  fprintf(s->order, "%ld,%d,%d,%s,%s,%.3f,%.3f\n", s->seq++, r, blk, side_name[side], configs ? configs : "all",
          (double)t0.tv_sec + t0.tv_nsec / 1e9, (double)t1.tv_sec + t1.tv_nsec / 1e9);
  fflush(s->order);
  /* 1 = a configuration failed (its rows say so); anything else is the side's fault. */
  if (rc != 0 && rc != 1) {
    last_log_line(dir, line, sizeof line);
    fprintf(stderr, "cfbench ab: %s (%s) exited %d in round %d: %s\n", side_name[side] /* BASE/NEW */,
            o->side[side], rc, r + 1, line[0] ? line : "(no output)");
    return 2;
  }
  if (load_round(s, side, r, dir, o, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench ab: %s: %s\n", side_name[side], err);
    return 2;
  }
  return 0;
}

/* Which side runs first in the block perm[from..to) (to == from: the
 * whole sweep): the one that has gone first less often in the block's
 * configurations, drawn when even.  A position effect of back-to-back
 * processes (the second of a pair 21% slower in the ab test's mixed sweep
 * under load, 0.7% over the ci suite; docs/compare.md) cancels with a fair
 * coin only on average over seeds; balancing cancels it within every
 * configuration's rounds, so a fixed --seed cannot turn it into a
 * "regression".  The start is still random: the pairs stay exchangeable. */
static int first_side(ab_state *s, size_t from, size_t to, uint64_t *rng) {
  long bal = 0;
  for (size_t i = from; i < to; i++) bal += s->lead[s->perm[i]];
  if (to == from) bal = s->lead[s->nconfigs];
  int first = bal > 0 ? 1 : bal < 0 ? 0 : (int)cfb_rng_below(rng, 2);
  int d = first == 0 ? 1 : -1;
  for (size_t i = from; i < to; i++) s->lead[s->perm[i]] += d;
  if (to == from) s->lead[s->nconfigs] += d;
  return first;
}

/* Round r: the configurations in an order drawn for the round, cut into
 * blocks of --block; each block with both sides back to back, in an order
 * drawn per block, so a burst of load on the machine falls on both
 * measurements of a configuration or on neither.  0, or 2 said. */
static int one_round(const ab_opts *o, ab_state *s, int r, uint64_t *rng) {
  char key[32];
  snprintf(key, sizeof key, "ab round %d", r);
  uint64_t seed = cfb_hash_str(key, o->seed) % 1000000000u;
  size_t n = s->nconfigs, per = o->block > 0 ? (size_t)o->block : n;
  for (size_t i = 0; i < n; i++) s->perm[i] = i;
  for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
    size_t j = (size_t)cfb_rng_below(rng, i), t = s->perm[i - 1];
    s->perm[i - 1] = s->perm[j], s->perm[j] = t;
  }
  int blk = 0;
  for (size_t at = 0; at < n || (!n && !blk); at += per, blk++) {
    cfb_sb list = {0};
    for (size_t i = at; i < n && i < at + per; i++) cfb_sb_printf(&list, "%s%zu", i > at ? "," : "", s->perm[i]);
    if (cfb_sb_failed(&list)) return cfb_sb_free(&list), 2;
    /* the whole sweep in one block: no --configs (sides that list it differently) */
    const char *configs = n && per < n ? cfb_sb_str(&list) : NULL;
    int first = first_side(s, at, at + per < n ? at + per : n, rng), rc = 0;
    for (int k = 0; k < SIDES && !rc; k++) rc = run_block(o, s, r, blk, k ? 1 - first : first, seed, configs);
    cfb_sb_free(&list);
    if (rc) return rc;
    if (!n) break;
  }
  return 0;
}

/* Said once, after the first round shows how many configurations there
 * are: when --max-rounds cannot reach the corrected level, no
 * configuration can be flagged and the gate would pass anything. */
static void warn_rounds(const ab_opts *o, const ab_state *s, const cfb_seq_plan *plan) {
  size_t m = family_size(o, s);
  int need = rounds_to_flag(plan, m);
  if (!m || need) return;
  char text[512];
  snprintf(text, sizeof text,
           "cfbench ab: WARNING: with %zu test%s (configurations x metrics judged) no regression can be "
           "flagged in %d round%s (the Holm-corrected level needs more); raise --max-rounds%s",
           m, cfb_plural((long long)m), o->max_rounds, cfb_plural(o->max_rounds),
           o->metric == CFB_METRIC_BOTH ? " or judge one --metric" : "");
  cfb_fmt_print_wrapped(stderr, text, 80, 2); /* 141 columns on one line wrapped anywhere */
}

static int emit(const ab_opts *o, const cfb_gate_report *r) {
  cfb_sb out = {0}, js = {0};
  char path[4000];
  if (o->fmt == 2) cfb_gate_emit_json(r, &out);
  else cfb_gate_emit_table(r, o->fmt == 1, &out);
  snprintf(path, sizeof path, "%.3900s/gate.json", o->out);
  int rc = 0;
  if (cfb_gate_emit_json(r, &js) != 0 || cfb_sb_write_file(&js, path) != 0) {
    fprintf(stderr, "cfbench ab: writing %s failed: %s\n", path, strerror(errno));
    rc = 2;
  }
  if (cfb_sb_failed(&out)) rc = 2;
  else fputs(cfb_sb_str(&out), stdout);
  cfb_sb_free(&out);
  cfb_sb_free(&js);
  return rc;
}

int cfb_cmd_ab(int argc, char **argv) {
  if (cfb_options_help(argc - 1, argv + 1)) {
    help();
    return 0;
  }
  ab_opts o;
  char err[512];
  if (parse_ab(argc, argv, &o, err, sizeof err) != 0) {
    fprintf(stderr, "cfbench ab: %s\n", err);
    free(o.pass);
    return 2;
  }
  if (!o.seed_given) o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
  cfb_seq_plan plan;
  ab_state s = {0};
  int rc = cfb_seq_plan_init(&plan, (size_t)o.min_rounds, (size_t)o.max_rounds, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE);
  if (rc) {
    fprintf(stderr, "cfbench ab: out of memory\n");
    rc = 2;
  }
  /* Every input first, DIR last: the sides' dry runs report their own
   * bad options (an unknown one, a bad workload) even without --out, and
   * nothing is created for input that is refused. */
  if (!rc) rc = check_sides(&o, &s.nconfigs);
  if (!rc && !o.out) {
    fprintf(stderr, "cfbench ab: --out DIR is required (both sides' rows and the verdicts go there)\n");
    rc = 2;
  }
  if (!rc) rc = open_out(&o, &s);
  if (!rc && (!(s.perm = calloc(s.nconfigs + 1, sizeof *s.perm)) ||
              !(s.lead = calloc(s.nconfigs + 1, sizeof *s.lead)))) {
    fprintf(stderr, "cfbench ab: out of memory\n");
    rc = 2;
  }
  uint64_t rng = o.seed ^ 0x9e3779b97f4a7c15ull;
  double start = cfb_now_s(), last = 0;
  int rounds = 0;
  for (int r = 0; !rc && r < o.max_rounds; r++) {
    if (r >= o.min_rounds && !any_needs_more(&o, &s, &plan, o.threshold)) break;
    if (r > 0 && o.budget_s > 0 && cfb_now_s() - start + last > o.budget_s) break;
    double t0 = cfb_now_s();
    rc = one_round(&o, &s, r, &rng);
    last = cfb_now_s() - t0;
    rounds = r + 1;
    fprintf(stderr, "cfbench ab: round %d done (%.1f s)\n", rounds, last);
    if (r == 0 && !rc) warn_rounds(&o, &s, &plan);
  }
  cfb_gate_report rep = {.cmd = "ab", .base = o.side[0], .nw = o.side[1], .paired = 1, .metric = o.metric,
                         .threshold = o.threshold, .alpha = CFB_PAIRED_ALPHA};
  if (!rc && judge_all(&o, &s, &plan, &rep) != 0) {
    fprintf(stderr, "cfbench ab: out of memory\n");
    rc = 2;
  }
  if (!rc && !rep.n) {
    fprintf(stderr, "cfbench ab: no configuration measured on both sides in %d round%s\n", rounds, cfb_plural(rounds));
    rc = 2;
  }
  if (!rc) rc = emit(&o, &rep);
  if (!rc) rc = cfb_gate_exit(&rep);
  free((void *)rep.rows);
  state_free(&s);
  free(o.pass);
  return rc;
}

const cfb_option *cfb_ab_option_table(void) { return ab_options; }
