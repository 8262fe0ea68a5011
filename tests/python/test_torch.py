"""PyTorch: tensors in and out, and crgb.torch.crop_and_resize's autograd.

Runs where PyTorch is installed (scripts/test_python.sh: Debian's
python3-torch under /usr/bin/python3, without ml_dtypes); skipped elsewhere."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crgb  # noqa: E402
import crgb.torch  # noqa: E402
import family  # noqa: E402
import problems  # noqa: E402

# torch 1.13 has no uint16.
TORCH_DTYPES = [d for d in problems.DTYPES if d != "uint16"]


def as_torch(args):
    return [torch.from_numpy(np.ascontiguousarray(a)) for a in args]


@pytest.mark.parametrize("dtype", TORCH_DTYPES)
def test_torch_in_torch_out(dtype):
    p = problems.random_problem(problems.rng(1), dtype, min_boxes=2)
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    got = crgb.crop_and_resize_grad_boxes(*as_torch(p.args()))
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32
    np.testing.assert_array_equal(got.numpy().view(np.uint32), want.view(np.uint32))


def test_non_contiguous_and_grad_requiring_tensors():
    r = problems.rng(2)
    p = problems.random_problem(r, "float32", min_boxes=3)
    # Channels-first storage is another layout only with depth and sides > 1.
    while p.image.shape[3] < 2 or min(p.image.shape[1:3]) < 2:
        p = problems.random_problem(r, "float32", min_boxes=3)
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    grads, image, boxes, box_ind = as_torch(p.args())
    # Same values, other layouts: channels-first storage viewed back as NHWC,
    # a column slice, a reversed copy reversed back.
    image_cl = image.permute(0, 3, 1, 2).contiguous().permute(0, 2, 3, 1)
    boxes_wide = torch.cat([boxes, boxes], dim=1)[:, :4]
    grads_req = grads.clone().requires_grad_()
    assert not image_cl.is_contiguous() and not boxes_wide.is_contiguous()
    got = crgb.crop_and_resize_grad_boxes(grads_req, image_cl, boxes_wide, box_ind.flip(0).flip(0))
    assert not got.requires_grad
    np.testing.assert_array_equal(got.numpy(), want)


def test_wrong_torch_dtypes():
    p = problems.random_problem(problems.rng(3), "float32", min_boxes=1)
    grads, image, boxes, box_ind = as_torch(p.args())
    with pytest.raises(crgb.InvalidArgumentError, match="^box_ind must be int32, got int64$"):
        crgb.crop_and_resize_grad_boxes(grads, image, boxes, box_ind.long())
    with pytest.raises(crgb.InvalidArgumentError, match="attr 'T' of bool is not in the list"):
        crgb.crop_and_resize_grad_boxes(grads, image > 0, boxes, box_ind)


# --------------------------------------------------------------------------------------
# crgb.crop_and_resize and crgb.crop_and_resize_grad_image on tensors

U = 2.0**-24  # float32's unit roundoff
TORCH_FLOATS = {"float16": torch.float16, "float32": torch.float32, "float64": torch.float64,
                "bfloat16": torch.bfloat16}


def torch_image(p, dtype):
    """p's image as a tensor of `dtype` (bfloat16: its float32 values rounded)."""
    if dtype == "bfloat16":
        return torch.from_numpy(p.image.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(np.ascontiguousarray(p.image))


@pytest.mark.parametrize("dtype", TORCH_DTYPES + ["bfloat16"])
def test_crop_and_resize_torch_in_torch_out(dtype):
    """A torch.Tensor image (bfloat16 included, through DLPack): a float32
    tensor with the NumPy call's bits (for bfloat16, those of its float32
    values); boxes and box_ind as tensors too."""
    p = problems.random_problem(problems.rng(20), "float32" if dtype == "bfloat16" else dtype,
                                min_boxes=2)
    image = torch_image(p, dtype)
    values = image.float().numpy() if dtype == "bfloat16" else p.image
    crop_size = p.grads.shape[1:3]
    for method in ("bilinear", "nearest"):
        want = crgb.crop_and_resize(values, p.boxes, p.box_ind, crop_size, method, 1.5)
        got = crgb.crop_and_resize(image, torch.from_numpy(p.boxes), torch.from_numpy(p.box_ind),
                                   torch.tensor(crop_size, dtype=torch.int32), method, 1.5)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float32
        assert problems.same_bits(got.numpy(), want)


@pytest.mark.parametrize("dtype", list(TORCH_FLOATS))
def test_grad_image_torch_in_torch_out(dtype):
    """Tensors in: a tensor of the output dtype out, bfloat16 as torch.bfloat16
    (with or without ml_dtypes). Its values: the NumPy call's bits for float16,
    float32 and float64; for bfloat16 within the bfloat16 bound of
    family.grad_image_tolerance of the float32 sums."""
    p = problems.random_problem(problems.rng(21), "float32", min_boxes=2)
    args = [torch.from_numpy(a) for a in (p.grads, p.boxes, p.box_ind)]
    for method in ("bilinear", "nearest"):
        got = crgb.crop_and_resize_grad_image(*args, torch.tensor(p.image.shape, dtype=torch.int32),
                                              TORCH_FLOATS[dtype], method)
        assert isinstance(got, torch.Tensor) and got.dtype == TORCH_FLOATS[dtype]
        assert tuple(got.shape) == p.image.shape
        if dtype != "bfloat16":
            want = crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape,
                                                   dtype, method)
            assert got.numpy().tobytes() == want.tobytes()
            continue
        exact, scale, terms = family.grad_image(p.grads, p.boxes, p.box_ind, p.image.shape,
                                                "float64", method)
        tol = family.grad_image_tolerance(scale, terms, "bfloat16", p.image.shape)
        assert np.all(np.abs(got.double().numpy() - exact) <= tol)


