# gitrev.cmake -- writes OUT (cf_gitrev.h) with `git describe --always
# --dirty` of SRC and the commit time of its HEAD (`git log -1
# --format=%cI`, ISO 8601), or "unknown" / "" outside a git checkout;
# rewrites the file only when it changes.  Both come from the source tree
# at build time, so meta.json's git_commit_time is the time of the commit
# git_revision names (for a --dirty tree: of the commit under the edits).
execute_process(COMMAND git describe --always --dirty
                WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE rev
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR rev STREQUAL "")
  set(rev "unknown")
endif()
execute_process(COMMAND git log -1 --format=%cI
                WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE ctime
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  set(ctime "")
endif()
set(content "#define CF_GIT_REVISION \"${rev}\"\n#define CF_GIT_COMMIT_TIME \"${ctime}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL content)
  file(WRITE ${OUT} "${content}")
endif()
