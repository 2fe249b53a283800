# Run at every build (cmake -P, from the cb_git_revision target): writes OUT, a header with the
# checkout's revision (git describe --dirty) and its commit's time in UTC (ISO 8601, so that a
# result history can order runs by commit), and rewrites it only when they changed. Computed at
# configure time instead, an incremental build after a commit would record the old revision in
# every result file. Arguments: -DSRC=<source dir> -DOUT=<header>.
execute_process(COMMAND git describe --always --dirty --abbrev=12
                WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT revision)
  set(revision "unknown")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env TZ=UTC
                        git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ
                WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE commit_time OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(text "/* written by cmake/GitRevision.cmake at build time */\n"
         "#define CB_GIT_REVISION \"${revision}\"\n"
         "#define CB_GIT_COMMIT_TIME \"${commit_time}\"\n")
string(CONCAT text ${text})
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
