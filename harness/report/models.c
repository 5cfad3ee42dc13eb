/* models.c -- fitting the scaling models of models.h: weighted nonlinear
 * least squares by cminpack's lmder (analytic Jacobians), confidence
 * intervals from the Jacobian's covariance, leave-one-out held-out error,
 * and the choice between the three models.
 *
 * Confidence intervals: estimate -/+ t(0.975, m-p) sqrt(C_ii) with
 * C = s^2 (J'WJ)^-1, s^2 = RSS/(m-p) (cminpack's covar).  Chosen over a
 * bootstrap of residuals because it is deterministic and cheap (the
 * characterization fits many subsets for leave-one-out), and the models are
 * close to linear in their parameters over the measured range; the seeded
 * coverage test (tests/harness/test_models.c) checks it holds.  s^2 is
 * estimated even when the points carry CIs: the CIs fix the relative
 * weights, the residuals fix the scale (CIs from few repeats are noisy).
 *
 * Bounds: the USL's and Amdahl's sigma is a share of serialized work and
 * the USL's kappa a cost of crosstalk, so sigma in [0, 1] and kappa >= 0;
 * unbounded, noisy or superlinear data pulls kappa negative (a curve with
 * no peak that bends up).  The solver works on free parameters u and k
 * with sigma = sin^2(u) and kappa = k^2 (cminpack has no bounds); the
 * intervals come from the Jacobian in the model's own parameters at the
 * solution (the same covariance as before wherever the bound is not
 * reached), cut at the bounds.
 *
 * The bottleneck bound min(lambda N, xmax) is not differentiable at its
 * knee, so LM alone finds a poor local fit.  It is profiled over the knee:
 * for each split of the sorted N into a linear part and a flat part the
 * least-squares lambda and xmax have closed forms; the split with the least
 * true residual (evaluated with min()) starts lmder, which then polishes a
 * piecewise-linear problem and gives the covariance. */
#include "models.h"

#include <cminpack.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const model_names[CFB_MODEL_COUNT] = {"usl", "amdahl", "bottleneck"};
static const size_t model_npar[CFB_MODEL_COUNT] = {3, 2, 2};
static const char *const param_names[CFB_MODEL_COUNT][CFB_MODEL_MAXPAR] = {
    {"lambda", "sigma", "kappa"}, {"lambda", "sigma", NULL}, {"lambda", "xmax", NULL}};

const char *cfb_model_strerror(int code) {
  switch (code) {
  case 0: return "success";
  case CFB_MODEL_EINVAL: return "invalid argument";
  case CFB_MODEL_ETOOFEW: return "too few points";
  case CFB_MODEL_ENAN: return "invalid value in the data";
  case CFB_MODEL_EFLAT: return "flat data";
  case CFB_MODEL_ENOFIT: return "the fit did not converge";
  }
  return "unknown error";
}

const char *cfb_model_name(cfb_model_kind k) { return (unsigned)k < CFB_MODEL_COUNT ? model_names[k] : "?"; }

size_t cfb_model_nparams(cfb_model_kind k) { return (unsigned)k < CFB_MODEL_COUNT ? model_npar[k] : 0; }

const char *cfb_model_param_name(cfb_model_kind k, size_t i) {
  if ((unsigned)k >= CFB_MODEL_COUNT || i >= model_npar[k]) return NULL;
  return param_names[k][i];
}

/* Write "models: " + message to err; returns code. */
static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    int n = snprintf(err, errlen, "models: ");
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < errlen) vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return code;
}

/* ---------------------------------------------------------------- data */

/* Sorted, weighted data the fits share. */
typedef struct data {
  size_t m;
  double *n, *x, *w; /* w = 1/sd */
} data;

/* The model function and its gradient in p. unsat: bottleneck whose data
 * never reaches xmax (only lambda is fitted). */
