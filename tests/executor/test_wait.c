/* test_wait.c -- cf_wait in its three modes and cf_as_completed (order,
 * timeout, duplicates). */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void release_all(cf_future **fs, size_t n) {
  for (size_t i = 0; i < n; i++) cf_future_release(fs[i]);
}

static void wait_all(void) {
  cf_executor *ex = make_ex(3);
  cf_future *fs[3] = {submit_int(ex, t_sleep, 50), submit_int(ex, t_sleep, 10), submit_int(ex, t_sleep, 30)};
  size_t nd = 99;
  CHECK_EQ(cf_wait(fs, 3, CF_ALL_COMPLETED, 10, &nd), 0);
  CHECK_EQ(nd, 3);
  for (int i = 0; i < 3; i++) CHECK(cf_future_done(fs[i]));
  /* nothing to wait for */
  CHECK_EQ(cf_wait(NULL, 0, CF_ALL_COMPLETED, 1, &nd), 0);
  CHECK_EQ(nd, 0);
  CHECK_EQ(cf_wait(fs, 3, (cf_wait_mode)9, 1, &nd), CF_EINVAL);
  release_all(fs, 3);
  cf_executor_free(ex);
}

static void wait_first_completed(void) {
  cf_executor *ex = make_ex(2);
  gates g;
  gates_init(&g);
  /* fs[0] cannot end before its gate opens: the wait returned on fs[1] */
  cf_future *fs[2] = {submit_gate(ex, &g, 0), submit_int(ex, t_sleep, 20)};
  size_t nd = 0;
  CHECK_EQ(cf_wait(fs, 2, CF_FIRST_COMPLETED, 20, &nd), 0);
  CHECK_EQ(nd, 1);
  CHECK(cf_future_done(fs[1]));
  CHECK(!cf_future_done(fs[0]));
  gate_open(&g, 0);
  CHECK_EQ(result_int(fs[0]), 0);
  release_all(fs, 2);
  cf_executor_free(ex);
  gates_free(&g);
}

static void wait_first_exception(void) {
  cf_executor *ex = make_ex(3);
  gates g;
  gates_init(&g);
  /* a quick success does not end FIRST_EXCEPTION; the failure does (fs[2]
   * cannot end before its gate opens) */
  cf_future *fs[3] = {submit_int(ex, t_sleep, 5), submit_sleep_fail(ex, 100, 3), submit_gate(ex, &g, 2)};
  /* the success first, whatever the order a loaded machine starts them in
   * (a spawned TSan worker took longer than 100 ms to start) */
  CHECK_EQ(result_int(fs[0]), 5);
  size_t nd = 0;
  CHECK_EQ(cf_wait(fs, 3, CF_FIRST_EXCEPTION, 20, &nd), 0);
  CHECK(cf_future_done(fs[1])); /* not before the failure */
  CHECK(cf_future_done(fs[0]));
  CHECK_EQ(cf_future_error(fs[1]), CF_ETASK);
  CHECK(!cf_future_done(fs[2]));
  CHECK_EQ(nd, 2);
  gate_open(&g, 2);
  CHECK_EQ(result_int(fs[2]), 2);
  release_all(fs, 3);
  gates_free(&g);
  /* without any failure it returns when all are done */
  cf_future *gs[2] = {submit_int(ex, t_sleep, 10), submit_int(ex, t_sleep, 30)};
  CHECK_EQ(cf_wait(gs, 2, CF_FIRST_EXCEPTION, 10, &nd), 0);
  CHECK_EQ(nd, 2);
  release_all(gs, 2);
  cf_executor_free(ex);
}

static void wait_timeout(void) {
  cf_executor *ex = make_ex(2);
  gates g;
  gates_init(&g);
  cf_future *fs[2] = {submit_int(ex, t_sleep, 10), submit_gate(ex, &g, 1)};
  CHECK_EQ(result_int(fs[0]), 10); /* done before the wait: nd is 1 however slow the workers start */
  size_t nd = 0;
  double t0 = now_s();
  CHECK_EQ(cf_wait(fs, 2, CF_ALL_COMPLETED, 0.2, &nd), CF_ETIMEDOUT);
  double took = now_s() - t0;
  CHECK(took >= 0.199);
  /* returns at the timeout, not at the gated task's end: 10x the timeout
   * bounds that loosely enough for a loaded CI machine */
  CHECK(took <= 2.0);
  CHECK_EQ(nd, 1);
  gate_open(&g, 1);
  release_all(fs, 2);
  cf_executor_free(ex);
  gates_free(&g);
}

static void as_completed_order(void) {
  /* gated tasks (common.h) give the completion order without relying on
   * sleeps finishing in order on a loaded machine */
  cf_executor *ex = make_ex(4);
  gates g;
  gates_init(&g);
  cf_future *fs[4];
  for (int i = 0; i < 4; i++) fs[i] = submit_gate(ex, &g, i);
  cf_as_completed *it;
  CHECK_EQ(cf_as_completed_new(fs, 4, 60, &it), 0);
  int order[4] = {3, 1, 2, 0}; /* open one gate at a time */
  cf_future *f;
  for (int k = 0; k < 4; k++) {
    gate_open(&g, order[k]);
    CHECK_EQ(cf_as_completed_next(it, &f), 0);
    CHECK(cf_future_done(f));
    CHECK(f == fs[order[k]]);
    CHECK_EQ(result_int(f), order[k]);
  }
  CHECK_EQ(cf_as_completed_next(it, &f), CF_EOF);
  CHECK(f == NULL);
  cf_as_completed_free(it);
  release_all(fs, 4);
  cf_executor_free(ex);
  gates_free(&g);
}

