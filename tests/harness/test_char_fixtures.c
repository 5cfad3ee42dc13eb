/* test_char_fixtures.c -- the decisions of `cfbench characterize`'s report
 * half (harness/report/characterize.c) on the committed measure.json
 * fixtures from real runs (argv[1]: tests/harness/fixtures), and on copies
 * of them changed the way load or a known answer would change them: the
 * fits' parameters inside their physical bounds; the kind unchanged when
 * the wall times are inflated (simulated load, CPU time unchanged); the
 * knee; the recommendation on data whose best configuration is known,
 * and on rounds too noisy to tell the fewest-near point from the best;
 * the terminal summary within 80 columns with its reasons whole.
 * Nothing is run or timed. */
#define _GNU_SOURCE /* open_memstream */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "characterize.h"
#include "charrule.h"
#include "task.h"

static const char *fixtures;
static char tmp[256];
static const char *const names[] = {"sleep", "socket", "primes", "mixed", "memtouch", "contention"};
#define NNAMES (sizeof names / sizeof names[0])

static json_t *load_fixture(const char *name) {
  char p[600];
  snprintf(p, sizeof p, "%s/characterize/%s/%s", fixtures, name, CFB_CHAR_MEASURE_FILE);
  json_error_t je;
  json_t *j = json_load_file(p, 0, &je);
  if (!j) fprintf(stderr, "%s: %s\n", p, je.text);
  CHECK(j != NULL);
  return j;
}

/* Write j as tmp/sub/measure.json and analyse that directory. */
static void analyze_json(json_t *j, const char *sub, cfb_char *c) {
  char dir[600], p[700], err[300];
  snprintf(dir, sizeof dir, "%s/%s", tmp, sub);
  mkdir(dir, 0755);
  snprintf(p, sizeof p, "%s/%s", dir, CFB_CHAR_MEASURE_FILE);
  CHECK_EQ(json_dump_file(j, p, JSON_COMPACT), 0);
  int rc = cfb_char_analyze(dir, c, err, sizeof err);
  if (rc) fprintf(stderr, "%s: %s\n", dir, err);
  CHECK_EQ(rc, 0);
}

static double prof_num(const json_t *j, const char *key) {
  return json_number_value(json_object_get(json_object_get(j, CFB_CHAR_K_PROFILE), key));
}

static void prof_set(json_t *j, const char *key, double v) {
  json_object_set_new(json_object_get(j, CFB_CHAR_K_PROFILE), key, json_real(v));
}

/* ---- the bounds ------------------------------------------------------ */

/* Every fixture, every backend: sigma in [0, 1], kappa >= 0, with their
 * intervals (before the bounds, primes' process and socket's fits had
 * kappa < 0). */
static void test_bounds(void) {
  static cfb_char c;
  for (size_t i = 0; i < NNAMES; i++) {
    json_t *j = load_fixture(names[i]);
    analyze_json(j, names[i], &c);
    json_decref(j);
    for (size_t b = 0; b < c.nb; b++) {
      const cfb_model_set *s = &c.b[b].models;
      for (int k = CFB_MODEL_USL; c.b[b].fitted && k <= CFB_MODEL_AMDAHL; k++) {
        CHECK(s->ok[k]); /* a solution on a bound is a fit, not a failure to converge */
        const cfb_model_fit *f = &s->fit[k];
        printf("%-8s %-7s %-6s sigma %.4g [%.4g, %.4g]", names[i], c.b[b].name, cfb_model_name(f->kind),
               f->par[1], f->lo[1], f->hi[1]);
        if (k == CFB_MODEL_USL) printf(" kappa %.4g [%.4g, %.4g]", f->par[2], f->lo[2], f->hi[2]);
        printf("\n");
        CHECK(f->par[1] >= 0 && f->par[1] <= 1);
        CHECK(!(f->lo[1] < 0) && !(f->hi[1] > 1));
        if (k == CFB_MODEL_USL) CHECK(f->par[2] >= 0 && !(f->lo[2] < 0));
      }
    }
  }
}

/* ---- the kind under load --------------------------------------------- */

/* The fixture's kind, and the kind of copies whose wall time is f times
 * as long with the CPU time unchanged: the added time seen as waiting
 * for a CPU (the run-queue wait, up to 8x), or not seen at all (a
 * hypervisor's steal, 1.5x).  Then a memory profile whose CPU time,
 * kernel part included, grows by half (load slows page zeroing). */
