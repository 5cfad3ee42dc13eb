#!/bin/sh
# gil_plot_one_round.sh -- a run whose CPython and emulated-GIL mixed sweep
# has only one round (a budget that ran out after round 1) has no paired
# ratio at any cpu_us yet: cfbench plot must leave the GIL-fidelity plot
# out and exit 0, not hand gnuplot an all-undefined plot and exit 1 (which
# made `cfbench bench --budget 15s` exit 1).
# usage: gil_plot_one_round.sh CFBENCH
set -u
B=$1
T=$(mktemp -d /tmp/cfb-gil1-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$B" run --workload mixed --param cpu_us=10us,100us --param io_us=200us --param gil=on \
  --backend thread,process,py-thread,py-process --workers 2 --items 20 --repeat 1 --rounds 1 \
  --out "$T/r" >"$T/log" 2>&1 || { cat "$T/log"; fail "run"; }
grep -q py-process "$T/r/runs.csv" || fail "no py-process rows"
"$B" plot "$T/r" >"$T/plot" 2>&1 || { cat "$T/plot"; fail "plot exited non-zero on a one-round run"; }
[ ! -e "$T/r/plots/gil_fidelity.png" ] || fail "a GIL-fidelity plot with no paired ratio"
"$B" report "$T/r" >/dev/null 2>&1 || fail "report"
grep -q "How true the GIL emulation is" "$T/r/report.md" || fail "report lost its GIL section"
echo "ok: gil_plot_one_round"
