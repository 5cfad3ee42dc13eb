# install.cmake -- what `cmake --install BUILD --prefix P` puts under P:
#   lib/       libcfutures.{a,so.MAJOR}, libcfwork.{a,so.MAJOR}, libcfwork_params.a,
#              pkgconfig/cfutures.pc, cfwork.pc, cmake/cfutures/ (the CMake package)
#   include/   cfutures.h and every workload header (cfwork.h, its plugin API)
#   bin/       cfbench (linked statically against the libraries above, so it
#              needs only system libraries and finds share/cfbench relative
#              to itself: a prefix can be moved)
#   share/     cfbench/plots (gnuplot templates), cfbench/suites (sweep files),
#              man/man1/cfbench.1, doc/cfutures/ (README, docs)
include(CMakePackageConfigHelpers)

set(CF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cfutures)

install(TARGETS cfutures cfutures_shared EXPORT cfuturesTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev)
install(FILES ${PROJECT_SOURCE_DIR}/executor/include/cfutures.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
set(CF_PC_FILES cfutures)

if(TARGET cfwork)
  install(TARGETS cfwork cfwork_shared cfwork_params EXPORT cfuturesTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev)
  # Whatever workloads/include declares (cfwork.h, cfwork_params.h, the
  # plugin header): plugin authors build against these.
  file(GLOB CF_WORK_HEADERS ${PROJECT_SOURCE_DIR}/workloads/include/*.h)
  install(FILES ${CF_WORK_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
  list(APPEND CF_PC_FILES cfwork)
endif()

if(TARGET cfbench)
  install(TARGETS cfbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT bin)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/plots/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cfbench/plots
    COMPONENT bin FILES_MATCHING PATTERN "*.gp")
  if(EXISTS ${PROJECT_SOURCE_DIR}/suites)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/suites/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cfbench/suites
      COMPONENT bin FILES_MATCHING PATTERN "*.json")
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/harness/run/py/cfbench_py.py
    DESTINATION ${CMAKE_INSTALL_DATADIR}/cfbench/py COMPONENT bin)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/cfbench.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT bin)
  file(GLOB CF_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
  install(FILES ${PROJECT_SOURCE_DIR}/README.md ${CF_DOCS}
    DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT bin)
endif()

# pkg-config files: one per library, from the templates in cmake/, with
# the prefix relative to the .pc file (${pcfiledir}).
file(RELATIVE_PATH CF_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
foreach(pc ${CF_PC_FILES})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

# The CMake package: find_package(cfutures) gives cfutures::cfutures and
# cfutures::cfwork (shared) and their *_static twins.
install(EXPORT cfuturesTargets NAMESPACE cfutures:: DESTINATION ${CF_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cfuturesConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cfuturesConfig.cmake INSTALL_DESTINATION ${CF_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cfuturesConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cfuturesConfig.cmake ${PROJECT_BINARY_DIR}/cfuturesConfigVersion.cmake
  DESTINATION ${CF_CMAKE_DIR} COMPONENT dev)
