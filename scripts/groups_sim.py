#!/usr/bin/env python3
"""groups_sim.py -- what a change of the default suite or of the runner's
closing rule would give on a quiet machine, simulated from a recorded run
(issue 13: "no who-wins group left undecided, within about 5 minutes").

    scripts/groups_sim.py DIR [TRIALS [SEED]]     (DIR: results/example)

The quiet 5 minutes cannot be measured on the loaded shared machine, so
this replays DIR's run: every configuration's repetition costs what it
cost there (its median wall time, scaled so that replaying DIR's own rows
gives DIR's sweep time), and every paired comparison -- each thread/process
pair, and each who-wins group's best thread against best process -- draws
its per-round log ratios with replacement from the rounds DIR measured
for it (a group whose bests are one pair shares that pair's draws).  The
runner's rules are replayed: round 1 plans the looks (the rounds that fit
the budget with every paired configuration to the end, each within its
max-time, 20% headroom: roundplan.c), a pair closes once its look at the
plan's level is decided and within --target-ci, the run stops when the
next round would pass the budget, and, with the group rule (groups.c),
a group's two bests stay open while its answer is undecided; with a
plan stretch (--plan-stretch), the looks past min-rounds are planned to F x
the rounds past it that fit, and the
budget ends the run.  The look is the runner's: Hodges-Lehmann estimate,
exact signed-rank interval (paired.c), at the level the plan gives that
look -- the levels are the harness's own, printed by scripts/plan_levels.c
(built on demand against build/release's libcfb_common.a).

Scenarios are edited in SCENARIOS and EXTRA below (SIM_ONLY=TEXT runs
those whose name contains TEXT).  Prints, per scenario: the plan,
sweep seconds, groups decided (mean, and the share of trials with all
decided), and each group's chance of being decided.  Assumptions, said
where they matter: items scaled by f scale a repetition's cost by f and
its per-round log-ratio spread by 1/sqrt(f) (per-item noise); bests are
DIR's (the selection by median is not re-simulated).
"""
import csv
import math
import os
import random
import statistics
import subprocess
import sys

MARGIN, TARGET_CI, HEADROOM = 0.03, 0.05, 1.2
HERE = os.path.dirname(os.path.abspath(__file__))


def entry_of(wl, params, backend):
    """The default suite's sweep entry a configuration comes from."""
    py = backend.startswith("py-")
    if wl == "sleep":
        return ("py_noop" if py else "noop") if params.startswith("delay=0") else "sleep10"
    if wl == "primes":
        return "range" if "preset=range" in params else ("py_docs" if py else "docs")
    if wl == "mixed":
        return "py_mixed" if py else "mixed"
    return wl  # socket, memtouch


# The suite's max-time per entry as in DIR (suites/default.json at DIR's revision).
BASE_MAX_TIME = {"sleep10": 15, "socket": 10, "docs": 10, "range": 10, "mixed": 10, "memtouch": 10,
                 "noop": 10, "py_noop": 20, "py_mixed": 10, "py_docs": 6}


def levels_table(lo, hi):
    """{n: two-sided level} of the plan min..max, from the harness (tiny C
    helper built on demand against build/release's cfb_common)."""
    exe = os.path.join("/tmp", "cfb_plan_levels")
    src = os.path.join(HERE, "plan_levels.c")
    lib = os.path.join(HERE, "..", "build", "release", "harness", "common", "libcfb_common.a")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.check_call(["cc", "-O2", "-I", os.path.join(HERE, "..", "harness", "common"), src, lib,
                               "-lm", "-o", exe])
    out = subprocess.check_output([exe, str(lo), str(hi)], text=True)
    return {int(a): float(b) for a, b in (l.split() for l in out.split("\n") if l)}


_K = {}


def signed_rank_k(n, tail):
    """Largest k with P(T+ <= k-1) <= tail (paired.c signed_rank_k)."""
    key = (n, tail)
    if key in _K:
        return _K[key]
    top = n * (n + 1) // 4
    p = [0.0] * (top + 1)
    p[0] = 1.0
    for i in range(1, n + 1):
        for t in range(top, -1, -1):
            p[t] = (p[t] + (p[t - i] if t >= i else 0)) / 2
    k, cdf = 0, 0.0
    for t in range(top + 1):
        cdf += p[t]
        if cdf > tail:
            break
        k = t + 1
    _K[key] = k
    return k


def verdict(d, alpha):
    """'a', 'b', 'equivalent' or 'undecided' of the look on d at level alpha."""
    n = len(d)
    k = signed_rank_k(n, alpha / 2) if n >= 2 else 0
    if k < 1:
        return "undecided"
    w = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    lo, hi = math.exp(w[k - 1]), math.exp(w[len(w) - k])
    if lo > 1 / (1 + MARGIN) and hi < 1 + MARGIN:
        return "equivalent"
    return "a" if lo > 1 else "b" if hi < 1 else "undecided"


