"""crgb.crop_and_resize and crgb.crop_and_resize_grad_image without TensorFlow
(test_family_vs_tensorflow.py compares with TensorFlow itself): every variant
against family.py's NumPy re-implementation of TensorFlow's kernels, arrays in
and out, bfloat16, the output dtype argument, errors, determinism, threads.
Runs under both test interpreters (NumPy 2 with ml_dtypes, NumPy 1.24 without)."""

import gc
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import crgb
import family
import gil
import problems
from fake_dlpack import KDL_CUDA, KDL_CUDA_HOST, KDL_ROCM, DLPackOnly, FakeDeviceArray
from problems import same_bits

GRAD_IMAGE_DTYPES = ["float16", "float32", "float64", "bfloat16"]
NUMPY_GRAD_IMAGE_DTYPES = ["float16", "float32", "float64"]  # without ml_dtypes
AUTO = problems.AUTOSCHEDULED  # built for uint8 and float32 only


def problem(salt, dtype="float32", min_boxes=2):
    return problems.random_problem(problems.rng(salt), dtype, min_boxes=min_boxes)


def crop_args(p):
    return p.image, p.boxes, p.box_ind, p.grads.shape[1:3]


def grad_args(p):
    return p.grads, p.boxes, p.box_ind, p.image.shape


def variants_with(op):
    return [v.name for v in crgb.variants(available_only=True) if op in v.ops]


def needs_ml_dtypes():
    return pytest.importorskip("ml_dtypes")


def within(got, want, tol):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    with np.errstate(invalid="ignore"):
        return (got == want) | (np.isnan(got) & np.isnan(want)) | (np.abs(got - want) <= tol)


# --------------------------------------------------------------------------------------
# Results: every variant against the NumPy kernels


@pytest.mark.parametrize("dtype", problems.DTYPES + ["bfloat16"])
def test_every_variant_crops_as_tensorflows_kernel(dtype):
    """Each variant implementing crop_and_resize, for each image dtype it is
    built for, both methods: the reference bit for bit like
    family.crop_and_resize (itself TensorFlow's bits, see
    test_family_vs_tensorflow.py), the others within family.crop_tolerance."""
    if dtype == "bfloat16":
        bf16 = needs_ml_dtypes().bfloat16
    r = problems.rng(5000 + len(dtype))
    for i in range(8):
        p = problems.random_problem(r, "float32" if dtype == "bfloat16" else dtype)
        image = p.image.astype(bf16) if dtype == "bfloat16" else p.image
        crop_size = p.grads.shape[1:3]
        for method in ("bilinear", "nearest"):
            value = [0.0, -2.5, np.nan][i % 3]
            want, scale = family.crop_and_resize(image, p.boxes, p.box_ind, crop_size, method,
                                                 value)
            tol = family.crop_tolerance(scale, image.shape)
            for variant in variants_with("crop_and_resize"):
                try:
                    got = crgb.crop_and_resize(image, p.boxes, p.box_ind, crop_size, method,
                                               value, variant=variant)
                except crgb.UnimplementedError:
                    assert not problems.built_for(variant, dtype), variant
                    continue
                if variant == "reference":
                    assert same_bits(got, want), (method, value, p)
                assert np.all(within(got, want, tol)), (variant, method, value, p)


