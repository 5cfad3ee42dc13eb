#!/bin/sh
# characterize_contention.sh -- the check of `cfbench characterize` on the
# contention test plugin (tests/workloads/plugins/contention.c: each item
# 0.9 ms outside and 0.1 ms inside one process-wide mutex, the hold kept to
# 0.1 ms by sleeping short of its deadline and spinning the rest, so
# threads saturate near 1/0.1 ms = 10k items/s from about (0.9 + 0.1) /
# 0.1 = 10 workers on, and processes, one mutex each, do not).  Prints
# figures; asserts nothing.
#   thread:  the fit's knee Xmax/lambda (wanted near 10), the knee the
#            plugin's measured times give (the one-worker item over the
#            hold, measured by the plugin itself at 64 workers), the
#            hand-off between two holds (1/Xmax - hold: the next waiter's
#            wake-up, which the mutex adds to every hold), and the fit's
#            saturation over the measured 64-worker median (wanted within
#            15%)
#   process: whether the chosen model saturates or peaks within the sweep
#            (wanted: no), and how many CPUs its 64 workers need (on 2
#            CPUs, ~40 us on a CPU per 1.1 ms item is 2.3 CPUs: they
#            saturate on the CPUs, not on a mutex)
# usage: scripts/characterize_contention.sh [BUILD_DIR] (default build/release)
set -eu
uptime # the figures move with the machine's other load: note it
B=${1:-build/release}
CLI=$B/harness/cfbench
SO=$B/tests/workloads/contention.so
[ -x "$CLI" ] && [ -f "$SO" ] || { echo "build $B first (cmake --preset release && cmake --build $B)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/cf-char-contention-XXXXXX)
"$CLI" characterize --workload "plugin:$SO" --max-workers 64 --repeat 3 --out "$OUT/char" --force --quiet
# the plugin's own record of its hold (inside_p50_us), at 64 threads, where
# the mutex is contended: what the saturation is made of
"$CLI" run --workload "plugin:$SO" --backend thread --workers 64 --items 2000 --repeat 3 --warmup 0 \
  --out "$OUT/hold" --force >/dev/null
python3 - "$OUT/char/characterize.json" "$OUT/hold/runs.csv" <<'PY'
import csv, json, statistics, sys
d = json.load(open(sys.argv[1]))
t, p = d["backends"]["thread"], d["backends"]["process"]
holds = []
for r in csv.DictReader(open(sys.argv[2])):
    m = dict(kv.split("=", 1) for kv in r["metrics"].split(";") if "=" in kv)
    if "inside_p50_us" in m: holds.append(float(m["inside_p50_us"]))
hold = statistics.median(holds) if holds else float("nan")
m64 = [x["median_items_per_s"] for x in t["points"] if x["workers"] == 64][0]
xm = t["max_items_per_s"]
lam = [m for m in t["models"] if m["name"] == t["chosen_model"]][0]["parameters"]["lambda"]["value"]
item = d["per_item"]["wall_us"]
print("thread : chosen %s, saturation %s items/s, measured at 64 workers %.0f items/s"
      % (t["chosen_model"], "none" if xm is None else "%.0f" % xm, m64))
if xm is not None:
    print("         saturation / measured(64) = %.3f (check: within 0.85..1.15)" % (xm / m64))
print("         knee (Xmax / lambda) = %.1f workers (check: near 10); the %s's n_peak = %s"
      % (t["n_knee"], t["chosen_model"], "none" if t["n_peak"] is None else "%.1f" % t["n_peak"]))
print("         measured times: one-worker item %.0f us (lambda %.0f/s: %.0f us), hold %.1f us (p50 at 64 threads)"
      % (item, lam, 1e6 / lam, hold))
print("         knee the times give = item / hold = %.1f workers" % (item / hold))
if xm is not None:
    print("         at saturation one item per %.1f us: hold %.1f + hand-off %.1f us (the next waiter's wake-up);"
          % (1e6 / xm, hold, 1e6 / xm - hold))
    print("         knee with the hand-off = item / (hold + hand-off) = %.1f (the fit's: %.1f)"
          % (item * xm / 1e6, xm / lam))
print("process: chosen %s, n_peak %s, peak within the sweep: %s (check: no saturation)"
      % (p["chosen_model"], p["n_peak"], p["peak_within_sweep"]))
# processes have no shared mutex, but 64 of them need CPU: each item's
# on-CPU time (sleeps' syscalls and wake-ups, the executor's messages)
# times the 64/item rate; past the machine's CPUs they saturate on CPU
top = max(p["points"], key=lambda x: x["workers"])
need = top["workers"] * d["per_item"]["cpu_us"] / item
print("         %d workers need %.1f of the %d CPUs (%.0f us on CPU per %.0f us item)%s"
      % (top["workers"], need, d["ncpus"], d["per_item"]["cpu_us"], item,
         ": a saturation is the CPUs', not a mutex" if need > d["ncpus"] else ""))
r = d["recommendation"]
print("recommendation: %s, %d workers, chunksize %d: %.0f measured, %s predicted"
      % (r["backend"], r["workers"], r["chunksize"], r["measured_items_per_s"], r["predicted_items_per_s"]))
print("                by %s: %s" % (r.get("rule", "-"), r.get("rule_why", "")))
PY
uptime
echo "directory: $OUT"
