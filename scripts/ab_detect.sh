#!/bin/sh
# ab_detect.sh -- issue 13's detection target as figures: N times `cfbench
# ab X Y` where Y is slower than X, while a noisy neighbour runs (as in
# ab_aa.sh; NEIGHBOUR=0: none).  MODE says what Y is:
#   o0     the same revision built without optimization ($CFBENCH_O0,
#          default build/o0/harness/cfbench: cmake -S . -B build/o0
#          -DCMAKE_BUILD_TYPE=Debug; it is built when missing)
#   step   X with every item's compute made 5% larger (STEP, default 1.05):
#          a wrapper adding --param work_scale=$STEP, compared with
#          --ignore-param work_scale (primes and mixed have the knob)
# Prints per comparison: exit, flagged slower of judged, rounds, seconds,
# load, neighbour's seconds on; then per configuration the comparisons that
# flagged it and its median ratio.  Wanted: each slowed configuration
# flagged in >= 9 of 10.  Asserts nothing.
# usage: scripts/ab_detect.sh MODE [N (10)] [OUTDIR]
#   CFBENCH  the binary X (default build/release/harness/cfbench)
#   SWEEP    run options (default: primes preset=docs and mixed cpu_us=2ms
#            io_us=0, workers 1,2: four CPU-bound configurations)
#   SEED0    the first comparison's --seed (default 1; the i-th: SEED0 + i - 1)
#   AB_OPTS  extra ab options (e.g. --metric wall)
set -u
here=$(dirname "$0")
. "$here/ab_lib.sh"
CFBENCH=${CFBENCH:-build/release/harness/cfbench}
mode=${1:?usage: ab_detect.sh o0|step [N] [OUTDIR]}
n=${2:-10}
out=${3:-$(mktemp -d /tmp/cfb-ab-detect-XXXXXX)}
SWEEP=${SWEEP:---workload primes,mixed --param preset=docs --param cpu_us=2ms --param io_us=0 --workers 1,2}
[ -x "$CFBENCH" ] || { echo "no $CFBENCH: cmake --preset release && cmake --build build/release -j2" >&2; exit 2; }
mkdir -p "$out"
case $mode in
o0)
  slow=${CFBENCH_O0:-build/o0/harness/cfbench}
  if [ ! -x "$slow" ]; then
    cmake -S "$here/.." -B build/o0 -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
      cmake --build build/o0 -j2 --target cfbench >/dev/null || exit 2
  fi
  extra="" ;;
step)
  slow=$out/step.sh
  printf '#!/bin/sh\nexec %s "$@" --param work_scale=%s\n' "$CFBENCH" "${STEP:-1.05}" >"$slow"
  chmod +x "$slow"
  extra="--ignore-param work_scale" ;;
*) echo "ab_detect.sh: MODE '$mode'; allowed: o0, step" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # SWEEP, extra and AB_OPTS are lists of options
ab_series "$mode" "$n" "$out" "$CFBENCH" "$slow" $SWEEP $extra ${AB_OPTS:-}
