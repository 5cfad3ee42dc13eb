#!/bin/sh
# gbench_export.sh CFBENCH FIXTURES -- cfbench's results as other tools
# read them:
#   1. `cfbench export --format gbench` of the compare fixtures is Google
#      Benchmark JSON: the context keys, an iteration entry per repetition
#      (repetition_index 0..n-1) and the mean/median/stddev/cv aggregates;
#   2. Google Benchmark's own tools/compare.py (Debian libbenchmark-tools)
#      reads two exports and prints every configuration, and the 20%-slower
#      configuration of cmp_regress (only it) shows a time change over +10%
#      with a U-test p-value below 0.05;
#   3. `cfbench run --export-gbench FILE` writes the same for a fresh run,
#      with the machine context (num_cpus, mhz_per_cpu, caches from hwloc...);
#   4. `--format md` is a Markdown table with a row per summary.csv row;
#   5. bad input (unknown format, no directory) exits 2 with one line.
set -eu
cfb=$1
fx=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "gbench_export: $*" >&2; exit 1; }

# Debian's python3 (with python3-scipy), not whichever python3 is first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
compare=/usr/share/benchmark/compare.py
[ -f "$compare" ] || compare=$(dpkg -L libbenchmark-tools 2>/dev/null | grep '/compare.py$' | head -n 1)
[ -n "$compare" ] && [ -f "$compare" ] || fail "Google Benchmark's compare.py not found (apt install libbenchmark-tools)"

for d in cmp_base cmp_regress; do
  "$cfb" export --format gbench "$fx/$d" --out "$t/$d.json" || fail "export of $d failed"
done

# 1. the document's shape
"$py" - "$t/cmp_base.json" "$fx/cmp_base/summary.csv" <<'PY' || fail "cmp_base.json is not Google Benchmark JSON"
import csv, json, sys
doc = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
bs = doc["benchmarks"]
for r in rows:
    name = "%s/%s/%s/workers:%s/chunksize:%s/pin:%s" % (r["workload"], r["params"], r["backend"], r["workers"],
                                                       r["chunksize"], r["pin"])
    its = [b for b in bs if b["name"] == name and b["run_type"] == "iteration"]
    assert len(its) == int(r["n"]), "%s: %d iterations, summary n=%s" % (name, len(its), r["n"])
    assert sorted(b["repetition_index"] for b in its) == list(range(len(its))), name
    for b in its:
        assert b["repetitions"] == len(its) and b["threads"] == int(r["workers"]) and b["time_unit"] == "ns"
        assert b["iterations"] > 0 and b["real_time"] > 0 and b["cpu_time"] > 0 and b["items_per_second"] > 0
        # time per item and the rate agree
        assert abs(b["real_time"] * b["items_per_second"] / 1e9 - 1) < 1e-3, b
    aggs = {b["aggregate_name"]: b for b in bs if b["run_type"] == "aggregate" and b["run_name"] == name}
    assert sorted(aggs) == ["cv", "mean", "median", "stddev"], (name, sorted(aggs))
    assert aggs["median"]["name"] == name + "_median"
    # the median rate of the iterations is summary.csv's median
    assert abs(aggs["median"]["items_per_second"] / float(r["median"]) - 1) < 1e-3, (aggs["median"], r["median"])
print("ok: Google Benchmark JSON,", len(bs), "entries for", len(rows), "configurations")
PY

# 2. Google Benchmark's compare.py
"$py" "$compare" --no-color -a benchmarks "$t/cmp_base.json" "$t/cmp_regress.json" >"$t/compare.out" 2>&1 ||
  { cat "$t/compare.out" >&2; fail "compare.py failed"; }
