"""crgb's exceptions: one class per status of the C API (crgb_status).

Each derives from :class:`Error` and from the builtin exception a Python
caller would expect (``ValueError`` for a bad argument, ``IndexError`` for an
index out of range, ...), and its ``str()`` is exactly the C API's
``crgb_error.message``: for the conditions TensorFlow validates, TensorFlow's
own message without its ``[Op:...]`` decoration.
"""

from __future__ import annotations

__all__ = [
    "Error",
    "InvalidArgumentError",
    "OutOfRangeError",
    "UnimplementedError",
    "UnavailableError",
    "InternalError",
    "error_class",
]


class Error(Exception):
    """Base of every error crgb reports. ``status`` names the C API status."""

    status: str = "Unknown"

    @property
    def message(self) -> str:
        """The C API's message (the same as ``str(error)``)."""
        return str(self)


class InvalidArgumentError(Error, ValueError):
    """An input TensorFlow's op would reject (shape, rank, dtype, method), or an
    unknown variant name. TensorFlow: ``tf.errors.InvalidArgumentError``."""

    status = "InvalidArgument"


class OutOfRangeError(Error, IndexError):
    """A ``box_ind`` value outside ``[0, batch)``. TensorFlow: ``tf.errors.OutOfRangeError``."""

    status = "OutOfRange"


class UnimplementedError(Error, NotImplementedError):
    """The requested variant was not built for this image dtype (the
    autoscheduled variants are built for uint8 and float32 only)."""

    status = "Unimplemented"


class UnavailableError(Error, RuntimeError):
    """The requested variant cannot run on this CPU, or the inputs are in
    device memory that no variant of this build can read (CUDA, ROCm, ...)."""

    status = "Unavailable"


class InternalError(Error, RuntimeError):
    """A failure inside crgb (out of memory, a Halide error): a bug or resource
    exhaustion, never a property of valid inputs."""

    status = "Internal"


# In the order of crgb_status (runtime/include/crgb/crgb.h); CRGB_OK is 0.
_BY_STATUS = {
    1: InvalidArgumentError,
    2: OutOfRangeError,
    3: UnimplementedError,
    4: UnavailableError,
    5: InternalError,
}


def error_class(status: int) -> type[Error]:
    """The exception class of a ``crgb_status`` value (the extension raises through it)."""
    return _BY_STATUS.get(status, InternalError)
