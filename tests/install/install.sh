#!/bin/sh
# install.sh BUILD SRC -- cfutures as another project sees it once
# installed: `cmake --install BUILD --prefix P` into a temporary prefix,
# then
#   1. the expected files are there (libraries with their soname,
#      headers, pkg-config files, the CMake package, cfbench, its plot
#      templates and suites, the man page);
#   2. a program of one's own (consumer/hello.c) builds against P with
#      pkg-config and with find_package (shared and static targets) and
#      runs a task on each backend;
#   3. P is moved to P2 and the installed cfbench runs from there, in
#      /tmp, with CFBENCH_PLOTS_DIR unset: list (its data folders must be
#      under P2, not the source or build tree), the suite quick, a short
#      run, plot, export, report.
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
t=$(mktemp -d /tmp/cfinstall.XXXXXX)
trap 'rm -rf "$t"' EXIT
fail() { echo "install: $*" >&2; exit 1; }

P=$t/prefix
cmake --install "$build" --prefix "$P" >"$t/install.log" || { cat "$t/install.log" >&2; fail "cmake --install failed"; }

# 1. the installed tree
for f in bin/cfbench include/cfutures.h include/cfwork.h lib/libcfutures.a lib/libcfwork.a \
         lib/pkgconfig/cfutures.pc lib/pkgconfig/cfwork.pc \
         lib/cmake/cfutures/cfuturesConfig.cmake lib/cmake/cfutures/cfuturesConfigVersion.cmake \
         share/cfbench/plots/style.gp share/cfbench/suites/quick.json share/man/man1/cfbench.1 share/bash-completion/completions/cfbench share/doc/cfutures/README.md; do
  [ -e "$P/$f" ] || fail "$f not installed"
