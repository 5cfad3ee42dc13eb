#!/usr/bin/env python3
"""groups.py -- per who-wins group of a run directory: the verdict, the
rounds it had, what stopped each of its two configurations, the interval,
and the rounds an undecided one would need (issue 13: "no who-wins group
left undecided").

    scripts/groups.py DIR          (DIR holds report.md, runs.csv, summary.csv,
                                    verdicts.csv and meta.json: a `cfbench bench`
                                    directory, or a run after `cfbench report DIR`)

The verdict, ratio and interval are the report's own (its "Who wins" table:
best thread against best process, paired on the rounds both ran), so this
script recomputes no statistics; it only adds, from the run's files, why
each side has the rounds it has:
  decided    its own thread/process pair was decided and closed (verdicts.csv)
  max-time   the suite's per-configuration max-time stopped it (summary.csv)
  dropped    the budget's plan dropped it after round 1
  plan       it ran every round of the plan (meta.json planned_max_rounds)
  budget     the run stopped before the plan's last round (--budget), or
             after round 1 when the budget fits not even --min-rounds
  partner    its pair's other side stopped first
and, for an undecided group, the rounds its interval needs at the same
per-round spread (the half-width shrinks ~1/sqrt(n); deciding needs the
interval clear of 1, or inside [1/1.03, 1.03]).
Exit 0, or 2 with one line on stderr if DIR lacks a file it needs.
"""
import csv
import json
import math
import os
import re
import sys

MARGIN = 0.03  # the who-wins equivalence margin (docs/statistics.md)


def die(msg):
    print("groups.py: " + msg, file=sys.stderr)
    sys.exit(2)


