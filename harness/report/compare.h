/* compare.h -- the decision of `cfbench compare` for one configuration:
 * Mann-Whitney U on the per-repetition throughputs of a base and a new
 * run, plus a minimum effect size on the ratio of medians.  Exposed so the
 * tests check the exact rule the CI gate applies. */
#ifndef CF_HARNESS_COMPARE_H
#define CF_HARNESS_COMPARE_H

#include <stddef.h>

typedef enum {
  CF_CMP_SAME = 0,  /* no significant change beyond the threshold */
  CF_CMP_FASTER,    /* new throughput higher: p < alpha and ratio > 1 + threshold */
  CF_CMP_SLOWER,    /* new throughput lower: p < alpha and ratio < 1 - threshold */
  CF_CMP_FEW        /* too few samples: even total separation could not reach alpha */
} cf_cmp_verdict;

typedef struct cf_cmp_result {
  size_t n_base, n_new;
  double base_median, new_median;
  double ratio; /* new / base median throughput */
  double u;     /* Mann-Whitney U of the new sample */
  double p;     /* two-sided */
  int exact;    /* exact null distribution used */
  cf_cmp_verdict verdict;
} cf_cmp_result;

/* Compare samples (items/s, higher is better).  threshold is a fraction
 * (0.05 = 5%).  0, or -1 when out of memory. */
int cf_compare_samples(const double *base, size_t nb, const double *nw, size_t nn,
                       double threshold, double alpha, cf_cmp_result *out);

/* "same", "faster", "slower", "too few samples". */
const char *cf_cmp_verdict_name(cf_cmp_verdict v);

#endif
