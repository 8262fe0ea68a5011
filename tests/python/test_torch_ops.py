"""PyTorch 2.4 and later: crgb's three ops as torch.library custom ops
(crgb.torch), under opcheck, torch.compile (fullgraph) and
DistributedDataParallel; the gradients against float64 central finite
differences; the example converging; CUDA tensors where a GPU is present.

Runs where PyTorch 2.4 or later is installed (.venv-torch:
tests/python/requirements-torch.txt); skipped with a reason on older PyTorch
(Debian 12's 1.13, where crgb.torch is an autograd.Function that
test_torch.py covers) and where PyTorch is missing."""

import importlib.util
import os
import re
import socket
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
_found = re.match(r"(\d+)\.(\d+)", torch.__version__)
if (int(_found.group(1)), int(_found.group(2))) < (2, 4):
    pytest.skip(f"torch {torch.__version__} has no torch.library.custom_op (2.4 and later); "
                "test_torch.py tests its autograd.Function", allow_module_level=True)

import crgb  # noqa: E402
import crgb.torch  # noqa: E402
import family  # noqa: E402
import problems  # noqa: E402
from problems import same_bits  # noqa: E402

U = 2.0**-24  # float32's unit roundoff
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OPS = torch.ops.crgb


def case(salt, dtype="float32", batch=2, num_boxes=4, size=(7, 9), depth=3):
    """A random image of `dtype` with problems.random_boxes (inside, outside,
    flipped, degenerate, on the grid) and box indices."""
    r = problems.rng(salt)
    image = problems.random_image(r, (batch, *size, depth), dtype)
    boxes = problems.random_boxes(r, num_boxes, *size)
    box_ind = r.integers(0, batch, num_boxes).astype(np.int32)
    return torch.from_numpy(image), torch.from_numpy(boxes), torch.from_numpy(box_ind)


# --------------------------------------------------------------------------------------
# The operators


def test_ops_are_registered_with_tensorflows_raw_signatures():
    """Static arguments are in the schema (so torch.compile and export keep
    them as constants), tensors are the raw op's inputs, nothing is mutated."""
    schemas = {name: str(getattr(OPS, name).default._schema) for name in
               ("crop_and_resize", "crop_and_resize_grad_image", "crop_and_resize_grad_boxes")}
    assert schemas["crop_and_resize"] == (
        'crgb::crop_and_resize(Tensor image, Tensor boxes, Tensor box_ind, int[] crop_size, '
        'str method="bilinear", float extrapolation_value=0., str? variant=None) -> Tensor')
    assert schemas["crop_and_resize_grad_image"] == (
        'crgb::crop_and_resize_grad_image(Tensor grads, Tensor boxes, Tensor box_ind, '
        'int[] image_size, ScalarType dtype, str method="bilinear", str? variant=None) -> Tensor')
    assert schemas["crop_and_resize_grad_boxes"] == (
        'crgb::crop_and_resize_grad_boxes(Tensor grads, Tensor image, Tensor boxes, '
        'Tensor box_ind, str method="bilinear", str? variant=None) -> Tensor')


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
@pytest.mark.parametrize("dtype", ["uint8", "int64", "float16", "float32", "float64"])
def test_ops_are_tensorflows_ops(dtype, method):
    """Each operator with variant="reference" equals family.py's NumPy
    re-implementation of TensorFlow's kernel bit for bit (the forward) or in
    bytes (the image gradient, summed in TensorFlow's order), and the boxes
    gradient equals crgb's NumPy call (itself TensorFlow's,
    test_vs_tensorflow.py); crgb.torch.crop_and_resize is the forward op."""
    image, boxes, box_ind = case(1, dtype)
    crop = [4, 5]
    crops = OPS.crop_and_resize(image, boxes, box_ind, crop, method, 0.5, "reference")
    want, _ = family.crop_and_resize(image.numpy(), boxes.numpy(), box_ind.numpy(), crop,
                                     method, 0.5)
    assert crops.dtype == torch.float32 and same_bits(crops.numpy(), want)
    assert same_bits(crgb.torch.crop_and_resize(image, boxes, box_ind, crop, method, 0.5,
                                                "reference").numpy(), want)

    grads = torch.from_numpy(problems.rng(2).standard_normal(want.shape).astype(np.float32))
    for out in ("float32", "float64", "float16"):
        got = OPS.crop_and_resize_grad_image(grads, boxes, box_ind, list(image.shape),
                                             getattr(torch, out), method, "reference")
        exact, _, _ = family.grad_image(grads.numpy(), boxes.numpy(), box_ind.numpy(),
                                        image.shape, out, method)
        assert got.dtype == getattr(torch, out) and got.numpy().tobytes() == exact.tobytes()
    got = OPS.crop_and_resize_grad_boxes(grads, image, boxes, box_ind, "bilinear", "reference")
    assert same_bits(got.numpy(), crgb.crop_and_resize_grad_boxes(
        grads.numpy(), image.numpy(), boxes.numpy(), box_ind.numpy(), variant="reference"))


