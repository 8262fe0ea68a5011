#!/usr/bin/env bash
# The aarch64 suite (README "ARM64"): Halide's two-stage cross build, then the
# whole test suite under qemu-aarch64.
#   stage 1: the host (x86-64) tree, build/ unless CRGB_HOST_BUILD_DIR says
#            otherwise: its generator, exported for stage 2, and its crgb, which
#            the cross-architecture test compares with;
#   stage 2: build-aarch64/ (CRGB_AARCH64_BUILD_DIR): the generator of stage 1
#            emits arm-64-linux objects, Debian's aarch64-linux-gnu toolchain
#            builds the library, dispatcher, CLI and GoogleTest suite
#            (cmake/aarch64-linux-gnu.cmake), and ctest runs every test program
#            under qemu-aarch64.
# scripts/test.sh runs this after the host suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
host=${CRGB_HOST_BUILD_DIR:-build}
arm=${CRGB_AARCH64_BUILD_DIR:-build-aarch64}

if [ ! -f "$host/CMakeCache.txt" ]; then
  .venv/bin/cmake -S . -B "$host" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
.venv/bin/cmake --build "$host" --target crgb-halide_generators crgb_cli
.venv/bin/cmake -S . -B "$arm" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DCRGB_HOST_BUILD_DIR="$(cd "$host" && pwd)" >/dev/null
.venv/bin/cmake --build "$arm"
.venv/bin/ctest --test-dir "$arm" -j2 --output-on-failure --no-tests=error