static void test_kind_under_load(void) {
  static cfb_char c;
  for (size_t i = 0; i < NNAMES; i++) {
    json_t *j = load_fixture(names[i]);
    analyze_json(j, names[i], &c);
    const char *kind = c.kind;
    double wall = prof_num(j, CFB_CHAR_K_P_WALL), rq = prof_num(j, CFB_CHAR_K_P_RQWAIT);
    static const double seen[] = {2, 4, 8};
    for (size_t k = 0; k < 3; k++) {
      prof_set(j, CFB_CHAR_K_P_WALL, wall * seen[k]);
      prof_set(j, CFB_CHAR_K_P_RQWAIT, rq + wall * (seen[k] - 1));
      analyze_json(j, names[i], &c);
      printf("%-8s wall x%g (run-queue wait): %s (%s), unloaded %s\n", names[i], seen[k], c.kind, c.why, kind);
      CHECK(!strcmp(c.kind, kind));
    }
    prof_set(j, CFB_CHAR_K_P_WALL, wall * 1.5);
    prof_set(j, CFB_CHAR_K_P_RQWAIT, rq);
    analyze_json(j, names[i], &c);
    printf("%-8s wall x1.5 (unseen): %s (%s), unloaded %s\n", names[i], c.kind, c.why, kind);
    CHECK(!strcmp(c.kind, kind));
    json_decref(j);
  }
  json_t *j = load_fixture("memtouch");
  analyze_json(j, "memtouch", &c);
  CHECK(!strcmp(c.kind, "memory") && c.kind_certain);
  double cpu = prof_num(j, CFB_CHAR_K_P_CPU), sys = prof_num(j, CFB_CHAR_K_P_SYS);
  CHECK(sys > 0);
  prof_set(j, CFB_CHAR_K_P_CPU, cpu * 1.5);
  prof_set(j, CFB_CHAR_K_P_SYS, sys * 1.5);
  analyze_json(j, "memtouch", &c);
  printf("memtouch cpu x1.5: %s (%s)\n", c.kind, c.why);
  CHECK(!strcmp(c.kind, "memory"));
  json_decref(j);
}

/* A fraction inside a boundary's margin is "mixed", marked uncertain,
 * never "cpu" in one run and "mixed" in the next: the mixed fixture with
 * its CPU time set to 78% and 82% of its own time (either side of 80%). */
static void test_kind_margin(void) {
  static cfb_char c;
  json_t *j = load_fixture("mixed");
  double wall = prof_num(j, CFB_CHAR_K_P_WALL), rq = prof_num(j, CFB_CHAR_K_P_RQWAIT);
  static const double share[] = {0.78, 0.82};
  for (size_t k = 0; k < 2; k++) {
    prof_set(j, CFB_CHAR_K_P_CPU, share[k] * (wall - rq));
    analyze_json(j, "mixed", &c);
    printf("mixed at %.0f%% on a CPU: %s (%s)\n", 100 * share[k], c.kind, c.why);
    CHECK(!strcmp(c.kind, "mixed") && !c.kind_certain);
  }
  json_decref(j);
}

/* ---- the knee -------------------------------------------------------- */

/* The contention plugin's run (fixtures/characterize/contention: 0.9 ms
 * outside and 0.1 ms inside one mutex, 1 to 64 workers, on a loaded
 * machine, so the lock held longer and the plateau is ~5.3k/s, not 10k/s;
 * its thread curve overshoots the plateau at 8 workers).  The thread
 * knee is past every worker count whose median still scaled (>= 90% of
 * lambda N) and before the next measured count; the process backend (one
 * mutex per process) has no peak within the sweep; sleep (10 ms items, up
 * to 256 workers, never saturated) has no knee on threads.  Before, the
 * knee came from the plateau alone: 6.4, before the 8 workers that still
 * scaled. */
static void test_knee(void) {
  static cfb_char c;
  json_t *j = load_fixture("contention");
  analyze_json(j, "contention", &c);
  json_decref(j);
  CHECK(c.nb == 2 && !strcmp(c.b[0].name, "thread") && c.b[0].fitted);
  const cfb_char_backend *t = &c.b[0];
  double lambda = t->models.fit[t->models.chosen].par[0];
  int last_linear = 0, next = 0;
  for (size_t i = 0; i < t->npts; i++)
    if (t->pts[i].s.median >= 0.9 * lambda * t->pts[i].workers) last_linear = t->pts[i].workers;
  for (size_t i = 0; i < t->npts; i++)
    if (t->pts[i].workers > last_linear && !next) next = t->pts[i].workers;
  printf("contention thread: knee %.2f workers (%s, lambda %.0f/s, saturation %.0f/s), scaled up to %d, next %d\n",
         t->n_knee, cfb_model_name(t->models.chosen), lambda, t->max_items_per_s, last_linear, next);
  CHECK(last_linear >= 4 && next > 0);
  CHECK(t->n_knee >= last_linear && t->n_knee < next);
  CHECK(!c.b[1].peak_in_sweep);
  j = load_fixture("sleep");
  analyze_json(j, "sleep", &c);
  json_decref(j);
  printf("sleep thread: knee %g\n", c.b[0].n_knee);
  CHECK(isnan(c.b[0].n_knee));
}

