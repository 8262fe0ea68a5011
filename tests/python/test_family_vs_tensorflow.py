"""crgb.crop_and_resize and crgb.crop_and_resize_grad_image against TensorFlow's
own kernels, tf.image.crop_and_resize and tf.raw_ops.CropAndResizeGradImage
(under tf.config.experimental.enable_op_determinism(), TensorFlow's fixed
order of the image gradient's sums), on fresh random cases: results for every
dtype TensorFlow takes, both methods and several extrapolation values, and
errors (class and message). bfloat16, which TensorFlow's ops do not take, is
checked through family.py's NumPy re-implementation of TensorFlow's kernels,
which these tests first find bit-identical to TensorFlow."""

import numpy as np
import pytest

import crgb
import family
import problems
from problems import same_bits

tf = pytest.importorskip("tensorflow")

from test_vs_tensorflow import crgb_error, tf_error  # noqa: E402

CASES = 30  # per image dtype (forward) or output dtype (image gradient), and method
METHODS = ("bilinear", "nearest")
GRAD_IMAGE_TF_DTYPES = {"float16": tf.float16, "float32": tf.float32, "float64": tf.float64}


@pytest.fixture(scope="module", autouse=True)
def op_determinism():
    """TensorFlow's image gradient adds in one fixed order (on the CPU: one
    thread, boxes then samples) only under op determinism, which crgb always
    follows. A process-wide setting: the grad_boxes tests do not depend on it
    (that kernel is sequential either way)."""
    tf.config.experimental.enable_op_determinism()


def variants_with(op):
    return [v.name for v in crgb.variants(available_only=True) if op in v.ops]


def others(op):
    return [name for name in variants_with(op) if name != "reference"]


def extrapolation_values(r):
    """0 (the default), a random value, and now and then NaN or -inf: each
    written unchanged into the samples outside the image."""
    return [0.0, float(np.float32(r.standard_normal() * 10)),
            float(r.choice([np.nan, -np.inf, 1e30]))]


def tf_crop(image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0):
    return tf.image.crop_and_resize(image, boxes, box_ind, crop_size, method=method,
                                    extrapolation_value=extrapolation_value).numpy()


def tf_grad_image(grads, boxes, box_ind, image_size, dtype="float32", method="bilinear"):
    return tf.raw_ops.CropAndResizeGradImage(
        grads=grads, boxes=boxes, box_ind=box_ind, image_size=image_size,
        T=GRAD_IMAGE_TF_DTYPES.get(dtype, dtype), method=method).numpy()


