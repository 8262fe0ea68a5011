#!/usr/bin/env python3
"""Golden cases for crgb's forward and image-gradient ops, generated with TensorFlow's
tf.raw_ops.CropAndResize and tf.raw_ops.CropAndResizeGradImage (the companion of
make_golden.py, which does CropAndResizeGradBoxes; this script does not touch its outputs).

What it does
  Builds two fixed, seeded lists of cases (valid inputs of every dtype, both methods and many
  shapes, plus every validation error TensorFlow reports without crashing), runs each through
  TensorFlow's CPU kernel in eager mode (with tf.config.experimental.enable_op_determinism(),
  so CropAndResizeGradImage sums single-threaded, boxes in order) and writes

  tests/golden/crop_and_resize.npz, for case id cNNN:
      cNNN_image          the image in its own dtype (float16 as '<f2'); bfloat16 images as
                          their raw bits in uint16 (see below)
      cNNN_image_dtype    uint8 ASCII bytes of the image dtype name ('uint8', 'uint16', 'int8',
                          'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'bfloat16')
      cNNN_boxes          float32     cNNN_box_ind int32     cNNN_crop_size int32 (normally [2])
      cNNN_method         uint8 ASCII bytes of the method attr
      cNNN_extrapolation  float32 [1]
      cNNN_out            float32 [num_boxes, crop_h, crop_w, depth], TF's exact output (Ok only)
  tests/golden/grad_image.npz, for case id cNNN:
      cNNN_grads float32, cNNN_boxes float32, cNNN_box_ind int32, cNNN_image_size int32
      (normally [4]), cNNN_dtype (ASCII bytes of T), cNNN_method (ASCII),
      cNNN_out in T [batch, H, W, depth] (Ok only; float16 as '<f2')
  tests/golden/crop_and_resize.tsv, tests/golden/grad_image.tsv: header
      `id<TAB>status<TAB>description<TAB>message`; status Ok, InvalidArgument, OutOfRange,
      Unimplemented or Internal (TF's error class); message = TF's message without the
      `{{function_node ...}} ` prefix and the ` [Op:...]` suffix (and what follows it), tabs and
      newlines replaced by one space; empty for Ok.
  All arrays are C-contiguous little-endian; zip members carry a fixed timestamp, so the files
  are reproducible byte for byte (make_golden.write_npz).

  bfloat16: TensorFlow's CropAndResize does not accept bfloat16 images ("Value for attr 'T' of
  bfloat16 is not in the list of allowed values: uint8, uint16, int8, int16, int32, int64, half,
  float, double").  bfloat16 cases store the raw bits (uint16) and their golden output is TF's
  output for the image converted exactly to float32 (bfloat16 -> float32 is exact).

  Self-checks: every TF result is compared bit for bit with the NumPy emulation in
  emulate_tf_family.py (and its variants, to report what TF does: FTZ/DAZ, fma, float16
  rounding), and every error class and message with this script's model of the kernels'
  validation order (validate_forward / validate_grad_image).  Any disagreement stops the run.

How to run (from the repository root)
  .venv-tf/bin/python tests/golden/make_golden_family.py       (venv as in make_golden.py)
  Optional --probe-unsafe: runs each input of UNSAFE_PROBES in its own subprocess and prints how
  that process ended; they are never recorded.

Eager-mode notes
  Eager TF runs no shape inference for these raw ops: every shape error is the kernel's own
  message (class InvalidArgument), except the attr errors (bad method), which come from the op
  definition check with the long `; NodeDef: ...; Op<...>` text, recorded verbatim.  A T outside
  {half, float, double} for CropAndResizeGradImage (e.g. int32, bfloat16) is rejected the same way
  ("Value for attr 'T' of int32 is not in the list of allowed values: float, half, double ; ..."):
  validate_grad_image models it, but no such case is recorded.
  Shape sizes go through TensorShape::AddDimWithStatus: a negative batch in image_size gives
  "Expected a non-negative size, got -1", element-count overflow gives "Encountered overflow when
  multiplying X with Y, result: -1" (both InvalidArgument, recorded).

Left out (TensorFlow crashes there; observed with TF 2.20.0, CPU, --probe-unsafe)
  * CropAndResizeGradImage with boxes and box_ind both empty but of the wrong rank: boxes [0]
    with box_ind [0, 0], boxes [0, 0, 4] with box_ind [0], boxes [0, 4] with box_ind [0, 0],
    boxes [0] with box_ind [0]: ParseAndCheckBoxSizes skips its rank checks when both are empty,
    then tensor<.., N>() aborts the process: SIGABRT (exit 134), "F tensor_shape.cc:45] Check
    failed: NDIMS == dims() (1 vs. 2)Asking for tensor of 1 dimensions from a tensor of 2
    dimensions" (TF issue 65721).  The forward checks boxes' and box_ind's ranks before that
    shortcut, so the same inputs are ordinary InvalidArgument errors there and are recorded.
  * CropAndResizeGradImage with NaN or +-inf boxes (TF has no finiteness check there): the NaN
    coordinate is converted to int, out-of-bounds write: SIGSEGV (exit 139).  (Recorded only
    where an earlier check rejects the input first, e.g. box_ind out of range.)
  * Finite but huge boxes whose coordinate becomes NaN, for both ops (the forward's finiteness
    check does not catch them): y1 = 3e38, y2 = -3e38 with crop 2 (0 * -inf), or crop 1 on an
    image of height 1 with y1 = y2 = 3e38 (inf * 0): SIGSEGV (exit 139).  Every accepted case is
    first run through the emulation, which raises UnsafeInput for a NaN coordinate, and only
    then given to TensorFlow.  Huge boxes like 1e30, whose coordinates stay numbers, are
    recorded.
  * Inputs that would make TF allocate huge outputs (e.g. crop_size [2^31-1, 2^31-1] with one
    box and depth 1, no overflow but 2^62 elements) are not tried.
"""

import os
import re
import subprocess
import sys
from collections import Counter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import emulate_tf_family as emu  # noqa: E402
from make_golden import le, write_npz  # noqa: E402

SEED = 20251207
F32 = np.float32
I32 = np.int32
FWD_DTYPES = ["uint8", "uint16", "int8", "int16", "int32", "int64", "float16", "float32",
              "float64", "bfloat16"]
GI_DTYPES = ["float16", "float32", "float64"]
METHODS = ["bilinear", "nearest"]
EXTRAPS = [0.0, -1.5, 1e30]
ODD_DEPTHS = [1, 3, 5, 7, 17]
SMALL_DEPTHS = [1, 2, 3, 4, 5, 7]
INT_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

_bf16 = None


def bfloat16():
    global _bf16
    if _bf16 is None:
        import ml_dtypes
        _bf16 = ml_dtypes.bfloat16
    return _bf16


# ----------------------------------------------------------------------------------------
# Model of TensorFlow's validation, in the kernels' order.

def _shape_str(a):
    return "[" + ",".join(str(d) for d in np.shape(a)) + "]"


_FWD_OPDEF = ("NodeDef: {{node CropAndResize}}; Op<name=CropAndResize; signature=image:T, "
              "boxes:float, box_ind:int32, crop_size:int32 -> crops:float; attr=T:type,allowed="
              "[DT_UINT8, DT_UINT16, DT_INT8, DT_INT16, DT_INT32, DT_INT64, DT_HALF, DT_FLOAT, "
              "DT_DOUBLE]; attr=method:string,default=\"bilinear\",allowed=[\"bilinear\", "
              "\"nearest\"]; attr=extrapolation_value:float,default=0>")
_GI_OPDEF = ("NodeDef: {{node CropAndResizeGradImage}}; Op<name=CropAndResizeGradImage; "
             "signature=grads:float, boxes:float, box_ind:int32, image_size:int32 -> output:T; "
             "attr=T:type,allowed=[DT_FLOAT, DT_HALF, DT_DOUBLE]; attr=method:string,default="
             "\"bilinear\",allowed=[\"bilinear\", \"nearest\"]>")
_TF_TYPE_NAME = {"float16": "half", "float32": "float", "float64": "double"}


def _method_error(method, opdef):
    return ("InvalidArgument", "Value for attr 'method' of \"%s\" is not in the list of allowed "
            "values: \"bilinear\", \"nearest\" ; %s" % (method, opdef))


def _shape_overflow(dims):
    """TensorShape::AddDimWithStatus over dims: None or the error message."""
    n = 1
    for d in dims:
        if d < 0:
            return "Expected a non-negative size, got %d" % d
        if n * d > INT64_MAX:
            return "Encountered overflow when multiplying %d with %d, result: -1" % (n, d)
        n *= d
    return None


def _parse_boxes(boxes, box_ind):
    """ParseAndCheckBoxSizes: (num_boxes, None) or (None, (status, message))."""
    if boxes.size == 0 and box_ind.size == 0:
        return 0, None
    if boxes.ndim != 2:
        return None, ("InvalidArgument", "boxes must be 2-D" + _shape_str(boxes))
    nb = boxes.shape[0]
    if boxes.shape[1] != 4:
        return None, ("InvalidArgument", "boxes must have 4 columns")
    if box_ind.ndim != 1:
        return None, ("InvalidArgument", "box_index must be 1-D" + _shape_str(box_ind))
    if box_ind.shape[0] != nb:
        return None, ("InvalidArgument", "box_index has incompatible shape")
    return nb, None


