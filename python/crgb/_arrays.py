"""Accepting arrays of any library, and returning the result in the caller's.

The extension reads every argument through nanobind's ``nb::ndarray``: NumPy
arrays (buffer protocol or DLPack) and any DLPack producer (PyTorch,
TensorFlow, JAX, CuPy, ...). This module prepares the few inputs DLPack cannot
carry as they are, and converts the NumPy result back to the library the
caller used.
"""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["prepare", "result_like"]


def _library(x: Any) -> str:
    """ "numpy", "torch", "tensorflow", "jax", "cupy", "dlpack" (another producer) or
    "sequence" (lists, scalars: anything else, converted with NumPy)."""
    if isinstance(x, np.ndarray):
        return "numpy"
    root = type(x).__module__.split(".")[0]
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


def prepare(x: Any, sequence_dtype: Optional[str]) -> Any:
    """``x`` in a form the extension reads without changing its dtype.

    Python sequences and scalars become NumPy arrays (of ``sequence_dtype``
    when given, the dtype the op requires of that argument). Byte-swapped NumPy
    arrays, which DLPack cannot describe, are converted to native byte order
    (the same values). PyTorch tensors that require grad are detached (DLPack
    refuses them; the result carries no autograd history either way), and
    PyTorch bool tensors on the CPU go as NumPy arrays (older PyTorch cannot
    export them through DLPack; they are rejected by dtype either way).
    Non-contiguous arrays are made contiguous by the extension, once.
    """
    if isinstance(x, np.generic):  # a NumPy scalar: a 0-D array of its dtype
        return np.asarray(x)
    kind = _library(x)
    if kind == "sequence":
        return np.asarray(x, dtype=sequence_dtype)
    if kind == "numpy" and not x.dtype.isnative:
        return x.astype(x.dtype.newbyteorder("="))
    if kind == "torch":
        if x.requires_grad:
            x = x.detach()
        # PyTorch before 2.x cannot export bool tensors through DLPack; NumPy
        # can carry them, so the extension reports the dtype as TensorFlow does.
        if x.dtype is sys.modules["torch"].bool and x.device.type == "cpu":
            return x.numpy()
    return x


def result_like(result: np.ndarray, args: Sequence[Any]) -> Any:
    """``result`` (a NumPy array the extension allocated) in the library of the
    first argument that is neither a NumPy array nor a Python sequence: a
    ``torch.Tensor`` on the device of that tensor (sharing the memory on the
    CPU), a TensorFlow ``EagerTensor`` (through DLPack where TensorFlow accepts
    it, else a copy), a JAX array, a CuPy array; NumPy otherwise, and for
    DLPack producers crgb does not know."""
    for x in args:
        kind = _library(x)
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
