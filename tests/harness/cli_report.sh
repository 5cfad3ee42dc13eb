#!/bin/sh
# cli_report.sh -- CLI tests of compare, plot and report through a driver
# program: exit codes (0 / 1 regression / 2 bad input), the regressed
# configuration named, and plot without gnuplot on PATH (exit 1, one line
# saying how to install it).
# usage: cli_report.sh DRIVER FIXTURES_DIR   (DRIVER: cfbench or cfreport_cli)
set -u
CLI=$1
F=$2
T=$(mktemp -d /tmp/cfbench-cli-XXXXXX)
fail() { echo "FAIL: $*" >&2; exit 1; }

expect() { # expect CODE CMD... : run, keep output in $T/out, check the exit code
  code=$1; shift
  "$@" >"$T/out" 2>&1
  rc=$?
  [ "$rc" -eq "$code" ] || { cat "$T/out" >&2; fail "$* -> exit $rc, wanted $code"; }
}

expect 1 "$CLI" compare "$F/cmp_base" "$F/cmp_regress"
grep -q "REGRESSION: primes (preset=docs) process w=2 c=16" "$T/out" || fail "regressed config not named"
[ "$(grep -c REGRESSION "$T/out")" -eq 1 ] || fail "more than one regression reported"
expect 1 "$CLI" compare "$F/cmp_base/runs.csv" "$F/cmp_regress" --format md
grep -q '\*\*slower\*\*' "$T/out" || fail "md table lacks the slower verdict"
expect 1 "$CLI" compare "$F/cmp_base" "$F/cmp_regress" --format=json
grep -q '"regressions": 1' "$T/out" || fail "json lacks the regression count"
expect 0 "$CLI" compare "$F/cmp_base" "$F/cmp_same"
expect 0 "$CLI" compare "$F/cmp_base" "$F/cmp_base" --threshold 10% --alpha 0.05
# A 20% regression is below a 25% threshold: not a regression.
expect 0 "$CLI" compare "$F/cmp_base" "$F/cmp_regress" --threshold 25%
# Bad input: missing files, nothing in common, bad options.
expect 2 "$CLI" compare "$F/cmp_base" "$T/nonexistent"
grep -q "nonexistent" "$T/out" || fail "missing directory not named"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "bad input message is not one line"
mkdir "$T/other" && sed 's/^primes,/other,/; s/^sleep,/other,/' "$F/cmp_base/runs.csv" >"$T/other/runs.csv"
expect 2 "$CLI" compare "$F/cmp_base" "$T/other"
grep -q "no configuration is in both" "$T/out" || fail "no-common message"
mkdir "$T/empty" && head -1 "$F/cmp_base/runs.csv" >"$T/empty/runs.csv"
expect 2 "$CLI" compare "$F/cmp_base" "$T/empty"
grep -q "no usable repetitions" "$T/out" || fail "empty-run message"
expect 2 "$CLI" compare "$F/cmp_base"
expect 2 "$CLI" compare "$F/cmp_base" "$F/cmp_same" --alpha 2
expect 2 "$CLI" compare "$F/cmp_base" "$F/cmp_same" --format xml

# The fixtures carry no CPU times: --metric cpu has nothing to compare.
expect 2 "$CLI" compare "$F/cmp_base" "$F/cmp_regress" --metric cpu
grep -q "CPU times" "$T/out" || fail "metric cpu message"
expect 2 "$CLI" compare "$F/cmp_base" "$F/cmp_same" --metric joules
# --ignore-param: a parameter that differs is dropped from the configuration.
mkdir "$T/scaled"
sed 's/,preset=docs,/,"preset=docs,work_scale=1.2",/' "$F/cmp_regress/runs.csv" >"$T/scaled/runs.csv"
expect 0 "$CLI" compare "$F/cmp_base" "$T/scaled" # the primes rows no longer match
grep -q "2 only in base, 2 only in new" "$T/out" || fail "unmatched configurations not counted"
sed 's/,preset=docs,/,"preset=docs,work_scale=1",/' "$F/cmp_base/runs.csv" >"$T/scaled/base.csv"
expect 1 "$CLI" compare "$T/scaled/base.csv" "$T/scaled/runs.csv" --ignore-param work_scale
grep -q "REGRESSION: primes (preset=docs) process w=2 c=16" "$T/out" || fail "ignore-param config name"

# plot with PATH lacking gnuplot: exit 1, one line naming the package.
mkdir "$T/run" && cp "$F/sweep/summary.csv" "$F/sweep/meta.json" "$T/run/"
CLIABS=$(command -v "$CLI" || echo "$CLI")
expect 1 env PATH=/nonexistent "$CLIABS" plot "$T/run"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "gnuplot-missing message is not one line"
grep -q "apt-get install gnuplot-nox" "$T/out" || fail "no install hint"
expect 1 env CFBENCH_GNUPLOT=/nonexistent/gnuplot "$CLIABS" plot "$T/run"
expect 2 "$CLI" plot "$T/nonexistent"
rm -rf "$T"
echo "ok: cli_report"
