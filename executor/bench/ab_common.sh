# ab_common.sh -- sourced by the ab_*.sh scripts: two builds alternated
# round by round in one run, then ab_summary.py's per-round ratios.
#
# ab_run BENCH_A BENCH_B ROUNDS STEPS NOTE
#   For every round and every step of STEPS (a comma list: worker counts,
#   say; "-" for one step), runs `ab_one WHO BIN ROUND STEP` (defined by
#   the caller; it prints "ROUND WHO SHAPE UNIT VALUE" lines) for both
#   builds, in an order drawn at random every round: a fixed order would
#   give one build every round's second slot (a warmer cache, or a load
#   that has just risen).  The ratio is taken inside each round, so drift
#   that hits both builds cancels.  The load average is printed at the
#   start and the end.
ab_run() {
  if [ -z "$1" ] || [ -z "$2" ]; then
    echo "usage: $(sed -n 's/^#   usage: //p' "$0")" >&2
    exit 2
  fi
  ab_a=$1
  ab_b=$2
  ab_rounds=$3
  ab_steps=$4
  ab_note=$5
  ab_raw=$(mktemp)
  trap 'rm -f "$ab_raw"' EXIT
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  ab_r=0
  while [ "$ab_r" -lt "$ab_rounds" ]; do
    if [ "$(od -An -N1 -tu1 /dev/urandom)" -lt 128 ]; then ab_order="A B"; else ab_order="B A"; fi
    for ab_step in $(echo "$ab_steps" | tr , ' '); do
      for ab_who in $ab_order; do
        if [ "$ab_who" = A ]; then ab_bin=$ab_a; else ab_bin=$ab_b; fi
        ab_one "$ab_who" "$ab_bin" "$ab_r" "$ab_step" >>"$ab_raw"
      done
    done
    ab_r=$((ab_r + 1))
  done
  echo "# load average at end:   $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$(dirname "$0")/ab_summary.py" "$ab_raw" "$ab_note"
}
