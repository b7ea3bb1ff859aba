# How test code is compiled. Most of the build is test code: a grader variant for every stub,
# solution and mutant (each a short file that includes the whole of goro), the checks, and
# the test suites. Its run time hardly matters but its compile time does, so:
#
#   * it is optimised at -O1 instead of -O2 (about 40% less compile time for template-heavy
#     code; the goro library, the benchmarks and the visualizer keep the preset's -O2), and not
#     at all under the sanitizers (whose presets compile everything else at -O1);
#   * the headers every file includes — goro, fmt, common standard headers (and Catch2 for
#     test suites) — are precompiled;
#   * fmt's formatting engine is linked from the fmt library rather than compiled into every
#     file (goro/detail/fmt.hpp).
#
#   dojo_test_code(target)    -O1 and the shared precompiled header: built once (by the target
#                             dojo_pch) and reused, so a learner's regrade compiles only the
#                             learner's file against it. For grader targets and the code they
#                             share with the visualizer's scenarios.
#   dojo_test_suite(target)   -O1 and a precompiled header with Catch2, built once per test
#                             executable (each has many test files).
#
# -DDOJO_PCH=OFF turns the precompiled headers off (e.g. to check that every file includes
# what it uses). GCC falls back to parsing the headers when a PCH does not match a file's
# flags (-Winvalid-pch says so).
option(DOJO_PCH "Precompile the headers every test file includes" ON)
# Under a sanitizer the test code is not optimised at all: what the sanitizer checks is goro and
# the code under test, and an unoptimised test file compiles in half the time.
if(DOJO_SANITIZE)
  set(DOJO_TEST_OPTIONS -O0)
else()
  set(DOJO_TEST_OPTIONS -O1)
endif()

set(DOJO_PCH_HEADERS
  <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional> <string>
  <string_view> <utility> <vector>
  <goro/detail/fmt.hpp>
  <goro/goro.hpp>)

# The donor of the shared header: compiles nothing of its own. It sees goro's headers (and
# defines what goro's users see) without linking goro, so that goro never waits for it.
add_library(dojo_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/pch.cpp)
target_include_directories(dojo_pch PRIVATE ${PROJECT_SOURCE_DIR}/runtime/include)
target_link_libraries(dojo_pch PRIVATE fmt::fmt Boost::context)
target_compile_options(dojo_pch PRIVATE ${DOJO_TEST_OPTIONS})
if(DOJO_PCH)
  target_precompile_headers(dojo_pch PRIVATE ${DOJO_PCH_HEADERS})
endif()

function(dojo_test_code target)
  target_compile_options(${target} PRIVATE ${DOJO_TEST_OPTIONS})
  if(DOJO_PCH)
    target_precompile_headers(${target} REUSE_FROM dojo_pch)
  endif()
endfunction()

function(dojo_test_suite target)
  target_compile_options(${target} PRIVATE ${DOJO_TEST_OPTIONS})
  if(DOJO_PCH)
    target_precompile_headers(${target} PRIVATE ${DOJO_PCH_HEADERS} <catch2/catch.hpp>)
  endif()
endfunction()

# Under AddressSanitizer the grader checks (the hidden checks and the visible examples: test code,
# not what the sanitizer is there to check) are compiled without instrumentation, against a
# precompiled header of their own: the code they call — goro, the grader harness, the reference
# solutions — stays instrumented, and ASan still sees every allocation (its malloc serves the
# whole process). This halves their compile time. ThreadSanitizer keeps them instrumented: a
# synchronisation it could not see in uninstrumented code would look like a race.
#   dojo_check_code(target)   like dojo_test_code, uninstrumented in the asan preset
if(DOJO_SANITIZE MATCHES "address")
  set(DOJO_CHECK_OPTIONS ${DOJO_TEST_OPTIONS} -fno-sanitize=all)
  add_library(dojo_pch_plain OBJECT ${CMAKE_CURRENT_LIST_DIR}/pch.cpp)
  target_include_directories(dojo_pch_plain PRIVATE ${PROJECT_SOURCE_DIR}/runtime/include)
  target_link_libraries(dojo_pch_plain PRIVATE fmt::fmt Boost::context)
  target_compile_options(dojo_pch_plain PRIVATE ${DOJO_CHECK_OPTIONS})
  if(DOJO_PCH)
    target_precompile_headers(dojo_pch_plain PRIVATE ${DOJO_PCH_HEADERS})
  endif()
  function(dojo_check_code target)
    target_compile_options(${target} PRIVATE ${DOJO_CHECK_OPTIONS})
    if(DOJO_PCH)
      target_precompile_headers(${target} REUSE_FROM dojo_pch_plain)
    endif()
  endfunction()
else()
  function(dojo_check_code target)
    dojo_test_code(${target})
  endfunction()
endif()