def validate_forward(c):
    image, boxes, box_ind, cs = c["image"], c["boxes"], c["box_ind"], c["crop_size"]
    if c["method"] not in METHODS:
        return _method_error(c["method"], _FWD_OPDEF)
    if image.ndim != 4:
        return ("InvalidArgument", "input image must be 4-D" + _shape_str(image))
    batch, ih, iw, depth = image.shape
    if not (ih > 0 and iw > 0):
        return ("InvalidArgument", "image dimensions must be positive")
    if boxes.ndim != 2:
        return ("InvalidArgument", "boxes must be 2-D, got: " + _shape_str(boxes))
    if box_ind.ndim != 1:
        return ("InvalidArgument", "box_indices must be rank 1 but is shape " + _shape_str(box_ind))
    nb, err = _parse_boxes(boxes, box_ind)
    if err:
        return err
    if cs.ndim != 1:
        return ("InvalidArgument", "crop_size must be 1-D" + _shape_str(cs))
    if cs.shape[0] != 2:
        return ("InvalidArgument", "crop_size must have two elements" + _shape_str(cs))
    ch, cw = int(cs[0]), int(cs[1])
    if not (ch > 0 and cw > 0):
        return ("InvalidArgument", "crop dimensions must be positive")
    ov = _shape_overflow([nb, ch, cw, depth])
    if ov:
        return ("InvalidArgument", ov)
    if np.any((box_ind < 0) | (box_ind >= batch)):
        return ("OutOfRange", "box_index has values outside [0, batch_size)")
    if not np.all(np.isfinite(boxes)):
        return ("InvalidArgument", "Boxes contains at least one element that is not finite")
    return ("Ok", "")


def validate_grad_image(c):
    grads, boxes, box_ind, isz = c["grads"], c["boxes"], c["box_ind"], c["image_size"]
    if c["method"] not in METHODS:
        return _method_error(c["method"], _GI_OPDEF)
    if c["dtype"] not in GI_DTYPES:
        return ("InvalidArgument", "Value for attr 'T' of %s is not in the list of allowed values: "
                "float, half, double ; %s" % (c["dtype"], _GI_OPDEF))
    if grads.ndim != 4:
        return ("InvalidArgument", "grads image must be 4-D" + _shape_str(grads))
    if not (grads.shape[1] > 0 and grads.shape[2] > 0):
        return ("InvalidArgument", "grads dimensions must be positive")
    if boxes.size == 0 and box_ind.size == 0 and (boxes.ndim != 2 or box_ind.ndim != 1):
        return ("Abort", "empty boxes/box_ind of the wrong rank (TF issue 65721)")
    nb, err = _parse_boxes(boxes, box_ind)
    if err:
        return err
    if grads.shape[0] != nb:
        return ("InvalidArgument", "boxes and grads have incompatible shape")
    if isz.ndim != 1:
        return ("InvalidArgument", "image_size must be 1-D" + _shape_str(isz))
    if isz.shape[0] != 4:
        return ("InvalidArgument", "image_size must have 4 elements" + _shape_str(isz))
    batch, ih, iw, depth = (int(v) for v in isz)
    if not (ih > 0 and iw > 0):
        return ("InvalidArgument", "image dimensions must be positive")
    if grads.shape[3] != depth:
        return ("InvalidArgument", "image_size and grads are incompatible")
    ov = _shape_overflow([batch, ih, iw, depth])
    if ov:
        return ("InvalidArgument", ov)
    if np.any((box_ind < 0) | (box_ind >= batch)):
        return ("OutOfRange", "box_index has values outside [0, batch_size)")
    return ("Ok", "")


# ----------------------------------------------------------------------------------------
# Running TensorFlow

_tf = None


def tf_module():
    global _tf
    if _tf is None:
        import tensorflow as tf
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(2)
        tf.config.experimental.enable_op_determinism()
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
    msg = re.sub(r"\s*\[Op:[A-Za-z0-9_]+\].*$", "", msg, flags=re.S)
    msg = re.sub(r"[\t\r\n]+", " ", msg)
    return msg.strip()


def _tf_call(fn):
    tf = tf_module()
    try:
        return "Ok", "", fn().numpy()
    except tf.errors.OpError as e:
        for cls_name, status in ERROR_CLASSES:
            if isinstance(e, getattr(tf.errors, cls_name)):
                return status, clean_message(str(e)), None
        raise


def run_forward(c):
    tf = tf_module()
    return _tf_call(lambda: tf.raw_ops.CropAndResize(
        image=c["image"], boxes=c["boxes"], box_ind=c["box_ind"], crop_size=c["crop_size"],
        method=c["method"], extrapolation_value=float(c["extrap"])))


def run_grad_image(c):
    tf = tf_module()
    return _tf_call(lambda: tf.raw_ops.CropAndResizeGradImage(
        grads=c["grads"], boxes=c["boxes"], box_ind=c["box_ind"], image_size=c["image_size"],
        T=tf.as_dtype(c["dtype"]), method=c["method"]))


# ----------------------------------------------------------------------------------------
# Inputs

def rand_image(rng, dtype, shape, mode="full"):
    """Values that use the dtype's range.  bfloat16: float32 values exactly representable."""
    if dtype == "bfloat16":
        scale = 1000.0 if mode == "full" else 1.0
        return rng.normal(0, scale, size=shape).astype(F32).astype(bfloat16()).astype(F32)
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
        return np.clip(rng.normal(0, scale, size=shape), -60000, 60000).astype(np.float16)
    scale = 1000.0 if mode == "full" else 1.0
    return rng.normal(0, scale, size=shape).astype(dt)


def rand_grads(rng, shape, mode=None):
    if mode is None:
        mode = ["normal", "mixed", "negative", "normal"][int(rng.integers(0, 4))]
    if mode == "normal":
        return rng.normal(0, 1, size=shape).astype(F32)
    if mode == "negative":
        return (-np.abs(rng.normal(0, 10, size=shape))).astype(F32)
    if mode == "mixed":  # signs and magnitudes 1e-4 .. 1e4
        mag = 10.0 ** rng.uniform(-4, 4, size=shape)
        return (mag * rng.choice([-1.0, 1.0], size=shape)).astype(F32)
    raise ValueError(mode)


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


def nan_payload_image(rng, shape):
    """float32 image, about half of its pixels quiet NaNs with distinct payloads and signs."""
    n = int(np.prod(shape))
    v = rng.normal(0, 10, size=n).astype(F32)
    bits = v.view(np.uint32)
    nan = rng.random(n) < 0.5
    sign = np.where(rng.random(n) < 0.5, np.uint32(0x80000000), np.uint32(0))
    bits[nan] = (np.uint32(0x7FC00000) | sign[nan] | np.arange(1, n + 1, dtype=np.uint32)[nan])
    return v.reshape(shape)


def integer_boxes(rng, nb, H, W):
    """Boxes whose samples land on integer pixel coordinates (or try to: k/(H-1) is itself
    rounded, TF decides)."""
    b = np.zeros((nb, 4), F32)
    for i in range(nb):
        for (c1, c2, n) in ((0, 2, H), (1, 3, W)):
            if i == 0 or n == 1:
                b[i, c1], b[i, c2] = (0.0, 1.0) if rng.random() < 0.7 else (1.0, 0.0)
            else:
                k1, k2 = rng.integers(-1, n + 1, size=2)
                b[i, c1], b[i, c2] = k1 / (n - 1), k2 / (n - 1)
    return b


def box_indices(rng, nb, batch, kind):
    if kind == "spread":
        bi = (np.arange(nb) % batch).astype(I32)
        rng.shuffle(bi)
        return bi
    return rng.integers(0, batch, size=nb).astype(I32)


def _dims(rng, nb, batch, H, W, cH, cW, depth):
    nb = int(rng.integers(1, 7)) if nb is None else nb
    batch = int(rng.integers(1, 4)) if batch is None else batch
    H = int(rng.integers(1, 10)) if H is None else H
    W = int(rng.integers(1, 10)) if W is None else W
    cH = int(rng.integers(1, 8)) if cH is None else cH
    cW = int(rng.integers(1, 8)) if cW is None else cW
    depth = int(rng.choice(SMALL_DEPTHS)) if depth is None else depth
    return nb, batch, H, W, cH, cW, depth


def _fmt_extrap(e):
    return str(F32(e))  # shortest float32 repr: 1e+30, -1.5, -0.0, nan, inf, 1e-40


def fwd_case(desc, image, dtype, boxes, box_ind, crop_size, method="bilinear", extrap=0.0):
    image = np.asarray(image)
    return dict(op="fwd", desc=desc, image=image, dtype=dtype, boxes=np.asarray(boxes, F32),
                box_ind=np.asarray(box_ind, I32), crop_size=np.asarray(crop_size, I32),
                method=method, extrap=F32(extrap))


def make_fwd(rng, dtype, method, desc, *, nb=None, batch=None, H=None, W=None, cH=None,
             cW=None, depth=None, boxes="mixed", box_ind="spread", image_mode=None, extrap=None):
    nb, batch, H, W, cH, cW, depth = _dims(rng, nb, batch, H, W, cH, cW, depth)
    if image_mode is None:
        image_mode = "full" if rng.random() < 0.6 else "small"
    image = rand_image(rng, dtype, (batch, H, W, depth), image_mode)
    if isinstance(boxes, str):
        boxes = rand_boxes(rng, nb, boxes)
    if isinstance(box_ind, str):
        box_ind = box_indices(rng, nb, batch, box_ind)
    if extrap is None:
        extrap = EXTRAPS[int(rng.integers(0, len(EXTRAPS)))]
    full = "%s %s %s: image[%d,%d,%d,%d] boxes %d crop %dx%d extrapolation %s" % (
        dtype, method, desc, batch, H, W, depth, nb, cH, cW, _fmt_extrap(extrap))
    return fwd_case(full, image, dtype, boxes, box_ind, [cH, cW], method, extrap)


