/* charrule.c -- the chunksize rule of `cfbench characterize` (charrule.h). */
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
