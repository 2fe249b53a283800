# The instruction sets the kernels are built for, in one place. Only the files in kernels/<isa>/
# and kernels/peak/peak_<isa>.c get wider instructions; everything else is baseline x86-64, so one
# binary runs on every x86-64 CPU and dispatch picks the ISA at run time.
#
#   CB_ISAS                 the ISAs this compiler can build (scalar always)
#   CB_FLAGS_<ISA>          their compile flags
#   cb_isa_objects(TARGET ISA SOURCES...)   an object library of SOURCES built with ISA's flags,
#                           linked into TARGET, which gets CB_HAVE_<ISA> defined
#   CB_BUILD_FLAGS          the flags as one string, recorded in every result file
include(CheckCCompilerFlag)

set(CB_FLAGS_SCALAR -fno-tree-vectorize) # "scalar" means one lane: no auto-vectorised SSE either
set(CB_FLAGS_AVX2 -mavx2 -mfma)
set(CB_FLAGS_AVX512 -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma)

check_c_compiler_flag("-mavx2 -mfma" CB_CC_HAS_AVX2)
check_c_compiler_flag("-mavx512f -mavx512bw -mavx512dq -mavx512vl" CB_CC_HAS_AVX512)

set(CB_ISAS scalar)
if(CB_CC_HAS_AVX2)
  list(APPEND CB_ISAS avx2)
else()
  message(WARNING "The compiler cannot target AVX2+FMA: building scalar kernels only")
endif()
if(CB_CC_HAS_AVX512)
  list(APPEND CB_ISAS avx512)
else()
  message(WARNING "The compiler cannot target AVX-512: building without AVX-512 kernels")
endif()

function(cb_isa_objects target isa)
  string(TOUPPER ${isa} ISA)
  set(objects ${target}_${isa})
  add_library(${objects} OBJECT ${ARGN})
  target_compile_options(${objects} PRIVATE ${CB_FLAGS_${ISA}})
  target_include_directories(${objects} PRIVATE ${PROJECT_SOURCE_DIR}/kernels/include)
  set_target_properties(${objects} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:${objects}>)
  target_compile_definitions(${target} PRIVATE CB_HAVE_${ISA})
endfunction()

string(REPLACE ";" " " _avx2 "${CB_FLAGS_AVX2}")
string(REPLACE ";" " " _avx512 "${CB_FLAGS_AVX512}")
string(TOUPPER "${CMAKE_BUILD_TYPE}" _type)
set(CB_BUILD_FLAGS "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${_type}} | avx2: ${_avx2} | avx512: ${_avx512}")
