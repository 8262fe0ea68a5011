"""PyTorch: tensors in and out, and crgb.torch.crop_and_resize's autograd.

Runs where PyTorch is installed (scripts/test_python.sh: Debian's
python3-torch under /usr/bin/python3); skipped elsewhere."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crgb  # noqa: E402
import crgb.torch  # noqa: E402
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
# crop_and_resize: the forward


def tf_coords(a, b, crop, size):
    """TensorFlow's sample coordinates along one axis (float64), from its formula."""
    if crop > 1:
        return a * (size - 1) + np.arange(crop) * ((b - a) * (size - 1) / (crop - 1))
    return np.array([0.5 * (a + b) * (size - 1)])


def test_forward_is_exact_on_a_linear_image():
    """Bilinear interpolation of an affine image is exact: every sample inside
    equals the affine function at TensorFlow's coordinate; outside ones read
    extrapolation_value."""
    r = problems.rng(4)
    batch, height, width, depth = 2, 7, 9, 3
    a, c, e = (r.standard_normal(depth) for _ in range(3))
    y, x = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    image = np.stack([a * y[..., None] + c * x[..., None] + e + 10 * k for k in range(batch)])
    boxes = problems.random_boxes(r, 12, height, width).astype(np.float64)
    box_ind = r.integers(0, batch, 12).astype(np.int32)
    for crop in [(1, 1), (4, 6), (1, 5), (3, 1)]:
        crops = crgb.torch.crop_and_resize(torch.from_numpy(image), torch.from_numpy(boxes),
                                           torch.from_numpy(box_ind), crop,
                                           extrapolation_value=-7.5).numpy()
        assert crops.shape == (12, *crop, depth) and crops.dtype == np.float64
        for i, (y1, x1, y2, x2) in enumerate(boxes):
            in_y, in_x = tf_coords(y1, y2, crop[0], height), tf_coords(x1, x2, crop[1], width)
            inside = ((in_y >= 0) & (in_y <= height - 1))[:, None] & \
                     ((in_x >= 0) & (in_x <= width - 1))[None, :]
            value = a * in_y[:, None, None] + c * in_x[None, :, None] + e + 10 * box_ind[i]
            want = np.where(inside[..., None], value, -7.5)
            np.testing.assert_allclose(crops[i], want, rtol=0, atol=1e-9)


def test_forward_whole_image_at_its_own_size_is_the_image():
    p = problems.random_problem(problems.rng(5), "int16", min_boxes=1)
    _, height, width, _ = p.image.shape
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0]] * p.image.shape[0])
    box_ind = torch.arange(p.image.shape[0], dtype=torch.int32)
    crops = crgb.torch.crop_and_resize(torch.from_numpy(p.image), boxes, box_ind, (height, width))
    assert crops.dtype == torch.float32
    np.testing.assert_array_equal(crops.numpy(), p.image.astype(np.float32))


# --------------------------------------------------------------------------------------
# crop_and_resize: the gradients


def boxes_off_the_grid(r, n, height, width, crop, margin=1e-3):
    """Random float64 boxes (float32-representable, as crgb's backward reads
    them in float32) none of whose samples is within `margin` pixels of a pixel
    row or column or of the image border: there the forward is linear in each
    box coordinate, so central differences are exact."""
    while True:
        boxes = r.uniform(0.02, 0.98, (n, 4)).astype(np.float32).astype(np.float64)
        ok = True
        for y1, x1, y2, x2 in boxes:
            for coords in (tf_coords(y1, y2, crop[0], height), tf_coords(x1, x2, crop[1], width)):
                frac = coords - np.floor(coords)
                ok &= bool(np.all((frac > margin) & (frac < 1 - margin)))
        if ok:
            return torch.from_numpy(boxes)


def gradient_problem(salt, crop=(3, 4)):
    r = problems.rng(salt)
    batch, height, width, depth = 2, 6, 8, 3
    image = torch.from_numpy((r.standard_normal((batch, height, width, depth)) * 4)
                             .astype(np.float32).astype(np.float64))
    boxes = boxes_off_the_grid(r, 3, height, width, crop)
    box_ind = torch.from_numpy(r.integers(0, batch, 3).astype(np.int32))
    return image, boxes, box_ind, crop


