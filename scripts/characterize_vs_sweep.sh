#!/bin/sh
# characterize_vs_sweep.sh -- issue 16's check "the recommended
# configuration's measured throughput is within 10% of the best found by a
# full sweep of the same space", for each built-in workload named:
#   1. `cfbench characterize` (bench's effort by default: CHAR_OPTS);
#   2. the full sweep of the space it measured (both backends x its worker
#      counts x the chunksizes it chose), as ONE `cfbench run` whose rounds
#      interleave every configuration (SWEEP_ROUNDS rounds), each worker
#      count at the item count characterize used for it;
#   3. the recommended and the sweep's best configuration alternated round
#      by round in one more run (PAIR_ROUNDS rounds): the selection of the
#      best and its confirmation are separate measurements, so the best's
#      lucky median does not count against the recommendation;
#   4. the per-round ratio recommended / best: min, median, max.
# Prints figures (wanted: median ratio >= 0.9); asserts nothing.
# usage: scripts/characterize_vs_sweep.sh [BUILD_DIR] [WORKLOAD...]
# (default: every built-in workload and the contention test plugin)
set -eu
B=${1:-build/release}
[ $# -gt 0 ] && shift
WLS=${*:-sleep socket primes mixed memtouch plugin:$B/tests/workloads/contention.so}
CLI=$B/harness/cfbench
CHAR_OPTS=${CHAR_OPTS:---rep-time 50ms --repeat 3 --max-workers 64}
SWEEP_ROUNDS=${SWEEP_ROUNDS:-5}
PAIR_ROUNDS=${PAIR_ROUNDS:-10}
[ -x "$CLI" ] || { echo "build $B first" >&2; exit 2; }
T=$(mktemp -d /tmp/cf-char-vs-sweep-XXXXXX)
HERE=$(dirname "$0")
uptime # the figures move with the machine's other load: note it
printf '%-10s %-6s %-22s %-22s %6s %6s %6s %6s  %s\n' workload kind recommended best_of_sweep min median max rounds rule
for w in $WLS; do
  n=$(basename "${w#plugin:}" .so) # the files' name: a plugin's without its path
  # shellcheck disable=SC2086 # CHAR_OPTS is a list of options
  "$CLI" characterize --workload "$w" --out "$T/$n.char" --force --quiet $CHAR_OPTS >/dev/null
  python3 "$HERE/characterize_vs_sweep.py" sweep "$w" "$T/$n.char" "$SWEEP_ROUNDS" >"$T/$n.sweep.json"
  "$CLI" run --file "$T/$n.sweep.json" --out "$T/$n.sweep" --force >/dev/null 2>&1 || true
  python3 "$HERE/characterize_vs_sweep.py" pair "$w" "$T/$n.char" "$T/$n.sweep" "$PAIR_ROUNDS" >"$T/$n.pair.json"
  "$CLI" run --file "$T/$n.pair.json" --out "$T/$n.pair" --force >/dev/null 2>&1 || true
  python3 "$HERE/characterize_vs_sweep.py" ratio "$n" "$T/$n.char" "$T/$n.sweep" "$T/$n.pair"
done
uptime
echo "directories: $T"
