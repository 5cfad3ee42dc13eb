/* primes.c -- the `primes` workload: trial-division primality as in the
 * Python docs' ProcessPoolExecutor example (is_prime: 2, odd candidates
 * 3..isqrt(n)).  preset=docs: the docs' six numbers; preset=range: `count`
 * consecutive odd numbers from `start`, one per item (fine-grained).
 *
 * Answers are verified independently: prepare() computes each number's
 * primality with deterministic Miller-Rabin and its smallest factor with
 * Pollard-Brent rho, so check() fails a wrong answer without redoing the
 * work.  Results are sealed with a hash.
 *
 * work_scale s: an item performs exactly round(s * W) trial divisions,
 * where W is what is_prime needs for its number, cycling through the
 * candidate sequence again when s > 1.  s >= 1 gives the full answer plus
 * extra work; s < 1 stops early and reports "undecided" (check() verifies
 * that, and the division count, in both cases).
 *
 * Ideal rate: min(workers, ncpus) x r1 (thread backend with gil=1: r1),
 * r1 = items / sum(divisions_i / D), D = trial divisions per second of one
 * core, calibrated once at prepare on the run's own first number. */
#include "wk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pr_item {
  uint64_t n;
  uint64_t limit;      /* trial divisions to perform */
  uint32_t gil;
  uint32_t pad;
} pr_item;

typedef struct pr_res {
  uint64_t n;
  uint64_t divisions;  /* performed */
  uint64_t factor;     /* smallest factor found by the first pass, 0: none */
  uint64_t sink;       /* sum of remainders (keeps extra passes honest) */
  uint32_t decided;    /* the first pass finished */
  uint32_t prime;      /* answer, valid when decided */
  uint64_t seal;       /* wk_hash of the fields above */
} pr_res;

typedef struct pr_expect {
  uint64_t w;          /* divisions is_prime needs */
  uint64_t factor;     /* smallest factor (0 for primes and n < 4) */
  int prime;
} pr_expect;

typedef struct pr_priv {
  pr_expect *exp;
  double div_per_s;
  double mean_divs;
} pr_priv;

static const uint64_t docs_numbers[6] = {112272535095293ull, 112582705942171ull, 112272535095293ull,
                                         115280095190773ull, 115797848077099ull, 1099726899285419ull};

static const cf_wk_param params[] = {
    {"preset", "docs", "docs: the Python docs' six numbers; range: `count` odd numbers from `start`", 0, 0},
    {"start", "1000000000001", "first number of preset=range (made odd)", 3, 1e18},
    {"count", "1000", "numbers (items) of preset=range", 1, 10000000},
    {"gil", "off", "hold the process-wide emulated GIL while computing", 0, 1},
    {"work_scale", "1", "multiply the trial divisions per item (regression tests)", 0.1, 10},
};
static const wk_pspec specs[] = {
    {WK_ENUM, 0, "docs|range"}, {WK_INT, 0, NULL}, {WK_INT, 0, NULL}, {WK_BOOL, 0, NULL}, {WK_NUM, 0, NULL}};

static uint64_t isqrt64(uint64_t n) {
  uint64_t x = (uint64_t)sqrt((double)n);
  while (x * x > n) x--;
  while ((x + 1) * (x + 1) <= n) x++;
  return x;
}

/* The kernel: `limit` trial divisions of n by the is_prime candidates
 * 3, 5, ..., isqrt(n), a pass ending at a factor or the last candidate. */
static void trial(uint64_t n, uint64_t limit, pr_res *res) {
  memset(res, 0, sizeof *res);
  res->n = n;
  if (n < 2 || n == 2 || n % 2 == 0) { /* no division needed */
    res->decided = 1;
    res->prime = n == 2;
    res->factor = n >= 4 ? 2 : 0;
    return;
  }
  uint64_t sq = isqrt64(n);
  if (sq < 3) {
    res->decided = 1;
    res->prime = 1;
    return;
  }
  uint64_t i = 3, sink = 0, k;
  for (k = 0; k < limit; k++) {
    uint64_t rem = n % i;
    sink += rem;
    if (rem == 0 || i + 2 > sq) {
      if (!res->decided) {
        res->decided = 1;
        res->factor = rem == 0 ? i : 0;
        res->prime = rem != 0;
      }
      i = 3;
    } else {
      i += 2;
    }
  }
  res->divisions = k;
  res->sink = sink;
}

static void seal(pr_res *r) { r->seal = wk_hash(r, offsetof(pr_res, seal), 0); }

static int pr_task(const void *arg, size_t len, cf_result *out) {
  pr_item it;
  if (len != sizeof it) return 22;
  memcpy(&it, arg, sizeof it);
  pr_res res;
  wk_gil_lock((int)it.gil);
  trial(it.n, it.limit, &res);
  wk_gil_unlock((int)it.gil);
  seal(&res);
  return cf_result_set(out, &res, sizeof res) ? 12 : 0;
}

