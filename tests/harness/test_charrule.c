/* test_charrule.c -- the rules `cfbench characterize` plans and recommends
 * with: the no-op cost split into per-message and per-item parts, the
 * smallest chunksize keeping that cost under 5% of an item, and the worker
 * counts swept for CPU-bound and I/O-bound work. */
#include <math.h>
#include <stdio.h>

#include "characterize_run.h"
#include "charrule.h"
#include "task.h"

static void test_split(void) {
  double m, i;
  /* 10 us per message + 1 us per item: 11 at chunksize 1, 10/64 + 1 at 64 */
  cfb_char_overhead_split(11, 10.0 / 64 + 1, 64, &m, &i);
  CHECK(fabs(m - 10) < 1e-9 && fabs(i - 1) < 1e-9);
  /* noise made chunking look slower: all of it per item */
  cfb_char_overhead_split(5, 6, 64, &m, &i);
  CHECK(m == 0 && i == 5);
}

static void test_chunksize(void) {
  /* 10 us per message, 0 per item, 1 ms items: 5% is 50 us, chunk 1 */
  CHECK_EQ(cfb_char_chunksize(10, 0, 1000), 1);
  /* 100 us items: budget 5 us -> 10 / c <= 5 -> c = 2 */
  CHECK_EQ(cfb_char_chunksize(10, 0, 100), 2);
  /* 1 us per item part, 100 us items: budget 4 us -> c = 3 (10/3 = 3.33) */
  CHECK_EQ(cfb_char_chunksize(10, 1, 100), 3);
  /* the per-item part alone is over 5%: the largest chunksize */
  CHECK_EQ(cfb_char_chunksize(10, 6, 100), CFB_CHAR_CHUNK_MAX);
  /* tiny items need huge chunks: capped */
  CHECK_EQ(cfb_char_chunksize(10, 0, 0.01), CFB_CHAR_CHUNK_MAX);
  /* a missing figure: 1 */
  CHECK_EQ(cfb_char_chunksize(NAN, 0, 100), 1);
  CHECK_EQ(cfb_char_chunksize(10, 0, 0), 1);
}

static void test_workers(void) {
  int w[64];
  /* CPU-bound on 2 CPUs: 1..4, then 8 */
  size_t n = cfb_char_workers(2, 0.95, 0, w, 64);
  CHECK_EQ(n, 5);
  for (size_t i = 0; i < 4; i++) CHECK_EQ(w[i], (int)i + 1);
  CHECK_EQ(w[4], 8);
  /* CPU-bound on 8 CPUs: every count to 16, then 32 */
  n = cfb_char_workers(8, 1, 0, w, 64);
  CHECK_EQ(n, 17);
  CHECK_EQ(w[n - 2], 16);
  CHECK_EQ(w[n - 1], 32);
  /* on one CPU: 1, 2, then 4 and at least 5 */
  n = cfb_char_workers(1, 1, 0, w, 64);
  CHECK_EQ(w[n - 1], 5);
  /* I/O-bound: powers of two far past the CPUs, capped at 256 */
  n = cfb_char_workers(2, 0.001, 0, w, 64);
  CHECK_EQ(w[0], 1);
  CHECK_EQ(w[n - 1], 256);
  for (size_t i = 1; i + 1 < n; i++) CHECK_EQ(w[i], 2 * w[i - 1]);
  /* mixed (50% on CPU, 2 CPUs): 4 x 2 / 0.5 = 16 */
  n = cfb_char_workers(2, 0.5, 0, w, 64);
  CHECK_EQ(w[n - 1], 16);
  /* a fraction a hair over 0.5 still ends at 16 (rounded up, not down to 15) */
  n = cfb_char_workers(2, 0.5008, 0, w, 64);
  CHECK_EQ(w[n - 1], 16);
  /* --max-workers wins, and is swept itself */
  n = cfb_char_workers(2, 0.01, 48, w, 64);
  CHECK_EQ(w[n - 1], 48);
  CHECK_EQ(w[n - 2], 32);
  /* a cap (cfbench bench's 64) cuts the I/O rule's 256 and is swept itself */
  n = cfb_char_workers(2, 0.001, 0, w, 64);
  n = cfb_char_cap_workers(w, n, 64);
  CHECK_EQ(n, 7);
  CHECK_EQ(w[n - 1], 64);
  CHECK_EQ(w[n - 2], 32);
  /* a cap between counts: the counts below it, then the cap */
  n = cfb_char_cap_workers(w, n, 48);
  CHECK_EQ(w[n - 1], 48);
  CHECK_EQ(w[n - 2], 32);
  /* a cap above the rule's counts changes nothing */
  size_t m = cfb_char_workers(2, 1, 0, w, 64);
  CHECK_EQ(cfb_char_cap_workers(w, m, 64), m);
  CHECK_EQ(cfb_char_cap_workers(w, m, 0), m);
}

int main(void) {
  test_split();
  test_chunksize();
  test_workers();
  puts("ok");
  return 0;
}