static double model_eval(cfb_model_kind k, int unsat, const double *p, double n, double *grad) {
  switch (k) {
  case CFB_MODEL_USL:
  case CFB_MODEL_AMDAHL: {
    double kap = k == CFB_MODEL_USL ? p[2] : 0;
    double d = 1 + p[1] * (n - 1) + kap * n * (n - 1);
    double v = p[0] * n / d;
    if (grad) {
      grad[0] = n / d;
      grad[1] = -v * (n - 1) / d;
      if (k == CFB_MODEL_USL) grad[2] = -v * n * (n - 1) / d;
    }
    return v;
  }
  case CFB_MODEL_BOTTLENECK: {
    double lin = p[0] * n;
    if (unsat || lin <= p[1]) {
      if (grad) grad[0] = n, grad[1] = 0;
      return lin;
    }
    if (grad) grad[0] = 0, grad[1] = 1;
    return p[1];
  }
  default: return NAN;
  }
}

/* The free parameters q the solver moves -> the model's p (the bounds of
 * the header comment); dp[j] = dp_j / dq_j. */
static void to_model(cfb_model_kind k, const double *q, double *p, double *dp) {
  for (size_t j = 0; j < model_npar[k]; j++) p[j] = q[j], dp[j] = 1;
  if (k == CFB_MODEL_BOTTLENECK) return;
  p[1] = sin(q[1]) * sin(q[1]), dp[1] = sin(2 * q[1]);
  if (k == CFB_MODEL_USL) p[2] = q[2] * q[2], dp[2] = 2 * q[2];
}

/* The inverse for a start value, clamped inside the bounds (an exact 0
 * would give a zero derivative the solver cannot leave). */
static void to_free(cfb_model_kind k, const double *p, double *q) {
  for (size_t j = 0; j < model_npar[k]; j++) q[j] = p[j];
  if (k == CFB_MODEL_BOTTLENECK) return;
  q[1] = asin(sqrt(fmin(fmax(p[1], 1e-6), 1 - 1e-6)));
  if (k == CFB_MODEL_USL) q[2] = sqrt(fmax(p[2], 1e-8));
}

/* A solution on or next to a bound (sigma within 1e-3 of 0 or 1, or the
 * USL's crosstalk term under 1% of its denominator at the largest N),
 * where the derivative of sin^2 or k^2 vanishes: lmder creeps towards the
 * bound until it runs out of evaluations (info 5); the point it reached
 * is the answer to within that. */
static int at_bound(cfb_model_kind k, const double *q, double n_max) {
  if (k == CFB_MODEL_BOTTLENECK) return 0;
  double s = sin(q[1]) * sin(q[1]);
  if (s < 1e-3 || s > 1 - 1e-3) return 1;
  return k == CFB_MODEL_USL && q[2] * q[2] * n_max * (n_max - 1) < 0.01 * (1 + s * (n_max - 1));
}

typedef struct lm_ctx {
  cfb_model_kind kind;
  int unsat;
  int free_par; /* x is q (to_model), else the model's own p */
  const data *d;
  size_t skip; /* index left out (leave-one-out), or (size_t)-1 */
} lm_ctx;

/* Point index of residual row r (rows are the points without `skip`). */
static size_t row_point(const lm_ctx *c, size_t r) { return c->skip != (size_t)-1 && r >= c->skip ? r + 1 : r; }

static int lm_fcn(void *p, int m, int npar, const double *x, double *fvec, double *fjac, int ldfjac, int iflag) {
  const lm_ctx *c = p;
  double mp[CFB_MODEL_MAXPAR], dp[CFB_MODEL_MAXPAR] = {1, 1, 1};
  if (c->free_par) to_model(c->kind, x, mp, dp);
  else memcpy(mp, x, (size_t)npar * sizeof *mp);
  for (int r = 0; r < m; r++) {
    size_t i = row_point(c, (size_t)r);
    double g[CFB_MODEL_MAXPAR];
    double v = model_eval(c->kind, c->unsat, mp, c->d->n[i], g);
    if (iflag == 1) fvec[r] = (c->d->x[i] - v) * c->d->w[i];
    else
      for (int j = 0; j < npar; j++) fjac[r + j * ldfjac] = -g[j] * dp[j] * c->d->w[i];
  }
  return 0;
}

