/* counters.c -- the three counter layers of counters.h and the fallback
 * between them.  Each layer probes itself at open and says why it cannot
 * be used; the chain keeps those reasons. */
#include "counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef CF_HAVE_PAPI
#include <papi.h>
#endif

enum { EV_TASK_CLOCK, EV_CTX, EV_FAULTS, EV_CYCLES, EV_INSNS, EV_N };

static const struct {
  uint32_t type;
  uint64_t config;
  const char *name;
} perf_events[EV_N] = {
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, "task-clock"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, "context-switches"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, "page-faults"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions"},
};

struct cfb_counters {
  cfb_counter_layer layer;
  char reason[512];
  char note[256];
  /* perf */
  int have[EV_N];     /* the event opened at probe time */
  int exclude_kernel; /* needed when perf_event_paranoid forbids kernel counting */
  int fd[EV_N];
  /* papi */
  int papi_set;
  int papi_running;
  /* rusage */
  struct rusage ru_self, ru_child;
};

const char *cfb_counter_layer_name(cfb_counter_layer l) {
  switch (l) {
  case CFB_CTR_PAPI: return "papi";
  case CFB_CTR_PERF: return "perf_event";
  case CFB_CTR_RUSAGE: return "getrusage";
  default: return "auto";
  }
}

int cfb_counter_layer_parse(const char *s, cfb_counter_layer *out) {
  if (!strcmp(s, "auto")) *out = CFB_CTR_AUTO;
  else if (!strcmp(s, "papi")) *out = CFB_CTR_PAPI;
  else if (!strcmp(s, "perf") || !strcmp(s, "perf_event")) *out = CFB_CTR_PERF;
  else if (!strcmp(s, "rusage") || !strcmp(s, "getrusage")) *out = CFB_CTR_RUSAGE;
  else return -1;
  return 0;
}

static void add_reason(cfb_counters *c, const char *fmt, const char *detail) {
  size_t len = strlen(c->reason);
  if (len && len + 2 < sizeof c->reason) {
    memcpy(c->reason + len, "; ", 3);
    len += 2;
  }
  snprintf(c->reason + len, sizeof c->reason - len, fmt, detail);
}

/* ------------------------------------------------------------------ perf */

static int perf_open1(int ev, int exclude_kernel) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = perf_events[ev].type;
  a.config = perf_events[ev].config;
  a.inherit = 1; /* threads and processes created later count too */
  a.exclude_kernel = (unsigned)exclude_kernel;
  a.exclude_hv = 1;
  return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static int perf_probe(cfb_counters *c, char *why, size_t whylen) {
  c->exclude_kernel = 0;
  int fd = perf_open1(EV_TASK_CLOCK, 0);
  if (fd < 0 && (errno == EACCES || errno == EPERM)) {
    c->exclude_kernel = 1; /* perf_event_paranoid: user-space counting only */
    fd = perf_open1(EV_TASK_CLOCK, 1);
  }
  if (fd < 0) {
    snprintf(why, whylen, "perf_event_open(task-clock): %s", strerror(errno));
    return -1;
  }
  close(fd);
  char missing[160] = "";
  for (int ev = 0; ev < EV_N; ev++) {
    fd = perf_open1(ev, c->exclude_kernel);
    c->have[ev] = fd >= 0;
    if (fd >= 0) close(fd);
    else if (ev < EV_CYCLES) {
      snprintf(why, whylen, "perf_event_open(%s): %s", perf_events[ev].name, strerror(errno));
      return -1;
    } else if (!missing[0])
      snprintf(missing, sizeof missing, "%s", strerror(errno));
  }
  if (!c->have[EV_CYCLES] || !c->have[EV_INSNS])
    snprintf(c->note, sizeof c->note, "perf_event: no hardware cycles/instructions (%s)", missing);
  if (c->exclude_kernel) {
    size_t l = strlen(c->note);
    snprintf(c->note + l, sizeof c->note - l, "%suser-space only (perf_event_paranoid)",
             l ? "; " : "perf_event: ");
  }
  return 0;
}

