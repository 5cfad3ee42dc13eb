#!/bin/sh
# ab_thread.sh -- two builds of bench_peers (say, before and after a change
# to the thread backend) alternated round by round in one run, cfutures
# alone (BENCH_PEERS_ONLY=none), at each worker count; then per shape the
# min/median/max of the per-round ratio B / A (< 1: B is faster)
# (ab_common.sh).
#   usage: ab_thread.sh BENCH_A BENCH_B [rounds=7] [tasks=200000] [workers=1,2,4]
set -eu
. "$(dirname "$0")/ab_common.sh"
tasks=${4:-200000}

ab_one() { # WHO BIN ROUND W: one measured round after bench_peers' warm-up round
  UV_THREADPOOL_SIZE=$4 BENCH_PEERS_ONLY=none "$2" --child "$4" "$tasks" 1 |
    awk -v who="$1" -v r="$3" '$3 == "cfutures" { print r, who, $1 "/W=" $2, "ns", $4 }'
}

ab_run "${1:-}" "${2:-}" "${3:-7}" "${5:-1,2,4}" "ns per task"
