#!/usr/bin/env bash
# The Python package's tests (docs/python.md). Idempotent; installs what it
# needs, pinned, then runs pytest three times on tests/python:
#   - .venv: scripts/setup.sh's toolchain plus python/requirements-build.txt
#     (scikit-build-core, nanobind); `pip install .` builds crgb there, in the
#     persistent build tree build-python/ (incremental after the first time);
#   - .venv-tf + TensorFlow and JAX: tests/python/requirements.txt
#     (tensorflow-cpu 2.20.0, jax[cpu] 0.7.2, NumPy 2, pytest): everything but
#     the PyTorch tests;
#   - /usr/bin/python3 + PyTorch: Debian's python3-torch 1.13 and python3-pytest
#     (CPU only): everything but the TensorFlow tests, against NumPy 1.24,
#     crgb.torch's autograd.Function path;
#   - .venv-torch: PyPI's torch 2.9.1 (tests/python/requirements-torch.txt),
#     crgb.torch's torch.library ops (torch.compile, opcheck, DDP).
# Both import the crgb installed in .venv, through a directory that holds only
# it (build-python/site): same CPython 3.11 ABI, nothing else of .venv.
#
# Measured on the 2-core Debian 12 VM (2026-11-28, first run): apt python3-torch
# and python3-pytest 34 s; .venv-tf with TensorFlow plus the build requirements
# 33 s; the first `pip install .` about 8 minutes (every Halide variant), a
# later one a few seconds; the two pytest runs 6 s. (2026-12-02: the three
# pytest runs with the framework tests about 80 s; .venv-torch's first install
# about 2 minutes.)
set -euo pipefail
cd "$(dirname "$0")/.."
# The extension links the native build's generated Halide libraries
# (CRGB_PREBUILT_DIR): each is generated once per test command. A no-op when
# it is built already.
scripts/build.sh >/dev/null
# shellcheck source=scripts/install_lib.sh
source scripts/install_lib.sh
start=$SECONDS
step() { printf '\n== test_python: %s (%ds so far)\n' "$*" $((SECONDS - start)); }

apt_packages=(python3-torch python3-pytest)
step "Debian packages for the PyTorch tests"
apt_install_missing "${apt_packages[@]}"

step "TensorFlow environment .venv-tf"
[ -x .venv-tf/bin/python ] || python3 -m venv .venv-tf
pip_install_requirements .venv-tf tests/python/requirements.txt
pip_install_requirements .venv python/requirements-build.txt

# Build and install crgb into .venv. --no-build-isolation: the build uses
# .venv's pinned cmake, ninja, scikit-build-core and nanobind, so build-python/
# stays valid from one run to the next (an isolated build would bring fresh
# copies under new temporary paths and recompile nanobind each time).
step "pip install . (build tree build-python/)"
# The framework modules (docs/frameworks.md) are built against the frameworks
# of .venv-tf: crgb._crgb_jax against its jaxlib's XLA FFI headers, the
# TensorFlow op library against its TensorFlow.
PATH="$PWD/.venv/bin:$PATH" .venv/bin/python -m pip install -q --disable-pip-version-check \
  --no-build-isolation -Ccmake.define.CRGB_PREBUILT_DIR="$PWD/build" \
  -Ccmake.define.CRGB_JAX_PYTHON="$PWD/.venv-tf/bin/python" \
  -Ccmake.define.CRGB_TENSORFLOW_PYTHON="$PWD/.venv-tf/bin/python" .
env -u PYTHONPATH .venv/bin/python -c "import crgb; print('test_python: crgb', crgb.__version__, 'in .venv:',
  len(crgb.variants(available_only=True)), 'variants run here')"

site=build-python/site
mkdir -p "$site"
ln -sfn "$(env -u PYTHONPATH .venv/bin/python -c 'import crgb, os; print(os.path.dirname(crgb.__file__))')" \
  "$site/crgb"
export PYTHONPATH="$PWD/$site"
# PoCL is installed (scripts/setup.sh): the OpenCL tests must run, not skip.
export CRGB_REQUIRE_OPENCL=1
pytest_args=(-q -p no:cacheprovider tests/python)
step "pytest with TensorFlow and JAX (.venv-tf)"
CRGB_TEST_REQUIRE=tensorflow,jax,crgb.jax,crgb.tensorflow .venv-tf/bin/python -m pytest "${pytest_args[@]}"
step "pytest with PyTorch 1.13 (/usr/bin/python3)"
CRGB_TEST_REQUIRE=torch /usr/bin/python3 -m pytest "${pytest_args[@]}"
# torch >= 2.4 for crgb.torch's torch.library ops (torch.compile, opcheck,
# DDP: test_torch_ops.py): PyPI has it only as the CUDA build, 4.1 GB to
# download, about 2 minutes to install, 6.8 GB on disk (measured 2026-12-02).
step "PyTorch 2 environment .venv-torch"
[ -x .venv-torch/bin/python ] || python3 -m venv .venv-torch
pip_install_requirements .venv-torch tests/python/requirements-torch.txt
step "pytest with PyTorch 2 (.venv-torch)"
CRGB_TEST_REQUIRE=torch .venv-torch/bin/python -m pytest "${pytest_args[@]}"
step "all passed"
