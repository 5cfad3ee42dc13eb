/* test_counters.c -- the counter fallback chain of harness/run/counters.h,
 * forced layer by layer: papi (used if it has counters, else it falls back
 * with a reason naming PAPI), perf_event (software events; falls back to
 * getrusage with a reason if perf_event_open is refused), getrusage. */
#include <math.h>
#include <pthread.h>
#include <unistd.h>

#include "counters.h"
#include "task.h"

static void *spin(void *arg) {
  volatile double x = 0;
  for (long i = 0; i < 20000000; i++) x += (double)i;
  usleep(2000);
  return arg;
}

/* Work in a thread created after start: inherited counting must see it. */
static void window(cf_counters *c, cf_counter_values *v) {
  CHECK_EQ(cf_counters_start(c), 0);
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, spin, NULL), 0);
  pthread_join(t, NULL);
  cf_counters_stop(c, v);
}

static void test_rusage(void) {
  cf_counters *c;
  CHECK_EQ(cf_counters_open(CF_CTR_RUSAGE, &c), 0);
  CHECK_EQ(cf_counters_layer(c), CF_CTR_RUSAGE);
  CHECK_STR_CONTAINS(cf_counters_reason(c), "PAPI: skipped");
  CHECK_STR_CONTAINS(cf_counters_reason(c), "perf_event: skipped");
  cf_counter_values v;
  window(c, &v);
  CHECK(v.cpu_user_s + v.cpu_sys_s > 0);
  CHECK(v.ctx_switches >= 1); /* the join sleeps */
  CHECK(v.page_faults >= 0);
  CHECK(isnan(v.task_clock_s) && isnan(v.cycles) && isnan(v.instructions));
  cf_counters_free(c);
}

static void test_perf(void) {
  cf_counters *c;
  CHECK_EQ(cf_counters_open(CF_CTR_PERF, &c), 0);
  CHECK_STR_CONTAINS(cf_counters_reason(c), "PAPI: skipped");
  cf_counter_values v;
  window(c, &v);
  if (cf_counters_layer(c) == CF_CTR_PERF) {
    CHECK(v.task_clock_s > 0.001); /* the spinning thread was counted */
    CHECK(v.ctx_switches >= 1);
    CHECK(isfinite(v.page_faults));
  } else {
    CHECK_EQ(cf_counters_layer(c), CF_CTR_RUSAGE);
    CHECK_STR_CONTAINS(cf_counters_reason(c), "perf_event_open");
  }
  CHECK(v.cpu_user_s + v.cpu_sys_s > 0);
  cf_counters_free(c);
}

static void test_papi(void) {
  for (int want = CF_CTR_AUTO; want <= CF_CTR_PAPI; want++) {
    cf_counters *c;
    CHECK_EQ(cf_counters_open((cf_counter_layer)want, &c), 0);
    cf_counter_values v;
    window(c, &v);
    if (cf_counters_layer(c) == CF_CTR_PAPI) {
      CHECK_EQ(strlen(cf_counters_reason(c)), 0);
      CHECK(v.cycles > 0);
    } else {
      /* this VM: PAPI has no counters; the reason says so */
      CHECK(strncmp(cf_counters_reason(c), "PAPI: ", 6) == 0);
      CHECK(cf_counters_layer(c) == CF_CTR_PERF || cf_counters_layer(c) == CF_CTR_RUSAGE);
    }
    cf_counters_free(c);
  }
}

static void test_names(void) {
  cf_counter_layer l;
  CHECK_EQ(cf_counter_layer_parse("perf", &l), 0);
  CHECK_EQ(l, CF_CTR_PERF);
  CHECK_EQ(cf_counter_layer_parse("getrusage", &l), 0);
  CHECK_EQ(l, CF_CTR_RUSAGE);
  CHECK_EQ(cf_counter_layer_parse("x", &l), -1);
  CHECK(!strcmp(cf_counter_layer_name(CF_CTR_PERF), "perf_event"));
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"rusage", test_rusage},
                                    {"perf", test_perf},
                                    {"papi", test_papi},
                                    {"names", test_names},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