# --------------------------------------------------------------------------------------
# crgb.torch.crop_and_resize: the forward


@pytest.mark.parametrize("dtype", TORCH_DTYPES + ["bfloat16"])
def test_forward_is_crgbs_crop_and_resize(dtype):
    """The forward is crgb.crop_and_resize, bit for bit, for every image dtype,
    both methods; float64 boxes are read as float32 (TensorFlow's op takes
    float32), int64 box_ind as int32; the result is float32 either way."""
    r = problems.rng(22)
    p = problems.random_problem(r, "float32" if dtype == "bfloat16" else dtype, min_boxes=2)
    image = torch_image(p, dtype)
    crop = tuple(p.grads.shape[1:3])
    for method in ("bilinear", "nearest"):
        want = crgb.crop_and_resize(image, p.boxes, p.box_ind, crop, method, -3.0)
        got = crgb.torch.crop_and_resize(image, torch.from_numpy(p.boxes),
                                         torch.from_numpy(p.box_ind), crop, method, -3.0)
        assert got.dtype == torch.float32 and problems.same_bits(got.numpy(), want.numpy())
        got = crgb.torch.crop_and_resize(image, torch.from_numpy(p.boxes).double(),
                                         torch.from_numpy(p.box_ind).long(), torch.tensor(crop),
                                         method, -3.0)
        assert problems.same_bits(got.numpy(), want.numpy())


def test_forward_is_exact_on_a_linear_image():
    """Bilinear interpolation of an affine image is exact in exact arithmetic:
    every sample inside equals the affine function at TensorFlow's coordinate
    (here in float64); outside ones read extrapolation_value exactly.

    Tolerance: crgb samples at float32 coordinates (each within 3 ulps, 3u *
    (size - 1) with u = 2^-24, of the float64 ones: a few roundings of values
    below size - 1), which moves the affine value by |a| or |c| times that; the
    lerps' six float32 roundings of values at most 4 * max|image| add 24u *
    max|image|. A wrong coordinate, lerp or corner errs by a sizable part of a
    pixel step (|a|, |c|), far beyond."""
    r = problems.rng(4)
    batch, height, width, depth = 2, 7, 9, 3
    a, c, e = (r.standard_normal(depth) for _ in range(3))
    y, x = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    image = np.stack([a * y[..., None] + c * x[..., None] + e + 10 * k for k in range(batch)])
    image = image.astype(np.float32).astype(np.float64)  # float32 values, so exact in both
    boxes = problems.random_boxes(r, 12, height, width)
    box_ind = r.integers(0, batch, 12).astype(np.int32)
    atol = U * (3 * (max(height, width) - 1) * (np.abs(a) + np.abs(c)).max()
                + 24 * np.abs(image).max())
    for crop in [(1, 1), (4, 6), (1, 5), (3, 1)]:
        crops = crgb.torch.crop_and_resize(torch.from_numpy(image), torch.from_numpy(boxes),
                                           torch.from_numpy(box_ind), crop,
                                           extrapolation_value=-7.5).numpy()
        assert crops.shape == (12, *crop, depth) and crops.dtype == np.float32
        for i, (y1, x1, y2, x2) in enumerate(boxes.astype(np.float64)):
            in_y = problems.tf_coords(y1, y2, crop[0], height)
            in_x = problems.tf_coords(x1, x2, crop[1], width)
            inside = ((in_y >= 0) & (in_y <= height - 1))[:, None] & \
                     ((in_x >= 0) & (in_x <= width - 1))[None, :]
            value = a * in_y[:, None, None] + c * in_x[None, :, None] + e + 10 * box_ind[i]
            want = np.where(inside[..., None], value, -7.5)
            np.testing.assert_allclose(crops[i], want, rtol=0, atol=atol)
            assert np.all(crops[i][~inside] == np.float32(-7.5))


