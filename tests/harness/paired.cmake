# Paired verdicts (harness/common/paired*.c, issue 13): the validation test
# and the figures program (every harness/common/*.c is part of cfb_common).

add_library(cf_paired_sim STATIC paired_sim.c)
target_link_libraries(cf_paired_sim PUBLIC cfb_common m)

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
