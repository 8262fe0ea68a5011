#!/usr/bin/env python3
"""Golden cases for crgb, generated with TensorFlow's tf.raw_ops.CropAndResizeGradBoxes.

What it does
  Builds a fixed, seeded list of cases (valid inputs of all nine image dtypes and
  many shapes, plus every validation error TensorFlow reports without crashing),
  runs each one through TensorFlow's CPU kernel (eager mode), and writes
    tests/golden/golden.npz  for case id cNNN (c000, c001, ...):
        cNNN_grads    float32 (normally [num_boxes, crop_h, crop_w, depth])
        cNNN_image    the image, in its own dtype (float16 stored as '<f2')
        cNNN_boxes    float32
        cNNN_box_ind  int32
        cNNN_out      float32 [num_boxes, 4], TensorFlow's exact result (Ok cases only)
        cNNN_method   uint8 ASCII bytes of the `method` attr, only for cases whose
                      method is not 'bilinear'
      All arrays are C-contiguous little-endian.  The zip members carry a fixed
      timestamp, so the file is byte-for-byte reproducible.
    tests/golden/cases.tsv   header `id<TAB>status<TAB>description<TAB>message`, one line per
      case; status is Ok, InvalidArgument, OutOfRange, Unimplemented or Internal
      (TensorFlow's error class); message is TensorFlow's message without its
      decorations (the `{{function_node ...}} ` prefix, the ` [Op:CropAndResizeGradBoxes]`
      suffix and what follows it), with tabs/newlines replaced by one space; empty for Ok.
  It also checks, bit for bit, that the NumPy emulation in emulate_tf.py equals
  TensorFlow on every accepted case, and that its own model of TensorFlow's
  validation (validate() below) predicts every error class and message.

How to run (from the repository root)
  python3 -m venv .venv-tf && .venv-tf/bin/pip install -r tests/golden/requirements.txt \
    && .venv-tf/bin/python tests/golden/make_golden.py
  Optional: --probe-unsafe runs the known-dangerous inputs (listed in UNSAFE_PROBES)
  each in its own subprocess and prints how that process ended; they are never
  recorded as cases.

What is deliberately not recorded (TensorFlow crashes or is undefined there)
  * Both boxes and box_ind empty but of the wrong rank, e.g. boxes [0] with
    box_ind [0, 0], boxes [0, 0, 4] with box_ind [0], boxes [0, 4] with box_ind
    [0, 0], boxes [0] with box_ind [0]: TensorFlow skips its rank checks when both
    are empty and then aborts the process with "Check failed: NDIMS == dims()"
    (SIGABRT, TensorFlow issue 65721).
  * Boxes that make a sample coordinate NaN: NaN or +-inf boxes, or huge finite
    ones such as y1 = 3e38, y2 = -3e38 (0 * -inf): the kernel converts NaN to int,
    an out-of-bounds read (SIGSEGV seen with TF 2.20).  Every accepted case below
    is first run through the emulation, which raises UnsafeInput for such inputs,
    and is only then given to TensorFlow.  Huge but harmless boxes (1e30, where
    every coordinate stays a number) are recorded.
"""

import io
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import emulate_tf  # noqa: E402