done
for h in "$src"/workloads/include/*.h; do
  [ -e "$P/include/$(basename "$h")" ] || fail "workload header $(basename "$h") not installed"
done
for lib in cfutures cfwork; do
  so=$(readelf -d "$P/lib/lib$lib.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
  [ "$so" = "lib$lib.so.0" ] || fail "lib$lib.so soname is '$so', expected lib$lib.so.0"
  [ -e "$P/lib/$so" ] || fail "$so not installed"
done
echo "ok: installed tree"

# 2a. pkg-config
cc=${CC:-cc}
PKG_CONFIG_PATH=$P/lib/pkgconfig
export PKG_CONFIG_PATH
[ "$(pkg-config --modversion cfwork)" = "$(pkg-config --modversion cfutures)" ] || fail "pc versions differ"
# shellcheck disable=SC2046
$cc ${CFLAGS:-} -o "$t/hello_pc" "$src/tests/install/consumer/hello.c" $(pkg-config --cflags --libs cfwork) ||
  fail "build with pkg-config failed"
LD_LIBRARY_PATH=$P/lib "$t/hello_pc" >"$t/hello_pc.out" || fail "hello (pkg-config) failed"
grep -q "hello: 42 process" "$t/hello_pc.out" || fail "hello (pkg-config) printed: $(cat "$t/hello_pc.out")"
LD_LIBRARY_PATH=$P/lib ldd "$t/hello_pc" | grep -q "libcfutures.so.0 => $P/lib" || fail "hello_pc does not use the installed libcfutures.so.0"
echo "ok: pkg-config build: $(tr '\n' ';' <"$t/hello_pc.out")"

# 2a'. pkg-config --static: the archives, with what they need named by the
# .pc files alone (OpenMPI when the MPI backend is in libcfutures.a).
# hwloc's own Libs.private names -ludev (libudev-dev, which run.sh installs).
# shellcheck disable=SC2046
$cc ${CFLAGS:-} -o "$t/hello_pcs" "$src/tests/install/consumer/hello.c" $(pkg-config --cflags cfwork) \
  "$P/lib/libcfwork.a" "$P/lib/libcfwork_params.a" "$P/lib/libcfutures.a" \
  $(pkg-config --static --libs cfwork | tr ' ' '\n' | grep -v -e '^-lcfwork' -e '^-lcfutures$') \
  2>"$t/hello_pcs.log" || { cat "$t/hello_pcs.log" >&2; fail "static build with pkg-config --static failed"; }
"$t/hello_pcs" >"$t/hello_pcs.out" || fail "hello (pkg-config --static) failed"
grep -q "hello: 42 process" "$t/hello_pcs.out" || fail "hello (pkg-config --static) printed: $(cat "$t/hello_pcs.out")"
readelf -d "$t/hello_pcs" | grep -q libcfutures && fail "hello_pcs links libcfutures.so"
echo "ok: pkg-config --static build"

# 2b. find_package, in a project of its own
cmake -S "$src/tests/install/consumer" -B "$t/consumer" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release \
  >"$t/consumer.log" 2>&1 || { cat "$t/consumer.log" >&2; fail "find_package(cfutures) configure failed"; }
cmake --build "$t/consumer" >>"$t/consumer.log" 2>&1 || { cat "$t/consumer.log" >&2; fail "consumer build failed"; }
for exe in hello hello_static; do
  "$t/consumer/$exe" >"$t/$exe.out" || fail "$exe (find_package) failed"
  grep -q "hello: 42 thread" "$t/$exe.out" || fail "$exe printed: $(cat "$t/$exe.out")"
done
readelf -d "$t/consumer/hello_static" | grep -q libcfutures && fail "hello_static links libcfutures.so"
echo "ok: find_package build (shared and static)"

# 3. the installed cfbench, moved, away from the source and build trees
P2=$t/moved
mv "$P" "$P2"
unset CFBENCH_PLOTS_DIR CFBENCH_SUITES_DIR
cd /tmp
cfb=$P2/bin/cfbench
"$cfb" list >"$t/list.out" || fail "cfbench list failed"
grep -q "sleep" "$t/list.out" || fail "cfbench list shows no sleep workload"
# the data folders must be the moved prefix's: a cfbench that fell back to
# the source tree compiled into it would pass everything below unseen
"$cfb" list --json >"$t/list.json" || fail "cfbench list --json failed"
for d in plots suites; do
  grep -q "\"${d}_dir\": \"$P2/bin/../share/cfbench/$d\"" "$t/list.json" ||
    fail "the installed cfbench takes its $d from elsewhere: $(grep "${d}_dir" "$t/list.json")"
done
# the installed bash completion, with the installed cfbench first in PATH
comp=$(PATH="$P2/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(cfbench run --suite q); COMP_CWORD=3; _cfbench
  echo "${COMPREPLY[*]}"' _ "$P2/share/bash-completion/completions/cfbench") || fail "the installed completion fails"
echo "$comp" | grep -qw quick || fail "the installed completion offers no suite quick: '$comp'"
"$cfb" run --suite quick --dry-run=tsv >"$t/quick.tsv" || fail "the moved cfbench does not find its suites"
# (the fixture is the listing from before --dry-run=tsv: legacy_listing.sh reads it)
sh "$src/tests/harness/legacy_listing.sh" to-tsv <"$src/tests/harness/fixtures/suites/quick.configs" >"$t/quick.want"
cmp -s "$t/quick.tsv" "$t/quick.want" || fail "the installed suite quick differs"
out=$t/run
"$cfb" run --workload sleep --param delay=1ms --backend thread,process --workers 1,2 --items 8 \
  --repeat 2 --warmup 0 --seed 1 --out "$out" >"$t/run.log" 2>&1 || { cat "$t/run.log" >&2; fail "cfbench run failed"; }
[ -s "$out/summary.csv" ] || fail "no summary.csv"
if command -v gnuplot >/dev/null; then
  "$cfb" plot "$out" >"$t/plot.log" 2>&1 || { cat "$t/plot.log" >&2; fail "cfbench plot failed"; }
  ls "$out"/plots/*.png >/dev/null 2>&1 || fail "cfbench plot made no PNG"
fi
"$cfb" export --format gbench "$out" --out "$t/gbench.json" || fail "cfbench export failed"
grep -q '"run_type": "aggregate"' "$t/gbench.json" || fail "export wrote no aggregates"
"$cfb" report "$out" >"$t/report.log" 2>&1 || { cat "$t/report.log" >&2; fail "cfbench report failed"; }
[ -s "$out/report.md" ] || fail "no report.md"
echo "ok: installed cfbench moved to another prefix: list, suites, run, plot, export, report"
