/* suites.c -- the named sweeps of `cfbench run --suite NAME`, all in this
 * one table.  Each sweep is written as `cfbench run` axis options (parsed
 * by cli.c exactly as a command line would be).
 *
 *   quick    < 30 s here: a smoke test of both backends and both kinds.
 *   ci       < 2 min: both backends, small and large chunksizes, cpu and io
 *            workloads, and the executor overhead (sleep delay=0).
 *   default  ~5 min on 2 cores (./run.sh bench): the throughput curves
 *            over workers 1..64 and chunksizes 1..256 that the plots and
 *            the report need, with enough repetitions for a CI; items and
 *            --max-time per configuration are budgeted. */
#include "suites.h"

#include <string.h>

static const char *const quick[] = {
    "--workload sleep --param delay=1ms --backend thread,process --workers 1,4 --items 40 "
    "--repeat 3 --warmup 1 --max-time 5s",
    "--workload primes --backend thread,process --workers 1,2 --items 12 --repeat 3 --warmup 1 "
    "--max-time 5s",
    NULL};

static const char *const ci[] = {
    "--workload sleep --param delay=1ms --backend thread,process --workers 1,2,8 --chunksize 1,16 "
    "--items 64 --repeat 5 --warmup 1 --max-time 10s",
    "--workload primes --backend thread,process --workers 1,2 --chunksize 1,4 --items 24 "
    "--repeat 5 --warmup 1 --max-time 10s",
    /* executor overhead: tasks that do nothing */
    "--workload sleep --param delay=0 --backend thread,process --workers 1,2 --chunksize 1,64 "
    "--items 2000 --repeat 5 --warmup 1 --max-time 10s",
    NULL};

static const char *const def[] = {
    "--workload sleep --param delay=10ms --backend thread,process --workers 1..64 --items 256 "
    "--repeat 5 --warmup 1 --max-time 8s",
    "--workload primes --backend thread,process --workers 1,2,4 --items 24 --repeat 5 --warmup 1 "
    "--max-time 10s",
    "--workload sleep --param delay=0 --backend thread,process --workers 1,2 --chunksize 1..256 "
    "--items 4096 --repeat 5 --warmup 1 --max-time 5s",
    NULL};

static const cf_suite suites[] = {
    {"default", "the full sweep of ./run.sh bench (~5 min on 2 cores)", def},
    {"quick", "a smoke test (< 30 s)", quick},
    {"ci", "both backends, small/large chunks, cpu and io, executor overhead (< 2 min)", ci},
};

size_t cf_suite_count(void) { return sizeof suites / sizeof suites[0]; }
const cf_suite *cf_suite_at(size_t i) { return i < cf_suite_count() ? &suites[i] : NULL; }
const cf_suite *cf_suite_find(const char *name) {
  for (size_t i = 0; i < cf_suite_count(); i++)
    if (!strcmp(suites[i].name, name)) return &suites[i];
  return NULL;
}