/* Synthetic bottleneck data, the contention plugin's truth: threads
 * X(N) = min(lambda N, xmax), lambda = 1000/s (1 ms items), xmax =
 * 10000/s (0.1 ms held), knee xmax / lambda = 10; processes lambda N.
 * Every count of the I/O sweep (cfb_char_workers: 1 2 3 4 6 8 12 ... 64),
 * three rounds with a common drift and seeded +-noise per repetition.
 * In at least 90% of 20 seeded trials (3% noise) the chosen model is the
 * bottleneck, its saturation within 10% of xmax and the knee within 10% of
 * xmax / lambda; processes have no peak within the sweep. */
static double lcg_unit(uint64_t *st) {
  *st = *st * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(*st >> 11) / 9007199254740992.0;
}

/* The closed queue the plugin is: N workers, each 0.9 ms away (a delay)
 * then 0.1 ms at one server (the mutex), by exact mean value analysis:
 * R(n) = D (1 + Q(n-1)), X(n) = n / (Z + R(n)), Q(n) = X(n) R(n).  Below
 * the bound min(N / (Z + D), 1 / D) near the knee (X(10) is 80% of it),
 * on the bound far from it. */
static double mva_rate(int n) {
  const double d = 1e-4, z = 9e-4;
  double q = 0, x = 0;
  for (int k = 1; k <= n; k++) {
    double r = d * (1 + q);
    x = k / (z + r);
    q = x * r;
  }
  return x;
}

static void bottleneck_points(json_t *j, uint64_t seed, double noise, int mva) {
  static const double drift[3] = {1.0, 0.97, 1.03};
  /* cfb_char_workers' I/O counts cut at bench's 64 (test_charrule checks them) */
  static const int ws[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};
  size_t nw = sizeof ws / sizeof ws[0];
  json_t *pts = json_array();
  uint64_t st = seed;
  for (int b = 0; b < 2; b++)
    for (size_t i = 0; i < nw; i++) {
      json_t *p = json_object(), *r = json_array();
      double t = b ? 1000.0 * ws[i] : mva ? mva_rate(ws[i]) : fmin(1000.0 * ws[i], 10000);
      json_object_set_new(p, CFB_CHAR_K_PT_BACKEND, json_string(b ? "process" : "thread"));
      json_object_set_new(p, CFB_CHAR_K_PT_WORKERS, json_integer(ws[i]));
      json_object_set_new(p, CFB_CHAR_K_PT_CHUNK, json_integer(1));
      json_object_set_new(p, CFB_CHAR_K_PT_ITEMS, json_integer(1000));
      for (size_t k = 0; k < 3; k++) json_array_append_new(r, json_real(t * drift[k] * (1 + noise * (2 * lcg_unit(&st) - 1))));
      json_object_set_new(p, CFB_CHAR_K_PT_RATES, r);
      json_object_set_new(p, CFB_CHAR_K_PT_ERROR, json_string(""));
      json_array_append_new(pts, p);
    }
  json_object_set_new(j, CFB_CHAR_K_POINTS, pts);
}

static void knee_trials(int mva) {
  static cfb_char c;
  int good = 0, trials = 20;
  for (int t = 0; t < trials; t++) {
    json_t *j = load_fixture("sleep");
    bottleneck_points(j, 1000 + (uint64_t)t, 0.03, mva);
    analyze_json(j, "knee_synth", &c);
    json_decref(j);
    const cfb_char_backend *th = &c.b[0];
    int ok = th->fitted && th->models.chosen == CFB_MODEL_BOTTLENECK && fabs(th->max_items_per_s / 10000 - 1) <= 0.1 &&
             fabs(th->n_knee / 10 - 1) <= 0.1 && c.b[1].fitted && !c.b[1].peak_in_sweep;
    printf("%s trial %d: thread %s, saturation %.0f/s, knee %.2f; process peak in sweep %d%s\n", mva ? "closed queue" : "bound", t,
           cfb_model_name(th->models.chosen), th->max_items_per_s, th->n_knee, c.b[1].peak_in_sweep, ok ? "" : "  <- off");
    good += ok;
  }
  CHECK(good * 10 >= trials * 9);
}

