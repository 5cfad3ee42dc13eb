#!/bin/sh
# retry.sh -- runs a test whose verdict is a statistical decision on real
# measurements (ctest label "timing": a gate that must find an injected
# step, a pair that must come out equivalent) up to N times: a second,
# independent measurement when the first fails, as a human would re-run a
# benchmark a neighbour's load spoiled.  Every failed attempt's output is
# kept in the log with "retry.sh: attempt k of N failed".  Exit 77
# (skipped) is passed on at once.  Never for executor correctness tests:
# a race must fail the run, not be measured again.
# usage: retry.sh N CMD [ARG...]
set -u
n=$1
shift
k=1
while :; do
  "$@"
  rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] && exit "$rc"
  echo "retry.sh: attempt $k of $n failed (exit $rc): $*" >&2
  [ "$k" -ge "$n" ] && exit "$rc"
  k=$((k + 1))
done
