"""crgb.tensorflow: the op library crgb/_crgb_tf_ops.so (python/src/tf_ops.cc) and
its Python side, against TensorFlow's own ops.

- the raw ops against tf.raw_ops.CropAndResize, CropAndResizeGradImage and
  CropAndResizeGradBoxes: bit for bit on variant "reference", over fresh random
  cases and every case of tests/golden (TensorFlow 2.20's recorded outputs and
  errors), and against crgb's NumPy API for the other variants;
- the gradients of crop_and_resize under tf.GradientTape against
  tf.image.crop_and_resize's (bit for bit) and against float64 central finite
  differences;
- tf.function (static shapes, graph-mode errors), jit_compile=True (no XLA
  kernel), a Keras model training a step, op determinism, MirroredStrategy
  over two CPU devices (the last two in subprocesses: process-wide settings);
- errors: TensorFlow's classes and messages; no input crashes a kernel;
- examples/python/fit_boxes_tensorflow.py converges.

TensorFlow's image gradient sums in one fixed order only under op determinism
(test_family_vs_tensorflow.py), so this module turns it on, as that one does.
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import crgb
import family
import problems
from problems import same_bits

tf = pytest.importorskip("tensorflow")

# Where TensorFlow imports, the op library must be there: a crgb built without
# it fails here instead of skipping (crgb.tensorflow's ImportError says how to
# build it).
import crgb.tensorflow as ct  # noqa: E402
from test_vs_tensorflow import clean_message  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(REPO, "tests", "golden")
# (arrays, table) of each op's golden cases (tests/golden/make_golden*.py).
GOLDEN_FORWARD = ("crop_and_resize.npz", "crop_and_resize.tsv")
GOLDEN_GRAD_IMAGE = ("grad_image.npz", "grad_image.tsv")
GOLDEN_GRAD_BOXES = ("golden.npz", "cases.tsv")
METHODS = ("bilinear", "nearest")
FLOAT_DTYPES = ("float16", "float32", "float64")
TF_ERRORS = {tf.errors.InvalidArgumentError: "InvalidArgument",
             tf.errors.OutOfRangeError: "OutOfRange",
             tf.errors.UnimplementedError: "Unimplemented",
             tf.errors.UnavailableError: "Unavailable",
             tf.errors.InternalError: "Internal"}


@pytest.fixture(scope="module", autouse=True)
def op_determinism():
    """For the bit-for-bit image gradients (see above); process-wide."""
    tf.config.experimental.enable_op_determinism()


def outcome(fn):
    """("Ok", result as NumPy) or (status name, TensorFlow's message without
    its decorations) of an eager call."""
    try:
        return "Ok", fn().numpy()
    except tf.errors.OpError as e:
        return TF_ERRORS.get(type(e), type(e).__name__), clean_message(e.message)


def same_outcome(got, want):
    if got[0] != want[0]:
        return False
    if got[0] == "Ok":
        a, b = got[1], want[1]
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    return got[1] == want[1]


def others(op):
    return [v.name for v in crgb.variants(available_only=True)
            if op in v.ops and v.name != "reference"]


def bfloat16_tensor(array):
    """The array's values rounded to bfloat16, as a tf.bfloat16 tensor."""
    return tf.cast(tf.constant(array.astype(np.float32)), tf.bfloat16)


def problem_and_images(r, dtype):
    """A random problem with its image of `dtype` (bfloat16 included) as the
    tensor crgb's op takes, and the tensor TensorFlow's op takes for it (for
    bfloat16, which TensorFlow's ops reject, its float32 values)."""
    p = problems.random_problem(r, "float32" if dtype == "bfloat16" else dtype)
    if dtype == "bfloat16":
        image = bfloat16_tensor(p.image)
        return p, image, tf.cast(image, tf.float32)
    image = tf.constant(p.image)
    return p, image, image


# --------------------------------------------------------------------------------------
# The raw ops against TensorFlow's


@pytest.mark.parametrize("dtype", problems.DTYPES + ["bfloat16"])
def test_raw_forward_matches_tensorflow(dtype):
    """CrgbCropAndResize on variant "reference" is tf.raw_ops.CropAndResize bit
    for bit (NaN payloads, zero signs) for every image dtype, both methods,
    three extrapolation values; a bfloat16 image gives TensorFlow's crops of
    its float32 values. The automatic and one other variant per case give what
    crgb's NumPy API gives for that variant (the same C call), so the kernel
    passes inputs and attributes through for every variant."""
    r = problems.rng(7000 + (problems.DTYPES + ["bfloat16"]).index(dtype))
    candidates = others("crop_and_resize")
    for i in range(12):
        p, image, tf_image = problem_and_images(r, dtype)
        crop = list(p.grads.shape[1:3])
        for method in METHODS:
            for value in (0.0, float(np.float32(r.standard_normal() * 10)), np.nan):
                want = tf.raw_ops.CropAndResize(image=tf_image, boxes=p.boxes, box_ind=p.box_ind,
                                                crop_size=crop, method=method,
                                                extrapolation_value=value).numpy()
                got = ct.raw_ops.crop_and_resize(image, p.boxes, p.box_ind, crop, method, value,
                                                 variant="reference").numpy()
                assert same_bits(got, want), (method, value, p)
                for variant in (None, candidates[i % len(candidates)]):
                    try:
                        mine = crgb.crop_and_resize(image, p.boxes, p.box_ind, crop, method, value,
                                                    variant=variant).numpy()
                    except crgb.UnimplementedError:
                        with pytest.raises(tf.errors.UnimplementedError):
                            ct.raw_ops.crop_and_resize(image, p.boxes, p.box_ind, crop, method,
                                                       value, variant=variant)
                        continue
                    got = ct.raw_ops.crop_and_resize(image, p.boxes, p.box_ind, crop, method,
                                                     value, variant=variant).numpy()
                    assert same_bits(got, mine), (variant, method, value, p)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + ("bfloat16",))