@pytest.mark.parametrize("dtype", GRAD_IMAGE_DTYPES)
def test_every_variant_sums_the_image_gradient_as_tensorflows_kernel(dtype):
    """As above for crop_and_resize_grad_image and family.grad_image."""
    if dtype == "bfloat16":
        needs_ml_dtypes()
    r = problems.rng(5100 + GRAD_IMAGE_DTYPES.index(dtype))
    for i in range(8):
        p = problems.random_problem(r, "float32")
        for method in ("bilinear", "nearest"):
            want, scale, terms = family.grad_image(*grad_args(p), dtype, method)
            tol = family.grad_image_tolerance(scale, terms, dtype, p.image.shape)
            for variant in variants_with("grad_image"):
                if not problems.built_for(variant, dtype):
                    continue  # OpenCL: no float16 (Unimplemented: tests/dispatcher_test.cpp)
                got = crgb.crop_and_resize_grad_image(*grad_args(p), dtype, method,
                                                      variant=variant)
                assert got.dtype == want.dtype and got.shape == want.shape
                if variant == "reference":
                    assert got.tobytes() == want.tobytes(), (method, p)
                assert np.all(within(got, want, tol)), (variant, method, p)


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_grad_image_is_the_adjoint_of_crop_and_resize(method):
    """<crop_and_resize(image), g> = <image, grad_image(g)> (extrapolation 0):
    both sides summed in float64, from float32 crops (each within 6u of S, the
    sum of its corners' absolute values, u = 2^-24) and float64 image
    gradients of float32 shares (each within 4u of its size), so they agree
    to 16u * sum(|g| * S) (family.crop_and_resize's S), for every variant."""
    r = problems.rng(5200)
    for _ in range(6):
        p = problems.random_problem(r, "float32", min_boxes=1)
        crop_size = p.grads.shape[1:3]
        _, scale = family.crop_and_resize(p.image, p.boxes, p.box_ind, crop_size, method)
        tol = 16 * family.U * np.sum(np.abs(p.grads.astype(np.float64)) * scale) + 1e-30
        for variant in set(variants_with("crop_and_resize")) & set(variants_with("grad_image")):
            crops = crgb.crop_and_resize(*crop_args(p), method, variant=variant)
            grad = crgb.crop_and_resize_grad_image(*grad_args(p), "float64", method,
                                                   variant=variant)
            lhs = np.sum(crops.astype(np.float64) * p.grads)
            rhs = np.sum(p.image.astype(np.float64) * grad)
            assert abs(lhs - rhs) <= tol, (variant, lhs, rhs, tol, p)


def test_ops_are_what_each_variant_runs():
    """Variant.ops: a variant runs the ops it lists (for float32, which every
    variant is built for) and is Unimplemented for the others."""
    p = problem(5300, min_boxes=1)
    calls = {
        "grad_boxes": lambda v: crgb.crop_and_resize_grad_boxes(*p.args(), variant=v),
        "crop_and_resize": lambda v: crgb.crop_and_resize(*crop_args(p), variant=v),
        "grad_image": lambda v: crgb.crop_and_resize_grad_image(*grad_args(p), variant=v),
    }
    for v in crgb.variants(available_only=True):
        for op, call in calls.items():
            if op in v.ops:
                call(v.name)
            else:
                with pytest.raises(crgb.UnimplementedError, match=f"{v.name}.*{op}"):
                    call(v.name)


# --------------------------------------------------------------------------------------
# Arrays in and out


def test_numpy_in_numpy_out():
    p = problem(1)
    crops = crgb.crop_and_resize(*crop_args(p))
    assert type(crops) is np.ndarray and crops.dtype == np.float32
    assert crops.shape == (p.boxes.shape[0], *p.grads.shape[1:3], p.image.shape[3])
    assert crops.flags.c_contiguous and crops.flags.writeable and crops.ctypes.data % 64 == 0
    crops += 1  # the caller owns it
    for dtype in NUMPY_GRAD_IMAGE_DTYPES:
        grad = crgb.crop_and_resize_grad_image(*grad_args(p), dtype)
        assert type(grad) is np.ndarray and grad.dtype == np.dtype(dtype)
        assert grad.shape == p.image.shape and grad.flags.c_contiguous and grad.flags.writeable
        grad += 1


def test_default_dtype_method_and_extrapolation():
    p = problem(2)
    assert same_bits(crgb.crop_and_resize(*crop_args(p)),
                     crgb.crop_and_resize(*crop_args(p), "bilinear", 0.0))
    default = crgb.crop_and_resize_grad_image(*grad_args(p))
    assert default.dtype == np.float32
    assert default.tobytes() == crgb.crop_and_resize_grad_image(*grad_args(p), "float32",
                                                                "bilinear").tobytes()


def test_results_outlive_inputs():
    p = problem(3)
    want_c = crgb.crop_and_resize(*crop_args(p)).copy()
    want_g = crgb.crop_and_resize_grad_image(*grad_args(p)).copy()
    c = crgb.crop_and_resize(*[np.array(a) for a in crop_args(p)[:3]],
                             np.array(p.grads.shape[1:3], np.int32))
    g = crgb.crop_and_resize_grad_image(*[np.array(a) for a in grad_args(p)[:3]],
                                        np.array(p.image.shape, np.int32))
    gc.collect()
    assert same_bits(c, want_c) and same_bits(g, want_g)


