/* analysis_py.c -- the figures of the report's "cfutures against CPython"
 * section (analysis_py.h), computed from the summary rows of the py
 * backends beside the C ones: per-task cost, the docs' PRIMES speedups and
 * the GIL emulation's crossover beside CPython's.  Plot and report only
 * format these. */
#include "analysis_py.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int streq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

static const char *const PAIRS[][2] = {{"thread", "py-thread"}, {"process", "py-process"}};

int cfb_an_has_py(const cfb_resultset *rs) {
  for (size_t i = 0; i < rs->nrows; i++)
    if (rs->rows[i].backend && !strncmp(rs->rows[i].backend, "py-", 3)) return 1;
  return 0;
}

/* The executor-overhead group: sleep with delay=0. */
static int is_noop(const cfb_group *g) {
  double d;
  char u[16];
  return streq(g->workload, "sleep") && cfb_an_param_value(g->params, "delay", &d, u, sizeof u) == 0 &&
         d == 0;
}

/* The fewest workers at which both a and b ran chunksize c in g, or -1. */
static int common_workers(const cfb_resultset *rs, const cfb_group *g, const char *a, const char *b,
                          int c) {
  for (size_t w = 0; w < g->nworkers; w++)
    if (cfb_an_find(rs, g, a, g->workers[w], c, g->pin) && cfb_an_find(rs, g, b, g->workers[w], c, g->pin))
      return g->workers[w];
  return -1;
}

size_t cfb_an_task_costs(const cfb_resultset *rs, const cfb_group *g, size_t ng, cfb_an_cost *out,
                         size_t max) {
  static const int chunks[] = {1, 16, 256};
  size_t n = 0;
  for (size_t i = 0; i < ng; i++) {
    if (!is_noop(&g[i])) continue;
    for (size_t p = 0; p < 2; p++)
      for (size_t k = 0; k < 3 && n < max; k++) {
        int w = common_workers(rs, &g[i], PAIRS[p][0], PAIRS[p][1], chunks[k]);
        if (w < 0) continue;
        const cfb_sumrow *c = cfb_an_find(rs, &g[i], PAIRS[p][0], w, chunks[k], g[i].pin);
        const cfb_sumrow *py = cfb_an_find(rs, &g[i], PAIRS[p][1], w, chunks[k], g[i].pin);
        out[n++] = (cfb_an_cost){PAIRS[p][0], PAIRS[p][1], chunks[k], w, 1e6 / c->median, 1e6 / py->median,
                                 c->median / py->median};
      }
    break; /* one overhead group */
  }
  return n;
}

/* The docs' PRIMES group: primes preset=docs without gil=on (the Python
 * peer has the real GIL; the C side is compared without the emulation). */
static int is_docs_primes(const cfb_group *g) {
  return streq(g->workload, "primes") && g->params && strstr(g->params, "preset=docs") &&
         !strstr(g->params, "gil=on");
}

size_t cfb_an_docs_speedups(const cfb_resultset *rs, const cfb_group *g, size_t ng,
                            cfb_an_speedup *out, size_t max) {
  static const char *const backends[] = {"thread", "process", "py-thread", "py-process"};
  size_t n = 0;
  for (size_t i = 0; i < ng; i++) {
    if (!is_docs_primes(&g[i])) continue;
    for (size_t b = 0; b < 4 && n < max; b++) {
      const cfb_sumrow *serial = cfb_an_best(rs, &g[i], backends[b], 1, NULL);
      if (!serial) continue;
      /* the most workers it ran with, up to as many as the machine has
       * cores (beyond, a CPU-bound speedup measures the machine) */
      const cfb_sumrow *par = NULL;
      for (size_t w = 0; w < g[i].nworkers; w++) {
        int nw = g[i].workers[w];
        if (nw < 2 || (rs->machine.cores > 0 && nw > rs->machine.cores && par)) continue;
        const cfb_sumrow *r = cfb_an_best(rs, &g[i], backends[b], nw, NULL);
        if (r) par = r;
      }
      if (!par) continue;
      out[n++] = (cfb_an_speedup){backends[b], par->workers, serial->median, par->median,
                                  par->median / serial->median};
    }
    break;
  }
  return n;
}

/* The mixed gil=on sweep over cpu_us of backends a, b at w workers whose
 * context is ctx (NULL: any), into *out; 0, or -1 if there is none. */
static int gil_sweep(const cfb_analysis *an, const char *a, const char *b, int w, const char *ctx,
                     cfb_curve *out) {
  cfb_curve *sw = NULL;
  size_t n = 0;
  int rc = -1;
  if (cfb_an_param_sweeps_of(an, a, b, w, &sw, &n) != 0) return -1;
  for (size_t i = 0; i < n && rc; i++) {
    const cfb_curve *s = &sw[i];
    if (!streq(s->workload, "mixed") || strcmp(s->key, "cpu_us") || !strstr(s->context, "gil=on")) continue;
    if (ctx && strcmp(s->context, ctx)) continue;
    size_t both = 0;
    for (size_t k = 0; k < s->n; k++) both += s->thr[k] > 0 && s->prc[k] > 0;
    if (both < 2) continue;
    *out = *s;
    rc = 0;
  }
  free(sw);
  return rc;
}

/* The worker count of the py-thread rows in the mixed gil=on groups (the
 * most common one), or -1. */
static int py_mixed_workers(const cfb_resultset *rs, const cfb_group *g, size_t ng) {
  int best = -1;
  size_t best_n = 0;
  for (size_t i = 0; i < ng; i++) {
    if (!streq(g[i].workload, "mixed") || !g[i].params || !strstr(g[i].params, "gil=on")) continue;
    for (size_t w = 0; w < g[i].nworkers; w++) {
      size_t cnt = 0;
      for (size_t j = 0; j < ng; j++)
        if (streq(g[j].workload, "mixed") && cfb_an_best(rs, &g[j], "py-thread", g[i].workers[w], NULL))
          cnt++;
      if (cnt > best_n) best_n = cnt, best = g[i].workers[w];
    }
  }
  return best;
}

int cfb_an_gil_fidelity(const cfb_analysis *an, cfb_an_fidelity *f) {
  memset(f, 0, sizeof *f);
  f->emu_x = f->py_x = f->ratio = NAN;
  f->workers = py_mixed_workers(&an->rs, an->g, an->ng);
  if (f->workers < 0) return -1;
  if (gil_sweep(an, "py-thread", "py-process", f->workers, NULL, &f->py) != 0) return -1;
  f->have_emu = gil_sweep(an, "thread", "process", f->workers, f->py.context, &f->emu) == 0;
  if (f->py.ncross) f->py_x = f->py.cross[0].x;
  if (f->have_emu && f->emu.ncross) f->emu_x = f->emu.cross[0].x;
  if (f->py_x > 0 && f->emu_x > 0) f->ratio = f->emu_x / f->py_x;
  return 0;
}
