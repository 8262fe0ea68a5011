#!/usr/bin/env bash
# Set up (idempotent), configure and build every variant with the default preset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/cmake --preset default >/dev/null
.venv/bin/cmake --build --preset default
