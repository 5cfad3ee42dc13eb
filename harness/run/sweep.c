/* sweep.c -- expands sweep specs into configurations: the cartesian
 * product of workloads x (the --param values that apply to each workload)
 * x backends x workers x chunksizes x pins; validates the parameter values
 * with the workload registry before anything runs; and shuffles the run
 * order of every round with the run's seed (Fisher-Yates) so drift over
 * time does not masquerade as an effect of a knob.  Rounds split each
 * configuration's repetitions (cfb_sweep_round_share) so a burst of load
 * hits a little of every configuration rather than all of one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

#include "format.h"

static const struct {
  const char *name;
  cf_backend exec;
  int py;
  cfb_backend pair, peer;
} backends[CFB_BK_COUNT] = {
#define CFB_X_(id, name, exec, py, pair, peer) {name, exec, py, CFB_BK_##pair, CFB_BK_##peer},
    CFB_BACKENDS(CFB_X_)
#undef CFB_X_
};

const char *cfb_backend_name(cfb_backend b) { return (unsigned)b < CFB_BK_COUNT ? backends[b].name : "?"; }
cf_backend cfb_backend_exec(cfb_backend b) { return (unsigned)b < CFB_BK_COUNT ? backends[b].exec : CF_BACKEND_THREAD; }
int cfb_backend_is_py(cfb_backend b) { return (unsigned)b < CFB_BK_COUNT && backends[b].py; }

cfb_backend cfb_backend_pair(cfb_backend b) { return (unsigned)b < CFB_BK_COUNT ? backends[b].pair : CFB_BK_NONE; }
/* b's counterpart across cfutures and CPython (the table's peer), or CFB_BK_NONE. */
static cfb_backend backend_peer(cfb_backend b) { return (unsigned)b < CFB_BK_COUNT ? backends[b].peer : CFB_BK_NONE; }

const char *cfb_backend_names(void) {
#define CFB_X_(id, name, exec, py, pair, peer) ", " name
  static const char all[] = CFB_BACKENDS(CFB_X_);
#undef CFB_X_
  return all + 2;
}

static const char *const mode_names[CFB_MODE_COUNT] = {
#define CFB_X_(id, name) name,
    CFB_MODES(CFB_X_)
#undef CFB_X_
};

const char *cfb_mode_name(cfb_mode m) { return (unsigned)m < CFB_MODE_COUNT ? mode_names[m] : "?"; }

const char *cfb_mode_names(void) {
#define CFB_X_(id, name) ", " name
  static const char all[] = CFB_MODES(CFB_X_);
#undef CFB_X_
  return all + 2;
}

static const struct {
  const char *name;
  cf_start_method m;
} start_methods[] = {
#define CFB_X_(id, name, m) {name, m},
    CFB_START_METHODS(CFB_X_)
#undef CFB_X_
};

const char *cfb_start_method_name(cf_start_method m) {
  for (size_t i = 0; i < sizeof start_methods / sizeof *start_methods; i++)
    if (start_methods[i].m == m) return start_methods[i].name;
  return "?";
}

const char *cfb_start_method_names(void) {
#define CFB_X_(id, name, m) ", " name
  static const char all[] = CFB_START_METHODS(CFB_X_);
#undef CFB_X_
  return all + 2;
}

int cfb_start_method_parse(const char *s, cf_start_method *out) {
  for (size_t i = 0; i < sizeof start_methods / sizeof *start_methods; i++)
    if (!strcmp(s, start_methods[i].name)) {
      *out = start_methods[i].m;
      return 0;
    }
  return -1;
}

const char *cfb_pin_name(cf_pin_policy p) {
  switch (p) {
  case CF_PIN_COMPACT: return "compact";
  case CF_PIN_SCATTER: return "scatter";
  case CF_PIN_LIST: return "list";
  default: return "none";
  }
}

const char *cfb_config_pin(const cfb_sweep_config *c) {
  return c->pin == CF_PIN_LIST && c->pin_list.label ? c->pin_list.label : cfb_pin_name(c->pin);
}

void cfb_pin_list_free(cfb_pin_list *l) {
  free(l->pus);
  free(l->label);
  memset(l, 0, sizeof *l);
}

