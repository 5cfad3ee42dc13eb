/* history_cli.c -- options of `cfbench history` (history_cli.h), one
 * table: each option's name, whether it takes a value, and the verbs it
 * applies to. */
#include "history_cli.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_report.h"
#include "history_store.h"
#include "options.h"

typedef struct opt {
  const char *name;
  const char *verbs; /* space-separated, "*" = all */
  /* Change-point detection's options that `cfbench report --history-db`
   * takes too, as --history-NAME (cfb_hist_report_option): one meaning,
   * one value syntax (set_value) and one default (defaults) for both. */
  int report;
  const char *values; /* the allowed values, for messages */
} opt;

static const opt options[] = {
    {"--db", "*", 0, "a SQLite file or postgresql://..."},
    {"--metric", "show plot detect check", 1, "wall or cpu"},
    {"--config", "plot detect check", 0, "a configuration name or part of one"},
    {"--out", "plot", 0, "a directory"},
    {"--format", "detect check", 0, "text, md or json"},
    {"--threshold", "check", 0, "a fraction: 5%, 5 or 0.05"},
    {"--last", "check", 0, "a count >= 1"},
    {"--alpha", "show plot detect check", 1, "a number between 0 and 1"},
    {"--permutations", "show plot detect check", 0, "a count >= 1"},
    {"--min-size", "show plot detect check", 0, "a count >= 2"},
    {"--revision", "add", 0, "a revision"},
    {"--commit-time", "add", 0, "an ISO 8601 time such as 2026-12-01T18:52:30+00:00, git's %cI"},
    {"--ignore-param", "add", 0, "a comma-separated list of parameters"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

/* The names for introspect.c (man page, completion), as a cfb_option
 * table built once from options[]: every history option takes a value. */
const cfb_option *cfb_history_option_table(void) {
  static cfb_option tab[NOPTIONS + 1];
  for (size_t k = 0; k < NOPTIONS; k++) tab[k] = (cfb_option){options[k].name, 1, NULL, 0};
  return tab;
}

static int applies(const opt *p, const char *verb) {
  if (!strcmp(p->verbs, "*")) return 1;
  size_t n = strlen(verb);
  for (const char *s = p->verbs; (s = strstr(s, verb)); s += n)
    if ((s == p->verbs || s[-1] == ' ') && (s[n] == ' ' || !s[n])) return 1;
  return 0;
}

/* "5%", "5", "0.05" -> 0.05 (a bare number >= 1 is percent). */
static int fraction(const char *s, double *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || !isfinite(v) || v < 0) return -1;
  if (*end == '%') v /= 100, end++;
  else if (v >= 1) v /= 100;
  if (*end) return -1;
  *out = v;
  return 0;
}

static int count(const char *s, size_t lo, size_t *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < (long)lo) return -1;
  *out = (size_t)v;
  return 0;
}

/* n digits at *s, advanced past them: 1, else 0. */
static int digits(const char **s, int n) {
  for (int i = 0; i < n; i++)
    if (!isdigit((unsigned char)(*s)[i])) return 0;
  *s += n;
  return 1;
}

/* An ISO 8601 time as git's %cI writes it: YYYY-MM-DD, optionally
 * Thh:mm[:ss[.frac]] and Z or +hh:mm / -hhmm.  0 or -1.  History orders
 * runs by this text, so anything else would sort them wrongly, silently. */
static int iso_time(const char *s) {
  if (!digits(&s, 4) || *s++ != '-' || !digits(&s, 2) || *s++ != '-' || !digits(&s, 2)) return -1;
  if (!*s) return 0;
  if ((*s != 'T' && *s != ' ') || (s++, !digits(&s, 2)) || *s++ != ':' || !digits(&s, 2)) return -1;
  if (*s == ':' && (s++, !digits(&s, 2))) return -1;
  if (*s == '.' && (s++, !digits(&s, 1))) return -1;
  while (isdigit((unsigned char)*s)) s++;
  if (*s == 'Z') s++;
  else if (*s == '+' || *s == '-') {
    s++;
    if (!digits(&s, 2)) return -1;
    if (*s == ':') s++;
    if (!digits(&s, 2)) return -1;
  }
  return *s ? -1 : 0;
}

