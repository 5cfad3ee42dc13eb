#!/bin/sh
# verdict_figures.sh -- the issue-13 targets as figures (no assertions):
#   aa N       scripts/ab_aa.sh: N times `cfbench ab X X --suite ci` with a
#              noisy neighbour: configurations flagged slower, per run and in total.
#   detect N   scripts/ab_detect.sh step: N times `cfbench ab X X'` where X'
#              computes 5% more (work_scale=1.05 on primes and mixed).
#   default    `cfbench run --suite default`: wall time, who-wins pairs left
#              undecided, the mixed gil=on crossover (from verdicts.csv).
# Extra ab options (e.g. --metric wall, --block 4) come from $AB_OPTS.
# usage: verdict_figures.sh CFBENCH {aa|detect|default} [N] [OUTDIR]
set -u
B=$1; what=$2; n=${3:-10}; out=${4:-/tmp/cfb_figures.$$}
mkdir -p "$out"
here=$(dirname "$0")/../../scripts

case $what in
aa)     CFBENCH=$B "$here/ab_aa.sh" "$n" "$out" ;;
detect) CFBENCH=$B "$here/ab_detect.sh" step "$n" "$out" ;;
default)
  s=$(date +%s)
  "$B" run --suite default --out "$out/default" >"$out/default.txt" 2>/dev/null
  echo "default suite: exit $?, $(( $(date +%s) - s )) s"
  grep '^[0-9]* pairs:' "$out/default.txt"
  grep '^mixed.*gil=on' "$out/default/verdicts.csv" | cut -d, -f1-10
  ;;
esac
