/* analysis_py.h -- what the report's "cfutures against CPython" section
 * shows, computed from a result set with py-thread / py-process rows
 * beside the thread / process ones:
 *   - the per-task cost of each executor (sleep delay=0: items that do
 *     nothing), submit + result one item at a time (mode roundtrip) and
 *     map at chunksizes 1, 16 and 256, cfutures against CPython;
 *   - the docs' PRIMES speedup of each backend over its own 1-worker run;
 *   - the GIL emulation's fidelity: the crossover cpu_us of mixed with
 *     gil=on, thread against process, beside CPython's own crossover,
 *     py-thread against py-process, at the same worker count. */
#ifndef CFB_ANALYSIS_PY_H
#define CFB_ANALYSIS_PY_H

#include "analysis.h"

/* Whether any summary row is of a py backend (the section appears). */
int cfb_an_has_py(const cfb_resultset *rs);

/* One per-task cost: the C backend and its CPython peer in one mode
 * ("roundtrip", or "map" at a chunksize), both at `workers` (the fewest
 * both ran), us per item from the medians, and the ratio py_us / c_us (how
 * many times cfutures is cheaper).  paired: the same ratio from the
 * rounds in which both ran back to back, the very pair the who-wins
 * answers read (cfb_pairs_verdict: verdicts.csv's row of the two,
 * cfutures/CPython throughput per round), its 95% CI and the rounds;
 * NAN / 0 when the run has no such verdict (the two were not in one
 * sweep). */
typedef struct cfb_an_cost {
  const char *c, *py, *mode;
  int chunksize, workers;
  double c_us, py_us, ratio;
  double paired, paired_lo, paired_hi;
  size_t rounds;
} cfb_an_cost;
/* Into out[0..max): threads then processes, each roundtrip then map at
 * chunksizes 1, 16, 256, where both ran.  Returns how many. */
size_t cfb_an_task_costs(const cfb_analysis *an, cfb_an_cost *out, size_t max);

/* The docs' PRIMES (preset=docs, gil off) on one backend: its 1-worker
 * median, its median at `workers` (the most it ran, up to the machine's
 * cores), and the speedup parallel / serial. */
typedef struct cfb_an_speedup {
  const char *backend;
  int workers;
  double serial, parallel, speedup;
} cfb_an_speedup;
size_t cfb_an_docs_speedups(const cfb_resultset *rs, const cfb_group *g, size_t ng,
                            cfb_an_speedup *out, size_t max);

/* mixed with gil=on against cpu_us at `workers` workers: the emulation
 * (thread against process) and CPython (py-thread against py-process,
 * paired by round like thread and process), each curve's first crossover
 * (NAN: none in the range measured), and
 * ratio = emu_x / py_x. */
typedef struct cfb_an_fidelity {
  int workers;
  cfb_curve emu, py;
  int have_emu;
  double emu_x, py_x, ratio;
} cfb_an_fidelity;
/* 0, or -1 when the run has no CPython mixed gil=on sweep. */
int cfb_an_gil_fidelity(const cfb_analysis *an, cfb_an_fidelity *f);

#endif
