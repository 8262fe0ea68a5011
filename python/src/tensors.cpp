#include "tensors.h"

#include <algorithm>
#include <string>

#include "errors.h"

namespace crgb_python {
namespace {

using Code = nb::dlpack::dtype_code;

bool crgb_dtype_of(nb::dlpack::dtype dt, crgb_dtype *out) {
  if (dt.lanes != 1) return false;
  const int bits = dt.bits;
  switch (static_cast<Code>(dt.code)) {
    case Code::UInt:
      if (bits == 8)
        *out = CRGB_UINT8;
      else if (bits == 16)
        *out = CRGB_UINT16;
      else
        return false;
      return true;
    case Code::Int:
      if (bits == 8)
        *out = CRGB_INT8;
      else if (bits == 16)
        *out = CRGB_INT16;
      else if (bits == 32)
        *out = CRGB_INT32;
      else if (bits == 64)
        *out = CRGB_INT64;
      else
        return false;
      return true;
    case Code::Float:
      if (bits == 16)
        *out = CRGB_FLOAT16;
      else if (bits == 32)
        *out = CRGB_FLOAT32;
      else if (bits == 64)
        *out = CRGB_FLOAT64;
      else
        return false;
      return true;
    case Code::Bfloat:
      if (bits != 16) return false;
      *out = CRGB_BFLOAT16;
      return true;
    default: return false;
  }
}

// NumPy's spelling where there is one ("bool", "uint32", "complex64"), and
// DLPack's lanes as a suffix ("float32x4").
std::string dtype_name(nb::dlpack::dtype dt) {
  std::string s;
  switch (static_cast<Code>(dt.code)) {
    case Code::Bool: s = "bool"; break;
    case Code::Int: s = "int" + std::to_string(dt.bits); break;
    case Code::UInt: s = "uint" + std::to_string(dt.bits); break;
    case Code::Float: s = "float" + std::to_string(dt.bits); break;
    case Code::Bfloat: s = "bfloat" + std::to_string(dt.bits); break;
    case Code::Complex: s = "complex" + std::to_string(dt.bits); break;
    default:
      s = "dtype code " + std::to_string(dt.code) + " of " + std::to_string(dt.bits) + " bits";
  }
  if (dt.lanes != 1) s += "x" + std::to_string(dt.lanes);
  return s;
}

Memory memory_of(int device_type) {
  switch (device_type) {
    case nb::device::cpu::value:
    case nb::device::cuda_host::value:     // pinned host memory
    case nb::device::cuda_managed::value:  // unified memory, readable by the CPU
      return Memory::host;
    case nb::device::cuda::value: return Memory::cuda;
    default: return Memory::other;
  }
}

}  // namespace

const char *device_name(int device_type) {
  switch (device_type) {
    case nb::device::cpu::value: return "cpu";
    case nb::device::cuda::value: return "cuda";
    case nb::device::cuda_host::value: return "cuda_host";
    case nb::device::opencl::value: return "opencl";
    case nb::device::vulkan::value: return "vulkan";
    case nb::device::metal::value: return "metal";
    case nb::device::rocm::value: return "rocm";
    case nb::device::rocm_host::value: return "rocm_host";
    case nb::device::cuda_managed::value: return "cuda_managed";
    case nb::device::oneapi::value: return "oneapi";
    default: return "unknown";
  }
}

Described describe(const Array &array, const char *name, std::optional<crgb_dtype> required,
                   bool bfloat16_bits) {
  Described d{};
  crgb_tensor &t = d.tensor;
  if (bfloat16_bits) {
    // crgb/_arrays.py passes NumPy's ml_dtypes.bfloat16 arrays (which neither
    // DLPack nor the buffer protocol can carry) as uint16 views of their bits.
    const nb::dlpack::dtype dt = array.dtype();
    if (dt.code != static_cast<uint8_t>(Code::UInt) || dt.bits != 16 || dt.lanes != 1)
      raise_status(CRGB_INTERNAL, std::string(name) + ": bfloat16 bits must come as uint16, got " +
                                      dtype_name(dt));
    t.dtype = CRGB_BFLOAT16;
  } else if (!crgb_dtype_of(array.dtype(), &t.dtype)) {
    const std::string got = dtype_name(array.dtype());
    if (required)
      raise_status(CRGB_INVALID_ARGUMENT,
                   std::string(name) + " must be " + crgb_dtype_name(*required) + ", got " + got);
    // TensorFlow's message for the image's type attribute T, in its spelling
    // of the allowed types (half, float, double), without its NodeDef dump.
    raise_status(CRGB_INVALID_ARGUMENT,
                 "Value for attr 'T' of " + got +
                     " is not in the list of allowed values: uint8, uint16, int8, int16, int32, "
                     "int64, half, float, double");
  }
  t.data = array.data();
  // A rank past CRGB_MAX_RANK is passed as it is, with the first dimensions,
  // for the C API to reject.
  t.rank = static_cast<int32_t>(array.ndim());
  const size_t kept = std::min<size_t>(array.ndim(), CRGB_MAX_RANK);
  for (size_t i = 0; i < kept; ++i) t.shape[i] = array.shape(i);
  d.device_type = array.device_type();
  d.device_id = array.device_id();
  d.memory = memory_of(d.device_type);
  t.device = d.memory == Memory::cuda ? CRGB_DEVICE_CUDA : CRGB_DEVICE_HOST;
  return d;
}

}  // namespace crgb_python
