# package.cmake -- the Debian package (cpack -G DEB in a build folder):
# everything install.cmake installs, under /usr, with the shared-library
# dependencies found by dpkg-shlibdeps and a shlibs file for libcfutures
# and libcfwork.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cfutures)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "cfutures maintainers <maintainers@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "executor library with concurrent.futures semantics, and the cfbench benchmark harness")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# Depends: the shared libraries' runtime packages alone (dpkg-shlibdeps
# above).  Recommends: what only some uses need -- gnuplot for cfbench plot,
# pkg-config for the .pc files, and the development files the static
# libraries link (libcfutures.a: hwloc, whose --static flags name libudev,
# and OpenMPI when the MPI backend is built in).  A Debian -dev package
# would Depend on those; this one package also carries cfbench and the
# runtime libraries, whose users need none of them, and since neither
# cfutures.pc (no Requires.private) nor the shared targets of
# cfuturesConfig.cmake read them, their absence costs the static link only
# (the static CMake targets are then left out with a message).  apt
# installs Recommends by default.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox | gnuplot, pkg-config, libhwloc-dev")
if(CF_PC_LIBS_PRIVATE MATCHES "(^| )-ludev( |$)")
  string(APPEND CPACK_DEBIAN_PACKAGE_RECOMMENDS ", libudev-dev")
endif()
if(CF_HAVE_MPI)
  string(APPEND CPACK_DEBIAN_PACKAGE_RECOMMENDS ", libopenmpi-dev")
endif()
include(CPack)
