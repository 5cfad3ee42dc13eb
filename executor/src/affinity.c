/* affinity.c -- pinning workers to processing units.  Not built yet: any
 * policy other than CF_PIN_NONE returns CF_ENOSYS. */
#include "internal.h"

int cf__pin_validate(const cf_config *cfg) {
  return cfg->pin == CF_PIN_NONE ? 0 : CF_ENOSYS;
}

int cf__pin_self_thread(const cf_config *cfg, int worker) {
  (void)worker;
  return cfg->pin == CF_PIN_NONE ? 0 : CF_ENOSYS;
}
