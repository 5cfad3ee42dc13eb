/* suites.c -- the named sweeps of `cfbench run --suite NAME`, all in this
 * one table.  Each sweep is written as `cfbench run` axis options (parsed
 * by cli.c exactly as a command line would be); a configuration that
 * appears in two sweeps runs once.
 *
 *   quick    seconds (7 s measured on 2 busy cores): every workload once or twice on both backends.
 *   ci       about 2 min (its budget; 2:08 measured): both backends, small and large chunksizes, cpu and
 *            io workloads, and the executor overhead (sleep delay=0).
 *   default  about 5 min, its budget (./run.sh bench): throughput over workers
 *            1..64 (sleep, socket), chunksizes 1..256 where they matter
 *            (fine-grained primes, the no-op overhead), the docs' primes,
 *            mixed over cpu_us 10 us..1 ms with and without the emulated
 *            GIL (the thread/process crossover), memtouch; 5 repetitions
 *            for the bootstrap CI.  Items per configuration are sized so a
 *            repetition takes ~0.05-1 s here; --max-time caps each
 *            configuration.
 *
 * ci and default run adaptive rounds (one repetition of every open
 * configuration per round, a thread/process pair closed once its paired
 * verdict is decided; min/max rounds and the run's budget in `suites[]`);
 * with --repeat or --rounds, one round per repetition. */
#include "suites.h"

#include <string.h>

#define BOTH "--backend thread,process "

static const char *const quick[] = {
    "--workload sleep --param delay=1ms " BOTH "--workers 1,4 --items 40 --repeat 3 --warmup 1 --max-time 5s",
    "--workload primes --param preset=range --param start=1000001 --param count=2000 " BOTH
    "--workers 1,2 --chunksize 1,64 --repeat 3 --warmup 1 --max-time 5s",
    "--workload socket --param delay=0 " BOTH "--workers 2 --items 100 --repeat 3 --warmup 1 --max-time 5s",
    "--workload mixed --param cpu_us=200us --param io_us=200us " BOTH
    "--workers 2 --items 50 --repeat 3 --warmup 1 --max-time 5s",
    "--workload memtouch --param mib=4 " BOTH "--workers 2 --items 8 --repeat 3 --warmup 1 --max-time 5s",
    NULL};

static const char *const ci[] = {
    "--workload sleep --param delay=1ms " BOTH "--workers 1,2,8 --chunksize 1,16 --items 64 "
    "--repeat 5 --warmup 1 --max-time 10s",
    "--workload primes --param preset=range --param start=1000001 --param count=5000 " BOTH
    "--workers 1,2 --chunksize 1,64,256 --repeat 5 --warmup 1 --max-time 10s",
    "--workload primes " BOTH "--workers 1,2 --repeat 5 --warmup 1 --max-time 10s",
    "--workload socket --param delay=0 " BOTH "--workers 1,4 --items 500 --repeat 5 --warmup 1 --max-time 10s",
    "--workload mixed --param cpu_us=500us --param io_us=500us --param gil=on,off " BOTH
    "--workers 1,2,4 --items 60 --repeat 5 --warmup 1 --max-time 10s",
    "--workload memtouch --param mib=8 " BOTH "--workers 1,2 --items 16 --repeat 5 --warmup 1 --max-time 10s",
    /* executor overhead: items that do nothing */
    "--workload sleep --param delay=0 " BOTH "--workers 1,2 --chunksize 1,64,256 --items 20000 "
    "--repeat 5 --warmup 1 --max-time 10s",
    NULL};

static const char *const def[] = {
    "--workload sleep --param delay=10ms " BOTH "--workers 1..64 --items 128 --repeat 5 --warmup 1 --max-time 15s",
    "--workload socket --param delay=1ms " BOTH "--workers 1..16 --items 256 --repeat 5 --warmup 1 --max-time 10s",
    "--workload primes --param preset=docs " BOTH "--workers 1,2,4 --repeat 5 --warmup 1 --max-time 10s",
    "--workload primes --param preset=range --param start=1000001 --param count=10000 " BOTH
    "--workers 1,2,4 --chunksize 1..256 --repeat 5 --warmup 1 --max-time 10s",
    /* mixed: computation per item from 10 us to 1 ms beside 200 us of I/O;
     * with gil=on threads win while per-task overhead dominates and
     * processes win once computation does (the Python crossover); gil=off
     * is the C picture */
    "--workload mixed --param cpu_us=10us,30us,100us,300us,1000us --param io_us=200us --param gil=on,off " BOTH
    "--workers 1,2,4,8 --items 200 --repeat 5 --warmup 1 --max-time 10s",
    "--workload memtouch --param mib=16 " BOTH "--workers 1,2,4 --items 16 --repeat 5 --warmup 1 --max-time 10s",
    /* executor overhead: items that do nothing, over chunksizes */
    "--workload sleep --param delay=0 " BOTH "--workers 1,2 --chunksize 1..256 --items 50000 "
    "--repeat 5 --warmup 1 --max-time 10s",
    NULL};

/* ci and default run in rounds of one repetition of every configuration
 * (their results are compared and plotted: drift of the shared machine
 * must not shift one configuration's whole sample); quick is a smoke test
 * and runs each configuration's repetitions back to back. */
static const cfb_suite suites[] = {
    {"default", "the full sweep of ./run.sh bench (adaptive rounds; its --budget 300s ends it near 5 min)", def, CFB_SUITE_ROUNDS_PER_REPEAT,
     5, 16, 300},
    {"quick", "a smoke test of every workload on both backends (measured 7 s on 2 busy cores)", quick, 1, 0, 0, 0},
    {"ci", "both backends, small/large chunks, cpu and io, executor overhead (adaptive; --budget 120s: measured 2:08)", ci,
     CFB_SUITE_ROUNDS_PER_REPEAT, 5, 12, 120},
};

size_t cfb_suite_count(void) { return sizeof suites / sizeof suites[0]; }
const cfb_suite *cfb_suite_at(size_t i) { return i < cfb_suite_count() ? &suites[i] : NULL; }
const cfb_suite *cfb_suite_find(const char *name) {
  for (size_t i = 0; i < cfb_suite_count(); i++)
    if (!strcmp(suites[i].name, name)) return &suites[i];
  return NULL;
}
