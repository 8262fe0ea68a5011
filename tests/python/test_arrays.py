"""Arrays in, arrays out: NumPy, TensorFlow, generic DLPack producers, layouts,
and where the memory is. (PyTorch: test_torch.py.)"""

import gc

import numpy as np
import pytest

import crgb
import problems
from fake_dlpack import KDL_CUDA, KDL_CUDA_HOST, KDL_ROCM, DLPackOnly, FakeDeviceArray
from problems import same_bits


def problem(salt, dtype="float32", min_boxes=2):
    return problems.random_problem(problems.rng(salt), dtype, min_boxes=min_boxes)


def test_numpy_in_numpy_out():
    p = problem(1)
    out = crgb.crop_and_resize_grad_boxes(*p.args())
    assert type(out) is np.ndarray
    assert out.dtype == np.float32 and out.shape == (p.boxes.shape[0], 4)
    assert out.flags.c_contiguous and out.flags.writeable
    out += 1  # the caller owns it


def test_result_outlives_inputs():
    p = problem(2)
    want = crgb.crop_and_resize_grad_boxes(*p.args()).copy()
    out = crgb.crop_and_resize_grad_boxes(*[a.copy() for a in p.args()])
    gc.collect()
    assert same_bits(out, want)


@pytest.mark.parametrize("dtype", problems.DTYPES)
def test_non_contiguous_inputs_give_the_contiguous_result(dtype):
    """Strided, reversed, transposed and Fortran-order inputs are copied to C
    order once and give exactly the contiguous inputs' result; the caller's
    arrays are untouched."""
    p = problem(3, dtype)
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    wide = [np.repeat(a, 2, axis=-1) for a in (p.grads, p.image, p.boxes)]  # every other element
    grads, image, boxes = (w[..., ::2] for w in wide)
    box_ind = np.repeat(p.box_ind[::-1], 1)[::-1]  # negative stride
    assert not boxes.flags.c_contiguous and not box_ind.flags.c_contiguous
    before = [a.copy() for a in (grads, image, boxes, box_ind)]
    assert same_bits(crgb.crop_and_resize_grad_boxes(grads, image, boxes, box_ind), want)
    for a, b in zip((grads, image, boxes, box_ind), before):
        np.testing.assert_array_equal(a, b)
    fortran = [np.asfortranarray(a) for a in p.args()]
    assert same_bits(crgb.crop_and_resize_grad_boxes(*fortran), want)


def test_read_only_and_byte_swapped_inputs():
    p = problem(4, "uint16")
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    frozen = [a.copy() for a in p.args()]
    for a in frozen:
        a.setflags(write=False)
    assert same_bits(crgb.crop_and_resize_grad_boxes(*frozen), want)
    swapped = [a.astype(a.dtype.newbyteorder(">")) for a in p.args()]
    assert same_bits(crgb.crop_and_resize_grad_boxes(*swapped), want)


def test_python_sequences_take_the_ops_dtypes():
    p = problem(5, "float64")
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    got = crgb.crop_and_resize_grad_boxes(p.grads.tolist(), p.image, p.boxes.tolist(),
                                          p.box_ind.tolist())
    assert same_bits(got, want)


def test_zero_boxes_and_zero_depth():
    p = problem(6, "int8")
    none = crgb.crop_and_resize_grad_boxes(p.grads[:0], p.image, p.boxes[:0], p.box_ind[:0])
    assert none.shape == (0, 4) and none.dtype == np.float32
    flat = crgb.crop_and_resize_grad_boxes(p.grads[..., :0], p.image[..., :0], p.boxes, p.box_ind)
    assert same_bits(flat, np.zeros((p.boxes.shape[0], 4), np.float32))


def test_any_dlpack_producer_gives_numpy():
    p = problem(7, "int32")
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    got = crgb.crop_and_resize_grad_boxes(*[DLPackOnly(a) for a in p.args()])
    assert type(got) is np.ndarray and same_bits(got, want)


def test_tensorflow_in_tensorflow_out():
    tf = pytest.importorskip("tensorflow")
    p = problem(8, "float16")
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    got = crgb.crop_and_resize_grad_boxes(*[tf.constant(a) for a in p.args()])
    assert isinstance(got, tf.Tensor) and got.dtype == tf.float32
    assert same_bits(got.numpy(), want)
    # Mixed: the first argument that is not NumPy decides.
    mixed = crgb.crop_and_resize_grad_boxes(p.grads, tf.constant(p.image), p.boxes, p.box_ind)
    assert isinstance(mixed, tf.Tensor) and same_bits(mixed.numpy(), want)
    # An ordinary tensor for TensorFlow's own ops.
    assert same_bits((got * 2).numpy(), want * 2)


def test_cuda_pinned_host_memory_is_read_as_host_memory():
    p = problem(9)
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    got = crgb.crop_and_resize_grad_boxes(*[FakeDeviceArray(a, KDL_CUDA_HOST) for a in p.args()])
    assert same_bits(got, want)


def test_memory_no_variant_reads_is_unavailable():
    p = problem(10)
    args = list(p.args())
    args[1] = FakeDeviceArray(p.image, KDL_ROCM)
    with pytest.raises(crgb.UnavailableError) as e:
        crgb.crop_and_resize_grad_boxes(*args)
    assert str(e.value) == "image is in rocm memory, which crgb cannot read (host and CUDA only)"


def test_cuda_tensors_go_to_the_c_api_as_cuda_descriptors():
    """CUDA device memory is passed on as CRGB_DEVICE_CUDA: with no GPU here the
    C API refuses it, Unavailable when the build has a CUDA variant and
    Unimplemented when it has none, before reading any data."""
    if any("cuda" in v.target for v in crgb.variants(available_only=True)):
        pytest.skip("a GPU is present: fake device pointers must not reach it")
    p = problem(11)
    has_cuda_variant = any("cuda" in v.target for v in crgb.variants())
    expected = crgb.UnavailableError if has_cuda_variant else crgb.UnimplementedError
    with pytest.raises(expected, match="CUDA|device memory"):
        crgb.crop_and_resize_grad_boxes(*[FakeDeviceArray(a, KDL_CUDA) for a in p.args()])
    # Host and CUDA memory mixed: one op runs in one place.
    mixed = list(p.args())
    mixed[0] = FakeDeviceArray(p.grads, KDL_CUDA)
    with pytest.raises(crgb.Error):
        crgb.crop_and_resize_grad_boxes(*mixed)
