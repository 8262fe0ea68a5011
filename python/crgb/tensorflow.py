"""crgb's ops as TensorFlow ops: graph-, ``tf.function``- and Keras-ready.

``crgb/_crgb_tf_ops.so``, a TensorFlow custom op library (python/src/tf_ops.cc),
registers three ops whose CPU kernels call crgb's C library:

- ``CrgbCropAndResize``: ``tf.raw_ops.CropAndResize``;
- ``CrgbCropAndResizeGradImage``: ``tf.raw_ops.CropAndResizeGradImage``,
  always in TensorFlow's summation order under op determinism;
- ``CrgbCropAndResizeGradBoxes``: ``tf.raw_ops.CropAndResizeGradBoxes``;

with TensorFlow's inputs, attributes, static shapes and errors
(``tf.errors.InvalidArgumentError``, ``OutOfRangeError``, ... with TensorFlow's
messages), bfloat16 images and image gradients besides, and one more
attribute, ``crgb_variant`` (crgb's variant: ``""`` picks automatically,
``"reference"`` is TensorFlow's CPU kernel bit for bit). This module loads the
library and offers:

- :data:`raw_ops`: the three ops, not differentiable;
- :func:`crop_and_resize`: ``tf.image.crop_and_resize`` through crgb, with
  both gradients computed by crgb as TensorFlow's registered gradient
  computes them (:func:`crop_and_resize_grad_image` in the image's float
  dtype, none for an integer image; :func:`crop_and_resize_grad_boxes`,
  bilinear, for either method);
- :class:`CropAndResize`: the same as a Keras layer.

Kernels exist for the CPU only: on a machine with a GPU, TensorFlow places
these ops on the CPU (soft placement) and copies the tensors there. There is
no XLA kernel, so ``tf.function(jit_compile=True)`` cannot compile them.
Importing this module imports TensorFlow; ``import crgb`` alone does not.
"""

from __future__ import annotations

import os
import types
from typing import Any, Optional, Sequence

import tensorflow as tf

import crgb

__all__ = [
    "crop_and_resize",
    "crop_and_resize_grad_image",
    "crop_and_resize_grad_boxes",
    "raw_ops",
    "CropAndResize",
    "LIBRARY",
]

#: Where the op library is: beside crgb's extension, in the package directory.
LIBRARY: str = os.path.join(os.path.dirname(crgb.__file__), "_crgb_tf_ops.so")

_BUILD_HINT = (
    "it is built by the crgb package's CMake project when the Python given as "
    "CRGB_TENSORFLOW_PYTHON (default: the building Python) imports tensorflow: "
    "pip install . -Ccmake.define.CRGB_TENSORFLOW_PYTHON=/path/to/python-with-tensorflow "
    "(docs/python.md)"
)

if not os.path.exists(LIBRARY):
    raise ImportError(f"crgb.tensorflow needs crgb's TensorFlow op library {LIBRARY}, which this "
                      f"crgb was installed without; {_BUILD_HINT}")
try:
    _ops = tf.load_op_library(LIBRARY)
except tf.errors.OpError as e:  # NotFoundError: another TensorFlow's ABI (undefined symbols)
    raise ImportError(f"{LIBRARY} does not load into TensorFlow {tf.__version__} "
                      f"({e.message}); it must be built against the TensorFlow that runs it: "
                      f"{_BUILD_HINT}") from e


def _variant(variant: Optional[str]) -> str:
    return "" if variant is None else variant


def _crop_raw(image, boxes, box_ind, crop_size, method="bilinear", extrapolation_value=0.0,
              variant=None, name=None):
    """``CrgbCropAndResize``: float32 crops ``[num_boxes, crop_height,
    crop_width, depth]``, as ``tf.raw_ops.CropAndResize``."""
    return _ops.crgb_crop_and_resize(image, boxes, box_ind, crop_size, method=method,
                                     extrapolation_value=extrapolation_value,
                                     crgb_variant=_variant(variant), name=name)


def crop_and_resize_grad_image(grads, boxes, box_ind, image_size, dtype=tf.float32,
                               method="bilinear", variant=None, name=None):
    """``CrgbCropAndResizeGradImage``: the gradient with respect to an image of
    shape ``image_size`` (int32 ``[4]``), of ``dtype`` (``tf.float16``,
    ``tf.float32``, ``tf.float64`` or ``tf.bfloat16``; TensorFlow's attribute
    ``T``), as ``tf.raw_ops.CropAndResizeGradImage`` under op determinism.
    ``method``: ``"bilinear"`` or ``"nearest"``."""
    return _ops.crgb_crop_and_resize_grad_image(grads, boxes, box_ind, image_size,
                                                T=tf.as_dtype(dtype), method=method,
                                                crgb_variant=_variant(variant), name=name)


def crop_and_resize_grad_boxes(grads, image, boxes, box_ind, method="bilinear", variant=None,
                               name=None):
    """``CrgbCropAndResizeGradBoxes``: float32 ``[num_boxes, 4]`` ``(d/dy1,
    d/dx1, d/dy2, d/dx2)``, as ``tf.raw_ops.CropAndResizeGradBoxes`` (method
    ``"bilinear"`` only)."""
    return _ops.crgb_crop_and_resize_grad_boxes(grads, image, boxes, box_ind, method=method,
                                                crgb_variant=_variant(variant), name=name)


