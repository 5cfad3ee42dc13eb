#!/bin/sh
# mixed_cpu_scatter.sh -- how much the CPU time of a mixed item scatters
# from one cfbench process to the next, as `cfbench ab` sees it (every
# invocation of a side is a new process with its own calibration of the
# chain's speed).  N rounds; in each, every binary given runs once, in an
# order drawn per round (so drift of the machine hits all alike), as
# `BIN run --workload mixed --param cpu_us=$CPU_US --param io_us=0
# --workers 1 --items $ITEMS --repeat 1 --warmup 0`.  Prints per binary the
# CPU time per item ((cpu_user_s + cpu_sys_s) / items_done): median, min,
# max, the coefficient of variation (sd / mean) and its robust form
# (1.4826 MAD / median), and the load average before and after.  Asserts
# nothing.
# usage: scripts/mixed_cpu_scatter.sh N BIN [BIN...]
#   CPU_US  compute per item (default 2ms)   ITEMS  items per run (default 50)
set -u
n=${1:?usage: mixed_cpu_scatter.sh N BIN [BIN...]}
shift
[ $# -ge 1 ] || { echo "mixed_cpu_scatter.sh: give at least one cfbench binary" >&2; exit 2; }
for b in "$@"; do [ -x "$b" ] || { echo "mixed_cpu_scatter.sh: '$b' is not an executable" >&2; exit 2; }; done
out=$(mktemp -d /tmp/cfb-mixed-scatter-XXXXXX)
echo "mixed cpu_us=${CPU_US:-2ms} io_us=0, ${ITEMS:-50} items, $n rounds, $(nproc) CPUs; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$n"); do
  # this round's order of the binaries (index:path lines, shuffled)
  i=0
  for b in "$@"; do i=$((i + 1)); echo "$i $b"; done | shuf | while read -r k b; do
    "$b" run --workload mixed --param cpu_us="${CPU_US:-2ms}" --param io_us=0 --backend thread --workers 1 \
      --items "${ITEMS:-50}" --repeat 1 --rounds 1 --warmup 0 --seed "$r" --out "$out/b$k-r$r" --force \
      >/dev/null 2>&1 || echo "round $r: $b failed (see $out/b$k-r$r)" >&2
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$n" "$@" <<'PY'
import csv, statistics as st, sys
out, n, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
print("CPU time per item (us) over %d processes each:" % n)
print("  %8s %8s %8s %7s %10s  %s" % ("median", "min", "max", "CV", "robust CV", "binary"))
for k, b in enumerate(bins, 1):
    x = []
    for r in range(1, n + 1):
        try:
            row = next(csv.DictReader(open("%s/b%d-r%d/runs.csv" % (out, k, r))))
            x.append(1e6 * (float(row["cpu_user_s"]) + float(row["cpu_sys_s"])) / float(row["items_done"]))
        except (OSError, StopIteration, KeyError, ValueError, ZeroDivisionError):
            pass
    if len(x) < 2:
        print("  too few runs of %s" % b)
        continue
    med = st.median(x)
    mad = st.median(abs(v - med) for v in x)
    print("  %8.1f %8.1f %8.1f %6.1f%% %9.1f%%  %s"
          % (med, min(x), max(x), 100 * st.stdev(x) / st.mean(x), 100 * 1.4826 * mad / med, b))
PY
rm -rf "$out"