cat "$t/compare.out"
grep -q "^Benchmark  *Time  *CPU  *Time Old  *Time New" "$t/compare.out" || fail "compare.py printed no time columns"
slow="primes/preset=docs/process/workers:2/chunksize:16/pin:none"
awk -v slow="$slow" '
  $1 ~ /_median$/ { n++; name = substr($1, 1, length($1) - 7); t = $2 + 0
                    if (name == slow) { if (t <= 0.10) bad = bad " " name " changed " $2 " (expected > +0.10)"; seen = 1 }
                    else if (t > 0.10 || t < -0.10) bad = bad " " name " changed " $2 " (expected within 10%)" }
  $1 == slow "_pvalue" && $2 + 0 >= 0.05 { bad = bad " p-value " $2 " of the slower one" }
  END { if (n != 4 || !seen || bad != "") { print "medians " n ", slower seen " seen ":" bad; exit 1 } }' \
  "$t/compare.out" >&2 || fail "compare.py's verdicts are not the fixtures' (above)"
echo "ok: compare.py reads the exports and sees the one 20% slower configuration"

# 3. cfbench run --export-gbench
"$cfb" run --workload sleep --param delay=0 --workers 1 --items 20 --repeat 2 --warmup 0 --seed 3 \
  --out "$t/run" --export-gbench "$t/run.json" >"$t/run.log" 2>&1 || { cat "$t/run.log" >&2; fail "run failed"; }
grep -q '"name": "sleep/delay=0s/thread/workers:1/chunksize:1/pin:none_median"' "$t/run.json" ||
  fail "run --export-gbench wrote no median of the run's configuration"
# a fresh run's meta.json has the whole machine context (the fixtures' predate mhz and caches)
"$py" - "$t/run.json" <<'PY' || fail "run.json's context is not Google Benchmark's"
import json, sys
ctx = json.load(open(sys.argv[1]))["context"]
for k in ("date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches",
          "library_build_type"):
    assert k in ctx, "context has no " + k
assert ctx["num_cpus"] >= 1 and ctx["library_build_type"] in ("debug", "release")
for c in ctx["caches"]:
    assert c["type"] in ("Data", "Instruction", "Unified") and c["level"] >= 1 and c["size"] > 0, c
PY
echo "ok: run --export-gbench"

# 4. Markdown
"$cfb" export --format md "$fx/cmp_base" >"$t/table.md" || fail "export --format md failed"
head -n 1 "$t/table.md" | grep -q '^| workload | params | backend | workers | chunksize | pin | mode | n | median items/s' ||
  fail "md header: $(head -n 1 "$t/table.md")"
# figures right-aligned, names (pin, mode, status) left
sed -n 2p "$t/table.md" | grep -qx '|---|---|---|---:|---:|---|---|---:|---:|---:|---:|---|' ||
  fail "md alignment row: $(sed -n 2p "$t/table.md")"
rows=$(($(wc -l <"$fx/cmp_base/summary.csv") - 1))
[ "$(grep -c '^| primes\|^| sleep' "$t/table.md")" -eq "$rows" ] || fail "md table rows differ from summary.csv's $rows"
echo "ok: export --format md"

# 5. bad input
# (each line names the command once: "cfbench export: --format: ...")
for args in "--format xml $fx/cmp_base" "--format gbench $t/nowhere" "--format gbench" "$fx/cmp_base --format" \
  "--bogus $fx/cmp_base" "--format md $fx/cmp_base --out /nonexistent/t.md" "--format md $fx/cmp_base --out $t"; do
  # shellcheck disable=SC2086
  if "$cfb" export $args >/dev/null 2>"$t/err"; then fail "export $args succeeded"; else rc=$?; fi
  [ "$rc" -eq 2 ] && [ "$(wc -l <"$t/err")" -eq 1 ] || fail "export $args: exit $rc, stderr: $(cat "$t/err")"
  grep -q '^cfbench export: ' "$t/err" && ! grep -q 'export: export:' "$t/err" ||
    fail "export $args: stderr does not name the command once: $(cat "$t/err")"
done
echo "ok: bad input exits 2 with one line"
