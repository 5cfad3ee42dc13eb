/* pairs.c -- the paired data of a result directory and the paired verdict
 * of two configurations (pairs.h): the report's who-wins answers come from
 * verdicts.csv when the run wrote it, else from runs.csv's rounds by the
 * runner's own procedure (common/paired.h), never from comparing two
 * medians' CIs. */
#include "pairs.h"
#include "params_key.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"

static const char *pin_of(const char *s) { return s && *s ? s : "none"; }
static const char *or_default(const char *s, const char *d) { return s && *s ? s : d; }

/* Summary row i's parameters as the run wrote them: results.c appends
 * ",mode=M" to a non-map row's params, which runs.csv and verdicts.csv
 * keep in a column of their own. */
static const char *raw_params(const cfb_resultset *rs, size_t i) {
  return cfb_csv_get(&rs->table, i, CFB_SUM(PARAMS));
}

/* The run's plan, as the runner chose it (run/verdicts.c cfb_verdict_plan):
 * adaptive rounds min..max, or one look at a plain 95% level. */
static int plan_of(const cfb_machine *m, cfb_seq_plan *plan) {
  /* The max the run planned after round 1, when it did: its looks were
   * made at that plan's levels.  The cap (--max-rounds, 100 in the default
   * suite) would put a look after 9 rounds at a level no signed-rank
   * interval on 9 pairs reaches, and a 7x ratio would read "undecided". */
  double max = m->planned_max_rounds >= m->min_rounds ? m->planned_max_rounds : m->max_rounds;
  if (m->adaptive == 1 && m->min_rounds >= 2 && max >= m->min_rounds &&
      cfb_seq_plan_init(plan, (size_t)m->min_rounds, (size_t)max, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE) == 0)
    return 0;
  return cfb_seq_plan_init(plan, 2, 2, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE);
}

/* The summary row a runs.csv row measured, or -1.  `hint` first: runs.csv
 * lists a configuration's repetitions together. */
static long row_of(const cfb_resultset *rs, const cfb_csv_table *t, size_t r, long hint) {
  const char *wl = cfb_csv_get(t, r, CFB_RUNS(WORKLOAD)), *pa = cfb_csv_get(t, r, CFB_RUNS(PARAMS));
  const char *bk = cfb_csv_get(t, r, CFB_RUNS(BACKEND)), *pin = pin_of(cfb_csv_get(t, r, CFB_RUNS(PIN)));
  const char *ws = cfb_csv_get(t, r, CFB_RUNS(WORKERS)), *cs = cfb_csv_get(t, r, CFB_RUNS(CHUNKSIZE));
  const char *mode = or_default(cfb_csv_get(t, r, CFB_RUNS(MODE)), "map");
  int w = ws ? atoi(ws) : 0, c = cs ? atoi(cs) : 0;
  for (size_t k = 0; k < rs->nrows; k++) {
    size_t i = hint >= 0 ? ((size_t)hint + k) % rs->nrows : k;
    const cfb_sumrow *s = &rs->rows[i];
    if (s->workers == w && s->chunksize == c && cfb_streq(s->backend, bk) && cfb_streq(s->workload, wl) &&
        cfb_streq(raw_params(rs, i), pa) && cfb_streq(s->pin, pin) && cfb_streq(s->mode, mode))
      return (long)i;
  }
  return -1;
}

