#!/bin/sh
# sweep_files.sh CFBENCH SRC -- sweep files and the suites made of them:
#   1. every built-in suite (suites/*.json) expands to exactly the
#      configurations (and rounds) the compiled-in C suites gave, recorded
#      in fixtures/suites/*.configs before they became files; so does
#      `--suite PATH` and a suite with command-line overrides;
#   2. a file with several sweeps and top-level defaults means what its
#      command lines mean (the same --dry-run output);
#   3. bad files exit 2 with one line naming the file, line, column and key;
#   4. `cfbench list` shows the suites, `list --json` is JSON for tools;
#   5. a short real run from a file writes its configurations.
set -eu
cfb=$1
src=$2
fx=$src/tests/harness/fixtures
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "sweep_files: $*" >&2; exit 1; }
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# 1. the suites are what they were (the fixtures are the listing cfbench
#    printed before --dry-run=tsv, read by legacy_listing.sh), and the
#    listing for people fits an 80-column terminal
ll=$src/tests/harness/legacy_listing.sh
rounds_of() { sed -n '1s/^rounds \([0-9]*\), \([0-9]*\) .*/\2 \1/p' "$1"; } # "N R" of a fixture
for s in quick ci default; do
  "$cfb" run --suite "$s" --dry-run=tsv >"$t/$s.tsv" || fail "--suite $s --dry-run=tsv failed"
  sh "$ll" to-tsv <"$fx/suites/$s.configs" >"$t/$s.want"
  diff "$t/$s.want" "$t/$s.tsv" >&2 || fail "suite $s differs from its C original (above)"
  "$cfb" run --suite "$s" --dry-run >"$t/$s.txt" || fail "--suite $s --dry-run failed"
  # "N configurations in R rounds", or adaptive "N configurations, adaptive rounds MIN..R ..."
  [ "$(head -1 "$t/$s.txt" | awk '{ r = $4; if (match($0, /\.\.[0-9]+/)) r = substr($0, RSTART + 2, RLENGTH - 2)
                                    print $1, r }')" = "$(rounds_of "$fx/suites/$s.configs")" ] ||
    fail "suite $s: '$(head -1 "$t/$s.txt")' is not the original's $(head -1 "$fx/suites/$s.configs")"
done
"$cfb" run --suite "$src/suites/ci.json" --repeat 3 --max-time 2s --dry-run=tsv >"$t/ci3.tsv"
sh "$ll" to-tsv <"$fx/suites/ci_repeat3.configs" | diff - "$t/ci3.tsv" >&2 ||
  fail "--suite PATH with overrides differs (above)"
echo "ok: suites quick, ci, default expand as the C suites did ($(wc -l <"$t/default.tsv") lines for default)"
# every line within 79 columns: the suites, a CPU list, an exec's long command, every mode
"$cfb" run --suite python --dry-run >"$t/python.txt" || fail "--suite python --dry-run failed"
"$cfb" run --workload sleep --backend py-process,process --workers 1,64 --chunksize 1,65536 --mode roundtrip,map \
  --pin none,list:0,1 --items 1000000 --dry-run >"$t/wide1.txt" || fail "a wide sweep's --dry-run failed"
"$cfb" run --workload exec --param "cmd=sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do :; done'" \
  --workers 1 --dry-run >"$t/wide2.txt" || fail "an exec sweep's --dry-run failed"
for f in quick ci default python wide1 wide2; do
  awk -v f="$f" 'length($0) > 79 { printf "%s: %d columns: %s\n", f, length($0), $0; bad = 1 } END { exit bad }' \
    "$t/$f.txt" >&2 || fail "--dry-run passes 79 columns (above)"
done
echo "ok: --dry-run fits 80 columns"

# 2. a file means its command lines (the rows, their indices aside)
"$cfb" run --file "$fx/sweepfiles/two.json" --dry-run=tsv | cut -f2- >"$t/two.out" ||
  fail "--file two.json --dry-run=tsv failed"
{
  "$cfb" run --workload sleep --param delay=0,1ms --workers 1 --backend thread,process --repeat 2 --warmup 0 \
    --items 4 --dry-run=tsv | cut -f2-
  "$cfb" run --workload primes --param preset=range --param start=1000001 --param count=40 --backend thread \
    --workers 1..2 --chunksize 1,8 --max-time 5s --repeat 2 --warmup 0 --items 4 --dry-run=tsv | sed 1d | cut -f2-
} >"$t/two.expected"
diff "$t/two.expected" "$t/two.out" >&2 || fail "two.json is not what its command lines are (above)"
"$cfb" run --file "$fx/sweepfiles/two.json" --dry-run | head -1 | grep -qx "8 configurations in 2 rounds" ||
  fail "two.json: not 8 configurations in 2 rounds"
echo "ok: a file of two sweeps = its two command lines"

