"""``crop_and_resize`` for JAX: TensorFlow's op and both its gradients as XLA custom calls.

- :func:`crop_and_resize` is ``tf.image.crop_and_resize`` for JAX,
  differentiable (``jax.custom_vjp``) in ``boxes`` and in a floating-point
  ``image``, its backward pass being crgb's two gradient ops;
- :func:`crop_and_resize_raw`, :func:`crop_and_resize_grad_image` and
  :func:`crop_and_resize_grad_boxes` are ``tf.raw_ops.CropAndResize``,
  ``CropAndResizeGradImage`` and ``CropAndResizeGradBoxes``.

Each op is an XLA FFI custom call (``jax.ffi.ffi_call``) into crgb's CPU
variants, so it runs inside ``jax.jit`` without leaving the compiled program,
and composes with JAX's transformations:

- ``jax.grad`` / ``jax.vjp`` through :func:`crop_and_resize`;
- ``jax.vmap``: a mapped call is one call of the op over all examples (their
  images end to end, their boxes as one list), not a loop (crgb._crgb_jax);
- ``shard_map``: each device runs the op on its own shard (e.g. boxes split
  across devices, the image replicated; the image gradient is then psum'd by
  shard_map's transpose like any replicated input's);
- plain ``jax.jit`` over inputs sharded by boxes: the ops carry
  ``custom_partitioning`` rules (see :func:`_partitioned`), so XLA splits the
  work by boxes instead of gathering the boxes onto one device. The image is
  replicated; the image gradient's per-device partial sums are added with one
  ``psum``.

Errors: TensorFlow's checks and messages (crgb's C API). A call made eagerly
(outside ``jit``) raises crgb's exception of the right class
(:class:`crgb.InvalidArgumentError`, ...). Inside ``jit`` JAX raises its own
``XlaRuntimeError`` / ``ValueError`` whose text holds ``crgb <Class>:
<message>``; wrap the call in :func:`errors` to get crgb's exception there too.

Devices: the CPU handlers run crgb's CPU variants; where jaxlib has a CUDA
plugin, CUDA handlers run crgb's CUDA variants on XLA's stream (one call per
vmapped example there: folding rewrites box indices on the host; not tested
on a GPU yet). Requires the
extension crgb._crgb_jax, which ``pip install .`` builds where JAX is
importable (docs/frameworks.md).
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from typing import Any, Iterator, Optional, Sequence, Tuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental.custom_partitioning import custom_partitioning
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from . import _errors

try:
    from . import _crgb_jax
except ImportError as e:  # pragma: no cover - depends on the build
    raise ImportError(
        "crgb.jax needs the extension crgb._crgb_jax, built by `pip install .` when JAX is "
        "importable by the building Python, or with -Ccmake.define.CRGB_JAX_PYTHON=<a python "
        "with jax> (docs/frameworks.md)") from e

__all__ = [
    "crop_and_resize",
    "crop_and_resize_raw",
    "crop_and_resize_grad_image",
    "crop_and_resize_grad_boxes",
    "errors",
]


def _register() -> None:
    handlers = _crgb_jax.handlers()
    for name, capsule in handlers["cpu"].items():
        jax.ffi.register_ffi_target(name, capsule, platform="cpu")
    # The CUDA handlers (crgb's CUDA variants on XLA's stream, results left on
    # the device) where this jaxlib has a CUDA plugin; tested only on a GPU.
    import importlib.util

    if any(importlib.util.find_spec(p) for p in ("jax_cuda12_plugin", "jax_cuda13_plugin")):
        for name, capsule in handlers["CUDA"].items():
            jax.ffi.register_ffi_target(name, capsule, platform="CUDA")


_register()

_CRGB_ERROR = re.compile(
    r"crgb (InvalidArgument|OutOfRange|Unimplemented|Unavailable|Internal): (.*)", re.S)
_CLASSES = {c.status: c for c in (_errors.InvalidArgumentError, _errors.OutOfRangeError,
                                  _errors.UnimplementedError, _errors.UnavailableError,
                                  _errors.InternalError)}


def _as_crgb_error(e: BaseException) -> Optional[_errors.Error]:
    m = _CRGB_ERROR.search(str(e))
    if m is None:
        return None
    # XLA appends its own context on later lines; the C API's message is one line.
    return _CLASSES[m.group(1)](m.group(2).splitlines()[0])


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Turns a crgb error surfacing from compiled JAX code into crgb's exception::

        with crgb.jax.errors():
            jax.jit(f)(x).block_until_ready()
    """
    try:
        yield
    except _errors.Error as e:
        # Raised by crgb.jax itself. On its way out of custom_vjp JAX added a
        # note about its traceback filtering, which is not crgb's message.
        notes = getattr(e, "__notes__", None)
        if notes:
            e.__notes__ = [n for n in notes if "JAX_TRACEBACK_FILTERING" not in n]
        raise
    except (jax.errors.JaxRuntimeError, ValueError, RuntimeError) as e:
        err = _as_crgb_error(e)
        if err is None:
            raise
        raise err from None


