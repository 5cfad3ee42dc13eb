/* models.h -- scaling models of throughput against workers, fitted by
 * nonlinear least squares (cminpack's Levenberg-Marquardt, lmder):
 *
 *   usl         X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))
 *   amdahl      X(N) = lambda N / (1 + sigma (N-1))
 *   bottleneck  X(N) = min(lambda N, xmax)      (operational analysis' bound)
 *
 * Each fit gives its parameters with 95% confidence intervals, its error on
 * points left out of the fit (leave-one-out), the peak or saturation point,
 * and predicts X at any N (beyond the measured N = extrapolation).
 * cfb_models_fit fits all three and chooses one by held-out error.
 *
 * Pure functions on arrays; no global state; links only cminpack and libm
 * (the report half of cfbench).  Errors are negative CFB_MODEL_E* codes with
 * a one-line message in `err`. */
#ifndef CFB_MODELS_H
#define CFB_MODELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CFB_MODEL_USL = 0,
  CFB_MODEL_AMDAHL,
  CFB_MODEL_BOTTLENECK,
  CFB_MODEL_COUNT
} cfb_model_kind;

/* Error codes (negative; 0 is success). */
enum {
  CFB_MODEL_EINVAL = -1,   /* NULL argument, unknown model */
  CFB_MODEL_ETOOFEW = -2,  /* fewer points (or distinct N) than the model needs */
  CFB_MODEL_ENAN = -3,     /* a NaN/Inf, N < 1, or throughput <= 0 in the data */
  CFB_MODEL_EFLAT = -4,    /* throughput identical at every N: nothing to fit */
  CFB_MODEL_ENOFIT = -5    /* the solver did not converge */
};

/* "invalid argument", "too few points", ... */
const char *cfb_model_strerror(int code);

/* "usl", "amdahl", "bottleneck". */
const char *cfb_model_name(cfb_model_kind k);
/* Number of parameters (3, 2, 2) and their names in order:
 * usl: lambda sigma kappa; amdahl: lambda sigma; bottleneck: lambda xmax. */
size_t cfb_model_nparams(cfb_model_kind k);
const char *cfb_model_param_name(cfb_model_kind k, size_t i);

/* One measured point: throughput x (items/s) at n workers, with its 95% CI
 * [lo, hi] (both NAN when not known).  Points with a CI are weighted by
 * 1/sd^2, sd = (hi-lo)/3.92; points without one take the median sd of the
 * others (unweighted fit when none has a CI). */
typedef struct cfb_model_point {
  double n, x, lo, hi;
} cfb_model_point;

#define CFB_MODEL_MAXPAR 3

/* A fitted model. */
typedef struct cfb_model_fit {
  cfb_model_kind kind;
  size_t npar;
  double par[CFB_MODEL_MAXPAR];     /* estimates, names from cfb_model_param_name */
  double lo[CFB_MODEL_MAXPAR];      /* 95% CI: estimate -/+ t(0.975, m-p) x sqrt(cov_ii) */
  double hi[CFB_MODEL_MAXPAR];      /*   (NAN where not identified, e.g. xmax unsaturated) */
  double rss;                       /* weighted residual sum of squares */
  double heldout_rmse;              /* leave-one-out RMS of (x - pred) / sd (NAN if not computed) */
  double heldout_rel;               /* leave-one-out RMS of (x - pred) / x, e.g. 0.03 = 3% */
  double n_peak;    /* usl: sqrt((1-sigma)/kappa); bottleneck: xmax/lambda; NAN when none */
  double x_max;     /* usl: X(n_peak); amdahl: lambda/sigma (asymptote); bottleneck: xmax;
                       NAN when unbounded or not reached within the data */
  int saturated;    /* bottleneck: 1 if some measured N is past xmax/lambda */
  double n_min, n_max;              /* the measured range: outside it is extrapolation */
} cfb_model_fit;

/* Fit model k to m points (any order).  Needs m >= npar + 2 points over at
 * least npar + 1 distinct N.  Fills out (also heldout_* by leave-one-out). */
int cfb_model_fit_one(cfb_model_kind k, const cfb_model_point *pts, size_t m, cfb_model_fit *out,
                      char *err, size_t errlen);

/* X(n) of a fit (NAN for n <= 0). */
double cfb_model_predict(const cfb_model_fit *f, double n);

/* All three fits and the choice.  The choice: the model with the least
 * mean held-out squared weighted error, except that a model with fewer
 * parameters is preferred when its error is within one standard error (of
 * the per-point differences) of the best: the one-standard-error rule, so
 * the USL's extra parameter must earn its place; and the USL is taken
 * only if the CI of its kappa excludes 0 (else Amdahl, its kappa = 0 case,
 * is).  A model that could not
 * be fitted has ok[k] = 0 (its code in code[k]).  Fails only when no model
 * could be fitted (the first model's error). */
typedef struct cfb_model_set {
  cfb_model_fit fit[CFB_MODEL_COUNT];
  int ok[CFB_MODEL_COUNT];
  int code[CFB_MODEL_COUNT];
  cfb_model_kind chosen;
} cfb_model_set;

int cfb_models_fit(const cfb_model_point *pts, size_t m, cfb_model_set *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* CFB_MODELS_H */
