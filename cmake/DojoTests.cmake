# dojo_register_catch_tests(TARGET LABEL TIMEOUT SOURCES...): registers a Catch2 test binary
# with ctest: one ctest per test case, except under the sanitizers, where a process start costs
# about a second; there each source file is one ctest (Catch's file-name tags select its cases,
# and every case still runs under the per-case watchdog).
function(dojo_register_catch_tests target label timeout)
  if(DOJO_SANITIZE)
    foreach(src ${ARGN})
      get_filename_component(stem ${src} NAME_WE)
      add_test(NAME ${target}.${stem} COMMAND ${target} "-#" "[#${stem}]")
      set_tests_properties(${target}.${stem} PROPERTIES LABELS ${label} TIMEOUT 900)
    endforeach()
  else()
    catch_discover_tests(${target} PROPERTIES LABELS ${label} TIMEOUT ${timeout} DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
