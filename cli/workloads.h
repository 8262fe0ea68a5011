// The built-in benchmark workloads W1-W5 (README), generated deterministically,
// and the bytes each op must move on them.
#ifndef CRGB_CLI_WORKLOADS_H
#define CRGB_CLI_WORKLOADS_H

#include <crgb/crgb.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

namespace crgb::cli {

struct WorkloadSpec {
  std::string name;
  int64_t batch, image_height, image_width, depth, num_boxes, crop_height, crop_width;
  crgb_dtype image_dtype;
};

// W1..W6, in order (W6, about 800 MB of grads, is the large GPU workload).
const std::vector<WorkloadSpec> &builtin_workloads();

// Allocates on 64-byte boundaries, as TensorFlow and PyTorch allocate tensors
// (malloc gives 16 here): from an address 16 bytes past a cache line, every
// 64-byte AVX-512 load spans two lines. On W4 that made the AVX-512 variant
// 1.4x slower (crgb bench, 2026-11-29: 9.6-10.0 ms against 6.8-7.2 aligned);
// the AVX2 variant's times stayed within the noise.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T *p, size_t) { ::operator delete(p, kAlign); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U> &) const {
    return true;
  }
  template <typename U>
  bool operator!=(const CacheLineAllocator<U> &) const {
    return false;
  }
};
template <typename T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

// The tensors of one workload: fixed seed; boxes uniform, 10% partly outside
// [0, 1], 10% flipped.
struct Workload {
  WorkloadSpec spec;
  AlignedVector<float> grads, boxes;
  AlignedVector<int32_t> box_ind;
  AlignedVector<unsigned char> image;  // spec.image_dtype elements
  crgb_tensor grads_t() const;
  crgb_tensor image_t() const;
  crgb_tensor boxes_t() const;
  crgb_tensor box_ind_t() const;
  // Every distinct image pixel (all channels, in spec.image_dtype) that an
  // in-image sample touches: what CropAndResize and GradBoxes must read of the
  // image.
  int64_t touched_image_bytes() const;
  // All of grads (float32); also the size of CropAndResize's crops.
  int64_t grads_bytes() const;
  // The image's element count, batch x height x width x depth: GradImage
  // writes that many elements of its output dtype.
  int64_t image_elems() const;
  // Bytes GradBoxes must read: grads_bytes() + touched_image_bytes().
  int64_t required_bytes() const;
};

Workload make_workload(const WorkloadSpec &spec, uint32_t seed);

}  // namespace crgb::cli

#endif  // CRGB_CLI_WORKLOADS_H
