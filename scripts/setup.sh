#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (and a no-op when done):
#   - Debian packages: compiler, GoogleTest, Google Benchmark, zlib, python3-venv,
#     pkg-config (the install test builds against crgb.pc);
#   - for the aarch64 cross build and its suite under qemu (scripts/test_aarch64.sh):
#     the aarch64-linux-gnu cross compiler, qemu-user, and through Debian multiarch
#     (arm64 is added as a foreign architecture) arm64 zlib, GoogleTest, libstdc++;
#   - .venv: Halide 21 (the PyPI wheel: headers, libHalide with LLVM, the CMake
#     package and the autoscheduler plugins), CMake and Ninja, pinned in
#     requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/install_lib.sh
source scripts/install_lib.sh

apt_packages=(g++ python3 python3-venv libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev pkg-config
              clang libclang-rt-14-dev
              g++-aarch64-linux-gnu qemu-user zlib1g-dev:arm64 libgtest-dev:arm64 libstdc++6:arm64
              pocl-opencl-icd ocl-icd-libopencl1 clinfo)
apt_install_missing "${apt_packages[@]}"

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
pip_install_requirements .venv requirements.txt
