#!/bin/sh
# ab_scripts.sh -- the A/B scripts of executor/bench: ab_summary.py's
# ratios on known input, and each ab_*.sh run end to end (the same build
# as A and B, two short rounds): the shapes it should list are there and
# every line fits 80 columns.
#   usage: ab_scripts.sh BENCH_DIR BENCH_PEERS BENCH_PROCESS BENCH_PHASES
set -eu
dir=$1
peers=$2
process=$3
phases=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "ab_scripts: $*" >&2
  exit 1
}
fits_80() { # $1: what, $2: file
  sh "$(dirname "$0")/../fits_80.sh" cat "$2" >&2 || fail "$1 does not fit 80 columns"
}
has() { # $1: file, $2: extended regex
  grep -Eq -- "$2" "$1" || { cat "$1" >&2; fail "no line matching '$2'"; }
}

# Known input: B/A of x is 0.5, 1 and 2 in rounds 0-2; y has no B; a line
# of the wrong shape is left out.
cat >"$tmp/raw" <<'RAW'
0 A x ns 100
0 B x ns 50
1 B x ns 100
1 A x ns 100
2 A x ns 100
2 B x ns 200
0 A y ns 7
garbage line
RAW
python3 "$dir/ab_summary.py" "$tmp/raw" "a note" >"$tmp/sum"
has "$tmp/sum" '^  x +ns +100\.000 +100\.000 +0\.500 +1\.000 +2\.000$'
if grep -q '^  y ' "$tmp/sum"; then fail "a shape with no B side was listed"; fi
has "$tmp/sum" '^# 3 rounds, A and B alternated'
has "$tmp/sum" '^# a note$'
fits_80 ab_summary.py "$tmp/sum"

sh "$dir/ab_thread.sh" "$peers" "$peers" 2 2000 1 >"$tmp/thread"
has "$tmp/thread" '^  batched/W=1 +ns( +[0-9.]+){5}$'
has "$tmp/thread" '^  roundtrip/W=1 +ns( +[0-9.]+){5}$'
has "$tmp/thread" '^# 2 rounds'
fits_80 ab_thread.sh "$tmp/thread"

sh "$dir/ab_process.sh" "$process" "$process" 2 2000 2 >"$tmp/process"
has "$tmp/process" '^  roundtrip +us/task( +[0-9.]+){5}$'
has "$tmp/process" '^  map/1 +us/item( +[0-9.]+){5}$'
fits_80 ab_process.sh "$tmp/process"

sh "$dir/ab_phases.sh" "$phases" "$phases" 2 2000 3 >"$tmp/phases"
for phase in submit worker collect; do has "$tmp/phases" "^  $phase +cpu-ns( +[0-9.]+){5}\$"; done
fits_80 ab_phases.sh "$tmp/phases"
# Without its two builds a script says how to call it and exits 2.
for script in ab_thread ab_process ab_phases; do
  if sh "$dir/$script.sh" >"$tmp/usage" 2>&1; then fail "$script.sh without arguments exited 0"; fi
  has "$tmp/usage" "^usage: $script.sh BENCH_A BENCH_B"
done
echo "ab_scripts: ok"