/* Copy src into dst (owned); 0, or -1 out of memory.  Free with cfb_pin_list_free. */
static int pin_list_copy(cfb_pin_list *dst, const cfb_pin_list *src) {
  memset(dst, 0, sizeof *dst);
  if (!src || !src->label) return 0;
  dst->pus = malloc((size_t)(src->n ? src->n : 1) * sizeof *dst->pus);
  dst->label = strdup(src->label);
  if (!dst->pus || !dst->label) {
    cfb_pin_list_free(dst);
    return -1;
  }
  memcpy(dst->pus, src->pus, (size_t)src->n * sizeof *dst->pus);
  dst->n = src->n;
  return 0;
}

const char *cfb_cfg_status_name(cfb_cfg_status s) {
  switch (s) {
  case CFB_CFG_OK: return "ok";
  case CFB_CFG_PARTIAL: return "partial";
  case CFB_CFG_DROPPED: return "dropped";
  case CFB_CFG_FAILED: return "failed";
  default: return "not_run";
  }
}

static void config_free(cfb_sweep_config *c) {
  for (size_t i = 0; i < c->nkv; i++) free(c->kv[i]);
  free(c->kv);
  free(c->params);
  cfb_pin_list_free(&c->pin_list);
}

void cfb_sweep_free(cfb_sweep *s) {
  for (size_t i = 0; i < s->n; i++) config_free(&s->cfg[i]);
  free(s->cfg);
  free(s->order);
  memset(s, 0, sizeof *s);
}

const char *cfb_param_applies(const cf_workload *w, const char *key, int *scoped) {
  size_t nl = strlen(w->name);
  *scoped = 0;
  if (!strncmp(key, w->name, nl) && key[nl] == '.') { /* "sleep.delay": sleep's delay only */
    key += nl + 1;
    *scoped = 1;
  } else if (strchr(key, '.')) {
    return NULL; /* scoped to another workload */
  }
  for (size_t k = 0; k < w->nparams; k++)
    if (!strcmp(w->params[k].name, key)) return w->params[k].name;
  return NULL;
}

/* Axis a applies to w and no axis scoped to w sets the same parameter
 * (delay=0 --param sleep.delay=1ms: sleep gets 1ms, socket 0). */
static int axis_applies(const cfb_sweep_spec *sp, const cf_workload *w, size_t a) {
  int scoped, other;
  const char *name = cfb_param_applies(w, sp->params[a].key, &scoped);
  if (!name) return 0;
  if (scoped) return 1;
  for (size_t b = 0; b < sp->nparams; b++) {
    const char *n2 = b != a ? cfb_param_applies(w, sp->params[b].key, &other) : NULL;
    if (n2 && other && !strcmp(n2, name)) return 0;
  }
  return 1;
}

typedef struct builder {
  cfb_sweep *s;
  size_t cap;
} builder;

static int same_config(const cfb_sweep_config *a, const cfb_sweep_config *b) {
  if (a->w != b->w || a->backend != b->backend || a->workers != b->workers ||
      a->chunksize != b->chunksize || a->pin != b->pin || a->mode != b->mode || a->items != b->items ||
      a->nkv != b->nkv || strcmp(cfb_config_pin(a), cfb_config_pin(b)))
    return 0;
  for (size_t i = 0; i < a->nkv; i++)
    if (strcmp(a->kv[i], b->kv[i])) return 0;
  return 1;
}

static int push(builder *b, cfb_sweep_config *c) {
  for (size_t i = 0; i < b->s->n; i++)
    if (same_config(&b->s->cfg[i], c)) {
      config_free(c);
      return 0;
    }
  if (b->s->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    cfb_sweep_config *nc = realloc(b->s->cfg, cap * sizeof *nc);
    if (!nc) return -1;
    b->s->cfg = nc;
    b->cap = cap;
  }
  c->index = b->s->n;
  b->s->cfg[b->s->n++] = *c;
  return 0;
}

/* Configurations of one workload of spec sp, for one choice of parameter
 * values (idx[] over the applicable axes ax[]). */