/* ------------------------------------------------------- start values */

/* Solve the k x k system a x = b (Gaussian elimination, partial pivot). */
static int solve(double *a, double *b, int k) {
  for (int c = 0; c < k; c++) {
    int piv = c;
    for (int r = c + 1; r < k; r++)
      if (fabs(a[r * k + c]) > fabs(a[piv * k + c])) piv = r;
    if (fabs(a[piv * k + c]) < 1e-300) return -1;
    for (int j = 0; j < k; j++) {
      double t = a[c * k + j];
      a[c * k + j] = a[piv * k + j];
      a[piv * k + j] = t;
    }
    double t = b[c];
    b[c] = b[piv];
    b[piv] = t;
    for (int r = c + 1; r < k; r++) {
      double f = a[r * k + c] / a[c * k + c];
      for (int j = c; j < k; j++) a[r * k + j] -= f * a[c * k + j];
      b[r] -= f * b[c];
    }
  }
  for (int c = k - 1; c >= 0; c--) {
    for (int j = c + 1; j < k; j++) b[c] -= a[c * k + j] * b[j];
    b[c] /= a[c * k + c];
  }
  return 0;
}

/* USL/Amdahl start: N/X = 1/lambda + (sigma/lambda)(N-1) + (kappa/lambda)N(N-1)
 * is linear in its coefficients (the usual linearization of the USL). */
static void start_smooth(cfb_model_kind k, const data *d, size_t skip, double *p) {
  int q = k == CFB_MODEL_USL ? 3 : 2;
  double a[9] = {0}, b[3] = {0};
  for (size_t i = 0; i < d->m; i++) {
    if (i == skip) continue;
    double n = d->n[i], f[3] = {1, n - 1, n * (n - 1)}, y = n / d->x[i];
    for (int r = 0; r < q; r++) {
      b[r] += f[r] * y;
      for (int c = 0; c < q; c++) a[r * q + c] += f[r] * f[c];
    }
  }
  if (solve(a, b, q) == 0 && b[0] > 0) {
    p[0] = 1 / b[0];
    p[1] = b[1] / b[0];
    if (q == 3) p[2] = b[2] / b[0] > 0 ? b[2] / b[0] : 1e-6;
    return;
  }
  p[0] = d->x[skip == 0 ? 1 : 0] / d->n[skip == 0 ? 1 : 0];
  p[1] = 0.05;
  if (q == 3) p[2] = 1e-4;
}

/* Bottleneck start by profiling the knee: the best split j (points [0,j)
 * linear, [j,m) flat).  Sets *unsat when the best split is "all linear". */
static void start_bottleneck(const data *d, size_t skip, double *p, int *unsat) {
  double best = INFINITY;
  *unsat = 1;
  p[0] = p[1] = NAN;
  for (size_t j = 1; j <= d->m; j++) {
    if (j < d->m && d->n[j] == d->n[j - 1]) continue; /* split only between distinct N */
    /* A flat part of one N cannot tell a bound from noise (xmax = that
     * point fits it exactly): saturation needs two distinct N past the knee. */
    if (j < d->m && d->n[j] == d->n[d->m - 1]) continue;
    double sxn = 0, snn = 0, sx = 0, sw = 0;
    for (size_t i = 0; i < d->m; i++) {
      if (i == skip) continue;
      double w2 = d->w[i] * d->w[i];
      if (i < j) sxn += w2 * d->x[i] * d->n[i], snn += w2 * d->n[i] * d->n[i];
      else sx += w2 * d->x[i], sw += w2;
    }
    if (snn <= 0) continue;
    double q[2] = {sxn / snn, sw > 0 ? sx / sw : NAN};
    int all_lin = !(sw > 0);
    double rss = 0;
    for (size_t i = 0; i < d->m; i++) {
      if (i == skip) continue;
      double r = (d->x[i] - model_eval(CFB_MODEL_BOTTLENECK, all_lin, q, d->n[i], NULL)) * d->w[i];
      rss += r * r;
    }
    if (rss < best) {
      best = rss;
      p[0] = q[0], p[1] = q[1];
      *unsat = all_lin;
    }
  }
}

