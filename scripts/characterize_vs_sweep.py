#!/usr/bin/env python3
"""characterize_vs_sweep.py -- the steps of characterize_vs_sweep.sh that
read and write files:

  sweep W CHARDIR ROUNDS          the full sweep's file (stdout): one sweep
                                  per worker count characterize measured,
                                  both backends x the chunksizes it could
                                  recommend, at its item count; every
                                  configuration once per round
  pair  W CHARDIR SWEEPDIR ROUNDS the recommended and the sweep's best
                                  configuration, one repetition each per
                                  round
  ratio W CHARDIR SWEEPDIR PAIRDIR  one line: per-round ratio rec / best
"""
import csv
import json
import statistics
import sys


def char_files(d):
    return json.load(open(d + "/measure.json")), json.load(open(d + "/characterize.json"))


def items_by_workers(m):
    out = {}
    for p in m["points"]:
        out[p["workers"]] = max(out.get(p["workers"], 0), p["items"])
    return out


def sweep(w, d, rounds):
    m, c = char_files(d)
    # the chunksizes characterize could recommend (each backend's rule):
    # a point's own may be cut to fit its repetition's time box
    chunks = sorted({b["recommended_chunksize"] for b in c["backends"].values()})
    sweeps = [{"workers": n, "items": items, "chunksize": chunks}
              for n, items in sorted(items_by_workers(m).items())]
    return {"workload": w, "backend": ["thread", "process"], "repeat": rounds, "warmup": 1,
            "rounds": "per-repeat", "sweeps": sweeps}


def key(row):
    return (row["backend"], int(row["workers"]), int(row["chunksize"]))


def best_of(sweepdir):
    rows = [r for r in csv.DictReader(open(sweepdir + "/summary.csv")) if r["status"] == "ok"]
    best = max(rows, key=lambda r: float(r["median"]))
    return key(best)


def rec_of(c):
    r = c["recommendation"]
    return (r["backend"], r["workers"], r["chunksize"])


def pair(w, d, sweepdir, rounds):
    m, c = char_files(d)
    items = items_by_workers(m)
    cfgs = {rec_of(c), best_of(sweepdir)}
    sweeps = [{"backend": b, "workers": n, "chunksize": k, "items": items[n]} for b, n, k in sorted(cfgs)]
    return {"workload": w, "repeat": rounds, "warmup": 1, "rounds": "per-repeat", "sweeps": sweeps}


def ratio(w, d, sweepdir, pairdir):
    _, c = char_files(d)
    rec, best = rec_of(c), best_of(sweepdir)
    by = {}
    for r in csv.DictReader(open(pairdir + "/runs.csv")):
        if r["status"] == "ok":
            by.setdefault(key(r), {})[int(r["round"])] = float(r["items_per_s"])
    if rec == best:
        rs = [1.0] * len(by.get(rec, {}))
    else:
        a, b = by.get(rec, {}), by.get(best, {})
        rs = sorted(a[k] / b[k] for k in a if k in b)
    name = lambda k: "%s w=%d c=%d" % k
    if not rs:
        print("%-10s %-6s %-22s %-22s  no paired round measured" % (w, c["kind"], name(rec), name(best)))
        return
    print("%-10s %-6s %-22s %-22s %6.3f %6.3f %6.3f %6d  %s" % (w, c["kind"], name(rec), name(best), rs[0],
                                                                statistics.median(rs), rs[-1], len(rs),
                                                                c["recommendation"].get("rule", "-")))


def main(a):
    if a[0] == "sweep":
        json.dump(sweep(a[1], a[2], int(a[3])), sys.stdout, indent=1)
    elif a[0] == "pair":
        json.dump(pair(a[1], a[2], a[3], int(a[4])), sys.stdout, indent=1)
    elif a[0] == "ratio":
        ratio(a[1], a[2], a[3], a[4])
    else:
        sys.exit("usage: characterize_vs_sweep.py sweep|pair|ratio ...")


if __name__ == "__main__":
    main(sys.argv[1:])
