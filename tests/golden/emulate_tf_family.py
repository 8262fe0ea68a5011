"""Bit-exact NumPy emulation of TensorFlow's CPU kernels for CropAndResize and
CropAndResizeGradImage (TensorFlow 2.20, tensorflow/core/kernels/image/crop_and_resize_op.cc,
functor::CropAndResize<CPUDevice, T> and functor::CropAndResizeBackpropImage<CPUDevice, T>).

make_golden_family.py uses it to check, bit for bit, every accepted golden case.

What the kernels compute (C++ types in brackets; every float operation rounds to float32):
  height_scale = crop_h > 1 ? (y2 - y1) * (H - 1) / (crop_h - 1) : 0      [float, left to right]
  in_y = crop_h > 1 ? y1 * (H - 1) + y * height_scale                       [float]
                    : 0.5 * (y1 + y2) * (H - 1)   [y1 + y2 in float, the rest in double, then
                                                   rounded to float once]
  a row (column) with in_y < 0 || in_y > H - 1 is skipped (backward) or filled with
  extrapolation_value (forward); NaN coordinates are undefined behaviour in TF (UnsafeInput here).
  bilinear: top = floorf, bottom = ceilf, y_lerp = in_y - top (likewise x)
     forward  top = tl + (tr - tl) * x_lerp; bottom = bl + (br - bl) * x_lerp;
              out = top + (bottom - top) * y_lerp
     backward dtop = (1 - y_lerp) * g; img[top,left] += T((1 - x_lerp) * dtop);
              img[top,right] += T(x_lerp * dtop); dbottom = y_lerp * g;
              img[bottom,left] += T((1 - x_lerp) * dbottom); img[bottom,right] += T(x_lerp * dbottom)
              (boxes in order, then y, x, d; single-threaded under op determinism)
  nearest:  index = roundf(in_y), roundf(in_x) (half away from zero)
     forward  out = float(image[...]);  backward img[...] += T(g)

Floating-point environment, as found against TF 2.20 (x86-64 CPU build) bit for bit:
  * FTZ and DAZ are on in the kernels: a subnormal float32 operand of an arithmetic instruction
    (pixel, box coordinate, grad) is read as zero, and a result whose exact value is below 2**-126
    in magnitude is flushed to a signed zero -- tininess is detected BEFORE rounding, so an exact
    result in [2**-126 - 2**-150, 2**-126) that would round up to the smallest normal is flushed
    too.  The same holds for the float64 -> float32 pixel conversion (1.1754943e-38 -> 0).
  * A plain copy is not arithmetic: the forward's nearest method copies float32 (and bfloat16,
    given as float32) pixels unchanged, subnormals included, and the extrapolation value is
    stored unchanged (1e-40 stays 1e-40, NaN keeps its bits).
  * No multiply-add is contracted into an fma (coordinates, lerps).
  * float16 output (Eigen::half, software conversion in TF's CPU build): every += converts both
    halves to float32, adds once in float32, rounds back to half (round to nearest even) --
    rounding at every add, not once at the end.  Half subnormal results are kept (no flush on
    the float -> half conversion).  A NaN becomes the canonical half NaN 0x7E00 with its sign.
  * NaN propagation (only decides which NaN bit pattern comes out): x86 returns the first NaN
    operand (quieted), and a NaN made from numbers (inf - inf, 0 * inf) is 0xFFC00000.  The
    compiled kernels evaluate the forward lerps as
        top = (tr - tl) * x_lerp + tl;  bottom = bl + (br - bl) * x_lerp;
        out = (bottom - top) * y_lerp + top
    (lerp_order "pbp": p = product first, b = base first), and grads_image += v as v + old for
    float and double, old + v for half.  The emulation applies the rule explicitly, since
    NumPy's own choice of NaN depends on its loops (scalar vs array ops differ).

Variants (keyword flags, so that make_golden_family.py can report which model TF matches):
  ftz=False              no flushing at all (gradual underflow)
  tininess="after"       flush only what rounds to a subnormal
  fma_lerp=True          forward lerps contracted to fma(d, lerp, base)
  fma_coord=True         in_y = fma(y, scale, y1 * (H - 1))
  lerp_order="bbb"/...   other operand orders of the three lerp additions
  f16_acc_float=True     float16 output accumulated in float32, rounded to half once at the end
  acc_swapped=True       the other operand order for grads_image +=
"""