static void as_completed_done_first_and_dupes(void) {
  cf_executor *ex = make_ex(2);
  cf_future *a = submit_int(ex, t_sleep, 1);
  result_int(a); /* already done before iteration starts */
  cf_future *b = submit_int(ex, t_sleep, 50);
  cf_future *fs[4] = {b, a, b, a};
  cf_as_completed *it;
  CHECK_EQ(cf_as_completed_new(fs, 4, 10, &it), 0);
  cf_future *f;
  CHECK_EQ(cf_as_completed_next(it, &f), 0);
  CHECK(f == a);
  CHECK_EQ(cf_as_completed_next(it, &f), 0);
  CHECK(f == b);
  CHECK_EQ(cf_as_completed_next(it, &f), CF_EOF);
  cf_as_completed_free(it);
  cf_future_release(a);
  cf_future_release(b);
  cf_executor_free(ex);
}

/* cf_wait counts the entries of fs that are done: one future listed three
 * times counts three times (cfutures.h), so ALL_COMPLETED gives n. */
static void wait_counts_entries(void) {
  cf_executor *ex = make_ex(1);
  cf_future *a = submit_int(ex, t_sleep, 0);
  result_int(a);
  cf_future *fs[3] = {a, a, a};
  size_t nd = 0;
  CHECK_EQ(cf_wait(fs, 3, CF_ALL_COMPLETED, 1, &nd), 0);
  CHECK_EQ(nd, 3);
  CHECK_EQ(cf_wait(fs, 3, CF_FIRST_COMPLETED, 1, &nd), 0);
  CHECK_EQ(nd, 3);
  cf_future_release(a);
  cf_executor_free(ex);
}

static void as_completed_timeout(void) {
  cf_executor *ex = make_ex(2);
  gates g;
  gates_init(&g);
  cf_future *fs[2] = {submit_int(ex, t_sleep, 30), submit_gate(ex, &g, 1)};
  CHECK_EQ(result_int(fs[0]), 30); /* done before the 0.3 s start, however slow the workers start */
  double t0 = now_s();
  cf_as_completed *it;
  CHECK_EQ(cf_as_completed_new(fs, 2, 0.3, &it), 0);
  cf_future *f;
  CHECK_EQ(cf_as_completed_next(it, &f), 0);
  CHECK(f == fs[0]);
  CHECK_EQ(cf_as_completed_next(it, &f), CF_ETIMEDOUT);
  double took = now_s() - t0;
  CHECK(took >= 0.299);
  /* the timeout counts from creation (not 0.3 s per next); 10x the timeout
   * bounds that loosely enough for a loaded CI machine */
  CHECK(took <= 3.0);
  CHECK(!cf_future_done(fs[1]));
  cf_as_completed_free(it);
  gate_open(&g, 1);
  release_all(fs, 2);
  cf_executor_free(ex);
  gates_free(&g);
}

/* CPython's test_free_reference_yielded_future: the iterator must not touch
 * a future after it has yielded it, so the caller may release each yielded
 * future at once, even free the executor before the iterator; and it keeps
 * its own reference to the futures it has not yielded yet. */
static void as_completed_release_yielded(void) {
  cf_executor *ex = make_ex(2);
  cf_future *fs[3] = {submit_int(ex, t_sleep, 30), submit_int(ex, t_sleep, 60), submit_int(ex, t_sleep, 90)};
  cf_as_completed *it;
  CHECK_EQ(cf_as_completed_new(fs, 3, 10, &it), 0);
  cf_future_release(fs[2]); /* dropped before it is yielded: the iterator holds it */
  cf_future *f;
  int n = 0, rc;
  while ((rc = cf_as_completed_next(it, &f)) == 0) {
    CHECK(cf_future_done(f));
    if (f != fs[2]) cf_future_release(f);
    n++;
  }
  CHECK_EQ(rc, CF_EOF);
  CHECK_EQ(n, 3);
  cf_executor_free(ex);
  cf_as_completed_free(it); /* ASan: no use of a released future */
}

int main(int argc, char **argv) {
  set_backend(argc, argv);
  static const test_case cases[] = {
      {"wait_all", wait_all},
      {"wait_first_completed", wait_first_completed},
      {"wait_first_exception", wait_first_exception},
      {"wait_timeout", wait_timeout},
      {"as_completed_order", as_completed_order},
      {"as_completed_done_first_and_dupes", as_completed_done_first_and_dupes},
      {"as_completed_timeout", as_completed_timeout},
      {"wait_counts_entries", wait_counts_entries},
      {"as_completed_release_yielded", as_completed_release_yielded},
      {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
