"""``crop_and_resize`` for PyTorch: TensorFlow's op and both its gradients, by crgb.

``crop_and_resize(image, boxes, box_ind, crop_size)`` is TensorFlow's
``tf.image.crop_and_resize``, differentiable, with every number computed by
crgb's C library:

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

On PyTorch 2.4 and later the three ops are also PyTorch operators,
``torch.ops.crgb.crop_and_resize``, ``torch.ops.crgb.crop_and_resize_grad_image``
and ``torch.ops.crgb.crop_and_resize_grad_boxes`` (``torch.library.custom_op``,
each with a fake kernel for shapes and dtypes, the first with its autograd
formula), and ``crop_and_resize`` calls the first: so ``torch.compile``
(``fullgraph=True`` included), ``torch.export`` and AOTAutograd see one
opaque op each, forward and backward, instead of breaking the graph at crgb's
call. Those operators take exactly TensorFlow's raw inputs (float32 boxes,
int32 box_ind, ``crop_size`` and ``image_size`` as int lists);
``crop_and_resize`` converts float64 boxes and other integer box indices
first. On older PyTorch (Debian 12's 1.13) ``crop_and_resize`` is a
``torch.autograd.Function`` with the same numbers and gradients, eager only.

Tensors in CUDA memory go to crgb as device-resident (its ``cuda_sm80``
variant, where built and a GPU is present; ``crgb.UnavailableError``
otherwise), after PyTorch's current stream has finished the work queued on
it (crgb runs on the legacy default stream, which does not wait for
PyTorch's non-blocking streams); the result comes back to the host and is
copied to the input's device on the current stream. This path is untested: no
GPU has run it. Importing this module imports ``torch``; ``import crgb`` alone
does not.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional, Sequence

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
    if _HAS_CUSTOM_OP:
        # float64 boxes rounded here, differentiably: autograd's cast brings
        # the op's float32 boxes gradient back to float64.
        if boxes.dtype == torch.float64:
            boxes = boxes.to(torch.float32)
        return torch.ops.crgb.crop_and_resize(image, boxes, box_ind, [int(s) for s in size],
                                              method, float(extrapolation_value), variant)
    return _CropAndResize.apply(image, boxes, box_ind, tuple(size), method,
                                float(extrapolation_value), variant)


class _CropAndResize(torch.autograd.Function):
    # PyTorch before 2.4 (Debian 12's 1.13). The classic static
    # forward(ctx, ...) form, which 1.13 and 2.x both accept.
    @staticmethod
    def forward(  # type: ignore[override]
            ctx: Any, image, boxes, box_ind, crop_size, method, extrapolation_value, variant):
        boxes32 = _boxes_float32(boxes)
        crops = _on_device(crgb.crop_and_resize, image.detach(), boxes32, box_ind, crop_size,
                           method=method, extrapolation_value=extrapolation_value,
                           variant=variant)
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
            grad_image = _on_device(
                crgb.crop_and_resize_grad_image, grads, boxes32, box_ind, tuple(image.shape),
                dtype=image.dtype, method=ctx.method, variant=ctx.variant).to(image.device)
        if ctx.needs_input_grad[1]:
            # TensorFlow's gradient of crop_and_resize for the boxes, for
            # either method: bilinear CropAndResizeGradBoxes.
            grad_boxes = _on_device(
                crgb.crop_and_resize_grad_boxes, grads, image.detach(), boxes32, box_ind,
                variant=ctx.variant,
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


def _on_device(call: Callable[..., torch.Tensor], *args: Any, **kwargs: Any) -> torch.Tensor:
    """``call(*args, **kwargs)`` (a crgb function), made safe for CUDA tensors:
    crgb queues its work on the legacy default stream of the current context
    and waits for it, so the work PyTorch has queued on its current stream
    (which may be a non-blocking one, not ordered with the legacy stream)
    must be finished first, and the tensors' device must be the current one.
    crgb returns the result in host memory; crgb's result_like copies it to
    the device on the current stream. Host tensors go straight through."""
    device = next((a.device for a in args if isinstance(a, torch.Tensor) and a.is_cuda), None)
    if device is None:
        return call(*args, **kwargs)
    with torch.cuda.device(device):
        torch.cuda.current_stream(device).synchronize()
        return call(*args, **kwargs)


def _torch_version() -> tuple:
    """(major, minor) of the running PyTorch ("2.9.1+cu128" -> (2, 9))."""
    found = re.match(r"(\d+)\.(\d+)", torch.__version__)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


# torch.library.custom_op, register_fake and register_autograd as used here
# are PyTorch 2.4's; Debian 12's 1.13 keeps the autograd.Function above.
_HAS_CUSTOM_OP = _torch_version() >= (2, 4) and hasattr(torch.library, "custom_op")

if _HAS_CUSTOM_OP:
    # Explicit schemas: this module's `from __future__ import annotations`
    # makes the annotations strings, which not every 2.x infers from; the
    # schema is also the op's documented signature (torch.ops.crgb.*).
    @torch.library.custom_op(
        "crgb::crop_and_resize", mutates_args=(),
        schema="(Tensor image, Tensor boxes, Tensor box_ind, int[] crop_size, "
               "str method=\"bilinear\", float extrapolation_value=0.0, "
               "str? variant=None) -> Tensor")
    def _crop_and_resize_op(image, boxes, box_ind, crop_size, method="bilinear",
                            extrapolation_value=0.0, variant=None):
        """tf.raw_ops.CropAndResize by crgb.crop_and_resize: float32 boxes and
        int32 box_ind, as TensorFlow's op takes them (other dtypes are crgb's
        InvalidArgumentError)."""
        return _on_device(crgb.crop_and_resize, image, boxes, box_ind, list(crop_size),
                          method=method, extrapolation_value=extrapolation_value,
                          variant=variant)

    @torch.library.custom_op(
        "crgb::crop_and_resize_grad_image", mutates_args=(),
        schema="(Tensor grads, Tensor boxes, Tensor box_ind, int[] image_size, "
               "ScalarType dtype, str method=\"bilinear\", str? variant=None) -> Tensor")
    def _grad_image_op(grads, boxes, box_ind, image_size, dtype, method="bilinear",
                       variant=None):
        """tf.raw_ops.CropAndResizeGradImage (T = dtype) by
        crgb.crop_and_resize_grad_image."""
        return _on_device(crgb.crop_and_resize_grad_image, grads, boxes, box_ind,
                          list(image_size), dtype=dtype, method=method, variant=variant)

    @torch.library.custom_op(
        "crgb::crop_and_resize_grad_boxes", mutates_args=(),
        schema="(Tensor grads, Tensor image, Tensor boxes, Tensor box_ind, "
               "str method=\"bilinear\", str? variant=None) -> Tensor")
    def _grad_boxes_op(grads, image, boxes, box_ind, method="bilinear", variant=None):
        """tf.raw_ops.CropAndResizeGradBoxes by crgb.crop_and_resize_grad_boxes."""
        return _on_device(crgb.crop_and_resize_grad_boxes, grads, image, boxes, box_ind,
                          method=method, variant=variant)

    def _invalid(message: str) -> crgb.InvalidArgumentError:
        return crgb.InvalidArgumentError(message)

    def _shape_string(t: torch.Tensor) -> str:
        return "[" + ",".join(str(s) for s in t.shape) + "]"

    def _num_boxes(boxes: torch.Tensor, box_ind: torch.Tensor, rank_message: str) -> Any:
        """The output's rows by the C API's rule (TensorFlow's, with the rank
        check kept for empty boxes): boxes must be 2-D; 0 rows when boxes and
        box_ind are both empty, else those of boxes (the real kernel checks
        the rest)."""
        if boxes.dim() != 2:
            raise _invalid(rank_message + _shape_string(boxes))
        if boxes.numel() == 0 and box_ind.numel() == 0:
            return 0
        return boxes.shape[0]

    # The fake kernels give the output's shape, dtype and device without
    # computing (torch.compile, torch.export, opcheck), and reject in the C
    # API's words only what leaves the shape undefined; every other check is
    # the real kernel's, at run time.
    @_crop_and_resize_op.register_fake
    def _(image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0,
          variant=None):
        if image.dim() != 4:
            raise _invalid("input image must be 4-D" + _shape_string(image))
        n = _num_boxes(boxes, box_ind, "boxes must be 2-D, got: ")
        if len(crop_size) != 2:
            raise _invalid(f"crop_size must have two elements[{len(crop_size)}]")
        if crop_size[0] <= 0 or crop_size[1] <= 0:
            raise _invalid("crop dimensions must be positive")
        return image.new_empty((n, crop_size[0], crop_size[1], image.shape[3]),
                               dtype=torch.float32)

    @_grad_image_op.register_fake
    def _(grads, boxes, box_ind, image_size, dtype, method="bilinear", variant=None):
        if len(image_size) != 4:
            raise _invalid(f"image_size must have 4 elements[{len(image_size)}]")
        return grads.new_empty(tuple(image_size), dtype=dtype)

    @_grad_boxes_op.register_fake
    def _(grads, image, boxes, box_ind, method="bilinear", variant=None):
        return grads.new_empty((_num_boxes(boxes, box_ind, "boxes must be 2-D"), 4),
                               dtype=torch.float32)

    def _setup_context(ctx: Any, inputs: tuple, output: torch.Tensor) -> None:
        image, boxes, box_ind, _, method, _, variant = inputs
        ctx.save_for_backward(image, boxes, box_ind)
        ctx.method = method
        ctx.variant = variant

    def _backward(ctx: Any, grad_crops: torch.Tensor):
        """The gradients of the op's inputs from torch.ops.crgb's gradient ops,
        so that AOTAutograd traces them as opaque ops too: the image's by
        CropAndResizeGradImage in the image's dtype, the boxes' (float32, as
        the op's boxes) by the bilinear CropAndResizeGradBoxes for either
        method, as TensorFlow's registered gradient."""
        image, boxes, box_ind = ctx.saved_tensors
        grads = grad_crops.to(torch.float32).contiguous()
        grad_image = grad_boxes = None
        if ctx.needs_input_grad[0]:
            grad_image = torch.ops.crgb.crop_and_resize_grad_image(
                grads, boxes, box_ind, list(image.shape), image.dtype, ctx.method, ctx.variant)
        if ctx.needs_input_grad[1]:
            grad_boxes = torch.ops.crgb.crop_and_resize_grad_boxes(
                grads, image, boxes, box_ind, "bilinear", ctx.variant)
        return grad_image, grad_boxes, None, None, None, None, None

    _crop_and_resize_op.register_autograd(_backward, setup_context=_setup_context)

    def _no_second_derivative(ctx: Any, *grads: torch.Tensor):
        raise RuntimeError(
            "crgb.torch.crop_and_resize is differentiable once, not twice: its gradient ops "
            "have no gradient (as the autograd.Function's once_differentiable backward)")

    # Registered so that a double backward fails with the same words on every
    # PyTorch (instead of "no autograd formula was registered").
    _grad_image_op.register_autograd(_no_second_derivative)
    _grad_boxes_op.register_autograd(_no_second_derivative)
