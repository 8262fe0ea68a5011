#!/usr/bin/env bash
# The whole test suite (README's test command): set up, build, run every test;
# (the OpenCL variants through PoCL among them);
# then the aarch64 cross build and the whole suite again under qemu-aarch64;
# then the ASan+UBSan build of the suite, the TSan concurrency test and a
# bounded crgb_fuzz run (scripts/test_sanitizers.sh); then the Python package,
# built with `pip install .` and tested against TensorFlow and PyTorch
# (scripts/test_python.sh); then every code block and link of README.md and
# docs/ (scripts/test_docs.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
phase() { printf '\n=== test.sh: %s (%d s so far)\n' "$*" $((SECONDS - start)); }
phase "build (x86-64)"
scripts/build.sh
phase "suite (x86-64)"
# The OpenCL variants run the suite through PoCL (installed by setup.sh): a
# missing OpenCL device fails the test command instead of skipping them.
CRGB_REQUIRE_OPENCL=1 .venv/bin/ctest --preset default -j2
phase "aarch64 cross build, suite under qemu-aarch64"
scripts/test_aarch64.sh
phase "sanitizers and fuzzing"
scripts/test_sanitizers.sh
phase "Python package"
scripts/test_python.sh
phase "documentation: every code block and link"
scripts/test_docs.sh
phase "all passed"
