#!/bin/sh
# verdict_figures.sh -- the issue-13 targets as figures (no assertions):
#   aa N       N times `cfbench ab X X --suite ci` with a noisy neighbour
#              (stress-ng --cpu 1 switched on and off at random moments):
#              configurations flagged slower, per run and in total.
#   detect N   N times `cfbench ab X X'` where X' computes 5% more
#              (work_scale=1.05 on primes and mixed): configurations flagged.
# Extra ab options (e.g. --metric cpu, --block 4) come from $AB_OPTS.  The
# A/A runs use ab's default --max-rounds (20): with Holm over the ci
# suite's 60 configurations fewer than 14 rounds could flag nothing.
#   default    `cfbench run --suite default`: wall time, who-wins pairs left
#              undecided, the mixed gil=on crossover (from verdicts.csv).
# usage: verdict_figures.sh CFBENCH {aa|detect|default} [N] [OUTDIR]
set -u
B=$1; what=$2; n=${3:-10}; out=${4:-/tmp/cfb_figures.$$}
mkdir -p "$out"

neighbour() { # toggles stress-ng --cpu 1 at random moments until killed
  while :; do
    sleep $(( $(od -An -N1 -tu1 /dev/urandom) % 20 + 2 ))
    timeout $(( $(od -An -N1 -tu1 /dev/urandom) % 15 + 2 )) stress-ng --cpu 1 --quiet >/dev/null 2>&1
  done
}

case $what in
aa)
  neighbour & npid=$!
  total=0; judged=0
  for i in $(seq 1 "$n"); do
    s=$(date +%s)
    # shellcheck disable=SC2086 # AB_OPTS is a list of options
    "$B" ab "$B" "$B" --suite ci ${AB_OPTS:-} --seed "$i" --out "$out/aa$i" --format json >"$out/aa$i.json" 2>"$out/aa$i.err"
    rc=$?
    r=$(grep -o '"regressions": [0-9]*' "$out/aa$i.json" | grep -o '[0-9]*$')
    j=$(grep -o '"judged": [0-9]*' "$out/aa$i.json" | grep -o '[0-9]*$')
    rounds=$(grep -c 'round .* done' "$out/aa$i.err")
    echo "A/A $i: exit $rc, $r slower of $j judged, $rounds rounds, $(( $(date +%s) - s )) s, load $(cut -d' ' -f1-3 /proc/loadavg)"
    total=$((total + ${r:-0})); judged=$((judged + ${j:-0}))
  done
  kill "$npid" 2>/dev/null; pkill -P "$npid" 2>/dev/null
  echo "A/A total: $total configurations flagged slower of $judged judged in $n comparisons"
  ;;
detect)
  printf '#!/bin/sh\nexec %s "$@" --param work_scale=1.05\n' "$B" >"$out/slow5.sh"; chmod +x "$out/slow5.sh"
  hit=0
  for i in $(seq 1 "$n"); do
    # shellcheck disable=SC2086 # AB_OPTS is a list of options
    "$B" ab "$B" "$out/slow5.sh" --ignore-param work_scale --max-rounds 20 ${AB_OPTS:-} --seed "$i" --out "$out/det$i" \
      --format json --workload primes,mixed --param preset=docs --param cpu_us=2ms --param io_us=0 \
      --workers 1,2 >"$out/det$i.json" 2>/dev/null
    r=$(grep -o '"regressions": [0-9]*' "$out/det$i.json" | grep -o '[0-9]*$')
    j=$(grep -o '"judged": [0-9]*' "$out/det$i.json" | grep -o '[0-9]*$')
    echo "5% slower $i: $r flagged of $j judged, load $(cut -d' ' -f1-3 /proc/loadavg)"
    [ "${r:-0}" = "${j:-x}" ] && hit=$((hit + 1))
  done
  echo "detection: all configurations flagged in $hit of $n comparisons"
  ;;
default)
  s=$(date +%s)
  "$B" run --suite default --out "$out/default" >"$out/default.txt" 2>/dev/null
  echo "default suite: exit $?, $(( $(date +%s) - s )) s"
  grep '^[0-9]* pairs:' "$out/default.txt"
  grep '^mixed.*gil=on' "$out/default/verdicts.csv" | cut -d, -f1-10
  ;;
esac