import numpy as np

F32 = np.float32
F64 = np.float64
F16 = np.float16
_TINY32 = F32(np.finfo(F32).tiny)
_TINY64 = F64(np.finfo(F64).tiny)


class UnsafeInput(ValueError):
    """A sample coordinate is NaN: TensorFlow converts NaN to int (out-of-bounds access)."""


def _nan_rule64(r, a, b):
    """x86 rule for a float64 operation: the first NaN operand (quieted), else default NaN."""
    r = np.array(r, F64)
    if not np.any(np.isnan(r)):
        return r
    bits = r.view(np.uint64)
    bits[np.isnan(r)] = np.uint64(0xFFF8000000000000)
    for o in (b, a):
        o = np.broadcast_to(np.asarray(o, F64), r.shape)
        m = np.isnan(o)
        bits[m] = o.view(np.uint64)[m] | np.uint64(0x0008000000000000)
    return r


def _half(x):
    """Eigen's float -> half (TF's CPU build uses the software path): round to nearest even,
    NaN becomes the canonical quiet NaN 0x7E00 with the sign kept (payload dropped)."""
    x = np.asarray(x, F32)
    h = x.astype(F16)
    nan = np.isnan(x)
    if np.any(nan):
        hb = np.array(h).view(np.uint16)
        hb[nan] = np.where(np.signbit(x[nan]), np.uint16(0xFE00), np.uint16(0x7E00))
        h = hb.view(F16)
    return h


def _flush64(x):
    x = np.asarray(x, dtype=F64)
    return np.where(np.abs(x) < _TINY64, np.copysign(F64(0), x), x).astype(F64)


class _Arith:
    """float32 arithmetic as the CPU does it under FTZ/DAZ.  Each operation is evaluated
    exactly (or innocuously: float64 has more than 2*24+2 bits) in float64; then a result whose
    exact magnitude is below 2**-126 is flushed to a signed zero (x86 detects tininess before
    rounding: 0.5 * (2**-125 - 2**-149) gives 0 in TF, not 2**-126), else it is rounded to
    float32.  ftz=False: plain IEEE float32 (gradual underflow)."""

    def __init__(self, ftz, tininess="before"):
        self.ftz = ftz
        self.after = tininess == "after"

    def rnd(self, x64):
        x64 = np.asarray(x64, F64)
        if self.ftz and self.after:  # comparison variant: flush what rounds to a subnormal
            r = x64.astype(F32)
            return np.where(np.abs(r) < _TINY32, np.copysign(F32(0), r), r).astype(F32)
        if self.ftz:
            x64 = np.where(np.abs(x64) < _TINY32, np.copysign(F64(0), x64), x64)
        return x64.astype(F32)

    def daz(self, x):
        """An input operand (float32): subnormals are read as zero."""
        x = np.asarray(x, F32)
        if self.ftz:
            x = np.where(np.abs(x) < _TINY32, np.copysign(F32(0), x), x).astype(F32)
        return x

    def _op(self, r64, *operands):
        """Round r64 and apply the x86 SSE NaN rule explicitly (NumPy's own choice of NaN
        depends on its loops): a NaN result is the first NaN operand, quieted; a NaN made from
        non-NaN operands (inf - inf, 0 * inf) is the default NaN 0xFFC00000."""
        r = self.rnd(r64)
        if not np.any(np.isnan(r)):
            return r
        shape = np.broadcast_shapes(*(np.shape(o) for o in operands), np.shape(r))
        r = np.array(np.broadcast_to(r, shape), F32)
        bits = r.view(np.uint32)
        bits[np.isnan(r)] = 0xFFC00000
        for o in reversed(operands):
            o = np.broadcast_to(np.asarray(o, F32), shape)
            m = np.isnan(o)
            bits[m] = o.view(np.uint32)[m] | np.uint32(0x00400000)
        return r

    def add(self, a, b):
        return self._op(np.asarray(a, F64) + np.asarray(b, F64), a, b)

    def sub(self, a, b):
        return self._op(np.asarray(a, F64) - np.asarray(b, F64), a, b)

    def mul(self, a, b):
        return self._op(np.asarray(a, F64) * np.asarray(b, F64), a, b)

    def div(self, a, b):
        return self._op(np.asarray(a, F64) / np.asarray(b, F64), a, b)

    def fma(self, a, b, c):
        """fma(a, b, c): a*b is exact in float64; the add may round twice (very rarely matters;
        only used by the comparison variants)."""
        return self._op(np.asarray(a, F64) * np.asarray(b, F64) + np.asarray(c, F64), a, b, c)