/* ----------------------------------------------------------------- fit */

/* Student t quantile at 0.975 for dof degrees of freedom: exact for 1 and
 * 2, else the Cornish-Fisher expansion about the normal quantile (error
 * < 1e-3 from dof 3 on, below what a 95% interval needs). */
static double t975(double dof) {
  if (dof < 1) return NAN;
  if (dof < 1.5) return 12.706204736;
  if (dof < 2.5) return 4.302652730;
  double z = 1.959963985, v = dof, z2 = z * z;
  return z + z * (z2 + 1) / (4 * v) + z * ((5 * z2 + 16) * z2 + 3) / (96 * v * v) +
         z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / (384 * v * v * v) +
         z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / (92160 * v * v * v * v);
}

static void derive(cfb_model_fit *f) {
  const double *p = f->par;
  f->n_peak = f->x_max = NAN;
  f->saturated = 0;
  switch (f->kind) {
  case CFB_MODEL_USL:
    if (p[2] > 0 && p[1] < 1) {
      f->n_peak = sqrt((1 - p[1]) / p[2]);
      f->x_max = cfb_model_predict(f, f->n_peak);
    }
    break;
  case CFB_MODEL_AMDAHL:
    if (p[1] > 0) f->x_max = p[0] / p[1];
    break;
  case CFB_MODEL_BOTTLENECK:
    if (isfinite(p[1]) && p[0] > 0) {
      f->n_peak = p[1] / p[0];
      f->x_max = p[1];
      f->saturated = f->n_max > f->n_peak;
    }
    break;
  default: break;
  }
}

/* The 95% intervals of f's parameters (np of them, fitted to m rows with
 * residual sum rss): the Jacobian in the model's own parameters at the
 * solution, its QR (cminpack's qrfac) and covariance (covar), then cut at
 * the bounds (sigma in [0, 1], kappa >= 0).  fjac (m x np) and wa
 * (3 np) are work space. */
static void intervals(cfb_model_fit *f, lm_ctx *c, int m, int np, double rss, double *fjac, double *wa) {
  int ipvt[CFB_MODEL_MAXPAR];
  c->free_par = 0;
  lm_fcn(c, m, np, f->par, NULL, fjac, m, 2);
  qrfac(m, np, fjac, m, 1, ipvt, np, wa, wa + np, wa + 2 * np);
  for (int j = 0; j < np; j++) fjac[j + j * m] = wa[j]; /* R's diagonal, as lmder leaves it */
  covar(np, fjac, m, ipvt, 1e-14, wa);
  double s2 = rss / (m - np), t = t975(m - np);
  for (int j = 0; j < np; j++) {
    double v = fjac[j + j * m] * s2;
    if (v >= 0 && isfinite(v)) f->lo[j] = f->par[j] - t * sqrt(v), f->hi[j] = f->par[j] + t * sqrt(v);
  }
  if (f->kind == CFB_MODEL_BOTTLENECK) return;
  f->lo[1] = fmax(f->lo[1], 0), f->hi[1] = fmin(f->hi[1], 1);
  if (f->kind == CFB_MODEL_USL) f->lo[2] = fmax(f->lo[2], 0);
}