static void test_knee_synthetic(void) {
  knee_trials(0);
  knee_trials(1);
}

/* A time box cuts a point's chunksize (64 workers, chunksize 1024: two
 * chunks each would be 131k items); the recommended chunksize is the
 * rule's, from the overhead object, not the last point's cut; a file
 * without it (older) gives the largest of the points'. */
static void test_rule_chunksize(void) {
  static cfb_char c;
  json_t *j = load_fixture("sleep"), *pts = json_object_get(j, CFB_CHAR_K_POINTS), *p;
  size_t i;
  json_array_foreach(pts, i, p) {
    int w = (int)json_integer_value(json_object_get(p, CFB_CHAR_K_PT_WORKERS));
    json_object_set_new(p, CFB_CHAR_K_PT_CHUNK, json_integer(w >= 16 ? 1024 / w : 1024));
  }
  json_t *ov = json_object_get(j, CFB_CHAR_K_OVERHEAD), *o;
  const char *key;
  json_object_foreach(ov, key, o) json_object_set_new(o, CFB_CHAR_K_O_CHUNK, json_integer(1024));
  analyze_json(j, "rule_chunk", &c);
  printf("cut chunks: recommended %zu and %zu\n", c.b[0].chunksize, c.b[1].chunksize);
  CHECK(c.b[0].chunksize == 1024 && c.b[1].chunksize == 1024);
  json_object_foreach(ov, key, o) json_object_del(o, CFB_CHAR_K_O_CHUNK);
  analyze_json(j, "rule_chunk_old", &c);
  CHECK(c.b[0].chunksize == 1024 && c.b[1].chunksize == 1024);
  json_decref(j);
}

/* ---- the recommendation ---------------------------------------------- */

/* The sleep fixture's profile with points made from a known truth: thread
 * 300 N items/s up to a knee that flattens at 1200 (4 workers give 1100,
 * 92% of the best), process 80% of thread; every round a common drift
 * (x0.7 .. x1.2) and +-1% noise.  The best is thread at 8 workers (the
 * fewest within 5% of the best); the rule before recommended 4. */
static void test_recommend_known_best(void) {
  static cfb_char c;
  static const int ws[] = {1, 2, 4, 8, 16};
  static const double truth[] = {300, 600, 1100, 1200, 1200};
  static const double drift[] = {1.0, 0.7, 1.2, 0.9, 1.1};
  json_t *j = load_fixture("sleep"), *pts = json_array();
  for (int b = 0; b < 2; b++)
    for (size_t i = 0; i < 5; i++) {
      json_t *p = json_object(), *r = json_array();
      json_object_set_new(p, CFB_CHAR_K_PT_BACKEND, json_string(b ? "process" : "thread"));
      json_object_set_new(p, CFB_CHAR_K_PT_WORKERS, json_integer(ws[i]));
      json_object_set_new(p, CFB_CHAR_K_PT_CHUNK, json_integer(1));
      json_object_set_new(p, CFB_CHAR_K_PT_ITEMS, json_integer(1000));
      for (size_t k = 0; k < 5; k++)
        json_array_append_new(r, json_real(truth[i] * (b ? 0.8 : 1) * drift[k] * (1 + 0.01 * (((int)(i + k) % 3) - 1))));
      json_object_set_new(p, CFB_CHAR_K_PT_RATES, r);
      json_object_set_new(p, CFB_CHAR_K_PT_ERROR, json_string(""));
      json_array_append_new(pts, p);
    }
  json_object_set_new(j, CFB_CHAR_K_POINTS, pts);
  analyze_json(j, "known_best", &c);
  json_decref(j);
  CHECK(c.rec >= 0);
  printf("known best thread 8: recommended %s %d (margin %+.0f%%)\n", c.b[c.rec].name, c.b[c.rec].rec_workers,
         100 * c.margin);
  CHECK(!strcmp(c.b[c.rec].name, "thread"));
  CHECK_EQ(c.b[c.rec].rec_workers, 8);
  CHECK(c.margin > 0.2 && c.margin < 0.3); /* 1 / 0.8 - 1, paired */
}

/* Points from a known truth (per backend, per worker count of ws) and
 * per-round factors (common drift x noise), into j's points; rounds in
 * "items_per_s", and when cr > 0 confirmation rounds (conf factors) for
 * the counts whose conf row is not all zero. */