/* runs.csv's ok measurements, grouped by summary row (counting sort). */
static int load_runs(const char *dir, const cfb_resultset *rs, cfb_pairs *p, char *err, size_t errlen) {
  char path[4200];
  snprintf(path, sizeof path, "%s/runs.csv", dir);
  if (access(path, F_OK) != 0) return 0;
  cfb_csv_table t;
  if (cfb_csv_load(path, &t, err, errlen) != 0) return -1;
  int rc = -1, has_round = cfb_csv_col(&t, CFB_RUNS(ROUND)) >= 0;
  long *of = malloc((t.nrows ? t.nrows : 1) * sizeof *of);
  size_t n = rs->nrows ? rs->nrows : 1;
  p->start = calloc(n, sizeof *p->start);
  p->count = calloc(n, sizeof *p->count);
  p->round = malloc((t.nrows ? t.nrows : 1) * sizeof *p->round);
  p->x = malloc((t.nrows ? t.nrows : 1) * sizeof *p->x);
  size_t *next = calloc(n, sizeof *next);
  if (!of || !p->start || !p->count || !p->round || !p->x || !next) {
    snprintf(err, errlen, "%s: out of memory", path);
    goto out;
  }
  long hint = -1;
  for (size_t r = 0; r < t.nrows; r++) {
    double v;
    const char *st = cfb_csv_get(&t, r, CFB_RUNS(STATUS)), *x = cfb_csv_get(&t, r, CFB_RUNS(ITEMS_PER_S));
    of[r] = -1;
    if ((st && *st && strcmp(st, "ok")) || !x || cfb_csv_double(x, &v) != 1 || !(v > 0)) continue;
    if ((of[r] = hint = row_of(rs, &t, r, hint)) >= 0) p->count[of[r]]++;
  }
  for (size_t i = 1; i < rs->nrows; i++) p->start[i] = p->start[i - 1] + p->count[i - 1];
  for (size_t r = 0; r < t.nrows; r++) {
    if (of[r] < 0) continue;
    size_t at = p->start[of[r]] + next[of[r]]++;
    /* Rounds pair the two sides; an older runs.csv without them pairs by repeat. */
    const char *rd = cfb_csv_get(&t, r, has_round ? CFB_RUNS(ROUND) : CFB_RUNS(REPEAT));
    p->round[at] = rd ? atoi(rd) : 0;
    cfb_csv_double(cfb_csv_get(&t, r, CFB_RUNS(ITEMS_PER_S)), &p->x[at]);
  }
  p->have_runs = 1;
  rc = 0;
out:
  free(of);
  free(next);
  cfb_csv_table_free(&t);
  return rc;
}

/* verdicts.csv's rows (results.c loaded the file into rs->verdicts).  The
 * mode, a and b columns came with --mode and the CPython pairs: a file
 * without them holds thread/process pairs of map configurations. */
static int load_verdicts(const cfb_resultset *rs, cfb_pairs *p, char *err, size_t errlen) {
  const cfb_csv_table *t = &rs->verdicts;
  if (!t->ncols) return 0;
  for (int i = 0; i < CFB_VER_NCOLS; i++)
    if (i != CFB_VER_MODE && i != CFB_VER_A && i != CFB_VER_B && cfb_csv_col(t, cfb_verdicts_columns[i]) < 0) {
      snprintf(err, errlen, "verdicts.csv: no column '%s'", cfb_verdicts_columns[i]);
      return -1;
    }
  if (!(p->v = calloc(t->nrows ? t->nrows : 1, sizeof *p->v))) {
    snprintf(err, errlen, "verdicts.csv: out of memory");
    return -1;
  }
  for (size_t r = 0; r < t->nrows; r++) {
    cfb_vrow *v = &p->v[p->nv++];
    double num[3];
    static const cfb_verdicts_col nc[3] = {CFB_VER_RATIO, CFB_VER_CI_LO, CFB_VER_CI_HI};
    for (size_t k = 0; k < 3; k++)
      if (cfb_csv_double(cfb_csv_get(t, r, cfb_verdicts_columns[nc[k]]), &num[k]) < 0) {
        snprintf(err, errlen, "verdicts.csv: line %zu: %s is not a number", t->line[r],
                 cfb_verdicts_columns[nc[k]]);
        return -1;
      }
    const char *word = cfb_csv_get(t, r, CFB_VER(VERDICT));
    if (cfb_who_wins_parse(word, &v->verdict) != 0) {
      snprintf(err, errlen, "verdicts.csv: line %zu: verdict '%.40s' is none of thread, process, equivalent, undecided",
               t->line[r], word);
      return -1;
    }
    v->workload = cfb_csv_get(t, r, CFB_VER(WORKLOAD));
    v->params = cfb_csv_get(t, r, CFB_VER(PARAMS));
    v->pin = pin_of(cfb_csv_get(t, r, CFB_VER(PIN)));
    v->mode = or_default(cfb_csv_get(t, r, CFB_VER(MODE)), "map");
    v->a = or_default(cfb_csv_get(t, r, CFB_VER(A)), "thread");
    v->b = or_default(cfb_csv_get(t, r, CFB_VER(B)), "process");
    v->workers = atoi(cfb_csv_get(t, r, CFB_VER(WORKERS)));
    v->chunksize = atoi(cfb_csv_get(t, r, CFB_VER(CHUNKSIZE)));
    v->rounds = (size_t)strtoul(cfb_csv_get(t, r, CFB_VER(ROUNDS)), NULL, 10);
    v->ratio = num[0];
    v->ci_lo = num[1];
    v->ci_hi = num[2];
  }
  p->have_verdicts = 1;
  return 0;
}

