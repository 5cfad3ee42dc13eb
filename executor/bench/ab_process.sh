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
python3 - "$raw" <<'PY'
import collections, statistics, sys
v = collections.defaultdict(dict)
order = []
for line in open(sys.argv[1]):
    r, who, name, unit, x = line.split()
    if (name, unit) not in order:
        order.append((name, unit))
    v[(name, unit, r)][who] = float(x)
print("# %-15s %-8s %10s %10s %8s %8s %8s" % ("shape", "unit", "A median", "B median", "B/A min", "median", "max"))
for name, unit in order:
    pairs = [d for (n, u, _), d in v.items() if (n, u) == (name, unit) and "A" in d and "B" in d]
    ratios = [d["B"] / d["A"] for d in pairs if d["A"] > 0]
    if not ratios:
        continue
    print("  %-15s %-8s %10.3f %10.3f %8.3f %8.3f %8.3f" % (name, unit, statistics.median(d["A"] for d in pairs),
          statistics.median(d["B"] for d in pairs), min(ratios), statistics.median(ratios), max(ratios)))
# the rounds run, not the last shape's pairs: a shape only one build
# prints (a row added since) has none, and the footer said "0 rounds"
print("# %d rounds, A and B alternated; ratio = B / A in the same round (< 1: B faster)" % len({k[2] for k in v}))
PY