@pytest.mark.parametrize("dtype", problems.DTYPES)
def test_non_contiguous_read_only_and_byte_swapped_inputs(dtype):
    """Strided, reversed, Fortran-order, read-only and big-endian inputs give
    exactly the plain inputs' results, and are left untouched."""
    p = problem(4, dtype)
    want_c = crgb.crop_and_resize(*crop_args(p))
    want_g = crgb.crop_and_resize_grad_image(*grad_args(p))
    wide = [np.repeat(a, 2, axis=-1) for a in (p.grads, p.image, p.boxes)]
    grads, image, boxes = (w[..., ::2] for w in wide)
    box_ind = np.repeat(p.box_ind[::-1], 1)[::-1]
    crop_size = np.repeat(np.int32(p.grads.shape[1:3]), 2)[::2]
    image_size = np.repeat(np.int32(p.image.shape), 2)[::2]
    assert not image.flags.c_contiguous and not crop_size.flags.c_contiguous
    before = [a.copy() for a in (grads, image, boxes, box_ind)]
    assert same_bits(crgb.crop_and_resize(image, boxes, box_ind, crop_size), want_c)
    assert same_bits(crgb.crop_and_resize_grad_image(grads, boxes, box_ind, image_size), want_g)
    for a, b in zip((grads, image, boxes, box_ind), before):
        np.testing.assert_array_equal(a, b)
    fortran = [np.asfortranarray(a) for a in (p.image, p.boxes)]
    assert same_bits(crgb.crop_and_resize(*fortran, p.box_ind, p.grads.shape[1:3]), want_c)
    frozen = [a.copy() for a in crop_args(p)[:3]]
    for a in frozen:
        a.setflags(write=False)
    assert same_bits(crgb.crop_and_resize(*frozen, p.grads.shape[1:3]), want_c)
    swapped = [a.astype(a.dtype.newbyteorder(">")) for a in p.args()]
    assert same_bits(crgb.crop_and_resize(*swapped[1:], np.array(p.grads.shape[1:3], ">i4")),
                     want_c)
    assert same_bits(crgb.crop_and_resize_grad_image(swapped[0], *swapped[2:],
                                                     np.array(p.image.shape, ">i4")), want_g)


def test_sizes_and_python_sequences():
    """crop_size and image_size as tuples, lists, int32 arrays (NumPy ints in
    a list included); boxes and box_ind as lists: the ops' dtypes."""
    p = problem(5, "uint16")
    want_c = crgb.crop_and_resize(*crop_args(p))
    want_g = crgb.crop_and_resize_grad_image(*grad_args(p))
    ch, cw = p.grads.shape[1:3]
    for crop_size in ([ch, cw], (np.int64(ch), np.int32(cw)), np.array([ch, cw], np.int32)):
        assert same_bits(crgb.crop_and_resize(p.image, p.boxes.tolist(), p.box_ind.tolist(),
                                              crop_size), want_c)
    for image_size in (list(p.image.shape), np.array(p.image.shape, np.int32)):
        got = crgb.crop_and_resize_grad_image(p.grads.tolist(), p.boxes, p.box_ind, image_size)
        assert same_bits(got, want_g)


def test_empty_results():
    p = problem(6, "int8")
    n = p.boxes.shape[0]
    _, h, w, d = p.image.shape
    none = crgb.crop_and_resize(p.image, p.boxes[:0], p.box_ind[:0], (3, 2))
    assert none.shape == (0, 3, 2, d) and none.dtype == np.float32
    flat = crgb.crop_and_resize(p.image[..., :0], p.boxes, p.box_ind, (3, 2))
    assert flat.shape == (n, 3, 2, 0)
    zeros = crgb.crop_and_resize_grad_image(p.grads[:0], p.boxes[:0], p.box_ind[:0], p.image.shape)
    assert same_bits(zeros, np.zeros(p.image.shape, np.float32))
    for dtype in NUMPY_GRAD_IMAGE_DTYPES:
        nothing = crgb.crop_and_resize_grad_image(p.grads[:0], p.boxes[:0], p.box_ind[:0],
                                                  (0, h, w, d), dtype)
        assert nothing.shape == (0, h, w, d) and nothing.dtype == np.dtype(dtype)


def test_any_dlpack_producer_gives_numpy():
    if not hasattr(np.ndarray, "__dlpack__"):
        pytest.skip("this NumPy exports no DLPack")
    p = problem(7, "int32")
    want_c = crgb.crop_and_resize(*crop_args(p))
    want_g = crgb.crop_and_resize_grad_image(*grad_args(p))
    got_c = crgb.crop_and_resize(*[DLPackOnly(a) for a in crop_args(p)[:3]],
                                 DLPackOnly(np.int32(p.grads.shape[1:3])))
    got_g = crgb.crop_and_resize_grad_image(*[DLPackOnly(a) for a in grad_args(p)[:3]],
                                            DLPackOnly(np.int32(p.image.shape)))
    assert type(got_c) is np.ndarray and same_bits(got_c, want_c)
    assert type(got_g) is np.ndarray and same_bits(got_g, want_g)


