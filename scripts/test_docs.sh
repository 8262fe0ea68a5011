#!/usr/bin/env bash
# Runs the documentation (docs/testing.md, "Tested docs"): every code block of
# README.md, CHANGELOG.md and docs/*.md, extracted and run by
# tests/docs/check_markdown.py, and every relative link checked. Last in
# scripts/test.sh: the blocks use the native build (build/), the installed
# Python package (scripts/test_python.sh) and the environments it made.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
rm -rf /tmp/crgb-doc
exec python3 tests/docs/check_markdown.py "$@"