def need(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        die("%s: no %s%s" % (d, name, " (run `cfbench report %s` first)" % d if name == "report.md" else ""))
    return p


def md_cells(line):
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    return [c.replace("\\_", "_").replace("\\|", "|") for c in cells]


def who_wins_table(path):
    """The rows of report.md's "Who wins" table, as dicts by header."""
    rows, hdr, inside = [], None, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("## "):
            inside = line.strip() == "## Who wins"
            continue
        if not inside or not line.startswith("|"):
            continue
        cells = md_cells(line)
        if hdr is None:
            hdr = cells
        elif not set("".join(cells)) <= set("-: "):
            rows.append(dict(zip(hdr, cells)))
    if hdr is None:
        die("%s: no 'Who wins' table" % path)
    return rows


CONFIG_RE = re.compile(r"^(\S+), (\d+) workers?, chunksize (\d+)(?:, pin (\S+))?")


def parse_config(text):
    m = CONFIG_RE.match(text)
    return (m.group(1), int(m.group(2)), int(m.group(3)), m.group(4) or "none") if m else None


def parse_ratio(text):
    """'1.02× [0.98, 1.06]' -> (1.02, 0.98, 1.06); None when there is none."""
    m = re.match(r"([\d.]+)\S* \[([\d.]+), ([\d.]+)\]", text)
    return tuple(float(g) for g in m.groups()) if m else None


def load(d):
    rows = {}
    for r in csv.DictReader(open(need(d, "runs.csv"))):
        if r.get("status", "ok") not in ("", "ok"):
            continue
        key = (r["workload"], r["params"], r["backend"], int(r["workers"]), int(r["chunksize"]), r["pin"] or "none")
        rows.setdefault(key, {})[int(r["round"])] = float(r["items_per_s"])
    summ = {}
    for r in csv.DictReader(open(need(d, "summary.csv"))):
        key = (r["workload"], r["params"], r["backend"], int(r["workers"]), int(r["chunksize"]), r["pin"] or "none")
        summ[key] = r
    ver = {}
    for r in csv.DictReader(open(need(d, "verdicts.csv"))):
        if r.get("a", "thread") == "thread" and r.get("b", "process") == "process":
            ver[(r["workload"], r["params"], int(r["workers"]), int(r["chunksize"]), r["pin"] or "none")] = r
    meta = json.load(open(need(d, "meta.json")))
    return rows, summ, ver, meta


def stop_reason(key, rows, summ, ver, run):
    """Why configuration key has the rounds it has (one short phrase)."""
    mine = rows.get(key, {})
    n, last = len(mine), max(mine) + 1 if mine else 0
    err = summ.get(key, {}).get("error", "")
    if "max-time" in err:
        return "max-time after %d" % n
    if "dropped" in err:
        return "dropped after %d" % n
    wl, params, backend, w, c, pin = key
    v = ver.get((wl, params, w, c, pin))
    other = (wl, params, "process" if backend == "thread" else "thread", w, c, pin)
    if not run.get("planned") and "too small" in run.get("plan", ""):
        return "the budget: too small for --min-rounds, the run stopped after round 1"
    if run.get("planned") and last >= run["planned"]:
        return "plan (%d rounds)" % run["planned"]
    if last >= run["rounds"] and run.get("planned") and run["rounds"] < run["planned"]:
        return "budget (run stopped after round %d of %d)" % (run["rounds"], run["planned"])
    if v and v["verdict"] != "undecided" and int(v["rounds"]) >= n:
        return "decided: its pair %s after %d" % (v["verdict"], n)
    theirs = rows.get(other, {})
    if theirs and max(theirs) + 1 < last:
        return "partner stopped (it ran to %d)" % n
    return "stopped after %d" % n


def rounds_needed(ratio, lo, hi, n):
    """Rounds at which the interval, narrowing ~1/sqrt(n) about the same
    centre, would be decided: clear of 1 or inside the margin."""
    c, hw = math.log(ratio), (math.log(hi) - math.log(lo)) / 2
    room = max(abs(c), math.log(1 + MARGIN) - abs(c))
    if room <= 0 or hw <= 0:
        return None
    return math.ceil(n * (hw / room) ** 2)


def spread(a, b):
    """sd of the per-round log ratio over the rounds both ran, and that count."""
    both = sorted(set(a) & set(b))
    d = [math.log(a[r] / b[r]) for r in both]
    if len(d) < 2:
        return float("nan"), len(d)
    m = sum(d) / len(d)
    return math.sqrt(sum((x - m) ** 2 for x in d) / (len(d) - 1)), len(d)


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print("usage: scripts/groups.py DIR", file=sys.stderr)
        sys.exit(2)
    d = sys.argv[1]
    table = who_wins_table(need(d, "report.md"))
    rows, summ, ver, meta = load(d)
    mrun = meta.get("run", {})
    run = {"rounds": mrun.get("rounds", 0), "planned": mrun.get("planned_max_rounds", 0), "plan": mrun.get("plan", "")}
    print("%s: %s" % (d, mrun.get("plan", "(no plan)")))
    decided = 0
    for g in table:
        best, other = parse_config(g.get("best configuration", "")), parse_config(g.get("best of the other backend", ""))
        verdict = g.get("winner", "?")
        rat = parse_ratio(g.get("ratio, paired [CI]", ""))
        m = re.search(r"(\d+) rounds", g.get("verdict", ""))
        n = int(m.group(1)) if m else 0
        decided += verdict not in ("undecided",) and bool(rat)
        head = "%s %s" % (g["workload"], g["parameters"])
        print("\n%s\n  verdict %s, %s, %d rounds paired" % (head, verdict, g.get("ratio, paired [CI]", "-"), n))
        for cfg in (best, other):
            if not cfg:
                continue
            key = (g["workload"], g["parameters"], cfg[0], cfg[1], cfg[2], cfg[3])
            print("  %-8s %2d workers, chunksize %-4d %2d rounds, stopped by %s" %
                  (cfg[0], cfg[1], cfg[2], len(rows.get(key, {})), stop_reason(key, rows, summ, ver, run)))
        if verdict == "undecided" and rat and best and other:
            ka = (g["workload"], g["parameters"]) + best
            kb = (g["workload"], g["parameters"]) + other
            sd, _ = spread(rows.get(ka, {}), rows.get(kb, {}))
            want = rounds_needed(rat[0], rat[1], rat[2], n)
            print("  per-round sd of the log ratio %.3f; at that spread it needs ~%s rounds" %
                  (sd, want if want else "(no finite number of)"))
    print("\n%d of %d who-wins groups decided" % (decided, len(table)))


if __name__ == "__main__":
    main()