def test_forward_whole_image_at_its_own_size_is_the_image():
    p = problems.random_problem(problems.rng(5), "int16", min_boxes=1)
    _, height, width, _ = p.image.shape
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0]] * p.image.shape[0])
    box_ind = torch.arange(p.image.shape[0], dtype=torch.int32)
    crops = crgb.torch.crop_and_resize(torch.from_numpy(p.image), boxes, box_ind, (height, width))
    assert crops.dtype == torch.float32
    np.testing.assert_array_equal(crops.numpy(), p.image.astype(np.float32))


# --------------------------------------------------------------------------------------
# crgb.torch.crop_and_resize: the gradients


def reference_crop_and_resize(image, boxes, box_ind, crop_size, method="bilinear"):
    """TensorFlow's crop_and_resize in float64 PyTorch ops (extrapolation 0),
    for autograd to differentiate: the comparison for crgb's gradients."""
    img, b = image.double(), boxes.double()
    _, height, width, _ = img.shape

    def grid(lo, hi, crop, size):
        if crop > 1:
            steps = torch.arange(crop, dtype=torch.float64)
            coord = lo[:, None] * (size - 1) + steps[None, :] * ((hi - lo) * (size - 1)
                                                                   / (crop - 1))[:, None]
        else:
            coord = (0.5 * (lo + hi) * (size - 1))[:, None]
        inside = (coord >= 0) & (coord <= size - 1)
        return torch.where(inside, coord, torch.zeros_like(coord)), inside

    in_y, inside_y = grid(b[:, 0], b[:, 2], crop_size[0], height)
    in_x, inside_x = grid(b[:, 1], b[:, 3], crop_size[1], width)
    k = box_ind.long()[:, None, None]
    if method == "nearest":
        ny = torch.floor(in_y + 0.5).long()[:, :, None]
        nx = torch.floor(in_x + 0.5).long()[:, None, :]
        crops = img[k, ny, nx]
    else:
        top, left = torch.floor(in_y), torch.floor(in_x)
        y_lerp = (in_y - top)[:, :, None, None]
        x_lerp = (in_x - left)[:, None, :, None]
        ty, by = top.long()[:, :, None], torch.ceil(in_y).long()[:, :, None]
        lx, rx = left.long()[:, None, :], torch.ceil(in_x).long()[:, None, :]
        top_row = img[k, ty, lx] + (img[k, ty, rx] - img[k, ty, lx]) * x_lerp
        bottom_row = img[k, by, lx] + (img[k, by, rx] - img[k, by, lx]) * x_lerp
        crops = top_row + (bottom_row - top_row) * y_lerp
    inside = (inside_y[:, :, None] & inside_x[:, None, :])[..., None]
    return torch.where(inside, crops, torch.zeros_like(crops))


def gradient_problem(salt, crop=(3, 4), margin=0.02):
    r = problems.rng(salt)
    batch, height, width, depth = 2, 6, 8, 3
    image = torch.from_numpy((r.standard_normal((batch, height, width, depth)) * 4)
                             .astype(np.float32))
    boxes = torch.from_numpy(problems.boxes_off_the_grid(r, 3, height, width, crop, margin))
    box_ind = torch.from_numpy(r.integers(0, batch, 3).astype(np.int32))
    grads = torch.from_numpy(r.standard_normal((3, *crop, depth)).astype(np.float32))
    return image, boxes, box_ind, crop, grads


CROPS = [(3, 4), (1, 1), (1, 5), (4, 1)]