typedef struct synth {
  const int *ws;
  size_t nw, nr, ncr;
  const double *truth;            /* thread; process is proc_share of it */
  double proc_share;
  const double (*f)[8];           /* [nw][nr] round factors */
  const double (*cf)[8];          /* [nw][ncr] confirmation factors, or NULL */
} synth;

static void synth_points(json_t *j, const synth *y) {
  json_t *pts = json_array();
  for (int b = 0; b < 2; b++)
    for (size_t i = 0; i < y->nw; i++) {
      json_t *p = json_object(), *r = json_array(), *cr = json_array();
      double t = y->truth[i] * (b ? y->proc_share : 1);
      json_object_set_new(p, CFB_CHAR_K_PT_BACKEND, json_string(b ? "process" : "thread"));
      json_object_set_new(p, CFB_CHAR_K_PT_WORKERS, json_integer(y->ws[i]));
      json_object_set_new(p, CFB_CHAR_K_PT_CHUNK, json_integer(1));
      json_object_set_new(p, CFB_CHAR_K_PT_ITEMS, json_integer(1000));
      for (size_t k = 0; k < y->nr; k++) json_array_append_new(r, json_real(t * y->f[i][k]));
      json_object_set_new(p, CFB_CHAR_K_PT_RATES, r);
      for (size_t k = 0; y->cf && y->cf[i][0] > 0 && k < y->ncr; k++) json_array_append_new(cr, json_real(t * y->cf[i][k]));
      if (json_array_size(cr)) json_object_set_new(p, CFB_CHAR_K_PT_CONFIRM, cr);
      else json_decref(cr);
      json_object_set_new(p, CFB_CHAR_K_PT_ERROR, json_string(""));
      json_array_append_new(pts, p);
    }
  json_object_set_new(j, CFB_CHAR_K_POINTS, pts);
}

/* A loaded run's three rounds where the fewest-near rule picks a bad
 * point.  Thread: 1 worker 600/s, the best (8) 1200/s; 2 workers are
 * truly 80% of it, but the rounds (drift 1, 0.7, 1.2) measured them at
 * 1.05, 1.03 and 0.80 of 8 (median ratio 1.03, median 96% of 8's), so
 * the fitted model saturates at 2 too, and the rule before took 2.  Not
 * surely within 10% (0.80 in a round): the best, 8, with the rule named.
 * Then the same rounds with confirmation rounds (2 at 80%, 4 tight at
 * 98%, 8 tight): 4, decided on the confirmation.  Process: half. */
static const int un_ws[] = {1, 2, 4, 8, 16};
static const double un_truth[] = {600, 1200, 1200, 1200, 1200};
static const double un_f[5][8] = {{1, .7, 1.2},
                                  {1.05, .7 * 1.03, 1.2 * .8},
                                  {.99, .7 * 1.02, 1.2 * .85},
                                  {1, .7, 1.2},
                                  {.99, .7, 1.2 * 1.01}};
static const double un_cf[5][8] = {{0},
                                   {.8 * 1.05, .8 * .95, .8, .8 * 1.1, .8 * .9, .8},
                                   {.98, .98 * 1.01, .98 * .99, .98, .98 * 1.005, .98 * .995},
                                   {1, 1.01, .99, 1, 1.005, .995},
                                   {0}};

