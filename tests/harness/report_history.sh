#!/bin/sh
# report_history.sh -- `cfbench report DIR --history-db URL`: a SQLite
# history of twelve runs (copies of the cmp_base fixture, six as measured
# within 1%, six 20% slower, each with its revision r1..r12 and commit
# time in meta.json's git_commit_time) gives a "History" section naming
# the change at r7 with its trend plots; without the option there is no
# section; a store that cannot be read (missing, corrupt, an unreachable
# server) is one line, exit 2, and no report written.  The runs are added
# out of commit order: only git_commit_time puts r7 in seventh place.
# --history-metric / --history-alpha (history detect's options): a second
# history whose runs keep their items/s but need 25% more CPU time from
# c7 on shows the change only with --history-metric cpu; an alpha below
# what 999 permutations can reach finds none; a bad value is one line and
# exit 2.
# usage: report_history.sh CFBENCH FIXTURES_DIR
set -u
B=$1
F=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d /tmp/cfb-rephist-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/fixture_run.sh"
i=0
for f in 1.00 1.01 0.99 1.005 0.995 1.01 0.80 0.81 0.79 0.805 0.795 0.80; do
  i=$((i + 1))
  d=$T/r$i
  fixture_run "$F/cmp_base" "$d" "r$i" "$i"
  awk -F, -v OFS=, -v f="$f" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "items_per_s") c = k; print; next }
       { $c = $c * f; print }' "$F/cmp_base/runs.csv" >"$d/runs.csv" || fail "runs.csv of run $i"
done
DB=$T/h.sqlite
"$B" history add --db "$DB" "$T/r12" "$T/r1" "$T/r11" "$T/r2" "$T/r10" "$T/r3" "$T/r9" "$T/r4" \
  "$T/r8" "$T/r5" "$T/r7" "$T/r6" >"$T/add" 2>&1 || fail "history add: $(cat "$T/add")"
grep -q "^added 12 runs" "$T/add" || fail "history add: $(cat "$T/add")"

R=$T/r12
"$B" report "$R" >"$T/plain" 2>&1 || fail "report without a history: $(cat "$T/plain")"
grep -q "^## History" "$R/report.md" && fail "a History section without --history-db"
"$B" report "$R" --history-db "$DB" >"$T/out" 2>&1 || fail "report --history-db: $(cat "$T/out")"
md=$R/report.md
grep -q "^## History" "$md" || fail "no History section in report.md"
grep -q "<h2>History</h2>" "$R/report.html" || fail "no History section in report.html"
n=$(grep -c "^- .* -[0-9.]*% (slower) at r7 (run 7 of 12;" "$md")
c=$(wc -l <"$F/cmp_base/summary.csv")
[ "$n" -eq $((c - 1)) ] || fail "$n change points at r7 listed, wanted one per configuration ($((c - 1))): $(sed -n '/^## History/,$p' "$md")"
grep -q " at r[0-9]* " "$md" && ! grep -q " at r7 " "$md" && fail "a change point away from r7"
if command -v gnuplot >/dev/null 2>&1; then
  grep -q "](plots/history/history_001_.*\.png)" "$md" || fail "no trend plot in report.md"
  ls "$R"/plots/history/history_001_*.png >/dev/null || fail "no trend plot PNG"
  grep -q "set arrow from 6.5" "$R"/plots/history/history_001_*.gp || fail "change point not marked at r7"
fi

# Stores that cannot be read: one line, exit 2, no report.
printf 'not a database, not at all\n' >"$T/corrupt.sqlite"
for db in "$T/missing.sqlite" "$T/corrupt.sqlite" "postgresql://cfb@127.0.0.1:1/none?connect_timeout=3"; do
  rm -f "$R/report.md" "$R/report.html"
  "$B" report "$R" --history-db "$db" >"$T/bad.out" 2>"$T/bad.err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "--history-db $db: exit $rc, wanted 2"
  [ "$(wc -l <"$T/bad.err")" -eq 1 ] || fail "--history-db $db: not one line: $(cat "$T/bad.err")"
  grep -q "^cfbench report: --history-db " "$T/bad.err" || fail "--history-db $db: $(cat "$T/bad.err")"
  [ -e "$R/report.md" ] || [ -e "$R/report.html" ] && fail "--history-db $db: a report was written"
