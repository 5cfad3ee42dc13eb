/* compare.h -- the decision of `cfbench compare` for one configuration:
 * Mann-Whitney U on the per-repetition throughputs of a base and a new
 * run, plus a minimum effect size on the ratio of medians.  Exposed so the
 * tests check the exact rule the CI gate applies. */
#ifndef CFB_COMPARE_H
#define CFB_COMPARE_H

#include <stddef.h>

typedef enum {
  CFB_CMP_SAME = 0,  /* no significant change beyond the threshold */
  CFB_CMP_FASTER,    /* new throughput higher: p < alpha and ratio > 1 + threshold */
  CFB_CMP_SLOWER,    /* new throughput lower: p < alpha and ratio < 1 - threshold */
  CFB_CMP_FEW        /* too few samples: even total separation could not reach alpha */
} cfb_cmp_verdict;

typedef struct cfb_cmp_result {
  size_t n_base, n_new;
  double base_median, new_median;
  double ratio; /* new / base median throughput */
  double u;     /* Mann-Whitney U of the new sample */
  double p;     /* two-sided */
  int exact;    /* exact null distribution used */
  cfb_cmp_verdict verdict;
} cfb_cmp_result;

/* Compare samples (items/s, higher is better).  threshold is a fraction
 * (0.05 = 5%).  0, or -1 when out of memory. */
int cfb_compare_samples(const double *base, size_t nb, const double *nw, size_t nn,
                       double threshold, double alpha, cfb_cmp_result *out);

/* "same", "faster", "slower", "too few samples". */
const char *cfb_cmp_verdict_name(cfb_cmp_verdict v);

#endif
