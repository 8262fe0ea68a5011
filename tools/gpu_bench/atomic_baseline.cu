#include "atomic_baseline.cuh"

namespace crgb::gpu_bench {
namespace {

template <typename T>
__global__ void grad_boxes_kernel(const float *grads, const T *image, const float *boxes,
                                  const int32_t *box_ind, BaselineShape s, float *output) {
  const int64_t total = int64_t(s.num_boxes) * s.crop_height * s.crop_width * s.depth;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(blockDim.x) * gridDim.x) {
    const int d = int(i % s.depth);
    const int x = int((i / s.depth) % s.crop_width);
    const int y = int((i / s.depth / s.crop_width) % s.crop_height);
    const int b = int(i / s.depth / s.crop_width / s.crop_height);
    const float y1 = boxes[b * 4 + 0], x1 = boxes[b * 4 + 1];
    const float y2 = boxes[b * 4 + 2], x2 = boxes[b * 4 + 3];
    const int n = box_ind[b];
    if (n < 0 || n >= s.batch) continue;  // validated on the host before the launch
    const float h1 = float(s.image_height - 1), w1 = float(s.image_width - 1);
    const float height_ratio = s.crop_height > 1 ? h1 / (s.crop_height - 1) : 0.0f;
    const float width_ratio = s.crop_width > 1 ? w1 / (s.crop_width - 1) : 0.0f;
    const float height_scale = s.crop_height > 1 ? (y2 - y1) * height_ratio : 0.0f;
    const float width_scale = s.crop_width > 1 ? (x2 - x1) * width_ratio : 0.0f;
    const float in_y = s.crop_height > 1
                           ? __fadd_rn(__fmul_rn(y1, h1), __fmul_rn(float(y), height_scale))
                           : 0.5f * (y1 + y2) * h1;
    if (!(in_y >= 0.0f && in_y <= h1)) continue;
    const float in_x = s.crop_width > 1
                           ? __fadd_rn(__fmul_rn(x1, w1), __fmul_rn(float(x), width_scale))
                           : 0.5f * (x1 + x2) * w1;
    if (!(in_x >= 0.0f && in_x <= w1)) continue;
    const int top = int(floorf(in_y)), bottom = int(ceilf(in_y));
    const int left = int(floorf(in_x)), right = int(ceilf(in_x));
    const float y_lerp = in_y - top, x_lerp = in_x - left;
    auto at = [&](int yy, int xx) {
      return float(image[((int64_t(n) * s.image_height + yy) * s.image_width + xx) * s.depth + d]);
    };
    const float tl = at(top, left), tr = at(top, right), bl = at(bottom, left),
                br = at(bottom, right);
    const float g = grads[i];
    const float gy = ((1 - x_lerp) * (bl - tl) + x_lerp * (br - tr)) * g;
    const float gx = ((1 - y_lerp) * (tr - tl) + y_lerp * (br - bl)) * g;
    const float wy1 = s.crop_height > 1 ? h1 - y * height_ratio : 0.5f * h1;
    const float wy2 = s.crop_height > 1 ? y * height_ratio : 0.5f * h1;
    const float wx1 = s.crop_width > 1 ? w1 - x * width_ratio : 0.5f * w1;
    const float wx2 = s.crop_width > 1 ? x * width_ratio : 0.5f * w1;
    atomicAdd(output + b * 4 + 0, gy * wy1);
    atomicAdd(output + b * 4 + 1, gx * wx1);
    atomicAdd(output + b * 4 + 2, gy * wy2);
    atomicAdd(output + b * 4 + 3, gx * wx2);
  }
}

}  // namespace

template <typename T>
cudaError_t atomic_grad_boxes(const float *grads, const T *image, const float *boxes,
                              const int32_t *box_ind, const BaselineShape &shape, float *output,
                              cudaStream_t stream) {
  cudaError_t e = cudaMemsetAsync(output, 0, sizeof(float) * 4 * shape.num_boxes, stream);
  if (e != cudaSuccess) return e;
  const int64_t total =
      int64_t(shape.num_boxes) * shape.crop_height * shape.crop_width * shape.depth;
  if (total == 0) return cudaSuccess;
  // TensorFlow's launch shape: enough blocks of 1024 (here 256) threads to
  // cover the work, capped, with a grid-stride loop for the rest.
  constexpr int kThreads = 256;
  const int64_t blocks = (total + kThreads - 1) / kThreads;
  grad_boxes_kernel<T><<<int(blocks < 65535 * 32 ? blocks : 65535 * 32), kThreads, 0, stream>>>(
      grads, image, boxes, box_ind, shape, output);
  return cudaGetLastError();
}

template cudaError_t atomic_grad_boxes<float>(const float *, const float *, const float *,
                                              const int32_t *, const BaselineShape &, float *,
                                              cudaStream_t);
template cudaError_t atomic_grad_boxes<uint8_t>(const float *, const uint8_t *, const float *,
                                                const int32_t *, const BaselineShape &, float *,
                                                cudaStream_t);

}  // namespace crgb::gpu_bench
