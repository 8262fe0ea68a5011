# Sanitizer and fuzzing builds (scripts/test_sanitizers.sh; docs/reliability.md).
# Included by the top-level CMakeLists.txt after the generator
# and the variant libraries are declared and before our own C++ targets, so
# the flags below reach the library, the CLI, the tests and the fuzzer, and not
# the generator: it runs natively during the build, linked with libHalide and
# its LLVM, which are not instrumented. The Halide-compiled variant objects and
# the Halide runtime are not instrumented either (Halide compiles them, not the
# C++ compiler); the fuzzer surrounds every buffer it passes them with
# inaccessible pages to catch their out-of-bounds reads instead.
#
#   CRGB_SANITIZE   a -fsanitize= list for our code: "address,undefined" or
#                   "thread" (clang or GCC). Every finding aborts (no recovery).
#   CRGB_FUZZ       also build tests/fuzz (the libFuzzer target crgb_fuzz);
#                   clang only. Adds coverage instrumentation to our code.
set(CRGB_SANITIZE "" CACHE STRING "Sanitizers for the library, CLI and tests (e.g. address,undefined or thread)")
option(CRGB_FUZZ "Build the libFuzzer target crgb_fuzz (clang)" OFF)

if (CRGB_SANITIZE)
  add_compile_options(-fsanitize=${CRGB_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${CRGB_SANITIZE})
endif ()
if (CRGB_FUZZ)
  if (NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CRGB_FUZZ needs clang (libFuzzer): configure with CMAKE_CXX_COMPILER=clang++")
  endif ()
  # Coverage feedback from the library as well as from the fuzz target.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif ()
