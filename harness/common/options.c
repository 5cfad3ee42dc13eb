/* options.c -- the table-driven option parser of options.h. */
#include "options.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

int cfb_fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return 2;
}

int cfb_options_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
  return 0;
}

static const cfb_option *find(const cfb_option *opts, const char *name) {
  for (; opts->name; opts++)
    if (!strcmp(opts->name, name)) return opts;
  return NULL;
}

int cfb_options_parse(const cfb_optspec *spec, int argc, char **argv, void *ctx, char *err,
                      size_t errlen) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || !a[2]) {
      if (spec->positional) {
        int rc = spec->positional(ctx, a, err, errlen);
        if (rc) return rc;
        continue;
      }
      return cfb_fail(err, errlen, "unexpected argument '%s'; options start with -- (cfbench %s --help)", a,
                      spec->cmd);
    }
    char name[64];
    const char *val = NULL, *eq = strchr(a, '=');
    if (eq) {
      snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
      val = eq + 1;
    } else {
      snprintf(name, sizeof name, "%s", a);
    }
    const cfb_option *o = find(spec->opts, name);
    if (!o)
      return cfb_fail(err, errlen, "unknown option '%s'; see cfbench %s --help", name, spec->cmd);
    if (o->takes_value == CFB_OPT_OPTIONAL) {
      /* val as given: NULL for the bare flag */
    } else if (!o->takes_value) {
      if (val) return cfb_fail(err, errlen, "%s: takes no value", name);
    } else if (!val) {
      if (i + 1 >= argc) return cfb_fail(err, errlen, "%s: missing value", name);
      val = argv[++i];
    }
    int rc = spec->check ? spec->check(ctx, o, err, errlen) : 0;
    if (!rc) rc = o->set(ctx, o, val, err, errlen);
    if (rc) return rc;
  }
  return 0;
}

int cfb_parse_fraction(const char *s, double *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || !isfinite(v) || v < 0) return -1;
  if (*end == '%') {
    v /= 100;
    end++;
  } else if (v >= 1) {
    v /= 100;
  }
  if (*end) return -1;
  *out = v;
  return 0;
}
