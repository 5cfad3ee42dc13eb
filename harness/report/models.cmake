# cfb_models: the scaling models of throughput against workers (USL,
# Amdahl, bottleneck bound) fitted with cminpack.  Part of the report half:
# links only cminpack and libm.  (Included from harness/CMakeLists.txt;
# once harness/report/ is its own library, models.c joins it and
# PkgConfig::CMINPACK joins its allowed link interface.)
pkg_check_modules(CMINPACK REQUIRED IMPORTED_TARGET cminpack)
add_library(cfb_models STATIC ${CMAKE_CURRENT_LIST_DIR}/models.c)
target_include_directories(cfb_models PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(cfb_models PUBLIC PkgConfig::CMINPACK m)