def axis_coords(lo, hi, crop, extent, ar, fma_coord=False):
    """Sample coordinates along one axis (float32 vector of length crop) and validity mask."""
    em1 = F32(extent - 1)
    lo = ar.daz(F32(lo))
    hi = ar.daz(F32(hi))
    if crop > 1:
        scale = ar.div(ar.mul(ar.sub(hi, lo), em1), F32(crop - 1))
        idx = np.arange(crop, dtype=F32)
        if fma_coord:
            coords = ar.fma(idx, scale, ar.mul(lo, em1))
        else:
            coords = ar.add(ar.mul(lo, em1), ar.mul(idx, scale))
    else:
        s = ar.add(lo, hi)
        c = ar.rnd(0.5 * F64(s) * F64(extent - 1))  # double expression, one conversion
        coords = np.full(crop, c, dtype=F32)
    if np.any(np.isnan(coords)):
        raise UnsafeInput("NaN sample coordinate")
    valid = ~((coords < 0) | (coords > em1))
    return coords, valid


def _roundf(v):
    """C roundf (half away from zero) of float32 values, as int64."""
    v64 = np.asarray(v, F64)
    return (np.sign(v64) * np.floor(np.abs(v64) + 0.5)).astype(np.int64)


def image_as_float(image, dtype_name, arithmetic, ar):
    """static_cast<float>(T) of every pixel.  dtype_name 'bfloat16' means the image is given as
    float32 values already (bfloat16 -> float32 is exact).  Integers convert with one rounding
    (never through float64); float64 converts with FTZ; arithmetic=True (bilinear): the values
    are operands of float arithmetic, so DAZ reads float32 subnormals as zero.  A float32 pixel
    that is only copied (nearest) keeps its bits."""
    img = np.asarray(image)
    if img.dtype == F64:
        return ar.rnd(img)
    f = img.astype(F32)
    return ar.daz(f) if arithmetic else f


