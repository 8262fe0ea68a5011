// Element types: names, sizes and the float16 -> float32 conversion.
#pragma once

#include <crgb/crgb.h>

#include <cstdint>
#include <cstring>

namespace crgb::detail {

// The int a C enum field or argument holds. A C caller may store any int
// there, and loading a value outside the enumerators' range through the C++
// enum type is undefined behaviour (UBSan's -fsanitize=enum): read the bytes.
template <typename E>
int enum_value(const E &e) {
  static_assert(sizeof(E) == sizeof(int), "C enums are int-sized here");
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

inline bool dtype_valid(const crgb_dtype &t) {
  return enum_value(t) >= CRGB_UINT8 && enum_value(t) <= CRGB_FLOAT64;
}
const char *dtype_name(crgb_dtype t);
int dtype_bytes(crgb_dtype t);

// IEEE binary16 bits to float, exactly (subnormals, infinities, NaN).
inline float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalize
    int e = -1;
    do {
      ++e;
      mantissa <<= 1;
    } while ((mantissa & 0x400u) == 0);
    bits = sign | uint32_t(112 - e) << 23 | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace crgb::detail
