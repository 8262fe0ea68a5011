"""crgb against TensorFlow's own kernel, tf.raw_ops.CropAndResizeGradBoxes,
on fresh random cases: results, and errors (class and message)."""

import numpy as np
import pytest

import crgb
import problems

tf = pytest.importorskip("tensorflow")

CASES = 540  # 60 per image dtype


def tf_grad_boxes(grads, image, boxes, box_ind, method="bilinear"):
    return tf.raw_ops.CropAndResizeGradBoxes(
        grads=grads, image=image, boxes=boxes, box_ind=box_ind, method=method).numpy()


def tf_error(fn, conversion_errors=False):
    """(crgb's status name for TensorFlow's error class, TensorFlow's message
    without its decorations), or None when fn succeeds. conversion_errors:
    also TensorFlow's Python-side rejection of an input of the wrong dtype
    (a ValueError or TypeError before the op runs), as InvalidArgument."""
    try:
        fn()
    except tf.errors.OpError as e:
        status = {tf.errors.InvalidArgumentError: "InvalidArgument",
                  tf.errors.OutOfRangeError: "OutOfRange",
                  tf.errors.UnimplementedError: "Unimplemented"}.get(type(e), type(e).__name__)
        return status, clean_message(e.message)
    except (ValueError, TypeError) as e:
        if not conversion_errors:
            raise
        return "InvalidArgument", str(e)
    return None


def clean_message(message):
    """TensorFlow's message without the `{{function_node ...}} ` prefix and the
    ` [Op:...]` / `\\t; NodeDef: ...` tails that crgb's messages do not carry."""
    if message.startswith("{{function_node"):
        message = message[message.index("}}") + 2:].lstrip()
    for tail in (" [Op:", " \t; NodeDef:", "\t; NodeDef:", "; NodeDef:"):
        if tail in message:
            message = message[:message.index(tail)]
    return message.strip()


def crgb_error(fn):
    try:
        fn()
    except crgb.Error as e:
        return e.status, str(e)
    return None


@pytest.fixture(scope="module")
def auto_and_others():
    """The automatic variant and every other available one, to cycle through."""
    return [v.name for v in crgb.variants(available_only=True) if v.name != "reference"]


