# Tests of plot, report and compare (included from tests/harness/CMakeLists.txt).
set(CF_FIXTURES ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)
# cfreport_cli links the report half alone: its link fails if cfb_report
# ever needs the executor, the workloads, hwloc or PAPI.
add_executable(cfreport_cli cfreport_cli.c)
target_link_libraries(cfreport_cli PRIVATE cfb_report)

add_executable(test_harness_mwu test_mwu.c)
target_include_directories(test_harness_mwu PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(test_harness_mwu PRIVATE cfb_report)
add_test(NAME harness.mwu COMMAND test_harness_mwu -)
set_tests_properties(harness.mwu PROPERTIES LABELS "harness" TIMEOUT 300)

add_executable(test_harness_report test_report.c)
target_include_directories(test_harness_report PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(test_harness_report PRIVATE cfb_report)
add_test(NAME harness.report COMMAND test_harness_report ${CF_FIXTURES})
set_tests_properties(harness.report PROPERTIES LABELS "harness" TIMEOUT 300)

add_test(NAME harness.cli_report
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli_report.sh $<TARGET_FILE:cfreport_cli> ${CF_FIXTURES})
set_tests_properties(harness.cli_report PROPERTIES LABELS "harness" TIMEOUT 300)

# End to end on real runs (needs the whole cfbench: run + workloads).
add_test(NAME harness.e2e_compare
         COMMAND ${CF_TIMING_RETRY} sh ${CMAKE_CURRENT_SOURCE_DIR}/e2e_compare.sh $<TARGET_FILE:cfbench>)
# RUN_SERIAL: its runs are real measurements; a CPU-bound neighbour under
# ctest -j2 widens each run's spread and can hide the step.  timing: the
# gate's two decisions are statistical; one re-measurement (retry.sh).
# (TIMEOUT bounds hangs only: two attempts on a machine loaded several times over)
set_tests_properties(harness.e2e_compare PROPERTIES LABELS "harness;timing" TIMEOUT 1800 RUN_SERIAL TRUE)
# The same through the real program (main.c dispatches to plot.c etc.).
add_test(NAME harness.cli_report.cfbench
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli_report.sh $<TARGET_FILE:cfbench> ${CF_FIXTURES})
set_tests_properties(harness.cli_report.cfbench PROPERTIES LABELS "harness" TIMEOUT 300)
# report.html parsed (the who-wins <table>, its rows, every image) and
# rendered by headless Chromium (screenshot not blank); 77 = no chromium.
add_test(NAME harness.report_html
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report_html.sh $<TARGET_FILE:cfbench> ${CF_FIXTURES})
set_tests_properties(harness.report_html PROPERTIES LABELS "harness" TIMEOUT 300 SKIP_RETURN_CODE 77)
# --version, the man page, docs and bash completion against the tables.
add_test(NAME harness.introspect
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/introspect.sh $<TARGET_FILE:cfbench> ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/harness/cfbench.1)
set_tests_properties(harness.introspect PROPERTIES LABELS "harness" TIMEOUT 120)
# report --history-db: the History section from a SQLite history, and bad stores.
add_test(NAME harness.report_history
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report_history.sh $<TARGET_FILE:cfbench> ${CF_FIXTURES})
set_tests_properties(harness.report_history PROPERTIES LABELS "harness" TIMEOUT 300)