def test_memory_kinds():
    """CUDA-pinned host memory is read as host memory; memory no variant reads
    is Unavailable; CUDA device memory goes to the C API as such, which with no
    GPU here refuses it before reading any data (Unavailable when the build has
    a CUDA variant, as for the box gradient, Unimplemented when it has none);
    crop_size and image_size must be in host memory, as TensorFlow keeps them."""
    p = problem(8)
    want = crgb.crop_and_resize(*crop_args(p))
    pinned = [FakeDeviceArray(a, KDL_CUDA_HOST) for a in crop_args(p)[:3]]
    assert same_bits(crgb.crop_and_resize(*pinned, p.grads.shape[1:3]), want)
    with pytest.raises(crgb.UnavailableError) as e:
        crgb.crop_and_resize(FakeDeviceArray(p.image, KDL_ROCM), *crop_args(p)[1:])
    assert str(e.value) == "image is in rocm memory, which crgb cannot read (host and CUDA only)"
    with pytest.raises(crgb.UnavailableError, match="^image_size is in rocm memory"):
        crgb.crop_and_resize_grad_image(*grad_args(p)[:3],
                                        FakeDeviceArray(np.int32(p.image.shape), KDL_ROCM))
    with pytest.raises(crgb.InvalidArgumentError, match="^crop_size must be in host memory$"):
        crgb.crop_and_resize(*crop_args(p)[:3],
                             FakeDeviceArray(np.int32(p.grads.shape[1:3]), KDL_CUDA))
    if any("cuda" in v.target for v in crgb.variants(available_only=True)):
        return  # a GPU is present: fake device pointers must not reach it
    has_cuda_variant = any("cuda" in v.target for v in crgb.variants())
    expected = crgb.UnavailableError if has_cuda_variant else crgb.UnimplementedError
    cuda = [FakeDeviceArray(a, KDL_CUDA) for a in crop_args(p)[:3]]
    with pytest.raises(expected, match="CUDA"):
        crgb.crop_and_resize(*cuda, p.grads.shape[1:3])
    cuda = [FakeDeviceArray(a, KDL_CUDA) for a in grad_args(p)[:3]]
    with pytest.raises(expected, match="CUDA"):
        crgb.crop_and_resize_grad_image(*cuda, p.image.shape)
    mixed = list(crop_args(p))
    mixed[1] = FakeDeviceArray(p.boxes, KDL_CUDA)
    with pytest.raises(crgb.InvalidArgumentError, match="same memory"):
        crgb.crop_and_resize(*mixed)


def test_tensorflow_in_tensorflow_out():
    """tf.Tensor inputs (bfloat16 images and outputs included): tf.Tensor
    results with the NumPy calls' bits; crop_size and image_size as int32
    tensors too."""
    tf = pytest.importorskip("tensorflow")
    p = problem(30, "float16")
    crop_size = p.grads.shape[1:3]
    want = crgb.crop_and_resize(*crop_args(p))
    got = crgb.crop_and_resize(tf.constant(p.image), p.boxes, p.box_ind,
                               tf.constant(crop_size, tf.int32))
    assert isinstance(got, tf.Tensor) and got.dtype == tf.float32
    assert same_bits(got.numpy(), want)
    image = tf.cast(tf.constant(p.image), tf.bfloat16)
    got = crgb.crop_and_resize(image, p.boxes, p.box_ind, crop_size)
    assert same_bits(got.numpy(), crgb.crop_and_resize(tf.cast(image, tf.float32).numpy(),
                                                       *crop_args(p)[1:]))
    for dtype in GRAD_IMAGE_DTYPES:
        want = crgb.crop_and_resize_grad_image(*grad_args(p), dtype)
        got = crgb.crop_and_resize_grad_image(tf.constant(p.grads), tf.constant(p.boxes),
                                              tf.constant(p.box_ind),
                                              tf.constant(p.image.shape, tf.int32), dtype)
        assert isinstance(got, tf.Tensor) and got.dtype.name == dtype
        assert got.numpy().tobytes() == want.tobytes()
    # tf.TensorShape as image_size, and TensorFlow dtypes as the dtype.
    got = crgb.crop_and_resize_grad_image(*grad_args(p)[:3], tf.TensorShape(p.image.shape),
                                          tf.half)
    assert got.dtype == np.float16


