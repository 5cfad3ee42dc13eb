# Paired verdicts (harness/common/paired*.c, issue 13): the validation test
# and the figures program.  After the harness layout restructure every
# common/*.c is part of cfb_common; before it, this builds them here.
if(TARGET cfb_common)
  set(CF_PAIRED_LIBS cfb_common)
else()
  add_library(cfb_paired OBJECT ${PROJECT_SOURCE_DIR}/harness/common/paired.c
                                ${PROJECT_SOURCE_DIR}/harness/common/paired_seq.c
                                ${PROJECT_SOURCE_DIR}/harness/common/paired_gate.c)
  target_include_directories(cfb_paired PUBLIC ${PROJECT_SOURCE_DIR}/harness/common
                                               ${PROJECT_SOURCE_DIR}/harness)
  set(CF_PAIRED_LIBS cfb_paired cfbench_obj)
endif()

add_library(cf_paired_sim STATIC paired_sim.c)
target_link_libraries(cf_paired_sim PUBLIC ${CF_PAIRED_LIBS} m)

add_executable(test_harness_paired test_paired.c)
target_include_directories(test_harness_paired PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(test_harness_paired PRIVATE cf_paired_sim)
add_test(NAME harness.paired COMMAND test_harness_paired -)
set_tests_properties(harness.paired PROPERTIES LABELS "harness" TIMEOUT 300)

# Prints every validation figure (docs/statistics.md): paired_figures [TRIALS [SEED]]
if(CF_BUILD_BENCH)
  add_executable(paired_figures paired_figures.c)
  target_link_libraries(paired_figures PRIVATE cf_paired_sim)
endif()
