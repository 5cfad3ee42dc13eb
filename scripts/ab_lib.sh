# ab_lib.sh -- what scripts/ab_aa.sh and scripts/ab_detect.sh share (sourced,
# not run): the noisy neighbour, one `cfbench ab` comparison with its figures
# on one line, and the per-configuration tally over the comparisons.
# Prints figures; asserts nothing.

# A noisy neighbour: stress-ng --cpu 1 switched on and off at random moments
# (on 2-16 s, off 2-21 s), until killed.  The seconds it was on go to the
# file $1 (one line per burst), so each comparison can say its share.
ab_neighbour() {
  while :; do
    sleep $(( $(od -An -N1 -tu1 /dev/urandom) % 20 + 2 ))
    on=$(( $(od -An -N1 -tu1 /dev/urandom) % 15 + 2 ))
    echo "$(date +%s) $on" >>"$1"
    timeout "$on" stress-ng --cpu 1 --quiet >/dev/null 2>&1
  done
}

# Start the neighbour unless NEIGHBOUR=0; sets ab_npid ("" when none).
ab_neighbour_start() {
  ab_npid=""
  [ "${NEIGHBOUR:-1}" = 0 ] && return
  command -v stress-ng >/dev/null || { echo "stress-ng is missing (apt-get install stress-ng)" >&2; exit 2; }
  : >"$1"
  ab_neighbour "$1" & ab_npid=$!
}

# Stop it: the loop (our child) and its stress-ng (the loop's children).
ab_neighbour_stop() {
  [ -n "$ab_npid" ] || return 0
  pkill -P "$ab_npid" 2>/dev/null   # timeout, which ends its stress-ng
  kill "$ab_npid" 2>/dev/null
  wait "$ab_npid" 2>/dev/null
  return 0
}

# Seconds the neighbour was switched on within [$2, $3] (file $1).
ab_neighbour_on() {
  [ -s "$1" ] || { echo 0; return; }
  awk -v a="$2" -v b="$3" '{ s = $1; e = $1 + $2; if (s < a) s = a; if (e > b) e = b;
                             if (e > s) t += e - s } END { printf "%d", t }' "$1"
}

# One comparison: ab_one LABEL OUTDIR BASE NEW [ab/run options...] (its
# variables are o_*: sh has no locals, and ab_series's must survive); its
# gate.json is OUTDIR/gate.json, stderr OUTDIR.err.  Prints one line:
# exit, slower of judged, rounds, seconds, load before/after, neighbour on.
ab_one() {
  o_label=$1 o_dir=$2 o_base=$3 o_new=$4
  shift 4
  o_s=$(date +%s) o_l0=$(cut -d' ' -f1 /proc/loadavg)
  "$CFBENCH" ab "$o_base" "$o_new" "$@" --out "$o_dir" --format json >/dev/null 2>"$o_dir.err"
  o_rc=$?
  o_e=$(date +%s) o_l1=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$o_dir/gate.json" "$o_label" "$o_rc" "$(grep -c 'round .* done' "$o_dir.err")" $((o_e - o_s)) \
    "$o_l0" "$o_l1" "$(ab_neighbour_on "$AB_NFILE" "$o_s" "$o_e")" <<'PY'
import json, sys
f, label, rc, rounds, secs, l0, l1, on = sys.argv[1:]
try:
    g = json.load(open(f))
except (OSError, ValueError):
    print("%s: exit %s, no gate.json (see %s.err)" % (label, rc, f[:-len("/gate.json")]))
    sys.exit(0)
print("%s: exit %s, %d slower of %d judged (%d faster), %s rounds, %s s, load %s -> %s, neighbour on %s s"
      % (label, rc, g["regressions"], g["judged"], g["improvements"], rounds, secs, l0, l1, on))
PY
}

# The tally over comparisons: ab_tally DIR... prints, per configuration,
# how many comparisons flagged it slower, with its pooled ratio (the median
# of its per-comparison ratio estimates), then the totals.
ab_tally() {
  python3 - "$@" <<'PY'
import json, statistics, sys
runs, per = 0, {}
for d in sys.argv[1:]:
    try:
        g = json.load(open(d + "/gate.json"))
    except (OSError, ValueError):
        continue
    runs += 1
    for c in g["configurations"]:
        p = per.setdefault(c["configuration"], {"slower": 0, "judged": 0, "ratios": [], "by": {}})
        p["judged"] += c["verdict"] != "too few rounds"
        p["slower"] += c["verdict"] == "slower"
        if c["ratio"] is not None:
            p["ratios"].append(c["ratio"])
        # ab --metric both: each metric's own test (flagged slower by it, its ratios)
        for m, t in (c.get("metrics") or {}).items():
            q = p["by"].setdefault(m, {"slower": 0, "ratios": []})
            q["slower"] += t["verdict"] == "slower"
            if t["ratio"] is not None:
                q["ratios"].append(t["ratio"])
print("per configuration: flagged slower / comparisons judged, median ratio NEW/BASE"
      " [per metric: flagged by its test, median ratio]")
for name, p in sorted(per.items()):
    r = statistics.median(p["ratios"]) if p["ratios"] else float("nan")
    by = "  ".join("%s %d %.3f" % (m, q["slower"], statistics.median(q["ratios"]) if q["ratios"] else float("nan"))
                   for m, q in sorted(p["by"].items()))
    print("  %2d/%-2d  %.3f  %s%s" % (p["slower"], p["judged"], r, name, "  [" + by + "]" if len(p["by"]) > 1 else ""))
slowed = [p for p in per.values() if p["ratios"] and statistics.median(p["ratios"]) < 0.99]
print("total: %d flagged slower of %d judged (%d configurations x %d comparisons)"
      % (sum(p["slower"] for p in per.values()), sum(p["judged"] for p in per.values()), len(per), runs))
print("configurations with median ratio < 0.99: %d; flagged in >= 90%% of their comparisons: %d"
      % (len(slowed), sum(1 for p in slowed if p["judged"] and p["slower"] >= 0.9 * p["judged"])))
PY
}

# The whole series: ab_series LABEL N OUT BASE NEW [ab/run options...]: N
# comparisons (OUT/cmp1, ...; the i-th with --seed SEED0 + i - 1) with the
# neighbour on, a line each, then the tally.
ab_series() {
  label=$1 count=$2 sdir=$3 sbase=$4 snew=$5
  shift 5
  AB_NFILE=$sdir/neighbour.txt
  echo "$label: $CFBENCH ab $sbase $snew $*, $count comparisons, $(nproc) CPUs, out $sdir"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  ab_neighbour_start "$AB_NFILE"
  trap 'ab_neighbour_stop; exit 130' INT TERM
  dirs=""
  for i in $(seq 1 "$count"); do
    ab_one "$label $i" "$sdir/cmp$i" "$sbase" "$snew" "$@" --seed $(( ${SEED0:-1} + i - 1 ))
    dirs="$dirs $sdir/cmp$i"
  done
  ab_neighbour_stop
  # shellcheck disable=SC2086 # a list of directories without blanks
  ab_tally $dirs
  echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
}
