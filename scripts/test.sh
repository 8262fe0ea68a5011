#!/usr/bin/env bash
# The whole test suite: set up, build, run every test (README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
.venv/bin/ctest --preset default -j2
