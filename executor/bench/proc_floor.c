/* proc_floor.c -- the least a process pool can do for a round trip, for
 * bench_process to hold cfutures' process backend against: a forked child
 * and the parent hand one task back and forth through two words of shared
 * memory, with nothing of a future, a ring, a record or a crash check.
 *
 *   spin   each side waits on the other's word pausing, then between
 *          sched_yield()s (so it still makes progress when the machine has
 *          fewer CPUs than runnable threads, as the backend's waits do)
 *   futex  each side sleeps on the other's word (FUTEX_WAIT, shared) and
 *          wakes the other after every store: the cost of a round trip in
 *          which both sides sleep
 *
 * The two processes are pinned to two different CPUs for the timed loop
 * (the parent's own affinity is put back after).  Unpinned, the spin floor
 * read ~5 us in most rounds of a quiet 2-CPU machine: the child is forked
 * afresh every round, often onto the parent's CPU, and a round (2000 round
 * trips, ~1 ms) ends before the load balancer moves either spinner away, so
 * every hand-off was a 2 us spin plus a sched_yield() to the peer on the
 * same CPU -- a measure of the scheduler, not of a hand-off.  The floor is
 * a hand-off between two processes through shared memory, which needs two
 * CPUs; a pool's long-lived workers get them from the balancer (or from
 * cf_config.pin).  With one CPU allowed nothing is pinned. */
#define _GNU_SOURCE
#include "proc_floor.h"

#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define LINE 64
#define STOP UINT32_MAX /* req: the child exits */

typedef struct floor_page {
  _Alignas(LINE) _Atomic uint32_t req; /* parent -> child: task number */
  _Alignas(LINE) _Atomic uint32_t res; /* child -> parent: task number done */
} floor_page;

static int (*volatile floor_fn)(const void *, size_t, cf_result *) = noop;

static void fx_wait(_Atomic uint32_t *w, uint32_t old) {
  syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, old, NULL, NULL, 0);
}

static void fx_wake(_Atomic uint32_t *w) {
  syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Wait until *w != old; returns the new value.  Spin: pause for the first
 * 2 us, then yield between looks. */
static uint32_t wait_change(_Atomic uint32_t *w, uint32_t old, proc_floor_kind kind) {
  uint32_t v;
  double t0 = 0;
  int yielding = 0;
  for (unsigned k = 1; (v = atomic_load(w)) == old; k++) {
    if (kind == PROC_FLOOR_FUTEX) {
      fx_wait(w, old);
      continue;
    }
    if (yielding) {
      sched_yield();
    } else {
      __builtin_ia32_pause();
      if (k % 64 == 0) {
        if (t0 == 0) t0 = now_ns();
        else yielding = now_ns() - t0 > 2000;
      }
    }
  }
  return v;
}

void proc_floor_pick_cpus(cpu_set_t *old, int *mine, int *other) {
  *mine = *other = -1;
  if (sched_getaffinity(0, sizeof *old, old) != 0 || CPU_COUNT(old) < 2) return;
  int here = sched_getcpu();
  *mine = here >= 0 && CPU_ISSET(here, old) ? here : -1;
  for (int c = 0; c < CPU_SETSIZE && (*mine < 0 || *other < 0); c++) {
    if (!CPU_ISSET(c, old)) continue;
    if (*mine < 0) *mine = c;
    else if (c != *mine) *other = c;
  }
}

void proc_floor_pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  sched_setaffinity(0, sizeof s, &s);
}

static void post(_Atomic uint32_t *w, uint32_t v, proc_floor_kind kind) {
  atomic_store(w, v);
  if (kind == PROC_FLOOR_FUTEX) fx_wake(w);
}

static _Noreturn void child(floor_page *p, proc_floor_kind kind, int cpu) {
  uint32_t last = 0;
  proc_floor_pin(cpu);
  for (;;) {
    last = wait_change(&p->req, last, kind);
    if (last == STOP) _exit(0);
    floor_fn(NULL, 0, NULL);
    post(&p->res, last, kind);
  }
}

double proc_floor_roundtrip(long n, proc_floor_kind kind) {
  floor_page *p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return -1;
  cpu_set_t old;
  int mine, other;
  proc_floor_pick_cpus(&old, &mine, &other);
  pid_t pid = fork();
  if (pid < 0) {
    munmap(p, sizeof *p);
    return -1;
  }
  if (pid == 0) child(p, kind, other < 0 ? -1 : other);
  if (other >= 0) proc_floor_pin(mine);
  post(&p->req, 1, kind); /* one untimed round trip: the child is up */
  wait_change(&p->res, 0, kind);
  double t0 = now_ns();
  for (uint32_t i = 2; i < (uint32_t)n + 2; i++) {
    post(&p->req, i, kind);
    wait_change(&p->res, i - 1, kind);
  }
  double t = (now_ns() - t0) / (double)n;
  post(&p->req, STOP, kind);
  int status;
  waitpid(pid, &status, 0);
  if (other >= 0) sched_setaffinity(0, sizeof old, &old);
  munmap(p, sizeof *p);
  return t;
}
