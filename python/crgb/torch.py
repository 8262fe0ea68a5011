"""``crop_and_resize`` for PyTorch, with its boxes gradient computed by crgb.

``crop_and_resize(image, boxes, box_ind, crop_size)`` is TensorFlow's
``tf.image.crop_and_resize`` (bilinear) as a ``torch.autograd.Function``:

- forward: a plain PyTorch reference of TensorFlow's forward op, on the CPU
  (or wherever the tensors are; the backward needs the CPU), computed in
  float64 when ``boxes`` is float64 (for finite-difference checks) and in
  float32 otherwise, as TensorFlow does;
- backward, boxes: :func:`crgb.crop_and_resize_grad_boxes`, i.e. TensorFlow's
  ``CropAndResizeGradBoxes`` (float32, TensorFlow's conventions at the pixel
  grid: a sample exactly on a pixel row or column has zero spatial
  derivative). Returned in ``boxes.dtype``;
- backward, image: PyTorch's autograd through the reference forward (boxes
  held constant), the same sums TensorFlow's ``CropAndResizeGradImage`` makes;
  only for a floating-point image that requires grad. Not computed by crgb;
- ``box_ind``, ``crop_size``, ``method`` and ``extrapolation_value`` get no
  gradient.

Importing this module imports ``torch``; ``import crgb`` alone does not.
"""

from __future__ import annotations

from typing import Any, Sequence, Tuple

import torch

import crgb

from ._errors import InvalidArgumentError, OutOfRangeError

__all__ = ["crop_and_resize"]


def crop_and_resize(
    image: torch.Tensor,
    boxes: torch.Tensor,
    box_ind: torch.Tensor,
    crop_size: Sequence[int],
    method: str = "bilinear",
    extrapolation_value: float = 0.0,
) -> torch.Tensor:
    """Crops ``boxes`` out of ``image`` and resizes each to ``crop_size``.

    ``image`` ``[batch, height, width, depth]`` (NHWC, any real dtype),
    ``boxes`` ``[num_boxes, 4]`` float32 or float64 rows ``(y1, x1, y2, x2)``
    normalized to ``[0, 1]`` (outside allowed: those samples read
    ``extrapolation_value``; ``y1 > y2`` flips), ``box_ind`` ``[num_boxes]``
    integer indices into the batch, ``crop_size`` ``(crop_height, crop_width)``.
    Returns ``[num_boxes, crop_height, crop_width, depth]`` in float64 if
    ``boxes`` is float64, else float32. Differentiable in ``boxes`` (through
    crgb) and in a floating-point ``image`` (through PyTorch); see the module
    docstring. Raises crgb's exceptions with TensorFlow's messages for inputs
    TensorFlow's ``crop_and_resize`` rejects.
    """
    size = _check(image, boxes, box_ind, crop_size, method)
    return _CropAndResize.apply(image, boxes, box_ind, size, float(extrapolation_value))


class _CropAndResize(torch.autograd.Function):
    # The classic static forward(ctx, ...) form, which PyTorch 1.13 (Debian
    # 12's) and 2.x both accept.
    @staticmethod
    def forward(ctx: Any, image, boxes, box_ind, crop_size, extrapolation_value):  # type: ignore[override]
        ctx.save_for_backward(image, boxes, box_ind)
        ctx.crop_size = crop_size
        ctx.extrapolation_value = extrapolation_value
        return _reference(image, boxes, box_ind, crop_size, extrapolation_value)

    @staticmethod
    def backward(ctx: Any, grad_crops):  # type: ignore[override]
        image, boxes, box_ind = ctx.saved_tensors
        grad_image = grad_boxes = None
        if ctx.needs_input_grad[1]:
            # TensorFlow's gradient of crop_and_resize for the boxes, exactly:
            # float32 grads and boxes, the image in its own dtype.
            grad_boxes = crgb.crop_and_resize_grad_boxes(
                grad_crops.detach().to(torch.float32).contiguous(),
                image.detach().contiguous(),
                boxes.detach().to(torch.float32).contiguous(),
                box_ind.detach().to(torch.int32).contiguous(),
            ).to(device=boxes.device, dtype=boxes.dtype)
        if ctx.needs_input_grad[0]:
            with torch.enable_grad():
                leaf = image.detach().requires_grad_()
                crops = _reference(leaf, boxes.detach(), box_ind, ctx.crop_size,
                                   ctx.extrapolation_value)
                (grad_image,) = torch.autograd.grad(crops, leaf, grad_crops)
        return grad_image, grad_boxes, None, None, None