def look(d, alpha, target=TARGET_CI):
    """(decided, needs_more) of the paired look on log ratios d at the
    two-sided level alpha (the interval at 1 - alpha)."""
    n = len(d)
    if n < 2:
        return False, True
    w = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    k = signed_rank_k(n, alpha / 2)
    if k < 1:
        return False, True
    lo, hi = math.exp(w[k - 1]), math.exp(w[len(w) - k])
    hw = math.expm1((math.log(hi) - math.log(lo)) / 2)
    if lo > 1 / (1 + MARGIN) and hi < 1 + MARGIN or lo > 1 or hi < 1:
        return True, target > 0 and hw > target
    return False, True


def load(d):
    rows = {}
    for r in csv.DictReader(open(os.path.join(d, "runs.csv"))):
        if r["status"] not in ("", "ok"):
            continue
        key = (r["workload"], r["params"], r["backend"], int(r["workers"]), int(r["chunksize"]), r["pin"])
        rows.setdefault(key, {})[int(r["round"])] = (float(r["items_per_s"]), float(r["wall_s"]))
    return rows


PARTNER = {"thread": "process", "process": "thread", "py-thread": "py-process", "py-process": "py-thread"}


def groups_of(rows):
    """Per (workload, params): best thread and best process by median (the report's rule)."""
    best = {}
    for k, v in rows.items():
        if k[2] not in ("thread", "process"):
            continue
        med = statistics.median(x for x, _ in v.values())
        g = best.setdefault((k[0], k[1]), {})
        if k[2] not in g or med > g[k[2]][0]:
            g[k[2]] = (med, k)
    return {g: (b["thread"][1], b["process"][1]) for g, b in best.items() if len(b) == 2}


def log_ratios(a, b):
    return [math.log(a[r][0] / b[r][0]) for r in sorted(set(a) & set(b))]


class Model:
    def __init__(self, d, rounds_s):
        self.rows = load(d)
        self.keys = sorted(self.rows)
        self.groups = groups_of(self.rows)
        self.cost = {k: statistics.median(w for _, w in v.values()) for k, v in self.rows.items()}
        # every repetition's time around its wall time (pools, counters, the harness): one factor,
        # so that DIR's own rows replay in DIR's sweep time
        self.factor = rounds_s / sum(self.cost[k] * len(v) for k, v in self.rows.items())
        self.pairs = {}
        for k in self.keys:
            p = (k[0], k[1], PARTNER.get(k[2], ""), k[3], k[4], k[5])
            if p in self.rows and k < p:
                self.pairs[k] = (k, p, log_ratios(self.rows[k], self.rows[p]))


def draw(rng, d, mu, spread, aa):
    """One round's log ratio, resampled from d (median mu), its spread about
    mu scaled by `spread`; A/A: about 0 with a random sign -- symmetric,
    the signed-rank test's own null (a resampled skew recentred at its
    median would still have a pseudo-median off 0, which many rounds find)."""
    e = (rng.choice(d) - mu) * spread
    return (e if rng.random() < 0.5 else -e) if aa else mu + e


def _without(self, drop):
    """The model without the configurations of sweep entries and workers in drop."""
    if not drop:
        return self
    import copy
    m = copy.copy(self)
    gone = {k for k in self.keys if (entry_of(k[0], k[1], k[2]), k[3]) in set(drop)}
    m.rows = {k: v for k, v in self.rows.items() if k not in gone}
    m.keys = [k for k in self.keys if k not in gone]
    m.groups = groups_of(m.rows)
    m.pairs = {k: v for k, v in self.pairs.items() if v[0] not in gone and v[1] not in gone}
    return m


Model.without = _without


