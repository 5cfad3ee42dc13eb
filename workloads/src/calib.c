/* calib.c -- calibrations measured once per process (see cfwork.h,
 * cf_wk_calibrations): a workload's speed of this machine, e.g. mixed's
 * chain steps per second, asked for by name at every prepare and measured
 * only the first time.  Once, because a sweep prepares a workload for
 * every configuration in every round: measuring each time cost the
 * default suite seconds a round, and gave the two sides of a paired
 * thread/process comparison different work per item (each side its own
 * noisy calibration).  A mutex: characterizations may prepare from more
 * than one thread. */
#include "wk.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WK_CALIB_MAX 32

static pthread_mutex_t calib_lock = PTHREAD_MUTEX_INITIALIZER;
static cf_wk_calibration calib[WK_CALIB_MAX];
static size_t ncalib;

double wk_calibrated(const char *name, double (*measure)(void *ud), void *ud) {
  pthread_mutex_lock(&calib_lock);
  for (size_t i = 0; i < ncalib; i++)
    if (!strcmp(calib[i].name, name)) {
      double v = calib[i].value;
      pthread_mutex_unlock(&calib_lock);
      return v;
    }
  /* Measured under the lock: a second thread asking for the same name
   * waits for this value instead of measuring beside it (two measurements
   * at once would each see half the machine). */
  double v = measure(ud);
  if (ncalib < WK_CALIB_MAX && v > 0) { /* a full table only measures each time */
    snprintf(calib[ncalib].name, sizeof calib[ncalib].name, "%s", name);
    calib[ncalib++].value = v;
  }
  pthread_mutex_unlock(&calib_lock);
  return v;
}

size_t cf_wk_calibrations(cf_wk_calibration *out, size_t max) {
  pthread_mutex_lock(&calib_lock);
  size_t n = ncalib;
  for (size_t i = 0; out && i < n && i < max; i++) out[i] = calib[i];
  pthread_mutex_unlock(&calib_lock);
  return n;
}

void cf_wk_calibration_reset(void) {
  pthread_mutex_lock(&calib_lock);
  ncalib = 0;
  pthread_mutex_unlock(&calib_lock);
}
