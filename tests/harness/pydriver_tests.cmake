# The Python driver (harness/run/py/cfbench_py.py) and its C side
# (harness/run/pyback.c): test_pyback links pyback.c alone (libc + jansson),
# test_pydriver.py runs the driver on every workload x py backend.
# Skipped with a message where jansson or python3 is missing.
find_program(CF_PYTHON3 python3)
pkg_check_modules(JANSSON IMPORTED_TARGET jansson)
set(CF_PY_DRIVER ${PROJECT_SOURCE_DIR}/harness/run/py/cfbench_py.py)
if(NOT CF_PYTHON3)
  message(STATUS "python3 not found: the Python driver tests are skipped")
elseif(NOT JANSSON_FOUND)
  message(STATUS "jansson not found: test_pyback is skipped")
endif()
if(CF_PYTHON3 AND JANSSON_FOUND)
  add_executable(test_harness_pyback test_pyback.c ${PROJECT_SOURCE_DIR}/harness/run/pyback.c
                                    ${PROJECT_SOURCE_DIR}/harness/common/datadir.c
                                    ${PROJECT_SOURCE_DIR}/harness/common/clock.c
                                    ${PROJECT_SOURCE_DIR}/harness/common/format.c)
  target_include_directories(test_harness_pyback PRIVATE ${PROJECT_SOURCE_DIR}/tests
                                                         ${PROJECT_SOURCE_DIR}/harness/run
                                                         ${PROJECT_SOURCE_DIR}/harness/common)
  target_compile_definitions(test_harness_pyback PRIVATE CFB_PY_DRIVER="${CF_PY_DRIVER}")
  target_link_libraries(test_harness_pyback PRIVATE PkgConfig::JANSSON Threads::Threads m)
  add_test(NAME harness.pyback COMMAND test_harness_pyback -)
  set_tests_properties(harness.pyback PROPERTIES LABELS "harness" TIMEOUT 240)
endif()
# test_pydriver.py tests Python code only: sanitizers add nothing to it, so
# it runs in the unsanitized builds (release) and not twice in CI.
if(CF_PYTHON3 AND NOT CMAKE_C_FLAGS MATCHES "-fsanitize")
  add_test(NAME harness.pydriver COMMAND ${CF_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/test_pydriver.py ${CF_PY_DRIVER})
  # (a hang bound only: it ran past 240 s in Release beside stress-ng --cpu 2)
  set_tests_properties(harness.pydriver PROPERTIES LABELS "harness" TIMEOUT 900)
endif()
# cfbench run with the py backends: every workload on py-thread and
# py-process (the missing-python case, harness.cli.py_missing, needs none).
if(CF_PYTHON3)
  add_test(NAME harness.cli.py_backends COMMAND test_harness_cli $<TARGET_FILE:cfbench> py_backends)
  set_tests_properties(harness.cli.py_backends PROPERTIES LABELS "harness" TIMEOUT 240)
  # the round planner with the set-up kept between rounds (the serving
  # Python driver, calibrations once): >= 6 rounds within a budget
  add_test(NAME harness.plot.gil_one_round
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/gil_plot_one_round.sh $<TARGET_FILE:cfbench>)
  set_tests_properties(harness.plot.gil_one_round PROPERTIES LABELS "harness" TIMEOUT 240)
  add_test(NAME harness.cli.budget_rounds COMMAND test_harness_cli $<TARGET_FILE:cfbench> budget_rounds)
  set_tests_properties(harness.cli.budget_rounds PROPERTIES LABELS "harness" TIMEOUT 240)
  # --mode on the C and the py backends, the py pair's verdict, C beside its peer
  add_test(NAME harness.cli.modes COMMAND test_harness_cli $<TARGET_FILE:cfbench> modes)
  set_tests_properties(harness.cli.modes PROPERTIES LABELS "harness" TIMEOUT 240)
endif()