static int perf_start(cfb_counters *c) {
  int rc = 0;
  for (int ev = 0; ev < EV_N; ev++) {
    c->fd[ev] = c->have[ev] ? perf_open1(ev, c->exclude_kernel) : -1;
    if (c->have[ev] && c->fd[ev] < 0) rc = -1;
  }
  return rc;
}

static double perf_read1(int fd) {
  uint64_t v;
  if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v) return NAN;
  return (double)v;
}

static void perf_stop(cfb_counters *c, cfb_counter_values *v) {
  double r[EV_N];
  for (int ev = 0; ev < EV_N; ev++) {
    r[ev] = perf_read1(c->fd[ev]);
    if (c->fd[ev] >= 0) close(c->fd[ev]);
    c->fd[ev] = -1;
  }
  v->task_clock_s = r[EV_TASK_CLOCK] / 1e9;
  v->ctx_switches = r[EV_CTX];
  v->page_faults = r[EV_FAULTS];
  v->cycles = r[EV_CYCLES];
  v->instructions = r[EV_INSNS];
}

/* ------------------------------------------------------------------ papi */

#ifdef CF_HAVE_PAPI
static int papi_probe(cfb_counters *c, char *why, size_t whylen) {
  int rc = PAPI_library_init(PAPI_VER_CURRENT);
  if (rc != PAPI_VER_CURRENT) {
    snprintf(why, whylen, "PAPI: PAPI_library_init failed (%s)",
             rc < 0 ? PAPI_strerror(rc) : "version mismatch");
    return -1;
  }
  int n = PAPI_num_cmp_hwctrs(0);
  if (n <= 0) {
    snprintf(why, whylen, "PAPI: no hardware counters (%d found)", n < 0 ? 0 : n);
    PAPI_shutdown();
    return -1;
  }
  c->papi_set = PAPI_NULL;
  if ((rc = PAPI_create_eventset(&c->papi_set)) != PAPI_OK ||
      (rc = PAPI_assign_eventset_component(c->papi_set, 0)) != PAPI_OK) {
    snprintf(why, whylen, "PAPI: event set: %s", PAPI_strerror(rc));
    PAPI_shutdown();
    return -1;
  }
  PAPI_option_t opt;
  memset(&opt, 0, sizeof opt);
  opt.inherit.eventset = c->papi_set;
  opt.inherit.inherit = PAPI_INHERIT_ALL;
  PAPI_set_opt(PAPI_INHERIT, &opt); /* best effort: else the calling thread only */
  if ((rc = PAPI_add_event(c->papi_set, PAPI_TOT_CYC)) != PAPI_OK ||
      (rc = PAPI_add_event(c->papi_set, PAPI_TOT_INS)) != PAPI_OK) {
    snprintf(why, whylen, "PAPI: PAPI_TOT_CYC/PAPI_TOT_INS: %s", PAPI_strerror(rc));
    PAPI_cleanup_eventset(c->papi_set);
    PAPI_destroy_eventset(&c->papi_set);
    PAPI_shutdown();
    return -1;
  }
  return 0;
}

static int papi_start(cfb_counters *c) {
  c->papi_running = PAPI_start(c->papi_set) == PAPI_OK;
  return c->papi_running ? 0 : -1;
}

static void papi_stop(cfb_counters *c, cfb_counter_values *v) {
  long long vals[2];
  if (c->papi_running && PAPI_stop(c->papi_set, vals) == PAPI_OK) {
    v->cycles = (double)vals[0];
    v->instructions = (double)vals[1];
  }
  c->papi_running = 0;
}

static void papi_close(cfb_counters *c) {
  PAPI_cleanup_eventset(c->papi_set);
  PAPI_destroy_eventset(&c->papi_set);
  PAPI_shutdown();
}
#else
static int papi_probe(cfb_counters *c, char *why, size_t whylen) {
  (void)c;
  snprintf(why, whylen, "PAPI: not built in (libpapi not found at configure time)");
  return -1;
}
static int papi_start(cfb_counters *c) { return -1; }
static void papi_stop(cfb_counters *c, cfb_counter_values *v) {}
static void papi_close(cfb_counters *c) {}
#endif

