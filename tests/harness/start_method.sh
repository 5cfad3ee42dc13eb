#!/bin/sh
# start_method.sh -- cfbench run --start-method: each method really starts
# the process backend's workers its way (seen in the workers' environment:
# a spawned worker carries CF__WORKER, a fork server's child the server's
# CF__FORKSERVER, a forked one neither), meta.json records it, py-process
# is given it, and a bad name is one line and exit 2.
# usage: start_method.sh CFBENCH
set -u
B=$1
T=$(mktemp -d /tmp/cfbench-start-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# rows FILE: data lines of a CSV
rows() { [ -f "$1" ] && echo $(($(wc -l <"$1") - 1)) || echo 0; }
# the CF__ markers in the environment of every child of $1, polled (every
# 50 ms) until a child was seen and its run has $3 rows, into $T/seen.$2;
# a hang bound of 60 s.  The run is long: it is stopped with SIGINT after.
watch_children() {
  : >"$T/seen.$2"
  i=0
  until grep -q child "$T/seen.$2" && [ "$(rows "$T/$2/runs.csv")" -ge "$3" ]; do
    for c in $(pgrep -P "$1"); do
      tr '\0' '\n' 2>/dev/null <"/proc/$c/environ" >"$T/env" || continue
      echo child >>"$T/seen.$2"
      sed -n 's/^\(CF__[A-Z]*\)=.*/\1/p' "$T/env" >>"$T/seen.$2"
    done
    i=$((i + 1))
    [ $i -gt 1200 ] && break
    sleep 0.05
  done
  kill -INT "$1"
  wait "$1"
  rc=$?
}

for m in fork spawn forkserver; do
  "$B" run --workload sleep --param delay=200ms --items 6 --workers 2 --repeat 100 --warmup 0 \
    --backend process --start-method "$m" --out "$T/$m" >"$T/out.$m" 2>&1 &
  watch_children $! "$m" 1
  [ "$rc" -eq 130 ] || fail "$m: exit $rc after SIGINT, wanted 130: $(cat "$T/out.$m")"
  grep -q child "$T/seen.$m" || fail "$m: no worker process seen in 60 s"
  case $m in
  fork) ! grep -q CF__ "$T/seen.$m" || fail "fork: a worker from our image: $(sort -u "$T/seen.$m")" ;;
  spawn) grep -q CF__WORKER "$T/seen.$m" || fail "spawn: no spawned worker (CF__WORKER) among the children" ;;
  forkserver) grep -q CF__FORKSERVER "$T/seen.$m" || fail "forkserver: no child of the fork server" ;;
  esac
  grep -q "\"start_method\": \"$m\"" "$T/$m/meta.json" || fail "$m: meta.json lacks config.start_method $m"
  [ "$(grep -c ',ok,' "$T/$m/runs.csv")" -ge 1 ] || fail "$m: no ok row: $(cat "$T/$m/runs.csv")"
done
# not given: fork
"$B" run --workload sleep --param delay=1ms --items 2 --workers 1 --repeat 1 --warmup 0 --backend process \
  --out "$T/default" >/dev/null 2>&1 || fail "default: exit $?"
grep -q '"start_method": "fork"' "$T/default/meta.json" || fail "default: meta.json's start_method is not fork"

# py-process is given it (the python column names CPython's method)
if command -v python3 >/dev/null; then
  "$B" run --workload sleep --param delay=1ms --items 4 --workers 1 --repeat 1 --warmup 0 --backend py-process \
    --start-method spawn --out "$T/py" >"$T/out.py" 2>&1 || fail "py-process: exit $?: $(cat "$T/out.py")"
  grep -q 'CPython [^,]* spawn$' "$T/py/runs.csv" || fail "py-process: runs.csv's python column does not say spawn: $(cat "$T/py/runs.csv")"
fi

# a bad name: one line naming it and the allowed ones, exit 2, nothing run
"$B" run --workload sleep --start-method vfork --out "$T/bad" >/dev/null 2>"$T/err"
rc=$?
[ "$rc" -eq 2 ] || fail "--start-method vfork: exit $rc, wanted 2"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "unknown method 'vfork'; allowed: fork, spawn, forkserver" "$T/err" ||
  fail "--start-method vfork: $(cat "$T/err")"
[ ! -e "$T/bad/runs.csv" ] || fail "--start-method vfork: a run was started"
echo "start_method: ok"