# --------------------------------------------------------------------------------------
# bfloat16


def test_bfloat16_numpy_images_read_as_their_float32_values():
    """ml_dtypes.bfloat16 images: every op gives exactly what the float32
    image of the same values gives (the conversion is exact), on every variant
    built for bfloat16; the caller's array is untouched."""
    bf16 = needs_ml_dtypes().bfloat16
    p = problem(9, min_boxes=3)
    image = p.image.astype(bf16)
    values = image.astype(np.float32)
    before = image.copy()
    for variant in variants_with("crop_and_resize"):
        if variant.endswith(AUTO):
            continue  # uint8 and float32 only
        for method in ("bilinear", "nearest"):
            want = crgb.crop_and_resize(values, *crop_args(p)[1:], method, -1.0, variant=variant)
            got = crgb.crop_and_resize(image, *crop_args(p)[1:], method, -1.0, variant=variant)
            assert same_bits(got, want), (variant, method)
    for variant in variants_with("grad_boxes"):
        if variant.endswith(AUTO):
            continue
        want = crgb.crop_and_resize_grad_boxes(p.grads, values, p.boxes, p.box_ind,
                                               variant=variant)
        got = crgb.crop_and_resize_grad_boxes(p.grads, image, p.boxes, p.box_ind,
                                              variant=variant)
        assert same_bits(got, want), variant
    assert image.tobytes() == before.tobytes()


def test_bfloat16_numpy_output():
    bf16 = needs_ml_dtypes().bfloat16
    p = problem(10)
    got = crgb.crop_and_resize_grad_image(*grad_args(p), "bfloat16", variant="reference")
    assert type(got) is np.ndarray and got.dtype == bf16 and got.shape == p.image.shape
    want = family.grad_image(*grad_args(p), "bfloat16")[0]
    assert got.tobytes() == want.tobytes()
    got += bf16(1)  # an ordinary, writable ml_dtypes array
    for spelling in (bf16, np.dtype(bf16)):
        again = crgb.crop_and_resize_grad_image(*grad_args(p), spelling, variant="reference")
        assert again.tobytes() == want.tobytes()


def test_bfloat16_numpy_output_without_ml_dtypes_is_a_clear_error(monkeypatch):
    """Where ml_dtypes does not import, dtype="bfloat16" with NumPy inputs
    raises ImportError naming it, before computing (even on inputs that would
    fail), while float32 still works."""
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # `import ml_dtypes` fails
    p = problem(11)
    with pytest.raises(ImportError, match="ml_dtypes") as e:
        crgb.crop_and_resize_grad_image(*grad_args(p), "bfloat16")
    assert "dtype='bfloat16'" in str(e.value) and "pip install ml_dtypes" in str(e.value)
    with pytest.raises(ImportError, match="ml_dtypes"):
        crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind + 99, p.image.shape,
                                        "bfloat16")
    assert crgb.crop_and_resize_grad_image(*grad_args(p), "float32").dtype == np.float32


def test_bfloat16_where_the_op_wants_float32_is_invalid_argument():
    bf16 = needs_ml_dtypes().bfloat16
    p = problem(12)
    with pytest.raises(crgb.InvalidArgumentError, match="^boxes must be float32, got bfloat16$"):
        crgb.crop_and_resize(p.image, p.boxes.astype(bf16), p.box_ind, p.grads.shape[1:3])
    with pytest.raises(crgb.InvalidArgumentError, match="^grads must be float32, got bfloat16$"):
        crgb.crop_and_resize_grad_image(p.grads.astype(bf16), *grad_args(p)[1:])


# --------------------------------------------------------------------------------------
# The output dtype argument, and errors


def test_output_dtype_spellings():
    p = problem(13)
    for name, spellings in (("float16", (np.float16, np.dtype("float16"), "half")),
                            ("float32", (np.float32, "float")),
                            ("float64", (np.float64, np.dtype("<f8"), "double"))):
        want = crgb.crop_and_resize_grad_image(*grad_args(p), name)
        for spelling in spellings:
            got = crgb.crop_and_resize_grad_image(*grad_args(p), spelling)
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), spelling


