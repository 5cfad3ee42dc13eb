# fixture_run.sh -- sourced by the history tests that build a history out
# of copies of one fixture run: fixture_run SRC DIR REV DAY copies SRC's
# meta.json and summary.csv into a new DIR and gives meta.json the
# revision REV and the commit time 2026-01-DAY (what `history add` orders
# by).  The caller writes DIR/runs.csv.  Needs the caller's fail().
fixture_run() {
  mkdir "$2" && cp "$1/meta.json" "$1/summary.csv" "$2/" || fail "copy $1 to $2"
  sed -i "s/\"git_revision\": \"[^\"]*\",/\"git_revision\": \"$3\", \"git_commit_time\": \"2026-01-$(printf %02d "$4")T12:00:00Z\",/" \
    "$2/meta.json" || fail "meta.json of $2"
  grep -q "\"git_commit_time\": \"2026-01-" "$2/meta.json" || fail "no commit time in $2"
}