def test_raw_grad_image_matches_tensorflow(dtype):
    """CrgbCropAndResizeGradImage, T = dtype, on "reference": TensorFlow's op
    (deterministic) bit for bit; for bfloat16, which TensorFlow's op lacks,
    family.grad_image, TensorFlow's kernel redone in NumPy (bit-identical to it
    for the other dtypes: test_family_vs_tensorflow.py). The other variants:
    crgb's NumPy API's bits."""
    r = problems.rng(7100 + (FLOAT_DTYPES + ("bfloat16",)).index(dtype))
    tf_dtype = tf.as_dtype(dtype)
    candidates = others("grad_image")
    for i in range(15):
        p = problems.random_problem(r, "float32")
        size = list(p.image.shape)
        for method in METHODS:
            if dtype == "bfloat16":
                want = family.grad_image(p.grads, p.boxes, p.box_ind, size, dtype, method)[0]
            else:
                want = tf.raw_ops.CropAndResizeGradImage(
                    grads=p.grads, boxes=p.boxes, box_ind=p.box_ind, image_size=size,
                    T=tf_dtype, method=method).numpy()
            got = ct.raw_ops.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, size,
                                                        tf_dtype, method, variant="reference")
            assert got.dtype == tf_dtype and got.shape == want.shape
            assert got.numpy().tobytes() == want.tobytes(), (method, p)
            for variant in (None, candidates[i % len(candidates)]):
                mine = crgb.crop_and_resize_grad_image(tf.constant(p.grads), p.boxes, p.box_ind,
                                                       size, tf_dtype, method, variant=variant)
                got = ct.raw_ops.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, size,
                                                            tf_dtype, method, variant=variant)
                assert got.numpy().tobytes() == mine.numpy().tobytes(), (variant, method, p)


@pytest.mark.parametrize("dtype", problems.DTYPES + ["bfloat16"])
def test_raw_grad_boxes_matches_tensorflow(dtype):
    """CrgbCropAndResizeGradBoxes on "reference": tf.raw_ops.CropAndResizeGradBoxes
    bit for bit (a bfloat16 image: TensorFlow's result for its float32
    values); the other variants: crgb's NumPy API's bits."""
    r = problems.rng(7200 + (problems.DTYPES + ["bfloat16"]).index(dtype))
    candidates = others("grad_boxes")
    for i in range(20):
        p, image, tf_image = problem_and_images(r, dtype)
        want = tf.raw_ops.CropAndResizeGradBoxes(grads=p.grads, image=tf_image, boxes=p.boxes,
                                                 box_ind=p.box_ind).numpy()
        got = ct.raw_ops.crop_and_resize_grad_boxes(p.grads, image, p.boxes, p.box_ind,
                                                    variant="reference").numpy()
        assert same_bits(got, want), p
        for variant in (None, candidates[i % len(candidates)]):
            try:
                mine = crgb.crop_and_resize_grad_boxes(p.grads, image, p.boxes, p.box_ind,
                                                       variant=variant).numpy()
            except crgb.UnimplementedError:
                with pytest.raises(tf.errors.UnimplementedError):
                    ct.raw_ops.crop_and_resize_grad_boxes(p.grads, image, p.boxes, p.box_ind,
                                                          variant=variant)
                continue
            got = ct.raw_ops.crop_and_resize_grad_boxes(p.grads, image, p.boxes, p.box_ind,
                                                        variant=variant).numpy()
            assert same_bits(got, mine), (variant, p)


# --------------------------------------------------------------------------------------
# tests/golden: TensorFlow 2.20's recorded results and errors


def golden_cases(npz, tsv):
    """(id, status, description, message, arrays) of each case of
    tests/golden/<tsv> and <npz>, the message cut before TensorFlow's
    `; NodeDef:` dump of its own op (ours names CrgbCropAndResize...)."""
    data = np.load(os.path.join(GOLDEN, npz))
    with open(os.path.join(GOLDEN, tsv)) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    for case_id, status, description, message in (row + [""] * (4 - len(row)) for row in rows):
        arrays = {k[len(case_id) + 1:]: data[k] for k in data.files
                  if k.startswith(case_id + "_")}
        yield case_id, status, description, message.split(" ; NodeDef:")[0], arrays


def text(a):
    return bytes(a).decode("ascii")


def golden_image(arrays):
    dtype = text(arrays["image_dtype"]) if "image_dtype" in arrays else str(arrays["image"].dtype)
    if dtype == "bfloat16":  # raw bits in uint16
        return tf.bitcast(tf.constant(arrays["image"]), tf.bfloat16)
    return tf.constant(arrays["image"])


def same_bits_any_nan(a, b):
    """Bit for bit, except that any NaN equals any NaN: which operand's payload
    a NaN result carries depends on the compiled instruction's operand order,
    so the C++ golden test (family_golden_test.cpp) does not ask for
    TensorFlow's payloads either; random_problem's images have no NaN, and
    there the payloads of NaN extrapolation values are compared exactly."""
    a, b = np.asarray(a), np.asarray(b)
    both_nan = np.isnan(a.astype(np.float64)) & np.isnan(b.astype(np.float64))
    bits = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    return bool(np.all((a.view(bits) == b.view(bits)) | both_nan))


def check_golden(case_id, status, description, message, arrays, run):
    got = outcome(run)
    if status == "Ok":
        want = arrays["out"]
        assert got[0] == "Ok", (case_id, description, got)
        assert got[1].dtype == want.dtype and got[1].shape == want.shape, (case_id, description)
        assert same_bits_any_nan(got[1], want), (case_id, description)
    else:
        assert got == (status, message), (case_id, description)


def test_golden_forward():
    """Every case of tests/golden/crop_and_resize: the recorded crops bit for bit
    on "reference", or the recorded error class and message (for a method
    outside the list, TensorFlow's attribute message up to the op dump,
    which names our op instead)."""
    n = 0
    for case_id, status, description, message, a in golden_cases(*GOLDEN_FORWARD):
        image = golden_image(a)
        method = text(a["method"])
        value = float(a["extrapolation"][0])
        check_golden(case_id, status, description, message, a, lambda: ct.raw_ops.crop_and_resize(
            image, a["boxes"], a["box_ind"], a["crop_size"], method, value, variant="reference"))
        n += 1
    assert n >= 500


def test_golden_grad_image():
    """Every case of tests/golden/grad_image, as test_golden_forward."""
    n = 0
    for case_id, status, description, message, a in golden_cases(*GOLDEN_GRAD_IMAGE):
        dtype = tf.as_dtype(text(a["dtype"]))
        check_golden(case_id, status, description, message, a,
                     lambda: ct.raw_ops.crop_and_resize_grad_image(
                         a["grads"], a["boxes"], a["box_ind"], a["image_size"], dtype,
                         text(a["method"]), variant="reference"))
        n += 1
    assert n >= 400


