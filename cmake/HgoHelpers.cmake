# hgo_add_library(NAME SOURCES a.cc b.cc DEPS x y)
#   One static library per component; DEPS are PUBLIC so the graph states the layering.
function(hgo_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# hgo_add_unit_test(NAME SOURCES a_test.cc DEPS lib)
#   One gtest binary per component, each TEST reported to ctest with the label "unit".
function(hgo_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    HGO_SOURCE_DIR="${PROJECT_SOURCE_DIR}" HGO_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
endfunction()

# hgo_add_e2e_test(NAME SOURCES a_test.cc DEPS lib [TIMEOUT seconds])
#   A gtest binary of the e2e tier (real servers started by the harness), label "e2e"; each
#   test gets TIMEOUT seconds (300 unless given).
function(hgo_add_e2e_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} hgo_testing GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    HGO_SOURCE_DIR="${PROJECT_SOURCE_DIR}" HGO_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} PROPERTIES LABELS e2e TIMEOUT ${ARG_TIMEOUT} DISCOVERY_TIMEOUT 30)
endfunction()
