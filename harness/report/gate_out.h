/* gate_out.h -- the output of the regression gate, shared by `compare`
 * (two separate runs, unpaired gate) and `ab` (paired rounds): one row per
 * configuration judged, the text / Markdown table and the JSON document,
 * the summary line (how many configurations were actually judged), the
 * warnings, and the exit code; and the metric both judge (one table of
 * names, one formula).  The verdicts come from common/paired.h's gates. */
#ifndef CFB_GATE_OUT_H
#define CFB_GATE_OUT_H

#include <stddef.h>

#include "csvread.h"
#include "paired.h"
#include "strbuf.h"

/* What the gate judges (--metric); WALL and CPU also index the per-metric
 * arrays of cfb_judged.  BOTH (ab's default): each configuration on both,
 * one family of 2M tests. */
typedef enum cfb_gate_metric {
  CFB_METRIC_WALL = 0, /* items per wall-second (items_per_s) */
  CFB_METRIC_CPU = 1,  /* items per CPU-second: items_done / (cpu_user_s + cpu_sys_s) */
  CFB_METRIC_BOTH = 2
} cfb_gate_metric;

enum { CFB_METRIC_N = 2 }; /* metrics one test can be on: WALL, CPU */

typedef struct cfb_judged {
  const char *name;                /* for people: "primes (preset=docs) process w=2 c=16" */
  double base_median, new_median;  /* of the metric (both: of the metric g's figures are of) */
  cfb_gate g;                      /* the gate's verdict: ratio NEW/BASE, interval or p, floor; with
                                      --metric both the combined verdict (cfb_gate_either) and the
                                      figures of the metric that decided (none: CPU's if judged) */
  /* ab: each metric's own test, indexed by cfb_gate_metric (has[k]: judged on it) */
  int has[CFB_METRIC_N];
  cfb_gate by[CFB_METRIC_N];
  double base_by[CFB_METRIC_N], new_by[CFB_METRIC_N];
  size_t div_by[CFB_METRIC_N];     /* its Holm divisor in the family */
  unsigned decided;                /* bit 1 << k of each metric whose test gave g's slower / faster */
} cfb_judged;

typedef struct cfb_gate_report {
  const char *cmd;            /* "compare", "ab" */
  const char *base, *nw;      /* the two sides as given */
  int paired;                 /* ab: the ratio's interval; compare: Mann-Whitney p and floor */
  cfb_gate_metric metric;     /* what was judged (compare: WALL or CPU) */
  size_t family;              /* ab: the tests Holm corrects over (configurations x metrics) */
  int strict;                 /* too few samples and unmatched configurations fail */
  double threshold, alpha;
  const cfb_judged *rows;
  size_t n;
  size_t only_base, only_new; /* configurations in one side only (not judged) */
  const char *warnings[8];    /* e.g. the machines differ */
  size_t nwarnings;
} cfb_gate_report;

/* --metric VALUE: "wall" (items per wall-second, items_per_s), "cpu"
 * (items per CPU-second of the process, children included: items_done /
 * (cpu_user_s + cpu_sys_s)), and with both_ok "both" into *m.  0, or -1
 * with err naming the value and the allowed ones. */
int cfb_gate_metric_parse(const char *val, int both_ok, cfb_gate_metric *m, char *err, size_t errlen);

/* The table (md: Markdown) with the summary line, warnings and
 * regressions; or the JSON document. */
void cfb_gate_emit_table(const cfb_gate_report *r, int md, cfb_sb *out);
int cfb_gate_emit_json(const cfb_gate_report *r, cfb_sb *out);

/* 1 when a configuration is slower, or (strict) one had too few samples or
 * matched nothing; else 0. */
int cfb_gate_exit(const cfb_gate_report *r);

#endif
