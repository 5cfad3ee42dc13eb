/* paired_gate.c -- the regression gate of paired.h: slower / faster /
 * unchanged for `cfbench ab` (paired rounds, the ratio's interval) and for
 * `compare` of two separate runs (Mann-Whitney U, with a noise floor from
 * each run's own round-to-round spread). */
#include <math.h>
#include <stdlib.h>

#include "mwu.h"
#include "paired.h"
#include "stats.h"

const char *cfb_gate_verdict_name(cfb_gate_verdict v) {
  switch (v) {
  case CFB_GATE_SLOWER: return "slower";
  case CFB_GATE_FASTER: return "faster";
  case CFB_GATE_FEW: return "too few rounds";
  default: return "unchanged";
  }
}

static int bad_opts(const cfb_gate_opts *o) {
  return o && (o->threshold < 0 || o->threshold >= 1 || o->noise_floor < 0 ||
               o->noise_floor >= 1 || o->alpha < 0 || o->alpha >= 1 || o->floor_k < 0 ||
               o->family < 0);
}

/* Significant (sig < 0: lower, > 0: higher) and beyond the threshold. */
static cfb_gate_verdict judge(int sig, double ratio, double thr) {
  if (sig < 0 && ratio < 1 - thr) return CFB_GATE_SLOWER;
  if (sig > 0 && ratio > 1 + thr) return CFB_GATE_FASTER;
  return CFB_GATE_UNCHANGED;
}

int cfb_gate_paired(const cfb_seq_plan *p, const double *base, const double *nw, size_t n,
                    const cfb_gate_opts *o, cfb_gate *out) {
  *out = (cfb_gate){.ratio = NAN, .ci_lo = NAN, .ci_hi = NAN, .p = NAN, .floor = 0,
                    .threshold = NAN, .verdict = CFB_GATE_FEW};
  if (bad_opts(o)) return CFB_PAIRED_EINVAL;
  double thr = o && o->threshold > 0 ? o->threshold : CFB_GATE_THRESHOLD;
  out->floor = o ? o->noise_floor : 0;
  out->threshold = thr > out->floor ? thr : out->floor;
  cfb_paired r;
  double div = o && o->family > 1 ? o->family : 1;
  /* a = NEW: ratio = new / base */
  int rc = cfb_paired_analyze(nw, base, n, 1 - cfb_seq_alpha(p, n) / div, NULL, &r);
  if (rc != 0) return rc;
  out->n_base = out->n_new = r.n;
  out->ratio = r.ratio;
  out->ci_lo = r.ci_lo;
  out->ci_hi = r.ci_hi;
  if (r.n < 2 || !r.achievable) return 0;
  int sig = r.ci_hi < 1 ? -1 : r.ci_lo > 1 ? 1 : 0;
  out->verdict = judge(sig, r.ratio, out->threshold);
  out->resolved = out->verdict != CFB_GATE_UNCHANGED ||
                  (r.ci_lo > 1 - out->threshold && r.ci_hi < 1 + out->threshold);
  return 0;
}

double cfb_log_spread(const double *x, size_t n) {
  double *l = malloc((n ? n : 1) * sizeof *l);
  if (!l) return NAN;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(x[i]) && x[i] > 0) l[k++] = log(x[i]);
  /* 1.4826 * MAD estimates the standard deviation of normal data; the
   * MAD ignores the odd preempted round, as the medians compared do. */
  double s = k >= 2 ? 1.4826 * cfb_stats_mad(l, k) : NAN;
  free(l);
  return s;
}

int cfb_gate_unpaired(const double *base, size_t nb, const double *nw, size_t nn,
                      const cfb_gate_opts *o, cfb_gate *out) {
  *out = (cfb_gate){.n_base = nb, .n_new = nn, .ratio = NAN, .ci_lo = NAN, .ci_hi = NAN,
                    .p = 1, .floor = NAN, .threshold = NAN, .verdict = CFB_GATE_FEW};
  if (bad_opts(o)) return CFB_PAIRED_EINVAL;
  double thr = o && o->threshold > 0 ? o->threshold : CFB_GATE_THRESHOLD;
  double alpha = o && o->alpha > 0 ? o->alpha : 0.01;
  double k = o && o->floor_k > 0 ? o->floor_k : CFB_GATE_FLOOR_K;
  double mb = cfb_stats_median(base, nb), mn = cfb_stats_median(nw, nn);
  if (nb && nn && mb > 0) out->ratio = mn / mb;
  double sb = cfb_log_spread(base, nb), sn = cfb_log_spread(nw, nn);
  /* Two separate runs see the machine at different moments: a level
   * shift between them as large as the rounds' own scatter is ordinary,
   * so a run that scattered widens its threshold.  In log units, turned
   * back into a fraction. */
  out->floor = isnan(sb) || isnan(sn) ? 0 : expm1(k * sqrt(sb * sb + sn * sn));
  out->threshold = thr > out->floor ? thr : out->floor;
  out->resolved = out->floor <= thr;
  if (nb < 2 || nn < 2 || cfb_mwu_min_p(nb, nn) >= alpha) return 0;
  cfb_mwu m;
  if (cfb_mwu_test(nw, nn, base, nb, &m) != 0) return CFB_PAIRED_ENOMEM;
  out->p = m.p;
  int sig = m.p < alpha ? (out->ratio < 1 ? -1 : 1) : 0;
  out->verdict = isfinite(out->ratio) ? judge(sig, out->ratio, out->threshold) : CFB_GATE_UNCHANGED;
  return 0;
}
