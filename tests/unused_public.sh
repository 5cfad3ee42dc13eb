#!/bin/sh
# unused_public.sh PREFIX OBJLIST [ALLOWED...] -- every function named
# PREFIX... that an object file listed in OBJLIST defines (global, in
# .text) is called from another object file (another source of the
# library, the program, a test): a function only its own file calls should
# be static, and is reported here.  OBJLIST names the objects the current
# build makes, one a line (cmake/objects.cmake writes it): a directory
# glob would also read a stale object of a deleted source.  Data (tables)
# is not checked: a schema table may be declared with its siblings.
# ALLOWED names are known leftovers.
set -eu
prefix=$1
list=$2
shift 2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
if [ ! -r "$list" ]; then
  echo "unused_public: cannot read the object list $list (configure the build first)" >&2
  exit 1
fi
grep -v '^$' "$list" | sort -u >"$t/objs" || true
if [ ! -s "$t/objs" ]; then
  echo "unused_public: no object files listed in $list" >&2
  exit 1
fi
while IFS= read -r o; do
  if [ ! -f "$o" ]; then
    echo "unused_public: $o (listed in $list) is not built: build first" >&2
    exit 1
  fi
done <"$t/objs"
# "D name obj" for each definition, "U name obj" for each reference (one
# nm for all: "obj:  value T name" / "obj:  U name" with -A)
xargs nm -A <"$t/objs" | sed 's/: */ /' |
  awk -v p="^$prefix" '$3 == "T" && $4 ~ p { print "D", $4, $1 } $2 == "U" && $3 ~ p { print "U", $3, $1 }' >"$t/syms"
{ echo "-"; for a in "$@"; do echo "$a"; done; } | sort -u >"$t/allowed" # ("-": never empty, for NR == FNR)
awk '$1 == "D" { def[$2] = $3 } $1 == "U" { use[$2] = use[$2] " " $3 }
     END { for (s in def) { n = split(use[s], u, " "); other = 0
             for (i = 1; i <= n; i++) if (u[i] != def[s]) other = 1
             if (!other) print s, def[s] } }' "$t/syms" | sort >"$t/lonely"
bad=$(awk 'NR == FNR { ok[$1] = 1; next } !($1 in ok)' "$t/allowed" "$t/lonely")
if [ -n "$bad" ]; then
  echo "unused_public: functions only their own file calls (make them static):" >&2
  echo "$bad" >&2
  exit 1
fi
echo "ok: every $prefix function of $(wc -l <"$t/objs") objects is called from another file"
