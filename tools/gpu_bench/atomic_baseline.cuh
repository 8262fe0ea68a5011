// The box gradient as TensorFlow's GPU kernel is designed (SEMANTICS.md's
// math, TensorFlow's layout of the work): one thread per (box, crop row, crop
// column, channel) and four float atomicAdds into the box's four outputs. The
// benchmark's baseline for crgb's CUDA variants (scripts/gpu_check.sh), never
// part of the library: the order of the atomic additions, so the rounding of
// the result, changes from run to run, which crgb's variants do not allow.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace crgb::gpu_bench {

struct BaselineShape {
  int batch, image_height, image_width, depth, num_boxes, crop_height, crop_width;
};

// Zeroes output ([num_boxes, 4] float32 on the device) and adds every sample's
// contributions into it, on stream. T: float or uint8_t images.
template <typename T>
cudaError_t atomic_grad_boxes(const float *grads, const T *image, const float *boxes,
                              const int32_t *box_ind, const BaselineShape &shape, float *output,
                              cudaStream_t stream);

}  // namespace crgb::gpu_bench
