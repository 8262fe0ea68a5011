// Element access for the reference variant: each dtype read as float, as
// TensorFlow's static_cast<float> does, and the dtype switch written once.
#pragma once

#include <crgb/crgb.h>

#include <cstdint>

#include "dtype.h"

namespace crgb::detail {

// Tags for the two 16-bit float formats, which have no C++ type here.
struct Half {};
struct BFloat16 {};

template <typename T>
struct Pixel {
  static float get(const void *data, int64_t i) {
    return static_cast<float>(static_cast<const T *>(data)[i]);
  }
};
template <>
struct Pixel<Half> {
  static float get(const void *data, int64_t i) {
    return half_to_float(static_cast<const uint16_t *>(data)[i]);
  }
};
template <>
struct Pixel<BFloat16> {
  static float get(const void *data, int64_t i) {
    return bfloat16_to_float(static_cast<const uint16_t *>(data)[i]);
  }
};

// Calls f.template operator()<T>() with T the C++ type (or tag) of dtype.
template <typename F>
void with_dtype(crgb_dtype dtype, F &&f) {
  switch (dtype) {
    case CRGB_UINT8: return f(uint8_t{});
    case CRGB_UINT16: return f(uint16_t{});
    case CRGB_INT8: return f(int8_t{});
    case CRGB_INT16: return f(int16_t{});
    case CRGB_INT32: return f(int32_t{});
    case CRGB_INT64: return f(int64_t{});
    case CRGB_FLOAT16: return f(Half{});
    case CRGB_FLOAT32: return f(float{});
    case CRGB_FLOAT64: return f(double{});
    case CRGB_BFLOAT16: return f(BFloat16{});
  }
}

}  // namespace crgb::detail
