#!/usr/bin/env bash
# The main job (README): set up, build every variant, check each against the
# reference and benchmark it on the built-in workloads W1-W5, print the table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build/cli/crgb variants
echo
build/cli/crgb bench "$@"
