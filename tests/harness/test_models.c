/* test_models.c -- the scaling-model fits (harness/report/models.c) on
 * synthetic data with known parameters and seeded noise: exact recovery
 * without noise, the 95% CIs hold the true parameters in >= 90% of seeded
 * trials, the choice picks the generating model, the parameters stay in
 * their physical bounds on data that pull them out, and bad input (too few
 * points, flat data, NaN) gives a clear error.  Prints the coverage and
 * choice figures it measured. */
#include "models.h"

#include <math.h>
#include <stdint.h>

#include "task.h"

#define TRIALS 200

static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double gauss(uint64_t *s) {
  double u1 = ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
  double u2 = (double)(rng_next(s) >> 11) / 9007199254740992.0;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

typedef struct scenario {
  cfb_model_kind kind;
  double par[3];
  double noise; /* relative sd of each point */
  size_t m;
  double n[16];
} scenario;

/* The contention plugin: 1 ms items, 0.1 ms of it under one lock
 * -> 1000/s per worker, 10000/s at most, knee at 10 workers. */
static const scenario scen[CFB_MODEL_COUNT] = {
    {CFB_MODEL_USL, {1000, 0.03, 0.0015}, 0.03, 13, {1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48}},
    {CFB_MODEL_AMDAHL, {500, 0.06, 0}, 0.03, 12, {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64}},
    {CFB_MODEL_BOTTLENECK, {1000, 10000, 0}, 0.03, 11, {1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64}},
};

static double truth(const scenario *s, double n) {
  cfb_model_fit f = {.kind = s->kind, .par = {s->par[0], s->par[1], s->par[2]}};
  return cfb_model_predict(&f, n);
}

/* Points of s with noise (sd = noise x truth; noise 0 = exact) and their CIs. */
static void make(const scenario *s, uint64_t *seed, double noise, cfb_model_point *p) {
  for (size_t i = 0; i < s->m; i++) {
    double t = truth(s, s->n[i]), sd = noise * t;
    p[i].n = s->n[i];
    p[i].x = t + sd * gauss(seed);
    p[i].lo = noise > 0 ? p[i].x - 1.96 * sd : NAN;
    p[i].hi = noise > 0 ? p[i].x + 1.96 * sd : NAN;
  }
}

static void test_exact(void) {
  for (int k = 0; k < CFB_MODEL_COUNT; k++) {
    const scenario *s = &scen[k];
    cfb_model_point p[16];
    uint64_t seed = 1;
    make(s, &seed, 0, p);
    cfb_model_fit f;
    char err[200];
    CHECK_EQ(cfb_model_fit_one(s->kind, p, s->m, &f, err, sizeof err), 0);
    for (size_t j = 0; j < f.npar; j++) {
      double tol = 1e-6 * fmax(fabs(s->par[j]), 1e-3);
      if (fabs(f.par[j] - s->par[j]) > tol) {
        fprintf(stderr, "%s %s: %g, true %g\n", cfb_model_name(s->kind), cfb_model_param_name(s->kind, j), f.par[j],
                s->par[j]);
        CHECK(0);
      }
    }
    CHECK(f.heldout_rel < 1e-6);
  }
  /* the peak and the saturation point of exact fits */
  cfb_model_point p[16];
  uint64_t seed = 1;
  cfb_model_fit f;
  make(&scen[CFB_MODEL_USL], &seed, 0, p);
  CHECK_EQ(cfb_model_fit_one(CFB_MODEL_USL, p, scen[0].m, &f, NULL, 0), 0);
  CHECK(fabs(f.n_peak - sqrt(0.97 / 0.0015)) < 1e-4);
  CHECK(fabs(f.x_max - truth(&scen[0], f.n_peak)) < 1e-6 * f.x_max);
  make(&scen[CFB_MODEL_BOTTLENECK], &seed, 0, p);
  CHECK_EQ(cfb_model_fit_one(CFB_MODEL_BOTTLENECK, p, scen[2].m, &f, NULL, 0), 0);
  CHECK(fabs(f.n_peak - 10) < 1e-6);
  CHECK(f.saturated == 1);
  CHECK(fabs(cfb_model_predict(&f, 128) - 10000) < 1e-6);   /* extrapolation: the bound */
  CHECK(fabs(cfb_model_predict(&f, 3) - 3000) < 1e-6);
  make(&scen[CFB_MODEL_AMDAHL], &seed, 0, p);
  CHECK_EQ(cfb_model_fit_one(CFB_MODEL_AMDAHL, p, scen[1].m, &f, NULL, 0), 0);
  CHECK(isnan(f.n_peak));
  CHECK(fabs(f.x_max - 500 / 0.06) < 1e-3);
}

/* Linear data never reach a bound: the bottleneck fit says so. */
static void test_unsaturated(void) {
  cfb_model_point p[8];
  uint64_t seed = 7;
  for (int i = 0; i < 8; i++) {
    p[i].n = i + 1;
    p[i].x = 200.0 * (i + 1) * (1 + 0.01 * gauss(&seed));
    p[i].lo = p[i].hi = NAN;
  }
  cfb_model_fit f;
  CHECK_EQ(cfb_model_fit_one(CFB_MODEL_BOTTLENECK, p, 8, &f, NULL, 0), 0);
  CHECK_EQ(f.saturated, 0);
  CHECK(isnan(f.n_peak));
  CHECK(isnan(f.par[1]));
  CHECK(fabs(f.par[0] - 200) < 10);
  CHECK(f.lo[0] < f.par[0] && f.par[0] < f.hi[0]);
}

/* Data that pull the parameters out of their physical range: a curve
 * that bends up (superlinear: an unbounded fit gives kappa < 0), and one
 * that falls from N = 1 on (sigma > 1).  The fits stay inside the bounds
 * (kappa >= 0, sigma in [0, 1], their CIs too), and a USL with kappa at
 * its bound 0 is not chosen over Amdahl. */
static void test_bounds(void) {
  cfb_model_point p[12];
  uint64_t seed = 11;
  for (int i = 0; i < 12; i++) {
    double n = i + 1, d = 1 + 0.2 * (n - 1) - 0.002 * n * (n - 1);
    p[i].n = n;
    p[i].x = 100 * n / d * (1 + 0.01 * gauss(&seed));
    p[i].lo = p[i].hi = NAN;
  }
  cfb_model_set set;
  char err[200];
  CHECK_EQ(cfb_models_fit(p, 12, &set, err, sizeof err), 0);
  CHECK(set.ok[CFB_MODEL_USL]);
  const cfb_model_fit *u = &set.fit[CFB_MODEL_USL];
  fprintf(stderr, "bends up: usl sigma %g [%g, %g], kappa %g [%g, %g]\n", u->par[1], u->lo[1], u->hi[1], u->par[2],
          u->lo[2], u->hi[2]);
  CHECK(u->par[2] >= 0 && u->lo[2] >= 0);
  CHECK(u->par[1] >= 0 && u->par[1] <= 1 && u->lo[1] >= 0 && u->hi[1] <= 1);
  CHECK(isnan(u->n_peak)); /* kappa at 0: no peak */
  CHECK(set.chosen != CFB_MODEL_USL);
  for (int i = 0; i < 12; i++) p[i].x = 1000 * p[i].n / (1 + 1.5 * (p[i].n - 1)) * (1 + 0.01 * gauss(&seed));
  cfb_model_fit a;
  CHECK_EQ(cfb_model_fit_one(CFB_MODEL_AMDAHL, p, 12, &a, err, sizeof err), 0);
  fprintf(stderr, "falls: amdahl sigma %g [%g, %g]\n", a.par[1], a.lo[1], a.hi[1]);
  CHECK(a.par[1] >= 0 && a.par[1] <= 1 && a.hi[1] <= 1);
}

static void test_coverage_and_choice(void) {
  int min_cover = 100, min_choice = 100;
  for (int k = 0; k < CFB_MODEL_COUNT; k++) {
    const scenario *s = &scen[k];
    size_t np = cfb_model_nparams(s->kind);
    int cover[3] = {0}, chosen = 0, fits = 0;
    int picked[CFB_MODEL_COUNT] = {0};
    uint64_t seed = 0x5eed0000ull + (uint64_t)k;
    for (int t = 0; t < TRIALS; t++) {
      cfb_model_point p[16];
      make(s, &seed, s->noise, p);
      cfb_model_set set;
      char err[200] = "";
      int rc = cfb_models_fit(p, s->m, &set, err, sizeof err);
      if (rc) fprintf(stderr, "trial %d: %s\n", t, err);
      CHECK_EQ(rc, 0);
      CHECK(set.ok[s->kind]);
      fits++;
      const cfb_model_fit *f = &set.fit[s->kind];
      for (size_t j = 0; j < np; j++) cover[j] += f->lo[j] <= s->par[j] && s->par[j] <= f->hi[j];
      chosen += set.chosen == s->kind;
      picked[set.chosen]++;
    }
    for (size_t j = 0; j < np; j++) {
      int pct = 100 * cover[j] / fits;
      printf("%-10s %-6s: true value inside the 95%% CI in %d/%d trials (%d%%)\n", cfb_model_name(s->kind),
             cfb_model_param_name(s->kind, j), cover[j], fits, pct);
      if (pct < min_cover) min_cover = pct;
      CHECK_GE(10 * cover[j], 9 * fits);
    }
    printf("%-10s chosen in %d/%d trials (usl %d, amdahl %d, bottleneck %d)\n", cfb_model_name(s->kind), chosen,
           fits, picked[0], picked[1], picked[2]);
    if (100 * chosen / fits < min_choice) min_choice = 100 * chosen / fits;
    CHECK_GE(10 * chosen, 9 * fits);
  }
  printf("lowest coverage %d%%, lowest choice accuracy %d%%\n", min_cover, min_choice);
}

static void expect_err(const cfb_model_point *p, size_t m, int code, const char *needle) {
  cfb_model_set set;
  char err[200] = "";
  CHECK_EQ(cfb_models_fit(p, m, &set, err, sizeof err), code);
  fprintf(stderr, "   %s -> %s\n", cfb_model_strerror(code), err);
  CHECK_STR_CONTAINS(err, "models: ");
  CHECK_STR_CONTAINS(err, needle);
  CHECK(strchr(err, '\n') == NULL);
}

static void test_bad_input(void) {
  cfb_model_point p[8];
  for (int i = 0; i < 8; i++) p[i] = (cfb_model_point){i + 1, 100.0 * (i + 1) / (1 + 0.1 * i), NAN, NAN};
  expect_err(p, 4, CFB_MODEL_ETOOFEW, "4 points, at least 5");
  cfb_model_fit f;
  char err[200];
  CHECK_EQ(cfb_model_fit_one(CFB_MODEL_AMDAHL, p, 3, &f, err, sizeof err), CFB_MODEL_ETOOFEW);
  CHECK_EQ(cfb_model_fit_one(CFB_MODEL_AMDAHL, p, 4, &f, err, sizeof err), 0);
  CHECK_EQ(cfb_model_fit_one((cfb_model_kind)7, p, 4, &f, err, sizeof err), CFB_MODEL_EINVAL);
  CHECK_EQ(cfb_models_fit(p, 8, NULL, err, sizeof err), CFB_MODEL_EINVAL);

  cfb_model_point q[8];
  memcpy(q, p, sizeof q);
  for (int i = 0; i < 8; i++) q[i].n = 4; /* one worker count, many repeats */
  expect_err(q, 8, CFB_MODEL_ETOOFEW, "1 distinct worker counts");
  for (int i = 0; i < 8; i++) q[i] = (cfb_model_point){i + 1, 250, NAN, NAN};
  expect_err(q, 8, CFB_MODEL_EFLAT, "throughput is 250 at every N");
  memcpy(q, p, sizeof q);
  q[3].x = NAN;
  expect_err(q, 8, CFB_MODEL_ENAN, "point 3 is not a finite number");
  memcpy(q, p, sizeof q);
  q[2].hi = INFINITY;
  expect_err(q, 8, CFB_MODEL_ENAN, "not a finite number");
  memcpy(q, p, sizeof q);
  q[5].x = 0;
  expect_err(q, 8, CFB_MODEL_ENAN, "N=6 has throughput 0");
  memcpy(q, p, sizeof q);
  q[0].n = 0;
  expect_err(q, 8, CFB_MODEL_ENAN, "N=0");
  CHECK(strcmp(cfb_model_strerror(CFB_MODEL_EFLAT), "flat data") == 0);
  CHECK(isnan(cfb_model_predict(NULL, 2)));
}

int main(void) {
  test_exact();
  test_unsaturated();
  test_bounds();
  test_bad_input();
  test_coverage_and_choice();
  printf("ok\n");
  return 0;
}