@pytest.mark.parametrize("crop", CROPS)
@pytest.mark.parametrize("image_dtype", [torch.float32, torch.float64])
def test_gradients_match_a_float64_reimplementation(crop, image_dtype):
    """Both gradients of crgb.torch.crop_and_resize against autograd through
    reference_crop_and_resize (float64), at boxes off the pixel grid.

    Tolerances, per element, u = 2^-24, L = max(height, width):
    - image: crgb's shares are float32 products (4 roundings each: 4u A, A the
      element's sum of |share|, which is the reference's gradient for |g| as
      the weights are non-negative) at float32 lerps (within 3u (L - 1) of the
      float64 ones, moving a share by at most that times 2|g|: 6u (L - 1) k
      max|g| for k shares); a float32 image sums in float32, (k + 1) u A more;
    - boxes: TensorFlow's float32 sum of k = crop area * depth terms of
      absolute sum S (problems.abs_sums), within (k + 16) u S (problems.py),
      at float32 coordinates, 3u (L - 1) S more.
    A wrong weight, lerp, corner or sign errs by a sizable part of A or S."""
    image, boxes, box_ind, crop, grads = gradient_problem(6, crop)
    image = image.to(image_dtype).requires_grad_()
    boxes = boxes.double().requires_grad_()
    crgb.torch.crop_and_resize(image, boxes, box_ind, crop).backward(grads)
    assert image.grad.dtype == image_dtype and boxes.grad.dtype == torch.float64

    leaf_image = image.detach().double().requires_grad_()
    leaf_boxes = boxes.detach().requires_grad_()
    want_image, want_boxes = torch.autograd.grad(
        reference_crop_and_resize(leaf_image, leaf_boxes, box_ind, crop),
        (leaf_image, leaf_boxes), grads.double())
    (abs_image,) = torch.autograd.grad(
        reference_crop_and_resize(leaf_image, leaf_boxes.detach(), box_ind, crop),
        leaf_image, grads.double().abs())
    _, _, terms = family.grad_image(grads.numpy(), boxes.detach().float().numpy(),
                                    box_ind.numpy(), image.shape)
    k = torch.from_numpy(terms)[..., None].double()
    L = max(image.shape[1], image.shape[2])
    tol = 4 * U * abs_image + 6 * U * (L - 1) * k * float(grads.abs().max())
    if image_dtype == torch.float32:
        tol += (k + 1) * U * abs_image
    assert bool((image.grad.double() - want_image).abs().le(tol + 1e-300).all())

    p = problems.Problem(grads.numpy(), image.detach().float().numpy(),
                         boxes.detach().float().numpy(), box_ind.numpy())
    n_terms = grads.shape[1] * grads.shape[2] * grads.shape[3]
    tol = (n_terms + 16 + 3 * (L - 1)) * U * torch.from_numpy(problems.abs_sums(p)) + 1e-30
    assert bool((boxes.grad - want_boxes).abs().le(tol).all()), (boxes.grad, want_boxes)


@pytest.mark.parametrize("crop", CROPS)
def test_image_gradient_gradcheck_in_float32(crop):
    """torch.autograd.gradcheck in float32: crgb's image gradient against
    central differences of crgb's float32 forward.

    The forward is linear in the image, so the differences err only by
    rounding: each crop element is within 6u S of exact (u = 2^-24, S <= 4
    max|image| the sum of its corners), and the perturbed pixel x +- eps is
    rounded by at most u |x|; over the step 2 eps that is (6 S + |x|) u / eps
    per Jacobian entry, here 25 u max|image| / eps. The Jacobian's entries are
    bilinear weights in [0, 1]: atol twice that bound (about 2e-3 at eps =
    1/32, max|image| about 16) passes every correct gradient and fails a wrong
    weight or corner by two orders of magnitude."""
    image, boxes, box_ind, crop, _ = gradient_problem(8, crop)
    image.requires_grad_()
    eps = 1 / 32
    atol = 2 * 25 * U * float(image.abs().max() + eps) / eps
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not a double precision")
        assert torch.autograd.gradcheck(
            lambda im: crgb.torch.crop_and_resize(im, boxes, box_ind, crop), (image,),
            eps=eps, atol=atol, rtol=0)