def within(got, want, tol):
    """Elementwise: equal (infinities, and NaN where NaN is expected) or within tol."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    with np.errstate(invalid="ignore"):
        return (got == want) | (np.isnan(got) & np.isnan(want)) | (np.abs(got - want) <= tol)


def check_crop_variants(p, image, crop_size, method, value, want, scale, i):
    """The automatic variant and one more per case in turn: within
    family.crop_tolerance of TensorFlow (exact where extrapolated)."""
    tol = family.crop_tolerance(scale, image.shape)
    candidates = others("crop_and_resize")
    for variant in (None, candidates[i % len(candidates)]):
        try:
            got = crgb.crop_and_resize(image, p.boxes, p.box_ind, crop_size, method, value,
                                       variant=variant)
        except crgb.UnimplementedError:  # autoscheduled variants: uint8, float32 only
            assert variant is not None and str(image.dtype) not in ("uint8", "float32")
            continue
        assert got.dtype == np.float32 and got.shape == want.shape
        assert np.all(within(got, want, tol)), (variant, method, value, p)


@pytest.mark.parametrize("dtype", problems.DTYPES)
def test_crop_and_resize_matches_tensorflow(dtype):
    """Every image dtype TensorFlow takes, both methods, three extrapolation
    values per case: the reference is TensorFlow bit for bit (NaN payloads and
    zero signs included), and so is family.crop_and_resize (what the
    tolerance is computed from); the other variants within crop_tolerance."""
    r = problems.rng(4000 + problems.DTYPES.index(dtype))
    for i in range(CASES):
        p = problems.random_problem(r, dtype)
        crop_size = p.grads.shape[1:3]
        for method in METHODS:
            for value in extrapolation_values(r):
                want = tf_crop(p.image, p.boxes, p.box_ind, crop_size, method, value)
                ref = crgb.crop_and_resize(p.image, p.boxes, p.box_ind, crop_size, method, value,
                                           variant="reference")
                assert same_bits(ref, want), (method, value, p)
                emulated, scale = family.crop_and_resize(p.image, p.boxes, p.box_ind, crop_size,
                                                         method, value)
                assert same_bits(emulated, want), (method, value, p)
                check_crop_variants(p, p.image, crop_size, method, value, want, scale, i)


def test_bfloat16_images_crop_as_their_float32_values():
    """TensorFlow's op does not take bfloat16; crgb does, reading each value as
    float32 (exactly: a bfloat16 is the upper half of a float32). So a bfloat16
    image gives TensorFlow's crops of the float32 image of the same values:
    bit for bit for the reference, within crop_tolerance for the others."""
    bf16 = pytest.importorskip("ml_dtypes").bfloat16
    r = problems.rng(4100)
    for i in range(CASES):
        p = problems.random_problem(r, "float32")
        image = p.image.astype(bf16)
        crop_size = p.grads.shape[1:3]
        for method in METHODS:
            value = extrapolation_values(r)[i % 3]
            want = tf_crop(image.astype(np.float32), p.boxes, p.box_ind, crop_size, method, value)
            ref = crgb.crop_and_resize(image, p.boxes, p.box_ind, crop_size, method, value,
                                       variant="reference")
            assert same_bits(ref, want), (method, value, p)
            # TensorFlow's own bfloat16 tensors, through DLPack: the same.
            got = crgb.crop_and_resize(tf.constant(image), p.boxes, p.box_ind, crop_size, method,
                                       value, variant="reference")
            assert isinstance(got, tf.Tensor) and same_bits(got.numpy(), want)
            _, scale = family.crop_and_resize(image, p.boxes, p.box_ind, crop_size, method, value)
            check_crop_variants(p, image, crop_size, method, value, want, scale, i)


def check_grad_image_variants(p, dtype, method, want, i):
    scale, terms = family.grad_image(p.grads, p.boxes, p.box_ind, p.image.shape, dtype,
                                     method)[1:]
    tol = family.grad_image_tolerance(scale, terms, dtype, p.image.shape)
    candidates = others("grad_image")
    for variant in (None, candidates[i % len(candidates)]):
        got = crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape, dtype,
                                              method, variant=variant)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.all(within(got, want, tol)), (variant, dtype, method, p)


@pytest.mark.parametrize("dtype", list(GRAD_IMAGE_TF_DTYPES))
def test_grad_image_matches_tensorflow(dtype):
    """Every T TensorFlow's CropAndResizeGradImage takes, both methods: the
    reference is TensorFlow (deterministic) bit for bit, zero signs included,
    and so is family.grad_image; the other variants within
    family.grad_image_tolerance (they add in TensorFlow's order too, so in fact
    they differ at most in the sign of a zero)."""
    r = problems.rng(4200 + list(GRAD_IMAGE_TF_DTYPES).index(dtype))
    for i in range(CASES):
        p = problems.random_problem(r, "float32")
        for method in METHODS:
            want = tf_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape, dtype, method)
            assert want.dtype == np.dtype(dtype)
            ref = crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape,
                                                  dtype, method, variant="reference")
            assert ref.dtype == want.dtype and ref.shape == want.shape
            assert ref.tobytes() == want.tobytes(), (method, p)
            emulated = family.grad_image(p.grads, p.boxes, p.box_ind, p.image.shape, dtype,
                                         method)[0]
            assert emulated.tobytes() == want.tobytes(), (method, p)
            check_grad_image_variants(p, dtype, method, want, i)


def test_bfloat16_grad_image_is_tensorflows_sums_in_bfloat16():
    """TensorFlow's op has no bfloat16 T. family.grad_image, bit-identical to
    TensorFlow for float16, float32 and float64 (above), does in bfloat16 what
    TensorFlow's kernel does in float16 (each share rounded to the type, added
    in float32 and rounded back: Eigen's bfloat16 and half alike). The
    reference equals it bit for bit, the other variants within the tolerance;
    as an ml_dtypes.bfloat16 NumPy array, and as tf.bfloat16 for TensorFlow
    inputs."""
    bf16 = pytest.importorskip("ml_dtypes").bfloat16
    r = problems.rng(4300)
    for i in range(CASES):
        p = problems.random_problem(r, "float32")
        for method in METHODS:
            want = family.grad_image(p.grads, p.boxes, p.box_ind, p.image.shape, "bfloat16",
                                     method)[0]
            ref = crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape,
                                                  "bfloat16", method, variant="reference")
            assert ref.dtype == bf16 and ref.tobytes() == want.tobytes(), (method, p)
            check_grad_image_variants(p, "bfloat16", method, want, i)
            got = crgb.crop_and_resize_grad_image(tf.constant(p.grads), p.boxes, p.box_ind,
                                                  p.image.shape, tf.bfloat16, method,
                                                  variant="reference")
            assert isinstance(got, tf.Tensor) and got.dtype == tf.bfloat16
            assert got.numpy().tobytes() == want.tobytes()


# --------------------------------------------------------------------------------------
# Errors


def _crop_cases(r):
    """(description, image, boxes, box_ind, crop_size): every check of
    TensorFlow's CropAndResize with fresh random sizes, pairs of errors (which
    one TensorFlow reports first), and accepted edge cases."""
    def dims(k, lo=1, hi=5):
        return tuple(int(s) for s in r.integers(lo, hi, k))

    n, d = 3, int(r.integers(1, 6))
    b, h, w = int(r.integers(1, 4)), *dims(2, 2, 9)
    crop = list(dims(2))
    dtype = str(r.choice(problems.DTYPES))
    I = lambda shape=(b, h, w, d): problems.random_image(r, shape, dtype)  # noqa: E731
    B = lambda k=n, cols=4: r.uniform(-0.2, 1.2, (k, cols)).astype(np.float32)  # noqa: E731
    K = lambda k=n: r.integers(0, b, k).astype(np.int32)  # noqa: E731
    nan_boxes = B()
    nan_boxes[-1, int(r.integers(0, 4))] = r.choice([np.nan, np.inf, -np.inf])
    cases = []
    for rank in (0, 1, 2, 3, 5):
        cases.append((f"image {rank}-D", I(dims(rank)), B(), K(), crop))
    cases += [
        ("image height 0", I((b, 0, w, d)), B(), K(), crop),
        ("image width 0", I((b, h, 0, d)), B(), K(), crop),
        ("boxes 1-D", I(), B()[0], K(), crop),
        ("boxes 3-D", I(), B()[None], K(), crop),
        ("boxes 3 columns", I(), B(cols=3), K(), crop),
        ("boxes [n,0], box_ind [n]", I(), B(cols=0), K(), crop),
        ("box_ind 2-D", I(), B(), K()[:, None], crop),
        ("box_ind 0-D", I(), B(), np.int32(0), crop),
        ("box_ind shorter", I(), B(), K(n - 1), crop),
        ("crop_size 0-D", I(), B(), K(), np.int32(crop[0])),
        ("crop_size 2-D", I(), B(), K(), [crop]),
        ("crop_size 1 element", I(), B(), K(), crop[:1]),
        ("crop_size 3 elements", I(), B(), K(), crop + [2]),
        ("crop height 0", I(), B(), K(), [0, crop[1]]),
        ("crop width negative", I(), B(), K(), [crop[0], -int(r.integers(1, 9))]),
        ("box_ind negative", I(), B(), K() - b, crop),
        ("box_ind == batch", I(), B(), np.full(n, b, np.int32), crop),
        ("non-finite boxes", I(), nan_boxes, K(), crop),
        ("box_ind out of range and non-finite boxes", I(), nan_boxes, K() + b, crop),
        ("image 3-D and boxes 1-D", I(dims(3)), B()[0], K(), crop),
        ("boxes 3 columns and crop 0", I(), B(cols=3), K(), [0, 0]),
        ("crop 0 and box_ind out of range", I(), B(), K() + b, [0, 1]),
        ("no boxes", I(), B(0), K(0), crop),
        ("depth 0", I((b, h, w, 0)), B(), K(), crop),
        ("batch 0, no boxes", I((0, h, w, d)), B(0), K(0), crop),
        ("batch 0, boxes", I((0, h, w, d)), B(), np.zeros(n, np.int32), crop),
    ]
    return cases


@pytest.mark.parametrize("round_", range(4))
def test_crop_and_resize_errors_match_tensorflow(round_):
    """Every accepted/rejected verdict, error class and message of crgb's
    crop_and_resize equals tf.image.crop_and_resize's; accepted cases give
    TensorFlow's result."""
    r = problems.rng(4400 + round_)
    for what, image, boxes, box_ind, crop_size in _crop_cases(r):
        args = (image, boxes, box_ind, crop_size)
        want = tf_error(lambda: tf.raw_ops.CropAndResize(
            image=image, boxes=boxes, box_ind=box_ind, crop_size=crop_size).numpy())
        got = crgb_error(lambda: crgb.crop_and_resize(*args))
        assert got == want, (what, [np.shape(a) for a in args])
        if want is None:
            assert same_bits(crgb.crop_and_resize(*args, variant="reference"), tf_crop(*args)), what