def opcheck_cases():
    """(op, args) for torch.library.opcheck: float32 and float64 images
    needing gradients in both arguments, nearest, an integer image (boxes
    gradient only), bfloat16, empty boxes; the gradient ops with and without
    boxes and for each output dtype (their inputs need no gradient: they are
    not differentiable)."""
    out = []
    for salt, dtype, method in [(3, "float32", "bilinear"), (4, "float64", "bilinear"),
                                (5, "float32", "nearest"), (6, "float64", "nearest"),
                                (7, "uint8", "bilinear")]:
        image, boxes, box_ind = case(salt, dtype)
        if image.dtype.is_floating_point:
            image.requires_grad_()
        out.append(pytest.param(
            OPS.crop_and_resize, (image, boxes.requires_grad_(), box_ind, [3, 4], method, -1.0,
                                  None), id=f"forward-{dtype}-{method}"))
    image, boxes, box_ind = case(8, "float32")
    out.append(pytest.param(OPS.crop_and_resize,
                            (image.to(torch.bfloat16).requires_grad_(), boxes.requires_grad_(),
                             box_ind, [2, 3], "bilinear", 0.0, None), id="forward-bfloat16"))
    empty_boxes, empty_ind = torch.zeros(0, 4), torch.zeros(0, dtype=torch.int32)
    out.append(pytest.param(OPS.crop_and_resize,
                            (image.clone().requires_grad_(), empty_boxes.clone().requires_grad_(),
                             empty_ind, [3, 4], "bilinear", 0.0, None), id="forward-empty"))
    r = problems.rng(9)
    for name, b, k in [("", boxes.detach(), box_ind), ("-empty", empty_boxes, empty_ind)]:
        grads = torch.from_numpy(r.standard_normal((len(b), 3, 4, 3)).astype(np.float32))
        for dtype, method in [(torch.float32, "bilinear"), (torch.float64, "nearest"),
                              (torch.float16, "bilinear")]:
            out.append(pytest.param(OPS.crop_and_resize_grad_image,
                                    (grads, b, k, list(image.shape), dtype, method, None),
                                    id=f"grad_image{name}-{str(dtype)[6:]}-{method}"))
        for dtype in ("float32", "int16"):
            im, _, _ = case(10, dtype)
            out.append(pytest.param(OPS.crop_and_resize_grad_boxes,
                                    (grads, im, b, k, "bilinear", None),
                                    id=f"grad_boxes{name}-{dtype}"))
    return out


@pytest.mark.parametrize("op,args", opcheck_cases())
def test_opcheck(op, args):
    """torch.library.opcheck's four checks: the schema (no mutation, no
    aliasing output), the autograd registration, the fake kernel's shapes,
    dtypes, strides and devices against the real outputs, and eager against
    AOTAutograd with dynamic shapes, gradients included (opcheck compares
    those with torch.testing's default float32 tolerances; crgb's ops are
    deterministic, so they agree exactly)."""
    torch.library.opcheck(op, args)


# --------------------------------------------------------------------------------------
# torch.compile