@pytest.mark.parametrize("crop", CROPS)
def test_boxes_gradient_gradcheck_in_float32(crop):
    """torch.autograd.gradcheck in float32: crgb's boxes gradient against
    central differences of crgb's float32 forward, at boxes whose samples stay
    0.02 pixels off the grid (a step of eps = 1e-3 moves them at most
    eps * (L - 1) = 7e-3 pixels, L = max(height, width) = 8), where the
    forward is linear in each box coordinate.

    The differences err by rounding: a crop element within 6u S (S <= 4 M,
    M = max|image|, u = 2^-24) plus its coordinate's rounding, 3u (L - 1)
    pixels, times the pixel difference (<= 2M); over the step 2 eps,
    (6 * 4M + 3 (L - 1) * 2M) u / eps per entry. The box coordinate's own
    rounding when perturbed (u) adds u times the derivative (<= 2M (L - 1)).
    atol is twice the sum (about 0.1, with entries up to 2M (L - 1), about 200:
    a wrong weight, lerp or sign errs by far more)."""
    image, boxes, box_ind, crop, _ = gradient_problem(9, crop)
    boxes.requires_grad_()
    eps = 1e-3
    M, L = float(image.abs().max()), max(image.shape[1], image.shape[2])
    atol = 2 * ((24 * M + 6 * (L - 1) * M) * U / eps + U * 2 * M * (L - 1))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not a double precision")
        assert torch.autograd.gradcheck(
            lambda b: crgb.torch.crop_and_resize(image, b, box_ind, crop), (boxes,),
            eps=eps, atol=atol, rtol=0)


def test_boxes_gradient_is_crgbs_grad_boxes():
    """For float32 boxes (TensorFlow's), the backward returns exactly
    crop_and_resize_grad_boxes of the incoming gradient, for any image dtype
    and either method (nearest gets the bilinear gradient, as TensorFlow's
    registered gradient of crop_and_resize does)."""
    r = problems.rng(7)
    for dtype in TORCH_DTYPES:
        p = problems.random_problem(r, dtype, min_boxes=2)
        image, box_ind = torch.from_numpy(p.image), torch.from_numpy(p.box_ind)
        want = crgb.crop_and_resize_grad_boxes(*p.args())
        for method in ("bilinear", "nearest"):
            boxes = torch.from_numpy(p.boxes).requires_grad_()
            crop = tuple(p.grads.shape[1:3])
            crops = crgb.torch.crop_and_resize(image, boxes, box_ind, crop, method)
            crops.backward(torch.from_numpy(p.grads))
            assert boxes.grad.dtype == torch.float32
            np.testing.assert_array_equal(boxes.grad.numpy().view(np.uint32),
                                          want.view(np.uint32))


@pytest.mark.parametrize("dtype", list(TORCH_FLOATS))
def test_image_gradient_is_crgbs_grad_image_and_deterministic(dtype):
    """The image gradient is crop_and_resize_grad_image of the incoming
    gradient in the image's dtype, bit for bit, for either method, and the
    same bits from one backward to the next (no atomics, one order of sums;
    crgb's threads on), with many boxes overlapping."""
    r = problems.rng(10)
    n, depth = 48, 5
    image = torch.from_numpy(r.standard_normal((2, 9, 11, depth)).astype(np.float32))
    image = image.to(TORCH_FLOATS[dtype])
    boxes = torch.from_numpy(r.uniform(-0.1, 1.1, (n, 4)).astype(np.float32))
    box_ind = torch.from_numpy(r.integers(0, 2, n).astype(np.int32))
    grads = torch.from_numpy(r.standard_normal((n, 6, 7, depth)).astype(np.float32))
    bits = {2: torch.int16, 4: torch.int32, 8: torch.int64}[image.element_size()]
    for method in ("bilinear", "nearest"):
        results = []
        for _ in range(3):
            leaf = image.clone().requires_grad_()
            crgb.torch.crop_and_resize(leaf, boxes, box_ind, (6, 7), method).backward(grads)
            assert leaf.grad.dtype == image.dtype
            results.append(leaf.grad.view(bits))
        want = crgb.crop_and_resize_grad_image(grads, boxes, box_ind, image.shape, image.dtype,
                                               method)
        assert want.dtype == image.dtype
        for got in results:
            assert torch.equal(got, results[0])
        assert torch.equal(results[0], want.view(results[0].dtype))