def crop_and_resize(image, dtype_name, boxes, box_ind, crop_size, method, extrapolation,
                    *, ftz=True, fma_lerp=False, fma_coord=False, lerp_order="pbp",
                    tininess="before"):
    """TensorFlow's float32 [num_boxes, crop_h, crop_w, depth] output for validated inputs.
    lerp_order: for each of the three lerp additions (top, bottom, result), 'p' evaluates
    product + base, 'b' base + product (the C source order).  It only matters for which NaN
    an addition of two NaNs returns (x86 returns its first operand)."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        ar = _Arith(ftz, tininess)
        boxes = np.asarray(boxes, F32).reshape(-1, 4) if np.size(boxes) else np.zeros((0, 4), F32)
        box_ind = np.asarray(box_ind, np.int32).ravel()
        nb = box_ind.shape[0] if np.size(boxes) else 0
        ch, cw = int(crop_size[0]), int(crop_size[1])
        batch, ih, iw, depth = np.asarray(image).shape
        imgf = image_as_float(image, dtype_name, method == "bilinear", ar)
        ext = np.asarray(extrapolation, F32).reshape(())
        out = np.empty((nb, ch, cw, depth), F32)
        for b in range(nb):
            out[b] = ext
            y1, x1, y2, x2 = boxes[b]
            bi = int(box_ind[b])
            if not (0 <= bi < batch):
                continue
            in_y, vy = axis_coords(y1, y2, ch, ih, ar, fma_coord)
            in_x, vx = axis_coords(x1, x2, cw, iw, ar, fma_coord)
            if not vy.any() or not vx.any() or depth == 0:
                continue
            img = imgf[bi]
            ys = np.nonzero(vy)[0]
            xs = np.nonzero(vx)[0]
            cy, cx = in_y[vy], in_x[vx]
            if method == "bilinear":
                top = np.floor(cy).astype(np.int64)
                bot = np.ceil(cy).astype(np.int64)
                left = np.floor(cx).astype(np.int64)
                right = np.ceil(cx).astype(np.int64)
                yl = ar.sub(cy, top.astype(F32))[:, None, None]
                xl = ar.sub(cx, left.astype(F32))[None, :, None]
                tl = img[top][:, left]
                tr = img[top][:, right]
                bl = img[bot][:, left]
                br = img[bot][:, right]
                if fma_lerp:
                    t = ar.fma(ar.sub(tr, tl), xl, tl)
                    bo = ar.fma(ar.sub(br, bl), xl, bl)
                    v = ar.fma(ar.sub(bo, t), yl, t)
                else:
                    def lerp(k, base, prod):
                        return ar.add(prod, base) if lerp_order[k] == "p" else ar.add(base, prod)
                    t = lerp(0, tl, ar.mul(ar.sub(tr, tl), xl))
                    bo = lerp(1, bl, ar.mul(ar.sub(br, bl), xl))
                    v = lerp(2, t, ar.mul(ar.sub(bo, t), yl))
            else:
                ny = _roundf(cy)
                nx = _roundf(cx)
                v = img[ny][:, nx]
            out[b][np.ix_(ys, xs)] = v
        return out


def crop_and_resize_grad_image(grads, boxes, box_ind, image_size, dtype_name, method,
                               *, ftz=True, fma_coord=False, f16_acc_float=False,
                               tininess="before", acc_swapped=False):
    """TensorFlow's [batch, H, W, depth] output in T for validated inputs."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return _grad_image(grads, boxes, box_ind, image_size, dtype_name, method, ftz,
                           fma_coord, f16_acc_float, tininess, acc_swapped)