class CenterSizeBoxes(torch.nn.Module):
    """Learnable boxes as centers and half-sizes, cropped from the images it
    is given, every box from every image; loss: the crops weighted by `w`.

    Every operation around crgb's op rounds once (or not at all), so eager
    and compiled runs must agree bit for bit in the crops and in the
    gradients: the boxes are (c - h, c + h), whose gradients are g2 + g1 and
    g2 - g1; the crops' incoming gradient is w exactly (d(sum(w * crops))).
    Only the loss, a sum the compiler may reorder, can differ by rounding."""

    def __init__(self, centers, half_sizes, crop):
        super().__init__()
        self.centers = torch.nn.Parameter(centers)
        self.half_sizes = torch.nn.Parameter(half_sizes)
        self.crop = crop

    def forward(self, images, weights):
        (cy, cx), (hy, hx) = self.centers.unbind(1), self.half_sizes.unbind(1)
        boxes = torch.stack([cy - hy, cx - hx, cy + hy, cx + hx], dim=1)
        n = boxes.shape[0]
        all_boxes = boxes.repeat(images.shape[0], 1)
        box_ind = torch.arange(images.shape[0], dtype=torch.int32).repeat_interleave(n)
        crops = crgb.torch.crop_and_resize(images, all_boxes, box_ind, self.crop)
        return (crops * weights).sum(), crops


def compile_problem(salt, image_dtype=torch.float32):
    r = problems.rng(salt)
    images = torch.from_numpy(problems.random_image(r, (3, 10, 12, 4), "float32"))
    centers = torch.from_numpy(r.uniform(0.2, 0.8, (5, 2)).astype(np.float32))
    half_sizes = torch.from_numpy(r.uniform(0.05, 0.3, (5, 2)).astype(np.float32))
    weights = torch.from_numpy(r.standard_normal((15, 4, 6, 4)).astype(np.float32))
    return images.to(image_dtype), centers, half_sizes, weights


def run_model(model, images, weights):
    images = images.clone().requires_grad_()
    loss, crops = model(images, weights)
    loss.backward()
    grads = (model.centers.grad.clone(), model.half_sizes.grad.clone(), images.grad)
    model.zero_grad()
    return loss.detach(), crops.detach(), grads


@pytest.mark.parametrize("image_dtype", [torch.float32, torch.float64])
def test_compile_fullgraph_matches_eager(image_dtype):
    """torch.compile(fullgraph=True) with the default backend (Inductor,
    C++ code for the CPU): one graph, no break at crgb's call, forward and
    backward; crops and all three gradients bit-identical to eager (see
    CenterSizeBoxes), the loss within float32 summation error: two sums of
    the same k terms in any order are within 2 (k - 1) u of the sum of their
    absolute values (Higham 4.2)."""
    images, centers, half_sizes, weights = compile_problem(11, image_dtype)
    model = CenterSizeBoxes(centers, half_sizes, (4, 6))
    torch._dynamo.reset()
    compiled = torch.compile(model, fullgraph=True)
    want = run_model(model, images, weights)
    for _ in range(2):  # the second call reuses the compiled graphs
        got = run_model(compiled, images, weights)
        assert same_bits(got[1].numpy(), want[1].numpy())
        for g, w in zip(got[2], want[2]):
            assert g.dtype == w.dtype and torch.equal(g, w)
        k = weights.numel()
        bound = 2 * (k - 1) * U * float((weights * want[1]).abs().sum())
        assert abs(float(got[0]) - float(want[0])) <= bound

    # And those results are crgb's: the crops its NumPy call's, bit for bit;
    # the centers' gradient the sum over the 3 images and the 2 edges of each
    # center of its boxes gradient (float32 sums of 6 terms: within 5u of
    # their absolute sum, Higham 4.2).
    c, h = centers.numpy(), half_sizes.numpy()
    boxes = np.tile(np.stack([c[:, 0] - h[:, 0], c[:, 1] - h[:, 1],
                              c[:, 0] + h[:, 0], c[:, 1] + h[:, 1]], 1), (3, 1))
    box_ind = np.repeat(np.arange(3, dtype=np.int32), 5)
    assert same_bits(want[1].numpy(), crgb.crop_and_resize(images.numpy(), boxes, box_ind, (4, 6)))
    d = crgb.crop_and_resize_grad_boxes(weights.numpy(), images.numpy(), boxes, box_ind)
    d = d.astype(np.float64).reshape(3, 5, 4)
    terms = d[..., :2] + d[..., 2:]  # d/dc = d/d(c - h) + d/d(c + h)
    bound = 5 * U * (np.abs(d[..., :2]) + np.abs(d[..., 2:])).sum(0)
    assert np.all(np.abs(want[2][0].numpy() - terms.sum(0)) <= bound)


