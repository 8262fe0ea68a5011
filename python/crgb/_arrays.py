"""Accepting arrays of any library, and returning the result in the caller's.

The extension reads every argument through nanobind's ``nb::ndarray``: NumPy
arrays (buffer protocol or DLPack) and any DLPack producer (PyTorch,
TensorFlow, JAX, CuPy, ...). This module prepares the few inputs DLPack cannot
carry as they are (NumPy's ``ml_dtypes.bfloat16`` arrays go as uint16 views of
their bits, flagged), and converts the NumPy result back to the library the
caller used (a bfloat16 result, which the extension returns as uint16 bits, as
that library's bfloat16).
"""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from ._errors import InvalidArgumentError

__all__ = ["prepare", "prepare_image", "result_like", "check_result_kind"]


def _library(x: Any) -> str:
    """ "numpy", "torch", "tensorflow", "jax", "cupy", "dlpack" (another producer) or
    "sequence" (lists, scalars: anything else, converted with NumPy)."""
    if isinstance(x, np.ndarray):
        return "numpy"
    if isinstance(x, (tuple, list)):  # torch.Size is a tuple from torch
        return "sequence"
    root = type(x).__module__.split(".")[0]
    if not (hasattr(x, "__dlpack__") or hasattr(x, "__array__")):
        root = ""  # not an array of that library: tf.TensorShape, ...
    if root == "torch":
        return "torch"
    if root == "tensorflow":
        return "tensorflow"
    if root in ("jax", "jaxlib"):
        return "jax"
    if root == "cupy":
        return "cupy"
    if hasattr(x, "__dlpack__"):
        return "dlpack"
    try:
        memoryview(x).release()  # the buffer protocol
        return "dlpack"
    except TypeError:
        return "sequence"


def _is_numpy_bfloat16(x: Any) -> bool:
    """A NumPy array of ml_dtypes.bfloat16 (without importing ml_dtypes)."""
    return isinstance(x, np.ndarray) and x.dtype.kind == "V" and x.dtype.name == "bfloat16"


def prepare(x: Any, sequence_dtype: Optional[str], name: str = "") -> Any:
    """``x`` in a form the extension reads without changing its dtype.

    Python sequences and scalars become NumPy arrays (of ``sequence_dtype``
    when given, the dtype the op requires of that argument). Byte-swapped NumPy
    arrays, which DLPack cannot describe, are converted to native byte order
    (the same values). PyTorch tensors that require grad are detached (DLPack
    refuses them; the result carries no autograd history either way), and
    PyTorch bool tensors on the CPU go as NumPy arrays (older PyTorch cannot
    export them through DLPack; they are rejected by dtype either way).
    A NumPy bfloat16 array where the op requires ``sequence_dtype`` raises
    InvalidArgumentError in the C API's words ("boxes must be float32, got
    bfloat16"), as a PyTorch bfloat16 tensor gets from the C API. Non-contiguous arrays are made contiguous by
    the extension, once.
    """
    if isinstance(x, np.generic):  # a NumPy scalar: a 0-D array of its dtype
        return np.asarray(x)
    kind = _library(x)
    if kind == "sequence":
        return np.asarray(x, dtype=sequence_dtype)
    if kind == "numpy":
        if _is_numpy_bfloat16(x) and sequence_dtype is not None:
            raise InvalidArgumentError(f"{name} must be {sequence_dtype}, got bfloat16")
        if not x.dtype.isnative:
            return x.astype(x.dtype.newbyteorder("="))
    if kind == "torch":
        if x.requires_grad:
            x = x.detach()
        # PyTorch before 2.x cannot export bool tensors through DLPack; NumPy
        # can carry them, so the extension reports the dtype as TensorFlow does.
        if x.dtype is sys.modules["torch"].bool and x.device.type == "cpu":
            return x.numpy()
    return x