static void test_recommend_unsure(void) {
  static cfb_char c;
  json_t *j = load_fixture("sleep");
  synth y = {un_ws, 5, 3, 0, un_truth, 0.5, un_f, NULL};
  synth_points(j, &y);
  analyze_json(j, "unsure", &c);
  CHECK(c.rec >= 0);
  const cfb_char_backend *b = &c.b[c.rec];
  printf("unsure: recommended %s %d by %s: %s\n", b->name, b->rec_workers, cfb_char_rule_name(b->pick.rule),
         b->rule_why);
  CHECK(!strcmp(b->name, "thread"));
  CHECK_EQ(b->rec_workers, 8);
  CHECK(b->pick.rule == CFB_CHAR_RULE_BEST && !b->confirmed);
  CHECK(strstr(b->rule_why, "2 looked within 5%") != NULL);
  CHECK(!c.margin_confirmed && c.margin_rounds == 3);
  CHECK(!b->measured_confirmed && b->measured_rounds == 3);
  y = (synth){un_ws, 5, 3, 6, un_truth, 0.5, un_f, un_cf};
  synth_points(j, &y);
  analyze_json(j, "unsure_confirmed", &c);
  json_decref(j);
  b = &c.b[c.rec];
  printf("unsure, confirmed: recommended %s %d by %s: %s\n", b->name, b->rec_workers,
         cfb_char_rule_name(b->pick.rule), b->rule_why);
  CHECK(b->confirmed && b->pick_rounds == 6);
  CHECK(b->measured_confirmed && b->measured_rounds == 6);
  CHECK_EQ(b->rec_workers, 4); /* 98% of 8, tight */
  CHECK(b->pick.rule == CFB_CHAR_RULE_FEWEST && b->pick.vs_best.ci_lo >= CFB_CHAR_SURE_FLOOR);
  CHECK(c.margin > 0.9 && c.margin < 1.1); /* 1 / 0.5 - 1, on the confirmation rounds */
  /* the margin with its interval, paired on those rounds, in the words every output uses */
  CHECK(c.margin_confirmed && c.margin_rounds == 6);
  CHECK(c.margin_lo <= c.margin && c.margin <= c.margin_hi);
  char w[128];
  cfb_char_margin_words(&c, w, sizeof w);
  printf("margin: %s\n", w);
  CHECK_STR_CONTAINS(w, "over process (+");
  CHECK_STR_CONTAINS(w, "6 paired confirmation rounds)");
}

/* A pick confirmed alone (its interval was too wide, charrule.h): the
 * count stays the sweep's to decide, the margin between the backends is
 * paired on the confirmation rounds both picks have. */
static void test_margin_wide(void) {
  static cfb_char c;
  json_t *j = load_fixture("contention");
  analyze_json(j, "wide0", &c);
  CHECK(c.rec >= 0 && c.nb == 2);
  int picks[2] = {c.b[0].rec_workers, c.b[1].rec_workers};
  char names2[2][16];
  for (int b = 0; b < 2; b++) snprintf(names2[b], sizeof names2[b], "%s", c.b[b].name);
  static const double drift[5] = {1.0, 0.7, 1.2, 0.9, 1.1}; /* load moves both alike */
  json_t *p;
  size_t i;
  json_array_foreach(json_object_get(j, CFB_CHAR_K_POINTS), i, p) {
    const char *be = json_string_value(json_object_get(p, CFB_CHAR_K_PT_BACKEND));
    int b = !strcmp(be, names2[0]) ? 0 : 1;
    if (json_integer_value(json_object_get(p, CFB_CHAR_K_PT_WORKERS)) != picks[b]) continue;
    json_t *cr = json_array();
    for (int r = 0; r < 5; r++) json_array_append_new(cr, json_real((b ? 2000 : 1000) * drift[r] * (1 + 0.01 * r * b)));
    json_object_set_new(p, CFB_CHAR_K_PT_CONFIRM, cr);
  }
  analyze_json(j, "wide1", &c);
  json_decref(j);
  for (int b = 0; b < 2; b++) {
    CHECK(!c.b[b].confirmed);
    CHECK_EQ(c.b[b].rec_workers, picks[b]);
  }
  CHECK(c.margin_confirmed && c.margin_rounds == 5);
  CHECK(strcmp(c.b[c.rec].name, names2[1]) == 0); /* twice the other, round by round */
  CHECK(c.margin > 0.9 && c.margin < 1.2 && c.margin_lo <= c.margin && c.margin <= c.margin_hi);
  CHECK(c.margin_lo > 0.9); /* the drift cancels in the pairs: a narrow interval */
  /* the measured figure is the confirmation rounds' too (before: the sweep's
   * median, which the choice of the pick biases), and says so */
  for (int b = 0; b < 2; b++) {
    double cr[5];
    for (int r = 0; r < 5; r++) cr[r] = (b ? 2000 : 1000) * drift[r] * (1 + 0.01 * r * b);
    const cfb_char_backend *cb = &c.b[!strcmp(c.b[0].name, names2[b]) ? 0 : 1];
    printf("wide, %s measured %.1f on %zu %s rounds\n", cb->name, cb->rec_measured, cb->measured_rounds,
           cb->measured_confirmed ? "confirmation" : "sweep");
    CHECK(cb->measured_confirmed && cb->measured_rounds == 5);
    CHECK(fabs(cb->rec_measured - cfb_stats_median(cr, 5)) < 1e-6 * cb->rec_measured);
  }
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  CHECK(f != NULL);
  cfb_char_print(f, &c, "/tmp/x", "characterize.{json,md} plots/");
  fclose(f);
  CHECK_STR_CONTAINS(text, "measured (5 confirmation"); /* wrapped before "rounds)" */
  free(text);
  char w[128];
  cfb_char_margin_words(&c, w, sizeof w);
  printf("wide, confirmed picks: %s\n", w);
  CHECK_STR_CONTAINS(w, "5 paired confirmation rounds");
}

