#!/bin/sh
# characterize_contention.sh -- the check of `cfbench characterize` on the
# contention test plugin (tests/workloads/plugins/contention.c: each item
# 0.9 ms outside and 0.1 ms inside one process-wide mutex, so threads
# saturate at 1/0.1 ms = 10k items/s from about 10 workers on, and
# processes, one mutex each, do not).  Prints figures; asserts nothing.
#   thread:  the fit's saturation throughput against the measured median
#            at 64 workers (wanted within 15%), and the knee Xmax/lambda
#            (~10 where 1 ms items on N workers reach 10k/s; the script
#            prints the lambda and Xmax this machine gave, as the knee is
#            their ratio: the mutex sleeps 0.1 ms, so on a loaded machine
#            the holder's and the next waiter's wake-ups add to it)
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
lam = [m for m in t["models"] if m["name"] == t["chosen_model"]][0]["parameters"]["lambda"]["value"]
print("         knee (Xmax / lambda) = %s workers (check: near 10); the %s's n_peak = %s"
      % (t["n_knee"], t["chosen_model"], t["n_peak"]))
# the knee is this machine's Xmax over its lambda: 10 only where one item
# takes 1 ms and the mutex passes at 0.1 ms per item; a sleeping holder
# and a woken waiter each wait for a CPU on a loaded machine, so both move
if xm is not None:
    print("         lambda %.0f/s per worker (%.0f us an item), Xmax %.0f/s (%.0f us held per item): "
          "the knee the data gives is %.1f" % (lam, 1e6 / lam, xm, 1e6 / xm, xm / lam))
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