/* Fit kind to d without point `skip`; with ci, also the intervals. */
static int fit_core(cfb_model_kind kind, const data *d, size_t skip, int ci, cfb_model_fit *f) {
  memset(f, 0, sizeof *f);
  f->kind = kind;
  f->npar = model_npar[kind];
  for (size_t j = 0; j < CFB_MODEL_MAXPAR; j++) f->par[j] = f->lo[j] = f->hi[j] = NAN;
  f->heldout_rmse = f->heldout_rel = NAN;
  f->n_min = d->n[skip == 0 ? 1 : 0];
  f->n_max = d->n[skip == d->m - 1 ? d->m - 2 : d->m - 1];
  int unsat = 0;
  double p[CFB_MODEL_MAXPAR] = {0}, q[CFB_MODEL_MAXPAR] = {0}, dp[CFB_MODEL_MAXPAR];
  if (kind == CFB_MODEL_BOTTLENECK) start_bottleneck(d, skip, p, &unsat);
  else start_smooth(kind, d, skip, p);
  int m = (int)(d->m - (skip != (size_t)-1)), np = unsat ? 1 : (int)f->npar;
  if (m < np) return CFB_MODEL_ETOOFEW;
  if (!isfinite(p[0])) return CFB_MODEL_ENOFIT;
  to_free(kind, p, q);

  lm_ctx c = {kind, unsat, 1, d, skip};
  double *work = calloc((size_t)m * (size_t)(np + 2) + (size_t)np * 5, sizeof *work);
  int ipvt[CFB_MODEL_MAXPAR];
  if (!work) return CFB_MODEL_ENOFIT;
  double *fvec = work, *fjac = fvec + m, *diag = fjac + (size_t)m * np, *qtf = diag + np;
  double *wa1 = qtf + np, *wa2 = wa1 + np, *wa3 = wa2 + np, *wa4 = wa3 + np;
  int nfev = 0, njev = 0;
  int info = lmder(lm_fcn, &c, m, np, q, fvec, fjac, m, 1e-12, 1e-12, 0, 4000, diag, 1, 100, 0, &nfev,
                   &njev, ipvt, qtf, wa1, wa2, wa3, wa4);
  int rc = (info >= 1 && info <= 4) || info >= 6 || (info == 5 && at_bound(kind, q, f->n_max)) ? 0 : CFB_MODEL_ENOFIT;
  for (int j = 0; j < np && !rc; j++)
    if (!isfinite(q[j])) rc = CFB_MODEL_ENOFIT;
  if (!rc) {
    double rss = 0;
    for (int r = 0; r < m; r++) rss += fvec[r] * fvec[r];
    f->rss = rss;
    to_model(kind, q, p, dp);
    /* k -> 0 only approaches its bound: a kappa whose crosstalk term is a
     * billionth of the denominator at the largest N is that bound, 0 (else
     * it would give a peak at N ~ 1e9) */
    if (kind == CFB_MODEL_USL && p[2] * f->n_max * f->n_max < 1e-9) p[2] = 0;
    if (kind != CFB_MODEL_BOTTLENECK) p[1] = p[1] < 1e-9 ? 0 : p[1] > 1 - 1e-6 ? 1 : p[1];
    for (int j = 0; j < np; j++) f->par[j] = p[j];
    if (ci && m > np) intervals(f, &c, m, np, rss, fjac, wa1); /* wa1..wa3: 3 np in a row */
    derive(f);
  }
  free(work);
  return rc;
}

