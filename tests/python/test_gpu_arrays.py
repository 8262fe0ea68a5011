"""CuPy arrays in CUDA memory on crgb's CUDA variants, the results left on the
device (issue 8's remainder). GPU-only: scripts/gpu_check.sh runs them on a
machine with an NVIDIA GPU and CuPy; elsewhere they are skipped, saying why.
(torch CUDA tensors: test_torch_ops.py's test_cuda_tensors_stay_on_their_device.)"""

import numpy as np
import pytest

import crgb
import problems


@pytest.fixture(scope="module")
def cupy():
    cp = pytest.importorskip("cupy", reason="CuPy is not installed")
    if not any(v.name.startswith("cuda") for v in crgb.variants(available_only=True)):
        pytest.skip("no CUDA variant is available here (no GPU)")
    return cp


def test_cupy_arrays_run_on_the_gpu_and_stay_there(cupy):
    """The box gradient of CuPy inputs is a CuPy array on the same device,
    within problems.tolerance (float32 rounding relative to the sum of absolute
    contributions) of the reference on the host, and bit-identical over
    repeats."""
    p = problems.random_problem(problems.rng(77), "float32", min_boxes=3)
    want = crgb.crop_and_resize_grad_boxes(*p.args(), variant="reference")
    args = [cupy.asarray(a) for a in p.args()]
    got = crgb.crop_and_resize_grad_boxes(*args)
    assert isinstance(got, cupy.ndarray) and got.device == args[0].device
    assert np.all(np.abs(cupy.asnumpy(got) - want) <= problems.tolerance(p))
    for _ in range(5):
        again = crgb.crop_and_resize_grad_boxes(*args)
        assert problems.same_bits(cupy.asnumpy(again), cupy.asnumpy(got))


def test_cupy_forward_op_matches_the_reference(cupy):
    """crop_and_resize of CuPy inputs on the GPU: on the device, and equal to the
    host reference (both compute each output with the same float32 operations
    in TensorFlow's order, so within one rounding of each bilinear lerp; the
    bound is 1e-6 of the image's largest magnitude)."""
    p = problems.random_problem(problems.rng(78), "float32", min_boxes=3)
    crop = (5, 4)
    want = crgb.crop_and_resize(p.image, p.boxes, p.box_ind, crop, variant="reference")
    got = crgb.crop_and_resize(cupy.asarray(p.image), cupy.asarray(p.boxes),
                               cupy.asarray(p.box_ind), crop)
    assert isinstance(got, cupy.ndarray)
    bound = 1e-6 * max(1.0, float(np.max(np.abs(p.image))))
    assert np.all(np.abs(cupy.asnumpy(got) - want) <= bound)
