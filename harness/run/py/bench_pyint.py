#!/usr/bin/env python3
"""bench_pyint.py -- the figures of issue 17 through `cfbench run` itself:

  1. the docs' PRIMES with 2 workers against 1, per backend (thread,
     process, py-thread, py-process): the speedup over its own serial run;
  2. the crossover cpu_us of mixed with gil=on (io_us=200us, 2 workers):
     thread vs process (the emulated GIL, with the process pool's serial
     cost ipc_us: mixed's default, a value, or --ipc-us measure: CPython's
     per-item cost measured first, py-process map at chunksize 1 on no-op
     items, less cfutures' own) and py-thread vs py-process (CPython), and
     the ratio of the two;
  3. the per-task cost of each shape (sleep delay=0, 1 worker: --mode
     roundtrip, submit, and map at chunksizes 1, 16, 256) on each backend,
     and CPython / cfutures per round (each C backend runs beside its
     CPython peer in every round).

One cfbench run per figure with --rounds R: every round runs each
configuration once, in its own shuffled order, so the configurations being
compared alternate round by round and a burst of load on the shared machine
hits all of them.  Each figure is computed per round (from that round's
repetition of each configuration) and printed as min / median / max over
the rounds.  The crossover of a round is where log(threads / processes)
first changes sign along cpu_us, interpolated geometrically.

Usage: bench_pyint.py [--cfbench build/release/harness/cfbench] [--rounds 5]
                      [--out DIR]   (DIR keeps the result directories)
                      [--only primes|mixed|cost] [--ipc-us default|measure|VALUE]
"""

import argparse
import csv
import math
import os
import statistics
import subprocess
import sys
import tempfile