int cfb_pairs_load(const char *dir, const cfb_resultset *rs, cfb_pairs *p, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  if (plan_of(&rs->machine, &p->plan) != 0) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (load_runs(dir, rs, p, err, errlen) != 0 || load_verdicts(rs, p, err, errlen) != 0) {
    cfb_pairs_free(p);
    return -1;
  }
  return 0;
}

void cfb_pairs_free(cfb_pairs *p) {
  free(p->round);
  free(p->x);
  free(p->start);
  free(p->count);
  free(p->v);
  memset(p, 0, sizeof *p);
}

/* verdicts.csv's row of the pair a (its a side) against b, or NULL. */
static const cfb_vrow *file_row(const cfb_pairs *p, const cfb_resultset *rs, const cfb_sumrow *a,
                                const cfb_sumrow *b) {
  if (a->workers != b->workers || a->chunksize != b->chunksize || !cfb_streq(a->pin, b->pin) ||
      !cfb_streq(a->params, b->params) || !cfb_streq(a->workload, b->workload))
    return NULL;
  const char *params = raw_params(rs, (size_t)(a - rs->rows));
  for (size_t i = 0; i < p->nv; i++) {
    const cfb_vrow *v = &p->v[i];
    if (v->workers == a->workers && v->chunksize == a->chunksize && cfb_streq(v->pin, a->pin) &&
        cfb_streq(v->workload, a->workload) && cfb_streq(v->params, params) && cfb_streq(v->mode, a->mode) &&
        cfb_streq(v->a, a->backend) && cfb_streq(v->b, b->backend))
      return v;
  }
  return NULL;
}

/* The level out's look had and whether its rounds could reach it: a CI
 * that excludes 1 with an undecided verdict is a range, not a CI too wide
 * (verdicts.csv keeps no level; the plan gives it). */
static void look_reach(const cfb_seq_plan *plan, cfb_an_pair *out) {
  out->level = 1 - cfb_seq_alpha(plan, out->rounds);
  out->rounds_needed = out->rounds ? cfb_seq_pairs_needed(plan, out->rounds) : 0;
}

int cfb_pairs_verdict(const cfb_pairs *p, const cfb_resultset *rs, const cfb_sumrow *a,
                      const cfb_sumrow *b, cfb_an_pair *out) {
  memset(out, 0, sizeof *out);
  out->ci_lo = out->ci_hi = NAN;
  out->ratio = a->median / b->median;
  out->verdict = CFB_PAIRED_UNDECIDED;
  const cfb_vrow *v = file_row(p, rs, a, b);
  if (v) {
    out->ratio = v->ratio;
    out->ci_lo = v->ci_lo;
    out->ci_hi = v->ci_hi;
    out->rounds = v->rounds;
    out->verdict = v->verdict;
    out->from_file = 1;
    look_reach(&p->plan, out);
    return 0;
  }
  if (!p->have_runs) return 0;
  size_t ia = (size_t)(a - rs->rows), ib = (size_t)(b - rs->rows), np;
  double *pa, *pb;
  int rc = cfb_paired_by_round(p->round + p->start[ia], p->x + p->start[ia], p->count[ia],
                               p->round + p->start[ib], p->x + p->start[ib], p->count[ib], &pa, &pb, &np);
  if (rc) return rc;
  cfb_paired r;
  if (np >= 2 && (rc = cfb_paired_look(&p->plan, pa, pb, np, NULL, &r)) == 0) {
    out->ratio = r.ratio;
    out->ci_lo = r.ci_lo;
    out->ci_hi = r.ci_hi;
    out->verdict = r.verdict;
  }
  out->rounds = np;
  look_reach(&p->plan, out);
  free(pa);
  free(pb);
  return rc;
}
