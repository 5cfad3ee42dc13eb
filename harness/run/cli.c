/* cli.c -- parsing and validating `cfbench run` options into a
 * cfb_run_opts.  Every error is ONE line naming the bad argument and what
 * is allowed; the caller exits 2 with it.  Sweep axes take lists
 * ("1,2,4") and, for numbers, doubling ranges ("1..64" = 1,2,4,...,64). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "options.h"
#ifdef CF_HAVE_HWLOC
#include <hwloc.h>
#endif
#include <cfwork_plugin.h>
#include "paired.h"
#include "suites.h"
#include "sweepfile.h"
#include "sweep.h"

#define MAX_LIST 4096 /* values one axis may expand to */
#define MAX_CONFIG_INDEX 1000000 /* --configs: far beyond any sweep that could run */

#define fail cfb_fail

void cfb_run_usage(FILE *f) {
  /* at most 79 columns a line: the help is read in an 80-column terminal */
  fprintf(f,
          "usage: cfbench run [--suite NAME | --workload W[,W...] [axes]] [options]\n"
          "axes (lists a,b,c; numeric ranges A..B double from A up to B):\n"
          "  --workload W,...      workloads (cfbench list)\n"
          "  --param K=V,...       a workload parameter's values; repeat for more keys;\n"
          "                        W.K=V,... sets K of workload W only\n"
          "  --backend B,...       thread, process, mpi (cfutures; mpi with --mpi-np),\n"
          "                        py-thread, py-process (CPython's executors,\n"
          "                        docs/python.md; default thread)\n"
          "  --workers N,...       worker counts >= 1 (default 1,2)\n"
          "  --chunksize N,...     items per task >= 1 (default 1)\n"
          "  --pin P,...           none, compact, scatter, or list:PUS, an hwloc list of\n"
          "                        PU OS indices (list:0,1 or list:0-3; worker i on the\n"
          "                        i-th PU, round robin; cfbench topology shows them)\n"
          "                        (default none)\n"
          "  --mode M,...          how items reach the executor: map (cf_map /\n"
          "                        Executor.map with the chunksize), submit (submit\n"
          "                        all, collect as completed), roundtrip (submit one,\n"
          "                        wait for its result, then the next); submit and\n"
          "                        roundtrip run at chunksize 1 (default map)\n"
          "options:\n"
          "  --items N             items per repetition (0 = the workload's own count;\n"
          "                        default 0)\n"
          "  --repeat R            measured repetitions per configuration (default 5)\n"
          "  --warmup K            unrecorded warm-up repetitions (default 1)\n"
          "  --rounds N            run the sweep in N rounds, each a fresh shuffled order\n"
          "                        of every configuration with its share of the\n"
          "                        repetitions (default 1; suites ci and default: one\n"
          "                        round per repetition)\n"
          "  --max-time S          time budget per configuration: 30, 30s, 500ms, 2m\n"
          "                        (default 0 = none); no repetition starts once it is\n"
          "                        used, and one still running S after its start is cut\n"
          "                        off and failed (process backend: its workers are\n"
          "                        killed; thread backend: no further item starts, the\n"
          "                        running ones finish, as a thread cannot be killed)\n"
          "  --task-timeout S      process backend: a task running longer than S fails\n"
          "                        (CF_ETIMEDOUT) and its worker is killed and replaced\n"
          "                        (default 0 = none)\n"
          "  --start-method M      how process and py-process start their workers: fork,\n"
          "                        spawn (a fresh image of cfbench), forkserver (forked\n"
          "                        by a small server process); meta.json\n"
          "                        config.start_method (default fork; py-process: the\n"
          "                        platform's)\n"
          "adaptive rounds (one repetition of every open configuration per round; a\n"
          "thread/process pair closes once its paired verdict is decided and precise;\n"
          "suites ci and default):\n"
          "  --min-rounds N        rounds before the first look (default 5)\n"
          "  --max-rounds N        a cap on the rounds (default 20; suite default 100)\n"
          "  --target-ci P         close a pair once its ratio's CI is within +-P (default\n"
          "                        5%%; 0 = any)\n"
          "  --budget S            the whole run's time: no round starts that would end\n"
          "                        past it.  After round 1 the rounds that fit it at\n"
          "                        round 1's pace (+20%%) fix the plan's max-rounds (up\n"
          "                        to --max-rounds; meta.json run.planned_max_rounds);\n"
          "                        if --min-rounds do not fit, each workers/chunksize\n"
          "                        grid drops its points between the ends, finest\n"
          "                        first, until they do (a 'plan:' line says how many);\n"
          "                        if not even the ends fit, the run stops after round 1\n"
          "                        with a WARNING naming the budget that would fit\n"
          "  --plan-stretch F      plan the looks past --min-rounds to F x the rounds\n"
          "                        past it that fit --budget with every pair to the\n"
          "                        end (within --max-rounds; default 1): decided pairs\n"
          "                        close, so those rounds go to the rest; --budget\n"
          "                        still ends the run\n"
          "  --seed X              seed of the run order and the bootstrap (default: from\n"
          "                        the clock)\n"
          "  --out DIR             output directory (default results/runs/<UTC time>)\n"
          "  --force               write into a non-empty DIR\n"
          "  --counters L          auto, papi, perf, rusage (default auto; env\n"
          "                        CFBENCH_COUNTERS)\n"
          "  --export-gbench FILE  also write the results as Google Benchmark JSON\n"
          "                        (cfbench export)\n"
          "  --dry-run[=tsv]       print the rounds and the configurations (=tsv: one\n"
          "                        tab-separated row each, for scripts); run and write\n"
          "                        nothing\n"
          "  --configs I,J-K,...   run only these configurations: 0-based indices into\n"
          "                        the expanded sweep (--dry-run lists them), as\n"
          "                        cfbench ab runs a sweep in blocks (default: all)\n"
          "  --suite NAME|PATH     a named sweep file (cfbench list) or the file at PATH;\n"
          "                        --repeat/--warmup/--max-time/--items/--rounds override\n"
          "                        its values (--repeat or --rounds: fixed rounds instead\n"
          "                        of its adaptive ones)\n"
          "  --file PATH           a sweep file: JSON whose keys are these options without\n"
          "                        the dashes ({\"sweeps\": [{\"workload\": \"sleep\",\n"
          "                        \"workers\": \"1..8\"}]}; man cfbench)\n"
          "mpi backend (docs/mpi.md; under mpiexec or srun these are not needed):\n"
          "  --mpi-np N            start N worker ranks: cfbench re-runs itself as\n"
          "                        mpiexec -n N+1 ... cfbench <same arguments>\n"
          "  --mpi-hostfile F      with --mpi-np: mpiexec --hostfile F (ranks on the hosts\n"
          "                        F lists)\n"
          "  --mpi-hosts H,...     with --mpi-np: mpiexec --host H,... (host or\n"
          "                        host:slots)\n"
          "exit: 0 ok (also a --budget too small for --min-rounds: a WARNING line,\n"
          "      round 1's rows kept), 1 a configuration failed, 2 bad input,\n"
          "      130/143 interrupted (SIGINT/SIGTERM)\n");
}