def simulate(m, sc, levels_of, rng):
    """One run under scenario sc; returns (sweep seconds, planned N, {group: decided})."""
    MIN_ROUNDS = sc.get("min_rounds", 6)
    m = m.without(sc.get("drop", ()))
    items = sc.get("items", {})
    max_time = dict(BASE_MAX_TIME, **sc.get("max_time", {}))
    cost, spread, mt = {}, {}, {}
    for k in m.keys:
        e = entry_of(k[0], k[1], k[2])
        f = items.get((e, k[3]), items.get(e, 1.0))  # (entry, workers) first, then the entry
        cost[k] = m.cost[k] * f * m.factor
        spread[k] = 1 / math.sqrt(f)
        mt[k] = max_time[e]
    paired = {k: True for pk in m.pairs.values() for k in pk[:2]}
    # round 1, then the plan
    elapsed = sum(cost.values()) + sc.get("round1_extra_s", 9.0)

    def last_round(k, n):
        last = n if paired.get(k) else min(MIN_ROUNDS, n)
        more = math.floor((mt[k] - cost[k]) / cost[k]) + 2 if mt[k] > 0 else last
        return min(last, more)

    budget, cap = sc["budget_s"], sc["cap"]
    planned = 0
    for n in range(MIN_ROUNDS, cap + 1):
        if elapsed + HEADROOM * sum(cost[k] * (last_round(k, n) - 1) for k in m.keys) <= budget:
            planned = n
    if planned == 0:
        return elapsed, 0, {g: False for g in m.groups}
    if sc.get("plan_factor"):  # looks planned past what fits with every pair to the end (times only)
        past = planned - MIN_ROUNDS  # the full stretch once past >= 2 x min-rounds (roundplan.c)
        f = 1 + (sc["plan_factor"] - 1) * min(1.0, past / (2.0 * MIN_ROUNDS))
        planned = min(cap, MIN_ROUNDS + int(f * past))
    level = levels_of(MIN_ROUNDS, planned)
    # draws: per pair, and per group whose bests are not one pair
    draws = {}
    for pk, (a, b, d) in m.pairs.items():
        s = spread[a]
        mu = statistics.median(d) if d else 0
        draws[pk] = [draw(rng, d, mu, s, sc.get("aa")) for _ in range(planned)] if d else []
    gdraw = {}
    for g, (t, p) in m.groups.items():
        pk = min(t, p) if (t[3:] == p[3:]) else None
        if pk in draws:
            gdraw[g] = (draws[pk], 1 if pk == t else -1)
        else:
            d = log_ratios(m.rows[t], m.rows[p])
            s = spread[t]
            mu = statistics.median(d)
            gdraw[g] = ([draw(rng, d, mu, s, sc.get("aa")) for _ in range(planned)], 1)
    open_ = {k: True for k in m.keys}
    n_of = {k: 1 for k in m.keys}
    used = {k: cost[k] for k in m.keys}
    pair_of = {}
    for pk, (a, b, _) in m.pairs.items():
        pair_of[a] = pair_of[b] = pk
    last = sum(cost.values())
    for rd in range(1, planned):
        if not any(open_.values()):
            break
        if elapsed + last > budget:
            break
        t0 = elapsed
        for k in m.keys:
            if not open_[k]:
                continue
            if mt[k] > 0 and used[k] > mt[k]:
                open_[k] = False
                continue
            n_of[k] += 1
            used[k] += cost[k]
            elapsed += cost[k]
        last = elapsed - t0
        n = rd + 1
        if n < MIN_ROUNDS:
            continue
        hold = set()
        if sc.get("hold"):
            for g, (t, p) in m.groups.items():
                d, _ = gdraw[g]
                nn = min(n_of[t], n_of[p])
                if look(d[:nn], level[max(MIN_ROUNDS, min(nn, planned))], 0)[1] if nn >= MIN_ROUNDS else True:
                    hold.update((t, p))
        for pk, (a, b, _) in m.pairs.items():
            if not (open_[a] or open_[b]):
                continue
            both = open_[a] and open_[b]
            more = both and look(draws[pk][:n], level[n], sc.get("target", TARGET_CI))[1]
            if not more:
                for k in (a, b):
                    if open_[k] and k not in hold:
                        open_[k] = False
        for k in m.keys:
            if open_[k] and k not in pair_of and n >= MIN_ROUNDS:
                open_[k] = False
    result = {}
    for g, (t, p) in m.groups.items():
        d, _ = gdraw[g]
        nn = min(n_of[t], n_of[p])
        result[g] = nn >= MIN_ROUNDS and look(d[:nn], level[max(MIN_ROUNDS, min(nn, planned))])[0]
    if sc.get("aa"):  # false alarms: pairs (cfutures' and CPython's) whose final look names a winner
        alarms = sum(verdict(draws[pk][:min(n_of[a], n_of[b])], level[max(MIN_ROUNDS, min(min(n_of[a], n_of[b]), planned))])
                     in ("a", "b") for pk, (a, b, _) in m.pairs.items() if min(n_of[a], n_of[b]) >= 2)
        result["__alarms"] = alarms
        result["__pairs"] = len(m.pairs)
    return elapsed, planned, result