def _grad_image_cases(r):
    """(description, grads, boxes, box_ind, image_size), as _crop_cases for
    CropAndResizeGradImage. Not NaN boxes: TensorFlow's kernel does not check
    them (test_non_finite_boxes_get_tensorflows_forward_message)."""
    def dims(k, lo=1, hi=5):
        return tuple(int(s) for s in r.integers(lo, hi, k))

    n, ch, cw, d = 3, *dims(2), int(r.integers(1, 6))
    b, h, w = int(r.integers(1, 4)), *dims(2, 2, 9)
    size = [b, h, w, d]
    G = lambda shape=(n, ch, cw, d): r.standard_normal(shape).astype(np.float32)  # noqa: E731
    B = lambda k=n, cols=4: r.uniform(-0.2, 1.2, (k, cols)).astype(np.float32)  # noqa: E731
    K = lambda k=n: r.integers(0, b, k).astype(np.int32)  # noqa: E731
    cases = []
    for rank in (0, 1, 2, 3, 5):
        cases.append((f"grads {rank}-D", G(dims(rank)), B(), K(), size))
    cases += [
        ("crop height 0", G((n, 0, cw, d)), B(), K(), size),
        ("crop width 0", G((n, ch, 0, d)), B(), K(), size),
        ("boxes 1-D", G(), B()[0], K(), size),
        ("boxes 3 columns", G(), B(cols=3), K(), size),
        ("box_ind 2-D", G(), B(), K()[:, None], size),
        ("box_ind longer", G(), B(), K(n + 1), size),
        ("grads dim0 differs", G((n + 1, ch, cw, d)), B(), K(), size),
        ("image_size 0-D", G(), B(), K(), np.int32(b)),
        ("image_size 2-D", G(), B(), K(), [size]),
        ("image_size 3 elements", G(), B(), K(), size[:3]),
        ("image_size 5 elements", G(), B(), K(), size + [1]),
        ("image height 0", G(), B(), K(), [b, 0, w, d]),
        ("image width negative", G(), B(), K(), [b, h, -1, d]),
        ("depth differs", G(), B(), K(), [b, h, w, d + 1]),
        ("batch negative", G(), B(), K(), [-b, h, w, d]),
        ("batch 0", G(), B(), K(), [0, h, w, d]),
        ("box_ind negative", G(), B(), K() - b, size),
        ("box_ind == batch", G(), B(), np.full(n, b, np.int32), size),
        ("grads 3-D and image_size 3 elements", G(dims(3)), B(), K(), size[:3]),
        ("crop 0 and boxes 3 columns", G((n, 0, cw, d)), B(cols=3), K(), size),
        ("depth differs and box_ind out of range", G(), B(), K() + b, [b, h, w, d + 1]),
        ("no boxes", G((0, ch, cw, d)), B(0), K(0), size),
        ("depth 0", G((n, ch, cw, 0)), B(), K(), [b, h, w, 0]),
        ("batch 0, no boxes", G((0, ch, cw, d)), B(0), K(0), [0, h, w, d]),
    ]
    return cases


