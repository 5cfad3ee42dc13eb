/* analysis.c -- the computations of analysis.h: grouping, best
 * configurations, the paired verdicts of the winners, the map cells and
 * the curves, and crossover detection on them.  No output here. */
#include "analysis.h"
#include "params_key.h"

#include <cfwork_params.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void add_sorted(int *v, size_t *n, int x) {
  size_t i = 0;
  while (i < *n && v[i] < x) i++;
  if (i < *n && v[i] == x) return;
  if (*n >= CFB_AN_MAXV) return;
  memmove(v + i + 1, v + i, (*n - i) * sizeof *v);
  v[i] = x;
  (*n)++;
}

static void groups_free(cfb_group *g, size_t n) {
  if (!g) return;
  for (size_t i = 0; i < n; i++) free(g[i].rows);
  free(g);
}

/* Groups in order of first appearance in summary.csv.  0 or -1 (ENOMEM). */
static int groups_of(const cfb_resultset *rs, cfb_group **out, size_t *n) {
  *out = NULL;
  *n = 0;
  cfb_group *g = calloc(rs->nrows ? rs->nrows : 1, sizeof *g);
  if (!g) return -1;
  size_t ng = 0;
  for (size_t r = 0; r < rs->nrows; r++) {
    const cfb_sumrow *row = &rs->rows[r];
    size_t k = 0;
    while (k < ng && !(cfb_streq(g[k].workload, row->workload) && cfb_streq(g[k].params, row->params))) k++;
    if (k == ng) {
      g[k].workload = row->workload;
      g[k].kind = row->kind;
      g[k].params = row->params;
      g[k].rows = malloc(rs->nrows * sizeof *g[k].rows);
      if (!g[k].rows) {
        groups_free(g, ng);
        return -1;
      }
      ng++;
    }
    cfb_group *gr = &g[k];
    gr->rows[gr->nrows++] = r;
    add_sorted(gr->workers, &gr->nworkers, row->workers);
    add_sorted(gr->chunks, &gr->nchunks, row->chunksize);
  }
  for (size_t k = 0; k < ng; k++) { /* pins: prefer "none" for the map */
    cfb_group *gr = &g[k];
    const char *seen[16];
    size_t ns = 0;
    for (size_t i = 0; i < gr->nrows; i++) {
      const char *p = rs->rows[gr->rows[i]].pin;
      size_t j = 0;
      while (j < ns && !cfb_streq(seen[j], p)) j++;
      if (j == ns && ns < 16) seen[ns++] = p;
      if (cfb_streq(p, "none")) gr->pin = p;
    }
    if (!gr->pin) gr->pin = ns ? seen[0] : "none";
    gr->npins = (int)ns;
  }
  *out = g;
  *n = ng;
  return 0;
}

const cfb_sumrow *cfb_an_find(const cfb_resultset *rs, const cfb_group *g, const char *backend,
                            int workers, int chunksize, const char *pin) {
  for (size_t i = 0; i < g->nrows; i++) {
    const cfb_sumrow *r = &rs->rows[g->rows[i]];
    if (r->usable && r->workers == workers && r->chunksize == chunksize &&
        cfb_streq(r->backend, backend) && (!pin || cfb_streq(r->pin, pin)))
      return r;
  }
  return NULL;
}

const cfb_sumrow *cfb_an_best(const cfb_resultset *rs, const cfb_group *g, const char *backend,
                            int workers, const char *pin) {
  const cfb_sumrow *best = NULL;
  for (size_t i = 0; i < g->nrows; i++) {
    const cfb_sumrow *r = &rs->rows[g->rows[i]];
    if (!r->usable || !cfb_streq(r->backend, backend)) continue;
    if (workers >= 0 && r->workers != workers) continue;
    if (pin && !cfb_streq(r->pin, pin)) continue;
    if (!best || r->median > best->median) best = r;
  }
  return best;
}

/* The paired verdict of a against b; a missing side: ratio NAN, undecided. */
static int pair_of(const cfb_analysis *an, const cfb_sumrow *a, const cfb_sumrow *b, cfb_an_pair *out) {
  if (a && b) return cfb_pairs_verdict(&an->pairs, &an->rs, a, b, out);
  memset(out, 0, sizeof *out);
  out->ratio = out->ci_lo = out->ci_hi = NAN;
  out->verdict = CFB_PAIRED_UNDECIDED;
  return 0;
}