def _eager(*args: Any) -> bool:
    return not any(isinstance(a, jax.core.Tracer) for a in args)


def _run(op, *operands: Any) -> Any:
    """Runs an op; eagerly, it waits for it and raises crgb's exceptions."""
    if not _eager(*operands):
        return op(*operands)
    with errors():
        return jax.block_until_ready(op(*operands))


def _ffi_call(target: str, out: jax.ShapeDtypeStruct):
    # expand_dims: under vmap an unmapped operand gets a leading axis of size
    # 1 rather than being broadcast (the handler folds the mapped axes).
    # An empty result would let XLA drop the call, and with it the C API's
    # validation of the other inputs: such a call is kept (has_side_effect).
    return jax.ffi.ffi_call(target, out, vmap_method="expand_dims",
                            has_side_effect=math.prod(out.shape) == 0)


def _freeze(attrs: dict) -> Tuple[Tuple[str, Any], ...]:
    return tuple(sorted(attrs.items()))


def _ffi_attrs(attrs: Tuple[Tuple[str, Any], ...]) -> dict:
    # The handlers' attribute types: int64, float32, string.
    typed = {int: np.int64, float: np.float32, str: str}
    return {k: typed[type(v)](v) for k, v in attrs}


# Each op, as (operands, result) factors of Shardy's sharding rule: m the
# boxes, n the images, (h, w) image rows and columns, (y, x) crop rows and
# columns, c channels, f the 4 box coordinates. The image gradient sums over
# the boxes: m is its reduction factor.
_RULES = {
    "crop_and_resize": ("n h w c, m f, m -> m y x c", ()),
    "crop_and_resize_grad_image": ("m y x c, m f, m -> n h w c", ("m",)),
    "crop_and_resize_grad_boxes": ("m y x c, n h w c, m f, m -> m f", ()),
}
# Which operands have the boxes axis first (split by boxes); the others
# (the image) are replicated.
_BOXES_FIRST = {
    "crop_and_resize": (False, True, True),
    "crop_and_resize_grad_image": (True, True, True),
    "crop_and_resize_grad_boxes": (True, False, True, True),
}


_RANKS = {"image_rank": 4, "grads_rank": 4, "boxes_rank": 2, "box_ind_rank": 1}


@functools.lru_cache(maxsize=None)
def _op(kind: str, out: jax.ShapeDtypeStruct, attrs: Tuple[Tuple[str, Any], ...]):
    """One op with static attributes, as a function of its array operands:
    the FFI call, with a custom_partitioning rule (split by boxes) and, since
    custom_partitioning has no batching rule, a custom_vmap rule that maps
    the plain FFI call (whose handler folds the mapped axes)."""
    target = "crgb_" + kind
    ffi_attrs = _ffi_attrs(attrs)

    def plain(*operands):
        return _ffi_call(target, out)(*operands, **ffi_attrs)

    def boxes_axis(arg_shapes):
        # The mesh axis (or axes) the boxes operand is split over, if any.
        spec = arg_shapes[list(_BOXES_FIRST[kind]).index(True)].sharding.spec
        return spec[0] if len(spec) else None

    def result_spec(axis):
        if kind == "crop_and_resize":
            return P(axis, None, None, None)
        if kind == "crop_and_resize_grad_boxes":
            return P(axis, None)
        return P()  # the image gradient: summed over every device's boxes

    def infer(mesh, arg_shapes, result_shape):
        return NamedSharding(mesh, result_spec(boxes_axis(arg_shapes)))

    def partition(mesh, arg_shapes, result_shape):
        axis = boxes_axis(arg_shapes)
        arg_shardings = tuple(
            NamedSharding(mesh, P(axis, *([None] * (len(a.shape) - 1))) if first else P())
            for a, first in zip(arg_shapes, _BOXES_FIRST[kind]))

        def local(*operands):
            # On each device: its boxes' share (num_boxes / devices rows).
            n = operands[list(_BOXES_FIRST[kind]).index(True)].shape[0]
            local_out = jax.ShapeDtypeStruct(
                (n,) + out.shape[1:] if kind != "crop_and_resize_grad_image" else out.shape,
                out.dtype)
            result = _ffi_call(target, local_out)(*operands, **ffi_attrs)
            if kind == "crop_and_resize_grad_image" and axis is not None:
                result = jax.lax.psum(result, axis)
            return result

        return mesh, local, NamedSharding(mesh, result_spec(axis)), arg_shardings

    ranks = {k: v for k, v in attrs if k.endswith("_rank")}
    if any(v != _RANKS[k] for k, v in ranks.items()):
        return plain  # the C API rejects it with TensorFlow's message
    rule, reduction = _RULES[kind]
    partitioned = custom_partitioning(plain)
    partitioned.def_partition(infer_sharding_from_operands=infer, partition=partition,
                              sharding_rule=rule, reduction_factors=reduction)

    mapped = jax.custom_batching.custom_vmap(partitioned)

    @mapped.def_vmap
    def _vmap_rule(axis_size, in_batched, *operands):
        return jax.vmap(plain, in_axes=[0 if b else None for b in in_batched])(*operands), True

    return mapped