SEED = 20251125
F32 = np.float32
I32 = np.int32
DTYPES = ["uint8", "uint16", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
ODD_DEPTHS = [3, 5, 7, 13, 17, 33]

# ----------------------------------------------------------------------------------------
# Model of TensorFlow's validation, in TensorFlow's order
# (CropAndResizeGradBoxesOp::ComputeAsync + ParseAndCheckBoxSizes + RunIfBoxIndexIsValid).
# Returns (status, message) or ("Abort", why) for the inputs that crash TensorFlow.


def _shape_str(a):
    return "[" + ",".join(str(d) for d in a.shape) + "]"


def validate(grads, image, boxes, box_ind, method="bilinear"):
    if method != "bilinear":
        return ("InvalidArgument",
                "Value for attr 'method' of \"%s\" is not in the list of allowed values: "
                "\"bilinear\" ; NodeDef: {{node CropAndResizeGradBoxes}}; "
                "Op<name=CropAndResizeGradBoxes; signature=grads:float, image:T, boxes:float, "
                "box_ind:int32 -> output:float; attr=T:type,allowed=[DT_UINT8, DT_UINT16, "
                "DT_INT8, DT_INT16, DT_INT32, DT_INT64, DT_HALF, DT_FLOAT, DT_DOUBLE]; "
                "attr=method:string,default=\"bilinear\",allowed=[\"bilinear\"]>" % method)
    if grads.ndim != 4:
        return ("InvalidArgument", "grads image must be 4-D" + _shape_str(grads))
    if not (grads.shape[1] > 0 and grads.shape[2] > 0):
        return ("InvalidArgument", "grads dimensions must be positive")
    if image.ndim != 4:
        return ("InvalidArgument", "input image must be 4-D" + _shape_str(image))
    if not (image.shape[1] > 0 and image.shape[2] > 0):
        return ("InvalidArgument", "image dimensions must be positive")
    if image.shape[3] != grads.shape[3]:
        return ("InvalidArgument", "image, grads depth differ")
    if boxes.size == 0 and box_ind.size == 0:
        num_boxes = 0
        if boxes.ndim != 2 or box_ind.ndim != 1:
            return ("Abort", "empty boxes/box_ind of the wrong rank (TF issue 65721)")
    else:
        if boxes.ndim != 2:
            return ("InvalidArgument", "boxes must be 2-D" + _shape_str(boxes))
        num_boxes = boxes.shape[0]
        if boxes.shape[1] != 4:
            return ("InvalidArgument", "boxes must have 4 columns")
        if box_ind.ndim != 1:
            return ("InvalidArgument", "box_index must be 1-D" + _shape_str(box_ind))
        if box_ind.shape[0] != num_boxes:
            return ("InvalidArgument", "box_index has incompatible shape")
    if grads.shape[0] != num_boxes:
        return ("InvalidArgument", "boxes and grads have incompatible shape")
    if np.any((box_ind < 0) | (box_ind >= image.shape[0])):
        return ("OutOfRange", "box_index has values outside [0, batch_size)")
    return ("Ok", "")


# ----------------------------------------------------------------------------------------
# Running TensorFlow

_tf = None


def tf_module():
    global _tf
    if _tf is None:
        import tensorflow as tf
        _tf = tf
    return _tf


ERROR_CLASSES = [
    ("InvalidArgumentError", "InvalidArgument"),
    ("OutOfRangeError", "OutOfRange"),
    ("UnimplementedError", "Unimplemented"),
    ("InternalError", "Internal"),
]


def clean_message(msg):
    msg = re.sub(r"^\{\{function_node [^}]*\}\}\s*", "", msg)
    msg = re.sub(r"\s*\[Op:CropAndResizeGradBoxes\].*$", "", msg, flags=re.S)
    msg = re.sub(r"[\t\r\n]+", " ", msg)
    return msg.strip()


def run_tf(case):
    tf = tf_module()
    try:
        out = tf.raw_ops.CropAndResizeGradBoxes(
            grads=case["grads"], image=case["image"], boxes=case["boxes"],
            box_ind=case["box_ind"], method=case.get("method", "bilinear"))
        return "Ok", "", np.ascontiguousarray(out.numpy(), dtype=F32)
    except tf.errors.OpError as e:
        for cls_name, status in ERROR_CLASSES:
            if isinstance(e, getattr(tf.errors, cls_name)):
                return status, clean_message(str(e)), None
        raise


# ----------------------------------------------------------------------------------------
# Inputs

def rand_image(rng, dtype, shape, mode="full"):
    """Values that use the dtype's range."""
    dt = np.dtype(dtype)
    if dt.kind in "ui":
        info = np.iinfo(dt)
        if dtype == "int64":
            lo, hi = (-10**12, 10**12) if mode == "full" else (-1000, 1000)
        elif dtype == "int32" and mode != "full":
            lo, hi = -100000, 100000
        elif mode == "small":
            lo, hi = max(int(info.min), -50), min(int(info.max), 50)
        else:
            lo, hi = int(info.min), int(info.max)
        return rng.integers(lo, hi, size=shape, endpoint=True, dtype=dt)
    if dtype == "float16":
        scale = 100.0 if mode == "full" else 2.0
        v = rng.normal(0, scale, size=shape)
        return np.clip(v, -60000, 60000).astype(np.float16)
    scale = 1000.0 if mode == "full" else 1.0
    return rng.normal(0, scale, size=shape).astype(dt)


def rand_grads(rng, shape):
    return rng.normal(0, 1, size=shape).astype(F32)


def rand_boxes(rng, nb, kind):
    if kind == "inside":
        b = rng.uniform(0, 1, size=(nb, 4))
    elif kind == "partial":
        b = rng.uniform(-0.6, 1.6, size=(nb, 4))
    elif kind == "outside":
        b = np.empty((nb, 4))
        for i in range(nb):
            side = rng.integers(0, 4)
            lo, hi = [(1.05, 2.5), (-2.5, -0.05), (1.05, 2.5), (-2.5, -0.05)][side]
            b[i] = rng.uniform(-0.5, 1.5, size=4)
            if side < 2:
                b[i, 0], b[i, 2] = rng.uniform(lo, hi, size=2)
            else:
                b[i, 1], b[i, 3] = rng.uniform(lo, hi, size=2)
    elif kind == "flipped":
        b = rng.uniform(-0.2, 1.2, size=(nb, 4))
        b[:, [0, 2]] = np.sort(b[:, [0, 2]], axis=1)[:, ::-1]
        b[:, [1, 3]] = np.sort(b[:, [1, 3]], axis=1)[:, ::-1]
    elif kind == "mixed":
        b = np.empty((nb, 4))
        for i in range(nb):
            b[i] = rand_boxes(rng, 1, ["inside", "partial", "outside", "flipped"][rng.integers(0, 4)])[0]
    else:
        raise ValueError(kind)
    return b.astype(F32)


def make_case(rng, dtype, desc, *, nb=None, batch=None, H=None, W=None, cH=None, cW=None,
              depth=None, boxes="mixed", box_ind="spread", image_mode=None):
    nb = int(rng.integers(1, 9)) if nb is None else nb
    batch = int(rng.integers(1, 4)) if batch is None else batch
    H = int(rng.integers(1, 10)) if H is None else H
    W = int(rng.integers(1, 10)) if W is None else W
    cH = int(rng.integers(1, 8)) if cH is None else cH
    cW = int(rng.integers(1, 8)) if cW is None else cW
    if depth is None:
        depth = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 13, 16, 17]))
    if image_mode is None:
        image_mode = "full" if rng.random() < 0.6 else "small"
    image = rand_image(rng, dtype, (batch, H, W, depth), image_mode)
    if isinstance(boxes, str):
        boxes = rand_boxes(rng, nb, boxes)
    if isinstance(box_ind, str):
        if box_ind == "spread":
            box_ind = (np.arange(nb) % batch).astype(I32)
            rng.shuffle(box_ind)
        else:
            box_ind = rng.integers(0, batch, size=nb).astype(I32)
    grads = rand_grads(rng, (nb, cH, cW, depth))
    return dict(desc="%s %s: grads[%d,%d,%d,%d] image[%d,%d,%d,%d]" % (
        dtype, desc, nb, cH, cW, depth, batch, H, W, depth),
        grads=grads, image=image, boxes=np.asarray(boxes, F32), box_ind=np.asarray(box_ind, I32))


