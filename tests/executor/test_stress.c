/* test_stress.c -- 8 submitter threads x 100k tasks each on one executor:
 * no result lost, duplicated or wrong; counters add up. */
#include "common.h"

#include <pthread.h>
#include <stdlib.h>

#define SUBMITTERS 8
#define WINDOW 512

static cf_executor *g_ex;
static size_t g_per_thread = 100000;

static void *submitter(void *p) {
  uint64_t tid = (uint64_t)(uintptr_t)p;
  unsigned char *seen = calloc(g_per_thread, 1);
  cf_future *win[WINDOW];
  for (size_t base = 0; base < g_per_thread; base += WINDOW) {
    size_t n = g_per_thread - base < WINDOW ? g_per_thread - base : WINDOW;
    for (size_t i = 0; i < n; i++) {
      uint64_t v = (tid << 32) | (base + i);
      CHECK_EQ(cf_submit(g_ex, t_add1, &v, sizeof v, &win[i]), 0);
    }
    for (size_t i = 0; i < n; i++) {
      const void *d;
      size_t len;
      CHECK_EQ(cf_future_result(win[i], -1, &d, &len), 0);
      CHECK_EQ(len, 8);
      uint64_t r;
      memcpy(&r, d, 8);
      r--;
      CHECK_EQ(r >> 32, tid);
      size_t idx = (size_t)(r & 0xffffffffu);
      CHECK_EQ(idx, base + i);
      CHECK_EQ(seen[idx], 0);
      seen[idx] = 1;
      cf_future_release(win[i]);
    }
  }
  for (size_t i = 0; i < g_per_thread; i++) CHECK_EQ(seen[i], 1);
  free(seen);
  return NULL;
}

static void stress_submitters(void) {
  const char *env = getenv("CF_STRESS_TASKS");
  if (env) g_per_thread = strtoul(env, NULL, 10);
  g_ex = make_ex(4);
  pthread_t th[SUBMITTERS];
  for (uintptr_t i = 0; i < SUBMITTERS; i++) CHECK_EQ(pthread_create(&th[i], NULL, submitter, (void *)i), 0);
  for (int i = 0; i < SUBMITTERS; i++) pthread_join(th[i], NULL);
  cf_executor_stats st;
  cf_executor_stats_get(g_ex, &st);
  CHECK_EQ(st.submitted, SUBMITTERS * g_per_thread);
  CHECK_EQ(st.completed, SUBMITTERS * g_per_thread);
  CHECK_EQ(st.failed, 0);
  fprintf(stderr, "   %zu tasks ok\n", (size_t)st.completed);
  cf_executor_free(g_ex);
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  static const test_case cases[] = {{"stress_submitters", stress_submitters}, {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
