# rs_library(NAME SOURCES ... DEPS ...): a module's static library.
# The include root is src/, so headers are included as "module/header.h".
function(rs_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${RS_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# rs_test(NAME SOURCES ... DEPS ... LABELS unit|integration [SERVICES pg azurite] [TIMEOUT s])
# The test joins the umbrella target rs_unit_tests or rs_integration_tests.
# Unit tests need no network. Integration tests name the services they use;
# ctest starts them through fixtures (tests/CMakeLists.txt), and the test reads
# their connection details from $RS_TEST_SERVICES_DIR (see tests/common/test_services.h).
function(rs_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS;SERVICES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  # The test's own code at -O1 in optimized builds: the code under test (the
  # module libraries) keeps the build type's flags, and test programs, heavy in
  # GoogleTest macros, compile much faster.
  target_compile_options(${name} PRIVATE ${RS_WARNINGS} $<$<NOT:$<CONFIG:Debug>>:-O1>)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} rs_test_support GTest::gtest GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_dependencies(rs_${ARG_LABELS}_tests ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "RS_TEST_SERVICES_DIR=${RS_TEST_SERVICES_DIR};RS_SOURCE_DIR=${PROJECT_SOURCE_DIR};RS_BINARY_DIR=${PROJECT_BINARY_DIR};RS_CONFORMANCE_DIR=${RS_CONFORMANCE_DIR}")
  if(ARG_SERVICES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${ARG_SERVICES}")
  endif()
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

# rs_module_tests(NAME DEPS ...): one test program per tests/NAME/*_test.cc.
#   *_integration_test.cc : label "integration", PostgreSQL and Azurite fixtures
#   anything else         : label "unit" (no network, seconds)
# Every tests/NAME/tools/*.cc becomes a helper program NAME_<file> for tests.
function(rs_module_tests name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB _tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/*_test.cc)
  foreach(_t ${_tests})
    get_filename_component(_base ${_t} NAME_WE)
    if(_base MATCHES "_integration_test$")
      rs_test(${name}_${_base} SOURCES ${_t} DEPS ${ARG_DEPS} LABELS integration SERVICES pg azurite TIMEOUT 900)
    else()
      rs_test(${name}_${_base} SOURCES ${_t} DEPS ${ARG_DEPS} LABELS unit)
    endif()
  endforeach()
  file(GLOB _tools CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/tools/*.cc)
  foreach(_t ${_tools})
    get_filename_component(_base ${_t} NAME_WE)
    add_executable(${name}_${_base} ${_t})
    target_include_directories(${name}_${_base} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
    target_link_libraries(${name}_${_base} PRIVATE ${ARG_DEPS})
    add_dependencies(rs_unit_tests ${name}_${_base})
    add_dependencies(rs_integration_tests ${name}_${_base})
  endforeach()
endfunction()
