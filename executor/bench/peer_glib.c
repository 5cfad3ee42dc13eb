/* peer_glib.c -- GLib's GThreadPool as a bench_peers contender: push one
 * item per task; the task that completes the batch signals the waiter. */
#include <glib.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bench.h"
#include "peers.h"

typedef struct gpool {
  GThreadPool *pool;
  atomic_long count;
  long target;
  long sleep_ns;
  GMutex lock;
  GCond cond;
} gpool;

static void g_task(gpointer data, gpointer ud) {
  gpool *g = ud;
  (void)data;
  if (g->sleep_ns) bench_sleep_ns(g->sleep_ns);
  if (atomic_fetch_add(&g->count, 1) + 1 == g->target) {
    g_mutex_lock(&g->lock);
    g_cond_signal(&g->cond);
    g_mutex_unlock(&g->lock);
  }
}

static void g_wait(gpool *g) {
  g_mutex_lock(&g->lock);
  while (atomic_load(&g->count) < g->target) g_cond_wait(&g->cond, &g->lock);
  g_mutex_unlock(&g->lock);
}

static void *g_open(int workers) {
  gpool *g = calloc(1, sizeof *g);
  g_mutex_init(&g->lock);
  g_cond_init(&g->cond);
  g->pool = g_thread_pool_new(g_task, g, workers, TRUE, NULL);
  return g;
}

static double g_batch(gpool *g, long n, long sleep_ns) {
  atomic_store(&g->count, 0);
  g->target = n;
  g->sleep_ns = sleep_ns;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) g_thread_pool_push(g->pool, GINT_TO_POINTER(1), NULL);
  g_wait(g);
  return now_ns() - t0;
}

static double g_batched(void *pool, long n) { return g_batch(pool, n, 0) / (double)n; }
static double g_sleeps(void *pool, long n, long ns) { return g_batch(pool, n, ns); }

static double g_roundtrip(void *pool, long n) {
  gpool *g = pool;
  atomic_store(&g->count, 0);
  g->sleep_ns = 0;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    g->target = i + 1;
    g_thread_pool_push(g->pool, GINT_TO_POINTER(1), NULL);
    g_wait(g);
  }
  return (now_ns() - t0) / (double)n;
}

static void g_close(void *pool) {
  gpool *g = pool;
  g_thread_pool_free(g->pool, FALSE, TRUE);
  g_mutex_clear(&g->lock);
  g_cond_clear(&g->cond);
  free(g);
}

const peer cf_peer_glib = {"glib", g_open, g_batched, g_roundtrip, g_sleeps, g_close};
