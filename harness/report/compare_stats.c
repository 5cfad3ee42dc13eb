/* compare_stats.c -- the per-configuration decision of compare.h:
 * medians, ratio, Mann-Whitney U (mwu.h) and the verdict rule. */
#include <math.h>

#include "compare.h"
#include "mwu.h"
#include "stats.h"

const char *cf_cmp_verdict_name(cf_cmp_verdict v) {
  switch (v) {
  case CF_CMP_FASTER: return "faster";
  case CF_CMP_SLOWER: return "slower";
  case CF_CMP_FEW: return "too few samples";
  default: return "same";
  }
}

int cf_compare_samples(const double *base, size_t nb, const double *nw, size_t nn,
                       double threshold, double alpha, cf_cmp_result *out) {
  *out = (cf_cmp_result){.n_base = nb, .n_new = nn, .p = 1, .ratio = NAN, .u = NAN};
  out->base_median = cf_stats_median(base, nb);
  out->new_median = cf_stats_median(nw, nn);
  if (nb && nn && out->base_median > 0) out->ratio = out->new_median / out->base_median;
  /* Even a complete separation of the samples gives p >= 2 / C(nb+nn, nb):
   * if that is above alpha no verdict is possible. */
  if (nb < 2 || nn < 2 || cf_mwu_min_p(nb, nn) >= alpha) {
    out->verdict = CF_CMP_FEW;
    if (nb && nn) {
      cf_mwu m;
      if (cf_mwu_test(nw, nn, base, nb, &m) != 0) return -1;
      out->u = m.u_a;
      out->p = m.p;
      out->exact = m.exact;
    }
    return 0;
  }
  cf_mwu m;
  if (cf_mwu_test(nw, nn, base, nb, &m) != 0) return -1;
  out->u = m.u_a;
  out->p = m.p;
  out->exact = m.exact;
  out->verdict = CF_CMP_SAME;
  if (m.p < alpha && isfinite(out->ratio)) {
    if (out->ratio < 1 - threshold) out->verdict = CF_CMP_SLOWER;
    else if (out->ratio > 1 + threshold) out->verdict = CF_CMP_FASTER;
  }
  return 0;
}