@pytest.mark.parametrize("round_", range(4))
def test_grad_image_errors_match_tensorflow(round_):
    """As for the forward op, against tf.raw_ops.CropAndResizeGradImage, for
    each T it takes."""
    r = problems.rng(4500 + round_)
    for what, grads, boxes, box_ind, image_size in _grad_image_cases(r):
        dtype = str(r.choice(list(GRAD_IMAGE_TF_DTYPES)))
        args = (grads, boxes, box_ind, image_size, dtype)
        want = tf_error(lambda: tf_grad_image(*args))
        got = crgb_error(lambda: crgb.crop_and_resize_grad_image(*args))
        assert got == want, (what, dtype, [np.shape(a) for a in args])
        if want is None:
            got = crgb.crop_and_resize_grad_image(*args, variant="reference")
            assert got.tobytes() == tf_grad_image(*args).tobytes(), what


def test_non_finite_boxes_get_tensorflows_forward_message():
    """TensorFlow's image-gradient kernel reads out of bounds on non-finite
    boxes (it is not run here); its forward op rejects them, and crgb's image
    gradient does the same, with the forward's message."""
    p = problems.random_problem(problems.rng(4600), "float32", min_boxes=1)
    for bad in (np.nan, np.inf, -np.inf):
        boxes = p.boxes.copy()
        boxes[-1, 2] = bad
        want = tf_error(lambda: tf_crop(p.image, boxes, p.box_ind, p.grads.shape[1:3]))
        assert want == ("InvalidArgument", "Boxes contains at least one element that is not finite")
        got = crgb_error(lambda: crgb.crop_and_resize_grad_image(p.grads, boxes, p.box_ind,
                                                                 p.image.shape))
        assert got == want, bad


