"""Random CropAndResizeGradBoxes inputs, and how far apart two correct results may be.

Each test run draws fresh cases: the seed comes from the clock unless
CRGB_TEST_SEED is set, and pytest prints it in its header (conftest.py), so a
failure can be replayed with CRGB_TEST_SEED=<seed>.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

DTYPES = ["uint8", "uint16", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SEED = int(os.environ.get("CRGB_TEST_SEED", time.time_ns() % 2**32))


def same_bits(a, b) -> bool:
    """Same shape, dtype and bits (NaN payloads and the sign of zero count) of two
    float32 arrays, or of anything np.asarray turns into one (JAX, TensorFlow)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.uint32), b.view(np.uint32))


AUTOSCHEDULED = ("_adams2019", "_li2018", "_mullapudi2016", "_anderson2021")


def built_for(variant, dtype: str) -> bool:
    """Whether cmake/CrgbVariants.cmake builds the variant for this image dtype
    (grad_image: output dtype): the autoscheduled ones for uint8 and float32
    only, the OpenCL ones for all but float16; the rest for all."""
    if not variant or variant == "reference":
        return True
    if variant.endswith(AUTOSCHEDULED) and dtype not in ("uint8", "float32"):
        return False
    return not (variant.startswith("opencl") and dtype == "float16")


def off_beside_llvm(variant: str) -> bool:
    """Whether a variant is unavailable in this process only because another LLVM's
    symbols are global here (TensorFlow's): the OpenCL variants then load no driver
    (docs/gpu.md#opencl), while a fresh process, such as the CLI, runs them."""
    import crgb

    if not variant.startswith("opencl"):
        return False
    z = np.zeros((1, 1, 1, 1), np.float32)
    try:
        crgb.crop_and_resize_grad_boxes(z, z, np.array([[0, 0, 1, 1]], np.float32),
                                        np.zeros(1, np.int32), variant=variant)
    except crgb.UnavailableError as e:
        return "LLVM with global symbols" in str(e)
    except crgb.Error:
        pass
    return False


def rng(salt: int) -> np.random.Generator:
    """A generator for one test, from the run's seed and a per-test salt."""
    return np.random.default_rng([SEED, salt])


@dataclass
class Problem:
    grads: np.ndarray
    image: np.ndarray
    boxes: np.ndarray
    box_ind: np.ndarray

    def args(self):
        return self.grads, self.image, self.boxes, self.box_ind

    def __repr__(self) -> str:
        return (f"Problem(grads{list(self.grads.shape)}, image{list(self.image.shape)} "
                f"{self.image.dtype}, boxes={self.boxes.tolist()}, box_ind={self.box_ind.tolist()})")


def random_image(r: np.random.Generator, shape, dtype: str) -> np.ndarray:
    if dtype.startswith("float"):
        scale = r.choice([1.0, 10.0, 200.0])
        return (r.standard_normal(shape) * scale).astype(dtype)
    info = np.iinfo(dtype)
    # int64 up to 2^40: values that float32 cannot hold exactly, converted the
    # same way by TensorFlow and crgb.
    lo, hi = max(int(info.min), -(2**40)), min(int(info.max), 2**40)
    return r.integers(lo, hi, size=shape, endpoint=True, dtype=dtype)


def random_boxes(r: np.random.Generator, n: int, height: int, width: int) -> np.ndarray:
    """Rows (y1, x1, y2, x2): inside the image, partly outside, flipped,
    degenerate (zero height or width), and on the pixel grid (TensorFlow's
    kinks: floor == ceil there)."""
    boxes = np.empty((n, 4), np.float32)
    for i in range(n):
        kind = r.choice(["inside", "outside", "flipped", "degenerate", "grid"],
                        p=[0.4, 0.2, 0.15, 0.1, 0.15])
        if kind == "outside":
            row = r.uniform(-0.7, 1.7, 4)
        elif kind == "grid":
            row = np.array([r.integers(0, height) / max(height - 1, 1),
                            r.integers(0, width) / max(width - 1, 1),
                            r.integers(0, height) / max(height - 1, 1),
                            r.integers(0, width) / max(width - 1, 1)])
        else:
            y = np.sort(r.uniform(0, 1, 2))
            x = np.sort(r.uniform(0, 1, 2))
            row = np.array([y[0], x[0], y[1], x[1]])
            if kind == "flipped":
                row = row[[2, 3, 0, 1]] if r.random() < 0.5 else row[[2, 1, 0, 3]]
            elif kind == "degenerate":
                row[2] = row[0]
        boxes[i] = row
    return boxes


def random_problem(r: np.random.Generator, dtype: str, min_boxes: int = 0) -> Problem:
    """Odd shapes: image sides and crop sides from 1, odd depths, 0 to 6 boxes
    (at least min_boxes), crop 1x1 now and then."""
    batch = int(r.integers(1, 4))
    height, width = (int(s) for s in r.integers(1, 13, 2))
    depth = int(r.choice([1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 33]))
    if r.random() < 0.15:
        crop_h = crop_w = 1
    else:
        crop_h, crop_w = (int(s) for s in r.integers(1, 10, 2))
    n = int(r.integers(0, 7)) if r.random() < 0.1 else int(r.integers(1, 7))
    n = max(n, min_boxes)
    return Problem(
        grads=r.standard_normal((n, crop_h, crop_w, depth)).astype(np.float32),
        image=random_image(r, (batch, height, width, depth), dtype),
        boxes=random_boxes(r, n, height, width),
        box_ind=r.integers(0, batch, n).astype(np.int32),
    )


