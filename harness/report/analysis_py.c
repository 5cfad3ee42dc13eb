/* analysis_py.c -- the figures of the report's "cfutures against CPython"
 * section (analysis_py.h), computed from the summary rows of the py
 * backends beside the C ones (and verdicts.csv's paired ratios of each C
 * backend against its CPython peer): per-task cost, the docs' PRIMES speedups and
 * the GIL emulation's crossover beside CPython's.  Plot and report only
 * format these. */
#include "analysis_py.h"
#include "params_key.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const PAIRS[][2] = {{"thread", "py-thread"}, {"process", "py-process"}};

int cfb_an_has_py(const cfb_resultset *rs) {
  for (size_t i = 0; i < rs->nrows; i++)
    if (rs->rows[i].backend && !strncmp(rs->rows[i].backend, "py-", 3)) return 1;
  return 0;
}

/* The executor-overhead groups: sleep with delay=0. */
static int is_noop(const cfb_group *g) {
  double d;
  char u[16];
  return cfb_streq(g->workload, "sleep") && cfb_an_param_value(g->params, "delay", &d, u, sizeof u) == 0 &&
         d == 0;
}

/* The group's mode: results.c appends ",mode=M" to the parameters of a
 * configuration whose mode is not map. */
static const char *mode_of(const cfb_group *g) {
  const char *m = g->params ? strstr(g->params, "mode=") : NULL;
  return m && (m == g->params || m[-1] == ',') ? m + 5 : "map";
}

/* The fewest workers at which both a and b ran chunksize c in g, or -1. */
static int common_workers(const cfb_resultset *rs, const cfb_group *g, const char *a, const char *b,
                          int c) {
  for (size_t w = 0; w < g->nworkers; w++)
    if (cfb_an_find(rs, g, a, g->workers[w], c, g->pin) && cfb_an_find(rs, g, b, g->workers[w], c, g->pin))
      return g->workers[w];
  return -1;
}

/* The paired ratio a/b for summary row a against its peer b, into cost:
 * the pair the who-wins answers read (cfb_pairs_verdict), taken only when
 * it is verdicts.csv's row.  A pair the run did not write was not
 * interleaved by the runner, so equal round numbers in runs.csv would pair
 * measurements that were not adjacent in time: cost stays NAN. */
static void paired_cost(const cfb_analysis *an, const cfb_sumrow *a, const cfb_sumrow *b, cfb_an_cost *cost) {
  cfb_an_pair p;
  if (cfb_pairs_verdict(&an->pairs, &an->rs, a, b, &p) != 0 || !p.from_file) return;
  cost->paired = p.ratio;
  cost->paired_lo = p.ci_lo;
  cost->paired_hi = p.ci_hi;
  cost->rounds = p.rounds;
}

/* The cost of the C backend pc beside its peer py in group g at chunksize
 * c, into *out: 0, or -1 when the two did not both run it. */
static int one_cost(const cfb_analysis *an, const cfb_group *g, const char *pc, const char *py, int c,
                    cfb_an_cost *out) {
  const cfb_resultset *rs = &an->rs;
  int w = common_workers(rs, g, pc, py, c);
  if (w < 0) return -1;
  const cfb_sumrow *a = cfb_an_find(rs, g, pc, w, c, g->pin), *b = cfb_an_find(rs, g, py, w, c, g->pin);
  *out = (cfb_an_cost){pc, py, a->mode, c, w, 1e6 / a->median, 1e6 / b->median, a->median / b->median,
                       NAN, NAN, NAN, 0};
  paired_cost(an, a, b, out);
  return 0;
}

/* The first no-op group of mode m, or NULL. */
static const cfb_group *noop_group(const cfb_group *g, size_t ng, const char *m) {
  for (size_t i = 0; i < ng; i++)
    if (is_noop(&g[i]) && cfb_streq(mode_of(&g[i]), m)) return &g[i];
  return NULL;
}

size_t cfb_an_task_costs(const cfb_analysis *an, cfb_an_cost *out, size_t max) {
  static const int chunks[] = {1, 16, 256};
  const cfb_group *g = an->g;
  size_t ng = an->ng;
  const cfb_group *rt = noop_group(g, ng, "roundtrip"), *map = noop_group(g, ng, "map");
  size_t n = 0;
  for (size_t p = 0; p < 2; p++) {
    if (rt && n < max && one_cost(an, rt, PAIRS[p][0], PAIRS[p][1], 1, &out[n]) == 0) n++;
    for (size_t k = 0; map && k < 3 && n < max; k++)
      if (one_cost(an, map, PAIRS[p][0], PAIRS[p][1], chunks[k], &out[n]) == 0) n++;
  }
  return n;
}

/* The docs' PRIMES group: primes preset=docs without gil=on (the Python
 * peer has the real GIL; the C side is compared without the emulation). */
static int is_docs_primes(const cfb_group *g) {
  return cfb_streq(g->workload, "primes") && g->params && strstr(g->params, "preset=docs") &&
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
    if (!cfb_streq(s->workload, "mixed") || strcmp(s->key, "cpu_us") || !strstr(s->context, "gil=on")) continue;
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
    if (!cfb_streq(g[i].workload, "mixed") || !g[i].params || !strstr(g[i].params, "gil=on")) continue;
    for (size_t w = 0; w < g[i].nworkers; w++) {
      size_t cnt = 0;
      for (size_t j = 0; j < ng; j++)
        if (cfb_streq(g[j].workload, "mixed") && cfb_an_best(rs, &g[j], "py-thread", g[i].workers[w], NULL))
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