def test_golden_grad_boxes():
    """Every case of tests/golden/golden.npz (CropAndResizeGradBoxes), as
    test_golden_forward."""
    n = 0
    for case_id, status, description, message, a in golden_cases(*GOLDEN_GRAD_BOXES):
        image = golden_image(a)
        method = text(a["method"]) if "method" in a else "bilinear"
        check_golden(case_id, status, description, message, a,
                     lambda: ct.raw_ops.crop_and_resize_grad_boxes(
                         a["grads"], image, a["boxes"], a["box_ind"], method,
                         variant="reference"))
        n += 1
    assert n >= 400


# --------------------------------------------------------------------------------------
# Gradients


def tape_gradients(crop_fn, image, boxes, box_ind, crop_size, grads, method):
    """(crops, d_image, d_boxes) of sum(crops * grads) under a GradientTape."""
    image, boxes = tf.constant(image), tf.constant(boxes)
    with tf.GradientTape() as tape:
        tape.watch([image, boxes])
        crops = crop_fn(image, boxes, box_ind, crop_size, method=method)
        loss = tf.reduce_sum(crops * grads)
    d_image, d_boxes = tape.gradient(loss, [image, boxes])
    return crops, d_image, d_boxes


GRADIENT_DTYPES = ["float16", "float32", "float64", "uint8", "int32"]


@pytest.mark.parametrize("dtype", GRADIENT_DTYPES)
def test_gradients_match_tensorflow(dtype):
    """crgb.tensorflow.crop_and_resize's GradientTape gradients on "reference"
    are tf.image.crop_and_resize's bit for bit: the image's in its own dtype
    (none for an integer image, in both), the boxes' the bilinear box
    gradient for both methods."""
    r = problems.rng(7300 + GRADIENT_DTYPES.index(dtype))

    def ours(*args, method):
        return ct.crop_and_resize(*args, method=method, variant="reference")

    for _ in range(12):
        p = problems.random_problem(r, dtype, min_boxes=1)
        crop = p.grads.shape[1:3]
        for method in METHODS:
            got = tape_gradients(ours, p.image, p.boxes, p.box_ind, crop, p.grads, method)
            want = tape_gradients(tf.image.crop_and_resize, p.image, p.boxes, p.box_ind, crop,
                                  p.grads, method)
            assert same_bits(got[0], want[0]), (method, p)
            if dtype.startswith("float"):
                assert got[1].dtype == want[1].dtype == tf.as_dtype(dtype)
                assert got[1].numpy().tobytes() == want[1].numpy().tobytes(), (method, p)
            else:
                assert got[1] is None and want[1] is None
            assert same_bits(got[2], want[2]), (method, p)


def test_gradient_of_bfloat16_image_is_bfloat16():
    """A bfloat16 image (not TensorFlow's op) gets a bfloat16 image gradient:
    family.grad_image's TensorFlow sums in bfloat16, bit for bit; its box
    gradient is TensorFlow's for the float32 values of the image."""
    r = problems.rng(7350)
    for _ in range(8):
        p = problems.random_problem(r, "float32", min_boxes=1)
        image = bfloat16_tensor(p.image)
        boxes = tf.constant(p.boxes)
        with tf.GradientTape() as tape:
            tape.watch([image, boxes])
            loss = tf.reduce_sum(ct.crop_and_resize(image, boxes, p.box_ind, p.grads.shape[1:3],
                                                    variant="reference") * p.grads)
        d_image, d_boxes = tape.gradient(loss, [image, boxes])
        want = family.grad_image(p.grads, p.boxes, p.box_ind, p.image.shape, "bfloat16")[0]
        assert d_image.dtype == tf.bfloat16 and d_image.numpy().tobytes() == want.tobytes()
        want = tf.raw_ops.CropAndResizeGradBoxes(grads=p.grads, image=tf.cast(image, tf.float32),
                                                 boxes=p.boxes, box_ind=p.box_ind)
        assert same_bits(d_boxes, want), p


def fd_problem(r):
    """Small float64 images of multiples of 1/16 in [-8, 8) and boxes of
    multiples of 2^-12 in [-0.25, 1.25): every value and every value +- the
    steps below is exactly a float32, so the op reads the perturbed inputs
    exactly."""
    batch = int(r.integers(1, 3))
    h, w = (int(s) for s in r.integers(2, 8, 2))
    depth = int(r.integers(1, 4))
    crop_h, crop_w = (int(s) for s in r.integers(1, 6, 2))
    n = int(r.integers(1, 4))
    return problems.Problem(
        grads=r.standard_normal((n, crop_h, crop_w, depth)).astype(np.float32),
        image=r.integers(-128, 128, (batch, h, w, depth)) / 16.0,
        boxes=(r.integers(-1024, 5120, (n, 4)) / 4096.0).astype(np.float32),
        box_ind=r.integers(0, batch, n).astype(np.int32))


def crops_and_scale(image, boxes, box_ind, crop):
    """The op's crops (float64) and family.crop_tolerance of each element: how
    far a correct float32 evaluation may be from the exact bilinear value at
    the exact coordinates (half that is enough for one evaluation; the bound
    is conservative)."""
    crops = ct.raw_ops.crop_and_resize(image, boxes, box_ind, crop).numpy().astype(np.float64)
    scale = family.crop_and_resize(image, boxes, box_ind, crop)[1]
    return crops, family.crop_tolerance(scale, image.shape)


def box_axis_is_smooth(boxes_lo, boxes_hi, boxes_mid, b, j, crop, size):
    """Whether moving boxes[b, j] between the two perturbed values moves no
    sample of that axis across a kink of the crops: every sample stays inside
    or outside the image, stays within one pixel cell, and is not exactly on a
    pixel row or column at the unperturbed box (where TensorFlow's gradient
    takes the zero one-sided derivative). Then the crops are linear in
    boxes[b, j] over the step and the central difference has no truncation
    error."""
    a, c = (j % 2), (j % 2) + 2
    coords = [family.axis_coords(x[b, a], x[b, c], crop, size).astype(np.float64)
              for x in (boxes_lo, boxes_mid, boxes_hi)]
    inside = [(k >= 0) & (k <= size - 1) for k in coords]
    if not (np.array_equal(inside[0], inside[1]) and np.array_equal(inside[1], inside[2])):
        return False
    lo = np.minimum(coords[0], coords[2])[inside[1]]
    hi = np.maximum(coords[0], coords[2])[inside[1]]
    mid = coords[1][inside[1]]
    same_cell = (np.floor(lo) == np.floor(hi)) | (hi == np.floor(lo) + 1)
    return bool(np.all(same_cell) and np.all(mid != np.floor(mid)))


