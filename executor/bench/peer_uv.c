/* peer_uv.c -- libuv's uv_queue_work as a bench_peers contender: queue one
 * request per task and run the loop until every after-work callback ran.
 * libuv has one thread pool per process, sized once from UV_THREADPOOL_SIZE:
 * bench_peers runs each worker count in a child process of its own and sets
 * it there; open() refuses a count that differs from the pool's. */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "bench.h"
#include "peers.h"

typedef struct uvpool {
  uv_loop_t loop;
  uv_work_t *reqs;
  long cap, done;
  long sleep_ns;
} uvpool;

static void *uvp_open(int workers) {
  const char *env = getenv("UV_THREADPOOL_SIZE");
  if (!env || atoi(env) != workers) return NULL;
  uvpool *p = calloc(1, sizeof *p);
  uv_loop_init(&p->loop);
  return p;
}

static void work_cb(uv_work_t *req) {
  uvpool *p = req->data;
  if (p->sleep_ns) bench_sleep_ns(p->sleep_ns);
}

static void after_cb(uv_work_t *req, int status) {
  uvpool *p = req->data;
  (void)status;
  p->done++;
}

static uv_work_t *reqs(uvpool *p, long n) {
  if (n > p->cap) {
    free(p->reqs);
    p->reqs = calloc((size_t)n, sizeof *p->reqs);
    if (!p->reqs) abort();
    p->cap = n;
  }
  return p->reqs;
}

static double uv_batch(uvpool *p, long n, long sleep_ns) {
  uv_work_t *r = reqs(p, n);
  p->done = 0;
  p->sleep_ns = sleep_ns;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    r[i].data = p;
    uv_queue_work(&p->loop, &r[i], work_cb, after_cb);
  }
  while (p->done < n) uv_run(&p->loop, UV_RUN_ONCE);
  return now_ns() - t0;
}

static double uvp_batched(void *pool, long n) { return uv_batch(pool, n, 0) / (double)n; }
static double uvp_sleeps(void *pool, long n, long ns) { return uv_batch(pool, n, ns); }

static double uvp_roundtrip(void *pool, long n) {
  uvpool *p = pool;
  uv_work_t *r = reqs(p, 1);
  p->done = 0;
  p->sleep_ns = 0;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    r->data = p;
    uv_queue_work(&p->loop, r, work_cb, after_cb);
    while (p->done <= i) uv_run(&p->loop, UV_RUN_ONCE);
  }
  return (now_ns() - t0) / (double)n;
}

static void uvp_close(void *pool) {
  uvpool *p = pool;
  uv_run(&p->loop, UV_RUN_DEFAULT);
  uv_loop_close(&p->loop);
  free(p->reqs);
  free(p);
}

const peer cf_peer_uv = {"libuv", uvp_open, uvp_batched, uvp_roundtrip, uvp_sleeps, uvp_close};
