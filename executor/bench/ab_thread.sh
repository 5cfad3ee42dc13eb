#!/bin/sh
# ab_thread.sh -- two builds of bench_peers (say, before and after a change
# to the thread backend) alternated round by round in one run, cfutures
# alone (BENCH_PEERS_ONLY=none), at each worker count; then per shape the
# min/median/max of the per-round ratio B / A (< 1: B is faster), with the
# load average at the start and the end.  Taking the ratio inside each
# round cancels the drift of a shared machine; which build goes first
# alternates from round to round.
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
  if [ $((r % 2)) -eq 0 ]; then first=A; else first=B; fi
  for w in $(echo "$workers" | tr , ' '); do
    for who in $first $([ "$first" = A ] && echo B || echo A); do
      if [ "$who" = A ]; then bin=$a; else bin=$b; fi
      # one measured round after bench_peers' warm-up round
      UV_THREADPOOL_SIZE=$w BENCH_PEERS_ONLY=none "$bin" --child "$w" "$tasks" 1 |
        awk -v who="$who" -v r="$r" '$3 == "cfutures" { print r, who, $1 "/W=" $2, $4 }' >>"$raw"
    done
  done
  r=$((r + 1))
done
echo "# load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$raw" <<'PY'
import collections, statistics, sys
v = collections.defaultdict(dict)
order = []
for line in open(sys.argv[1]):
    r, who, name, x = line.split()
    if name not in order:
        order.append(name)
    v[(name, r)][who] = float(x)
print("# %-14s %10s %10s %8s %8s %8s" % ("shape", "A median", "B median", "B/A min", "median", "max"))
for name in order:
    pairs = [d for (n, _), d in v.items() if n == name and "A" in d and "B" in d]
    ratios = [d["B"] / d["A"] for d in pairs if d["A"] > 0]
    if not ratios:
        continue
    print("  %-14s %10.1f %10.1f %8.3f %8.3f %8.3f" % (name, statistics.median(d["A"] for d in pairs),
          statistics.median(d["B"] for d in pairs), min(ratios), statistics.median(ratios), max(ratios)))
print("# ns per task; %d rounds, A and B alternated; ratio = B / A in the same round (< 1: B faster)" % len(pairs))
PY
