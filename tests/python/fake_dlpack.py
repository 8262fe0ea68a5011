"""A DLPack producer that claims any device, built with ctypes.

No GPU framework is installed in the test environments, so this is how the
tests hand crgb tensors "in CUDA memory" (or ROCm, or CUDA-pinned host
memory). The data pointer is a real host buffer's, so that nothing reads
unowned memory even if something read it. DLPackOnly wraps an array as a
producer crgb does not know by type, on the host.
"""

import ctypes

import numpy as np

KDL_CPU, KDL_CUDA, KDL_CUDA_HOST, KDL_ROCM = 1, 2, 3, 10


class _Device(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _Device), ("ndim", ctypes.c_int32),
                ("dtype", _DataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class _Managed(ctypes.Structure):
    _fields_ = [("dl_tensor", _Tensor), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p)]


_NAME = b"dltensor"  # must outlive every capsule
_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_CODES = {"i": 0, "u": 1, "f": 2}


class FakeDeviceArray:
    """``array``'s contents, announced as living on ``device_type``."""

    def __init__(self, array: np.ndarray, device_type: int, device_id: int = 0):
        self._array = np.ascontiguousarray(array)
        self._device = (device_type, device_id)

    def __dlpack_device__(self):
        return self._device

    def __dlpack__(self, stream=None, **kwargs):
        a = self._array
        # Kept alive with the capsule's producer (self) and the consumer's
        # reference to self; the deleter is NULL, so nothing is freed.
        self._shape = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
        m = _Managed()
        m.dl_tensor.data = a.ctypes.data
        m.dl_tensor.device = _Device(*self._device)
        m.dl_tensor.ndim = a.ndim
        m.dl_tensor.dtype = _DataType(_CODES[a.dtype.kind], a.dtype.itemsize * 8, 1)
        m.dl_tensor.shape = self._shape
        m.dl_tensor.strides = None  # C order
        self._managed = m
        return _capsule_new(ctypes.addressof(m), _NAME, None)


class DLPackOnly:
    """A DLPack producer crgb knows nothing about."""

    def __init__(self, a):
        self._a = a

    def __dlpack__(self, *args, **kwargs):
        return self._a.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()