/* ---------------------------------------------------------------- lists */

static void strlist_free(cfb_strlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

/* Split on ',' (a '\,' is a literal comma).  Empty elements are errors. */
static int split_list(const char *opt, const char *s, cfb_strlist *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!*s) return fail(err, errlen, "%s: empty list; give one or more comma-separated values", opt);
  size_t cap = 0, len = strlen(s);
  char *cur = malloc(len + 1);
  if (!cur) return fail(err, errlen, "%s: out of memory", opt);
  size_t k = 0;
  for (const char *p = s;; p++) {
    if (*p == '\\' && p[1] == ',') {
      cur[k++] = ',';
      p++;
      continue;
    }
    if (*p == ',' || *p == '\0') {
      cur[k] = '\0';
      if (k == 0) {
        free(cur);
        strlist_free(out);
        return fail(err, errlen, "%s: empty value in list '%s'", opt, s);
      }
      if (out->n == cap) {
        cap = cap ? cap * 2 : 8;
        char **nv = realloc(out->v, cap * sizeof *nv);
        if (!nv) goto nomem;
        out->v = nv;
      }
      if (!(out->v[out->n] = strdup(cur))) goto nomem;
      out->n++;
      k = 0;
      if (!*p) break;
      continue;
    }
    cur[k++] = *p;
  }
  free(cur);
  return 0;
nomem:
  free(cur);
  strlist_free(out);
  return fail(err, errlen, "%s: out of memory", opt);
}

/* Digits only: strtoull would also take a sign and leading blanks, so
 * "+2" and " 2" are refused alike. */
static int parse_ull(const char *s, unsigned long long *v) {
  if (*s < '0' || *s > '9') return -1;
  char *end;
  errno = 0;
  *v = strtoull(s, &end, 10);
  return (*end || errno) ? -1 : 0;
}

/* "-5": a number, but below every range here -- said as out of range,
 * not as "not a number". */
