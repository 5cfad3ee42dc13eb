#!/bin/sh
# history_e2e.sh -- cfbench history end to end on the real runs of
# history_runs.sh (3 normal, then 5 with work_scale=2), in a SQLite file
# or in a PostgreSQL server this test starts itself:
#  - four `history add` of all eight runs at once (two writers at once are
#    safe): every one exits 0, the store holds 8 runs;
#  - adding a run again changes nothing;
#  - detect finds the change at r4, the first slowed revision, and check
#    exits 1 naming it (text, md, json); the normal runs alone pass check;
#  - plot draws the trend;
#  - report --history-db shows the history of a stored run's configuration.
# The metric is items per CPU-second (--metric cpu): wall-time throughput
# on this shared machine swings 2-4x between runs (see e2e_compare.sh).
# --alpha 0.05: with 8 points split 3/5 no permutation test can go below
# about 1/C(8,3) = 1/56 (docs/history.md).
# usage: history_e2e.sh CFBENCH RUNSDIR sqlite|pg
set -u
B=$1
R=$2
MODE=$3
fail() { echo "FAIL: $*" >&2; [ "$MODE" = pg ] && pg_stop; exit 1; }
T=$(mktemp -d /tmp/cfb-hist-XXXXXX)
trap 'rm -rf "$T"' EXIT
[ -f "$R/r8/meta.json" ] || fail "no runs in $R (fixture history.runs)"
if [ "$MODE" = pg ]; then
  . "$(dirname "$0")/pg_cluster.sh"
  if ! pg_start; then
    echo "SKIP: PostgreSQL server cannot start here: $PGWHY"
    pg_stop
    exit 77
  fi
  trap 'pg_stop; rm -rf "$T"' EXIT
  DB=$PGURL
  DB2="postgresql://cfb@/normal?host=$PGT"
  $PGAS "$PGBIN/createdb" -h "$PGT" -U cfb normal || fail "createdb normal"
else
  DB=$T/h.sqlite
  DB2=$T/normal.sqlite
fi
H="$B history"
DIRS="$R/r1 $R/r2 $R/r3 $R/r4 $R/r5 $R/r6 $R/r7 $R/r8"

# Four writers at once, each adding all eight runs.
for w in 1 2 3 4; do
  # shellcheck disable=SC2086
  ( $H add --db "$DB" --ignore-param work_scale $DIRS >"$T/add$w.out" 2>&1; echo $? >"$T/add$w.rc" ) &
done
wait
total=0
for w in 1 2 3 4; do
  cat "$T/add$w.out"
  [ "$(cat "$T/add$w.rc")" = 0 ] || fail "writer $w exited $(cat "$T/add$w.rc")"
  n=$(sed -n 's/^added \([0-9]*\) run.*/\1/p' "$T/add$w.out")
  total=$((total + n))
done
[ "$total" -eq 8 ] || fail "four writers added $total runs in all, wanted 8"
$H list --db "$DB" >"$T/list1" || fail "list"
cat "$T/list1"
grep -q "^8 runs in" "$T/list1" || fail "list does not show 8 runs"

# The same run again: nothing changes.
$H add --db "$DB" --ignore-param work_scale "$R/r3" >"$T/again" 2>&1 || fail "add again: $(cat "$T/again")"
grep -q "added 0 runs" "$T/again" || fail "second add of r3 was not a no-op: $(cat "$T/again")"
$H list --db "$DB" >"$T/list2" || fail "list 2"
cmp -s "$T/list1" "$T/list2" || fail "the store changed after adding a run again"

D="--db $DB --metric cpu --alpha 0.05"
# shellcheck disable=SC2086
$H detect $D >"$T/detect" 2>&1 || fail "detect: $(cat "$T/detect")"
cat "$T/detect"
# (a change too long for 80 columns goes on over indented lines: joined here)
joined() { awk '/^    / { sub(/^ +/, " "); row = row $0; next } { if (NR > 1) print row; row = $0 } END { print row }' "$1"; }
fits79() { awk '{ if (length($0) > 79) bad = 1 } END { exit bad }' "$1"; }
joined "$T/detect" | grep -q "^change: primes .* thread w=1 c=1 .*: at r4 (run 4 of 8)" ||
  fail "detect did not place the change at r4"