def _axis(a: np.float32, b: np.float32, crop: int, size: int):
    """TensorFlow's float32 sample coordinates along one axis, and the float64
    weights of the near (a) and far (b) box edge per sample."""
    if crop > 1:
        # TensorFlow's order: the ratio (size - 1) / (crop - 1) first, in
        # float32, then times (b - a). (b - a) * (size - 1) / (crop - 1)
        # rounds differently: with a = 0.1, b = 1, size 11, crop 4 it puts
        # every sample exactly on a pixel column, TensorFlow's just off it.
        ratio32 = np.float32(size - 1) / np.float32(crop - 1)
        scale = np.float32(b - a) * ratio32
        steps = np.arange(crop, dtype=np.float32)
        coord = a * np.float32(size - 1) + steps * scale
        ratio = (size - 1) / (crop - 1)
        return coord, (size - 1) - steps * ratio, steps * ratio
    coord = np.array([np.float32(0.5 * float(np.float32(a + b)) * (size - 1))])
    half = np.array([0.5 * (size - 1)])
    return coord, half, half


def abs_sums(p: Problem) -> np.ndarray:
    """[num_boxes, 4]: for each output, the sum of the absolute values of the
    terms TensorFlow adds into it (in float64): the scale of its rounding error."""
    n, crop_h, crop_w, _ = p.grads.shape
    _, height, width, _ = p.image.shape
    image = p.image.astype(np.float32).astype(np.float64)
    out = np.zeros((n, 4))
    for b in range(n):
        y1, x1, y2, x2 = p.boxes[b]
        in_y, wy1, wy2 = _axis(y1, y2, crop_h, height)
        in_x, wx1, wx2 = _axis(x1, x2, crop_w, width)
        ys = np.nonzero((in_y >= 0) & (in_y <= height - 1))[0]
        xs = np.nonzero((in_x >= 0) & (in_x <= width - 1))[0]
        if len(ys) == 0 or len(xs) == 0:
            continue
        top, bottom = np.floor(in_y[ys]).astype(int), np.ceil(in_y[ys]).astype(int)
        left, right = np.floor(in_x[xs]).astype(int), np.ceil(in_x[xs]).astype(int)
        yl = (in_y[ys] - top).astype(np.float64)[:, None, None]
        xl = (in_x[xs] - left).astype(np.float64)[None, :, None]
        img = image[p.box_ind[b]]
        tl, tr = img[top][:, left], img[top][:, right]
        bl, br = img[bottom][:, left], img[bottom][:, right]
        g = np.abs(p.grads[b][np.ix_(ys, xs)].astype(np.float64))
        gy = (np.abs(1 - xl) * np.abs(bl - tl) + xl * np.abs(br - tr)) * g
        gx = (np.abs(1 - yl) * np.abs(tr - tl) + yl * np.abs(br - bl)) * g
        out[b] = [np.sum(gy * np.abs(wy1[ys])[:, None, None]),
                  np.sum(gx * np.abs(wx1[xs])[None, :, None]),
                  np.sum(gy * np.abs(wy2[ys])[:, None, None]),
                  np.sum(gx * np.abs(wx2[xs])[None, :, None])]
    return out


def tolerance(p: Problem) -> np.ndarray:
    """How far two correct float32 results may be apart, per output.

    Each correct result (TensorFlow's sequential float32 sum, or a SIMD
    variant's sum in another order) is within (k + 16) * 2^-24 * S of the exact
    value, where k = crop_height * crop_width * depth is the number of terms
    summed and S their absolute sum (abs_sums): summing k float32 terms in any
    order errs by at most (k - 1) * u * S with u = 2^-24 (Higham, Accuracy and
    Stability of Numerical Algorithms, 4.2), and each term's own few roundings
    (lerp, difference, products with grads and the weight) add at most ~8u of
    its absolute value, hence the + 16. Two correct results are therefore
    within twice that; 1e-30 covers TensorFlow's flushing of subnormals to zero
    on an all-zero output. A wrong index, weight or lerp changes many terms and
    errs by a sizable fraction of S, far beyond this bound on these small
    cases; a bug that touches a single term is left to the bit-exact
    comparison of the reference variant.
    """
    k = p.grads.shape[1] * p.grads.shape[2] * p.grads.shape[3]
    return 2 * (k + 16) * 2.0**-24 * abs_sums(p) + 1e-30


def tf_coords(a, b, crop: int, size: int) -> np.ndarray:
    """TensorFlow's sample coordinates along one axis (float64), from its formula."""
    if crop > 1:
        return a * (size - 1) + np.arange(crop) * ((b - a) * (size - 1) / (crop - 1))
    return np.array([0.5 * (a + b) * (size - 1)])


def boxes_off_the_grid(r: np.random.Generator, n: int, height: int, width: int, crop,
                       margin: float) -> np.ndarray:
    """Random float32 boxes [n, 4] none of whose samples is within `margin`
    pixels of a pixel row or column or of the image border: there the forward
    is linear in each box coordinate (TensorFlow's derivative is the ordinary
    one), and central differences with steps below the margin are exact."""
    while True:
        boxes = r.uniform(0.02, 0.98, (n, 4)).astype(np.float32)
        ok = True
        for y1, x1, y2, x2 in boxes.astype(np.float64):
            for coords in (tf_coords(y1, y2, crop[0], height), tf_coords(x1, x2, crop[1], width)):
                frac = coords - np.floor(coords)
                ok &= bool(np.all((frac > margin) & (frac < 1 - margin)))
        if ok:
            return boxes