static int negative_int(const char *s) {
  if (*s != '-' || s[1] < '0' || s[1] > '9') return 0;
  for (s++; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

/* s as an integer in lo..hi into *v: 0, NUM_NAN (not a number) or
 * NUM_RANGE (a number outside, a negative one included). */
enum { NUM_NAN = 1, NUM_RANGE = 2 };
static int parse_bounded(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *v) {
  if (negative_int(s)) return NUM_RANGE;
  if (parse_ull(s, v)) return NUM_NAN;
  return *v < lo || *v > hi ? NUM_RANGE : 0;
}

static int out_of_range(const char *opt, const char *s, unsigned long long lo, unsigned long long hi, char *err,
                        size_t errlen) {
  return fail(err, errlen, "%s: %s is out of range; allowed: %llu..%llu", opt, s, lo, hi);
}

/* A numeric axis: values and doubling ranges in [lo, hi]. */
static int parse_num_axis(const char *opt, const char *s, unsigned long long lo,
                          unsigned long long hi, unsigned long long **out, size_t *n,
                          char *err, size_t errlen) {
  cfb_strlist l;
  int rc = split_list(opt, s, &l, err, errlen);
  if (rc) return rc;
  unsigned long long *v = NULL;
  size_t cnt = 0, cap = 0;
  for (size_t i = 0; i < l.n; i++) {
    unsigned long long a, b;
    char *dots = strstr(l.v[i], "..");
    if (dots) {
      *dots = '\0';
      int bad = parse_ull(l.v[i], &a) || parse_ull(dots + 2, &b);
      *dots = '.';
      if (bad || a < lo || b > hi || a > b) {
        rc = fail(err, errlen, "%s: bad range '%s'; allowed: A..B with %llu <= A <= B <= %llu", opt,
                  l.v[i], lo, hi);
        goto out;
      }
    } else {
      int bad = parse_bounded(l.v[i], lo, hi, &a);
      if (bad) {
        rc = bad == NUM_RANGE ? out_of_range(opt, l.v[i], lo, hi, err, errlen)
                              : fail(err, errlen,
                                     "%s: '%s' is not a number; allowed: integers %llu..%llu, lists 1,2,4, ranges 1..64",
                                     opt, l.v[i], lo, hi);
        goto out;
      }
      b = a;
    }
    for (unsigned long long x = a; x <= b; x = x ? x * 2 : 1) {
      if (cnt == cap) {
        cap = cap ? cap * 2 : 16;
        if (cap > MAX_LIST) {
          rc = fail(err, errlen, "%s: more than %d values", opt, MAX_LIST);
          goto out;
        }
        unsigned long long *nv = realloc(v, cap * sizeof *nv);
        if (!nv) {
          rc = fail(err, errlen, "%s: out of memory", opt);
          goto out;
        }
        v = nv;
      }
      int dup = 0;
      for (size_t j = 0; j < cnt; j++) dup |= v[j] == x;
      if (!dup) v[cnt++] = x;
      if (x == b) break;
    }
  }
out:
  strlist_free(&l);
  if (rc) {
    free(v);
    return rc;
  }
  *out = v;
  *n = cnt;
  return 0;
}

static int parse_scalar(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
                        unsigned long long *v, char *err, size_t errlen) {
  /* *v is defined on every path, failures too: the callers use it after a
   * `return fail(...)` the compiler cannot see is non-zero (Release's
   * -Wmaybe-uninitialized). */
  *v = 0;
  int bad = parse_bounded(s, lo, hi, v);
  if (bad == NUM_RANGE) return out_of_range(opt, s, lo, hi, err, errlen);
  if (bad) return fail(err, errlen, "%s: '%s' is not a number; allowed: an integer %llu..%llu", opt, s, lo, hi);
  return 0;
}

int cfb_parse_duration(const char *s, double *out_s) {
  char *end;
  errno = 0;
  if (!((*s >= '0' && *s <= '9') || *s == '.')) return -1; /* no sign, no blanks: as parse_ull */
  double v = strtod(s, &end);
  if (end == s || errno || v != v) return -1;
  double mul;
  if (!*end || !strcmp(end, "s")) mul = 1;
  else if (!strcmp(end, "ms")) mul = 1e-3;
  else if (!strcmp(end, "m") || !strcmp(end, "min")) mul = 60;
  else return -1;
  *out_s = v * mul;
  return 0;
}

/* --------------------------------------------------------------- spec */

static void pins_free(cfb_sweep_spec *s) {
  for (size_t i = 0; s->pin_lists && i < s->npins; i++) cfb_pin_list_free(&s->pin_lists[i]);
  free(s->pin_lists);
  free(s->pins);
  s->pin_lists = NULL;
  s->pins = NULL;
  s->npins = 0;
}

static void spec_free(cfb_sweep_spec *s) {
  free(s->workloads);
  for (size_t i = 0; i < s->nparams; i++) {
    free(s->params[i].key);
    strlist_free(&s->params[i].values);
  }
  free(s->params);
  free(s->backends);
  free(s->workers);
  free(s->chunksizes);
  pins_free(s);
  free(s->modes);
  memset(s, 0, sizeof *s);
}

static void list_workloads(char *buf, size_t len) {
  size_t off = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < cf_wk_count() && off < len; i++)
    off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", cf_wk_at(i)->name);
}

static int set_workloads(cfb_sweep_spec *s, const char *val, char *err, size_t errlen) {
  cfb_strlist l;
  int rc = split_list("--workload", val, &l, err, errlen);
  if (rc) return rc;
  free(s->workloads);
  s->nworkloads = 0;
  s->workloads = calloc(l.n, sizeof *s->workloads);
  if (!s->workloads) rc = fail(err, errlen, "--workload: out of memory");
  for (size_t i = 0; !rc && i < l.n; i++) {
    /* a built-in name, fn:PATH.so:SYMBOL or plugin:PATH.so (loaded here,
     * before any pool forks; cf_wk_open's message names what is wrong) */
    const cf_workload *w = NULL;
    char why[512];
    if (cf_wk_open(l.v[i], &w, why, sizeof why) != 0) {
      rc = fail(err, errlen, "%s", why);
      break;
    }
    int dup = 0;
    for (size_t j = 0; j < s->nworkloads; j++) dup |= s->workloads[j] == w;
    if (!dup) s->workloads[s->nworkloads++] = w;
  }
  strlist_free(&l);
  return rc;
}

int cfb_param_axis_parse(const char *val, cfb_param_axis *a, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  const char *eq = strchr(val, '=');
  if (!eq || eq == val)
    return fail(err, errlen, "--param: '%s' is not KEY=VALUE[,VALUE...] (e.g. delay=1ms,10ms)", val);
  size_t kl = (size_t)(eq - val);
  char opt[128];
  snprintf(opt, sizeof opt, "--param %.*s", (int)kl, val);
  int rc = split_list(opt, eq + 1, &a->values, err, errlen);
  if (rc) return rc;
  if (!(a->key = strndup(val, kl))) {
    strlist_free(&a->values);
    return fail(err, errlen, "--param: out of memory");
  }
  return 0;
}

void cfb_param_axis_free(cfb_param_axis *a) {
  free(a->key);
  a->key = NULL;
  strlist_free(&a->values);
}

static int set_param(cfb_sweep_spec *s, const char *val, char *err, size_t errlen) {
  cfb_param_axis a;
  int rc = cfb_param_axis_parse(val, &a, err, errlen);
  if (rc) return rc;
  for (size_t i = 0; i < s->nparams; i++)
    if (!strcmp(s->params[i].key, a.key)) {
      rc = fail(err, errlen, "--param: parameter '%s' given twice; list its values once (%s=a,b)", a.key, a.key);
      cfb_param_axis_free(&a);
      return rc;
    }
  cfb_param_axis *np = realloc(s->params, (s->nparams + 1) * sizeof *np);
  if (!np) {
    cfb_param_axis_free(&a);
    return fail(err, errlen, "--param: out of memory");
  }
  s->params = np;
  s->params[s->nparams++] = a;
  return 0;
}

static int set_enum_axis(const char *opt, const char *val, const char *const *names, int nnames,
                         const char *allowed, int **out, size_t *n, char *err, size_t errlen) {
  cfb_strlist l;
  int rc = split_list(opt, val, &l, err, errlen);
  if (rc) return rc;
  int *v = calloc(l.n, sizeof *v);
  size_t cnt = 0;
  if (!v) rc = fail(err, errlen, "%s: out of memory", opt);
  for (size_t i = 0; !rc && i < l.n; i++) {
    int k = 0;
    while (k < nnames && strcmp(names[k], l.v[i])) k++;
    if (k == nnames) {
      rc = fail(err, errlen, "%s: unknown value '%s'; allowed: %s", opt, l.v[i], allowed);
      break;
    }
    int dup = 0;
    for (size_t j = 0; j < cnt; j++) dup |= v[j] == k;
    if (!dup) v[cnt++] = k;
  }
  strlist_free(&l);
  if (rc) {
    free(v);
    return rc;
  }
  free(*out);
  *out = v;
  *n = cnt;
  return 0;
}

/* Which options a suite may be combined with (and a sweep file may hold:
 * OPT_AXIS and OPT_SCALAR). */
/* OPT_ROUNDS: the run's adaptive rounds, on the command line or as the
 * keys of a sweep file (a suite's own rounds: suites/ci.json). */
enum { OPT_AXIS = 1, OPT_SCALAR = 2, OPT_GLOBAL = 4, OPT_ROUNDS = 8 };

typedef struct parse_state {
  cfb_sweep_spec *spec;
  cfb_run_opts *o;     /* NULL while applying a sweep file's keys */
  int given;          /* OPT_* seen */
  int set_rounds, set_adaptive; /* --rounds; one of the adaptive options */
  int set_target_ci, set_budget, set_stretch;
  int set_items, set_repeat, set_warmup, set_max_time;
  size_t items;
  int repeat, warmup;
  double max_time_s;
  size_t bad_param;    /* finish_spec: which --param failed (+1; 0 = none) */
} parse_state;

/* The sweep axes. */

static int opt_workload(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  return set_workloads(((parse_state *)ctx)->spec, val, err, errlen);
}

static int opt_param(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  return set_param(((parse_state *)ctx)->spec, val, err, errlen);
}

static int opt_backend(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  const char *names[CFB_BK_COUNT];
  for (int i = 0; i < CFB_BK_COUNT; i++) names[i] = cfb_backend_name((cfb_backend)i);
  cfb_sweep_spec *s = ((parse_state *)ctx)->spec;
  int *v = NULL;
  size_t n;
  int rc = set_enum_axis(opt->name, val, names, CFB_BK_COUNT, cfb_backend_names(), &v, &n, err, errlen);
  if (rc) return rc;
  free(s->backends);
  s->backends = malloc(n * sizeof *s->backends);
  for (size_t i = 0; s->backends && i < n; i++) s->backends[i] = (cfb_backend)v[i];
  s->nbackends = n;
  free(v);
  return s->backends ? 0 : cfb_fail(err, errlen, "%s: out of memory", opt->name);
}

/* "list:SET": SET an hwloc bitmap list ("0,1", "0-3,6") of PUs that exist
 * here (cf_pin_check says which does not).  0, or 2 with err. */
static int parse_pin_list(const char *opt, const char *val, cfb_pin_list *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  const char *set = val + strlen("list:");
#ifdef CF_HAVE_HWLOC
  hwloc_bitmap_t bm = hwloc_bitmap_alloc();
  if (!bm) return fail(err, errlen, "%s: out of memory", opt);
  int bad = !*set || strspn(set, "0123456789,-") != strlen(set) || hwloc_bitmap_list_sscanf(bm, set) != 0;
  int n = bad ? -1 : hwloc_bitmap_weight(bm); /* -1: infinite ("0-") */
  if (n <= 0) {
    hwloc_bitmap_free(bm);
    return fail(err, errlen, "%s: bad PU list '%s'; allowed: list:A,B,C-D with PU OS indices (cfbench topology)",
                opt, val);
  }
  out->pus = malloc((size_t)n * sizeof *out->pus);
  out->label = malloc(strlen("list:") + (size_t)n * 12 + 1);
  int k = 0, id;
  if (out->pus && out->label) {
    char *p = out->label + sprintf(out->label, "list:");
    hwloc_bitmap_foreach_begin(id, bm) {
      p += sprintf(p, "%s%d", k ? "," : "", id);
      out->pus[k++] = id;
    }
    hwloc_bitmap_foreach_end();
  }
  hwloc_bitmap_free(bm);
  out->n = k;
  if (!out->pus || !out->label) {
    cfb_pin_list_free(out);
    return fail(err, errlen, "%s: out of memory", opt);
  }
  /* Only whether the PUs exist: a backend that cannot bind fails at run
   * time with its own reason, as compact and scatter do. */
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.pin = CF_PIN_LIST;
  cfg.pin_list = out->pus;
  cfg.pin_list_len = out->n;
  cfg.max_workers = 1;
  char why[256] = "";
  if (cf_pin_check(&cfg, why, sizeof why) == CF_EINVAL) {
    cfb_pin_list_free(out);
    return fail(err, errlen, "%s: %s: %s", opt, val, why[0] ? why : "a PU is not in the topology");
  }
  return 0;
#else
  (void)set;
  return fail(err, errlen, "%s: %s: this build has no hwloc, so no PU lists", opt, val);
#endif
}


/* --pin none,compact,scatter,list:0,1: a "list:" element takes the
 * elements after it that are PU numbers or ranges ("list:0,1" is one list,
 * "list:0,compact" two values), so a PU list needs no other separator. */
static int opt_pin(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  static const char *const names[] = {"none", "compact", "scatter"};
  static const char allowed[] = "none, compact, scatter, list:PUS (e.g. list:0,1)";
  cfb_sweep_spec *s = ((parse_state *)ctx)->spec;
  cfb_strlist l;
  int rc = split_list(opt->name, val, &l, err, errlen);
  if (rc) return rc;
  pins_free(s);
  s->pins = calloc(l.n, sizeof *s->pins);
  s->pin_lists = calloc(l.n, sizeof *s->pin_lists);
  if (!s->pins || !s->pin_lists) rc = fail(err, errlen, "%s: out of memory", opt->name);
  for (size_t i = 0; !rc && i < l.n; i++) {
    cf_pin_policy pol = CF_PIN_LIST;
    cfb_pin_list pl = {0};
    if (!strncmp(l.v[i], "list:", 5)) {
      char item[4096];
      size_t len = (size_t)snprintf(item, sizeof item, "%s", l.v[i]);
      while (i + 1 < l.n && l.v[i + 1][0] >= '0' && l.v[i + 1][0] <= '9' && len < sizeof item)
        len += (size_t)snprintf(item + len, sizeof item - len, ",%s", l.v[++i]);
      if ((rc = parse_pin_list(opt->name, item, &pl, err, errlen))) break;
    } else {
      int k = 0;
      while (k < 3 && strcmp(names[k], l.v[i])) k++;
      if (k == 3) {
        rc = fail(err, errlen, "%s: unknown value '%s'; allowed: %s", opt->name, l.v[i], allowed);
        break;
      }
      pol = (cf_pin_policy)k;
    }
    int dup = 0;
    for (size_t j = 0; j < s->npins; j++)
      dup |= s->pins[j] == pol && (pol != CF_PIN_LIST || !strcmp(s->pin_lists[j].label, pl.label));
    if (dup) {
      cfb_pin_list_free(&pl);
      continue;
    }
    s->pins[s->npins] = pol;
    s->pin_lists[s->npins++] = pl;
  }
  strlist_free(&l);
  if (rc) pins_free(s);
  return rc;
}

static int opt_mode(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  const char *names[CFB_MODE_COUNT];
  for (int i = 0; i < CFB_MODE_COUNT; i++) names[i] = cfb_mode_name((cfb_mode)i);
  cfb_sweep_spec *s = ((parse_state *)ctx)->spec;
  int *v = NULL;
  size_t n;
  int rc = set_enum_axis(opt->name, val, names, CFB_MODE_COUNT, cfb_mode_names(), &v, &n, err, errlen);
  if (rc) return rc;
  free(s->modes);
  s->modes = malloc(n * sizeof *s->modes);
  for (size_t i = 0; s->modes && i < n; i++) s->modes[i] = (cfb_mode)v[i];
  s->nmodes = n;
  free(v);
  return s->modes ? 0 : cfb_fail(err, errlen, "%s: out of memory", opt->name);
}

static int opt_workers(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_sweep_spec *s = ((parse_state *)ctx)->spec;
  unsigned long long *v;
  size_t n;
  int rc = parse_num_axis(opt->name, val, 1, CF_MAX_WORKERS, &v, &n, err, errlen);
  if (rc) return rc;
  free(s->workers);
  s->workers = malloc(n * sizeof *s->workers);
  for (size_t i = 0; s->workers && i < n; i++) s->workers[i] = (int)v[i];
  s->nworkers = n;
  free(v);
  return s->workers ? 0 : cfb_fail(err, errlen, "%s: out of memory", opt->name);
}

static int opt_chunksize(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_sweep_spec *s = ((parse_state *)ctx)->spec;
  unsigned long long *v;
  size_t n;
  int rc = parse_num_axis(opt->name, val, 1, CF_MAX_CHUNKSIZE, &v, &n, err, errlen);
  if (rc) return rc;
  free(s->chunksizes);
  s->chunksizes = malloc(n * sizeof *s->chunksizes);
  for (size_t i = 0; s->chunksizes && i < n; i++) s->chunksizes[i] = (size_t)v[i];
  s->nchunksizes = n;
  free(v);
  return s->chunksizes ? 0 : cfb_fail(err, errlen, "%s: out of memory", opt->name);
}

/* The per-sweep scalars (a suite's sweeps set them; the command line overrides). */

static int opt_items(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  parse_state *ps = ctx;
  unsigned long long u;
  int rc = parse_scalar(opt->name, val, 0, 100000000, &u, err, errlen);
  if (rc) return rc;
  ps->items = (size_t)u;
  ps->set_items = 1;
  return 0;
}

static int opt_repeat(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  parse_state *ps = ctx;
  unsigned long long u;
  int rc = parse_scalar(opt->name, val, 1, 100000, &u, err, errlen);
  if (rc) return rc;
  ps->repeat = (int)u;
  ps->set_repeat = 1;
  return 0;
}

static int opt_warmup(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  parse_state *ps = ctx;
  unsigned long long u;
  int rc = parse_scalar(opt->name, val, 0, 100000, &u, err, errlen);
  if (rc) return rc;
  ps->warmup = (int)u;
  ps->set_warmup = 1;
  return 0;
}

static int opt_max_time(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  parse_state *ps = ctx;
  double d;
  if (cfb_parse_duration(val, &d) || d < 0 || d > 1e6)
    return cfb_fail(err, errlen,
                    "--max-time: '%s' is not a duration; allowed: seconds >= 0 (30, 30s, 500ms, 2m)", val);
  ps->max_time_s = d;
  ps->set_max_time = 1;
  return 0;
}

/* The run's own options (not allowed inside a suite's sweep: o is NULL there). */

static int opt_seed(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_run_opts *o = ((parse_state *)ctx)->o;
  unsigned long long u;
  int rc = parse_scalar(opt->name, val, 0, ULLONG_MAX, &u, err, errlen);
  if (rc) return rc;
  o->seed = u;
  o->seed_given = 1;
  return 0;
}

/* --configs I,J-K,...: a subset of the expanded sweep, by index (checked
 * against the sweep's size once it is expanded). */
static int opt_configs(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_run_opts *o = ((parse_state *)ctx)->o;
  cfb_strlist l;
  int rc = split_list(opt->name, val, &l, err, errlen);
  for (size_t i = 0; !rc && i < l.n; i++) {
    char *dash = strchr(l.v[i], '-');
    unsigned long long a, b;
    if (dash) *dash = '\0';
    rc = parse_scalar(opt->name, l.v[i], 0, MAX_CONFIG_INDEX, &a, err, errlen);
    b = a;
    if (!rc && dash) rc = parse_scalar(opt->name, dash + 1, 0, MAX_CONFIG_INDEX, &b, err, errlen);
    /* (bounded below by 0, not a: "1-0" is a reversed range, not "0 is out of range") */
    if (!rc && b < a)
      rc = fail(err, errlen, "%s: bad range '%s-%s'; allowed: J-K with J <= K", opt->name, l.v[i], dash + 1);
    for (unsigned long long k = a; !rc && k <= b; k++) {
      size_t *nv = realloc(o->configs, (o->nconfigs + 1) * sizeof *nv);
      if (!nv) rc = fail(err, errlen, "%s: out of memory", opt->name);
      else (o->configs = nv)[o->nconfigs++] = (size_t)k;
    }
  }
  strlist_free(&l);
  return rc;
}

static int opt_rounds(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  unsigned long long u;
  int rc = parse_scalar(opt->name, val, 1, 100000, &u, err, errlen);
  if (rc) return rc;
  ((parse_state *)ctx)->o->rounds = (int)u;
  ((parse_state *)ctx)->set_rounds = 1;
  return 0;
}

/* Adaptive rounds: --min-rounds, --max-rounds, --target-ci, --budget,
 * --plan-stretch. */
static int opt_adaptive(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  parse_state *ps = ctx;
  cfb_run_opts *o = ps->o;
  unsigned long long u;
  int rc = 0;
  ps->set_adaptive = 1;
  if (!strcmp(opt->name, "--min-rounds") || !strcmp(opt->name, "--max-rounds")) {
    /* The signed-rank interval needs 2 pairs at least; the plan is solved up to 2000. */
    if ((rc = parse_scalar(opt->name, val, 2, 2000, &u, err, errlen))) return rc;
    *(opt->name[2] == 'm' && opt->name[3] == 'i' ? &o->min_rounds : &o->max_rounds) = (int)u;
  } else if (!strcmp(opt->name, "--target-ci")) {
    ps->set_target_ci = 1;
    if (cfb_parse_fraction(val, &o->target_ci) != 0)
      return cfb_fail(err, errlen, "--target-ci: '%s' is not a fraction; allowed: 0..99%% (5%%, 0.05)", val);
    if (o->target_ci >= 1) /* a fraction, not one of the range: say which */
      return cfb_fail(err, errlen, "--target-ci: %s is out of range; allowed: 0..99%% (5%%, 0.05)", val);
  } else if (!strcmp(opt->name, "--plan-stretch")) {
    char *end;
    ps->set_stretch = 1;
    o->plan_stretch = strtod(val, &end);
    if (end == val || *end || isnan(o->plan_stretch))
      return cfb_fail(err, errlen, "--plan-stretch: '%s' is not a number; allowed: 1..10 (1.5, 2.5)", val);
    if (!(o->plan_stretch >= 1 && o->plan_stretch <= 10)) /* a number, not one of the range: say which */
      return cfb_fail(err, errlen, "--plan-stretch: %s is out of range; allowed: 1..10 (1.5, 2.5)", val);
  } else if (ps->set_budget = 1,
             cfb_parse_duration(val, &o->budget_s) || o->budget_s < 0 || o->budget_s > 1e6) {
    return cfb_fail(err, errlen, "--budget: '%s' is not a duration; allowed: seconds >= 0 (30, 30s, 500ms, 2m)",
                    val);
  }
  return 0;
}

static int opt_out(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_run_opts *o = ((parse_state *)ctx)->o;
  if (!*val) return cfb_fail(err, errlen, "--out: empty directory name");
  free(o->out);
  if (!(o->out = strdup(val))) return cfb_fail(err, errlen, "--out: out of memory");
  return 0;
}

static int opt_export_gbench(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_run_opts *o = ((parse_state *)ctx)->o;
  if (!*val) return cfb_fail(err, errlen, "--export-gbench: empty file name");
  if (cfb_writable_file("--export-gbench", val, err, errlen)) return 2; /* asked before the sweep */
  free(o->export_gbench);
  if (!(o->export_gbench = strdup(val))) return cfb_fail(err, errlen, "--export-gbench: out of memory");
  return 0;
}

static int opt_dry_run(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  if (val && strcmp(val, "tsv"))
    return cfb_fail(err, errlen, "--dry-run=%s: unknown format; allowed: --dry-run (for people) or --dry-run=tsv", val);
  ((parse_state *)ctx)->o->dry_run = val ? 2 : 1;
  return 0;
}

static int opt_task_timeout(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  double d;
  if (cfb_parse_duration(val, &d) || d < 0 || d > 1e6)
    return cfb_fail(err, errlen,
                    "--task-timeout: '%s' is not a duration; allowed: seconds >= 0 (30, 30s, 500ms, 2m)", val);
  ((parse_state *)ctx)->o->task_timeout_s = d;
  return 0;
}

static int opt_start_method(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_run_opts *o = ((parse_state *)ctx)->o;
  if (cfb_start_method_parse(val, &o->start_method))
    return cfb_fail(err, errlen, "--start-method: unknown method '%s'; allowed: %s", val, cfb_start_method_names());
  o->start_method_given = 1;
  return 0;
}

static int opt_force(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  ((parse_state *)ctx)->o->force = 1;
  return 0;
}

static int opt_counters(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  if (cfb_counter_layer_parse(val, &((parse_state *)ctx)->o->counters))
    return cfb_fail(err, errlen, "--counters: unknown layer '%s'; allowed: auto, papi, perf, rusage", val);
  return 0;
}

static int opt_mpi_np(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  unsigned long long u;
  int rc = parse_scalar(opt->name, val, 1, CF_MAX_WORKERS, &u, err, errlen);
  if (rc) return rc;
  ((parse_state *)ctx)->o->mpi.np = (int)u;
  return 0;
}

static int opt_mpi_where(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  cfb_mpi_opts *m = &((parse_state *)ctx)->o->mpi;
  char **dst = !strcmp(opt->name, "--mpi-hostfile") ? &m->hostfile : &m->hosts;
  if (!*val) return cfb_fail(err, errlen, "%s: empty value", opt->name);
  free(*dst);
  if (!(*dst = strdup(val))) return cfb_fail(err, errlen, "%s: out of memory", opt->name);
  return 0;
}

/* --suite NAME|PATH and --file PATH: the sweep file to run (one of them). */
static int set_sweep_file(cfb_run_opts *o, const cfb_option *opt, const char *arg, const char *path,
                          char *err, size_t errlen) {
  if (o->suite) return cfb_fail(err, errlen, "%s: a sweep file was already given (%s); give one --suite or --file",
                                opt->name, o->suite);
  if (!(o->suite = strdup(arg)) || !(o->suite_path = strdup(path)))
    return cfb_fail(err, errlen, "%s: out of memory", opt->name);
  return 0;
}

static int opt_suite(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  char path[4096];
  int rc = cfb_suite_path(val, path, sizeof path, err, errlen);
  return rc ? rc : set_sweep_file(((parse_state *)ctx)->o, opt, val, path, err, errlen);
}

static int opt_file(void *ctx, const cfb_option *opt, const char *val, char *err, size_t errlen) {
  if (!*val) return cfb_fail(err, errlen, "--file: empty file name");
  return set_sweep_file(((parse_state *)ctx)->o, opt, val, val, err, errlen);
}

/* Every `cfbench run` option (cfb_run_usage documents them). */
static const cfb_option run_options[] = {
    {"--workload", 1, opt_workload, OPT_AXIS},   {"--param", 1, opt_param, OPT_AXIS},
    {"--backend", 1, opt_backend, OPT_AXIS},     {"--pin", 1, opt_pin, OPT_AXIS},
    {"--mode", 1, opt_mode, OPT_AXIS},
    {"--workers", 1, opt_workers, OPT_AXIS},     {"--chunksize", 1, opt_chunksize, OPT_AXIS},
    {"--items", 1, opt_items, OPT_SCALAR},       {"--repeat", 1, opt_repeat, OPT_SCALAR},
    {"--warmup", 1, opt_warmup, OPT_SCALAR},     {"--max-time", 1, opt_max_time, OPT_SCALAR},
    {"--seed", 1, opt_seed, OPT_GLOBAL},         {"--rounds", 1, opt_rounds, OPT_GLOBAL},
    {"--out", 1, opt_out, OPT_GLOBAL},           {"--force", 0, opt_force, OPT_GLOBAL},
    {"--counters", 1, opt_counters, OPT_GLOBAL}, {"--suite", 1, opt_suite, OPT_GLOBAL},
    {"--min-rounds", 1, opt_adaptive, OPT_ROUNDS}, {"--max-rounds", 1, opt_adaptive, OPT_ROUNDS},
    {"--target-ci", 1, opt_adaptive, OPT_ROUNDS},  {"--budget", 1, opt_adaptive, OPT_ROUNDS},
    {"--plan-stretch", 1, opt_adaptive, OPT_ROUNDS},
    {"--file", 1, opt_file, OPT_GLOBAL},
    {"--export-gbench", 1, opt_export_gbench, OPT_GLOBAL}, {"--dry-run", CFB_OPT_OPTIONAL, opt_dry_run, OPT_GLOBAL},
    {"--task-timeout", 1, opt_task_timeout, OPT_GLOBAL},
    {"--start-method", 1, opt_start_method, OPT_GLOBAL},
    {"--configs", 1, opt_configs, OPT_GLOBAL},
    {"--mpi-np", 1, opt_mpi_np, OPT_GLOBAL},     {"--mpi-hostfile", 1, opt_mpi_where, OPT_GLOBAL},
    {"--mpi-hosts", 1, opt_mpi_where, OPT_GLOBAL}, {NULL, 0, NULL, 0}};

/* Before each option: note its class (a sweep file's keys are only the
 * axes and scalars: sweepfile.c is given those groups). */
static int check_option(void *ctx, const cfb_option *opt, char *err, size_t errlen) {
  parse_state *ps = ctx;
  ps->given |= opt->group;
  return 0;
}

/* Parse argv[0..argc) options into ps; cmd names the command in messages. */
static int parse_args(const char *cmd, parse_state *ps, int argc, char **argv, char *err, size_t errlen) {
  const cfb_optspec spec = {cmd, run_options, NULL, check_option};
  return cfb_options_parse(&spec, argc, argv, ps, err, errlen);
}

/* Defaults for the axes not given, and the scalars into the spec. */
static int finish_spec(parse_state *ps, const parse_state *over, char *err, size_t errlen) {
  cfb_sweep_spec *s = ps->spec;
  if (!s->nworkloads) {
    char names[512];
    list_workloads(names, sizeof names);
    return fail(err, errlen, "no --workload (or --suite) given; workloads: %s", names);
  }
  if (!s->nbackends) {
    if (!(s->backends = calloc(1, sizeof *s->backends))) return fail(err, errlen, "out of memory");
    /* --mpi-np says where the workers are: the mpi backend */
    s->backends[0] = ps->o && ps->o->mpi.np ? CFB_BK_MPI : CFB_BK_THREAD;
    s->nbackends = 1;
  }
  if (!s->nworkers) {
    if (!(s->workers = calloc(2, sizeof *s->workers))) return fail(err, errlen, "out of memory");
    s->workers[0] = 1;
    s->workers[1] = 2;
    s->nworkers = 2;
  }
  if (!s->nchunksizes) {
    if (!(s->chunksizes = calloc(1, sizeof *s->chunksizes))) return fail(err, errlen, "out of memory");
    s->chunksizes[0] = 1;
    s->nchunksizes = 1;
  }
  if (!s->npins) {
    if (!(s->pins = calloc(1, sizeof *s->pins))) return fail(err, errlen, "out of memory");
    s->pins[0] = CF_PIN_NONE;
    s->npins = 1;
  }
  if (!s->nmodes) {
    if (!(s->modes = calloc(1, sizeof *s->modes))) return fail(err, errlen, "out of memory");
    s->modes[0] = CFB_MODE_MAP;
    s->nmodes = 1;
  }
  s->items = ps->set_items ? ps->items : 0;
  s->repeat = ps->set_repeat ? ps->repeat : 5;
  s->warmup = ps->set_warmup ? ps->warmup : 1;
  s->max_time_s = ps->set_max_time ? ps->max_time_s : 0;
  if (over) { /* the command line overrides a suite's values */
    if (over->set_items) s->items = over->items;
    if (over->set_repeat) s->repeat = over->repeat;
    if (over->set_warmup) s->warmup = over->warmup;
    if (over->set_max_time) s->max_time_s = over->max_time_s;
  }
  /* Every --param key must belong to a selected workload. */
  for (size_t i = 0; i < s->nparams; i++) {
    int found = 0, scoped;
    for (size_t j = 0; j < s->nworkloads && !found; j++)
      found = cfb_param_applies(s->workloads[j], s->params[i].key, &scoped) != NULL;
    if (!found && strchr(s->params[i].key, '.'))
      return fail(err, errlen, "--param: '%s' names no parameter of a selected workload (WORKLOAD.KEY: "
                  "the workload must be among --workload's)", s->params[i].key);
    if (!found) {
      ps->bad_param = i + 1;
      char names[512];
      size_t off = 0;
      names[0] = '\0';
      for (size_t j = 0; j < s->nworkloads; j++)
        for (size_t k = 0; k < s->workloads[j]->nparams && off < sizeof names; k++)
          off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", off ? ", " : "",
                                  s->workloads[j]->params[k].name);
      return fail(err, errlen, "--param: unknown parameter '%s' for %s%s; allowed: %s", s->params[i].key,
                  s->nworkloads > 1 ? "the selected workloads" : "workload ",
                  s->nworkloads > 1 ? "" : s->workloads[0]->name, names[0] ? names : "(none)");
    }
  }
  return 0;
}

