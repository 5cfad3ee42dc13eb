/* test_pin.c -- pinning.  Placement on hwloc synthetic topologies
 * ("pack:2 core:4 pu:2", "pack:1 core:2 pu:1") with exact PU lists per
 * policy and worker count, wrap-around included; bad lists; then real
 * binding on this machine: a pinned thread executor runs tasks and every
 * task's record.cpu must be the PU planned for its worker, round trips
 * through the hand-off word included. */
#include "common.h"
#include "affinity.h" /* executor-internal placement logic: this test belongs to the executor */

#include <sched.h>
#include <stdatomic.h>

static void expect_plan(const char *topo, cf_pin_policy pol, const int *list, int nlist, int n, const int *want) {
  hwloc_topology_t t;
  CHECK_EQ(cf__topo_load(&t, topo, 0), 0);
  int got[64];
  char err[256] = "";
  int rc = cf__pin_plan(t, pol, list, nlist, n, got, err, sizeof err);
  if (rc) fprintf(stderr, "plan: %s\n", err);
  CHECK_EQ(rc, 0);
  for (int i = 0; i < n; i++) {
    if (got[i] != want[i]) {
      fprintf(stderr, "%s policy %d n=%d: worker %d got PU %d, want %d\n", topo, (int)pol, n, i, got[i], want[i]);
      CHECK(0);
    }
  }
  hwloc_topology_destroy(t);
}

#define PLAN(topo, pol, n, ...)                              \
  do {                                                       \
    const int want_[] = {__VA_ARGS__};                       \
    CHECK_EQ(sizeof want_ / sizeof want_[0], (size_t)(n));   \
    expect_plan(topo, pol, NULL, 0, n, want_);               \
  } while (0)

static const char *BIG = "pack:2 core:4 pu:2", *SMALL = "pack:1 core:2 pu:1";

