/* futex.c -- futex wait/wake with CLOCK_MONOTONIC deadlines, and deadlines. */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

uint64_t cf__deadline(double timeout_s) {
  if (timeout_s < 0) return UINT64_MAX;
  if (timeout_s > 1e9) return UINT64_MAX;
  return cf__now_ns() + (uint64_t)(timeout_s * 1e9);
}

int cf__futex_wait(_Atomic int *addr, int val, uint64_t deadline, int shared) {
  struct timespec ts, *tsp = NULL;
  if (deadline != UINT64_MAX) {
    uint64_t now = cf__now_ns();
    if (now >= deadline) return CF_ETIMEDOUT;
    uint64_t rel = deadline - now;
    ts.tv_sec = (time_t)(rel / 1000000000ull);
    ts.tv_nsec = (long)(rel % 1000000000ull);
    tsp = &ts;
  }
  int op = FUTEX_WAIT | (shared ? 0 : FUTEX_PRIVATE_FLAG);
  long rc = syscall(SYS_futex, (int *)addr, op, val, tsp, NULL, 0);
  if (rc == -1 && errno == ETIMEDOUT) return CF_ETIMEDOUT;
  return 0; /* woken, value changed (EAGAIN) or EINTR: caller re-checks */
}

void cf__futex_wake(_Atomic int *addr, int n, int shared) {
  int op = FUTEX_WAKE | (shared ? 0 : FUTEX_PRIVATE_FLAG);
  syscall(SYS_futex, (int *)addr, op, n, NULL, NULL, 0);
}