static char *join_args(int argc, char **argv) {
  size_t len = strlen("cfbench") + 1;
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) * 4 + 3;
  char *s = malloc(len), *p = s;
  if (!s) return NULL;
  p += sprintf(p, "cfbench");
  for (int i = 0; i < argc; i++) {
    int plain = *argv[i] != '\0';
    for (const char *c = argv[i]; *c; c++)
      if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,=/:+@%", *c))
        plain = 0;
    *p++ = ' ';
    if (plain) {
      p += sprintf(p, "%s", argv[i]);
      continue;
    }
    *p++ = '\'';
    for (const char *c = argv[i]; *c; c++) {
      if (*c == '\'') p += sprintf(p, "'\\''");
      else *p++ = *c;
    }
    *p++ = '\'';
  }
  *p = '\0';
  return s;
}

/* Adaptive rounds: defaults, checks, and every configuration's repetitions
 * = max_rounds (one a round; the runner closes pairs early). */
static int finish_adaptive(const parse_state *ps, cfb_run_opts *o, char *err, size_t errlen) {
  if (ps->set_adaptive) {
    if (ps->set_rounds || ps->set_repeat)
      return fail(err, errlen, "--min-rounds/--max-rounds/--target-ci/--budget/--plan-stretch: adaptive rounds cannot be "
                               "combined with --repeat or --rounds (fixed rounds)");
    o->adaptive = 1;
  }
  if (!o->adaptive) return 0;
  if (!o->min_rounds) o->min_rounds = CFB_SEQ_MIN_ROUNDS;
  if (!o->max_rounds) o->max_rounds = o->min_rounds > CFB_SEQ_MAX_ROUNDS ? o->min_rounds : CFB_SEQ_MAX_ROUNDS;
  if (o->min_rounds > o->max_rounds)
    return fail(err, errlen, "--min-rounds %d is more than --max-rounds %d", o->min_rounds, o->max_rounds);
  if (!ps->set_target_ci) o->target_ci = CFB_PAIRED_TARGET_CI;
  if (!(o->plan_stretch >= 1)) o->plan_stretch = 1;
  o->rounds = o->max_rounds;
  for (size_t i = 0; i < o->nspecs; i++) o->specs[i].repeat = o->max_rounds;
  return 0;
}

