"""``crop_and_resize`` for PyTorch: TensorFlow's op and both its gradients, by crgb.

``crop_and_resize(image, boxes, box_ind, crop_size)`` is TensorFlow's
``tf.image.crop_and_resize`` as a ``torch.autograd.Function``, with every
number computed by crgb's C library:

- forward: :func:`crgb.crop_and_resize` (``tf.raw_ops.CropAndResize``):
  float32 crops, bilinear or nearest;
- backward, image: :func:`crgb.crop_and_resize_grad_image`
  (``CropAndResizeGradImage``) in the image's dtype (float16, float32, float64
  or bfloat16; an integer image gets no gradient, as in TensorFlow),
  deterministic: bit-identical from run to run;
- backward, boxes: :func:`crgb.crop_and_resize_grad_boxes`
  (``CropAndResizeGradBoxes``, float32; TensorFlow's conventions at the pixel
  grid: a sample exactly on a pixel row or column has zero spatial
  derivative), in ``boxes.dtype``. As TensorFlow's registered gradient does,
  ``method="nearest"`` gets the bilinear boxes gradient (the nearest crops'
  own is zero almost everywhere);
- ``box_ind``, ``crop_size``, ``method`` and ``extrapolation_value`` get no
  gradient; the backward is not itself differentiable (no double backward).

Tensors must be in CPU memory: crgb's forward and image gradient have no CUDA
path yet (crgb.UnimplementedError). Importing this module imports ``torch``;
``import crgb`` alone does not.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import torch
from torch.autograd.function import once_differentiable

import crgb

__all__ = ["crop_and_resize"]

_INT32_MAX = 2**31 - 1


def crop_and_resize(
    image: torch.Tensor,
    boxes: torch.Tensor,
    box_ind: torch.Tensor,
    crop_size: Sequence[int],
    method: str = "bilinear",
    extrapolation_value: float = 0.0,
    variant: Optional[str] = None,
) -> torch.Tensor:
    """Crops ``boxes`` out of ``image`` and resizes each to ``crop_size``.

    ``image`` ``[batch, height, width, depth]`` (NHWC, any dtype crgb takes:
    integers, float16, float32, float64, bfloat16), ``boxes`` ``[num_boxes, 4]``
    float32 or float64 (read as float32, as TensorFlow's op takes them) rows
    ``(y1, x1, y2, x2)`` normalized to ``[0, 1]`` (outside allowed: those
    samples read ``extrapolation_value``; ``y1 > y2`` flips), ``box_ind``
    ``[num_boxes]`` integer indices into the batch (int32, or another integer
    dtype, converted), ``crop_size`` ``(crop_height, crop_width)``, ``method``
    ``"bilinear"`` or ``"nearest"``, ``variant`` crgb's variant for all three
    ops (None: automatic).

    Returns ``[num_boxes, crop_height, crop_width, depth]`` float32 (TensorFlow's
    output), differentiable in ``boxes`` and in a floating-point ``image``
    (see the module docstring). Raises crgb's exceptions with TensorFlow's
    messages for inputs TensorFlow's ``crop_and_resize`` rejects.
    """
    box_ind = _box_ind_int32(box_ind)
    size = crop_size.tolist() if isinstance(crop_size, torch.Tensor) else list(crop_size)
    return _CropAndResize.apply(image, boxes, box_ind, tuple(size), method,
                                float(extrapolation_value), variant)


class _CropAndResize(torch.autograd.Function):
    # The classic static forward(ctx, ...) form, which PyTorch 1.13 (Debian
    # 12's) and 2.x both accept.
    @staticmethod
    def forward(  # type: ignore[override]
            ctx: Any, image, boxes, box_ind, crop_size, method, extrapolation_value, variant):
        boxes32 = _boxes_float32(boxes)
        crops = crgb.crop_and_resize(image.detach(), boxes32, box_ind, crop_size, method=method,
                                     extrapolation_value=extrapolation_value, variant=variant)
        ctx.save_for_backward(image, boxes32, box_ind)
        ctx.method = method
        ctx.variant = variant
        ctx.boxes_dtype = boxes.dtype
        return crops

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_crops):  # type: ignore[override]
        image, boxes32, box_ind = ctx.saved_tensors
        grads = grad_crops.detach().to(torch.float32).contiguous()
        grad_image = grad_boxes = None
        if ctx.needs_input_grad[0]:
            # TensorFlow's CropAndResizeGradImage with T = the image's dtype.
            grad_image = crgb.crop_and_resize_grad_image(
                grads, boxes32, box_ind, tuple(image.shape), dtype=image.dtype,
                method=ctx.method, variant=ctx.variant).to(image.device)
        if ctx.needs_input_grad[1]:
            # TensorFlow's gradient of crop_and_resize for the boxes, for
            # either method: bilinear CropAndResizeGradBoxes.
            grad_boxes = crgb.crop_and_resize_grad_boxes(
                grads, image.detach(), boxes32, box_ind, variant=ctx.variant,
            ).to(device=boxes32.device, dtype=ctx.boxes_dtype)
        return grad_image, grad_boxes, None, None, None, None, None


def _boxes_float32(boxes: torch.Tensor) -> torch.Tensor:
    """float64 boxes rounded to float32, which crgb requires; any other dtype
    as it is, for crgb to reject ("boxes must be float32, got float16")."""
    boxes = boxes.detach()
    return boxes.to(torch.float32) if boxes.dtype == torch.float64 else boxes


def _box_ind_int32(box_ind: Any) -> torch.Tensor:
    """box_ind as the int32 tensor crgb requires. Another integer dtype is
    converted with every value kept or, where int32 cannot hold it, replaced
    by one still outside [0, batch) (-1 or 2^31 - 1), so that crgb reports
    TensorFlow's OutOfRange error in TensorFlow's order of checks; other dtypes
    go as they are, for crgb to reject."""
    if not isinstance(box_ind, torch.Tensor):
        box_ind = torch.as_tensor(box_ind)
    box_ind = box_ind.detach()
    if box_ind.dtype == torch.int32 or box_ind.dtype.is_floating_point or box_ind.is_complex() \
            or box_ind.dtype == torch.bool:
        return box_ind
    return box_ind.to(torch.int64).clamp(-1, _INT32_MAX).to(torch.int32)