/* Best thread against best process, paired on the rounds both ran. */
static int winner_of(const cfb_analysis *an, const cfb_group *g, cfb_winner *w) {
  memset(w, 0, sizeof *w);
  w->thread = cfb_an_best(&an->rs, g, "thread", -1, NULL);
  w->process = cfb_an_best(&an->rs, g, "process", -1, NULL);
  int rc = pair_of(an, w->thread, w->process, &w->pair);
  if (w->thread && w->process) w->word = cfb_who_wins_name(w->pair.verdict);
  else w->word = w->thread ? "only thread" : w->process ? "only process" : NULL;
  return rc;
}

int cfb_an_cell(const cfb_analysis *an, const cfb_group *g, int workers, int chunksize,
                cfb_an_pair *out) {
  const cfb_sumrow *t = cfb_an_find(&an->rs, g, "thread", workers, chunksize, g->pin);
  const cfb_sumrow *p = cfb_an_find(&an->rs, g, "process", workers, chunksize, g->pin);
  if (!t || !p) return -1;
  return pair_of(an, t, p, out) ? -1 : 0;
}

const char *cfb_an_mark(cfb_paired_verdict v) {
  switch (v) {
  case CFB_PAIRED_A: return "T";
  case CFB_PAIRED_B: return "P";
  case CFB_PAIRED_EQUIVALENT: return "=";
  default: return "~";
  }
}

/* The crossovers of a sweep (see analysis.h): where the paired verdict
 * turns from one backend to the other. */
static void find_crossovers(cfb_curve *s) {
  s->ncross = 0;
  int geo = 1;
  for (size_t i = 0; i < s->n; i++)
    if (!(s->x[i] > 0)) geo = 0;
  int cls[CFB_AN_MAXV]; /* +1 backend a wins, -1 backend b wins, 0 equivalent/undecided/missing */
  double lr[CFB_AN_MAXV];
  for (size_t i = 0; i < s->n; i++) {
    cfb_paired_verdict v = s->pair[i].verdict;
    cls[i] = v == CFB_PAIRED_A ? 1 : v == CFB_PAIRED_B ? -1 : 0;
    lr[i] = s->pair[i].ratio > 0 ? log(s->pair[i].ratio) : NAN;
  }
  size_t last = (size_t)-1;
  for (size_t i = 0; i < s->n; i++) {
    if (!cls[i]) continue;
    if (last != (size_t)-1 && cls[last] != cls[i] && s->ncross < sizeof s->cross / sizeof *s->cross) {
      /* Interpolate at the first sign change of the log ratio in [last, i]. */
      size_t a = last, b = i;
      for (size_t k = last; k < i; k++) {
        if (!isfinite(lr[k]) || !isfinite(lr[k + 1])) continue;
        if ((lr[k] > 0) != (lr[k + 1] > 0) || lr[k + 1] == 0) {
          a = k;
          b = k + 1;
          break;
        }
      }
      double f = lr[a] == lr[b] ? 0.5 : lr[a] / (lr[a] - lr[b]);
      if (!(f >= 0)) f = 0;
      if (f > 1) f = 1;
      double x = geo ? exp(log(s->x[a]) + f * (log(s->x[b]) - log(s->x[a])))
                     : s->x[a] + f * (s->x[b] - s->x[a]);
      cfb_crossover *c = &s->cross[s->ncross++];
      c->x = x;
      c->below = cls[last] > 0 ? s->a : s->b;
      c->above = cls[i] > 0 ? s->a : s->b;
    }
    last = i;
  }
}

static int set_point(const cfb_analysis *an, cfb_curve *s, size_t i, const cfb_sumrow *t,
                     const cfb_sumrow *p) {
  s->thr[i] = t ? t->median : NAN;
  s->thr_lo[i] = t ? t->ci_lo : NAN;
  s->thr_hi[i] = t ? t->ci_hi : NAN;
  s->prc[i] = p ? p->median : NAN;
  s->prc_lo[i] = p ? p->ci_lo : NAN;
  s->prc_hi[i] = p ? p->ci_hi : NAN;
  return pair_of(an, t, p, &s->pair[i]);
}

/* Best thread vs best process against the worker count, in one group. */
static int worker_sweep(const cfb_analysis *an, const cfb_group *g, cfb_curve *s) {
  memset(s, 0, sizeof *s);
  s->a = "thread";
  s->b = "process";
  s->workload = g->workload;
  snprintf(s->key, sizeof s->key, "workers");
  snprintf(s->context, sizeof s->context, "%s", g->params ? g->params : "");
  for (size_t i = 0; i < g->nworkers; i++) {
    s->x[i] = g->workers[i];
    if (set_point(an, s, i, cfb_an_best(&an->rs, g, "thread", g->workers[i], g->pin),
                  cfb_an_best(&an->rs, g, "process", g->workers[i], g->pin)))
      return -1;
  }
  s->n = g->nworkers;
  find_crossovers(s);
  return 0;
}

