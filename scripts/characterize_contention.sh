#!/bin/sh
# characterize_contention.sh -- the check of `cfbench characterize` on the
# contention test plugin (tests/workloads/plugins/contention.c: each item
# 0.9 ms outside and 0.1 ms inside one process-wide mutex, so threads
# saturate at 1/0.1 ms = 10k items/s from about 10 workers on, and
# processes, one mutex each, do not).  Prints figures; asserts nothing.
#   thread:  the fit's saturation throughput against the measured median
#            at 64 workers (wanted within 15%), and the knee Xmax/lambda
#            (wanted ~10: where 1 ms items on N workers reach 10k/s)
#   process: whether the chosen model peaks within the sweep (wanted: no)
# usage: scripts/characterize_contention.sh [BUILD_DIR] (default build/release)
set -eu
uptime # the figures move with the machine's other load: note it
B=${1:-build/release}
CLI=$B/harness/cfbench
SO=$B/tests/workloads/contention.so
[ -x "$CLI" ] && [ -f "$SO" ] || { echo "build $B first (cmake --preset release && cmake --build $B)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/cf-char-contention-XXXXXX)
"$CLI" characterize --workload "plugin:$SO" --max-workers 64 --repeat 3 --out "$OUT" --force --quiet
python3 - "$OUT/characterize.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t, p = d["backends"]["thread"], d["backends"]["process"]
m64 = [x["median_items_per_s"] for x in t["points"] if x["workers"] == 64][0]
xm = t["max_items_per_s"]
print("thread : chosen %-10s saturation %s items/s, measured at 64 workers %.0f items/s"
      % (t["chosen_model"], "none" if xm is None else "%.0f" % xm, m64))
if xm is not None:
    print("         saturation / measured(64) = %.3f (check: within 0.85..1.15)" % (xm / m64))
print("         knee (Xmax / lambda) = %s workers (check: near 10); the %s's n_peak = %s"
      % (t["n_knee"], t["chosen_model"], t["n_peak"]))
print("         one worker: %.0f us per item (%.0f us waiting for a CPU): the 1 ms item the targets assume"
      % (d["per_item"]["wall_us"], d["per_item"]["runqueue_wait_us"]))
print("process: chosen %-10s n_peak %s, peak within the sweep: %s (check: no)"
      % (p["chosen_model"], p["n_peak"], p["peak_within_sweep"]))
r = d["recommendation"]
print("recommendation: %s, %d workers, chunksize %d: %.0f measured, %s predicted"
      % (r["backend"], r["workers"], r["chunksize"], r["measured_items_per_s"], r["predicted_items_per_s"]))
print("                by %s: %s" % (r.get("rule", "-"), r.get("rule_why", "")))
PY
uptime
echo "directory: $OUT"