@pytest.mark.parametrize("chunk", range(9))
def test_random_cases_match_tensorflow(chunk, auto_and_others):
    """60 cases of one image dtype per chunk: the reference is TensorFlow bit for
    bit; the automatic variant, and one more variant per case in turn, are
    within problems.tolerance of TensorFlow."""
    dtype = problems.DTYPES[chunk]
    r = problems.rng(1000 + chunk)
    for i in range(CASES // 9):
        p = problems.random_problem(r, dtype)
        want = tf_grad_boxes(*p.args())
        ref = crgb.crop_and_resize_grad_boxes(*p.args(), variant="reference")
        assert ref.dtype == np.float32 and ref.shape == want.shape, p
        np.testing.assert_array_equal(ref.view(np.uint32), want.view(np.uint32), err_msg=repr(p))
        tol = problems.tolerance(p)
        other = auto_and_others[i % len(auto_and_others)]
        for variant in (None, other):
            try:
                got = crgb.crop_and_resize_grad_boxes(*p.args(), variant=variant)
            except crgb.UnimplementedError:  # autoscheduled variants: uint8, float32 only
                assert variant is not None and dtype not in ("uint8", "float32")
                continue
            err = np.abs(got.astype(np.float64) - want)
            assert np.all(err <= tol), (variant, p, got, want, tol)


def _invalid_cases(r):
    """(description, grads, image, boxes, box_ind): every row of SEMANTICS.md's
    validation table with fresh random sizes, pairs of errors (which one TF
    reports first), and the accepted edge cases (no boxes, depth 0)."""
    def dims(k, lo=1, hi=5):
        return tuple(int(s) for s in r.integers(lo, hi, k))

    n, ch, cw, d = 3, *dims(2), int(r.integers(1, 6))
    b, h, w = int(r.integers(1, 4)), *dims(2, 2, 9)
    dtype = str(r.choice(problems.DTYPES))
    G = lambda shape=(n, ch, cw, d): r.standard_normal(shape).astype(np.float32)  # noqa: E731
    I = lambda shape=(b, h, w, d): problems.random_image(r, shape, dtype)  # noqa: E731
    B = lambda k=n, cols=4: r.uniform(0, 1, (k, cols)).astype(np.float32)  # noqa: E731
    K = lambda k=n: r.integers(0, b, k).astype(np.int32)  # noqa: E731
    cases = []
    for rank in (0, 1, 2, 3, 5):
        cases.append((f"grads {rank}-D", G(dims(rank)), I(), B(), K()))
        cases.append((f"image {rank}-D", G(), I(dims(rank)), B(), K()))
    cases += [
        ("crop height 0", G((n, 0, cw, d)), I(), B(), K()),
        ("crop width 0", G((n, ch, 0, d)), I(), B(), K()),
        ("image height 0", G(), I((b, 0, w, d)), B(), K()),
        ("image width 0", G(), I((b, h, 0, d)), B(), K()),
        ("depth differs", G(), I((b, h, w, d + 1)), B(), K()),
        ("image depth 0", G(), I((b, h, w, 0)), B(), K()),
        ("boxes 1-D", G(), I(), B()[0], K()),
        ("boxes 3-D", G(), I(), B()[None], K()),
        ("boxes 3 columns", G(), I(), B(cols=3), K()),
        ("boxes 5 columns", G(), I(), B(cols=5), K()),
        ("boxes [n,0], box_ind [n]", G(), I(), B(cols=0), K()),
        ("box_ind 2-D", G(), I(), B(), K()[:, None]),
        ("box_ind 0-D", G(), I(), B(), np.int32(0)),
        ("box_ind shorter", G(), I(), B(), K(n - 1)),
        ("box_ind longer", G(), I(), B(), K(n + 1)),
        ("grads dim0 differs", G((n + 1, ch, cw, d)), I(), B(), K()),
        ("grads dim0 0, boxes n", G((0, ch, cw, d)), I(), B(), K()),
        ("box_ind negative", G(), I(), B(), K() - b),
        ("box_ind == batch", G(), I(), B(), np.full(n, b, np.int32)),
        ("box_ind int32 min", G(), I(), B(), np.full(n, -2**31, np.int32)),
        ("grads 3-D and image 3-D", G(dims(3)), I(dims(3)), B(), K()),
        ("crop 0 and image 3-D", G((n, 0, cw, d)), I(dims(3)), B(), K()),
        ("image height 0 and depth differs", G(), I((b, 0, w, d + 1)), B(), K()),
        ("depth differs and boxes 3 columns", G(), I((b, h, w, d + 1)), B(cols=3), K()),
        ("boxes 3 columns and box_ind 2-D", G(), I(), B(cols=3), K()[:, None]),
        ("grads dim0 and box_ind out of range", G((n + 1, ch, cw, d)), I(), B(), K() + b),
        ("box_ind out of range and NaN boxes", G(), I(), np.full((n, 4), np.nan, np.float32),
         K() + b),
        ("no boxes", G((0, ch, cw, d)), I(), B(0), K(0)),
        ("no boxes, [n,0] boxes and [0] box_ind", G((0, ch, cw, d)), I(), B(cols=0), K(0)),
        ("depth 0", G((n, ch, cw, 0)), I((b, h, w, 0)), B(), K()),
    ]
    return cases


@pytest.mark.parametrize("round_", range(4))
def test_errors_match_tensorflow(round_):
    """Every accepted/rejected verdict, error class and message equals TensorFlow's."""
    r = problems.rng(2000 + round_)
    for what, grads, image, boxes, box_ind in _invalid_cases(r):
        args = (grads, image, boxes, box_ind)
        want = tf_error(lambda: tf_grad_boxes(*args))
        got = crgb_error(lambda: crgb.crop_and_resize_grad_boxes(*args))
        assert got == want, (what, [np.shape(a) for a in args])
        if want is None:  # accepted: the same result
            np.testing.assert_array_equal(
                crgb.crop_and_resize_grad_boxes(*args, variant="reference"), tf_grad_boxes(*args))


def test_unsupported_image_dtypes_match_tensorflow():
    """An image dtype outside TensorFlow's list: TensorFlow's class and the
    message TensorFlow gives before its NodeDef dump."""
    p = problems.random_problem(problems.rng(3000), "float32")
    for dtype in (np.bool_, np.uint32, np.uint64, np.complex64):
        image = p.image.astype(dtype)
        want = tf_error(lambda: tf_grad_boxes(p.grads, image, p.boxes, p.box_ind))
        got = crgb_error(lambda: crgb.crop_and_resize_grad_boxes(p.grads, image, p.boxes, p.box_ind))
        assert got == want, dtype


def test_wrong_operand_dtypes_are_invalid_argument_like_tensorflow():
    """grads, boxes or box_ind of another dtype: InvalidArgument in both (the
    messages differ: TensorFlow names the input by position, crgb's C API by
    name: "boxes must be float32, got float64")."""
    p = problems.random_problem(problems.rng(3001), "float32")
    for i, dtype in ((0, np.float64), (0, np.float16), (2, np.float64), (3, np.int64), (3, np.uint8)):
        args = list(p.args())
        args[i] = args[i].astype(dtype)
        want = tf_error(lambda: tf_grad_boxes(*[tf.constant(a) for a in args]))
        got = crgb_error(lambda: crgb.crop_and_resize_grad_boxes(*args))
        assert want[0] == got[0] == "InvalidArgument", (i, dtype, want, got)
        name = ["grads", "image", "boxes", "box_ind"][i]
        assert got[1] == f"{name} must be {p.args()[i].dtype}, got {np.dtype(dtype)}"


def test_non_bilinear_method_is_invalid_argument_like_tensorflow():
    """TensorFlow rejects the attribute with a dump of the op's signature; crgb
    says "method must be 'bilinear'" (docs/testing.md)."""
    p = problems.random_problem(problems.rng(3002), "uint8")
    for method in ("nearest", "", "Bilinear"):
        want = tf_error(lambda: tf_grad_boxes(*p.args(), method=method))
        got = crgb_error(lambda: crgb.crop_and_resize_grad_boxes(*p.args(), method=method))
        assert want[0] == got[0] == "InvalidArgument"
        assert got[1] == "method must be 'bilinear'"


def test_non_finite_boxes_get_tensorflows_forward_message():
    """TensorFlow's backward kernel reads out of bounds on NaN boxes (it is not
    run here); its forward op rejects them, and crgb does the same, in its words."""
    p = problems.random_problem(problems.rng(3003), "float32", min_boxes=1)
    for bad in (np.nan, np.inf, -np.inf):
        boxes = p.boxes.copy()
        boxes[-1, 1] = bad
        want = tf_error(lambda: tf.raw_ops.CropAndResize(
            image=p.image, boxes=boxes, box_ind=p.box_ind, crop_size=[2, 2]).numpy())
        got = crgb_error(lambda: crgb.crop_and_resize_grad_boxes(p.grads, p.image, boxes, p.box_ind))
        assert got == want, bad
