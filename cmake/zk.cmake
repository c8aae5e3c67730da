# Helpers shared by every module's CMakeLists.

# zk_module(NAME DEPS...): library zk_NAME from every .cc in the current source dir.
# A module without sources becomes an INTERFACE library, so dependents can link it already.
function(zk_module name)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  if(srcs)
    add_library(zk_${name} STATIC ${srcs})
    target_include_directories(zk_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(zk_${name} PUBLIC ${ARGN})
  else()
    add_library(zk_${name} INTERFACE)
    target_include_directories(zk_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(zk_${name} INTERFACE ${ARGN})
  endif()
endfunction()

# zk_unit_tests(DIR LIBS...): one gtest binary per test/unit/DIR from every *_test.cc there.
include(GoogleTest)
function(zk_unit_tests dir)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  string(REPLACE "/" "_" tname "${dir}")
  string(REGEX REPLACE "^unit_" "" tname "${tname}")
  add_executable(unit_${tname} ${srcs})
  target_link_libraries(unit_${tname} PRIVATE ${ARGN} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(unit_${tname} PRIVATE
    ZK_SOURCE_DIR="${PROJECT_SOURCE_DIR}" ZK_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(unit_${tname} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