static int expand_one(builder *b, const cfb_sweep_spec *sp, const cf_workload *w,
                      const cfb_param_axis *const *ax, const size_t *idx, size_t nax) {
  for (size_t ib = 0; ib < sp->nbackends; ib++)
    for (size_t iw = 0; iw < sp->nworkers; iw++)
      for (size_t ic = 0; ic < sp->nchunksizes; ic++)
        for (size_t ip = 0; ip < sp->npins; ip++)
          for (size_t im = 0; im < (sp->nmodes ? sp->nmodes : 1); im++) {
          cfb_sweep_config c;
          memset(&c, 0, sizeof c);
          c.w = w;
          c.backend = sp->backends[ib];
          c.workers = sp->workers[iw];
          c.mode = sp->nmodes ? sp->modes[im] : CFB_MODE_MAP;
          /* chunksize is map's: submit and roundtrip hand over one item at a
           * time, so their chunksizes collapse to 1 (the duplicates dropped) */
          c.chunksize = c.mode == CFB_MODE_MAP ? sp->chunksizes[ic] : 1;
          c.pin = sp->pins[ip];
          c.items = sp->items;
          c.repeat = sp->repeat;
          c.warmup = sp->warmup;
          c.max_time_s = sp->max_time_s;
          c.kv = calloc(nax ? nax : 1, sizeof *c.kv);
          if (!c.kv || (sp->pin_lists && pin_list_copy(&c.pin_list, &sp->pin_lists[ip]))) {
            config_free(&c);
            return -1;
          }
          for (size_t a = 0; a < nax; a++) {
            const char *v = ax[a]->values.v[idx[a]];
            int scoped;
            const char *key = cfb_param_applies(w, ax[a]->key, &scoped); /* the bare name */
            size_t len = strlen(key) + strlen(v) + 2;
            if (!(c.kv[a] = malloc(len))) {
              config_free(&c);
              return -1;
            }
            snprintf(c.kv[a], len, "%s=%s", key, v);
            c.nkv = a + 1;
          }
          if (push(b, &c)) {
            config_free(&c);
            return -1;
          }
        }
  return 0;
}

static int expand_spec(builder *b, const cfb_sweep_spec *sp) {
  for (size_t iw = 0; iw < sp->nworkloads; iw++) {
    const cf_workload *w = sp->workloads[iw];
    const cfb_param_axis *ax[64];
    size_t idx[64] = {0}, nax = 0;
    for (size_t a = 0; a < sp->nparams && nax < 64; a++)
      if (axis_applies(sp, w, a)) ax[nax++] = &sp->params[a];
    for (;;) { /* odometer over the parameter values */
      if (expand_one(b, sp, w, ax, idx, nax)) return -1;
      size_t a = 0;
      while (a < nax && ++idx[a] == ax[a]->values.n) idx[a++] = 0;
      if (a == nax) break;
    }
  }
  return 0;
}

/* Check each distinct (workload, parameters) once and learn its canonical
 * parameter string. */
static int validate(cfb_sweep *s, char *err, size_t errlen) {
  for (size_t i = 0; i < s->n; i++) {
    cfb_sweep_config *c = &s->cfg[i];
    for (size_t j = 0; j < i && !c->params; j++) {
      const cfb_sweep_config *d = &s->cfg[j];
      int same = d->w == c->w && d->nkv == c->nkv;
      for (size_t k = 0; same && k < c->nkv; k++) same = !strcmp(c->kv[k], d->kv[k]);
      if (same && d->params && !(c->params = strdup(d->params))) goto nomem;
    }
    if (c->params) continue;
    /* A pure check: no workload is prepared (no server, no calibration), so
     * a configuration is named the same on every machine. */
    char msg[300] = "";
    int rc = cf_wk_params_check(c->w, (const char *const *)c->kv, c->nkv, &c->params, msg, sizeof msg);
    if (rc == CF_EINVAL) {
      snprintf(err, errlen, "--param: %s", msg[0] ? msg : "invalid parameter value");
      return 2;
    }
    if (rc != 0) goto nomem;
  }
  return 0;
nomem:
  snprintf(err, errlen, "run: out of memory");
  return 2;
}

/* The configuration after i equal to cfg[i] but for the backend, which is
 * `want`, and not yet taken (taken(j) != SIZE_MAX), or SIZE_MAX. */