@pytest.mark.parametrize("dtype", ["int32", "uint8", np.int64, "complex64", "float8", "", "f4"])
def test_other_output_dtypes_are_invalid_argument(dtype):
    """Any other dtype, and other spellings than the names ("f4")."""
    p = problem(14)
    name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    with pytest.raises(crgb.InvalidArgumentError) as e:
        crgb.crop_and_resize_grad_image(*grad_args(p), dtype)
    assert str(e.value) == ("the output dtype must be float16, float32, float64 or bfloat16, "
                            f"got {name}")


def test_tensorflows_messages():
    """The messages TensorFlow gives (test_family_vs_tensorflow.py checks them
    against TensorFlow; these run everywhere), with the classes of crgb."""
    p = problem(15)
    image, boxes, box_ind, crop_size = crop_args(p)
    grads, _, _, image_size = grad_args(p)
    batch = image.shape[0]
    nan_boxes = boxes.copy()
    nan_boxes[0, 3] = np.nan
    cases = [
        (lambda: crgb.crop_and_resize(image, boxes, box_ind + batch, crop_size),
         crgb.OutOfRangeError, "box_index has values outside [0, batch_size)"),
        (lambda: crgb.crop_and_resize_grad_image(grads, boxes, box_ind - batch, image_size),
         crgb.OutOfRangeError, "box_index has values outside [0, batch_size)"),
        (lambda: crgb.crop_and_resize(image, nan_boxes, box_ind, crop_size),
         crgb.InvalidArgumentError, "Boxes contains at least one element that is not finite"),
        (lambda: crgb.crop_and_resize_grad_image(grads, nan_boxes, box_ind, image_size),
         crgb.InvalidArgumentError, "Boxes contains at least one element that is not finite"),
        (lambda: crgb.crop_and_resize(image, boxes, box_ind, (0, 3)),
         crgb.InvalidArgumentError, "crop dimensions must be positive"),
        (lambda: crgb.crop_and_resize(image, boxes, box_ind, (3, 3, 3)),
         crgb.InvalidArgumentError, "crop_size must have two elements[3]"),
        (lambda: crgb.crop_and_resize(image, boxes, box_ind, [[3, 3]]),
         crgb.InvalidArgumentError, "crop_size must be 1-D[1,2]"),
        (lambda: crgb.crop_and_resize(image[0], boxes, box_ind, crop_size),
         crgb.InvalidArgumentError,
         "input image must be 4-D" + str(list(image.shape[1:])).replace(" ", "")),
        (lambda: crgb.crop_and_resize_grad_image(grads, boxes, box_ind, image_size[:3]),
         crgb.InvalidArgumentError, "image_size must have 4 elements[3]"),
        (lambda: crgb.crop_and_resize_grad_image(grads, boxes, box_ind, [image_size]),
         crgb.InvalidArgumentError, "image_size must be 1-D[1,4]"),
        (lambda: crgb.crop_and_resize_grad_image(grads, boxes, box_ind,
                                                 (*image_size[:3], image_size[3] + 1)),
         crgb.InvalidArgumentError, "image_size and grads are incompatible"),
        (lambda: crgb.crop_and_resize_grad_image(grads, boxes, box_ind,
                                                 (batch, 0, *image_size[2:])),
         crgb.InvalidArgumentError, "image dimensions must be positive"),
        (lambda: crgb.crop_and_resize_grad_image(grads, boxes, box_ind, (-1, *image_size[1:])),
         crgb.InvalidArgumentError, "Expected a non-negative size, got -1"),
        (lambda: crgb.crop_and_resize_grad_image(grads[:1], boxes, box_ind, image_size),
         crgb.InvalidArgumentError, "boxes and grads have incompatible shape"),
    ]
    for call, cls, message in cases:
        with pytest.raises(crgb.Error) as e:
            call()
        assert type(e.value) is cls and str(e.value) == message