def test_gradients_match_float64_central_differences():
    """Both gradients of L = sum(crops * grads) against float64 central
    differences of the op's own forward (automatic variant).

    Why the tolerance is what it is: the crops are exactly linear in each
    image value, and linear in a box coordinate while no sample crosses a
    pixel boundary or the image's edge (box_axis_is_smooth picks those
    coordinates), so in exact arithmetic the central difference equals the
    derivative. What remains is rounding: each crop element e, evaluated in
    float32, is within crop_tolerance_e (family.crop_tolerance, from the sum
    S_e of the absolute values of the corners it interpolates) of its exact
    value, so the difference quotient errs by at most
    sum_e |grads_e| (tol_e(+h) + tol_e(-h)) / (2h), plus float64's rounding of
    the two sums L (2 * k * 2^-53 * sum |grads_e crops_e| / (2h) for k
    elements). The analytic gradient has its own bound: family.
    grad_image_tolerance (float64 image gradient) and problems.tolerance (box
    gradient), each from the sum of the absolute contributions added into it.
    A wrong weight, index or sign moves a gradient by a sizable fraction of
    those sums, far beyond the few float32 ulps allowed here."""
    r = problems.rng(7400)
    h_image, h_box = 0.5, 2.0**-9
    checked_image = checked_boxes = 0
    for _ in range(10):
        p = fd_problem(r)
        crop = p.grads.shape[1:3]
        g64 = p.grads.astype(np.float64)
        image, boxes = tf.constant(p.image), tf.constant(p.boxes)
        with tf.GradientTape() as tape:
            tape.watch([image, boxes])
            loss = tf.reduce_sum(tf.cast(ct.crop_and_resize(image, boxes, p.box_ind, crop),
                                         tf.float64) * g64)
        d_image, d_boxes = (t.numpy() for t in tape.gradient(loss, [image, boxes]))
        assert d_image.dtype == np.float64 and d_boxes.dtype == np.float32

        def fd(image_lo, image_hi, boxes_lo, boxes_hi, step):
            c_lo, t_lo = crops_and_scale(image_lo, boxes_lo, p.box_ind, crop)
            c_hi, t_hi = crops_and_scale(image_hi, boxes_hi, p.box_ind, crop)
            quotient = (np.sum(c_hi * g64) - np.sum(c_lo * g64)) / (2 * step)
            k = c_lo.size
            bound = (np.sum(np.abs(g64) * (t_lo + t_hi))
                     + 2 * k * 2.0**-53 * np.sum(np.abs(g64) * (np.abs(c_lo) + np.abs(c_hi))))
            return quotient, bound / (2 * step)

        _, scale, terms = family.grad_image(p.grads, p.boxes, p.box_ind, p.image.shape,
                                            "float64")
        image_tol = family.grad_image_tolerance(scale, terms, "float64", p.image.shape)
        for idx in np.ndindex(p.image.shape):
            lo, hi = p.image.copy(), p.image.copy()
            lo[idx] -= h_image
            hi[idx] += h_image
            quotient, bound = fd(lo, hi, p.boxes, p.boxes, h_image)
            assert abs(d_image[idx] - quotient) <= bound + image_tol[idx], (idx, p)
            checked_image += 1

        box_tol = problems.tolerance(p)
        for b in range(p.boxes.shape[0]):
            for j in range(4):
                lo, hi = p.boxes.copy(), p.boxes.copy()
                lo[b, j] -= np.float32(h_box)
                hi[b, j] += np.float32(h_box)
                crop_n, size = (crop[0], p.image.shape[1]) if j % 2 == 0 else \
                    (crop[1], p.image.shape[2])
                if not box_axis_is_smooth(lo, hi, p.boxes, b, j, crop_n, size):
                    continue
                quotient, bound = fd(p.image, p.image, lo, hi, h_box)
                assert abs(float(d_boxes[b, j]) - quotient) <= bound + box_tol[b, j], (b, j, p)
                checked_boxes += 1
    assert checked_image >= 200 and checked_boxes >= 40, (checked_image, checked_boxes)


# --------------------------------------------------------------------------------------
# tf.function, XLA, Keras


def test_tf_function_static_shapes_and_gradients():
    """In a tf.function (a graph): the shape functions give TensorFlow's static
    shapes (crop sizes known from a constant crop_size, num_boxes from boxes),
    and the results and gradients equal eager mode's, for inputs of unknown
    batch and box count."""
    r = problems.rng(7500)
    p = problems.random_problem(r, "float32", min_boxes=2)
    crop = tuple(int(s) for s in p.grads.shape[1:3])
    depth = p.image.shape[3]

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, depth], tf.float32),
                                  tf.TensorSpec([None, 4], tf.float32),
                                  tf.TensorSpec([None], tf.int32)])
    def run(image, boxes, box_ind):
        with tf.GradientTape() as tape:
            tape.watch([image, boxes])
            crops = ct.crop_and_resize(image, boxes, box_ind, crop)
            loss = tf.reduce_sum(crops * p.grads)
        return (crops, *tape.gradient(loss, [image, boxes]))

    graph = run.get_concrete_function().structured_outputs
    assert graph[0].shape.as_list() == [None, *crop, depth]
    assert graph[1].shape.as_list() == [None, None, None, depth]
    assert graph[2].shape.as_list() == [None, 4]
    got = run(p.image, p.boxes, p.box_ind)
    want = tape_gradients(ct.crop_and_resize, p.image, p.boxes, p.box_ind, crop, p.grads,
                          "bilinear")
    for g, w in zip(got, want):
        assert g.numpy().tobytes() == w.numpy().tobytes()

    @tf.function
    def shapes():
        return (ct.raw_ops.crop_and_resize(p.image, p.boxes, p.box_ind, crop),
                ct.raw_ops.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind,
                                                      p.image.shape, tf.float16),
                ct.raw_ops.crop_and_resize_grad_boxes(p.grads, p.image, p.boxes, p.box_ind))

    static = [t.shape.as_list() for t in shapes.get_concrete_function().structured_outputs]
    assert static == [list(p.grads.shape), list(p.image.shape), list(p.boxes.shape)]


