# rs_library(NAME SOURCES ... DEPS ...): a module's static library.
# The include root is src/, so headers are included as "module/header.h".
function(rs_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  # Each of the three CI builds (Release, ASan+UBSan, TSan) compiles every
  # module: batches of a module's files as one translation unit parse the
  # shared headers (nlohmann-json, fmt, Thrift) once per batch, not per file.
  if(RS_UNITY_BUILD)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${RS_UNITY_BATCH_SIZE})
  endif()
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${RS_WARNINGS})
  if(name IN_LIST RS_O0_LIBRARIES)
    # After the build type's flags on the command line, so -O0 wins; no fuzz
    # target reaches these modules, so they drop what the test programs drop
    # (RS_TEST_COMPILE_FLAGS: libFuzzer's coverage instrumentation).
    target_compile_options(${name} PRIVATE -O0 ${RS_TEST_COMPILE_FLAGS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# The compile options of code that only tests run (test programs, their
# helper programs and support libraries): warnings, RS_TEST_OPTIMIZATION in
# optimized builds and RS_TEST_COMPILE_FLAGS.
function(rs_test_code_options target)
  target_compile_options(${target} PRIVATE ${RS_WARNINGS}
                         $<$<NOT:$<CONFIG:Debug>>:${RS_TEST_OPTIMIZATION}> ${RS_TEST_COMPILE_FLAGS})
endfunction()

# rs_test(NAME SOURCES ... DEPS ... LABELS unit|integration [SERVICES pg azurite] [TIMEOUT s])
# One test program NAME, joining the umbrella target rs_unit_tests or
# rs_integration_tests. Each source file is its own ctest entry
# <prefix><file> (TEST_PREFIX, default NAME_): the program runs with a
# --gtest_filter for the suites that file defines (rs_gtest_filter), so files
# still run as separate processes, in parallel under `ctest -j`. The entry
# NAME.filters fails when those filters together miss a test of the program.
# Unit tests need no network. Integration tests name the services they use;
# ctest starts them through fixtures (tests/CMakeLists.txt), and the test reads
# their connection details from $RS_TEST_SERVICES_DIR (see tests/common/test_services.h).
function(rs_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;TEST_PREFIX" "SOURCES;DEPS;LABELS;SERVICES" ${ARGN})
  if(NOT DEFINED ARG_TEST_PREFIX)
    set(ARG_TEST_PREFIX ${name}_)
  endif()
  if(RS_TSAN)
    # The ThreadSanitizer tree builds only the files of RS_TSAN_TESTS.
    set(_kept "")
    foreach(_src ${ARG_SOURCES})
      get_filename_component(_base ${_src} NAME_WE)
      if(${ARG_TEST_PREFIX}${_base} IN_LIST RS_TSAN_TESTS)
        list(APPEND _kept ${_src})
      endif()
    endforeach()
    if(NOT _kept)
      return()
    endif()
    set(ARG_SOURCES ${_kept})
  endif()
  add_executable(${name} ${ARG_SOURCES})
  # The test's own code at RS_TEST_OPTIMIZATION (-O1; -O0 in the sanitizer
  # trees) in optimized builds: the code under test (the module libraries)
  # keeps the build type's flags, and test programs, heavy in GoogleTest
  # macros, compile much faster. GoogleTest is a precompiled header.
  rs_test_code_options(${name})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} rs_test_support GTest::gtest GTest::gtest_main)
  if(RS_TEST_PCH)
    target_precompile_headers(${name} PRIVATE <gtest/gtest.h> <string> <vector> <memory>)
  endif()
  # Test files in batches (one translation unit each): GoogleTest's templates
  # are instantiated and compiled once per batch instead of once per file,
  # about half the compile time. Names in a test file's anonymous namespace
  # must therefore be unique within its program.
  # The public API tests check what a header alone brings in: each stays
  # its own translation unit.
  if(RS_TEST_UNITY_BUILD)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON
                          UNITY_BUILD_BATCH_SIZE ${RS_TEST_UNITY_BATCH_SIZE})
    foreach(_src ${ARG_SOURCES})
      if(_src MATCHES "public_api_test\\.cc$")
        set_source_files_properties(${_src} TARGET_DIRECTORY ${name} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
      endif()
    endforeach()
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_dependencies(rs_${ARG_LABELS}_tests ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set(_env "RS_TEST_SERVICES_DIR=${RS_TEST_SERVICES_DIR};RS_SOURCE_DIR=${PROJECT_SOURCE_DIR};RS_BINARY_DIR=${PROJECT_BINARY_DIR};RS_CONFORMANCE_DIR=${RS_CONFORMANCE_DIR}")
  set(_all "")
  foreach(_src ${ARG_SOURCES})
    get_filename_component(_base ${_src} NAME_WE)
    rs_gtest_filter(${_src} _filter)
    if(NOT _filter)
      message(FATAL_ERROR "${_src}: no TEST, TEST_F or INSTANTIATE_TEST_SUITE_P found for its --gtest_filter")
    endif()
    set(_test ${ARG_TEST_PREFIX}${_base})
    set(_labels ${ARG_LABELS})
    if(_test IN_LIST RS_TSAN_TESTS)
      # Runs code on several threads: also under ThreadSanitizer (label tsan).
      list(APPEND _labels tsan)
      add_dependencies(rs_tsan_tests ${name})
      set_property(GLOBAL APPEND PROPERTY RS_TSAN_TESTS_FOUND ${_test})
    endif()
    add_test(NAME ${_test} COMMAND ${name} --gtest_filter=${_filter} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(${_test} PROPERTIES LABELS "${_labels}" TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "${_env}")
    if(ARG_SERVICES)
      set_tests_properties(${_test} PROPERTIES FIXTURES_REQUIRED "${ARG_SERVICES}")
    endif()
    string(APPEND _all ":${_filter}")
  endforeach()
  string(SUBSTRING "${_all}" 1 -1 _all)
  add_test(NAME ${name}.filters COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${name}> -DFILTER=${_all}
    -P ${PROJECT_SOURCE_DIR}/cmake/CheckGtestFilters.cmake)
  set_tests_properties(${name}.filters PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 60 ENVIRONMENT "${_env}")
endfunction()

# rs_gtest_filter(FILE OUT): the --gtest_filter selecting the tests FILE
# defines: Suite.* for each TEST/TEST_F(Suite, ...), Prefix/Suite.* for each
# INSTANTIATE_TEST_SUITE_P(Prefix, Suite, ...) (the TEST_P bodies may sit in a
# header). Suite names are unique within a module's program.
function(rs_gtest_filter file out)
  file(READ ${file} _text)
  set(_ws "[ \t\r\n]*")
  set(_id "[A-Za-z_][A-Za-z0-9_]*")
  set(_patterns "")
  string(REGEX MATCHALL "[^A-Za-z0-9_]TEST(_F)?\\(${_ws}${_id}" _hits "${_text}")
  foreach(_h ${_hits})
    string(REGEX REPLACE ".*\\(${_ws}" "" _suite "${_h}")
    list(APPEND _patterns "${_suite}.*")
  endforeach()
  string(REGEX MATCHALL "INSTANTIATE_TEST_SUITE_P\\(${_ws}${_id}${_ws},${_ws}${_id}" _hits "${_text}")
  foreach(_h ${_hits})
    string(REGEX REPLACE "INSTANTIATE_TEST_SUITE_P\\(${_ws}(${_id})${_ws},${_ws}(${_id})" "\\1/\\2.*" _p "${_h}")
    list(APPEND _patterns "${_p}")
  endforeach()
  list(REMOVE_DUPLICATES _patterns)
  list(JOIN _patterns ":" _filter)
  set(${out} "${_filter}" PARENT_SCOPE)
endfunction()

# rs_module(NAME DEPS ... PRIVATE_DEPS ...): the library rs_NAME from every
# src/NAME/*.cc (globbed, so adding a file needs no CMake edit).
function(rs_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;EXTRA_SOURCES" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cc)
  list(APPEND _srcs ${ARG_EXTRA_SOURCES})
  if(NOT _srcs)
    add_library(rs_${name} INTERFACE)
    target_include_directories(rs_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(rs_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  rs_library(rs_${name} SOURCES ${_srcs} DEPS ${ARG_DEPS} PRIVATE_DEPS ${ARG_PRIVATE_DEPS})
endfunction()

# rs_module_tests(NAME DEPS ...): a test program per module and label,
#   NAME_unit_tests         from tests/NAME/*_test.cc, label "unit" (no network, seconds)
#   NAME_integration_tests  from tests/NAME/*_integration_test.cc, label
#                           "integration", PostgreSQL and Azurite fixtures
# and, as when each file was its own program, a ctest entry NAME_<file> per
# source file (rs_test). Files linked into one program must not define the
# same names at namespace scope: keep file-local helpers in an anonymous namespace.
# Every tests/NAME/tools/*.cc becomes a helper program NAME_<file> for tests.
function(rs_module_tests name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB _tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/*_test.cc)
  set(_unit "")
  set(_integration "")
  foreach(_t ${_tests})
    if(_t MATCHES "_integration_test\\.cc$")
      list(APPEND _integration ${_t})
    else()
      list(APPEND _unit ${_t})
    endif()
  endforeach()
  if(_unit)
    rs_test(${name}_unit_tests SOURCES ${_unit} DEPS ${ARG_DEPS} LABELS unit TEST_PREFIX ${name}_)
  endif()
  if(_integration)
    rs_test(${name}_integration_tests SOURCES ${_integration} DEPS ${ARG_DEPS}
      LABELS integration SERVICES pg azurite TIMEOUT 900 TEST_PREFIX ${name}_)
  endif()
  file(GLOB _tools CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/tools/*.cc)
  foreach(_t ${_tools})
    get_filename_component(_base ${_t} NAME_WE)
    add_executable(${name}_${_base} ${_t})
    rs_test_code_options(${name}_${_base})
    target_include_directories(${name}_${_base} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
    target_link_libraries(${name}_${_base} PRIVATE ${ARG_DEPS})
    add_dependencies(rs_unit_tests ${name}_${_base})
    add_dependencies(rs_integration_tests ${name}_${_base})
  endforeach()
endfunction()
