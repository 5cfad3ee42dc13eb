#!/bin/sh
# unused_public_list.sh SCRIPT CC -- unused_public.sh reads only the objects
# its list names: a stale object (a deleted source's, left in the build
# directory by an incremental build) beside them is not read, and the same
# object, listed, is reported.
set -eu
script=$1
cc=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'int cfb_used(void) { return 1; }\n' >"$t/a.c"
printf 'int cfb_used(void);\nint main(void) { return cfb_used() - 1; }\n' >"$t/b.c"
printf 'int cfb_lonely(void) { return 2; }\n' >"$t/stale.c"
for f in a b stale; do "$cc" -c -o "$t/$f.o" "$t/$f.c"; done
printf '%s\n' "$t/a.o" "$t/b.o" >"$t/current.list"
if ! sh "$script" cfb_ "$t/current.list" >"$t/out" 2>&1; then
  echo "FAIL: a stale object beside the listed ones was read:" >&2
  cat "$t/out" >&2
  exit 1
fi
printf '%s\n' "$t/stale.o" >>"$t/current.list"
if sh "$script" cfb_ "$t/current.list" >"$t/out" 2>&1 || ! grep -q '^cfb_lonely ' "$t/out"; then
  echo "FAIL: a listed object's lonely function was not reported:" >&2
  cat "$t/out" >&2
  exit 1
fi
printf '%s\n' "$t/gone.o" >"$t/missing.list"
if sh "$script" cfb_ "$t/missing.list" >"$t/out" 2>&1 || ! grep -q 'gone.o.*not built' "$t/out"; then
  echo "FAIL: a listed object that is missing was not named:" >&2
  cat "$t/out" >&2
  exit 1
fi
echo "ok: only listed objects are read; a listed lonely function and a missing object are reported"
