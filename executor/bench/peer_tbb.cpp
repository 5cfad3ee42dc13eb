// peer_tbb.cpp -- oneTBB's task_group in a task_arena of `workers` slots as
// a bench_peers contender (bench-only C++; the library stays C).  As in any
// TBB program, the waiting thread takes part: at W=1 it runs every task.
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#include <time.h>

#include "peers.h"

namespace {

struct tbbpool {
  tbb::task_arena arena;
  explicit tbbpool(int w) : arena(w) {}
};

double now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// Called through a volatile pointer, as the other contenders call a task
// function: the compiler cannot drop the work.
void empty_task() {}
void (*volatile task_fn)() = empty_task;

void *t_open(int workers) { return new tbbpool(workers); }

double t_batched(void *pool, long n) {
  auto *p = static_cast<tbbpool *>(pool);
  double t0 = now();
  p->arena.execute([&] {
    tbb::task_group tg;
    for (long i = 0; i < n; i++) tg.run([] { task_fn(); });
    tg.wait();
  });
  return (now() - t0) / double(n);
}

void t_close(void *pool) { delete static_cast<tbbpool *>(pool); }

}  // namespace

extern "C" const peer cf_peer_tbb = {"onetbb", t_open, t_batched, nullptr, nullptr, t_close};
