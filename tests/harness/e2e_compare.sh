#!/bin/sh
# e2e_compare.sh -- cfbench compare end to end on real runs: primes with an
# injected slowdown (work_scale=2: twice the trial divisions per item, half
# the throughput)
# against normal runs must exit 1 naming the slowed configurations; two
# normal runs must exit 0.  The machine is shared and its load drifts, so
# the runs are interleaved in rounds (base, slow, base2, four times) and
# each side's runs are pooled by compare: drift then hits every side
# alike instead of faking or hiding a regression.  The gate uses --metric
# cpu (items per CPU-second): with four builds sharing two cores, wall-time
# throughput here swings 2-3x between seconds (measured while writing this
# test), which no threshold separates from a 20% regression.  The step is
# a half, not a fifth or a third: compare widens its threshold to each
# run's own round-to-round spread, and a fresh CI machine under ctest -j2
# once showed 14.5% spread against a 1.2 step measured as 14% (thread not
# named).  Both compares gate at 10%: under load 25-35 (a machine shared
# with builds), two normal runs' CPU-time throughput differed by 6% with
# p = 1e-4 (cache and SMT contention move CPU time too), so a 5% gate
# there cries wolf; 10% still catches the half step (measured 48-50%
# beside stress-ng --cpu 2) with room.  Both decisions are statistical:
# ctest runs this through retry.sh (label timing), one re-measurement
# when one goes wrong.
# usage: e2e_compare.sh CFBENCH
set -u
B=$1
T=$(mktemp -d /tmp/cfbench-e2e-XXXXXX)
fail() { echo "FAIL: $*" >&2; exit 1; }
AXES="--workload primes --backend thread,process --workers 1 --items 12 --repeat 5 --warmup 1"
for r in 1 2 3 4; do
  # shellcheck disable=SC2086
  "$B" run $AXES --seed "${r}1" --out "$T/base$r" >/dev/null 2>&1 || fail "base run $r"
  # shellcheck disable=SC2086
  "$B" run $AXES --param work_scale=2 --seed "${r}2" --out "$T/slow$r" >/dev/null 2>&1 || fail "slow run $r"
  # shellcheck disable=SC2086
  "$B" run $AXES --seed "${r}3" --out "$T/again$r" >/dev/null 2>&1 || fail "second base run $r"
done
# Each side: its four runs, pooled by compare (a comma-separated list).
BASE=$T/base1,$T/base2,$T/base3,$T/base4
SLOW=$T/slow1,$T/slow2,$T/slow3,$T/slow4
AGAIN=$T/again1,$T/again2,$T/again3,$T/again4

"$B" compare "$BASE" "$SLOW" --metric cpu --threshold 10% --ignore-param work_scale >"$T/out" 2>&1
rc=$?
cat "$T/out"
[ "$rc" -eq 1 ] || fail "injected slowdown: exit $rc, wanted 1"
# REGRESSION lines wrap to 80 columns, the rest indented: joined again
awk '/^REGRESSION: / { if (r) print r; r = $0; next } r && /^  / { sub(/^ +/, " "); r = r $0; next }
     { if (r) print r; r = "" } END { if (r) print r }' "$T/out" >"$T/regr"
grep -q "REGRESSION: primes .* thread w=1 c=1" "$T/regr" || fail "slowed thread configuration not named"
grep -q "REGRESSION: primes .* process w=1 c=1" "$T/regr" || fail "slowed process configuration not named"

"$B" compare "$BASE" "$AGAIN" --metric cpu --threshold 10% >"$T/out" 2>&1
rc=$?
cat "$T/out"
[ "$rc" -eq 0 ] || fail "two normal runs: exit $rc, wanted 0"
rm -rf "$T"
echo "ok: e2e_compare"