def integer_boxes(rng, nb, H, W, cH, cW):
    """Boxes whose samples land on integer pixel coordinates (or try to: y1 = k/(H-1)
    is itself rounded, TF decides)."""
    b = np.zeros((nb, 4), F32)
    for i in range(nb):
        for (c1, c2, n, c) in ((0, 2, H, cH), (1, 3, W, cW)):
            if i == 0 or n == 1:
                b[i, c1], b[i, c2] = (0.0, 1.0) if rng.random() < 0.7 else (1.0, 0.0)
            else:
                k1, k2 = rng.integers(-1, n + 1, size=2)
                b[i, c1], b[i, c2] = k1 / (n - 1), k2 / (n - 1)
    return b


def special_cases(rng):
    """Hand-written edge cases, mostly float32."""
    cs = []

    def add(desc, grads, image, boxes, box_ind, **kw):
        d = dict(desc=desc, grads=np.asarray(grads, F32), image=np.asarray(image),
                 boxes=np.asarray(boxes, F32), box_ind=np.asarray(box_ind, I32))
        d.update(kw)
        cs.append(d)

    img = rand_image(rng, "float32", (2, 5, 6, 3))
    # ---- accepted although they look odd
    add("num_boxes = 0: boxes [0,4], box_ind [0], grads [0,3,4,3]",
        np.zeros((0, 3, 4, 3)), img, np.zeros((0, 4)), np.zeros(0))
    add("num_boxes = 0 with uint8 image", np.zeros((0, 1, 1, 3)),
        rand_image(rng, "uint8", (1, 2, 2, 3)), np.zeros((0, 4)), np.zeros(0))
    add("accepted: boxes [0,3] with box_ind [0] and grads [0,2,2,3] (rank/column checks skipped when both empty)",
        np.zeros((0, 2, 2, 3)), img, np.zeros((0, 3)), np.zeros(0))
    add("accepted: boxes [2,0] with box_ind [0] and grads [0,2,2,3] (both empty -> num_boxes 0)",
        np.zeros((0, 2, 2, 3)), img, np.zeros((2, 0)), np.zeros(0))
    add("accepted: boxes [0,7] with box_ind [0] and grads [0,1,1,3]",
        np.zeros((0, 1, 1, 3)), img, np.zeros((0, 7)), np.zeros(0))
    add("accepted: image batch 0 with num_boxes 0", np.zeros((0, 2, 2, 3)),
        np.zeros((0, 5, 6, 3), F32), np.zeros((0, 4)), np.zeros(0))
    add("depth = 0: grads [2,3,3,0], image [2,5,6,0] -> zeros", np.zeros((2, 3, 3, 0)),
        np.zeros((2, 5, 6, 0), F32), [[0.1, 0.2, 0.8, 0.9], [0.9, 0.1, 0.2, 0.7]], [1, 0])
    add("depth = 0 with int16 image and crop 1x1", np.zeros((1, 1, 1, 0)),
        np.zeros((1, 3, 3, 0), np.int16), [[0.1, 0.2, 0.8, 0.9]], [0])
    # ---- huge but harmless boxes (every coordinate stays a number)
    add("huge finite boxes y1=1e30, y2=-1e30 (coordinates finite, all outside) -> zeros",
        rand_grads(rng, (1, 3, 3, 3)), img, [[1e30, 0.0, -1e30, 1.0]], [0])
    add("huge finite boxes: one coordinate +-3e30 outside, x inside",
        rand_grads(rng, (2, 2, 3, 3)), img, [[-1e30, 0.1, 0.5, 0.9], [0.2, 0.3, 1e30, 0.6]], [0, 1])
    add("huge finite box with crop 1x1 (centre 0.5*(y1+y2)*(H-1) overflows to inf -> outside)",
        rand_grads(rng, (1, 1, 1, 3)), img, [[3e38, 0.2, 3e38, 0.4]], [1])
    add("crop 1x1, y1 = 3e38, y2 = -3e38: centre 0 (sum cancels exactly)",
        rand_grads(rng, (1, 1, 1, 3)), img, [[3e38, 0.2, -3e38, 0.4]], [1])
    # ---- exact sampling on the pixel grid
    add("exact grid: boxes [0,0,1,1], crop == image size 5x6 (every sample on an integer)",
        rand_grads(rng, (1, 5, 6, 3)), img, [[0, 0, 1, 1]], [0])
    add("exact grid flipped: boxes [1,1,0,0], crop == image size", rand_grads(rng, (1, 5, 6, 3)),
        img, [[1, 1, 0, 0]], [1])
    add("exact grid, crop 2x2 corners of the image", rand_grads(rng, (2, 2, 2, 3)), img,
        [[0, 0, 1, 1], [1, 0, 0, 1]], [0, 1])
    add("exact grid: crop 9x11 on 5x6 image, boxes [0,0,1,1] (every other sample integer)",
        rand_grads(rng, (1, 9, 11, 3)), img, [[0, 0, 1, 1]], [0])
    add("crop 1x1 whose centre is an integer pixel (y1+y2 = 2k/(H-1))",
        rand_grads(rng, (3, 1, 1, 3)), img,
        [[0.0, 0.0, 0.5, 0.4], [0.25, 0.2, 0.75, 0.8], [0.0, 0.0, 1.0, 1.0]], [0, 1, 0])
    add("boxes of zero extent (y1 == y2, x1 == x2)", rand_grads(rng, (2, 3, 3, 3)), img,
        [[0.3, 0.6, 0.3, 0.6], [0.5, 0.2, 0.5, 0.2]], [0, 1])
    add("boxes with -0.0 and exactly 0/1 edges", rand_grads(rng, (2, 3, 4, 3)), img,
        [[-0.0, -0.0, 1.0, 1.0], [1.0, 1.0, -0.0, -0.0]], [1, 0])
    add("boxes just outside [0,1] by one ulp", rand_grads(rng, (2, 3, 3, 3)), img,
        [[np.nextafter(F32(0), F32(-1)), 0.0, np.nextafter(F32(1), F32(2)), 1.0],
         [0.0, np.nextafter(F32(1), F32(2)), 1.0, np.nextafter(F32(0), F32(-1))]], [0, 1])
    # ---- image 1x1, 1xW, Hx1
    img11 = rand_image(rng, "float32", (1, 1, 1, 5))
    add("image 1x1, crop 3x3 (ratios 0: all samples at 0 when y1 = 0)", rand_grads(rng, (2, 3, 3, 5)),
        img11, [[0, 0, 1, 1], [0.0, 0.0, 0.0, 0.0]], [0, 0])
    add("image 1x1, crop 1x1", rand_grads(rng, (1, 1, 1, 5)), img11, [[0.2, 0.3, 0.6, 0.9]], [0])
    # ---- subnormals: TF runs CPU kernels with FTZ/DAZ
    imgd = np.zeros((1, 2, 2, 1), F32)
    imgd[0, 1, :, 0] = 1e6
    add("FTZ/DAZ: subnormal grads (1e-40) with image step 1e6 -> TF reads grads as 0",
        np.full((1, 2, 2, 1), 1e-40, F32), imgd, [[0.25, 0.0, 0.75, 1.0]], [0])
    imgd2 = np.zeros((1, 2, 2, 1), F32)
    imgd2[0, 1, :, 0] = 1e-20
    add("FTZ: normal inputs whose product is subnormal (1e-20 * 1e-20)",
        np.full((1, 2, 2, 1), 1e-20, F32), imgd2, [[0.25, 0.0, 0.75, 1.0]], [0])
    imgd3 = np.zeros((1, 2, 2, 2), np.float64)
    imgd3[0, 1, :, 0] = 1e-40
    imgd3[0, 1, :, 1] = 1e-30
    add("FTZ: float64 image value 1e-40 becomes a subnormal float -> 0; 1e-30 survives",
        np.full((1, 2, 2, 2), 1e8, F32), imgd3, [[0.25, 0.0, 0.75, 1.0]], [0])
    imgd4 = np.zeros((1, 2, 2, 1), np.float16)
    imgd4[0, 1, :, 0] = np.float16(6e-8)
    imgd4[0, 0, 1, 0] = np.float16(-3e-5)
    add("float16 subnormal image values (normal once converted to float32)",
        np.ones((1, 2, 2, 1), F32), imgd4, [[0.25, 0.0, 0.75, 1.0]], [0])
    add("FTZ: subnormal box coordinates (read as 0)", rand_grads(rng, (1, 2, 2, 3)), img,
        [[1e-40, -1e-40, 0.5, 0.5]], [0])
    imgk = np.zeros((1, 4, 2, 1), F32)
    imgk[0, 1, 0, 0] = 1000.0
    imgk[0, 1, 1, 0] = -1000.0
    add("crop height 1, y1 = 1e-37, y2 = -8.6e-38: 0.5*(y1+y2) is subnormal in float but not in double",
        np.ones((1, 1, 2, 1), F32), imgk, [[1.0e-37, 0.25, -8.6e-38, 0.75]], [0])
    add("crop height 1, y1+y2 = 2.5e-38: 0.5*(y1+y2)*(H-1) stays normal",
        np.ones((1, 1, 2, 1), F32), imgk, [[1.5e-38, 0.25, 1.2e-38, 0.75]], [0])
    # ---- dtype extremes
    add("int32 extremes (+-2^31) converted to float", rand_grads(rng, (2, 3, 3, 2)),
        np.array([[[[2**31 - 1, -2**31], [-2**31, 2**31 - 1]], [[0, 1], [-1, 2**31 - 1]],
                   [[-2**31, 5], [7, -9]]]], np.int32),
        [[0.1, 0.0, 0.9, 1.0], [1.0, 0.2, 0.0, 0.7]], [0, 0])
    add("int64 extremes (+-2^63) and 1e12 values converted to float", rand_grads(rng, (2, 3, 3, 2)),
        np.array([[[[2**63 - 1, -2**63], [-2**63, 2**63 - 1]], [[10**12, -10**12], [123456789012, 3]],
                   [[-2**53 - 1, 2**53 + 1], [2**24 + 1, -(2**24 + 1)]]]], np.int64),
        [[0.1, 0.0, 0.9, 1.0], [1.0, 0.2, 0.0, 0.7]], [0, 0])
    add("uint16/uint8-like extremes in uint16", rand_grads(rng, (1, 4, 4, 2)),
        rand_image(rng, "uint16", (1, 3, 3, 2)) | np.uint16(0x8000), [[-0.2, 0.1, 1.1, 0.8]], [0])
    add("float16 extremes +-65504 and +-6.1e-5", rand_grads(rng, (1, 3, 3, 2)),
        np.array([[[[65504, -65504], [6.1e-5, -6.1e-5]], [[-65504, 1], [0.5, 65504]]]], np.float16),
        [[0.0, 0.0, 1.0, 1.0], ], [0])
    add("float64 values not representable in float32 (rounded by the conversion)",
        rand_grads(rng, (1, 3, 3, 2)),
        np.array([[[[1 + 2**-30, 1 - 2**-30], [1e300 * 0 + 3.0000001, -7.00000001]],
                   [[0.1, 0.2], [1e10 + 0.3, -1e-10]]]], np.float64),
        [[0.0, 0.0, 1.0, 1.0]], [0])
    # ---- a few larger shapes
    add("larger: crop 16x16, depth 8, 2 boxes", rand_grads(rng, (2, 16, 16, 8)),
        rand_image(rng, "float32", (2, 12, 10, 8)), rand_boxes(rng, 2, "partial"), [1, 0])
    add("larger: depth 64, crop 4x5", rand_grads(rng, (3, 4, 5, 64)),
        rand_image(rng, "uint8", (2, 6, 7, 64)), rand_boxes(rng, 3, "inside"), [0, 1, 1])
    add("larger: image 40x3 crop 20x2, depth 3", rand_grads(rng, (2, 20, 2, 3)),
        rand_image(rng, "int16", (1, 40, 3, 3)), rand_boxes(rng, 2, "partial"), [0, 0])
    add("num_boxes 12, box_ind all equal to the last batch", rand_grads(rng, (12, 2, 3, 5)),
        rand_image(rng, "float32", (4, 4, 4, 5)), rand_boxes(rng, 12, "mixed"), [3] * 12)
    return cs


