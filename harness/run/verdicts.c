/* verdicts.c -- the paired who-wins verdicts of a run (see verdicts.h). */
#include "verdicts.h"

#include <stdlib.h>

int cfb_verdict_plan(const cfb_run_opts *o, int rounds, cfb_seq_plan *plan) {
  if (o->adaptive)
    return cfb_seq_plan_init(plan, (size_t)o->min_rounds, (size_t)o->max_rounds, CFB_PAIRED_ALPHA,
                             CFB_SEQ_SHAPE);
  size_t n = rounds < 2 ? 2 : (size_t)rounds; /* one look: a plain 95% interval */
  return cfb_seq_plan_init(plan, n, n, CFB_PAIRED_ALPHA, CFB_SEQ_SHAPE);
}

/* The ok rows of configuration c: rounds and throughputs (malloc'd). */
static int side_rows(const cfb_sweep_config *c, const cfb_row *rows, size_t nrows, int **round,
                     double **x, size_t *n) {
  *n = 0;
  *round = malloc((nrows ? nrows : 1) * sizeof **round);
  *x = malloc((nrows ? nrows : 1) * sizeof **x);
  if (!*round || !*x) return CFB_PAIRED_ENOMEM;
  for (size_t i = 0; i < nrows; i++)
    if (rows[i].cfg == c && rows[i].ok) {
      (*round)[*n] = rows[i].round;
      (*x)[(*n)++] = rows[i].items_per_s;
    }
  return 0;
}

int cfb_verdict_look_two(const cfb_seq_plan *plan, const cfb_sweep_config *a, const cfb_sweep_config *b,
                         const cfb_row *rows, size_t nrows, cfb_verdict *out) {
  out->thread = a;
  out->process = b;
  int *ra = NULL, *rb = NULL;
  double *xa = NULL, *xb = NULL, *pa = NULL, *pb = NULL;
  size_t na, nb, np = 0;
  int rc = side_rows(a, rows, nrows, &ra, &xa, &na);
  if (!rc) rc = side_rows(b, rows, nrows, &rb, &xb, &nb);
  if (!rc) rc = cfb_paired_by_round(ra, xa, na, rb, xb, nb, &pa, &pb, &np);
  if (!rc) rc = cfb_paired_look(plan, pa, pb, np, NULL, &out->r);
  free(ra);
  free(rb);
  free(xa);
  free(xb);
  free(pa);
  free(pb);
  return rc;
}

int cfb_verdict_look(const cfb_seq_plan *plan, const cfb_sweep *sw, size_t c, const cfb_row *rows,
                     size_t nrows, cfb_verdict *out) {
  const cfb_sweep_config *a = &sw->cfg[c], *b = &sw->cfg[a->partner];
  if (cfb_backend_exec(a->backend) != CF_BACKEND_THREAD) {
    const cfb_sweep_config *t = a;
    a = b;
    b = t;
  }
  return cfb_verdict_look_two(plan, a, b, rows, nrows, out);
}

int cfb_verdicts_all(const cfb_seq_plan *plan, const cfb_sweep *sw, const cfb_row *rows, size_t nrows,
                     cfb_verdict **out, size_t *nout) {
  *nout = 0;
  *out = malloc((sw->n ? 2 * sw->n : 1) * sizeof **out);
  if (!*out) return CFB_PAIRED_ENOMEM;
  for (size_t i = 0; i < sw->n; i++) {
    const cfb_sweep_config *c = &sw->cfg[i];
    /* every pair once, from its thread side (cfutures' and CPython's: the
     * a and b columns name them) */
    if (c->partner == SIZE_MAX || cfb_backend_exec(c->backend) != CF_BACKEND_THREAD) continue;
    int rc = cfb_verdict_look(plan, sw, i, rows, nrows, &(*out)[*nout]);
    if (rc) return rc;
    (*nout)++;
  }
  /* then cfutures against CPython, from the cfutures side */
  for (size_t i = 0; i < sw->n; i++) {
    const cfb_sweep_config *c = &sw->cfg[i];
    if (c->peer == SIZE_MAX || cfb_backend_is_py(c->backend)) continue;
    int rc = cfb_verdict_look_two(plan, c, &sw->cfg[c->peer], rows, nrows, &(*out)[*nout]);
    if (rc) return rc;
    (*nout)++;
  }
  return 0;
}