def test_integer_images_get_no_gradient_and_float16_and_bfloat16_their_own():
    r = problems.rng(11)
    p = problems.random_problem(r, "uint8", min_boxes=2)
    boxes = torch.from_numpy(p.boxes).requires_grad_()
    crops = crgb.torch.crop_and_resize(torch.from_numpy(p.image), boxes,
                                       torch.from_numpy(p.box_ind), p.grads.shape[1:3])
    (grad_boxes,) = torch.autograd.grad(crops, boxes, torch.from_numpy(p.grads))
    assert grad_boxes.shape == boxes.shape
    for dtype in (torch.float16, torch.bfloat16):
        image = torch.from_numpy(p.image.astype(np.float32)).to(dtype).requires_grad_()
        crops = crgb.torch.crop_and_resize(image, boxes, torch.from_numpy(p.box_ind),
                                           p.grads.shape[1:3])
        assert crops.dtype == torch.float32
        crops.backward(torch.from_numpy(p.grads))
        assert image.grad.dtype == dtype and image.grad.shape == image.shape


def test_both_gradients_at_once():
    image, boxes, box_ind, crop, grads = gradient_problem(12)
    image = image.double().requires_grad_()
    boxes = boxes.double().requires_grad_()
    crops = crgb.torch.crop_and_resize(image, boxes, box_ind, crop)
    crops.backward(grads)
    assert image.grad.shape == image.shape and image.grad.dtype == torch.float64
    assert boxes.grad.shape == boxes.shape and boxes.grad.dtype == torch.float64
    assert box_ind.grad is None


def test_no_double_backward():
    image, boxes, box_ind, crop, grads = gradient_problem(13)
    image.requires_grad_()
    crops = crgb.torch.crop_and_resize(image, boxes, box_ind, crop)
    (g,) = torch.autograd.grad(crops, image, grads.requires_grad_(), create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|twice"):
        g.sum().backward()


def test_crop_and_resize_errors():
    """crgb's exceptions with TensorFlow's messages (crgb's own for the method)."""
    image, boxes, box_ind, crop, _ = gradient_problem(14)
    with pytest.raises(crgb.InvalidArgumentError,
                       match="^method must be 'bilinear' or 'nearest'$"):
        crgb.torch.crop_and_resize(image, boxes, box_ind, crop, method="area")
    for bad in (box_ind + image.shape[0], box_ind.long() - 2**40, box_ind.long() + 2**33):
        # int64 values int32 cannot hold stay out of range (not wrapped into it).
        with pytest.raises(crgb.OutOfRangeError,
                           match=r"^box_index has values outside \[0, batch_size\)$"):
            crgb.torch.crop_and_resize(image, boxes, bad, crop)
    nan_boxes = boxes.clone()
    nan_boxes[0, 0] = float("nan")
    with pytest.raises(crgb.InvalidArgumentError,
                       match="^Boxes contains at least one element that is not finite$"):
        crgb.torch.crop_and_resize(image, nan_boxes, box_ind, crop)
    with pytest.raises(crgb.InvalidArgumentError,
                       match="^Boxes contains at least one element that is not finite$"):
        crgb.torch.crop_and_resize(image, (boxes.double() * 1e300).requires_grad_(), box_ind,
                                   crop)  # float64 boxes beyond float32: infinite
    with pytest.raises(crgb.InvalidArgumentError, match="^crop dimensions must be positive$"):
        crgb.torch.crop_and_resize(image, boxes, box_ind, (0, 2))
    with pytest.raises(crgb.InvalidArgumentError, match=r"^crop_size must have two elements\[3\]$"):
        crgb.torch.crop_and_resize(image, boxes, box_ind, (2, 2, 2))
    with pytest.raises(crgb.InvalidArgumentError, match=r"^input image must be 4-D\[6,8,3\]$"):
        crgb.torch.crop_and_resize(image[0], boxes, box_ind, crop)
    with pytest.raises(crgb.InvalidArgumentError, match="^boxes must be float32, got float16$"):
        crgb.torch.crop_and_resize(image, boxes.half(), box_ind, crop)
    with pytest.raises(crgb.InvalidArgumentError, match="^box_ind must be int32, got float32$"):
        crgb.torch.crop_and_resize(image, boxes, box_ind.float(), crop)
    with pytest.raises(crgb.UnimplementedError, match="does not implement crop_and_resize"):
        lacking = [v.name for v in crgb.variants(available_only=True)
                   if "crop_and_resize" not in v.ops]
        if not lacking:
            pytest.skip("every variant here implements crop_and_resize")
        crgb.torch.crop_and_resize(image, boxes, box_ind, crop, variant=lacking[0])