done

# The same runs, items/s steady within 1%, CPU time per run 25% more from c7.
i=0
for f in 1.00 1.01 0.99 1.005 0.995 1.01 1.25 1.26 1.24 1.255 1.245 1.25; do
  i=$((i + 1))
  d=$T/c$i
  fixture_run "$F/cmp_base" "$d" "c$i" "$i"
  w=$(sed -n "$(( (i - 1) % 6 + 1 ))p" <<EOF2
1.00
1.01
0.99
1.005
0.995
1.01
EOF2
)
  awk -F, -v OFS=, -v f="$f" -v w="$w" 'NR == 1 { for (k = 1; k <= NF; k++) { if ($k == "items_per_s") c = k;
         if ($k == "wall_s") s = k; if ($k == "cpu_user_s") u = k; if ($k == "cpu_sys_s") y = k }; print; next }
       { $c = $c * w; $u = $s * f; $y = 0; print }' "$F/cmp_base/runs.csv" >"$d/runs.csv" || fail "runs.csv of cpu run $i"
done
CDB=$T/cpu.sqlite
"$B" history add --db "$CDB" "$T"/c[0-9] "$T"/c1[0-9] >"$T/cadd" 2>&1 || fail "history add (cpu): $(cat "$T/cadd")"
C=$T/c12
"$B" report "$C" --history-db "$CDB" >"$T/cout" 2>&1 || fail "report (wall): $(cat "$T/cout")"
grep -q "No change point" "$C/report.md" || fail "a change point in wall-clock items/s: $(sed -n '/^## History/,$p' "$C/report.md")"
"$B" report "$C" --history-db "$CDB" --history-metric cpu >"$T/cout" 2>&1 || fail "report --history-metric cpu: $(cat "$T/cout")"
n=$(grep -c "^- .* -[0-9.]*% (slower) at c7 (run 7 of 12;.* items per CPU-second" "$C/report.md")
[ "$n" -eq $((c - 1)) ] || fail "--history-metric cpu: $n change points at c7, wanted $((c - 1)): $(sed -n '/^## History/,$p' "$C/report.md")"
grep -q "alpha 0.005, 999 permutations" "$C/report.md" || fail "the section does not say the detection's defaults"
"$B" report "$C" --history-db "$CDB" --history-metric=cpu --history-alpha 0.0005 >"$T/cout" 2>&1 || fail "report --history-alpha: $(cat "$T/cout")"
grep -q "No change point" "$C/report.md" || fail "--history-alpha 0.0005 (below 1/1000) still found a change"
grep -q "alpha 0.0005," "$C/report.md" || fail "the section does not say --history-alpha"
for bad in "--history-metric cpus" "--history-metric=" "--history-alpha 1" "--history-alpha x" "--history-alpha 0"; do
  # shellcheck disable=SC2086 # the option and its value are two words
  "$B" report "$C" --history-db "$CDB" $bad >"$T/bad.out" 2>"$T/bad.err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$bad: exit $rc, wanted 2"
  [ "$(wc -l <"$T/bad.err")" -eq 1 ] || fail "$bad: not one line: $(cat "$T/bad.err")"
  grep -q "^cfbench report: --history-" "$T/bad.err" || fail "$bad: $(cat "$T/bad.err")"
done
"$B" report "$C" --history-metric cpu >/dev/null 2>&1 && fail "--history-metric without --history-db accepted"
"$B" report "$R" --history-db >/dev/null 2>&1 && fail "--history-db without a value accepted"
"$B" report "$R" --history-ignore-param x >/dev/null 2>&1 && fail "--history-ignore-param without --history-db accepted"
echo "ok: report --history-db"