int cfb_run_sweep_file_load(const char *path, cfb_sweep_file *f, char *err, size_t errlen) {
  return cfb_sweep_file_load(path, run_options, OPT_AXIS | OPT_SCALAR | OPT_ROUNDS, f, err, errlen);
}

/* Apply one option of a sweep file to sp, the error prefixed with where
 * its key is. */
static int apply_file_opt(parse_state *sp, const cfb_sweep_file *f, const cfb_file_opt *fo, char *err,
                          size_t errlen) {
  char sub[400];
  int rc = fo->opt->set(sp, fo->opt, fo->value, sub, sizeof sub);
  sp->given |= fo->opt->group;
  if (rc) fail(err, errlen, "%s:%d:%d: key '%s': %s", f->path, fo->line, fo->col, fo->opt->name + 2, sub);
  return rc;
}

/* The file's adaptive rounds (fr, parsed into fo), unless the command line
 * asks for fixed rounds (--repeat, --rounds); the command line's own
 * --min-rounds/--max-rounds/--target-ci/--budget/--plan-stretch win over the file's. */
static void take_file_rounds(cfb_run_opts *o, parse_state *cli, const parse_state *fr, const cfb_run_opts *fo) {
  if (!fr->set_adaptive || cli->set_rounds || cli->set_repeat) return;
  o->adaptive = 1;
  if (!o->min_rounds) o->min_rounds = fo->min_rounds;
  if (!o->max_rounds) o->max_rounds = fo->max_rounds;
  if (!cli->set_budget && fr->set_budget) o->budget_s = fo->budget_s;
  if (!cli->set_stretch && fr->set_stretch) o->plan_stretch = fo->plan_stretch;
  if (!cli->set_target_ci && fr->set_target_ci) {
    o->target_ci = fo->target_ci;
    cli->set_target_ci = 1;
  }
}

