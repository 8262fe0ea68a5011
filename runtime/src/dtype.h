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
  return enum_value(t) >= CRGB_UINT8 && enum_value(t) <= CRGB_BFLOAT16;
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

// bfloat16 bits to float: exact (the upper half of a float32).
inline float bfloat16_to_float(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// float to bfloat16 bits, rounded to nearest even (Eigen's and ml_dtypes'
// rounding); NaN stays a quiet NaN of the same sign.
inline uint16_t float_to_bfloat16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

// float to IEEE binary16 bits, rounded to nearest even (as the F16C
// instruction and Eigen's half do), with overflow to infinity and subnormals.
uint16_t float_to_half(float f);

}  // namespace crgb::detail
