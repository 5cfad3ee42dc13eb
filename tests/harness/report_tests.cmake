# Tests of plot, report and compare (included from tests/harness/CMakeLists.txt).
set(CF_FIXTURES ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)
add_executable(cfreport_cli cfreport_cli.c)
target_link_libraries(cfreport_cli PRIVATE cfbench_obj)