def test_graph_mode_shape_errors_are_tensorflows():
    """Shapes wrong at graph construction: the same ValueError as TensorFlow's
    own op (its shape function's message, naming our node); a constant crop
    size that is not positive: the kernel's message, at construction."""
    image = np.zeros((1, 4, 4, 1), np.float32)
    boxes = np.array([[0, 0, 1, 1]], np.float32)
    cases = [(image[0], boxes, [0], [2, 2]), (image, boxes[0], [0], [2, 2]),
             (image, boxes, [[0]], [2, 2]), (image, boxes, [0, 0], [2, 2]),
             (image, boxes[:, :3], [0], [2, 2]), (image, boxes, [0], [2, 2, 2])]
    def trace(fn):  # autograph=False: the shape function's message, not a traceback
        tf.function(fn, autograph=False).get_concrete_function()

    for args in cases:
        with pytest.raises(ValueError) as want:
            trace(lambda: tf.raw_ops.CropAndResize(image=args[0], boxes=args[1],
                                                   box_ind=args[2], crop_size=args[3]))
        with pytest.raises(ValueError) as got:
            trace(lambda: ct.raw_ops.crop_and_resize(*args))
        want, got = (str(e.value).split(" for '{{node")[0] for e in (want, got))
        assert got == want and got.startswith(("Shape must be", "Dimension", "Dimensions")), got
    with pytest.raises(ValueError, match="^crop dimensions must be positive for"):
        trace(lambda: ct.raw_ops.crop_and_resize(image, boxes, [0], [0, 2]))


def test_jit_compile_fails_for_want_of_an_xla_kernel():
    """The ops have CPU kernels only: tf.function(jit_compile=True) must
    compile every op with XLA and stops at ours, with TensorFlow's
    InvalidArgumentError naming it (XLA_CPU_JIT here)."""
    image = tf.zeros([1, 4, 4, 1])
    boxes = tf.constant([[0, 0, 1, 1]], tf.float32)
    jitted = tf.function(lambda i, b: ct.crop_and_resize(i, b, [0], (2, 2)), jit_compile=True)
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        jitted(image, boxes)
    assert "Detected unsupported operations when trying to compile graph" in e.value.message
    assert ("CrgbCropAndResize (No registered 'CrgbCropAndResize' OpKernel for XLA_CPU_JIT "
            "devices") in e.value.message


def keras_model(crop_layer):
    """Per-pixel features (a Dense layer), one crop per image, a Dense head."""
    keras = tf.keras
    image = keras.Input((12, 12, 3))
    boxes = keras.Input((4,))
    box_ind = keras.Input((), dtype="int32")
    features = keras.layers.Dense(4, name="features")(image)
    crops = crop_layer(features, boxes, box_ind)
    out = keras.layers.Dense(1, name="head")(keras.layers.Flatten()(crops))
    return keras.Model([image, boxes, box_ind], out)


class TensorFlowCropLayer(tf.keras.layers.Layer):
    """The same layer through TensorFlow's op, the independent reference."""

    def __init__(self, crop_size, **kwargs):
        super().__init__(**kwargs)
        self.crop_size = crop_size

    def call(self, image, boxes, box_ind):
        return tf.image.crop_and_resize(image, boxes, box_ind, self.crop_size)


def test_keras_model_trains_a_step_like_tensorflows_op():
    """A Keras model with crgb.tensorflow.CropAndResize (variant "reference")
    trains a step (Model.compile's default jit_compile="auto": the layer says
    it has no XLA support): the loss and every updated weight equal those of
    the same model with tf.image.crop_and_resize, from the same initial
    weights, bit for bit; the feature layer before the crop did change (the
    image gradient reached it). The layer's config round-trips."""
    tf.keras.utils.set_random_seed(0)
    layer = ct.CropAndResize((5, 6), variant="reference")
    ours, theirs = keras_model(layer), keras_model(TensorFlowCropLayer((5, 6)))
    theirs.set_weights(ours.get_weights())
    r = problems.rng(7600)
    x = [r.standard_normal((8, 12, 12, 3)).astype(np.float32),
         r.uniform(0, 1, (8, 4)).astype(np.float32), np.arange(8, dtype=np.int32)]
    y = r.standard_normal((8, 1)).astype(np.float32)
    before = ours.get_layer("features").get_weights()[0].copy()
    losses = []
    for model in (ours, theirs):
        model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
        losses.append(model.train_on_batch(x, y))
    assert ours._jit_compile is False
    assert np.isfinite(losses[0]) and losses[0] == losses[1]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert a.tobytes() == b.tobytes()
    assert np.any(ours.get_layer("features").get_weights()[0] != before)

    config = layer.get_config()
    assert (config["crop_size"], config["method"], config["extrapolation_value"],
            config["variant"]) == ([5, 6], "bilinear", 0.0, "reference")
    clone = ct.CropAndResize.from_config(config)
    assert same_bits(clone(*x), layer(*x))
    nearest = ct.CropAndResize([3, 2], method="nearest", extrapolation_value=-1.0)
    assert same_bits(nearest(*x), tf.image.crop_and_resize(x[0], x[1], x[2], (3, 2), "nearest",
                                                           extrapolation_value=-1.0))


# --------------------------------------------------------------------------------------
# Process-wide settings, in subprocesses


def run_python(code, *args, env=None, timeout=300, stderr=False):
    """Runs code in a fresh interpreter (this one, with this PYTHONPATH);
    returns its stdout (and stderr), failing with its output if it fails."""
    full_env = dict(os.environ, **dict({"TF_CPP_MIN_LOG_LEVEL": "2"}, **(env or {})))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
                          capture_output=True, text=True, env=full_env, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (proc.stdout, proc.stderr) if stderr else proc.stdout


