/* clock.c -- the clock of the per-task records: CLOCK_MONOTONIC
 * nanoseconds, read from the TSC when the kernel itself keeps time with it.
 *
 * Why: a record costs two clock reads per task, and on a VM clock_gettime's
 * vDSO path (a fenced rdtsc, a seqlock, a multiply) was the largest single
 * item of a batched profile (about 30% of cycles; 2.5x a plain rdtsc).
 * Here a plain rdtsc is scaled from an anchor, a (tsc, CLOCK_MONOTONIC)
 * pair shared by every thread; whoever finds the anchor older than
 * REFRESH_NS takes a new pair with clock_gettime and derives the rate from
 * the two anchors, so the rate follows NTP's slewing and every value stays
 * within about a microsecond of clock_gettime's.  A pair whose two rdtsc
 * reads are far apart (the thread was preempted between them) is not used.
 * Until two anchors REFRESH_NS apart exist, and on machines whose
 * clocksource is not the TSC (or not x86-64), every read is
 * clock_gettime's.  Values read in different threads around an anchor
 * change may be out of order by the anchor's error: the record's users
 * clamp (start >= enqueue, end >= start). */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <x86intrin.h>

#define REFRESH_NS 2000000ull   /* anchor's age at which a reader takes a new one */
#define PAIR_MAX_TICKS 2048ull  /* rdtsc, clock_gettime, rdtsc: at most this apart */
#define BEHIND_MAX_TICKS 4096ull /* a TSC this far behind the anchor reads as the anchor */
#define SOURCE_FILE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

/* The shared anchor: a seqlock (seq odd while a writer changes it). */
static struct {
  _Alignas(CF_CACHELINE) _Atomic unsigned seq;
  _Atomic uint64_t ns, tsc;  /* the pair */
  _Atomic uint64_t mult;     /* ns per tick << 32; 0: no rate yet */
} anchor;

static pthread_once_t source_once = PTHREAD_ONCE_INIT;
static int use_tsc;            /* set once: the kernel's clocksource is the TSC */
/* Set (release) once source_check has run: every read after the first
 * skips pthread_once, a call through the PLT and a fenced look, twice a
 * task. */
static _Atomic int source_known;

static void source_check(void) {
  char buf[32] = "";
  FILE *fp = fopen(SOURCE_FILE, "re");
  if (fp) {
    if (!fgets(buf, sizeof buf, fp)) buf[0] = 0;
    fclose(fp);
  }
  use_tsc = strcmp(buf, "tsc\n") == 0;
  atomic_store_explicit(&source_known, 1, memory_order_release);
}

/* A new pair; made the anchor if it is good and this thread wins the
 * seqlock.  Returns clock_gettime's value. */
static uint64_t refresh(void) {
  uint64_t a = __rdtsc();
  uint64_t ns = cf__now_ns();
  uint64_t b = __rdtsc();
  unsigned s = atomic_load_explicit(&anchor.seq, memory_order_relaxed);
  if (b < a || b - a > PAIR_MAX_TICKS || (s & 1) ||
      !atomic_compare_exchange_strong_explicit(&anchor.seq, &s, s + 1, memory_order_acquire,
                                               memory_order_relaxed))
    return ns;
  uint64_t mid = a + (b - a) / 2;
  uint64_t ns0 = atomic_load_explicit(&anchor.ns, memory_order_relaxed);
  uint64_t tsc0 = atomic_load_explicit(&anchor.tsc, memory_order_relaxed);
  uint64_t mult = atomic_load_explicit(&anchor.mult, memory_order_relaxed);
  int first = tsc0 == 0;
  int spans = !first && mid > tsc0 && ns >= ns0 + REFRESH_NS;
  if (spans) mult = (uint64_t)(((unsigned __int128)(ns - ns0) << 32) / (mid - tsc0));
  /* Without a rate yet, the first anchor stays until a pair far enough
   * from it gives one. */
  if (first || mult) {
    atomic_store_explicit(&anchor.ns, ns, memory_order_relaxed);
    atomic_store_explicit(&anchor.tsc, mid, memory_order_relaxed);
    atomic_store_explicit(&anchor.mult, mult, memory_order_relaxed);
  }
  atomic_store_explicit(&anchor.seq, s + 2, memory_order_release);
  return ns;
}

uint64_t cf__clock_ns(void) {
  if (__builtin_expect(!atomic_load_explicit(&source_known, memory_order_acquire), 0))
    pthread_once(&source_once, source_check);
  if (!use_tsc) return cf__now_ns();
  unsigned s = atomic_load_explicit(&anchor.seq, memory_order_acquire);
  uint64_t ns0 = atomic_load_explicit(&anchor.ns, memory_order_relaxed);
  uint64_t tsc0 = atomic_load_explicit(&anchor.tsc, memory_order_relaxed);
  uint64_t mult = atomic_load_explicit(&anchor.mult, memory_order_relaxed);
  atomic_thread_fence(memory_order_acquire);
  uint64_t t = __rdtsc();
  if (!(s & 1) && mult && atomic_load_explicit(&anchor.seq, memory_order_relaxed) == s) {
    /* A little behind the anchor: another CPU's TSC (here vCPUs differ by
     * a few hundred ticks) or an rdtsc done early; the anchor's time is as
     * close as clock_gettime would be. */
    if (t < tsc0) {
      if (tsc0 - t < BEHIND_MAX_TICKS) return ns0;
    } else {
      uint64_t d = (uint64_t)(((unsigned __int128)(t - tsc0) * mult) >> 32);
      if (d < REFRESH_NS) return ns0 + d;
    }
  }
  return refresh(); /* stale, changing, or far behind the anchor */
}

#else /* not x86-64: clock_gettime */

uint64_t cf__clock_ns(void) { return cf__now_ns(); }

#endif
