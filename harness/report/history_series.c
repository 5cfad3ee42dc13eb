/* history_series.c -- series out of the history store, and their change
 * points (history_series.h). */
#include "history_series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

typedef struct load_ctx {
  cfb_hist_set *set;
  const char *filter;
  int exact; /* the filter names one configuration exactly */
  int oom;
} load_ctx;

static int wanted(const load_ctx *c, const char *config) {
  if (!c->filter || !*c->filter) return 1;
  return c->exact ? !strcmp(config, c->filter) : strstr(config, c->filter) != NULL;
}

static cfb_hist_series *series_for(cfb_hist_set *set, const cfb_hist_point *p) {
  cfb_hist_series *last = set->n ? &set->s[set->n - 1] : NULL;
  if (last && !strcmp(last->machine, p->machine) && !strcmp(last->config, p->config)) return last;
  cfb_hist_series *ns = realloc(set->s, (set->n + 1) * sizeof *ns);
  if (!ns) return NULL;
  set->s = ns;
  cfb_hist_series *s = &ns[set->n++];
  memset(s, 0, sizeof *s);
  s->machine = strdup(p->machine);
  s->config = strdup(p->config);
  return s->machine && s->config ? s : NULL;
}

static int on_point(const cfb_hist_point *p, void *arg) {
  load_ctx *c = arg;
  if (!wanted(c, p->config)) return 0;
  cfb_hist_series *s = series_for(c->set, p); /* points arrive grouped */
  if (s && s->n == s->cap) {
    size_t nc = s->cap ? 2 * s->cap : 16;
    cfb_hist_pt *np = realloc(s->pt, nc * sizeof *np);
    if (np) s->pt = np, s->cap = nc;
  }
  if (!s || s->n == s->cap) {
    c->oom = 1;
    return 1;
  }
  cfb_hist_pt *q = &s->pt[s->n];
  q->revision = strdup(p->revision);
  q->when = strdup(p->commit_time ? p->commit_time : p->started);
  q->n = p->n, q->median = p->median, q->ci_lo = p->ci_lo, q->ci_hi = p->ci_hi;
  s->n++;
  if (!q->revision || !q->when) c->oom = 1;
  return c->oom;
}

typedef struct exact_ctx {
  const char *name;
  int found;
} exact_ctx;

static int on_exact(const cfb_hist_point *p, void *arg) {
  exact_ctx *e = arg;
  e->found = !strcmp(p->config, e->name);
  return e->found;
}

int cfb_hist_series_load(cfb_hist *h, const char *metric, const char *filter, cfb_hist_set *set,
                         char *err, size_t errlen) {
  memset(set, 0, sizeof *set);
  load_ctx c = {set, filter, 0, 0};
  if (filter && *filter) { /* an exact name wins over substring matches */
    exact_ctx e = {filter, 0};
    if (cfb_hist_each_point(h, metric, on_exact, &e, err, errlen) != 0) return -1;
    c.exact = e.found;
  }
  if (cfb_hist_each_point(h, metric, on_point, &c, err, errlen) != 0 || c.oom) {
    if (c.oom) snprintf(err, errlen, "out of memory reading the history");
    cfb_hist_set_free(set);
    return -1;
  }
  return 0;
}

void cfb_hist_set_free(cfb_hist_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    cfb_hist_series *s = &set->s[i];
    for (size_t k = 0; k < s->n; k++) free(s->pt[k].revision), free(s->pt[k].when);
    free(s->pt), free(s->ch), free(s->machine), free(s->config);
  }
  free(set->s);
  memset(set, 0, sizeof *set);
}

static int detect_one(cfb_hist_series *s, const cfb_ed_opts *base) {
  double *x = malloc((s->n ? s->n : 1) * sizeof *x);
  cfb_ed_change *ch = calloc(s->n + 1, sizeof *ch);
  s->ch = calloc(s->n + 1, sizeof *s->ch);
  if (!x || !ch || !s->ch) {
    free(x), free(ch);
    return -1;
  }
  for (size_t i = 0; i < s->n; i++) x[i] = s->pt[i].median;
  cfb_ed_opts o = *base;
  o.seed = cfb_hash_str(s->config, cfb_hash_str(s->machine, base->seed));
  size_t nch = 0;
  int rc = cfb_edivisive(x, s->n, &o, ch, s->n + 1, &nch);
  for (size_t i = 0; rc == 0 && i < nch; i++) {
    cfb_hist_change *c = &s->ch[s->nch++];
    c->index = ch[i].index;
    c->revision = s->pt[ch[i].index].revision;
    c->before = ch[i].median_before, c->after = ch[i].median_after, c->p = ch[i].p;
    c->change = c->after / c->before - 1;
  }
  free(x), free(ch);
  return rc;
}

int cfb_hist_detect(cfb_hist_set *set, const cfb_ed_opts *o) {
  for (size_t i = 0; i < set->n; i++)
    if (detect_one(&set->s[i], o) != 0) return -1;
  return 0;
}
