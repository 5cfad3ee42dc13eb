/* format.h -- how figures and names are written for people, the same in
 * the console, the plots and the report. */
#ifndef CFB_FORMAT_H
#define CFB_FORMAT_H

#include <stddef.h>

/* A rate, 3 significant digits with a k/M/G suffix: 12300 -> "12.3k",
 * 0.5 -> "0.5"; "n/a" when not finite. */
void cfb_fmt_rate(double v, char *out, size_t len);

/* "threads" / "processes" for a backend name (others unchanged). */
const char *cfb_backend_plural(const char *backend);

#endif
