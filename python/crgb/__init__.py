"""crgb: TensorFlow's CropAndResizeGradBoxes, Halide-generated, for Python.

``crop_and_resize_grad_boxes`` computes ``tf.raw_ops.CropAndResizeGradBoxes``,
the gradient of bilinear ``crop_and_resize`` with respect to the boxes, with
the same numbers (``variant="reference"`` is bit-identical to TensorFlow's CPU
kernel; the SIMD variants differ only by float32 summation order), the same
validation and error messages, on NumPy arrays and any DLPack tensor
(PyTorch, TensorFlow, JAX, ...). ``crgb.torch`` has an autograd-aware
``crop_and_resize`` whose boxes gradient runs through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional

from . import _crgb
from ._arrays import prepare, result_like
from ._errors import (
    Error,
    InternalError,
    InvalidArgumentError,
    OutOfRangeError,
    UnavailableError,
    UnimplementedError,
)

__all__ = [
    "crop_and_resize_grad_boxes",
    "variants",
    "selected_variant",
    "set_num_threads",
    "Variant",
    "Error",
    "InvalidArgumentError",
    "OutOfRangeError",
    "UnimplementedError",
    "UnavailableError",
    "InternalError",
    "__version__",
]

#: The library's version, ``crgb_version()`` of the C API (the CMake project's).
__version__: str = _crgb.version()


def crop_and_resize_grad_boxes(
    grads: Any,
    image: Any,
    boxes: Any,
    box_ind: Any,
    method: str = "bilinear",
    variant: Optional[str] = None,
) -> Any:
    """The gradient of ``crop_and_resize`` with respect to ``boxes``.

    Same inputs, output and errors as ``tf.raw_ops.CropAndResizeGradBoxes``
    (NHWC, dense):

    - ``grads``: ``[num_boxes, crop_height, crop_width, depth]`` float32, the
      gradient of the crops;
    - ``image``: ``[batch, image_height, image_width, depth]``, uint8, uint16,
      int8, int16, int32, int64, float16, float32 or float64;
    - ``boxes``: ``[num_boxes, 4]`` float32 rows ``(y1, x1, y2, x2)``,
      normalized (``y * (image_height - 1)`` is the pixel row);
    - ``box_ind``: ``[num_boxes]`` int32, each in ``[0, batch)``;
    - ``method``: only ``"bilinear"``;
    - ``variant``: ``None`` picks the best variant for this CPU (or the
      environment variable ``CRGB_VARIANT``); otherwise a name from
      :func:`variants`, e.g. ``"reference"`` (TensorFlow's loop, bit-exact).

    Arguments are NumPy arrays or DLPack tensors in host memory; Python
    sequences are converted with NumPy (to float32 / int32 for grads, boxes
    and box_ind). Dtypes are never converted: a float64 ``boxes`` is an
    :class:`InvalidArgumentError`, as in TensorFlow. A non-contiguous input is
    copied to a contiguous one first (one copy; pass contiguous arrays to
    avoid it). The GIL is released while crgb computes, so several Python
    threads can call this at once.

    Returns ``[num_boxes, 4]`` float32 ``(d/dy1, d/dx1, d/dy2, d/dx2)``, of the
    library of the first argument that is not a NumPy array or a sequence (a
    ``torch.Tensor`` for PyTorch inputs, a ``tf.Tensor`` for TensorFlow's, a JAX
    array for JAX's), else a NumPy array.

    Raises :class:`InvalidArgumentError` (a ``ValueError``) for inputs
    TensorFlow rejects and for an unknown variant, :class:`OutOfRangeError` (an
    ``IndexError``) for ``box_ind`` outside ``[0, batch)``,
    :class:`UnavailableError` for a variant this machine cannot run, for
    inputs in CUDA memory when no CUDA GPU is present (with one, they run on
    the CUDA variant in place and the result comes back to the host), and for
    memory crgb cannot read (ROCm, Metal, ...), and
    :class:`UnimplementedError` for a variant not built for the image's dtype;
    each with the C API's message (TensorFlow's, where TensorFlow checks the
    condition). Nothing is computed on error.
    """
    args = (grads, image, boxes, box_ind)
    result = _crgb.grad_boxes(
        prepare(grads, "float32"),
        prepare(image, None),
        prepare(boxes, "float32"),
        prepare(box_ind, "int32"),
        method,
        variant,
    )
    return result_like(result, args)


@dataclass(frozen=True)
class Variant:
    """One compiled variant, as ``crgb variants --json`` lists it."""

    name: str
    """``"reference"``, ``"sse41"``, ``"avx2"``, ``"avx512"``, ``"avx2_adams2019"``, ..."""
    target: str
    """The pinned Halide target string, or ``"c++"`` for the reference."""
    available: bool
    """This CPU can run it."""
    selected: bool
    """An automatic call (``variant=None``) uses it."""


def variants(available_only: bool = False) -> List[Variant]:
    """The compiled variants, in the dispatcher's table order (the reference
    first); only those this CPU can run when ``available_only``."""
    found = [Variant(*row) for row in _crgb.variants()]
    return [v for v in found if v.available] if available_only else found


def selected_variant() -> str:
    """The name of the variant an automatic call uses (``CRGB_VARIANT`` if set,
    else the best available), resolved once per process."""
    return _crgb.selected_variant()


def set_num_threads(num_threads: int) -> int:
    """Sets the number of worker threads of the Halide variants, process-wide
    (0 restores the default: ``HL_NUM_THREADS``, else the number of cores), and
    returns the previous setting. Results never depend on it."""
    return _crgb.set_num_threads(num_threads)
