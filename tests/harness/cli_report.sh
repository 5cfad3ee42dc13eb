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
# Rates as run prints them (3 digits, k/M suffix), never 6.162e+05.
grep -q 'e+0' "$T/out" && fail "compare prints rates in exponent form: $(cat "$T/out")"
# The REGRESSION line is wrapped to 80 columns (it was 86), its detail on
# an indented line: joined again, it reads whole.
grep -A1 '^REGRESSION: ' "$T/out" | grep -q '.\{80\}' && fail "REGRESSION line past 79 columns: $(grep -A1 REGRESSION "$T/out")"
awk '/^REGRESSION: / { r = $0; next } r && /^  / { sub(/^ +/, " "); print r $0; r = ""; next } r { print r; r = "" }' "$T/out" |
  grep -q 'median 37.6 -> 31.8 items/s)$' || fail "regression line rates: $(grep -A1 REGRESSION "$T/out")"
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
# An option plot/report lack is named as one, not taken for a directory.
expect 2 "$CLI" plot --bogus
grep -q "unknown option '--bogus'" "$T/out" || fail "plot --bogus: $(cat "$T/out")"
expect 2 "$CLI" plot "$T/run" --bogus
grep -q "unknown option '--bogus'" "$T/out" || fail "plot DIR --bogus: $(cat "$T/out")"
# A second directory, or none: named, not a bare usage line.
expect 2 "$CLI" plot "$T/run" extra
grep -q "cfbench plot: one directory, not 'extra' too" "$T/out" || fail "plot DIR extra: $(cat "$T/out")"
expect 2 "$CLI" plot
grep -q "cfbench plot: no directory given" "$T/out" || fail "plot: $(cat "$T/out")"
expect 2 "$CLI" report --bogus
grep -q "unknown option '--bogus'" "$T/out" || fail "report --bogus: $(cat "$T/out")"

# A sweep joins only groups measured on one grid of workers x chunksizes:
# a cpu_us=2000 group with one worker count (another sweep, another
# meaning) must not become a sixth point of the cpu_us crossover plot.
mkdir "$T/grid" && cp "$F/sweep/meta.json" "$T/grid/"
{ cat "$F/sweep/summary.csv"
  grep '"cpu_us=1000,io_us=1000,gil=1",[a-z]*,1,' "$F/sweep/summary.csv" | sed 's/cpu_us=1000,/cpu_us=2000,/'
} >"$T/grid/summary.csv"
expect 0 "$CLI" plot "$T/grid"
D="$T/grid/plots/mixed_cpu_us_io_us-1000_gil-1_crossover.dat"
[ -f "$D" ] || fail "no cpu_us crossover data"
[ "$(grep -vc '^#' "$D")" -eq 5 ] || fail "the crossover joined a group of another grid: $(cat "$D")"
# Nine chunksizes (more than a backend's 7 shades): still one style each.
mkdir "$T/many" && cp "$F/sweep/meta.json" "$T/many/"
{ head -1 "$F/sweep/summary.csv"
  for c in 1 2 4 8 16 32 64 128 256; do
    grep '^memtouch,.*,[a-z]*,[0-9]*,1,none,' "$F/sweep/summary.csv" | sed "s/,\([a-z]*\),\([0-9]*\),1,none,/,\1,\2,$c,none,/"
  done
} >"$T/many/summary.csv"
expect 0 "$CLI" plot "$T/many"
[ "$(grep -c 'with yerrorlines' "$T/many/plots/memtouch_size-1MiB_workers.gp")" -eq 18 ] || fail "many: not 18 series"
# Every y tic label of every script differs from the others (no "2M, 2M"),
# and no two series of a plot share one style.
for gp in "$T/grid/plots/"*.gp "$T/many/plots/"*.gp; do
  [ "$(basename "$gp")" = style.gp ] && continue
  tics=$(grep '^set ytics (' "$gp" | sed 's/^set ytics (//; s/)$//' | tr ',' '\n' | sed 's/^ *"\([^"]*\)".*/\1/')
  [ -z "$(printf '%s\n' "$tics" | sort | uniq -d)" ] || fail "$gp: repeated y tic labels: $tics"
  styles=$(grep -o 'with [a-z]* ls [0-9]*\( dt [0-9]* pt [0-9]*\)\?' "$gp" | grep -v 'with lines ')
  [ -z "$(printf '%s\n' "$styles" | sort | uniq -d)" ] || fail "$gp: two series share a style"
done
grep -q '^set ytics (' "$T/grid/plots/mixed_cpu_us-10_io_us-1000_gil-1_chunksize.gp" || fail "no computed y tics"
# No efficiency plot where no configuration has an ideal model.
mkdir "$T/noideal" && cp "$F/sweep/meta.json" "$T/noideal/"
awk -F, 'NR == 1 || /^sleep/' "$F/sweep/summary.csv" | sed 's/,[0-9.e+]*,[0-9.e+-]*,ok,$/,,,ok,/' >"$T/noideal/summary.csv"
grep -q ',,,ok,' "$T/noideal/summary.csv" || fail "test setup: ideal columns not blanked"
expect 0 "$CLI" plot "$T/noideal"
[ -f "$T/noideal/plots/sleep_delay-10ms_workers.png" ] || fail "no throughput plot"
[ ! -e "$T/noideal/plots/sleep_delay-10ms_efficiency.png" ] || fail "an efficiency plot without an ideal model"
# Undecided because 3 rounds cannot reach 95% (the signed-rank interval
# needs 6): the CI shown is the rounds' range and excludes 1, so the
# verdict gives that reason, not "CI too wide" (report.md and .html alike).
mkdir "$T/few" && cp "$F/paired/meta.json" "$F/paired/summary.csv" "$T/few/"
sed '/^sleep,/ s/,[0-9.]*,[0-9.]*,[0-9.]*,10,[a-z]*$/,2.11,2.02,2.16,3,undecided/' "$F/paired/verdicts.csv" >"$T/few/verdicts.csv"
grep -q '^sleep,.*,2.02,2.16,3,undecided$' "$T/few/verdicts.csv" || fail "test setup: verdicts not rewritten"
expect 0 "$CLI" report "$T/few"
for f in report.md report.html; do
  grep -Eq 'undecided: 3 rounds cannot reach the 95% level; needs (>|&gt;)= 6 \(verdicts.csv\)' "$T/few/$f" ||
    fail "$f: no too-few-rounds reason: $(grep -o 'undecided: [^|<]*' "$T/few/$f")"
  grep -q 'CI too wide, 3 rounds' "$T/few/$f" && fail "$f: a range that excludes 1 called too wide"
done
rm -rf "$T"
echo "ok: cli_report"