static int set_value(cfb_hist_cli *o, const char *name, const char *v) {
  if (!strcmp(name, "--db")) o->db = v;
  else if (!strcmp(name, "--metric")) {
    if (strcmp(v, "wall") && strcmp(v, "cpu")) return -1;
    o->metric = v;
  } else if (!strcmp(name, "--config")) o->config = v;
  else if (!strcmp(name, "--out")) o->out = v;
  else if (!strcmp(name, "--format")) {
    if (!strcmp(v, "text")) o->format = CFB_FMT_TEXT;
    else if (!strcmp(v, "md")) o->format = CFB_FMT_MD;
    else if (!strcmp(v, "json")) o->format = CFB_FMT_JSON;
    else return -1;
  } else if (!strcmp(name, "--threshold")) return fraction(v, &o->threshold);
  else if (!strcmp(name, "--last")) return count(v, 1, &o->last);
  else if (!strcmp(name, "--alpha")) {
    char *end;
    o->ed.alpha = strtod(v, &end);
    if (end == v || *end || !(o->ed.alpha > 0 && o->ed.alpha < 1)) return -1;
  } else if (!strcmp(name, "--permutations")) return count(v, 1, &o->ed.permutations);
  else if (!strcmp(name, "--min-size")) return count(v, 2, &o->ed.min_size);
  else if (!strcmp(name, "--revision")) o->revision = v;
  else if (!strcmp(name, "--commit-time")) {
    if (iso_time(v)) return -1;
    o->commit_time = v;
  }
  else if (!strcmp(name, "--ignore-param")) o->ignore = v;
  return 0;
}

void cfb_hist_cli_defaults(cfb_hist_cli *o, const char *verb) {
  memset(o, 0, sizeof *o);
  o->verb = verb;
  o->db = CFB_HIST_DEFAULT_DB;
  o->metric = "wall";
  o->out = "results/history-plots";
  o->ignore = "";
  o->threshold = CFB_HIST_THRESHOLD;
  o->last = CFB_HIST_LAST;
  cfb_ed_defaults(&o->ed);
}

int cfb_hist_cli_parse(int argc, char **argv, cfb_hist_cli *o, char *err, size_t errlen) {
  cfb_hist_cli_defaults(o, argc > 0 ? argv[0] : "");
  o->args = calloc((size_t)argc + 1, sizeof *o->args);
  if (!o->args) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || !a[2]) {
      o->args[o->nargs++] = a;
      continue;
    }
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    const opt *p = NULL;
    for (size_t k = 0; k < NOPTIONS; k++)
      if (strlen(options[k].name) == n && !strncmp(options[k].name, a, n)) p = &options[k];
    if (!p || !applies(p, o->verb)) {
      snprintf(err, errlen, "history %s: unknown option '%.*s' (cfbench history --help)", o->verb,
               (int)n, a);
      return -1;
    }
    const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (!v || set_value(o, p->name, v) != 0) {
      snprintf(err, errlen, "history %s: bad value for %s: '%s' (%s)", o->verb, p->name, v ? v : "", p->values);
      return -1;
    }
  }
  return 0;
}

const char *cfb_hist_report_option(size_t k) {
  for (size_t i = 0; i < NOPTIONS; i++)
    if (options[i].report && !k--) return options[i].name;
  return NULL;
}

int cfb_hist_cli_set(cfb_hist_cli *o, const char *name, const char *v, char *err, size_t errlen) {
  for (size_t k = 0; k < NOPTIONS; k++)
    if (!strcmp(options[k].name, name)) {
      if (set_value(o, name, v) == 0) return 0;
      snprintf(err, errlen, "bad value '%.200s' (%s)", v, options[k].values);
      return -1;
    }
  snprintf(err, errlen, "no option %s", name);
  return -1;
}

void cfb_hist_cli_free(cfb_hist_cli *o) {
  free(o->args);
  o->args = NULL;
}
