#!/usr/bin/env python3
"""bench_py.py -- figures of CPython's executors, measured through the
driver (cfbench_py.py) exactly as the harness runs it; input to the report's
"cfutures against CPython" section.  Prints figures; asserts nothing.

  1. The docs' PRIMES (six numbers, map) with W workers (default 2): the
     throughput of py-thread and py-process over a serial run -- the plain
     loop (py-serial) and the same executor with 1 worker.
  2. Per-task cost of each executor on no-op items (sleep delay=0): submit +
     result one at a time (roundtrip), and map at chunksizes 1, 16, 256;
     us per item = wall / items, the timed region as the harness's (submit
     to last result checked; executor made and warmed outside it).

Configurations alternate round by round (every configuration once per
round, the order rotated), so drift hits all of them alike; each figure is
the median over the rounds with min and max.  Ratios are per round.

Usage: bench_py.py [--rounds 5] [--workers 2] [--items N] [--skip-primes]
                   [--skip-cost] [--start-method fork|spawn|forkserver]"""

import argparse
import json
import os
import statistics
import subprocess
import sys

DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cfbench_py.py")


def drive(*args):
    p = subprocess.run([sys.executable, DRIVER] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("bench_py: driver failed: %s" % p.stderr.strip())
    return json.loads(p.stdout.splitlines()[-1])


def rounds_of(configs, rounds):
    """{name: [row per round]}, configurations rotated round by round."""
    out = {name: [] for name, _ in configs}
    for r in range(rounds):
        k = r % len(configs)
        for name, args in configs[k:] + configs[:k]:
            out[name].append(drive(*args))
        print("  round %d/%d done (load average %.2f)" % (r + 1, rounds, os.getloadavg()[0]), file=sys.stderr)
    return out


def mmm(xs):
    return "%8.3f  [%.3f .. %.3f]" % (statistics.median(xs), min(xs), max(xs))


def primes(a):
    base = ["--workload", "primes", "--params", "preset=docs", "--mode", "map"]
    sm = ["--start-method", a.start_method] if a.start_method else []
    configs = [
        ("serial", ["--backend", "py-serial"] + base),
        ("thread-1", ["--backend", "py-thread", "--workers", 1] + base),
        ("thread-W", ["--backend", "py-thread", "--workers", a.workers] + base),
        ("process-1", ["--backend", "py-process", "--workers", 1] + base + sm),
        ("process-W", ["--backend", "py-process", "--workers", a.workers] + base + sm),
    ]
    res = rounds_of(configs, a.rounds)
    wall = {k: [r["wall_s"] for r in v] for k, v in res.items()}
    print("\n## The docs' PRIMES (6 numbers, executor.map), %d workers, %d rounds" % (a.workers, a.rounds))
    print("%s; %d CPUs online; load average now %.2f (other jobs on the machine skew"
          " every figure)" % (" ".join(res["process-W"][0]["python"].values()), os.cpu_count(), os.getloadavg()[0]))
    print("%-11s %-28s %s" % ("config", "wall s: median [min .. max]", "cpu s (median)"))
    for k, _ in configs:
        print("%-11s %-28s %.3f" % (k, mmm(wall[k]), statistics.median(r["cpu_s"] for r in res[k])))
    print("\nspeedup = throughput over the serial run's, per round: median [min .. max]")
    for k in ("thread", "process"):
        w = "%s-W" % k
        vs_loop = [s / x for s, x in zip(wall["serial"], wall[w])]
        vs_one = [s / x for s, x in zip(wall[k + "-1"], wall[w])]
        print("py-%-8s vs plain loop %s   vs itself with 1 worker %s" % (k, mmm(vs_loop), mmm(vs_one)))


def cost(a):
    n = a.items
    sm = ["--start-method", a.start_method] if a.start_method else []
    configs = []
    for b in ("py-thread", "py-process"):
        extra = sm if b == "py-process" else []
        common = ["--backend", b, "--workload", "sleep", "--params", "delay=0", "--workers", a.workers] + extra
        # roundtrip waits for each item: fewer items keep it short
        configs.append(("%s roundtrip" % b, common + ["--mode", "roundtrip", "--items", max(n // 5, 100)]))
        for c in (1, 16, 256):
            items = n if c > 1 or b == "py-thread" else max(n // 2, 100)
            configs.append(("%s map/%d" % (b, c), common + ["--mode", "map", "--chunksize", c, "--items", items]))
    res = rounds_of(configs, a.rounds)
    print("\n## Per-task cost, no-op items (sleep delay=0), %d workers, %d rounds; load average now %.2f"
          % (a.workers, a.rounds, os.getloadavg()[0]))
    print("%-24s %-30s %s" % ("config", "us/item: median [min .. max]", "items"))
    for k, _ in configs:
        us = [r["wall_s"] / r["items"] * 1e6 for r in res[k]]
        print("%-24s %-30s %d" % (k, mmm(us), res[k][0]["items"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--items", type=int, default=20000, help="no-op items per map run")
    ap.add_argument("--start-method", choices=("fork", "spawn", "forkserver"))
    ap.add_argument("--skip-primes", action="store_true")
    ap.add_argument("--skip-cost", action="store_true")
    a = ap.parse_args()
    if not a.skip_primes:
        primes(a)
    if not a.skip_cost:
        cost(a)


if __name__ == "__main__":
    main()