def test_compiled_graphs_call_crgbs_ops():
    """What the compiler gets: AOTAutograd's forward graph calls
    crgb::crop_and_resize once, its backward graph crgb's two gradient ops once
    each (the image gradient only when the image needs one), and the
    results equal eager bit for bit (aot_eager: the graphs run as traced)."""
    from functorch.compile import make_boxed_func
    from torch._dynamo.backends.common import aot_autograd

    graphs = []

    def record(gm, example_inputs):
        graphs.append([str(n.target) for n in gm.graph.nodes if n.op == "call_function"])
        return make_boxed_func(gm.forward)

    images, centers, half_sizes, weights = compile_problem(12)
    model = CenterSizeBoxes(centers, half_sizes, (4, 6))
    torch._dynamo.reset()
    compiled = torch.compile(model, fullgraph=True,
                             backend=aot_autograd(fw_compiler=record, bw_compiler=record))
    want = run_model(model, images, weights)
    got = run_model(compiled, images, weights)
    assert len(graphs) == 2, graphs
    forward, backward = graphs
    assert forward.count("crgb.crop_and_resize.default") == 1
    assert backward.count("crgb.crop_and_resize_grad_image.default") == 1
    assert backward.count("crgb.crop_and_resize_grad_boxes.default") == 1
    assert not any("crgb" in t for t in forward if t != "crgb.crop_and_resize.default")
    assert same_bits(got[1].numpy(), want[1].numpy())
    assert all(torch.equal(g, w) for g, w in zip(got[2], want[2]))

    graphs.clear()
    torch._dynamo.reset()
    compiled = torch.compile(model, fullgraph=True,
                             backend=aot_autograd(fw_compiler=record, bw_compiler=record))
    loss, _ = compiled(images, weights)  # an image that needs no gradient
    loss.backward()
    assert graphs[1].count("crgb.crop_and_resize_grad_image.default") == 0
    assert graphs[1].count("crgb.crop_and_resize_grad_boxes.default") == 1


def test_compile_errors_carry_the_c_apis_words():
    """Under torch.compile the fake kernel meets a malformed input first: it
    rejects what leaves the output's shape undefined with the C API's
    message (the eager one, crgb.InvalidArgumentError's), which the
    compiler's error carries; what the fake kernel cannot see (a box index
    out of range) is the real kernel's error at run time, crgb's class."""
    image, boxes, box_ind = case(13)

    def crops(im, b, k, crop=(3, 4)):
        return crgb.torch.crop_and_resize(im, b, k, crop)

    cases = [((image[0], boxes, box_ind), r"input image must be 4-D\[7,9,3\]"),
             ((image, boxes[0], box_ind), r"boxes must be 2-D, got: \[4\]"),
             ((image, boxes, box_ind, (2, 2, 2)), r"crop_size must have two elements\[3\]"),
             ((image, boxes, box_ind, (0, 2)), "crop dimensions must be positive")]
    for args, message in cases:
        with pytest.raises(crgb.InvalidArgumentError, match="^" + message + "$"):
            crops(*args)
        torch._dynamo.reset()
        with pytest.raises(Exception, match=message):
            torch.compile(crops, fullgraph=True, backend="aot_eager")(*args)
    torch._dynamo.reset()
    with pytest.raises(crgb.OutOfRangeError, match="^box_index has values outside"):
        torch.compile(crops, fullgraph=True, backend="aot_eager")(image, boxes, box_ind + 2)


# --------------------------------------------------------------------------------------
# Gradients against float64 central finite differences


def crops64(image, boxes, box_ind, crop):
    """The forward's float32 crops as float64 (exactly)."""
    return crgb.torch.crop_and_resize(image, boxes, box_ind, crop).double()