def valid_cases(rng):
    cs = []
    for dtype in DTYPES:
        # Structured scenarios, one or more per dtype.
        cs.append(make_case(rng, dtype, "crop 1x1", cH=1, cW=1, boxes="partial"))
        cs.append(make_case(rng, dtype, "crop 1x1 inside", cH=1, cW=1, boxes="inside"))
        cs.append(make_case(rng, dtype, "crop 1xN", cH=1, cW=int(rng.integers(2, 8))))
        cs.append(make_case(rng, dtype, "crop Nx1", cH=int(rng.integers(2, 8)), cW=1))
        cs.append(make_case(rng, dtype, "image height 1", H=1))
        cs.append(make_case(rng, dtype, "image width 1", W=1))
        cs.append(make_case(rng, dtype, "image height 1, crop height 1", H=1, cH=1))
        cs.append(make_case(rng, dtype, "image 1x1", H=1, W=1))
        cs.append(make_case(rng, dtype, "depth 1", depth=1))
        for d in ODD_DEPTHS:
            cs.append(make_case(rng, dtype, "depth %d" % d, depth=d,
                                cH=int(rng.integers(1, 5)), cW=int(rng.integers(1, 5)),
                                nb=int(rng.integers(1, 4))))
        cs.append(make_case(rng, dtype, "batch>1, box_ind spread", nb=int(rng.integers(5, 9)),
                            batch=int(rng.integers(3, 5)), box_ind="spread"))
        cs.append(make_case(rng, dtype, "batch>1, box_ind random", nb=int(rng.integers(3, 9)),
                            batch=int(rng.integers(2, 5)), box_ind="random"))
        cs.append(make_case(rng, dtype, "flipped boxes (y1>y2, x1>x2)", boxes="flipped"))
        cs.append(make_case(rng, dtype, "boxes partly outside [0,1]", boxes="partial"))
        cs.append(make_case(rng, dtype, "boxes wholly outside [0,1]", boxes="outside"))
        cs.append(make_case(rng, dtype, "boxes inside [0,1]", boxes="inside"))
        cs.append(make_case(rng, dtype, "num_boxes 1", nb=1))
        # Exact integer sampling: y1=0, y2=1, crop == image size; and k/(H-1) boxes.
        H, W = int(rng.integers(2, 8)), int(rng.integers(2, 8))
        nb = int(rng.integers(1, 5))
        cs.append(make_case(rng, dtype, "integer samples: boxes 0/1, crop == image",
                            H=H, W=W, cH=H, cW=W, nb=nb, boxes=integer_boxes(rng, nb, H, W, H, W)))
        H, W = int(rng.integers(2, 8)), int(rng.integers(2, 8))
        cH, cW = int(rng.integers(1, 8)), int(rng.integers(1, 8))
        nb = int(rng.integers(2, 6))
        cs.append(make_case(rng, dtype, "integer-ish samples: boxes k/(H-1)", H=H, W=W, cH=cH, cW=cW,
                            nb=nb, boxes=integer_boxes(rng, nb, H, W, cH, cW)))
        H = int(rng.integers(2, 8))
        cs.append(make_case(rng, dtype, "integer samples: crop 2*H-1 over [0,1]", H=H, W=H,
                            cH=2 * H - 1, cW=2 * H - 1, nb=1, depth=int(rng.choice([1, 3, 5])),
                            boxes=np.array([[0, 0, 1, 1]], F32)))
        # Random general cases.
        for _ in range(10):
            cs.append(make_case(rng, dtype, "random"))
    return cs


