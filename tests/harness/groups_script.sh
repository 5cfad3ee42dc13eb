#!/bin/sh
# groups_script.sh -- scripts/groups.py (per who-wins group: verdict,
# interval, rounds and what stopped each side) on the committed example
# run: one block per row of the report's "Who wins" table, a closing count
# over all of them, every side's stop reason one of the documented ones,
# a rounds estimate for each undecided group; and bad input (no such
# directory, no report.md) one line on stderr, exit 2.
# usage: groups_script.sh SOURCE_DIR
set -u
SRC=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "groups_script: $*" >&2; exit 1; }
EX=$SRC/results/example
python3 "$SRC/scripts/groups.py" "$EX" > "$T/out" 2> "$T/err" || fail "exit $? on $EX: $(cat "$T/err")"
rows=$(sed -n '/^## Who wins/,/^## /p' "$EX/report.md" | grep -c '^| [a-z]' )
rows=$((rows - 1)) # the header row
blocks=$(grep -c '^  verdict ' "$T/out")
[ "$blocks" -eq "$rows" ] || fail "$blocks groups printed, the report has $rows"
grep -q "^[0-9]* of $rows who-wins groups decided\$" "$T/out" || fail "no closing count over $rows groups"
bad=$(grep 'stopped by' "$T/out" | grep -v -E 'stopped by (decided|max-time|dropped|plan|the budget|budget|partner stopped|stopped after)')
[ -z "$bad" ] || fail "unknown stop reason: $bad"
und=$(grep -c '^  verdict undecided' "$T/out")
est=$(grep -c 'it needs ~' "$T/out")
[ "$und" -eq "$est" ] || fail "$und undecided groups, $est rounds estimates"
# bad input: one line, exit 2
for d in "$T/none" "$T"; do
  python3 "$SRC/scripts/groups.py" "$d" > "$T/o2" 2> "$T/e2"
  rc=$?
  [ "$rc" -eq 2 ] || fail "exit $rc on $d, expected 2"
  [ "$(wc -l < "$T/e2")" -eq 1 ] || fail "not one line on $d: $(cat "$T/e2")"
  grep -q "report.md" "$T/e2" || fail "the line does not name report.md: $(cat "$T/e2")"
done
echo "groups_script: ok ($blocks groups)"
