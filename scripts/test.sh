#!/usr/bin/env bash
# The whole test suite: set up, build, run every test (README's test command);
# then the aarch64 cross build and the whole suite again under qemu-aarch64.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
.venv/bin/ctest --preset default -j2
scripts/test_aarch64.sh