def test_unknown_method_is_invalid_argument_like_tensorflow():
    """TensorFlow rejects the attribute with its list of allowed values and a
    dump of the op's signature; crgb says "method must be 'bilinear' or
    'nearest'" (the C API's words)."""
    p = problems.random_problem(problems.rng(4601), "uint8", min_boxes=1)
    for method in ("area", "", "Bilinear", "bicubic"):
        want = tf_error(lambda: tf.raw_ops.CropAndResize(
            image=p.image, boxes=p.boxes, box_ind=p.box_ind, crop_size=p.grads.shape[1:3],
            method=method).numpy())
        assert want[0] == "InvalidArgument" and "allowed values" in want[1]
        got = crgb_error(lambda: crgb.crop_and_resize(p.image, p.boxes, p.box_ind,
                                                      p.grads.shape[1:3], method=method))
        assert got == ("InvalidArgument", "method must be 'bilinear' or 'nearest'")
        want = tf_error(lambda: tf_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape,
                                              method=method))
        assert want[0] == "InvalidArgument" and "allowed values" in want[1]
        got = crgb_error(lambda: crgb.crop_and_resize_grad_image(
            p.grads, p.boxes, p.box_ind, p.image.shape, method=method))
        assert got == ("InvalidArgument", "method must be 'bilinear' or 'nearest'")


def test_unsupported_dtypes_match_tensorflow():
    """An image dtype outside TensorFlow's list: TensorFlow's class and its
    message before the NodeDef dump. Wrong dtypes of the other inputs:
    InvalidArgument in both (TensorFlow names the input by position, crgb by
    name). An output dtype outside the image gradient's: InvalidArgument in
    both."""
    p = problems.random_problem(problems.rng(4602), "float32", min_boxes=1)
    crop_size = p.grads.shape[1:3]
    for dtype in (np.bool_, np.uint32, np.uint64, np.complex64):
        image = p.image.astype(dtype)
        want = tf_error(lambda: tf_crop(image, p.boxes, p.box_ind, crop_size))
        got = crgb_error(lambda: crgb.crop_and_resize(image, p.boxes, p.box_ind, crop_size))
        assert got == want, dtype
    wrong = [("boxes", p.boxes.astype(np.float64)), ("box_ind", p.box_ind.astype(np.int64)),
             ("crop_size", np.array(crop_size, np.int64))]
    for name, value in wrong:
        kw = dict(image=p.image, boxes=p.boxes, box_ind=p.box_ind, crop_size=np.int32(crop_size))
        kw[name] = tf.constant(value)
        want = tf_error(lambda: tf.raw_ops.CropAndResize(**kw), conversion_errors=True)
        kw[name] = value
        got = crgb_error(lambda: crgb.crop_and_resize(**kw))
        assert want[0] == got[0] == "InvalidArgument", (name, want, got)
        assert got[1] == f"{name} must be int32, got int64" if name != "boxes" else \
            got[1] == "boxes must be float32, got float64"
    for dtype, tf_dtype in (("int32", tf.int32), ("uint8", tf.uint8)):
        want = tf_error(lambda: tf_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape,
                                              tf_dtype), conversion_errors=True)
        got = crgb_error(lambda: crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind,
                                                                 p.image.shape, dtype))
        assert want[0] == got[0] == "InvalidArgument", (dtype, want, got)
        assert got[1] == ("the output dtype must be float16, float32, float64 or bfloat16, got "
                          + dtype)
