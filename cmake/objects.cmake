# objects.cmake -- cf_write_object_list(FILE): writes, at generate time, the
# object files of every target the build makes by default (one path a
# line) to FILE.  tests/unused_public.sh reads that list instead of
# globbing the build directory, where a stale object of a deleted source
# would survive an incremental build and be counted as current.

# Every buildsystem target under DIR and its subdirectories.
function(cf__targets_under dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    cf__targets_under(${sub} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Deferred to the end of the top directory, so targets defined after the
# call (later subdirectories, the tests) are listed too.
function(cf__write_object_list file)
  cf__targets_under(${CMAKE_SOURCE_DIR} targets)
  set(content "")
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    get_target_property(skip ${t} EXCLUDE_FROM_ALL)
    if(skip OR NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
      continue()
    endif()
    string(APPEND content "$<JOIN:$<TARGET_OBJECTS:${t}>,\n>\n")
  endforeach()
  file(GENERATE OUTPUT ${file} CONTENT "${content}")
endfunction()

function(cf_write_object_list file)
  # (a deferred call's arguments are expanded when it runs, where this
  # function's variables are gone: EVAL puts the path in now)
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL cf__write_object_list [[${file}]])")
endfunction()