def error_cases(rng):
    cs = []

    def add(desc, grads, image, boxes, box_ind, **kw):
        d = dict(desc=desc, grads=np.asarray(grads, F32), image=np.asarray(image),
                 boxes=np.asarray(boxes, F32), box_ind=np.asarray(box_ind, I32))
        d.update(kw)
        cs.append(d)

    g = rand_grads(rng, (2, 3, 4, 3))
    img = rand_image(rng, "float32", (2, 5, 6, 3))
    bx = rand_boxes(rng, 2, "inside")
    bi = np.array([0, 1], I32)
    add("method='nearest' (attr not in allowed list)", g, img, bx, bi, method="nearest")
    add("method='' (empty)", g, img, bx, bi, method="")
    add("method='nearest' and grads 3-D (attr is checked first)", g[0], img, bx, bi, method="nearest")
    add("grads 3-D", g[0], img, bx, bi)
    add("grads 5-D", g[None], img, bx, bi)
    add("grads 2-D [2,3]", np.zeros((2, 3)), img, bx, bi)
    add("grads 0-D", np.float32(1.5), img, bx, bi)
    add("grads 1-D empty [0]", np.zeros((0,)), img, np.zeros((0, 4)), np.zeros(0))
    add("crop height 0", np.zeros((2, 0, 4, 3)), img, bx, bi)
    add("crop width 0", np.zeros((2, 3, 0, 3)), img, bx, bi)
    add("crop height and width 0, num_boxes 0", np.zeros((0, 0, 0, 3)), img, np.zeros((0, 4)), np.zeros(0))
    add("image 3-D", g, img[0], bx, bi)
    add("image 5-D", g, img[None], bx, bi)
    add("image 0-D (int32)", g, np.int32(3), bx, bi)
    add("image height 0", g, np.zeros((2, 0, 6, 3), F32), bx, bi)
    add("image width 0", g, np.zeros((2, 5, 0, 3), F32), bx, bi)
    add("image height 0 (uint8)", g, np.zeros((1, 0, 0, 3), np.uint8), bx, bi)
    add("depth differs (image 2, grads 3)", g, img[..., :2], bx, bi)
    add("depth differs (image 4, grads 3, int64)", g, rand_image(rng, "int64", (2, 5, 6, 4)), bx, bi)
    add("depth differs (image 0, grads 3)", g, np.zeros((2, 5, 6, 0), F32), bx, bi)
    add("boxes 1-D [4]", g[:1], img, bx[0], bi[:1])
    add("boxes 3-D [2,1,4]", g, img, bx[:, None, :], bi)
    add("boxes 0-D", g[:1], img, np.float32(0.5), bi[:1])
    add("boxes 3 columns", g, img, bx[:, :3], bi)
    add("boxes 5 columns", g, img, np.concatenate([bx, bx[:, :1]], 1), bi)
    add("boxes [2,0] with box_ind [2] (not both empty)", g, img, np.zeros((2, 0)), bi)
    add("box_ind 2-D [2,1]", g, img, bx, bi[:, None])
    add("box_ind 0-D", g[:1], img, bx[:1], np.int32(0))
    add("box_ind empty 2-D [0,0] with non-empty boxes", g, img, bx, np.zeros((0, 0)))
    add("box_ind length 1 vs 2 boxes", g, img, bx, bi[:1])
    add("box_ind length 3 vs 2 boxes", g, img, bx, np.array([0, 1, 0]))
    add("box_ind length 0 vs 2 boxes", g, img, bx, np.zeros(0))
    add("boxes [0,4] with box_ind [1]", g[:0], img, np.zeros((0, 4)), np.zeros(1))
    add("grads dim0 3 vs 2 boxes", rand_grads(rng, (3, 3, 4, 3)), img, bx, bi)
    add("grads dim0 1 vs 0 boxes", g[:1], img, np.zeros((0, 4)), np.zeros(0))
    add("grads dim0 0 vs 2 boxes", g[:0], img, bx, bi)
    add("box_ind negative", g, img, bx, np.array([0, -1]))
    add("box_ind == batch", g, img, bx, np.array([2, 0]))
    add("box_ind huge (2^31-1)", g, img, bx, np.array([1, 2**31 - 1]))
    add("box_ind min int32", g, img, bx, np.array([-2**31, 0]))
    add("box_ind out of range with image batch 0", g, np.zeros((0, 5, 6, 3), F32), bx, bi)
    add("box_ind out of range, int8 image", g, rand_image(rng, "int8", (1, 5, 6, 3)), bx, bi)
    add("box_ind out of range with NaN boxes (checked before any box is read)", g, img,
        np.full((2, 4), np.nan), np.array([5, 0]))
    # Precedence between two errors.
    add("precedence: grads 3-D and image 3-D", g[0], img[0], bx, bi)
    add("precedence: crop 0 and image 3-D", np.zeros((2, 0, 4, 3)), img[0], bx, bi)
    add("precedence: image 3-D and depth differs", g, img[0, ..., :2], bx, bi)
    add("precedence: image height 0 and depth differs", g, np.zeros((2, 0, 6, 2), F32), bx, bi)
    add("precedence: depth differs and boxes 3 columns", g, img[..., :2], bx[:, :3], bi)
    add("precedence: boxes 3 columns and box_ind 2-D", g, img, bx[:, :3], bi[:, None])
    add("precedence: boxes 1-D and box_ind 2-D", g, img, bx[0], bi[:, None])
    add("precedence: box_ind length and grads dim0", rand_grads(rng, (3, 3, 4, 3)), img, bx, bi[:1])
    add("precedence: grads dim0 and box_ind out of range", rand_grads(rng, (3, 3, 4, 3)), img, bx,
        np.array([7, 7]))
    add("precedence: depth differs and box_ind out of range", g, img[..., :1], bx, np.array([9, 0]))
    return cs


