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
 *          which both sides sleep */
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

static void post(_Atomic uint32_t *w, uint32_t v, proc_floor_kind kind) {
  atomic_store(w, v);
  if (kind == PROC_FLOOR_FUTEX) fx_wake(w);
}

static _Noreturn void child(floor_page *p, proc_floor_kind kind) {
  uint32_t last = 0;
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
  pid_t pid = fork();
  if (pid < 0) {
    munmap(p, sizeof *p);
    return -1;
  }
  if (pid == 0) child(p, kind);
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
  munmap(p, sizeof *p);
  return t;
}
