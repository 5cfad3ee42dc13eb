#!/bin/sh
# cli_plugins.sh -- user workloads through `cfbench run --workload ...`:
# fn:PATH.so:SYMBOL and plugin:PATH.so on both backends (every
# configuration ok, rows written), a crashing plugin failing its items on
# the process backend (exit 1, the others still run), and each bad spec
# (missing file, missing symbol, wrong ABI, missing command) as one line
# on stderr with exit 2.
# usage: cli_plugins.sh CFBENCH FN_SO CONTENTION_SO BAD_ABI_SO
set -u
CLI=$1 FN=$2 CT=$3 BAD=$4
T=$(mktemp -d /tmp/cfbench-plugins-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # expect CODE CMD...
  code=$1; shift
  timeout 120 "$@" >"$T/out" 2>"$T/err"
  rc=$? # 124: a hang (a FIFO's open blocking)
  [ "$rc" -eq "$code" ] || { cat "$T/out" "$T/err" >&2; fail "$* -> exit $rc, wanted $code"; }
}
quick="--backend thread,process --workers 1,2 --repeat 2 --warmup 0 --items 40 --seed 1"

expect 0 "$CLI" run --workload "fn:$FN:square,plugin:$CT" $quick --out "$T/ok"
[ "$(grep -c ',ok,' "$T/ok/summary.csv")" -eq 8 ] || { cat "$T/ok/summary.csv"; fail "8 ok configurations expected"; }
grep -q "^contention,io,\"outside=900us,inside=100us\",thread,2," "$T/ok/summary.csv" || fail "plugin row missing"

expect 1 "$CLI" run --workload "fn:$FN:crashy" --backend process --workers 2 --repeat 1 --warmup 0 --items 8 \
  --out "$T/crash"

for spec in "fn:/nonexistent.so:f" "fn:$FN:nosuch" "plugin:$BAD" "plugin:$FN"; do
  expect 2 "$CLI" run --workload "$spec" --out "$T/bad"
  [ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err"; fail "$spec: not one line"; }
  grep -q -- "--workload" "$T/err" || fail "$spec: the line does not name --workload"
  [ ! -e "$T/bad/runs.csv" ] || fail "$spec: rows written"
done
expect 2 "$CLI" run --workload "plugin:$BAD" --out "$T/bad"
grep -q "descriptor ABI version 99, this program reads version 1" "$T/err" || fail "wrong ABI not named"
expect 2 "$CLI" run --workload exec --param "cmd=no-such-command-cf16" --out "$T/bad2"
grep -q "command 'no-such-command-cf16' not found" "$T/err" || fail "missing command not named"
expect 2 "$CLI" run --workload exec --out "$T/bad3"
grep -q "parameter cmd is required" "$T/err" || fail "missing cmd not named"
# input=FILE that is missing, a directory, empty, a character device or a
# FIFO with no writer (which must not block): bad input (one line, exit 2,
# nothing run), for fn:, exec and characterize alike
: >"$T/empty"
mkfifo "$T/fifo"
for input in "$T/no-such-input" "$T" "$T/empty" /dev/null "$T/fifo"; do
  for w in "fn:$FN:square" exec; do
    cmd=; [ "$w" = exec ] && cmd="--param cmd=true"
    # shellcheck disable=SC2086
    expect 2 "$CLI" run --workload "$w" $cmd --param "input=$input" --out "$T/bad4"
    [ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err"; fail "$w input=$input: not one line"; }
    grep -q "input=$input: " "$T/err" || fail "$w input=$input: the line does not name the input: $(cat "$T/err")"
    [ ! -e "$T/bad4/runs.csv" ] || fail "$w input=$input: rows written"
  done
  expect 2 "$CLI" characterize --workload "fn:$FN:square" --param "input=$input" --out "$T/bad5" --force
  [ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err"; fail "characterize input=$input: not one line"; }
  grep -q "input=$input: " "$T/err" || fail "characterize input=$input: $(cat "$T/err")"
done
echo ok
