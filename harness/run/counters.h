/* counters.h -- per-repetition resource counters, in three layers that
 * degrade: PAPI (total cycles and instructions) when it initializes and has
 * hardware counters; else perf_event_open software events (task-clock,
 * context-switches, page-faults, plus hardware cycles/instructions when the
 * machine has them); else getrusage.  CPU user/system time always comes
 * from getrusage.  The layer in use, and why the better ones were skipped,
 * is kept so it is never silently missing.
 *
 * Counting covers the calling process and every thread or process it
 * creates after cf_counters_start (perf: inherit; rusage: RUSAGE_SELF plus
 * RUSAGE_CHILDREN of reaped children); read with cf_counters_stop after the
 * workers have exited. */
#ifndef CF_HARNESS_COUNTERS_H
#define CF_HARNESS_COUNTERS_H

#include <stddef.h>

typedef enum {
  CF_CTR_AUTO = 0, /* start at PAPI */
  CF_CTR_PAPI,
  CF_CTR_PERF,
  CF_CTR_RUSAGE
} cf_counter_layer;

/* "papi", "perf_event", "getrusage" ("auto" for CF_CTR_AUTO). */
const char *cf_counter_layer_name(cf_counter_layer l);
/* Accepts auto, papi, perf, perf_event, rusage, getrusage.  0 or -1. */
int cf_counter_layer_parse(const char *s, cf_counter_layer *out);

/* Values over one window; NAN = the layer does not measure it. */
typedef struct cf_counter_values {
  double cpu_user_s, cpu_sys_s;
  double ctx_switches, page_faults;
  double task_clock_s;
  double cycles, instructions;
} cf_counter_values;

typedef struct cf_counters cf_counters;

/* Pick the best working layer at or below `want` (AUTO = PAPI).  Never
 * fails except out of memory (getrusage always works): returns 0 or
 * -1. */
int cf_counters_open(cf_counter_layer want, cf_counters **out);
cf_counter_layer cf_counters_layer(const cf_counters *c);
/* Why better layers were skipped ("" when the requested one worked), e.g.
 * "PAPI: no hardware counters (0 found)". */
const char *cf_counters_reason(const cf_counters *c);
/* What the chosen layer lacks ("perf_event: no hardware cycles/instructions
 * (...)"), or "". */
const char *cf_counters_note(const cf_counters *c);

/* Begin a window.  0, or -1 (the counters could not be armed: the window's
 * values of that layer will be NAN). */
int cf_counters_start(cf_counters *c);
/* End the window and fill v. */
void cf_counters_stop(cf_counters *c, cf_counter_values *v);
void cf_counters_free(cf_counters *c);

#endif
