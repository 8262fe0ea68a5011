#include "dtype.h"

namespace crgb::detail {

const char *dtype_name(crgb_dtype t) {
  switch (t) {
    case CRGB_UINT8: return "uint8";
    case CRGB_UINT16: return "uint16";
    case CRGB_INT8: return "int8";
    case CRGB_INT16: return "int16";
    case CRGB_INT32: return "int32";
    case CRGB_INT64: return "int64";
    case CRGB_FLOAT16: return "float16";
    case CRGB_FLOAT32: return "float32";
    case CRGB_FLOAT64: return "float64";
    case CRGB_BFLOAT16: return "bfloat16";
  }
  return "unknown";
}

int dtype_bytes(crgb_dtype t) {
  switch (t) {
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
  return 0;
}

}  // namespace crgb::detail

namespace crgb::detail {

uint16_t float_to_half(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);   // NaN
  if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to inf
  if (magnitude >= 0x38800000u) {  // a normal half: drop 13 bits, ties to even
    uint32_t m = magnitude - 0x38000000u;
    m += 0xfffu + ((m >> 13) & 1u);
    return static_cast<uint16_t>(sign | (m >> 13));
  }
  if (magnitude < 0x33000000u) return sign;  // below half the smallest subnormal: zero
  // A subnormal half: the significand with its implicit bit, shifted into place.
  const int exponent = static_cast<int>(magnitude >> 23);  // 102 .. 112
  const uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
  const int shift = 126 - exponent;  // 14 .. 24
  uint32_t h = significand >> shift;
  const uint32_t rest = significand & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (h & 1u))) ++h;
  return static_cast<uint16_t>(sign | h);
}

}  // namespace crgb::detail