def _dim(x: Any, axis: int, default: int = 0) -> int:
    return int(x.shape[axis]) if -x.ndim <= axis < x.ndim else default


def _pair(value: Any, name: str, n: int) -> Tuple[int, ...]:
    """A static size vector (crop_size, image_size) as ints, checked as the
    C API would check it (its messages), since the result's shape needs it."""
    v = np.asarray(value)
    if v.ndim != 1:
        raise _errors.InvalidArgumentError(
            f"{name} must be 1-D[{','.join(str(d) for d in v.shape)}]")
    if v.shape[0] != n:
        word = "two elements" if n == 2 else f"{n} elements"
        raise _errors.InvalidArgumentError(f"{name} must have {word}[{v.shape[0]}]")
    if not np.issubdtype(v.dtype, np.integer):
        raise _errors.InvalidArgumentError(f"{name} must be int32, got {v.dtype}")
    return tuple(int(s) for s in v)


def _variant(variant: Optional[str]) -> str:
    return variant or ""


def crop_and_resize_raw(image: Any, boxes: Any, box_ind: Any, crop_size: Sequence[int],
                        method: str = "bilinear", extrapolation_value: float = 0.0,
                        variant: Optional[str] = None) -> jax.Array:
    """``tf.raw_ops.CropAndResize``: ``[num_boxes, crop_height, crop_width,
    depth]`` float32 crops of ``image`` ``[batch, height, width, depth]`` (any
    dtype crgb takes) at ``boxes`` ``[num_boxes, 4]`` float32 ``(y1, x1, y2,
    x2)``, ``box_ind`` ``[num_boxes]`` int32; ``crop_size`` static. Not
    differentiable: see :func:`crop_and_resize`."""
    image, boxes, box_ind = jnp.asarray(image), jnp.asarray(boxes), jnp.asarray(box_ind)
    ch, cw = _pair(crop_size, "crop_size", 2)
    if not (ch > 0 and cw > 0):
        raise _errors.InvalidArgumentError("crop dimensions must be positive")
    out = jax.ShapeDtypeStruct((_dim(boxes, 0), ch, cw, _dim(image, -1)), jnp.float32)
    attrs = dict(image_rank=image.ndim, boxes_rank=boxes.ndim, box_ind_rank=box_ind.ndim,
                 crop_height=ch, crop_width=cw, method=str(method),
                 extrapolation_value=float(np.float32(extrapolation_value)),
                 variant=_variant(variant))
    return _run(_op("crop_and_resize", out, _freeze(attrs)), image, boxes, box_ind)


def crop_and_resize_grad_image(grads: Any, boxes: Any, box_ind: Any, image_size: Sequence[int],
                               dtype: Any = jnp.float32, method: str = "bilinear",
                               variant: Optional[str] = None) -> jax.Array:
    """``tf.raw_ops.CropAndResizeGradImage``: the gradient with respect to an
    image of shape ``image_size`` (static), as ``dtype`` (float16, float32,
    float64 or bfloat16), summed in one fixed order: bit-identical run to run."""
    grads, boxes, box_ind = jnp.asarray(grads), jnp.asarray(boxes), jnp.asarray(box_ind)
    n, h, w, d = _pair(image_size, "image_size", 4)
    dtype = jnp.dtype(dtype)
    if dtype not in (jnp.float16, jnp.float32, jnp.float64, jnp.bfloat16):
        raise _errors.InvalidArgumentError(
            f"the output dtype must be float16, float32, float64 or bfloat16, got {dtype}")
    if n < 0:
        raise _errors.InvalidArgumentError(f"Expected a non-negative size, got {n}")
    if not (h > 0 and w > 0):
        raise _errors.InvalidArgumentError("image dimensions must be positive")
    out = jax.ShapeDtypeStruct((n, h, w, d), dtype)
    attrs = dict(grads_rank=grads.ndim, boxes_rank=boxes.ndim, box_ind_rank=box_ind.ndim,
                 batch=n, image_height=h, image_width=w, depth=d, method=str(method),
                 variant=_variant(variant))
    return _run(_op("crop_and_resize_grad_image", out, _freeze(attrs)), grads, boxes, box_ind)


