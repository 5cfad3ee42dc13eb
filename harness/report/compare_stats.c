/* compare_stats.c -- the per-configuration decision of compare.h:
 * medians, ratio, Mann-Whitney U (mwu.h) and the verdict rule. */
#include <math.h>

#include "compare.h"
#include "mwu.h"
#include "stats.h"

const char *cfb_cmp_verdict_name(cfb_cmp_verdict v) {
  switch (v) {
  case CFB_CMP_FASTER: return "faster";
  case CFB_CMP_SLOWER: return "slower";
  case CFB_CMP_FEW: return "too few samples";
  default: return "same";
  }
}

int cfb_compare_samples(const double *base, size_t nb, const double *nw, size_t nn,
                       double threshold, double alpha, cfb_cmp_result *out) {
  *out = (cfb_cmp_result){.n_base = nb, .n_new = nn, .p = 1, .ratio = NAN, .u = NAN};
  out->base_median = cfb_stats_median(base, nb);
  out->new_median = cfb_stats_median(nw, nn);
  if (nb && nn && out->base_median > 0) out->ratio = out->new_median / out->base_median;
  /* Even a complete separation of the samples gives p >= 2 / C(nb+nn, nb):
   * if that is above alpha no verdict is possible. */
  if (nb < 2 || nn < 2 || cfb_mwu_min_p(nb, nn) >= alpha) {
    out->verdict = CFB_CMP_FEW;
    if (nb && nn) {
      cfb_mwu m;
      if (cfb_mwu_test(nw, nn, base, nb, &m) != 0) return -1;
      out->u = m.u_a;
      out->p = m.p;
      out->exact = m.exact;
    }
    return 0;
  }
  cfb_mwu m;
  if (cfb_mwu_test(nw, nn, base, nb, &m) != 0) return -1;
  out->u = m.u_a;
  out->p = m.p;
  out->exact = m.exact;
  out->verdict = CFB_CMP_SAME;
  if (m.p < alpha && isfinite(out->ratio)) {
    if (out->ratio < 1 - threshold) out->verdict = CFB_CMP_SLOWER;
    else if (out->ratio > 1 + threshold) out->verdict = CFB_CMP_FASTER;
  }
  return 0;
}