def gi_case(desc, grads, boxes, box_ind, image_size, dtype="float32", method="bilinear"):
    return dict(op="gi", desc=desc, grads=np.asarray(grads, F32), boxes=np.asarray(boxes, F32),
                box_ind=np.asarray(box_ind, I32), image_size=np.asarray(image_size, I32),
                dtype=dtype, method=method)


def make_gi(rng, dtype, method, desc, *, nb=None, batch=None, H=None, W=None, cH=None,
            cW=None, depth=None, boxes="mixed", box_ind="spread", grads_mode=None):
    nb, batch, H, W, cH, cW, depth = _dims(rng, nb, batch, H, W, cH, cW, depth)
    if isinstance(boxes, str):
        boxes = rand_boxes(rng, nb, boxes)
    if isinstance(box_ind, str):
        box_ind = box_indices(rng, nb, batch, box_ind)
    grads = rand_grads(rng, (nb, cH, cW, depth), grads_mode)
    full = "%s %s %s: grads[%d,%d,%d,%d] image_size[%d,%d,%d,%d]" % (
        dtype, method, desc, nb, cH, cW, depth, batch, H, W, depth)
    return gi_case(full, grads, boxes, box_ind, [batch, H, W, depth], dtype, method)


def structured(rng, make, dtype, method, n_random, k):
    """Scenarios common to both ops (make = make_fwd or make_gi); k varies the odd depth."""
    cs = []
    cs.append(make(rng, dtype, method, "crop 1x1", cH=1, cW=1, boxes="partial"))
    cs.append(make(rng, dtype, method, "crop 1x1 inside", cH=1, cW=1, boxes="inside"))
    H, W = int(rng.choice([3, 5, 7, 9])), int(rng.choice([3, 5, 7, 9]))
    kb = [[0, 0, 1, 1], [1, 1, 0, 0], [0.25, 0.25, 0.75, 0.75],
          [0, 0, 2 * int(rng.integers(0, H)) / (H - 1), 2 * int(rng.integers(0, W)) / (W - 1)]]
    cs.append(make(rng, dtype, method, "crop 1x1 centred on integer pixels (H, W odd)", nb=4,
                   H=H, W=W, cH=1, cW=1, boxes=np.array(kb, F32)))
    H, W = int(rng.choice([2, 4, 6, 8])), int(rng.choice([2, 4, 6, 8]))
    cs.append(make(rng, dtype, method, "crop 1x1 centred on x.5 (H, W even: nearest ties)", nb=2,
                   H=H, W=W, cH=1, cW=1, boxes=np.array([[0, 0, 1, 1], [1, 0, 0, 1]], F32)))
    cs.append(make(rng, dtype, method, "crop 1xN", cH=1, cW=int(rng.integers(2, 8))))
    cs.append(make(rng, dtype, method, "crop Nx1", cH=int(rng.integers(2, 8)), cW=1))
    cs.append(make(rng, dtype, method, "image height 1", H=1))
    cs.append(make(rng, dtype, method, "image width 1", W=1))
    cs.append(make(rng, dtype, method, "image 1x1", H=1, W=1))
    d = ODD_DEPTHS[k % len(ODD_DEPTHS)]
    cs.append(make(rng, dtype, method, "depth %d" % d, depth=d, cH=int(rng.integers(1, 5)),
                   cW=int(rng.integers(1, 5)), nb=int(rng.integers(1, 4))))
    cs.append(make(rng, dtype, method, "several boxes on several images, box_ind spread",
                   nb=int(rng.integers(5, 9)), batch=int(rng.integers(3, 5)), box_ind="spread"))
    cs.append(make(rng, dtype, method, "box_ind random", nb=int(rng.integers(3, 8)),
                   batch=int(rng.integers(2, 5)), box_ind="random"))
    cs.append(make(rng, dtype, method, "flipped boxes (y1>y2, x1>x2)", boxes="flipped"))
    cs.append(make(rng, dtype, method, "boxes partly outside [0,1]", boxes="partial"))
    cs.append(make(rng, dtype, method, "boxes wholly outside [0,1]", boxes="outside"))
    cs.append(make(rng, dtype, method, "boxes inside [0,1]", boxes="inside"))
    H, W = int(rng.integers(2, 8)), int(rng.integers(2, 8))
    nb = int(rng.integers(1, 4))
    cs.append(make(rng, dtype, method, "integer samples: boxes 0/1 and k/(H-1), crop == image",
                   H=H, W=W, cH=H, cW=W, nb=nb, boxes=integer_boxes(rng, nb, H, W)))
    H = int(rng.integers(2, 7))
    cs.append(make(rng, dtype, method, "half-integer samples (nearest ties): crop 2*H-1 over [0,1]",
                   H=H, W=H, cH=2 * H - 1, cW=2 * H - 1, nb=1, depth=int(rng.choice([1, 3])),
                   boxes=np.array([[0, 0, 1, 1]], F32)))
    for _ in range(n_random):
        cs.append(make(rng, dtype, method, "random"))
    return cs


# ---------------------------------------------------------------------------------------- forward

def fwd_valid(rng):
    cs = []
    for k, dtype in enumerate(FWD_DTYPES):
        for m, method in enumerate(METHODS):
            cs += structured(rng, make_fwd, dtype, method, 3, 2 * k + m)
    return cs