def prepare_image(x: Any) -> Tuple[Any, bool]:
    """``(prepare(x, None), bfloat16_bits)``: a NumPy ``ml_dtypes.bfloat16``
    image (which neither DLPack nor the buffer protocol can carry) becomes a
    uint16 view of its bits, with ``bfloat16_bits`` True for the extension to
    describe it as bfloat16. Other libraries' bfloat16 (PyTorch, TensorFlow,
    JAX) go through DLPack as they are."""
    if _is_numpy_bfloat16(x):
        if not x.dtype.isnative:  # ml_dtypes arrays are native; for safety
            x = x.astype(x.dtype.newbyteorder("="))
        return x.view(np.uint16), True
    return prepare(x, None), False


def _result_kind(args: Sequence[Any]) -> Tuple[str, Any]:
    """The library the result goes to (see result_like) and the argument that
    decided it (None for NumPy)."""
    for x in args:
        kind = _library(x)
        if kind in ("torch", "tensorflow", "jax", "cupy"):
            return kind, x
    return "numpy", None


def _ml_dtypes_bfloat16() -> Any:
    try:
        import ml_dtypes
    except ImportError:
        return None
    return ml_dtypes.bfloat16


def check_result_kind(args: Sequence[Any], bfloat16: bool) -> None:
    """Before computing: a bfloat16 result can be returned to the caller's
    library. For NumPy (and CuPy, and DLPack producers crgb does not know) that
    takes ml_dtypes; raises ImportError naming it when it does not import."""
    if not bfloat16:
        return
    kind, _ = _result_kind(args)
    if kind in ("numpy", "cupy") and _ml_dtypes_bfloat16() is None:
        raise ImportError(
            "dtype='bfloat16' returns a NumPy array of ml_dtypes.bfloat16 for NumPy inputs, "
            "and ml_dtypes does not import here: install it (pip install ml_dtypes), pass "
            "PyTorch, TensorFlow or JAX inputs to get their bfloat16 tensor, or ask for "
            "dtype='float32'")


def result_like(result: np.ndarray, args: Sequence[Any], bfloat16: bool = False) -> Any:
    """``result`` (a NumPy array the extension allocated) in the library of the
    first argument that is neither a NumPy array nor a Python sequence: a
    ``torch.Tensor`` on the device of that tensor (sharing the memory on the
    CPU), a TensorFlow ``EagerTensor`` (through DLPack where TensorFlow accepts
    it, else a copy), a JAX array, a CuPy array; NumPy otherwise, and for
    DLPack producers crgb does not know.

    ``bfloat16``: ``result`` holds bfloat16 bits as uint16; returned as
    ``torch.bfloat16``, ``tf.bfloat16``, JAX's bfloat16, or a NumPy array of
    ``ml_dtypes.bfloat16`` (check_result_kind ran first; CuPy has no bfloat16,
    so it gets that NumPy array too)."""
    kind, x = _result_kind(args)
    if bfloat16:
        if kind == "torch":
            torch = sys.modules["torch"]
            # torch before 2.3 has no uint16: int16 has the same size to view.
            return torch.from_numpy(result.view(np.int16)).view(torch.bfloat16).to(x.device)
        bf16 = _ml_dtypes_bfloat16()  # TensorFlow and JAX depend on ml_dtypes
        result = result.view(bf16)
        if kind == "tensorflow":
            return sys.modules["tensorflow"].convert_to_tensor(result)
        if kind == "jax":
            import jax.numpy as jnp  # cheap: the caller has imported jax

            return jnp.asarray(result)
        return result
    if kind == "torch":  # on the tensor's device (CUDA inputs: results come to the host)
        return sys.modules["torch"].from_numpy(result).to(x.device)
    if kind == "tensorflow":
        tf = sys.modules["tensorflow"]
        try:
            return tf.experimental.dlpack.from_dlpack(result.__dlpack__())
        except Exception:  # an older NumPy or TensorFlow: one small copy
            return tf.convert_to_tensor(result)
    if kind == "jax":
        import jax.numpy as jnp  # cheap: the caller has imported jax

        return jnp.asarray(result)
    if kind == "cupy":
        return sys.modules["cupy"].asarray(result)  # on the current CUDA device
    return result
