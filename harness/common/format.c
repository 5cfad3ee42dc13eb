/* format.c -- figures and names for people (format.h). */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cfb_fmt_rate(double v, char *out, size_t len) {
  if (!isfinite(v)) snprintf(out, len, "n/a");
  else if (fabs(v) >= 1e9) snprintf(out, len, "%.3gG", v / 1e9);
  else if (fabs(v) >= 1e6) snprintf(out, len, "%.3gM", v / 1e6);
  else if (fabs(v) >= 1e3) snprintf(out, len, "%.3gk", v / 1e3);
  else snprintf(out, len, "%.3g", v);
}

const char *cfb_backend_plural(const char *b) {
  return !strcmp(b, "thread") ? "threads" : !strcmp(b, "process") ? "processes" : b;
}
