#!/bin/sh
# ab_thread.sh -- two builds of bench_peers (say, before and after a change
# to the thread backend) alternated round by round in one run, cfutures
# alone (BENCH_PEERS_ONLY=none), at each worker count; then per shape the
# min/median/max of the per-round ratio B / A (< 1: B is faster), with the
# load average at the start and the end.  Taking the ratio inside each
# round cancels the drift of a shared machine; which build goes first
# is drawn at random every round.
#   usage: ab_thread.sh BENCH_A BENCH_B [rounds=7] [tasks=200000] [workers=1,2,4]
set -eu
a=$1
b=$2
rounds=${3:-7}
tasks=${4:-200000}
workers=${5:-1,2,4}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
r=0
while [ "$r" -lt "$rounds" ]; do
  # A random order each round: a fixed order would give one build every
  # round's second slot (a warmer cache, or a load that has just risen).
  if [ "$(od -An -N1 -tu1 /dev/urandom)" -lt 128 ]; then order="A B"; else order="B A"; fi
  for w in $(echo "$workers" | tr , ' '); do
    for who in $order; do
      if [ "$who" = A ]; then bin=$a; else bin=$b; fi
      # one measured round after bench_peers' warm-up round
      UV_THREADPOOL_SIZE=$w BENCH_PEERS_ONLY=none "$bin" --child "$w" "$tasks" 1 |
        awk -v who="$who" -v r="$r" '$3 == "cfutures" { print r, who, $1 "/W=" $2, "ns", $4 }' >>"$raw"
    done
  done
  r=$((r + 1))
done
echo "# load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$(dirname "$0")/ab_summary.py" "$raw" "ns per task"
