// Per-dtype facts the tests need: element size, the ten image dtypes, and
// reading/writing one element of a raw image buffer.
#ifndef CRGB_TESTS_SUPPORT_DTYPE_H
#define CRGB_TESTS_SUPPORT_DTYPE_H

#include <crgb/crgb.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crgb_test {

// All ten image dtypes (bfloat16 last), in enum order.
const std::vector<crgb_dtype> &all_dtypes();

size_t dtype_size(crgb_dtype dtype);

// Element i of a raw buffer converted to float32, exactly as the op converts
// image values before use (static_cast<float>, round to nearest).
float element_as_float(crgb_dtype dtype, const unsigned char *bytes, int64_t i);

// Stores v as element i: integers are rounded and clamped to the type's
// range, float16 and bfloat16 are rounded to nearest even (from float32),
// float32 rounded from double.
void store_element(crgb_dtype dtype, unsigned char *bytes, int64_t i, double v);

}  // namespace crgb_test

#endif