/* ---- independent answers: Miller-Rabin and Pollard-Brent rho ---- */

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) { return (uint64_t)((unsigned __int128)a * b % m); }

static uint64_t powmod(uint64_t a, uint64_t e, uint64_t m) {
  uint64_t r = 1;
  a %= m;
  while (e) {
    if (e & 1) r = mulmod(r, a, m);
    a = mulmod(a, a, m);
    e >>= 1;
  }
  return r;
}

static int is_prime_mr(uint64_t n) {
  static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return 0;
  for (size_t i = 0; i < 12; i++) {
    if (n == bases[i]) return 1;
    if (n % bases[i] == 0) return 0;
  }
  uint64_t d = n - 1;
  int s = 0;
  while (d % 2 == 0) d /= 2, s++;
  for (size_t i = 0; i < 12; i++) {
    uint64_t x = powmod(bases[i], d, n);
    if (x == 1 || x == n - 1) continue;
    int comp = 1;
    for (int j = 1; j < s && comp; j++) {
      x = mulmod(x, x, n);
      if (x == n - 1) comp = 0;
    }
    if (comp) return 0;
  }
  return 1;
}

static uint64_t gcd64(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* A non-trivial factor of the odd composite n. */
static uint64_t rho(uint64_t n) {
  for (uint64_t c = 1;; c++) {
    uint64_t y = 2, x, g = 1, q = 1, ys = 2;
    uint64_t r = 1, m = 128;
    do {
      x = y;
      for (uint64_t i = 0; i < r; i++) y = (mulmod(y, y, n) + c) % n;
      for (uint64_t k = 0; k < r && g == 1; k += m) {
        ys = y;
        for (uint64_t i = 0; i < m && i < r - k; i++) {
          y = (mulmod(y, y, n) + c) % n;
          q = mulmod(q, x > y ? x - y : y - x, n);
        }
        g = gcd64(q, n);
      }
      r *= 2;
    } while (g == 1);
    if (g == n) {
      do {
        ys = (mulmod(ys, ys, n) + c) % n;
        g = gcd64(x > ys ? x - ys : ys - x, n);
      } while (g == 1);
    }
    if (g != n) return g;
  }
}

/* Smallest prime factor of n >= 2. */
static uint64_t smallest_factor(uint64_t n) {
  for (uint64_t p = 2; p < 1000 && p * p <= n; p++)
    if (n % p == 0) return p;
  if (is_prime_mr(n)) return n;
  uint64_t d = rho(n);
  uint64_t a = smallest_factor(d), b = smallest_factor(n / d);
  return a < b ? a : b;
}

static void expect_of(uint64_t n, pr_expect *e) {
  memset(e, 0, sizeof *e);
  e->prime = is_prime_mr(n);
  if (n < 4 || n % 2 == 0) {
    e->factor = n >= 4 ? 2 : 0;
    return;
  }
  uint64_t sq = isqrt64(n);
  if (sq < 3) return;
  if (e->prime) {
    e->w = (sq - 3) / 2 + 1;
  } else {
    e->factor = smallest_factor(n);
    e->w = (e->factor - 3) / 2 + 1;
  }
}

/* The calibration: trial divisions per second on the number *ud.  The
 * sink is read through a volatile so the compiler cannot drop the loop
 * (it did: the ideal rate came out 10^4 too high); each of 3 rounds runs
 * for at least 20 ms, the best round counts. */
static double divisions_per_s(void *ud) {
  uint64_t cn = *(const uint64_t *)ud;
  double best = 0;
  volatile uint64_t keep = 0;
  for (int k = 0; k < 3; k++) {
    uint64_t divs = 0, t0 = wk_now_ns(), dt_ns;
    do {
      pr_res res;
      trial(cn | 1, 200000, &res);
      keep += res.sink;
      divs += res.divisions;
      dt_ns = wk_now_ns() - t0;
    } while (dt_ns < 20000000ull);
    double rate = (double)divs / ((double)dt_ns / 1e9);
    if (rate > best) best = rate;
  }
  (void)keep;
  return best;
}

static int pr_prepare(cf_wk_run *r, char *err, size_t errlen) {
  int docs = wk_num(r, "preset") == 0;
  size_t n = r->nitems ? r->nitems : docs ? 6 : (size_t)wk_num(r, "count");
  double scale = wk_num(r, "work_scale");
  uint32_t gil = wk_num(r, "gil") != 0;
  uint64_t start = (uint64_t)wk_int(r, "start") | 1; /* exact: past 2^53 a double skips odd numbers */
  pr_priv *p = calloc(1, sizeof *p);
  if (!p) return CF_ENOMEM;
  r->priv = p;
  p->exp = calloc(n ? n : 1, sizeof *p->exp);
  pr_item *items = wk_items_fixed(r, n, sizeof(pr_item));
  if (!p->exp || !items) return CF_ENOMEM;
  double total = 0;
  for (size_t i = 0; i < n; i++) {
    items[i].n = docs ? docs_numbers[i % 6] : start + 2 * i;
    expect_of(items[i].n, &p->exp[i]);
    items[i].limit = (uint64_t)llround(scale * (double)p->exp[i].w);
    items[i].gil = gil;
    total += (double)items[i].limit;
  }
  p->mean_divs = n ? total / (double)n : 0;
  /* calibrate (once per process): trial divisions per second on this
   * run's first number */
  uint64_t cn = (n ? items[0].n : docs_numbers[0]) | 1;
  char name[64];
  snprintf(name, sizeof name, "primes.div_per_s@%llu", (unsigned long long)cn);
  double best = wk_calibrated(name, divisions_per_s, &cn);
  p->div_per_s = best;
  return 0;
}

static int pr_check(cf_wk_run *r, size_t i, const void *resb, size_t len, char *err, size_t errlen) {
  const pr_priv *p = r->priv;
  const pr_item *it = r->item_ptr[i];
  const pr_expect *e = &p->exp[i];
  pr_res res;
  if (len != sizeof res) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result of %zu bytes, expected %zu", i, len, sizeof res);
  memcpy(&res, resb, sizeof res);
  if (res.seal != wk_hash(&res, offsetof(pr_res, seal), 0))
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result checksum mismatch", i);
  if (res.n != it->n)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result for %llu, expected %llu", i,
                   (unsigned long long)res.n, (unsigned long long)it->n);
  if (e->w && res.divisions != it->limit)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu (n=%llu): %llu divisions, expected %llu", i,
                   (unsigned long long)it->n, (unsigned long long)res.divisions, (unsigned long long)it->limit);
  if (it->limit >= e->w) {
    if (!res.decided || (int)res.prime != e->prime || res.factor != e->factor)
      return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: wrong answer for %llu: %s (factor %llu), expected %s (factor %llu)",
                     i, (unsigned long long)it->n, !res.decided ? "undecided" : res.prime ? "prime" : "composite",
                     (unsigned long long)res.factor, e->prime ? "prime" : "composite", (unsigned long long)e->factor);
  } else if (res.decided) {
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: %llu decided after %llu of %llu divisions", i,
                   (unsigned long long)it->n, (unsigned long long)res.divisions, (unsigned long long)e->w);
  }
  return 0;
}

