// IEEE 754 binary16 and bfloat16 <-> binary32, written out bit by bit so the test suite
// does not depend on compiler support for _Float16 or F16C.
#ifndef CRGB_TESTS_SUPPORT_HALF_H
#define CRGB_TESTS_SUPPORT_HALF_H

#include <cstdint>

namespace crgb_test {

// Exact: every binary16 value (subnormals, infinities, NaN payloads) is a binary32 value.
float half_to_float(uint16_t bits);

// Rounds to nearest, ties to even, as a hardware conversion does; overflow gives
// infinity, NaN stays NaN (quiet).
uint16_t float_to_half(float value);

// bfloat16 (the upper half of a binary32): exact to float.
float bfloat16_to_float(uint16_t bits);

// Rounds to nearest, ties to even (ml_dtypes' and Eigen's rounding); NaN stays NaN.
uint16_t float_to_bfloat16(float value);

}  // namespace crgb_test

#endif