fits79 "$T/detect" || fail "detect passes 79 columns: $(cat "$T/detect")"
# shellcheck disable=SC2086
$H check $D --threshold 5% >"$T/check" 2>&1
rc=$?
cat "$T/check"
[ "$rc" -eq 1 ] || fail "check: exit $rc, wanted 1 (regression at r4)"
joined "$T/check" | grep -q "^REGRESSION: primes .* at r4 " || fail "check did not name r4"
fits79 "$T/check" || fail "check passes 79 columns: $(cat "$T/check")"
# shellcheck disable=SC2086
$H check $D --last 1 >"$T/check1" 2>&1
grep -q "among the newest 1 run of 1 series" "$T/check1" || fail "check --last 1: $(cat "$T/check1")"
# shellcheck disable=SC2086
$H check $D --format json >"$T/check.json" 2>&1
[ $? -eq 1 ] || fail "check --format json: wanted exit 1"
python3 - "$T/check.json" <<'PY' || fail "check json"
import json, sys
d = json.load(open(sys.argv[1]))
c = [x for x in d["changes"] if x["regression"]]
assert d["regressions"] == 1 and len(c) == 1, d
assert c[0]["revision"] == "r4" and c[0]["index"] == 3 and c[0]["change"] < -0.05, c
PY
# shellcheck disable=SC2086
$H check $D --format md >"$T/check.md" 2>&1
grep -q "^| primes .* | \`r4\` | 4 / 8 |.*\*\*regression\*\*" "$T/check.md" || fail "check md: $(cat "$T/check.md")"
# A slowdown smaller than the threshold does not fail the gate (the step
# halves the items per CPU-second: a 50% change, well below 80%).
# shellcheck disable=SC2086
$H check $D --threshold 80% >/dev/null 2>&1 || fail "check --threshold 80% should pass a 50% slowdown"
# shellcheck disable=SC2086
$H show "primes (preset=docs,start=1000000000001,count=1000,gil=off) thread w=1 c=1" $D \
  >"$T/show" || fail "show"
# (the mark on the row, or on the line under it where the row is too long for 80 columns)
awk '/^ *[0-9]+  / { row = $0; next } /^      <- change/ { print row $0; next } { print }' "$T/show" |
  grep -q "r4 .*<- change" || fail "show does not mark the change at r4: $(cat "$T/show")"
fits79 "$T/show" || fail "show passes 79 columns: $(cat "$T/show")"

# The normal runs alone: no change, the gate passes.
$H add --db "$DB2" "$R/r1" "$R/r2" "$R/r3" >/dev/null || fail "add normal runs"
$H check --db "$DB2" --metric cpu --alpha 0.05 >"$T/ok" 2>&1 || fail "normal runs failed check: $(cat "$T/ok")"
grep -q "^ok: 0 regressions" "$T/ok" || fail "check on normal runs: $(cat "$T/ok")"

# shellcheck disable=SC2086
$H plot $D --out "$T/plots" >"$T/plot" 2>&1 || fail "plot: $(cat "$T/plot")"
ls "$T/plots"/history_001_*.png "$T/plots"/history_001_*.svg >/dev/null || fail "no trend plot"
grep -q "set arrow from 3.5" "$T/plots"/history_001_*.gp || fail "change point not marked in the plot"
# The report of a run in the history reads the same store (--history-db).
cp -r "$R/r3" "$T/rep" || fail "copy r3"
$B report "$T/rep" --history-db "$DB" --history-ignore-param work_scale >"$T/report" 2>&1 ||
  fail "report --history-db: $(cat "$T/report")"
grep -q "^## History" "$T/rep/report.md" || fail "no History section in the report"
grep -q "^1 of this run's 1 configuration over the commits of " "$T/rep/report.md" ||
  fail "the report's History does not show r3's configuration: $(sed -n '/^## History/,/^## Plots/p' "$T/rep/report.md")"
echo "ok: history e2e ($MODE)"
