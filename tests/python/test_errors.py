"""Exceptions: classes, what they derive from, and that each carries the C
API's crgb_error.message verbatim (checked against the crgb CLI, which prints
the same message from the same C call)."""

import os
import subprocess

import numpy as np
import pytest

import crgb
import problems

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("CRGB_CLI", os.path.join(REPO, "build", "cli", "crgb"))
AUTO = problems.AUTOSCHEDULED  # built for uint8 and float32 only


def problem(salt, dtype="float32"):
    return problems.random_problem(problems.rng(salt), dtype, min_boxes=2)


def test_classes_derive_from_error_and_the_matching_builtin():
    for cls, builtin, status in (
            (crgb.InvalidArgumentError, ValueError, "InvalidArgument"),
            (crgb.OutOfRangeError, IndexError, "OutOfRange"),
            (crgb.UnimplementedError, NotImplementedError, "Unimplemented"),
            (crgb.UnavailableError, RuntimeError, "Unavailable"),
            (crgb.InternalError, RuntimeError, "Internal")):
        assert issubclass(cls, crgb.Error) and issubclass(cls, builtin)
        assert cls.status == status
    assert issubclass(crgb.Error, Exception)


def test_invalid_argument_and_out_of_range():
    p = problem(1)
    with pytest.raises(ValueError) as e:
        crgb.crop_and_resize_grad_boxes(p.grads[0], p.image, p.boxes, p.box_ind)
    assert type(e.value) is crgb.InvalidArgumentError
    assert str(e.value) == e.value.message == "grads image must be 4-D" + str(
        list(p.grads.shape[1:])).replace(" ", "")
    with pytest.raises(IndexError) as e:
        crgb.crop_and_resize_grad_boxes(*p.args()[:3], p.box_ind + p.image.shape[0])
    assert type(e.value) is crgb.OutOfRangeError
    assert str(e.value) == "box_index has values outside [0, batch_size)"


def test_unknown_variant_names_the_known_ones():
    p = problem(2)
    with pytest.raises(crgb.InvalidArgumentError) as e:
        crgb.crop_and_resize_grad_boxes(*p.args(), variant="no_such_isa")
    message = str(e.value)
    assert message.startswith("'no_such_isa' names no variant of this build (")
    for v in crgb.variants():
        assert v.name in message


def test_variant_not_built_for_the_dtype_is_unimplemented():
    autoscheduled = [v.name for v in crgb.variants(available_only=True) if v.name.endswith(AUTO)]
    if not autoscheduled:
        pytest.skip("no autoscheduled variant runs on this CPU")
    p = problem(3, "int16")
    with pytest.raises(NotImplementedError) as e:
        crgb.crop_and_resize_grad_boxes(*p.args(), variant=autoscheduled[0])
    assert type(e.value) is crgb.UnimplementedError and autoscheduled[0] in str(e.value)


def test_variants_this_machine_cannot_run_are_unavailable():
    missing = [v.name for v in crgb.variants() if not v.available]
    if not missing:
        pytest.skip("this machine runs every variant of the build")
    p = problem(4)
    for name in missing:
        with pytest.raises(crgb.UnavailableError, match=name):
            crgb.crop_and_resize_grad_boxes(*p.args(), variant=name)


def test_nul_in_strings_is_invalid_argument():
    p = problem(5)
    with pytest.raises(crgb.InvalidArgumentError, match="variant contains a NUL"):
        crgb.crop_and_resize_grad_boxes(*p.args(), variant="reference\0avx2")
    with pytest.raises(crgb.InvalidArgumentError, match="method contains a NUL"):
        crgb.crop_and_resize_grad_boxes(*p.args(), method="bilinear\0")


def test_non_arrays_are_type_errors():
    p = problem(6)
    with pytest.raises(TypeError):
        crgb.crop_and_resize_grad_boxes(p.grads, object(), p.boxes, p.box_ind)
    with pytest.raises(TypeError):
        crgb.crop_and_resize_grad_boxes(*p.args(), variant=3)


def _error_cases():
    p = problem(7, "int16")
    n, b = p.boxes.shape[0], p.image.shape[0]
    yield "grads 3-D", (p.grads[0], p.image, p.boxes, p.box_ind), None
    yield "depth differs", (p.grads, p.image[..., :0], p.boxes, p.box_ind), None
    yield "boxes 3 columns", (p.grads, p.image, p.boxes[:, :3], p.box_ind), None
    yield "box_ind long", (p.grads, p.image, p.boxes, np.zeros(n + 1, np.int32)), None
    yield "box_ind range", (p.grads, p.image, p.boxes, p.box_ind - b), None
    yield "boxes NaN", (p.grads, p.image, np.full_like(p.boxes, np.nan), p.box_ind), None
    yield "boxes float64", (p.grads, p.image, p.boxes.astype(np.float64), p.box_ind), None
    yield "unknown variant", p.args(), "no_such_isa"
    for v in crgb.variants():
        if problems.off_beside_llvm(v.name):  # off in this process only: the CLI runs it
            continue
        if v.name.endswith(AUTO):
            yield f"{v.name} int16", p.args(), v.name  # Unimplemented or Unavailable
        elif not v.available:
            yield f"{v.name} here", p.args(), v.name


@pytest.mark.skipif(not os.access(CLI, os.X_OK), reason=f"no crgb CLI at {CLI}")
def test_messages_are_the_c_apis(tmp_path):
    """`crgb grad-boxes` prints '<Class>: <message>' from crgb_error for the
    same inputs: the Python exception has that class and exactly that message."""
    for what, args, variant in _error_cases():
        files = []
        for name, a in zip(("grads", "image", "boxes", "box_ind"), args):
            files += [f"--{name.replace('_', '-')}", str(tmp_path / f"{name}.npy")]
            np.save(files[-1], a)
        cmd = [CLI, "grad-boxes", *files, "--out", str(tmp_path / "out.npy")]
        if variant:
            cmd += ["--variant", variant]
        run = subprocess.run(cmd, capture_output=True, text=True)
        assert run.returncode == 2, (what, run.stderr)
        with pytest.raises(crgb.Error) as e:
            crgb.crop_and_resize_grad_boxes(*args, variant=variant)
        assert f"{e.value.status}: {e.value}" == run.stderr.strip(), what
