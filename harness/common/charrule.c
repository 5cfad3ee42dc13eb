/* charrule.c -- the rules both halves of `cfbench characterize` share
 * (charrule.h): the on-CPU fraction, the chunksize and the repetition's
 * size. */
#include "charrule.h"

#include <math.h>

void cfb_char_overhead_split(double us1, double usbig, double cbig, double *per_msg_us,
                             double *per_item_us) {
  /* us1 = m + i, usbig = m / cbig + i: two equations, two unknowns.  Noise
   * can make usbig > us1 (chunking bought nothing): all per item then. */
  double m = cbig > 1 && isfinite(us1) && isfinite(usbig) ? (us1 - usbig) * cbig / (cbig - 1) : 0;
  if (!(m > 0)) m = 0;
  if (m > us1) m = us1;
  double i = isfinite(us1) ? us1 - m : NAN;
  *per_msg_us = m;
  *per_item_us = i;
}

size_t cfb_char_chunksize(double per_msg_us, double per_item_us, double item_us) {
  if (!isfinite(per_msg_us) || !isfinite(per_item_us) || !(item_us > 0)) return 1;
  double budget = CFB_CHAR_OVERHEAD_SHARE * item_us - per_item_us;
  if (budget <= 0) return CFB_CHAR_CHUNK_MAX;
  double c = ceil(per_msg_us / budget - 1e-9);
  if (c < 1) c = 1;
  return c > CFB_CHAR_CHUNK_MAX ? CFB_CHAR_CHUNK_MAX : (size_t)c;
}

double cfb_char_cpu_fraction(double wall_s, double cpu_s, double rq_wait_s, double vcsw, size_t items) {
  if (!items || !(cpu_s >= 0) || !(wall_s > 0)) return NAN;
  if (vcsw / (double)items < CFB_CHAR_NEVER_BLOCKS_VCSW) return cpu_s > 0 ? 1 : NAN;
  /* the fraction of the item's own time: a wait for a CPU that other load
   * held is the machine's, not the workload's */
  double own = wall_s - (isfinite(rq_wait_s) ? rq_wait_s : 0);
  if (own < cpu_s) own = cpu_s; /* children's CPU can overlap the wait */
  return own > 0 ? cpu_s / own : NAN;
}

size_t cfb_char_rep_items(double rate, double rep_s, int workers, size_t *chunk) {
  double w = workers > 0 ? workers : 1, lo = CFB_CHAR_REP_CHUNKS * w;
  double n = rate > 0 && isfinite(rate) && rep_s > 0 ? rate * rep_s : lo;
  if (n < lo) n = lo;
  if (n > CFB_CHAR_REP_MAX_ITEMS) n = CFB_CHAR_REP_MAX_ITEMS;
  size_t items = (size_t)ceil(n), fit = (size_t)(n / lo); /* the largest chunk every worker gets twice */
  if (*chunk > fit) *chunk = fit > 1 ? fit : 1;
  if (*chunk < 1) *chunk = 1;
  return items;
}
