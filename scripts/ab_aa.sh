#!/bin/sh
# ab_aa.sh -- issue 13's A/A target as figures: N times `cfbench ab X X
# --suite ci` (the same binary as BASE and NEW) while a noisy neighbour runs
# (stress-ng --cpu 1 switched on and off at random moments; NEIGHBOUR=0: none).
# Prints per comparison: exit, configurations flagged slower of those judged,
# rounds, seconds, the load average before and after, the neighbour's
# seconds on; then per configuration and in total.  Wanted: at most 1
# flagged in all N together.  Asserts nothing.
# usage: scripts/ab_aa.sh [N (10)] [OUTDIR]
#   CFBENCH  the binary (default build/release/harness/cfbench)
#   SWEEP    the run options of the sweep (default --suite ci)
#   SEED0    the first comparison's --seed (default 1; the i-th: SEED0 + i - 1)
#   AB_OPTS  extra ab options (e.g. --metric cpu, --max-rounds 14)
set -u
here=$(dirname "$0")
. "$here/ab_lib.sh"
CFBENCH=${CFBENCH:-build/release/harness/cfbench}
n=${1:-10}
out=${2:-$(mktemp -d /tmp/cfb-ab-aa-XXXXXX)}
[ -x "$CFBENCH" ] || { echo "no $CFBENCH: cmake --preset release && cmake --build build/release -j2" >&2; exit 2; }
mkdir -p "$out"
# shellcheck disable=SC2086 # SWEEP and AB_OPTS are lists of options
ab_series A/A "$n" "$out" "$CFBENCH" "$CFBENCH" ${SWEEP:---suite ci} ${AB_OPTS:-}