DETERMINISM = """
    import sys
    import numpy as np
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    import crgb.tensorflow as ct

    z = np.load(sys.argv[1])
    out = {}
    for name, fn in (("auto", lambda *a: ct.crop_and_resize(*a)),
                     ("reference", lambda *a: ct.crop_and_resize(*a, variant="reference")),
                     ("tensorflow", tf.image.crop_and_resize)):
        for run in range(2):
            image, boxes = tf.constant(z["image"]), tf.constant(z["boxes"])
            with tf.GradientTape() as tape:
                tape.watch([image, boxes])
                crops = fn(image, boxes, z["box_ind"], (9, 7))
                loss = tf.reduce_sum(crops * z["grads"])
            d_image, d_boxes = tape.gradient(loss, [image, boxes])
            for key, t in (("crops", crops), ("d_image", d_image), ("d_boxes", d_boxes)):
                out[f"{name}_{run}_{key}"] = t.numpy()
    np.savez(sys.argv[2], **out)
"""


def test_op_determinism_in_a_subprocess(tmp_path):
    """Under tf.config.experimental.enable_op_determinism() (set before any op
    runs, in a fresh process) the ops run, and forward and gradients repeat
    bit for bit, automatic variant included (crgb's image gradient always
    adds in TensorFlow's deterministic order); "reference" equals TensorFlow's
    deterministic gradients bit for bit. A problem large enough for
    TensorFlow's and Halide's thread pools to split the work (64 boxes, a
    48x40 image, depth 16)."""
    r = problems.rng(7700)
    n = 64
    inputs = tmp_path / "in.npz"
    np.savez(inputs, image=r.standard_normal((3, 48, 40, 16)).astype(np.float32),
             boxes=problems.random_boxes(r, n, 48, 40),
             box_ind=r.integers(0, 3, n).astype(np.int32),
             grads=r.standard_normal((n, 9, 7, 16)).astype(np.float32))
    run_python(DETERMINISM, inputs, tmp_path / "out.npz")
    out = np.load(tmp_path / "out.npz")
    for name in ("auto", "reference", "tensorflow"):
        for key in ("crops", "d_image", "d_boxes"):
            assert out[f"{name}_0_{key}"].tobytes() == out[f"{name}_1_{key}"].tobytes(), (name, key)
    for key in ("crops", "d_image", "d_boxes"):
        assert out[f"reference_0_{key}"].tobytes() == out[f"tensorflow_0_{key}"].tobytes(), key
    assert np.abs(out["auto_0_d_image"] - out["tensorflow_0_d_image"]).max() < 1e-4


MIRRORED = """
    import sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    import crgb.tensorflow as ct

    tf.debugging.set_log_device_placement(True)  # the placer's log, on stderr
    z = np.load(sys.argv[1])
    n, batch = len(z["boxes"]) // 2, len(z["image"]) // 2
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        boxes = tf.Variable(z["boxes"])

    # Replica i: images [i*batch, (i+1)*batch) with rows [i*n, (i+1)*n) of the
    # shared boxes variable (box_ind made local to the shard).
    def shard(key, size):
        def value(ctx):
            i = ctx.replica_id_in_sync_group
            with tf.device(strategy.extended.worker_devices[i]):
                return tf.constant(z[key][i * size:(i + 1) * size])
        return strategy.experimental_distribute_values_from_function(value)

    def replica_step(image, box_ind, grads):
        i = tf.distribute.get_replica_context().replica_id_in_sync_group
        with tf.GradientTape() as tape:
            crops = ct.crop_and_resize(image, boxes[i * n:(i + 1) * n], box_ind - i * batch,
                                       (6, 5))
            loss = tf.reduce_sum(crops * grads)
        grad = tape.gradient(loss, boxes)
        return tf.distribute.get_replica_context().all_reduce("sum", grad), crops

    step = tf.function(lambda *args: strategy.run(replica_step, args=args))
    grads, crops = step(shard("image", batch), shard("box_ind", n), shard("grads", n))
    local = strategy.experimental_local_results
    np.savez(sys.argv[2], **{f"grad_{i}": g.numpy() for i, g in enumerate(local(grads))},
             **{f"crops_{i}": c.numpy() for i, c in enumerate(local(crops))})
"""


def test_mirrored_strategy_over_two_cpu_devices(tmp_path):
    """tf.distribute.MirroredStrategy over two logical CPU devices (a fresh
    process: logical devices are set before TensorFlow initialises), in a
    tf.function: each replica crops its own images with its own rows of a
    shared boxes variable and all-reduces the box gradient. TensorFlow's
    placer puts the forward and the box-gradient op of each replica on its
    own device; the all-reduced gradient, on both replicas, equals the
    one-device gradient of the whole problem (each row's gradient comes from
    one replica, the other adds an exact zero), and each replica's crops are
    the one-device crops of its boxes."""
    r = problems.rng(7800)
    n, batch = 5, 2
    image = r.standard_normal((2 * batch, 10, 11, 3)).astype(np.float32)
    boxes = problems.random_boxes(r, 2 * n, 10, 11)
    box_ind = np.concatenate([r.integers(0, batch, n), r.integers(batch, 2 * batch, n)])
    box_ind = box_ind.astype(np.int32)
    grads = r.standard_normal((2 * n, 6, 5, 3)).astype(np.float32)
    np.savez(tmp_path / "in.npz", image=image, boxes=boxes, box_ind=box_ind, grads=grads)
    _, log = run_python(MIRRORED, tmp_path / "in.npz", tmp_path / "out.npz",
                        env={"TF_CPP_MIN_LOG_LEVEL": "0"}, stderr=True)
    placed = set(re.findall(r"placer\.cc.*\] (?:\S*/)?(CrgbCropAndResize\w*): \(\w+\): "
                            r"\S*/device:CPU:(\d)", log))
    assert {("CrgbCropAndResize", "0"), ("CrgbCropAndResize", "1"),
            ("CrgbCropAndResizeGradBoxes", "0"), ("CrgbCropAndResizeGradBoxes", "1")} <= placed, \
        placed
    out = np.load(tmp_path / "out.npz")
    crops, _, d_boxes = tape_gradients(ct.crop_and_resize, image, boxes, box_ind, (6, 5), grads,
                                       "bilinear")
    assert np.any(d_boxes.numpy() != 0)
    for i in range(2):
        assert np.array_equal(out[f"grad_{i}"], d_boxes.numpy()), i
        assert same_bits(out[f"crops_{i}"], crops.numpy()[i * n:(i + 1) * n]), i


