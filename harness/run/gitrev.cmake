# gitrev.cmake -- writes OUT (cf_gitrev.h) with `git describe --always
# --dirty` of SRC, or "unknown"; rewrites the file only when it changes.
execute_process(COMMAND git describe --always --dirty
                WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE rev
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR rev STREQUAL "")
  set(rev "unknown")
endif()
set(content "#define CF_GIT_REVISION \"${rev}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL content)
  file(WRITE ${OUT} "${content}")
endif()