def fwd_special(rng):
    cs = []

    def add(desc, image, boxes, box_ind, crop, method="bilinear", extrap=0.0, dtype=None):
        image = np.asarray(image)
        dtype = dtype or image.dtype.name
        cs.append(fwd_case("%s %s %s (extrapolation %s)" % (dtype, method, desc, _fmt_extrap(extrap)),
                           image, dtype, boxes, box_ind, crop, method, extrap))

    img = rand_image(rng, "float32", (2, 5, 6, 3))
    for method in METHODS:
        add("num_boxes 0: boxes [0,4], box_ind [0], crop 3x4", img, np.zeros((0, 4)), np.zeros(0),
            [3, 4], method)
    add("num_boxes 0 with uint8 image", rand_image(rng, "uint8", (1, 2, 2, 3)), np.zeros((0, 4)),
        np.zeros(0), [1, 1], "nearest", -1.5)
    add("num_boxes 0 with crop 100000x100000 (empty output)", img, np.zeros((0, 4)), np.zeros(0),
        [100000, 100000])
    add("accepted: boxes [0,3] with box_ind [0] (column check skipped when both empty)", img,
        np.zeros((0, 3)), np.zeros(0), [2, 2])
    add("accepted: boxes [2,0] with box_ind [0] (both empty -> num_boxes 0)", img,
        np.zeros((2, 0)), np.zeros(0), [2, 2], "nearest")
    add("accepted: image batch 0 with num_boxes 0", np.zeros((0, 5, 6, 3), F32), np.zeros((0, 4)),
        np.zeros(0), [2, 3])
    add("depth 0: image [2,5,6,0]", np.zeros((2, 5, 6, 0), F32),
        [[0.1, 0.2, 0.8, 0.9], [0.9, 0.1, 0.2, 0.7]], [1, 0], [3, 3])
    add("depth 0 with uint8 image", np.zeros((2, 4, 4, 0), np.uint8),
        [[0.1, 0.2, 0.8, 0.9], [-0.5, 0.1, 1.5, 0.7]], [1, 0], [2, 5], "nearest", -1.5)
    add("depth 0 with int16 image and crop 1x1", np.zeros((1, 3, 3, 0), np.int16),
        [[0.1, 0.2, 0.8, 0.9]], [0], [1, 1])
    # ---- extrapolation values
    bx = np.array([[-0.5, -0.3, 1.4, 1.2], [1.2, 0.1, 2.0, 0.9], [0.2, 0.3, 0.7, 0.8]], F32)
    for method in METHODS:
        add("extrapolation NaN, boxes partly outside", img, bx, [0, 1, 0], [4, 5], method, np.nan)
    add("extrapolation NaN, crop 1x1 outside", img, [[1.5, 0.5, 1.5, 0.5], [0.5, 0.5, 0.5, 0.5]],
        [0, 1], [1, 1], "bilinear", np.nan)
    add("extrapolation NaN with uint8 image", rand_image(rng, "uint8", (1, 4, 4, 2)), bx, [0, 0, 0],
        [3, 3], "nearest", np.nan)
    add("extrapolation -0.0 (stored unchanged)", img, bx, [1, 1, 0], [3, 4], "bilinear", -0.0)
    add("extrapolation +inf", img, bx, [0, 1, 1], [2, 3], "nearest", np.inf)
    add("extrapolation -inf", img, bx, [0, 1, 1], [2, 3], "bilinear", -np.inf)
    add("extrapolation 1e-40, a float32 subnormal (a copy: not flushed)", img, bx, [0, 1, 0],
        [3, 3], "bilinear", F32(1e-40))
    add("extrapolation 1e-40, nearest", img, bx, [1, 1, 0], [2, 2], "nearest", F32(1e-40))
    add("extrapolation 3.4e38", img, bx, [1, 0, 1], [3, 2], "bilinear", F32(3.4e38))
    # ---- huge but finite boxes (every coordinate stays a number)
    for method in METHODS:
        add("huge finite box y1=1e30, y2=-1e30 (coordinates finite, all rows outside)", img,
            [[1e30, 0.0, -1e30, 1.0]], [0], [3, 3], method, -1.5)
        add("huge finite boxes: one coordinate +-1e30 outside, x inside", img,
            [[-1e30, 0.1, 0.5, 0.9], [0.2, 0.3, 1e30, 0.6]], [0, 1], [2, 3], method, 1e30)
    add("huge finite box with crop 1x1 (centre 0.5*(y1+y2)*(H-1) is inf -> outside)", img,
        [[3e38, 0.2, 3e38, 0.4]], [1], [1, 1], "bilinear", -1.5)
    add("crop 1x1, y1 = 3e38, y2 = -3e38: centre 0 (sum cancels exactly)", img,
        [[3e38, 0.2, -3e38, 0.4]], [1], [1, 1], "nearest", -1.5)
    img_h1 = rand_image(rng, "float32", (1, 1, 4, 2))
    add("image height 1, box y1=1e30, y2=-1e30, crop 3x3: scale (y2-y1)*0 = -0, every row at 0",
        img_h1, [[1e30, 0.0, -1e30, 1.0]], [0], [3, 3], "bilinear", -1.5)
    add("image height 1, box y1=1e30, y2=-1e30, crop 1x2: centre 0*0", img_h1,
        [[1e30, 0.0, -1e30, 1.0]], [0], [1, 2], "nearest", -1.5)
    # ---- exact sampling on the pixel grid and nearest ties
    for method in METHODS:
        add("exact grid: boxes [0,0,1,1], crop == image size 5x6", img, [[0, 0, 1, 1]], [0],
            [5, 6], method)
        add("exact grid flipped: boxes [1,1,0,0], crop == image size", img, [[1, 1, 0, 0]], [1],
            [5, 6], method)
        add("exact grid: crop 9x11 on 5x6 image (every other sample integer, the rest x.5)", img,
            [[0, 0, 1, 1]], [0], [9, 11], method)
        add("boxes of zero extent (y1 == y2, x1 == x2)", img,
            [[0.3, 0.6, 0.3, 0.6], [0.5, 0.2, 0.5, 0.2]], [0, 1], [3, 3], method)
        add("boxes with -0.0 and exactly 0/1 edges", img,
            [[-0.0, -0.0, 1.0, 1.0], [1.0, 1.0, -0.0, -0.0]], [1, 0], [3, 4], method)
        add("boxes just outside [0,1] by one ulp", img,
            [[np.nextafter(F32(0), F32(-1)), 0.0, np.nextafter(F32(1), F32(2)), 1.0],
             [0.0, np.nextafter(F32(1), F32(2)), 1.0, np.nextafter(F32(0), F32(-1))]], [0, 1],
            [3, 3], method, -1.5)
    img14 = np.arange(1 * 2 * 4 * 1, dtype=F32).reshape(1, 2, 4, 1) * F32(10) + F32(1)
    add("nearest ties: x samples 0, 0.5, ..., 3 (roundf away from zero)", img14,
        [[0, 0, 1, 1]], [0], [3, 7], "nearest")
    add("nearest ties: x sample 2.5 and 1.5 from crop 1", img14,
        [[0, 0.5, 1, 1], [0, 0, 1, 1]], [0, 0], [1, 1], "nearest")
    add("nearest: samples just below / above x.5", img14,
        [[0, F32(0.5) / F32(3) - F32(1e-7), 1, 1],
         [0, F32(0.5) / F32(3) + F32(1e-7), 1, 1]], [0, 0], [1, 2], "nearest")
    # ---- subnormals (TF flushes them in arithmetic, FTZ/DAZ)
    imgs = np.zeros((1, 2, 2, 2), F32)
    imgs[0, :, :, 0] = [[1e-40, -2e-40], [3e-39, 1e-45]]
    imgs[0, :, :, 1] = [[1e-38, 1.2e-38], [-1e-38, 1.17549435e-38]]
    for method in METHODS:
        add("float32 subnormal pixels (bilinear: DAZ reads 0; nearest: copied) and near-minimal "
            "normals", imgs, [[0, 0, 1, 1], [0.25, 0.25, 0.75, 0.75]], [0, 0], [3, 3], method)
    imgd = np.zeros((1, 2, 2, 2), np.float64)
    imgd[0, :, :, 0] = [[1e-40, -1e-40], [1e-310, 1e-30]]
    imgd[0, :, :, 1] = [[1.1754943e-38, 1.17549e-38], [-1e-45, 2e-38]]
    for method in METHODS:
        add("float64 pixels that become float32 subnormals (flushed by the conversion)", imgd,
            [[0, 0, 1, 1], [0.3, 0.2, 0.6, 0.9]], [0, 0], [3, 3], method)
    bfs = np.array([[[[1, 0x8001], [0x007F, 0x0080]], [[0x3F80, 0x0040], [0x8080, 0x7F7F]]]],
                   np.uint16).view(bfloat16()).astype(F32)
    for method in METHODS:
        add("bfloat16 subnormal, minimal-normal and max pixels", bfs, [[0, 0, 1, 1]], [0], [3, 3],
            method, dtype="bfloat16")
    add("subnormal box coordinates (DAZ: read as 0)", img, [[1e-40, -1e-40, 0.5, 0.5]], [0],
        [2, 2], "bilinear", -1.5)
    add("subnormal box coordinates, nearest", img, [[1e-40, -1e-40, 0.5, 0.5]], [0], [2, 2],
        "nearest", -1.5)
    add("crop 1x1, y1+y2 subnormal: 0.5*(y1+y2)*(H-1) (y1 + y2 flushed)", img,
        [[1.0e-37, 0.25, -9.99e-38, 0.75]], [0], [1, 1], "bilinear", -1.5)
    tiny_lo = F32((2**24 - 1) * 2.0**-149)  # 2^-125 - 2^-149; times 0.5 = 2^-126 - 2^-150
    add("FTZ tininess before rounding: (tr - tl) * 0.5 = 2^-126 - 2^-150 (rounds to 2^-126) "
        "is flushed", np.array([[[[0.0], [tiny_lo]]], [[[tiny_lo], [0.0]]]], F32),
        [[0, 0, 1, 1], [0, 0, 1, 1]], [0, 1], [1, 3])
    imgt = np.zeros((1, 2, 2, 1), F32)
    imgt[0, 1, :, 0] = 4e-38
    add("lerp products that are subnormal (4e-38 * 0.25) are flushed", imgt,
        [[0.25, 0.0, 0.75, 1.0]], [0], [3, 2])
    # ---- dtype extremes
    for method in METHODS:
        add("int32 extremes (+-2^31) converted to float",
            np.array([[[[INT_MAX, -2**31], [-2**31, INT_MAX]], [[0, 1], [-1, INT_MAX]],
                       [[-2**31, 5], [7, -9]]]], np.int32),
            [[0.1, 0.0, 0.9, 1.0], [1.0, 0.2, 0.0, 0.7]], [0, 0], [3, 3], method)
        add("int64 extremes (+-2^63), 1e12 and 2^53+1 values converted to float",
            np.array([[[[INT64_MAX, -2**63], [-2**63, INT64_MAX]],
                       [[10**12, -10**12], [123456789012, 3]],
                       [[-2**53 - 1, 2**53 + 1], [2**24 + 1, -(2**24 + 1)]]]], np.int64),
            [[0.1, 0.0, 0.9, 1.0], [1.0, 0.2, 0.0, 0.7]], [0, 0], [3, 3], method)
        add("uint16 large values", rand_image(rng, "uint16", (1, 3, 3, 2)) | np.uint16(0x8000),
            [[-0.2, 0.1, 1.1, 0.8]], [0], [4, 4], method, -1.5)
        add("int8 / uint8 extremes", np.array([[[[-128, 127], [127, -128]], [[0, -1], [1, -128]]]],
                                              np.int8),
            [[0, 0, 1, 1]], [0], [3, 3], method)
        add("float16 extremes +-65504 and +-6.1e-5 and subnormal 6e-8",
            np.array([[[[65504, -65504], [6.1e-5, -6.1e-5]], [[-65504, 6e-8], [0.5, 65504]]]],
                     np.float16), [[0.0, 0.0, 1.0, 1.0]], [0], [3, 3], method)
        add("float64 1e300 and -1e300 (inf in float32; inf - inf = NaN in the lerp)",
            np.array([[[[1e300, 1.0], [2.0, 3.0]], [[-1e300, 5.0], [1e300, -1e300]]]], np.float64),
            [[0.0, 0.0, 1.0, 1.0], [0.2, 0.1, 0.9, 0.6]], [0, 0], [3, 3], method)
        add("float32 +-3e38 (differences overflow to inf; inf*0 = NaN)",
            np.array([[[[3e38, -3e38], [-3e38, 3e38]], [[1.0, 3e38], [-3e38, 2.0]]]], F32),
            [[0.0, 0.0, 1.0, 1.0], [0.1, 0.1, 0.6, 0.9]], [0, 0], [3, 3], method)
        add("float32 inf and NaN pixels",
            np.array([[[[np.inf, 1.0], [2.0, -np.inf]], [[np.nan, 5.0], [6.0, 7.0]]]], F32),
            [[0.0, 0.0, 1.0, 1.0], [0.5, 0.5, 1.0, 1.0]], [0, 0], [3, 3], method)
        nanp = np.array([0x7FC00001, 0x7FC00002, 0xFFC00003, 0x7FC00004, 0x3F800000, 0xFFC00005],
                        np.uint32).view(F32).reshape(1, 2, 3, 1)
        add("NaN pixels with distinct payloads (which NaN each addition returns)", nanp,
            [[0.0, 0.0, 1.0, 1.0], [0.3, 0.1, 0.8, 0.7], [1.0, 1.0, 0.0, 0.0]], [0, 0, 0], [3, 5],
            method)
        add("random NaN payloads (half the pixels), depth 11, fractional samples",
            nan_payload_image(rng, (2, 3, 4, 11)), rand_boxes(rng, 3, "inside"), [0, 1, 1], [4, 5],
            method)
        add("float64 values not representable in float32 (rounded by the conversion)",
            np.array([[[[1 + 2**-30, 1 - 2**-30], [3.0000001, -7.00000001]],
                       [[0.1, 0.2], [1e10 + 0.3, -1e-10]]]], np.float64),
            [[0.0, 0.0, 1.0, 1.0]], [0], [3, 3], method)
    # ---- a few larger shapes
    add("larger: crop 16x16, depth 8, 2 boxes", rand_image(rng, "float32", (2, 12, 10, 8)),
        rand_boxes(rng, 2, "partial"), [1, 0], [16, 16], "bilinear", -1.5)
    add("larger: depth 64 uint8, crop 4x5", rand_image(rng, "uint8", (2, 6, 7, 64)),
        rand_boxes(rng, 3, "inside"), [0, 1, 1], [4, 5], "nearest")
    add("larger: image 40x3 int16, crop 20x2", rand_image(rng, "int16", (1, 40, 3, 3)),
        rand_boxes(rng, 2, "partial"), [0, 0], [20, 2], "bilinear", 1e30)
    add("12 boxes all on the last image of batch 4", rand_image(rng, "float32", (4, 4, 4, 5)),
        rand_boxes(rng, 12, "mixed"), [3] * 12, [2, 3], "bilinear")
    add("bfloat16 larger: crop 8x9, depth 5", rand_image(rng, "bfloat16", (2, 7, 6, 5)),
        rand_boxes(rng, 3, "partial"), [1, 0, 1], [8, 9], "nearest", -1.5, dtype="bfloat16")
    return cs


