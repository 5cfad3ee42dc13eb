/* params.c -- parsing and validation of workload parameters, shared by all
 * workloads: "key=value" strings with units (durations ns/us/ms/s, sizes
 * B/KiB/MiB/GiB), booleans, choices; range checks with messages that name
 * the parameter and the allowed range; the canonical parameter string. */
#include "wk.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int wk_fail(const cf_wk_run *r, char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    int n = snprintf(err, errlen, "workload %s: ", r->def->pub.name);
    if (n >= 0 && (size_t)n < errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return code;
}

static int param_index(const cf_wk_run *r, const char *name, size_t len) {
  const cf_workload *w = &r->def->pub;
  for (size_t i = 0; i < w->nparams; i++)
    if (strlen(w->params[i].name) == len && strncmp(w->params[i].name, name, len) == 0) return (int)i;
  return -1;
}

static int index_of(const cf_wk_run *r, const char *name) {
  int i = param_index(r, name, strlen(name));
  if (i < 0) {
    fprintf(stderr, "workload %s: internal: no parameter %s\n", r->def->pub.name, name);
    abort();
  }
  return i;
}

double wk_num(const cf_wk_run *r, const char *name) { return r->num[index_of(r, name)]; }
/* A WK_INT's exact value: its canonical text holds every digit (see
 * parse_int_digits), the double in num may not. */
long long wk_int(const cf_wk_run *r, const char *name) { return strtoll(r->str[index_of(r, name)], NULL, 10); }
const char *wk_str(const cf_wk_run *r, const char *name) { return r->str[index_of(r, name)]; }
int wk_given(const cf_wk_run *r, const char *name) { return r->given[index_of(r, name)]; }

/* A unit: how many of the smallest unit it holds, and its name. */
typedef struct unit_def {
  double f;
  const char *u;
} unit_def;

/* The units a value is written in, largest first, the last of 1: a
 * duration's in ns, a size's in bytes. */
static const unit_def dur_units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}};
static const unit_def size_units[] = {{1073741824.0, "GiB"}, {1048576.0, "MiB"}, {1024.0, "KiB"}, {1, "B"}};
#define NUNITS 4
_Static_assert(sizeof dur_units / sizeof *dur_units == NUNITS &&
                   sizeof size_units / sizeof *size_units == NUNITS,
               "fmt_units walks NUNITS units");

/* `whole` smallest units in the largest unit that shows it exactly; zero
 * in zero_unit. */
static void fmt_units(char *buf, size_t len, double whole, const unit_def *u, const char *zero_unit,
                      const char *sep) {
  if (whole == 0) {
    snprintf(buf, len, "0%s%s", sep, zero_unit);
    return;
  }
  size_t i = 0;
  while (i + 1 < NUNITS && fmod(whole, u[i].f) != 0) i++;
  snprintf(buf, len, "%.15g%s%s", whole / u[i].f, sep, u[i].u);
}

/* Format a value in base units with the unit that shows it exactly. */
void wk_fmt_value(char *buf, size_t len, wk_type t, double v, const char *sep) {
  if (t == WK_DUR) fmt_units(buf, len, nearbyint(v * 1e9), dur_units, "s", sep);
  else if (t == WK_SIZE) fmt_units(buf, len, nearbyint(v), size_units, "B", sep);
  else snprintf(buf, len, "%.15g", v);
}

static int choice_index(const char *choices, const char *v) {
  int idx = 0;
  size_t vl = strlen(v);
  for (const char *p = choices; *p; idx++) {
    const char *e = strchr(p, '|');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (l == vl && strncmp(p, v, l) == 0) return idx;
    if (!e) break;
    p = e + 1;
  }
  return -1;
}

/* *canon = a copy of s; CF_ENOMEM when there is no memory for it. */
static int set_canon(char **canon, const char *s) {
  *canon = strdup(s);
  return *canon ? 0 : CF_ENOMEM;
}

/* A WK_BOOL: on/1/true/yes or off/0/false/no in any case, canonical on/off. */
static int parse_bool(const cf_wk_run *r, const cf_wk_param *p, const char *v, double *num, char **canon,
                      char *err, size_t errlen) {
  static const char *yes[] = {"on", "1", "true", "yes"}, *no[] = {"off", "0", "false", "no"};
  for (int i = 0; i < 4; i++) {
    if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
      *num = strcasecmp(v, yes[i]) == 0;
      return set_canon(canon, *num ? "on" : "off");
    }
  }
  return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: must be on or off", p->name, v);
}

/* A WK_ENUM: one of the spec's choices; *num is its index. */
static int parse_enum(const cf_wk_run *r, const cf_wk_param *p, const wk_pspec *s, const char *v,
                      double *num, char **canon, char *err, size_t errlen) {
  int i = choice_index(s->choices, v);
  if (i < 0) {
    char list[128];
    snprintf(list, sizeof list, "%s", s->choices);
    for (char *c = list; *c; c++)
      if (*c == '|') *c = '/';
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: must be one of %s", p->name, v, list);
  }
  *num = i;
  return set_canon(canon, v);
}

