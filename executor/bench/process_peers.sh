#!/bin/sh
# process_peers.sh -- bench_process beside CPython's ProcessPoolExecutor,
# alternated round by round (one round of each, then again), then
# min/median/max per shape and the ratio cfutures / CPython (< 1: faster).
#   usage: process_peers.sh BENCH_PROCESS [rounds=5] [items=100000] [workers=2] [GiB list=1,4]
set -eu
bench=$1
rounds=${2:-5}
items=${3:-100000}
workers=${4:-2}
gibs=${5:-1,4}
here=$(dirname "$0")
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
py=$(command -v python3 || true)
r=0
while [ "$r" -lt "$rounds" ]; do
  # ours: one repetition (after its warm-up); columns 3 and 6 are shm and
  # pipe; a start/<G>GiB row is one start method (column 2), median in 3
  "$bench" "$items" 1 "$workers" "$gibs" | awk '!/^#/ && $1 != "benchmark" && NF >= 5 {
      if ($1 ~ /^start\//) print "cfutures-" $2, $1, "ms", $3
      else if (NF >= 6) { print "cfutures-shm", $1, $2, $3; print "cfutures-pipe", $1, $2, $6 } }' >>"$raw"
  if [ -n "$py" ]; then
    "$py" "$here/cpython_pool.py" "$((items / 5))" "$workers" "$gibs" | awk '{
      n = split($1, p, "/"); name = $1; who = "cpython"
      if ($1 ~ /^start\//) { name = p[1] "/" p[2]; who = "cpython-" p[3] }
      print who, name, $2, $3 }' >>"$raw"
  fi
  r=$((r + 1))
done
if [ -z "$py" ]; then
  echo "# python3 not found: CPython columns left out"; cat "$raw"; exit 0
fi
"$py" - "$raw" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, name, unit, v = line.split()
    rows[(name, unit, who)].append(float(v))
names = []
for (name, unit, who) in rows:
    if (name, unit) not in names:
        names.append((name, unit))
print("# %-16s %-8s %-16s %10s %10s %10s %10s" % ("shape", "unit", "who", "median", "min", "max", "ratio"))
for name, unit in names:
    peer = rows.get((name, unit, "cpython")) or rows.get((name, unit, "cpython-forkserver"))
    pm = statistics.median(peer) if peer else None
    for who in sorted(w for (n, u, w) in rows if (n, u) == (name, unit)):
        v = rows[(name, unit, who)]
        m = statistics.median(v)
        ratio = "%.3f" % (m / pm) if pm and who.startswith("cfutures") else ""
        print("  %-16s %-8s %-16s %10.3f %10.3f %10.3f %10s" % (name, unit, who, m, min(v), max(v), ratio))
print("# ratio = cfutures median / CPython median (fork pool; forkserver for start), < 1: cfutures faster")
PY