/* The sweeps of o->suite_path into o->specs, the command line's scalars
 * (in `cli`) overriding the file's; the file's rounds unless --rounds.
 * The OPT_ROUNDS keys are the run's, not a sweep's: into fr. */
static int load_sweep_file(cfb_run_opts *o, parse_state *cli, char *err, size_t errlen) {
  cfb_sweep_file f;
  int rc = cfb_run_sweep_file_load(o->suite_path, &f, err, errlen);
  if (rc) return rc;
  cfb_run_opts fo;
  parse_state fr;
  memset(&fo, 0, sizeof fo);
  memset(&fr, 0, sizeof fr);
  fr.o = &fo;
  if (!(o->specs = calloc(f.nsweeps, sizeof *o->specs))) rc = fail(err, errlen, "out of memory");
  for (size_t i = 0; rc == 0 && i < f.nsweeps; i++) {
    parse_state sp;
    memset(&sp, 0, sizeof sp);
    sp.spec = &o->specs[i];
    o->nspecs = i + 1;
    for (size_t k = 0; rc == 0 && k < f.sweeps[i].n; k++) {
      const cfb_file_opt *fopt = &f.sweeps[i].opts[k];
      rc = apply_file_opt(fopt->opt->group == OPT_ROUNDS ? &fr : &sp, &f, fopt, err, errlen);
    }
    char sub[400];
    if (rc == 0 && (rc = finish_spec(&sp, cli, sub, sizeof sub))) {
      /* at the key that is wrong when it is one --param, else at the sweep */
      int line = f.sweeps[i].line, col = f.sweeps[i].col;
      for (size_t k = 0, np = 0; k < f.sweeps[i].n; k++)
        if (!strcmp(f.sweeps[i].opts[k].opt->name, "--param") && ++np == sp.bad_param) {
          line = f.sweeps[i].opts[k].line;
          col = f.sweeps[i].opts[k].col;
        }
      fail(err, errlen, "%s:%d:%d: sweep %zu: %s", f.path, line, col, i + 1, sub);
    }
  }
  if (rc == 0 && !o->rounds) {
    o->rounds = f.rounds > 0 ? f.rounds : 1;
    if (f.rounds == CFB_SUITE_ROUNDS_PER_REPEAT)
      for (size_t i = 0; i < o->nspecs; i++)
        if (o->specs[i].repeat > o->rounds) o->rounds = o->specs[i].repeat;
  }
  if (rc == 0) take_file_rounds(o, cli, &fr, &fo);
  cfb_sweep_file_free(&f);
  return rc;
}

