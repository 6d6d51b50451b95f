# cmake -DPROGRAM=<test program> -DFILTER=<filter> -P CheckGtestFilters.cmake
# Fails when FILTER (the union of the per-file --gtest_filter of a test
# program's ctest entries, see rs_test) misses a test the program defines, so
# no test silently stops running.
execute_process(COMMAND ${PROGRAM} --gtest_list_tests OUTPUT_VARIABLE _all RESULT_VARIABLE _rc1)
execute_process(COMMAND ${PROGRAM} --gtest_list_tests --gtest_filter=${FILTER}
  OUTPUT_VARIABLE _selected RESULT_VARIABLE _rc2)
if(NOT _rc1 EQUAL 0 OR NOT _rc2 EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --gtest_list_tests failed (${_rc1}, ${_rc2})")
endif()
if(NOT _all STREQUAL _selected)
  string(REPLACE "\n" ";" _all_lines "${_all}")
  string(REPLACE "\n" ";" _selected_lines "${_selected}")
  list(REMOVE_ITEM _all_lines ${_selected_lines})
  message(FATAL_ERROR "${PROGRAM}: tests no ctest entry runs (add their suite to a file's "
    "TEST/TEST_F/INSTANTIATE_TEST_SUITE_P, see rs_gtest_filter in cmake/RsTargets.cmake):\n${_all_lines}")
endif()
message(STATUS "${PROGRAM}: every test is in a ctest entry's filter")