UNSAFE_PROBES = {
    "boxes [0] with box_ind [0,0]": (np.zeros((0, 2, 2, 1), F32), np.zeros((1, 4, 4, 1), F32),
                                     np.zeros((0,), F32), np.zeros((0, 0), I32)),
    "boxes [0,0,4] with box_ind [0]": (np.zeros((0, 2, 2, 1), F32), np.zeros((1, 4, 4, 1), F32),
                                       np.zeros((0, 0, 4), F32), np.zeros((0,), I32)),
    "boxes [0,4] with box_ind [0,0]": (np.zeros((0, 2, 2, 1), F32), np.zeros((1, 4, 4, 1), F32),
                                       np.zeros((0, 4), F32), np.zeros((0, 0), I32)),
    "boxes [0] with box_ind [0]": (np.zeros((0, 2, 2, 1), F32), np.zeros((1, 4, 4, 1), F32),
                                   np.zeros((0,), F32), np.zeros((0,), I32)),
    "NaN box": (np.ones((1, 2, 2, 1), F32), np.ones((1, 4, 4, 1), F32),
                np.array([[np.nan, 0, 1, 1]], F32), np.zeros(1, I32)),
    "inf box": (np.ones((1, 2, 2, 1), F32), np.ones((1, 4, 4, 1), F32),
                np.array([[np.inf, 0, 1, 1]], F32), np.zeros(1, I32)),
    "y1=3e38, y2=-3e38 (0 * -inf = NaN)": (np.ones((1, 2, 2, 1), F32), np.ones((1, 4, 4, 1), F32),
                                           np.array([[3e38, 0, -3e38, 1]], F32), np.zeros(1, I32)),
}