int cfb_run_opts_parse(int argc, char **argv, cfb_run_opts *o, char *err, size_t errlen) {
  return cfb_run_opts_parse_as("run", argc, argv, o, err, errlen);
}

int cfb_run_opts_parse_as(const char *cmd, int argc, char **argv, cfb_run_opts *o, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  err[0] = '\0';
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      cfb_run_usage(stdout);
      return 1;
    }
  const char *envc = getenv("CFBENCH_COUNTERS");
  if (envc && *envc && cfb_counter_layer_parse(envc, &o->counters))
    return fail(err, errlen, "CFBENCH_COUNTERS: unknown layer '%s'; allowed: auto, papi, perf, rusage",
                envc);
  o->command_line = join_args(argc, argv);
  cfb_sweep_spec cli;
  memset(&cli, 0, sizeof cli);
  parse_state ps;
  memset(&ps, 0, sizeof ps);
  ps.spec = &cli;
  ps.o = o;
  int rc = parse_args(cmd, &ps, argc - 1, argv + 1, err, errlen);
  if (rc == 0 && o->suite && (ps.given & OPT_AXIS))
    rc = fail(err, errlen, "--suite/--file: cannot be combined with --workload/--param/--backend/--workers/"
                           "--chunksize/--pin/--mode; allowed with it: --repeat --warmup --max-time --items "
                           "--rounds --seed --out --force --counters --task-timeout --start-method --configs --min-rounds "
                           "--max-rounds --target-ci --budget --plan-stretch");
  if (rc == 0 && !o->suite) {
    rc = finish_spec(&ps, NULL, err, errlen);
    if (rc == 0) {
      o->specs = malloc(sizeof *o->specs);
      if (!o->specs) rc = fail(err, errlen, "out of memory");
      else o->specs[o->nspecs++] = cli;
    }
  }
  if (rc || o->suite) spec_free(&cli);
  if (rc == 0 && o->suite) rc = load_sweep_file(o, &ps, err, errlen);
  if (rc == 0) rc = finish_adaptive(&ps, o, err, errlen);
  if (rc == 0 && !o->rounds) o->rounds = 1;
  if (rc) cfb_run_opts_free(o);
  return rc;
}

void cfb_run_opts_free(cfb_run_opts *o) {
  for (size_t i = 0; i < o->nspecs; i++) spec_free(&o->specs[i]);
  free(o->specs);
  free(o->out);
  free(o->command_line);
  free(o->export_gbench);
  free(o->configs);
  free(o->suite);
  free(o->suite_path);
  free(o->mpi.hostfile);
  free(o->mpi.hosts);
  memset(o, 0, sizeof *o);
}

const cfb_option *cfb_run_option_table(void) { return run_options; }
