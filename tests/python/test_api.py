"""Version, variants, the automatic choice and the thread setting."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import crgb
import problems

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("CRGB_CLI", os.path.join(REPO, "build", "cli", "crgb"))


def test_version_is_the_cmake_projects():
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        want = re.search(r"project\(crgb VERSION ([0-9.]+)", f.read()).group(1)
    assert crgb.__version__ == want


def test_variants():
    found = crgb.variants()
    names = [v.name for v in found]
    assert names[0] == "reference" and found[0].target == "c++" and found[0].available
    assert len(set(names)) == len(names)
    selected = [v for v in found if v.selected]
    assert len(selected) == 1 and selected[0].available
    assert selected[0].name == crgb.selected_variant()
    assert crgb.variants(available_only=True) == [v for v in found if v.available]
    ops = ("grad_boxes", "crop_and_resize", "grad_image")
    assert found[0].ops == ops  # the reference implements every op
    for v in found:
        assert isinstance(v, crgb.Variant)
        assert all(isinstance(x, bool) for x in (v.available, v.selected))
        assert isinstance(v.ops, tuple) and v.ops and set(v.ops) <= set(ops)
        assert list(v.ops) == sorted(v.ops, key=ops.index)  # in crgb_op order


@pytest.mark.skipif(not os.access(CLI, os.X_OK), reason=f"no crgb CLI at {CLI}")
def test_variants_are_what_the_cli_lists():
    listed = json.loads(subprocess.run([CLI, "variants", "--json"], capture_output=True,
                                       text=True, check=True).stdout)
    # The CLI's JSON has the ops as a list; Variant.ops is a tuple. An OpenCL
    # variant this process keeps off beside TensorFlow's LLVM runs in the CLI's.
    for row in listed:
        if problems.off_beside_llvm(row["name"]):
            row["available"] = False
    assert [{**vars(v), "ops": list(v.ops)} for v in crgb.variants()] == listed


def test_crgb_variant_environment_variable_sets_the_automatic_choice(tmp_path):
    p = problems.random_problem(problems.rng(1), "uint8", min_boxes=1)
    want = crgb.crop_and_resize_grad_boxes(*p.args(), variant="reference")
    script = ("import sys, numpy as np, crgb; "
              "a = [np.load(f) for f in sys.argv[1:]]; "
              "print(crgb.selected_variant()); "
              "print(crgb.crop_and_resize_grad_boxes(*a).tobytes().hex())")
    files = [str(tmp_path / f"{i}.npy") for i in range(4)]
    for f, a in zip(files, p.args()):
        np.save(f, a)
    env = dict(os.environ, CRGB_VARIANT="reference")
    run = subprocess.run([sys.executable, "-c", script, *files], env=env,
                         capture_output=True, text=True, check=True)
    selected, result = run.stdout.split()
    assert selected == "reference"
    assert bytes.fromhex(result) == want.tobytes()


def test_thread_count_changes_nothing_but_speed():
    p = problems.random_problem(problems.rng(2), "float16", min_boxes=4)
    previous = crgb.set_num_threads(1)
    try:
        one = crgb.crop_and_resize_grad_boxes(*p.args())
        assert crgb.set_num_threads(3) == 1
        three = crgb.crop_and_resize_grad_boxes(*p.args())
        assert crgb.set_num_threads(0) == 3
        default = crgb.crop_and_resize_grad_boxes(*p.args())
    finally:
        crgb.set_num_threads(previous)
    np.testing.assert_array_equal(one.view(np.uint32), three.view(np.uint32))
    np.testing.assert_array_equal(one.view(np.uint32), default.view(np.uint32))

