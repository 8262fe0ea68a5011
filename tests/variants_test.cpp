// Every available variant, for every image dtype, against the float64
// re-derivation (bounded error, see support/tolerance.h) and against the
// "reference" variant, over many random small problems.
#include "support/variants.h"
#include "support/generate.h"
#include "support/rederive.h"
#include "support/tolerance.h"

#include <gtest/gtest.h>

#include <random>

namespace crgb_test {
namespace {

constexpr int kCases = 200;

class VariantsTest : public ::testing::TestWithParam<VariantDtype> {
 protected:
  const std::string &variant() const { return std::get<0>(GetParam()); }
  crgb_dtype dtype() const { return std::get<1>(GetParam()); }
  // The same seed for every variant: all variants see the same problems.
  std::mt19937 rng() const { return std::mt19937(1234u + static_cast<unsigned>(dtype())); }
};

TEST_P(VariantsTest, MatchesFloat64Rederivation) {
  std::mt19937 gen = rng();
  for (int i = 0; i < kCases; ++i) {
    const Problem p = random_problem(gen, dtype());
    const Outcome o = run(p, variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message << "\ncase " << i << ": " << p.describe();
    EXPECT_TRUE(within_tolerance(o.out, rederive(p))) << "case " << i << ": " << p.describe();
  }
}

// Depths that fill whole vectors of every CPU variant (multiples of 16 float32
// lanes) take a specialized loop nest without tail guards (schedules/
// cpu_schedule.h); the random shapes above are mostly odd depths, so these
// cases make sure that path is checked too.
TEST_P(VariantsTest, WholeVectorDepthsMatchFloat64Rederivation) {
  std::mt19937 gen = rng();
  for (int i = 0; i < 24; ++i) {
    Shape s = random_shape(gen);
    s.depth = 16 * (1 + i % 4);
    const Problem p = random_problem(gen, dtype(), s);
    const Outcome o = run(p, variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message << "\ncase " << i << ": " << p.describe();
    EXPECT_TRUE(within_tolerance(o.out, rederive(p))) << "case " << i << ": " << p.describe();
  }
}

// Both results are within the bound of the exact value, so within twice the
// bound of each other. (Trivial for "reference" itself.)
TEST_P(VariantsTest, AgreesWithReference) {
  std::mt19937 gen = rng();
  for (int i = 0; i < kCases; ++i) {
    const Problem p = random_problem(gen, dtype());
    const Outcome ref = run(p, "reference");
    const Outcome o = run(p, variant());
    ASSERT_EQ(ref.status, CRGB_OK) << ref.message;
    ASSERT_EQ(o.status, CRGB_OK) << o.message << "\ncase " << i << ": " << p.describe();
    Expected want = rederive(p);
    want.value.assign(ref.out.begin(), ref.out.end());
    EXPECT_TRUE(within_tolerance(o.out, want, 2.0)) << "case " << i << ": " << p.describe();
  }
}

// Boxes spanning the whole image with crop == image size put every sample
// exactly on an integer coordinate: floor == ceil there, so TensorFlow's
// derivative along that axis is exactly zero (the kink must be reproduced,
// not smoothed). The tolerance above cannot see this: it scales with the
// image values, so it is checked exactly here.
TEST_P(VariantsTest, IntegerCoordinatesGiveExactZero) {
  std::mt19937 gen = rng();
  for (const Shape &s :
       {Shape{2, 5, 7, 3, 3, 5, 7}, Shape{1, 9, 4, 5, 2, 9, 4}, Shape{1, 6, 6, 1, 1, 6, 6}}) {
    Problem p = random_problem(gen, dtype(), s);
    // Box 0: both axes on the grid; box 1: only y (columns 0, 2); box 2: only x.
    auto on_grid = [](int64_t b, int k) {
      return b == 0 || (b == 1 && k % 2 == 0) || (b == 2 && k % 2 == 1);
    };
    const float whole[4] = {0.0f, 0.0f, 1.0f, 1.0f};
    for (int64_t b = 0; b < p.num_boxes; ++b)
      for (int k = 0; k < 4; ++k)
        if (on_grid(b, k)) p.boxes[static_cast<size_t>(4 * b + k)] = whole[k];
    const Outcome o = run(p, variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message;
    for (int64_t b = 0; b < p.num_boxes; ++b)
      for (int k = 0; k < 4; ++k) {
        // A derivative along an on-grid axis: y-columns are 0 and 2, x-columns 1 and 3.
        if (on_grid(b, k)) {
          EXPECT_EQ(o.out[static_cast<size_t>(4 * b + k)], 0.0f)
              << "box " << b << " column " << k << ": " << p.describe();
        }
      }
    EXPECT_TRUE(within_tolerance(o.out, rederive(p))) << p.describe();
  }
}

// A 1x1 crop samples the box centre, 0.5 * (y1 + y2) * (H - 1): an integer for
// the whole image when H is odd, so again an exact zero.
TEST_P(VariantsTest, CentreOnIntegerGivesExactZero) {
  std::mt19937 gen = rng();
  Problem p = random_problem(gen, dtype(), Shape{1, 5, 9, 3, 1, 1, 1});
  p.boxes = {0.0f, 0.0f, 1.0f, 1.0f};
  const Outcome o = run(p, variant());
  ASSERT_EQ(o.status, CRGB_OK) << o.message;
  EXPECT_EQ(o.out, std::vector<float>(4, 0.0f)) << p.describe();
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantsTest, ::testing::ValuesIn(variant_dtype_grid()),
                         VariantDtypeName());

}  // namespace
}  // namespace crgb_test