def test_image_gradient_matches_finite_differences():
    """The float64 image's gradient (CropAndResizeGradImage in float64) of
    L = sum(g * crops) against (L(x + e) - L(x - e)) / 2, pixel by pixel, at
    boxes of every kind (outside, flipped, on the grid: the forward is linear
    in the image for any boxes).

    The differences are exact but for crgb's rounding of the crops: pixels
    are multiples of 2^-8 below 16 in magnitude, so x +- 1 is exact in
    float32 (the step 1 is exact for a linear function); each difference of
    two float32 crops is exact in float64, as is its product with a float32
    g and the sum of the few of them. A crop element is within 6u S of the
    exact lerp at its float32 coordinates (family.crop_tolerance: six
    roundings of values at most S = |tl| + |tr| + |bl| + |br|; u = 2^-24),
    and the coordinates are the same in both runs, so the difference errs by
    12u S |g| / 2 per element that reads the pixel (same box image, same
    channel: the others are computed from the same values, bit-identical).
    crgb's gradient errs by 4u A (four roundings per float32 share) plus
    (k + 1) 2^-53 A for its float64 sum of k shares (A: the element's sum of
    |share|, family.grad_image's scale), and, should the automatic variant's
    gradient round a coordinate otherwise than its forward (by up to
    8u (L - 1) pixels, L = max(height, width)), each share's weight moves by
    that much per axis: 2 * 8u (L - 1) |g| per reading element. A wrong
    weight, corner or box index errs by a sizable part of A; a gradient 1%
    off fails."""
    r = problems.rng(20)
    batch, height, width, depth, crop = 2, 5, 6, 2, (3, 4)
    image = torch.from_numpy(np.round(r.uniform(-12, 12, (batch, height, width, depth)) * 256)
                             / 256)
    boxes = torch.from_numpy(problems.random_boxes(r, 8, height, width))
    box_ind = torch.from_numpy((np.arange(8) % batch).astype(np.int32))
    g = torch.from_numpy(r.standard_normal((8, *crop, depth)).astype(np.float32)).double()

    leaf = image.clone().requires_grad_()
    (crgb.torch.crop_and_resize(leaf, boxes, box_ind, crop).double() * g).sum().backward()
    assert leaf.grad.dtype == torch.float64
    _, share_sum, terms = family.grad_image(g.float().numpy(), boxes.numpy(), box_ind.numpy(),
                                            image.shape, "float64")
    L = max(height, width)
    checked = 0
    for b, y, x, c in np.ndindex(*image.shape):
        plus, minus = image.clone(), image.clone()
        plus[b, y, x, c] += 1
        minus[b, y, x, c] -= 1
        c_plus, c_minus = crops64(plus, boxes, box_ind, crop), crops64(minus, boxes, box_ind, crop)
        fd = float((g * (c_plus - c_minus)).sum()) / 2
        _, s_plus = family.crop_and_resize(plus.numpy(), boxes.numpy(), box_ind.numpy(), crop)
        _, s_minus = family.crop_and_resize(minus.numpy(), boxes.numpy(), box_ind.numpy(), crop)
        mask = np.zeros(s_plus.shape, bool)  # the elements that may read the pixel
        mask[box_ind.numpy() == b, :, :, c] = True
        s, abs_g = np.maximum(s_plus, s_minus)[mask], np.abs(g.numpy()[mask])
        fd_err = float(np.sum(12 * U * s * abs_g)) / 2
        a = share_sum[b, y, x, c]
        grad_err = (4 * U * a + (terms[b, y, x] + 1) * 2.0**-53 * a
                    + 2 * 8 * U * (L - 1) * float(abs_g.sum()))
        got = float(leaf.grad[b, y, x, c])
        assert abs(got - fd) <= fd_err + grad_err, (b, y, x, c, got, fd, fd_err + grad_err)
        checked += got != 0
    # The boxes cover a good part of both images (over 3000 seeds: at least
    # 38 of the 120 pixels, 90 at the median).
    assert checked >= image.numel() // 5


def off_grid_boxes(r, n, height, width, crop, margin):
    """Float32 boxes, multiples of 2^-20 in (0, 1), none of whose samples is
    within `margin` pixels of a pixel row or column (family.axis_coords:
    TensorFlow's float32 coordinates): there the forward is linear in each
    box coordinate, TensorFlow's derivative is the ordinary one, and central
    differences with a step moving samples less than the margin are exact
    but for rounding."""
    while True:
        boxes = (np.round(r.uniform(0.05, 0.95, (n, 4)) * 2**20) / 2**20).astype(np.float32)
        ok = True
        for y1, x1, y2, x2 in boxes:
            for coords in (family.axis_coords(y1, y2, crop[0], height),
                           family.axis_coords(x1, x2, crop[1], width)):
                frac = coords.astype(np.float64) % 1
                ok &= bool(np.all((frac > margin) & (frac < 1 - margin)))
        if ok:
            return boxes