def _check(image, boxes, box_ind, crop_size, method) -> Tuple[int, int]:
    """TensorFlow's validation of crop_and_resize, with its messages."""
    if method != "bilinear":
        raise InvalidArgumentError("method must be 'bilinear'")  # crgb's only method
    if image.dim() != 4:
        raise InvalidArgumentError("input image must be 4-D" + _shape(image))
    if image.shape[1] <= 0 or image.shape[2] <= 0:
        raise InvalidArgumentError("image dimensions must be positive")
    size = tuple(int(s) for s in crop_size)
    if len(size) != 2:
        raise InvalidArgumentError("crop_size must have two elements" + _shape(crop_size))
    if size[0] <= 0 or size[1] <= 0:
        raise InvalidArgumentError("crop dimensions must be positive")
    if boxes.dim() != 2:
        raise InvalidArgumentError("boxes must be 2-D" + _shape(boxes))
    if boxes.shape[1] != 4:
        raise InvalidArgumentError("boxes must have 4 columns")
    if box_ind.dim() != 1:
        raise InvalidArgumentError("box_index must be 1-D" + _shape(box_ind))
    if box_ind.shape[0] != boxes.shape[0]:
        raise InvalidArgumentError("box_index has incompatible shape")
    if boxes.dtype not in (torch.float32, torch.float64):
        raise InvalidArgumentError(f"boxes must be float32 or float64, got {boxes.dtype}")
    if box_ind.numel() and bool(((box_ind < 0) | (box_ind >= image.shape[0])).any()):
        raise OutOfRangeError("box_index has values outside [0, batch_size)")
    if not bool(torch.isfinite(boxes).all()):
        raise InvalidArgumentError("Boxes contains at least one element that is not finite")
    return size


def _shape(t: Any) -> str:
    return "[" + ",".join(str(int(d)) for d in getattr(t, "shape", (len(t),))) + "]"


def _sample_grid(a, b, crop: int, size: int):
    """TensorFlow's sample coordinates along one axis, for box edges a, b
    ([num_boxes]): [num_boxes, crop] coordinates and whether each is inside."""
    if crop > 1:
        scale = (b - a) * (size - 1) / (crop - 1)
        steps = torch.arange(crop, dtype=a.dtype, device=a.device)
        coord = a[:, None] * (size - 1) + steps[None, :] * scale[:, None]
    else:  # one sample, at the box centre
        coord = (0.5 * (a + b) * (size - 1))[:, None]
    inside = (coord >= 0) & (coord <= size - 1)
    return torch.where(inside, coord, torch.zeros_like(coord)), inside


def _reference(image, boxes, box_ind, crop_size, extrapolation_value):
    """TensorFlow's bilinear crop_and_resize forward, in PyTorch ops."""
    dtype = torch.float64 if boxes.dtype == torch.float64 else torch.float32
    img = image.to(dtype)
    _, height, width, _ = img.shape
    b = boxes.to(dtype)
    in_y, inside_y = _sample_grid(b[:, 0], b[:, 2], crop_size[0], height)  # [n, ch]
    in_x, inside_x = _sample_grid(b[:, 1], b[:, 3], crop_size[1], width)  # [n, cw]
    top, left = torch.floor(in_y), torch.floor(in_x)
    y_lerp = (in_y - top)[:, :, None, None]
    x_lerp = (in_x - left)[:, None, :, None]
    ty, by = top.long()[:, :, None], torch.ceil(in_y).long()[:, :, None]
    lx, rx = left.long()[:, None, :], torch.ceil(in_x).long()[:, None, :]
    k = box_ind.long()[:, None, None]
    top_row = img[k, ty, lx] + (img[k, ty, rx] - img[k, ty, lx]) * x_lerp
    bottom_row = img[k, by, lx] + (img[k, by, rx] - img[k, by, lx]) * x_lerp
    crops = top_row + (bottom_row - top_row) * y_lerp  # [n, ch, cw, depth]
    inside = (inside_y[:, :, None] & inside_x[:, None, :])[..., None]
    return torch.where(inside, crops, torch.full_like(crops, extrapolation_value))