/* ---- the terminal summary --------------------------------------------- */

/* Every fixture's summary: no line over 79 columns (an 80-column
 * terminal), and the kind's reason and the rule's whole once the wrapped
 * lines are joined again; a workload named by a long plugin path keeps
 * the path whole on a line of its own. */
static void test_summary_80(void) {
  static cfb_char c;
  for (size_t i = 0; i < NNAMES; i++) {
    json_t *j = load_fixture(names[i]);
    analyze_json(j, names[i], &c);
    json_decref(j);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(f != NULL);
    cfb_char_print(f, &c, "/a/directory/deep/enough/to/need/wrapping/results/characterize/xyz",
                   "characterize.{json,md} plots/");
    fclose(f);
    fputs(text, stdout);
    char *joined = calloc(1, len + 1), *o = joined;
    size_t col = 0, lines = 0;
    for (const char *p = text; *p; p++) {
      if (*p != '\n') {
        col++;
        continue;
      }
      CHECK_LE(col, CFB_CHAR_SUMMARY_COLS - 1);
      col = 0, lines++;
    }
    CHECK_LE(lines, 16); /* read in ten seconds */
    /* join: a line break and the label column's indent read as one space */
    for (const char *p = text; *p; p++) {
      if (*p == '\n') {
        size_t k = 1;
        while (p[k] == ' ') k++;
        if (k > 1) p += k - 1, *o++ = ' ';
        else *o++ = '\n';
      } else {
        *o++ = *p;
      }
    }
    CHECK(strstr(joined, c.why) != NULL);
    CHECK(c.rec < 0 || strstr(joined, c.b[c.rec].rule_why) != NULL);
    free(joined);
    free(text);
  }
  /* 70 columns of path: longer than the text column, printed whole */
  static const char path[] = "fn:/home/user/projects/workload/build/release/lib/libmy_task.so:square";
  snprintf(c.name, sizeof c.name, "%s", path);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  CHECK(f != NULL);
  cfb_char_print(f, &c, NULL, NULL);
  fclose(f);
  CHECK_STR_CONTAINS(text, path);
  free(text);
}

/* The chosen model's "where it stops scaling" in words: a bottleneck
 * knee below one worker is "saturated ... from 1 worker", never a peak
 * at 0.9 workers; the USL's maximum is a peak; none is "no peak within". */
static void test_peak_words(void) {
  cfb_char_backend b;
  char w[128];
  memset(&b, 0, sizeof b);
  b.fitted = 1, b.peak_in_sweep = 1, b.max_items_per_s = 2.48e6, b.n_peak = 0.87;
  b.models.chosen = CFB_MODEL_BOTTLENECK;
  b.models.fit[CFB_MODEL_BOTTLENECK].kind = CFB_MODEL_BOTTLENECK;
  b.models.fit[CFB_MODEL_BOTTLENECK].n_max = 8;
  cfb_char_peak_words(&b, w, sizeof w);
  CHECK_STR_CONTAINS(w, "saturated at 2.48M/s from 1 worker");
  b.n_peak = 10.1, b.max_items_per_s = 1e4;
  cfb_char_peak_words(&b, w, sizeof w);
  CHECK_STR_CONTAINS(w, "saturates at 10k/s from 10.1 workers");
  b.models.chosen = CFB_MODEL_USL;
  b.models.fit[CFB_MODEL_USL].kind = CFB_MODEL_USL;
  b.models.fit[CFB_MODEL_USL].n_max = 8;
  cfb_char_peak_words(&b, w, sizeof w);
  CHECK_STR_CONTAINS(w, "peak 10k/s at 10.1 workers");
  b.peak_in_sweep = 0;
  cfb_char_peak_words(&b, w, sizeof w);
  CHECK_STR_CONTAINS(w, "no peak within 8 workers");
}

/* The summary's own words of a c, as one string (the caller frees). */
static char *summary_of(const cfb_char *c) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  CHECK(f != NULL);
  cfb_char_print(f, c, NULL, NULL);
  fclose(f);
  return text;
}

/* 2x and 4x the CPUs: measured where the sweep ran that count (sleep's
 * I/O sweep goes to 256 workers, primes' CPU sweep to 4 on 2 CPUs),
 * interpolated between measured counts (sleep without its 4- and
 * 8-worker points), "extrapolation" only past the largest (primes' 8). */
