#!/bin/sh
# ab_phases.sh -- two builds of bench_phases (before and after a change to
# the thread backend) alternated round by round, which goes first drawn at
# random every round; then per phase (submit, worker, collect: thread CPU
# ns per task at one worker, see phases.c) the min/median/max of the per-round
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
  # A random order each round: a fixed order would give one build every
  # round's second slot (a warmer cache, or a load that has just risen).
  if [ "$(od -An -N1 -tu1 /dev/urandom)" -lt 128 ]; then order="A B"; else order="B A"; fi
  for who in $order; do
    if [ "$who" = A ]; then bin=$a; else bin=$b; fi
    "$bin" "$tasks" "$reps" | awk -v who="$who" -v r="$r" '{
      print r, who, "submit", "cpu-ns", $2; print r, who, "worker", "cpu-ns", $4
      print r, who, "collect", "cpu-ns", $6 }' >>"$raw"
  done
  r=$((r + 1))
done
echo "# load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$(dirname "$0")/ab_summary.py" "$raw" "thread CPU ns per task at W=1"
