// A dense row-major tensor seen as a halide_buffer_t: dimensions reversed, so
// Halide's dim 0 is TensorFlow's last (innermost) axis. Refers to host memory
// (host) or, for the CUDA variants, is given a device pointer afterwards.
#pragma once

#include <crgb/crgb.h>

#include <HalideRuntime.h>

#include <cstdint>
#include <initializer_list>

namespace crgb::detail {

inline halide_type_t halide_type(crgb_dtype t) {
  switch (t) {
    case CRGB_UINT8: return {halide_type_uint, 8, 1};
    case CRGB_UINT16: return {halide_type_uint, 16, 1};
    case CRGB_INT8: return {halide_type_int, 8, 1};
    case CRGB_INT16: return {halide_type_int, 16, 1};
    case CRGB_INT32: return {halide_type_int, 32, 1};
    case CRGB_INT64: return {halide_type_int, 64, 1};
    case CRGB_FLOAT16: return {halide_type_float, 16, 1};
    case CRGB_FLOAT32: return {halide_type_float, 32, 1};
    case CRGB_FLOAT64: return {halide_type_float, 64, 1};
    // As the generators declare it: its bits (generators/conversions.h).
    case CRGB_BFLOAT16: return {halide_type_uint, 16, 1};
  }
  return {};
}

struct View {
  halide_dimension_t dims[4] = {};
  halide_buffer_t buffer = {};

  // Extents were checked to fit int32 (fits_halide_indexing).
  View(const void *host, crgb_dtype dtype, std::initializer_list<int64_t> nhwc) {
    int rank = static_cast<int>(nhwc.size());
    const int64_t *shape = nhwc.begin();
    int32_t stride = 1;
    for (int i = 0; i < rank; ++i) {
      int32_t extent = static_cast<int32_t>(shape[rank - 1 - i]);
      dims[i] = {0, extent, stride, 0};
      stride *= extent;
    }
    buffer.host = static_cast<uint8_t *>(const_cast<void *>(host));
    buffer.type = halide_type(dtype);
    buffer.dimensions = rank;
    buffer.dim = dims;
  }
  View(const View &) = delete;
  View &operator=(const View &) = delete;

  // Bytes the tensor spans.
  size_t bytes() const { return buffer.size_in_bytes(); }
};

}  // namespace crgb::detail