def fwd_errors(rng):
    cs = []

    def add(desc, image, boxes, box_ind, crop=(2, 3), method="bilinear", extrap=0.0):
        image = np.asarray(image)
        cs.append(fwd_case(desc, image, image.dtype.name, boxes, box_ind, np.asarray(crop), method,
                           extrap))

    img = rand_image(rng, "float32", (2, 5, 6, 3))
    bx = rand_boxes(rng, 2, "inside")
    bi = np.array([0, 1], I32)
    add("method 'area' (attr not in allowed list)", img, bx, bi, method="area")
    add("method '' (empty)", img, bx, bi, method="")
    add("method 'Bilinear' (case matters)", img, bx, bi, method="Bilinear")
    add("method 'foo' and image 3-D (attr is checked first)", img[0], bx, bi, method="foo")
    add("image 3-D", img[0], bx, bi)
    add("image 5-D", img[None], bx, bi)
    add("image 0-D (int32)", np.int32(3), bx, bi)
    add("image 2-D uint8", np.zeros((5, 6), np.uint8), bx, bi)
    add("image height 0", np.zeros((2, 0, 6, 3), F32), bx, bi)
    add("image width 0", np.zeros((2, 5, 0, 3), F32), bx, bi)
    add("image height and width 0 (uint8)", np.zeros((1, 0, 0, 3), np.uint8), bx, bi)
    add("boxes 1-D [4]", img, bx[0], bi[:1])
    add("boxes 3-D [2,1,4]", img, bx[:, None, :], bi)
    add("boxes 0-D", img, np.float32(0.5), bi[:1])
    add("boxes 1-D empty [0] with box_ind [0,0] (rank checked before the both-empty shortcut)",
        img, np.zeros((0,)), np.zeros((0, 0)))
    add("boxes [0,0,4] with box_ind [0]", img, np.zeros((0, 0, 4)), np.zeros(0))
    add("boxes 1-D empty [0] with box_ind [0]", img, np.zeros((0,)), np.zeros(0))
    add("boxes [0,4] with box_ind [0,0]", img, np.zeros((0, 4)), np.zeros((0, 0)))
    add("box_ind 2-D [2,1]", img, bx, bi[:, None])
    add("box_ind 0-D", img, bx[:1], np.int32(0))
    add("boxes 3 columns", img, bx[:, :3], bi)
    add("boxes 5 columns", img, np.concatenate([bx, bx[:, :1]], 1), bi)
    add("boxes [2,0] with box_ind [2] (not both empty)", img, np.zeros((2, 0)), bi)
    add("box_ind length 1 vs 2 boxes", img, bx, bi[:1])
    add("box_ind length 3 vs 2 boxes", img, bx, np.array([0, 1, 0]))
    add("box_ind length 0 vs 2 boxes", img, bx, np.zeros(0))
    add("boxes [0,4] with box_ind [1]", img, np.zeros((0, 4)), np.zeros(1))
    add("crop_size 0-D", img, bx, bi, np.int32(2))
    add("crop_size 2-D [1,2]", img, bx, bi, [[2, 3]])
    add("crop_size 1 element", img, bx, bi, [2])
    add("crop_size 3 elements", img, bx, bi, [2, 3, 4])
    add("crop_size 0 elements", img, bx, bi, np.zeros(0, I32))
    add("crop height 0", img, bx, bi, [0, 3])
    add("crop width 0", img, bx, bi, [3, 0])
    add("crop 0x0 with num_boxes 0", img, np.zeros((0, 4)), np.zeros(0), [0, 0])
    add("crop height -1", img, bx, bi, [-1, 3])
    add("crop width -3", img, bx, bi, [2, -3], "nearest")
    add("crop height INT_MIN", img, bx, bi, [-2**31, 2])
    add("crop 2^31-1 x 2^31-1, 2 boxes, depth 4: element count overflows int64",
        rand_image(rng, "float32", (1, 4, 4, 4)), np.zeros((2, 4)), np.zeros(2), [INT_MAX, INT_MAX])
    add("box_ind negative", img, bx, np.array([0, -1]))
    add("box_ind == batch", img, bx, np.array([2, 0]), method="nearest")
    add("box_ind huge (2^31-1)", img, bx, np.array([1, INT_MAX]))
    add("box_ind min int32", img, bx, np.array([-2**31, 0]))
    add("box_ind out of range with image batch 0", np.zeros((0, 5, 6, 3), F32), bx, bi)
    add("box_ind out of range, int8 image", rand_image(rng, "int8", (1, 5, 6, 3)), bx, bi)
    add("box_ind out of range, float16 image, nearest", rand_image(rng, "float16", (1, 3, 3, 1)),
        bx, np.array([0, 1]), method="nearest")
    bxn = bx.copy()
    bxn[1, 2] = np.nan
    add("NaN box coordinate", img, bxn, bi)
    add("NaN box coordinate, nearest, uint8", rand_image(rng, "uint8", (2, 3, 3, 1)), bxn, bi,
        method="nearest")
    add("+inf box coordinate", img, [[0.1, np.inf, 0.5, 0.9]], [0])
    add("-inf box coordinate, crop 1x1", img, [[0.1, 0.2, -np.inf, 0.9]], [1], [1, 1])
    add("all boxes NaN", img, np.full((2, 4), np.nan), bi, [1, 2], "nearest")
    add("NaN box with int64 image", rand_image(rng, "int64", (1, 3, 3, 2)),
        [[0, 0, 1, 1], [0, np.nan, 1, 1]], [0, 0])
    add("inf box with float64 image", rand_image(rng, "float64", (1, 3, 3, 2)),
        [[0, 0, 1, np.inf]], [0])
    # Precedence between two errors.
    add("precedence: image height 0 and boxes 1-D", np.zeros((2, 0, 6, 3), F32), bx[0], bi)
    add("precedence: boxes 1-D and box_ind 2-D", img, bx[0], bi[:, None])
    add("precedence: box_ind 2-D and boxes 3 columns (box_ind rank first)", img, bx[:, :3],
        bi[:, None])
    add("precedence: boxes 3 columns and crop_size 1-element", img, bx[:, :3], bi, [2])
    add("precedence: box_ind length and crop 0", img, bx, bi[:1], [0, 2])
    add("precedence: crop_size 3 elements (dims) before crop values", img, bx, bi, [0, 0, 0])
    add("precedence: crop 0 and box_ind out of range", img, bx, np.array([5, 0]), [0, 2])
    add("precedence: box_ind out of range and NaN boxes (range first)", img,
        np.full((2, 4), np.nan), np.array([5, 0]))
    add("precedence: crop overflow and box_ind out of range", rand_image(rng, "float32", (1, 4, 4, 4)),
        np.zeros((2, 4)), np.array([3, 3]), [INT_MAX, INT_MAX])
    return cs


# ---------------------------------------------------------------------------------------- grad image

def gi_valid(rng):
    cs = []
    for k, dtype in enumerate(GI_DTYPES):
        for m, method in enumerate(METHODS):
            cs += structured(rng, make_gi, dtype, method, 32, 2 * k + m)
    return cs


