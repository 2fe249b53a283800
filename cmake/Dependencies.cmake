# Finds the Debian-packaged dependencies and stops with the package to install when one is missing.

function(cb_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "cifarbench needs ${what}: install the Debian package '${package}' "
                        "(sudo apt-get install ${package})")
  endif()
endfunction()

find_package(OpenMP COMPONENTS C)
cb_require(OpenMP_C_FOUND "OpenMP for C" "libgomp1 (comes with gcc)")

find_path(HWLOC_INCLUDE_DIR hwloc.h)
find_library(HWLOC_LIBRARY hwloc)
if(HWLOC_INCLUDE_DIR AND HWLOC_LIBRARY)
  set(HWLOC_OK TRUE)
  add_library(cb::hwloc UNKNOWN IMPORTED)
  set_target_properties(cb::hwloc PROPERTIES IMPORTED_LOCATION "${HWLOC_LIBRARY}"
                                             INTERFACE_INCLUDE_DIRECTORIES "${HWLOC_INCLUDE_DIR}")
endif()
cb_require(HWLOC_OK "hwloc" "libhwloc-dev")

find_path(CMOCKA_INCLUDE_DIR cmocka.h)
find_library(CMOCKA_LIBRARY cmocka)
if(CMOCKA_INCLUDE_DIR AND CMOCKA_LIBRARY)
  set(CMOCKA_OK TRUE)
  add_library(cb::cmocka UNKNOWN IMPORTED)
  set_target_properties(cb::cmocka PROPERTIES IMPORTED_LOCATION "${CMOCKA_LIBRARY}"
                                              INTERFACE_INCLUDE_DIRECTORIES "${CMOCKA_INCLUDE_DIR}")
endif()
cb_require(CMOCKA_OK "cmocka" "libcmocka-dev")

find_package(benchmark CONFIG QUIET)
cb_require(benchmark_FOUND "Google Benchmark" "libbenchmark-dev")

find_library(MATH_LIBRARY m)
