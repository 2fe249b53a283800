# Runs a command and checks its exit code and, optionally, that its output matches a regex.
#   cmake -DCMD="prog|arg1|arg2" -DEXPECT=2 [-DMATCH=regex] [-DENV="NAME=value"]
#         [-DSKIP_UNSUPPORTED=TRUE] -P cli_expect.cmake
# With SKIP_UNSUPPORTED, a run refused because the CPU lacks the ISA prints "CB_SKIP:", which the
# test's SKIP_REGULAR_EXPRESSION turns into a skipped (not passed) test.
# Arguments are separated by '|' so that they survive CTest's own list handling.
string(REPLACE "|" ";" cmd "${CMD}")
if(ENV)
  set(cmd ${CMAKE_COMMAND} -E env ${ENV} ${cmd})
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 300)
message("exit ${rc}\n--- stdout\n${out}--- stderr\n${err}")
if(SKIP_UNSUPPORTED AND "${rc}" STREQUAL "2" AND "${err}" MATCHES "is not available")
  message("CB_SKIP: this CPU or build lacks the ISA")
  return()
endif()
if(NOT "${rc}" STREQUAL "${EXPECT}")
  message(FATAL_ERROR "expected exit code ${EXPECT}, got ${rc}")
endif()
if(MATCH AND NOT "${out}${err}" MATCHES "${MATCH}")
  message(FATAL_ERROR "output does not match '${MATCH}'")
endif()