@pytest.mark.parametrize("crop", [(3, 4), (1, 1), (1, 5), (4, 1)])
def test_boxes_gradient_matches_finite_differences(crop):
    """torch.autograd.gradcheck: crgb's boxes gradient (float32) against central
    differences of the float64 forward.

    Tolerance: with one-hot output gradients (how gradcheck builds the
    Jacobian) each entry is one sample's term, at most 2 * max|image| *
    max(H - 1, W - 1) in size. crgb evaluates it in float32 (a few roundings,
    ~1e-6 of that) from boxes it reads as float32 (the boxes here are
    float32-exact); central differences are exact up to float64 rounding
    (~1e-16 / eps of the crops) since no sample crosses the pixel grid. So
    atol = 1e-5 * max|image| * max(H - 1, W - 1) passes every correct gradient,
    while a wrong weight, lerp or index errs by the size of an entry itself."""
    image, boxes, box_ind, crop = gradient_problem(6, crop)
    boxes.requires_grad_()
    scale = float(image.abs().max()) * (max(image.shape[1], image.shape[2]) - 1)
    assert torch.autograd.gradcheck(
        lambda b: crgb.torch.crop_and_resize(image, b, box_ind, crop), (boxes,),
        eps=1e-6, atol=1e-5 * scale, rtol=0)


def test_boxes_gradient_is_crgbs_grad_boxes():
    """For a float32 problem (TensorFlow's), the backward returns exactly
    crop_and_resize_grad_boxes of the incoming gradient, for any image dtype."""
    r = problems.rng(7)
    for dtype in TORCH_DTYPES:
        p = problems.random_problem(r, dtype, min_boxes=2)
        image, box_ind = torch.from_numpy(p.image), torch.from_numpy(p.box_ind)
        boxes = torch.from_numpy(p.boxes).requires_grad_()
        crop = tuple(p.grads.shape[1:3])
        crops = crgb.torch.crop_and_resize(image, boxes, box_ind, crop)
        crops.backward(torch.from_numpy(p.grads))
        want = crgb.crop_and_resize_grad_boxes(*p.args())
        assert boxes.grad.dtype == torch.float32
        np.testing.assert_array_equal(boxes.grad.numpy().view(np.uint32), want.view(np.uint32))


def test_image_gradient_matches_finite_differences():
    image, boxes, box_ind, crop = gradient_problem(8)
    image.requires_grad_()
    assert torch.autograd.gradcheck(
        lambda im: crgb.torch.crop_and_resize(im, boxes, box_ind, crop), (image,),
        eps=1e-6, atol=1e-7, rtol=1e-6)


def test_both_gradients_at_once():
    image, boxes, box_ind, crop = gradient_problem(9)
    image.requires_grad_()
    boxes.requires_grad_()
    crops = crgb.torch.crop_and_resize(image, boxes, box_ind, crop)
    g = torch.randn(crops.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    crops.backward(g)
    assert image.grad.shape == image.shape and boxes.grad.shape == boxes.shape
    assert boxes.grad.dtype == torch.float64 and box_ind.grad is None


def test_crop_and_resize_errors():
    image, boxes, box_ind, crop = gradient_problem(10)
    with pytest.raises(crgb.InvalidArgumentError, match="^method must be 'bilinear'$"):
        crgb.torch.crop_and_resize(image, boxes, box_ind, crop, method="nearest")
    with pytest.raises(crgb.OutOfRangeError, match=r"^box_index has values outside \[0, batch_size\)$"):
        crgb.torch.crop_and_resize(image, boxes, box_ind + image.shape[0], crop)
    nan_boxes = boxes.clone()
    nan_boxes[0, 0] = float("nan")
    with pytest.raises(crgb.InvalidArgumentError, match="not finite"):
        crgb.torch.crop_and_resize(image, nan_boxes, box_ind, crop)
    with pytest.raises(crgb.InvalidArgumentError, match="^crop dimensions must be positive$"):
        crgb.torch.crop_and_resize(image, boxes, box_ind, (0, 2))
    with pytest.raises(crgb.InvalidArgumentError, match=r"^input image must be 4-D\[6,8,3\]$"):
        crgb.torch.crop_and_resize(image[0], boxes, box_ind, crop)
