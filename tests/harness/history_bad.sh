#!/bin/sh
# history_bad.sh -- cfbench history on bad input, each a real fault: a
# corrupt database file, a database of a newer schema version, an
# unreachable server, run directories that did not finish (no finish
# time, interrupted, no meta.json), and a failure in the middle of a
# transaction (a trigger that aborts an insert after the first run's rows
# went in).  Each: exit 2, one line on stderr, nothing half written.
# usage: history_bad.sh CFBENCH RUNDIR (a finished run, e.g. results/example)
set -u
B=$1
GOOD_SRC=$2
T=$(mktemp -d /tmp/cfb-histbad-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
H="$B history"

# expect2 NAME CMD...: exit 2 and exactly one line on stderr.
expect2() {
  name=$1
  shift
  "$@" >"$T/out" 2>"$T/err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, wanted 2 ($(cat "$T/err"))"
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$name: wanted one line on stderr, got: $(cat "$T/err")"
  echo "$name: $(cat "$T/err")"
}

cp -r "$GOOD_SRC" "$T/good" || fail "copy $GOOD_SRC"
cp -r "$GOOD_SRC" "$T/good2" && sed -i 's/"git_revision": "[^"]*"/"git_revision": "second"/' "$T/good2/meta.json"
# The same run with a different revision is a different run (its meta.json differs).

# A word after an action that takes none: refused, not ignored (detect
# CONFIG used to list every configuration's changes).
for verb in list plot detect check; do
  expect2 "extra_arg_$verb" $H $verb --db "$T/none.sqlite" "primes w=1"
  grep -q "history $verb: unexpected argument 'primes w=1'" "$T/err" || fail "$verb: the argument not named"
done
grep -q -- "--config TEXT" "$T/err" || fail "check: --config not suggested"

# No action, or an option where the action goes: one line naming it (the
# whole usage went to stderr; '--db' was called an unknown action).
expect2 no_action $H
grep -q "no ACTION given; allowed: add, list, show, plot, detect, check" "$T/err" || fail "no action: not named"
expect2 option_first $H --db "$T/none.sqlite"
grep -q "the ACTION (add, list, show, plot, detect, check) comes before the options, e.g. cfbench history list --db" \
  "$T/err" || fail "option first: not said"

# A corrupt database file: refused, left as it was.
head -c 8192 /dev/urandom >"$T/corrupt.sqlite"
cp "$T/corrupt.sqlite" "$T/corrupt.orig"
expect2 corrupt_add $H add --db "$T/corrupt.sqlite" "$T/good"
expect2 corrupt_list $H list --db "$T/corrupt.sqlite"
cmp -s "$T/corrupt.sqlite" "$T/corrupt.orig" || fail "the corrupt file was modified"
grep -q "not a database" "$T/err" || fail "corrupt: message does not say so"

# A commit time that is not ISO 8601 (runs are ordered by its text, so it
# would sort wrongly, silently): refused, no database created.
expect2 commit_time_bad $H add --db "$T/ct.sqlite" --commit-time yesterday "$T/good"
grep -q "bad value for --commit-time: 'yesterday'" "$T/err" || fail "commit time: message does not name it"
[ ! -e "$T/ct.sqlite" ] || fail "a bad --commit-time created a database"
$H add --db "$T/ct.sqlite" --commit-time 2026-12-01T18:52:30+00:00 "$T/good" >/dev/null || fail "add with an ISO time"

# No database at all for a reader: an error, and no file created.
expect2 missing_list $H list --db "$T/none.sqlite"
[ ! -e "$T/none.sqlite" ] || fail "list created a database"

# A database of a newer schema version.
$H add --db "$T/new.sqlite" "$T/good" >/dev/null || fail "first add"
current=$(sqlite3 "$T/new.sqlite" "SELECT version FROM cfb_schema") || fail "sqlite3"
sqlite3 "$T/new.sqlite" "UPDATE cfb_schema SET version = 99" || fail "sqlite3"
cp "$T/new.sqlite" "$T/new.orig"
expect2 newer_add $H add --db "$T/new.sqlite" "$T/good2"
grep -q "version 99 is newer" "$T/err" || fail "newer: message does not name the version"
expect2 newer_detect $H detect --db "$T/new.sqlite"
cmp -s "$T/new.sqlite" "$T/new.orig" || fail "the newer database was modified"

# Unreachable servers: nothing listening on a TCP port, an empty socket dir.
expect2 unreachable_tcp $H add --db "postgresql://cfb@127.0.0.1:1/x?connect_timeout=5" "$T/good"
mkdir "$T/nosock"
expect2 unreachable_socket $H list --db "postgresql://cfb@/x?host=$T/nosock"

# Runs that did not finish, given with a good one: nothing is added.
cp -r "$T/good" "$T/unfinished"
sed -i 's/"finished": "[^"]*"/"finished": null/' "$T/unfinished/meta.json"
cp -r "$T/good" "$T/interrupted"
sed -i 's/"interrupted": false/"interrupted": true/' "$T/interrupted/meta.json"
cp -r "$T/good" "$T/nometa" && rm "$T/nometa/meta.json"
expect2 unfinished $H add --db "$T/fresh.sqlite" "$T/good" "$T/unfinished"
grep -q "did not finish" "$T/err" || fail "unfinished: message"
[ ! -e "$T/fresh.sqlite" ] || fail "a database was created for a refused add"
cp "$T/new.orig" "$T/keep.sqlite" && sqlite3 "$T/keep.sqlite" "UPDATE cfb_schema SET version = $current"
cp "$T/keep.sqlite" "$T/keep.orig"
expect2 interrupted $H add --db "$T/keep.sqlite" "$T/good2" "$T/interrupted"
expect2 no_meta $H add --db "$T/keep.sqlite" "$T/good2" "$T/nometa"
cmp -s "$T/keep.sqlite" "$T/keep.orig" || fail "a refused add modified the database"

# A failure in the middle of the transaction: the second run's first
# result insert aborts after the whole first run went in.  Rolled back.
sqlite3 "$T/keep.sqlite" "CREATE TRIGGER boom BEFORE INSERT ON cfb_results
  WHEN NEW.run_key IN (SELECT run_key FROM cfb_runs WHERE revision = 'third')
  BEGIN SELECT RAISE(ABORT, 'injected failure'); END;" || fail "trigger"
cp -r "$T/good" "$T/good3" && sed -i 's/"git_revision": "[^"]*"/"git_revision": "third"/' "$T/good3/meta.json"
before=$(sqlite3 "$T/keep.sqlite" "SELECT COUNT(*) FROM cfb_runs; SELECT COUNT(*) FROM cfb_results")
expect2 mid_transaction $H add --db "$T/keep.sqlite" "$T/good2" "$T/good3"
grep -q "injected failure" "$T/err" || fail "mid-transaction: message"
after=$(sqlite3 "$T/keep.sqlite" "SELECT COUNT(*) FROM cfb_runs; SELECT COUNT(*) FROM cfb_results")
[ "$before" = "$after" ] || fail "half written: before $before, after $after"

# Bad options.
expect2 bad_metric $H detect --db "$T/keep.sqlite" --metric fast
expect2 bad_action $H frobnicate
expect2 revision_many $H add --db "$T/keep.sqlite" --revision x "$T/good" "$T/good2"
echo "ok: history bad input"