/* The shortest item compute time the ideal model claims to describe. */
#define PR_IDEAL_MIN_ITEM_S 20e-6

static double pr_ideal(const cf_wk_run *r, int workers, int ncpus, cf_backend b) {
  const pr_priv *p = r->priv;
  if (p->div_per_s <= 0 || p->mean_divs <= 0) return 0;
  double r1 = p->div_per_s / p->mean_divs;
  /* Below ~20 us of computing an item (fine-grained ranges: most numbers
   * have a small factor), the executor's per-item cost, which this model
   * knows nothing of, sets the rate: an "ideal" of pure trial division
   * read as 1-4% efficiency.  No ideal model there, rather than a wrong one. */
  if (1 / r1 < PR_IDEAL_MIN_ITEM_S) return 0;
  if (b == CF_BACKEND_THREAD && wk_num(r, "gil") != 0) return r1;
  return (workers < ncpus ? workers : ncpus) * r1;
}

static void pr_teardown(cf_wk_run *r) {
  pr_priv *p = r->priv;
  if (!p) return;
  free(p->exp);
  free(p);
  r->priv = NULL;
}

const wk_def wk_primes = {
    CF_WK_ABI_VERSION,
    {"primes", CF_WK_CPU, "trial-division primality (Python docs' is_prime), checked answers", params, 5},
    specs, pr_task, 6, pr_prepare, pr_check, pr_ideal, pr_teardown, NULL, NULL, NULL, 0, NULL, NULL,
};

/* For the tests: the number and answer in a primes result.  0, or -1 if
 * the bytes are not a (sealed) primes result; *prime is -1 when undecided. */
int cf__wk_primes_decode(const void *resb, size_t len, uint64_t *n, int *prime) {
  pr_res res;
  if (len != sizeof res) return -1;
  memcpy(&res, resb, sizeof res);
  if (res.seal != wk_hash(&res, offsetof(pr_res, seal), 0)) return -1;
  *n = res.n;
  *prime = res.decided ? (int)res.prime : -1;
  return 0;
}
