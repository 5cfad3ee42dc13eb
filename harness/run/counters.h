/* counters.h -- per-repetition resource counters, in three layers that
 * degrade: PAPI (total cycles and instructions) when it initializes and has
 * hardware counters; else perf_event_open software events (task-clock,
 * context-switches, page-faults, plus hardware cycles/instructions when the
 * machine has them); else getrusage.  CPU user/system time always comes
 * from getrusage.  The layer in use, and why the better ones were skipped,
 * is kept so it is never silently missing.
 *
 * Counting covers the calling process and every thread or process it
 * creates after cfb_counters_start (perf: inherit; rusage: RUSAGE_SELF plus
 * RUSAGE_CHILDREN of reaped children); read with cfb_counters_stop after the
 * workers have exited. */
#ifndef CFB_COUNTERS_H
#define CFB_COUNTERS_H

#include <stddef.h>

typedef enum {
  CFB_CTR_AUTO = 0, /* start at PAPI */
  CFB_CTR_PAPI,
  CFB_CTR_PERF,
  CFB_CTR_RUSAGE
} cfb_counter_layer;

/* "papi", "perf_event", "getrusage" ("auto" for CFB_CTR_AUTO). */
const char *cfb_counter_layer_name(cfb_counter_layer l);
/* Accepts auto, papi, perf, perf_event, rusage, getrusage.  0 or -1. */
int cfb_counter_layer_parse(const char *s, cfb_counter_layer *out);

/* Values over one window; NAN = the layer does not measure it. */
typedef struct cfb_counter_values {
  double cpu_user_s, cpu_sys_s;
  double ctx_switches, page_faults;
  double task_clock_s;
  double cycles, instructions;
} cfb_counter_values;

typedef struct cfb_counters cfb_counters;

/* Pick the best working layer at or below `want` (AUTO = PAPI).  Never
 * fails except out of memory (getrusage always works): returns 0 or
 * -1. */
int cfb_counters_open(cfb_counter_layer want, cfb_counters **out);
cfb_counter_layer cfb_counters_layer(const cfb_counters *c);
/* Why better layers were skipped ("" when the requested one worked), e.g.
 * "PAPI: no hardware counters (0 found)". */
const char *cfb_counters_reason(const cfb_counters *c);
/* What the chosen layer lacks ("perf_event: no hardware cycles/instructions
 * (...)"), or "". */
const char *cfb_counters_note(const cfb_counters *c);

/* Begin a window.  0, or -1 (the counters could not be armed: the window's
 * values of that layer will be NAN). */
int cfb_counters_start(cfb_counters *c);
/* End the window and fill v. */
void cfb_counters_stop(cfb_counters *c, cfb_counter_values *v);
void cfb_counters_free(cfb_counters *c);

#endif