static size_t twin_of(const cfb_sweep *s, size_t i, cfb_backend want, int peer) {
  cfb_sweep_config *a = &s->cfg[i];
  if (want == CFB_BK_NONE) return SIZE_MAX;
  for (size_t j = i + 1; j < s->n; j++) {
    cfb_sweep_config *b = &s->cfg[j];
    if ((peer ? b->peer : b->partner) != SIZE_MAX || b->backend != want) continue;
    cfb_backend keep = b->backend;
    b->backend = a->backend;
    int same = same_config(a, b);
    b->backend = keep;
    if (same) return j;
  }
  return SIZE_MAX;
}

/* Pair each configuration with the one equal to it but for the backend,
 * that backend being its pair in CFB_BACKENDS; and likewise with its peer. */
static void find_partners(cfb_sweep *s) {
  for (size_t i = 0; i < s->n; i++) s->cfg[i].partner = s->cfg[i].peer = SIZE_MAX;
  for (size_t i = 0; i < s->n; i++) {
    cfb_sweep_config *a = &s->cfg[i];
    size_t j;
    if (a->partner == SIZE_MAX && (j = twin_of(s, i, cfb_backend_pair(a->backend), 0)) != SIZE_MAX)
      a->partner = j, s->cfg[j].partner = i;
    if (a->peer == SIZE_MAX && (j = twin_of(s, i, backend_peer(a->backend), 1)) != SIZE_MAX)
      a->peer = j, s->cfg[j].peer = i;
  }
}

/* The members of i's unit into m[0..*n) as two blocks: i's pair
 * m[0..*na) (i and its partner) and the peer pair m[*na..*n) (i's peer, or
 * its partner's, and that one's partner).  Every member of a unit finds
 * the same set; its representative is the smallest index. */
static void unit_of(const cfb_sweep *s, size_t i, size_t m[4], size_t *na, size_t *n) {
  const cfb_sweep_config *c = s->cfg;
  size_t p = c[i].partner;
  *n = 0;
  m[(*n)++] = i;
  if (p != SIZE_MAX) m[(*n)++] = p;
  *na = *n;
  size_t q = c[i].peer != SIZE_MAX ? c[i].peer : p != SIZE_MAX ? c[p].peer : SIZE_MAX;
  if (q == SIZE_MAX) return;
  m[(*n)++] = q;
  if (c[q].partner != SIZE_MAX) m[(*n)++] = c[q].partner;
}

static size_t unit_rep(const cfb_sweep *s, size_t i) {
  size_t m[4], na, n, lo = i;
  unit_of(s, i, m, &na, &n);
  for (size_t k = 0; k < n; k++)
    if (m[k] < lo) lo = m[k];
  return lo;
}

/* Round r's order: the units (a pair with its peer pair, a pair, or a
 * configuration alone) shuffled (Fisher-Yates), inside each the two pairs
 * in an order drawn for the round and each pair's two sides too.  Round 0
 * from the seed itself, round r from (seed, r). */
static void shuffle_round(cfb_sweep *s, int r, uint64_t seed) {
  size_t *ord = s->order + (size_t)r * s->n, nu = 0;
  for (size_t i = 0; i < s->n; i++) /* a unit is represented by its first member */
    if (unit_rep(s, i) == i) ord[nu++] = i;
  char key[32];
  snprintf(key, sizeof key, "round %d", r);
  uint64_t st = r == 0 ? seed : cfb_hash_str(key, seed);
  for (size_t i = nu; i > 1; i--) {
    size_t j = (size_t)cfb_rng_below(&st, i);
    size_t t = ord[i - 1];
    ord[i - 1] = ord[j];
    ord[j] = t;
  }
  /* Expand from the back so the units not yet expanded are not overwritten. */
  size_t out = s->n;
  for (size_t u = nu; u-- > 0;) {
    size_t m[4], na, n;
    unit_of(s, ord[u], m, &na, &n);
    if (n == 1) {
      ord[--out] = m[0];
      continue;
    }
    /* blocks: m[0..na) and m[na..n), each of one or two members */
    size_t blk[2][2], bn[2] = {na, n - na};
    for (size_t k = 0; k < n; k++) blk[k >= na][k >= na ? k - na : k] = m[k];
    for (int b = 0; b < 2; b++)
      if (bn[b] == 2 && cfb_rng_below(&st, 2)) {
        size_t t = blk[b][0];
        blk[b][0] = blk[b][1];
        blk[b][1] = t;
      }
    int first = bn[1] ? (int)cfb_rng_below(&st, 2) : 0;
    for (int b = 1; b >= 0; b--) { /* filled from the back: the later block first */
      int which = b ? 1 - first : first;
      for (size_t k = bn[which]; k-- > 0;) ord[--out] = blk[which][k];
    }
  }
}

