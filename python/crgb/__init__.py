"""crgb: TensorFlow's crop_and_resize family, Halide-generated, for Python.

- ``crop_and_resize``: ``tf.image.crop_and_resize`` (``tf.raw_ops.CropAndResize``);
- ``crop_and_resize_grad_image``: ``tf.raw_ops.CropAndResizeGradImage``, its
  gradient with respect to the image, deterministic (TensorFlow's order under
  ``tf.config.experimental.enable_op_determinism()``);
- ``crop_and_resize_grad_boxes``: ``tf.raw_ops.CropAndResizeGradBoxes``, its
  gradient with respect to the boxes.

Each gives TensorFlow's numbers (``variant="reference"`` is bit-identical to
TensorFlow's CPU kernel; the SIMD variants differ at most by float32 rounding
and summation order), TensorFlow's validation and error messages (crgb's
words for an unknown method), on NumPy arrays and any DLPack tensor (PyTorch,
TensorFlow, JAX, ...), and also takes bfloat16 images (and gives bfloat16
image gradients), which TensorFlow's ops do not. ``crgb.torch`` has an
autograd-aware ``crop_and_resize`` computing all three through crgb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import numpy as np

from . import _crgb
from ._arrays import check_result_kind, prepare, prepare_image, result_like
from ._errors import (
    Error,
    InternalError,
    InvalidArgumentError,
    OutOfRangeError,
    UnavailableError,
    UnimplementedError,
)

__all__ = [
    "crop_and_resize",
    "crop_and_resize_grad_image",
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
      int8, int16, int32, int64, float16, float32 or float64, or bfloat16 (not
      TensorFlow's op);
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
    image_arg, image_bfloat16 = prepare_image(image)
    result = _crgb.grad_boxes(
        prepare(grads, "float32", "grads"),
        image_arg,
        prepare(boxes, "float32", "boxes"),
        prepare(box_ind, "int32", "box_ind"),
        method,
        variant,
        image_bfloat16,
    )
    return result_like(result, args)


def crop_and_resize(
    image: Any,
    boxes: Any,
    box_ind: Any,
    crop_size: Any,
    method: str = "bilinear",
    extrapolation_value: float = 0.0,
    variant: Optional[str] = None,
) -> Any:
    """Crops ``boxes`` out of ``image`` and resizes each to ``crop_size``.

    Same inputs, output and errors as ``tf.image.crop_and_resize`` /
    ``tf.raw_ops.CropAndResize`` (NHWC, dense):

    - ``image``: ``[batch, image_height, image_width, depth]``, uint8, uint16,
      int8, int16, int32, int64, float16, float32, float64, or bfloat16
      (``ml_dtypes.bfloat16``, ``torch.bfloat16``, ``tf.bfloat16``: not
      TensorFlow's op), each value converted to float32;
    - ``boxes``: ``[num_boxes, 4]`` float32 rows ``(y1, x1, y2, x2)``,
      normalized (``y * (image_height - 1)`` is the pixel row; outside
      ``[0, 1]`` allowed, ``y1 > y2`` flips the crop);
    - ``box_ind``: ``[num_boxes]`` int32, each in ``[0, batch)``;
    - ``crop_size``: ``(crop_height, crop_width)``, int32, both positive: a
      sequence, or an int32 array in host memory;
    - ``method``: ``"bilinear"`` or ``"nearest"``;
    - ``extrapolation_value``: the value of samples outside the image (a
      float32, as TensorFlow's attribute);
    - ``variant``: as for :func:`crop_and_resize_grad_boxes`.

    Returns ``[num_boxes, crop_height, crop_width, depth]`` float32, of the
    library of the first argument that is not a NumPy array or a sequence
    (NumPy otherwise). Inputs, dtypes, copies, threads and errors as for
    :func:`crop_and_resize_grad_boxes` (``OutOfRangeError`` for ``box_ind``
    outside ``[0, batch)``, ``InvalidArgumentError`` for non-finite boxes and
    every shape TensorFlow rejects, with TensorFlow's message).
    """
    args = (image, boxes, box_ind, crop_size)
    image_arg, image_bfloat16 = prepare_image(image)
    result = _crgb.crop_and_resize(
        image_arg,
        prepare(boxes, "float32", "boxes"),
        prepare(box_ind, "int32", "box_ind"),
        prepare(crop_size, "int32", "crop_size"),
        method,
        float(extrapolation_value),
        variant,
        image_bfloat16,
    )
    return result_like(result, args)


# crop_and_resize_grad_image's output dtypes, by name, and TensorFlow's
# spellings of them.
_OUTPUT_DTYPES = {
    "float16": _crgb.FLOAT16,
    "float32": _crgb.FLOAT32,
    "float64": _crgb.FLOAT64,
    "bfloat16": _crgb.BFLOAT16,
}
_DTYPE_ALIASES = {"half": "float16", "float": "float32", "double": "float64"}


def _dtype_name(dtype: Any) -> str:
    """"float32", ... for a name, a NumPy dtype or scalar type, an
    ``ml_dtypes`` type, a ``torch.dtype`` or a ``tf.DType``."""
    if isinstance(dtype, str):
        name = dtype
    else:
        name = getattr(dtype, "name", None)  # np.dtype, tf.DType
        if not isinstance(name, str):
            try:
                name = np.dtype(dtype).name  # np.float32, ml_dtypes.bfloat16, jnp.float16
            except TypeError:
                name = str(dtype)  # torch.float32 -> "torch.float32"
    if name.startswith("torch."):
        name = name[len("torch."):]
    return _DTYPE_ALIASES.get(name, name)


def crop_and_resize_grad_image(
    grads: Any,
    boxes: Any,
    box_ind: Any,
    image_size: Any,
    dtype: Any = "float32",
    method: str = "bilinear",
    variant: Optional[str] = None,
) -> Any:
    """The gradient of ``crop_and_resize`` with respect to ``image``.

    Same inputs, output and errors as ``tf.raw_ops.CropAndResizeGradImage``
    (``T`` is ``dtype``):

    - ``grads``: ``[num_boxes, crop_height, crop_width, depth]`` float32, the
      gradient of the crops;
    - ``boxes``, ``box_ind``: as for :func:`crop_and_resize`;
    - ``image_size``: ``(batch, image_height, image_width, depth)`` of the
      image, int32: a sequence, or an int32 array in host memory;
    - ``dtype``: the output's, ``"float32"``, ``"float16"``, ``"float64"`` or
      ``"bfloat16"`` (not TensorFlow's op), or the NumPy, ml_dtypes, PyTorch
      or TensorFlow dtype of one of these;
    - ``method``: ``"bilinear"`` or ``"nearest"``;
    - ``variant``: as for :func:`crop_and_resize_grad_boxes`.

    Each element is summed in ``dtype`` in one fixed order (TensorFlow's
    under op determinism), so results are bit-identical from run to run and
    for any thread count.

    Returns ``image_size`` of ``dtype``, of the library of the first argument
    that is not a NumPy array or a sequence (NumPy otherwise). A bfloat16
    result is ``torch.bfloat16``, ``tf.bfloat16`` or JAX's bfloat16 for their
    inputs; for NumPy inputs it is an array of ``ml_dtypes.bfloat16``, and
    ImportError when ml_dtypes does not import (raised before computing).
    Inputs, dtypes, copies, threads and errors as for
    :func:`crop_and_resize_grad_boxes`; an unknown ``dtype`` is
    :class:`InvalidArgumentError`.
    """
    name = _dtype_name(dtype)
    if name not in _OUTPUT_DTYPES:
        raise InvalidArgumentError(
            f"the output dtype must be float16, float32, float64 or bfloat16, got {name}")
    args = (grads, boxes, box_ind, image_size)
    bfloat16 = name == "bfloat16"
    check_result_kind(args, bfloat16)
    result = _crgb.grad_image(
        prepare(grads, "float32", "grads"),
        prepare(boxes, "float32", "boxes"),
        prepare(box_ind, "int32", "box_ind"),
        prepare(image_size, "int32", "image_size"),
        _OUTPUT_DTYPES[name],
        method,
        variant,
    )
    return result_like(result, args, bfloat16=bfloat16)


@dataclass(frozen=True)
class Variant:
    """One compiled variant, as ``crgb variants --json`` lists it (and the ops it
    implements)."""

    name: str
    """``"reference"``, ``"sse41"``, ``"avx2"``, ``"avx512"``, ``"avx2_adams2019"``, ..."""
    target: str
    """The pinned Halide target string, or ``"c++"`` for the reference."""
    available: bool
    """This CPU can run it."""
    selected: bool
    """An automatic call (``variant=None``) uses it."""
    ops: Tuple[str, ...] = ()
    """The ops it implements (for at least one dtype), in the C API's order:
    ``"grad_boxes"`` (:func:`crop_and_resize_grad_boxes`),
    ``"crop_and_resize"`` (:func:`crop_and_resize`), ``"grad_image"``
    (:func:`crop_and_resize_grad_image`)."""


def variants(available_only: bool = False) -> List[Variant]:
    """The compiled variants, in the dispatcher's table order (the reference
    first); only those this CPU can run when ``available_only``."""
    names = _crgb.op_names()
    found = [
        Variant(name, target, available, selected,
                tuple(op for i, op in enumerate(names) if ops >> i & 1))
        for name, target, available, selected, ops in _crgb.variants()
    ]
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
