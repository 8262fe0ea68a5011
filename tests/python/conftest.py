"""pytest set-up for the Python package's tests (scripts/test_python.sh runs them).

They import the installed package ``crgb``, never python/crgb from the source
tree, so they test what ``pip install .`` built.
"""

import os
import sys

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter
sys.path.insert(0, os.path.dirname(__file__))  # problems.py, fake_dlpack.py

import problems  # noqa: E402


def pytest_configure(config):
    """CRGB_TEST_REQUIRE (comma-separated module names) makes a missing
    optional library an error instead of a silent skip: scripts/test_python.sh
    names the libraries each of its environments must test against."""
    import importlib

    for name in filter(None, os.environ.get("CRGB_TEST_REQUIRE", "").split(",")):
        try:
            importlib.import_module(name)
        except ImportError as e:
            raise pytest.UsageError(f"CRGB_TEST_REQUIRE names {name}, which does not import: {e}")


def pytest_report_header(config):
    import crgb

    return [f"crgb {crgb.__version__} from {os.path.dirname(crgb.__file__)}; "
            f"random cases with CRGB_TEST_SEED={problems.SEED}"]
