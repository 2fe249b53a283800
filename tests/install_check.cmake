# Installs the build into a scratch prefix and runs the installed binary from another directory:
# it must find its shipped data (PREFIX/share/cifarbench/iris.csv) without the source or build tree.
#   cmake -DBUILD_DIR=... -DPREFIX=... -P install_check.cmake
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
foreach(f bin/cifarbench bin/cifarbench-kernels share/cifarbench/iris.csv)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${PREFIX}/${f}")
  endif()
endforeach()
execute_process(COMMAND ${PREFIX}/bin/cifarbench train --task regression --epochs 1
                WORKING_DIRECTORY ${PREFIX} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err TIMEOUT 120)
message("exit ${rc}\n${out}${err}")
if(NOT rc EQUAL 0 OR NOT "${out}${err}" MATCHES "${PREFIX}/bin/../share/cifarbench/iris.csv|${PREFIX}/share/cifarbench/iris.csv")
  message(FATAL_ERROR "the installed cifarbench did not train on its installed iris.csv")
endif()