/* Seconds per unit of a duration (0 when the unit is unknown); a bare
 * number counts in the spec's bare unit, or is 0 (which needs none). */
static double dur_factor(const wk_pspec *s, const char *unit, double x) {
  if (!*unit) return s->bare > 0 ? s->bare : x == 0 ? 1 : 0;
  for (size_t i = 0; i < NUNITS; i++)
    /* a quotient of exact integers: the very double the literal 1e-3 is */
    if (strcmp(unit, dur_units[i].u) == 0) return dur_units[i].f / 1e9;
  return 0;
}

/* Bytes per unit of a size, any case (0 when the unit is unknown). */
static double size_factor(const char *unit) {
  static const struct { const char *u; double f; } u[] = {
      {"", 1}, {"B", 1}, {"K", 1024}, {"KB", 1024}, {"KiB", 1024}, {"M", 1048576},
      {"MB", 1048576}, {"MiB", 1048576}, {"G", 1073741824.0}, {"GB", 1073741824.0},
      {"GiB", 1073741824.0}};
  for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
    if (strcasecmp(unit, u[i].u) == 0) return u[i].f;
  return 0;
}

/* *f = base units per `unit` (what follows the number v's value x). */
static int unit_factor(const cf_wk_run *r, const cf_wk_param *p, const wk_pspec *s, const char *v,
                       const char *unit, double x, double *f, char *err, size_t errlen) {
  *f = 1; /* the compiler cannot see that wk_fail never returns 0 */
  if (s->type == WK_DUR) {
    if ((*f = dur_factor(s, unit, x)) == 0)
      return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: %s unit%s%s%s (use ns, us, ms or s)",
                     p->name, v, *unit ? "bad" : "missing", *unit ? " '" : "", unit, *unit ? "'" : "");
  } else if (s->type == WK_SIZE) {
    if ((*f = size_factor(unit)) == 0)
      return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: bad unit '%s' (use B, KiB, MiB or GiB)",
                     p->name, v, unit);
  } else if (*unit) {
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: bad unit '%s' (a plain number is expected)",
                   p->name, v, unit);
  }
  return 0;
}

/* v is outside p's [min, max]: the error, the bounds in s's unit. */
static int range_error(const cf_wk_run *r, const cf_wk_param *p, const wk_pspec *s, const char *v, char *err,
                       size_t errlen) {
  char lo[40], hi[40];
  wk_fmt_value(lo, sizeof lo, s->type, p->min, " ");
  wk_fmt_value(hi, sizeof hi, s->type, p->max, " ");
  return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s out of range [%s, %s]", p->name, v, lo, hi);
}

/* x (in base units) is whole where the type needs it, and in [min, max]. */
static int check_number(const cf_wk_run *r, const cf_wk_param *p, const wk_pspec *s, const char *v,
                        double x, char *err, size_t errlen) {
  if (s->type == WK_INT && x != floor(x))
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: not an integer", p->name, v);
  if (s->type == WK_SIZE && x != floor(x))
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: not a whole number of bytes", p->name, v);
  if (x < p->min || x > p->max) return range_error(r, p, s, v, err, errlen);
  return 0;
}

#define EXACT_MAX 9007199254740992.0 /* 2^53: every integer up to it is a double */

/* A WK_INT written in digits (an optional sign, then only digits and
 * blanks): read exactly, not through a double, which keeps 15-17 digits:
 * primes' start=1000000000000001 and ...003 were one configuration, and
 * start=123456789012345679 began at ...681.  The range check and the
 * canonical text use the exact value.  1: not digits (parse_number goes
 * on), 0 or an error: done. */
static int parse_int_digits(const cf_wk_run *r, const cf_wk_param *p, const wk_pspec *s, const char *v, double *num,
                            char **canon, char *err, size_t errlen) {
  const char *q = v + (*v == '-' || *v == '+');
  if (!isdigit((unsigned char)*q)) return 1;
  while (isdigit((unsigned char)*q)) q++;
  while (isspace((unsigned char)*q)) q++;
  if (*q) return 1;
  errno = 0;
  char *end;
  long long x = strtoll(v, &end, 10);
  /* min and max are whole doubles well inside long long: exact as one */
  if (errno == ERANGE || x < (long long)p->min || x > (long long)p->max) return range_error(r, p, s, v, err, errlen);
  *num = (double)x;
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", x);
  return set_canon(canon, buf);
}

/* A number with its unit (WK_NUM, WK_INT, WK_DUR, WK_SIZE), in base units,
 * canonical in the unit that shows it exactly. */
