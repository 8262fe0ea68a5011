// From nanobind arrays (NumPy, or any DLPack producer: PyTorch, TensorFlow,
// JAX, CuPy, ...) to the C API's crgb_tensor descriptors.
#ifndef CRGB_PYTHON_TENSORS_H
#define CRGB_PYTHON_TENSORS_H

#include <crgb/crgb.h>
#include <nanobind/ndarray.h>

#include <optional>

namespace crgb_python {

namespace nb = nanobind;

// Read-only and C-contiguous: nanobind makes a non-contiguous NumPy, PyTorch,
// TensorFlow or CuPy input contiguous once (one copy) before the call.
using Array = nb::ndarray<nb::ro, nb::c_contig>;

// Where an array's memory is, as far as crgb is concerned.
enum class Memory {
  host,   // the CPU can read it: CPU, CUDA-pinned and CUDA-managed memory
  cuda,   // CUDA device memory: a CRGB_DEVICE_CUDA descriptor
  other,  // ROCm, Metal, OpenCL, ...: nothing in crgb can read it
};

struct Described {
  crgb_tensor tensor;
  Memory memory;
  int device_type;  // DLPack's kDL* code, for messages
  int device_id;
};

// Describes `array` for the C API. `required` is the dtype the op demands of
// it (float32 for grads and boxes, int32 for box_ind), nullopt for the image.
// A dtype the C API can express is passed through even when wrong, so that the
// C API's validation reports it; one it cannot (bool, uint32, complex, ...)
// raises InvalidArgumentError here: for the image TensorFlow's message, for
// the others the C API's. `bfloat16_bits`: `array` is a uint16 view of
// bfloat16 values (NumPy's ml_dtypes.bfloat16, see crgb/_arrays.py), described
// as CRGB_BFLOAT16.
Described describe(const Array &array, const char *name, std::optional<crgb_dtype> required,
                   bool bfloat16_bits = false);

// "cpu", "cuda", "rocm", ... for a DLPack device type.
const char *device_name(int device_type);

}  // namespace crgb_python

#endif  // CRGB_PYTHON_TENSORS_H