@pytest.mark.parametrize("crop", [(3, 4), (1, 1), (1, 5), (4, 1)])
def test_boxes_gradient_matches_finite_differences(crop):
    """The boxes gradient (CropAndResizeGradBoxes, float32) of L = sum(g *
    crops) against float64 central differences (L(b + e) - L(b - e)) / 2e,
    coordinate by coordinate, e = 2^-6, at boxes off the grid by 0.12 pixels
    (e moves a sample at most e (L - 1) = 0.11 pixels, L = max(height,
    width) = 8): there L is linear in each coordinate and the differences err
    only by rounding. b +- e is exact in float32 (multiples of 2^-20 below 1);
    differences of float32 crops, their products with float32 g and sums of
    the few of one box are exact in float64, so the error is crgb's:

    - each crop element: 6u S of rounding (S = |tl| + |tr| + |bl| + |br|,
      u = 2^-24) plus its float32 coordinate's error, at most 8u (L - 1)
      pixels (six roundings of values below L - 1), times its slope, at most
      S per pixel; twice (both runs), over 2e: per box coordinate
      (6 + 8 (L - 1)) u / e * sum(|g| S) over the box's elements;
    - crgb's gradient: TensorFlow's float32 sum of k = crop area * depth
      terms, within (k + 16) u of their absolute sum (problems.abs_sums), and
      its coordinates' error, 8u (L - 1) pixels, moving each term by at most
      that times its weight and |g| S: 8u (L - 1) * sum(|g| S w) with w <= L - 1
      the coordinate's weight per sample.

    The bound is below 1e-3 of the terms' absolute sum (asserted below 1e-2;
    a median 1e-3 of the gradient itself) and, measured, over 100 times the
    actual differences; a wrong weight, lerp, sign or corner errs by a
    sizable part of the absolute sum, and a gradient 1% off fails."""
    r = problems.rng(21 + crop[0] * 10 + crop[1])
    batch, height, width, depth = 2, 6, 8, 3
    L = max(height, width)
    image = torch.from_numpy((r.standard_normal((batch, height, width, depth)) * 4)
                             .astype(np.float32))
    boxes = off_grid_boxes(r, 3, height, width, crop, 0.12)
    box_ind = torch.from_numpy(r.integers(0, batch, 3).astype(np.int32))
    g32 = r.standard_normal((3, *crop, depth)).astype(np.float32)
    g = torch.from_numpy(g32).double()

    leaf = torch.from_numpy(boxes).requires_grad_()
    (crgb.torch.crop_and_resize(image, leaf, box_ind, crop).double() * g).sum().backward()
    assert leaf.grad.dtype == torch.float32

    p = problems.Problem(g32, image.numpy(), boxes, box_ind.numpy())
    k = crop[0] * crop[1] * depth
    grad_err = (k + 16) * U * problems.abs_sums(p)
    _, s = family.crop_and_resize(image.numpy(), boxes, box_ind.numpy(), crop)
    gs = np.abs(g32.astype(np.float64)) * s  # |g| S per element
    eps = 2.0**-6
    for i, j in np.ndindex(3, 4):
        side = height if j % 2 == 0 else width
        grad_err[i, j] += 8 * U * (L - 1) * (side - 1) * gs[i].sum()
        diffs = []
        for sign in (1, -1):
            b = boxes.copy()
            b[i, j] += sign * eps
            assert float(b[i, j]) == float(boxes[i, j]) + sign * eps  # exact in float32
            diffs.append(crops64(image, torch.from_numpy(b), box_ind, crop))
        fd = float((g * (diffs[0] - diffs[1])).sum()) / (2 * eps)
        fd_err = (6 + 8 * (L - 1)) * U / eps * gs[i].sum()
        got = float(leaf.grad[i, j])
        assert abs(got - fd) <= fd_err + grad_err[i, j], (i, j, got, fd)
        # A test that can fail: the bound is far below what a wrong term
        # changes (a sizable part of the terms' absolute sum).
        assert fd_err + grad_err[i, j] < 0.01 * problems.abs_sums(p)[i, j]


