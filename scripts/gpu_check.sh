#!/usr/bin/env bash
# The GPU check: one command for a machine with an NVIDIA GPU, over a build tree
# made beforehand on a CPU machine (scripts/build.sh there; the tree carried
# over as it is, at the same path). Meant to finish within 8 minutes:
#   1. the whole CTest suite with the CUDA variants under test
#      (CRGB_TEST_VARIANTS: the suites run those and the reference): host data,
#      device data, a caller's stream (cuda_test), golden cases, validation;
#   2. the Python device paths (CuPy arrays, torch CUDA tensors) where a Python
#      with crgb and CuPy or a CUDA build of torch is found (CRGB_GPU_PYTHON);
#   3. crgb_gpu_bench on W1-W6: each CUDA variant on device data beside the
#      TensorFlow-style atomic baseline and the device-to-device copy bandwidth,
#      20 repeats compared bit for bit; JSON and a markdown table in OUT_DIR.
#   BUILD_DIR (default build), OUT_DIR (default $BUILD_DIR/gpu-check).
# Exit status: 0 passed; 1 a step failed; 2 no NVIDIA GPU here (nothing run);
# 3 no usable build tree.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
out=${OUT_DIR:-$build/gpu-check}
start=$SECONDS
step() { printf '\n=== gpu_check: %s (%d s so far)\n' "$*" $((SECONDS - start)); }

gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
if [ "${gpus:-0}" -eq 0 ]; then
  echo "gpu_check: no NVIDIA GPU here (nvidia-smi -L lists none${CRGB_GPU_CHECK_WHY:+: $CRGB_GPU_CHECK_WHY}); nothing was run." >&2
  echo "gpu_check: run it on a machine with an NVIDIA GPU and its driver, over a build tree made by scripts/build.sh." >&2
  exit 2
fi
bench=$build/tools/gpu_bench/crgb_gpu_bench
if [ ! -f "$build/CTestTestfile.cmake" ] || [ ! -x "$bench" ]; then
  echo "gpu_check: $build is not a build tree with crgb_gpu_bench: make it on a CPU machine with the" >&2
  echo "CUDA toolkit (scripts/build.sh) and carry it over as it is" >&2
  exit 3
fi
mkdir -p "$out"
nvidia-smi -L | tee "$out/device.txt"
failed=0
cuda_variants=$("$build"/cli/crgb variants 2>/dev/null | awk '$1 ~ /^cuda/ && $3 == "yes" { print $1 }' | paste -sd, -)
if [ -z "$cuda_variants" ]; then
  echo "gpu_check: crgb lists no available CUDA variant on this GPU:" >&2
  "$build"/cli/crgb variants >&2
  exit 1
fi

step "CTest suite on $cuda_variants"
CRGB_TEST_VARIANTS=$cuda_variants timeout 300 ctest --test-dir "$build" -j"$(nproc)" \
  --output-on-failure -E '^(docs|lab)\.' >"$out/ctest.log" 2>&1 || failed=1
tail -3 "$out/ctest.log"

step "Python device paths"
py=${CRGB_GPU_PYTHON:-python3}
if "$py" -c "import crgb" 2>/dev/null; then
  timeout 120 "$py" -m pytest -q tests/python -k "cuda or cupy or device" >"$out/pytest.log" 2>&1 || failed=1
  tail -3 "$out/pytest.log"
else
  echo "skipped: $py cannot import crgb (set CRGB_GPU_PYTHON to a Python with crgb installed)" | tee "$out/pytest.log"
fi

step "crgb_gpu_bench W1-W6"
timeout 240 "$bench" --workloads W1,W2,W3,W4,W5,W6 --repeats 20 --json "$out/gpu_bench.json" \
  --markdown "$out/gpu_bench.md" || failed=1

step "done: $([ $failed -eq 0 ] && echo passed || echo FAILED); results in $out"
exit $failed