# 3. bad files: name, line:column, key
bad() { # EXPECTED-TEXT FILE-CONTENT
  printf '%s\n' "$2" >"$t/bad.json"
  if "$cfb" run --file "$t/bad.json" --out "$t/nowrite" >/dev/null 2>"$t/err"; then fail "accepted: $2"; else rc=$?; fi
  [ "$rc" -eq 2 ] || fail "exit $rc for: $2"
  [ "$(wc -l <"$t/err")" -eq 1 ] || fail "not one line for: $2: $(cat "$t/err")"
  grep -qF "$t/bad.json:$1" "$t/err" || fail "expected '$t/bad.json:$1' in: $(cat "$t/err")"
  [ ! -e "$t/nowrite" ] || fail "bad input wrote a results directory"
}
bad "3:3: unknown key 'wrkers'; a sweep takes: workload, param," '{"sweeps": [
 {"workload": "sleep",
  "wrkers": 2}]}'
bad "2:2: key 'workers': --workers: bad range '0..4'" '{"workload": "sleep",
 "workers": "0..4"}'
bad "3:10: duplicate object key" '{"workload": "sleep",
 "workers": 2,
 "workers": 3}'
bad "2:12: sweep 1: --param: unknown parameter 'dely'" '{"workload": "sleep",
 "param": {"dely": "1ms"}}'
bad "2:3: key 'workers': expected a string, a number or a non-empty list" '{"sweeps": [{"workload": "sleep",
  "workers": {"a": 1}}]}'
bad "1:27: key 'rounds': expected an integer" '{"workload": "sleep",     "rounds": 0}'
bad "1:2: sweep 2: expected an object" '{"sweeps": [{"workload": "sleep"}, 3]}'
bad "1:13: sweep 1: no --workload" '{"sweeps": [{"workers": 2}]}'
bad "3:0: '}' expected" '{"workload": "sleep"
'
bad "1:12: key 'param.delay': expected a string" '{"param": {"delay": null}, "workload": "sleep"}'
printf '{"workload": "sleep"}' >"$t/one.json"
if "$cfb" run --file "$t/one.json" --workers 2 >/dev/null 2>"$t/err"; then fail "--file with an axis accepted"; fi
grep -q "cannot be combined" "$t/err" || fail "--file + --workers: $(cat "$t/err")"
if "$cfb" run --file "$t/missing.json" >/dev/null 2>"$t/err"; then fail "a missing file accepted"; fi
grep -qF "$t/missing.json: cannot read" "$t/err" || fail "missing file: $(cat "$t/err")"
if "$cfb" run --file "$t" >/dev/null 2>"$t/err"; then fail "a directory accepted as a sweep file"; fi
grep -qF "$t: cannot read: Is a directory" "$t/err" || fail "directory as a file: $(cat "$t/err")"
echo "ok: bad sweep files exit 2 with FILE:LINE:COL and the key"
bad "2:2: key 'min-rounds': --min-rounds: 1 is out of range" '{"workload": "sleep",
 "min-rounds": 1}'

# 3b. adaptive rounds as a file's keys: the run's rounds (max-rounds), the
# command line's --max-rounds winning, --repeat meaning fixed rounds
printf '{"workload": "sleep", "items": 2, "min-rounds": 3, "max-rounds": 4, "budget": "60s"}' >"$t/ad.json"
"$cfb" run --file "$t/ad.json" --dry-run | head -1 | grep -qx "2 configurations, adaptive rounds 3..4 within --budget 60s" ||
  fail "file max-rounds not the run's: $("$cfb" run --file "$t/ad.json" --dry-run | head -1)"
"$cfb" run --file "$t/ad.json" --max-rounds 6 --dry-run=tsv | awk -F '\t' 'NR > 1 && $10 != 6 { bad = 1 } END { exit bad }' ||
  fail "--max-rounds does not override the file's"
"$cfb" run --file "$t/ad.json" --repeat 2 --dry-run | head -1 | grep -qx "2 configurations in 1 round" ||
  fail "--repeat with a file's adaptive keys is not fixed rounds"
echo "ok: adaptive rounds as sweep-file keys"

# 3c. bench --help gives the default suite's rounds, budget and stretch
#     (it said 6..40 and 2.5 after the suite had become 6..100 and 6)
"$cfb" bench --help >"$t/bench.help" || fail "bench --help failed"
"$py" - "$src/suites/default.json" "$t/bench.help" <<'PY' || fail "bench --help disagrees with suites/default.json (above)"
import json, re, sys
s = json.load(open(sys.argv[1]))
h = " ".join(open(sys.argv[2]).read().split())
want = ["adaptive rounds (%d..%d)" % (s["min-rounds"], s["max-rounds"]), "--budget %s" % s["budget"],
        "those past %d times %g (--plan-stretch)" % (s["min-rounds"], s["plan-stretch"])]
miss = [w for w in want if w not in h]
assert not miss, ("not in bench --help:", miss)
PY
echo "ok: bench --help agrees with the default suite"

