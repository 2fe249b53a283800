# cifarbench bisect: the judging and measuring of bisect.h (bisect/test_bisect.c, cmocka), then the
# command end to end (bisect/*.sh), each case on a scratch git repository of 12 commits in
# bisect-CASE under the build directory. The cases need git and a POSIX shell.

add_executable(test_bisect bisect/test_bisect.c)
target_link_libraries(test_bisect PRIVATE cb_kernel_test)
add_test(NAME bisect/unit COMMAND test_bisect)

find_program(CB_GIT git)
if(NOT CB_GIT)
  message(STATUS "bisect command tests left out: they need git")
  return()
endif()
foreach(case wall_time result_figure skip ambiguous aborted failures interrupt)
  add_test(NAME bisect/${case}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bisect/${case}.sh $<TARGET_FILE:cifarbench>
                   ${CMAKE_CURRENT_BINARY_DIR}/bisect-${case})
  set_tests_properties(bisect/${case} PROPERTIES TIMEOUT 120 LABELS bisect)
endforeach()
