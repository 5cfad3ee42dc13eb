#!/bin/sh
# history_runs.sh -- the real runs the history end-to-end tests share
# (a ctest fixture): three normal primes runs, then five with
# work_scale=2 (twice the trial divisions per item: half the items per
# CPU-second, a step no neighbour's load on a shared 2-core machine fakes
# or hides; a 20% step once drowned in it), one after another
# as CI would make them over eight commits.  Each run's meta.json gets the
# revision r1..r8 and a commit time (the "git_revision" and
# "git_commit_time" fields cfbench run writes and history add reads), as
# if built from eight commits.
# usage: history_runs.sh CFBENCH OUTDIR
set -u
B=$1
OUT=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT" || fail "mkdir $OUT"
# 6 items (not 8): the doubled work of r4..r8 would cost CI a third more time
AXES="--workload primes --backend thread --workers 1 --items 6 --repeat 7 --warmup 1"
for i in 1 2 3 4 5 6 7 8; do
  P=""
  [ "$i" -ge 4 ] && P="--param work_scale=2"
  # shellcheck disable=SC2086
  "$B" run $AXES $P --seed "$i" --out "$OUT/r$i" >"$OUT/r$i.log" 2>&1 || fail "run $i (see $OUT/r$i.log)"
  grep -q '"git_commit_time": ' "$OUT/r$i/meta.json" || fail "run $i: meta.json has no git_commit_time"
  sed -i -e "s/\"git_revision\": \"[^\"]*\"/\"git_revision\": \"r$i\"/" \
    -e "s/\"git_commit_time\": \(null\|\"[^\"]*\"\)/\"git_commit_time\": \"2026-01-0${i}T12:00:00Z\"/" \
    "$OUT/r$i/meta.json" || fail "meta.json of run $i"
  grep -q "\"git_revision\": \"r$i\"" "$OUT/r$i/meta.json" || fail "revision not written into run $i"
done
echo "ok: 8 runs in $OUT"