/* Parse a parameter value "50us", "1KiB", "4": the number, and its unit
 * suffix.  0, or -1 if it does not start with a number. */
static int parse_value(const char *v, double *num, char *unit, size_t unitlen) {
  char *end;
  double x = strtod(v, &end);
  if (end == v || !isfinite(x)) return -1;
  size_t k = 0;
  while (*end && *end != ',' && k + 1 < unitlen) unit[k++] = *end++;
  if (unitlen) unit[k] = '\0';
  *num = x;
  return 0;
}

/* Multiplier of a unit to its base (s, bytes), 0 if unknown. */
static double unit_scale(const char *u) {
  static const struct { const char *u; double m; } t[] = {
      {"", 1},     {"ns", 1e-9},       {"us", 1e-6},         {"ms", 1e-3},
      {"s", 1},    {"B", 1},           {"KiB", 1024.0},      {"MiB", 1048576.0},
      {"GiB", 1073741824.0}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (!strcmp(t[i].u, u)) return t[i].m;
  return 0;
}

/* Split a parameter string (cf_wk_params_split: escaped commas stay in
 * their value) into keys and values, copied into buf.  Returns the number
 * of pairs (at most max; 0 for a malformed string). */
static size_t split_params(const char *params, char *buf, size_t buflen, char **keys,
                           char **vals, size_t max) {
  cf_wk_kv *kv;
  size_t n, k = 0, o = 0;
  if (cf_wk_params_split(params ? params : "", &kv, &n) != 0) return 0;
  for (size_t i = 0; i < n && k < max; i++) {
    size_t kl = strlen(kv[i].key) + 1, vl = strlen(kv[i].value) + 1;
    if (o + kl + vl > buflen) break;
    keys[k] = memcpy(buf + o, kv[i].key, kl);
    vals[k] = memcpy(buf + o + kl, kv[i].value, vl);
    o += kl + vl;
    k++;
  }
  cf_wk_params_free(kv, n);
  return k;
}

/* The parameter string of g without `key`, into out. */
static void context_without(const char *params, const char *key, char *out, size_t len) {
  char buf[4096], *k[32], *v[32];
  const char *kk[32], *vv[32];
  size_t n = split_params(params, buf, sizeof buf, k, v, 32), m = 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp(k[i], key)) kk[m] = k[i], vv[m++] = v[i];
  char *s = cf_wk_params_format(kk, vv, m);
  snprintf(out, len, "%s", s ? s : "");
  free(s);
}

/* Numeric value of `key` in params, in the unit `unit` (set from the
 * value when unit is empty on entry and *have_unit is 0).  0 or -1. */
static int value_of(const char *params, const char *key, double *x, char *unit, size_t unitlen,
                    int *have_unit) {
  char buf[4096], *k[32], *v[32];
  size_t n = split_params(params, buf, sizeof buf, k, v, 32);
  for (size_t i = 0; i < n; i++) {
    if (strcmp(k[i], key) != 0) continue;
    double num;
    char u[16];
    if (parse_value(v[i], &num, u, sizeof u) != 0) return -1;
    double su = unit_scale(u);
    if (!*have_unit) {
      snprintf(unit, unitlen, "%s", u);
      *have_unit = 1;
    }
    double st = unit_scale(unit);
    if (strcmp(u, unit) != 0) {
      if (!su || !st) return -1; /* incomparable units */
      num = num * su / st;
    }
    *x = num;
    return 0;
  }
  return -1;
}

/* Two groups measured on the same grid of workers and chunksizes: points
 * of one sweep of a parameter.  Groups on different grids come from
 * different sweeps of different meaning (sleep delay=0 measures the
 * executor's overhead over chunksizes, delay=10ms scaling over workers):
 * a line between their best configurations would mean nothing. */
static int same_grid(const cfb_group *a, const cfb_group *b) {
  return a->nworkers == b->nworkers && a->nchunks == b->nchunks &&
         !memcmp(a->workers, b->workers, a->nworkers * sizeof *a->workers) &&
         !memcmp(a->chunks, b->chunks, a->nchunks * sizeof *a->chunks);
}

int cfb_an_param_value(const char *params, const char *key, double *x, char *unit, size_t unitlen) {
  int have_unit = 0;
  if (unitlen) unit[0] = '\0';
  return value_of(params, key, x, unit, unitlen, &have_unit);
}

