#!/bin/sh
# deb.sh BUILD -- the Debian package: `cpack -G DEB` of the build, then
#   1. its control file declares the shared-library dependencies
#      (dpkg-shlibdeps: libc6, libhwloc, libjansson) and a shlibs file;
#   2. it holds cfbench, the libraries with their soname, the headers, the
#      pkg-config files, the CMake package, the plot templates and suites;
#   3. unpacked into a throwaway root (dpkg-deb -x), its cfbench lists the
#      workloads and suites and runs a short sweep from there;
#   4. as root with CF_TEST_DPKG_INSTALL=1 (CI's fresh machine): dpkg -i,
#      /usr/bin/cfbench list and a short run, dpkg -P (purge).
set -eu
build=$(cd "$1" && pwd)
t=$(mktemp -d /tmp/cfdeb.XXXXXX)
trap 'rm -rf "$t"' EXIT
fail() { echo "deb: $*" >&2; exit 1; }
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps not found (apt install dpkg-dev)"

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$t/pkg" >"$t/cpack.log" 2>&1 ||
  { cat "$t/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$t"/pkg/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "cpack made no .deb"

# 1. dependencies
dpkg-deb -I "$deb" >"$t/info"
depends=$(sed -n 's/^ Depends: //p' "$t/info")
for d in libc6 libhwloc libjansson; do
  echo "$depends" | grep -q "$d" || fail "Depends lacks $d: $depends"
done
dpkg-deb -I "$deb" shlibs | grep -q "^libcfutures 0 " || fail "no shlibs entry for libcfutures"
# development files only as Recommends: the shared libraries, cfutures.pc
# and the shared CMake targets work without them (install.no_dev_files);
# the static libraries need hwloc's, and OpenMPI's with the MPI backend
echo "$depends" | grep -q -- '-dev' && fail "Depends names a -dev package: $depends"
recommends=$(sed -n 's/^ Recommends: //p' "$t/info")
need=libhwloc-dev
grep -q '^CF_HAVE_MPI:INTERNAL=ON' "$build/CMakeCache.txt" && need="$need libopenmpi-dev"
for d in $need; do
  echo "$recommends" | grep -q "$d" || fail "Recommends lacks $d: $recommends"
done
echo "ok: $(basename "$deb") Depends: $depends"

# 2. contents
dpkg-deb -c "$deb" | awk '{print $6}' >"$t/files"
for f in ./usr/bin/cfbench ./usr/lib/libcfutures.so.0 ./usr/lib/libcfwork.so.0 ./usr/include/cfutures.h \
         ./usr/include/cfwork.h ./usr/lib/pkgconfig/cfutures.pc ./usr/lib/cmake/cfutures/cfuturesConfig.cmake \
         ./usr/share/cfbench/plots/style.gp ./usr/share/cfbench/suites/default.json ./usr/share/man/man1/cfbench.1 \
         ./usr/share/bash-completion/completions/cfbench; do
  grep -qx "$f" "$t/files" || fail "$f is not in the package"
done
echo "ok: package contents"

# 3. unpacked elsewhere
dpkg-deb -x "$deb" "$t/root"
cd /tmp
unset CFBENCH_PLOTS_DIR CFBENCH_SUITES_DIR
run_cfbench() { # CFBENCH
  "$1" list >"$t/list" || fail "$1 list failed"
  grep -q "^  default " "$t/list" || fail "$1 list shows no suite default"
  "$1" run --workload sleep --param delay=0 --workers 1,2 --items 10 --repeat 2 --warmup 0 --out "$t/out.$$" \
    >"$t/run.log" 2>&1 || { cat "$t/run.log" >&2; fail "$1 run failed"; }
  [ "$(($(wc -l <"$t/out.$$/summary.csv") - 1))" -eq 2 ] || fail "$1 run: not 2 configurations"
  rm -rf "$t/out.$$"
}
run_cfbench "$t/root/usr/bin/cfbench"
echo "ok: the unpacked cfbench lists and runs"

# 4. a real install, on a machine that is the test's to change
if [ "${CF_TEST_DPKG_INSTALL:-}" = 1 ] && [ "$(id -u)" -eq 0 ]; then
  dpkg -i "$deb" >"$t/dpkg.log" 2>&1 || { cat "$t/dpkg.log" >&2; fail "dpkg -i failed"; }
  trap 'dpkg -P cfutures >/dev/null 2>&1; rm -rf "$t"' EXIT
  run_cfbench /usr/bin/cfbench
  dpkg -P cfutures >/dev/null || fail "dpkg -P failed"
  [ ! -e /usr/bin/cfbench ] || fail "dpkg -P left /usr/bin/cfbench"
  echo "ok: dpkg -i, cfbench list and run, dpkg -P (purged)"
fi
