# Finds the Debian-packaged dependencies as imported targets and stops with the package to install
# when one is missing:
#   OpenMP::OpenMP_C    libgomp (comes with gcc)
#   PkgConfig::hwloc    libhwloc-dev (hwloc.pc)
#   PkgConfig::jansson  libjansson-dev (jansson.pc)
#   PkgConfig::sqlite3  libsqlite3-dev (sqlite3.pc): the result history
#   cb::cmocka          libcmocka-dev (cmocka's CMake config; Debian's 1.1 sets variables only, so
#                       the imported target is made here from them)
#   benchmark::benchmark  libbenchmark-dev (its CMake config)
#   MPI::MPI_C          libopenmpi-dev + openmpi-bin, optional: without it the harness builds
#                       for one process (CB_HAVE_MPI unset) and the mpirun tests skip

function(cb_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "cifarbench needs ${what}: install the Debian package '${package}' "
                        "(sudo apt-get install ${package}, or scripts/install-deps.sh)")
  endif()
endfunction()

find_package(PkgConfig)
cb_require(PKG_CONFIG_FOUND "pkg-config" "pkg-config")

find_package(OpenMP COMPONENTS C)
cb_require(OpenMP_C_FOUND "OpenMP for C" "libgomp1 (comes with gcc)")

pkg_check_modules(hwloc QUIET IMPORTED_TARGET hwloc)
cb_require(hwloc_FOUND "hwloc" "libhwloc-dev")

pkg_check_modules(jansson QUIET IMPORTED_TARGET jansson>=2.10)
cb_require(jansson_FOUND "jansson (JSON)" "libjansson-dev")

pkg_check_modules(sqlite3 QUIET IMPORTED_TARGET sqlite3>=3.22)
cb_require(sqlite3_FOUND "SQLite 3 (the result history)" "libsqlite3-dev")

find_package(cmocka CONFIG QUIET)
cb_require(cmocka_FOUND "cmocka" "libcmocka-dev")
if(NOT TARGET cb::cmocka)
  add_library(cb::cmocka INTERFACE IMPORTED)
  if(TARGET cmocka::cmocka)
    target_link_libraries(cb::cmocka INTERFACE cmocka::cmocka)
  else()
    target_include_directories(cb::cmocka INTERFACE ${CMOCKA_INCLUDE_DIR})
    target_link_libraries(cb::cmocka INTERFACE ${CMOCKA_LIBRARIES})
  endif()
endif()

find_package(benchmark CONFIG QUIET)
cb_require(benchmark_FOUND "Google Benchmark" "libbenchmark-dev")

find_package(MPI COMPONENTS C QUIET)
if(MPI_C_FOUND)
  message(STATUS "MPI ${MPI_C_VERSION}: data-parallel training over ranks (mpirun ${MPIEXEC_EXECUTABLE})")
else()
  message(STATUS "MPI not found (install libopenmpi-dev and openmpi-bin): building for one process; "
                 "the mpirun tests will skip")
endif()

find_library(MATH_LIBRARY m)
