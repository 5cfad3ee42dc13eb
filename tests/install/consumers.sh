#!/bin/sh
# consumers.sh BUILD SRC CHECK -- the installed tree (cmake --install BUILD
# --prefix P, a temporary P) as consumers on other machines see it:
#   no_dev_files  with neither OpenMPI's nor hwloc's development files (no
#                 ompi-c.pc or hwloc.pc: PKG_CONFIG_LIBDIR is P's pkgconfig
#                 folder alone; CMake: CMAKE_DISABLE_FIND_PACKAGE_MPI and a
#                 pkg-config that finds no hwloc), a program links the
#                 shared libraries with `pkg-config --cflags --libs` and
#                 with find_package + cfutures::cfutures / cfutures::cfwork;
#                 cfutures.pc's --static flags are complete without them
#                 (resolved when cfutures was configured); the static
#                 targets are left undefined with a message saying why, and
#                 COMPONENTS static fails the find_package with that reason
#   runpath       libcfutures.so and libcfwork.so have RUNPATH $ORIGIN: a
#                 program calling cfwork.h alone, linked -lcfwork with
#                 -Wl,-rpath,P/lib and no LD_LIBRARY_PATH, runs (the loader
#                 finds libcfutures.so.0, libcfwork's dependency, beside it)
#   static_docs   README's static pkg-config recipe links the archives (no
#                 libcfutures.so/libcfwork.so in the program's NEEDED) and
#                 README says how to run a program linked against the
#                 shared libraries under a prefix of one's own
#   doc_links     every link between the installed docs (share/doc/cfutures)
#                 that resolves in the source tree resolves installed
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
check=$3
t=$(mktemp -d /tmp/cfconsumers.XXXXXX)
trap 'rm -rf "$t"' EXIT
fail() { echo "consumers ($check): $*" >&2; exit 1; }
P=$t/prefix
cmake --install "$build" --prefix "$P" >"$t/install.log" || { cat "$t/install.log" >&2; fail "cmake --install failed"; }
cc=${CC:-cc}
hello=$src/tests/install/consumer/hello.c

case $check in
no_dev_files)
  # pkg-config: P's .pc files and nothing else
  PKG_CONFIG_LIBDIR=$P/lib/pkgconfig
  export PKG_CONFIG_LIBDIR
  unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR 2>/dev/null || true
  ! pkg-config --exists hwloc && ! pkg-config --exists ompi-c || fail "the test's pkg-config still finds hwloc or ompi-c"
  for pc in cfutures cfwork; do
    flags=$(pkg-config --cflags --libs $pc 2>"$t/pc.err") || fail "pkg-config --cflags --libs $pc: $(cat "$t/pc.err")"
    echo "$flags" | grep -q -e mpi -e hwloc && fail "pkg-config --cflags --libs $pc names MPI or hwloc: $flags"
    pkg-config --static --libs $pc >/dev/null 2>"$t/pc.err" || fail "pkg-config --static --libs $pc: $(cat "$t/pc.err")"
  done
  static=$(pkg-config --static --libs cfutures)
  echo "$static" | grep -q -e '-lhwloc' || fail "pkg-config --static --libs cfutures lacks hwloc: $static"
  if grep -q '^CF_HAVE_MPI:INTERNAL=ON' "$build/CMakeCache.txt"; then
    echo "$static" | grep -q 'mpi' || fail "pkg-config --static --libs cfutures lacks MPI: $static"
  fi
  # shellcheck disable=SC2046
  $cc ${CFLAGS:-} -o "$t/hello_pc" "$hello" $(pkg-config --cflags --libs cfwork) ||
    fail "build with pkg-config (shared) failed"
  LD_LIBRARY_PATH=$P/lib "$t/hello_pc" >"$t/hello_pc.out" || fail "hello (pkg-config) failed"
  grep -q "hello: 42 process" "$t/hello_pc.out" || fail "hello (pkg-config) printed: $(cat "$t/hello_pc.out")"
  echo "ok: pkg-config without hwloc.pc and ompi-c.pc: shared build; --static: $static"

  # CMake: no MPI package, a pkg-config that finds no hwloc
  cmake -S "$src/tests/install/consumer" -B "$t/consumer" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON >"$t/consumer.log" 2>&1 ||
    { cat "$t/consumer.log" >&2; fail "find_package(cfutures) without MPI and hwloc failed"; }
  grep -q "cfutures::cfutures_static.*not defined" "$t/consumer.log" ||
    { cat "$t/consumer.log" >&2; fail "find_package(cfutures) says nothing of the static targets it left out"; }
  cmake --build "$t/consumer" >>"$t/consumer.log" 2>&1 || { cat "$t/consumer.log" >&2; fail "consumer build failed"; }
  [ ! -e "$t/consumer/hello_static" ] || fail "hello_static was built without its dependencies"
  LD_LIBRARY_PATH=$P/lib "$t/consumer/hello" >"$t/hello.out" || fail "hello (find_package) failed"
  grep -q "hello: 42 thread" "$t/hello.out" || fail "hello (find_package) printed: $(cat "$t/hello.out")"
  # required static: a failed find_package, with the reason
  if cmake -S "$src/tests/install/consumer" -B "$t/consumer_s" -DCMAKE_PREFIX_PATH="$P" \
       -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON -DCF_CONSUMER_COMPONENTS=static >"$t/consumer_s.log" 2>&1; then
    fail "find_package(cfutures COMPONENTS static) succeeded without hwloc and MPI"
  fi
  grep -q "hwloc" "$t/consumer_s.log" || { cat "$t/consumer_s.log" >&2; fail "COMPONENTS static failed without naming hwloc"; }
  echo "ok: find_package(cfutures) without MPI and hwloc: cfutures::cfutures and cfutures::cfwork; static: $(grep -m1 'not defined' "$t/consumer.log")"
  ;;