def test_crgbs_own_errors():
    """What TensorFlow words otherwise or does not check: the method (TensorFlow
    lists its allowed values), the variant, NUL characters, non-arrays."""
    p = problem(16)
    for call in (lambda m: crgb.crop_and_resize(*crop_args(p), method=m),
                 lambda m: crgb.crop_and_resize_grad_image(*grad_args(p), method=m)):
        with pytest.raises(crgb.InvalidArgumentError) as e:
            call("bicubic")
        assert str(e.value) == "method must be 'bilinear' or 'nearest'"
        with pytest.raises(crgb.InvalidArgumentError, match="method contains a NUL"):
            call("nearest\0")
    with pytest.raises(crgb.InvalidArgumentError, match="^'no_such_isa' names no variant"):
        crgb.crop_and_resize(*crop_args(p), variant="no_such_isa")
    with pytest.raises(crgb.InvalidArgumentError, match="variant contains a NUL"):
        crgb.crop_and_resize_grad_image(*grad_args(p), variant="reference\0")
    with pytest.raises(TypeError):
        crgb.crop_and_resize(object(), *crop_args(p)[1:])
    with pytest.raises(ValueError):  # float("zero")
        crgb.crop_and_resize(*crop_args(p), extrapolation_value="zero")
    with pytest.raises(TypeError):
        crgb.crop_and_resize_grad_image(*grad_args(p), variant=3)
    for v in crgb.variants():
        if not v.available:
            with pytest.raises(crgb.UnavailableError, match=v.name):
                crgb.crop_and_resize(*crop_args(p), variant=v.name)


def test_extrapolation_value_is_a_float32():
    """TensorFlow's attribute is a float: a double argument is rounded to
    float32 first, and written unchanged (infinities and NaN too)."""
    p = problem(17)
    boxes = np.array([[-1.0, -1.0, 2.0, 2.0]] * p.boxes.shape[0], np.float32)
    for value in (0.1, 1e300, -np.inf, np.nan, np.float16(3.5), -0.0):
        with np.errstate(over="ignore"):  # 1e300 to float32: inf, as TensorFlow's attribute
            want = np.float32(value)
        crops = crgb.crop_and_resize(p.image, boxes, p.box_ind, (5, 5), extrapolation_value=value)
        corner = crops[:, 0, 0]  # box corner (-1, -1): outside
        assert same_bits(corner, np.full_like(corner, want)), value


# --------------------------------------------------------------------------------------
# Determinism, threads


def test_grad_image_is_bit_identical_run_to_run_and_for_any_thread_count():
    """Many boxes onto one small image (every element summed from many
    shares): each variant's result is the same bits every time, with 1, 3 or
    the default number of Halide threads."""
    r = problems.rng(18)
    n, depth = 64, 5
    grads = r.standard_normal((n, 6, 7, depth)).astype(np.float32)
    boxes = r.uniform(-0.1, 1.1, (n, 4)).astype(np.float32)
    box_ind = r.integers(0, 2, n).astype(np.int32)
    size = (2, 9, 11, depth)
    previous = crgb.set_num_threads(0)
    try:
        for dtype in NUMPY_GRAD_IMAGE_DTYPES:
            for variant in variants_with("grad_image"):
                if not problems.built_for(variant, dtype):
                    continue
                results = []
                for threads in (0, 1, 3, 0):
                    crgb.set_num_threads(threads)
                    for method in ("bilinear", "nearest"):
                        results.append(crgb.crop_and_resize_grad_image(
                            grads, boxes, box_ind, size, dtype, method, variant=variant).tobytes())
                assert results[0::2] == [results[0]] * 4, (dtype, variant)
                assert results[1::2] == [results[1]] * 4, (dtype, variant)
    finally:
        crgb.set_num_threads(previous)


