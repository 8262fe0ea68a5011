// The tests' own access to a CUDA GPU, independent of the library's: the
// driver API loaded with dlopen (the test machines have no CUDA toolkit), a
// context, a stream and device buffers, to hand the library device-resident
// tensors and read its device results back.
#ifndef CRGB_TESTS_CUDA_GPU_H
#define CRGB_TESTS_CUDA_GPU_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crgb_test {

class Gpu {
 public:
  // The GPU the tests use (device 0, its primary context), or nullptr with
  // the driver's reason in *why. Loaded once per process.
  static Gpu *get(std::string *why);

  // Makes the primary context current on the calling thread.
  void make_current() const;
  int compute_capability() const { return capability_; }  // 10 * major + minor
  void *context() const { return context_; }

  // Device memory; the test fails (throws) on any driver error.
  uint64_t alloc(size_t bytes) const;
  void free(uint64_t ptr) const;
  void upload(uint64_t dst, const void *src, size_t bytes) const;
  void download(void *dst, uint64_t src, size_t bytes) const;
  void fill_bytes(uint64_t dst, unsigned char value, size_t bytes) const;
  // A stream that does not synchronise with the legacy default stream.
  void *create_stream() const;
  void destroy_stream(void *stream) const;
  void synchronize(void *stream) const;
  size_t free_memory() const;

  struct Api;

 private:
  Gpu() = default;
  const Api *api_ = nullptr;
  void *context_ = nullptr;
  int capability_ = 0;
};

// A device copy of a host vector, freed on destruction.
class DeviceBuffer {
 public:
  DeviceBuffer(const Gpu &gpu, const void *data, size_t bytes);
  explicit DeviceBuffer(const Gpu &gpu, size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  const void *ptr() const { return reinterpret_cast<const void *>(static_cast<uintptr_t>(ptr_)); }
  float *float_ptr() const { return reinterpret_cast<float *>(static_cast<uintptr_t>(ptr_)); }
  template <typename T>
  std::vector<T> download(size_t count) const {
    std::vector<T> v(count);
    if (count) gpu_.download(v.data(), ptr_, count * sizeof(T));
    return v;
  }

 private:
  const Gpu &gpu_;
  uint64_t ptr_ = 0;
};

}  // namespace crgb_test

#endif
