#!/bin/sh
# ab_phases.sh -- two builds of bench_phases (before and after a change to
# the thread backend) alternated round by round, which goes first swapped
# every round; then per phase (submit, worker, collect: thread CPU ns per
# task at one worker, see phases.c) the min/median/max of the per-round
# ratio B / A (< 1: B is cheaper), with the load average at the start and
# the end.  Thread CPU time leaves out the time a thread waited for a CPU,
# so on a loaded machine these ratios spread by about +-10% where
# ab_thread.sh's wall-time ratios spread 2-10x.
#   usage: ab_phases.sh BENCH_A BENCH_B [rounds=15] [tasks=200000] [reps=7]
set -eu
a=$1
b=$2
rounds=${3:-15}
tasks=${4:-200000}
reps=${5:-7}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
r=0
while [ "$r" -lt "$rounds" ]; do
  if [ $((r % 2)) -eq 0 ]; then order="A B"; else order="B A"; fi
  for who in $order; do
    if [ "$who" = A ]; then bin=$a; else bin=$b; fi
    "$bin" "$tasks" "$reps" | awk -v who="$who" -v r="$r" '{ print r, who, $2, $4, $6 }' >>"$raw"
  done
  r=$((r + 1))
done
echo "# load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$raw" <<'PY'
import collections, statistics, sys
v = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, who, *x = line.split()
    v[r][who] = [float(t) for t in x]
pairs = [d for d in v.values() if "A" in d and "B" in d]
print("# %-8s %10s %10s %8s %8s %8s" % ("phase", "A median", "B median", "B/A min", "median", "max"))
for i, name in enumerate(["submit", "worker", "collect"]):
    ratios = [d["B"][i] / d["A"][i] for d in pairs if d["A"][i] > 0]
    print("  %-8s %10.2f %10.2f %8.3f %8.3f %8.3f" % (name, statistics.median(d["A"][i] for d in pairs),
          statistics.median(d["B"][i] for d in pairs), min(ratios), statistics.median(ratios), max(ratios)))
print("# thread CPU ns per task at W=1; %d rounds, A and B alternated; ratio = B / A in the same round" % len(pairs))
PY
