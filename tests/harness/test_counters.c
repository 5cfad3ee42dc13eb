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
static void window(cfb_counters *c, cfb_counter_values *v) {
  CHECK_EQ(cfb_counters_start(c), 0);
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, spin, NULL), 0);
  pthread_join(t, NULL);
  cfb_counters_stop(c, v);
}

static void test_rusage(void) {
  cfb_counters *c;
  CHECK_EQ(cfb_counters_open(CFB_CTR_RUSAGE, &c), 0);
  CHECK_EQ(cfb_counters_layer(c), CFB_CTR_RUSAGE);
  CHECK_STR_CONTAINS(cfb_counters_reason(c), "PAPI: skipped");
  CHECK_STR_CONTAINS(cfb_counters_reason(c), "perf_event: skipped");
  cfb_counter_values v;
  window(c, &v);
  CHECK(v.cpu_user_s + v.cpu_sys_s > 0);
  CHECK(v.ctx_switches >= 1); /* the join sleeps */
  CHECK(v.page_faults >= 0);
  CHECK(isnan(v.task_clock_s) && isnan(v.cycles) && isnan(v.instructions));
  cfb_counters_free(c);
}

static void test_perf(void) {
  cfb_counters *c;
  CHECK_EQ(cfb_counters_open(CFB_CTR_PERF, &c), 0);
  CHECK_STR_CONTAINS(cfb_counters_reason(c), "PAPI: skipped");
  cfb_counter_values v;
  window(c, &v);
  if (cfb_counters_layer(c) == CFB_CTR_PERF) {
    CHECK(v.task_clock_s > 0.001); /* the spinning thread was counted */
    CHECK(v.ctx_switches >= 1);
    CHECK(isfinite(v.page_faults));
  } else {
    CHECK_EQ(cfb_counters_layer(c), CFB_CTR_RUSAGE);
    CHECK_STR_CONTAINS(cfb_counters_reason(c), "perf_event_open");
  }
  CHECK(v.cpu_user_s + v.cpu_sys_s > 0);
  cfb_counters_free(c);
}

static void test_papi(void) {
  for (int want = CFB_CTR_AUTO; want <= CFB_CTR_PAPI; want++) {
    cfb_counters *c;
    CHECK_EQ(cfb_counters_open((cfb_counter_layer)want, &c), 0);
    cfb_counter_values v;
    window(c, &v);
    if (cfb_counters_layer(c) == CFB_CTR_PAPI) {
      CHECK_EQ(strlen(cfb_counters_reason(c)), 0);
      CHECK(v.cycles > 0);
    } else {
      /* this VM: PAPI has no counters; the reason says so */
      CHECK(strncmp(cfb_counters_reason(c), "PAPI: ", 6) == 0);
      CHECK(cfb_counters_layer(c) == CFB_CTR_PERF || cfb_counters_layer(c) == CFB_CTR_RUSAGE);
    }
    cfb_counters_free(c);
  }
}

static void test_names(void) {
  cfb_counter_layer l;
  CHECK_EQ(cfb_counter_layer_parse("perf", &l), 0);
  CHECK_EQ(l, CFB_CTR_PERF);
  CHECK_EQ(cfb_counter_layer_parse("getrusage", &l), 0);
  CHECK_EQ(l, CFB_CTR_RUSAGE);
  CHECK_EQ(cfb_counter_layer_parse("x", &l), -1);
  CHECK(!strcmp(cfb_counter_layer_name(CFB_CTR_PERF), "perf_event"));
}

int main(int argc, char **argv) {
  static const test_case cases[] = {{"rusage", test_rusage},
                                    {"perf", test_perf},
                                    {"papi", test_papi},
                                    {"names", test_names},
                                    {NULL, NULL}};
  return run_tests(cases, argc, argv);
}
