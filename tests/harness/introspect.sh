#!/bin/sh
# introspect.sh -- what cfbench says about itself agrees with its tables:
# --version (version, git revision, build type); the man page lists every
# subcommand, option, workload, parameter and suite; docs/cfbench.md
# documents every option, workload, parameter and suite, and
# docs/results-format.md every output file; the bash completion offers
# them.  The words come from `cfbench --complete` (the program's tables).
# usage: introspect.sh CFBENCH SOURCE_DIR MANPAGE
set -u
CLI=$1
SRC=$2
MAN=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
v=$("$CLI" --version) || fail "--version exit"
echo "$v" | grep -Eq '^cfbench [0-9]+\.[0-9]+\.[0-9]+ \(git [^;]+; [A-Za-z]+ build' || fail "--version: $v"
[ -s "$MAN" ] || fail "no man page $MAN"
# man text: roff escapes \- for -
plain=$(sed 's/\\-/-/g; s/\\fB//g; s/\\fR//g; s/\\fI//g' "$MAN")
cmds=$("$CLI" --complete commands)
[ -n "$cmds" ] || fail "no commands"
for c in $cmds; do
  echo "$plain" | grep -q "^\.SS $c\$" || fail "man page lacks command $c"
  grep -q "cfbench $c" "$SRC"/docs/*.md "$SRC/README.md" || fail "docs lack command $c"
  for o in $("$CLI" --complete options "$c"); do
    [ "$o" = --help ] && continue
    echo "$plain" | grep -q -- "^\.B $o" || fail "man page lacks $c $o"
    grep -q -- "$o" "$SRC"/docs/*.md "$SRC/README.md" || fail "docs lack $c $o"
  done
done
for w in $("$CLI" --complete workloads); do
  echo "$plain" | grep -q "^\.SS $w\$" || fail "man page lacks workload $w"
  grep -q "\`$w\`\|\*\*$w\*\*\|^| $w \|--workload $w" "$SRC/docs/workloads.md" "$SRC/docs/cfbench.md" || fail "docs lack workload $w"
  for p in $("$CLI" --complete params "$w" | grep -v '\.'); do
    k=${p%=}
    echo "$plain" | grep -q "^\.BI $k= VALUE" || fail "man page lacks $w $k"
    grep -q "$k" "$SRC/docs/workloads.md" || fail "docs/workloads.md lacks $w parameter $k"
  done
done
for s in $("$CLI" --complete suites); do
  echo "$plain" | grep -q "^\.B $s\$" || fail "man page lacks suite $s"
  grep -q -- "--suite $s\|\`$s\`" "$SRC/docs/cfbench.md" "$SRC/README.md" || fail "docs lack suite $s"
done
for f in runs.csv summary.csv verdicts.csv results.json meta.json report.md report.html; do
  grep -q "$f" "$SRC/docs/results-format.md" "$SRC/docs/cfbench.md" || fail "docs lack output file $f"
done
"$CLI" --complete nonsense >/dev/null 2>&1 && fail "--complete nonsense accepted"
# The help a new user reads in an 80-column terminal fits it.
for c in "" list topology run bench plot report export characterize compare history ab; do
  # shellcheck disable=SC2086 # "" is cfbench's own --help
  wide=$("$CLI" $c --help | awk 'length($0) > 79')
  [ -z "$wide" ] || fail "cfbench $c --help is wider than 79 columns: $wide"
done
# The completion, driven as bash would.
command -v bash >/dev/null || exit 0
DIR=$(cd "$(dirname "$CLI")" && pwd)
out=$(PATH="$DIR:$PATH" bash -c '
  . "$1"
  comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _cfbench; echo "${COMPREPLY[*]}"; }
  comp cfbench re
  comp cfbench run --wo
  comp cfbench run --workload sl
  comp cfbench run --workload primes,so
  comp cfbench run --workload sleep --param de
  comp cfbench run --suite q
  comp cfbench compare a b --thr
' _ "$SRC/harness/cfbench.bash")
echo "$out" | sed -n 1p | grep -qw report || fail "completion of subcommands: $out"
echo "$out" | sed -n 2p | grep -qw -- --workload || fail "completion of options"
echo "$out" | sed -n 3p | grep -qw sleep || fail "completion of workloads"
echo "$out" | sed -n 4p | grep -qw primes,socket || fail "completion of a workload list"
echo "$out" | sed -n 5p | grep -q 'delay=' || fail "completion of parameters"
echo "$out" | sed -n 6p | grep -qw quick || fail "completion of suites"
echo "$out" | sed -n 7p | grep -qw -- --threshold || fail "completion of compare options"
# the scoped form of --param (WORKLOAD.KEY, test_sweep's scoped_params) is
# in run's --help and in docs/cfbench.md, and the docs' example means what
# they say: the bare key for sleep, the scoped one for socket
"$CLI" run --help | grep -q 'W\.K=V' || fail "run --help does not show WORKLOAD.KEY"
grep -q '`WORKLOAD\.KEY`' "$SRC/docs/cfbench.md" || fail "docs/cfbench.md does not document WORKLOAD.KEY"
ex=$("$CLI" run --workload socket,sleep --param delay=1ms --param socket.delay=0 --workers 1 --dry-run=tsv) ||
  fail "the docs' WORKLOAD.KEY example is refused"
echo "$ex" | cut -f2,3 | grep -qx 'sleep	delay=1ms' && echo "$ex" | cut -f2,3 | grep -q '^socket	.*,delay=0s,' ||
  fail "the docs' WORKLOAD.KEY example: $ex"
# docs/workloads.md's parameter tables against the program's own (list
# --json): every parameter of a workload with a table has its row, with
# the program's default
"$CLI" list --json >"${TMPDIR:-/tmp}/cfb-introspect.$$.json" || fail "list --json"
/usr/bin/python3 - "$SRC/docs/workloads.md" "${TMPDIR:-/tmp}/cfb-introspect.$$.json" <<'PYEOF' || fail "docs/workloads.md's parameter tables (above)"
import json, re, sys
doc = open(sys.argv[1]).read()
prog = json.load(open(sys.argv[2]))
bad = 0
for w in prog["workloads"]:
    m = re.search(r"^## %s \(.*?(?=^## |\Z)" % re.escape(w["name"]), doc, re.M | re.S)
    rows = dict(re.findall(r"^\| (\w+) \| ([^|]*?) \|", m.group(0), re.M)) if m else {}
    rows.pop("parameter", None)
    if not rows:
        continue  # no table (exec: its parameters are in the text)
    for p in w["params"]:
        want = p["default"] or "(empty)"
        if p["name"] not in rows:
            print("docs/workloads.md: %s has no row for %s" % (w["name"], p["name"])); bad = 1
        elif rows[p["name"]] != want:
            print("docs/workloads.md: %s %s default '%s', the program's '%s'" % (w["name"], p["name"], rows[p["name"]], want)); bad = 1
sys.exit(bad)
PYEOF
rm -f "${TMPDIR:-/tmp}/cfb-introspect.$$.json"
echo "ok: introspect"