# The explored alternatives' max-time: shorter for the costly early deciders, longer for the rest.
MT = {"sleep10": 6, "socket": 4, "docs": 30, "memtouch": 30, "mixed": 30}
NO4 = [("docs", 4), ("memtouch", 4)]
BASE = {"budget_s": 300, "cap": 40}
# what the branch changed, one step at a time; the last is suites/default.json as it now is
SCENARIOS = [
    ("DIR's rules and suite", BASE),
    ("+ group rule", dict(BASE, hold=True)),
    ("+ group rule, plan-stretch 2.5", dict(BASE, hold=True, plan_factor=2.5)),
    ("+ group rule, plan-stretch 2.5, docs PRIMES and memtouch at 1, 2 workers (the suite of 14bfb0c)",
     dict(BASE, hold=True, plan_factor=2.5, drop=NO4)),
    ("+ target-ci 0, plan-stretch 6, cap 100 (the default suite now; DIR: a run of 14bfb0c's suite)",
     {"budget_s": 300, "cap": 100, "hold": True, "plan_factor": 6, "target": 0}),
]
# A/A: every ratio recentred at 1, each comparison keeping its spread: the
# false alarms of the old and the new rules (SIM_ONLY=A/A runs these alone)
AA = [
    ("A/A: DIR's rules and suite", dict(BASE, aa=True)),
    ("A/A: the new rules and suite", dict(BASE, aa=True, hold=True, plan_factor=2.5, drop=NO4)),
    ("A/A: target-ci 0, plan-stretch 6, cap 100", {"budget_s": 300, "cap": 100, "hold": True, "plan_factor": 6,
                                                   "target": 0, "aa": True}),
]
# explored and left (SIM_ONLY=TEXT or SIM_ALL=1 runs them)
X2 = {"budget_s": 300, "cap": 60, "hold": True, "max_time": MT, "plan_factor": 2}
EXTRA = [
    ("explored: group rule, max-time", dict(BASE, hold=True, max_time=MT)),
    ("explored: max-time, stretch 2, cap 60", X2),
    ("explored: max-time, stretch 2, cap 60, min-rounds 9", dict(X2, min_rounds=9)),
    ("explored: max-time, stretch 2, cap 60, items docs x4 memtouch x4",
     dict(X2, items={"docs": 4, "memtouch": 4})),
    ("explored: new suite, budget 280", dict(BASE, hold=True, plan_factor=2.5, drop=NO4, budget_s=280)),
    ("explored: new suite, stretch 2", dict(BASE, hold=True, plan_factor=2, drop=NO4)),
    ("explored: new suite, stretch 3", dict(BASE, hold=True, plan_factor=3, drop=NO4)),
]
EXTRA = AA + EXTRA
if not os.environ.get("SIM_ONLY") and not os.environ.get("SIM_ALL"):
    EXTRA = AA
if os.environ.get("SIM_ONLY"):  # SIM_ONLY=substring: the scenarios whose name contains it
    SCENARIOS = [s for s in SCENARIOS if os.environ["SIM_ONLY"] in s[0]]
    EXTRA = [s for s in EXTRA if os.environ["SIM_ONLY"] in s[0]]

def main():
    if len(sys.argv) < 2:
        print("usage: scripts/groups_sim.py DIR [TRIALS [SEED]]", file=sys.stderr)
        sys.exit(2)
    d = sys.argv[1]
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    import json
    meta = json.load(open(os.path.join(d, "meta.json")))
    m = Model(d, meta["run"]["time"]["rounds_s"])
    cache = {}

    def levels_of(lo, n):
        if (lo, n) not in cache:
            cache[(lo, n)] = levels_table(lo, n)
        return cache[(lo, n)]

    for name, sc in SCENARIOS + [(n, s) for n, s in EXTRA]:
        secs, plans, dec, alln = [], [], [], 0
        per = {g: 0 for g in m.groups}
        alarms = npairs = 0
        for _ in range(trials):
            s, n, r = simulate(m, sc, levels_of, rng)
            alarms += r.pop("__alarms", 0)
            npairs += r.pop("__pairs", 0)
            secs.append(s)
            plans.append(n)
            dec.append(sum(r.values()))
            alln += all(r.values())
            for g, v in r.items():
                per[g] += v
        print("%s: plan %d..%d rounds, sweep %.0f s [%.0f, %.0f], groups decided %.2f of %d, all in %.0f%%" %
              (name, min(plans), max(plans), statistics.median(secs), min(secs), max(secs),
               statistics.mean(dec), len(m.groups), 100.0 * alln / trials))
        if npairs:
            print("    A/A: %d of %d pair verdicts name a winner (%.4f; each pair's level is 0.05)" %
                  (alarms, npairs, alarms / npairs))
            continue
        weak = sorted((v, g) for g, v in per.items() if v < trials)
        for v, g in weak:
            print("    %-60s decided in %3.0f%%" % ((g[0] + " " + g[1])[:60], 100.0 * v / trials))


if __name__ == "__main__":
    main()
