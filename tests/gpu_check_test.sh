#!/usr/bin/env bash
# ctest gpu_check.stops_without_gpu: on a machine without an NVIDIA GPU,
# scripts/gpu_check.sh and crgb_gpu_bench stop at once with exit status 2 and
# say why, running nothing. Skipped where a GPU is (run gpu_check.sh there).
#   tests/gpu_check_test.sh <build dir>
set -uo pipefail
build=$1
root=$(cd "$(dirname "$0")/.." && pwd)
if nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "SKIP: an NVIDIA GPU is here: run scripts/gpu_check.sh itself"
  exit 0
fi
status=0
out=$(BUILD_DIR=$build "$root/scripts/gpu_check.sh" 2>&1)
rc=$?
echo "gpu_check.sh (exit $rc): $out"
if [ $rc -ne 2 ] || ! grep -q "no NVIDIA GPU here" <<<"$out"; then
  echo "FAIL: expected exit status 2 and 'no NVIDIA GPU here'"
  status=1
fi
bench=$build/tools/gpu_bench/crgb_gpu_bench
if [ -x "$bench" ]; then
  out=$("$bench" --workloads W1 2>&1)
  rc=$?
  echo "crgb_gpu_bench (exit $rc): $out"
  if [ $rc -ne 2 ] || ! grep -q "no CUDA device" <<<"$out"; then
    echo "FAIL: expected exit status 2 and 'no CUDA device'"
    status=1
  fi
else
  echo "(crgb_gpu_bench not built: no CUDA toolkit)"
fi
exit $status
