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
# cfbench plot runs gnuplot; the static libraries and cfutures.pc need
# hwloc's development files (the shared ones only its runtime, found above),
# and OpenMPI's when the MPI backend is built in (cfutures.pc requires ompi-c).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox | gnuplot, libhwloc-dev, pkg-config")
if(CF_HAVE_MPI)
  string(APPEND CPACK_DEBIAN_PACKAGE_RECOMMENDS ", libopenmpi-dev")
endif()
include(CPack)
