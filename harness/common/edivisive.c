/* edivisive.c -- E-divisive means change-point detection with a
 * permutation test (edivisive.h).  The split statistic is computed for
 * every split of a segment in O(n^2) total by moving one point at a time
 * from the right part to the left and updating the three sums of
 * distances (left-left, right-right, left-right). */
#include "edivisive.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

void cfb_ed_defaults(cfb_ed_opts *o) {
  o->alpha = CFB_ED_ALPHA;
  o->permutations = CFB_ED_PERMUTATIONS;
  o->min_size = CFB_ED_MIN_SIZE;
  o->max_changes = 0;
  o->seed = 1;
}

/* Q of the split m | k: (mk / (m + k)) times the energy distance
 * 2/(mk) B - W_L / C(m,2) - W_R / C(k,2). */
static double q_of(double wl, double wr, double b, double m, double k) {
  double e = 2 * b / (m * k) - 2 * wl / (m * (m - 1)) - 2 * wr / (k * (k - 1));
  return m * k / (m + k) * e;
}

double cfb_ed_best_split(const double *y, size_t n, size_t min_size, size_t *tau) {
  if (min_size < 2 || n < 2 * min_size) return -1;
  double wl = 0, wr = 0, b = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) wr += fabs(y[i] - y[j]);
  double best = -1;
  /* Invariant at the top of the loop: left = y[0..t), right = y[t..n). */
  for (size_t t = 0; t + min_size <= n; t++) {
    if (t >= min_size) {
      double q = q_of(wl, wr, b, (double)t, (double)(n - t));
      if (q > best) {
        best = q;
        *tau = t;
      }
    }
    double dl = 0, dr = 0; /* y[t] moves from right to left */
    for (size_t i = 0; i < t; i++) dl += fabs(y[t] - y[i]);
    for (size_t j = t + 1; j < n; j++) dr += fabs(y[t] - y[j]);
    wl += dl;
    wr -= dr;
    b += dr - dl;
  }
  return best;
}

/* Segments are [bound[i], bound[i+1]); bound[0] = 0, bound[nb] = n. */
typedef struct ed_state {
  const double *x;
  size_t n, *bound, nb;
  double *q;   /* best Q per segment (-1 = too short) */
  size_t *tau; /* its split, absolute index */
  double *work;
  double *p, *qc; /* p and Q of the change at bound[i] (i >= 1) */
} ed_state;

static void score_segment(ed_state *s, size_t i, size_t min_size) {
  size_t lo = s->bound[i], len = s->bound[i + 1] - lo, t = 0;
  s->q[i] = cfb_ed_best_split(s->x + lo, len, min_size, &t);
  s->tau[i] = lo + t;
}

/* The largest Q over all segments, each shuffled within itself. */
static double permuted_max(ed_state *s, size_t min_size, uint64_t *rng) {
  double best = -1;
  for (size_t i = 0; i < s->nb; i++) {
    size_t lo = s->bound[i], len = s->bound[i + 1] - lo, t;
    if (len < 2 * min_size) continue;
    double *w = s->work;
    memcpy(w, s->x + lo, len * sizeof *w);
    for (size_t j = len - 1; j > 0; j--) { /* Fisher-Yates */
      size_t r = (size_t)cfb_rng_below(rng, j + 1);
      double tmp = w[j];
      w[j] = w[r];
      w[r] = tmp;
    }
    double q = cfb_ed_best_split(w, len, min_size, &t);
    if (q > best) best = q;
  }
  return best;
}

/* Split segment i at s->tau[i]: bounds and per-segment scores shift. */
static void insert_change(ed_state *s, size_t i, double p, size_t min_size) {
  size_t at = i + 1;
  memmove(s->bound + at + 1, s->bound + at, (s->nb + 1 - at) * sizeof *s->bound);
  memmove(s->p + at + 1, s->p + at, (s->nb + 1 - at) * sizeof *s->p);
  memmove(s->qc + at + 1, s->qc + at, (s->nb + 1 - at) * sizeof *s->qc);
  s->qc[at] = s->q[i];
  memmove(s->q + at + 1, s->q + at, (s->nb - at) * sizeof *s->q);
  memmove(s->tau + at + 1, s->tau + at, (s->nb - at) * sizeof *s->tau);
  s->bound[at] = s->tau[i];
  s->p[at] = p;
  s->nb++;
  score_segment(s, i, min_size);
  score_segment(s, at, min_size);
}

static int bad_input(const double *x, size_t n, const cfb_ed_opts *o) {
  if (!o || !(o->alpha > 0 && o->alpha < 1) || o->permutations < 1 || o->min_size < 2) return 1;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return 1;
  return 0;
}

static void report(const ed_state *s, cfb_ed_change *out, size_t cap, size_t *nout) {
  *nout = 0;
  for (size_t i = 1; i < s->nb && *nout < cap; i++) {
    size_t a = s->bound[i - 1], c = s->bound[i], d = s->bound[i + 1];
    cfb_ed_change *ch = &out[(*nout)++];
    ch->index = c;
    ch->p = s->p[i];
    ch->median_before = cfb_stats_median(s->x + a, c - a);
    ch->median_after = cfb_stats_median(s->x + c, d - c);
    ch->q = s->qc[i];
  }
}

int cfb_edivisive(const double *x, size_t n, const cfb_ed_opts *o, cfb_ed_change *out,
                  size_t cap, size_t *nout) {
  *nout = 0;
  if (bad_input(x, n, o)) {
    errno = EINVAL;
    return -1;
  }
  if (n < 2 * o->min_size) return 0;
  size_t maxseg = n / o->min_size + 2;
  ed_state s = {x, n, calloc(maxseg + 1, sizeof(size_t)), 1, calloc(maxseg, sizeof(double)),
                calloc(maxseg, sizeof(size_t)), calloc(n, sizeof(double)),
                calloc(maxseg + 1, sizeof(double)), calloc(maxseg + 1, sizeof(double))};
  int rc = 0;
  if (!s.bound || !s.q || !s.tau || !s.work || !s.p || !s.qc) {
    errno = ENOMEM;
    rc = -1;
    goto out;
  }
  s.bound[0] = 0;
  s.bound[1] = n;
  score_segment(&s, 0, o->min_size);
  uint64_t rng = o->seed;
  for (size_t found = 0; !o->max_changes || found < o->max_changes; found++) {
    size_t best = 0;
    for (size_t i = 1; i < s.nb; i++)
      if (s.q[i] > s.q[best]) best = i;
    double qobs = s.q[best];
    if (!(qobs > 0)) break; /* nothing splittable, or every split is flat */
    /* p <= alpha  <=>  ge <= alpha (R + 1) - 1: stop permuting as soon as
     * ge passes that, the decision is already made (most tests of a
     * segment without a change end after a few permutations). */
    size_t ge = 0, limit = (size_t)floor(o->alpha * (double)(o->permutations + 1) + 1e-9);
    for (size_t r = 0; r < o->permutations && ge < limit; r++)
      if (permuted_max(&s, o->min_size, &rng) >= qobs) ge++;
    if (ge >= limit) break; /* p = (ge + 1) / (R + 1) > alpha */
    double p = (double)(ge + 1) / (double)(o->permutations + 1);
    insert_change(&s, best, p, o->min_size);
  }
  report(&s, out, cap, nout);
out:
  free(s.bound), free(s.q), free(s.tau), free(s.work), free(s.p), free(s.qc);
  return rc;
}
