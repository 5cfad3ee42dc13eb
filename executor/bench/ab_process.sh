#!/bin/sh
# ab_process.sh -- two builds of bench_process (say, before and after a
# change) alternated round by round in one run, then per shape the
# min/median/max of the per-round ratio B / A of the shm column (< 1: B is
# faster).  Taking the ratio inside each round cancels the drift of a
# shared machine.
#   usage: ab_process.sh BENCH_A BENCH_B [rounds=7] [items=100000] [workers=2]
set -eu
a=$1
b=$2
rounds=${3:-7}
items=${4:-100000}
workers=${5:-2}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
r=0
while [ "$r" -lt "$rounds" ]; do
  # A random order each round: a fixed A-then-B would give B every
  # round's second slot (a warmer cache, or a load that has just risen).
  if [ "$(od -An -N1 -tu1 /dev/urandom)" -lt 128 ]; then order="A B"; else order="B A"; fi
  for who in $order; do
    if [ "$who" = A ]; then bin=$a; else bin=$b; fi
    # one repetition after the warm-up, no GiB rows; column 3 is shm
    "$bin" "$items" 1 "$workers" 0 | awk -v who="$who" -v r="$r" \
      '!/^#/ && $1 != "benchmark" && NF >= 6 && $1 !~ /^start\// { print r, who, $1, $2, $3 }' >>"$raw"
  done
  r=$((r + 1))
done
python3 "$(dirname "$0")/ab_summary.py" "$raw" "the shm transport"