def gi_special(rng):
    cs = []

    def add(desc, grads, boxes, box_ind, image_size, dtype="float32", method="bilinear"):
        cs.append(gi_case("%s %s %s" % (dtype, method, desc), grads, boxes, box_ind, image_size,
                          dtype, method))

    for dtype in GI_DTYPES:
        add("num_boxes 0: boxes [0,4], box_ind [0], grads [0,3,4,3] -> zeros",
            np.zeros((0, 3, 4, 3)), np.zeros((0, 4)), np.zeros(0), [2, 5, 6, 3], dtype)
        add("depth 0: grads [2,3,3,0]", np.zeros((2, 3, 3, 0)),
            [[0.1, 0.2, 0.8, 0.9], [0.9, 0.1, 0.2, 0.7]], [1, 0], [2, 5, 6, 0], dtype, "nearest")
    add("accepted: image_size batch 0 with num_boxes 0", np.zeros((0, 2, 2, 3)), np.zeros((0, 4)),
        np.zeros(0), [0, 5, 6, 3])
    add("accepted: boxes [0,3] with box_ind [0] (column check skipped when both empty)",
        np.zeros((0, 2, 2, 3)), np.zeros((0, 3)), np.zeros(0), [1, 3, 3, 3], "float16")
    add("accepted: boxes [2,0] with box_ind [0] (both empty -> num_boxes 0)",
        np.zeros((0, 2, 2, 1)), np.zeros((2, 0)), np.zeros(0), [1, 4, 4, 1], "float64", "nearest")
    # ---- huge but finite boxes
    for method in METHODS:
        add("huge finite box y1=1e30, y2=-1e30 (all rows outside) -> zeros",
            rand_grads(rng, (1, 3, 3, 3)), [[1e30, 0.0, -1e30, 1.0]], [0], [2, 5, 6, 3], "float32", method)
        add("huge finite boxes: one coordinate +-1e30 outside, x inside", rand_grads(rng, (2, 2, 3, 3)),
            [[-1e30, 0.1, 0.5, 0.9], [0.2, 0.3, 1e30, 0.6]], [0, 1], [2, 5, 6, 3], "float64", method)
        add("image height 1, box y1=1e30, y2=-1e30, crop 3x3: every row at 0",
            rand_grads(rng, (1, 3, 3, 2)), [[1e30, 0.0, -1e30, 1.0]], [0], [1, 1, 4, 2], "float16", method)
    add("crop 1x1 huge box: centre inf -> outside", rand_grads(rng, (1, 1, 1, 3)),
        [[3e38, 0.2, 3e38, 0.4]], [1], [2, 5, 6, 3])
    add("crop 1x1, y1 = 3e38, y2 = -3e38: centre 0", rand_grads(rng, (1, 1, 1, 3)),
        [[3e38, 0.2, -3e38, 0.4]], [1], [2, 5, 6, 3], "float32", "nearest")
    # ---- exact grid, ties, aliasing of top == bottom
    for dtype in GI_DTYPES:
        for method in METHODS:
            add("exact grid: boxes [0,0,1,1] and [1,1,0,0], crop == image size 5x6",
                rand_grads(rng, (2, 5, 6, 3)), [[0, 0, 1, 1], [1, 1, 0, 0]], [0, 1], [2, 5, 6, 3],
                dtype, method)
            add("exact grid: crop 9x11 on 5x6 (integer and x.5 samples)",
                rand_grads(rng, (1, 9, 11, 2)), [[0, 0, 1, 1]], [0], [1, 5, 6, 2], dtype, method)
    for method in METHODS:
        add("boxes of zero extent (y1 == y2, x1 == x2)", rand_grads(rng, (2, 3, 3, 3)),
            [[0.3, 0.6, 0.3, 0.6], [0.5, 0.2, 0.5, 0.2]], [0, 1], [2, 5, 6, 3], "float32", method)
        add("boxes with -0.0 and exactly 0/1 edges", rand_grads(rng, (2, 3, 4, 3)),
            [[-0.0, -0.0, 1.0, 1.0], [1.0, 1.0, -0.0, -0.0]], [1, 0], [2, 5, 6, 3], "float64", method)
        add("boxes just outside [0,1] by one ulp", rand_grads(rng, (2, 3, 3, 3)),
            [[np.nextafter(F32(0), F32(-1)), 0.0, np.nextafter(F32(1), F32(2)), 1.0],
             [0.0, np.nextafter(F32(1), F32(2)), 1.0, np.nextafter(F32(0), F32(-1))]], [0, 1],
            [2, 5, 6, 3], "float16", method)
    add("nearest ties: x samples 0, 0.5, ..., 3", rand_grads(rng, (1, 3, 7, 1)), [[0, 0, 1, 1]],
        [0], [1, 2, 4, 1], "float32", "nearest")
    # ---- subnormals, FTZ/DAZ
    for dtype in GI_DTYPES:
        for method in METHODS:
            add("subnormal grads 1e-40 (DAZ: read as 0)", np.full((1, 2, 2, 2), 1e-40, F32),
                [[0.0, 0.0, 1.0, 1.0]], [0], [1, 3, 3, 2], dtype, method)
    add("grads 1e-38 times lerp 0.25 / 0.75: products subnormal -> flushed",
        np.full((1, 3, 2, 1), 1e-38, F32), [[0.25, 0.0, 0.75, 1.0]], [0], [1, 2, 2, 1])
    add("grads 1e-38 times lerp, float64 output (flushed in float before the conversion)",
        np.full((1, 3, 2, 1), 1e-38, F32), [[0.25, 0.0, 0.75, 1.0]], [0], [1, 2, 2, 1], "float64")
    for dtype in ("float32", "float64"):
        add("FTZ tininess before rounding: 0.5 * (2^-125 - 2^-149) rounds to 2^-126 but is flushed",
            np.array([(2**24 - 1) * 2.0**-149, -(2**24 - 1) * 2.0**-149, 1.0], F32).reshape(1, 1, 3, 1),
            [[0, 0, 1, 1]], [0], [1, 1, 2, 1], dtype)
    add("grads 1.5e-38 and -1.2e-38, exact grid: sums near the smallest normal",
        np.array([1.5e-38, -1.2e-38, 1.2e-38, -1.5e-38], F32).reshape(1, 2, 2, 1),
        [[0, 0, 1, 1]], [0], [1, 2, 2, 1])
    for method in METHODS:
        add("float16 output: grads 1e-6 .. 1e-8 become half subnormals (or 0)",
            np.array([1e-6, -3e-7, 5e-8, 2.9e-8, -1e-8, 6e-8], F32).reshape(1, 2, 3, 1),
            [[0.1, 0.0, 0.9, 1.0]], [0], [1, 3, 3, 1], "float16", method)
        add("float16 output overflow: grads 7e4 and 1e30 -> inf",
            np.array([7e4, -7e4, 1e30, 6e4, 6e4, 6e4], F32).reshape(1, 2, 3, 1),
            [[0.0, 0.0, 1.0, 1.0]], [0], [1, 2, 2, 1], "float16", method)
    add("accumulated overflow: 3e38 + 3e38 = inf, then + -inf grads = NaN, then + 1",
        np.array([3e38, 3e38, -np.inf, 1.0], F32).reshape(4, 1, 1, 1), [[0, 0, 0, 0]] * 4, [0] * 4,
        [1, 2, 2, 1], "float32", "nearest")
    add("accumulated overflow in half: 6e4 + 6e4 = inf, + half(-7e4) = -inf -> NaN, then + 1",
        np.array([6e4, 6e4, -7e4, 1.0], F32).reshape(4, 1, 1, 1), [[0, 0, 0, 0]] * 4, [0] * 4,
        [1, 2, 2, 1], "float16", "nearest")
    for dtype in GI_DTYPES:
        add("grads +-inf on the exact grid (weights 0: 0 * inf = NaN)",
            np.array([np.inf, -np.inf, 1.0, 2.0], F32).reshape(1, 2, 2, 1), [[0, 0, 1, 1]], [0],
            [1, 2, 2, 1], dtype, "bilinear")
    for dtype in GI_DTYPES:
        for method in METHODS:
            g = nan_payload_image(rng, (3, 3, 4, 3))
            gb = g.view(np.uint32)
            hi = (np.arange(gb.size).reshape(gb.shape) % 2 == 0) & np.isnan(g)
            gb[hi] |= np.uint32(0x002FE000)  # payload bits that survive float -> half
            add("grads with NaN payloads (low and high payload bits), overlapping boxes", g,
                rand_boxes(rng, 3, "inside"), [0, 0, 0], [1, 3, 3, 3], dtype, method)
    # ---- accumulation order / rounding at every add
    for dtype in GI_DTYPES:
        g = np.where(np.arange(12)[:, None, None, None] % 2 == 0, F32(1000.0), F32(0.1))
        g = np.broadcast_to(g, (12, 3, 3, 2)).astype(F32) * np.array([1, -1], F32)
        add("12 identical boxes on one image, grads alternating 1000 and 0.1 (order of adds)",
            g, [[0, 0, 1, 1]] * 12, [0] * 12, [1, 3, 3, 2], dtype, "bilinear")
        g2 = rand_grads(rng, (10, 4, 4, 1), "mixed")
        add("10 overlapping random boxes, mixed magnitudes 1e-4 .. 1e4",
            g2, rand_boxes(rng, 10, "inside"), [0] * 10, [1, 4, 4, 1], dtype, "bilinear")
        add("10 overlapping boxes, nearest, mixed magnitudes",
            rand_grads(rng, (10, 3, 3, 2), "mixed"), rand_boxes(rng, 10, "partial"), [0] * 10,
            [1, 3, 3, 2], dtype, "nearest")
    add("float32: grads 1e8 and 1 summed onto one pixel", np.array([1e8, 1, 1, 1, -1e8, 1], F32)
        .reshape(6, 1, 1, 1), [[0, 0, 0, 0]] * 6, [0] * 6, [1, 1, 1, 1], "float32", "bilinear")
    # ---- larger shapes
    add("larger: crop 16x16, depth 8, 2 boxes", rand_grads(rng, (2, 16, 16, 8)),
        rand_boxes(rng, 2, "partial"), [1, 0], [2, 12, 10, 8])
    add("larger: image 40x3, crop 20x2, float16", rand_grads(rng, (2, 20, 2, 3)),
        rand_boxes(rng, 2, "partial"), [0, 0], [1, 40, 3, 3], "float16")
    add("12 boxes all on the last image of batch 4", rand_grads(rng, (12, 2, 3, 5)),
        rand_boxes(rng, 12, "mixed"), [3] * 12, [4, 4, 4, 5], "float64", "nearest")
    return cs