# --------------------------------------------------------------------------------------
# DistributedDataParallel


class LearnableBoxes(torch.nn.Module):
    """Boxes (float64 parameters) cropped from every image of the batch; the
    loss: the crops weighted by `weights`, averaged over the batch."""

    def __init__(self, boxes, crop):
        super().__init__()
        self.boxes = torch.nn.Parameter(boxes)
        self.crop = crop

    def forward(self, images, weights):
        n, batch = self.boxes.shape[0], images.shape[0]
        box_ind = torch.arange(batch, dtype=torch.int32).repeat_interleave(n)
        crops = crgb.torch.crop_and_resize(images, self.boxes.repeat(batch, 1), box_ind,
                                           self.crop)
        return (crops * weights).sum() / batch


DDP_CROP = (5, 6)


def ddp_data(salt, batch=4, n=3):
    r = problems.rng(salt)
    images = torch.from_numpy(problems.random_image(r, (batch, 11, 13, 3), "float32"))
    boxes = torch.from_numpy(r.uniform(0.05, 0.95, (n, 4)).astype(np.float32)).double()
    weights = torch.from_numpy(r.standard_normal((batch * n, *DDP_CROP, 3)).astype(np.float32))
    return images, boxes, weights


def _ddp_worker(rank, world, port, data_path, out_dir):
    """One DistributedDataParallel process (torch.multiprocessing.spawn's
    target; it imports this module): its half of the batch, one backward,
    the averaged gradient saved."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    torch.distributed.init_process_group("gloo", rank=rank, world_size=world)
    try:
        images, boxes, weights = torch.load(data_path)
        model = torch.nn.parallel.DistributedDataParallel(LearnableBoxes(boxes, DDP_CROP))
        per = images.shape[0] // world
        n = boxes.shape[0]
        loss = model(images[rank * per:(rank + 1) * per],
                     weights[rank * per * n:(rank + 1) * per * n])
        loss.backward()
        torch.save(model.module.boxes.grad, os.path.join(out_dir, f"grad{rank}.pt"))
    finally:
        torch.distributed.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_averages_to_the_full_batch_gradient(tmp_path):
    """DDP over two gloo processes, two images each: the averaged boxes
    gradient equals the single-process gradient of the full batch of four,
    and both equal the sum over images of crgb's CropAndResizeGradBoxes of
    each image alone, divided by 4, bit for bit.

    Why exactly: each box's gradient from each image is a float32 result of
    its own crop alone (the same whichever call computes it, with whichever
    other boxes; scaling the incoming gradient by 1/2 or 1/4 scales every
    float32 intermediate exactly), and these are added in float64 (repeat's
    backward, then DDP's all-reduce of gradients pre-divided by the world
    size). A float64 sum of float32 values is exact in any order when every
    partial sum is representable, which this test checks for each subset of
    the four (nonzero values within a factor 2^27 of each other always
    are); otherwise it compares within 3 float64 roundings of the sum of
    absolute values."""
    images, boxes, weights = ddp_data(30)
    data_path = tmp_path / "data.pt"
    torch.save((images, boxes, weights), data_path)
    torch.multiprocessing.spawn(_ddp_worker, args=(2, free_port(), str(data_path), str(tmp_path)),
                                nprocs=2, join=True)
    grads = [torch.load(tmp_path / f"grad{r}.pt") for r in range(2)]
    assert grads[0].dtype == torch.float64 and torch.equal(grads[0], grads[1])

    model = LearnableBoxes(boxes, DDP_CROP)
    model(images, weights).backward()
    single = model.boxes.grad

    n = boxes.shape[0]
    per_image = [crgb.crop_and_resize_grad_boxes(
        weights[i * n:(i + 1) * n].numpy(), images[i:i + 1].numpy(), boxes.float().numpy(),
        np.zeros(n, np.int32)).astype(np.float64) for i in range(images.shape[0])]
    exact = np.empty((n, 4))
    representable = True
    for at in np.ndindex(n, 4):
        values = [Fraction(float(v[at])) for v in per_image]
        for size in range(2, len(values) + 1):
            for subset in combinations(values, size):
                representable &= Fraction(float(sum(subset))) == sum(subset)
        exact[at] = float(sum(values) / 4)
    exact = torch.from_numpy(exact)
    if representable:
        assert torch.equal(single, exact) and torch.equal(grads[0], exact)
    else:  # far-apart values: a few roundings of float64
        bound = 3 * 2.0**-53 * torch.from_numpy(sum(np.abs(v) for v in per_image) / 4)
        assert bool(((single - exact).abs() <= bound).all())
        assert bool(((grads[0] - exact).abs() <= bound).all())
    assert float(exact.abs().min()) > 0  # every coordinate has a gradient to compare


# --------------------------------------------------------------------------------------
# The example


def test_fit_boxes_example_converges(capsys):
    """examples/python/fit_boxes_torch.py recovers the true boxes from
    perturbed ones in its bounded number of steps, printing its progress."""
    path = os.path.join(ROOT, "examples", "python", "fit_boxes_torch.py")
    spec = importlib.util.spec_from_file_location("fit_boxes_torch", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    start_error, final_error, final_loss = example.main()
    printed = capsys.readouterr().out
    assert "step" in printed and "converged" in printed
    assert start_error > 0.03  # it started away from the truth
    assert final_error < 1e-3 and final_loss < 1e-6


# --------------------------------------------------------------------------------------
# CUDA tensors (a GPU only; never run yet)


def cuda_variant_available():
    return any(v.name.startswith("cuda") for v in crgb.variants(available_only=True))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU for PyTorch")
def test_cuda_tensors_stay_on_their_device():
    """CUDA inputs run on crgb's CUDA variant and come back on the input's
    device, in order with PyTorch's current stream (here a side stream that
    writes the image just before): crops within family.crop_tolerance of the
    CPU reference, gradients on the device within the CPU bounds
    (problems.tolerance for the boxes, family.grad_image_tolerance for the
    image); opcheck on CUDA too."""
    if not cuda_variant_available():
        pytest.skip("crgb has no available CUDA variant here")
    image, boxes, box_ind = case(40, "float32")
    crop = [4, 5]
    want, scale = family.crop_and_resize(image.numpy(), boxes.numpy(), box_ind.numpy(), crop)
    side = torch.cuda.Stream()
    with torch.cuda.stream(side):
        image_cuda = torch.zeros(image.shape, device="cuda")
        image_cuda.copy_(image, non_blocking=False)
        image_cuda = (image_cuda * 2) / 2  # queued on the side stream, exact
        boxes_cuda = boxes.cuda().requires_grad_()
        leaf = image_cuda.clone().requires_grad_()
        crops = crgb.torch.crop_and_resize(leaf, boxes_cuda, box_ind.cuda(), crop)
        assert crops.device == image_cuda.device
        tol = family.crop_tolerance(scale, image.shape)
        assert np.all(np.abs(crops.detach().cpu().numpy() - want) <= tol)
        grads = torch.from_numpy(problems.rng(41).standard_normal(want.shape)
                                 .astype(np.float32))
        crops.backward(grads.cuda())
    torch.cuda.synchronize()
    assert leaf.grad.device == image_cuda.device and boxes_cuda.grad.device == image_cuda.device
    exact, share_sum, terms = family.grad_image(grads.numpy(), boxes.numpy(), box_ind.numpy(),
                                                image.shape, "float64")
    tol = family.grad_image_tolerance(share_sum, terms, "float32", image.shape)
    assert np.all(np.abs(leaf.grad.cpu().double().numpy() - exact) <= tol)
    p = problems.Problem(grads.numpy(), image.numpy(), boxes.numpy(), box_ind.numpy())
    want_boxes = crgb.crop_and_resize_grad_boxes(*p.args(), variant="reference")
    assert np.all(np.abs(boxes_cuda.grad.cpu().numpy() - want_boxes) <= problems.tolerance(p))
    torch.library.opcheck(OPS.crop_and_resize,
                          (image.cuda().requires_grad_(), boxes.cuda().requires_grad_(),
                           box_ind.cuda(), crop, "bilinear", 0.0, None))