def crop_and_resize_grad_boxes(grads: Any, image: Any, boxes: Any, box_ind: Any,
                               method: str = "bilinear",
                               variant: Optional[str] = None) -> jax.Array:
    """``tf.raw_ops.CropAndResizeGradBoxes``: ``[num_boxes, 4]`` float32
    ``(d/dy1, d/dx1, d/dy2, d/dx2)``."""
    grads, image = jnp.asarray(grads), jnp.asarray(image)
    boxes, box_ind = jnp.asarray(boxes), jnp.asarray(box_ind)
    out = jax.ShapeDtypeStruct((_dim(boxes, 0), 4), jnp.float32)
    attrs = dict(grads_rank=grads.ndim, image_rank=image.ndim, boxes_rank=boxes.ndim,
                 box_ind_rank=box_ind.ndim, method=str(method), variant=_variant(variant))
    return _run(_op("crop_and_resize_grad_boxes", out, _freeze(attrs)), grads, image, boxes,
                box_ind)


def crop_and_resize(image: Any, boxes: Any, box_ind: Any, crop_size: Sequence[int],
                    method: str = "bilinear", extrapolation_value: float = 0.0,
                    variant: Optional[str] = None) -> jax.Array:
    """``tf.image.crop_and_resize`` for JAX, differentiable.

    ``image`` ``[batch, height, width, depth]`` (any dtype crgb takes),
    ``boxes`` ``[num_boxes, 4]`` rows ``(y1, x1, y2, x2)`` normalized to
    ``[0, 1]`` (float32; float64 is rounded to float32, as TensorFlow's op
    takes it), ``box_ind`` ``[num_boxes]`` integer, ``crop_size``
    ``(crop_height, crop_width)`` static, ``method`` ``"bilinear"`` or
    ``"nearest"``, ``variant`` crgb's variant for all three ops (None:
    automatic). Returns ``[num_boxes, crop_height, crop_width, depth]``
    float32.

    Gradients: boxes by ``CropAndResizeGradBoxes`` (for either method, as
    TensorFlow's registered gradient: bilinear), in ``boxes.dtype``; a
    floating-point image by ``CropAndResizeGradImage`` in the image's dtype;
    an integer image, ``box_ind`` and the static arguments get none.
    """
    boxes = jnp.asarray(boxes)
    if boxes.dtype == jnp.float64:
        boxes = boxes.astype(jnp.float32)
    box_ind = jnp.asarray(box_ind)
    if jnp.issubdtype(box_ind.dtype, jnp.integer) and box_ind.dtype != jnp.int32:
        # Values int32 cannot hold become -1, still outside [0, batch): the
        # C API then reports TensorFlow's OutOfRange error.
        box_ind = jnp.where((box_ind >= 0) & (box_ind <= np.iinfo(np.int32).max), box_ind,
                            -1).astype(jnp.int32)
    size = _pair(crop_size, "crop_size", 2)
    image = jnp.asarray(image)
    args = (image, boxes, box_ind, size, str(method), float(extrapolation_value), variant)
    if not _eager(image, boxes, box_ind):
        return _crop_and_resize(*args)
    with errors():
        return _crop_and_resize(*args)


@functools.partial(jax.custom_vjp, nondiff_argnums=(3, 4, 5, 6))
def _crop_and_resize(image, boxes, box_ind, crop_size, method, extrapolation_value, variant):
    return crop_and_resize_raw(image, boxes, box_ind, crop_size, method, extrapolation_value,
                               variant)


def _crop_and_resize_fwd(image, boxes, box_ind, crop_size, method, extrapolation_value, variant):
    crops = crop_and_resize_raw(image, boxes, box_ind, crop_size, method, extrapolation_value,
                                variant)
    return crops, (image, boxes, box_ind)


def _crop_and_resize_bwd(crop_size, method, extrapolation_value, variant, residuals, g):
    image, boxes, box_ind = residuals
    g = g.astype(jnp.float32)
    if jnp.issubdtype(image.dtype, jnp.floating):
        grad_image = crop_and_resize_grad_image(g, boxes, box_ind, image.shape, image.dtype,
                                                method, variant)
    else:
        grad_image = np.zeros(image.shape, jax.dtypes.float0)
    grad_boxes = crop_and_resize_grad_boxes(g, image, boxes, box_ind, "bilinear",
                                            variant).astype(boxes.dtype)
    return grad_image, grad_boxes, np.zeros(box_ind.shape, jax.dtypes.float0)


_crop_and_resize.defvjp(_crop_and_resize_fwd, _crop_and_resize_bwd)