def _grad_image(grads, boxes, box_ind, image_size, dtype_name, method, ftz, fma_coord,
                f16_acc_float, tininess, acc_swapped):
    ar = _Arith(ftz, tininess)
    T = {"float16": F16, "float32": F32, "float64": F64}[dtype_name]
    grads = np.asarray(grads, F32)
    nb, ch, cw, depth = grads.shape
    boxes = np.asarray(boxes, F32).reshape(-1, 4) if nb else np.zeros((0, 4), F32)
    box_ind = np.asarray(box_ind, np.int32).ravel()
    batch, ih, iw = (int(v) for v in image_size[:3])
    acc_t = F32 if (T == F16 and f16_acc_float) else T
    out = np.zeros((batch, ih, iw, depth), acc_t)
    g_all = ar.daz(grads)  # grads are operands of multiplies / adds / conversions (DAZ)

    # grads_image(...) += v.  Which operand comes first matters only for which NaN two NaNs
    # give (the first operand).  TF's machine code evaluates v + old for float and double, and
    # old + v for Eigen::half (its operator+= is a = half(float(a) + float(b))).
    # acc_swapped=True flips both (comparison variant).
    acc_old_first = (T == F16) != bool(acc_swapped)
    if acc_t == F32:
        def add(idx, v):  # v: float32 vector (already rounded/flushed)
            out[idx] = ar.add(out[idx], v) if acc_old_first else ar.add(v, out[idx])
    elif T == F64:
        def add(idx, v):
            old, new = out[idx], v.astype(F64)
            a, b = (old, new) if acc_old_first else (new, old)
            r = _nan_rule64(a + b, a, b)
            out[idx] = _flush64(r) if ftz else r
    else:
        def add(idx, v):  # Eigen::half +=: float(a) + float(b), rounded to half
            old, new = out[idx].astype(F32), _half(v).astype(F32)
            a, b = (old, new) if acc_old_first else (new, old)
            out[idx] = _half(ar.add(a, b))

    for b in range(nb):
        y1, x1, y2, x2 = boxes[b]
        bi = int(box_ind[b])
        if not (0 <= bi < batch):
            continue
        in_y, vy = axis_coords(y1, y2, ch, ih, ar, fma_coord)
        in_x, vx = axis_coords(x1, x2, cw, iw, ar, fma_coord)
        if depth == 0:
            continue
        for y in range(ch):
            if not vy[y]:
                continue
            cy = in_y[y]
            if method == "bilinear":
                top, bot = int(np.floor(cy)), int(np.ceil(cy))
                yl = ar.sub(cy, F32(top))
                one_m_yl = ar.sub(F32(1), yl)
            for x in range(cw):
                if not vx[x]:
                    continue
                cx = in_x[x]
                g = g_all[b, y, x]
                if method == "bilinear":
                    left, right = int(np.floor(cx)), int(np.ceil(cx))
                    xl = ar.sub(cx, F32(left))
                    one_m_xl = ar.sub(F32(1), xl)
                    dtop = ar.mul(one_m_yl, g)
                    add((bi, top, left), ar.mul(one_m_xl, dtop))
                    add((bi, top, right), ar.mul(xl, dtop))
                    dbot = ar.mul(yl, g)
                    add((bi, bot, left), ar.mul(one_m_xl, dbot))
                    add((bi, bot, right), ar.mul(xl, dbot))
                else:
                    ny, nx = int(_roundf(cy)), int(_roundf(cx))
                    add((bi, ny, nx), g)
    if acc_t != T:
        out = _half(out)
    return out


FORWARD_VARIANTS = {
    "default(ftz,no-fma)": dict(),
    "no-ftz": dict(ftz=False),
    "ftz-tininess-after-rounding": dict(tininess="after"),
    "lerp-adds-in-source-order(base+product)": dict(lerp_order="bbb"),
    "lerp-adds-all-product+base": dict(lerp_order="ppp"),
    "fma-lerp": dict(fma_lerp=True),
    "fma-coord": dict(fma_coord=True),
}

GRAD_IMAGE_VARIANTS = {
    "default(ftz,no-fma,f16-round-every-add)": dict(),
    "no-ftz": dict(ftz=False),
    "ftz-tininess-after-rounding": dict(tininess="after"),
    "fma-coord": dict(fma_coord=True),
    "f16-accumulate-in-float32": dict(f16_acc_float=True),
    "accumulate-operands-swapped": dict(acc_swapped=True),
}


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


def bits_equal(a, b):
    """Same shape, dtype and bit pattern (NaN payloads and signs of zero included)."""
    a = np.ascontiguousarray(a)
    b = np.ascontiguousarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(_bits(a), _bits(b))


def equal_up_to_nan_bits(a, b):
    """Bit-equal except that any NaN equals any NaN."""
    a = np.ascontiguousarray(a)
    b = np.ascontiguousarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    na, nb_ = np.isnan(a), np.isnan(b)
    return np.array_equal(na, nb_) and np.array_equal(_bits(a)[~na], _bits(b)[~nb_])