def test_concurrent_calls_equal_sequential_ones():
    r = problems.rng(19)
    jobs = []
    for i in range(36):
        p = problems.random_problem(r, problems.DTYPES[i % len(problems.DTYPES)], min_boxes=1)
        jobs.append((i % 3, p, ["bilinear", "nearest"][i % 2]))

    def run(job):
        kind, p, method = job
        if kind == 0:
            return crgb.crop_and_resize(*crop_args(p), method)
        if kind == 1:
            return crgb.crop_and_resize_grad_image(*grad_args(p), "float64", method)
        return crgb.crop_and_resize_grad_boxes(*p.args())

    want = [run(job).tobytes() for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = [g.tobytes() for g in pool.map(run, jobs * 3)]
    assert got == want * 3


@pytest.mark.parametrize("op", ["crop_and_resize", "grad_image"])
def test_the_gil_is_released_while_computing(op):
    """While another thread runs long reference-variant calls, this one keeps
    running Python: its longest pause is far shorter than one call. (The image
    gradient in float16, whose every addition rounds through float32 in
    software, to make the call long enough to tell.)"""
    r = problems.rng(20)
    n, crop, depth = 256, 32, 64  # 16.8M crop elements, 67 MB
    image = r.standard_normal((1, 48, 48, depth)).astype(np.float32)
    grads = r.standard_normal((n, crop, crop, depth)).astype(np.float32)
    boxes = r.uniform(0, 1, (n, 4)).astype(np.float32)
    box_ind = np.zeros(n, np.int32)

    def call():
        if op == "crop_and_resize":
            return crgb.crop_and_resize(image, boxes, box_ind, (crop, crop), variant="reference")
        return crgb.crop_and_resize_grad_image(grads, boxes, box_ind, image.shape, "float16",
                                               variant="reference")

    gil.assert_releases_the_gil(call)


# --------------------------------------------------------------------------------------
# The CLI (the same C calls)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("CRGB_CLI", os.path.join(REPO, "build", "cli", "crgb"))


def cli_has(command):
    if not os.access(CLI, os.X_OK):
        return False
    run = subprocess.run([CLI, command, "--help"], capture_output=True, text=True)
    return run.returncode == 0


@pytest.mark.skipif(not (cli_has("crop-and-resize") and cli_has("grad-image")),
                    reason=f"no crgb CLI with crop-and-resize and grad-image at {CLI}")
def test_results_and_messages_are_the_clis(tmp_path):
    """`crgb crop-and-resize` and `crgb grad-image` make the same C calls: the
    same bits on success, and on error '<Class>: <message>' on stderr with the
    class and message of the Python exception."""
    p = problem(40, "int16", min_boxes=2)
    ch, cw = p.grads.shape[1:3]

    def save(name, a):
        path = str(tmp_path / f"{name}.npy")
        np.save(path, a)
        return path

    def crop_cmd(image, boxes, box_ind, crop_size, *flags):
        return [CLI, "crop-and-resize", "--image", save("image", image),
                "--boxes", save("boxes", boxes), "--box-ind", save("box_ind", box_ind),
                "--crop-size", ",".join(str(int(s)) for s in crop_size), *flags]

    def grad_cmd(grads, boxes, box_ind, image_size, *flags):
        return [CLI, "grad-image", "--grads", save("grads", grads),
                "--boxes", save("boxes", boxes), "--box-ind", save("box_ind", box_ind),
                "--image-size", ",".join(str(int(s)) for s in image_size), *flags]

    nan_boxes = p.boxes.copy()
    nan_boxes[0, 0] = np.nan
    bad_size = (-1, *p.image.shape[1:])
    cases = [  # (the command, which writes its .npy files when made; the Python call)
        (lambda: crop_cmd(*crop_args(p), "--method", "nearest", "--extrapolation-value", "-2.5"),
         lambda: crgb.crop_and_resize(*crop_args(p), "nearest", -2.5)),
        (lambda: grad_cmd(*grad_args(p), "--dtype", "float16"),
         lambda: crgb.crop_and_resize_grad_image(*grad_args(p), "float16")),
        (lambda: crop_cmd(p.image, p.boxes, p.box_ind + 9, (ch, cw)),
         lambda: crgb.crop_and_resize(p.image, p.boxes, p.box_ind + 9, (ch, cw))),
        (lambda: crop_cmd(p.image, nan_boxes, p.box_ind, (ch, cw)),
         lambda: crgb.crop_and_resize(p.image, nan_boxes, p.box_ind, (ch, cw))),
        (lambda: crop_cmd(p.image, p.boxes, p.box_ind, (0, cw)),
         lambda: crgb.crop_and_resize(p.image, p.boxes, p.box_ind, (0, cw))),
        (lambda: crop_cmd(*crop_args(p), "--method", "bicubic"),
         lambda: crgb.crop_and_resize(*crop_args(p), "bicubic")),
        (lambda: grad_cmd(p.grads, p.boxes, p.box_ind, bad_size),
         lambda: crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, bad_size)),
        (lambda: grad_cmd(p.grads[..., :1], p.boxes, p.box_ind, p.image.shape),
         lambda: crgb.crop_and_resize_grad_image(p.grads[..., :1], p.boxes, p.box_ind,
                                                 p.image.shape)),
    ]
    out = str(tmp_path / "out.npy")
    for command, call in cases:
        cmd = command() + ["--out", out]
        run = subprocess.run(cmd, capture_output=True, text=True)
        try:
            got = call()
        except crgb.Error as e:
            assert run.returncode == 2 and f"{e.status}: {e}" == run.stderr.strip(), cmd
            continue
        assert run.returncode == 0, (cmd, run.stderr)
        assert np.load(out).tobytes() == got.tobytes(), cmd