#: The three ops as functions, none differentiable (no gradient is registered
#: for CrgbCropAndResize: :func:`crop_and_resize` is its differentiable form).
#: ``variant=None`` is the ops' ``crgb_variant=""``.
raw_ops = types.SimpleNamespace(
    crop_and_resize=_crop_raw,
    crop_and_resize_grad_image=crop_and_resize_grad_image,
    crop_and_resize_grad_boxes=crop_and_resize_grad_boxes,
)


def crop_and_resize(
    image: Any,
    boxes: Any,
    box_ind: Any,
    crop_size: Sequence[int],
    method: str = "bilinear",
    extrapolation_value: float = 0.0,
    variant: Optional[str] = None,
    name: Optional[str] = None,
) -> tf.Tensor:
    """``tf.image.crop_and_resize`` (``box_indices`` is ``box_ind``), computed by
    crgb, and differentiable the way TensorFlow's op is.

    ``image`` ``[batch, height, width, depth]`` of uint8, uint16, int8, int16,
    int32, int64, float16, bfloat16 (not TensorFlow's op), float32 or float64;
    ``boxes`` ``[num_boxes, 4]`` float32 rows ``(y1, x1, y2, x2)``, normalized;
    ``box_ind`` ``[num_boxes]`` int32 in ``[0, batch)``; ``crop_size`` int32
    ``(crop_height, crop_width)``; ``method`` ``"bilinear"`` or
    ``"nearest"``; ``variant`` crgb's variant for the forward and both
    gradients (None: automatic).

    Returns float32 ``[num_boxes, crop_height, crop_width, depth]``. The
    gradient with respect to a float ``image`` is
    :func:`crop_and_resize_grad_image` in the image's dtype (TensorFlow's
    order of sums under op determinism, so it is bit-identical run to run); an
    integer image gets none. The gradient with respect to ``boxes`` is
    :func:`crop_and_resize_grad_boxes`, bilinear for both methods, as
    TensorFlow's registered gradient does (the nearest crops' own derivative is
    zero almost everywhere). ``box_ind`` and ``crop_size`` get none.
    """
    with tf.name_scope(name or "crgb_crop_and_resize"):
        # Tensors before the custom gradient, so that variables are read (and
        # watched) here and the function below sees only tensors.
        image = tf.convert_to_tensor(image, name="image")
        boxes = tf.convert_to_tensor(boxes, dtype_hint=tf.float32, name="boxes")
        box_ind = tf.convert_to_tensor(box_ind, dtype_hint=tf.int32, name="box_ind")
        crop_size = tf.convert_to_tensor(crop_size, dtype_hint=tf.int32, name="crop_size")
        float_image = image.dtype.is_floating

        # Positional tensor arguments only: tf.custom_gradient takes no
        # keyword arguments in graph mode; the rest is closed over.
        @tf.custom_gradient
        def forward(image, boxes):
            crops = _crop_raw(image, boxes, box_ind, crop_size, method, extrapolation_value,
                              variant)

            def grad(d_crops):
                d_crops = tf.convert_to_tensor(d_crops, tf.float32)
                d_image = None
                if float_image:
                    d_image = crop_and_resize_grad_image(
                        d_crops, boxes, box_ind, tf.shape(image, out_type=tf.int32),
                        dtype=image.dtype, method=method, variant=variant)
                d_boxes = crop_and_resize_grad_boxes(d_crops, image, boxes, box_ind,
                                                     variant=variant)
                return d_image, d_boxes

            return crops, grad

        return forward(image, boxes)


class CropAndResize(tf.keras.layers.Layer):
    """``crop_and_resize`` as a Keras layer: ``layer(image, boxes, box_ind)``
    gives float32 crops ``[num_boxes, *crop_size, depth]``, differentiable in
    the image (float dtypes) and the boxes.

    ``crop_size`` ``(crop_height, crop_width)``; ``method``, ``extrapolation_value``
    and ``variant`` as for :func:`crop_and_resize`. No weights. The image keeps
    its dtype (no autocast to the layer's compute dtype: the op reads any
    dtype, its output is float32 regardless, and a cast would only round a
    float32 image under a float16 policy); pass ``autocast=True`` for Keras's
    default.
    """

    def __init__(self, crop_size: Sequence[int], method: str = "bilinear",
                 extrapolation_value: float = 0.0, variant: Optional[str] = None, **kwargs):
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        self.crop_size = tuple(int(s) for s in crop_size)
        if len(self.crop_size) != 2:
            raise ValueError(f"crop_size must be (crop_height, crop_width), got {crop_size}")
        self.method = method
        self.extrapolation_value = float(extrapolation_value)
        self.variant = variant
        # The op has no XLA kernel: Keras's jit_compile="auto" (the default of
        # Model.compile) then compiles without XLA instead of failing.
        self.supports_jit = False

    def call(self, image, boxes, box_ind):
        return crop_and_resize(image, boxes, box_ind, self.crop_size, method=self.method,
                               extrapolation_value=self.extrapolation_value,
                               variant=self.variant)

    def get_config(self):
        config = super().get_config()
        config.update(crop_size=list(self.crop_size), method=self.method,
                      extrapolation_value=self.extrapolation_value, variant=self.variant)
        return config