/* Check the points, sort them by N and derive the weights. */
static int load(const cfb_model_point *pts, size_t m, size_t need, data *d, char *err, size_t errlen) {
  memset(d, 0, sizeof *d);
  if (!pts && m) return fail(err, errlen, CFB_MODEL_EINVAL, "no points");
  if (m < need)
    return fail(err, errlen, CFB_MODEL_ETOOFEW, "%zu points, at least %zu needed", m, need);
  for (size_t i = 0; i < m; i++) {
    if (!isfinite(pts[i].n) || !isfinite(pts[i].x) || isinf(pts[i].lo) || isinf(pts[i].hi))
      return fail(err, errlen, CFB_MODEL_ENAN, "point %zu is not a finite number (N=%g, X=%g, CI [%g, %g])", i,
                  pts[i].n, pts[i].x, pts[i].lo, pts[i].hi);
    if (pts[i].n < 1 || pts[i].x <= 0)
      return fail(err, errlen, CFB_MODEL_ENAN, "point at N=%g has throughput %g (N >= 1 and X > 0 needed)",
                  pts[i].n, pts[i].x);
  }
  d->m = m;
  d->n = malloc(3 * m * sizeof(double));
  if (!d->n) return fail(err, errlen, CFB_MODEL_EINVAL, "out of memory");
  d->x = d->n + m;
  d->w = d->x + m;
  /* insertion sort by N (a sweep has tens of points) */
  size_t *ix = malloc(m * sizeof *ix);
  if (!ix) {
    free(d->n);
    return fail(err, errlen, CFB_MODEL_EINVAL, "out of memory");
  }
  for (size_t i = 0; i < m; i++) {
    size_t j = i;
    for (; j > 0 && pts[ix[j - 1]].n > pts[i].n; j--) ix[j] = ix[j - 1];
    ix[j] = i;
  }
  double *sd = malloc(m * sizeof *sd);
  size_t nsd = 0;
  for (size_t i = 0; i < m && sd; i++) {
    const cfb_model_point *q = &pts[ix[i]];
    d->n[i] = q->n, d->x[i] = q->x;
    double s = (q->hi - q->lo) / 3.919927969;
    d->w[i] = s > 0 ? s : NAN;
    if (s > 0) sd[nsd++] = s;
  }
  /* the median sd for points without a CI; all 1 when none has one */
  double med = 1;
  if (sd && nsd) {
    for (size_t i = 1; i < nsd; i++)
      for (size_t j = i; j > 0 && sd[j - 1] > sd[j]; j--) {
        double t = sd[j];
        sd[j] = sd[j - 1], sd[j - 1] = t;
      }
    med = nsd % 2 ? sd[nsd / 2] : (sd[nsd / 2 - 1] + sd[nsd / 2]) / 2;
  }
  for (size_t i = 0; i < m; i++) d->w[i] = 1 / (isnan(d->w[i]) ? med : d->w[i]);
  free(sd);
  free(ix);
  size_t distinct = 1;
  int flat = 1;
  for (size_t i = 1; i < m; i++) {
    distinct += d->n[i] != d->n[i - 1];
    flat &= fabs(d->x[i] - d->x[0]) <= 1e-12 * d->x[0];
  }
  int rc = 0;
  if (distinct < need - 1)
    rc = fail(err, errlen, CFB_MODEL_ETOOFEW, "%zu distinct worker counts, at least %zu needed",
              distinct, need - 1);
  else if (flat)
    rc = fail(err, errlen, CFB_MODEL_EFLAT, "throughput is %g at every N: nothing to fit",
              d->x[0]);
  if (rc) {
    free(d->n);
    d->n = NULL;
  }
  return rc;
}

/* Leave-one-out: e2[i] = squared weighted error at point i fitted without
 * it (NAN where that fit failed); sets the fit's heldout figures. */
static void heldout(const data *d, cfb_model_fit *f, double *e2) {
  double s2 = 0, sr = 0;
  size_t k = 0;
  for (size_t i = 0; i < d->m; i++) {
    cfb_model_fit g;
    e2[i] = NAN;
    if (fit_core(f->kind, d, i, 0, &g) != 0) continue;
    double pred = cfb_model_predict(&g, d->n[i]);
    if (!isfinite(pred)) continue;
    double r = (d->x[i] - pred) * d->w[i], rel = (d->x[i] - pred) / d->x[i];
    e2[i] = r * r;
    s2 += r * r, sr += rel * rel, k++;
  }
  if (k) f->heldout_rmse = sqrt(s2 / (double)k), f->heldout_rel = sqrt(sr / (double)k);
}

static int fit_loaded(cfb_model_kind k, const data *d, cfb_model_fit *out, double *e2, char *err, size_t errlen) {
  int rc = fit_core(k, d, (size_t)-1, 1, out);
  if (rc) return fail(err, errlen, rc, "%s fit did not converge", model_names[k]);
  heldout(d, out, e2);
  return 0;
}

int cfb_model_fit_one(cfb_model_kind k, const cfb_model_point *pts, size_t m, cfb_model_fit *out, char *err,
                      size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!out || (unsigned)k >= CFB_MODEL_COUNT)
    return fail(err, errlen, CFB_MODEL_EINVAL, "no output or unknown model");
  data d;
  int rc = load(pts, m, model_npar[k] + 2, &d, err, errlen);
  if (rc) return rc;
  double *e2 = malloc(m * sizeof *e2);
  rc = e2 ? fit_loaded(k, &d, out, e2, err, errlen) : CFB_MODEL_EINVAL;
  free(e2);
  free(d.n);
  return rc;
}