def probe_unsafe():
    """Run each dangerous input in its own Python process and report how it ended."""
    for name, arrs in UNSAFE_PROBES.items():
        code = ("import os,numpy as np;from numpy import nan,inf;os.environ['TF_CPP_MIN_LOG_LEVEL']='3';import tensorflow as tf;"
                "a=[np.array(v,dtype=t).reshape(s) for v,t,s in %r];"
                "print('RESULT', tf.raw_ops.CropAndResizeGradBoxes(grads=a[0],image=a[1],boxes=a[2],"
                "box_ind=a[3]).numpy().tolist())"
                % ([(x.ravel().tolist(), x.dtype.str, x.shape) for x in arrs],))
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        tail = (p.stdout + p.stderr).strip().splitlines()[-1:] or [""]
        print("  unsafe probe %-40s exit %4d  %s" % (name, p.returncode, tail[0][:160]))


# ----------------------------------------------------------------------------------------

def le(a):
    # np.ascontiguousarray turns a 0-d array into a 1-d one: keep the rank.
    a = np.array(a, copy=False) if np.ndim(a) == 0 else np.ascontiguousarray(a)
    if a.dtype.byteorder == ">" or (a.dtype.byteorder == "=" and sys.byteorder == "big"):
        a = a.astype(a.dtype.newbyteorder("<"))
    return a


