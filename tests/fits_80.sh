#!/bin/sh
# fits_80.sh -- runs CMD [ARG...] and fails if it fails or if any line it
# prints on standard output is wider than 80 columns (those lines are
# printed, with their width): what a person sees in an 80-column terminal.
# usage: fits_80.sh CMD [ARG...]
set -u
out=$("$@") || { echo "fits_80.sh: $* failed" >&2; exit 1; }
printf '%s\n' "$out" | awk 'length > 80 { print length " columns: " $0; bad = 1 } END { exit bad }'
