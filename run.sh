#!/usr/bin/env bash
# run.sh -- the two commands of the README's quick start.
#   ./run.sh bench   build (release) and run the default benchmark sweep,
#                    then plots and report
#   ./run.sh test    build and run every test under ASan+UBSan, the
#                    executor's tests under TSan, and every test optimized
#   ./run.sh install [PREFIX]   build (release) and install into PREFIX
#                    (default /usr/local): libraries, headers, pkg-config
#                    and CMake files, cfbench with its share/cfbench
#   ./run.sh peers   build (release) and run bench_peers: cfutures beside
#                    GLib, libuv, oneTBB, OpenMP and floors of its own
#   ./run.sh process-peers  the process backend beside CPython's
#                    ProcessPoolExecutor (python3), start methods included
# Each first installs what a fresh Debian machine lacks (as root, via apt).
set -euo pipefail
cd "$(dirname "$0")"

# libopenmpi-dev / openmpi-bin: the MPI backend and its tests (mpiexec).
REQUIRED=(cmake make gcc pkg-config libhwloc-dev hwloc gnuplot-nox libglib2.0-dev libjansson-dev
          libsqlite3-dev sqlite3 libpq-dev postgresql python3
          libbenchmark-tools python3-scipy dpkg-dev libopenmpi-dev openmpi-bin libcminpack-dev
          python3-pil chromium libudev-dev clang libclang-rt-14-dev)
# python3-pil, chromium: the report_html test renders report.html.
# libudev-dev: hwloc.pc's Libs.private names -ludev, so a static link by
# `pkg-config --static --libs cfutures` needs its link-time library.
# clang, libclang-rt-14-dev: the tsan preset is built with clang.  GCC 12's
# TSan runtime does not hold its allocator's locks across fork, so a worker
# forked while another thread was in malloc deadlocked in its first malloc
# (executor.process.process hung ~1 run in 30 of map_five_percent_crash;
# clang 14's: none in 300); clang's TSan also saw a race gcc's did not.

# g++, libuv1-dev, libtbb-dev: peers of bench_peers only (docs/performance.md)
OPTIONAL=(libpapi-dev papi-tools nginx-light g++ libuv1-dev libtbb-dev)

missing_of() {
  local p out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo); else
      echo "run.sh: missing packages ($*) and not root; install them or run as root" >&2
      return 1
    fi
  fi
  if [ -z "${CF_APT_UPDATED:-}" ]; then
    "${sudo[@]}" apt-get update -qq
    export CF_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"
}

ensure_packages() {
  command -v dpkg-query >/dev/null || return 0 # not Debian: trust the user
  local req opt
  req=$(missing_of "${REQUIRED[@]}")
  opt=$(missing_of "${OPTIONAL[@]}")
  if [ -n "$req" ]; then
    echo "run.sh: installing $req" >&2
    # shellcheck disable=SC2086
    apt_install $req
  fi
  if [ -n "$opt" ]; then
    echo "run.sh: installing optional $opt" >&2
    # shellcheck disable=SC2086
    apt_install $opt || echo "run.sh: optional packages unavailable ($opt); going on without them" >&2
  fi
}

cmd_test() {
  ensure_packages
  cmake --workflow --preset asan
  cmake --workflow --preset tsan
  # Once more optimized (Release), without sanitizers: some bugs only exist there
  # (e.g. a calibration loop the optimizer removed).
  cmake --workflow --preset release
}

cmd_bench() {
  ensure_packages
  cmake --preset release >/dev/null
  cmake --build --preset release
  if [ -x build/release/harness/cfbench ]; then
    exec build/release/harness/cfbench bench "$@"
  fi
  echo "run.sh: the cfbench harness is not built yet; running the executor overhead benchmark" >&2
  build/release/executor/bench_overhead
}

cmd_install() {
  ensure_packages
  cmake --preset release >/dev/null
  cmake --build --preset release
  cmake --install build/release --prefix "${1:-/usr/local}"
}

# cfutures beside the peer thread pools and the floors (docs/performance.md).
cmd_peers() {
  ensure_packages
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_peers
  exec build/release/executor/bench_peers "$@"
}

# The process backend beside CPython's ProcessPoolExecutor (docs/performance.md).
cmd_process_peers() {
  ensure_packages
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_process
  exec executor/bench/process_peers.sh build/release/executor/bench_process "$@"
}

case "${1:-}" in
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  peers) shift; cmd_peers "$@" ;;
  process-peers) shift; cmd_process_peers "$@" ;;
  install) shift; cmd_install "$@" ;;
  *) echo "usage: ./run.sh bench | ./run.sh test | ./run.sh install [PREFIX] | ./run.sh peers | ./run.sh process-peers" >&2; exit 2 ;;
esac