# --------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize("round_", range(2))
def test_errors_match_tensorflow(round_):
    """Fresh random versions of every error case of the three ops
    (test_family_vs_tensorflow.py's and test_vs_tensorflow.py's lists):
    accepted or rejected as tf.raw_ops' ops, with the same error class
    (InvalidArgumentError, OutOfRangeError) and message, the accepted ones
    with TensorFlow's result."""
    from test_family_vs_tensorflow import _crop_cases, _grad_image_cases
    from test_vs_tensorflow import _invalid_cases

    r = problems.rng(7900 + round_)
    for what, image, boxes, box_ind, crop_size in _crop_cases(r):
        want = outcome(lambda: tf.raw_ops.CropAndResize(image=image, boxes=boxes,
                                                        box_ind=box_ind, crop_size=crop_size))
        got = outcome(lambda: ct.raw_ops.crop_and_resize(image, boxes, box_ind, crop_size,
                                                         variant="reference"))
        assert same_outcome(got, want), (what, got, want)
    for what, grads, boxes, box_ind, image_size in _grad_image_cases(r):
        dtype = tf.as_dtype(str(r.choice(FLOAT_DTYPES)))
        want = outcome(lambda: tf.raw_ops.CropAndResizeGradImage(
            grads=grads, boxes=boxes, box_ind=box_ind, image_size=image_size, T=dtype))
        got = outcome(lambda: ct.raw_ops.crop_and_resize_grad_image(
            grads, boxes, box_ind, image_size, dtype, variant="reference"))
        assert same_outcome(got, want), (what, got, want)
    for what, grads, image, boxes, box_ind in _invalid_cases(r):
        want = outcome(lambda: tf.raw_ops.CropAndResizeGradBoxes(grads=grads, image=image,
                                                                 boxes=boxes, box_ind=box_ind))
        got = outcome(lambda: ct.raw_ops.crop_and_resize_grad_boxes(grads, image, boxes, box_ind,
                                                                    variant="reference"))
        assert same_outcome(got, want), (what, got, want)


def test_differentiable_op_errors_and_crgb_errors():
    """crop_and_resize raises TensorFlow's errors too; crgb's own conditions
    come as TensorFlow's classes with crgb's message: an unknown variant
    (InvalidArgument), a variant not built for a dtype (Unimplemented); NaN
    boxes are TensorFlow's forward message for the image gradient too (whose
    TensorFlow kernel does not check them)."""
    image = np.zeros((2, 5, 5, 3), np.float32)
    boxes = np.array([[0, 0, 1, 1], [0.2, 0.1, 0.9, 0.8]], np.float32)
    with pytest.raises(tf.errors.OutOfRangeError,
                       match=r"box_index has values outside \[0, batch_size\)"):
        ct.crop_and_resize(image, boxes, [0, 2], (3, 3))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Boxes contains at least one element that is not finite"):
        ct.crop_and_resize(image, np.full((2, 4), np.nan, np.float32), [0, 1], (3, 3))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Boxes contains at least one element that is not finite"):
        ct.raw_ops.crop_and_resize_grad_image(np.zeros((2, 3, 3, 3), np.float32),
                                              np.full((2, 4), np.inf, np.float32), [0, 1],
                                              image.shape)
    with pytest.raises(tf.errors.InvalidArgumentError, match="'nope' names no variant"):
        ct.crop_and_resize(image, boxes, [0, 1], (3, 3), variant="nope")
    autoscheduled = [v for v in others("crop_and_resize") if "adams2019" in v]
    if autoscheduled:  # built for uint8 and float32 only
        with pytest.raises(tf.errors.UnimplementedError) as e:
            ct.crop_and_resize(image.astype(np.int16), boxes, [0, 1], (3, 3),
                               variant=autoscheduled[0])
        want = crgb_message(lambda: crgb.crop_and_resize(image.astype(np.int16), boxes, [0, 1],
                                                         (3, 3), variant=autoscheduled[0]))
        assert clean_message(e.value.message) == want
    with pytest.raises(tf.errors.InvalidArgumentError, match="allowed values"):
        ct.crop_and_resize(image, boxes, [0, 1], (3, 3), method="area")


def crgb_message(fn):
    try:
        fn()
    except crgb.Error as e:
        return str(e)
    raise AssertionError("no error")