/* ----------------------------------------------------------------- chain */

int cfb_counters_open(cfb_counter_layer want, cfb_counters **out) {
  cfb_counters *c = calloc(1, sizeof *c);
  if (!c) return -1;
  for (int ev = 0; ev < EV_N; ev++) c->fd[ev] = -1;
  char why[300];
  if (want == CFB_CTR_AUTO) want = CFB_CTR_PAPI;
  c->layer = CFB_CTR_RUSAGE;
  if (want == CFB_CTR_PAPI) {
    if (papi_probe(c, why, sizeof why) == 0) {
      c->layer = CFB_CTR_PAPI;
      *out = c;
      return 0;
    }
    add_reason(c, "%s", why);
    want = CFB_CTR_PERF;
  } else if (want > CFB_CTR_PAPI) {
    add_reason(c, "%s", "PAPI: skipped (--counters/CFBENCH_COUNTERS)");
  }
  if (want == CFB_CTR_PERF) {
    if (perf_probe(c, why, sizeof why) == 0) {
      c->layer = CFB_CTR_PERF;
      *out = c;
      return 0;
    }
    add_reason(c, "%s", why);
  } else {
    add_reason(c, "%s", "perf_event: skipped (--counters/CFBENCH_COUNTERS)");
  }
  /* what getrusage lacks (those columns are empty), not perf's partial note */
  snprintf(c->note, sizeof c->note, "getrusage: no task_clock_s, cycles, instructions");
  *out = c;
  return 0;
}

cfb_counter_layer cfb_counters_layer(const cfb_counters *c) { return c->layer; }
const char *cfb_counters_reason(const cfb_counters *c) { return c->reason; }
const char *cfb_counters_note(const cfb_counters *c) { return c->note; }

int cfb_counters_start(cfb_counters *c) {
  getrusage(RUSAGE_SELF, &c->ru_self);
  getrusage(RUSAGE_CHILDREN, &c->ru_child);
  if (c->layer == CFB_CTR_PERF) return perf_start(c);
  if (c->layer == CFB_CTR_PAPI) return papi_start(c);
  return 0;
}

static double tv_s(struct timeval a, struct timeval b) {
  return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
}

void cfb_counters_stop(cfb_counters *c, cfb_counter_values *v) {
  v->task_clock_s = v->cycles = v->instructions = NAN;
  struct rusage s, ch;
  getrusage(RUSAGE_SELF, &s);
  getrusage(RUSAGE_CHILDREN, &ch);
  v->cpu_user_s = tv_s(c->ru_self.ru_utime, s.ru_utime) + tv_s(c->ru_child.ru_utime, ch.ru_utime);
  v->cpu_sys_s = tv_s(c->ru_self.ru_stime, s.ru_stime) + tv_s(c->ru_child.ru_stime, ch.ru_stime);
  v->ctx_switches = (double)((s.ru_nvcsw - c->ru_self.ru_nvcsw) + (s.ru_nivcsw - c->ru_self.ru_nivcsw) +
                             (ch.ru_nvcsw - c->ru_child.ru_nvcsw) +
                             (ch.ru_nivcsw - c->ru_child.ru_nivcsw));
  v->page_faults = (double)((s.ru_minflt - c->ru_self.ru_minflt) + (s.ru_majflt - c->ru_self.ru_majflt) +
                            (ch.ru_minflt - c->ru_child.ru_minflt) +
                            (ch.ru_majflt - c->ru_child.ru_majflt));
  if (c->layer == CFB_CTR_PERF) perf_stop(c, v);
  else if (c->layer == CFB_CTR_PAPI) papi_stop(c, v);
}

void cfb_counters_free(cfb_counters *c) {
  if (!c) return;
  for (int ev = 0; ev < EV_N; ev++)
    if (c->fd[ev] >= 0) close(c->fd[ev]);
  if (c->layer == CFB_CTR_PAPI) papi_close(c);
  free(c);
}
