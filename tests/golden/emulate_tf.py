"""Bit-exact NumPy emulation of TensorFlow's CPU kernel for CropAndResizeGradBoxes.

TensorFlow 2.20 (tensorflow/core/kernels/image/crop_and_resize_op.cc,
CropAndResizeBackpropBoxes<CPUDevice, T>) computes, per box b, in float32 and
in the order b, y, x, d (single-threaded), see /work/shared/mission/SEMANTICS.md.

This module re-does that computation one float32 rounding at a time (NumPy
float32 arrays round every operation to float32; the sequential sums are done
element by element), so its result can be compared with TensorFlow bit for bit.
make_golden.py uses it to self-check every accepted case.

Findings that this emulation encodes by default (each one is a keyword flag so
that the alternatives can be tested; make_golden.py prints how many cases each
variant matches):

* ftz=True: TensorFlow runs CPU kernels with denormals flushed to zero (FTZ and
  DAZ set in MXCSR, tensorflow::port::ScopedFlushDenormal).  Every float32
  input that is subnormal is read as zero, and every float32 result that would
  be subnormal becomes zero (with its sign).
* fma=False: no multiply-add is contracted into a fused multiply-add; every
  product and every sum is rounded to float32 separately.
* crop1_double=True: for crop_height == 1 (crop_width == 1) the C++ expression
  `grads_boxes(b, 0) += image_grad_y * 0.5 * (image_height - 1)` is evaluated
  in double, because 0.5 is a double literal:
      acc = (float)((double)acc + ((double)gy * 0.5) * (double)(H - 1))
  so the sum is rounded once, from double to float.
* crop1_in_double=True: for crop size 1 the sample coordinate is
      in_y = (float)(0.5 * (double)(float)(y1 + y2) * (double)(H - 1))
  (only y1 + y2 is a float32 operation).  This differs from an all-float32
  evaluation only when 0.5 * (y1 + y2) would be subnormal in float32.

Unsafe inputs: when a sample coordinate is NaN, TensorFlow's kernel converts
NaN to int (undefined behaviour, out-of-bounds read, in practice a crash).
The emulation raises UnsafeInput instead.
"""

import numpy as np

F32 = np.float32
_TINY = np.float32(np.finfo(np.float32).tiny)  # 2**-126, smallest normal float32


class UnsafeInput(ValueError):
    """TensorFlow would read out of bounds (NaN sample coordinate)."""


def _identity(x):
    return x


def _flush(x):
    """Subnormal float32 -> signed zero (FTZ / DAZ)."""
    x = np.asarray(x, dtype=F32)
    return np.where(np.abs(x) < _TINY, np.copysign(F32(0), x), x).astype(F32)


def _flush_scalar(x):
    x = F32(x)
    if x != 0 and abs(x) < _TINY:
        return F32(np.copysign(F32(0), x))
    return x


def _fma32(a, b, c):
    """float32 fused multiply-add: a*b exact in double, one double add, one
    rounding to float32.  (The double add could in principle round twice; that
    is about a 2**-29 chance per operation and only matters for the fma=True
    comparison variant, not for the default emulation.)"""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    return (a * b + c).astype(F32)


def image_to_float(image, ftz=True):
    """static_cast<float>(T) for every element (round to nearest even), then
    flushed when FTZ is on (only float64 can produce a subnormal float32)."""
    img = np.asarray(image).astype(F32)
    return _flush(img) if ftz else img


def _seq_sum(terms, ftz):
    """acc = 0; for t in terms: acc = float32(acc + t)  (terms already float32)."""
    terms = np.ascontiguousarray(terms, dtype=F32).ravel()
    if terms.size == 0:
        return F32(0)
    part = np.add.accumulate(np.concatenate([np.zeros(1, F32), terms]), dtype=F32)
    if ftz:
        if np.any((part != 0) & (np.abs(part) < _TINY)):
            acc = F32(0)
            for t in terms:
                acc = _flush_scalar(acc + t)
            return acc
    return F32(part[-1])


def _seq_fma(gvals, w, ftz):
    """acc = 0; for g, w: acc = fma(g, w, acc) in float32."""
    acc = F32(0)
    fl = _flush_scalar if ftz else F32
    for g_, w_ in zip(np.ravel(gvals).tolist(), np.ravel(w).tolist()):
        acc = fl(np.float64(g_) * np.float64(w_) + np.float64(acc))
    return acc


def _seq_double(gvals, em1, ftz):
    """acc = (float)((double)acc + ((double)g * 0.5) * (double)(extent - 1))."""
    acc = 0.0
    fl = _flush_scalar if ftz else F32
    for g_ in np.ravel(gvals).tolist():
        acc = float(fl(acc + (g_ * 0.5) * em1))
    return F32(acc)


