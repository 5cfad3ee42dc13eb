#!/bin/sh
# history_modes.sh -- `cfbench history` keeps the modes of one
# configuration apart (runs.csv's mode column: map, submit, roundtrip):
# twelve runs (copies of the cmp_base fixture) each with its map rows and
# the same configurations one item at a time (mode roundtrip, a tenth of
# the throughput), the roundtrip rows 40% slower from c7 and the map rows
# steady within 1%.  `history show` lists a map and a roundtrip series of
# one configuration; `history detect` finds the change at c7 in every
# roundtrip series and in no map series, and so does the report's History
# section of a run with both modes; a store of the previous schema
# (version 2, no mode column) migrates on add and its rows read as map.
# usage: history_modes.sh CFBENCH FIXTURES_DIR
set -u
B=$1
F=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d /tmp/cfb-histmode-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/fixture_run.sh"
i=0
for f in 1.00 1.01 0.99 1.005 0.995 1.01 1.00 1.01 0.99 1.005 0.995 1.01; do
  i=$((i + 1))
  s=1
  [ "$i" -ge 7 ] && s=0.6
  d=$T/c$i
  fixture_run "$F/cmp_base" "$d" "c$i" "$i"
  awk -F, -v OFS=, -v f="$f" -v s="$s" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "items_per_s") c = k; print $0, "mode"; next }
       { m[NR] = $0; $c = $c * f; print $0, "map"; $0 = m[NR]; $c = $c * f * s / 10; print $0, "roundtrip" }' \
    "$F/cmp_base/runs.csv" >"$d/runs.csv" || fail "runs.csv of run $i"
done
DB=$T/h.sqlite
"$B" history add --db "$DB" "$T"/c[0-9] "$T"/c1[0-9] >"$T/add" 2>&1 || fail "history add: $(cat "$T/add")"
grep -q "^added 12 runs" "$T/add" || fail "history add: $(cat "$T/add")"
[ "$(sqlite3 "$DB" "SELECT COUNT(DISTINCT mode) FROM cfb_results")" -eq 2 ] || fail "the mode column does not hold map and roundtrip"

"$B" history show --db "$DB" "sleep (delay=10ms" >"$T/show" 2>&1 || fail "history show: $(cat "$T/show")"
for m in "sleep (delay=10ms) thread w=8 c=1  \[" "sleep (delay=10ms,mode=roundtrip) thread w=8 c=1  \["; do
  grep -q "^$m" "$T/show" || fail "history show lists no series '$m': $(cat "$T/show")"
done

"$B" history detect --db "$DB" >"$T/detect.txt" 2>&1 || fail "history detect: $(cat "$T/detect.txt")"
# a change too long for 80 columns goes on over indented lines: joined here
awk '/^    / { sub(/^ +/, " "); row = row $0; next } { if (NR > 1) print row; row = $0 } END { print row }' \
  "$T/detect.txt" >"$T/detect"
n=$(wc -l <"$F/cmp_base/summary.csv")
rt=$(grep -c "mode=roundtrip.* at c7" "$T/detect")
[ "$rt" -eq $((n - 1)) ] || fail "$rt roundtrip series changed at c7, wanted $((n - 1)): $(cat "$T/detect")"
grep -v "mode=roundtrip" "$T/detect" | grep -q " at c[0-9]" && fail "a change in a map series: $(cat "$T/detect")"

# The report's History section matches this run's rows by mode too.
R=$T/c12
awk -F, -v OFS=, 'NR == 1 { print $0, "mode"; next } { print $0, "map"; print $0, "roundtrip" }' \
  "$F/cmp_base/summary.csv" >"$R/summary.csv" || fail "summary.csv with modes"
"$B" report "$R" --history-db "$DB" >"$T/rep" 2>&1 || fail "report --history-db: $(cat "$T/rep")"
grep -q "^$((2 * (n - 1))) of this run's $((2 * (n - 1))) configurations" "$R/report.md" ||
  fail "the report's history does not match every mode: $(sed -n '/^## History/,$p' "$R/report.md" | head -5)"
[ "$(grep -c "^- .*mode=roundtrip.* at c7 " "$R/report.md")" -eq $((n - 1)) ] || fail "the report's roundtrip changes"
grep "^- " "$R/report.md" | grep -v "mode=roundtrip" | grep -q " at c[0-9]" && fail "a map change in the report"

# A store of schema version 2 (before the mode column) migrates on add.
V2=$T/v2.sqlite
"$B" history add --db "$V2" "$T/c1" >/dev/null 2>&1 || fail "add to v2"
sqlite3 "$V2" "CREATE TABLE r2 AS SELECT run_key, config, workload, params, backend, workers, chunksize, pin,
  metric, n, median, ci_lo, ci_hi FROM cfb_results WHERE mode = 'map'; DROP TABLE cfb_results;
  ALTER TABLE r2 RENAME TO cfb_results; CREATE INDEX cfb_results_by_config ON cfb_results (metric, config);
  UPDATE cfb_schema SET version = 2" || fail "making a v2 store"
"$B" history list --db "$V2" >"$T/list" 2>&1 || fail "a reader of a v2 store: $(cat "$T/list")"
"$B" history add --db "$V2" "$T/c2" >"$T/add2" 2>&1 || fail "add to a v2 store: $(cat "$T/add2")"
[ "$(sqlite3 "$V2" "SELECT version FROM cfb_schema")" -ge 3 ] || fail "the v2 store was not migrated"
[ "$(sqlite3 "$V2" "SELECT COUNT(*) FROM cfb_results r JOIN cfb_runs u USING (run_key) WHERE u.revision = 'c1' AND mode = 'map'")" -gt 0 ] ||
  fail "the v2 rows do not read as map"
[ "$(sqlite3 "$V2" "SELECT COUNT(*) FROM cfb_results WHERE mode = 'roundtrip'")" -gt 0 ] || fail "the new run's roundtrip rows"
echo "ok: history keeps the modes apart"
