// Runs a CUDA variant. Device-resident inputs are read in place (wrapped, never
// copied to the host) after box_ind and boxes are checked on the GPU; host
// inputs (a CUDA variant asked for by name) are copied to the GPU once. All
// work goes on the caller's stream in the caller's context (cuda_hooks.h).
#pragma once

#include <crgb/crgb.h>

#include "halide_variants.h"
#include "validate.h"

namespace crgb::detail {

struct CudaPlacement {
  void *context = nullptr;                // CUcontext; NULL: see crgb.h, crgb_options
  void *stream = nullptr;                 // CUstream; NULL: the context's legacy default stream
  crgb_device output = CRGB_DEVICE_HOST;  // where `output` points
};

// Inputs validated (shapes.device says where they are), num_boxes non-zero,
// sizes within Halide's 32-bit indexing. Writes 4 * num_boxes
// floats to `output` (host memory: before returning; CUDA memory: in stream
// order) and nothing on error.
Status run_cuda(const HalideVariant &variant, const Shapes &shapes, const crgb_tensor &grads,
                const crgb_tensor &image, const crgb_tensor &boxes, const crgb_tensor &box_ind,
                float *output, const CudaPlacement &placement);

// CropAndResize and CropAndResizeGradImage on a CUDA variant: inputs
// validated, outputs non-empty (and, for the gradient, num_boxes non-zero),
// sizes within Halide's 32-bit indexing. As run_cuda, writing the op's output.
Status run_cuda_crop(const HalideVariant &variant, const Shapes &shapes, const crgb_tensor &image,
                     const crgb_tensor &boxes, const crgb_tensor &box_ind, bool nearest,
                     float extrapolation_value, float *output, const CudaPlacement &placement);
Status run_cuda_grad_image(const HalideVariant &variant, const Shapes &shapes,
                           const crgb_tensor &grads, const crgb_tensor &boxes,
                           const crgb_tensor &box_ind, bool nearest, crgb_dtype output_dtype,
                           void *output, const CudaPlacement &placement);

// An all-zero output of `bytes` (an image gradient with no boxes), in host
// memory or, in stream order, in CUDA memory.
Status run_cuda_zeros(const HalideVariant &variant, const Shapes &shapes, void *output,
                      int64_t bytes, const CudaPlacement &placement);

// crgb_cuda_release (crgb.h): frees the cached device memory and, for a
// non-NULL context, unloads the kernels Halide loaded into it.
Status release_cuda(void *context);

}  // namespace crgb::detail
