#!/bin/sh
# ab_phases.sh -- two builds of bench_phases (before and after a change to
# the thread backend) alternated round by round; then per phase (submit,
# worker, collect: thread CPU ns per task at one worker, see phases.c) the
# min/median/max of the per-round ratio B / A (< 1: B is cheaper)
# (ab_common.sh).  Thread CPU time leaves out the time a thread waited
# for a CPU, so on a loaded machine these ratios spread by about +-10%
# where ab_thread.sh's wall-time ratios spread 2-10x.
#   usage: ab_phases.sh BENCH_A BENCH_B [rounds=15] [tasks=200000] [reps=7]
set -eu
. "$(dirname "$0")/ab_common.sh"
tasks=${4:-200000}
reps=${5:-7}

ab_one() { # WHO BIN ROUND -
  "$2" "$tasks" "$reps" | awk -v who="$1" -v r="$3" '{
    print r, who, "submit", "cpu-ns", $2; print r, who, "worker", "cpu-ns", $4
    print r, who, "collect", "cpu-ns", $6 }'
}

ab_run "${1:-}" "${2:-}" "${3:-15}" - "thread CPU ns per task at W=1"