static int parse_number(const cf_wk_run *r, const cf_wk_param *p, const wk_pspec *s, const char *v,
                        double *num, char **canon, char *err, size_t errlen) {
  char *end = NULL;
  while (isspace((unsigned char)*v)) v++;
  if (s->type == WK_INT) {
    int rc = parse_int_digits(r, p, s, v, num, canon, err, errlen);
    if (rc <= 0) return rc;
  }
  double x = strtod(v, &end), f;
  if (end == v || !isfinite(x))
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: not a number", p->name, v);
  while (isspace((unsigned char)*end)) end++;
  int rc = unit_factor(r, p, s, v, end, x, &f, err, errlen);
  if (rc) return rc;
  x *= f;
  if ((rc = check_number(r, p, s, v, x, err, errlen))) return rc;
  if (s->type == WK_INT && fabs(x) > EXACT_MAX) /* 1.5e17: which integer it names is the double's guess */
    return wk_fail(r, err, errlen, CF_EINVAL, "parameter %s=%s: write an integer past 2^53 in digits", p->name, v);
  *num = x;
  char buf[96];
  wk_fmt_value(buf, sizeof buf, s->type, x, "");
  return set_canon(canon, buf);
}

/* Parse one value; on success *num and canon (malloc'd) are set. */
static int parse_value(const cf_wk_run *r, size_t pi, const char *v, double *num, char **canon,
                       char *err, size_t errlen) {
  const cf_wk_param *p = &r->def->pub.params[pi];
  const wk_pspec *s = &r->def->specs[pi];
  switch (s->type) {
  case WK_BOOL:
    return parse_bool(r, p, v, num, canon, err, errlen);
  case WK_ENUM:
    return parse_enum(r, p, s, v, num, canon, err, errlen);
  case WK_STR:
    *num = 0;
    return set_canon(canon, v);
  default:
    return parse_number(r, p, s, v, num, canon, err, errlen);
  }
}

static int set_param(cf_wk_run *r, size_t pi, const char *v, char *err, size_t errlen) {
  double x = 0; /* parse_value sets it when it returns 0, but through wk_fail the compiler cannot tell */
  char *c = NULL;
  int rc = parse_value(r, pi, v, &x, &c, err, errlen);
  if (rc) return rc;
  free(r->str[pi]);
  r->str[pi] = c;
  r->num[pi] = x;
  return 0;
}

void wk_params_release(cf_wk_run *r) {
  size_t np = r->def->pub.nparams;
  if (r->str)
    for (size_t i = 0; i < np; i++) free(r->str[i]);
  free(r->str);
  free(r->num);
  free(r->given);
  free(r->canon);
  r->str = NULL;
  r->num = NULL;
  r->given = NULL;
  r->canon = NULL;
}

int wk_params_parse(cf_wk_run *r, const char *const *kv, size_t nkv, char *err, size_t errlen) {
  const cf_workload *w = &r->def->pub;
  size_t np = w->nparams;
  r->num = calloc(np ? np : 1, sizeof *r->num);
  r->str = calloc(np ? np : 1, sizeof *r->str);
  r->given = calloc(np ? np : 1, 1);
  if (!r->num || !r->str || !r->given) return CF_ENOMEM;
  for (size_t i = 0; i < np; i++) {
    int rc = set_param(r, i, w->params[i].def, err, errlen);
    if (rc) return rc; /* a bad default is a bug, but say so */
  }
  for (size_t k = 0; k < nkv; k++) {
    const char *s = kv[k];
    const char *eq = s ? strchr(s, '=') : NULL;
    if (!eq)
      return wk_fail(r, err, errlen, CF_EINVAL, "parameter '%s' is not key=value", s ? s : "(null)");
    int pi = param_index(r, s, (size_t)(eq - s));
    if (pi < 0) {
      char known[256] = "";
      size_t pos = 0;
      for (size_t i = 0; i < np && pos < sizeof known; i++) {
        int n = snprintf(known + pos, sizeof known - pos, "%s%s", i ? ", " : "", w->params[i].name);
        if (n > 0) pos += (size_t)n;
      }
      return wk_fail(r, err, errlen, CF_EINVAL, "unknown parameter '%.*s' (known: %s)", (int)(eq - s), s,
                     np ? known : "none");
    }
    int rc = set_param(r, (size_t)pi, eq + 1, err, errlen);
    if (rc) return rc;
    r->given[pi] = 1;
  }
  const char *keys[64], *vals[64];
  if (np > 64) return wk_fail(r, err, errlen, CF_EINVAL, "more than 64 parameters");
  for (size_t i = 0; i < np; i++) keys[i] = w->params[i].name, vals[i] = r->str[i];
  r->canon = cf_wk_params_format(keys, vals, np);
  return r->canon ? 0 : CF_ENOMEM;
}