def run(cfbench, out, args):
    cmd = [cfbench, "run", "--out", out, "--force"] + args
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 1):
        sys.exit("bench_pyint: %s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr[-400:]))
    with open(os.path.join(out, "runs.csv"), newline="") as f:
        return [row for row in csv.DictReader(f) if row["status"] == "ok"]


def by_round(rows, key):
    """{round: {key(row): items_per_s}}"""
    out = {}
    for row in rows:
        out.setdefault(int(row["round"]), {})[key(row)] = float(row["items_per_s"])
    return out


def mmm(xs):
    xs = [x for x in xs if x is not None and math.isfinite(x)]
    if not xs:
        return "n/a (no round gave one)"
    return "min %.3g  median %.3g  max %.3g  (%d rounds)" % (min(xs), statistics.median(xs), max(xs), len(xs))


def crossover(points):
    """points: [(x, threads/processes)] sorted by x; the first x where the
    ratio goes from > 1 to < 1 (geometric interpolation), or None."""
    for (x0, r0), (x1, r1) in zip(points, points[1:]):
        if r0 > 1 >= r1:
            y0, y1 = math.log(r0), math.log(r1)
            f = y0 / (y0 - y1) if y0 != y1 else 0.5
            return math.exp(math.log(x0) + f * (math.log(x1) - math.log(x0)))
    return None


def primes(cfbench, out, rounds):
    rows = run(cfbench, out, ["--workload", "primes", "--param", "preset=docs", "--backend",
                              "thread,process,py-thread,py-process", "--workers", "1,2",
                              "--repeat", str(rounds), "--rounds", str(rounds), "--warmup", "0"])
    rr = by_round(rows, lambda r: (r["backend"], int(r["workers"])))
    print("the docs' PRIMES (6 numbers), 2 workers / 1 worker throughput, per round:")
    for b in ("thread", "process", "py-thread", "py-process"):
        sp = [v[(b, 2)] / v[(b, 1)] for v in rr.values() if (b, 1) in v and (b, 2) in v]
        print("  %-10s %s" % (b, mmm(sp)))
    return rr


def ipc_measured(cfbench, out, rounds):
    """CPython's per-item cost through ProcessPoolExecutor.map at chunksize 1
    (no-op items, 1 worker) less cfutures' process backend's, the median over
    rounds of the per-round difference, in us: what the emulation's ipc_us
    stands for."""
    rows = run(cfbench, out, ["--workload", "sleep", "--param", "delay=0", "--backend", "process,py-process",
                              "--workers", "1,2", "--chunksize", "1", "--items", "2000", "--repeat", str(rounds),
                              "--rounds", str(rounds), "--warmup", "1"])
    rr = by_round(rows, lambda r: (r["backend"], int(r["workers"])))
    d = [1e6 / v[("py-process", 1)] - 1e6 / v[("process", 1)] for v in rr.values()
         if ("process", 1) in v and ("py-process", 1) in v]
    if not d:
        sys.exit("bench_pyint: no round measured the per-item cost")
    print("CPython's per-item cost (py-process map chunksize 1, 1 worker, no-op) less cfutures' process backend's, "
          "us: %s" % mmm(d))
    # a serial path: 2 workers move no more items per second than 1
    g = [v[("py-process", 2)] / v[("py-process", 1)] for v in rr.values() if ("py-process", 1) in v and ("py-process", 2) in v]
    print("  py-process no-op throughput, 2 workers / 1: %s" % mmm(g))
    return statistics.median(d)


def mixed(cfbench, out, rounds, cpus, ipc):
    extra = [] if ipc is None else ["--param", "ipc_us=%.0fus" % ipc]
    print("mixed gil=on: ipc_us = %s" % ("mixed's default" if ipc is None else "%.0f us" % ipc))
    rows = run(cfbench, out, extra + ["--workload", "mixed", "--param", "cpu_us=" + ",".join("%gus" % c for c in cpus),
                              "--param", "io_us=200us", "--param", "gil=on", "--backend",
                              "thread,process,py-thread,py-process", "--workers", "2", "--items", "200",
                              "--repeat", str(rounds), "--rounds", str(rounds), "--warmup", "1"])

    def cpu_of(r):
        v = dict(kv.split("=", 1) for kv in r["params"].split(","))["cpu_us"]
        return float(v[:-2]) if v.endswith("us") else float(v[:-2]) * 1000 if v.endswith("ms") else float(v)

    rr = by_round(rows, lambda r: (r["backend"], cpu_of(r)))
    print("mixed gil=on io_us=200us, 2 workers: threads / processes throughput at each cpu_us (median over rounds),")
    print("and the crossover of that median curve (steadier than a round's own when load moves the ratios near 1):")
    xmed = {}
    for a, b in (("thread", "process"), ("py-thread", "py-process")):
        cells, pts = [], []
        for c in cpus:
            q = [v[(a, c)] / v[(b, c)] for v in rr.values() if (a, c) in v and (b, c) in v]
            cells.append("%g:%.2f" % (c, statistics.median(q)) if q else "%g:-" % c)
            if q:
                pts.append((c, statistics.median(q)))
        xmed[a] = crossover(pts)
        print("  %-22s %s  crossover %s" % (a + "/" + b, "  ".join(cells),
                                            "%.3g us" % xmed[a] if xmed[a] else "none"))
    if xmed["thread"] and xmed["py-thread"]:
        print("  emulated / CPython, median curves: %.3g" % (xmed["thread"] / xmed["py-thread"]))
    emu, py, ratio = [], [], []
    for v in rr.values():
        xs = {}
        for a, b, dst in (("thread", "process", emu), ("py-thread", "py-process", py)):
            pts = [(c, v[(a, c)] / v[(b, c)]) for c in cpus if (a, c) in v and (b, c) in v]
            xs[a] = crossover(pts)
            dst.append(xs[a])
        if xs["thread"] and xs["py-thread"]:
            ratio.append(xs["thread"] / xs["py-thread"])
    print("crossover cpu_us, per round:")
    print("  emulated (thread vs process)     %s" % mmm(emu))
    print("  CPython (py-thread vs py-process) %s" % mmm(py))
    print("  emulated / CPython               %s" % mmm(ratio))


def cost(cfbench, out, rounds, items):
    rows = run(cfbench, out, ["--workload", "sleep", "--param", "delay=0", "--backend",
                              "thread,process,py-thread,py-process", "--workers", "1",
                              "--mode", "roundtrip,submit,map", "--chunksize", "1,16,256",
                              "--items", str(items), "--repeat", str(rounds), "--rounds", str(rounds),
                              "--warmup", "1"])
    rr = by_round(rows, lambda r: (r["backend"], r["mode"], int(r["chunksize"])))
    shapes = [("roundtrip", 1), ("submit", 1), ("map", 1), ("map", 16), ("map", 256)]
    print("per-task cost, sleep delay=0, 1 worker, %d items: us per item (median over rounds) and "
          "CPython / cfutures per round:" % items)
    for c, py in (("thread", "py-thread"), ("process", "py-process")):
        for m, k in shapes:
            us = lambda b: statistics.median([1e6 / v[(b, m, k)] for v in rr.values() if (b, m, k) in v] or [math.nan])
            q = [v[(c, m, k)] / v[(py, m, k)] for v in rr.values() if (c, m, k) in v and (py, m, k) in v]
            print("  %-7s %-9s c=%-3d cfutures %7.3g us  CPython %7.3g us  ratio %s" %
                  (c, m, k, us(c), us(py), mmm(q)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfbench", default="build/release/harness/cfbench")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", choices=("primes", "mixed", "cost"), default=None)
    ap.add_argument("--ipc-us", default="default",
                    help="mixed's ipc_us for the emulation: default (the workload's), measure, or microseconds")
    a = ap.parse_args()
    if a.ipc_us not in ("default", "measure"):
        try:
            ipc = float(a.ipc_us)
        except ValueError:
            ipc = -1
        if not ipc >= 0:
            ap.error("--ipc-us: %r is none of default, measure or a number of microseconds >= 0" % a.ipc_us)
    base = a.out or tempfile.mkdtemp(prefix="bench_pyint-")
    print("cfbench %s, %d rounds; load average %s" % (a.cfbench, a.rounds, " ".join("%.1f" % x for x in os.getloadavg())))
    if a.only in (None, "primes"):
        primes(a.cfbench, os.path.join(base, "primes"), a.rounds)
    if a.only in (None, "mixed"):
        ipc = None if a.ipc_us == "default" else float(a.ipc_us) if a.ipc_us != "measure" else \
            ipc_measured(a.cfbench, os.path.join(base, "ipc"), a.rounds)
        mixed(a.cfbench, os.path.join(base, "mixed"), a.rounds, [10, 30, 100, 300, 1000, 3000], ipc)
    if a.only in (None, "cost"):
        cost(a.cfbench, os.path.join(base, "cost"), a.rounds, 2000)
    print("results in %s; load average now %s" % (base, " ".join("%.1f" % x for x in os.getloadavg())))


if __name__ == "__main__":
    main()
