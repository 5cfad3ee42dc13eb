# history.cmake -- `cfbench history`: the E-divisive algorithm
# (common/edivisive.c, pure) and the history store and subcommand
# (report/history*.c).  Depends only on the run-directory readers and
# stats of the harness (cfbench_obj today; the report/common libraries
# after the layout change), SQLite, libpq and libm.
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)

file(GLOB CFB_HISTORY_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/common/edivisive.c
     ${CMAKE_CURRENT_SOURCE_DIR}/report/history*.c)
add_library(cfb_history OBJECT ${CFB_HISTORY_SOURCES})
target_include_directories(cfb_history PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/common
                                              ${CMAKE_CURRENT_SOURCE_DIR}/report
                                              ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(cfb_history PUBLIC PkgConfig::SQLITE3 PkgConfig::LIBPQ m)
target_link_libraries(cfbench PRIVATE cfb_history)
