#!/usr/bin/env bash
# Formats every C and C++ source of the project in place with .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.h' '*.hpp' '*.cpp' '*.c' '*.cu' '*.cuh' | xargs clang-format -i