def test_no_input_crashes_a_kernel():
    """Shapes of every rank 0 to 9 (beyond crgb's descriptor's 8), empty and
    mismatched dimensions, sizes that overflow or cannot be allocated, any
    box_ind, crop_size and image_size values: each op either computes or raises a
    tf.errors.OpError (a crash would end the test process). Whenever
    TensorFlow's own op accepts the input (and does not crash on it: its
    kernels' known aborts, both-empty boxes of wrong rank and non-finite
    boxes in the gradients, are not given to it, nor huge crops), ours gives
    its result."""
    # A fixed generator (not the run's seed): the final check wants every outcome
    # class seen, which some random draws of this size miss.
    r = np.random.default_rng(8000)

    def shape():
        return tuple(int(s) for s in r.choice([0, 1, 2, 3, 4, 5], int(r.integers(0, 10))))

    def maybe(bad, good):
        return bad if r.random() < 0.3 else good

    seen, compared = set(), 0
    for _ in range(300):
        kind = r.choice(["own", "any", "huge"], p=[0.5, 0.3, 0.2])
        b, d, n = (int(s) for s in r.integers(0, 4, 3))
        if kind == "huge":
            # At least 2 * (2^31 - 1)^2 float elements: more than 2^64 bytes,
            # which TensorFlow's allocator refuses at once. (Just under 2^64,
            # it retries for 10 s before its ResourceExhausted.)
            d = int(r.integers(2, 4))
        h, w, ch, cw = (int(s) for s in r.integers(1, 5, 4))
        image = maybe(np.zeros(shape(), np.float32), np.ones((b, h, w, d), np.float32))
        grads = maybe(np.zeros(shape(), np.float32), np.ones((n, ch, cw, d), np.float32))
        boxes = maybe(r.uniform(-1, 2, shape()).astype(np.float32),
                      r.uniform(-1, 2, (n, 4)).astype(np.float32))
        box_ind = maybe(r.integers(-2, 4, shape()).astype(np.int32),
                        r.integers(0, max(b, 1), n).astype(np.int32))
        # Sizes: the inputs' own, or any few small, zero or negative ones, or
        # 2^31 - 1 for both spatial sides, whose outputs overflow int64 or
        # need about 2^64 bytes (which the allocator refuses:
        # ResourceExhausted). Never one huge side alone: its gigabytes would
        # be allocated and written.
        sizes = [int(s) for s in r.choice([-2**31, -1, 0, 1, 3], 4)]
        if kind == "huge":
            crop_size = np.array([2**31 - 1] * 2, np.int32)
            image_size = np.array([b, 2**31 - 1, 2**31 - 1, d], np.int32)
        elif kind == "any":
            crop_size = np.array(sizes[:int(r.integers(0, 4))], np.int32)
            image_size = np.array(sizes[:int(r.integers(0, 6))], np.int32)
        else:
            crop_size = np.array([ch, cw], np.int32)
            image_size = np.array([b, h, w, d], np.int32)
        for run in (lambda: ct.raw_ops.crop_and_resize(image, boxes, box_ind, crop_size),
                    lambda: ct.raw_ops.crop_and_resize_grad_image(grads, boxes, box_ind,
                                                                  image_size),
                    lambda: ct.raw_ops.crop_and_resize_grad_boxes(grads, image, boxes, box_ind)):
            try:
                run()
                seen.add("Ok")
            except tf.errors.OpError as e:
                assert type(e) in TF_ERRORS or type(e) is tf.errors.ResourceExhaustedError, e
                seen.add(type(e).__name__)
        # Where TensorFlow's forward accepts the input, ours gives its crops.
        # Not the huge crops: with depth 0 TensorFlow's kernel loops over all
        # 2^62 samples of its empty output.
        ok = (boxes.ndim == 2 and box_ind.ndim == 1) and boxes.size + box_ind.size > 0
        if ok and np.all(np.isfinite(boxes)) and kind != "huge":
            want = outcome(lambda: tf.raw_ops.CropAndResize(image=image, boxes=boxes,
                                                            box_ind=box_ind, crop_size=crop_size))
            if want[0] == "Ok":
                got = outcome(lambda: ct.raw_ops.crop_and_resize(image, boxes, box_ind,
                                                                 crop_size, variant="reference"))
                assert same_outcome(got, want)
                compared += 1
    assert compared >= 20 and seen == {"Ok", "InvalidArgumentError", "OutOfRangeError",
                                       "ResourceExhaustedError"}, (compared, seen)


# --------------------------------------------------------------------------------------
# Packaging and the example


def test_import_crgb_does_not_import_tensorflow():
    out = run_python("import sys, crgb; print('tensorflow' in sys.modules)")
    assert out.strip() == "False"


def test_missing_library_is_a_clear_import_error(tmp_path):
    """A crgb package without _crgb_tf_ops.so: ImportError naming the file and
    how to build it."""
    package = tmp_path / "crgb"
    shutil.copytree(os.path.dirname(crgb.__file__), package,
                    ignore=shutil.ignore_patterns("_crgb_tf_ops.so", "__pycache__"))
    out = run_python("""
        try:
            import crgb.tensorflow
        except ImportError as e:
            print(e)
        """, env={"PYTHONPATH": str(tmp_path)})
    assert str(package / "_crgb_tf_ops.so") in out and "CRGB_TENSORFLOW_PYTHON" in out, out


def test_fit_boxes_example_converges():
    """examples/python/fit_boxes_tensorflow.py: gradient descent through the op
    brings perturbed boxes back onto the true ones (each coordinate within
    1e-3) within its step limit, printing its progress."""
    out = run_python(open(os.path.join(REPO, "examples", "python",
                                       "fit_boxes_tensorflow.py")).read())
    lines = out.strip().splitlines()
    assert lines[-1].startswith("converged after "), out
    first = float(lines[0].split("max box error ")[1])
    last = float(lines[-2].split("max box error ")[1])
    assert first > 0.02 and last < 1e-3, out


OPENCL_BESIDE_TENSORFLOW = """
    import sys
    import numpy as np
    order = sys.argv[1]
    if order == "tensorflow first":
        import tensorflow as tf
    import crgb
    opencl = [v for v in crgb.variants() if v.name == "opencl"]
    im = np.random.default_rng(0).random((1, 8, 8, 3), dtype=np.float32)
    b, bi = np.array([[0.1, 0.2, 0.9, 0.7]], np.float32), np.zeros(1, np.int32)
    try:
        c = crgb.crop_and_resize(im, b, bi, (4, 5), variant="opencl")
        print("ran", opencl[0].available)
    except crgb.UnavailableError as e:
        print("unavailable", opencl[0].available, e)
        c = crgb.crop_and_resize(im, b, bi, (4, 5), variant="reference")
    if order == "crgb first":
        import tensorflow as tf
    want = tf.image.crop_and_resize(im, b, bi, (4, 5)).numpy()
    print("max diff", float(np.abs(c - want).max()))
"""


def test_opencl_beside_tensorflow_never_crashes():
    """An OpenCL driver that brings its own LLVM (PoCL) crashed when loaded into
    a process where TensorFlow's LLVM symbols are global (SIGSEGV in
    llvm::cl::Option::addArgument): with TensorFlow imported first the OpenCL
    variants are unavailable, saying why; with crgb's OpenCL variant run
    first, TensorFlow imports and runs after it. Both exact against
    tf.image.crop_and_resize (one lerp sequence in TensorFlow's order)."""
    if not any(v.name == "opencl" for v in crgb.variants()):
        pytest.skip("this build has no OpenCL variant")
    out = run_python(OPENCL_BESIDE_TENSORFLOW, "tensorflow first")
    assert out.startswith("unavailable False") and "LLVM" in out, out
    assert "max diff 0.0" in out, out
    out = run_python(OPENCL_BESIDE_TENSORFLOW, "crgb first")
    # Without an OpenCL device it is unavailable there too; the test command
    # (CRGB_REQUIRE_OPENCL=1, PoCL installed) requires that it ran.
    ran = out.startswith("ran True")
    assert ran or (os.environ.get("CRGB_REQUIRE_OPENCL") != "1"
                   and out.startswith("unavailable False")), out
    assert "max diff 0.0" in out, out