static void t_compact(void) {
  PLAN(BIG, CF_PIN_COMPACT, 3, 0, 1, 2);
  PLAN(BIG, CF_PIN_COMPACT, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  PLAN(BIG, CF_PIN_COMPACT, 18, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1);
  PLAN(SMALL, CF_PIN_COMPACT, 1, 0);
  PLAN(SMALL, CF_PIN_COMPACT, 2, 0, 1);
  PLAN(SMALL, CF_PIN_COMPACT, 5, 0, 1, 0, 1, 0);
}

static void t_scatter(void) {
  PLAN(BIG, CF_PIN_SCATTER, 1, 0);
  PLAN(BIG, CF_PIN_SCATTER, 2, 0, 8);           /* one per package */
  PLAN(BIG, CF_PIN_SCATTER, 3, 0, 4, 8);
  PLAN(BIG, CF_PIN_SCATTER, 4, 0, 4, 8, 12);    /* every other core */
  PLAN(BIG, CF_PIN_SCATTER, 8, 0, 2, 4, 6, 8, 10, 12, 14); /* one per core */
  PLAN(BIG, CF_PIN_SCATTER, 9, 0, 1, 2, 4, 6, 8, 10, 12, 14);
  PLAN(BIG, CF_PIN_SCATTER, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  PLAN(BIG, CF_PIN_SCATTER, 18, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1);
  PLAN(SMALL, CF_PIN_SCATTER, 1, 0);
  PLAN(SMALL, CF_PIN_SCATTER, 2, 0, 1);
  PLAN(SMALL, CF_PIN_SCATTER, 3, 0, 1, 0);
}

static void t_list_none(void) {
  const int l1[] = {5, 3, 14};
  const int w1[] = {5, 3, 14, 5, 3};
  expect_plan(BIG, CF_PIN_LIST, l1, 3, 5, w1);
  const int l2[] = {1};
  const int w2[] = {1, 1, 1};
  expect_plan(SMALL, CF_PIN_LIST, l2, 1, 3, w2);
  const int wn[] = {-1, -1};
  expect_plan(SMALL, CF_PIN_NONE, NULL, 0, 2, wn);
  hwloc_topology_t t;
  CHECK_EQ(cf__topo_load(&t, SMALL, 0), 0);
  int out[4];
  char err[256];
  const int bad[] = {0, 2};
  CHECK_EQ(cf__pin_plan(t, CF_PIN_LIST, bad, 2, 2, out, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "PU 2 (list entry 1) is not in the topology (PUs 0-1)");
  const int neg[] = {-1};
  CHECK_EQ(cf__pin_plan(t, CF_PIN_LIST, neg, 1, 1, out, err, sizeof err), CF_EINVAL);
  CHECK_EQ(cf__pin_plan(t, CF_PIN_LIST, NULL, 0, 1, out, err, sizeof err), CF_EINVAL);
  CHECK_EQ(cf__pin_plan(t, (cf_pin_policy)9, NULL, 0, 1, out, err, sizeof err), CF_EINVAL);
  CHECK_EQ(cf__pin_plan(t, CF_PIN_COMPACT, NULL, 0, -1, out, err, sizeof err), CF_EINVAL);
  hwloc_topology_destroy(t);
  hwloc_topology_t u;
  CHECK_EQ(cf__topo_load(&u, "not a topology", 0), CF_EINVAL);
}

/* ---- real binding ---- */

static int task_cpu(const void *arg, size_t len, cf_result *out) {
  (void)arg, (void)len;
  volatile uint64_t x = 0;
  for (int i = 0; i < 200000; i++) x += (uint64_t)i; /* a little work */
  (void)x;
  int cpu = sched_getcpu();
  return cf_result_set(out, &cpu, sizeof cpu);
}

static void run_pinned(cf_pin_policy pol, const int *list, int nlist, int workers) {
  int plan[64];
  CHECK_EQ(cf_pin_plan(pol, list, nlist, workers, plan), 0);
  cf_config cfg;
  cf_config_init(&cfg);
  cfg.max_workers = workers;
  cfg.pin = pol;
  int *copy = NULL;
  if (list) { /* the executor must keep its own copy: ours dies at once */
    copy = malloc((size_t)nlist * sizeof *copy);
    memcpy(copy, list, (size_t)nlist * sizeof *copy);
    cfg.pin_list = copy;
    cfg.pin_list_len = nlist;
  }
  cf_executor *ex = NULL;
  int rc = cf_executor_new(&ex, &cfg);
  if (copy) {
    memset(copy, 0x7f, (size_t)nlist * sizeof *copy);
    free(copy);
  }
  CHECK_EQ(rc, 0);
  cf_future *fs[64];
  for (int i = 0; i < 64; i++) CHECK_EQ(cf_submit(ex, task_cpu, NULL, 0, &fs[i]), 0);
  for (int i = 0; i < 64; i++) {
    const void *res;
    size_t len;
    CHECK_EQ(cf_future_result(fs[i], 60, &res, &len), 0);
    cf_task_record rec;
    cf_future_record(fs[i], &rec);
    CHECK(rec.worker >= 0 && rec.worker < workers);
    int cpu;
    memcpy(&cpu, res, sizeof cpu);
    if (rec.cpu != plan[rec.worker] || cpu != plan[rec.worker]) {
      fprintf(stderr, "policy %d: task %d on worker %d ran on CPU %d (record %d), planned PU %d\n", (int)pol, i,
              rec.worker, cpu, rec.cpu, plan[rec.worker]);
      CHECK(0);
    }
    cf_future_release(fs[i]);
  }
  cf_executor_free(ex);
  fprintf(stderr, "   policy %d, %d workers: every task ran on its planned PU\n", (int)pol, workers);
}

/* A pool of two pinned workers, one held by a task that blocks: the round
 * trips meanwhile all go to the other (the hand-off word's claim names it
 * for a worker that waits there, handoff.c), and each record's worker is
 * the one whose PU the task ran on.  Then the other way round. */
static atomic_int hold[2];

static int task_hold(const void *arg, size_t len, cf_result *out) {
  (void)len, (void)out;
  atomic_int *h = &hold[*(const int *)arg];
  while (atomic_load(h)) sleep_ms(1);
  return 0;
}

static cf_future *hold_one(cf_executor *ex, int k) {
  atomic_store(&hold[k], 1);
  cf_future *f;
  CHECK_EQ(cf_submit(ex, task_hold, &k, sizeof k, &f), 0);
  while (!cf_future_running(f)) sleep_ms(1);
  return f;
}

/* 64 round trips; every one must run on `worker`, at its planned PU.  The
 * caller runs on the other worker's PU meanwhile (that worker sleeps in
 * task_hold): sharing its worker's PU, a submitter waits while its worker
 * spins, the spin ends unanswered, and the task goes through the queue. */
static void round_trips_on(cf_executor *ex, int worker, const int *plan) {
  cpu_set_t old, other;
  CHECK_EQ(sched_getaffinity(0, sizeof old, &old), 0);
  CPU_ZERO(&other);
  CPU_SET(plan[1 - worker], &other);
  CHECK_EQ(sched_setaffinity(0, sizeof other, &other), 0);
  for (int i = 0; i < 64; i++) {
    cf_future *f;
    const void *res;
    CHECK_EQ(cf_submit(ex, task_cpu, NULL, 0, &f), 0);
    CHECK_EQ(cf_future_result(f, 60, &res, NULL), 0);
    cf_task_record rec;
    cf_future_record(f, &rec);
    int cpu;
    memcpy(&cpu, res, sizeof cpu);
    if (rec.worker != worker || rec.cpu != plan[worker] || cpu != plan[worker]) {
      fprintf(stderr, "round trip %d: record worker %d cpu %d, ran on CPU %d; want worker %d at PU %d\n", i,
              rec.worker, rec.cpu, cpu, worker, plan[worker]);
      CHECK(0);
    }
    cf_future_release(f);
  }
  CHECK_EQ(sched_setaffinity(0, sizeof old, &old), 0);
}

/* cfg: two workers pinned CF_PIN_COMPACT; the test is skipped where
 * binding is not supported. */
static void compact_pair(cf_config *cfg) {
  cf_config_init(cfg);
  cfg->pin = CF_PIN_COMPACT;
  cfg->max_workers = 2;
  char err[256];
  int rc = cf_pin_check(cfg, err, sizeof err);
  if (rc == CF_ENOSYS) {
    printf("SKIP: %s\n", err);
    exit(77);
  }
  CHECK_EQ(rc, 0);
}

static void t_handed(void) {
  cf_config cfg;
  compact_pair(&cfg);
  int plan[2];
  CHECK_EQ(cf_pin_plan(CF_PIN_COMPACT, NULL, 0, 2, plan), 0);
  if (plan[0] == plan[1]) {
    printf("SKIP: one PU: both workers share it\n");
    exit(77);
  }
  cf_executor *ex;
  CHECK_EQ(cf_executor_new(&ex, &cfg), 0);
  cf_future *a = hold_one(ex, 0);
  cf_task_record ra;
  cf_future_record(a, &ra); /* running: the record names its worker */
  CHECK(ra.worker == 0 || ra.worker == 1);
  round_trips_on(ex, 1 - ra.worker, plan);
  cf_future *b = hold_one(ex, 1); /* the only idle worker takes it */
  atomic_store(&hold[0], 0);
  CHECK_EQ(cf_future_result(a, 60, NULL, NULL), 0);
  round_trips_on(ex, ra.worker, plan);
  atomic_store(&hold[1], 0);
  CHECK_EQ(cf_future_result(b, 60, NULL, NULL), 0);
  cf_task_record rb;
  cf_future_record(b, &rb);
  CHECK_EQ(rb.worker, 1 - ra.worker);
  cf_future_release(a);
  cf_future_release(b);
  cf_executor_free(ex);
}

static void t_real(void) {
  char desc[2048];
  CHECK_EQ(cf_pin_describe(desc, sizeof desc), 0);
  fprintf(stderr, "%s", desc);
  CHECK_STR_CONTAINS(desc, "PU");
  cf_config cfg;
  compact_pair(&cfg);
  char err[256];
  int npus = 0;
  int plan[64];
  CHECK_EQ(cf_pin_plan(CF_PIN_COMPACT, NULL, 0, 64, plan), 0);
  for (int i = 0; i < 64 && (i == 0 || plan[i] != plan[0]); i++) npus++;
  run_pinned(CF_PIN_COMPACT, NULL, 0, 2);
  run_pinned(CF_PIN_SCATTER, NULL, 0, 3);
  int last = plan[npus - 1];
  const int l[] = {last};
  run_pinned(CF_PIN_LIST, l, 1, 2);
  const int l2[] = {plan[0], last};
  run_pinned(CF_PIN_LIST, l2, 2, 4);
  /* a PU that does not exist */
  const int bad[] = {plan[0], 4000};
  cfg.pin = CF_PIN_LIST;
  cfg.pin_list = bad;
  cfg.pin_list_len = 2;
  CHECK_EQ(cf_pin_check(&cfg, err, sizeof err), CF_EINVAL);
  CHECK_STR_CONTAINS(err, "PU 4000 (list entry 1) is not in the topology");
  cf_executor *ex = NULL;
  CHECK_EQ(cf_executor_new(&ex, &cfg), CF_EINVAL);
  CHECK(ex == NULL);
  CHECK_EQ(cf_pin_plan(CF_PIN_LIST, bad, 2, 2, plan), CF_EINVAL);
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"compact", t_compact}, {"scatter", t_scatter}, {"list_none", t_list_none},
                                    {"real", t_real},       {"handed", t_handed},
                                    {NULL, NULL}};
  set_backend(argc, argv);
  return run_tests(cases, argc, argv);
}
