#!/bin/sh
# characterize_vs_sweep.sh -- for each built-in workload: `cfbench
# characterize`, then a full `cfbench run` sweep of the same space (both
# backends x the worker counts characterize measured x the chunksizes it
# chose, more repetitions), and the recommended configuration's median
# throughput in that sweep against the sweep's best configuration
# (wanted: within 10%).  Each worker count is one `cfbench run` (both
# backends and chunksizes interleaved in rounds) at the item count
# characterize used for it.  Prints figures; asserts nothing.
# usage: scripts/characterize_vs_sweep.sh [BUILD_DIR] [WORKLOAD...]
set -eu
B=${1:-build/release}
[ $# -gt 0 ] && shift
WLS=${*:-sleep socket primes mixed memtouch}
CLI=$B/harness/cfbench
[ -x "$CLI" ] || { echo "build $B first" >&2; exit 2; }
T=$(mktemp -d /tmp/cf-char-vs-sweep-XXXXXX)
uptime # the figures move with the machine's other load: note it
printf '%-9s %-5s %-26s %10s %10s %-22s %6s %6s\n' workload kind recommended rec_items/s best_items/s best ratio char_s
for w in $WLS; do
  s0=$(date +%s)
  "$CLI" characterize --workload "$w" --out "$T/$w.char" --force --quiet >/dev/null
  s1=$(date +%s)
  # one sweep per worker count, at the item count characterize used
  # there (a fixed count for all would take minutes at 1 worker)
  python3 - "$T/$w.char/measure.json" <<'PY' >"$T/$w.axes"
import json, sys
m = json.load(open(sys.argv[1]))
for n in sorted({p["workers"] for p in m["points"]}):
    pts = [p for p in m["points"] if p["workers"] == n]
    print(n, ",".join(sorted({str(p["chunksize"]) for p in pts})), max(p["items"] for p in pts))
PY
  : >"$T/$w.summary.csv"
  while read -r n cs items; do
    "$CLI" run --workload "$w" --backend thread,process --workers "$n" --chunksize "$cs" --items "$items" \
      --repeat 5 --rounds 5 --warmup 1 --out "$T/$w.sweep.$n" >/dev/null 2>&1 || true
    if [ -s "$T/$w.summary.csv" ]; then tail -n +2 "$T/$w.sweep.$n/summary.csv"; else cat "$T/$w.sweep.$n/summary.csv"; fi \
      >>"$T/$w.summary.csv"
  done <"$T/$w.axes"
  python3 - "$w" "$T/$w.char/characterize.json" "$T/$w.summary.csv" "$((s1 - s0))" <<'PY'
import csv, json, sys
w, d, rows, secs = sys.argv[1], json.load(open(sys.argv[2])), list(csv.DictReader(open(sys.argv[3]))), sys.argv[4]
r = d["recommendation"]
ok = [x for x in rows if x["status"] == "ok"]
best = max(ok, key=lambda x: float(x["median"]))
rec = [x for x in ok if x["backend"] == r["backend"] and int(x["workers"]) == r["workers"]
       and int(x["chunksize"]) == r["chunksize"]]
rv = float(rec[0]["median"]) if rec else float("nan")
print("%-9s %-5s %-26s %10.0f %10.0f %-22s %6.3f %6s" % (w, d["kind"],
      "%s w=%d c=%d" % (r["backend"], r["workers"], r["chunksize"]), rv, float(best["median"]),
      "%s w=%s c=%s" % (best["backend"], best["workers"], best["chunksize"]), rv / float(best["median"]), secs))
PY
done
uptime
echo "directories: $T"
