// Where x86-64 and AArch64 differ in ways that could change a result, the
// algorithm must not depend on the difference. Runs on both architectures (the
// aarch64 suite under qemu, README "ARM64"), every variant, all nine dtypes,
// and expects exact values, so an architecture-dependent result fails on at
// least one of them:
//
//  - Float-to-int conversion of NaN or out-of-range values: x86's cvttss2si
//    gives INT_MIN for both, AArch64's fcvtzs gives 0 for NaN and saturates
//    huge values to INT_MAX/INT_MIN. A sample whose coordinate is NaN or beyond
//    int range must be excluded by a NaN-safe test before any conversion
//    (generators/: `ok` then clamp; runtime/src/reference.cpp: `continue`), so
//    a box whose every sample is such contributes exactly zero everywhere.
//  - Fused multiply-add: AArch64 always has fmadd/fmla and compilers contract
//    `a * b + c` into it unless told not to. TensorFlow rounds y1 * (H - 1)
//    before adding y * scale; fusing it can move a sample off an integer
//    coordinate, where the derivative is exactly zero (TensorFlow's kink), onto
//    a neighbouring float, where it is not. The boxes below are such that the
//    unfused coordinate is exactly an integer and the fused one is not.
#include "support/generate.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace crgb_test {
namespace {

class ArchIndependenceTest : public ::testing::TestWithParam<VariantDtype> {
 protected:
  const std::string &variant() const { return std::get<0>(GetParam()); }
  crgb_dtype dtype() const { return std::get<1>(GetParam()); }
};

// Every box here makes every sample coordinate NaN or a float far beyond int
// range (crop 3x4 on a 6x7 image, so ratio > 1 and the products overflow):
//   3e38 .. -3e38: y1 * 5 = inf, (y2 - y1) * ratio = -inf, inf + -inf = NaN
//                  and 0 * -inf = NaN;
//   1e30 .. 2e30 and -2e30 .. -1e30: every coordinate about +-1e30;
//   3e38 .. 3e38: inf for every sample.
TEST_P(ArchIndependenceTest, NaNAndHugeCoordinatesContributeExactlyZero) {
  const float boxes[][4] = {{3e38f, 0.1f, -3e38f, 0.9f},  {0.2f, 3e38f, 0.7f, -3e38f},
                            {1e30f, 0.0f, 2e30f, 1.0f},   {0.0f, -2e30f, 1.0f, -1e30f},
                            {3e38f, 3e38f, 3e38f, 3e38f}, {-1e30f, -3e38f, 2e30f, 3e38f}};
  const int64_t n = sizeof(boxes) / sizeof(boxes[0]);
  std::mt19937 rng(71u + static_cast<unsigned>(dtype()));
  Problem p = random_problem(rng, dtype(), Shape{2, 6, 7, 3, n + 1, 3, 4});
  for (int64_t b = 0; b < n; ++b)
    for (int k = 0; k < 4; ++k) p.boxes[static_cast<size_t>(4 * b + k)] = boxes[b][k];
  // The last box stays an ordinary random one: it must still be right.
  for (int64_t b = 0; b < n; ++b) {
    // Precondition (so the test means what it says): on the axis whose box
    // coordinates are huge, every sample is NaN or beyond int range.
    for (int axis = 0; axis < 2; ++axis) {
      const float lo = p.boxes[static_cast<size_t>(4 * b + axis)];
      const float hi = p.boxes[static_cast<size_t>(4 * b + axis + 2)];
      if (std::fabs(lo) < 1e29f) continue;
      const int64_t size = axis == 0 ? p.image_height : p.image_width;
      const int64_t crop = axis == 0 ? p.crop_height : p.crop_width;
      for (int64_t i = 0; i < crop; ++i) {
        const float c = sample_coordinate(lo, hi, i, size, crop);
        ASSERT_TRUE(std::isnan(c) || std::fabs(c) > 2.2e9f)
            << "box " << b << " sample " << i << ": " << c;
      }
    }
  }
  const Outcome o = run(p, variant());
  ASSERT_EQ(o.status, CRGB_OK) << o.message;
  for (int64_t b = 0; b < n; ++b)
    for (int k = 0; k < 4; ++k)
      EXPECT_EQ(o.out[static_cast<size_t>(4 * b + k)], 0.0f) << "box " << b << " column " << k;
  EXPECT_TRUE(within_tolerance(o.out, rederive(p))) << p.describe();
}

// Boxes found by search (crop 2 on a 37-pixel axis, ratio 36): the first
// sample, y1 * 36 < 0, is outside; the second, fl(fl(y1 * 36) + fl((y2 - y1) *
// 36)), is exactly the integer k, so the derivative along that axis is
// exactly zero. Fused, fma(y1, 36, scale) is not k (asserted below).
struct KinkBox {
  float lo, hi;
  int k;
};
const KinkBox kKinkBoxes[] = {
    {-0x1.43c68ap-2f, 0x1.1c71c8p-3f, 5},  // fused: 5.0000005
    {-0x1.4f57f8p-2f, 0x1.c71c80p-5f, 2},  // fused: 2.0000005
    {-0x1.180cc6p-2f, 0x1.c71c60p-6f, 1},  // fused: 0.99999964
};

TEST_P(ArchIndependenceTest, FusedMultiplyAddWouldMoveSamplesOffTheKink) {
  const int64_t n = sizeof(kKinkBoxes) / sizeof(kKinkBoxes[0]);
  std::mt19937 rng(73u + static_cast<unsigned>(dtype()));
  // Box b is on the kink along y with kKinkBoxes[b] and along x with
  // kKinkBoxes[(b + 1) % n]; box n + b only along y, box 2n + b only along x
  // (the other axis random).
  Problem p = random_problem(rng, dtype(), Shape{2, 37, 37, 3, 3 * n, 2, 2});
  for (int64_t b = 0; b < n; ++b) {
    const KinkBox &y = kKinkBoxes[b], &x = kKinkBoxes[(b + 1) % n];
    float *both = &p.boxes[static_cast<size_t>(4 * b)];
    float *only_y = &p.boxes[static_cast<size_t>(4 * (n + b))];
    float *only_x = &p.boxes[static_cast<size_t>(4 * (2 * n + b))];
    both[0] = only_y[0] = y.lo;
    both[2] = only_y[2] = y.hi;
    both[1] = only_x[1] = x.lo;
    both[3] = only_x[3] = x.hi;
  }
  for (const KinkBox &kb : kKinkBoxes) {
    // Preconditions: unfused (TensorFlow) on the integer, fused off it.
    ASSERT_LT(sample_coordinate(kb.lo, kb.hi, 0, 37, 2), 0.0f);
    ASSERT_EQ(sample_coordinate(kb.lo, kb.hi, 1, 37, 2), static_cast<float>(kb.k));
    volatile float scale = (kb.hi - kb.lo) * 36.0f;  // volatile: no contraction here
    ASSERT_NE(std::fma(kb.lo, 36.0f, scale), static_cast<float>(kb.k)) << kb.lo;
  }
  const Outcome o = run(p, variant());
  ASSERT_EQ(o.status, CRGB_OK) << o.message;
  for (int64_t b = 0; b < 3 * n; ++b) {
    const bool y_on = b < 2 * n, x_on = b < n || b >= 2 * n;
    for (int k = 0; k < 4; ++k) {
      // Columns 0, 2 are the y derivatives, 1, 3 the x ones.
      if ((k % 2 == 0 && y_on) || (k % 2 == 1 && x_on)) {
        EXPECT_EQ(o.out[static_cast<size_t>(4 * b + k)], 0.0f)
            << "box " << b << " column " << k << ": " << p.describe();
      }
    }
  }
  EXPECT_TRUE(within_tolerance(o.out, rederive(p))) << p.describe();
}

INSTANTIATE_TEST_SUITE_P(AllVariants, ArchIndependenceTest,
                         ::testing::ValuesIn(variant_dtype_grid()), VariantDtypeName());

}  // namespace
}  // namespace crgb_test
