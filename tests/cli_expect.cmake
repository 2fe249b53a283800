# Runs a command and checks its exit code and, optionally, that its output matches a regex.
#   cmake -DCMD="prog|arg1|arg2" -DEXPECT=2 [-DMATCH=regex] [-DENV="NAME=value"] -P cli_expect.cmake
# Arguments are separated by '|' so that they survive CTest's own list handling.
string(REPLACE "|" ";" cmd "${CMD}")
if(ENV)
  set(cmd ${CMAKE_COMMAND} -E env ${ENV} ${cmd})
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 300)
message("exit ${rc}\n--- stdout\n${out}--- stderr\n${err}")
if(NOT "${rc}" STREQUAL "${EXPECT}")
  message(FATAL_ERROR "expected exit code ${EXPECT}, got ${rc}")
endif()
if(MATCH AND NOT "${out}${err}" MATCHES "${MATCH}")
  message(FATAL_ERROR "output does not match '${MATCH}'")
endif()
