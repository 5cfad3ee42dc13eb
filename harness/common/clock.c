/* clock.c -- monotonic seconds (clock.h). */
#define _GNU_SOURCE
#include "clock.h"

#include <time.h>

double cfb_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