int cfb_an_param_sweeps_of(const cfb_analysis *an, const char *a, const char *b, int workers,
                           cfb_curve **out, size_t *n) {
  const cfb_resultset *rs = &an->rs;
  const cfb_group *g = an->g;
  size_t ng = an->ng;
  *out = NULL;
  *n = 0;
  size_t cap = 0, ns = 0;
  cfb_curve *sw = NULL;
  for (size_t gi = 0; gi < ng; gi++) {
    char buf[4096], *keys[32], *vals[32];
    size_t nk = split_params(g[gi].params, buf, sizeof buf, keys, vals, 32);
    for (size_t ki = 0; ki < nk; ki++) {
      char ctx[256];
      context_without(g[gi].params, keys[ki], ctx, sizeof ctx);
      int dup = 0;
      for (size_t s = 0; s < ns; s++)
        if (cfb_streq(sw[s].workload, g[gi].workload) && !strcmp(sw[s].key, keys[ki]) &&
            !strcmp(sw[s].context, ctx))
          dup = 1;
      if (dup) continue;
      cfb_curve cur;
      memset(&cur, 0, sizeof cur);
      cur.a = a;
      cur.b = b;
      cur.workload = g[gi].workload;
      snprintf(cur.key, sizeof cur.key, "%s", keys[ki]);
      snprintf(cur.context, sizeof cur.context, "%s", ctx);
      int have_unit = 0;
      for (size_t gj = 0; gj < ng && cur.n < CFB_AN_MAXV; gj++) {
        if (!cfb_streq(g[gj].workload, cur.workload) || !same_grid(&g[gi], &g[gj])) continue;
        char c2[256];
        context_without(g[gj].params, cur.key, c2, sizeof c2);
        if (strcmp(c2, ctx) != 0) continue;
        double x;
        if (value_of(g[gj].params, cur.key, &x, cur.unit, sizeof cur.unit, &have_unit) != 0)
          continue;
        size_t i = cur.n; /* insert sorted by x */
        while (i > 0 && cur.x[i - 1] > x) i--;
        if (i > 0 && cur.x[i - 1] == x) continue;
        memmove(cur.x + i + 1, cur.x + i, (cur.n - i) * sizeof *cur.x);
        memmove(cur.group + i + 1, cur.group + i, (cur.n - i) * sizeof *cur.group);
        cur.x[i] = x;
        cur.group[i] = gj;
        cur.n++;
      }
      if (cur.n < 2) continue;
      int bad = 0;
      for (size_t i = 0; i < cur.n; i++) {
        const cfb_group *gr = &g[cur.group[i]];
        bad |= set_point(an, &cur, i, cfb_an_best(rs, gr, a, workers, gr->pin),
                         cfb_an_best(rs, gr, b, workers, gr->pin));
      }
      find_crossovers(&cur);
      if (bad) {
        free(sw);
        return -1;
      }
      if (ns == cap) {
        size_t nc = cap ? cap * 2 : 4;
        cfb_curve *nsw = realloc(sw, nc * sizeof *nsw);
        if (!nsw) {
          free(sw);
          return -1;
        }
        sw = nsw;
        cap = nc;
      }
      sw[ns++] = cur;
    }
  }
  *out = sw;
  *n = ns;
  return 0;
}


void cfb_an_free(cfb_analysis *an) {
  free(an->win);
  free(an->wsweep);
  free(an->sw);
  groups_free(an->g, an->ng);
  cfb_pairs_free(&an->pairs);
  cfb_results_free(&an->rs);
  memset(an, 0, sizeof *an);
}

int cfb_an_load(const char *dir, cfb_analysis *an, char *err, size_t errlen) {
  memset(an, 0, sizeof *an);
  if (cfb_results_load(dir, &an->rs, err, errlen) != 0) return -1;
  if (cfb_pairs_load(dir, &an->rs, &an->pairs, err, errlen) != 0) {
    cfb_results_free(&an->rs);
    return -1;
  }
  int rc = groups_of(&an->rs, &an->g, &an->ng);
  if (!rc && !(an->win = calloc(an->ng ? an->ng : 1, sizeof *an->win))) rc = -1;
  if (!rc && !(an->wsweep = calloc(an->ng ? an->ng : 1, sizeof *an->wsweep))) rc = -1;
  for (size_t i = 0; !rc && i < an->ng; i++)
    if (winner_of(an, &an->g[i], &an->win[i]) || worker_sweep(an, &an->g[i], &an->wsweep[i]))
      rc = -1;
  if (!rc) rc = cfb_an_param_sweeps_of(an, "thread", "process", -1, &an->sw, &an->nsw);
  if (rc) {
    snprintf(err, errlen, "%s: out of memory", dir);
    cfb_an_free(an);
    return -1;
  }
  return 0;
}