def write_npz(path, arrays):
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    # Re-pack with a fixed timestamp so that the file is reproducible byte for byte.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename), compresslevel=9)


def main():
    probe = "--probe-unsafe" in sys.argv[1:]
    rng = np.random.default_rng(SEED)
    cases = valid_cases(rng) + special_cases(rng) + error_cases(rng)

    arrays, rows = {}, []
    status_count, dtype_count, dtype_ok = Counter(), Counter(), Counter()
    variant_match = Counter()
    emulated = 0
    skipped = []
    for case in cases:
        g, im, bx, bi = case["grads"], case["image"], case["boxes"], case["box_ind"]
        method = case.get("method", "bilinear")
        assert "\t" not in case["desc"] and "\n" not in case["desc"]
        pred_status, pred_msg = validate(g, im, bx, bi, method)
        if pred_status == "Abort":
            skipped.append((case["desc"], pred_msg))
            continue
        emu = None
        if pred_status == "Ok":
            try:
                emu = emulate_tf.crop_and_resize_grad_boxes(g, im, bx, bi)
            except emulate_tf.UnsafeInput as e:
                skipped.append((case["desc"], str(e)))
                continue
        status, msg, out = run_tf(case)
        if (status, msg) != (pred_status, pred_msg):
            raise AssertionError("validation model disagrees with TF for %r: TF %r %r, model %r %r"
                                 % (case["desc"], status, msg, pred_status, pred_msg))
        cid = "c%03d" % len(rows)
        arrays[cid + "_grads"] = le(g.astype(F32))
        arrays[cid + "_image"] = le(im)
        arrays[cid + "_boxes"] = le(bx.astype(F32))
        arrays[cid + "_box_ind"] = le(bi.astype(I32))
        if method != "bilinear":
            arrays[cid + "_method"] = np.frombuffer(method.encode("ascii"), np.uint8).copy()
        if status == "Ok":
            assert out.shape == (g.shape[0], 4) and out.dtype == F32
            arrays[cid + "_out"] = le(out)
            # Bit-exact self-check of the emulation (and of the alternative variants).
            emulated += 1
            for name, kw in emulate_tf.VARIANTS.items():
                if emulate_tf.bits_equal(emulate_tf.crop_and_resize_grad_boxes(g, im, bx, bi, **kw), out):
                    variant_match[name] += 1
            if not emulate_tf.bits_equal(emu, out):
                raise AssertionError("emulation differs from TF on %s (%s):\nTF  %r\nemu %r"
                                     % (cid, case["desc"], out, emu))
            dtype_ok[im.dtype.name] += 1
        rows.append((cid, status, case["desc"], msg))
        status_count[status] += 1
        dtype_count[im.dtype.name] += 1

    with open(os.path.join(HERE, "cases.tsv"), "w", newline="\n") as f:
        f.write("id\tstatus\tdescription\tmessage\n")
        for r in rows:
            assert all("\t" not in x and "\n" not in x for x in r)
            f.write("\t".join(r) + "\n")
    npz_path = os.path.join(HERE, "golden.npz")
    write_npz(npz_path, arrays)

    print("cases: %d (written to cases.tsv, golden.npz %.0f KiB)"
          % (len(rows), os.path.getsize(npz_path) / 1024))
    print("per status:", dict(sorted(status_count.items())))
    print("per image dtype (all / Ok):",
          {k: (dtype_count[k], dtype_ok[k]) for k in sorted(dtype_count)})
    print("emulation vs TF, bit-exact matches out of %d Ok cases:" % emulated)
    for name in emulate_tf.VARIANTS:
        print("  %-50s %d" % (name, variant_match[name]))
    print("messages seen:")
    for m, n in sorted(Counter((r[1], r[3]) for r in rows if r[1] != "Ok").items()):
        print("  %3d x %s: %s" % (n, m[0], m[1][:150]))
    for d, why in skipped:
        print("skipped: %s (%s)" % (d, why))
    if probe:
        probe_unsafe()


if __name__ == "__main__":
    main()
