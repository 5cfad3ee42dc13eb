/* memtouch.c -- the `memtouch` workload: each item mmaps `mib` MiB of
 * anonymous memory, writes one byte in every page (a page fault each),
 * reads them all back and munmaps.  Page-fault and mm-lock heavy: threads
 * share one address space (and its locks), processes do not.  The result
 * proves every page was touched: the count of pages whose byte reads back
 * non-zero (fresh pages read 0) and the sum of those bytes, both checked.
 *
 * Ideal rate: min(workers, ncpus) x r1 (thread backend with gil=1: r1),
 * r1 = items per second of one worker, measured at prepare on up to 64 MiB
 * and scaled linearly to `mib`. */
#include "wk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct mt_item {
  uint64_t bytes, page, seed;
  uint32_t gil, pad;
} mt_item;

typedef struct mt_res {
  uint64_t pages, nonzero, sum;
} mt_res;

typedef struct mt_priv { double r1; } mt_priv;

static const cf_wk_param params[] = {
    {"mib", "16", "MiB mapped and touched per item", 1, 4096},
    {"gil", "off", "hold the process-wide emulated GIL while touching", 0, 1},
};
static const wk_pspec specs[] = {{WK_INT, 0, NULL}, {WK_BOOL, 0, NULL}};

static unsigned char page_byte(uint64_t i, uint64_t seed) { return (unsigned char)((i * 131 + seed) | 1); }

static int touch(const mt_item *it, mt_res *res) {
  memset(res, 0, sizeof *res);
  unsigned char *m = mmap(NULL, it->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return errno ? errno : 12;
  uint64_t pages = it->bytes / it->page;
  for (uint64_t i = 0; i < pages; i++) m[i * it->page + (i * 64) % it->page] = page_byte(i, it->seed);
  for (uint64_t i = 0; i < pages; i++) {
    unsigned char b = ((volatile unsigned char *)m)[i * it->page + (i * 64) % it->page];
    res->nonzero += b != 0;
    res->sum += b;
  }
  res->pages = pages;
  munmap(m, it->bytes);
  return 0;
}

static int mt_task(const void *arg, size_t len, cf_result *out) {
  mt_item it;
  if (len != sizeof it) return 22;
  memcpy(&it, arg, sizeof it);
  mt_res res;
  wk_gil_lock((int)it.gil);
  int rc = touch(&it, &res);
  wk_gil_unlock((int)it.gil);
  if (rc) return rc;
  return cf_result_set(out, &res, sizeof res) ? 12 : 0;
}

static int mt_prepare(cf_wk_run *r, char *err, size_t errlen) {
  mt_priv *p = calloc(1, sizeof *p);
  if (!p) return CF_ENOMEM;
  r->priv = p;
  size_t n = r->nitems ? r->nitems : 32;
  mt_item *items = wk_items_fixed(r, n, sizeof(mt_item));
  if (!items) return CF_ENOMEM;
  long pg = sysconf(_SC_PAGESIZE);
  uint64_t page = pg > 0 ? (uint64_t)pg : 4096;
  uint64_t mib = (uint64_t)wk_num(r, "mib");
  for (size_t i = 0; i < n; i++) {
    items[i].bytes = mib << 20;
    items[i].page = page;
    items[i].seed = i;
    items[i].gil = wk_num(r, "gil") != 0;
  }
  mt_item cal = {(mib < 64 ? mib : 64) << 20, page, 7, 0, 0};
  /* One untimed touch first: the first mapping after start-up finds the
   * kernel's free lists cold and came out slower than the run's items, so
   * the ideal read as 111-133% efficiency; then the best of 5. */
  double best = 0;
  for (int k = -1; k < 5; k++) {
    mt_res res;
    uint64_t t0 = wk_now_ns();
    int rc = touch(&cal, &res);
    double dt = (double)(wk_now_ns() - t0) / 1e9;
    if (k < 0 && !rc) continue;
    if (rc) return wk_fail(r, err, errlen, CF_ENOMEM, "cannot map %llu MiB: %s", (unsigned long long)(cal.bytes >> 20), strerror(rc));
    if (dt > 0 && 1 / dt > best) best = 1 / dt;
  }
  p->r1 = best * (double)cal.bytes / (double)(mib << 20);
  return 0;
}

static int mt_check(cf_wk_run *r, size_t i, const void *resb, size_t len, char *err, size_t errlen) {
  const mt_item *it = r->item_ptr[i];
  mt_res res;
  if (len != sizeof res) return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: result of %zu bytes, expected %zu", i, len, sizeof res);
  memcpy(&res, resb, sizeof res);
  uint64_t pages = it->bytes / it->page, sum = 0;
  for (uint64_t k = 0; k < pages; k++) sum += page_byte(k, it->seed);
  if (res.pages != pages || res.nonzero != pages || res.sum != sum)
    return wk_fail(r, err, errlen, CF_EINVAL, "item %zu: %llu of %llu pages touched (sum %llu, expected %llu)", i,
                   (unsigned long long)res.nonzero, (unsigned long long)pages, (unsigned long long)res.sum,
                   (unsigned long long)sum);
  return 0;
}

static double mt_ideal(const cf_wk_run *r, int workers, int ncpus, cf_backend b) {
  const mt_priv *p = r->priv;
  if (b == CF_BACKEND_THREAD && wk_num(r, "gil") != 0) return p->r1;
  return (workers < ncpus ? workers : ncpus) * p->r1;
}

static void mt_teardown(cf_wk_run *r) {
  free(r->priv);
  r->priv = NULL;
}

const wk_def wk_memtouch = {
    CF_WK_ABI_VERSION,
    {"memtouch", CF_WK_MEMORY, "each item maps, touches every page of, and unmaps `mib` MiB", params, 2},
    specs, mt_task, 32, mt_prepare, mt_check, mt_ideal, mt_teardown, NULL, NULL, NULL, 0, NULL, NULL,
};