def crop_and_resize_grad_boxes(grads, image, boxes, box_ind, *, ftz=True, fma=False,
                               crop1_double=True, crop1_in_double=True):
    """Return TensorFlow's float32 [num_boxes, 4] result for valid inputs.

    Inputs must already have passed TensorFlow's validation (shapes, box_ind
    range).  Raises UnsafeInput where TensorFlow's behaviour is undefined."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return _crop_and_resize_grad_boxes(grads, image, boxes, box_ind, ftz, fma,
                                           crop1_double, crop1_in_double)


def _crop_and_resize_grad_boxes(grads, image, boxes, box_ind, ftz, fma, crop1_double,
                                crop1_in_double):
    fl = _flush if ftz else (lambda v: np.asarray(v, dtype=F32))
    grads = fl(np.asarray(grads, dtype=F32))
    boxes = fl(np.asarray(boxes, dtype=F32))
    box_ind = np.asarray(box_ind, dtype=np.int32)
    imgf = image_to_float(image, ftz)

    nb, ch, cw, depth = grads.shape
    batch, ih, iw = imgf.shape[:3]
    out = np.zeros((nb, 4), dtype=F32)

    def mul(a, b):
        return fl(np.multiply(a, b, dtype=F32))

    def add(a, b):
        return fl(np.add(a, b, dtype=F32))

    def sub(a, b):
        return fl(np.subtract(a, b, dtype=F32))

    def axis_coords(lo, hi, crop, extent):
        """Sample coordinates (float32 vector), ratio, scale along one axis."""
        em1 = F32(extent - 1)
        idx = np.arange(crop, dtype=F32)  # int -> float conversion of y / x
        if crop > 1:
            ratio = fl(F32(extent - 1) / F32(crop - 1))
            scale = mul(sub(hi, lo), ratio)
            if fma:
                coords = fl(_fma32(idx, scale, mul(lo, em1)))
            else:
                coords = add(mul(lo, em1), mul(idx, scale))
        else:
            ratio = F32(0)
            s = add(lo, hi)
            if crop1_in_double:
                c = fl(F32(0.5 * np.float64(s) * np.float64(extent - 1)))
            else:
                c = mul(mul(F32(0.5), s), em1)
            coords = np.full(crop, c, dtype=F32)
        if np.any(np.isnan(coords)):
            raise UnsafeInput("NaN sample coordinate")
        valid = ~((coords < 0) | (coords > em1))
        return coords, valid, ratio, idx

    for b in range(nb):
        y1, x1, y2, x2 = (F32(v) for v in boxes[b])
        bi = int(box_ind[b])
        if not (0 <= bi < batch):
            continue  # TF skips (never reached after validation)
        in_y, vy, hr, ys = axis_coords(y1, y2, ch, ih)
        in_x, vx, wr, xs = axis_coords(x1, x2, cw, iw)
        if not vy.any() or not vx.any() or depth == 0:
            continue
        in_y, ys = in_y[vy], ys[vy]
        in_x, xs = in_x[vx], xs[vx]
        top = np.floor(in_y).astype(np.int64)
        bot = np.ceil(in_y).astype(np.int64)
        left = np.floor(in_x).astype(np.int64)
        right = np.ceil(in_x).astype(np.int64)
        yl = sub(in_y, top.astype(F32))
        xl = sub(in_x, left.astype(F32))

        img = imgf[bi]
        tl = img[top][:, left]
        tr = img[top][:, right]
        bl = img[bot][:, left]
        br = img[bot][:, right]
        g = grads[b][vy][:, vx]

        xl3 = xl[None, :, None]
        yl3 = yl[:, None, None]
        one_m_xl = sub(F32(1), xl3)
        one_m_yl = sub(F32(1), yl3)
        if fma:
            gy = fl(_fma32(one_m_xl, sub(bl, tl), mul(xl3, sub(br, tr))))
            gx = fl(_fma32(one_m_yl, sub(tr, tl), mul(yl3, sub(br, bl))))
        else:
            gy = add(mul(one_m_xl, sub(bl, tl)), mul(xl3, sub(br, tr)))
            gx = add(mul(one_m_yl, sub(tr, tl)), mul(yl3, sub(br, bl)))
        gy = mul(gy, g)
        gx = mul(gx, g)

        def accumulate(gv, crop, extent, ratio, idx, axis, is_lo):
            # gv: [ny, nx, d] in loop order; idx: float32 index along axis.
            if crop > 1:
                if is_lo:
                    if fma:
                        w = fl(_fma32(-idx, ratio, np.full_like(idx, F32(extent - 1))))
                    else:
                        w = sub(F32(extent - 1), mul(idx, ratio))
                else:
                    w = mul(idx, ratio)
                shape = [1, 1, 1]
                shape[axis] = w.size
                wb = np.broadcast_to(w.reshape(shape), gv.shape)
                if fma:
                    return _seq_fma(gv, wb, ftz)
                return _seq_sum(mul(gv, wb), ftz)
            if crop1_double:
                return _seq_double(gv, float(extent - 1), ftz)
            c = F32(0.5 * (extent - 1))
            if fma:
                return _seq_fma(gv, np.full(gv.shape, c, F32), ftz)
            return _seq_sum(mul(gv, c), ftz)

        out[b, 0] = accumulate(gy, ch, ih, hr, ys, 0, True)
        out[b, 2] = accumulate(gy, ch, ih, hr, ys, 0, False)
        out[b, 1] = accumulate(gx, cw, iw, wr, xs, 1, True)
        out[b, 3] = accumulate(gx, cw, iw, wr, xs, 1, False)
    return out


VARIANTS = {
    # name: keyword arguments
    "default(ftz,no-fma,crop1-double,crop1-in-double)": dict(),
    "crop1-float-acc": dict(crop1_double=False),
    "crop1-float-in": dict(crop1_in_double=False),
    "fma": dict(fma=True),
    "no-ftz": dict(ftz=False),
}


def bits_equal(a, b):
    a = np.ascontiguousarray(a, dtype=F32)
    b = np.ascontiguousarray(b, dtype=F32)
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))
