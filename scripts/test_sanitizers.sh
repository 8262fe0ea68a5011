#!/usr/bin/env bash
# The sanitizer builds and the fuzzer (docs/reliability.md); run
# by scripts/test.sh after the native suite.
#   1. build-asan: the whole test suite built with clang, ASan and UBSan (every
#      finding fatal) plus libFuzzer's coverage, run under CTest; it includes
#      fuzz.seed_corpus, every checked-in seed input run once.
#   2. build-tsan: the concurrency test built with ThreadSanitizer, run.
#   3. crgb_fuzz (from build-asan) for CRGB_FUZZ_SECONDS (default 120) seconds,
#      starting from a copy of tests/fuzz/corpus: inputs it finds go to that
#      temporary copy, never into the repository. A crashing input is kept as
#      build-asan/fuzz-artifacts/crash-*; reproduce with
#      build-asan/tests/fuzz/crgb_fuzz build-asan/fuzz-artifacts/crash-<sha>.
# Only our C++ is instrumented; the Halide generator runs natively and the
# Halide-compiled variants are not instrumented (cmake/CrgbSanitize.cmake).
set -euo pipefail
cd "$(dirname "$0")/.."
# The native build's generated Halide libraries are reused (CRGB_PREBUILT_DIR):
# each is generated once per test command. A no-op when it is built already.
scripts/build.sh >/dev/null

fuzz_seconds=${CRGB_FUZZ_SECONDS:-120}
jobs=${CRGB_JOBS:-2}
start=$SECONDS
step() { printf '\n== %s (%ds so far)\n' "$*" $((SECONDS - start)); }
# The automatic choice is under test too: the caller's CRGB_VARIANT must not pick it.
unset CRGB_VARIANT
# No OpenCL platform here (the ICD loader finds none in an empty directory):
# PoCL and the LLVM inside it are not instrumented, and a kernel compiler in
# every sanitized process would dominate the run; the native suite runs the
# OpenCL variants, whose host side is the same code as every Halide variant's.
export OCL_ICD_VENDORS=$PWD/build-asan/no-opencl-vendors
mkdir -p "$OCL_ICD_VENDORS"

# Findings abort with a report. LeakSanitizer is on (ASan's default on Linux).
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan_suppressions.txt

configure() {  # build dir, sanitizers, extra cmake arguments
  local dir=$1 sanitize=$2
  shift 2
  .venv/bin/cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCRGB_SANITIZE="$sanitize" \
    -DCRGB_PREBUILT_DIR="$PWD/build" "$@" >/dev/null
}

step "ASan+UBSan: build (clang, with crgb_fuzz)"
configure build-asan address,undefined -DCRGB_FUZZ=ON
.venv/bin/cmake --build build-asan -j"$jobs"
step "ASan+UBSan: the whole suite"
.venv/bin/ctest --test-dir build-asan -j"$jobs" --output-on-failure --no-tests=error

step "TSan: build the concurrency test"
# The autoscheduled variants' pipelines are left out of this build (they are
# slow to generate and are Halide pipelines like the others; ASan covers
# them): the test runs every other variant and dtype.
configure build-tsan thread -DCRGB_AUTOSCHEDULED_DTYPES=
.venv/bin/cmake --build build-tsan -j"$jobs" --target concurrency_test
step "TSan: the concurrency test"
tsan_run=()
# ThreadSanitizer of clang 14 cannot map its shadow with more than 28 bits of
# mmap randomization (newer kernels' default): run without ASLR there.
if [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ]; then
  tsan_run=(setarch "$(uname -m)" -R)
fi
"${tsan_run[@]}" build-tsan/tests/concurrency_test

step "crgb_fuzz for ${fuzz_seconds}s from tests/fuzz/corpus"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp tests/fuzz/corpus/* "$corpus"/
mkdir -p build-asan/fuzz-artifacts
build-asan/tests/fuzz/crgb_fuzz -max_total_time="$fuzz_seconds" -timeout=60 -rss_limit_mb=4096 \
  -print_final_stats=1 -artifact_prefix=build-asan/fuzz-artifacts/ "$corpus"

step "sanitizers and fuzzing: all passed"