def gi_errors(rng):
    cs = []

    def add(desc, grads, boxes, box_ind, image_size, dtype="float32", method="bilinear"):
        cs.append(gi_case(desc, grads, boxes, box_ind, image_size, dtype, method))

    g = rand_grads(rng, (2, 3, 4, 3))
    bx = rand_boxes(rng, 2, "inside")
    bi = np.array([0, 1], I32)
    isz = np.array([2, 5, 6, 3], I32)
    add("method 'area' (attr not in allowed list)", g, bx, bi, isz, method="area")
    add("method '' (empty)", g, bx, bi, isz, method="")
    add("method 'Nearest' (case matters)", g, bx, bi, isz, "float16", "Nearest")
    add("method 'foo' and grads 3-D (attr is checked first)", g[0], bx, bi, isz, method="foo")
    add("grads 3-D", g[0], bx, bi, isz)
    add("grads 5-D", g[None], bx, bi, isz)
    add("grads 2-D", np.zeros((2, 3)), bx, bi, isz)
    add("grads 0-D", np.float32(1.5), bx, bi, isz, "float64")
    add("grads 1-D empty [0] with num_boxes 0", np.zeros((0,)), np.zeros((0, 4)), np.zeros(0), isz)
    add("grads crop height 0", np.zeros((2, 0, 4, 3)), bx, bi, isz)
    add("grads crop width 0", np.zeros((2, 3, 0, 3)), bx, bi, isz, "float16")
    add("grads crop 0x0 with num_boxes 0", np.zeros((0, 0, 0, 3)), np.zeros((0, 4)), np.zeros(0), isz)
    add("boxes 1-D [4]", g[:1], bx[0], bi[:1], isz)
    add("boxes 3-D [2,1,4]", g, bx[:, None, :], bi, isz)
    add("boxes 0-D", g[:1], np.float32(0.5), bi[:1], isz)
    add("boxes 3 columns", g, bx[:, :3], bi, isz)
    add("boxes 5 columns", g, np.concatenate([bx, bx[:, :1]], 1), bi, isz)
    add("boxes [2,0] with box_ind [2] (not both empty)", g, np.zeros((2, 0)), bi, isz)
    add("box_ind 2-D [2,1]", g, bx, bi[:, None], isz)
    add("box_ind 0-D", g[:1], bx[:1], np.int32(0), isz)
    add("box_ind empty 2-D [0,0] with non-empty boxes", g, bx, np.zeros((0, 0)), isz)
    add("box_ind length 1 vs 2 boxes", g, bx, bi[:1], isz)
    add("box_ind length 3 vs 2 boxes", g, bx, np.array([0, 1, 0]), isz)
    add("box_ind length 0 vs 2 boxes", g, bx, np.zeros(0), isz)
    add("boxes [0,4] with box_ind [1]", g[:0], np.zeros((0, 4)), np.zeros(1), isz)
    add("grads dim0 3 vs 2 boxes", rand_grads(rng, (3, 3, 4, 3)), bx, bi, isz)
    add("grads dim0 1 vs 0 boxes", g[:1], np.zeros((0, 4)), np.zeros(0), isz)
    add("grads dim0 0 vs 2 boxes", g[:0], bx, bi, isz, "float64")
    add("image_size 0-D", g, bx, bi, np.int32(4))
    add("image_size 2-D [1,4]", g, bx, bi, isz[None])
    add("image_size 3 elements", g, bx, bi, isz[:3])
    add("image_size 5 elements", g, bx, bi, np.array([2, 5, 6, 3, 1]))
    add("image_size 0 elements", g, bx, bi, np.zeros(0, I32))
    add("image_size height 0", g, bx, bi, [2, 0, 6, 3])
    add("image_size width 0", g, bx, bi, [2, 5, 0, 3], "float16")
    add("image_size height -2", g, bx, bi, [2, -2, 6, 3])
    add("image_size width INT_MIN", g, bx, bi, [2, 5, -2**31, 3])
    add("image_size depth 2 vs grads depth 3", g, bx, bi, [2, 5, 6, 2])
    add("image_size depth -1 vs grads depth 3", g, bx, bi, [2, 5, 6, -1])
    add("image_size depth 0 vs grads depth 3", g, bx, bi, [2, 5, 6, 0], "float64")
    add("image_size depth 3 vs grads depth 0", np.zeros((2, 3, 4, 0)), bx, bi, [2, 5, 6, 3])
    add("negative batch -1 in image_size", g, bx, bi, [-1, 5, 6, 3])
    add("negative batch -1 in image_size, num_boxes 0", g[:0], np.zeros((0, 4)), np.zeros(0),
        [-1, 5, 6, 3])
    add("negative batch INT_MIN in image_size", g, bx, bi, [-2**31, 5, 6, 3], "float16")
    add("image_size 2^31-1 each (depth 1), num_boxes 0: element count overflows int64",
        np.zeros((0, 2, 2, 1)), np.zeros((0, 4)), np.zeros(0), [INT_MAX, INT_MAX, INT_MAX, 1])
    add("image_size overflow with boxes in range", np.zeros((1, 2, 2, 3)), bx[:1], bi[:1],
        [INT_MAX, INT_MAX, INT_MAX, 3])
    add("box_ind negative", g, bx, np.array([0, -1]), isz)
    add("box_ind == batch", g, bx, np.array([2, 0]), isz, "float16", "nearest")
    add("box_ind huge (2^31-1)", g, bx, np.array([1, INT_MAX]), isz)
    add("box_ind min int32", g, bx, np.array([-2**31, 0]), isz)
    add("box_ind out of range with image_size batch 0", g, bx, bi, [0, 5, 6, 3])
    add("box_ind 1 vs image_size batch 1", g, bx, bi, [1, 5, 6, 3], "float64")
    add("box_ind out of range with NaN boxes (checked before any box is read)", g,
        np.full((2, 4), np.nan), np.array([5, 0]), isz)
    add("box_ind out of range with inf boxes", g, np.full((2, 4), np.inf), np.array([0, 2]), isz,
        "float16", "nearest")
    # Precedence between two errors.
    add("precedence: grads 3-D and boxes 3 columns", g[0], bx[:, :3], bi, isz)
    add("precedence: crop 0 and boxes 1-D", np.zeros((2, 0, 4, 3)), bx[0], bi, isz)
    add("precedence: boxes 3 columns and box_ind 2-D (columns first)", g, bx[:, :3], bi[:, None], isz)
    add("precedence: box_ind length and grads dim0", rand_grads(rng, (3, 3, 4, 3)), bx, bi[:1], isz)
    add("precedence: grads dim0 and image_size 3 elements", rand_grads(rng, (3, 3, 4, 3)), bx, bi,
        isz[:3])
    add("precedence: image_size 2-D and height 0", g, bx, bi, [[2, 0, 6, 3]])
    add("precedence: image height 0 and depth differs", g, bx, bi, [2, 0, 6, 2])
    add("precedence: depth differs and negative batch", g, bx, bi, [-1, 5, 6, 2])
    add("precedence: negative batch and box_ind out of range", g, bx, np.array([7, 7]), [-1, 5, 6, 3])
    add("precedence: depth differs and box_ind out of range", g, bx, np.array([9, 0]), [2, 5, 6, 1])
    add("precedence: box_ind out of range and NaN boxes, nb mismatch first",
        rand_grads(rng, (3, 3, 4, 3)), np.full((2, 4), np.nan), np.array([9, 0]), isz)
    return cs


# ----------------------------------------------------------------------------------------
# Known-dangerous inputs, never recorded (see the module docstring).