/* --configs: keep only the configurations it names (by expansion index),
 * renumbered in expansion order; their seeds come from their identity, so
 * a configuration measures the same whether run alone or in the whole
 * sweep.  0, or 2 with err. */
static int keep_configs(cfb_sweep *s, const size_t *idx, size_t n, char *err, size_t errlen) {
  if (!n) return 0;
  unsigned char *keep = calloc(s->n, 1);
  if (!keep) return snprintf(err, errlen, "run: out of memory"), 2;
  for (size_t i = 0; i < n; i++) {
    if (idx[i] >= s->n) {
      free(keep);
      snprintf(err, errlen, "--configs: %zu is past the sweep's %zu configuration%s; allowed: 0..%zu",
               idx[i], s->n, cfb_plural((long long)s->n), s->n - 1);
      return 2;
    }
    keep[idx[i]] = 1;
  }
  size_t k = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (!keep[i]) {
      config_free(&s->cfg[i]);
      continue;
    }
    s->cfg[k] = s->cfg[i];
    s->cfg[k].index = k;
    k++;
  }
  s->n = k;
  free(keep);
  return 0;
}

int cfb_sweep_expand(const cfb_run_opts *o, uint64_t seed, cfb_sweep *s, char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  builder b = {s, 0};
  for (size_t i = 0; i < o->nspecs; i++)
    if (expand_spec(&b, &o->specs[i])) {
      cfb_sweep_free(s);
      snprintf(err, errlen, "run: out of memory");
      return 2;
    }
  if (s->n == 0) {
    snprintf(err, errlen, "run: the sweep has no configurations");
    return 2;
  }
  int rc = validate(s, err, errlen);
  if (!rc) rc = keep_configs(s, o->configs, o->nconfigs, err, errlen);
  if (rc) {
    cfb_sweep_free(s);
    return rc;
  }
  for (size_t i = 0; i < s->n; i++) {
    s->cfg[i].task_timeout_s = o->task_timeout_s;
    s->cfg[i].start_method = o->start_method;
    s->cfg[i].start_method_given = o->start_method_given;
  }
  s->rounds = o->rounds >= 1 ? o->rounds : 1;
  s->order = malloc((size_t)s->rounds * s->n * sizeof *s->order);
  if (!s->order) {
    cfb_sweep_free(s);
    snprintf(err, errlen, "run: out of memory");
    return 2;
  }
  for (size_t i = 0; i < s->n; i++) {
    /* Per-configuration bootstrap seed: from its identity, not its position. */
    char key[512];
    cfb_sweep_config *c = &s->cfg[i];
    snprintf(key, sizeof key, "%s|%s|%d|%d|%zu|%d", c->w->name, c->params, (int)c->backend,
             c->workers, c->chunksize, (int)c->pin);
    /* after the old key, so the configurations before --pin list and --mode keep their seeds */
    if (c->pin == CF_PIN_LIST) snprintf(key + strlen(key), sizeof key - strlen(key), "|%s", cfb_config_pin(c));
    if (c->mode != CFB_MODE_MAP) snprintf(key + strlen(key), sizeof key - strlen(key), "|%s", cfb_mode_name(c->mode));
    c->seed = cfb_hash_str(key, seed);
  }
  find_partners(s);
  for (int r = 0; r < s->rounds; r++) shuffle_round(s, r, seed);
  return 0;
}

const size_t *cfb_sweep_round_order(const cfb_sweep *s, int r) { return s->order + (size_t)r * s->n; }

int cfb_sweep_round_share(const cfb_sweep_config *c, int rounds, int r) {
  if (rounds < 1) rounds = 1;
  if (r < 0 || r >= rounds) return 0;
  return c->repeat / rounds + (r < c->repeat % rounds ? 1 : 0);
}
