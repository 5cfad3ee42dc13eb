#!/bin/sh
# symbols.sh PREFIX LIB HEADER... -- the symbols LIB exports (global,
# default visibility, defined) are exactly the functions and arrays named
# PREFIX... that its public HEADERs declare: nothing internal leaks out
# (cf__ internals, unprefixed helpers), nothing declared is missing.
# Comments are stripped from the headers first, so only declarations count.
set -eu
prefix=$1
lib=$2
shift 2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
for h in "$@"; do
  gcc -fpreprocessed -dD -E -P "$h" 2>/dev/null
done | grep -oE "\\b${prefix}[a-z0-9_]+[[:space:]]*[([]" | sed 's/[[:space:]([]//g' | sort -u >"$t/api"
# (sanitizer builds add their own __odr_asan.* / __asan_* markers: not API)
readelf -sW "$lib" | awk '($5 == "GLOBAL" || $5 == "WEAK") && $6 == "DEFAULT" && $7 != "UND" { print $8 }' |
  grep -vE '^__(odr_asan|asan|ubsan|tsan)' |
  sort -u >"$t/exported"
if ! cmp -s "$t/api" "$t/exported"; then
  echo "symbols: $lib: exported (>) against declared in $* (<):" >&2
  diff "$t/api" "$t/exported" >&2 || true
  exit 1
fi
echo "ok: $(wc -l <"$t/exported") symbols exported by $(basename "$lib"), as declared"
