"""CropAndResize and CropAndResizeGradImage in NumPy, TensorFlow's CPU kernels
step by step, for the tests of crgb.crop_and_resize and
crgb.crop_and_resize_grad_image.

`crop_and_resize` and `grad_image` redo TensorFlow's arithmetic in float32 (each
NumPy float32 operation rounds once, as the kernels' C++ does without
contraction), so they are bit-identical to TensorFlow wherever TensorFlow can
be asked (test_family_vs_tensorflow.py checks that), and they extend the
comparison to bfloat16, which TensorFlow's ops do not take. Alongside they
return, per output element, the sum of the absolute values of what is
combined into it: the scale of any correct evaluation's rounding error, from
which `crop_tolerance` and `grad_image_tolerance` bound how far two correct
results may be apart.

Problems are problems.random_problem's: crop_size is grads.shape[1:3],
image_size is image.shape.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
U = 2.0**-24  # float32's unit roundoff

# The unit roundoff of each output dtype of CropAndResizeGradImage.
UNIT_ROUNDOFF = {"float16": 2.0**-11, "bfloat16": 2.0**-8, "float32": 2.0**-24,
                 "float64": 2.0**-53}


def bfloat16():
    """ml_dtypes.bfloat16, or None where ml_dtypes does not import."""
    try:
        import ml_dtypes
    except ImportError:
        return None
    return ml_dtypes.bfloat16


def as_float32(image: np.ndarray) -> np.ndarray:
    """The image as the kernels read it: static_cast<float> of each value
    (exact for 8- and 16-bit integers, float16 and bfloat16, rounded to
    nearest for int32, int64 and float64)."""
    return image.astype(np.float32)


def axis_coords(a, b, crop: int, size: int) -> np.ndarray:
    """The float32 sample coordinates along one axis, as TensorFlow's forward
    and image-gradient kernels compute them: the scale
    (b - a) * (size - 1) / (crop - 1) left to right in float, then
    a * (size - 1) + i * scale; for one sample, 0.5 * (a + b) * (size - 1) in
    double (0.5 is a double literal), stored as float."""
    a, b = F32(a), F32(b)
    if crop > 1:
        scale = (b - a) * F32(size - 1) / F32(crop - 1)
        return a * F32(size - 1) + np.arange(crop, dtype=F32) * scale
    return np.array([F32(0.5 * float(a + b) * (size - 1))], F32)


def _round_half_away(c: np.ndarray) -> np.ndarray:
    """roundf() of non-negative float32 values, exactly (floor(c + 0.5) is not:
    0.49999997f + 0.5f rounds to 1)."""
    low = np.floor(c)
    return (low + ((c - low) >= 0.5)).astype(int)


class _Axis:
    """One axis of one box: the samples inside the image and their indices."""

    def __init__(self, a, b, crop: int, size: int):
        coords = axis_coords(a, b, crop, size)
        self.inside = (coords >= 0) & (coords <= F32(size - 1))
        c = coords[self.inside]
        self.low = np.floor(c).astype(int)
        self.high = np.ceil(c).astype(int)
        self.lerp = c - self.low.astype(F32)  # float32 - float32: exact
        self.nearest = _round_half_away(c)
        self.index = np.nonzero(self.inside)[0]


def crop_and_resize(image, boxes, box_ind, crop_size, method="bilinear",
                    extrapolation_value=0.0):
    """(crops, scale): TensorFlow's CropAndResize, float32
    [num_boxes, crop_height, crop_width, depth], and per crop element the sum
    |tl| + |tr| + |bl| + |br| of the four corners it interpolates (|pixel| for
    nearest; 0 for extrapolated elements, which are extrapolation_value
    exactly)."""
    crop_h, crop_w = (int(s) for s in crop_size)
    img = as_float32(image)
    _, height, width, depth = img.shape
    n = boxes.shape[0]
    crops = np.full((n, crop_h, crop_w, depth), F32(extrapolation_value), F32)
    scale = np.zeros((n, crop_h, crop_w, depth))
    for b in range(n):
        y1, x1, y2, x2 = boxes[b]
        ay, ax = _Axis(y1, y2, crop_h, height), _Axis(x1, x2, crop_w, width)
        if len(ay.index) == 0 or len(ax.index) == 0:
            continue
        im = img[box_ind[b]]
        rows, cols = np.ix_(ay.index, ax.index)
        if method == "nearest":
            v = im[np.ix_(ay.nearest, ax.nearest)]
            crops[b][rows, cols] = v
            scale[b][rows, cols] = np.abs(v.astype(np.float64))
            continue
        tl = im[np.ix_(ay.low, ax.low)]
        tr = im[np.ix_(ay.low, ax.high)]
        bl = im[np.ix_(ay.high, ax.low)]
        br = im[np.ix_(ay.high, ax.high)]
        x_lerp = ax.lerp[None, :, None]
        y_lerp = ay.lerp[:, None, None]
        top = tl + (tr - tl) * x_lerp
        bottom = bl + (br - bl) * x_lerp
        crops[b][rows, cols] = top + (bottom - top) * y_lerp
        scale[b][rows, cols] = sum(np.abs(c.astype(np.float64)) for c in (tl, tr, bl, br))
    return crops, scale


def crop_tolerance(scale: np.ndarray, image_shape) -> np.ndarray:
    """How far two correct float32 evaluations of one crop element may be
    apart, from crop_and_resize's scale S = |tl| + |tr| + |bl| + |br|.

    An element is top + (bottom - top) * y_lerp with top and bottom lerps of
    two corners each: six roundings, each of a value at most S in size, so a
    correct evaluation (in TensorFlow's order, in another, or with fused
    multiply-adds) is within 6u * S of the exact lerp of its coordinates
    (u = 2^-24), and two within 12u * S. The coordinates themselves may be
    rounded differently by a correct implementation by up to two ulps of a
    coordinate below size - 1, moving a lerp by at most 2 * 2u * (size - 1) and
    the element (continuous across pixel boundaries) by that times S for each
    axis: 8u * (max(height, width) - 1) * S in all. Extrapolated elements
    (S = 0) must be exact. A wrong index, lerp or corner errs by a sizable
    fraction of S, far beyond (12 + 8 * 11) * 2^-24 < 6e-6 of S on these
    images of sides up to 12."""
    _, height, width, _ = image_shape
    return (12 + 8 * (max(height, width) - 1)) * U * scale


def grad_image(grads, boxes, box_ind, image_size, dtype="float32", method="bilinear"):
    """(output, scale, terms): TensorFlow's CropAndResizeGradImage with T =
    dtype, accumulating in TensorFlow's order under op determinism (boxes,
    crop rows, crop columns; per sample the top-left, top-right, bottom-left,
    bottom-right shares; each share rounded to T and added in T, a 16-bit T
    adding in float32 and rounding the sum, as Eigen's half and bfloat16 do).
    scale: per image element the sum of the absolute values of the shares
    added into it (float64); terms: how many."""
    t = bfloat16() if dtype == "bfloat16" else np.dtype(dtype)
    batch, height, width, depth = (int(s) for s in image_size)
    out = np.zeros((batch, height, width, depth), t)
    scale = np.zeros(out.shape)
    terms = np.zeros(out.shape[:3], np.int64)
    if t == np.float32:
        def add(at, share):
            out[at] = out[at] + share
    elif t == np.float64:
        def add(at, share):
            out[at] = out[at] + share.astype(np.float64)
    else:  # float16, bfloat16: in float32, rounded back
        def add(at, share):
            out[at] = (out[at].astype(F32) + share.astype(t).astype(F32)).astype(t)
    _, crop_h, crop_w, _ = grads.shape
    for b in range(boxes.shape[0]):
        y1, x1, y2, x2 = boxes[b]
        ay, ax = _Axis(y1, y2, crop_h, height), _Axis(x1, x2, crop_w, width)
        k = int(box_ind[b])
        for iy, y in enumerate(ay.index):
            for ix, x in enumerate(ax.index):
                g = grads[b, y, x]
                if method == "nearest":
                    at = (k, ay.nearest[iy], ax.nearest[ix])
                    shares = [(at, g)]
                else:
                    y_lerp, x_lerp = ay.lerp[iy], ax.lerp[ix]
                    top, bottom, left, right = ay.low[iy], ay.high[iy], ax.low[ix], ax.high[ix]
                    dtop = (F32(1) - y_lerp) * g
                    dbottom = y_lerp * g
                    shares = [((k, top, left), (F32(1) - x_lerp) * dtop),
                              ((k, top, right), x_lerp * dtop),
                              ((k, bottom, left), (F32(1) - x_lerp) * dbottom),
                              ((k, bottom, right), x_lerp * dbottom)]
                for at, share in shares:
                    add(at, share)
                    scale[at] += np.abs(share.astype(np.float64))
                    terms[at] += 1
    return out, scale, terms


def grad_image_tolerance(scale: np.ndarray, terms: np.ndarray, dtype: str,
                         image_shape) -> np.ndarray:
    """How far two correct evaluations of one CropAndResizeGradImage element of
    `dtype` may be apart, from grad_image's scale A (the sum of the absolute
    values of its k shares) and k.

    Each share is (1 - x_lerp) * ((1 - y_lerp) * g) or the like in float32:
    at most 4 roundings (with 1 - lerp) of a value at most its own size, 4u A
    over all shares (u = 2^-24), and 8u * (max(height, width) - 1) * A more for
    coordinates rounded differently (crop_tolerance); summing k terms in T,
    each first rounded to T, errs by at most (k + 1) u_T A in any order
    (Higham 4.2, u_T T's unit roundoff). Two correct results are within twice
    the sum. crgb's variants all add in TensorFlow's order, so they differ from
    TensorFlow at most in the sign of a zero sum; the bound is for any correct
    order. 1e-30: TensorFlow flushes float32 subnormals to zero."""
    _, height, width, _ = image_shape
    u_t = UNIT_ROUNDOFF[dtype]
    k = terms[..., None]
    return 2 * ((k + 1) * u_t + (4 + 8 * (max(height, width) - 1)) * U) * scale + 1e-30
