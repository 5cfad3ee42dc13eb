#!/bin/sh
# ab_process.sh -- two builds of bench_process (say, before and after a
# change) alternated round by round in one run, then per shape the
# min/median/max of the per-round ratio B / A of the shm column (< 1: B is
# faster) (ab_common.sh).
#   usage: ab_process.sh BENCH_A BENCH_B [rounds=7] [items=100000] [workers=2]
set -eu
. "$(dirname "$0")/ab_common.sh"
items=${4:-100000}
workers=${5:-2}

ab_one() { # WHO BIN ROUND -: one repetition after the warm-up, no GiB rows; column 3 is shm
  "$2" "$items" 1 "$workers" 0 | awk -v who="$1" -v r="$3" \
    '!/^#/ && $1 != "benchmark" && NF >= 6 && $1 !~ /^start\// { print r, who, $1, $2, $3 }'
}

ab_run "${1:-}" "${2:-}" "${3:-7}" - "the shm transport"
