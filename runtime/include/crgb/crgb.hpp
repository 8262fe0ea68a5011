// Thin C++ layer over crgb.h: exceptions instead of status codes, std::vector
// results, typed tensor descriptors.
#ifndef CRGB_CRGB_HPP
#define CRGB_CRGB_HPP

#include <crgb/crgb.h>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace crgb {

class Error : public std::runtime_error {
 public:
  Error(crgb_status status, const std::string &message)
      : std::runtime_error(std::string(crgb_status_name(status)) + ": " + message),
        status_(status),
        message_(message) {}
  crgb_status status() const { return status_; }
  // The message alone, without the "<Class>: " prefix.
  const std::string &message() const { return message_; }

 private:
  crgb_status status_;
  std::string message_;
};

template <typename T>
struct dtype_of;
template <>
struct dtype_of<uint8_t> {
  static constexpr crgb_dtype value = CRGB_UINT8;
};
template <>
struct dtype_of<uint16_t> {
  static constexpr crgb_dtype value = CRGB_UINT16;
};
template <>
struct dtype_of<int8_t> {
  static constexpr crgb_dtype value = CRGB_INT8;
};
template <>
struct dtype_of<int16_t> {
  static constexpr crgb_dtype value = CRGB_INT16;
};
template <>
struct dtype_of<int32_t> {
  static constexpr crgb_dtype value = CRGB_INT32;
};
template <>
struct dtype_of<int64_t> {
  static constexpr crgb_dtype value = CRGB_INT64;
};
template <>
struct dtype_of<float> {
  static constexpr crgb_dtype value = CRGB_FLOAT32;
};
template <>
struct dtype_of<double> {
  static constexpr crgb_dtype value = CRGB_FLOAT64;
};

// A descriptor for raw data of any dtype (float16 has no C++ type: pass the
// bits as uint16_t data with CRGB_FLOAT16).
inline crgb_tensor tensor(const void *data, crgb_dtype dtype,
                          std::initializer_list<int64_t> shape) {
  crgb_tensor t{};
  t.data = data;
  t.dtype = dtype;
  t.rank = 0;
  for (int64_t s : shape) {
    if (t.rank == CRGB_MAX_RANK) throw Error(CRGB_INVALID_ARGUMENT, "rank above CRGB_MAX_RANK");
    t.shape[t.rank++] = s;
  }
  t.device = CRGB_DEVICE_HOST;
  return t;
}
inline crgb_tensor tensor(const void *data, crgb_dtype dtype, const std::vector<int64_t> &shape) {
  crgb_tensor t{};
  t.data = data;
  t.dtype = dtype;
  if (shape.size() > CRGB_MAX_RANK) throw Error(CRGB_INVALID_ARGUMENT, "rank above CRGB_MAX_RANK");
  t.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) t.shape[i] = shape[i];
  t.device = CRGB_DEVICE_HOST;
  return t;
}
template <typename T>
crgb_tensor tensor(const T *data, std::initializer_list<int64_t> shape) {
  return tensor(static_cast<const void *>(data), dtype_of<T>::value, shape);
}
template <typename T>
crgb_tensor tensor(const T *data, const std::vector<int64_t> &shape) {
  return tensor(static_cast<const void *>(data), dtype_of<T>::value, shape);
}

// Number of boxes a valid call produces rows for (0 when boxes is empty).
inline int64_t output_rows(const crgb_tensor &boxes) {
  return boxes.rank >= 1 ? boxes.shape[0] : 0;
}

// Returns the [num_boxes, 4] result, row-major. Throws crgb::Error.
inline std::vector<float> grad_boxes(const crgb_tensor &grads, const crgb_tensor &image,
                                     const crgb_tensor &boxes, const crgb_tensor &box_ind,
                                     const std::string &variant = "",
                                     const std::string &method = "bilinear") {
  int64_t rows = output_rows(boxes);
  std::vector<float> out(static_cast<size_t>(rows > 0 ? rows * 4 : 0));
  crgb_error err{};
  crgb_status s = crgb_grad_boxes(&grads, &image, &boxes, &box_ind, method.c_str(),
                                  variant.empty() ? nullptr : variant.c_str(), out.data(),
                                  static_cast<int64_t>(out.size()), &err);
  if (s != CRGB_OK) throw Error(s, err.message);
  return out;
}

struct VariantInfo {
  std::string name, target;
  bool available, selected;
};

inline std::vector<VariantInfo> variants() {
  std::vector<VariantInfo> v;
  int n = crgb_variant_count();
  for (int i = 0; i < n; ++i) {
    crgb_variant_info info{};
    if (crgb_variant_get(i, &info) == 0)
      v.push_back({info.name, info.target, info.available != 0, info.selected != 0});
  }
  return v;
}

}  // namespace crgb

#endif  // CRGB_CRGB_HPP