UNSAFE_PROBES = {
    "grad_image: boxes [0] with box_ind [0,0]":
        ("gi", dict(grads=((0, 2, 2, 1), "f4"), boxes=((0,), "f4"), box_ind=((0, 0), "i4"),
                    image_size=[1, 4, 4, 1])),
    "grad_image: boxes [0,0,4] with box_ind [0]":
        ("gi", dict(grads=((0, 2, 2, 1), "f4"), boxes=((0, 0, 4), "f4"), box_ind=((0,), "i4"),
                    image_size=[1, 4, 4, 1])),
    "grad_image: boxes [0,4] with box_ind [0,0]":
        ("gi", dict(grads=((0, 2, 2, 1), "f4"), boxes=((0, 4), "f4"), box_ind=((0, 0), "i4"),
                    image_size=[1, 4, 4, 1])),
    "grad_image: boxes [0] with box_ind [0]":
        ("gi", dict(grads=((0, 2, 2, 1), "f4"), boxes=((0,), "f4"), box_ind=((0,), "i4"),
                    image_size=[1, 4, 4, 1])),
    "grad_image: NaN box": ("gi", dict(boxes=[[float("nan"), 0, 1, 1]])),
    "grad_image: inf box": ("gi", dict(boxes=[[float("inf"), 0, 1, 1]])),
    "grad_image: y1=3e38, y2=-3e38 (0 * -inf)": ("gi", dict(boxes=[[3e38, 0, -3e38, 1]])),
    "forward: y1=3e38, y2=-3e38, crop 2 (0 * -inf)": ("fwd", dict(boxes=[[3e38, 0, -3e38, 1]])),
    "forward: crop 1 on height 1, y1=y2=3e38 (inf * 0)":
        ("fwd", dict(boxes=[[3e38, 0, 3e38, 1]], image=((1, 1, 4, 1), "f4"), crop_size=[1, 2])),
}

_PROBE_CODE = r"""
import os, sys, json
os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import numpy as np, tensorflow as tf
tf.config.experimental.enable_op_determinism()
op, spec = json.loads(sys.argv[1])
def arr(v, dt, default):
    if v is None: v = default
    if isinstance(v, list) and len(v) == 2 and isinstance(v[0], list) and isinstance(v[1], str):
        return np.zeros(tuple(v[0]), v[1])
    return np.array(v, dt)
if op == 'gi':
    r = tf.raw_ops.CropAndResizeGradImage(
        grads=arr(spec.get('grads'), 'f4', np.ones((1, 2, 2, 1)).tolist()),
        boxes=arr(spec.get('boxes'), 'f4', [[0, 0, 1, 1]]),
        box_ind=arr(spec.get('box_ind'), 'i4', [0]),
        image_size=arr(spec.get('image_size'), 'i4', [1, 4, 4, 1]), T=tf.float32)
else:
    r = tf.raw_ops.CropAndResize(
        image=arr(spec.get('image'), 'f4', np.ones((1, 4, 4, 1)).tolist()),
        boxes=arr(spec.get('boxes'), 'f4', [[0, 0, 1, 1]]),
        box_ind=arr(spec.get('box_ind'), 'i4', [0]),
        crop_size=arr(spec.get('crop_size'), 'i4', [2, 2]))
print('RESULT', r.numpy().shape)
"""


def probe_unsafe():
    import json
    for name, (op, spec) in UNSAFE_PROBES.items():
        p = subprocess.run([sys.executable, "-c", _PROBE_CODE, json.dumps([op, spec])],
                           capture_output=True, text=True, timeout=300)
        lines = (p.stdout + p.stderr).strip().splitlines()
        tail = [ln for ln in lines if "Check failed" in ln or "RESULT" in ln or "Error" in ln][-1:] \
            or lines[-1:] or [""]
        print("  unsafe probe %-52s exit %4d  %s" % (name, p.returncode, tail[0][:200]))


# ----------------------------------------------------------------------------------------

def ascii_arr(s):
    return np.frombuffer(s.encode("ascii"), np.uint8).copy()


def store_image(c):
    if c["dtype"] == "bfloat16":
        bits = c["image"].astype(bfloat16()).view(np.uint16)
        assert np.array_equal(bits.view(bfloat16()).astype(F32).view(np.uint32),
                              c["image"].astype(F32).view(np.uint32)), "not exactly bfloat16"
        return bits
    return c["image"]


def emulate(c, **kw):
    if c["op"] == "fwd":
        return emu.crop_and_resize(c["image"], c["dtype"], c["boxes"], c["box_ind"], c["crop_size"],
                                   c["method"], c["extrap"], **kw)
    return emu.crop_and_resize_grad_image(c["grads"], c["boxes"], c["box_ind"], c["image_size"],
                                          c["dtype"], c["method"], **kw)


def process(name, cases, validate, run, variants, expect_shape):
    arrays, rows, skipped = {}, [], []
    status_count, dm_count = Counter(), Counter()
    variant_exact, variant_nan = Counter(), Counter()
    variant_miss = {v: [] for v in variants}
    n_ok = 0
    for c in cases:
        assert "\t" not in c["desc"] and "\n" not in c["desc"]
        pred = validate(c)
        if pred[0] == "Abort":
            skipped.append((c["desc"], pred[1]))
            continue
        emu_out = None
        if pred[0] == "Ok":
            try:
                emu_out = emulate(c)
            except emu.UnsafeInput as e:
                skipped.append((c["desc"], str(e)))
                continue
        status, msg, out = run(c)
        if (status, msg) != pred:
            raise AssertionError("%s: validation model disagrees with TF for %r:\n  TF    %r %r\n"
                                 "  model %r %r" % (name, c["desc"], status, msg, pred[0], pred[1]))
        cid = "c%03d" % len(rows)
        if c["op"] == "fwd":
            arrays[cid + "_image"] = le(store_image(c))
            arrays[cid + "_image_dtype"] = ascii_arr(c["dtype"])
            arrays[cid + "_boxes"] = le(c["boxes"])
            arrays[cid + "_box_ind"] = le(c["box_ind"])
            arrays[cid + "_crop_size"] = le(c["crop_size"])
            arrays[cid + "_method"] = ascii_arr(c["method"])
            arrays[cid + "_extrapolation"] = np.array([c["extrap"]], F32)
        else:
            arrays[cid + "_grads"] = le(c["grads"])
            arrays[cid + "_boxes"] = le(c["boxes"])
            arrays[cid + "_box_ind"] = le(c["box_ind"])
            arrays[cid + "_image_size"] = le(c["image_size"])
            arrays[cid + "_dtype"] = ascii_arr(c["dtype"])
            arrays[cid + "_method"] = ascii_arr(c["method"])
        if status == "Ok":
            n_ok += 1
            shape, dt = expect_shape(c)
            assert out.shape == shape and out.dtype == dt, (c["desc"], out.shape, out.dtype)
            arrays[cid + "_out"] = le(out)
            if not emu.bits_equal(emu_out, out):
                diff = np.argwhere(emu._bits(emu_out) != emu._bits(out)) \
                    if emu_out.shape == out.shape else None
                at = tuple(diff[0]) if diff is not None else None
                raise AssertionError(
                    "%s: emulation differs from TF on %s (%s)%s" % (
                        name, cid, c["desc"],
                        " shape %s vs %s" % (emu_out.shape, out.shape) if at is None else
                        "; %d elements differ, first at %s: TF %r (bits %#x), emulation %r (bits %#x)"
                        % (len(diff), list(at), out[at], int(emu._bits(out)[at]), emu_out[at],
                           int(emu._bits(emu_out)[at]))))
            for vname, kw in variants.items():
                v = emulate(c, **kw)
                if emu.bits_equal(v, out):
                    variant_exact[vname] += 1
                else:
                    variant_miss[vname].append(cid)
                if emu.equal_up_to_nan_bits(v, out):
                    variant_nan[vname] += 1
            dm_count[(c["dtype"], c["method"])] += 1
        rows.append((cid, status, c["desc"], msg))
        status_count[status] += 1

    with open(os.path.join(HERE, name + ".tsv"), "w", newline="\n") as f:
        f.write("id\tstatus\tdescription\tmessage\n")
        for r in rows:
            assert all("\t" not in x and "\n" not in x for x in r)
            f.write("\t".join(r) + "\n")
    npz_path = os.path.join(HERE, name + ".npz")
    write_npz(npz_path, arrays)

    print("== %s: %d cases (%s.tsv, %s.npz %.0f KiB)" % (
        name, len(rows), name, name, os.path.getsize(npz_path) / 1024))
    print("per status:", dict(sorted(status_count.items())))
    print("Ok per (dtype, method):", {"%s/%s" % k: v for k, v in sorted(dm_count.items())})
    print("emulation vs TF on %d Ok cases (bit-exact / equal up to NaN bits; cases that differ):"
          % n_ok)
    for vname in variants:
        miss = variant_miss[vname]
        print("  %-42s %4d / %4d  %s%s" % (vname, variant_exact[vname], variant_nan[vname],
                                            " ".join(miss[:12]), " ..." if len(miss) > 12 else ""))
    print("messages seen:")
    for m, n in sorted(Counter((r[1], r[3]) for r in rows if r[1] != "Ok").items()):
        print("  %3d x %s: %s" % (n, m[0], m[1][:170]))
    for d, why in skipped:
        print("skipped: %s (%s)" % (d, why))


def fwd_shape(c):
    nb = c["box_ind"].shape[0] if c["boxes"].size else 0
    return (nb, int(c["crop_size"][0]), int(c["crop_size"][1]), c["image"].shape[3]), np.dtype(F32)


def gi_shape(c):
    return tuple(int(v) for v in c["image_size"]), np.dtype(c["dtype"])


def main():
    probe = "--probe-unsafe" in sys.argv[1:]
    rng = np.random.default_rng(SEED)
    fwd = fwd_valid(rng) + fwd_special(rng) + fwd_errors(rng)
    gi = gi_valid(rng) + gi_special(rng) + gi_errors(rng)
    process("crop_and_resize", fwd, validate_forward, run_forward, emu.FORWARD_VARIANTS, fwd_shape)
    process("grad_image", gi, validate_grad_image, run_grad_image, emu.GRAD_IMAGE_VARIANTS,
            gi_shape)
    if probe:
        probe_unsafe()


if __name__ == "__main__":
    main()