# 4. list and list --json
COLUMNS=80 "$cfb" list >"$t/list.txt" || fail "list failed"
for s in quick ci default; do grep -q "^  $s " "$t/list.txt" || fail "list does not show suite $s"; done
# the list fits an 80-column terminal, no line ending in a blank
awk 'length($0) > 79 || / $/ { print; bad = 1 } END { exit bad }' "$t/list.txt" ||
  fail "list passes 79 columns or leaves blanks at line ends"
grep -q '^      delay        default 10ms       range 0 s..60 s$' "$t/list.txt" || fail "list: sleep's delay line"
# every sweep line list prints is a command line that runs (adaptive suites:
# no --repeat beside --min-rounds, which run refuses), its continued lines
# (a backslash at the end) joined as a shell joins them
sed -e ':a' -e '/ \\$/{N;s/ \\\n */ /;ba' -e '}' "$t/list.txt" | grep '^      --workload ' >"$t/list.lines" ||
  fail "list shows no sweep lines"
grep -q -- '--max-time' "$t/list.lines" || fail "list's sweep lines were not joined: $(head -2 "$t/list.lines")"
while IFS= read -r line; do
  # shellcheck disable=SC2086 # the line is the options, split as a shell would
  "$cfb" run $line --dry-run >/dev/null 2>"$t/line.err" || fail "list's line does not run: $line: $(cat "$t/line.err")"
done <"$t/list.lines"
"$cfb" list --json >"$t/list.json" || fail "list --json failed"
"$py" - "$t/list.json" <<'PY' || fail "list --json is not what tools need"
import json, sys
d = json.load(open(sys.argv[1]))
names = [s["name"] for s in d["suites"]]
assert {"quick", "ci", "default"} <= set(names), names
for s in d["suites"]:
    assert s["sweeps"] and all(w.startswith("--workload ") for w in s["sweeps"]), s
    assert s["rounds"] in ("per-repeat",) or int(s["rounds"]) >= 1
assert any(w["name"] == "sleep" and any(p["name"] == "delay" for p in w["params"]) for w in d["workloads"])
assert d["suites_dir"] and d["plots_dir"]
PY
echo "ok: list shows the suites; list --json"

# 5. a real run from a file
printf '{"workload": "sleep", "param": {"delay": "0"}, "workers": [1, 2], "items": 10, "repeat": 2, "warmup": 0}\n' >"$t/run.json"
"$cfb" run --file "$t/run.json" --seed 1 --out "$t/out" >"$t/run.log" 2>&1 || { cat "$t/run.log" >&2; fail "run --file failed"; }
[ "$(($(wc -l <"$t/out/summary.csv") - 1))" -eq 2 ] || fail "run --file: summary.csv has not 2 configurations"
grep -qF "\"suite\": \"$t/run.json\"" "$t/out/meta.json" || fail "meta.json does not name the sweep file"
echo "ok: run --file"

# 6. meta.json records every sweep of a file (config.sweeps), not only the
#    first one's settings, and the report gives the range of repetitions
cat >"$t/two_run.json" <<'EOF2'
{"warmup": 0, "sweeps": [
  {"workload": "sleep", "param": {"delay": "0"}, "workers": [1, 2], "items": 4, "repeat": 1},
  {"workload": "primes", "param": {"preset": "range", "start": "1000001", "count": "8"}, "workers": 1,
   "chunksize": [1, 4], "pin": "list:0", "repeat": 2, "max-time": "5s"}]}
EOF2
"$cfb" run --file "$t/two_run.json" --seed 1 --out "$t/two_out" >"$t/two_run.log" 2>&1 ||
  { cat "$t/two_run.log" >&2; fail "run --file two_run.json failed"; }
"$py" - "$t/two_out/meta.json" <<'EOF2' || fail "meta.json config.sweeps does not hold both sweeps"
import json, sys
c = json.load(open(sys.argv[1]))["config"]
s = c["sweeps"]
assert len(s) == 2, s
assert s[0]["workload"] == ["sleep"] and s[0]["workers"] == [1, 2] and s[0]["repeat"] == 1, s[0]
assert s[0]["params"] == ["delay=0"] and s[0]["items"] == 4 and s[0]["pin"] == ["none"], s[0]
assert s[1]["workload"] == ["primes"] and s[1]["chunksize"] == [1, 4] and s[1]["repeat"] == 2, s[1]
assert s[1]["pin"] == ["list:0"] and s[1]["max_time_s"] == 5 and s[1]["warmup"] == 0, s[1]
assert c["repeat"] == 1  # the first sweep's, as before config.sweeps
EOF2
"$cfb" report "$t/two_out" >/dev/null 2>&1 || fail "report of the two-sweep run failed"
grep -q "1-2 repetitions per configuration after 0 warm-ups" "$t/two_out/report.md" ||
  fail "report.md does not give the sweeps' range of repetitions"
echo "ok: meta.json config.sweeps records both sweeps"