static void test_bigger(void) {
  static cfb_char c;
  json_t *j = load_fixture("sleep");
  analyze_json(j, "bigger_sleep", &c);
  CHECK(c.rec >= 0);
  for (int k = 0; k < CFB_CHAR_BIGGER; k++) {
    CHECK_EQ(c.bigger[k].workers, (2 << k) * c.ncpus);
    CHECK_EQ(c.bigger[k].basis, CFB_CHAR_BASIS_MEASURED);
    CHECK(c.bigger[k].measured > 0 && c.bigger[k].predicted > 0);
  }
  char *t = summary_of(&c);
  CHECK(strstr(t, "extrapolat") == NULL);
  free(t);
  json_t *pts = json_object_get(j, CFB_CHAR_K_POINTS), *keep = json_array();
  for (size_t i = 0; i < json_array_size(pts); i++) {
    json_t *p = json_array_get(pts, i);
    json_int_t w = json_integer_value(json_object_get(p, CFB_CHAR_K_PT_WORKERS));
    if (w != 4 && w != 8) json_array_append(keep, p);
  }
  json_object_set_new(j, CFB_CHAR_K_POINTS, keep);
  analyze_json(j, "bigger_sleep_gap", &c);
  json_decref(j);
  for (int k = 0; k < CFB_CHAR_BIGGER; k++) {
    CHECK_EQ(c.bigger[k].basis, CFB_CHAR_BASIS_INTERPOLATED);
    CHECK(isnan(c.bigger[k].measured) && c.bigger[k].predicted > 0);
  }
  t = summary_of(&c);
  fputs(t, stdout);
  CHECK_STR_CONTAINS(t, "(interpolated)");
  CHECK(strstr(t, "extrapolat") == NULL);
  free(t);
  j = load_fixture("primes");
  analyze_json(j, "bigger_primes", &c);
  json_decref(j);
  CHECK_EQ(c.bigger[0].basis, CFB_CHAR_BASIS_MEASURED);
  CHECK_EQ(c.bigger[1].basis, CFB_CHAR_BASIS_EXTRAPOLATED);
  t = summary_of(&c);
  CHECK_STR_CONTAINS(t, "8 workers");
  CHECK_STR_CONTAINS(t, "(extrapolation)");
  free(t);
}

/* Parameters left empty are not shown: fn: with no input= file gave
 * "workload   fn_square input= on 2 CPUs"; an escaped ',' stays one
 * value; the JSON keeps the canonical string. */
static void test_shown_params(void) {
  char o[64];
  cfb_char_shown_params("input=", o, sizeof o);
  CHECK(strcmp(o, "") == 0);
  cfb_char_shown_params("target=,delay=0s,body=1KiB", o, sizeof o);
  CHECK(strcmp(o, "delay=0s,body=1KiB") == 0);
  cfb_char_shown_params("a=x\\,y=,b=", o, sizeof o);
  CHECK(strcmp(o, "a=x\\,y=") == 0);
  cfb_char_shown_params("delay=10ms", o, 6); /* cut to the room, terminated */
  CHECK(strcmp(o, "delay") == 0);
  static cfb_char c;
  json_t *j = load_fixture("contention");
  json_object_set_new(j, CFB_CHAR_K_SPEC, json_string("fn:/x/fn_square.so:square"));
  json_object_set_new(j, CFB_CHAR_K_NAME, json_string("fn_square"));
  json_object_set_new(j, CFB_CHAR_K_PARAMS, json_string("input="));
  analyze_json(j, "fn_input", &c);
  json_decref(j);
  CHECK(strcmp(c.params, "input=") == 0);
  char *t = summary_of(&c);
  fputs(t, stdout);
  CHECK_STR_CONTAINS(t, "fn_square on ");
  CHECK(strstr(t, "input=") == NULL);
  free(t);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  fixtures = argv[1];
  snprintf(tmp, sizeof tmp, "/tmp/cf-char-fixtures-XXXXXX");
  CHECK(mkdtemp(tmp) != NULL);
  test_bounds();
  test_kind_under_load();
  test_kind_margin();
  test_knee();
  test_knee_synthetic();
  test_rule_chunksize();
  test_recommend_known_best();
  test_recommend_unsure();
  test_margin_wide();
  test_summary_80();
  test_peak_words();
  test_shown_params();
  test_bigger();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
  CHECK_EQ(system(cmd), 0);
  printf("ok\n");
  return 0;
}