runpath)
  for lib in cfutures cfwork; do
    rp=$(readelf -d "$P/lib/lib$lib.so.0" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
    [ "$rp" = '$ORIGIN' ] || fail "lib$lib.so.0 RUNPATH is '$rp', expected \$ORIGIN"
  done
  $cc ${CFLAGS:-} -o "$t/wk" "$src/tests/install/consumer/workloads_only.c" -I"$P/include" -L"$P/lib" -lcfwork \
    -Wl,-rpath,"$P/lib" || fail "build of workloads_only.c with -lcfwork failed"
  env -u LD_LIBRARY_PATH "$t/wk" >"$t/wk.out" 2>"$t/wk.err" || fail "workloads_only (-Wl,-rpath,P/lib alone) failed: $(cat "$t/wk.err")"
  grep -q "workloads: [1-9].* (sleep)" "$t/wk.out" || fail "workloads_only printed: $(cat "$t/wk.out")"
  echo "ok: RUNPATH \$ORIGIN on both libraries; -Wl,-rpath,P/lib is enough"
  ;;
static_docs)
  readme=$src/README.md
  for s in cfutures::cfutures_static cfutures::cfwork_static -Wl,-Bstatic LD_LIBRARY_PATH -Wl,-rpath ldconfig; do
    grep -q -e "$s" "$readme" || fail "README says nothing of $s"
  done
  # README's recipe, as it stands there
  rx='s/-l(cfwork|cfutures)( |$)/-Wl,-Bstatic -l\1 -Wl,-Bdynamic\2/g'
  grep -qF "sed -E '$rx'" "$readme" || fail "README's static pkg-config recipe is not the one tested here"
  PKG_CONFIG_PATH=$P/lib/pkgconfig
  export PKG_CONFIG_PATH
  # shellcheck disable=SC2046
  $cc ${CFLAGS:-} -o "$t/hello_st" "$hello" $(pkg-config --cflags cfwork) \
    $(pkg-config --static --libs cfwork | sed -E "$rx") 2>"$t/st.log" ||
    { cat "$t/st.log" >&2; fail "README's static recipe failed to link"; }
  readelf -d "$t/hello_st" | grep -q -e 'libcfutures' -e 'libcfwork' && fail "README's static recipe links a shared cfutures/cfwork"
  "$t/hello_st" >"$t/st.out" || fail "hello (README's static recipe) failed"
  grep -q "hello: 42 process" "$t/st.out" || fail "hello (static recipe) printed: $(cat "$t/st.out")"
  echo "ok: README's static recipe links the archives only"
  ;;
doc_links)
  D=$P/share/doc/cfutures
  n=0
  for f in $(cd "$D" && find . -name '*.md' | sed 's|^\./||'); do
    [ -e "$src/$f" ] || fail "installed $f has no counterpart $f in the source tree (layout differs)"
    for l in $(grep -o '](\([^)#: ]*\)' "$src/$f" | sed 's/^](//'); do
      target=$(realpath -m "$(dirname "$src/$f")/$l")
      case $target in "$src"/docs/* | "$src"/README.md) ;; *) continue ;; esac
      [ -e "$target" ] || continue
      [ -e "$(dirname "$D/$f")/$l" ] || fail "installed $f links $l, not installed"
      n=$((n + 1))
    done
  done
  [ "$n" -gt 0 ] || fail "no links between the installed docs checked"
  echo "ok: $n links between the installed docs resolve"
  ;;
*) fail "unknown check" ;;
esac
