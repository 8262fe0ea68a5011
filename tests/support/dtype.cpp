#include "support/dtype.h"

#include "support/half.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace crgb_test {
namespace {

template <typename T>
T load(const unsigned char *bytes, int64_t i) {
  T v;
  std::memcpy(&v, bytes + static_cast<size_t>(i) * sizeof(T), sizeof(T));
  return v;
}

template <typename T>
void store(unsigned char *bytes, int64_t i, T v) {
  std::memcpy(bytes + static_cast<size_t>(i) * sizeof(T), &v, sizeof(T));
}

// Rounds and clamps; the bounds are converted to double exactly enough for
// the test data ranges (int64's max rounds up to 2^63, hence the strict test).
template <typename T>
T to_integer(double v) {
  const double lo = static_cast<double>(std::numeric_limits<T>::min());
  const double hi = static_cast<double>(std::numeric_limits<T>::max());
  const double r = std::nearbyint(v);
  if (r <= lo) return std::numeric_limits<T>::min();
  if (r >= hi) return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

}  // namespace

const std::vector<crgb_dtype> &all_dtypes() {
  static const std::vector<crgb_dtype> dtypes = {
      CRGB_UINT8, CRGB_UINT16,  CRGB_INT8,    CRGB_INT16,   CRGB_INT32,
      CRGB_INT64, CRGB_FLOAT16, CRGB_FLOAT32, CRGB_FLOAT64, CRGB_BFLOAT16};
  return dtypes;
}

size_t dtype_size(crgb_dtype dtype) {
  switch (dtype) {
    case CRGB_UINT8:
    case CRGB_INT8: return 1;
    case CRGB_UINT16:
    case CRGB_INT16:
    case CRGB_FLOAT16:
    case CRGB_BFLOAT16: return 2;
    case CRGB_INT32:
    case CRGB_FLOAT32: return 4;
    case CRGB_INT64:
    case CRGB_FLOAT64: return 8;
  }
  throw std::invalid_argument("dtype_size: unknown dtype");
}

float element_as_float(crgb_dtype dtype, const unsigned char *bytes, int64_t i) {
  switch (dtype) {
    case CRGB_UINT8: return static_cast<float>(load<uint8_t>(bytes, i));
    case CRGB_UINT16: return static_cast<float>(load<uint16_t>(bytes, i));
    case CRGB_INT8: return static_cast<float>(load<int8_t>(bytes, i));
    case CRGB_INT16: return static_cast<float>(load<int16_t>(bytes, i));
    case CRGB_INT32: return static_cast<float>(load<int32_t>(bytes, i));
    case CRGB_INT64: return static_cast<float>(load<int64_t>(bytes, i));
    case CRGB_FLOAT16: return half_to_float(load<uint16_t>(bytes, i));
    case CRGB_FLOAT32: return load<float>(bytes, i);
    case CRGB_FLOAT64: return static_cast<float>(load<double>(bytes, i));
    case CRGB_BFLOAT16: return bfloat16_to_float(load<uint16_t>(bytes, i));
  }
  throw std::invalid_argument("element_as_float: unknown dtype");
}

void store_element(crgb_dtype dtype, unsigned char *bytes, int64_t i, double v) {
  switch (dtype) {
    case CRGB_UINT8: return store(bytes, i, to_integer<uint8_t>(v));
    case CRGB_UINT16: return store(bytes, i, to_integer<uint16_t>(v));
    case CRGB_INT8: return store(bytes, i, to_integer<int8_t>(v));
    case CRGB_INT16: return store(bytes, i, to_integer<int16_t>(v));
    case CRGB_INT32: return store(bytes, i, to_integer<int32_t>(v));
    case CRGB_INT64: return store(bytes, i, to_integer<int64_t>(v));
    case CRGB_FLOAT16: return store(bytes, i, float_to_half(static_cast<float>(v)));
    case CRGB_FLOAT32: return store(bytes, i, static_cast<float>(v));
    case CRGB_FLOAT64: return store(bytes, i, v);
    case CRGB_BFLOAT16: return store(bytes, i, float_to_bfloat16(static_cast<float>(v)));
  }
  throw std::invalid_argument("store_element: unknown dtype");
}

}  // namespace crgb_test
