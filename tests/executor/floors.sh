#!/bin/sh
# floors.sh -- bench_floors runs each floor on its own: one row per floor
# (batched SPSC at W = 1, 2, 4, the thread spin round trip, the process
# shm spin and futex round trips), each with 0 < min <= median <= max;
# bad arguments get the usage line and exit 2.
# usage: floors.sh BENCH_FLOORS
set -u
bin=$1
fail() { echo "floors.sh: $*" >&2; exit 1; }
out=$("$bin" 2000 2) || fail "bench_floors 2000 2 failed"
printf '%s\n' "$out"
printf '%s\n' "$out" | awk '
  /^#/ || $1 == "shape" { next }
  { rows++; key = $1 "/" $2 "/" $3; seen[key] = 1
    if (!($4 > 0 && $5 > 0 && $5 <= $4 && $4 <= $6)) { print "bad figures: " $0; bad = 1 } }
  END {
    n = split("batched/1/spsc-floor batched/2/spsc-floor batched/4/spsc-floor roundtrip/1/spin-floor proc-rt/1/shm-spin proc-rt/1/shm-futex", want, " ")
    for (i = 1; i <= n; i++) if (!(want[i] in seen)) { print "missing row " want[i]; bad = 1 }
    if (rows != n) { print rows " rows, want " n; bad = 1 }
    exit bad }' || fail "rows wrong"
for args in "0" "10 0" "10 65" "x" "1 2 3"; do
  # shellcheck disable=SC2086
  err=$("$bin" $args 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 2 ] || fail "bench_floors $args: exit $rc, want 2"
  case $err in "usage: bench_floors"*) ;; *) fail "bench_floors $args: said '$err'" ;; esac
done
echo "floors.sh: ok"
