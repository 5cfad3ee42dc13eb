#!/bin/sh
# legacy_listing.sh -- listings of the sweep as cfbench printed them before
# `run --dry-run=tsv`, for the tests that check it still means the same.
#   legacy_listing.sh to-tsv <FILE   an old `run --dry-run` listing ("rounds
#       R, N configurations", then "W PARAMS BACKEND workers=.. chunksize=..
#       pin=.. [mode=..] items=.. repeat=.. warmup=.. max_time=..s") as
#       --dry-run=tsv rows (header included)
#   legacy_listing.sh side CFBENCH ARGS...   an old cfbench for `cfbench ab`:
#       refuses --dry-run=tsv as it did, prints the old listing for
#       --dry-run (from CFBENCH's tsv), runs anything else with CFBENCH
set -eu
hdr='index\tworkload\tparams\tbackend\tworkers\tchunksize\tpin\tmode\titems\trepeat\twarmup\tmax_time_s\n'
case $1 in
to-tsv)
  printf "$hdr"
  awk 'NR > 1 {
    w = 0; s = $0
    while ((i = index(s, " workers=")) > 0) { w += i; s = substr(s, i + 1) }
    head = substr($0, 1, w - 1); tail = substr($0, w + 1)
    sp = index(head, " "); name = substr(head, 1, sp - 1); rest = substr(head, sp + 1)
    bk = rest; params = ""
    if ((j = match(rest, / [^ ]*$/)) > 0) { params = substr(rest, 1, j - 1); bk = substr(rest, j + 1) }
    gsub(/\\/, "\\\\", params)
    mode = "map"; split("", v)
    n = split(tail, t, " ")
    for (k = 1; k <= n; k++) { e = index(t[k], "="); v[substr(t[k], 1, e - 1)] = substr(t[k], e + 1) }
    if ("mode" in v) mode = v["mode"]
    mt = v["max_time"]; sub(/s$/, "", mt)
    printf "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", NR - 2, name, params, bk, v["workers"],
      v["chunksize"], v["pin"], mode, v["items"], v["repeat"], v["warmup"], mt
  }'
  ;;
side)
  shift
  cfb=$1
  shift
  for a in "$@"; do
    case $a in
    --dry-run=*) echo "cfbench run: --dry-run: takes no value" >&2; exit 2 ;;
    esac
  done
  for a in "$@"; do
    [ "$a" = --dry-run ] || continue
    n=$#
    for b in "$@"; do [ "$b" = --dry-run ] || set -- "$@" "$b"; done
    shift "$n"
    # (the rounds line as ab asks, --rounds 1: ab reads the rows only)
    "$cfb" "$@" --dry-run=tsv | awk -F '\t' 'NR > 1 { rows[NR - 1] = $0; n = NR - 1 }
      END {
        printf "rounds 1, %d configurations\n", n
        for (i = 1; i <= n; i++) {
          split(rows[i], f, "\t"); p = f[3]; gsub(/\\\\/, "\\", p)
          printf "%s %s %s workers=%s chunksize=%s pin=%s%s items=%s repeat=%s warmup=%s max_time=%ss\n",
            f[2], p, f[4], f[5], f[6], f[7], f[8] == "map" ? "" : " mode=" f[8], f[9], f[10], f[11], f[12]
        }
      }'
    exit 0
  done
  exec "$cfb" "$@"
  ;;
esac
