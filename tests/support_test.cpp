// Tests of the test oracle itself: the float16 conversions, a hand-computed
// case of the float64 re-derivation, and that the tolerance rejects what it
// is meant to reject. A wrong oracle would make every other suite meaningless.
#include "support/dtype.h"
#include "support/generate.h"
#include "support/half.h"
#include "support/rederive.h"
#include "support/tolerance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace crgb_test {
namespace {

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

TEST(Half, KnownValues) {
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(half_to_float(0x03ff), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(half_to_float(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(bits(half_to_float(0x8000)), 0x80000000u);
  EXPECT_EQ(half_to_float(0x7c00), INFINITY);
  EXPECT_EQ(half_to_float(0xfc00), -INFINITY);
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
  EXPECT_EQ(float_to_half(65519.0f), 0x7bff);               // below the midpoint to infinity
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);               // the midpoint rounds to even: infinity
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);  // tie to even: zero
  EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(float_to_half(std::ldexp(3.0f, -25)), 0x0002);         // 1.5 ulp: tie to even
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie to even, down
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // tie to even, up
  EXPECT_EQ(float_to_half(NAN) & 0x7c00, 0x7c00);
}

// Every half survives the round trip (NaNs stay NaN).
TEST(Half, RoundTripIsExact) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(half_to_float(float_to_half(f)))) << h;
    } else {
      ASSERT_EQ(float_to_half(f), h) << std::hex << h;
    }
  }
}

#if defined(__aarch64__)
// GCC 12's C++ has no _Float16 on AArch64; __fp16 is IEEE binary16 there, with
// the hardware's conversions (fcvt).
using CompilerHalf = __fp16;
#define CRGB_HAVE_COMPILER_HALF 1
#elif defined(__FLT16_MAX__)
using CompilerHalf = _Float16;
#define CRGB_HAVE_COMPILER_HALF 1
#endif

#if defined(CRGB_HAVE_COMPILER_HALF)
// Against the compiler's own conversions, over halves and many floats between them.
TEST(Half, AgreesWithCompilerFloat16) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    CompilerHalf c;
    const uint16_t hb = static_cast<uint16_t>(h);
    std::memcpy(&c, &hb, sizeof c);
    const float f = half_to_float(hb);
    if (!std::isnan(f)) {
      ASSERT_EQ(bits(f), bits(static_cast<float>(c))) << std::hex << h;
    }
  }
  std::mt19937 rng(5u);
  for (int i = 0; i < 200000; ++i) {
    uint32_t u = static_cast<uint32_t>(rng());
    u = (u & 0x80ffffffu) | ((0x60u + (u >> 24) % 0x30u) << 23);  // exponents around half's range
    float f;
    std::memcpy(&f, &u, sizeof f);
    const CompilerHalf c = static_cast<CompilerHalf>(f);
    uint16_t cb;
    std::memcpy(&cb, &c, sizeof cb);
    ASSERT_EQ(float_to_half(f), cb) << f;
  }
}
#endif

TEST(Dtype, ConversionsRoundToNearest) {
  unsigned char buf[8];
  const int64_t big = (int64_t{1} << 40) + 1;  // not a float32: rounds to 2^40
  std::memcpy(buf, &big, 8);
  EXPECT_EQ(element_as_float(CRGB_INT64, buf, 0), std::ldexp(1.0f, 40));
  store_element(CRGB_FLOAT64, buf, 0, 0.1);
  EXPECT_EQ(element_as_float(CRGB_FLOAT64, buf, 0), 0.1f);
  store_element(CRGB_UINT8, buf, 0, 300.0);  // clamped
  EXPECT_EQ(element_as_float(CRGB_UINT8, buf, 0), 255.0f);
  store_element(CRGB_INT8, buf, 0, -3.0);
  EXPECT_EQ(element_as_float(CRGB_INT8, buf, 0), -3.0f);
}

// image [[1, 2], [3, 5]], a 1x1 crop of the whole image samples (0.5, 0.5):
// dI/dy = 0.5 (3 - 1) + 0.5 (5 - 2) = 2.5, dI/dx = 0.5 (2 - 1) + 0.5 (5 - 3) = 1.5,
// each coordinate weighted 0.5 * (size - 1) = 0.5, times grads 2.
TEST(Rederive, HandComputedCase) {
  Problem p;
  p.image_height = p.image_width = 2;
  p.num_boxes = 1;
  p.allocate();
  const float img[4] = {1, 2, 3, 5};
  std::memcpy(p.image.data(), img, sizeof img);
  p.grads = {2.0f};
  p.boxes = {0.0f, 0.0f, 1.0f, 1.0f};
  const Expected e = rederive(p);
  EXPECT_EQ(e.value, (std::vector<double>{2.5, 1.5, 2.5, 1.5}));
  EXPECT_EQ(e.terms_per_output, 1);
}

// A sample exactly on an integer row contributes nothing to d/dy (floor == ceil).
TEST(Rederive, IntegerRowHasZeroDerivative) {
  std::mt19937 rng(1u);
  Problem p = random_problem(rng, CRGB_FLOAT32, Shape{1, 5, 6, 3, 1, 5, 4});
  p.boxes = {0.0f, 0.1f, 1.0f, 0.7f};
  const Expected e = rederive(p);
  EXPECT_EQ(e.value[0], 0.0);
  EXPECT_EQ(e.value[2], 0.0);
  EXPECT_NE(e.value[1], 0.0);
}

// TensorFlow flushes subnormals: y1 = -1e-40 is read as -0, inside the image.
TEST(Rederive, SubnormalCoordinateIsFlushed) {
  EXPECT_TRUE(sample_inside(sample_coordinate(-1e-40f, 0.5f, 0, 5, 3), 5));
  EXPECT_FALSE(sample_inside(sample_coordinate(-1e-6f, 0.5f, 0, 5, 3), 5));
  EXPECT_FALSE(sample_inside(NAN, 5));
}

TEST(Tolerance, AcceptsRoundedAndRejectsWrong) {
  std::mt19937 rng(2u);
  const Problem p = random_problem(rng, CRGB_UINT8, Shape{1, 8, 8, 5, 3, 4, 4});
  const Expected e = rederive(p);
  std::vector<float> rounded(e.value.begin(), e.value.end());
  EXPECT_TRUE(within_tolerance(rounded, e));
  // A 1% error on one clearly non-zero output (a wrong weight or lerp is worse).
  std::vector<float> wrong = rounded;
  for (size_t i = 0; i < wrong.size(); ++i)
    if (std::fabs(e.value[i]) > 1e-3 * e.abs_sum[i]) {
      wrong[i] = static_cast<float>(e.value[i] * 1.01);
      break;
    }
  EXPECT_FALSE(within_tolerance(wrong, e));
  std::vector<float> nan = rounded;
  nan[0] = NAN;
  EXPECT_FALSE(within_tolerance(nan, e));
}

}  // namespace
}  // namespace crgb_test