double cfb_model_predict(const cfb_model_fit *f, double n) {
  if (!f || !(n > 0) || (unsigned)f->kind >= CFB_MODEL_COUNT) return NAN;
  int unsat = f->kind == CFB_MODEL_BOTTLENECK && !isfinite(f->par[1]);
  return model_eval(f->kind, unsat, f->par, n, NULL);
}

/* mean of e2 over the points where every fitted model has a value */
static double mean_common(const double *e, const int *use, size_t m) {
  double s = 0;
  size_t k = 0;
  for (size_t i = 0; i < m; i++)
    if (use[i]) s += e[i], k++;
  return k ? s / (double)k : INFINITY;
}

/* The choice rule of models.h (least held-out error, one-SE rule). */
static cfb_model_kind choose(const cfb_model_set *s, double *const e2[CFB_MODEL_COUNT], size_t m) {
  int *use = malloc(m * sizeof *use);
  if (!use) return CFB_MODEL_BOTTLENECK;
  for (size_t i = 0; i < m; i++) {
    use[i] = 1;
    for (int k = 0; k < CFB_MODEL_COUNT; k++)
      if (s->ok[k] && !isfinite(e2[k][i])) use[i] = 0;
  }
  int best = -1;
  double mean[CFB_MODEL_COUNT];
  for (int k = 0; k < CFB_MODEL_COUNT; k++) {
    mean[k] = s->ok[k] ? mean_common(e2[k], use, m) : INFINITY;
    if (s->ok[k] && (best < 0 || mean[k] < mean[best])) best = k;
  }
  int pick = best;
  for (int k = 0; k < CFB_MODEL_COUNT; k++) {
    if (!s->ok[k] || model_npar[k] >= model_npar[best]) continue;
    double sd = 0, md = mean[k] - mean[best];
    size_t n = 0;
    for (size_t i = 0; i < m; i++)
      if (use[i]) {
        double dd = e2[k][i] - e2[best][i] - md;
        sd += dd * dd, n++;
      }
    double se = n > 1 ? sqrt(sd / (double)(n - 1) / (double)n) : INFINITY;
    if (md <= se && (pick == best || mean[k] < mean[pick])) pick = k;
  }
  free(use);
  /* Amdahl is the USL with kappa = 0: the USL stands only if its kappa is
   * significantly positive (its CI excludes 0), else its peak is noise. */
  if (pick == CFB_MODEL_USL && s->ok[CFB_MODEL_AMDAHL] && !(s->fit[CFB_MODEL_USL].lo[2] > 0)) pick = CFB_MODEL_AMDAHL;
  return (cfb_model_kind)pick;
}

int cfb_models_fit(const cfb_model_point *pts, size_t m, cfb_model_set *out, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!out) return fail(err, errlen, CFB_MODEL_EINVAL, "no output");
  memset(out, 0, sizeof *out);
  data d;
  int rc = load(pts, m, model_npar[CFB_MODEL_USL] + 2, &d, err, errlen);
  if (rc) return rc;
  double *e2[CFB_MODEL_COUNT] = {0};
  int first = 0, any = 0;
  for (int k = 0; k < CFB_MODEL_COUNT; k++) {
    e2[k] = malloc(m * sizeof(double));
    char e[160];
    out->code[k] = e2[k] ? fit_loaded((cfb_model_kind)k, &d, &out->fit[k], e2[k], e, sizeof e) : CFB_MODEL_EINVAL;
    out->ok[k] = out->code[k] == 0;
    if (out->ok[k]) any = 1;
    else if (!first) {
      first = out->code[k];
      if (err && errlen) snprintf(err, errlen, "%s", e);
    }
  }
  if (any) {
    out->chosen = choose(out, e2, m);
    if (err && errlen) err[0] = '\0';
  }
  for (int k = 0; k < CFB_MODEL_COUNT; k++) free(e2[k]);
  free(d.n);
  return any ? 0 : first;
}
